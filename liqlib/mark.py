"""Index price, mark price and funding: the prices a liquidation is measured against.

Three prices describe a perpetual contract at any moment:

* the **last price**, the venue's own most recent trade, which one aggressive order can push far
  through a thin book for a few seconds (a *wick*);
* the **index price**, a weighted average of the spot price on several other exchanges, with rules
  that drop a source that strays from the others or stops updating;
* the **mark price**, built from the index and a *smoothed* basis between the venue's own book and
  the index. Venues trigger liquidations on the mark, so a wick in the last price moves the mark by
  only the wick's area divided by the smoothing time.

**Funding** is the periodic payment between longs and shorts that keeps the perpetual near the
index: a premium index measured from the book, an interest component, a clamp and a cap. Paid out
of margin, it moves a position's liquidation price over time.

Units and conventions
---------------------
* All durations are in **seconds** (``HOUR = 3600``); sampled series are regular unless the
  function takes per-sample durations. Time runs along ``axis`` (default: the last axis).
* Rates are fractions (0.0001 is 0.01%). A funding rate is quoted **per 8 hours** unless the
  argument's name says otherwise (``FUNDING_PERIOD``). A positive rate means longs pay shorts.
* Index sources lie along the **last** axis of a ``prices`` array; earlier axes are time.

References
----------
.. [1] Binance, "Price Index" FAQ 547ba48141474ab3bddc5d7898f97928: "When the latest price of a
   certain exchange deviates more than 5% from the median price of all price sources, the exchange
   weight will be set to zero"; "If more than one exchange shows greater than 5% deviation, the
   median price of all price sources will be used"; "If one exchange has no updates for 10 seconds,
   the weight of this exchange will be zero".
.. [2] Binance, "Mark Price and Price Index" FAQ (COIN-M): "Mark Price = Median (Price 1, Price 2,
   Contract Price)", "Price 1 = Price Index * (1 + Last Funding Rate*(Time Until Funding / 8))",
   "Price 2 = Price Index + Moving Average (2.5-Minute Basis)", the average taken over 30 samples.
.. [3] Bybit, "Mark Price Calculation (Perpetual Contract)" (2024-10-16): the same median with
   "Price 2 = Index Price + Moving Average (5-minute Basis)", measured every second; "Mark Price
   Calculation (Futures Contracts)": "Mark Price = Index Price x (1 + Basis Rate)", "Basis Rate =
   10-min Moving Average of [(Impact Mid Price - Index Price) / Index Price]".
.. [4] BitMEX, "Fair Price Marking": "Funding Basis = Funding Rate * (Time Until Funding / Funding
   Interval)", "Fair Price = Index Price * (1 + Funding Basis)".
.. [5] Hyperliquid docs, "Robust price indices": the mark is the median of the oracle plus a 150 s
   EMA of mid minus oracle, the median of best bid, best ask and last trade, and a weighted median
   of other venues' perp mids (weights 3, 2, 2, 1, 1); the EMA update "numerator -> numerator *
   exp(-t / 2.5 minutes) + sample * t; denominator -> denominator * exp(-t / 2.5 minutes) + t".
.. [6] Hyperliquid docs, "Funding": "Funding Rate (F) = Average Premium Index (P) + clamp (interest
   rate - Premium Index (P), -0.0005, 0.0005)", an 8 h rate paid hourly at one eighth, capped at
   4%/hour, paid on "position_size * oracle_price * funding_rate"; worked example 0.95%.
.. [7] Binance, "Introduction to Binance Futures Funding Rates" (360033525031); Bybit, "Introduction
   to Funding Rate" (linear weights 1..480) and legacy help article 360039261114 ("The Interest
   Rate = (0.06%-0.03%)/3 = 0.01%").
.. [8] dYdX v4 docs, "Funding": "Impact Notional Amount = 500 USDC / Initial Margin Fraction",
   "Funding Rate = (Premium Component / 8) + Interest Rate Component" paid hourly, "The 8-hour rate
   cap is calculated by 600% * (Initial Margin - Maintenance Margin)", 12% for BTC.
.. [9] D. Ackerer, J. Hugonnier, U. Jermann, "Perpetual Futures Pricing", arXiv:2310.11771
   (eq. 12, Prop. 3); the same closed forms are encoded in QuantLib's
   ``test-suite/perpetualfutures.cpp``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validate as v
from .contracts import LINEAR, ContractKind, notional
from .liquidation import LiquidationResult, liquidation_price
from .margin import Maintenance
from .tiers import Tier

FloatArray = NDArray[np.float64]

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
        raise ValueError(f"{name} must be a series (an array with a time axis), got a scalar")
    if arr.shape[axis] == 0:
        raise ValueError(f"{name} must hold at least one sample, got an empty series")
    return np.moveaxis(arr, axis, -1)


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
    tau = float(_duration("time_constant", time_constant))
    n = x.shape[-1]
    t = np.broadcast_to(_duration("dt", dt), (n,)) if np.ndim(dt) == 0 else _duration("dt", dt)
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
    return np.moveaxis(out, -1, axis)


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

    References
    ----------
    Hyperliquid docs, "Robust price indices".

    Examples
    --------
    >>> ema_reference([0.0, 1.0], [1.0, 150.0], 150.0).round(6).tolist()
    [0.0, 0.997553]
    """
    x = v.as_float("samples", samples).reshape(-1)
    t = np.broadcast_to(_duration("dt", dt), x.shape)
    tau = float(_duration("time_constant", time_constant))
    num = den = 0.0
    out = np.empty_like(x)
    for k in range(x.size):
        decay = math.exp(-t[k] / tau)
        num = num * decay + x[k] * t[k]
        den = den * decay + t[k]
        out[k] = num / den
    return out


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
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a whole number of samples >= 1, got {window!r}")
    w = int(window)
    base = x[..., :1]
    c = np.cumsum(x - base, axis=-1)  # centred first: keeps the running sum small
    out = np.empty_like(x)
    n = x.shape[-1]
    head = min(w, n)
    out[..., :head] = c[..., :head] / np.arange(1, head + 1)
    if n > w:
        out[..., w:] = (c[..., w:] - c[..., :-w]) / w
    out += base
    return np.moveaxis(out, -1, axis)


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
    k = _stride(float(_duration("interval", interval)), float(_duration("dt", dt)))
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
        return v.scalar_or_array(x.mean(axis=-1))
    d = v.nonnegative("durations", durations)
    if d.shape != (x.shape[-1],):
        raise ValueError(
            f"durations must give one duration per sample ({x.shape[-1]}), got shape {d.shape}"
        )
    if d.sum() <= 0:
        raise ValueError("durations must have a positive total")
    return v.scalar_or_array((x * d).sum(axis=-1) / d.sum())


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
    return v.scalar_or_array((x * w).sum(axis=-1) / w.sum())


# --- the index price ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexResult:
    """An index price and how each source entered it.

    Attributes
    ----------
    price : float or ndarray
        The index, one value per time step (the shape of ``prices`` less its source axis).
    weights : ndarray
        Effective weight of each source at each step (sums to 1 along the source axis; all zero on
        steps where the median was used instead of a weighted mean).
    outliers : ndarray of bool
        Sources that deviated from the median by more than the threshold.
    stale : ndarray of bool
        Sources left out because they had not updated.
    median : float or ndarray
        Median of the live sources.
    used_median : bool or ndarray
        True where more than one source was an outlier and the median became the index.
    held : bool or ndarray
        True where every source was stale and the previous index was carried forward.
    """

    price: Any
    weights: Any
    outliers: Any
    stale: Any
    median: Any
    used_median: Any
    held: Any


def stale_sources(last_update: ArrayLike, now: ArrayLike, max_age: float = 10.0) -> Any:
    """Which sources are stale: no update for more than ``max_age`` seconds before ``now``.

    Parameters
    ----------
    last_update : array
        Time of each source's last update (s), sources along the last axis.
    now : float or array
        Current time (s); an array gives one time per row of ``last_update``.
    max_age : float
        Largest age (s) at which a source still counts (Binance: 10).

    Returns
    -------
    ndarray of bool
        True where a source is stale; pass as ``stale=`` to :func:`index_price`.

    References
    ----------
    Binance, "Price Index" FAQ: "If one exchange has no updates for 10 seconds, the weight of this
    exchange will be zero when calculating the weighted average".

    Examples
    --------
    >>> stale_sources([95.0, 99.0, 80.0], now=100.0).tolist()
    [False, False, True]
    """
    age = v.as_float("now", now)[..., None] if np.ndim(now) else v.as_float("now", now)
    last = v.as_float("last_update", last_update)
    limit = float(v.positive("max_age", max_age))
    return np.asarray(age - last > limit)


