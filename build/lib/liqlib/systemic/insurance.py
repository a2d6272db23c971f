"""Insurance-fund sizing: how large a fund keeps auto-deleveraging away with a given probability.

A venue's insurance fund pays the losses of liquidations filled beyond the bankruptcy price and
receives the margin left over by those filled before it. In a liquidation cascade
(:func:`liqlib.systemic.cascades.cascade`) the fund's balance is the starting fund ``F`` plus the
running sum ``C_k`` of those surpluses and deficits, and auto-deleveraging (ADL) takes whatever
would push
the balance below zero. The total passed to ADL is therefore

    ADL(F) = max(0, D - F),    D = max(0, max_k(-C_k)),

where ``D``, the **peak deficit**, is the deepest the running balance would fall from an empty
fund. One number per scenario says everything: ADL happens exactly when ``F < D``. Over many seeded
scenarios (a population of positions and a price shock each) the probability of ADL is the survival
function of ``D``,

    P(ADL | F) = P(D > F),

non-increasing in ``F``; the fund that keeps it at most ``p`` is the ``1 - p`` quantile of ``D``
(:func:`fund_for_probability`), a value-at-risk. If holding a fund costs ``r`` per unit and each
unit of loss passed to ADL costs ``kappa``, the fund minimising ``r F + kappa E[max(0, D - F)]`` has
``P(D > F) = r / kappa`` (the newsvendor condition, :func:`optimal_fund`), the form
``VaR_{1 - r / kappa}(D)`` of Chitra's optimal insurance fund [1]_.

References
----------
.. [1] Chitra, T. (2025). Autodeleveraging: impossibilities and optimization. arXiv:2512.01112
   (the optimal insurance-fund size as a value-at-risk of the deficit).
.. [2] BitMEX, "Liquidation", https://www.bitmex.com/app/liquidation: the fund receives what a
   liquidation gets beyond the bankruptcy price and pays what it falls short, and an
   "Auto-Deleveraging event" follows when it cannot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..engine.book import flat_ladder
from .cascades import cascade, generate_population


def _deficits(deficits: ArrayLike) -> NDArray[np.float64]:
    d = v.nonnegative("deficits", deficits).reshape(-1)
    if d.size == 0:
        raise ValueError("deficits must hold at least one scenario, got none")
    return np.sort(d)


def adl_probability(deficits: ArrayLike, fund: ArrayLike) -> Any:
    """Share of scenarios whose peak deficit exceeds ``fund``: the estimated probability of ADL.

    Parameters
    ----------
    deficits : array
        Peak deficit ``D`` of each scenario (>= 0), quote currency.
    fund : float or array
        Insurance fund at the start (>= 0), quote currency.

    Returns
    -------
    float or ndarray
        ``mean(D > fund)``, non-increasing in ``fund``.

    Raises
    ------
    ValueError
        For a negative or non-finite deficit or fund, or no scenarios.

    References
    ----------
    Chitra, T. (2025), arXiv:2512.01112 (the deficit distribution and the fund's VaR).

    Examples
    --------
    >>> adl_probability([0, 0, 10, 20, 40], [0, 10, 15, 40])
    array([0.6, 0.4, 0.4, 0. ])
    >>> adl_probability([0, 5], -1)
    Traceback (most recent call last):
    ...
    ValueError: fund must be >= 0, got -1.0
    """
    d = _deficits(deficits)
    f = v.nonnegative("fund", fund)
    exceed = d.size - np.searchsorted(d, f, side="right")
    return v.scalar_or_array(exceed / d.size)


def expected_adl(deficits: ArrayLike, fund: ArrayLike) -> Any:
    """Mean loss passed to ADL, ``mean(max(0, D - fund))``: non-increasing and convex in ``fund``.

    Parameters
    ----------
    deficits : array
        Peak deficit of each scenario (>= 0), quote currency.
    fund : float or array
        Insurance fund at the start (>= 0), quote currency.

    Returns
    -------
    float or ndarray
        Quote currency.

    Examples
    --------
    >>> expected_adl([0, 0, 10, 20, 40], [0, 10, 40])
    array([14.,  8.,  0.])
    """
    d = _deficits(deficits)
    f = v.nonnegative("fund", fund)
    shortfall = np.maximum(d - f.reshape(-1, 1), 0.0).mean(axis=1).reshape(f.shape)
    return v.scalar_or_array(shortfall)


def fund_for_probability(deficits: ArrayLike, probability: float) -> float:
    """The smallest fund whose estimated probability of ADL is at most ``probability``.

    With ``n`` scenarios at most ``k = floor(probability * n)`` may exceed the fund, so the fund is
    the ``(n - k)``-th smallest peak deficit (the empirical ``1 - probability`` quantile, a
    value-at-risk), or 0 when ``k >= n``.

    Parameters
    ----------
    deficits : array
        Peak deficit of each scenario (>= 0), quote currency.
    probability : float
        Target probability of ADL, in [0, 1].

    Returns
    -------
    float
        Quote currency.

    Raises
    ------
    ValueError
        For a probability outside [0, 1] or bad deficits.

    Examples
    --------
    Five scenarios: a 20% chance allows one of them to exceed the fund.

    >>> fund_for_probability([0, 0, 10, 20, 40], 0.2)
    20.0
    >>> fund_for_probability([0, 0, 10, 20, 40], 0.0)
    40.0
    """
    d = _deficits(deficits)
    p = float(v.as_float("probability", probability))
    if not 0 <= p <= 1:
        raise ValueError(f"probability must be in [0, 1], got {p!r}")
    allowed = math.floor(p * d.size + 1e-9)  # 0.29 * 100 is 28.999999999999996
    return 0.0 if allowed >= d.size else float(d[d.size - 1 - allowed])


def optimal_fund(deficits: ArrayLike, capital_cost: float, loss_weight: float) -> float:
    """The fund minimising ``capital_cost * F + loss_weight * expected_adl(deficits, F)``.

    The objective falls with slope ``capital_cost - loss_weight * P(D > F)`` until that turns
    non-negative, so the optimum is :func:`fund_for_probability` at ``capital_cost / loss_weight``
    (0 when holding capital costs at least as much as the loss it saves).

    Parameters
    ----------
    deficits : array
        Peak deficit of each scenario (>= 0), quote currency.
    capital_cost : float
        Cost ``r`` (> 0) of holding one unit of fund over the horizon of a scenario.
    loss_weight : float
        Cost ``kappa`` (> 0) of one unit of loss passed to ADL (or socialized).

    Returns
    -------
    float
        Quote currency.

    References
    ----------
    Chitra, T. (2025), arXiv:2512.01112: the optimal fund is ``VaR_{1 - r / kappa}`` of the deficit.

    Examples
    --------
    >>> optimal_fund([0, 0, 10, 20, 40], capital_cost=1, loss_weight=5)
    20.0
    """
    r = float(v.positive("capital_cost", capital_cost))
    kappa = float(v.positive("loss_weight", loss_weight))
    return fund_for_probability(deficits, min(1.0, r / kappa))


@dataclass(frozen=True)
class DeficitSample:
    """Seeded cascade scenarios and the peak deficit of each.

    Attributes
    ----------
    shocks : ndarray
        The price shock of each scenario, a fraction of the price (negative: a drop).
    deficits : ndarray
        Peak deficit ``D`` of each scenario (>= 0): the loss ADL takes with an empty fund, and the
        smallest fund that avoids ADL.
    liquidated : ndarray of int
        Positions liquidated in each scenario.
    fund_income, fund_draw : ndarray
        Margin left to the fund by fills before bankruptcy, and losses beyond it, per scenario.
    open_interest : ndarray
        Total notional of each scenario's population at the starting price (quote currency).
    """

    shocks: NDArray[np.float64]
    deficits: NDArray[np.float64]
    liquidated: NDArray[np.int64]
    fund_income: NDArray[np.float64]
    fund_draw: NDArray[np.float64]
    open_interest: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.deficits.size)


def simulate_deficits(
    n_scenarios: int,
    *,
    seed: int,
    price: float = 60_000.0,
    positions: int = 2_000,
    depth: float = 60.0,
    shock_scale: float = 0.04,
    shock_dof: float = 3.0,
    max_shock: float = 0.5,
    **population: Any,
) -> DeficitSample:
    """Peak deficits of seeded cascades: a fresh population and a heavy-tailed shock each.

    Scenario ``k`` draws a population with :func:`liqlib.systemic.cascades.generate_population`
    (``positions`` positions around ``price``, its own seed; extra keyword arguments go to the
    generator) and a
    shock ``shock_scale * T`` with ``T`` Student-t with ``shock_dof`` degrees of freedom, clipped to
    ``[-max_shock, max_shock]`` (either sign: a drop hurts longs, a rise shorts). It runs
    :func:`liqlib.systemic.cascades.cascade` into a flat book of ``depth`` base units per 1% and
    keeps the peak deficit of the fund walk, ``adl_loss`` with an empty fund.

    Parameters
    ----------
    n_scenarios : int
        Number of scenarios (>= 1).
    seed : int
        Seed of everything drawn: the same seed gives the same sample.
    price : float
        Price before the shock (> 0).
    positions : int
        Positions per population (>= 1).
    depth : float
        Book depth (> 0), base units per 1% of price, on the side the liquidations take.
    shock_scale : float
        Scale (> 0) of the shock, a fraction of the price.
    shock_dof : float
        Degrees of freedom (> 0) of the Student-t shock; smaller is heavier-tailed.
    max_shock : float
        Largest absolute shock, in (0, 1).

    Returns
    -------
    DeficitSample

    Raises
    ------
    ValueError
        Naming the argument, for a bad count, price, depth or shock parameter.

    References
    ----------
    Chitra, T. (2025), arXiv:2512.01112; BitMEX, "Liquidation" (the fund's flows).

    Examples
    --------
    >>> sample = simulate_deficits(20, seed=1, positions=200)
    >>> len(sample), bool(np.all(sample.deficits >= 0))
    (20, True)
    """
    n = v.integer("n_scenarios", n_scenarios, low=1)
    count = v.integer("positions", positions, low=1)
    p = float(v.positive("price", price))
    book = flat_ladder(float(v.positive("depth", depth)))
    scale = float(v.positive("shock_scale", shock_scale))
    dof = float(v.positive("shock_dof", shock_dof))
    cap = float(v.positive("max_shock", max_shock))
    if not cap < 1:
        raise ValueError(f"max_shock must be in (0, 1), got {cap!r}")
    rng = np.random.default_rng(v.integer("seed", seed, low=0))
    seeds = rng.integers(0, 2**63 - 1, size=n)
    shocks = np.clip(scale * rng.standard_t(dof, size=n), -cap, cap)
    shocks[shocks == 0] = np.finfo(float).tiny  # the cascade needs a nonzero move
    out = np.zeros((4, n))
    interest = np.zeros(n)
    for k in range(n):
        pop = generate_population(count, p, seed=int(seeds[k]), **population)
        result = cascade(pop, p, float(shocks[k]), book)
        out[:, k] = result.adl_loss, result.count, result.fund_income, result.fund_draw
        interest[k] = float(np.sum(pop.size) * p)
    return DeficitSample(
        shocks=shocks,
        deficits=out[0],
        liquidated=out[1].astype(np.int64),
        fund_income=out[2],
        fund_draw=out[3],
        open_interest=interest,
    )


__all__ = [
    "DeficitSample",
    "adl_probability",
    "expected_adl",
    "fund_for_probability",
    "optimal_fund",
    "simulate_deficits",
]
