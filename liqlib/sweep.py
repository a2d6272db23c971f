"""Sweeps: one function over many independent, seeded tasks, on any executor.

A Monte Carlo fund sizing, a year of fee flows, a grid of cascades: each is many runs that share
nothing. :func:`sweep` maps a function over such tasks, serially by default, or on any
:class:`concurrent.futures.Executor` the caller already has:

* the cores of one machine, :class:`concurrent.futures.ProcessPoolExecutor` (the function and the
  tasks must pickle: a module-level function, plain data; with the default ``fork`` start method
  on Linux the workers inherit the imported library)::

      from concurrent.futures import ProcessPoolExecutor
      with ProcessPoolExecutor(max_workers=2) as pool:
          sample = simulate_deficits(2_000, seed=2025, executor=pool)

* a Dask cluster, through ``distributed``'s executor view of a client
  (``Client.get_executor()``, a :class:`concurrent.futures.Executor`; every worker must be able
  to import ``liqlib``)::

      from distributed import Client, LocalCluster
      with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
          pool = client.get_executor(pure=False)
          sample = simulate_deficits(2_000, seed=2025, executor=pool)

  (``Client("tcp://scheduler:8786")`` for a cluster that is already running). ``pure=False``
  spares Dask hashing every submission's inputs to name it (its default, to reuse equal
  results): for a chunk of tasks carrying a large population that hashing costs several times
  sending it.

**Results do not depend on the executor.** Every task carries its own inputs, seeds included, so
where it runs and in what order cannot change what it returns, and :func:`sweep` returns the
results in task order. Seeds for new tasks come from :func:`spawn_seeds`, NumPy's
:meth:`~numpy.random.SeedSequence.spawn`: statistically independent streams derived from one
seed, the same whatever runs them. (The library's older sweeps, such as
:func:`liqlib.systemic.insurance.simulate_deficits`, keep the per-task seeds they always drew, so
their results are the same as before.)

This module sits below every layer and imports nothing from the library, so any layer may use it.

References
----------
.. [1] Python documentation, "concurrent.futures: Launching parallel tasks",
   https://docs.python.org/3/library/concurrent.futures.html (read 2026-12-03): "The
   ProcessPoolExecutor class is an Executor subclass that uses a pool of processes to execute
   calls asynchronously."
.. [2] Dask.distributed documentation, ``Client.get_executor``,
   https://distributed.dask.org/en/stable/api.html (read 2026-12-03): "Return a
   concurrent.futures Executor for submitting tasks on this Client".
.. [3] NumPy documentation, "Parallel random number generation",
   https://numpy.org/doc/stable/reference/random/parallel.html (read 2026-12-03): "There are
   four main strategies implemented that can be used to produce repeatable pseudo-random numbers
   across multiple processes (local or distributed)"; the first, ``SeedSequence`` spawning:
   "NumPy allows you to spawn new (with very high probability) independent BitGenerator and
   Generator instances via their spawn() method."
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

#: Chunks per core when :func:`sweep` picks the chunk size: enough to balance uneven tasks, few
#: enough that each chunk's trip to a worker (pickling the function and its inputs) is amortized.
CHUNKS_PER_CORE = 4


def spawn_seeds(seed: int | np.random.SeedSequence, n: int) -> tuple[np.random.SeedSequence, ...]:
    """``n`` independent child seeds of ``seed``, one per task (``SeedSequence.spawn``).

    Parameters
    ----------
    seed : int or numpy.random.SeedSequence
        The root seed (an int >= 0).
    n : int
        Number of children (>= 0).

    Returns
    -------
    tuple of numpy.random.SeedSequence
        Child ``k`` is the same for the same ``seed`` and ``k`` whatever ``n`` (and whatever
        executor runs it); pass it to :func:`numpy.random.default_rng`.

    Raises
    ------
    TypeError
        For a seed that is neither an int nor a SeedSequence, or a non-integer ``n``.
    ValueError
        For a negative seed or ``n``.

    References
    ----------
    NumPy, "Parallel random number generation" (module references [3]_).

    Examples
    --------
    >>> import numpy as np
    >>> a = [np.random.default_rng(s).integers(100) for s in spawn_seeds(7, 3)]
    >>> b = [np.random.default_rng(s).integers(100) for s in spawn_seeds(7, 5)][:3]
    >>> a == b
    True
    >>> spawn_seeds(-1, 2)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an int >= 0 or a numpy SeedSequence, got -1
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        raise TypeError(f"seed must be an int >= 0 or a numpy SeedSequence, got {seed!r}")
    if not isinstance(seed, np.random.SeedSequence) and seed < 0:
        raise ValueError(f"seed must be an int >= 0 or a numpy SeedSequence, got {seed!r}")
    count = _count("n", n)
    # a fresh root each call: spawn() on a caller's SeedSequence would advance its counter
    root = (np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
            if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed)))
    return tuple(root.spawn(count))


