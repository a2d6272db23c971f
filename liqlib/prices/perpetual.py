"""The no-arbitrage price of a perpetual future (Ackerer, Hugonnier and Jermann): closed forms for
funding on the previous period, the current period and continuously, checked against a
fixed-point iteration and a Monte Carlo that treats the perpetual as a future with a random
maturity; the same for the inverse perpetual (settled in the base coin) and the quanto perpetual
(settled in a third currency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..core._validate import FloatArray
from .averages import _duration

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


def inverse_perpetual_price(
    spot: ArrayLike,
    *,
    kappa: float,
    iota: float = 0.0,
    r: float = 0.0,
    q: float = 0.0,
    period: float | None = None,
    funding_on: str = "previous",
) -> Any:
    """No-arbitrage price of an inverse perpetual (quoted in USD per coin, settled in the coin).

    An inverse contract on the coin's USD price ``x`` is a linear contract on ``1/x`` (the coin
    price of one USD) with the two currencies' roles swapped, so its price is the reciprocal of
    the linear perpetual's multiple with ``r`` and ``q`` exchanged (AHJ Props. 2 and 4):

    * previous period's prices: ``f = x (1 + kappa - exp((q - r) * period)) / (kappa - iota)``;
    * current period's prices: ``f = x (exp((r - q) * period) - 1 + kappa) / (kappa - iota)``;
    * continuous funding: ``f = x (kappa + r - q) / (kappa - iota)``.

    With ``iota = 0`` and carry ``c = r - q`` (continuous funding) the linear multiple is
    ``kappa / (kappa - c)`` and the inverse one ``(kappa + c) / kappa``: the same to first order
    in ``c``, the inverse one lower by ``c^2 / (kappa (kappa - c))``.

    Parameters
    ----------
    spot, kappa, iota, r, q, period, funding_on
        As :func:`perpetual_price`; ``r`` is the quote currency's (USD) rate, ``q`` the coin's.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        As :func:`perpetual_price`, or when ``iota >= kappa`` (no positive price).

    References
    ----------
    D. Ackerer, J. Hugonnier, U. Jermann, "Perpetual Futures Pricing", arXiv:2310.11771,
    Props. 2 and 4; QuantLib ``test-suite/perpetualfutures.cpp`` (``PerpetualFutures::Inverse``)
    encodes the same closed forms.

    Examples
    --------
    QuantLib's continuous case (spot 10,000, r = 4%, q = 2%, kappa = 0.2, iota = 0.005):

    >>> round(inverse_perpetual_price(10_000.0, kappa=0.2, iota=0.005, r=0.04, q=0.02), 6)
    11282.051282
    """
    i = float(v.as_float("iota", iota))
    k = float(v.positive("kappa", kappa))
    if not i < k:
        raise ValueError(f"iota must be below kappa for a positive price, got {iota!r} >= "
                         f"{kappa!r}")
    x = v.positive("spot", spot)
    multiple = perpetual_price(1.0, kappa=k, iota=i, r=q, q=r, period=period,
                               funding_on=funding_on)
    return v.scalar_or_array(x / multiple)


def quanto_perpetual_price(
    spot: ArrayLike,
    *,
    kappa: float,
    correlation: float,
    vol: float,
    settlement_vol: float,
    iota: float = 0.0,
    r: float = 0.0,
    q: float = 0.0,
    period: float | None = None,
    funding_on: str = "previous",
) -> Any:
    """No-arbitrage price of a quanto perpetual (quoted in USD, settled in a third coin).

    A quanto contract (BitMEX's ETHUSD, settled in BTC at a fixed multiplier) is marked to market
    in the settlement coin, so its price is a martingale under that coin's pricing measure, not
    the quote currency's. With ``x`` (the underlying's USD price) and ``X`` (the settlement coin's
    USD price) log-normal with volatilities ``vol`` and ``settlement_vol`` and correlation
    ``correlation``, changing measure adds the covariance to the drift of ``x``:
    ``E[x_t] = x exp((r - q + correlation * vol * settlement_vol) t)``. The perpetual is then
    :func:`perpetual_price` with that carry: a long quanto is long the correlation, and pays for
    it when it is positive.

    Parameters
    ----------
    spot, kappa, iota, r, q, period, funding_on
        As :func:`perpetual_price` (``r`` the USD rate, ``q`` the underlying's yield).
    correlation : float
        Correlation of the underlying's and the settlement coin's USD returns, in [-1, 1].
    vol, settlement_vol : float
        Their volatilities (>= 0), annualised.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        As :func:`perpetual_price`, or for a correlation outside [-1, 1] or a negative vol.

    References
    ----------
    D. Ackerer, J. Hugonnier, U. Jermann, "Perpetual Futures Pricing", arXiv:2310.11771 (quanto
    perpetuals); Hull, *Options, Futures, and Other Derivatives*, 9th ed., ch. 30 (the quanto
    adjustment of a forward). The Monte Carlo in ``tests/test_perpetual.py`` checks the change
    of measure.

    Examples
    --------
    ETH settled in BTC, 80% and 60% vol, correlation 0.8: continuous funding at kappa = 1 per
    year prices the quanto perpetual about 62% above the linear one's spot parity:

    >>> round(quanto_perpetual_price(2_000.0, kappa=1.0, correlation=0.8, vol=0.8,
    ...                              settlement_vol=0.6), 2)
    3246.75
    >>> quanto_perpetual_price(2_000.0, kappa=1.0, correlation=0.0, vol=0.8, settlement_vol=0.6)
    2000.0
    """
    rho = float(v.as_float("correlation", correlation))
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"correlation must be in [-1, 1], got {correlation!r}")
    adjustment = rho * float(v.nonnegative("vol", vol)) * float(
        v.nonnegative("settlement_vol", settlement_vol))
    return perpetual_price(spot, kappa=kappa, iota=iota, r=float(v.as_float("r", r)) + adjustment,
                           q=q, period=period, funding_on=funding_on)


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


def perpetual_price_clamped(
    spot: float,
    *,
    iota: float = 0.0001,
    clamp: float = 0.0005,
    kappa: float = 1.0,
    r: float = 0.0,
    q: float = 0.0,
    period: float,
    tol: float = 1e-13,
    max_iter: int = 1_000_000,
) -> FixedPoint:
    """The perpetual's price when funding has the venues' dead band: ``F = P + clamp(iota - P)``.

    AHJ's funding ``kappa * P + iota`` (premium ``P = f / x - 1``) becomes the venues' rule
    ``F = kappa * P + clamp(iota - kappa * P, -clamp, clamp)``: exactly ``iota`` while ``kappa * P``
    lies within ``clamp`` of ``iota``, and ``kappa * P -/+ clamp`` outside. Costless marking to
    market prices a contract with ``n`` periods left at ``f_n = a_n x`` with

    ``a_n + F(a_n - 1) = g * a_{n-1}``, ``a_0 = 1``, ``g = exp((r - q) * period)``,

    solved for ``a_n`` piece by piece (the left side increases with ``a_n``). Inside the band the
    premium term is absent, so nothing pulls the price toward spot there: the recursion drifts by
    the carry until it leaves the band, and outside it contracts by ``g / (1 + kappa)``. The limit
    is the perpetual's price; it sits at an edge of the band unless ``iota`` pays the carry exactly.

    Parameters
    ----------
    spot : float
        Spot (index) price ``x`` (> 0).
    iota : float
        Interest component per period (Binance, Bybit, Hyperliquid: 0.0001 per 8 h).
    clamp : float
        Clamp bound ``gamma`` (0.0005), >= 0.
    kappa : float
        Weight of the premium in the rate (the venues: 1), > ``g - 1``.
    r, q : float
        Continuously compounded quote-currency rate and base-asset yield, per year.
    period : float
        Funding period in years (8 h = 8 / 8760).
    tol, max_iter
        As in :func:`perpetual_price_iterate` (``max_iter`` counts steps computed, a drift across
        the band being one).

    Returns
    -------
    FixedPoint
        ``price`` the limit, ``history`` the dated contracts' prices ``f_0 = spot, f_1, ...``
        (a long drift across the band, affine in closed form, is taken in one entry), and
        ``iterations`` the number of periods counted.

    Raises
    ------
    ValueError
        Naming the argument: a negative ``clamp``, ``kappa <= g - 1`` (the recursion does not
        contract outside the band), no convergence within ``max_iter``.

    References
    ----------
    Ackerer, Hugonnier and Jermann, arXiv:2310.11771 (the discrete model); Binance, Bybit and
    Hyperliquid funding pages: "Funding Rate (F) = Premium Index (P) + clamp (Interest Rate (I) -
    Premium Index (P), 0.05%, -0.05%)".

    Examples
    --------
    With ``clamp = 0`` the rule is ``F = kappa * P``, AHJ's with ``iota = 0``:

    >>> dt = 8 / 8760
    >>> fp = perpetual_price_clamped(100.0, iota=0.0001, clamp=0.0, r=0.05, period=dt)
    >>> math.isclose(fp.price, perpetual_price(100.0, kappa=1.0, r=0.05, period=dt))
    True

    With the venues' band the price settles at the band's lower edge, carry minus ``clamp``:

    >>> round(perpetual_price_clamped(100.0, r=0.05, period=dt).price, 4)
    99.9546
    """
    xa, k, i, g = _ahj_inputs(spot, kappa, iota, r, q, period)
    x = float(xa)
    c = v.one("clamp", v.nonnegative("clamp", clamp))
    if 1 + k - g <= 0 or g / (1 + k) >= 1:
        raise ValueError(f"kappa must exceed exp((r - q) * period) - 1 = {g - 1!r}, got {k!r}")
    lo, hi = (i - c) / k, (i + c) / k  # the band of premiums that pay exactly iota

    def premium(z: float) -> float:
        # invert p + F(p) = z piece by piece: F = kappa p + c below, iota inside, kappa p - c above
        if z < lo + i:
            return (z - c) / (1 + k)
        if z <= hi + i:
            return z - i
        return (z + c) / (1 + k)

    def in_band(a: float) -> bool:
        return lo <= a - 1.0 <= hi

    def band_steps(a: float) -> float:
        # Inside the band the recursion is affine, a -> g a - iota: the number of further steps
        # that stay in the band, in closed form (inf: it stays, converging or standing still).
        if g == 1.0:
            if i == 0.0:
                return math.inf
            edge = 1.0 + (lo if i > 0 else hi)
            return math.floor((a - edge) / i)
        fixed = i / (g - 1.0)
        d = a - fixed
        if d == 0.0 or (g < 1.0 and in_band(fixed)):
            return math.inf
        edge = 1.0 + (hi if (g - 1.0) * d > 0 else lo)
        return math.floor(math.log((edge - fixed) / d) / math.log(g))

    hist = [x]
    a, steps = 1.0, 0
    for _ in range(max_iter):
        new = 1.0 + premium(g * a - 1.0)
        steps += 1
        hist.append(new * x)
        if abs(new - a) <= tol * abs(new) and not (in_band(a) and in_band(new) and new != a):
            return FixedPoint(price=new * x, history=np.array(hist), iterations=steps)
        if in_band(a) and in_band(new):
            more = band_steps(new)
            if more == math.inf:  # a drift that never leaves the band: its limit
                limit = new if g == 1.0 else i / (g - 1.0)
                return FixedPoint(price=limit * x, history=np.array(hist), iterations=steps)
            jump = max(int(more) - 1, 0)  # drift across the band in one step, stop short of it
            if jump > 0:
                fixed = None if g == 1.0 else i / (g - 1.0)
                new = new - jump * i if fixed is None else fixed + g**jump * (new - fixed)
                steps += jump
                hist.append(new * x)
        a = new
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
