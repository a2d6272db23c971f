"""Benchmark: the library's sweeps serially and on this machine's cores (liqlib.sweep).

Each sweep runs three ways in one process, one after another on the same inputs:

* **serial** (the baseline, ``executor=None``);
* a :class:`concurrent.futures.ProcessPoolExecutor` with one worker per core (``--workers``,
  default: every core), started before timing;
* a Dask ``LocalCluster`` with as many single-threaded worker processes, through
  ``Client.get_executor(pure=False)`` (skipped with ``--no-dask``).

The sweeps: Monte Carlo fund sizing (:func:`liqlib.systemic.insurance.simulate_deficits`, 1,000
crashes of 1,000 positions, half the fund-sizing chapter's sample), a year of daily fee flows
(:func:`liqlib.systemic.burn.fee_flow`, 365 periods walked in 0.5% sub-steps), a cascade grid
(:func:`liqlib.systemic.cascades.cascade_grid`, 7 leverage scales x 10 shocks x 6 depths of
20,000 positions) and a scorecard (:func:`liqlib.systemic.scorecard.run_scorecard`, 3 rule sets
on 8 paths). For each: the best of ``--repeats`` timings of each way (the ways interleaved, so
a burst of load from other processes hits them alike), the speed-up over serial, and a check that
the results are identical; then the **worst** speed-up of each executor over all sweeps, and the
machine's load average (on a shared machine, other processes take cores from the workers). On
``n`` idle cores the ceiling is ``n``; process start-up and shipping inputs to workers take the
rest.
Run with ``make bench`` (or ``.venv/bin/python benchmarks/sweeps.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np

from liqlib.engine.book import flat_ladder
from liqlib.systemic import (
    BookSpec,
    Experiment,
    PathSpec,
    PopulationSpec,
    cascade_grid,
    fee_flow,
    generate_population,
    generate_shocks,
    run_scorecard,
    simulate_deficits,
)

PRICE = 60_000.0


def _same(a: Any, b: Any) -> bool:
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray):
        if a.dtype == object:
            return all(_same(x, y) for x, y in zip(a.flat, b.flat, strict=True))
        return np.array_equal(a, b, equal_nan=True)
    return bool(a == b)


def sweeps() -> dict[str, Callable[[Executor | None], Any]]:
    """Each sweep as a function of the executor (inputs built once, outside the timing)."""
    year_pop = generate_population(2_000, PRICE, seed=2025)
    year = generate_shocks(365, seed=100, scale=0.02)
    scales = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
    grid_pops = [generate_population(20_000, PRICE, seed=7, entry_dispersion=0.01,
                                     leverage_scale=k) for k in scales]
    longs = float(grid_pops[2].size[grid_pops[2].side > 0].sum())
    ladders = [flat_ladder(r * longs) for r in (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)]
    experiment = Experiment(rules=("bitmex", "binance", "bybit"), n_paths=8, seed=1,
                            funds=(0.0, 1e5), population=PopulationSpec(positions=300),
                            paths=PathSpec(steps=120, sigma=0.8),
                            book=BookSpec(depth_share=0.01))
    return {
        "fund sizing (1,000 crashes)": lambda ex: simulate_deficits(
            1_000, seed=2025, positions=1_000, depth=30.0, executor=ex),
        "fee-flow year (365 days)": lambda ex: fee_flow(
            year_pop, PRICE, year, flat_ladder(400.0), fee_rate=0.005, step=0.005, executor=ex),
        "cascade grid (7 x 10 x 6)": lambda ex: cascade_grid(
            grid_pops, PRICE, -np.linspace(0.01, 0.1, 10), ladders, executor=ex),
        "scorecard (3 rules x 8 paths)": lambda ex: run_scorecard(experiment, executor=ex),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: every core)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    parser.add_argument("--repeats", type=int, default=2, help="timings of each way (best kept)")
    args = parser.parse_args()
    workers = args.workers
    print(f"{os.cpu_count()} cores; {workers} worker processes; load average "
          f"{os.getloadavg()[0]:.1f} before the run")

    executors: dict[str, Executor] = {"process pool": ProcessPoolExecutor(workers)}
    cluster = client = None
    if not args.no_dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        executors["dask"] = client.get_executor(pure=False)
    # start every worker before timing: a pool forks its processes on first use
    for ex in executors.values():
        list(ex.map(abs, range(4 * workers)))

    worst = {name: float("inf") for name in executors}
    try:
        for label, run in sweeps().items():
            best = {name: float("inf") for name in ("serial", *executors)}
            serial = None
            for _ in range(args.repeats):
                seconds, serial = timed(lambda run=run: run(None))
                best["serial"] = min(best["serial"], seconds)
                for name, ex in executors.items():
                    seconds, out = timed(lambda run=run, ex=ex: run(ex))
                    if not _same(out, serial):
                        raise SystemExit(f"{label}: the {name} results differ from serial")
                    best[name] = min(best[name], seconds)
            serial_s = best["serial"]
            cells = [f"serial {serial_s:6.2f} s"]
            for name in executors:
                seconds = best[name]
                ratio = serial_s / seconds
                worst[name] = min(worst[name], ratio)
                cells.append(f"{name} {seconds:6.2f} s ({ratio:4.2f}x)")
            print(f"{label:32s} " + "   ".join(cells) + "   identical")
    finally:
        for ex in executors.values():
            ex.shutdown()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    for name, ratio in worst.items():
        print(f"worst speed-up, {name}: {ratio:.2f}x on {workers} workers "
              f"(ceiling {workers}x)")
    print(f"load average {os.getloadavg()[0]:.1f} after the run")


if __name__ == "__main__":
    main()
