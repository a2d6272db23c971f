"""The built site (_build/html) in a real browser: Debian's Chromium driven by Python playwright.

The site is served from a local port by a thread of this process. Every request to any other host
is aborted and recorded, so a test fails if a page reaches off the site. Each page is loaded once
(see ``visit``), waited on until its widgets have rendered and MathJax has typeset, screenshotted
into _build/screenshots/, and what the browser saw is kept for the tests to judge.

The browser is ``$CHROMIUM`` (default /usr/bin/chromium; `make test` installs Debian's package).
Never `playwright install`. Without a browser or a built site the tests skip, except under
CI=true, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sitebrowser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DOM_FACTS,
    SCREENSHOTS,
    Session,
    Visit,
    screenshot_name,
    unavailable,
)
from sitepages import SITE, read_page, site_pages

# ----------------------------------------------------------------------------------------------
# Parametrization from the built site.

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "pages(predicate): parametrize `page` only over the built pages (sitepages.Page) for "
        "which predicate(page) is true",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``page``: every HTML page of the built site; ``explorable``: every explorable on them.

    Read from _build/html at collection time. With nothing to test, a single ``None`` parameter
    makes the test skip (fail under CI) rather than vanish.
    """
    pages = site_pages()
    if "page" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("pages")
        chosen = [p for p in pages if marker is None or marker.args[0](read_page(p))]
        metafunc.parametrize("page", chosen or [pytest.param(None, id="none")])
    if "explorable" in metafunc.fixturenames:
        found = [e for p in pages for e in read_page(p).explorables]
        metafunc.parametrize(
            "explorable", found or [pytest.param(None, id="none")], ids=lambda e: e.id
        )


# ----------------------------------------------------------------------------------------------
# The server and the browser.

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser may drop a connection it no longer needs; anything else is reported.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        unavailable(f"no built site at {SITE}: run `make book`")
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no browser at {CHROMIUM} (set CHROMIUM, or apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def visit(browser: Any, base_url: str) -> Iterator[Any]:
    """``visit(path) -> Visit``: each page is loaded once per session, then served from memory."""
    visits: dict[str, Visit] = {}

    def get(path: str | None) -> Visit:
        if path is None:
            unavailable(f"no page of {SITE} to test here: is the site built (`make book`)?")
        if path not in visits:
            record = Visit(path)
            session = Session(browser, base_url, record)
            try:
                try:
                    page = session.open(path)
                except Exception as error:  # a timeout: judge what is there, and say so
                    record.load_errors.append(f"{type(error).__name__}: {error}")
                    page = session.page
                record.dom = page.evaluate(DOM_FACTS)
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                record.screenshot = SCREENSHOTS / f"{screenshot_name(path)}.png"
                page.screenshot(path=str(record.screenshot), full_page=True)
            finally:
                session.close()
            visits[path] = record
        return visits[path]

    yield get


@pytest.fixture
def session(browser: Any, base_url: str) -> Iterator[Session]:
    """A fresh browser context for a test that interacts with a page."""
    s = Session(browser, base_url, Visit(""))
    try:
        yield s
    finally:
        s.close()