def index_price(
    prices: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    threshold: float = 0.05,
    rule: str = "exclude",
    stale: ArrayLike | None = None,
    all_stale: str = "raise",
) -> IndexResult:
    """Index price from several spot sources, with the venues' outlier and stale-source rules.

    With prices ``p_i`` and weights ``w_i`` of the live (not stale) sources and ``m`` their median,
    a source is an **outlier** when ``|p_i / m - 1| > threshold``. Then, by ``rule``:

    * ``"exclude"`` (Binance): one outlier gets weight zero and the rest are re-weighted; **more
      than one** outlier and the index is the median ``m`` of all live sources;
    * ``"clip"``: every source is capped to ``m * (1 +- threshold)`` before averaging (a variant
      some venues use, which bounds a single source's pull at all deviations);
    * ``"none"``: the plain weighted mean (for comparison).

    The index is ``sum(w_i p_i) / sum(w_i)`` over the sources that count.

    Parameters
    ----------
    prices : array, shape (..., n_sources)
        Spot price of each source (> 0, finite); sources along the last axis, time (if any) before.
    weights : array, shape (n_sources,) or broadcastable to ``prices``, optional
        Non-negative source weights (volume shares); default equal.
    threshold : float
        Relative deviation from the median beyond which a source is an outlier (Binance: 0.05).
    rule : {"exclude", "clip", "none"}
    stale : array of bool, optional
        True where a source has not updated (see :func:`stale_sources`); its weight is zero and it
        is left out of the median.
    all_stale : {"raise", "hold"}
        When every source is stale at a step: raise, or carry the previous step's index forward.

    Returns
    -------
    IndexResult

    Raises
    ------
    ValueError
        Naming the argument: no sources, NaN or non-positive prices, negative weights or weights
        of the wrong length, a threshold outside (0, 1), an unknown rule, a step with no live
        source (unless ``all_stale="hold"``, and even then on the first step).

    References
    ----------
    Binance, "Price Index" FAQ (the 5% rule, the median fallback and the 10-second stale rule);
    the clipping variant is described on Binance's FAQ 66607f4c63e748568f503fcbd8f08965 (sources
    "capped at either 1.03 times or 0.97 times the median price").

    Examples
    --------
    Five sources; the fourth is 8% low and is dropped:

    >>> r = index_price([100.0, 100.2, 99.9, 92.0, 100.1], [0.3, 0.25, 0.2, 0.15, 0.1])
    >>> round(r.price, 6), r.outliers.tolist()
    (100.047059, [False, False, False, True, False])

    Two outliers: the median of all five is used.

    >>> index_price([100.0, 100.2, 99.9, 92.0, 120.0]).price
    100.0
    """
    p = v.positive("prices", prices)
    if p.ndim == 0:
        p = p.reshape(1)
    n_src = p.shape[-1]
    if n_src == 0:
        raise ValueError("prices must hold at least one source (last axis), got none")
    if weights is None:
        w = np.ones(n_src)
    else:
        w = v.nonnegative("weights", weights)
        if w.ndim == 0 or w.shape[-1] != n_src:
            raise ValueError(
                f"weights must give one weight per source ({n_src}), got shape {w.shape}"
            )
        try:
            np.broadcast_shapes(w.shape, p.shape)
        except ValueError:
            raise ValueError(
                f"weights of shape {w.shape} do not broadcast to prices of shape {p.shape}"
            ) from None
    theta = float(v.rate("threshold", threshold, allow_zero=False))
    v.choice("rule", rule, ("exclude", "clip", "none"))
    v.choice("all_stale", all_stale, ("raise", "hold"))
    if stale is None:
        is_stale = np.zeros(p.shape, dtype=bool)
    else:
        is_stale = np.asarray(stale)
        if is_stale.dtype != bool:
            raise ValueError(f"stale must be an array of bool, got dtype {is_stale.dtype}")
        try:
            is_stale = np.broadcast_to(is_stale, p.shape)
        except ValueError:
            raise ValueError(
                f"stale of shape {is_stale.shape} does not match prices of shape {p.shape}"
            ) from None
    w_full = np.broadcast_to(w, p.shape)
    live = ~is_stale & (w_full > 0)
    dead: NDArray[np.bool_] = np.asarray(~live.any(axis=-1))
    if dead.any():
        first = int(np.flatnonzero(dead.reshape(-1))[0])
        if all_stale == "raise" or first == 0:
            raise ValueError(
                "every source is stale (or has zero weight) at step "
                f"{first}: no index can be formed there (use all_stale='hold' to carry the "
                "previous index forward)"
            )
        if p.ndim != 2:
            raise ValueError("all_stale='hold' needs prices of shape (time, n_sources)")
    # Median of live sources; steps with none are filled with dummies and replaced later.
    safe_live = np.where(dead[..., None], True, live)
    masked = np.where(safe_live, p, np.nan)
    med = np.nanmedian(masked, axis=-1)
    # |p - m| > theta * m (not |p/m - 1| > theta, whose rounding flags a source exactly 5% away)
    outliers = safe_live & (np.abs(p - med[..., None]) > theta * med[..., None])
    n_out = outliers.sum(axis=-1)
    used_median = np.zeros(med.shape, dtype=bool)
    if rule == "clip":
        vals = np.clip(p, med[..., None] * (1 - theta), med[..., None] * (1 + theta))
        eff = np.where(safe_live, w_full, 0.0)
    elif rule == "none":
        vals = p
        eff = np.where(safe_live, w_full, 0.0)
    else:
        vals = p
        eff = np.where(safe_live & ~outliers, w_full, 0.0)
        used_median = (n_out > 1) | (eff.sum(axis=-1) <= 0)
        eff = np.where(used_median[..., None], 0.0, eff)
    total = eff.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (eff * vals).sum(axis=-1) / np.where(total > 0, total, 1.0)
        norm = eff / np.where(total > 0, total, 1.0)[..., None]
    price = np.where(used_median, med, mean)
    held = dead.copy()
    if dead.any():
        # Forward-fill along time: each dead step takes the last live step's index.
        idx = np.where(~dead, np.arange(dead.size), 0)
        np.maximum.accumulate(idx, out=idx)
        price = price[idx]
        med = med[idx]
        norm = np.where(dead[:, None], 0.0, norm)
        outliers = outliers & ~dead[:, None]
    return IndexResult(
        price=v.scalar_or_array(price),
        weights=norm,
        outliers=outliers,
        stale=np.asarray(is_stale),
        median=v.scalar_or_array(med),
        used_median=v.scalar_or_array(used_median),
        held=v.scalar_or_array(held),
    )


# --- mark-price rules -----------------------------------------------------------------------------


def time_to_funding(
    times: ArrayLike, funding_interval: float = FUNDING_PERIOD, *, offset: float = 0.0
) -> Any:
    """Seconds until the next funding time, for funding every ``funding_interval`` from ``offset``.

    At a funding instant the answer is 0 (the payment is being made).

    Parameters
    ----------
    times : float or array
        Seconds.
    funding_interval : float
        Seconds between fundings (> 0).
    offset : float
        A funding time (s).

    Returns
    -------
    float or ndarray
        Seconds until the next funding, in ``[0, funding_interval)``.

    References
    ----------
    Binance funding FAQ: payments "every 8 hours at 00:00 UTC, 08:00 UTC, and 16:00 UTC".

    Examples
    --------
    >>> time_to_funding([0.0, 1.0, 28_799.0, 28_800.0]).tolist()
    [0.0, 28799.0, 1.0, 0.0]
    """
    t = v.as_float("times", times)
    interval = float(_duration("funding_interval", funding_interval))
    return v.scalar_or_array(np.mod(-(t - offset), interval))


