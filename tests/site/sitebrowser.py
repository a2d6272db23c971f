"""The browser side of the site tests: one browser context per page visit, and what it saw.

A ``Session`` is a fresh Chromium context (empty storage) whose pages report console errors,
uncaught exceptions, failed requests and HTTP errors into a ``Visit``. Every request that is not
to the local server is aborted there and recorded as off-site.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sitepages import ROOT, read_page, site_pages

SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
# Without the background-networking flags Chromium's own connections (component updates,
# safe browsing, ...) fail on a closed network and can stall or log errors.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The largest API pages (book/api/systemic.html, 728 kB of typeset docstrings) load in tens of
# seconds on a loaded 2-core runner: a clean-clone run timed out at 30 s on one that loads alone.
TIMEOUT_MS = 60_000


def unavailable(reason: str) -> None:
    """Skip, or under CI fail: in CI the browser suite must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@dataclass
class Visit:
    page: str
    load_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    off_site_requests: list[str] = field(default_factory=list)
    dom: dict[str, Any] = field(default_factory=dict)
    screenshot: Path | None = None

    @property
    def problems(self) -> list[str]:
        return [
            *(f"did not finish loading: {m}" for m in self.load_errors),
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"failed request: {m}" for m in self.failed_requests),
            *(f"off-site request (blocked): {m}" for m in self.off_site_requests),
        ]


class Session:
    """A fresh browser context whose pages report errors and requests into a ``Visit``."""

    def __init__(self, browser: Any, base_url: str, record: Visit) -> None:
        self.base_url = base_url
        self.record = record
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: record.page_errors.append(str(e)))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith("data:"):
            route.continue_()
        else:
            self.record.off_site_requests.append(url)
            route.abort("blockedbyclient")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.record.console_errors.append(f"{message.text} ({where})")

    def _request_failed(self, request: Any) -> None:
        if request.url.startswith(self.base_url):  # off-site ones are recorded by _route
            self.record.failed_requests.append(f"{request.url}: {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.record.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def open(self, path: str) -> Any:
        """Load a page and wait until its widgets have rendered and its math is typeset."""
        page = self.page
        page.goto(self.base_url + path, wait_until="load")
        info = read_page(path)
        if info.redirect is not None:  # index.html: wait for the page it sends the browser to
            page.wait_for_url(self.base_url + info.redirect, wait_until="load")
            info = read_page(info.redirect)
        if info.widget_views:
            # html-manager renders each displayed widget into a div.widget-subarea it inserts
            # just before the widget-view script.
            page.wait_for_function(
                """n => {
                  const views = document.querySelectorAll(
                    'script[type="application/vnd.jupyter.widget-view+json"]');
                  return views.length === n && Array.from(views).every(v => {
                    const area = v.previousElementSibling;
                    return area && area.classList.contains('widget-subarea')
                      && area.firstElementChild !== null;
                  });
                }""",
                arg=info.widget_views,
            )
        if info.math:
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            )
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
        # Let late requests (fonts, lazily loaded scripts) finish and be recorded.
        page.wait_for_load_state("networkidle")
        return page

    def close(self) -> None:
        self.context.close()


def screenshot_name(path: str) -> str:
    """_build/screenshots/<name>.png: the page's file stem, made unique if two stems clash."""
    stems = [Path(p).stem for p in site_pages()]
    stem = Path(path).stem
    return stem if stems.count(stem) == 1 else re.sub(r"[^\w.-]", "-", path.removesuffix(".html"))


# The text a reader can read outside code: every text node of the body (collapsed dropdowns
# included: a reader opens them) except in code, scripts, typeset math and the widget state.
# One string per block of text, so that a match never runs from one paragraph into the next.
PROSE = """() => {
  const skip = 'pre, code, kbd, samp, script, style, noscript, template, textarea, '
    + 'mjx-container, .math, .highlight';
  const blocks = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    const block = parent.closest('p, li, dt, dd, td, th, h1, h2, h3, h4, h5, h6, figcaption, '
      + 'caption, blockquote, div, section, article, aside, nav, main, body');
    blocks.set(block, (blocks.get(block) || '') + node.textContent);
  }
  return Array.from(blocks.values()).map(t => t.replace(/\\s+/g, ' ').trim()).filter(t => t);
}"""

DOM_FACTS = """() => {
  const prose = """ + PROSE + """;
  const visible = el => el.getClientRects().length > 0;
  const maths = Array.from(document.querySelectorAll('.math'));
  return {
    math: maths.length,
    math_typeset: maths.filter(m => m.querySelector('mjx-container')).length,
    math_untypeset: maths.filter(m => !m.querySelector('mjx-container'))
      .map(m => m.textContent.trim().slice(0, 80)),
    mjx_containers: document.querySelectorAll('mjx-container').length,
    tex_errors: Array.from(document.querySelectorAll('mjx-merror'))
      .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120)),
    images: document.images.length,
    images_without_alt: Array.from(document.images)
      .filter(i => !(i.getAttribute('alt') || '').trim())
      .map(i => (i.getAttribute('src') || '').slice(0, 100)),
    broken_images: Array.from(document.images)
      .filter(i => i.complete && i.naturalWidth === 0 && visible(i))
      .map(i => (i.getAttribute('src') || '').slice(0, 100)),
    widget_subareas: document.querySelectorAll('.widget-subarea').length,
    loading_placeholders: document.body.innerText.includes('Loading widget'),
    prose: prose(),
    // a MyST fence printed as a code block whose language is "{directive}"
    fenced_blocks: Array.from(document.querySelectorAll(
        '[class*="highlight-{"], [class*="language-{"]'))
      .map(e => e.className + ': ' + e.textContent.trim().slice(0, 80)),
  };
}"""


