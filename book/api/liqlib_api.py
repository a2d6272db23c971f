"""The ``liqlib-api`` directive: one API page per liqlib (sub)package, read from its ``__all__``.

``{liqlib-api} liqlib.core`` writes the module docstring, a summary table (autosummary) of every
public name and the full entry of each (autodoc), so a name added to ``__all__`` appears on the
site with no page to edit and no stub file written into the source tree. A module without
``__all__`` (``liqlib.venues`` and three venue modules today) is documented by the functions and
classes it defines and the upper-case constants it assigns.

What autodoc and napoleon make of numpydoc docstrings needs a few fixes to build under
``-n -W``, applied to every docstring here rather than to the docstrings:

* ``.. [1]`` citations are global in Sphinx, so the ``[1]`` of two docstrings collide (and a
  summary line that cites ``[1]_`` has no target): a docstring's references become a plain list,
  ``[1] Binance, ...``, and its ``[1]_`` the text ``[1]``;
* a constant (``HOUR = 3600.0``) has no docstring of its own, and autodoc would show its type's
  (``float.__doc__``): it gets the ``#:`` comment of the module that defines it, or nothing;
* napoleon reads a property's "Net change of the fund: ..." as "type: text", and writes the type
  of a class's attribute ("ndarray, shape (T,)") where Sphinx cross-references it word by word:
  the property keeps its docstring, the attribute's type goes into its description as text;
* a reference by the defining module (``liqlib.prices.funding.funding_rate``), by the top-level
  re-export (``liqlib.pnl``) or unqualified from another module resolves to the public name;
* autosummary's first sentence does not end inside an inline literal (``... + 8*P_8)/36``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import types
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.ext import autosummary
from sphinx.pycode import ModuleAnalyzer, PycodeError
from sphinx.util.docutils import SphinxDirective

GROUPS = (  # section title, autodoc directive, membership test
    ("Classes", "autoclass", lambda o: inspect.isclass(o) and not issubclass(o, BaseException)),
    ("Exceptions", "autoexception", lambda o: inspect.isclass(o) and issubclass(o, BaseException)),
    ("Functions", "autofunction", callable),
    ("Modules", "automodule", inspect.ismodule),
    ("Constants", "autodata", lambda o: True),
)


def public_names(module: types.ModuleType) -> list[str]:
    """The module's ``__all__``; without one, the functions and classes it defines and the
    upper-case constants it assigns (what a reader of the module sees as its API)."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    assigned = _assigned(module)
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (
            getattr(obj, "__module__", None) == module.__name__
            if inspect.isclass(obj) or inspect.isfunction(obj)
            else name.isupper() and name in assigned
        )
    )


def _assigned(module: types.ModuleType) -> set[str]:
    """Names a module's own top-level statements assign (not the ones it imports)."""
    tree = ast.parse(inspect.getsource(module))
    names: set[str] = set()
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def group(module: types.ModuleType) -> list[tuple[str, str, list[str]]]:
    """``public_names`` sorted into (title, directive, names), case-insensitively by name."""
    names = sorted(public_names(module), key=str.lower)
    groups: list[tuple[str, str, list[str]]] = []
    taken: set[str] = set()
    for title, directive, test in GROUPS:
        chosen = [n for n in names if n not in taken and test(getattr(module, n))]
        taken.update(chosen)
        if chosen:
            groups.append((title, directive, chosen))
    return groups


class LiqlibApi(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        modname = self.arguments[0]
        module = importlib.import_module(modname)
        groups = group(module)
        rst = [f".. automodule:: {modname}", "", f".. currentmodule:: {modname}", ""]
        rst += [".. rubric:: Summary", "", ".. autosummary::", "   :nosignatures:", ""]
        rst += [f"   {n}" for _, _, names in groups for n in names] + [""]
        for title, directive, names in groups:
            rst += [f".. rubric:: {title}", ""]
            for name in names:
                rst += [f".. {directive}:: {modname}.{name}"]
                if directive == "autoclass":
                    rst += ["   :members:", "   :show-inheritance:"]
                elif directive == "autodata":
                    rst += ["   :no-value:"]
                # an automodule entry moves the current module: move it back
                rst += ["", f".. currentmodule:: {modname}", ""]
        # The page is MyST, whose nested parse reads Markdown: hand the reST to an eval-rst block
        # (autodoc's own output is reST too).
        fence = "`" * 4
        lines = [f"{fence}{{eval-rst}}", *rst, fence]
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]),
                                self.content_offset, node)
        return node.children


def _defining_comment(package: str, attr: str) -> list[str] | None:
    """The ``#:`` comment on ``attr`` in ``package`` or in one of its submodules."""
    module = importlib.import_module(package)
    candidates = [package] + [
        m.__name__ for m in vars(module).values()
        if inspect.ismodule(m) and m.__name__.startswith(package + ".")
    ]
    for name in candidates:
        try:
            analyzer = ModuleAnalyzer.for_module(name)
            analyzer.analyze()
        except PycodeError:
            continue
        if ("", attr) in analyzer.attr_docs:
            return list(analyzer.attr_docs[("", attr)])
    return None