def funding_basis(
    funding_rate: ArrayLike, time_to_funding: ArrayLike, funding_interval: float = FUNDING_PERIOD
) -> Any:
    """BitMEX's decaying funding basis ``F * (time until funding / funding interval)``.

    Parameters
    ----------
    funding_rate : float or array
        The current period's funding rate (fraction per funding interval; may be negative).
    time_to_funding : float or array
        Seconds until the next funding (0 <= tau <= interval).
    funding_interval : float
        Seconds between fundings (BitMEX and Binance: 8 h).

    Returns
    -------
    float or ndarray
        The basis as a fraction of the index.

    Raises
    ------
    ValueError
        When ``time_to_funding`` lies outside ``[0, funding_interval]``.

    References
    ----------
    BitMEX, "Fair Price Marking": "Funding Basis = Funding Rate * (Time Until Funding / Funding
    Interval)".

    Examples
    --------
    >>> funding_basis(0.0003, 2 * HOUR)
    7.5e-05
    """
    f = v.as_float("funding_rate", funding_rate)
    interval = float(_duration("funding_interval", funding_interval))
    tau = v.nonnegative("time_to_funding", time_to_funding)
    if np.any(tau > interval * (1 + 1e-12)):
        raise ValueError(
            f"time_to_funding must lie in [0, funding_interval={interval!r}] s, got "
            f"{float(np.max(tau))!r}"
        )
    return v.scalar_or_array(f * tau / interval)


def fair_price(
    index: ArrayLike,
    funding_rate: ArrayLike,
    time_to_funding: ArrayLike,
    funding_interval: float = FUNDING_PERIOD,
) -> Any:
    """BitMEX's fair price of a perpetual: ``index * (1 + funding rate * tau / interval)``.

    It depends on the index and the current funding rate only, so nothing traded on the venue
    itself moves it between fundings. This is also Binance's and Bybit's "Price 1".

    Parameters
    ----------
    index : float or array
        Index price (> 0).
    funding_rate, time_to_funding, funding_interval
        As in :func:`funding_basis`.

    Returns
    -------
    float or ndarray

    References
    ----------
    BitMEX, "Fair Price Marking": "Fair Price = Index Price * (1 + Funding Basis)".

    Examples
    --------
    With a zero funding rate the fair price is the index:

    >>> fair_price(30_000.0, 0.0, 4 * HOUR)
    30000.0
    >>> fair_price(30_000.0, 0.001, 4 * HOUR)    # half the period left: half the rate
    30015.0
    """
    i = v.positive("index", index)
    return v.scalar_or_array(
        i * (1.0 + np.asarray(funding_basis(funding_rate, time_to_funding, funding_interval)))
    )


