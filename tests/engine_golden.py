"""Seeded engine scenarios whose full outputs are pinned in ``tests/data/engine_golden.npz``.

The file was written by the engine *before* its accounts and ADL queues were restructured for
scale (issue 18); ``tests/test_engine_golden.py`` checks that the engine still produces the same
ledger, step records and final accounts on every scenario. Regenerate only when a change of the
mechanics is meant to move them: ``python tests/engine_golden.py``.

Each scenario is one rule set (every venue preset, every named variant, and the property tests'
extra rule sets) on a seeded population: both sides, cross and isolated accounts, some with open
orders, a tier table, a finite resilient book and a seeded geometric path with a gap (down or up,
by scenario), the book measured from a traded price a little off the mark on half the steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from liqlib.core.tiers import TierTable
from liqlib.engine import (
    VENUE_VARIANTS,
    Engine,
    Order,
    Rules,
    Trader,
    flat_book,
    venue_rules,
)

GOLDEN = Path(__file__).parent / "data" / "engine_golden.npz"
TIERS = TierTable([0, 2_000, 10_000, 50_000], [0.01, 0.02, 0.05, 0.1], [50, 25, 10, 5])

PINNED_VENUES = ("binance", "bybit", "bitmex", "okx", "hyperliquid", "dydx", "deribit")
# the presets recorded in the golden file (later presets, e.g. the on-chain venues, are not: a
# scenario's seed is its position in this list, so the list is fixed)
RULE_SETS: dict[str, Callable[[], Rules]] = {
    **{name: (lambda name=name: venue_rules(name)) for name in (*PINNED_VENUES, *VENUE_VARIANTS)},
    "pro_rata_forfeit": lambda: Rules("full", "forfeit_surplus", "pro_rata"),
    "notional_fee_mark_adl": lambda: Rules("full", "rate_on_notional", "bitmex", "mark"),
    "slices_binance_previous_mark": lambda: Rules("fraction_slices", "capped_by_surplus",
                                                  "binance", "previous_mark"),
    "no_adl_no_socialize": lambda: Rules("full", "none", None, socialize=False),
    "no_adl_socialize": lambda: Rules("full", "none", None),
    "literal_hyperliquid": lambda: Rules("full", "none", "hyperliquid_literal"),
}


def population(n: int, seed: int) -> list[Trader]:
    """``n`` seeded accounts around a price of 100 (60% long, leverage 2-40x)."""
    rng = np.random.default_rng(seed)
    side = np.where(rng.random(n) < 0.6, 1, -1)
    size = np.exp(rng.normal(0.0, 1.2, n)) * 2.0
    entry = 100.0 * np.exp(rng.normal(0.0, 0.03, n))
    leverage = rng.uniform(2.0, 40.0, n)
    wallet = size * entry / leverage * rng.choice([1.0, 1.0, 1.0, 2.5], n)
    isolated = rng.random(n) < 0.2
    orders = rng.random(n) < 0.1
    out = []
    for k in range(n):
        margin = float(size[k] * entry[k] / leverage[k]) if isolated[k] else None
        resting = [Order(int(side[k]), float(size[k]) * 0.5, 100.0)] if orders[k] else []
        out.append(Trader(float(wallet[k]), int(side[k]), float(size[k]), float(entry[k]),
                          isolated_margin=margin, orders=resting))
    return out


def path(steps: int, seed: int, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Marks (a seeded walk with a ``gap`` a third of the way) and the book mids."""
    rng = np.random.default_rng(seed)
    marks = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, steps)))
    marks *= np.where(np.arange(steps) >= steps // 3, 1.0 + gap, 1.0)
    mids = marks * np.where(rng.random(steps) < 0.5, 1.0, 1.0 - 0.002 * np.sign(gap))
    return marks, mids


def scenarios() -> Iterator[tuple[str, Callable[[], Engine], np.ndarray, np.ndarray]]:
    """``(name, make_engine, marks, book_mids)`` for every pinned scenario."""
    for k, (name, rules) in enumerate(RULE_SETS.items()):
        for gap, n, tag in ((-0.12, 300, "down"), (0.1, 120, "up")):
            seed = 1_000 * k + n

            def make(rules: Callable[[], Rules] = rules, n: int = n, seed: int = seed) -> Engine:
                depth = 0.02 * 2.0 * n
                book = flat_book(depth, half_life=20.0)
                return Engine(population(n, seed), 100.0, rules=rules(), maintenance=TIERS,
                              book=book, insurance_fund=50.0, backstop_capital=5e3, rng=seed)

            marks, mids = path(60, seed + 1, gap)
            yield f"{name}/{tag}", make, marks, mids


def outputs(engine: Engine, marks: np.ndarray, mids: np.ndarray) -> dict[str, np.ndarray]:
    """Run the scenario; the ledger's columns, the step records and the final accounts."""
    for mark, mid in zip(marks, mids, strict=True):
        engine.step(float(mark), 5.0, book_mid=float(mid))
    ledger = engine.ledger.to_array()
    out = {f"ledger.{name}": ledger[name] for name in ledger.dtype.names or ()}
    for name in ("mark", "fund", "triggered", "closed", "deleveraged", "bad_debt", "imbalance"):
        out[f"history.{name}"] = np.array([getattr(r, name) for r in engine.history])
    for name, column in engine.accounts().items():
        out[f"accounts.{name}"] = column
    out["totals"] = np.array([engine.fund, engine.venue_fees, engine.bad_debt])
    return out


def write() -> None:
    arrays = {}
    for name, make, marks, mids in scenarios():
        for key, value in outputs(make(), marks, mids).items():
            arrays[f"{name}/{key}"] = value
    np.savez_compressed(GOLDEN, **arrays)


if __name__ == "__main__":
    write()
