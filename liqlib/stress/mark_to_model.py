"""Mark-to-model: an option's mark from its order book when the book is good, from a model when not.

A liquidation engine needs a price for every position every second. For a future the book is deep
and the index is there; for an option far from the money, or any option in a crash, the book may
be one-sided, a few contracts deep, or quoted ten volatility points wide. A venue then marks to a
*model*: a volatility surface, or the book's mid held within bounds on its implied volatility.
This module writes that choice down and follows it through to margin:

* :func:`book_is_good`: the book test (two-sided, relative spread within ``max_spread``, at least
  ``min_size`` contracts on each side);
* :class:`VolSurface`: a parametric volatility surface, quadratic in standardized log-moneyness
  with an exponential ATM term structure, and its least-squares fit;
* :class:`MarkRule` and :func:`mark_price`: by default Deribit's legacy rule as documented, the
  bounds applied to *every* bid-ask mid (:func:`liqlib.venues.deribit.option_mark_price`: the
  mid's IV held within 30%-100%, 60% with no market); as a named variant
  (``bounds="book_quality"``) the raw mid where the book passes a quality test and the bounded
  mark only where it fails; or a model surface where the book fails;
* the practices of venues and clearing houses when a book cannot be trusted:
  :func:`conservative_marks` (longs at the bid, shorts at the ask), :func:`smooth_marks` (an
  exponential average of successive marks), :func:`synthetic_forward` (the forward implied by
  put-call parity, so the model is centred where the options are) and :class:`SVISlice`, Gatheral's
  SVI smile fitted with the no-arbitrage constraints on its parameters;
* :func:`margin_check` and :func:`compare_marks`: the account's equity and maintenance margin
  under a set of marks (the venue's rules, from :mod:`liqlib.venues.deribit`), and the verdict when
  a model mark and the true value disagree: an account liquidated though sound, or spared though
  insolvent. The mark is an opinion, and this is its price.

The surface
-----------
With ``x = ln(K/F) / sqrt(T)`` (log-moneyness in units of the expiry's standard deviation per unit
vol),

    sigma(K, T) = a(T) + skew * x + curvature * x^2,
    a(T) = atm_long + (atm_short - atm_long) * exp(-T / decay).

The standardization flattens the smile as expiry lengthens, as quoted smiles do; the term
structure runs from ``atm_short`` at the shortest expiries to ``atm_long``. It is a teaching
model, not Deribit's (whose current surface method was not retrieved); SVI [2] is the industry's
usual parametric choice. A volatility that would come out zero or negative raises rather than
being clipped.

References
----------
.. [1] Deribit, option mark price (legacy help centre, deribit.freshdesk.com, article
   1000197268), as cited in :mod:`liqlib.venues.deribit`.
.. [2] Gatheral, J., *The Volatility Surface: A Practitioner's Guide*, Wiley (2006), ch. 3 (the
   SVI parametrization) and ch. 7 (smile dynamics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..prices.implied_volatility import implied_vol
from ..prices.options import black76_price
from ..venues import deribit
from .option_portfolio import OptionPortfolio

FloatArray = NDArray[np.float64]

__all__ = [
    "BOUNDS",
    "LIQUIDATED_RIGHTLY",
    "LIQUIDATES_SOUND",
    "SPARED_RIGHTLY",
    "SPARES_BELOW_MAINTENANCE",
    "SPARES_INSOLVENT",
    "MarginCheck",
    "MarkComparison",
    "MarkResult",
    "MarkRule",
    "SVISlice",
    "VolSurface",
    "COMPARISON_COLUMNS",
    "book_is_good",
    "chain_quotes",
    "comparison_rows",
    "conservative_marks",
    "mark_quoted_chain",
    "smooth_marks",
    "synthetic_forward",
    "compare_marks",
    "margin_check",
    "mark_price",
]


# --- the book test -------------------------------------------------------------------------------


def _quotes(bid: ArrayLike, ask: ArrayLike) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Bid and ask as arrays with ``nan`` (or a zero bid) meaning no quote; validated."""
    b = v.numbers("bid", bid)
    a = v.numbers("ask", ask)
    present = ~(np.isnan(b) | np.isnan(a))
    v.nonnegative("bid", np.where(present, b, 0.0))
    v.nonnegative("ask", np.where(present, a, 0.0))
    if np.any(present & (b > a)):
        bad = present & (b > a)
        i = int(np.flatnonzero(np.broadcast_to(bad, bad.shape))[0])
        raise ValueError(
            f"bid must not exceed ask, got bid {float(np.broadcast_to(b, bad.shape).flat[i])!r} "
            f"above ask {float(np.broadcast_to(a, bad.shape).flat[i])!r} at flat index {i}"
        )
    present = present & (b > 0)
    return b, a, present


