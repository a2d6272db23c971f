"""Benchmark: the cascade fixed-point solver against the time-stepped simulation.

Measured in one run on one machine:

* the fixed-point solver (:func:`liqlib.systemic.cascades.cascade`) on N = 10^6 positions; goal:
  under 1 s;
* its ratio against the time-stepped simulation (:func:`liqlib.systemic.cascades.simulate`, recovery
  off, so both reach the same fixed point) on 10^5 positions; goal: at least 100x;
* how the solver's cost grows from 10^4 to 10^7 positions;
* the dampers' cost on 10^6 positions: bankruptcy-limit orders (one inverse of the book's depth
  per position and one running minimum) and an index-anchored mark (no extra work per round).

Set-up (not timed): a seeded population from :func:`liqlib.systemic.cascades.generate_population` at
60,000 (60% long, log-normal notionals, leverage 2-100x, 3% entry dispersion), a 3% drop, and a
square-root book (density rising linearly with distance) holding 5% of the population's long
quantity within 1% of price: the cascade runs about ten rounds and roughly doubles the shock.
Each timing is the best of ``REPEATS`` runs (the simulation: one run). Run with ``make bench``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import liqlib.engine.book as ob
import liqlib.systemic.cascades as cc

PRICE, SHOCK, REPEATS = 60_000.0, -0.03, 3


def setup(n: int) -> tuple[cc.Population, ob.PowerLawLadder]:
    pop = cc.generate_population(n, PRICE, seed=42)
    longs = float(pop.size[pop.side > 0].sum())
    return pop, ob.linear_ladder(0.05 * longs)


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    pop, ladder = setup(1_000_000)
    result = cc.cascade(pop, PRICE, SHOCK, ladder)
    fixed_1m = best_of(lambda: cc.cascade(pop, PRICE, SHOCK, ladder))
    print(f"fixed point, 10^6 positions: {fixed_1m * 1e3:.1f} ms "
          f"({result.rounds} rounds, {result.count:,} liquidated, amplification "
          f"{result.amplification:.2f})   goal < 1000 ms: {'met' if fixed_1m < 1 else 'NOT met'}")

    for label, kwargs in [("bankruptcy-limit orders", {"orders": "bankruptcy_limit"}),
                          ("index-anchored mark, w = 0.5", {"mark_pass_through": 0.5})]:
        damped = cc.cascade(pop, PRICE, SHOCK, ladder, **kwargs)  # type: ignore[arg-type]
        t = best_of(lambda kwargs=kwargs: cc.cascade(pop, PRICE, SHOCK, ladder, **kwargs))
        print(f"  with {label}: {t * 1e3:.1f} ms ({damped.count:,} liquidated, amplification "
              f"{damped.amplification:.2f})")

    pop, ladder = setup(100_000)
    fixed = best_of(lambda: cc.cascade(pop, PRICE, SHOCK, ladder))
    stepped = best_of(
        lambda: cc.simulate(pop, PRICE, SHOCK, ob.ResilientBook(ladder, ladder, math.inf)), 1
    )
    a = cc.cascade(pop, PRICE, SHOCK, ladder)
    b = cc.simulate(pop, PRICE, SHOCK, ob.ResilientBook(ladder, ladder, math.inf))
    assert a.count == b.count and math.isclose(a.price, b.price, rel_tol=1e-12)
    ratio = stepped / fixed
    print(f"10^5 positions: fixed point {fixed * 1e3:.2f} ms, time-stepped {stepped * 1e3:.0f} ms "
          f"({b.rounds} steps, same fixed point) -> {ratio:.0f}x   goal >= 100x: "
          f"{'met' if ratio >= 100 else 'NOT met'}")

    print("scaling of the fixed point:")
    for n in (10_000, 100_000, 1_000_000, 10_000_000):
        pop, ladder = setup(n)
        t = best_of(lambda pop=pop, ladder=ladder: cc.cascade(pop, PRICE, SHOCK, ladder))
        print(f"  N = {n:>10,}: {t * 1e3:9.2f} ms  ({t / n * 1e9:6.1f} ns per position)")


if __name__ == "__main__":
    main()
