"""Keep a chapter's notebook readable in JupyterLab as well as on the site.

The site hides plumbing by cell tags (``remove-cell``, ``remove-input``, ``hide-input``) and takes
a figure's number and caption from the code cell's ``mystnb.figure`` metadata. JupyterLab reads
neither. This script writes what JupyterLab does read, derived from those tags and metadata, so
the two never drift apart:

* ``metadata.jupyter.source_hidden`` on every code cell the site hides or folds, so JupyterLab
  collapses its source (the reader sees the output and can unfold the code);
* after each figure cell, a caption cell: a markdown cell tagged ``remove-cell`` (the site drops
  it, having its own caption) holding a MyST ``figure`` with the figure's name and caption, which
  jupyterlab-myst numbers and which ``{numref}`` in the prose resolves to.

Run it on the chapters after editing them (``make strip`` does); ``tests/test_chapter_sources.py``
fails when a chapter is out of sync::

    python book/surface.py book/*.ipynb          # rewrite in place
    python book/surface.py --check book/*.ipynb  # exit 1 and list the chapters out of sync
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
CAPTION_KEY = "liqlib_caption_for"


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _is_caption_cell(cell: dict[str, Any]) -> bool:
    return cell["cell_type"] == "markdown" and CAPTION_KEY in cell.get("metadata", {})


def _caption_cell(name: str, caption: str) -> dict[str, Any]:
    source = f":::{{figure}}\n:name: {name}\n{caption.strip()}\n:::"
    return {
        "cell_type": "markdown",
        "metadata": {CAPTION_KEY: name, "tags": ["remove-cell"]},
        "source": source.splitlines(keepends=True),
    }


def synced(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook with JupyterLab's view derived from the site's tags and figure metadata."""
    cells: list[dict[str, Any]] = []
    # a regenerated caption cell keeps its id (nbstripout numbers the cells that have none)
    ids = {c["metadata"][CAPTION_KEY]: c["id"] for c in notebook["cells"]
           if _is_caption_cell(c) and "id" in c}
    for cell in notebook["cells"]:
        if _is_caption_cell(cell):
            continue  # regenerated after its figure below
        cell = json.loads(json.dumps(cell))
        if cell["cell_type"] == "code":
            jupyter = cell["metadata"].setdefault("jupyter", {})
            if HIDDEN_TAGS & set(_tags(cell)):
                jupyter["source_hidden"] = True
            else:
                jupyter.pop("source_hidden", None)
            if not jupyter:
                del cell["metadata"]["jupyter"]
        cells.append(cell)
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
        if cell["cell_type"] == "code" and figure and figure.get("caption"):
            caption = _caption_cell(figure["name"], figure["caption"])
            # a new caption cell gets an id of its own (nbformat 4.5 warns about a cell without
            # one, and nbval fails on the warning); nbstripout renumbers it with the rest
            new_id = re.sub(r"[^A-Za-z0-9_-]", "-", f"caption-{figure['name']}")[:64]
            caption = {"id": ids.get(figure["name"], new_id), **caption}
            cells.append(caption)
    out = dict(notebook)
    out["cells"] = cells
    return out


def _write(path: Path, notebook: dict[str, Any]) -> None:
    # The layout nbstripout and Jupyter write: one-space indent, non-ASCII kept, final newline.
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not rewrite")
    args = parser.parse_args(argv)
    stale = []
    for path in args.chapters:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        new = synced(notebook)
        if new != notebook:
            stale.append(path)
            if not args.check:
                _write(path, new)
    if args.check and stale:
        print("out of sync (run python book/surface.py on them):", *map(str, stale), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