def book_is_good(
    bid: ArrayLike,
    ask: ArrayLike,
    bid_size: ArrayLike,
    ask_size: ArrayLike,
    *,
    max_spread: float = 0.10,
    min_size: float = 1.0,
) -> Any:
    """Whether an option's book is good enough to mark at its mid.

    Good means two-sided (a positive bid and an ask), a relative spread ``(ask - bid) / mid`` of at
    most ``max_spread``, and at least ``min_size`` contracts at the best bid and at the best ask.

    Parameters
    ----------
    bid, ask : float or array
        Best bid and ask (any price unit; ``nan``, or a zero bid, for no quote).
    bid_size, ask_size : float or array
        Contracts at the best bid and ask (>= 0; ignored where there is no quote).
    max_spread : float
        Largest relative spread (0.10 is 10% of the mid; > 0).
    min_size : float
        Fewest contracts on each side (>= 0).

    Returns
    -------
    bool or ndarray of bool

    Raises
    ------
    ValueError
        For negative prices or sizes, a bid above its ask, or bad thresholds.

    Examples
    --------
    >>> book_is_good([0.050, 0.050, 0.050, float("nan")], [0.052, 0.060, 0.052, 0.05],
    ...              [5, 5, 0.5, 5], 5).tolist()
    [True, False, False, False]
    """
    b, a, present = _quotes(bid, ask)
    spread_max = v.number("max_spread", max_spread, "pos")
    size_min = v.number("min_size", min_size, "nonneg")
    bs = v.nonnegative("bid_size", bid_size)
    as_ = v.nonnegative("ask_size", ask_size)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(present, (a - b) / (0.5 * (a + b)), np.inf)
    good = present & (rel <= spread_max) & (np.minimum(bs, as_) >= size_min)
    return v.scalar_or_array(np.asarray(good))


# --- the volatility surface ----------------------------------------------------------------------


@dataclass(frozen=True)
class VolSurface:
    """A parametric volatility surface (see the module docstring for the formula).

    Attributes
    ----------
    atm_short : float
        At-the-money volatility as the expiry goes to zero (> 0).
    atm_long : float or None
        At-the-money volatility for long expiries (> 0); ``None`` for a flat term structure.
    decay : float
        Time scale of the term structure in years (> 0).
    skew : float
        Slope of the smile in ``x = ln(K/F)/sqrt(T)`` (negative: puts dearer than calls).
    curvature : float
        Convexity of the smile in ``x``.

    Examples
    --------
    >>> s = VolSurface(0.8, 0.6, decay=0.25, skew=-0.05, curvature=0.02)
    >>> round(s.vol(50_000, 50_000, 0.25), 4)
    0.6736
    >>> s.vol(50_000, [40_000, 60_000], 30 / 365).round(4).tolist()
    [0.795, 0.7203]
    """

    atm_short: float
    atm_long: float | None = None
    decay: float = 0.25
    skew: float = 0.0
    curvature: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "atm_short", v.number("atm_short", self.atm_short, "pos"))
        long = self.atm_short if self.atm_long is None else self.atm_long
        object.__setattr__(self, "atm_long", v.number("atm_long", long, "pos"))
        object.__setattr__(self, "decay", v.number("decay", self.decay, "pos"))
        object.__setattr__(self, "skew", v.number("skew", self.skew))
        object.__setattr__(self, "curvature", v.number("curvature", self.curvature))

    def atm(self, time: ArrayLike) -> Any:
        """At-the-money volatility ``a(T)`` of the expiry ``time`` (years, > 0)."""
        t = v.positive("time", time)
        assert self.atm_long is not None  # set in __post_init__
        return v.scalar_or_array(
            self.atm_long + (self.atm_short - self.atm_long) * np.exp(-t / self.decay)
        )

    def vol(self, forward: ArrayLike, strike: ArrayLike, time: ArrayLike) -> Any:
        """Volatility at ``strike`` and expiry ``time`` on the forward ``forward`` (vectorized).

        Raises
        ------
        ValueError
            For invalid inputs, or where the surface's volatility is not positive (a smile whose
            curvature or skew carries it below zero far from the money), naming the strike.
        """
        f = v.positive("forward", forward)
        k = v.positive("strike", strike)
        t = v.positive("time", time)
        x = np.log(k / f) / np.sqrt(t)
        sig = np.asarray(self.atm(t)) + self.skew * x + self.curvature * x * x
        bad = ~(sig > 0)
        if bad.any():
            kb = np.broadcast_to(k, sig.shape).reshape(-1)[np.flatnonzero(bad)[0]]
            raise ValueError(
                f"the surface gives a volatility <= 0 at strike {float(kb)!r}: "
                "its skew and curvature do not hold there"
            )
        return v.scalar_or_array(sig)

    def price(
        self,
        forward: ArrayLike,
        strike: ArrayLike,
        time: ArrayLike,
        kind: ArrayLike = "call",
        *,
        rate: ArrayLike = 0.0,
        settlement: str = "inverse",
    ) -> Any:
        """Black-76 price at the surface's volatility (coin by default, as Deribit quotes)."""
        return black76_price(
            forward, strike, time, rate, self.vol(forward, strike, time), kind,
            settlement=settlement,
        )

    @classmethod
    def fit(
        cls,
        forward: ArrayLike,
        strike: ArrayLike,
        time: ArrayLike,
        iv: ArrayLike,
        *,
        decay: float = 0.25,
    ) -> VolSurface:
        """Least-squares fit to implied volatilities (the model is linear in its parameters).

        With one expiry the term structure is not identified and comes out flat
        (``atm_short == atm_long``); with several, both ends are fitted for the given ``decay``.

        Parameters
        ----------
        forward, strike, time, iv : float or array
            Quotes to fit, broadcast together (at least 3 points, 4 with several expiries).
        decay : float
            Term-structure time scale in years, held fixed.

        Examples
        --------
        A fit recovers the surface its points were drawn from:

        >>> true = VolSurface(0.9, 0.7, skew=-0.04, curvature=0.03)
        >>> k = np.array([35e3, 45e3, 50e3, 55e3, 70e3, 40e3, 50e3, 65e3])
        >>> t = np.array([7, 7, 7, 7, 7, 90, 90, 90]) / 365
        >>> fitted = VolSurface.fit(50_000, k, t, true.vol(50_000, k, t))
        >>> round(fitted.atm_short, 6), round(fitted.skew, 6), round(fitted.curvature, 6)
        (0.9, -0.04, 0.03)
        """
        f, k, t, sig = np.broadcast_arrays(
            v.positive("forward", forward),
            v.positive("strike", strike),
            v.positive("time", time),
            v.positive("iv", iv),
        )
        tau = v.number("decay", decay, "pos")
        x = (np.log(k / f) / np.sqrt(t)).reshape(-1)
        y = sig.reshape(-1)
        one_expiry = np.unique(t).size == 1
        if y.size < (3 if one_expiry else 4):
            raise ValueError(f"need at least {3 if one_expiry else 4} quotes to fit, got {y.size}")
        if one_expiry:
            design = np.column_stack([np.ones_like(x), x, x * x])
            level, skew, curvature = np.linalg.lstsq(design, y, rcond=None)[0]
            return cls(float(level), float(level), tau, float(skew), float(curvature))
        e = np.exp(-t.reshape(-1) / tau)
        design = np.column_stack([e, 1.0 - e, x, x * x])
        short, long, skew, curvature = np.linalg.lstsq(design, y, rcond=None)[0]
        return cls(float(short), float(long), tau, float(skew), float(curvature))


