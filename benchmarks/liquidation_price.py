"""Benchmark: tiered liquidation prices for 10^7 isolated positions, on several books.

A fast path that is fast only on its own benchmark's book proves little, so this runs
``liquidation_price`` (validation included, both tier searches) on several seeded books that
differ in what makes the solver work: tier tables of 3 to 15 brackets (one of them Binance's
published BTCUSDT table, as kept in the library), narrow and wide spreads of size and leverage
(a wide leverage spread puts many liquidation prices in another bracket than the entry, so Binance's
re-check runs more than once), long-heavy and short-heavy books, linear and inverse contracts.

For every book it prints two ratios, each against a baseline measured in the same run on the same
machine and the same arrays, and then the **worst** of each over the books:

* against one fused NumPy pass over the inputs (``size * entry + leverage`` into a new array): the
  memory floor for reading the inputs and writing one output; goal: at most 8x that pass;
* against a plain Python loop over a 10^5 sample (Binance's formula with the bracket re-check, one
  position at a time, in notional space so that it serves linear and inverse alike); goal: at
  least 50x faster per position.

Each timing is the best of ``REPEATS`` runs, in wall time (the goals) and in this process's CPU time
(which the machine's other work inflates less); the worst run and the load average are printed
too, since the machine may be shared. The loop and both searches must agree before
their speeds are compared. Run with ``python benchmarks/liquidation_price.py`` (or ``make bench``).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import liqlib as lq
from liqlib.venues.binance import BTCUSDT_BRACKETS

N = 10_000_000
LOOP_N = 100_000
REPEATS = 5
GOAL_PASS = 8.0
GOAL_LOOP = 50.0
METHODS = ("iterate", "bracket")  # "iterate" is the default

#: The issue's book: 12 brackets from 0.4% to 50% (125x down to 1x).
TABLE_12 = lq.TierTable(
    floors=[0, 1e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6, 1e7, 5e7, 1e8],
    mmrs=[0.004, 0.005, 0.0065, 0.01, 0.02, 0.025, 0.05, 0.1, 0.125, 0.15, 0.25, 0.5],
    max_leverages=[125, 100, 75, 50, 25, 20, 10, 5, 4, 3, 2, 1],
    name="12 brackets",
)
TABLE_3 = lq.TierTable(
    floors=[0, 2e5, 1e6], mmrs=[0.01, 0.02, 0.05], max_leverages=[50, 25, 10], name="3 brackets"
)
#: 15 brackets, floors doubling-and-more from 5k to 500M, rates 0.4% to 45%.
TABLE_15 = lq.TierTable(
    floors=[0, 5e3, 2e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 5e8],
    mmrs=[0.004, 0.005, 0.006, 0.0075, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.035, 0.05, 0.075,
          0.1, 0.2, 0.45],
    max_leverages=[125, 100, 90, 75, 50, 40, 33, 25, 20, 15, 10, 6, 5, 2, 1.1],
    name="15 brackets",
)
#: An inverse (COIN-M style) table: notional in coins, contracts of 100 USD.
TABLE_COIN = lq.TierTable(
    floors=[0, 5, 10, 20, 50, 100, 200, 500],
    mmrs=[0.005, 0.0065, 0.01, 0.02, 0.05, 0.1, 0.125, 0.25],
    max_leverages=[125, 100, 50, 20, 10, 5, 4, 2],
    name="8 brackets (coins)",
    unit="BTC",
)


@dataclass(frozen=True)
class Book:
    """How one benchmark book is drawn."""

    name: str
    table: lq.TierTable
    entry: tuple[float, float]  # uniform
    size: tuple[float, float]  # log-uniform
    leverage: tuple[float, float]  # uniform fraction of the entry bracket's maximum
    long_share: float = 0.5
    kind: str = "linear"
    contract_value: float = 1.0


BOOKS = (
    Book("Binance BTCUSDT (10 brackets)", BTCUSDT_BRACKETS, (2e4, 1e5), (1e-3, 1e4), (0.1, 1.0)),
    Book("issue 18's 12-bracket book", TABLE_12, (1e3, 1.5e5), (1e-2, 5e3), (0.05, 1.0)),
    Book("3 brackets, narrow, long-heavy", TABLE_3, (4e4, 6e4), (0.5, 2.0), (0.8, 1.0), 0.9),
    Book("15 brackets, wide, short-heavy", TABLE_15, (1e2, 1e5), (1e-3, 1e5), (0.02, 1.0), 0.1),
    Book("inverse, 8 brackets in coins", TABLE_COIN, (2e4, 1e5), (1.0, 1e6), (0.05, 1.0),
         kind="inverse", contract_value=100.0),
)


def draw(book: Book, n: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Side, size, entry price and leverage of ``n`` positions of ``book`` (seeded)."""
    rng = np.random.default_rng(seed)
    side = np.where(rng.random(n) < book.long_share, 1.0, -1.0)
    entry = rng.uniform(*book.entry, n)
    size = np.exp(rng.uniform(math.log(book.size[0]), math.log(book.size[1]), n))
    notional = size * entry if book.kind == "linear" else size * book.contract_value / entry
    leverage = book.table.max_leverage(notional) * rng.uniform(*book.leverage, n)
    return side, size, entry, leverage


