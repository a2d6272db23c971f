"""The chapters' sources follow the reading-surface conventions (issue 16), checked with no kernel.

What the browser suites see rendered (tests/site), checked here at the source so that a failure
names the cell: no glue (numbers in the prose are ``{eval}`` expressions, which JupyterLab and the
site both evaluate), no API role with a ``<target>`` title and no ``{doc}`` without a title
(JupyterLab shows them raw), no ``{eq}`` to an equation of another chapter, and JupyterLab's view
(collapsed plumbing, figure captions) in sync with the site's tags (``book/surface.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK))

import check_chapter  # noqa: E402  (book/check_chapter.py)
import surface  # noqa: E402  (book/surface.py)

CHAPTERS = sorted(BOOK.glob("*.ipynb"))


def _source(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_source_has_nothing_jupyterlab_cannot_show(chapter: Path) -> None:
    cells = _source(chapter)["cells"]
    text = "\n".join("".join(c["source"]) for c in cells)
    found = [f"{what}: {m.group(0)!r}" for pattern, what in check_chapter.SOURCE_RULES
             for m in pattern.finditer(text)]
    found += [f"code cell {number} ends with ';' (silences the {{eval}} after it on the site)"
              for number, c in enumerate(cells) if c["cell_type"] == "code"
              and check_chapter.SILENCING_CELL.search("".join(c["source"]))]
    found += [f"{{eval}} shows {name!r}, bound in {n} code cells (JupyterLab shows the last)"
              for name, n in sorted(check_chapter.rebound(cells).items())]
    labels = set(check_chapter.EQ_LABEL.findall(text))
    found += [f"{{eq}}`{label}` is not an equation of this chapter"
              for label in sorted(set(check_chapter.EQ_REF.findall(text)) - labels)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_exercise_answers_show_nothing_above_their_solution(chapter: Path) -> None:
    """The code cell that computes an exercise's answer (between the question and its folded
    solution) ends in an assignment and prints nothing: its output would answer the question
    before the reader opens the solution."""
    cells = _source(chapter)["cells"]
    shown = check_chapter.answers_shown(cells)
    assert not shown, f"answer cells {shown} display their result under the question"


def test_answer_cells_that_show_something_are_found() -> None:
    def cell(kind: str, text: str) -> dict:
        return {"cell_type": kind, "source": [text], "metadata": {}}

    question, answer = cell("markdown", "```{exercise}\n:label: ex-x-1\nQ?\n```"), cell(
        "markdown", "```{solution} ex-x-1\n:class: dropdown\nA.\n```")
    cells = [question, cell("code", "x = 1\nx"), cell("code", "y = 2"),
             cell("code", "print(3)\nz = 3"), cell("code", "%time w = 1"), answer,
             cell("code", "x")]   # after the solution: the chapter's own business
    assert check_chapter.answers_shown(cells) == [1, 3]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_jupyterlab_view_is_in_sync_with_the_site_tags(chapter: Path) -> None:
    notebook = _source(chapter)
    assert surface.synced(notebook) == notebook, f"run: python book/surface.py {chapter}"


def test_surface_collapses_hidden_code_and_captions_figures() -> None:
    figure = {"cell_type": "code", "source": ["plot()"], "outputs": [], "execution_count": None,
              "metadata": {"tags": ["hide-input"],
                           "mystnb": {"figure": {"name": "fig-x", "caption": "A *caption*."}}}}
    plain = {"cell_type": "code", "source": ["x = 1"], "outputs": [], "execution_count": None,
             "metadata": {"jupyter": {"source_hidden": True}}}
    out = surface.synced({"cells": [figure, plain], "metadata": {}, "nbformat": 4})
    assert out["cells"][0]["metadata"]["jupyter"] == {"source_hidden": True}
    caption = out["cells"][1]
    assert caption["metadata"]["tags"] == ["remove-cell"]
    assert "".join(caption["source"]) == ":::{figure}\n:name: fig-x\nA *caption*.\n:::"
    assert "jupyter" not in out["cells"][2]["metadata"]   # not hidden on the site: shown
    assert surface.synced(out) == out                      # idempotent


def test_surface_lists_the_cited_keys_for_jupyterlab() -> None:
    """jupyterlab-myst 2.7.0 shows a {cite} by its bare key: every chapter that cites gets a last
    cell (dropped by the site, which has its bibliography) saying what each key cites."""
    def cell(text: str) -> dict:
        return {"cell_type": "markdown", "metadata": {}, "source": [text]}

    notebook = {"cells": [cell("As {cite}`binance_usdm_liq` and {cite:p}`he2022fundamentals, "
                               "binance_usdm_liq` show."), cell("No citation.")],
                "metadata": {}, "nbformat": 4}
    out = surface.synced(notebook)
    last = out["cells"][-1]
    assert last["metadata"] == {surface.REFERENCES_KEY: True, "tags": ["remove-cell"]}
    items = [line for line in "".join(last["source"]).splitlines() if line.startswith("* ")]
    assert [item.split("**")[1] for item in items] == ["binance_usdm_liq", "he2022fundamentals"]
    assert items[1].startswith("* **he2022fundamentals**: He et al. (2022). *Fundamentals of "
                               "Perpetual Futures*.")
    assert surface.synced(out) == out                              # idempotent
    uncited = {"cells": [cell("No citation.")], "metadata": {}, "nbformat": 4}
    assert len(surface.synced(uncited)["cells"]) == 1              # nothing cited, no list
    notebook["cells"].append(cell("{cite}`no_such_key`"))
    with pytest.raises(KeyError, match="no_such_key"):
        surface.synced(notebook)


def test_bibliography_lines_are_plain_markdown() -> None:
    """LaTeX in references.bib (escapes, accents, commands) becomes text, and a dollar sign is
    escaped (MyST would read two of them as math)."""
    lines = surface._bibliography()
    assert all("\\" not in line.replace("\\$", "") and "{" not in line for line in lines.values())
    assert all("$" not in line.replace("\\$", "") for line in lines.values())
    assert lines["toth2011anomalous"].startswith("Tóth et al. (2011).")