def median_of_three(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> Any:
    """Elementwise median of three arrays: ``max(min(a, b), min(max(a, b), c))``.

    Parameters
    ----------
    a, b, c : float or array
        Finite values, broadcast together.

    Returns
    -------
    float or ndarray
        The middle value at each position; never the largest or smallest of the three unless it
        ties.

    References
    ----------
    The median in Binance's and Bybit's mark prices and in Hyperliquid's.

    Examples
    --------
    >>> median_of_three(1.0, 3.0, 2.0)
    2.0
    """
    x = v.as_float("a", a)
    y = v.as_float("b", b)
    z = v.as_float("c", c)
    return v.scalar_or_array(np.maximum(np.minimum(x, y), np.minimum(np.maximum(x, y), z)))


@dataclass(frozen=True)
class BasisWindow:
    """A moving-average basis: window length and the interval between the venue's samples.

    Attributes
    ----------
    window : float
        Averaging window (s), a whole multiple of ``interval``.
    interval : float
        Seconds between the venue's readings of the basis.
    """

    window: float
    interval: float

    def __post_init__(self) -> None:
        v.positive("window", self.window)
        v.positive("interval", self.interval)
        _window_samples(self.window, self.interval)


#: Binance COIN-M: 30 samples, one every 5 s ("Moving Average (2.5-Minute Basis)").
BINANCE_COINM_BASIS = BasisWindow(window=150.0, interval=5.0)
#: Bybit perpetuals: "Moving Average (5-minute Basis) ... measures every second".
BYBIT_PERP_BASIS = BasisWindow(window=300.0, interval=1.0)
#: Bybit futures: a 10-minute moving average of the relative basis, impact mid refreshed per second.
BYBIT_FUTURES_BASIS = BasisWindow(window=600.0, interval=1.0)
#: Hyperliquid: time constant of the EMA of mid minus oracle, in seconds.
HYPERLIQUID_EMA_TIME_CONSTANT = 150.0
#: Hyperliquid: weights of Binance, OKX, Bybit, Gate IO and MEXC perp mids in the third mark input.
HYPERLIQUID_EXTERNAL_WEIGHTS = (3.0, 2.0, 2.0, 1.0, 1.0)


def basis_moving_average(
    mid: ArrayLike,
    index: ArrayLike,
    *,
    window: float | BasisWindow,
    interval: float | None = None,
    dt: float = 1.0,
    relative: bool = False,
    axis: int = -1,
) -> Any:
    """Moving average of the basis ``mid - index`` as a venue samples it, on the series' own grid.

    The venue reads the basis every ``interval`` seconds and averages its last ``window /
    interval`` readings; between readings the last average is held. ``mid`` and ``index`` are
    regular series ``dt`` seconds apart.

    Parameters
    ----------
    mid : array
        The venue's order-book mid ``(bid1 + ask1) / 2`` (Binance, Bybit perpetuals) or impact mid
        (Bybit futures), > 0.
    index : array
        Index price on the same grid (> 0).
    window : float or BasisWindow
        Averaging window in seconds, or a preset such as :data:`BINANCE_COINM_BASIS`.
    interval : float, optional
        Seconds between the venue's samples (taken from ``window`` when it is a BasisWindow).
    dt : float
        Spacing of the given series (s); ``interval`` must be a whole multiple of it.
    relative : bool
        Average ``(mid - index) / index`` (Bybit futures' "basis rate") instead of ``mid - index``.
    axis : int

    Returns
    -------
    ndarray

    References
    ----------
    Binance COIN-M FAQ ("Moving Average (2.5-Minute Basis)", 30 samples); Bybit, "Mark Price
    Calculation" (perpetual: 5-minute basis measured every second; futures: 10-minute average of
    the relative basis).

    Examples
    --------
    A mid 1 above the index for 10 s, then back, read every 5 s, 4 readings averaged:

    >>> mid = [100.0] * 5 + [101.0] * 10 + [100.0] * 10
    >>> basis_moving_average(mid, [100.0] * 25, window=20.0, interval=5.0).tolist()[::5]
    [0.0, 0.5, 0.6666666666666666, 0.5, 0.5]
    """
    if isinstance(window, BasisWindow):
        if interval is not None:
            raise ValueError("give interval only with a window in seconds, not with a BasisWindow")
        window_s, interval = window.window, window.interval
    else:
        window_s = window
    if interval is None:
        interval = dt
    m = _series("mid", v.positive("mid", mid), axis)
    i = _series("index", v.positive("index", index), axis)
    if m.shape != i.shape:
        raise ValueError(f"mid and index must have the same shape, got {m.shape} and {i.shape}")
    k = _stride(float(_duration("interval", interval)), float(_duration("dt", dt)))
    n_win = _window_samples(float(_duration("window", window_s)), float(interval))
    basis = (m - i) / i if relative else m - i
    readings = basis[..., ::k]
    avg = moving_average(readings, n_win)
    held = np.repeat(avg, k, axis=-1)[..., : m.shape[-1]]
    return np.moveaxis(held, -1, axis)


def ema_basis(
    mid: ArrayLike,
    oracle: ArrayLike,
    *,
    dt: float = 1.0,
    interval: float | None = None,
    time_constant: float = HYPERLIQUID_EMA_TIME_CONSTANT,
    axis: int = -1,
) -> Any:
    """EMA of ``mid - oracle`` as a venue samples it (Hyperliquid's first mark input, less oracle).

    The venue updates every ``interval`` seconds (Hyperliquid: about 3 s, when validators publish
    oracle prices); each update feeds ``mid - oracle`` into :func:`ema` with ``t = interval``.

    Parameters
    ----------
    mid : array
        The venue's mid price (> 0), regular with spacing ``dt``.
    oracle : array
        The oracle (index) price on the same grid (> 0).
    dt : float
        Spacing of the series (s).
    interval : float, optional
        Seconds between the venue's updates (a whole multiple of ``dt``; default ``dt``).
    time_constant : float
        EMA time constant (s); Hyperliquid's is 150.
    axis : int

    Returns
    -------
    ndarray
        The EMA of ``mid - oracle`` held between updates, in price units.

    References
    ----------
    Hyperliquid docs, "Robust price indices": "Oracle price plus a 150 second exponential moving
    average (EMA) of the difference between Hyperliquid's mid price and the oracle price".

    Examples
    --------
    >>> ema_basis([101.0] * 4, [100.0] * 4).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    if interval is None:
        interval = dt
    m = _series("mid", v.positive("mid", mid), axis)
    o = _series("oracle", v.positive("oracle", oracle), axis)
    if m.shape != o.shape:
        raise ValueError(f"mid and oracle must have the same shape, got {m.shape} and {o.shape}")
    k = _stride(float(_duration("interval", interval)), float(_duration("dt", dt)))
    readings = (m - o)[..., ::k]
    avg = ema(readings, float(interval), time_constant=time_constant)
    held = np.repeat(avg, k, axis=-1)[..., : m.shape[-1]]
    return np.moveaxis(held, -1, axis)


@dataclass(frozen=True)
class MedianMark:
    """Binance/Bybit perpetual mark price and its three inputs.

    Attributes
    ----------
    price : float or ndarray
        ``median(price1, price2, last)``.
    price1 : float or ndarray
        ``index * (1 + last funding rate * time to funding / 8 h)``.
    price2 : float or ndarray
        ``index + moving average of the basis``.
    last : float or ndarray
        The last traded price.
    """

    price: Any
    price1: Any
    price2: Any
    last: Any


def median_mark_price(
    index: ArrayLike,
    last_funding_rate: ArrayLike,
    time_to_funding: ArrayLike,
    basis_average: ArrayLike,
    last_price: ArrayLike,
    funding_interval: float = FUNDING_PERIOD,
) -> MedianMark:
    """Binance's (and Bybit's perpetual) mark price: the median of two index-based prices and last.

    ``Price 1 = index * (1 + f * tau / 8h)`` (BitMEX's fair price), ``Price 2 = index + MA(basis)``
    and the mark is ``median(Price 1, Price 2, last)``. A wick in the last price alone can never
    move the median beyond the two index-based prices: the median of three always lies between
    the other two whenever one of them is extreme.

    Parameters
    ----------
    index : float or array
        Index price (> 0).
    last_funding_rate : float or array
        The last funding rate, per ``funding_interval``.
    time_to_funding : float or array
        Seconds until the next funding.
    basis_average : float or array
        Moving average of ``mid - index`` in price units (:func:`basis_moving_average`).
    last_price : float or array
        Last traded price on the venue (> 0).
    funding_interval : float
        Seconds per funding period (8 h).

    Returns
    -------
    MedianMark

    References
    ----------
    Binance, "Mark Price and Price Index" (COIN-M) and Bybit, "Mark Price Calculation (Perpetual
    Contract)" (module references [2] and [3]).

    Examples
    --------
    A wick to 27,000 with the index at 30,000 and the basis average at -20:

    >>> m = median_mark_price(30_000.0, 0.0001, 4 * HOUR, -20.0, 27_000.0)
    >>> m.price, m.price1
    (29980.0, 30001.5)
    """
    p1 = np.asarray(fair_price(index, last_funding_rate, time_to_funding, funding_interval))
    i = v.positive("index", index)
    p2 = i + v.as_float("basis_average", basis_average)
    last = v.positive("last_price", last_price)
    mark = np.asarray(median_of_three(p1, p2, last))
    return MedianMark(
        price=v.scalar_or_array(mark),
        price1=v.scalar_or_array(p1),
        price2=v.scalar_or_array(p2),
        last=v.scalar_or_array(np.broadcast_to(last, mark.shape).copy()),
    )


def basis_rate_mark_price(index: ArrayLike, basis_rate: ArrayLike) -> Any:
    """Bybit's futures mark price ``index * (1 + basis rate)``.

    ``basis_rate`` is the 10-minute moving average of ``(impact mid - index) / index``:
    :func:`basis_moving_average` with ``window=BYBIT_FUTURES_BASIS, relative=True``.

    Parameters
    ----------
    index : float or array
        Index price (> 0).
    basis_rate : float or array
        Relative basis (> -1).

    Returns
    -------
    float or ndarray

    References
    ----------
    Bybit, "Mark Price Calculation (Futures Contracts)": "Mark Price = Index Price x (1 + Basis
    Rate)".

    Examples
    --------
    >>> basis_rate_mark_price(40_000.0, 0.0025)
    40100.0
    """
    i = v.positive("index", index)
    b = v.as_float("basis_rate", basis_rate)
    if np.any(b <= -1):
        raise ValueError(f"basis_rate must be > -1, got {float(np.min(b))!r}")
    return v.scalar_or_array(i * (1.0 + b))


@dataclass(frozen=True)
class HyperliquidMark:
    """Hyperliquid's mark price and its three inputs.

    Attributes
    ----------
    price : float or ndarray
        Median of the three inputs.
    oracle_ema : float or ndarray
        Oracle plus the 150 s EMA of ``mid - oracle``.
    book_median : float or ndarray
        Median of best bid, best ask and last trade.
    external_median : float or ndarray
        Weighted median of other venues' perp mids.
    """

    price: Any
    oracle_ema: Any
    book_median: Any
    external_median: Any


def hyperliquid_mark_price(
    oracle: ArrayLike,
    ema_of_basis: ArrayLike,
    best_bid: ArrayLike,
    best_ask: ArrayLike,
    last_price: ArrayLike,
    external_mids: ArrayLike,
    external_weights: ArrayLike = HYPERLIQUID_EXTERNAL_WEIGHTS,
) -> HyperliquidMark:
    """Hyperliquid's mark price: the median of three robust prices.

    1. ``oracle + EMA_150s(mid - oracle)`` (:func:`ema_basis`);
    2. ``median(best bid, best ask, last trade)`` on Hyperliquid;
    3. the weighted median of Binance, OKX, Bybit, Gate IO and MEXC perp mids, weights 3, 2, 2,
       1, 1 (``external_mids`` has those venues along its last axis).

    (The docs add a fourth input, a 30 s EMA of the book median, when only two of the three exist;
    every input exists here.)

    Parameters
    ----------
    oracle : float or array
        Oracle price (> 0): the weighted median of spot prices (:func:`weighted_median`).
    ema_of_basis : float or array
        The EMA of ``mid - oracle`` in price units (:func:`ema_basis`).
    best_bid, best_ask, last_price : float or array
        Hyperliquid's own top of book and last trade (> 0).
    external_mids : array, shape (..., n_venues)
        Other venues' perpetual mids (> 0), venues along the last axis.
    external_weights : array
        Weights of those venues (default 3, 2, 2, 1, 1).

    Returns
    -------
    HyperliquidMark

    References
    ----------
    Hyperliquid docs, "Robust price indices".

    Examples
    --------
    A wick to 90 on Hyperliquid's book: the book median follows it, the median of the three does
    not.

    >>> others = [100.1, 100.0, 99.9, 100.2, 100.0]
    >>> m = hyperliquid_mark_price(100.0, -0.4, 89.9, 90.1, 90.0, others)
    >>> m.price, m.book_median
    (99.6, 90.0)
    """
    o = v.positive("oracle", oracle)
    first = o + v.as_float("ema_of_basis", ema_of_basis)
    bid = v.positive("best_bid", best_bid)
    ask = v.positive("best_ask", best_ask)
    last = v.positive("last_price", last_price)
    book = np.asarray(median_of_three(bid, ask, last))
    ext = v.positive("external_mids", external_mids)
    if ext.ndim == 0:
        raise ValueError("external_mids must hold one mid per external venue (last axis)")
    ext_med = np.asarray(weighted_median(ext, external_weights))
    mark = np.asarray(median_of_three(first, book, ext_med))
    return HyperliquidMark(
        price=v.scalar_or_array(mark),
        oracle_ema=v.scalar_or_array(np.broadcast_to(first, mark.shape).copy()),
        book_median=v.scalar_or_array(np.broadcast_to(book, mark.shape).copy()),
        external_median=v.scalar_or_array(np.broadcast_to(ext_med, mark.shape).copy()),
    )


def breached(
    trigger_prices: ArrayLike,
    liquidation_prices: ArrayLike,
    side: ArrayLike,
    *,
    opened: ArrayLike | None = None,
) -> Any:
    """Which positions a price path liquidates: a long when the path touches or falls below its
    liquidation price, a short when it touches or rises above it.

    Parameters
    ----------
    trigger_prices : array, shape (T,)
        The path of the price the venue triggers on (last, index or a mark).
    liquidation_prices : array
        One liquidation price per position (``nan`` for a position that cannot be liquidated).
    side : +1, -1 or array
        Position sides.
    opened : int array, optional
        Index of the sample at which each position was opened; only the path from there on counts
        (default: the whole path for every position).

    Returns
    -------
    ndarray of bool
        Shape of ``liquidation_prices`` broadcast with ``side`` (and ``opened``).

    Examples
    --------
    >>> breached([100.0, 93.0, 99.0], [95.0, 90.0, 105.0], [1, 1, -1]).tolist()
    [True, False, False]
    >>> breached([100.0, 93.0, 99.0], [95.0, 95.0], 1, opened=[0, 2]).tolist()
    [True, False]
    """
    path = v.positive("trigger_prices", trigger_prices).reshape(-1)
    if path.size == 0:
        raise ValueError("trigger_prices must hold at least one price")
    lp = np.asarray(liquidation_prices, dtype=np.float64)
    if np.any(np.isinf(lp)):
        raise ValueError("liquidation_prices must be finite or nan (no liquidation price)")
    s = v.side("side", side)
    if opened is None:
        low: Any = path.min()
        high: Any = path.max()
    else:
        k = np.asarray(opened)
        if k.dtype.kind not in "iu":
            raise ValueError(f"opened must hold integer sample indices, got dtype {k.dtype}")
        if k.size and (k.min() < 0 or k.max() >= path.size):
            raise ValueError(
                f"opened must index the path: each in [0, {path.size}), got "
                f"{int(k.min())}..{int(k.max())}"
            )
        low = np.minimum.accumulate(path[::-1])[::-1][k]  # lowest price from each opening on
        high = np.maximum.accumulate(path[::-1])[::-1][k]
    with np.errstate(invalid="ignore"):
        hit = np.where(s > 0, low <= lp, high >= lp)
    return np.asarray(hit & ~np.isnan(lp))


# --- funding --------------------------------------------------------------------------------------


def impact_notional(margin: ArrayLike, initial_margin_rate: ArrayLike) -> Any:
    """Notional an order with ``margin`` of initial margin controls: ``margin / IMR``.

    The impact bid and ask prices are the average fills of a market order of this notional.

    Parameters
    ----------
    margin : float or array
        Initial margin of the reference order (> 0): 200 USDT (Binance), 500 USDC (dYdX).
    initial_margin_rate : float or array
        Initial margin rate at maximum leverage, in (0, 1).

    Returns
    -------
    float or ndarray

    References
    ----------
    Binance funding FAQ: "Impact Margin Notional = 200 USDT / Initial Margin Rate at maximum
    leverage" (20x, so 5%: 4,000 USDT); dYdX docs, "Impact Notional Amount = 500 USDC / Initial
    Margin Fraction" ("at a 10% initial margin fraction ... 5,000 USDC").

    Examples
    --------
    >>> impact_notional(200, 0.05), impact_notional(500, 0.10)
    (4000.0, 5000.0)
    """
    m = v.positive("margin", margin)
    imr = v.rate("initial_margin_rate", initial_margin_rate, allow_zero=False)
    return v.scalar_or_array(m / imr)


def impact_price(prices: ArrayLike, sizes: ArrayLike, notional_value: float) -> float:
    """Average fill price of a market order for ``notional_value`` walking one side of a book.

    Parameters
    ----------
    prices : array
        Price levels from the best outward (bids descending, asks ascending), > 0.
    sizes : array
        Base-asset size resting at each level (> 0).
    notional_value : float
        Quote amount to execute (> 0), e.g. :func:`impact_notional`.

    Returns
    -------
    float
        ``notional_value / base filled``.

    Raises
    ------
    ValueError
        When the book is not deep enough, or levels are out of order.

    Examples
    --------
    >>> round(impact_price([100.0, 99.0, 98.0], [10.0, 20.0, 50.0], 2_000.0), 4)
    99.4975
    """
    p = v.positive("prices", prices).reshape(-1)
    q = v.positive("sizes", sizes).reshape(-1)
    if p.size == 0 or p.size != q.size:
        raise ValueError(
            f"prices and sizes must be non-empty and of equal length, got {p.size} and {q.size}"
        )
    if p.size > 1 and not (np.all(np.diff(p) < 0) or np.all(np.diff(p) > 0)):
        raise ValueError("prices must run strictly from the best level outward (monotone)")
    target = float(v.positive("notional_value", notional_value))
    level_notional = p * q
    cum = np.cumsum(level_notional)
    if cum[-1] < target:
        raise ValueError(
            f"the book holds {cum[-1]!r} of notional, less than notional_value={target!r}"
        )
    k = int(np.searchsorted(cum, target))
    before = cum[k - 1] if k > 0 else 0.0
    base = (q[:k].sum() if k > 0 else 0.0) + (target - before) / p[k]
    return target / float(base)


def premium_index(impact_bid: ArrayLike, impact_ask: ArrayLike, index: ArrayLike) -> Any:
    """Premium index ``[max(0, impact bid - index) - max(0, index - impact ask)] / index``.

    Positive when even the impact bid is above the index (the perpetual trades rich), negative when
    even the impact ask is below it, and zero while the index lies inside the impact spread.

    Parameters
    ----------
    impact_bid, impact_ask : float or array
        Average fill prices of selling and buying the impact notional (> 0, bid <= ask).
    index : float or array
        Index (oracle) price (> 0).

    Returns
    -------
    float or ndarray
        A fraction of the index.

    References
    ----------
    Binance funding FAQ; Bybit, "Introduction to Funding Rate"; Hyperliquid docs, "Funding"
    (``impact_price_difference / oracle_price``); dYdX docs, "Funding".

    Examples
    --------
    Hyperliquid's example: impact bid 10,100 against an oracle of 10,000.

    >>> premium_index(10_100.0, 10_110.0, 10_000.0)
    0.01
    """
    b = v.positive("impact_bid", impact_bid)
    a = v.positive("impact_ask", impact_ask)
    i = v.positive("index", index)
    if np.any(b > a):
        raise ValueError("impact_bid must not exceed impact_ask")
    return v.scalar_or_array((np.maximum(0.0, b - i) - np.maximum(0.0, i - a)) / i)


def funding_rate(
    premium: ArrayLike,
    interest: ArrayLike = 0.0001,
    clamp: float = 0.0005,
    *,
    cap: float | None = None,
    floor: float | None = None,
) -> Any:
    """Funding rate per 8 h: ``F = P + clamp(I - P, -c, c)``, then capped to ``[floor, cap]``.

    Whenever the premium ``P`` is within ``c`` of the interest rate ``I``, ``F = I`` exactly; beyond
    that, ``F`` follows the premium at a distance ``c``:

    ``F = I`` if ``|P - I| <= c``,  ``F = P - c`` if ``P > I + c``,  ``F = P + c`` if ``P < I - c``.

    Parameters
    ----------
    premium : float or array
        Average premium index over the period (fraction; may be negative).
    interest : float or array
        Interest-rate component per 8 h (Binance, Bybit, Hyperliquid: 0.0001).
    clamp : float
        Half-width ``c`` of the dead band (0.0005), >= 0.
    cap, floor : float, optional
        Bounds on the 8 h rate (``floor`` defaults to ``-cap``); Hyperliquid caps at 4%/hour,
        i.e. ``cap=0.32`` in 8 h terms; dYdX at :func:`margin_funding_cap`.

    Returns
    -------
    float or ndarray

    References
    ----------
    Hyperliquid docs, "Funding" (formula and worked example); Bybit, "Introduction to Funding
    Rate"; Binance funding FAQ.

    Examples
    --------
    Hyperliquid's worked example: premium 1%, interest 0.01%:

    >>> round(funding_rate(0.01), 10)
    0.0095
    >>> funding_rate(0.0003)            # inside the dead band: the interest rate
    0.0001
    """
    p = v.as_float("premium", premium)
    i = v.as_float("interest", interest)
    c = float(v.nonnegative("clamp", clamp))
    f = p + np.clip(i - p, -c, c)
    if cap is not None or floor is not None:
        hi = np.inf if cap is None else float(v.positive("cap", cap))
        lo = -hi if floor is None else float(v.as_float("floor", floor))
        if lo >= hi:
            raise ValueError(f"floor must be below cap, got floor={lo!r}, cap={hi!r}")
        f = np.clip(f, lo, hi)
    return v.scalar_or_array(f)


def interest_rate(quote_rate: ArrayLike, base_rate: ArrayLike, fundings_per_day: int = 3) -> Any:
    """Interest component per funding interval from daily borrowing rates of quote and base.

    Parameters
    ----------
    quote_rate, base_rate : float or array
        Daily borrowing rates of the quote and the base currency.
    fundings_per_day : int
        Funding payments per day (3 for 8-hourly funding).

    Returns
    -------
    float or ndarray

    References
    ----------
    Bybit legacy funding article 360039261114: "The Interest Rate = (0.06%-0.03%)/3 = 0.01%".

    Examples
    --------
    >>> round(interest_rate(0.0006, 0.0003), 10)
    0.0001
    """
    q = v.as_float("quote_rate", quote_rate)
    b = v.as_float("base_rate", base_rate)
    if not isinstance(fundings_per_day, (int, np.integer)) or fundings_per_day < 1:
        raise ValueError(f"fundings_per_day must be a whole number >= 1, got {fundings_per_day!r}")
    return v.scalar_or_array((q - b) / fundings_per_day)


def margin_funding_cap(
    initial_margin_fraction: ArrayLike,
    maintenance_margin_fraction: ArrayLike,
    multiplier: float = 6.0,
) -> Any:
    """dYdX's cap on the 8 h funding rate: ``600% * (IMF - MMF)``.

    The cap is the margin a position holds above maintenance, times six: a position at maximum
    leverage can pay at most a sixth of its buffer per 8 h.

    Parameters
    ----------
    initial_margin_fraction, maintenance_margin_fraction : float or array
        In (0, 1), maintenance below initial.
    multiplier : float
        dYdX's default is 6 (600%).

    Returns
    -------
    float or ndarray
        The cap on the 8-hour funding rate.

    References
    ----------
    dYdX docs, "Funding": "The 8-hour rate cap is calculated by 600% * (Initial Margin -
    Maintenance Margin)"; BTC-USD: "600% * (5% - 3%) = 12%".

    Examples
    --------
    >>> round(margin_funding_cap(0.05, 0.03), 10)
    0.12
    """
    imf = v.rate("initial_margin_fraction", initial_margin_fraction, allow_zero=False)
    mmf = v.rate("maintenance_margin_fraction", maintenance_margin_fraction, allow_zero=False)
    if np.any(mmf >= imf):
        raise ValueError("maintenance_margin_fraction must be below initial_margin_fraction")
    k = float(v.positive("multiplier", multiplier))
    return v.scalar_or_array(k * (imf - mmf))


def dydx_funding_rate(
    premium: ArrayLike, *, interest: ArrayLike = 0.0, cap: float | None = None
) -> Any:
    """dYdX's **hourly** funding rate ``premium / 8 + interest``, capped at ``cap / 8``.

    Parameters
    ----------
    premium : float or array
        The one-hour premium (average of 60 one-minute samples), a fraction.
    interest : float or array
        Interest component per hour (0 for cross markets; 0.125 bp/h for isolated markets).
    cap : float, optional
        Cap on the **8-hour** rate (:func:`margin_funding_cap`); the hourly cap is an eighth.

    Returns
    -------
    float or ndarray
        The hourly rate.

    References
    ----------
    dYdX docs, "Funding": "Funding Rate = (Premium Component / 8) + Interest Rate Component".

    Examples
    --------
    >>> dydx_funding_rate(0.004)
    0.0005
    >>> round(dydx_funding_rate(0.2, cap=margin_funding_cap(0.05, 0.03)), 10)   # 12% / 8
    0.015
    """
    p = v.as_float("premium", premium)
    i = v.as_float("interest", interest)
    rate = p / 8.0 + i
    if cap is not None:
        hourly_cap = float(v.positive("cap", cap)) / 8.0
        rate = np.clip(rate, -hourly_cap, hourly_cap)
    return v.scalar_or_array(rate)


def rate_per_payment(
    rate: ArrayLike, payment_interval: float = FUNDING_PERIOD, rate_period: float = FUNDING_PERIOD
) -> Any:
    """The part of a rate quoted per ``rate_period`` paid at each payment: ``rate * interval /
    period``. Hyperliquid pays its 8 h rate "every hour at one eighth".

    Parameters
    ----------
    rate : float or array
        The rate per ``rate_period``.
    payment_interval : float
        Seconds between payments.
    rate_period : float
        Seconds the rate is quoted for (8 h).

    Returns
    -------
    float or ndarray

    References
    ----------
    Hyperliquid docs, "Funding": "funding is paid every hour at one eighth of the computed rate";
    dYdX docs, "Funding" (premium / 8 each hour).

    Examples
    --------
    >>> rate_per_payment(0.0095, HOUR)
    0.0011875
    """
    r = v.as_float("rate", rate)
    interval = float(_duration("payment_interval", payment_interval))
    period = float(_duration("rate_period", rate_period))
    return v.scalar_or_array(r * interval / period)


def funding_payment(
    side: ArrayLike,
    size: ArrayLike,
    price: ArrayLike,
    rate: ArrayLike,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Funding **paid** by a position at one payment: ``side * notional(price) * rate``.

    Positive means the position pays (a long when the rate is positive), negative that it receives.
    ``price`` is the price the venue values the position at for funding: the **mark** on Binance
    and Bybit, the **oracle** on Hyperliquid.

    Parameters
    ----------
    side : +1, -1 or array
    size : float or array
        Absolute size (> 0): base units (linear) or contracts (inverse).
    price : float or array
        Price used for the notional (> 0).
    rate : float or array
        The rate for this payment (e.g. :func:`rate_per_payment` of the 8 h rate).
    kind : {"linear", "inverse"}
        Linear pays in quote currency (``size * price``), inverse in coins
        (``size * contract_value / price``).
    contract_value : float or array

    Returns
    -------
    float or ndarray
        In the settlement currency: quote for linear, coins for inverse.

    References
    ----------
    Binance funding FAQ: "Funding Amount = Nominal Value of Positions * Funding Rate"; Hyperliquid
    docs, "Funding": "position_size * oracle_price * funding_rate".

    Examples
    --------
    Hyperliquid's example position, 10 BTC long at an oracle of 10,000, one hourly payment at
    0.95% / 8:

    >>> funding_payment(+1, 10, 10_000.0, rate_per_payment(0.0095, HOUR))
    118.75
    """
    s = v.side("side", side)
    n = np.asarray(notional(size, price, kind, contract_value))
    r = v.as_float("rate", rate)
    return v.scalar_or_array(s * n * r)