# --- practitioners' marks: conservative, smoothed, centred, arbitrage-free ---------------------


def conservative_marks(bid: ArrayLike, ask: ArrayLike, size: ArrayLike,
                       fallback: ArrayLike) -> Any:
    """Mark each position at the price it could be closed at: longs at the bid, shorts at the ask.

    Clearing houses value positions at the side of the book their liquidation would hit; a long
    is worth what a buyer bids, a short costs what a seller asks. Where that side is missing the
    ``fallback`` (a model mark) is used.

    Parameters
    ----------
    bid, ask : float or array
        Best quotes (``nan`` for none; a zero bid counts as none).
    size : float or array
        Signed position sizes (positive long, negative short; zero takes the mid).
    fallback : float or array
        Mark where the needed side is missing.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        As :func:`book_is_good` for the quotes; a non-finite or negative ``fallback``.

    Examples
    --------
    >>> conservative_marks([0.05, 0.05, float("nan")], [0.07, 0.07, 0.07], [10, -10, 5], 0.055)
    array([0.05 , 0.07 , 0.055])
    """
    b, a, present = _quotes(bid, ask)
    q = v.as_float("size", size)
    f = v.nonnegative("fallback", fallback)
    has_bid = ~np.isnan(b) & (np.nan_to_num(b) > 0)
    has_ask = ~np.isnan(a)
    mid = np.where(present, 0.5 * (np.nan_to_num(b) + np.nan_to_num(a)), f)
    out = np.where(q > 0, np.where(has_bid, b, f), np.where(q < 0, np.where(has_ask, a, f), mid))
    return v.scalar_or_array(np.asarray(out, dtype=np.float64))


def smooth_marks(marks: ArrayLike, *, alpha: float) -> Any:
    """Exponentially smoothed marks ``m_t = alpha x_t + (1 - alpha) m_{t-1}`` along axis 0.

    A venue that recomputes a mark every second damps single quotes this way (Deribit's futures
    mark is a short average of the fair price, as cited in :mod:`liqlib.prices.mark`); the price is
    a mark that lags a genuine move as much as it ignores a false one.

    Parameters
    ----------
    marks : array
        Raw marks in time order (axis 0), finite and >= 0.
    alpha : float
        Weight of the newest mark, in (0, 1] (1: no smoothing).

    Returns
    -------
    ndarray

    Examples
    --------
    >>> smooth_marks([1.0, 1.0, 3.0, 1.0], alpha=0.5).tolist()
    [1.0, 1.0, 2.0, 1.5]
    """
    x = v.nonnegative("marks", marks)
    w = v.number("alpha", alpha, "pos")
    if not w <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError("marks must hold at least one mark along axis 0")
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, x.shape[0]):  # a recursion in time, vectorized across series
        out[t] = w * x[t] + (1.0 - w) * out[t - 1]
    return out


