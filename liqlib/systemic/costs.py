"""Price-impact laws and optimal liquidation schedules.

Two impact laws give the price move caused by trading a quantity ``Q``:

* **linear** (Kyle's lambda [1]_): ``I = lambda * Q``; what a flat order book produces;
* **square root** [2]_ [3]_: ``I = Y * sigma * sqrt(Q / V)`` as a fraction of price, with
  ``sigma`` the daily volatility, ``V`` the daily volume and ``Y`` a constant of order one; what
  a book whose depth density rises linearly with distance produces (see :mod:`liqlib.engine.book`).

Spreading a liquidation over time trades impact for price risk. Almgren and Chriss [4]_ solve
for the schedule that minimises ``E[cost] + lambda * Var[cost]`` with linear temporary impact
``eta``, permanent impact ``gamma`` and a fixed cost ``epsilon`` per unit:
:func:`almgren_chriss_schedule` and :func:`schedule_cost`.

Against an order book the same schedule can be *executed*: :func:`sliced_execution` sends each
slice into a :class:`liqlib.engine.book.ResilientBook` whose consumed depth refills with a half-life
between slices (Obizhaeva and Wang's transient impact [5]_). A flat book that refills completely
between slices is exactly Almgren and Chriss's temporary impact, with ``epsilon`` the half spread
and ``eta / tau`` half the book's price slope: :func:`flat_book_model` builds that model.
The cost decomposition of a single liquidation lives in :mod:`liqlib.systemic.cost_breakdown`.

In a book that refills with a finite half-life the straight line is no longer the cheapest
schedule. Obizhaeva and Wang [5]_ solve the risk-neutral problem in a block-shaped (flat) book
with exponential resilience: trade a **block at each end** and, in between, just enough to hold
the hole in the book at the depth the first block dug (:func:`obizhaeva_wang_schedule`, with its
closed-form cost).

A liquidation engine closes a position whose margin is almost gone, so whatever the close costs
beyond the margin falls on the insurance fund: the fund is short a put on the cost. Its expected
loss is ``E[max(0, C - m)]``, the **expected shortfall** beyond the margin ``m``
(:func:`fund_expected_shortfall`), which grows with the variance of the cost even when the
expected cost stays below the margin.

The impact laws need qualifying. Kyle's lambda is an *equilibrium* price response to order flow
that carries information, and it is *permanent*; the flat book's lambda here is a mechanical,
transient one (it refills). The square-root law is an empirical law for *metaorders*, large orders
executed in many pieces over hours, measured on their whole execution [2]_ [3]_; a single market
order walks the book, whose shape the law does not fix.

References
----------
.. [1] Kyle, A. S. (1985). Continuous auctions and insider trading. *Econometrica* 53(6).
.. [2] Tóth, B. et al. (2011). Anomalous price impact and the critical nature of liquidity in
   financial markets. *Physical Review X* 1, 021006.
.. [3] Donier, J., Bonart, J. (2015). A million metaorder analysis of market impact on the
   Bitcoin. arXiv:1412.4503.
.. [4] Almgren, R., Chriss, N. (2000). Optimal execution of portfolio transactions. *Journal of
   Risk* 3(2), 5-39: sections 2-3 (the discrete model, its expected cost and variance, and the
   optimal trajectory ``x_j = X sinh(kappa (T - t_j)) / sinh(kappa T)`` with
   ``cosh(kappa tau) = 1 + lambda sigma^2 tau^2 / (2 eta_tilde)``).
.. [5] Obizhaeva, A. A., Wang, J. (2013). Optimal trading strategy and supply/demand dynamics.
   *Journal of Financial Markets* 16(1), 1-32: Proposition 1 (the discrete-time optimal
   strategy ``x_0 = x_N = X / ((N - 1)(1 - e^{-rho tau}) + 2)``, ``x_n = x_0 (1 - e^{-rho tau})``
   in between) and Proposition 2 (its continuous-time limit: blocks of ``X / (rho T + 2)`` at
   both ends, trading at the rate ``rho X / (rho T + 2)`` in between).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..engine.book import SELL, Ladder, PowerLawLadder, ResilientBook, check_ladder
from ..prices.options import normal_cdf


def linear_impact(quantity: ArrayLike, kyle_lambda: ArrayLike) -> Any:
    """Kyle's linear impact ``lambda * Q`` (price units per unit traded times quantity).

    Examples
    --------
    >>> linear_impact(50, 0.2)
    10.0
    """
    q = v.nonnegative("quantity", quantity)
    lam = v.nonnegative("kyle_lambda", kyle_lambda)
    return v.scalar_or_array(lam * q)


def square_root_impact(
    quantity: ArrayLike, daily_volume: ArrayLike, daily_volatility: ArrayLike, y: ArrayLike = 1.0
) -> Any:
    """Square-root impact ``Y * sigma * sqrt(Q / V)``, a fraction of price.

    Parameters
    ----------
    quantity : float or array
        Quantity traded (>= 0).
    daily_volume : float or array
        Daily traded volume (> 0), in the same unit.
    daily_volatility : float or array
        Daily volatility of returns (>= 0), a fraction.
    y : float or array
        The law's prefactor (> 0); empirically of order one.

    Examples
    --------
    Trading 1% of daily volume with 4% daily volatility moves the price about 0.4%:

    >>> round(square_root_impact(100, 10_000, 0.04), 6)
    0.004
    """
    q = v.nonnegative("quantity", quantity)
    volume = v.positive("daily_volume", daily_volume)
    sigma = v.nonnegative("daily_volatility", daily_volatility)
    prefactor = v.positive("y", y)
    return v.scalar_or_array(prefactor * sigma * np.sqrt(q / volume))


@dataclass(frozen=True)
class ExecutionModel:
    """Almgren-Chriss parameters for selling ``shares`` over ``periods`` intervals of ``tau``.

    Attributes
    ----------
    shares : float
        Quantity to liquidate, ``X`` (> 0).
    horizon : float
        Time to finish, ``T`` (> 0), in the unit of ``sigma``'s variance.
    periods : int
        Number of trading intervals ``N`` (>= 1); ``tau = T / N``.
    sigma : float
        Price volatility (>= 0), price units per square root of time.
    epsilon : float
        Fixed cost per unit sold (>= 0): half the spread plus fees.
    eta : float
        Temporary impact (> 0): price concession per unit of trading rate.
    gamma : float
        Permanent impact (>= 0) per unit sold; must satisfy ``gamma * tau < 2 * eta``.
    """

    shares: float
    horizon: float
    periods: int
    sigma: float
    epsilon: float
    eta: float
    gamma: float

    def __post_init__(self) -> None:
        v.integer("periods", self.periods, low=1)
        for name in ("shares", "horizon", "eta"):
            v.number(name, getattr(self, name), "pos")
        for name in ("sigma", "epsilon", "gamma"):
            v.number(name, getattr(self, name), "nonneg")
        if self.eta_tilde <= 0:
            raise ValueError(
                f"gamma * tau must be below 2 * eta (got gamma={self.gamma}, tau={self.tau}, "
                f"eta={self.eta}): otherwise temporary impact no longer penalises fast trading"
            )

    @property
    def tau(self) -> float:
        return self.horizon / self.periods

    @property
    def eta_tilde(self) -> float:
        """``eta - gamma * tau / 2``: the temporary impact net of the permanent part."""
        return self.eta - 0.5 * self.gamma * self.tau


def almgren_chriss_schedule(model: ExecutionModel, risk_aversion: float) -> NDArray[np.float64]:
    """Optimal holdings ``x_0 = X, x_1, ..., x_N = 0`` for risk aversion ``lambda``.

    ``risk_aversion = 0`` gives the straight line (TWAP), which minimises expected cost; a
    larger ``lambda`` sells faster at the start to cut exposure to price moves.

    Examples
    --------
    >>> m = ExecutionModel(shares=1_000, horizon=5, periods=5, sigma=1.0, epsilon=0.0,
    ...                    eta=0.1, gamma=0.0)
    >>> almgren_chriss_schedule(m, 0.0).round(6).tolist()
    [1000.0, 800.0, 600.0, 400.0, 200.0, 0.0]
    """
    lam = v.number("risk_aversion", risk_aversion, "nonneg")
    t = np.linspace(0.0, model.horizon, model.periods + 1)
    if lam == 0 or model.sigma == 0:
        return model.shares * (1 - t / model.horizon)
    y = lam * model.sigma**2 * model.tau**2 / (2 * model.eta_tilde)
    kappa = np.log1p(y + np.sqrt(y * (y + 2))) / model.tau  # arccosh(1 + y), exact for tiny y
    big_t = model.horizon
    if math.isinf(kappa):  # risk aversion beyond float's range: sell everything at once
        return np.where(t == 0, float(model.shares), 0.0)
    if kappa * big_t == 0:  # risk aversion too small to register: the straight line
        return model.shares * (1 - t / big_t)
    # sinh(k(T - t)) / sinh(kT) = e^{-kt} (1 - e^{-2k(T-t)}) / (1 - e^{-2kT}): decaying
    # exponentials never overflow, and expm1 keeps it exact when kT is tiny
    ratio = np.expm1(-2 * kappa * (big_t - t)) / np.expm1(-2 * kappa * big_t)
    holdings = np.exp(-kappa * t) * ratio
    return model.shares * holdings


@dataclass(frozen=True)
class ScheduleCost:
    """Expected implementation shortfall and its variance for a schedule."""

    expected: float
    variance: float

    def objective(self, risk_aversion: float) -> float:
        """``E + lambda * Var``: what :func:`almgren_chriss_schedule` minimises."""
        return self.expected + risk_aversion * self.variance


def schedule_cost(model: ExecutionModel, holdings: ArrayLike) -> ScheduleCost:
    """Almgren-Chriss expected cost and variance of selling along ``holdings``.

    ``E = gamma X^2 / 2 + epsilon sum|n_k| + (eta_tilde / tau) sum n_k^2`` and
    ``Var = sigma^2 tau sum x_k^2`` (for ``k = 1..N``), where ``n_k = x_{k-1} - x_k`` is
    sold in interval ``k``.
    """
    x = v.as_float("holdings", holdings).reshape(-1)
    if x.size != model.periods + 1 or x[0] != model.shares or x[-1] != 0:
        raise ValueError(
            f"holdings must have periods + 1 = {model.periods + 1} entries from shares "
            f"({model.shares}) down to 0, got {x.size} entries from {x[0]} to {x[-1]}"
        )
    sold = -np.diff(x)
    expected = (
        0.5 * model.gamma * model.shares**2
        + model.epsilon * np.abs(sold).sum()
        + model.eta_tilde / model.tau * np.sum(sold**2)
    )
    variance = model.sigma**2 * model.tau * np.sum(x[1:] ** 2)
    return ScheduleCost(float(expected), float(variance))


@dataclass(frozen=True)
class SlicedExecution:
    """A liquidation sent to the book in slices.

    Attributes
    ----------
    quantities : ndarray
        Size of each slice, base units.
    vwaps : ndarray
        Average fill price of each slice, quote per base.
    costs : ndarray
        What each slice paid against the mid price, quote currency.
    cost : float
        Their sum.
    cost_bps : float
        ``cost`` in basis points of ``quantity * mid``.
    vwap : float
        Average fill price of the whole liquidation.
    worst_price : float
        The last unit's price in the slice that went deepest.
    """

    quantities: NDArray[np.float64]
    vwaps: NDArray[np.float64]
    costs: NDArray[np.float64]
    cost: float
    cost_bps: float
    vwap: float
    worst_price: float


def _holdings(holdings: ArrayLike) -> NDArray[np.float64]:
    x = v.nonnegative("holdings", holdings).reshape(-1)
    if x.size < 2 or not x[0] > 0 or x[-1] != 0 or np.any(np.diff(x) > 0):
        raise ValueError(
            "holdings must run from the position size (> 0) down to 0 without rising, with at "
            f"least two entries, got {x.tolist()[:6]}{' ...' if x.size > 6 else ''}"
        )
    return x


def sliced_execution(
    ladder: Ladder,
    holdings: ArrayLike,
    mid: float,
    *,
    interval: float,
    half_life: float,
    side: int = SELL,
) -> SlicedExecution:
    """Send a liquidation to a resilient book along a schedule of holdings.

    Slice ``k`` sells (or buys) ``holdings[k-1] - holdings[k]``; between slices ``interval``
    passes and the depth the earlier slices consumed refills with ``half_life``
    (:class:`liqlib.engine.book.ResilientBook`). The mid price stays at ``mid``: the book's impact
    is transient, and price risk is left to :func:`schedule_cost`.

    Parameters
    ----------
    ladder : Ladder
        The side of the book the orders take (bids for a ``SELL``), measured from ``mid``.
    holdings : array
        Position left after each slice, ``[X, x_1, ..., 0]`` (``[X, 0]`` is one market order);
        :func:`almgren_chriss_schedule` returns one.
    mid : float
        Mid price (> 0), quote per base.
    interval : float
        Time between slices (>= 0), in the unit of ``half_life``.
    half_life : float
        Refill half-life in [0, inf]: 0 refills completely between slices, ``inf`` never.
    side : {SELL, BUY}
        The orders' side: ``SELL`` liquidates a long.

    Returns
    -------
    SlicedExecution

    Raises
    ------
    ValueError
        For holdings that do not run from a positive size down to 0, a negative interval or
        half-life, a non-positive mid, or a book too thin to fill a slice.

    References
    ----------
    Obizhaeva and Wang (2013), module reference [5]; Almgren and Chriss (2000), [4].

    Examples
    --------
    A flat book of 100 units per 1% around 100: one order of 40 pays 0.2% on average; four
    slices into a book that refills completely in between pay a quarter of the impact.

    >>> from liqlib.engine.book import flat_ladder
    >>> book = flat_ladder(100)
    >>> sliced_execution(book, [40, 0], 100.0, interval=1, half_life=0).cost
    8.0
    >>> sliced_execution(book, [40, 30, 20, 10, 0], 100.0, interval=1, half_life=0).cost
    2.0
    >>> sliced_execution(book, [40, 30, 20, 10, 0], 100.0, interval=1, half_life=float("inf")).cost
    8.0
    """
    check_ladder("ladder", ladder)
    x = _holdings(holdings)
    m = v.number("mid", mid, "pos")
    dt = v.number("interval", interval, "nonneg")
    sgn = int(v.one("side", v.side("side", side)))
    book = ResilientBook(ladder, ladder, v.duration("half_life", half_life))
    quantities = -np.diff(x)
    vwaps = np.full(quantities.size, np.nan)
    costs = np.zeros(quantities.size)
    worst = m
    for k, q in enumerate(quantities):
        if k > 0:
            book.advance(dt)
        if q == 0:
            continue
        fill = book.execute(sgn, float(q), m)
        if fill.unfilled > 0:
            raise ValueError(
                f"the book ran out in slice {k + 1}: {fill.unfilled:g} of {q:g} left unfilled; "
                "use a deeper ladder or smaller slices"
            )
        vwaps[k], costs[k] = fill.vwap, fill.cost
        worst = min(worst, fill.worst_price) if sgn < 0 else max(worst, fill.worst_price)
    total = float(costs.sum())
    return SlicedExecution(
        quantities=quantities,
        vwaps=vwaps,
        costs=costs,
        cost=total,
        cost_bps=total / (x[0] * m) * 1e4,
        vwap=m + sgn * total / x[0],
        worst_price=worst,
    )


def flat_book_model(
    ladder: PowerLawLadder, mid: float, shares: float, horizon: float, periods: int, sigma: float
) -> ExecutionModel:
    """The Almgren-Chriss model of a flat book that refills completely between slices.

    Selling ``n`` into a flat ladder (``alpha = 1``) with half spread ``h``, ``depth`` per
    ``reference`` costs ``mid * h * n + mid * reference * n**2 / (2 * depth)`` against the mid,
    which is Almgren and Chriss's ``epsilon * n + (eta / tau) * n**2`` with

        epsilon = mid * h,    eta = tau * mid * reference / (2 * depth),    gamma = 0.

    Parameters
    ----------
    ladder : PowerLawLadder
        A flat ladder (``alpha == 1``).
    mid : float
        Mid price (> 0).
    shares, horizon, periods, sigma
        As in :class:`ExecutionModel`.

    Returns
    -------
    ExecutionModel

    Raises
    ------
    ValueError
        If the ladder is not flat, or for the checks of :class:`ExecutionModel`.

    Examples
    --------
    >>> from liqlib.engine.book import flat_ladder
    >>> m = flat_book_model(flat_ladder(100, half_spread=1e-4), 100.0, 40, 4, 4, 0.5)
    >>> round(m.epsilon, 6), round(m.eta, 6)
    (0.01, 0.005)
    >>> round(schedule_cost(m, [40, 30, 20, 10, 0]).expected, 6)  # 0.4 spread + 2.0 impact
    2.4
    """
    v.instance("ladder", ladder, PowerLawLadder, "a flat PowerLawLadder (alpha = 1)")
    if ladder.alpha != 1:
        raise ValueError(
            f"ladder must be a flat PowerLawLadder (alpha = 1), got {ladder!r}: only a flat book "
            "has the linear temporary impact of the Almgren-Chriss model"
        )
    m = v.number("mid", mid, "pos")
    # periods first: periods=0 used to surface as a zero eta, blaming eta
    tau = v.number("horizon", horizon, "pos") / v.integer("periods", periods, low=1)
    return ExecutionModel(
        shares=shares,
        horizon=horizon,
        periods=periods,
        sigma=sigma,
        epsilon=m * ladder.half_spread,
        eta=tau * m * ladder.reference / (2 * ladder.depth),
        gamma=0.0,
    )


@dataclass(frozen=True)
class ObizhaevaWangSchedule:
    """The Obizhaeva-Wang optimal schedule in a flat book that refills with a half-life.

    Attributes
    ----------
    holdings : ndarray
        Position left after each trade, ``[X, X - x_0, ..., x_N, 0]`` (``periods + 2`` entries):
        pass it to :func:`sliced_execution` with the same ``interval`` and ``half_life``.
    trades : ndarray
        The ``periods + 1`` trades, at times ``0, tau, ..., periods * tau``.
    block : float
        The first and the last trade, ``X / ((N - 1)(1 - a) + 2)`` with ``a = 2**(-tau / h)``.
    cost : float
        Closed-form cost against the mid, quote currency: the half spread on every unit plus
        ``(M r / d) X**2 (1 + a) / (2 ((N - 1)(1 - a) + 2))``.
    cost_bps : float
        ``cost`` in basis points of ``X * mid``.
    continuous_cost : float
        The continuous-time limit over the same horizon ``T = N tau``:
        ``M h X + (M r / d) X**2 / (rho T + 2)`` with ``rho = ln 2 / h``.
    """

    holdings: NDArray[np.float64]
    trades: NDArray[np.float64]
    block: float
    cost: float
    cost_bps: float
    continuous_cost: float


def obizhaeva_wang_schedule(
    ladder: PowerLawLadder,
    shares: float,
    mid: float,
    *,
    periods: int,
    interval: float,
    half_life: float,
) -> ObizhaevaWangSchedule:
    """Obizhaeva and Wang's cheapest way to close ``shares`` in ``periods`` intervals.

    The book is flat (Obizhaeva and Wang's block-shaped book, density ``q = d / (M r)`` units per
    unit of price beyond the half spread) and its consumed depth refills as
    :class:`liqlib.engine.book.ResilientBook` refills it, by ``a = 2**(-interval / half_life)``
    per interval (resilience ``rho = ln 2 / half_life``). A trade dug to depth ``D`` leaves
    ``a D`` one interval later; the cost of a schedule is a quadratic form in its trades with the
    matrix ``a**|i - j|``, whose inverse is tridiagonal, so the minimum is explicit [5]_: a block
    ``x_0`` now, a block ``x_N = x_0`` at the end, and ``x_0 (1 - a)`` at every trade in between,
    exactly what refilled since the last one (the hole is held at the depth ``x_0`` dug). The
    schedule does not depend on the volatility: the model is risk-neutral. A permanent impact
    ``lambda`` would add ``lambda X**2 / 2`` to every schedule alike and change nothing here.

    Parameters
    ----------
    ladder : PowerLawLadder
        A flat ladder (``alpha == 1``), the side the orders take, measured from ``mid``.
    shares : float
        Quantity to close, ``X`` (> 0), base units.
    mid : float
        Mid price (> 0), quote per base; it does not move (the impact is transient).
    periods : int
        Intervals ``N`` (>= 1) between the first and the last trade: ``N + 1`` trades.
    interval : float
        Time ``tau`` between trades (>= 0), in the unit of ``half_life``.
    half_life : float
        Refill half-life in [0, inf]: 0 refills at once (the trades become equal), ``inf``
        never (every schedule costs what one order costs).

    Returns
    -------
    ObizhaevaWangSchedule

    Raises
    ------
    ValueError
        If the ladder is not flat, for a non-positive ``shares`` or ``mid``, ``periods`` not an
        integer >= 1, or a negative ``interval`` or ``half_life``.

    References
    ----------
    Obizhaeva and Wang (2013), module reference [5]: Propositions 1 and 2.

    Examples
    --------
    A flat book of 100 units per 1% around 100, refilling with a half-life of one interval:
    40 units in four trades go as 13.33, 6.67, 6.67 and 13.33, and cost 4.00 where four equal
    slices of 10 cost 4.125 (:func:`sliced_execution` evaluates both):

    >>> from liqlib.engine.book import flat_ladder
    >>> ow = obizhaeva_wang_schedule(flat_ladder(100), 40, 100.0, periods=3, interval=1,
    ...                              half_life=1)
    >>> ow.trades.round(2).tolist()
    [13.33, 6.67, 6.67, 13.33]
    >>> round(ow.cost, 9)
    4.0
    >>> round(sliced_execution(flat_ladder(100), ow.holdings, 100.0, interval=1,
    ...                        half_life=1).cost, 9)
    4.0
    """
    v.instance("ladder", ladder, PowerLawLadder, "a flat PowerLawLadder (alpha = 1)")
    if ladder.alpha != 1:
        raise ValueError(
            f"ladder must be a flat PowerLawLadder (alpha = 1), got {ladder!r}: Obizhaeva and "
            "Wang's closed form holds for a block-shaped book only"
        )
    x = v.number("shares", shares, "pos")
    m = v.number("mid", mid, "pos")
    n = v.integer("periods", periods, low=1)
    tau = v.duration("interval", interval)
    h = v.duration("half_life", half_life)
    if h == 0:
        keep = 0.0 if tau > 0 else 1.0
    elif math.isinf(h):
        keep = 1.0
    else:
        keep = 2.0 ** (-tau / h)
    refilled = 1.0 - keep
    denominator = (n - 1) * refilled + 2.0
    block = x / denominator
    trades = np.full(n + 1, block * refilled)
    trades[0] = trades[-1] = block
    holdings = x - np.concatenate([[0.0], np.cumsum(trades)])
    holdings[-1] = 0.0  # exact zero despite rounding in the sum
    price_per_unit = m * ladder.reference / ladder.depth  # 1 / q: price moved per unit consumed
    spread = m * ladder.half_spread * x
    cost = spread + price_per_unit * x**2 * (1.0 + keep) / (2.0 * denominator)
    rho_t = math.inf if h == 0 and tau > 0 else (0.0 if h == 0 else math.log(2) / h * n * tau)
    continuous = spread + (0.0 if math.isinf(rho_t) else price_per_unit * x**2 / (rho_t + 2.0))
    return ObizhaevaWangSchedule(
        holdings=holdings,
        trades=trades,
        block=block,
        cost=cost,
        cost_bps=cost / (x * m) * 1e4,
        continuous_cost=continuous,
    )


def fund_expected_shortfall(mean_cost: ArrayLike, std_cost: ArrayLike, margin: ArrayLike) -> Any:
    """``E[max(0, C - margin)]`` for a normally distributed close cost ``C``.

    The insurance fund pays whatever closing a position costs beyond the margin left in it, so
    it is short a put on the cost struck at the margin. For ``C ~ N(mu, s)`` and ``z = (mu -
    margin) / s`` its expected payment is ``(mu - margin) N(z) + s phi(z)`` (the Bachelier put);
    with ``s = 0`` it is ``max(0, mu - margin)``. It is positive whenever ``s > 0``, even with
    the expected cost below the margin: a schedule that spreads a close over time to cut its
    expected cost adds price risk, and the fund pays for the bad draws. (This is the expected
    excess over a threshold, not the tail average that risk managers also call expected
    shortfall.)

    Parameters
    ----------
    mean_cost : float or array
        Expected cost of the close (finite), in any unit (quote currency or bps of notional).
    std_cost : float or array
        Its standard deviation (>= 0), same unit.
    margin : float or array
        The margin left to absorb it (finite), same unit.

    Returns
    -------
    float or ndarray
        Same unit; a float for scalar input.

    Raises
    ------
    ValueError
        Naming the argument: a negative or NaN standard deviation, or a non-finite mean or
        margin.

    References
    ----------
    Bachelier's normal-model put, as in Haug (2007), *The Complete Guide to Option Pricing
    Formulas*, 2nd ed., McGraw-Hill.

    Examples
    --------
    An expected cost of 50.5 bps against 50 bps of margin, with a standard deviation of 18.2
    bps: the fund expects to pay 7.5 bps, not the 0.5 bps the means suggest.

    >>> round(fund_expected_shortfall(50.5, 18.2, 50.0), 2)
    7.51
    >>> fund_expected_shortfall([40.0, 60.0], 0.0, 50.0).tolist()
    [0.0, 10.0]
    """
    mu = v.as_float("mean_cost", mean_cost)
    s = v.nonnegative("std_cost", std_cost)
    m = v.as_float("margin", margin)
    for name, arr in (("mean_cost", mu), ("margin", m)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite, got {arr.tolist()!r}")
    v.shapes(mean_cost=mu, std_cost=s, margin=m)
    mu, s, m = np.broadcast_arrays(mu, s, m)
    excess = mu - m
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, excess / np.where(s > 0, s, 1.0), 0.0)
    density = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    put = excess * np.asarray(normal_cdf(z)) + s * density
    out = np.where(s > 0, put, np.maximum(excess, 0.0))
    return v.scalar_or_array(np.asarray(out, dtype=float))


__all__ = [
    "ExecutionModel",
    "ObizhaevaWangSchedule",
    "fund_expected_shortfall",
    "obizhaeva_wang_schedule",
    "ScheduleCost",
    "SlicedExecution",
    "almgren_chriss_schedule",
    "flat_book_model",
    "linear_impact",
    "schedule_cost",
    "sliced_execution",
    "square_root_impact",
]