def _count(name: str, value: Any, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _run_chunk(function: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    """One worker's share: the function over consecutive tasks, in order."""
    return [function(task) for task in chunk]


def check_executor(executor: Any) -> Executor | None:
    """``executor`` if it is ``None`` or a :class:`concurrent.futures.Executor`, else TypeError.

    Parameters
    ----------
    executor : concurrent.futures.Executor or None
        What a caller passed as ``executor``.

    Returns
    -------
    concurrent.futures.Executor or None

    Raises
    ------
    TypeError
        For anything else.

    Examples
    --------
    >>> check_executor(None) is None
    True
    >>> check_executor(4)
    Traceback (most recent call last):
    ...
    TypeError: executor must be None (serial) or a concurrent.futures.Executor, got 4
    """
    if executor is None or isinstance(executor, Executor):
        return executor
    raise TypeError(
        f"executor must be None (serial) or a concurrent.futures.Executor, got {executor!r}"
    )


def sweep(
    function: Callable[[T], R],
    tasks: Iterable[T],
    *,
    executor: Executor | None = None,
    chunksize: int | None = None,
) -> list[R]:
    """``[function(task) for task in tasks]``, on ``executor`` if given, results in task order.

    Tasks go to the executor in chunks of consecutive tasks (one submission each), so a small
    task does not pay a round trip to a worker of its own. Each task must carry everything its
    result depends on (seeds from :func:`spawn_seeds`): then the results are the same on any
    executor, with any chunk size.

    Parameters
    ----------
    function : callable
        Called with one task. For a process pool it must pickle (a module-level function or a
        :func:`functools.partial` of one); Dask pickles closures too.
    tasks : iterable
        The tasks (each must pickle for a process pool or a cluster).
    executor : concurrent.futures.Executor, optional
        ``None`` (the default) runs serially in this process; otherwise a
        :class:`~concurrent.futures.ProcessPoolExecutor`, a
        :class:`~concurrent.futures.ThreadPoolExecutor`, Dask's ``Client.get_executor()``, ...
        It is used, not shut down.
    chunksize : int, optional
        Tasks per submission (>= 1); ``None`` for about :data:`CHUNKS_PER_CORE` chunks per core of
        this machine. Ignored when serial.

    Returns
    -------
    list
        One result per task, in task order.

    Raises
    ------
    TypeError
        For an ``executor`` that is not an Executor, a non-callable ``function`` or a
        non-integer ``chunksize``.
    ValueError
        For ``chunksize < 1``.
    Exception
        The first failing task's exception (in task order), re-raised as is.

    References
    ----------
    Python, ``concurrent.futures``; Dask.distributed, ``Client.get_executor`` (module references).

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> sweep(abs, [-3, 1, -2])
    [3, 1, 2]
    >>> with ThreadPoolExecutor(2) as pool:
    ...     sweep(abs, [-3, 1, -2], executor=pool, chunksize=2)
    [3, 1, 2]
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {function!r}")
    pool = check_executor(executor)
    size = None if chunksize is None else _count("chunksize", chunksize, low=1)
    items = list(tasks)
    if pool is None:
        return [function(task) for task in items]
    if size is None:
        size = max(1, math.ceil(len(items) / (CHUNKS_PER_CORE * (os.cpu_count() or 1))))
    futures = [pool.submit(_run_chunk, function, items[k:k + size])
               for k in range(0, len(items), size)]
    out: list[R] = []
    try:
        for future in futures:
            out.extend(future.result())
    finally:
        for future in futures:  # after a failure, drop what has not started
            future.cancel()
    return out


__all__ = ["CHUNKS_PER_CORE", "check_executor", "spawn_seeds", "sweep"]
