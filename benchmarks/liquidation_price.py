"""Benchmark: tiered liquidation prices for 10^7 isolated linear positions.

Prints positions per second for both tier searches of ``liquidation_price`` and two ratios, each
against a baseline measured in the same run on the same machine:

* against one multiply-add pass over the same arrays (``size * entry + leverage`` into a new
  array): the memory-bandwidth floor for touching the inputs and writing one output;
  goal: the tiered liquidation price costs at most 10x that pass;
* against a plain Python loop over a 10^5 sample (the textbook formula with the bracket re-check,
  one position at a time); goal: at least 50x faster per position.

Sizes: N = 10^7 positions (mixed sides, entries 20k-100k, sizes log-uniform 0.001-10,000,
leverage 10-100% of the bracket's maximum), a 10-bracket table; loop sample 10^5. Each timing is
the best of ``REPEATS`` runs. Run with ``make bench``.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

import liqlib as lq

N = 10_000_000
LOOP_N = 100_000
REPEATS = 3

TABLE = lq.TierTable(
    floors=[0, 5e4, 2.5e5, 1e6, 5e6, 2e7, 5e7, 1e8, 2e8, 5e8],
    mmrs=[0.004, 0.005, 0.01, 0.025, 0.05, 0.1, 0.125, 0.15, 0.25, 0.5],
    max_leverages=[125, 100, 50, 20, 10, 5, 4, 3, 2, 1],
    name="10-bracket BTCUSDT-like",
)


def book(n: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    side = rng.choice([1.0, -1.0], n)
    entry = rng.uniform(2e4, 1e5, n)
    size = np.exp(rng.uniform(math.log(1e-3), math.log(1e4), n))
    leverage = TABLE.max_leverage(size * entry) * rng.uniform(0.1, 1.0, n)
    return side, size, entry, leverage


def best_of(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_loop(side, size, entry, leverage) -> list[float]:
    """One position at a time: Binance's formula, re-solved until the bracket is consistent."""
    floors, rates, cums = TABLE.floors.tolist(), TABLE.mmrs.tolist(), TABLE.cums.tolist()

    def bracket(notional: float) -> int:
        k = 0
        while k + 1 < len(floors) and notional >= floors[k + 1]:
            k += 1
        return k

    out = []
    for s, q, e, lev in zip(
        side.tolist(), size.tolist(), entry.tolist(), leverage.tolist(), strict=True
    ):
        wallet = q * e / lev
        k = bracket(q * e)
        best = None
        for _ in range(len(floors) + 1):
            price = (wallet + cums[k] - s * q * e) / (q * rates[k] - s * q)
            best = price if best is None else (max(best, price) if s > 0 else min(best, price))
            k_new = bracket(q * best)
            if k_new == k:
                break
            k = k_new
        out.append(best)
    return out


def main() -> None:
    side, size, entry, leverage = book(N)
    print(f"N = {N:,} positions, {len(TABLE)} brackets; loop sample {LOOP_N:,}; best of {REPEATS}")

    baseline = best_of(lambda: size * entry + leverage)
    timings = {}
    for method in ("bracket", "iterate"):
        timings[method] = best_of(
            lambda m=method: lq.liquidation_price(
                side, size, entry, leverage=leverage, mmr=TABLE, method=m
            )
        )
    sample = tuple(x[:LOOP_N] for x in (side, size, entry, leverage))
    loop = best_of(lambda: plain_loop(*sample), repeats=1) * (N / LOOP_N)

    # The two searches and the loop must agree before their speeds mean anything.
    vec = lq.liquidation_price(*sample[:3], leverage=sample[3], mmr=TABLE).price
    ref = np.array(plain_loop(*sample))
    ok = ~np.isnan(vec)
    assert np.allclose(vec[ok], ref[ok], rtol=1e-12) and np.all(ref[~ok] <= 0), "methods disagree"

    print(f"multiply-add pass (baseline)   {baseline * 1e3:9.1f} ms")
    for method, t in timings.items():
        print(
            f"liquidation_price({method!r:9}) {t * 1e3:9.1f} ms  {N / t:14,.0f} positions/s  "
            f"{t / baseline:6.1f}x the multiply-add pass  {loop / t:7.0f}x faster than the loop"
        )
    print(f"plain Python loop (scaled)     {loop * 1e3:9.1f} ms  {N / loop:14,.0f} positions/s")
    goal_met = timings["bracket"] / baseline <= 10 and loop / timings["bracket"] >= 50
    print("goals (<= 10x the pass, >= 50x the loop):", "met" if goal_met else "NOT met")


if __name__ == "__main__":
    sys.exit(main())
