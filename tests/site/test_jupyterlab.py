"""Every chapter read as a student reads it: opened in JupyterLab from this venv and run.

JupyterLab (with jupyterlab-myst, pinned in requirements.txt) serves a scratch copy of book/ on
a local port, so nothing it writes (checkpoints, autosaved outputs, workspaces) reaches the
chapters. Each chapter is opened in Chromium, run with Run > Run All Cells, and saved; then:

* no cell raised, and every ``{eval}`` expression of the prose was evaluated with status "ok"
  (jupyterlab-myst stores each result in the markdown cell's ``user_expressions``) to a value that
  is a number in words, not a NumPy repr, NaN or inf;
* each of those values is what the rendered prose shows (solutions are folded, so their values
  are checked by status only), and every code cell ran;
* no raw MyST is visible anywhere a reader looks outside code: no role, no directive fence, no
  glue placeholder, no unresolved API-role target.

The browser is ``$CHROMIUM`` (Debian's chromium); without it the tests skip, except under CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitebrowser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, unavailable

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "liqlib-test"
EVAL = re.compile(r"\{eval\}`([^`]+)`")
# What a reader must never see: a role ({term}`...`), a fence (```{note}, :::{figure}), a glue
# placeholder, an API role's <target>, raw LaTeX outside typeset math.
RAW = re.compile(
    r"\{[A-Za-z][\w:.-]*\}`|(?:```|:::)\s*\{|\{glue|\{eval\}|<liqlib\.|\\(?:frac|text|mathrm)\{"
)
# a solution block or a dropdown is folded until the reader opens it
FOLDED = re.compile(r"\{solution\}|:class:\s*dropdown")
NOT_A_NUMBER = re.compile(r"\bnan\b|\binf\b|np\.float|array\(", re.IGNORECASE)


def chapters() -> list[str]:
    """The chapters of _toc.yml, in reading order (file stems under book/)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [Path(f).name for f in files if (ROOT / f"{f}.ipynb").is_file()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server over a scratch copy of book/: (base URL, that copy)."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no browser at {CHROMIUM} (set CHROMIUM, or apt-get install chromium)")
    scratch = tmp_path_factory.mktemp("lab")
    book = scratch / "book"
    shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port = _free_port()
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(scratch / "config"),
               JUPYTER_RUNTIME_DIR=str(scratch / "runtime"))
    env.pop("LIQLIB_SITE_BUILD", None)  # a reader's kernel: explorables draw on demand
    # Every cell in the page (JupyterLab 4 otherwise renders only those near the viewport, and
    # the test reads them all); no news prompt over the notebook.
    settings = scratch / "settings"
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    log = (scratch / "lab.log").open("w")
    server = subprocess.Popen(
        [str(bindir / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={book}",
         f"--LabApp.workspaces_dir={scratch / 'workspaces'}",
         f"--LabApp.user_settings_dir={settings}", "--ServerApp.allow_root=True",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start; see {scratch / 'lab.log'}")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", book
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _run_all(page: Any, timeout: float) -> None:
    """Run > Run All Cells, and wait until the kernel has gone idle with no cell queued.

    A cell's prompt is no guide to whether it ran (a collapsed cell shows none), so this waits for
    the notebook's execution indicator to stay idle, with no "[*]" prompt left, for a few polls
    after having been busy; the saved notebook then says which cells ran.
    """
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    indicator = page.locator(".jp-Notebook-ExecutionIndicator")
    deadline = time.monotonic() + timeout
    seen_busy, quiet_polls = False, 0
    while time.monotonic() < deadline:
        busy = indicator.get_attribute("data-status") != "idle"
        queued = any("*" in p for p in page.locator(".jp-InputPrompt").all_inner_texts())
        if busy or queued:
            seen_busy, quiet_polls = True, 0
        elif seen_busy:
            quiet_polls += 1
            if quiet_polls >= 4:
                return
        time.sleep(0.5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab-timeout.png"))
    raise AssertionError(f"the chapter did not finish running within {timeout:.0f} s")


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_reads_in_jupyterlab(lab: tuple[str, Path], chromium: Any, chapter: str) -> None:
    base, book = lab
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{base}/lab/tree/{chapter}.ipynb?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook:visible", timeout=90_000)
        # the kernel has started and is connected (the status bar names it and says Idle)
        page.wait_for_selector(".jp-StatusBar-Widget:has-text('Idle')", timeout=90_000)
        start = time.monotonic()
        _run_all(page, timeout=float(os.environ.get("LIQLIB_LAB_TIMEOUT", 300)))
        seconds = time.monotonic() - start
        time.sleep(1.0)  # let the markdown cells re-render with their results
        page.keyboard.press("Control+s")
        time.sleep(1.5)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"jupyterlab-{chapter}.png"), full_page=False)
        prose = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .myst"
                             ).all_inner_texts()
        errors = page.locator(".jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.error']").all_inner_texts()
    finally:
        context.close()

    assert not errors, f"{chapter}: a cell raised in JupyterLab:\n{errors[0][:2000]}"
    saved = json.loads((book / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    text = "\n".join(prose)
    problems = [f"code cell {number} did not run" for number, cell in enumerate(saved["cells"])
                if cell["cell_type"] == "code" and cell.get("execution_count") is None]
    for number, cell in enumerate(saved["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        expressions = EVAL.findall("".join(cell["source"]))
        results = {r["expression"]: r["result"]
                   for r in cell.get("metadata", {}).get("user_expressions", [])}
        for expression in expressions:
            result = results.get(expression)
            if result is None or result.get("status") != "ok":
                problems.append(f"cell {number}: {{eval}}`{expression}` -> {result}")
                continue
            shown = result.get("data", {}).get("text/plain", "")
            shown = shown[1:-1] if len(shown) >= 2 and shown[0] == shown[-1] == "'" else shown
            if NOT_A_NUMBER.search(shown):
                problems.append(f"cell {number}: {{eval}}`{expression}` shows {shown!r}")
            elif shown not in text and not FOLDED.search("".join(cell["source"])):
                # (a solution is folded until the reader opens it: its values are not on screen)
                problems.append(f"cell {number}: {shown!r} ({expression}) not in the prose")
    for match in RAW.finditer(text):
        problems.append(f"raw MyST: ...{text[max(0, match.start() - 60):match.end() + 60]}...")
    assert not problems, f"{chapter} (ran in {seconds:.0f} s):\n  " + "\n  ".join(problems[:40])
