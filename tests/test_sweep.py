"""Sweeps on an executor: the same results serially, on a process pool and on a Dask cluster."""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import pathlib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.engine.book import flat_ladder
from liqlib.sweep import check_executor, spawn_seeds, sweep
from liqlib.systemic import (
    Population,
    cascade,
    cascade_grid,
    fee_flow,
    generate_population,
    generate_shocks,
    simulate_deficits,
)


def _same(a, b) -> bool:
    """Equal to the last bit, field by field (arrays with their dtype and shape)."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, np.ndarray):
        if a.dtype == object:
            pairs = zip(a.flat, b.flat, strict=True)
            return a.shape == b.shape and all(_same(x, y) for x, y in pairs)
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _draw(seed: np.random.SeedSequence) -> float:
    return float(np.random.default_rng(seed).standard_normal())


def _fails_on_three(x: int) -> int:
    if x == 3:
        raise ArithmeticError(f"task {x}")
    return x


# --- the sweep itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunksize", [None, 1, 2, 7, 100])
def test_sweep_keeps_task_order_on_any_chunking(chunksize):
    tasks = list(range(-10, 11))
    with ThreadPoolExecutor(3) as pool:
        assert sweep(abs, tasks, executor=pool, chunksize=chunksize) == [abs(t) for t in tasks]
    assert sweep(abs, tasks) == [abs(t) for t in tasks]


@pytest.fixture(scope="module")
def threads():
    with ThreadPoolExecutor(3) as pool:
        yield pool


@settings(max_examples=60, deadline=None)
@given(tasks=st.lists(st.integers(-1_000, 1_000), max_size=40),
       chunksize=st.one_of(st.none(), st.integers(1, 50)))
def test_any_chunking_gives_the_serial_list(threads, tasks, chunksize):
    assert sweep(abs, tasks, executor=threads, chunksize=chunksize) == sweep(abs, tasks)


def test_sweep_of_nothing_is_empty():
    with ThreadPoolExecutor(2) as pool:
        assert sweep(abs, [], executor=pool) == []
    assert sweep(abs, []) == []


def test_spawned_seeds_give_the_same_draws_on_every_executor():
    seeds = spawn_seeds(2026, 9)
    serial = sweep(_draw, seeds)
    with ThreadPoolExecutor(2) as threads:
        assert sweep(_draw, seeds, executor=threads, chunksize=2) == serial
    with ProcessPoolExecutor(2) as processes:
        assert sweep(_draw, seeds, executor=processes, chunksize=4) == serial
    assert len(set(serial)) == 9  # independent streams, not one repeated


def test_spawn_seeds_are_a_prefix_and_leave_a_callers_sequence_alone():
    root = np.random.SeedSequence(11)
    first = [_draw(s) for s in spawn_seeds(root, 3)]
    assert root.n_children_spawned == 0
    assert [_draw(s) for s in spawn_seeds(root, 6)][:3] == first
    assert [_draw(s) for s in spawn_seeds(11, 3)] == first
    assert spawn_seeds(5, 0) == ()


def test_first_failure_in_task_order_is_raised():
    with pytest.raises(ArithmeticError, match="task 3"):
        sweep(_fails_on_three, range(6))
    with ThreadPoolExecutor(2) as pool, pytest.raises(ArithmeticError, match="task 3"):
        sweep(_fails_on_three, range(6), executor=pool, chunksize=1)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: sweep(abs, [1], executor=4), TypeError, "executor must be None"),
        (lambda: sweep(abs, [1], executor="dask"), TypeError, "executor must be None"),
        (lambda: sweep(3, [1]), TypeError, "function must be callable"),
        (lambda: sweep(abs, [1], executor=ThreadPoolExecutor(1), chunksize=0), ValueError,
         "chunksize must be an int >= 1"),
        (lambda: sweep(abs, [1], executor=ThreadPoolExecutor(1), chunksize=1.5), TypeError,
         "chunksize must be an int"),
        (lambda: spawn_seeds(1.5, 2), TypeError, "seed must be an int"),
        (lambda: spawn_seeds(True, 2), TypeError, "seed must be an int"),
        (lambda: spawn_seeds(3, -1), ValueError, "n must be an int >= 0"),
        (lambda: simulate_deficits(3, seed=1, positions=20, executor=2), TypeError,
         "executor must be None"),
    ],
)
def test_bad_arguments_name_themselves(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_check_executor_accepts_executors_only():
    with ThreadPoolExecutor(1) as pool:
        assert check_executor(pool) is pool
    assert check_executor(None) is None


def test_sweep_module_imports_nothing_of_the_library():
    """It sits below every layer: any layer may use it, so it may use none."""
    path = pathlib.Path(importlib.import_module("liqlib.sweep").__file__)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert not node.level and not (node.module or "").startswith("liqlib"), node.module
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith("liqlib") for a in node.names)


# --- the library's sweeps: identical results on any executor ------------------------------------


@pytest.fixture(scope="module")
def processes():
    with ProcessPoolExecutor(2) as pool:
        yield pool


def test_fund_sizing_is_the_same_on_a_process_pool(processes):
    kw = dict(seed=7, positions=150, shock_scale=0.05)
    serial = simulate_deficits(24, **kw)
    assert _same(simulate_deficits(24, executor=processes, **kw), serial)
    # the drawdown trigger and the population's own keywords travel with the tasks
    kw = dict(seed=8, positions=150, max_drawdown=0.3, long_share=0.7)
    assert _same(simulate_deficits(12, executor=processes, **kw), simulate_deficits(12, **kw))


def test_fund_sizing_matches_its_scenarios_one_by_one():
    """Scenario k is the cascade of population k under shock k (the loop the sweep replaced)."""
    sample = simulate_deficits(5, seed=3, positions=100)
    rng = np.random.default_rng(3)
    seeds = rng.integers(0, 2**63 - 1, size=5)
    for k in range(5):
        pop = generate_population(100, 60_000.0, seed=int(seeds[k]))
        result = cascade(pop, 60_000.0, float(sample.shocks[k]), flat_ladder(60.0))
        assert sample.deficits[k] == result.adl_loss
        assert sample.liquidated[k] == result.count
        assert sample.fund_draw[k] == result.fund_draw


@pytest.mark.parametrize("path", ["shock", "reset", "cascade"])
def test_fee_flow_is_the_same_on_a_process_pool(processes, path):
    pop = generate_population(200, 100.0, seed=5)
    shocks = generate_shocks(30, seed=6)
    run = functools.partial(fee_flow, pop, 100.0, shocks, flat_ladder(600.0), fee_rate=0.004,
                            step=0.01, path=path)
    serial = run()
    assert serial.count.sum() > 0  # the comparison covers liquidations, not only quiet periods
    assert _same(run(executor=processes), serial)


def test_cascade_grid_is_the_cascades_on_any_executor(processes):
    pops = [generate_population(300, 100.0, seed=9, leverage_scale=k) for k in (0.5, 1.0, 2.0)]
    shocks = [-0.01, -0.03, 0.02]
    ladders = [flat_ladder(q) for q in (500.0, 3_000.0)]
    dampers = [{}, {"orders": "bankruptcy_limit"}, {"mark_pass_through": 0.5}]
    grid = cascade_grid(pops, 100.0, shocks, ladders, dampers=dampers, fund=50.0)
    assert grid.shape == (3, 3, 2, 3)
    for (i, j, k, m), result in np.ndenumerate(grid.results):
        assert _same(result, cascade(pops[i], 100.0, shocks[j], ladders[k], fund=50.0,
                                     **dampers[m]))
    parallel = cascade_grid(pops, 100.0, shocks, ladders, dampers=dampers, fund=50.0,
                            executor=processes, chunksize=5)
    assert _same(parallel.results, grid.results)
    amp = grid.values("amplification")
    assert amp.shape == grid.shape and np.all(amp >= 1)


def test_cascade_grid_refuses_bad_axes():
    pop = Population.from_positions(1, [1, 1], 100, [10, 5])
    book = flat_ladder(1.0)
    with pytest.raises(ValueError, match="dampers may set only"):
        cascade_grid(pop, 100, [-0.1], book, dampers=[{"fund": 3}])
    with pytest.raises(ValueError, match="shocks must hold at least one"):
        cascade_grid(pop, 100, [], book)
    with pytest.raises(TypeError, match="populations must hold Population"):
        cascade_grid([pop, "x"], 100, [-0.1], book)
    with pytest.raises(ValueError, match="field must be one of"):
        cascade_grid(pop, 100, [-0.1], book).values("liquidated")


# --- a Dask cluster -------------------------------------------------------------------------------


def test_a_dask_cluster_gives_the_serial_results():
    """Two single-threaded workers on a LocalCluster, through Client.get_executor() (both ways:
    with Dask's default pure=True it names each submission by hashing its inputs).

    The workers run in this process (processes=False) so that the test starts in a second even on
    a loaded machine; the process-pool tests above cover tasks crossing into other processes, and
    benchmarks/sweeps.py runs a LocalCluster of worker processes and checks its results too.
    """
    distributed = pytest.importorskip("distributed")
    kw = dict(seed=2025, positions=150)
    serial = simulate_deficits(16, **kw)
    pop = generate_population(200, 100.0, seed=5)
    shocks = generate_shocks(12, seed=6)
    flow = fee_flow(pop, 100.0, shocks, flat_ladder(600.0), fee_rate=0.004, step=0.01)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        executor = client.get_executor(pure=False)
        assert _same(simulate_deficits(16, executor=executor, **kw), serial)
        assert _same(fee_flow(pop, 100.0, shocks, flat_ladder(600.0), fee_rate=0.004, step=0.01,
                              executor=executor), flow)
        assert sweep(_draw, spawn_seeds(4, 6), executor=client.get_executor(), chunksize=1) \
            == sweep(_draw, spawn_seeds(4, 6))
