"""Seeded synthetic price paths: geometric Brownian motion, and a wick on one venue's book.

A **wick** is a brief, deep move of one venue's own prices (its book mid, best bid and ask, and
last trades) that the rest of the market does not share: a large market order sweeps a thin book,
liquidations feed it, and within seconds arbitrageurs pull the price back. Spot prices on other
exchanges (the index sources) and other venues' perpetuals carry on along the common "fair" path,
each with a little independent noise. :func:`wick_path` draws such a scenario; the mark-price rules
of :mod:`liqlib.prices.mark` then show how much of the wick each venue's mark price lets through.

Every draw takes a seed or a :class:`numpy.random.Generator`; the same seed gives the same path.
Times are in seconds, volatilities annualized (a 365-day year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from .averages import YEAR  # seconds in a 365-day year (volatilities are quoted per year)

FloatArray = NDArray[np.float64]


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise v.ArgumentTypeError(
            f"seed must be a non-negative int or a numpy Generator, got {seed!r}"
        )
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


#: Most samples one path may hold (8 GB of float64): a larger count is a typo, not a request.
MAX_SAMPLES = 10**9


def _count(name: str, value: Any, low: int = 1) -> int:
    return v.integer(name, value, low=low, high=MAX_SAMPLES)


def gbm(
    s0: float,
    *,
    sigma: float,
    n: int,
    dt: float = 1.0,
    drift: float = 0.0,
    seed: int | np.random.Generator = 0,
) -> FloatArray:
    """A geometric Brownian motion path of ``n`` prices, ``dt`` seconds apart, from ``s0``.

    ``log S`` moves by ``(drift - sigma**2 / 2) * h + sigma * sqrt(h) * Z`` per step, with
    ``h = dt / YEAR``; the first price is ``s0``.

    Parameters
    ----------
    s0 : float
        Starting price (> 0).
    sigma : float
        Annualized volatility (>= 0), e.g. 0.6 for 60%.
    n : int
        Number of prices (>= 1).
    dt : float
        Seconds between prices (> 0).
    drift : float
        Annualized drift of the price.
    seed : int or Generator

    Returns
    -------
    ndarray, shape (n,)

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> p = gbm(100.0, sigma=0.0, n=3, drift=0.0)
    >>> p.tolist()
    [100.0, 100.0, 100.0]
    >>> bool(np.all(gbm(100.0, sigma=0.6, n=5, seed=1) == gbm(100.0, sigma=0.6, n=5, seed=1)))
    True
    """
    start = v.one("s0", v.positive("s0", s0))
    vol = v.one("sigma", v.nonnegative("sigma", sigma))
    steps = _count("n", n)
    h = v.one("dt", v.positive("dt", dt)) / YEAR
    mu = v.one("drift", v.as_float("drift", drift))
    rng = _rng(seed)
    z = rng.standard_normal(steps - 1)
    increments = (mu - 0.5 * vol**2) * h + vol * math.sqrt(h) * z
    with np.errstate(over="ignore", under="ignore"):
        path = start * np.exp(np.concatenate(([0.0], np.cumsum(increments))))
    # A GBM price is positive and finite; 0 or inf is floating point giving up, not a price.
    if not (np.all(path > 0) and np.all(np.isfinite(path))):
        raise v.DerivedRangeError(
            f"the path leaves floating point's range (s0={start!r}, sigma={vol!r}, {steps} steps "
            f"of dt={h * YEAR!r} s): lower sigma or the horizon, or rescale s0"
        )
    return path


def wick_profile(
    times: ArrayLike, *, start: float, duration: float, depth: float, shape: str = "v"
) -> Any:
    """The fractional drop of a wick at each time: 0 outside ``[start, start + duration]``.

    * ``"v"``: straight down to ``depth`` at the midpoint and straight back up; the area under it
      is ``depth * duration / 2`` (fraction-seconds).
    * ``"box"``: ``depth`` for the whole duration; area ``depth * duration``.

    Parameters
    ----------
    times : array
        Seconds.
    start : float
        When the wick begins (s).
    duration : float
        How long it lasts (> 0, s).
    depth : float
        Deepest fractional drop, in [0, 1): 0.1 is a wick 10% below the fair price.
    shape : {"v", "box"}

    Returns
    -------
    float or ndarray

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> wick_profile([0.0, 10.0, 15.0, 20.0, 30.0], start=10.0, duration=10.0, depth=0.1).tolist()
    [0.0, 0.0, 0.1, 0.0, 0.0]
    >>> wick_profile([9.0, 10.0, 19.0, 20.0], start=10.0, duration=10.0, depth=0.1,
    ...              shape="box").tolist()
    [0.0, 0.1, 0.1, 0.0]
    """
    t = v.as_float("times", times)
    t0 = v.one("start", v.as_float("start", start))
    d = v.one("duration", v.positive("duration", duration))
    a = v.one("depth", v.rate("depth", depth))
    v.choice("shape", shape, ("v", "box"))
    u = (t - t0) / d
    if shape == "box":
        out = np.where((u >= 0) & (u < 1), a, 0.0)
    else:
        out = a * np.clip(1.0 - np.abs(2.0 * u - 1.0), 0.0, None)
    return v.scalar_or_array(out)


@dataclass(frozen=True)
class WickPath:
    """A synthetic market with a wick on one venue (see :func:`wick_path`).

    Attributes
    ----------
    times : ndarray, shape (T,)
        Seconds from the start.
    dt : float
        Spacing of ``times``.
    fair : ndarray, shape (T,)
        The common price every market follows.
    sources : ndarray, shape (T, S)
        Spot price on each index source (fair price with independent noise).
    weights : ndarray, shape (S,)
        Index weights of the sources (sum to 1).
    mid, bid, ask, last : ndarray, shape (T,)
        The venue's book mid, best bid and ask, and last traded price.
    other_mids : ndarray, shape (T, V)
        Perpetual mids on other venues (fair price times one plus the basis, with noise).
    wick : ndarray, shape (T,)
        The wick's fractional drop at each time.
    start, duration, depth : float
        The wick's parameters.
    wick_on : str or int
        ``"venue"`` or the index of the spot source that carries the wick.
    """

    times: FloatArray
    dt: float
    fair: FloatArray
    sources: FloatArray
    weights: FloatArray
    mid: FloatArray
    bid: FloatArray
    ask: FloatArray
    last: FloatArray
    other_mids: FloatArray
    wick: FloatArray
    start: float
    duration: float
    depth: float
    wick_on: str | int


def wick_path(
    *,
    seconds: float = 900.0,
    dt: float = 1.0,
    price: float = 100.0,
    sigma: float = 0.5,
    depth: float = 0.08,
    duration: float = 30.0,
    start: float | None = None,
    shape: str = "v",
    wick_on: str | int = "venue",
    weights: ArrayLike = (0.3, 0.25, 0.2, 0.15, 0.1),
    source_noise: float = 2e-4,
    spread: float = 2e-4,
    basis: float = 0.0,
    n_other: int = 5,
    other_noise: float = 2e-4,
    seed: int | np.random.Generator = 0,
) -> WickPath:
    """A seeded market path with a wick of given depth and duration on one venue.

    The fair price is a :func:`gbm`. Each spot source is the fair price times ``exp(e)`` with
    independent ``e ~ N(0, source_noise)`` per sample. The venue's mid is the fair price times
    ``1 + basis`` times its own small noise; best bid and ask sit ``spread / 2`` either side; each
    last trade prints at the bid or the ask with equal odds. The wick multiplies the venue's mid,
    bid, ask and last by ``1 - wick_profile(...)`` (or, with ``wick_on=k``, spot source ``k`` only:
    a manipulated index constituent).

    Parameters
    ----------
    seconds : float
        Length of the path (s); ``T = seconds / dt + 1`` samples.
    dt : float
        Sample spacing (s).
    price : float
        Fair price at time 0.
    sigma : float
        Annualized volatility of the fair price.
    depth, duration, shape
        The wick (:func:`wick_profile`); ``depth = 0`` gives a path with no wick.
    start : float, optional
        Start of the wick (default: a third of the way in).
    wick_on : "venue" or int
        Where the wick happens.
    weights : array
        Index weights of the spot sources (non-negative, normalized to sum to 1); their number is
        the number of sources.
    source_noise, spread, basis, other_noise : float
        Noise of the spot sources (log sd), the venue's relative bid-ask spread, the perpetuals'
        basis over spot, and the noise of other venues' mids.
    n_other : int
        Number of other venues' perpetual mids (Hyperliquid's mark uses five).
    seed : int or Generator

    Returns
    -------
    WickPath

    Raises
    ------
    ValueError
        Naming the argument: a wick that does not fit in the path, depth outside [0, 1), a bad
        source index, negative noise, weights that are empty, negative or all zero.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> w = wick_path(depth=0.1, duration=20.0, seed=3)
    >>> w.sources.shape, w.other_mids.shape
    ((901, 5), (901, 5))
    >>> bool(w.last.min() < 0.91 * w.fair.min()) and bool(w.sources.min() > 0.99 * w.fair.min())
    True
    """
    total = v.one("seconds", v.positive("seconds", seconds))
    step = v.one("dt", v.positive("dt", dt))
    n_steps = total / step
    if abs(n_steps - round(n_steps)) > 1e-9 * max(1.0, n_steps):
        raise ValueError(f"seconds must be a whole multiple of dt={step!r}, got {total!r}")
    n = int(round(n_steps)) + 1
    times = np.arange(n, dtype=np.float64) * step
    d = v.one("duration", v.positive("duration", duration))
    t0 = total / 3 if start is None else v.one("start", v.nonnegative("start", start))
    if t0 + d > total:
        raise ValueError(
            f"the wick must end within the path: start + duration = {t0 + d!r} > seconds={total!r}"
        )
    w = v.nonnegative("weights", weights).reshape(-1)
    if w.size == 0 or w.sum() <= 0:
        raise ValueError("weights must hold at least one source with a positive weight")
    w = w / w.sum()
    n_src = w.size
    if wick_on != "venue":
        if isinstance(wick_on, bool) or not isinstance(wick_on, (int, np.integer)):
            raise ValueError(f"wick_on must be 'venue' or a source index, got {wick_on!r}")
        if not 0 <= int(wick_on) < n_src:
            raise ValueError(f"wick_on must be a source index in [0, {n_src}), got {wick_on!r}")
    noise = {
        "source_noise": v.one("source_noise", v.nonnegative("source_noise", source_noise)),
        "other_noise": v.one("other_noise", v.nonnegative("other_noise", other_noise)),
    }
    half_spread = 0.5 * v.one("spread", v.rate("spread", spread))
    b = v.one("basis", v.as_float("basis", basis))
    if b <= -1:
        raise ValueError(f"basis must be > -1, got {b!r}")
    n_o = _count("n_other", n_other)
    rng = _rng(seed)

    with v.renamed(s0="price"):
        fair = gbm(price, sigma=sigma, n=n, dt=step, seed=rng)
    drop = np.asarray(wick_profile(times, start=t0, duration=d, depth=depth, shape=shape))
    sources = fair[:, None] * np.exp(noise["source_noise"] * rng.standard_normal((n, n_src)))
    own = fair * (1 + b) * np.exp(noise["other_noise"] * rng.standard_normal(n))
    others = fair[:, None] * (1 + b) * np.exp(noise["other_noise"] * rng.standard_normal((n, n_o)))
    at_ask = rng.random(n) < 0.5
    if wick_on == "venue":
        own = own * (1 - drop)
    else:
        sources[:, int(wick_on)] *= 1 - drop
    bid = own * (1 - half_spread)
    ask = own * (1 + half_spread)
    last = np.where(at_ask, ask, bid)
    return WickPath(
        times=times,
        dt=step,
        fair=fair,
        sources=sources,
        weights=w,
        mid=own,
        bid=bid,
        ask=ask,
        last=last,
        other_mids=others,
        wick=drop,
        start=t0,
        duration=d,
        depth=float(depth),
        wick_on=wick_on if wick_on == "venue" else int(wick_on),
    )