def cumulative_funding(
    side: ArrayLike,
    size: ArrayLike,
    times: ArrayLike,
    rate: ArrayLike,
    price: ArrayLike,
    *,
    payment_interval: float = FUNDING_PERIOD,
    rate_period: float = FUNDING_PERIOD,
    start: float = 0.0,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
) -> FloatArray:
    """Total funding paid by a position up to each time, with payments every ``payment_interval``.

    Payments fall at ``start + k * payment_interval`` for ``k = 1, 2, ...``. Each uses the rate and
    price in force then (the latest sample at or before the payment time) and pays
    ``rate * payment_interval / rate_period`` of the quoted rate.

    Parameters
    ----------
    side, size, kind, contract_value
        The position (scalars).
    times : array, shape (T,)
        Increasing sample times in seconds.
    rate : float or array, shape (T,)
        Funding rate per ``rate_period`` at each time.
    price : float or array, shape (T,)
        Price used for the notional (mark or oracle) at each time (> 0).
    payment_interval : float
        Seconds between payments: 8 h (Binance, Bybit) or 1 h (Hyperliquid, dYdX).
    rate_period : float
        Period the rate is quoted for (8 h).
    start : float
        Time of the last payment before ``times`` begins.

    Returns
    -------
    ndarray, shape (T,)
        Cumulative amount paid (negative: received), in the settlement currency.

    Raises
    ------
    ValueError
        Naming the argument: times not increasing, rate or price of the wrong length, a
        non-positive price or interval.

    References
    ----------
    Binance funding FAQ (every 8 hours, on mark notional); Hyperliquid docs, "Funding" (hourly at
    one eighth, on oracle notional).

    Examples
    --------
    A long of 1 at a constant price of 100 and 0.01% per 8 h, paid hourly or every 8 h:

    >>> t = np.arange(0, 16 * HOUR + 1, HOUR)
    >>> hourly = cumulative_funding(+1, 1.0, t, 0.0001, 100.0, payment_interval=HOUR)
    >>> eight = cumulative_funding(+1, 1.0, t, 0.0001, 100.0)
    >>> [round(float(x), 10) for x in (hourly[8], eight[8], hourly[12], eight[12])]
    [0.01, 0.01, 0.015, 0.01]
    """
    t = v.as_float("times", times).reshape(-1)
    if t.size == 0:
        raise ValueError("times must hold at least one time")
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise ValueError("times must be strictly increasing")
    for name, arr in (("rate", rate), ("price", price)):
        if np.ndim(arr) and np.shape(arr) != t.shape:
            raise ValueError(
                f"{name} must be a scalar or one value per time ({t.size}), got shape "
                f"{np.shape(arr)}"
            )
    r = np.broadcast_to(v.as_float("rate", rate), t.shape)
    p = np.broadcast_to(v.positive("price", price), t.shape)
    interval = float(_duration("payment_interval", payment_interval))
    s0 = float(v.as_float("start", start))
    if s0 > t[0]:
        raise ValueError(f"start must be at or before the first time {t[0]!r}, got {s0!r}")
    k_max = int(np.floor((t[-1] - s0) / interval + 1e-9))
    if k_max < 1:
        return np.zeros(t.shape)
    pay_times = s0 + interval * np.arange(1, k_max + 1)
    at = np.searchsorted(t, pay_times + 1e-9 * interval, side="right") - 1
    valid = at >= 0
    pay_times, at = pay_times[valid], at[valid]
    per_payment = np.asarray(rate_per_payment(r[at], interval, rate_period))
    amounts = np.asarray(funding_payment(side, size, p[at], per_payment, kind, contract_value))
    cum = np.concatenate(([0.0], np.cumsum(amounts)))
    count = np.searchsorted(pay_times, t + 1e-9 * interval, side="right")
    return cum[count]


