"""The library's layout: each subpackage exports what it says, and imports run one way.

The API reference is generated from each subpackage's ``__all__``, and chapters import from the
subpackages, so a name listed there but not importable breaks the book, and a public name defined
in a module but not exported is missing from the reference. Imports run down the layers
(core <- prices, engine <- venues, systemic <- stress; figures apart): a module importing a
higher layer would make ``import liqlib.core`` pull in the whole library.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import pkgutil

import pytest

SUBPACKAGES = ["core", "prices", "engine", "venues", "systemic", "stress", "figures"]
#: The layers each subpackage may import from (itself included).
ALLOWED = {
    "core": {"core"},
    "prices": {"core", "prices"},
    "engine": {"core", "engine"},
    "venues": {"core", "prices", "engine", "venues"},
    "systemic": {"core", "prices", "engine", "venues", "systemic"},
    "stress": {"core", "prices", "engine", "venues", "systemic", "stress"},
    "figures": {"figures"},
}
ROOT = pathlib.Path(importlib.import_module("liqlib").__file__).parent


@pytest.mark.parametrize("name", ["liqlib"] + [f"liqlib.{s}" for s in SUBPACKAGES])
def test_every_exported_name_exists(name):
    package = importlib.import_module(name)
    missing = [n for n in getattr(package, "__all__", []) if not hasattr(package, n)]
    assert not missing, f"{name}.__all__ lists names it does not define or import: {missing}"


def _public_names(module):
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("sub", [s for s in SUBPACKAGES if s != "venues"])
def test_every_public_name_is_exported(sub):
    """Venue modules share names (each has a liquidation_price), so only they stay qualified."""
    package = importlib.import_module(f"liqlib.{sub}")
    exported = set(package.__all__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "symbolic":  # SymPy is imported on demand
            continue
        module = importlib.import_module(f"liqlib.{sub}.{info.name}")
        missing = [n for n in _public_names(module) if n not in exported]
        assert not missing, f"liqlib.{sub} does not export {info.name}'s {missing}"


def _imported_layers(path: pathlib.Path, sub: str):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            # level 1 is this subpackage; level 2 reaches liqlib, whose next name is the layer.
            if node.level == 1:
                yield sub, node.lineno
            elif node.module:
                yield node.module.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("liqlib."):
            yield node.module.split(".")[1], node.lineno


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_imports_run_one_way(sub):
    wrong = [
        (path.name, line, layer)
        for path in sorted((ROOT / sub).glob("*.py"))
        for layer, line in _imported_layers(path, sub)
        if layer in ALLOWED and layer not in ALLOWED[sub]
    ]
    assert not wrong, f"liqlib.{sub} imports a higher layer: {wrong}"
