"""The API reference (book/api/): a page per subpackage and per venue, each documenting every
public name, read from the built HTML.

A public name is one in the module's ``__all__``; a module without ``__all__`` (``liqlib.venues``
and three venue modules today) is held to the functions and classes it defines and the upper-case
constants it assigns. autodoc gives each documented object an element whose id is
its full name (``liqlib.core.pnl``), and each documented module the id ``module-<name>``.
"""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
import re
import types

import pytest
from sitebrowser import unavailable
from sitepages import SITE

import liqlib
import liqlib.venues

API = "book/api"
SUBPACKAGES = [
    "core", "core.symbolic", "prices", "engine", "venues", "systemic", "stress", "figures",
]
MODULES = [f"liqlib.{name}" for name in SUBPACKAGES] + [
    f"liqlib.venues.{venue}" for venue in liqlib.venues.VENUES
]


def page_of(modname: str) -> str:
    """liqlib.core.symbolic -> book/api/core_symbolic.html."""
    return f"{API}/{modname.removeprefix('liqlib.').replace('.', '_')}.html"


def public_names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    # no __all__: the functions and classes the module defines, and the upper-case constants
    # its own top-level statements assign (not those it imports)
    source = inspect.getsource(module)

    def assigned(name: str) -> bool:  # NAME = ..., or A, NAME, B = ...
        return re.search(rf"^(?:\w+\s*,\s*)*{name}\b[^=\n]*=", source, re.M) is not None

    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (
            obj.__module__ == module.__name__
            if inspect.isclass(obj) or inspect.isfunction(obj)
            else name.isupper() and assigned(name)
        )
    ]


def documented_ids(path: str) -> set[str]:
    text = (SITE / path).read_text(encoding="utf-8")
    return {html.unescape(m) for m in re.findall(r'\bid="([^"]+)"', text)}


def test_every_subpackage_has_a_page():
    """A new subpackage of liqlib (or a new venue) must get its page in the reference."""
    found = {
        f"liqlib.{m.name}"
        for m in pkgutil.iter_modules(liqlib.__path__)
        if m.ispkg and not m.name.startswith("_")
    }
    assert found <= set(MODULES), f"subpackages without an API page: {sorted(found - set(MODULES))}"


@pytest.mark.parametrize("modname", MODULES)
def test_api_page_documents_every_public_name(modname):
    if not (SITE / "index.html").is_file():
        unavailable(f"no built site at {SITE}: run `make book`")
    path = page_of(modname)
    assert (SITE / path).is_file(), f"no API page for {modname} at {path}"
    module = importlib.import_module(modname)
    names = public_names(module)
    assert names, f"{modname} has no public names to document"
    ids = documented_ids(path)
    assert f"module-{modname}" in ids, f"{path} does not document the module {modname}"
    missing = [
        name
        for name in names
        if (
            f"module-{getattr(module, name).__name__}"
            if inspect.ismodule(getattr(module, name))
            else f"{modname}.{name}"
        )
        not in ids
    ]
    assert not missing, f"{path} does not document {len(missing)} public names: {missing}"


def test_top_level_names_are_documented_in_core():
    """``import liqlib`` re-exports the core: each of its names is on the core page."""
    if not (SITE / "index.html").is_file():
        unavailable(f"no built site at {SITE}: run `make book`")
    ids = documented_ids(page_of("liqlib.core"))
    missing = [name for name in liqlib.__all__ if f"liqlib.core.{name}" not in ids]
    assert not missing, f"liqlib.{missing} are not documented on {page_of('liqlib.core')}"