@dataclass(frozen=True)
class FundingDrift:
    """A position's margin and liquidation price as funding is paid over time.

    Attributes
    ----------
    times : ndarray
        Seconds.
    paid : ndarray
        Cumulative funding paid (negative: received), settlement currency.
    liquidation : LiquidationResult
        Liquidation price at each time with the funding taken out of margin;
        ``liquidation.below_maintenance`` marks the times the position is liquidatable at
        ``price``.
    """

    times: Any
    paid: Any
    liquidation: LiquidationResult

    @property
    def first_liquidatable(self) -> float:
        """First time at which the position is liquidatable (``nan`` if never)."""
        hit = np.flatnonzero(np.asarray(self.liquidation.below_maintenance))
        return float(self.times[hit[0]]) if hit.size else float("nan")


def funding_drift(
    side: int,
    size: float,
    entry_price: float,
    times: ArrayLike,
    rate: ArrayLike,
    price: ArrayLike,
    *,
    leverage: float | None = None,
    collateral: float | None = None,
    mmr: Maintenance | Tier = 0.005,
    payment_interval: float = FUNDING_PERIOD,
    rate_period: float = FUNDING_PERIOD,
    funding_price: ArrayLike | None = None,
    kind: str | ContractKind = LINEAR,
    contract_value: float = 1.0,
    fee_rate: float = 0.0,
    maintenance_at: str = "liquidation",
) -> FundingDrift:
    """How funding paid out of an isolated position's margin walks its liquidation price.

    Funding paid is margin removed, so it enters :func:`liqlib.liquidation_price` as negative
    ``extra_margin``; the price is solved by that function at every time.

    Parameters
    ----------
    side, size, entry_price
        The position.
    times : array
        Seconds since the position was opened (increasing).
    rate : float or array
        Funding rate per ``rate_period`` in force at each time.
    price : float or array
        Mark price at each time (judges ``below_maintenance``; also the funding notional's price
        unless ``funding_price`` is given).
    leverage, collateral
        Margin posted at entry (give one).
    mmr, fee_rate, kind, contract_value, maintenance_at
        As in :func:`liqlib.liquidation_price`.
    payment_interval, rate_period
        As in :func:`cumulative_funding`.
    funding_price : float or array, optional
        Price for the funding notional if not the mark (Hyperliquid: the oracle).

    Returns
    -------
    FundingDrift

    References
    ----------
    Bybit, "Liquidation Price (USDT Contract)": funding deducted from position margin raises a
    long's liquidation price (its example: 200 USDT of funding, 19,700 to 19,900).

    Examples
    --------
    A 10x long of 1 at 100, mark held at 100, paying 0.1% per 8 h: after 3 payments (24 h) 0.3
    has been paid, the margin is 9.7 and the liquidation price ``(100 - 9.7) / (1 - 0.005)``:

    >>> d = funding_drift(+1, 1.0, 100.0, [0.0, 24 * HOUR], 0.001, 100.0, leverage=10)
    >>> d.liquidation.price.round(4).tolist(), round(float(d.paid[-1]), 10)
    ([90.4523, 90.7538], 0.3)
    """
    t = v.as_float("times", times).reshape(-1)
    px = np.broadcast_to(v.positive("price", price), t.shape)
    fp = (
        px
        if funding_price is None
        else np.broadcast_to(v.positive("funding_price", funding_price), t.shape)
    )
    paid = cumulative_funding(
        side,
        size,
        t,
        rate,
        fp,
        payment_interval=payment_interval,
        rate_period=rate_period,
        kind=kind,
        contract_value=contract_value,
    )
    result = liquidation_price(
        side,
        size,
        entry_price,
        leverage=leverage,
        collateral=collateral,
        extra_margin=-paid,
        mmr=mmr,
        fee_rate=fee_rate,
        kind=kind,
        contract_value=contract_value,
        mark_price=px,
        maintenance_at=maintenance_at,
    )
    return FundingDrift(times=t, paid=paid, liquidation=result)