def synthetic_forward(call: ArrayLike, put: ArrayLike, strike: ArrayLike, *, time: float,
                      rate: float = 0.0, settlement: str = "inverse") -> float:
    """The forward implied by put-call parity, the median over strikes quoted both ways.

    Linear prices: ``C - P = D (F - K)``, so ``F = K + (C - P) / D``. Coin prices (``c = C/F``):
    ``c - p = D (F - K) / F``, so ``F = K / (1 - (c - p) / D)``. Venues and market makers centre
    a smile on this forward rather than on a future that may not exist for the expiry.

    Parameters
    ----------
    call, put : array
        Prices of a call and a put at each strike (mid or mark; settlement unit).
    strike : array
        Strikes (> 0).
    time : float
        Years to expiry (> 0), for the discount factor ``D = exp(-rate * time)``.
    rate : float
    settlement : {"inverse", "linear"}

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For invalid prices, or coin prices whose parity gives no positive forward.

    Examples
    --------
    Coin prices from Black-76 on a 50,000 forward give the forward back:

    >>> k = np.array([45_000.0, 50_000.0, 55_000.0])
    >>> c = black76_price(50_000, k, 30 / 365, 0.0, 0.6, "call", settlement="inverse")
    >>> p = black76_price(50_000, k, 30 / 365, 0.0, 0.6, "put", settlement="inverse")
    >>> round(synthetic_forward(c, p, k, time=30 / 365), 6)
    50000.0
    """
    c = v.nonnegative("call", call)
    p = v.nonnegative("put", put)
    k = v.positive("strike", strike)
    d = math.exp(-v.number("rate", rate) * v.number("time", time, "pos"))
    v.choice("settlement", settlement, ("inverse", "linear"))
    if settlement == "linear":
        f = k + (c - p) / d
    else:
        denominator = 1.0 - (c - p) / d
        if np.any(denominator <= 0):
            raise ValueError("call and put coin prices give no positive forward (c - p >= D)")
        f = k / denominator
    return float(np.median(np.asarray(f, dtype=np.float64)))


@dataclass(frozen=True)
class SVISlice:
    """Gatheral's SVI smile for one expiry, in total implied variance ``w = sigma^2 T``.

    ``w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + s^2))`` with ``k = ln(K/F)``. The parameter
    constraints that rule out the simplest arbitrages are enforced: ``b >= 0``, ``|rho| < 1``,
    ``s > 0``, ``a + b s sqrt(1 - rho^2) >= 0`` (no negative variance) and
    ``b (1 + |rho|) <= 2`` (Lee's bound on the wings' slope). Butterfly freedom in full needs
    Durrleman's condition, which :meth:`durrleman` evaluates.

    Attributes
    ----------
    a, b, rho, m, s : float
    time : float
        Years to expiry (> 0).

    References
    ----------
    Gatheral, J. (2006), *The Volatility Surface*, ch. 3; Gatheral, J., Jacquier, A. (2014),
    "Arbitrage-free SVI volatility surfaces", *Quantitative Finance* 14(1), 59-71.

    Examples
    --------
    >>> sl = SVISlice(a=0.02, b=0.1, rho=-0.4, m=0.0, s=0.1, time=0.25)
    >>> round(sl.vol(50_000, 50_000), 4), bool(sl.vol(50_000, 40_000) > sl.vol(50_000, 60_000))
    (0.4, True)
    """

    a: float
    b: float
    rho: float
    m: float
    s: float
    time: float

    def __post_init__(self) -> None:
        for name in ("a", "b", "rho", "m", "s", "time"):
            object.__setattr__(self, name, v.number(name, getattr(self, name)))
        v.nonnegative("b", self.b)
        v.positive("s", self.s)
        v.positive("time", self.time)
        if not abs(self.rho) < 1:
            raise ValueError(f"rho must be in (-1, 1), got {self.rho!r}")
        if self.a + self.b * self.s * math.sqrt(1 - self.rho**2) < 0:
            raise ValueError("a + b s sqrt(1 - rho^2) must be >= 0 (the variance goes negative)")
        if self.b * (1 + abs(self.rho)) > 2:
            raise ValueError("b (1 + |rho|) must be <= 2 (Lee's bound on the wings)")

    def variance(self, k: ArrayLike) -> Any:
        """Total implied variance ``w(k)`` at log-moneyness ``k``."""
        x = v.as_float("k", k) - self.m
        return v.scalar_or_array(self.a + self.b * (self.rho * x + np.sqrt(x * x + self.s**2)))

    def vol(self, forward: ArrayLike, strike: ArrayLike) -> Any:
        """Implied volatility at ``strike`` on ``forward``."""
        k = np.log(v.positive("strike", strike) / v.positive("forward", forward))
        return v.scalar_or_array(np.sqrt(np.asarray(self.variance(k)) / self.time))

    def durrleman(self, k: ArrayLike) -> Any:
        """Durrleman's ``g(k)``; the slice is free of butterfly arbitrage where ``g >= 0``."""
        x = v.as_float("k", k) - self.m
        root = np.sqrt(x * x + self.s**2)
        w = self.a + self.b * (self.rho * x + root)
        w1 = self.b * (self.rho + x / root)
        w2 = self.b * self.s**2 / root**3
        kk = x + self.m
        g = (1 - kk * w1 / (2 * w)) ** 2 - w1**2 / 4 * (1 / w + 0.25) + w2 / 2
        return v.scalar_or_array(g)

    @classmethod
    def fit(cls, forward: float, strike: ArrayLike, iv: ArrayLike, time: float) -> SVISlice:
        """Least-squares fit to implied volatilities (scipy), ``b``, ``rho``, ``s`` in range.

        Raises ValueError (from the constructor) if the best fit breaks the variance floor or
        Lee's bound: such quotes are not fitted by an arbitrage-free SVI slice.

        Examples
        --------
        >>> true = SVISlice(a=0.02, b=0.1, rho=-0.4, m=0.05, s=0.1, time=0.25)
        >>> k = 50_000 * np.exp(np.linspace(-0.4, 0.4, 15))
        >>> fit = SVISlice.fit(50_000, k, true.vol(50_000, k), 0.25)
        >>> bool(np.allclose(fit.vol(50_000, k), true.vol(50_000, k), atol=1e-6))
        True
        """
        from scipy.optimize import least_squares  # deferred: scipy is only needed to fit

        t = v.number("time", time, "pos")
        k = np.log(v.positive("strike", strike) / v.number("forward", forward, "pos"))
        w = v.positive("iv", iv) ** 2 * t
        if k.size < 5:
            raise ValueError(f"need at least 5 quotes to fit 5 parameters, got {k.size}")

        def residuals(z: FloatArray) -> FloatArray:
            a, b, rho, m, s = z
            x = k - m
            return np.asarray(a + b * (rho * x + np.sqrt(x * x + s * s)) - w, dtype=np.float64)

        # Bounds hold b, rho and s in their ranges; the two joint constraints are checked after.
        lower = [-float(w.max()), 0.0, -0.999, float(k.min()), 1e-4]
        upper = [float(w.max()), 2.0, 0.999, float(k.max()), 5.0]
        fits = [least_squares(residuals, [float(w.min()), 0.1, rho0, float(k[np.argmin(w)]), 0.1],
                              bounds=(lower, upper), xtol=1e-15, ftol=1e-15, gtol=1e-15)
                for rho0 in (-0.5, 0.0, 0.5)]
        best = min(fits, key=lambda r: float(r.cost))
        a, b, rho, m, s = (float(x) for x in best.x)
        return cls(a=a, b=b, rho=rho, m=m, s=s, time=t)


