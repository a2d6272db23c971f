"""No page of the built site shows raw MyST to the reader.

A role or a fence that was never parsed reaches the page as text: a table generated as
``IPython.display.Markdown`` (GFM, not MyST: `{eq}` printed as is), a doubled backtick, a caption
written in cell metadata with an equation's label but without the role (`eq-mp-area`). Read in
Chromium, on every page, from the text outside code (see ``PROSE`` in sitebrowser.py): collapsed
dropdowns count, since a reader opens them; code, typeset math and scripts do not.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from sitepages import SITE, site_pages

# {eq}`label`, {cite:p}`key`, {glue:text}`name`, ...: the names MyST and its extensions use here,
# and any other {role}`...` (a role name directly followed by a backtick).
ROLE = re.compile(
    r"\{(?:eq|term|cite(?::\w+)?|numref|doc|ref|glue(?::\w+)?|math|download|abbr|eval|index)\}"
    r"|\{[A-Za-z][\w:.-]*\}`"
)
# ```{directive} and :::{directive}
FENCE = re.compile(r"(?:```|:::)\s*\{")
# Reads "`57,939.02`," where a role was closed twice. Outside code a backtick is always markup.
BACKTICK = re.compile(r"`")


@cache
def label_pattern() -> re.Pattern[str]:
    """The name of every equation, figure and table label of the site (``eq-mp-area``), as a
    word: printed in the prose, it is a reference that was never resolved."""
    labels: set[str] = set()
    for path in site_pages():
        text = (SITE / path).read_text(encoding="utf-8")
        labels.update(re.findall(r'\bid="equation-([\w-]+)"', text))
        labels.update(re.findall(r'<(?:figure|table)\b[^>]*\bid="([\w-]+)"', text))
    labels = {label for label in labels if not re.fullmatch(r"id\d+", label)}  # Sphinx's own
    if not labels:
        return re.compile(r"(?!)")  # matches nothing
    words = "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])")


def _hits(pattern: re.Pattern[str], blocks: list[str]) -> list[str]:
    found = []
    for text in blocks:
        for m in pattern.finditer(text):
            found.append(f"...{text[max(0, m.start() - 50):m.end() + 50]}...")
    return found


def _listing(items: list[str]) -> str:
    return "\n  ".join(["", *items])


@pytest.mark.parametrize(
    "what, pattern",
    [("MyST role", ROLE), ("MyST fence", FENCE), ("backtick", BACKTICK), ("label", None)],
    ids=["roles", "fences", "backticks", "labels"],
)
def test_page_shows_no_raw_myst(visit, page, what, pattern):
    dom = visit(page).dom
    pattern = pattern or label_pattern()
    hits = _hits(pattern, dom["prose"])
    if pattern is FENCE:
        hits += [f"a code block in the fence's language: {b}" for b in dom["fenced_blocks"]]
    assert not hits, f"{page} shows {len(hits)} raw {what}(s):{_listing(hits[:20])}"
