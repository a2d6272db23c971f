"""Implied volatility: the volatility at which Black-76 or Black–Scholes returns a given price.

The price of a European option rises strictly with volatility, from its discounted intrinsic
value as ``sigma -> 0`` to its no-arbitrage maximum as ``sigma -> inf`` (the discounted forward
for a call, the discounted strike for a put). Between those two bounds exactly one volatility
gives the price; outside them none does, and :func:`implied_vol` raises
:class:`ImpliedVolError` naming the offending element rather than returning a sentinel.

The solver is a safeguarded Newton iteration run on whole arrays at once: every element keeps a
bracket ``[low, high]`` known to contain its root, takes the Newton step ``sigma - (V - target)
/ vega`` when it stays inside the bracket, and bisects otherwise (near-zero vega far from the
money, an overshoot on the convex wing). The bracket shrinks every step, so the iteration
cannot diverge; Newton makes it quadratic near the root.

References
----------
.. [1] Hull, J. C., *Options, Futures, and Other Derivatives*, 9th ed., Pearson (2015), ch. 15
   ("Implied volatilities": no closed form, found by iteration).
.. [2] Jäckel, P. (2015), "Let's be rational", *Wilmott* 2015(75), 40-53: the bounds of the
   Black price and why a safeguarded iteration is needed far from the money.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from .options import _black, _pdf, option_sign

FloatArray = NDArray[np.float64]

__all__ = ["ImpliedVolError", "implied_vol", "price_bounds"]

_MODELS = ("black76", "black_scholes")


class ImpliedVolError(ValueError):
    """No volatility reproduces the price: it is at or below intrinsic value, at or above the
    no-arbitrage maximum, or outside the prices of the search bracket ``[vol_min, vol_max]``."""


def _setup(
    underlying: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    kind: ArrayLike,
    model: str,
    dividend_yield: ArrayLike,
    settlement: str,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validated ``U, forward, strike, time, discount, omega``."""
    v.choice("model", model, _MODELS)
    v.choice("settlement", settlement, ("linear", "inverse"))
    name = "forward" if model == "black76" else "spot"
    u = v.positive(name, underlying)
    k = v.positive("strike", strike)
    t = v.positive("time", time)
    r = v.as_float("rate", rate)
    q = v.as_float("dividend_yield", dividend_yield)
    omega = np.asarray(option_sign(kind), dtype=np.float64)
    forward = u if model == "black76" else u * np.exp((r - q) * t)
    return u, forward, k, t, np.exp(-r * t), omega


def price_bounds(
    underlying: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike = 0.0,
    kind: ArrayLike = "call",
    *,
    model: str = "black76",
    dividend_yield: ArrayLike = 0.0,
    settlement: str = "linear",
) -> tuple[Any, Any]:
    """The open interval of prices a positive volatility can produce.

    Parameters
    ----------
    underlying : float or array
        Forward (``model="black76"``) or spot (``model="black_scholes"``), > 0.
    strike, time, rate, kind, dividend_yield, settlement
        As :func:`liqlib.prices.options.black_scholes_price`.
    model : {"black76", "black_scholes"}

    Returns
    -------
    (lower, upper) : floats or ndarrays
        ``D max(omega (F - K), 0)`` (the limit as ``sigma -> 0``) and ``D F`` for a call, ``D K``
        for a put (the limit as ``sigma -> inf``), with ``D = exp(-rT)``; divided by the
        underlying for ``settlement="inverse"``.

    Examples
    --------
    >>> price_bounds(105, 100, 0.5, 0.0, "call")
    (5.0, 105.0)
    >>> price_bounds(50_000, 60_000, 0.1, 0.0, "put", settlement="inverse")
    (0.2, 1.2)
    """
    u, f, k, t, disc, omega = _setup(
        underlying, strike, time, rate, kind, model, dividend_yield, settlement
    )
    lower = disc * np.maximum(omega * (f - k), 0.0)
    upper = disc * np.where(omega > 0, f, k)
    if settlement == "inverse":
        lower, upper = lower / u, upper / u
    shape = np.broadcast_shapes(lower.shape, upper.shape, np.shape(omega))
    return (
        v.scalar_or_array(np.broadcast_to(lower, shape).astype(np.float64)),
        v.scalar_or_array(np.broadcast_to(upper, shape).astype(np.float64)),
    )


def _where(arr: FloatArray, bad: NDArray[np.bool_]) -> str:
    i = int(np.flatnonzero(bad)[0])
    where = "" if arr.size == 1 else f" (first of {int(bad.sum())}, at flat index {i})"
    return f"{float(arr.reshape(-1)[i])!r}{where}"


