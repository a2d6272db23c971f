"""Mark prices: the index plus a smoothed basis to the venue's own book.

A wick in the last price (one aggressive order through a thin book for a few seconds) moves a
mark by only the wick's area divided by the smoothing time, which is why venues trigger
liquidations on the mark. Each venue's rule is a named function here: BitMEX's fair price,
Binance's and Bybit's median of three, Bybit's futures basis rate and Hyperliquid's median with
a 150 s EMA; :func:`breached` says which positions a price path liquidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from .averages import (
    FUNDING_PERIOD,
    _duration,
    _series,
    _stride,
    _window_samples,
    ema,
    moving_average,
    weighted_median,
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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance funding FAQ: payments "every 8 hours at 00:00 UTC, 08:00 UTC, and 16:00 UTC".

    Examples
    --------
    >>> time_to_funding([0.0, 1.0, 28_799.0, 28_800.0]).tolist()
    [0.0, 28799.0, 1.0, 0.0]
    """
    t = v.as_float("times", times)
    interval = v.one("funding_interval", _duration("funding_interval", funding_interval))
    off = v.one("offset", v.as_float("offset", offset))
    return v.scalar_or_array(np.mod(-(t - off), interval))


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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    BitMEX, "Fair Price Marking": "Funding Basis = Funding Rate * (Time Until Funding / Funding
    Interval)".

    Examples
    --------
    >>> from liqlib.prices.averages import HOUR

    >>> funding_basis(0.0003, 2 * HOUR)
    7.5e-05
    """
    f = v.as_float("funding_rate", funding_rate)
    interval = v.one("funding_interval", _duration("funding_interval", funding_interval))
    tau = v.nonnegative("time_to_funding", time_to_funding)
    v.shapes(funding_rate=f, time_to_funding=tau)
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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    BitMEX, "Fair Price Marking": "Fair Price = Index Price * (1 + Funding Basis)".

    Examples
    --------
    >>> from liqlib.prices.averages import HOUR

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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

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
    v.shapes(a=x, b=y, c=z)
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


#: Binance COIN-M as its FAQ prints it: 30 samples, one every 5 s ("Moving Average (2.5-Minute
#: Basis)"). Binance's announcement of 2025-09-16 replaced it (see :data:`BINANCE_USDM_BASIS`).
BINANCE_COINM_BASIS = BasisWindow(window=150.0, interval=5.0)
#: Binance perpetuals, USDⓈ-M and COIN-M, since 2025-09-18 08:01 UTC: "Price 2 = Price Index +
#: Moving Average (30 Seconds Basis)", "the average of 30 data points" over 30 s, "calculated once
#: a second" (Binance's announcement of 2025-09-16, which replaced a 1-minute basis).
BINANCE_USDM_BASIS = BasisWindow(window=30.0, interval=1.0)
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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

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
    step = v.one("dt", _duration("dt", dt))  # checked first: interval defaults to it
    if interval is None:
        interval = step
    m = _series("mid", v.positive("mid", mid), axis)
    i = _series("index", v.positive("index", index), axis)
    if m.shape != i.shape:
        raise ValueError(f"mid and index must have the same shape, got {m.shape} and {i.shape}")
    every = v.one("interval", _duration("interval", interval))
    k = _stride(every, v.one("dt", _duration("dt", dt)))
    n_win = _window_samples(v.one("window", _duration("window", window_s)), float(interval))
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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Hyperliquid docs, "Robust price indices": "Oracle price plus a 150 second exponential moving
    average (EMA) of the difference between Hyperliquid's mid price and the oracle price".

    Examples
    --------
    >>> ema_basis([101.0] * 4, [100.0] * 4).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    step = v.one("dt", _duration("dt", dt))  # checked first: interval defaults to it
    if interval is None:
        interval = step
    m = _series("mid", v.positive("mid", mid), axis)
    o = _series("oracle", v.positive("oracle", oracle), axis)
    if m.shape != o.shape:
        raise ValueError(f"mid and oracle must have the same shape, got {m.shape} and {o.shape}")
    every = v.one("interval", _duration("interval", interval))
    k = _stride(every, v.one("dt", _duration("dt", dt)))
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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance, "Mark Price and Price Index" (COIN-M) and Bybit, "Mark Price Calculation (Perpetual
    Contract)" (module references [2] and [3]).

    Examples
    --------
    >>> from liqlib.prices.averages import HOUR

    A wick to 27,000 with the index at 30,000 and the basis average at -20:

    >>> m = median_mark_price(30_000.0, 0.0001, 4 * HOUR, -20.0, 27_000.0)
    >>> m.price, m.price1
    (29980.0, 30001.5)
    """
    with v.renamed(funding_rate="last_funding_rate"):
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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

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
    A wick to 90 on Hyperliquid's book: the book median follows it, the median of the three does
    not.

    >>> others = [100.1, 100.0, 99.9, 100.2, 100.0]
    >>> m = hyperliquid_mark_price(100.0, -0.4, 89.9, 90.1, 90.0, others)
    >>> m.price, m.book_median
    (99.6, 90.0)
    """
    o = v.positive("oracle", oracle)
    first = o + v.as_float("ema_of_basis", ema_of_basis)
    bad_first = ~(first > 0)
    if np.any(bad_first):
        raise ValueError(
            "oracle + ema_of_basis (the first mark input) must be > 0, got "
            f"{np.asarray(first).reshape(-1)[int(np.flatnonzero(bad_first)[0])].item()!r}"
        )
    bid = v.positive("best_bid", best_bid)
    ask = v.positive("best_ask", best_ask)
    last = v.positive("last_price", last_price)
    v.shapes(oracle=o, ema_of_basis=first, best_bid=bid, best_ask=ask, last_price=last)
    crossed = bid > ask
    if np.any(crossed):
        b_b, a_b = np.broadcast_arrays(bid, ask)
        i = int(np.flatnonzero(crossed)[0])
        where = "" if crossed.ndim == 0 else f" at flat index {i}"
        raise ValueError(
            f"best_bid must not exceed best_ask (a crossed book has no mid), got "
            f"{b_b.reshape(-1)[i].item()!r} > {a_b.reshape(-1)[i].item()!r}{where}"
        )
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

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

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
    lp = v._convert("liquidation_prices", liquidation_prices)
    if np.any(np.isinf(lp)):
        raise ValueError("liquidation_prices must be finite or nan (no liquidation price)")
    s = v.side("side", side)
    v.shapes(liquidation_prices=lp, side=s, opened=None if opened is None else np.asarray(opened))
    if opened is None:
        low: Any = path.min()
        high: Any = path.max()
    else:
        k = np.asarray(opened)
        if k.dtype.kind not in "iu":
            raise v.ArgumentTypeError(
                f"opened must hold integer sample indices, got dtype {k.dtype}"
            )
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
