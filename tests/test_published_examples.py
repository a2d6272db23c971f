"""Every documented worked example, kept as data with its source, run against liqlib.

Rows say whether the source prints the number (``printed=yes``) or whether it is our derivation
from printed inputs; the ``note`` column says what was inferred. ``rounding`` applies a venue's
tick rule (``tick:SIZE:up|down``) before comparing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from vectors import apply_rounding, read_rows

import liqlib as lq

ROWS = read_rows(Path(__file__).parent / "data" / "published_examples.csv")


def _maintenance(spec: Any) -> Any:
    """``{"tier": [mmr, cum]}``: one bracket as a venue API reports it; a number: a flat rate."""
    if isinstance(spec, dict):
        rate, cum = spec["tier"]
        return lq.Tier(
            level=1, floor=0.0, cap=float("inf"), mmr=rate, max_leverage=1 / rate / 2, cum=cum
        )
    return spec


def _table(args: dict[str, Any]) -> lq.TierTable:
    if "mmrs" in args:
        return lq.TierTable(args["floors"], args["mmrs"], args["max_leverages"])
    return lq.TierTable.from_max_leverage(args["floors"], args["max_leverages"])


def evaluate(quantity: str, args: dict[str, Any]) -> float:
    if quantity in ("liquidation_price", "bankruptcy_price"):
        if "mmr" in args:
            args["mmr"] = _maintenance(args["mmr"])
        result = lq.liquidation_price(
            args.pop("side"), args.pop("size"), args.pop("entry_price"), **args
        )
        return result.price if quantity == "liquidation_price" else result.bankruptcy_price
    if quantity == "cross_liquidation_price":
        positions = [lq.Position(lq.Side(s), q, e, m) for s, q, e, m in args["positions"]]
        account = lq.Account(args["wallet_balance"], positions)
        return lq.cross_liquidation_price(account, args["index"], args["prices"]).price
    if quantity == "tier_maintenance_margin":
        return _table(args).maintenance_margin(args["notional"])
    if quantity == "tier_cum":
        return _table(args).tier(args["notional"]).cum
    if quantity == "tier_mmr":
        return _table(args).tier(args["notional"]).mmr
    if quantity == "tier_line_maintenance_margin":
        tier = _maintenance({"tier": [args["mmr"], args["cum"]]})
        return tier.maintenance_margin(args["notional"])
    function = {
        "maintenance_margin": lq.maintenance_margin,
        "initial_margin": lq.initial_margin,
        "average_entry_price": lq.average_entry_price,
        "pnl": lq.pnl,
    }[quantity]
    return function(**args)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_published_example(row: dict[str, str]) -> None:
    value = apply_rounding(evaluate(row["quantity"], json.loads(row["inputs"])), row["rounding"])
    expected, tolerance = float(row["expected"]), float(row["tolerance"])
    assert abs(value - expected) <= tolerance + 1e-12 * abs(expected), (
        f"{row['id']}: liqlib gives {value!r}, the source {row['source']} says {expected!r}"
    )


def test_every_row_is_sourced_and_labelled() -> None:
    assert len(ROWS) >= 25
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids)), "duplicate example ids"
    for row in ROWS:
        assert row["source"].startswith("https://"), row["id"]
        assert row["printed"] in ("yes", "no"), row["id"]
        assert row["venue"] and row["quantity"], row["id"]