def implied_vol(
    price: ArrayLike,
    underlying: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike = 0.0,
    kind: ArrayLike = "call",
    *,
    model: str = "black76",
    dividend_yield: ArrayLike = 0.0,
    settlement: str = "linear",
    vol_min: float = 1e-4,
    vol_max: float = 20.0,
    tol: float = 1e-12,
    max_iter: int = 200,
) -> Any:
    """Implied volatility of European option prices (vectorized, safeguarded Newton).

    Parameters
    ----------
    price : float or array
        Option price: quote currency per unit of underlying (``settlement="linear"``) or coin
        (``"inverse"``, Deribit's quotes).
    underlying : float or array
        Forward (``model="black76"``, the default) or spot (``"black_scholes"``), > 0.
    strike, time, rate, kind : float, array or str
        As :func:`liqlib.prices.options.black76_price`.
    model : {"black76", "black_scholes"}
    dividend_yield : float or array
        Black–Scholes only.
    settlement : {"linear", "inverse"}
    vol_min, vol_max : float
        The search bracket (annualised fractions). A price whose volatility lies outside it
        raises.
    tol : float
        Stop when the price error is below ``tol`` times the price, or the bracket is narrower
        than ``tol`` times the volatility.
    max_iter : int
        Iterations before giving up (each one at least halves the bracket when Newton fails,
        so 200 is never reached in double precision).

    Returns
    -------
    float or ndarray
        The volatility, broadcast over the inputs.

    Raises
    ------
    ImpliedVolError
        Naming the first offending element: a price at or below intrinsic value (the lower
        bound of :func:`price_bounds`), at or above the no-arbitrage maximum, or outside the
        prices at ``vol_min`` and ``vol_max``.
    ValueError
        For invalid inputs (naming the argument, as the pricing functions do).

    References
    ----------
    Module references [1] and [2].

    Examples
    --------
    Hull's Example 15.6 call is worth 4.7594 at 20% volatility; the solver recovers the 20%:

    >>> round(implied_vol(4.759422, 42, 40, 0.5, 0.10, model="black_scholes"), 6)
    0.2

    Deribit-style quotes in BTC (the 0.06 mid of ``option_mark_price``'s example):

    >>> implied_vol([0.01395, 0.06], 50_000, 60_000, 30 / 365, settlement="inverse").round(3)
    array([0.6, 1.1])

    A put quoted under its intrinsic value has no implied volatility:

    >>> implied_vol(4.0, 95, 100, 0.5, 0.0, "put")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    liqlib.prices.implied_volatility.ImpliedVolError: price 4.0 is at or below the intrinsic value
    5.0: ...
    """
    u, f, k, t, disc, omega = _setup(
        underlying, strike, time, rate, kind, model, dividend_yield, settlement
    )
    target_in = v.nonnegative("price", price)
    lo_vol = float(v.positive("vol_min", vol_min))
    hi_vol = float(v.positive("vol_max", vol_max))
    if lo_vol >= hi_vol:
        raise ValueError(f"vol_min must be below vol_max, got {lo_vol} and {hi_vol}")
    tol = float(v.positive("tol", tol))
    max_iter = v.integer("max_iter", max_iter, low=1)
    shape = np.broadcast_shapes(
        target_in.shape, u.shape, f.shape, k.shape, t.shape, disc.shape, omega.shape
    )
    # Work on flat copies in the linear unit (quote currency per unit of underlying).
    scale = u if settlement == "inverse" else np.ones_like(u)
    target = np.broadcast_to(target_in * scale, shape).reshape(-1).astype(np.float64)
    fb, kb, tb, db, wb = (
        np.broadcast_to(x, shape).reshape(-1).astype(np.float64) for x in (f, k, t, disc, omega)
    )
    shown = np.broadcast_to(target_in, shape).reshape(-1)
    unit = np.broadcast_to(scale, shape).reshape(-1)
    lower = db * np.maximum(wb * (fb - kb), 0.0)
    upper = db * np.where(wb > 0, fb, kb)
    below = target <= lower
    if below.any():
        i = int(np.flatnonzero(below)[0])
        raise ImpliedVolError(
            f"price {_where(shown, below)} is at or below the intrinsic value "
            f"{float(lower[i] / unit[i])!r}: no volatility gives it"
        )
    above = target >= upper
    if above.any():
        i = int(np.flatnonzero(above)[0])
        raise ImpliedVolError(
            f"price {_where(shown, above)} is at or above the maximum "
            f"{float(upper[i] / unit[i])!r} (the discounted forward for a call, strike for a "
            "put): no volatility gives it"
        )

    def value_vega(sig: FloatArray) -> tuple[FloatArray, FloatArray]:
        val, d1, _, _ = _black(fb, kb, tb, sig, wb)
        return db * val, db * fb * _pdf(d1) * np.sqrt(tb)

    lo = np.full(target.shape, lo_vol)
    hi = np.full(target.shape, hi_vol)
    val_lo, _ = value_vega(lo)
    val_hi, _ = value_vega(hi)
    outside = ((target < val_lo, lo_vol, "below"), (target > val_hi, hi_vol, "above"))
    for bad, bound, word in outside:
        if bad.any():
            raise ImpliedVolError(
                f"price {_where(shown, bad)} implies a volatility {word} the search bracket's "
                f"{bound!r} (vol_min, vol_max = {lo_vol!r}, {hi_vol!r})"
            )
    # Start from the at-the-money approximation V ~ 0.4 D F sigma sqrt(T), inside the bracket.
    sig = np.clip(target / (0.4 * db * fb * np.sqrt(tb)), lo_vol, hi_vol)
    sig = np.where((sig <= lo) | (sig >= hi), 0.5 * (lo + hi), sig)
    done = np.zeros(target.shape, dtype=bool)
    for _ in range(max_iter):
        val, vega = value_vega(sig)
        err = val - target
        done = (np.abs(err) <= tol * target) | (hi - lo <= tol * sig)
        if done.all():
            break
        hi = np.where(err > 0, sig, hi)
        lo = np.where(err < 0, sig, lo)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = sig - err / vega
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        sig = np.where(done, sig, np.where(ok, newton, 0.5 * (lo + hi)))
    if not done.all():  # pragma: no cover - the bracket halves at worst, 200 steps suffice
        raise ImpliedVolError(f"no convergence after {max_iter} iterations")
    return v.scalar_or_array(sig.reshape(shape))
