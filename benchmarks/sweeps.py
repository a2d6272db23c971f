"""Benchmark: the library's sweeps serially and on a 2-worker process pool (liqlib.sweep).

Each sweep runs on **several inputs** (sizes and seeds), each input two ways, one after the other
in this process:

* **serial** (the baseline, ``executor=None``);
* a :class:`concurrent.futures.ProcessPoolExecutor` of ``--workers`` processes (default 2, this
  machine's cores); a fresh pool for every timed run, its workers started before the clock
  starts, so the timing holds the sweep's own overhead (pickling tasks and results, one round
  trip per chunk) but not the pool's start-up, which is printed apart;
* a Dask ``LocalCluster`` with as many single-threaded worker processes, through
  ``Client.get_executor(pure=False)`` (skipped with ``--no-dask``), its results checked too.

The sweeps: Monte Carlo fund sizing (:func:`liqlib.systemic.insurance.simulate_deficits`), a
year of daily fee flows (:func:`liqlib.systemic.burn.fee_flow`, walked in 0.5% sub-steps), a
cascade grid (:func:`liqlib.systemic.cascades.cascade_grid`) and a Monte Carlo scorecard
(:func:`liqlib.systemic.scorecard.run_scorecard`).

**Honest about overhead.** For every input the benchmark prints

* wall time of each way (best of ``--repeats``, the ways interleaved, so a burst of load from
  other processes hits them alike) and the speed-up over serial;
* CPU time of each way: serial is this process's; the pool's is this process's (submitting,
  pickling, unpickling results) plus its workers' (read with ``getrusage(RUSAGE_CHILDREN)`` once
  the pool has shut down), so ``pool CPU / serial CPU - 1`` is the work the pool adds, whatever
  the machine's load;
* the grain: tasks, chunks (:func:`liqlib.sweep.sweep` sends about ``CHUNKS_PER_CORE`` chunks per
  core), the serial work per chunk, and that work over the measured round trip of an empty chunk
  (a chunk should carry hundreds of round trips' worth of work, or the pool mostly ships data);
* that the results equal the serial ones exactly;
* what the pool could reach on idle cores: the chunks shared as evenly as they divide among the
  workers, divided by ``1 + CPU added`` (a bound from CPU times, which the load barely moves).

Then the **worst** speed-up of each sweep over its inputs, and the worst over all, with the load
average: on a machine whose load average exceeds its cores, other processes hold the cores the
workers need, and the wall speed-up falls toward 1 however small the overhead (the CPU overhead
is the figure that does not depend on the load). On ``n`` idle cores the ceiling is ``n``.
Run with ``python benchmarks/sweeps.py`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import resource
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from liqlib.engine.book import flat_ladder
from liqlib.sweep import CHUNKS_PER_CORE
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


@dataclass(frozen=True)
class Case:
    """One input of one sweep: how to run it on an executor, and how many tasks it makes."""

    sweep: str
    label: str
    tasks: int
    run: Callable[[Executor | None], Any]


def _same(a: Any, b: Any) -> bool:
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray):
        if a.dtype == object:
            return all(_same(x, y) for x, y in zip(a.flat, b.flat, strict=True))
        return np.array_equal(a, b, equal_nan=True)
    return bool(a == b)


def _fund(crashes: int, positions: int, seed: int) -> Case:
    return Case("fund sizing", f"{crashes:,} crashes of {positions:,} positions, seed {seed}",
                crashes, lambda ex: simulate_deficits(crashes, seed=seed, positions=positions,
                                                      depth=30.0, executor=ex))


def _fees(days: int, traders: int, seed: int) -> Case:
    pop = generate_population(traders, PRICE, seed=seed)
    shocks = generate_shocks(days, seed=seed + 1, scale=0.02)
    return Case("fee-flow year", f"{days} days of {traders:,} positions, seed {seed}", days,
                lambda ex: fee_flow(pop, PRICE, shocks, flat_ladder(400.0), fee_rate=0.005,
                                    step=0.005, executor=ex))


def _grid(scales: tuple[float, ...], shocks: int, positions: int, seed: int) -> Case:
    pops = [generate_population(positions, PRICE, seed=seed, entry_dispersion=0.01,
                                leverage_scale=k) for k in scales]
    longs = float(pops[0].size[pops[0].side > 0].sum())
    ladders = [flat_ladder(r * longs) for r in (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)]
    moves = -np.linspace(0.01, 0.1, shocks)
    return Case("cascade grid",
                f"{len(scales)} x {shocks} x {len(ladders)} of {positions:,} positions, "
                f"seed {seed}", len(scales) * shocks * len(ladders),
                lambda ex: cascade_grid(pops, PRICE, moves, ladders, executor=ex))


def _scorecard(paths: int, positions: int, seed: int) -> Case:
    experiment = Experiment(rules=("bitmex", "binance", "bybit"), n_paths=paths, seed=seed,
                            funds=(0.0, 1e5), population=PopulationSpec(positions=positions),
                            paths=PathSpec(steps=120, sigma=0.8),
                            book=BookSpec(depth_share=0.01))
    return Case("scorecard", f"3 rules x {paths} paths of {positions} positions, seed {seed}",
                paths, lambda ex: run_scorecard(experiment, executor=ex))


def cases() -> list[Case]:
    """Every sweep on several inputs (built once, outside the timings)."""
    return [
        _fund(1_000, 1_000, 2025),
        _fund(400, 3_000, 7),
        _fees(365, 2_000, 100),
        _fees(365, 6_000, 200),
        _grid((0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0), 10, 20_000, 7),
        _grid((0.5, 1.0, 2.0), 8, 60_000, 11),
        _scorecard(8, 300, 1),
        _scorecard(6, 300, 2),
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _warm(pool: Executor, workers: int) -> None:
    """Start every worker (a pool forks its processes on first use)."""
    list(pool.map(abs, range(4 * workers)))


def run_serial(case: Case) -> tuple[float, float, Any]:
    """Wall time, CPU time and result of the serial run."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = case.run(None)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def run_pool(case: Case, workers: int) -> tuple[float, float, Any]:
    """Wall time, CPU time (this process and its workers) and result on a fresh, started pool.

    The workers' CPU is read once the pool has shut down (``RUSAGE_CHILDREN`` counts waited-for
    children only); it includes their start-up, a few milliseconds.
    """
    before = _children_cpu()
    pool = ProcessPoolExecutor(workers)
    try:
        _warm(pool, workers)
        wall, cpu = time.perf_counter(), time.process_time()
        out = case.run(pool)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        pool.shutdown(wait=True)
    return wall, cpu + _children_cpu() - before, out