# --- the mark ------------------------------------------------------------------------------------


#: Where :class:`MarkRule`'s bounded model applies: every mid (documented) or failed books only.
BOUNDS = ("every_mid", "book_quality")


@dataclass(frozen=True)
class MarkRule:
    """How to mark an option: the book mid when :func:`book_is_good`, else a model.

    Attributes
    ----------
    max_spread, min_size : float
        The book test of :func:`book_is_good`.
    model : {"bounded", "surface"}
        ``"bounded"``: Deribit's legacy mark, the mid's IV held within ``[floor, cap]`` and
        ``no_market`` without a two-sided book (:func:`liqlib.venues.deribit.option_mark_price`).
        ``"surface"``: the Black-76 price at ``surface``'s volatility where the book fails.
    bounds : {"every_mid", "book_quality"}
        For ``model="bounded"``: ``"every_mid"`` (default, the documented rule: "if the average
        between bid and ask of a certain option has an implied volatility higher than 100%, the
        mark price will be 100% implied volatility", whatever the book) bounds every mid, and the
        book test plays no part; ``"book_quality"`` (a named variant, not Deribit's text) marks a
        good book at its raw mid and bounds only the books that fail.
    surface : VolSurface or None
        Required for ``model="surface"``.
    floor, cap, no_market : float
        IV bounds of the ``"bounded"`` model (Deribit's legacy 30%, 100%, 60% by default).
    """

    max_spread: float = 0.10
    min_size: float = 1.0
    model: str = "bounded"
    surface: VolSurface | None = None
    bounds: str = "every_mid"
    floor: float = deribit.MARK_IV_FLOOR
    cap: float = deribit.MARK_IV_CAP
    no_market: float = deribit.MARK_IV_NO_MARKET

    def __post_init__(self) -> None:
        v.positive("max_spread", self.max_spread)
        v.nonnegative("min_size", self.min_size)
        v.choice("model", self.model, ("bounded", "surface"))
        v.choice("bounds", self.bounds, BOUNDS)
        if self.model == "surface" and not isinstance(self.surface, VolSurface):
            raise ValueError(f"model 'surface' needs a VolSurface, got {self.surface!r}")
        deribit.bounded_mark_iv(np.nan, floor=self.floor, cap=self.cap, no_market=self.no_market)


@dataclass(frozen=True)
class MarkResult:
    """An option mark and where it came from.

    Attributes
    ----------
    mark : float or ndarray
        The mark price (unit of ``settlement``).
    from_book : bool or ndarray
        True where the mark is the book's raw mid: under the documented bounds, a two-sided book
        whose mid lies within them; otherwise a book that passed the test.
    mid : float or ndarray
        The book's mid (``nan`` without a two-sided book).
    model_mark : float or ndarray
        What the model says, whether used or not.
    """

    mark: Any
    from_book: Any
    mid: Any
    model_mark: Any


