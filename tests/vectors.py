"""Helpers shared by the test files that run published numbers kept as CSV data."""

from __future__ import annotations

import csv
from pathlib import Path

import liqlib as lq


def read_rows(*paths: Path) -> list[dict[str, str]]:
    """All rows of the given CSV files, each with a ``file`` key naming where it came from."""
    rows = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [{**row, "file": path.name} for row in csv.DictReader(handle)]
    return rows


def apply_rounding(value: float, rule: str) -> float:
    """A venue's display rule, ``tick:SIZE:up|down``; empty means none."""
    if not rule:
        return value
    kind, tick, direction = rule.split(":")
    assert kind == "tick", f"unknown rounding rule {rule!r}"
    return lq.round_to_tick(value, float(tick), direction)