def round_trip(workers: int, n: int = 200) -> tuple[float, float]:
    """Start-up of a pool of ``workers`` (to every worker running) and the mean round trip of an
    empty task on it, in seconds."""
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        _warm(pool, workers)
        startup = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(n):
            pool.submit(int).result()
        return startup, (time.perf_counter() - start) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    parser.add_argument("--repeats", type=int, default=2, help="timings of each way (best kept)")
    args = parser.parse_args()
    workers = args.workers
    cores = os.cpu_count() or 1
    print(f"{cores} cores; {workers} worker processes; best of {args.repeats} runs; load "
          f"average {os.getloadavg()[0]:.1f} before the run")
    startup, trip = round_trip(workers)
    print(f"pool start-up {startup * 1e3:.0f} ms (not in the timings); round trip of an empty "
          f"task {trip * 1e3:.2f} ms")

    client = cluster = None
    dask_ex: Executor | None = None
    if not args.no_dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        dask_ex = client.get_executor(pure=False)
        _warm(dask_ex, workers)

    worst: dict[str, float] = {}
    worst_dask: dict[str, float] = {}
    overhead: dict[str, float] = {}
    ceiling: dict[str, float] = {}
    try:
        for case in cases():
            best = {"serial": (math.inf, math.inf), "pool": (math.inf, math.inf),
                    "dask": (math.inf, math.inf)}
            for _ in range(args.repeats):
                wall, cpu, serial = run_serial(case)
                best["serial"] = min(best["serial"], (wall, cpu))
                wall, cpu, out = run_pool(case, workers)
                if not _same(out, serial):
                    raise SystemExit(f"{case.sweep}: the process pool's results differ")
                best["pool"] = min(best["pool"], (wall, cpu))
                if dask_ex is not None:
                    wall = time.perf_counter()
                    out = case.run(dask_ex)
                    wall = time.perf_counter() - wall
                    if not _same(out, serial):
                        raise SystemExit(f"{case.sweep}: the Dask results differ")
                    best["dask"] = min(best["dask"], (wall, math.nan))
            (s_wall, s_cpu), (p_wall, p_cpu) = best["serial"], best["pool"]
            speedup, extra = s_wall / p_wall, p_cpu / s_cpu - 1
            chunk = math.ceil(case.tasks / (CHUNKS_PER_CORE * cores))
            chunks = math.ceil(case.tasks / chunk)
            work = s_cpu / chunks
            worst[case.sweep] = min(worst.get(case.sweep, math.inf), speedup)
            overhead[case.sweep] = max(overhead.get(case.sweep, -math.inf), extra)
            print(f"\n{case.sweep}: {case.label}")
            print(f"  {case.tasks} tasks in {chunks} chunks, {work * 1e3:.0f} ms of work per "
                  f"chunk ({work / trip:,.0f} round trips); results identical")
            # On idle cores: the chunks shared as evenly as they go, the pool's extra CPU paid.
            bound = chunks / math.ceil(chunks / workers) / max(1.0 + extra, 1.0)
            ceiling[case.sweep] = min(ceiling.get(case.sweep, math.inf), bound)
            print(f"  serial {s_wall:6.2f} s (CPU {s_cpu:5.2f} s)   process pool {p_wall:6.2f} s "
                  f"(CPU {p_cpu:5.2f} s, workers included: {extra:+.0%})   speed-up "
                  f"{speedup:.2f}x (on {workers} idle cores at most {bound:.2f}x)")
            if dask_ex is not None:
                d_wall = best["dask"][0]
                worst_dask[case.sweep] = min(worst_dask.get(case.sweep, math.inf),
                                             s_wall / d_wall)
                print(f"  dask {d_wall:6.2f} s   speed-up {s_wall / d_wall:.2f}x")
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    load = os.getloadavg()[0]
    print()
    for name, ratio in worst.items():
        dask = f"; dask {worst_dask[name]:.2f}x" if name in worst_dask else ""
        print(f"worst over {name}'s inputs: {ratio:.2f}x on {workers} workers (CPU added by the "
              f"pool at most {overhead[name]:+.0%}, so at most {ceiling[name]:.2f}x on idle "
              f"cores){dask}")
    print(f"worst speed-up over every sweep: {min(worst.values()):.2f}x (ceiling {workers}x on "
          f"{workers} idle cores); load average {load:.1f} after the run"
          + (" (above the cores: the wall speed-ups understate the pool)" if load > cores else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