def mark_price(
    bid: ArrayLike,
    ask: ArrayLike,
    bid_size: ArrayLike,
    ask_size: ArrayLike,
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    kind: ArrayLike = "call",
    *,
    rule: MarkRule | None = None,
    rate: ArrayLike = 0.0,
    settlement: str = "inverse",
) -> MarkResult:
    """Mark options from their books where the books are good, from a model where not.

    Parameters
    ----------
    bid, ask, bid_size, ask_size : float or array
        Best quotes (unit of ``settlement``; ``nan`` or a zero bid for none) and their sizes.
    forward, strike, time, kind, rate, settlement
        As :func:`liqlib.prices.options.black76_price` (coin prices by default, as on Deribit).
    rule : MarkRule, optional
        Book test and model (default ``MarkRule()``: Deribit's legacy bounds on every mid).

    Returns
    -------
    MarkResult

    Raises
    ------
    ValueError
        As :func:`book_is_good` and the pricing functions.

    References
    ----------
    Module references [1].

    Examples
    --------
    The 30-day 60,000 call on a 50,000 future: a mid of 0.06 BTC implies 110% volatility, so the
    documented rule caps it at the 100%-IV price whether the book is tight or 0.05/0.07 wide; the
    book-quality variant keeps the tight book's mid:

    >>> r = mark_price([0.059, 0.05], [0.061, 0.07], 10, 10, 50_000, 60_000, 30 / 365)
    >>> r.mark.round(5).tolist(), r.from_book.tolist()
    ([0.04966, 0.04966], [False, False])
    >>> q = mark_price([0.059, 0.05], [0.061, 0.07], 10, 10, 50_000, 60_000, 30 / 365,
    ...                rule=MarkRule(bounds="book_quality"))
    >>> q.mark.round(5).tolist(), q.from_book.tolist()
    ([0.06, 0.04966], [True, False])
    """
    rule = MarkRule() if rule is None else rule
    good = np.asarray(
        book_is_good(bid, ask, bid_size, ask_size, max_spread=rule.max_spread,
                     min_size=rule.min_size)
    )
    b, a, present = _quotes(bid, ask)
    mid = np.where(present, 0.5 * (b + a), np.nan)
    if rule.model == "surface":
        assert rule.surface is not None  # checked by MarkRule
        model = np.asarray(
            rule.surface.price(forward, strike, time, kind, rate=rate, settlement=settlement)
        )
    else:
        model = np.asarray(
            deribit.option_mark_price(
                np.where(present, b, np.nan), np.where(present, a, np.nan), forward, strike, time,
                kind, rate=rate, settlement=settlement, floor=rule.floor, cap=rule.cap,
                no_market=rule.no_market,
            )
        )
    if rule.model == "bounded" and rule.bounds == "every_mid":
        good = present & (model == mid)  # np.clip hands back the mid itself when within bounds
    shape = np.broadcast_shapes(good.shape, mid.shape, model.shape)
    mark = np.where(good, mid, model)
    return MarkResult(
        mark=v.scalar_or_array(np.broadcast_to(mark, shape).copy()),
        from_book=v.scalar_or_array(np.broadcast_to(good, shape).copy()),
        mid=v.scalar_or_array(np.broadcast_to(mid, shape).copy()),
        model_mark=v.scalar_or_array(np.broadcast_to(model, shape).copy()),
    )


# --- margin under a mark -------------------------------------------------------------------------


@dataclass(frozen=True)
class MarginCheck:
    """An account of collateral and options, under one set of marks (coin for Deribit).

    Attributes
    ----------
    equity : float
        Collateral plus the marked value of the options (negative for what shorts owe).
    maintenance : float
        Maintenance margin under those marks (the venue's rule).
    margin_ratio : float
        ``maintenance / equity`` (Deribit's "maintenance margin" percentage); ``inf`` when
        equity is zero or negative.
    liquidate : bool
        ``equity < maintenance``: the ratio is above 100%.
    """

    equity: float
    maintenance: float
    margin_ratio: float
    liquidate: bool


def margin_check(
    collateral: float,
    portfolio: OptionPortfolio,
    forward: float,
    marks: ArrayLike,
    *,
    margin: str = "standard",
    rate: float = 0.0,
    parameters: deribit.PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
    reading: str = "documented",
) -> MarginCheck:
    """Equity and maintenance margin of an options account under ``marks``.

    Parameters
    ----------
    collateral : float
        Cash (coin) in the account, premiums received included.
    portfolio : OptionPortfolio
        Its option positions (inverse settlement for Deribit's rules).
    forward : float
        Forward price of the underlying (> 0).
    marks : array
        One mark price per position (coin).
    margin : {"standard", "portfolio"}
        Deribit's standard short-option maintenance
        (:meth:`OptionPortfolio.standard_maintenance`), or its scenario-grid portfolio margin at
        the implied volatility of each mark (:meth:`OptionPortfolio.portfolio_margin`).
    reading : {"documented", "net"}
        How the standard rule's "+ mark" meets the equity
        (:func:`liqlib.venues.deribit.standard_option_requirement`, the convention
        :mod:`liqlib.stress.gamma` uses too).
    rate : float
        Discount rate of Black-76.
    parameters : PortfolioMarginParameters or str
        The grid for ``margin="portfolio"``.

    Returns
    -------
    MarginCheck

    Raises
    ------
    ValueError
        For invalid inputs; :class:`liqlib.prices.implied_volatility.ImpliedVolError` if a mark has
        no implied volatility (``margin="portfolio"``).

    Examples
    --------
    10 short 60,000 calls marked at 0.0497 BTC with 2 BTC of collateral: maintenance is 10 x
    (0.075 + 0.0497) BTC, equity 2 - 0.497:

    >>> from liqlib.stress.option_portfolio import OptionPosition
    >>> book = OptionPortfolio([OptionPosition("call", 60_000, 30 / 365, -10)])
    >>> c = margin_check(2.0, book, 50_000, [0.0497])
    >>> round(c.equity, 4), round(c.maintenance, 4), c.liquidate
    (1.503, 1.247, False)
    """
    c = v.number("collateral", collateral)
    v.choice("margin", margin, ("standard", "portfolio"))
    v.choice("reading", reading, deribit.MARK_READINGS)
    forward = v.number("forward", forward, "pos")
    rate = v.number("rate", rate)
    v.instance("portfolio", portfolio, OptionPortfolio, "an OptionPortfolio")
    m = v.nonnegative("marks", marks).reshape(-1)
    equity = c + portfolio.marked_value(m)
    if margin == "standard":
        mm = portfolio.standard_maintenance(forward, m, reading=reading)
    else:
        iv = implied_vol(
            m, forward, portfolio.strikes, portfolio.expiries, rate, portfolio.kinds,
            settlement=portfolio.settlement,
        )
        mm = portfolio.portfolio_margin(forward, iv, rate=rate, parameters=parameters).margin
    ratio = mm / equity if equity > 0 else float("inf")
    return MarginCheck(float(equity), float(mm), float(ratio), bool(equity < mm))


