"""Run a chapter as the site build does, top to bottom, and check what its prose shows.

Executes the code cells in a fresh kernel (this venv's) and, at each markdown cell, evaluates the
cell's ``{eval}`` expressions in that kernel, as the site build does (and jupyterlab-myst when a
reader runs the chapter): an expression that names a value computed only in a *later* cell fails
here. Like the site build (myst-nb's inline execution), it skips cells tagged ``remove-cell``: the
asserts there run under nbval and in JupyterLab, not on the site, so a value the prose shows must
be computed in a cell the site runs (``remove-input`` hides one and still runs it).

It then checks the chapter's source for what neither surface can show (glue,
API roles with a title in angle brackets, ``{doc}`` without a title, equations referenced but
not labelled in the chapter, an exercise's answer cell that displays its result under the
question) and prints every expression with the text it shows, and the run
time. Exit status 1 on any problem::

    python book/check_chapter.py book/margin_tiers.ipynb [--quiet]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

EVAL = re.compile(r"\{eval\}`([^`]+)`")
SOURCE_RULES = [
    (re.compile(r"\{glue(:\w+)?\}`"), "glue role (use {eval})"),
    (re.compile(r"myst_nb import glue|\bglue\("), "glue call (use {eval} in the prose)"),
    (re.compile(r"\{py:\w+\}`[^`]*<"), "API role with an <target> title (JupyterLab shows it raw)"),
    (re.compile(r"\{doc\}`[^`<]+`"), "{doc} without a title ({doc}`Title <file>`)"),
]
# IPython shows nothing for an expression when the last input in its history ends with ";", and
# the site evaluates {eval} without storing history: after a code cell ending with ";" every
# expression up to the next code cell shows nothing (found with myst-nb 1.4.0 and IPython 9).
SILENCING_CELL = re.compile(r";\s*(#[^\n]*)?\s*$")
# jupyterlab-myst evaluates a cell's {eval} expressions once the run is over, not where the cell
# stands (seen in JupyterLab 4.6 with 2.7.0), so a name the prose shows must keep one meaning:
# assigned at the top level of one code cell only.
TOP_LEVEL_BINDING = re.compile(
    r"^(?:([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?:=(?!=)|[-+*/]=)|for\s+([A-Za-z_]\w*)"
    r"|def\s+(\w+))", re.M)
# An exercise's answer cell (code between ```{exercise} and its {solution}) computes the names
# the folded solution shows; whatever it displays would sit under the question, answering it
# before the reader opens the solution: it must show nothing (end in an assignment, no print).
EXERCISE = re.compile(r"```\{exercise\}")
SOLUTION = re.compile(r"\{solution\}")
DISPLAYING_CALLS = {"print", "display", "show"}
EQ_REF = re.compile(r"\{eq\}`([^`]+)`")
EQ_LABEL = re.compile(r"\$\$\s*\(([^)\s]+)\)")


def rebound(cells: list[Any]) -> dict[str, int]:
    """Names an ``{eval}`` expression shows that more than one code cell binds at the top level."""
    bound: dict[str, int] = {}
    shown: set[str] = set()
    for cell in cells:
        if cell["cell_type"] == "code":
            names: set[str] = set()
            for match in TOP_LEVEL_BINDING.finditer("".join(cell["source"])):
                group = match.group(1) or match.group(2) or match.group(3)
                names.update(name.strip() for name in group.split(","))
            for name in names:
                bound[name] = bound.get(name, 0) + 1
        else:
            for expression in EVAL.findall("".join(cell["source"])):
                shown.update(re.findall(r"(?<![.\w])([A-Za-z_]\w*)", expression))
    return {name: count for name, count in bound.items() if count > 1 and name in shown}


def _shows_something(source: str) -> bool:
    """Whether a code cell displays anything: a bare expression last, or a print/display call."""
    code = "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))  # IPython magics
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return True  # not plain Python: cannot tell, so refuse it in an answer cell
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        return True
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id in DISPLAYING_CALLS for node in ast.walk(tree))


def answers_shown(cells: list[Any]) -> list[int]:
    """Code cells between an ``{exercise}`` and its ``{solution}`` that show something."""
    found, in_exercise = [], False
    for number, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if SOLUTION.search(source):
                in_exercise = False
            elif EXERCISE.search(source):
                in_exercise = True
        elif cell["cell_type"] == "code" and in_exercise and _shows_something(source):
            found.append(number)
    return found


def _probe(expressions: list[str]) -> str:
    # A code cell that evaluates the expressions in the chapter's namespace and prints what each
    # shows (a string without quotes, anything else by repr, as both renderers do).
    return (
        "import json as __json\n__shown = []\n"
        f"for __e in __json.loads({json.dumps(json.dumps(expressions))}):\n"
        "    __v = eval(__e)\n"
        "    __shown.append(__v if isinstance(__v, str) else repr(__v))\n"
        "print('\\x1e'.join(__shown))\n"
    )


def check(path: Path, quiet: bool = False) -> list[str]:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    problems: list[str] = []
    text = "\n".join(c.source for c in notebook.cells)
    for pattern, what in SOURCE_RULES:
        for match in pattern.finditer(text):
            problems.append(f"{what}: {match.group(0)!r}")
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and SILENCING_CELL.search(cell.source):
            problems.append(f"code cell {number} ends with ';', which silences the next {{eval}}")
    problems += [f"code cell {number} answers an exercise and shows its result above the solution"
                 for number in answers_shown(notebook.cells)]
    problems += [f"{{eval}} shows {name!r}, bound in {cells} code cells (JupyterLab shows the last)"
                 for name, cells in sorted(rebound(notebook.cells).items())]
    labels = set(EQ_LABEL.findall(text))
    for label in sorted(set(EQ_REF.findall(text)) - labels):
        problems.append(f"{{eq}} to {label!r}, not labelled in this chapter (JupyterLab cannot)")

    run = nbformat.v4.new_notebook(metadata=notebook.metadata)
    probes: dict[int, tuple[int, list[str]]] = {}
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "remove-cell" not in cell.metadata.get("tags", []):
            run.cells.append(nbformat.v4.new_code_cell(cell.source))
        elif cell.cell_type == "markdown" and (expressions := EVAL.findall(cell.source)):
            probes[len(run.cells)] = (number, expressions)
            run.cells.append(nbformat.v4.new_code_cell(_probe(expressions)))
    client = NotebookClient(run, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for index, cell in enumerate(run.cells):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        where = f"cell {probes[index][0]} (markdown)" if index in probes else f"code cell {index}"
        for error in errors:
            problems.append(f"{where}: {error.ename}: {error.evalue}")
        if index in probes and not errors:
            number, expressions = probes[index]
            shown = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            values = shown.rstrip("\n").split("\x1e")
            for expression, value in zip(expressions, values, strict=True):
                if re.search(r"np\.|nan|inf\b|array\(", value):
                    problems.append(f"cell {number}: {expression!r} shows {value!r}")
                if not quiet:
                    print(f"  [{number}] {expression}  ->  {value}")
    print(f"{path}: ran in {seconds:.1f} s, {len(problems)} problem(s)")
    for problem in problems:
        print("  PROBLEM", problem)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--quiet", action="store_true", help="print problems only")
    args = parser.parse_args(argv)
    failed = [p for p in args.chapters if check(p, args.quiet)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