def solve(book: Book, arrays: tuple[np.ndarray, ...], method: str = "iterate") -> Any:
    side, size, entry, leverage = arrays
    return lq.liquidation_price(
        side, size, entry, leverage=leverage, mmr=book.table, method=method, kind=book.kind,
        contract_value=book.contract_value,
    )


def plain_loop(book: Book, side, size, entry, leverage) -> list[float]:
    """One position at a time: Binance's formula in notional space, re-solved until the bracket
    at the answer is the bracket it was solved in (the bound kept monotone)."""
    table = book.table
    floors, rates, cums = table.floors.tolist(), table.mmrs.tolist(), table.cums.tolist()
    linear, cv = book.kind == "linear", book.contract_value

    def bracket(notional: float) -> int:
        k = 0
        while k + 1 < len(floors) and notional >= floors[k + 1]:
            k += 1
        return k

    out = []
    for s, q, e, lev in zip(
        side.tolist(), size.tolist(), entry.tolist(), leverage.tolist(), strict=True
    ):
        sigma = s if linear else -s
        n_entry = q * e if linear else q * cv / e
        a = n_entry / lev - sigma * n_entry
        k = bracket(n_entry)
        best = None
        for _ in range(len(floors) + 1):
            n = (a + cums[k]) / (rates[k] - sigma)
            best = n if best is None else (max(best, n) if sigma > 0 else min(best, n))
            k_new = bracket(best)
            if k_new == k:
                break
            k = k_new
        if best <= 0:
            out.append(math.nan)
        else:
            out.append(best / q if linear else q * cv / best)
    return out


def timed(fn: Callable[[], Any], repeats: int = REPEATS) -> tuple[float, float, float]:
    """Best and worst wall time and best CPU time (this process's) of ``repeats`` runs."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return min(wall), max(wall), min(cpu)


def measure(book: Book) -> dict[str, tuple[float, float, float, float]]:
    """Time one book; print its lines; return each method's ratio to the pass and speed-up over
    the loop, in wall time and in CPU time."""
    arrays = draw(book, N)
    side, size, entry, leverage = arrays
    sample = tuple(x[:LOOP_N] for x in arrays)
    # The searches and the loop must agree before their speeds mean anything.
    ref = np.array(plain_loop(book, *sample))
    for method in METHODS:
        vec = solve(book, sample, method).price
        assert np.array_equal(np.isnan(vec), np.isnan(ref)), f"{book.name}: {method} differs"
        assert np.allclose(vec, ref, rtol=1e-12, equal_nan=True), f"{book.name}: {method}"
    moved = float(np.mean(solve(book, sample).iterations > 1))
    base, base_worst, base_cpu = timed(lambda: size * entry + leverage)
    loop, _, loop_cpu = timed(lambda: plain_loop(book, *sample), repeats=1)
    loop, loop_cpu = loop * (N / LOOP_N), loop_cpu * (N / LOOP_N)
    print(f"\n{book.name}: {len(book.table)} brackets, {book.kind}, "
          f"{book.long_share:.0%} long, {moved:.0%} re-solved in another bracket")
    print(f"  fused pass (baseline) {base * 1e3:7.1f} ms (worst run {base_worst * 1e3:.1f}; "
          f"CPU {base_cpu * 1e3:.1f})")
    result = {}
    for method in METHODS:
        best, spread, cpu = timed(lambda m=method: solve(book, arrays, m))
        result[method] = (best / base, loop / best, cpu / base_cpu, loop_cpu / cpu)
        print(f"  {method:8} {best * 1e3:7.1f} ms (worst run {spread * 1e3:6.1f})  "
              f"{N / best:13,.0f} positions/s  {best / base:5.1f}x the pass  "
              f"{loop / best:6.0f}x the loop;  CPU {cpu * 1e3:6.1f} ms: "
              f"{cpu / base_cpu:5.1f}x the pass, {loop_cpu / cpu:4.0f}x the loop")
    print(f"  plain Python loop (scaled) {loop:6.1f} s (CPU {loop_cpu:.1f} s)")
    return result


def main() -> int:
    print(f"N = {N:,} positions per book; loop sample {LOOP_N:,}; best of {REPEATS} runs; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    results = [measure(book) for book in BOOKS]
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    ok = True
    for method in METHODS:
        ratio = max(r[method][0] for r in results)
        speedup = min(r[method][1] for r in results)
        ratio_cpu = max(r[method][2] for r in results)
        speedup_cpu = min(r[method][3] for r in results)
        met = ratio <= GOAL_PASS and speedup >= GOAL_LOOP
        ok &= met or method != "iterate"
        print(f"worst over {len(BOOKS)} books, {method!r}: {ratio:.1f}x the fused pass, "
              f"{speedup:.0f}x faster than the loop (CPU time: {ratio_cpu:.1f}x, "
              f"{speedup_cpu:.0f}x): goals (<= {GOAL_PASS:g}x, >= {GOAL_LOOP:g}x, wall time) "
              f"{'met' if met else 'NOT met'}")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
