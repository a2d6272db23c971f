"""Benchmark: the liquidation engine stepped along 1,000 marks over 10^3, 10^4 and 10^5 accounts.

For each population size, two runs of :class:`liqlib.engine.Engine` over the same accounts,
measured in the same process on the same machine:

* **quiet** (the baseline): the mark stays at the start for 1,000 steps. Every step still moves the
  mark, scans every account for the trigger (vectorized) and audits the money, but nobody is
  liquidated: the floor cost of a step;
* **stressed**: 1,000 one-minute marks of a seeded geometric Brownian motion (100% a year) with a
  10% gap down halfway. Positions are liquidated in both directions, the thin book runs out at the
  bankruptcy prices, the insurance fund (starting empty) aggresses the book as far as it can pay and
  the rest is auto-deleveraged down BitMEX's ranking.

Printed per run: steps per second, nanoseconds per account-step, liquidations and ADL matches;
and for the stressed run the cost per liquidation above the quiet baseline. ``--full-sort``
replaces the engine's partial ADL queue (:func:`liqlib.engine.adl.queue_front`) by a full sort of
the opposite side for every match, the engine's behaviour before that optimization, to compare.

Set-up (not timed): :func:`liqlib.systemic.cascades.generate_population` at 60,000 (60% long,
log-normal notionals around 5,000 USDT, leverage 2-100x capped by the tier table), BitMEX rules
(fill-or-kill tier step-down settled at its fill, the final close limited at the bankruptcy price
with its surplus to the fund, the fund aggressing the book before ADL, PnL% x leverage ADL queue at
the bankruptcy price), a five-tier table
(0.5% to 2.5%; an account it would liquidate at the start gets 1.25 times the wallet it needs),
a flat book holding 0.2% of the population's quantity per 1% of price on each side and refilling
with a 30 s half-life. Run with ``.venv/bin/python benchmarks/engine.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import liqlib.engine as eng
import liqlib.systemic.cascades as cc
from liqlib import TierTable
from liqlib.engine import ResilientBook, adl_queue, flat_ladder
from liqlib.prices import gbm

PRICE, STEPS, DT = 60_000.0, 1_000, 60.0
TABLE = TierTable([0, 100_000, 250_000, 500_000, 1_000_000],
                  [0.005, 0.01, 0.015, 0.02, 0.025], [100, 50, 40, 25, 20])
SIZES = (1_000, 10_000, 100_000)


def make_engine(n: int) -> eng.Engine:
    pop = cc.generate_population(n, PRICE, seed=42)
    leverage = np.minimum(pop.leverage, TABLE.max_leverage(pop.size * pop.entry_price))
    # the population is drawn with a flat 0.5% rate; top up anyone the tiers would liquidate now
    upnl = pop.side * pop.size * (PRICE - pop.entry_price)
    needed = TABLE.maintenance_margin(pop.size * PRICE) - upnl
    wallet = np.maximum(pop.size * pop.entry_price / leverage, 1.25 * needed)
    accounts = eng.Accounts(wallet, pop.side, pop.size, pop.entry_price)
    depth = 0.002 * float(pop.size.sum())
    book = ResilientBook(flat_ladder(depth), flat_ladder(depth), half_life=30.0)
    return eng.Engine(accounts, PRICE, rules="bitmex", maintenance=TABLE, book=book,
                      insurance_fund=0.0, rng=1)


def stressed_marks() -> np.ndarray:
    marks = gbm(PRICE, sigma=1.0, n=STEPS + 1, dt=DT, seed=3)[1:]
    return marks * np.where(np.arange(STEPS) >= STEPS // 2, 0.9, 1.0)


def timed_run(engine: eng.Engine, marks: np.ndarray) -> float:
    start = time.perf_counter()
    engine.run(marks, dt=DT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="population sizes (default: 10^3 10^4 10^5)")
    parser.add_argument("--full-sort", action="store_true",
                        help="sort the whole opposite side for every ADL match (the old engine)")
    args = parser.parse_args()
    if args.full_sort:
        eng.queue_front = lambda scores, sizes, needed, start=0: adl_queue(scores)  # type: ignore

    quiet_marks, stress = np.full(STEPS, PRICE), stressed_marks()
    print(f"{STEPS:,} steps; ADL queue: {'full sort' if args.full_sort else 'partial (front)'}")
    print(f"{'accounts':>9} {'run':>9} {'seconds':>8} {'steps/s':>9} {'ns/acct-step':>13} "
          f"{'liquidated':>10} {'ADL fills':>9} {'ms/liq':>7} {'imbalance':>10}")
    for n in args.sizes:
        quiet = make_engine(n)
        t_quiet = timed_run(quiet, quiet_marks)
        assert not quiet.ledger.of_kind("trigger")
        stressed = make_engine(n)
        t_stress = timed_run(stressed, stress)
        liquidated = sum(r.triggered for r in stressed.history)
        adl = len(stressed.ledger.of_kind("adl"))
        scale = float(np.abs(stressed.equity()).sum())
        imbalance = max(abs(r.imbalance) for r in stressed.history) / scale
        assert imbalance < 1e-9, imbalance
        for label, t, liq, extra in (
            ("quiet", t_quiet, 0, ""),
            ("stressed", t_stress, liquidated,
             f"{(t_stress - t_quiet) / max(liquidated, 1) * 1e3:7.2f}"),
        ):
            print(f"{n:>9,} {label:>9} {t:8.2f} {STEPS / t:9.1f} {t / (STEPS * n) * 1e9:13.1f} "
                  f"{liq:>10,} {adl if label == 'stressed' else 0:>9,} {extra:>7} "
                  f"{imbalance if label == 'stressed' else 0:10.1e}")


if __name__ == "__main__":
    main()
