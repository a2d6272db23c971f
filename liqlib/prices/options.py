"""European option prices and Greeks: Black–Scholes (on spot) and Black-76 (on a forward).

Both models are one formula. With ``F`` the forward of the underlying to expiry, ``D = exp(-rT)``
the discount factor and ``omega = +1`` for a call, ``-1`` for a put,

    d1 = (ln(F/K) + sigma^2 T / 2) / (sigma sqrt(T)),     d2 = d1 - sigma sqrt(T),
    V  = D * omega * (F N(omega d1) - K N(omega d2)).

Black-76 takes ``F`` as given (an option on a future, as Deribit prices its options off the
futures of the same expiry); Black–Scholes sets ``F = S exp((r - q) T)`` from the spot ``S`` and a
continuous dividend (or foreign-rate, or funding) yield ``q``.

**Settlement.** ``settlement="linear"`` returns the price in quote currency (USD) per unit of
underlying. ``settlement="inverse"`` returns it in the *base coin*, the way Deribit's BTC and ETH
options are quoted and settled: ``V / U`` with ``U`` the underlying price the model is written on
(the spot ``S`` for Black–Scholes, the forward ``F`` for Black-76). The Greeks are always the
derivatives of the price that is returned, so an inverse delta is ``d(V/U)/dU = Delta/U - V/U^2``
(coins per USD); ``U`` times it, ``Delta - V/U``, is the option's exposure counted in coins.

**Units.** ``time`` in years; ``rate``, ``dividend_yield`` and ``vol`` are annualised fractions
(0.2 is 20%). The :class:`Greeks` fields are the mathematical derivatives: ``vega`` per unit of
volatility (per 1.00), ``theta`` ``-dV/dT`` per year with the underlying held fixed, ``rho``
``dV/dr`` per unit of rate. Trading screens (Deribit's among them) show vega per volatility point
and theta per calendar day: :attr:`Greeks.vega_per_vol_point` (vega / 100),
:attr:`Greeks.theta_per_day` (theta / 365) and :attr:`Greeks.rho_per_point` (rho / 100) carry the
unit in their name.

**Theta against gamma.** With zero rates Black-76 satisfies ``Theta = -1/2 Gamma F^2 sigma^2``
exactly (the pricing PDE with no carry): the time decay a short option earns each day is what a
delta-hedged long option expects to earn from gamma over the same day at the implied volatility.
:func:`theta_gamma_balance` returns both sides.

The normal CDF is :func:`scipy.special.ndtr` (a compiled ufunc, about 13 times faster than a
Python loop over :func:`math.erfc` on 10^6 values; ``benchmarks/options.py`` times the pricer),
imported when first used so that ``import liqlib`` stays NumPy-only.

References
----------
.. [1] Hull, J. C., *Options, Futures, and Other Derivatives*, 9th ed., Pearson (2015): ch. 15
   (Black–Scholes–Merton; Example 15.6: S = 42, K = 40, r = 10%, sigma = 20%, T = 0.5 gives
   c = 4.76, p = 0.81), ch. 18 (Black's model for futures options) and ch. 19 (the Greek letters;
   S = 49, K = 50, r = 5%, sigma = 20%, T = 20 weeks: Delta 0.522, Gamma 0.066, vega 12.1,
   Theta -4.31 per year).
.. [2] Black, F. (1976), "The pricing of commodity contracts", *Journal of Financial Economics*
   3, 167-179.
.. [3] Haug, E. G., *The Complete Guide to Option Pricing Formulas*, 2nd ed., McGraw-Hill (2007),
   ch. 1 (the generalized Black–Scholes–Merton formula and its Greeks).
.. [4] Deribit, "Options" contract specifications (https://www.deribit.com/pages/docs/options,
   legacy): BTC options are "on 1 BTC", priced and settled in BTC.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v

FloatArray = NDArray[np.float64]

__all__ = [
    "Greeks",
    "VolGreeks",
    "black76_greeks",
    "black76_vol_greeks",
    "black76_price",
    "black_scholes_greeks",
    "black_scholes_price",
    "black_scholes_vol_greeks",
    "normal_cdf",
    "option_sign",
    "ThetaGamma",
    "theta_gamma_balance",
]

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SETTLEMENTS = ("linear", "inverse")


@cache
def _ndtr() -> Any:
    # Deferred: scipy.special costs about 0.1 s to import, and most users of liqlib.prices never
    # price an option.
    from scipy.special import ndtr

    return ndtr


def _cdf(x: FloatArray) -> FloatArray:
    return np.asarray(_ndtr()(x), dtype=np.float64)


def normal_cdf(x: ArrayLike) -> Any:
    """Standard normal distribution function ``N(x)`` (vectorized, :func:`scipy.special.ndtr`).

    Examples
    --------
    >>> round(normal_cdf(1.959963984540054), 6)
    0.975
    >>> normal_cdf([0.0, -40.0]).tolist()
    [0.5, 0.0]
    """
    return v.scalar_or_array(_cdf(v.as_float("x", x)))


def _pdf(x: FloatArray) -> FloatArray:
    return _INV_SQRT_2PI * np.exp(-0.5 * x * x)


def _sign_codes(arr: NDArray[np.str_]) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``is_call`` and ``bad`` for a large unicode array, compared as machine words.

    Two whole-string comparisons cost several times this on 10^6 options: each element's bytes
    are read as 8-byte (or 4-byte) words and compared with those of "call" and "put".
    """
    width = arr.dtype.itemsize // 4
    if width < 4:  # too narrow to hold "call": the plain comparisons
        is_call = arr == "call"
        return is_call, ~(is_call | (arr == "put"))
    word = np.uint64 if (4 * width) % 8 == 0 else np.uint32
    size = np.dtype(word).itemsize
    codes = np.ascontiguousarray(arr).reshape(-1).view(word).reshape(-1, 4 * width // size)
    call = np.frombuffer("call".ljust(width, "\0").encode("utf-32-le"), dtype=word)
    put = np.frombuffer("put".ljust(width, "\0").encode("utf-32-le"), dtype=word)
    is_call = codes[:, 0] == call[0]
    is_put = codes[:, 0] == put[0]
    for j in range(1, codes.shape[1]):
        column = codes[:, j]
        is_call &= column == call[j]
        is_put &= column == put[j]
    return is_call.reshape(arr.shape), ~(is_call | is_put).reshape(arr.shape)


def option_sign(kind: ArrayLike) -> Any:
    """``+1`` for ``"call"``, ``-1`` for ``"put"`` (a string or an array of them).

    Raises
    ------
    ArgumentTypeError
        Naming ``kind`` when it is not a string or an array of strings (a number, None).
    ValueError
        Naming ``kind`` when an element is neither ``"call"`` nor ``"put"``.

    Examples
    --------
    >>> option_sign("put")
    -1.0
    >>> option_sign(["call", "put"]).tolist()
    [1.0, -1.0]
    """
    return v.scalar_or_array(_omega(_is_call(kind)))


def _is_call(kind: ArrayLike) -> NDArray[np.bool_]:
    """``kind == "call"``, every element checked to be "call" or "put" (see :func:`option_sign`).

    The pricers carry this boolean array (one byte per option) into their blocks and turn each
    block into ``omega`` there, rather than writing a book-sized float array first.
    """
    arr = np.asarray(kind)
    if arr.dtype.kind not in "US":
        # A number, None or a bool is the wrong type, not a wrong string.
        raise v.ArgumentTypeError(
            f"{v.label('kind')} must be 'call' or 'put' (or an array of them), got "
            f"{type(kind).__name__} {kind!r}"
        )
    if arr.dtype.kind == "U" and arr.size > 1024:
        is_call, bad = _sign_codes(arr)
    else:
        is_call = arr == "call"
        bad = ~(is_call | (arr == "put"))
    if bad.any():
        first = arr.reshape(-1)[np.flatnonzero(bad)[0]]
        raise ValueError(f"kind must be 'call' or 'put', got {str(first)!r}")
    return np.asarray(is_call)


def _omega(is_call: NDArray[np.bool_]) -> FloatArray:
    """``+1.0`` for a call, ``-1.0`` for a put."""
    return np.where(is_call, 1.0, -1.0)


@dataclass(frozen=True)
class Greeks:
    """Price and first/second-order sensitivities of a European option.

    Attributes
    ----------
    price : float or ndarray
        Option value (quote currency, or base coin for ``settlement="inverse"``).
    delta : float or ndarray
        ``dV/dU`` with ``U`` the spot (Black–Scholes) or the forward (Black-76).
    gamma : float or ndarray
        ``d2V/dU2``.
    vega : float or ndarray
        ``dV/dsigma`` per unit of volatility.
    theta : float or ndarray
        ``-dV/dT`` per year, the underlying held fixed.
    rho : float or ndarray
        ``dV/dr`` per unit of rate (per 1.00): Black-76 holds the forward fixed (``-T V``),
        Black–Scholes the spot (so the forward moves with the rate).
    """

    price: Any
    delta: Any
    gamma: Any
    vega: Any
    theta: Any
    rho: Any

    @property
    def vega_per_vol_point(self) -> Any:
        """Vega per volatility point (``vega / 100``), the screen convention."""
        return self.vega / 100.0

    @property
    def theta_per_day(self) -> Any:
        """Theta per calendar day (``theta / 365``), the screen convention."""
        return self.theta / 365.0

    @property
    def rho_per_point(self) -> Any:
        """Rho per percentage point of rate (``rho / 100``)."""
        return self.rho / 100.0


def _inputs(
    underlying_name: str,
    underlying: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike,
    settlement: str,
    *,
    as_mask: bool = False,
) -> tuple[NDArray[Any], ...]:
    """Validated inputs; the last is ``omega`` (+1 call, -1 put), or with ``as_mask`` the boolean
    ``kind == "call"`` for a blocked pricer to turn into ``omega`` block by block."""
    u = v.positive(underlying_name, underlying)
    k = v.positive("strike", strike)
    t = v.positive("time", time)
    r = v.as_float("rate", rate)
    s = v.positive("vol", vol)
    is_call = _is_call(kind)
    v.choice("settlement", settlement, _SETTLEMENTS)
    return u, k, t, r, s, (is_call if as_mask else _omega(is_call))


def _black(
    forward: FloatArray,
    strike: FloatArray,
    time: FloatArray,
    vol: FloatArray,
    omega: FloatArray,
    root_time: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Undiscounted Black value ``omega (F N(omega d1) - K N(omega d2))``, d1, N(omega d1), sd.

    ``root_time``: ``sqrt(time)`` when the caller has it already (the Greeks need it too).
    """
    sd = vol * (np.sqrt(time) if root_time is None else root_time)
    d1 = np.log(forward / strike) / sd
    d1 += 0.5 * sd
    n1 = _cdf(omega * d1)
    n2 = _cdf(omega * (d1 - sd))
    value = forward * n1
    value -= strike * n2
    value *= omega
    return value, d1, n1, sd


#: Options per block: every temporary of a block (128 kB each) stays in cache and is reused by the
#: allocator, where whole-book temporaries (8 MB each at 10^6 options) are fresh pages to fault in.
_BLOCK = 1 << 14


def _blockwise(func: Callable[..., tuple[Any, ...]], *arrays: Any) -> tuple[Any, ...]:
    """``func(*arrays)`` evaluated a block of elements at a time into preallocated outputs.

    ``func`` is elementwise (each output element depends only on the same element of the
    broadcast inputs), so the results are those of one call on the whole arrays, bit for bit.
    """
    try:
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    except ValueError:
        return func(*arrays)  # raises NumPy's own broadcasting error, as an unblocked call does
    total = math.prod(shape)
    if total <= _BLOCK:
        return func(*arrays)
    flat = [a if np.ndim(a) == 0 else np.broadcast_to(a, shape).reshape(-1) for a in arrays]
    outs: list[FloatArray] = []
    for start in range(0, total, _BLOCK):
        stop = min(start + _BLOCK, total)
        results = func(*(a if np.ndim(a) == 0 else a[start:stop] for a in flat))
        if not outs:
            outs = [np.empty(total) for _ in results]
        for out, res in zip(outs, results, strict=True):
            out[start:stop] = res
    return tuple(out.reshape(shape) for out in outs)


def _discount(rate: FloatArray, time: FloatArray) -> FloatArray | None:
    """``exp(-rate * time)``, or None for a zero scalar rate: ``exp(-0.0)`` is exactly 1, so
    :func:`_times` skips those products and every value stays bit for bit the same."""
    if np.ndim(rate) == 0 and rate == 0:
        return None
    return np.exp(-rate * time)


def _times(factor: FloatArray | None, x: Any) -> Any:
    """``factor * x``, with None standing for an exact 1."""
    return x if factor is None else factor * x


def _to_coin(g: Greeks, u: FloatArray) -> Greeks:
    """Greeks of ``V / U`` from those of ``V`` (quotient rule; ``U`` the model's underlying)."""
    price = g.price / u
    delta = (g.delta - price) / u
    gamma = (g.gamma - 2.0 * delta) / u
    return Greeks(price, delta, gamma, g.vega / u, g.theta / u, g.rho / u)


def _finish(g: Greeks) -> Greeks:
    return Greeks(*(v.scalar_or_array(np.asarray(x, dtype=np.float64)) for x in vars(g).values()))


def black76_price(
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    settlement: str = "linear",
) -> Any:
    """Black-76 price of a European option on a forward or futures price (vectorized).

    Parameters
    ----------
    forward : float or array
        Forward (futures) price ``F`` of the underlying for the option's expiry (> 0).
    strike : float or array
        Strike ``K`` (> 0), same units as ``forward``.
    time : float or array
        Time to expiry ``T`` in years (> 0).
    rate : float or array
        Continuously compounded discount rate ``r`` (any finite value).
    vol : float or array
        Volatility ``sigma`` (> 0), annualised fraction.
    kind : {"call", "put"} or array of them
    settlement : {"linear", "inverse"}
        Price in quote currency, or in base coin (divided by ``forward``, Deribit-style).

    Returns
    -------
    float or ndarray
        ``exp(-rT) * omega * (F N(omega d1) - K N(omega d2))``, or that over ``F``.

    Raises
    ------
    ArgumentTypeError
        Naming the argument: a non-numeric forward, strike, time, rate or vol; a ``kind``
        or ``settlement`` that is not a string.
    ValueError
        Naming the argument: non-positive forward, strike, time or vol; non-finite values;
        a ``kind`` other than call/put; an unknown ``settlement``.

    References
    ----------
    Black (1976); Hull (2015) ch. 18; Haug (2007) ch. 1: F = K = 19, T = 0.75, r = 10%,
    sigma = 28% gives 1.7011 for the call and the put alike.

    Examples
    --------
    >>> round(black76_price(19, 19, 0.75, 0.10, 0.28), 4)
    1.7011
    >>> round(black76_price(19, 19, 0.75, 0.10, 0.28, "put"), 4)
    1.7011

    A Deribit-style BTC call, strike 60,000 on a 50,000 future, 30 days, 60% vol, in BTC:

    >>> round(black76_price(50_000, 60_000, 30 / 365, 0.0, 0.6, settlement="inverse"), 5)
    0.01395
    """
    f, k, t, r, s, is_call = _inputs(
        "forward", forward, strike, time, rate, vol, kind, settlement, as_mask=True
    )

    def values(f: Any, k: Any, t: Any, r: Any, s: Any, is_call: Any) -> tuple[Any]:
        value, *_ = _black(f, k, t, s, _omega(is_call))
        price = _times(_discount(r, t), value)
        return (price / f if settlement == "inverse" else price,)

    (price,) = _blockwise(values, f, k, t, r, s, is_call)
    return v.scalar_or_array(np.asarray(price, dtype=np.float64))


def black76_greeks(
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    settlement: str = "linear",
) -> Greeks:
    """Black-76 price, delta, gamma, vega and theta (derivatives in the forward, vectorized).

    Parameters are those of :func:`black76_price`.

    Returns
    -------
    Greeks
        ``delta = omega exp(-rT) N(omega d1)``, ``gamma = exp(-rT) phi(d1) / (F sigma sqrt T)``,
        ``vega = F exp(-rT) phi(d1) sqrt T``, ``theta = r V - F exp(-rT) phi(d1) sigma /
        (2 sqrt T)`` (per year, F fixed), ``rho = -T V`` (F fixed); for
        ``settlement="inverse"`` the derivatives of ``V / F``.

    Raises
    ------
    ValueError
        As :func:`black76_price`.

    References
    ----------
    Haug (2007) ch. 1 (futures-option delta: F = 105, K = 100, T = 0.5, r = 10%, sigma = 36%
    gives 0.5946 for the call).

    Examples
    --------
    >>> round(black76_greeks(105, 100, 0.5, 0.10, 0.36).delta, 4)
    0.5946
    >>> round(black76_greeks(105, 100, 0.5, 0.10, 0.36, "put").delta, 4)
    -0.3566

    The screen units: a 30-day at-the-money BTC call on 50,000 at 50% vol loses about 0.0010 BTC
    a day and gains about 0.0011 BTC per vol point:

    >>> g = black76_greeks(50_000, 50_000, 30 / 365, 0.0, 0.5, settlement="inverse")
    >>> round(g.theta_per_day, 5), round(g.vega_per_vol_point, 5)
    (-0.00095, 0.00114)
    """
    f, k, t, r, s, is_call = _inputs(
        "forward", forward, strike, time, rate, vol, kind, settlement, as_mask=True
    )

    def values(f: Any, k: Any, t: Any, r: Any, s: Any, is_call: Any) -> tuple[Any, ...]:
        omega = _omega(is_call)
        root_t = np.sqrt(t)
        value, d1, n1, sd = _black(f, k, t, s, omega, root_t)
        disc = _discount(r, t)
        density = _times(disc, _pdf(d1))
        price = _times(disc, value)
        g = Greeks(
            price=price,
            delta=_times(disc, omega) * n1,
            gamma=density / (f * sd),
            vega=f * density * root_t,
            theta=r * price - f * density * s / (2.0 * root_t),
            rho=-t * price,
        )
        return tuple(vars(_to_coin(g, f) if settlement == "inverse" else g).values())

    return _finish(Greeks(*_blockwise(values, f, k, t, r, s, is_call)))


def black_scholes_price(
    spot: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    dividend_yield: ArrayLike = 0.0,
    settlement: str = "linear",
) -> Any:
    """Black–Scholes(–Merton) price of a European option on a spot price (vectorized).

    Parameters
    ----------
    spot : float or array
        Underlying price ``S`` (> 0).
    strike : float or array
        Strike ``K`` (> 0).
    time : float or array
        Time to expiry ``T`` in years (> 0).
    rate : float or array
        Continuously compounded risk-free rate ``r``.
    vol : float or array
        Volatility ``sigma`` (> 0).
    kind : {"call", "put"} or array of them
    dividend_yield : float or array
        Continuous yield ``q`` paid by the underlying (0 by default).
    settlement : {"linear", "inverse"}
        Price in quote currency, or in base coin (divided by ``spot``).

    Returns
    -------
    float or ndarray
        ``S exp(-qT) N(d1) - K exp(-rT) N(d2)`` for a call, the mirror for a put.

    Raises
    ------
    ArgumentTypeError
        Naming the argument: a non-numeric spot, strike, time, rate or vol; a ``kind`` or
        ``settlement`` that is not a string.
    ValueError
        Naming the argument: non-positive spot, strike, time or vol; non-finite values; a
        ``kind`` other than call/put; an unknown ``settlement``.

    References
    ----------
    Hull (2015), Example 15.6 (c = 4.76, p = 0.81 below); Haug (2007) ch. 1 (S = 60, K = 65,
    T = 0.25, r = 8%, sigma = 30%: call 2.1334).

    Examples
    --------
    >>> round(black_scholes_price(42, 40, 0.5, 0.10, 0.20), 2)
    4.76
    >>> round(black_scholes_price(42, 40, 0.5, 0.10, 0.20, "put"), 2)
    0.81
    >>> round(black_scholes_price(60, 65, 0.25, 0.08, 0.30), 4)
    2.1334
    """
    s0, k, t, r, s, omega = _inputs("spot", spot, strike, time, rate, vol, kind, settlement)
    q = v.as_float("dividend_yield", dividend_yield)
    value, *_ = _black(s0 * np.exp((r - q) * t), k, t, s, omega)
    price = np.exp(-r * t) * value
    if settlement == "inverse":
        price = price / s0
    return v.scalar_or_array(np.asarray(price, dtype=np.float64))


def black_scholes_greeks(
    spot: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    dividend_yield: ArrayLike = 0.0,
    settlement: str = "linear",
) -> Greeks:
    """Black–Scholes price, delta, gamma, vega and theta (derivatives in the spot, vectorized).

    Parameters are those of :func:`black_scholes_price`.

    Returns
    -------
    Greeks
        ``delta = omega exp(-qT) N(omega d1)``, ``gamma = exp(-qT) phi(d1) / (S sigma sqrt T)``,
        ``vega = S exp(-qT) phi(d1) sqrt T`` and ``theta = -S exp(-qT) phi(d1) sigma / (2 sqrt T)
        - omega r K exp(-rT) N(omega d2) + omega q S exp(-qT) N(omega d1)`` (per year, S fixed),
        ``rho = omega K T exp(-rT) N(omega d2)`` (S fixed); for ``settlement="inverse"`` the
        derivatives of ``V / S``.

    Raises
    ------
    ValueError
        As :func:`black_scholes_price`.

    References
    ----------
    Hull (2015) ch. 19: S = 49, K = 50, r = 5%, sigma = 20%, T = 20 weeks gives Delta 0.522,
    Gamma 0.066, vega 12.1, Theta -4.31 per year (-0.0118 per calendar day) and rho 8.91.

    Examples
    --------
    >>> g = black_scholes_greeks(49, 50, 20 / 52, 0.05, 0.20)
    >>> round(g.price, 2), round(g.delta, 3), round(g.gamma, 3), round(g.vega, 1), round(g.theta, 2)
    (2.4, 0.522, 0.066, 12.1, -4.31)
    >>> round(g.rho, 2), round(g.theta_per_day, 4), round(g.vega_per_vol_point, 3)
    (8.91, -0.0118, 0.121)
    """
    s0, k, t, r, s, omega = _inputs("spot", spot, strike, time, rate, vol, kind, settlement)
    q = v.as_float("dividend_yield", dividend_yield)
    carry = np.exp((r - q) * t)
    value, d1, n1, sd = _black(s0 * carry, k, t, s, omega)
    disc = np.exp(-r * t)
    yield_disc = np.exp(-q * t)
    density = yield_disc * _pdf(d1)
    price = disc * value
    n2 = _cdf(omega * (d1 - sd))
    g = Greeks(
        price=price,
        delta=omega * yield_disc * n1,
        gamma=density / (s0 * sd),
        vega=s0 * density * np.sqrt(t),
        theta=-s0 * density * s / (2.0 * np.sqrt(t))
        - omega * r * k * disc * n2
        + omega * q * s0 * yield_disc * n1,
        rho=omega * k * t * disc * n2,
    )
    return _finish(_to_coin(g, s0) if settlement == "inverse" else g)


@dataclass(frozen=True)
class ThetaGamma:
    """The two sides of the Black-76 pricing equation, per year (or per day).

    ``theta = carry - gamma_term`` holds to rounding.

    Attributes
    ----------
    theta : float or ndarray
        ``-dV/dT``, the underlying held fixed.
    gamma_term : float or ndarray
        ``1/2 Gamma F^2 sigma^2``: what a delta-hedged long option expects to earn from gamma at
        the implied volatility over the same time.
    carry : float or ndarray
        ``r V``, the financing of the premium (zero with zero rates).
    """

    theta: Any
    gamma_term: Any
    carry: Any


def theta_gamma_balance(
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    per: str = "year",
) -> ThetaGamma:
    """Theta against ``1/2 Gamma F^2 sigma^2`` for a Black-76 option (linear settlement).

    The option seller's daily income (minus theta) is the buyer's expected gamma P&L: a short
    option earns its decay only while the underlying moves less than the implied volatility.

    Parameters
    ----------
    forward, strike, time, rate, vol, kind
        As :func:`black76_price`.
    per : {"year", "day"}
        Unit of time of the three quantities (a day is 1/365 of a year).

    Returns
    -------
    ThetaGamma

    Raises
    ------
    ValueError
        As :func:`black76_price`, or for an unknown ``per``.

    References
    ----------
    Hull (2015) ch. 19 ("the relationship between delta, theta and gamma":
    ``Theta + r S Delta + 1/2 sigma^2 S^2 Gamma = r Pi``; on a forward the delta term drops).

    Examples
    --------
    >>> b = theta_gamma_balance(50_000, 50_000, 30 / 365, 0.0, 0.6, per="day")
    >>> round(b.theta, 2), round(b.gamma_term, 2), b.carry
    (-56.98, 56.98, 0.0)
    """
    days = {"year": 1.0, "day": 365.0}[v.choice("per", per, ("year", "day"))]
    g = black76_greeks(forward, strike, time, rate, vol, kind)
    f = np.asarray(forward, dtype=np.float64)
    s = np.asarray(vol, dtype=np.float64)
    gamma_term = 0.5 * np.asarray(g.gamma) * f * f * s * s
    carry = np.asarray(rate, dtype=np.float64) * np.asarray(g.price)
    return ThetaGamma(
        v.scalar_or_array(np.asarray(g.theta, dtype=np.float64) / days),
        v.scalar_or_array(np.asarray(gamma_term, dtype=np.float64) / days),
        v.scalar_or_array(np.asarray(carry + 0.0 * gamma_term, dtype=np.float64) / days),
    )


# --- second-order volatility Greeks --------------------------------------------------------------


@dataclass(frozen=True)
class VolGreeks:
    """Second-order sensitivities to volatility of a European option.

    Attributes
    ----------
    vanna : float or ndarray
        ``d2V/(dU dsigma)``: how delta moves with volatility, equally how vega moves with the
        underlying ``U`` (per unit of volatility).
    volga : float or ndarray
        ``d2V/dsigma2`` ("vomma"): how vega moves with volatility (per unit of volatility
        squared).
    """

    vanna: Any
    volga: Any


def _vol_greeks(
    u: FloatArray,
    t: FloatArray,
    s: FloatArray,
    d1: FloatArray,
    density: FloatArray,
    settlement: str,
) -> VolGreeks:
    """Vanna and volga of the model written on ``u``; ``density`` is ``exp(-qT) phi(d1)``
    (Black–Scholes) or ``exp(-rT) phi(d1)`` (Black-76), so that ``vega = u density sqrt(T)``."""
    d2 = d1 - s * np.sqrt(t)
    vega = u * density * np.sqrt(t)
    vanna = -density * d2 / s
    volga = vega * d1 * d2 / s
    if settlement == "inverse":
        # Price V/U: d/dsigma gives vega/U; d/dU of that is vanna/U - vega/U^2.
        vanna = (vanna - vega / u) / u
        volga = volga / u
    return VolGreeks(
        v.scalar_or_array(np.asarray(vanna, dtype=np.float64)),
        v.scalar_or_array(np.asarray(volga, dtype=np.float64)),
    )


def black76_vol_greeks(
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    settlement: str = "linear",
) -> VolGreeks:
    """Black-76 vanna and volga (derivatives of :func:`black76_price`, vectorized).

    Parameters are those of :func:`black76_price`.

    Returns
    -------
    VolGreeks
        ``vanna = -exp(-rT) phi(d1) d2 / sigma`` and ``volga = vega d1 d2 / sigma`` (the same for
        a call and a put); for ``settlement="inverse"`` the derivatives of ``V / F``:
        ``vanna / F - vega / F^2`` and ``volga / F``.

    Raises
    ------
    ValueError
        As :func:`black76_price`.

    References
    ----------
    Haug (2007) ch. 2 ("DdeltaDvol" and "DvegaDvol" of the generalized Black–Scholes–Merton
    formula, here with the cost of carry ``b = 0``).

    Examples
    --------
    At the money forward ``d1 = -d2 = sigma sqrt(T) / 2``, so volga is ``-vega sigma T / 4``:

    >>> g = black76_greeks(100, 100, 1.0, 0.0, 0.2)
    >>> round(black76_vol_greeks(100, 100, 1.0, 0.0, 0.2).volga / g.vega, 6)
    -0.05
    >>> round(black76_vol_greeks(50_000, 60_000, 30 / 365, 0.0, 0.6).vanna, 4)
    0.4742
    """
    f, k, t, r, s, omega = _inputs("forward", forward, strike, time, rate, vol, kind, settlement)
    _, d1, _, _ = _black(f, k, t, s, omega)
    return _vol_greeks(f, t, s, d1, np.exp(-r * t) * _pdf(d1), settlement)


def black_scholes_vol_greeks(
    spot: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: ArrayLike = "call",
    *,
    dividend_yield: ArrayLike = 0.0,
    settlement: str = "linear",
) -> VolGreeks:
    """Black–Scholes vanna and volga (derivatives of :func:`black_scholes_price`, vectorized).

    Parameters are those of :func:`black_scholes_price`.

    Returns
    -------
    VolGreeks
        ``vanna = -exp(-qT) phi(d1) d2 / sigma`` and ``volga = vega d1 d2 / sigma``; for
        ``settlement="inverse"`` the derivatives of ``V / S``.

    Raises
    ------
    ValueError
        As :func:`black_scholes_price`.

    References
    ----------
    Haug (2007) ch. 2 ("DdeltaDvol", "DvegaDvol").

    Examples
    --------
    Vanna is the derivative of vega in the spot (a central difference agrees):

    >>> vg = black_scholes_vol_greeks(49, 50, 20 / 52, 0.05, 0.20)
    >>> up = black_scholes_greeks(49.01, 50, 20 / 52, 0.05, 0.20).vega
    >>> down = black_scholes_greeks(48.99, 50, 20 / 52, 0.05, 0.20).vega
    >>> abs(vg.vanna - (up - down) / 0.02) < 1e-5
    True
    """
    s0, k, t, r, s, omega = _inputs("spot", spot, strike, time, rate, vol, kind, settlement)
    q = v.as_float("dividend_yield", dividend_yield)
    _, d1, _, _ = _black(s0 * np.exp((r - q) * t), k, t, s, omega)
    return _vol_greeks(s0, t, s, d1, np.exp(-q * t) * _pdf(d1), settlement)
