"""Time-series averages that venues smooth prices with, and the time units they use.

Medians and weighted medians, the exponential moving average in the form Hyperliquid publishes,
simple and linearly weighted moving averages, sample-and-hold on a venue's sampling grid, and
time-weighted averages. All durations are in **seconds** (``HOUR = 3600``); sampled series are
regular unless a function takes per-sample durations; time runs along ``axis`` (default: last).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core._validate import FloatArray

#: One hour in seconds.
HOUR = 3600.0
#: The period funding rates are quoted for: 8 hours, in seconds.
FUNDING_PERIOD = 8 * HOUR
#: Seconds in a (365-day) year, for annualized rates.
YEAR = 365 * 24 * HOUR


# --- small checks ---------------------------------------------------------------------------------


def _duration(name: str, value: ArrayLike) -> FloatArray:
    return v.positive(name, value)


def _stride(interval: float, dt: float, name: str = "interval") -> int:
    """How many base samples of length ``dt`` make one venue sample of ``interval`` seconds."""
    ratio = interval / dt
    k = round(ratio)
    if k < 1 or abs(ratio - k) > 1e-9 * max(1.0, ratio):
        raise ValueError(
            f"{name} must be a whole multiple (>= 1) of the series' dt={dt!r} s, got {interval!r} s"
        )
    return k


def _window_samples(window: float, interval: float) -> int:
    ratio = window / interval
    k = round(ratio)
    if k < 1 or abs(ratio - k) > 1e-9 * max(1.0, ratio):
        raise ValueError(
            f"window must be a whole multiple (>= 1) of the sampling interval {interval!r} s, "
            f"got {window!r} s"
        )
    return k


def _series(name: str, values: ArrayLike, axis: int) -> FloatArray:
    arr = v.as_float(name, values)
    if arr.ndim == 0:
        raise ValueError(
            f"{v.label(name)} must be a series (an array with a time axis), got a scalar"
        )
    ax = v.integer("axis", axis)
    if not -arr.ndim <= ax < arr.ndim:
        raise ValueError(
            f"{v.label('axis')} must be an axis of {v.label(name)} (shape {arr.shape}), got {ax}"
        )
    if arr.shape[ax] == 0:
        raise ValueError(f"{v.label(name)} must hold at least one sample, got an empty series")
    return np.moveaxis(arr, ax, -1)


def _finite(result: Any, **parts: Any) -> Any:
    """Refuse a result that overflowed (valid but huge samples summed or weighted)."""
    v.finite_result("the average", np.asarray(result), parts=parts)
    return result


# --- averaging primitives -------------------------------------------------------------------------


def weighted_median(values: ArrayLike, weights: ArrayLike | None = None, *, axis: int = -1) -> Any:
    """Weighted median along ``axis``: the value at which half the total weight lies on each side.

    Sort the values; the weighted median is the first value whose cumulative weight reaches half the
    total. When the cumulative weight hits exactly one half at a value, the median is the midpoint
    of that value and the next, so that equal weights give the ordinary median.

    Parameters
    ----------
    values : array
        Values, reduced along ``axis`` (finite).
    weights : array, optional
        Non-negative weights broadcastable to ``values``, with a positive total along ``axis``;
        default equal weights.
    axis : int
        Axis to reduce.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Naming ``values`` (empty, non-finite) or ``weights`` (negative, zero total, wrong shape).

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Hyperliquid docs, "Robust price indices": the third mark input is the "Median of Binance, OKX,
    Bybit, Gate IO, MEXC perp mid prices with weights 3, 2, 2, 1, 1"; the oracle is "the weighted
    median of CEX spot prices".

    Examples
    --------
    >>> weighted_median([100.0, 101.0, 99.0, 250.0, 100.5], [3, 2, 2, 1, 1])
    100.0
    >>> weighted_median([1.0, 2.0, 3.0, 4.0])   # equal weights: the ordinary median
    2.5
    """
    x = _series("values", values, axis)
    if weights is None:
        return v.scalar_or_array(np.median(x, axis=-1))
    w = v.nonnegative("weights", weights)
    if w.ndim == 0:
        raise ValueError("weights must give one weight per value, got a scalar")
    if w.ndim == np.ndim(values) and w.ndim > 1:
        w = np.moveaxis(w, axis, -1)
    try:
        w = np.broadcast_to(w, x.shape)
    except ValueError:
        raise ValueError(
            f"weights must match values along the axis ({x.shape[-1]} values), got shape "
            f"{np.shape(weights)}"
        ) from None
    total = w.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("weights must have a positive total along the axis, got a zero total")
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    share = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1) / total
    tol = 1e-12
    # lower median: first value whose cumulative share reaches 1/2; upper: first that passes it.
    # They differ only when the share is exactly 1/2 at a value, and then the midpoint is taken.
    lo = np.argmax(share >= 0.5 - tol, axis=-1)[..., None]
    hi = np.argmax(share > 0.5 + tol, axis=-1)[..., None]
    out = 0.5 * (np.take_along_axis(xs, lo, axis=-1) + np.take_along_axis(xs, hi, axis=-1))
    return v.scalar_or_array(out[..., 0])


def ema(samples: ArrayLike, dt: ArrayLike = 1.0, *, time_constant: float, axis: int = -1) -> Any:
    """Exponential moving average with time-weighted samples, Hyperliquid's normalized form.

    For each sample ``x_k`` taken ``t_k`` seconds after the previous one::

        numerator   <- numerator   * exp(-t_k / tau) + x_k * t_k
        denominator <- denominator * exp(-t_k / tau) + t_k
        ema_k = numerator / denominator

    starting from zero, so the first value is the first sample and the EMA of a constant is that
    constant from the start (no warm-up bias). After a few ``tau`` it equals the textbook recursion
    ``y_k = a_k y_{k-1} + (1 - a_k) x_k`` with ``a_k = exp(-t_k / tau)``: the denominator has
    converged to ``t / (1 - a)``.

    The recursion is evaluated without a Python loop over samples, by block-wise cumulative sums of
    ``x_j t_j exp(T_j / tau)`` (with the running time ``T`` restarted every few hundred ``tau`` so
    the exponentials stay finite); :func:`ema_reference` is the plain loop it is tested against.

    Parameters
    ----------
    samples : array
        The sampled values (finite), time along ``axis``.
    dt : float or array
        Seconds since the previous sample (> 0): a scalar for a regular series, or one value per
        sample (the first one only scales the first sample's weight, which does not matter).
    time_constant : float
        ``tau`` in seconds (> 0); Hyperliquid's is 2.5 minutes = 150 s.
    axis : int
        The time axis.

    Returns
    -------
    ndarray
        The EMA after each sample (same shape as ``samples``).

    Raises
    ------
    ValueError
        Naming the argument: empty or non-finite samples, non-positive ``dt`` or ``time_constant``,
        ``dt`` of the wrong length.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Hyperliquid docs, "Robust price indices" (the update formula quoted above).

    Examples
    --------
    >>> ema([5.0, 5.0, 5.0], 3.0, time_constant=150.0).tolist()
    [5.0, 5.0, 5.0]
    >>> out = ema([0.0, 1.0], [1.0, 150.0], time_constant=150.0)
    >>> round(float(out[1]), 6)     # 150 / (exp(-1) * 1 + 150)
    0.997553
    """
    x = _series("samples", samples, axis)
    tau = v.one("time_constant", _duration("time_constant", time_constant))
    n = x.shape[-1]
    d = _duration("dt", dt)
    t = np.broadcast_to(d, (n,)) if d.ndim == 0 else d
    if t.shape != (n,):
        raise ValueError(f"dt must be a scalar or one duration per sample ({n}), got {t.shape}")
    t = np.asarray(t, dtype=np.float64)
    elapsed = np.cumsum(t) / tau  # running time in units of tau
    elapsed -= elapsed[0]
    limit = 500.0  # exp(500) ~ 1e217: far from overflow, with room for the samples' magnitude
    block = np.floor(elapsed / limit).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    ends = np.r_[starts[1:], n]
    num_out = np.empty_like(x)
    den_out = np.empty(n)
    carry_num = np.zeros(x.shape[:-1])
    carry_den = 0.0
    for s, e in zip(starts, ends, strict=True):
        u = elapsed[s:e] - elapsed[s]
        grow = np.exp(u)
        decay_in = math.exp(-t[s] / tau) if s > 0 else 0.0
        num = np.cumsum(x[..., s:e] * (t[s:e] * grow), axis=-1) + carry_num[..., None] * decay_in
        den = np.cumsum(t[s:e] * grow) + carry_den * decay_in
        shrink = np.exp(-u)
        num_out[..., s:e] = num * shrink
        den_out[s:e] = den * shrink
        carry_num = num_out[..., e - 1]
        carry_den = float(den_out[e - 1])
    out = num_out / den_out
    return _finite(np.moveaxis(out, -1, axis), samples=samples, dt=dt)


def ema_reference(samples: ArrayLike, dt: ArrayLike, time_constant: float) -> FloatArray:
    """The plain loop of :func:`ema` for a 1-D series (slow; for tests and teaching).

    Parameters
    ----------
    samples : array
        A 1-D series.
    dt : float or array
        Seconds since the previous sample (> 0).
    time_constant : float
        ``tau`` in seconds (> 0).

    Returns
    -------
    ndarray

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Hyperliquid docs, "Robust price indices".

    Examples
    --------
    >>> ema_reference([0.0, 1.0], [1.0, 150.0], 150.0).round(6).tolist()
    [0.0, 0.997553]
    """
    x = v.as_float("samples", samples).reshape(-1)
    d = _duration("dt", dt)
    v.shapes(samples=x, dt=d)
    t = np.broadcast_to(d, x.shape)
    tau = v.one("time_constant", _duration("time_constant", time_constant))
    num = den = 0.0
    out = np.empty_like(x)
    for k in range(x.size):
        decay = math.exp(-t[k] / tau)
        num = num * decay + x[k] * t[k]
        den = den * decay + t[k]
        out[k] = num / den
    return _finite(out, samples=x, dt=t)


def moving_average(samples: ArrayLike, window: int, *, axis: int = -1) -> Any:
    """Trailing simple moving average over the last ``window`` samples (expanding at the start).

    ``out[k]`` is the mean of ``samples[k - window + 1 .. k]``; while fewer than ``window`` samples
    exist it is the mean of those there are, as Bybit does for a newly listed contract ("less than
    10 minutes into its listing time, for example, 2 minutes, the system will take the 2-min moving
    average").

    Parameters
    ----------
    samples : array
        Values (finite), time along ``axis``.
    window : int
        Number of samples averaged (>= 1).
    axis : int

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        Naming ``samples`` (empty, non-finite) or ``window`` (not a whole number >= 1).

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance COIN-M FAQ: "Moving Average (2.5-Minute Basis) = sum of [(Bid1_i + Ask1_i)/2 - PI_i]
    /30"; Bybit, "Mark Price Calculation (Futures Contracts)".

    Examples
    --------
    >>> moving_average([1.0, 2.0, 3.0, 4.0, 5.0], 3).tolist()
    [1.0, 1.5, 2.0, 3.0, 4.0]
    """
    x = _series("samples", samples, axis)
    w = v.integer("window", window, low=1)
    base = x[..., :1]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below, by name
        c = np.cumsum(x - base, axis=-1)  # centred first: keeps the running sum small
    out = np.empty_like(x)
    n = x.shape[-1]
    head = min(w, n)
    with np.errstate(over="ignore", invalid="ignore"):
        out[..., :head] = c[..., :head] / np.arange(1, head + 1)
        if n > w:
            out[..., w:] = (c[..., w:] - c[..., :-w]) / w
        out += base
    return _finite(np.moveaxis(out, -1, axis), samples=samples)


def sample_and_hold(series: ArrayLike, dt: float, interval: float, *, axis: int = -1) -> Any:
    """What a venue that reads ``series`` every ``interval`` seconds sees at each base sample.

    The venue samples at times ``0, interval, 2*interval, ...``; between its samples the last value
    read is held. ``interval`` must be a whole multiple of the series' spacing ``dt``.

    Parameters
    ----------
    series : array
        Regular series (finite), time along ``axis``.
    dt : float
        Spacing of the series (s).
    interval : float
        Seconds between the venue's readings; a whole multiple of ``dt``.
    axis : int

    Returns
    -------
    ndarray
        Same shape as ``series``.

    Raises
    ------
    ValueError
        When ``interval`` is not a whole multiple of ``dt``.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance COIN-M FAQ: the basis is read every 5 s (30 readings in 2.5 minutes); Bybit's impact
    mid "is refreshed on a per-second basis".

    Examples
    --------
    >>> sample_and_hold([1.0, 2.0, 3.0, 4.0, 5.0], 1.0, 2.0).tolist()
    [1.0, 1.0, 3.0, 3.0, 5.0]
    """
    x = _series("series", series, axis)
    every = v.one("interval", _duration("interval", interval))
    k = _stride(every, v.one("dt", _duration("dt", dt)))
    held = np.repeat(x[..., ::k], k, axis=-1)[..., : x.shape[-1]]
    return np.moveaxis(held, -1, axis)


def time_weighted_average(
    samples: ArrayLike, durations: ArrayLike | None = None, *, axis: int = -1
) -> Any:
    """Average of samples each weighted by how long it was in force (equal weights by default).

    For equally spaced samples this is the plain mean, the "TWAP" of Hyperliquid's hourly premium
    ("sampled every 5 seconds and averaged over the hour") and dYdX's ("the simple average (i.e.
    TWAP) of the 60 premiums calculated over the last hour").

    Parameters
    ----------
    samples : array
        Values (finite), time along ``axis``.
    durations : array, optional
        Non-negative time each sample was in force, one per sample.
    axis : int

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Naming ``samples`` or ``durations`` (negative, wrong length, zero total).

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Hyperliquid docs, "Funding"; dYdX docs, "Funding".

    Examples
    --------
    >>> time_weighted_average([0.001, 0.003])
    0.002
    >>> time_weighted_average([0.001, 0.003], durations=[3, 1])
    0.0015
    """
    x = _series("samples", samples, axis)
    if durations is None:
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused by name
            return _finite(v.scalar_or_array(x.mean(axis=-1)), samples=x)
    d = v.nonnegative("durations", durations)
    if d.shape != (x.shape[-1],):
        raise ValueError(
            f"durations must give one duration per sample ({x.shape[-1]}), got shape {d.shape}"
        )
    if d.sum() <= 0:
        raise ValueError(f"{v.label('durations')} must have a positive total")
    with np.errstate(over="ignore", invalid="ignore"):
        average = v.scalar_or_array((x * d).sum(axis=-1) / d.sum())
    return _finite(average, samples=x, durations=d)


def linearly_weighted_average(samples: ArrayLike, *, axis: int = -1) -> Any:
    """Bybit's average premium: sample ``i`` (1-based, oldest first) has weight ``i``.

    ``(P_1 * 1 + P_2 * 2 + ... + P_n * n) / (1 + 2 + ... + n)``: the samples closest to the funding
    time count most, so a premium built up just before settlement is hard to average away.

    Parameters
    ----------
    samples : array
        Values (finite), oldest first along ``axis``.
    axis : int

    Returns
    -------
    float or ndarray

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Bybit, "Introduction to Funding Rate": "(Premium Index _1 * 1 + Premium Index _2 * 2 +... +
    Premium Index _480 * 480)/(1 + 2 +... + 480)" for an 8-hour interval of minute samples.

    Examples
    --------
    >>> linearly_weighted_average([0.0, 0.0, 0.003])   # 3 * 0.003 / 6
    0.0015
    """
    x = _series("samples", samples, axis)
    w = np.arange(1, x.shape[-1] + 1, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        average = v.scalar_or_array((x * w).sum(axis=-1) / w.sum())
    return _finite(average, samples=x)