LIQUIDATED_RIGHTLY = "liquidated, rightly"
SPARED_RIGHTLY = "spared, rightly"
LIQUIDATES_SOUND = "liquidates an account that is above maintenance at true values"
SPARES_BELOW_MAINTENANCE = "spares an account below maintenance at true values"
SPARES_INSOLVENT = "spares an insolvent account"


@dataclass(frozen=True)
class MarkComparison:
    """One account judged under a model's marks and under the true values.

    Attributes
    ----------
    model, truth : MarginCheck
    verdict : str
        One of :data:`LIQUIDATED_RIGHTLY`, :data:`SPARED_RIGHTLY`, :data:`LIQUIDATES_SOUND`,
        :data:`SPARES_BELOW_MAINTENANCE`, :data:`SPARES_INSOLVENT` (true equity below zero).
    """

    model: MarginCheck
    truth: MarginCheck
    verdict: str

    @property
    def wrong(self) -> bool:
        """Whether the model's decision differs from the truth's."""
        return self.model.liquidate != self.truth.liquidate


def compare_marks(
    collateral: float,
    portfolio: OptionPortfolio,
    forward: float,
    model_marks: ArrayLike,
    true_marks: ArrayLike,
    *,
    margin: str = "standard",
    rate: float = 0.0,
    parameters: deribit.PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
    reading: str = "documented",
) -> MarkComparison:
    """Model risk for one account: does the model's mark liquidate it when the truth would?

    "True" marks are what the options are worth (the prices at which they could be closed);
    "model" marks are what the venue's rule says. Both are run through :func:`margin_check`.

    Returns
    -------
    MarkComparison

    Examples
    --------
    10 short 40,000 puts after a fall to 42,000: the book is gone and a stale 55% surface marks
    them at 0.0404 BTC, while at the market's 110% they are worth 0.0999 BTC each:

    >>> from liqlib.stress.option_portfolio import OptionPosition
    >>> book = OptionPortfolio([OptionPosition("put", 40_000, 30 / 365, -10)])
    >>> r = compare_marks(2.0, book, 42_000, [0.0404], [0.0999])
    >>> r.model.liquidate, r.truth.liquidate, r.verdict
    (False, True, 'spares an account below maintenance at true values')
    """
    kw: dict[str, Any] = {"margin": margin, "rate": rate, "parameters": parameters,
                          "reading": reading}
    model = margin_check(collateral, portfolio, forward, model_marks, **kw)
    truth = margin_check(collateral, portfolio, forward, true_marks, **kw)
    if model.liquidate:
        verdict = LIQUIDATED_RIGHTLY if truth.liquidate else LIQUIDATES_SOUND
    elif not truth.liquidate:
        verdict = SPARED_RIGHTLY
    else:
        verdict = SPARES_INSOLVENT if truth.equity < 0 else SPARES_BELOW_MAINTENANCE
    return MarkComparison(model, truth, verdict)


# --- a quoted chain, and a comparison as a table -------------------------------------------------