# --- no-arbitrage price of a perpetual (Ackerer, Hugonnier and Jermann) -------------------------


def _ahj_inputs(
    spot: ArrayLike, kappa: float, iota: float, r: float, q: float, period: float | None
) -> tuple[FloatArray, float, float, float]:
    """Validated spot, kappa, iota and carry: ``r - q`` (continuous) or ``exp((r-q)*period)``."""
    x = v.positive("spot", spot)
    k = float(v.positive("kappa", kappa))
    i = float(v.as_float("iota", iota))
    carry = float(v.as_float("r", r)) - float(v.as_float("q", q))
    if period is None:
        return x, k, i, carry
    return x, k, i, math.exp(carry * float(_duration("period", period)))


def perpetual_price(
    spot: ArrayLike,
    *,
    kappa: float,
    iota: float = 0.0,
    r: float = 0.0,
    q: float = 0.0,
    period: float | None = None,
    funding_on: str = "previous",
) -> Any:
    """No-arbitrage price of a linear perpetual future (Ackerer, Hugonnier and Jermann).

    A long pays, per funding period, ``kappa * (f - x) + iota * x``: the premium of the perpetual
    ``f`` over spot ``x`` at funding intensity ``kappa``, plus an interest component ``iota``.
    Costless entry and continuous marking to market then pin ``f = a * x`` with

    * discrete funding on the previous period's prices (AHJ eq. 12):
      ``a = (kappa - iota) / (1 + kappa - g)``, ``g = exp((r - q) * period)``;
    * discrete funding on the current prices: ``a = (kappa - iota) / (1/g - 1 + kappa)``;
    * continuous funding (``period=None``; AHJ Prop. 3): ``a = (kappa - iota) / (kappa + q - r)``.

    Parameters
    ----------
    spot : float or array
        Spot (index) price ``x`` (> 0).
    kappa : float
        Funding intensity: per period (discrete; exchanges with ``F ~ premium`` have 1) or per
        year (continuous).
    iota : float
        Interest component, in the same units as ``kappa``.
    r, q : float
        Continuously compounded quote-currency rate and base-asset yield, per year.
    period : float, optional
        Funding period in **years** (8 h = 8 / 8760); None for continuous funding.
    funding_on : {"previous", "current"}
        Whether a payment uses the prices at the start or at the end of its period (discrete only).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        When the funding is too weak to anchor the price (no finite solution: ``kappa <= g - 1``
        for "previous", ``kappa * g <= g - 1`` for "current", ``kappa <= r - q`` continuous).

    References
    ----------
    D. Ackerer, J. Hugonnier, U. Jermann, "Perpetual Futures Pricing", arXiv:2310.11771, eq. (12)
    and Prop. 3; QuantLib ``test-suite/perpetualfutures.cpp`` encodes the same closed forms.

    Examples
    --------
    With ``iota = exp((r - q) * period) - 1`` the perpetual equals spot exactly:

    >>> dt = 8 / 8760
    >>> perpetual_price(100.0, kappa=1.0, iota=math.expm1(0.05 * dt), r=0.05, period=dt)
    100.0
    >>> round(perpetual_price(100.0, kappa=0.2, iota=0.005, r=0.04, q=0.02), 6)   # continuous
    108.333333
    """
    v.choice("funding_on", funding_on, ("previous", "current"))
    x, k, i, g = _ahj_inputs(spot, kappa, iota, r, q, period)
    if period is None:
        carry = g
        if k <= carry:
            raise ValueError(f"kappa must exceed r - q = {carry!r} for a finite price, got {k!r}")
        a = (k - i) / (k - carry)
    elif funding_on == "previous":
        if 1 + k - g <= 0:
            raise ValueError(f"kappa must exceed exp((r - q) * period) - 1 = {g - 1!r}, got {k!r}")
        a = (k - i) / (1 + k - g)
    else:
        if 1 / g - 1 + k <= 0:
            raise ValueError(
                f"kappa must exceed 1 - exp(-(r - q) * period) = {1 - 1 / g!r}, got {k!r}"
            )
        a = (k - i) / (1 / g - 1 + k)
    return v.scalar_or_array(a * x)


