"""Price-impact laws and optimal liquidation schedules.

Two impact laws give the price move caused by trading a quantity ``Q``:

* **linear** (Kyle's lambda [1]_): ``I = lambda * Q``; what a flat order book produces;
* **square root** [2]_ [3]_: ``I = Y * sigma * sqrt(Q / V)`` as a fraction of price, with
  ``sigma`` the daily volatility, ``V`` the daily volume and ``Y`` a constant of order one; what
  a book whose depth density rises linearly with distance produces (see :mod:`liqlib.book`).

Spreading a liquidation over time trades impact for price risk. Almgren and Chriss [4]_ solve
for the schedule that minimises ``E[cost] + lambda * Var[cost]`` with linear temporary impact
``eta``, permanent impact ``gamma`` and a fixed cost ``epsilon`` per unit:
:func:`almgren_chriss_schedule` and :func:`schedule_cost`.

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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validate as v


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
        for name in ("shares", "horizon", "eta"):
            v.positive(name, getattr(self, name))
        for name in ("sigma", "epsilon", "gamma"):
            v.nonnegative(name, getattr(self, name))
        if int(self.periods) != self.periods or self.periods < 1:
            raise ValueError(f"periods must be an integer >= 1, got {self.periods!r}")
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
    lam = float(v.nonnegative("risk_aversion", risk_aversion))
    t = np.linspace(0.0, model.horizon, model.periods + 1)
    if lam == 0 or model.sigma == 0:
        return model.shares * (1 - t / model.horizon)
    kappa_tau = np.arccosh(1 + lam * model.sigma**2 * model.tau**2 / (2 * model.eta_tilde))
    kappa = kappa_tau / model.tau
    # sinh(k(T - t)) / sinh(kT) written with decaying exponentials, which never overflow
    big_t = model.horizon
    holdings = (np.exp(-kappa * t) - np.exp(-kappa * (2 * big_t - t))) / (
        1 - np.exp(-2 * kappa * big_t)
    )
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