def chain_quotes(
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    width: float | None,
    rate: ArrayLike = 0.0,
    settlement: str = "inverse",
) -> tuple[Any, Any]:
    """Bid and ask of options quoted ``width`` volatility points wide around ``vol``.

    The bid is the Black-76 price at ``vol - width / 2``, the ask at ``vol + width / 2``: how
    market makers quote around a smile. ``width=None`` is no book at all (both ``nan``).

    Parameters
    ----------
    forward, strike, time, kind, rate, settlement
        As :func:`liqlib.prices.options.black76_price` (coin prices by default, as on Deribit).
    vol : float or array
        The volatility the quotes are centred on (> 0), e.g. a smile's at each strike.
    width : float or None
        Bid-ask width in volatility (>= 0, below ``2 * vol``), or ``None`` for no quotes.

    Returns
    -------
    bid, ask : float or ndarray
        In the unit of ``settlement``.

    Raises
    ------
    ValueError
        Naming the argument: a negative or NaN width, a width that leaves the bid's volatility
        at or below zero, or as :func:`liqlib.prices.options.black76_price`.

    References
    ----------
    F. Black (1976), "The pricing of commodity contracts", *Journal of Financial Economics*
    3(1-2), 167-179.

    Examples
    --------
    The 30-day 40,000 put on a 45,000 future, quoted four points wide around 80%: the ask is
    worth more than the bid by the put's vega times 0.04.

    >>> bid, ask = chain_quotes(45_000, 40_000, 30 / 365, 0.8, "put", width=0.04)
    >>> round(float(bid), 4), round(float(ask), 4)
    (0.0399, 0.0436)
    >>> chain_quotes(45_000, [40_000, 50_000], 30 / 365, 0.8, "put", width=None)[0].tolist()
    [nan, nan]
    """
    sigma = v.positive("vol", vol)
    shape = v.shapes(forward=v.positive("forward", forward), strike=v.positive("strike", strike),
                     time=v.positive("time", time), vol=sigma, kind=np.asarray(kind))
    if width is None:
        none = v.scalar_or_array(np.full(shape, np.nan))
        return none, none
    w = v.number("width", width, "nonneg")
    if np.any(sigma - w / 2 <= 0):
        raise ValueError(f"width must be below twice every vol (the bid's volatility must stay "
                         f"> 0), got {width!r}")
    bid = black76_price(forward, strike, time, rate, sigma - w / 2, kind, settlement=settlement)
    ask = black76_price(forward, strike, time, rate, sigma + w / 2, kind, settlement=settlement)
    return bid, ask


def mark_quoted_chain(
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    width: float | None,
    rule: MarkRule | None = None,
    size: ArrayLike = 10.0,
    rate: ArrayLike = 0.0,
    settlement: str = "inverse",
) -> MarkResult:
    """Mark a chain quoted ``width`` wide around ``vol`` (:func:`chain_quotes`) under ``rule``.

    Parameters
    ----------
    forward, strike, time, vol, kind, width, rate, settlement
        As :func:`chain_quotes`.
    rule : MarkRule, optional
        As :func:`mark_price`.
    size : float or array
        Contracts quoted on each side (>= 0).

    Returns
    -------
    MarkResult

    Raises
    ------
    ValueError
        As :func:`chain_quotes` and :func:`mark_price`.

    References
    ----------
    Module references [1].

    Examples
    --------
    After a spike to 110% a 40,000 put quoted two points wide passes the book-quality test and
    is marked at its mid; with no book it is marked at the no-market volatility, 60%:

    >>> good = MarkRule(bounds="book_quality", cap=1.5)
    >>> mark_quoted_chain(50_000, 40_000, 30 / 365, 1.1, "put", width=0.02, rule=good).from_book
    True
    >>> r = mark_quoted_chain(50_000, 40_000, 30 / 365, 1.1, "put", width=None, rule=good)
    >>> bool(r.from_book), round(float(r.mark), 4)
    (False, 0.007)
    """
    bid, ask = chain_quotes(forward, strike, time, vol, kind, width=width, rate=rate,
                            settlement=settlement)
    return mark_price(bid, ask, size, size, forward, strike, time, kind, rule=rule, rate=rate,
                      settlement=settlement)


#: The columns of :func:`comparison_rows` (money in the settlement coin).
COMPARISON_COLUMNS = ("", "equity", "maintenance", "margin ratio", "liquidated?")


def comparison_rows(case: MarkComparison, digits: int = 3) -> list[list[str]]:
    """A :class:`MarkComparison` as two rows of text: the engine's view and the truth.

    Parameters
    ----------
    case : MarkComparison
    digits : int
        Decimals of equity and maintenance (>= 0).

    Returns
    -------
    list of list of str
        ``["model marks", ...]`` and ``["true values", ...]`` under :data:`COMPARISON_COLUMNS`:
        equity, maintenance, the margin ratio as a whole percentage ("∞" when the equity is not
        positive) and "yes" or "no".

    Raises
    ------
    TypeError
        If ``case`` is not a :class:`MarkComparison`.
    ValueError
        If ``digits`` is not an int >= 0.

    Examples
    --------
    >>> from liqlib.stress.option_portfolio import OptionPosition
    >>> book = OptionPortfolio([OptionPosition("put", 40_000, 30 / 365, -10)])
    >>> for row in comparison_rows(compare_marks(2.0, book, 42_000, [0.0404], [0.0999])):
    ...     print(row)
    ['model marks', '1.596', '1.154', '72%', 'no']
    ['true values', '1.001', '1.749', '175%', 'yes']
    """
    v.instance("case", case, MarkComparison, "a MarkComparison")
    if not isinstance(digits, (int, np.integer)) or isinstance(digits, bool) or digits < 0:
        raise ValueError(f"digits must be an int >= 0, got {digits!r}")

    def row(name: str, c: MarginCheck) -> list[str]:
        ratio = "∞" if math.isinf(c.margin_ratio) else f"{c.margin_ratio:.0%}"
        return [name, f"{c.equity:.{digits}f}", f"{c.maintenance:.{digits}f}", ratio,
                "yes" if c.liquidate else "no"]

    return [row("model marks", case.model), row("true values", case.truth)]
