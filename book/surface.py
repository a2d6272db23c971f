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

* in a chapter that cites anything, a last cell listing every key the chapter cites with its entry
  in ``book/references.bib``, tagged ``remove-cell`` (the site has its bibliography):
  jupyterlab-myst 2.7.0 reads no bibliography and shows each ``{cite}`` by its bare key, so this
  list is where a reader finds what a key is.

Run it on the chapters after editing them (``make strip`` does); ``tests/test_chapter_sources.py``
fails when a chapter is out of sync::

    python book/surface.py book/*.ipynb          # rewrite in place
    python book/surface.py --check book/*.ipynb  # exit 1 and list the chapters out of sync
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
CAPTION_KEY = "liqlib_caption_for"
REFERENCES_KEY = "liqlib_references"
BIB = Path(__file__).resolve().parent / "references.bib"
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


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


@functools.lru_cache(maxsize=1)
def _bibliography() -> dict[str, str]:
    """Each entry of references.bib as one line of Markdown: author (year). *Title*. Where. URL."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec; pybtex depends on it)
    from pybtex.database import parse_file

    def plain(latex: str) -> str:  # LaTeX (escapes, accents, \texttt) to text; $ is MyST's math
        latex = re.sub(r"\\[a-z]+\{([^{}]*)\}", r"\1", latex)
        text = codecs.decode(latex, "ulatex").replace("{", "").replace("}", "")
        return text.replace("\\$", "$").replace("$", "\\$")

    lines = {}
    for key, entry in parse_file(str(BIB)).entries.items():
        people = [plain(" ".join(p.last_names)) for p in entry.persons.get("author", [])]
        authors = (" and ".join(people) if len(people) <= 2 else f"{people[0]} et al.")
        fields = entry.fields
        where = next((plain(fields[f]) for f in ("journal", "howpublished", "publisher")
                      if f in fields), "")
        link = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields else "")
        parts = [f"{authors} ({fields.get('year', 'n.d.')}). *{plain(fields['title'])}*."]
        parts += [f"{where}." if where else "", f"<{link}>" if link else ""]
        lines[key] = " ".join(p for p in parts if p)
    return lines


def _references_cell(notebook: dict[str, Any]) -> dict[str, Any] | None:
    """The JupyterLab-only list of the keys a chapter cites, in order of first citation."""
    keys: dict[str, None] = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown" and REFERENCES_KEY not in cell.get("metadata", {}):
            for group in CITE.findall("".join(cell["source"])):
                keys.update(dict.fromkeys(k.strip() for k in group.split(",")))
    if not keys:
        return None
    entries = _bibliography()
    missing = [key for key in keys if key not in entries]
    if missing:
        raise KeyError(f"cited but not in {BIB.name}: {', '.join(missing)}")
    source = ("**Citation keys.** A citation in this notebook shows its key; here is what each "
              "key cites (the book's {doc}`References <bibliography>` page has them all).\n\n"
              + "\n".join(f"* **{key}**: {entries[key]}" for key in keys))
    return {"cell_type": "markdown", "metadata": {REFERENCES_KEY: True, "tags": ["remove-cell"]},
            "source": source.splitlines(keepends=True)}


def synced(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook with JupyterLab's view derived from the site's tags and figure metadata."""
    cells: list[dict[str, Any]] = []
    # a regenerated caption cell keeps its id (nbstripout numbers the cells that have none)
    ids = {c["metadata"][CAPTION_KEY]: c["id"] for c in notebook["cells"]
           if _is_caption_cell(c) and "id" in c}
    for cell in notebook["cells"]:
        if _is_caption_cell(cell) or REFERENCES_KEY in cell.get("metadata", {}):
            continue  # regenerated: captions after their figure, the references list last
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
    references = _references_cell(notebook)
    if references is not None:
        old = [c for c in notebook["cells"] if REFERENCES_KEY in c.get("metadata", {})]
        cells.append({"id": old[0]["id"] if old and "id" in old[0] else "references",
                      **references})
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