_CITATION = re.compile(r"^(\s*)\.\. \[([\w.-]+)\]")


_ORIGINAL: dict[str, list[str]] = {}


def keep_property_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any,
                            lines: list[str]) -> None:
    """Before napoleon: remember a property's or attribute's docstring (``process_docstring``)."""
    if what in ("property", "attribute"):
        _ORIGINAL[name] = list(lines)


def process_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any,
                      lines: list[str]) -> None:
    """After napoleon: constants, properties, attribute types and references (module doc)."""
    if what == "data":
        package, _, attr = name.rpartition(".")
        lines[:] = _defining_comment(package, attr) or []
    elif what in ("property", "attribute") and name in _ORIGINAL:
        # napoleon reads "Net change of the fund: fee income minus its draw." as "type: text"
        # (the numpydoc "type: text" form is for attributes documented in a class's docstring)
        lines[:] = _ORIGINAL.pop(name)
    # napoleon writes an attribute's numpydoc type ("ndarray, shape (T,)") as the ``:type:``
    # option of ``.. attribute::``, which Sphinx parses as a Python annotation and cross-references
    # word by word (``shape``, ``T``); it is prose, so it goes into the description, in italics,
    # the way napoleon writes parameter types.
    for i, line in enumerate(lines):
        if not (m := re.match(r"^(\s*)\.\. attribute:: ", line)):
            continue
        body = m.group(1) + "   "
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith(body)):
            end += 1
        typed = [k for k in range(i + 1, end) if lines[k].startswith(body + ":type: ")]
        text = [k for k in range(i + 1, end) if lines[k].strip() and k not in typed]
        if typed:
            spec = lines[typed[0]][len(body) + len(":type: "):].strip()
            if text:
                lines[text[0]] = f"{body}(*{spec}*) {lines[text[0]][len(body):]}"
            else:
                lines[typed[0]] = f"{body}(*{spec}*)"
                continue
            lines[typed[0]] = ""
    labels = {m.group(2) for line in lines if (m := _CITATION.match(line))}
    # ``[1]_`` -> ``[1]`` and ``.. [1] text`` -> ``| [1] text`` (a line block: the entry's
    # continuation lines, indented under it, stay part of it). A numbered ``[2]_`` with no
    # entry in its own docstring cites its module's references: it becomes ``[2]`` too.
    reference = re.compile(r"\[(" + "|".join([r"\d+", *map(re.escape, labels)]) + r")\]_")
    for i, line in enumerate(lines):
        if m := _CITATION.match(line):
            lines[i] = f"{m.group(1)}| [{m.group(2)}]" + line[m.end():]
        else:
            lines[i] = reference.sub(r"[\1]", line)


def resolve_public(app: Sphinx, env: Any, node: Any, contnode: nodes.Element) -> Any:
    """Resolve a ``py`` reference that names a liqlib object by the module that defines it
    (``liqlib.prices.funding.funding_rate``), by the top-level re-export (``liqlib.pnl``) or
    unqualified from another module, to the public name this reference documents it under."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    context = target if target.startswith("liqlib.") else f"{node.get('py:module') or ''}.{target}"
    domain = env.get_domain("py")
    documented = [name for name in domain.objects if name.startswith("liqlib.")]
    parts = target.split(".")
    for k in range(len(parts), 0, -1):
        suffix = ".".join(parts[-k:])
        found = [n for n in documented if n.endswith("." + suffix)]
        if not found:
            continue

        def closeness(name: str) -> tuple[int, int]:
            shared = 0
            for a, b in zip(name.split("."), context.split("."), strict=False):
                if a != b:
                    break
                shared += 1
            return shared, -name.count(".")

        found.sort(key=closeness, reverse=True)
        if len(found) > 1 and closeness(found[0]) == closeness(found[1]):
            return None  # ambiguous: leave the warning
        return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], found[0],
                                   node, contnode)
    return None


_first_sentence = autosummary.extract_summary
_DOT = "\ue000"  # a private-use character stands in for a dot inside an inline literal


def extract_summary(doc: list[str], document: Any) -> str:
    """autosummary's first sentence, without cutting an inline literal at its ". " (it would cut
    ``(1*P_1 + 2*P_2 + ... + 8*P_8)/36`` after the first dots and warn about the literal)."""
    text = re.sub(r"``.+?``", lambda m: m.group(0).replace(".", _DOT), "\n".join(doc), flags=re.S)
    return _first_sentence(text.split("\n"), document).replace(_DOT, ".")


def _nitpick_pairs(app: Sphinx, config: Any) -> None:
    # _config.yml can only write nitpick_ignore's (type, target) pairs as lists; Sphinx looks
    # them up as tuples.
    config.nitpick_ignore = {tuple(pair) for pair in config.nitpick_ignore}


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _nitpick_pairs)
    autosummary.extract_summary = extract_summary
    app.add_directive("liqlib-api", LiqlibApi)
    # after napoleon (priority 500) has turned the numpydoc sections into reST
    app.connect("autodoc-process-docstring", keep_property_docstring, priority=400)
    app.connect("autodoc-process-docstring", process_docstring, priority=600)
    app.connect("missing-reference", resolve_public)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
