"""Every worked example a venue publishes, kept as data with its source, run against liqlib.venues.

One CSV per venue under ``tests/data/venue_vectors/``. Columns:

``id``        unique across all files
``venue``     the module under :mod:`liqlib.venues` (``binance``, ``dydx``, ...)
``function``  a function of that module; ``inputs`` (a JSON object) are its keyword arguments
``output``    empty (the function returns the number) or an attribute / key of what it returns
``expected``  a decimal, or an exact fraction ``p/q`` (then ``tolerance`` is ``exact`` and the
              value must equal it exactly: dYdX's protocol arithmetic is rational and integer)
``tolerance`` absolute, or ``exact``
``rounding``  a venue's tick rule applied before comparing, ``tick:SIZE:up|down``, or empty
``printed``   ``yes`` if the source prints the number, ``no`` if it is our derivation from printed
              inputs (the ``note`` says what was inferred)
``source``    the URL; ``accessed`` the date it was read or the commit it was read at
"""

from __future__ import annotations

import importlib
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from vectors import apply_rounding, read_rows

DIRECTORY = Path(__file__).parent / "data" / "venue_vectors"
ROWS = read_rows(*sorted(DIRECTORY.glob("*.csv")))
COLUMNS = ("id", "venue", "function", "inputs", "output", "expected", "tolerance", "rounding",
           "printed", "source", "accessed", "note")


def evaluate(row: dict[str, str]) -> Any:
    module = importlib.import_module(f"liqlib.venues.{row['venue']}")
    result = getattr(module, row["function"])(**json.loads(row["inputs"]))
    for name in filter(None, row["output"].split(".")):
        result = result[name] if isinstance(result, dict) else getattr(result, name)
    return result


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_venue_vector(row: dict[str, str]) -> None:
    value = evaluate(row)
    where = f"{row['id']} ({row['file']}): liqlib gives {value!r}, {row['source']} says"
    if row["tolerance"] == "exact":
        assert Fraction(value) == Fraction(row["expected"]), f"{where} {row['expected']}"
        return
    value = apply_rounding(float(value), row["rounding"])
    expected, tolerance = float(row["expected"]), float(row["tolerance"])
    assert abs(value - expected) <= tolerance + 1e-12 * abs(expected), f"{where} {expected!r}"


def test_vectors_are_sourced_and_labelled() -> None:
    assert len(ROWS) >= 40, f"only {len(ROWS)} venue vectors"
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids)), "duplicate vector ids"
    for row in ROWS:
        assert tuple(row)[: len(COLUMNS)] == COLUMNS, f"{row['file']}: columns {tuple(row)}"
        assert row["source"].startswith("https://"), row["id"]
        assert row["printed"] in ("yes", "no"), row["id"]
        assert row["accessed"], row["id"]
        assert row["venue"] == Path(row["file"]).stem, row["id"]
