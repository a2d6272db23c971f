"""What the built site's HTML files say about themselves, read without a browser.

The browser tests are parametrized from this at collection time: which pages there are, which
redirect, which have math, which embed widgets, and the explorables (``liqlib.figures.explore``)
each page holds, with the frame each combination of slider positions must show. It also lists what a
page
would load from another host (scripts, stylesheets, images, preconnects).
"""

from __future__ import annotations

import html as htmllib
import json
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Folders of the build output that hold no pages (theme templates sit in _static).
NOT_PAGES = {"_static", "_sources", "_images", "_downloads"}
# <link rel=...> values that make a browser fetch or connect (not plain hyperlinks).
FETCHING_RELS = {
    "stylesheet", "preload", "prefetch", "preconnect", "dns-prefetch", "modulepreload", "icon",
    "apple-touch-icon", "manifest", "prerender",
}


def site_pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the built site, as a path relative to its root ("book/intro.html")."""
    if not site.is_dir():
        return []
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not NOT_PAGES.intersection(p.relative_to(site).parts[:-1])
    )


class _Scan(HTMLParser):
    """One pass over a page: widget script blocks, math elements, redirect, fetched resources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: dict[str, list[str]] = {WIDGET_STATE: [], WIDGET_VIEW: []}
        self.math = 0
        self.refresh: str | None = None
        self.resources: list[str] = []  # what the page makes the browser fetch or connect to
        self._script: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("type") in self.scripts:
            self._script = a["type"]
            self._buffer = []
        if "math" in (a.get("class") or "").split():
            self.math += 1
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.refresh = a.get("content") or ""
        if tag in {"script", "img", "iframe", "source", "video", "audio", "embed", "track"}:
            self.resources += [a[k] or "" for k in ("src", "srcset", "poster") if k in a]
        elif tag == "object" and "data" in a:
            self.resources.append(a["data"] or "")
        elif tag == "link" and FETCHING_RELS & set((a.get("rel") or "").lower().split()):
            self.resources.append(a.get("href") or "")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts[self._script].append("".join(self._buffer))
            self._script = None


_ALT = re.compile(r"""<img\b[^>]*?\balt\s*=\s*(["'])(.*?)\1""", re.S | re.I)


@dataclass(frozen=True, eq=False)
class Explorable:
    """One explorable: its top widget (a VBox) and its sliders, outermost first."""

    page: str
    number: int  # 1, 2, ... in page order
    model_id: str  # the VBox, the model a widget-view script displays
    sliders: tuple[str, ...]  # SelectionSlider model ids
    options: tuple[tuple[str, ...], ...]  # each slider's option labels
    initial: tuple[int, ...]  # each slider's initial index
    stack: str  # the outer Stack model id
    models: dict  # the page's widget models (id -> state)

    @property
    def id(self) -> str:
        return f"{self.page}#explorable-{self.number}"

    def frame(self, indices: tuple[int, ...]) -> tuple[str, str]:
        """The (alt, src) of the frame the Stacks show for these slider positions."""
        node = self.stack
        for index in indices:
            node = _ref(self.models[node]["state"]["children"][index])
        html = self.models[node]["state"]["value"]
        alt = _ALT.search(html)
        src = re.search(r"""<img\b[^>]*?\bsrc\s*=\s*(["'])(.*?)\1""", html, re.S | re.I)
        # the browser reports attributes unescaped (figure_html writes ' as &#x27;)
        return (htmllib.unescape(alt.group(2)) if alt else "", src.group(2) if src else "")


@dataclass(frozen=True)
class Page:
    path: str
    redirect: str | None  # the page a <meta http-equiv="refresh"> sends the browser to
    math: int  # elements of class "math" in the HTML as built
    widget_views: int  # widget-view scripts (widgets displayed on the page)
    explorables: tuple[Explorable, ...]
    frame_alts: tuple[str, ...]  # alt text of every <img> inside the embedded widget state
    frames: int  # <img> elements inside the embedded widget state
    off_site: tuple[str, ...]  # resources (script, img, stylesheet, preconnect...) on other hosts


def _ref(value: str) -> str:
    if not value.startswith("IPY_MODEL_"):
        raise ValueError(f"not a widget reference: {value!r}")
    return value.removeprefix("IPY_MODEL_")


@cache
def read_page(path: str, site: Path = SITE) -> Page:
    scan = _Scan()
    scan.feed((site / path).read_text(encoding="utf-8"))
    models: dict = {}
    for block in scan.scripts[WIDGET_STATE]:
        models.update(json.loads(block)["state"])
    views = [json.loads(block)["model_id"] for block in scan.scripts[WIDGET_VIEW]]

    # An explorable: a VBox whose children are SelectionSliders and then a Stack, each slider's
    # `index` jslinked to the `selected_index` of the Stacks at its depth (liqlib.figures.explore).
    links: dict[str, set[str]] = {}
    for model in models.values():
        if model["model_name"] == "LinkModel":
            (source, s_attr), (target, t_attr) = model["state"]["source"], model["state"]["target"]
            if (s_attr, t_attr) == ("index", "selected_index"):
                links.setdefault(_ref(source), set()).add(_ref(target))
    explorables = []
    for view in views:
        model = models.get(view, {})
        if model.get("model_name") != "VBoxModel":
            continue
        children = [_ref(c) for c in model["state"]["children"]]
        sliders = tuple(
            c for c in children[:-1] if models[c]["model_name"] == "SelectionSliderModel"
        )
        stack = children[-1]
        if not sliders or models[stack]["model_name"] != "StackModel" or stack not in links.get(
            sliders[0], set()
        ):
            continue
        explorables.append(
            Explorable(
                page=path,
                number=len(explorables) + 1,
                model_id=view,
                sliders=sliders,
                options=tuple(tuple(models[s]["state"]["_options_labels"]) for s in sliders),
                initial=tuple(models[s]["state"]["index"] for s in sliders),
                stack=stack,
                models=models,
            )
        )

    alts = []
    for model in models.values():
        if model["model_name"] == "HTMLModel":
            html = model["state"].get("value", "")
            imgs = re.findall(r"<img\b[^>]*>", html, re.I)
            alts.extend(m.group(2) if (m := _ALT.search(tag)) else "" for tag in imgs)
    redirect = None
    if scan.refresh is not None and (m := re.search(r"url\s*=\s*(\S+)", scan.refresh, re.I)):
        redirect = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(1)))
    return Page(
        path=path,
        redirect=redirect,
        math=scan.math,
        widget_views=len(views),
        explorables=tuple(explorables),
        frame_alts=tuple(alts),
        frames=len(alts),
        off_site=tuple(
            r for r in scan.resources if re.match(r"\s*(https?:)?//", r, re.I)
        ),
    )