@dataclass(frozen=True)
class FixedPoint:
    """Result of :func:`perpetual_price_iterate`.

    Attributes
    ----------
    price : float
        The limit (the perpetual's price).
    history : ndarray
        ``f_0 = spot, f_1, ...``: the price of a contract with that many funding periods left
        before it settles at spot.
    iterations : int
    """

    price: float
    history: FloatArray
    iterations: int


def perpetual_price_iterate(
    spot: float,
    *,
    kappa: float,
    iota: float = 0.0,
    r: float = 0.0,
    q: float = 0.0,
    period: float,
    funding_on: str = "previous",
    tol: float = 1e-13,
    max_iter: int = 1_000_000,
) -> FixedPoint:
    """The perpetual's price as the limit of contracts that settle at spot after ``n`` periods.

    One period of costless marking to market gives the recursion (with ``g = exp((r - q) period)``)

    * previous prices: ``f_n = (g * f_{n-1} + (kappa - iota) * x) / (1 + kappa)``;
    * current prices: ``f_n = g * ((1 - kappa) * f_{n-1} + (kappa - iota) * x)``,

    starting from ``f_0 = x``. It contracts by ``g / (1 + kappa)`` (or ``g * |1 - kappa|``) each
    step, so it converges to :func:`perpetual_price` whenever that is finite.

    Parameters
    ----------
    spot, kappa, iota, r, q, period, funding_on
        As in :func:`perpetual_price` (``period`` is required: the recursion is discrete).
    tol : float
        Stop when a step changes the price by less than ``tol`` relative.
    max_iter : int
        Give up after this many steps.

    Returns
    -------
    FixedPoint

    References
    ----------
    Ackerer, Hugonnier and Jermann, arXiv:2310.11771 (the discrete model behind eq. 12).

    Raises
    ------
    ValueError
        If the recursion does not contract, or has not converged after ``max_iter`` steps.

    Examples
    --------
    >>> fp = perpetual_price_iterate(100.0, kappa=0.05, iota=0.0, r=0.05, period=0.25)
    >>> round(fp.price, 8) == round(perpetual_price(100.0, kappa=0.05, r=0.05, period=0.25), 8)
    True
    """
    v.choice("funding_on", funding_on, ("previous", "current"))
    xa, k, i, g = _ahj_inputs(spot, kappa, iota, r, q, period)
    x = float(xa)
    factor = g / (1 + k) if funding_on == "previous" else g * abs(1 - k)
    if factor >= 1:
        raise ValueError(
            f"the recursion does not contract (factor {factor!r} >= 1): kappa={k!r} is too weak"
        )
    hist = [x]
    f = x
    for _ in range(max_iter):
        if funding_on == "previous":
            new = (g * f + (k - i) * x) / (1 + k)
        else:
            new = g * ((1 - k) * f + (k - i) * x)
        hist.append(new)
        if abs(new - f) <= tol * abs(new):
            return FixedPoint(price=new, history=np.array(hist), iterations=len(hist) - 1)
        f = new
    raise ValueError(f"no convergence within max_iter={max_iter} steps")


@dataclass(frozen=True)
class MonteCarloEstimate:
    """A Monte Carlo price with its standard error.

    Attributes
    ----------
    price : float
        Sample mean.
    stderr : float
        Standard error of the mean.
    n_paths : int
    """

    price: float
    stderr: float
    n_paths: int


def perpetual_price_monte_carlo(
    spot: float,
    *,
    kappa: float,
    iota: float = 0.0,
    r: float = 0.0,
    q: float = 0.0,
    sigma: float = 0.5,
    period: float | None = None,
    funding_on: str = "previous",
    n_paths: int = 200_000,
    seed: int | np.random.Generator = 0,
) -> MonteCarloEstimate:
    """The perpetual's price as ``(kappa - iota) / kappa`` times spot at a random time.

    AHJ's representation: the perpetual is worth the expected spot price at a random date whose
    hazard rate is the funding intensity, scaled by ``(kappa - iota) / kappa``. Expanding the
    closed forms as geometric series gives the random date exactly:

    * continuous: ``theta ~ Exponential(rate kappa)`` (years);
    * discrete, previous prices: ``N * period`` with ``P(N = n) = kappa / (1 + kappa) *
      (1 + kappa)**(-n)``, ``n = 0, 1, ...``;
    * discrete, current prices: ``M * period`` with ``P(M = m) = kappa * (1 - kappa)**(m - 1)``,
      ``m = 1, 2, ...`` (needs ``kappa <= 1``).

    Spot at the random date is drawn exactly from geometric Brownian motion with drift ``r - q``
    and volatility ``sigma`` (the risk-neutral dynamics).

    Parameters
    ----------
    spot, kappa, iota, r, q, period, funding_on
        As in :func:`perpetual_price`.
    sigma : float
        Annualized volatility of spot (>= 0).
    n_paths : int
        Number of random maturities drawn (>= 2).
    seed : int or Generator

    Returns
    -------
    MonteCarloEstimate

    References
    ----------
    Ackerer, Hugonnier and Jermann, arXiv:2310.11771 (the perpetual as a random-maturity future);
    He, Manela, Ross and von Wachter, arXiv:2212.06888 ("random-maturity arbitrage").

    Examples
    --------
    >>> mc = perpetual_price_monte_carlo(100.0, kappa=0.2, iota=0.005, r=0.04, q=0.02,
    ...                                  sigma=0.3, seed=1)
    >>> abs(mc.price - 108.333333) < 4 * mc.stderr
    True
    """
    v.choice("funding_on", funding_on, ("previous", "current"))
    xa, k, i, _ = _ahj_inputs(spot, kappa, iota, r, q, period)
    x = float(xa)
    vol = float(v.nonnegative("sigma", sigma))
    if not isinstance(n_paths, (int, np.integer)) or n_paths < 2:
        raise ValueError(f"n_paths must be a whole number >= 2, got {n_paths!r}")
    rng = np.random.default_rng(seed)
    theta: NDArray[Any]
    if period is None:
        theta = rng.exponential(1.0 / k, n_paths)
    elif funding_on == "previous":
        # numpy's geometric counts trials to the first success (>= 1): subtract one for n >= 0
        theta = (rng.geometric(k / (1 + k), n_paths) - 1) * period
    else:
        if k > 1:
            raise ValueError(f"kappa must be <= 1 with funding_on='current', got {k!r}")
        theta = rng.geometric(k, n_paths) * period
    drift = float(r) - float(q) - 0.5 * vol**2
    z = rng.standard_normal(n_paths)
    spot_at = x * np.exp(drift * theta + vol * np.sqrt(theta) * z)
    scale = (k - i) / k
    values = scale * spot_at
    return MonteCarloEstimate(
        price=float(values.mean()),
        stderr=float(values.std(ddof=1) / math.sqrt(n_paths)),
        n_paths=int(n_paths),
    )
