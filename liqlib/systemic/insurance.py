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
.. [3] Deribit API v2, ``open_interest`` field (copy: github.com/api-evangelist/deribit
   ``json-schema/open_interest.json``, read 2026-12-03): "The total amount of outstanding
   contracts"; each outstanding contract has one long and one short, so the figure counts one
   side ("Each open transaction consists of a buyer and a seller, but in an open interest
   calculation, only one side of the contract is counted", the standard definition).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..engine.book import Ladder, flat_ladder
from ..sweep import sweep
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
    p = v.number("probability", probability)
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
    r = v.number("capital_cost", capital_cost, "pos")
    kappa = v.number("loss_weight", loss_weight, "pos")
    return fund_for_probability(deficits, min(1.0, r / kappa))


#: Bybit's example drawdown threshold: ADL starts once a symbol's 8-hour PnL drawdown passes 30% of
#: its insurance pool's 8-hour maximum balance (``insurancePnlRatio = -0.3`` in Bybit's "Get ADL
#: Alert" example for its grouped pools; a per-pool setting). Bybit's help page (updated
#: 2025-11-05) states 100% ("reaches or exceeds 100% of the insurance fund's highest balance"):
#: ``max_drawdown=1``.
BYBIT_MAX_DRAWDOWN = 0.3


def _walk(fund_flows: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return _unchecked_walk(v.as_float("fund_flows", fund_flows).reshape(-1))


def _unchecked_walk(flows: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The fund's running flows ``C_k`` (``C_0 = 0``) and their running peak ``M_k``."""
    walk = np.concatenate(([0.0], np.cumsum(flows)))
    return walk, np.maximum.accumulate(walk)


def _drawdown_deficit(flows: NDArray[np.float64], r: float) -> float:
    """:func:`drawdown_deficit` on checked inputs (a sample calls it once per scenario)."""
    walk, peak = _unchecked_walk(flows)
    return max(0.0, float(np.max((peak - walk) / r - peak)))


def _ratio(max_drawdown: float) -> float:
    r = v.number("max_drawdown", max_drawdown)
    if not 0 < r <= 1:
        raise ValueError(f"max_drawdown must be in (0, 1], got {r!r}")
    return r


def drawdown_deficit(fund_flows: ArrayLike, max_drawdown: float = 1.0) -> float:
    """The smallest fund that avoids ADL when ADL starts at a drawdown of ``max_drawdown``.

    With the fund's running flows ``C_k`` (``C_0 = 0``) and their running peak ``M_k``, a fund
    ``F`` has balance ``F + C_k`` and peak balance ``F + M_k``. Bybit starts ADL when the drawdown
    ``M_k - C_k`` passes ``max_drawdown`` of the peak balance, before the fund is empty; that never
    happens iff ``F >= D_r``,

        D_r = max(0, max_k((M_k - C_k) / r - M_k)),

    which for ``r = 1`` (ADL only once the fund is empty, "balance <= 0") is the peak deficit
    ``D = max(0, max_k(-C_k))``. So :func:`adl_probability` and :func:`fund_for_probability`
    apply to ``D_r`` unchanged.

    Parameters
    ----------
    fund_flows : array
        What each liquidation, in order, pays into the fund (> 0) or draws from it (< 0), quote
        currency.
    max_drawdown : float
        Drawdown of the peak balance, in (0, 1], at which ADL starts (1: an empty fund;
        :data:`BYBIT_MAX_DRAWDOWN` for Bybit's example).

    Returns
    -------
    float
        Quote currency.

    Raises
    ------
    ValueError
        For non-finite flows or ``max_drawdown`` outside (0, 1].

    References
    ----------
    Bybit API v5, "Get ADL Alert", https://bybit-exchange.github.io/docs/v5/market/adl-alert (read
    2026-12-03): "Trigger condition: balance (insurance fund balance) > adlTriggerThreshold [...]
    and pnlRatio < insurancePnlRatio"; "pnlRatio = (Symbol's current PnL - Symbol's 8h max PnL) /
    Insurance pool's 8h max balance (maxBalance)"; and the original rule, "Trigger condition:
    balance (insurance fund balance) <= 0".

    Examples
    --------
    Bybit's example: a pool of 1M, one symbol loses 350K; at a 30% threshold any fund below
    1.17M triggers ADL, while an empty-fund rule needs only 350K.

    >>> round(drawdown_deficit([-350_000.0], 0.3)), drawdown_deficit([-350_000.0])
    (1166667, 350000.0)
    """
    flows = v.as_float("fund_flows", fund_flows).reshape(-1)
    return _drawdown_deficit(flows, _ratio(max_drawdown))


def drawdown_adl(fund_flows: ArrayLike, fund: float, max_drawdown: float = 1.0) -> float:
    """Loss passed to ADL to hold the drawdown at ``max_drawdown`` of the peak balance.

    ``max(0, max_k((M_k - C_k) - r (F + M_k)))`` (notation of :func:`drawdown_deficit`); for
    ``r = 1`` it is ``max(0, D - F)``. The running peak is the fund's own, before ADL.

    Parameters
    ----------
    fund_flows : array
        Fund flows of the liquidations, in order, quote currency.
    fund : float
        Fund balance (>= 0) before them.
    max_drawdown : float
        Drawdown threshold in (0, 1].

    Returns
    -------
    float
        Quote currency.

    Raises
    ------
    ValueError
        For a negative fund, non-finite flows or ``max_drawdown`` outside (0, 1].

    References
    ----------
    Bybit API v5, "Get ADL Alert" (as :func:`drawdown_deficit`): in its example the pool of 1M
    loses 350K, "pnlRatio = -35%", and ADL covers 50K to hold the ratio at -30%.

    Examples
    --------
    >>> round(drawdown_adl([-350_000.0], 1_000_000.0, BYBIT_MAX_DRAWDOWN))
    50000
    >>> drawdown_adl([-350_000.0], 1_000_000.0)
    0.0
    """
    r = _ratio(max_drawdown)
    f = v.number("fund", fund, "nonneg")
    walk, peak = _walk(fund_flows)
    return max(0.0, float(np.max((peak - walk) - r * (f + peak))))


#: What a case of :func:`simulate_deficit_cases` may set, and the defaults of
#: :func:`simulate_deficits`.
CASE_KEYWORDS = {"shock_scale": 0.04, "shock_dof": 3.0, "max_shock": 0.5, "depth": 60.0,
                 "max_drawdown": 1.0}


def _deficit_scenario(
    task: tuple[int, float, int, dict[str, Any], tuple[tuple[float, Ladder], ...]],
) -> tuple[float, list[tuple[float, int, float, float, NDArray[np.float64]]]]:
    """One crash of :func:`simulate_deficit_cases`: its population drawn once, then a cascade
    for each case's shock and book. Returns the population's open interest and, per case, the
    empty-fund deficit, count, fund income and draw, and the fund flows in fill order."""
    count, p, seed, population, cases = task
    pop = generate_population(count, p, seed=seed, **population)
    out = []
    for shock, book in cases:
        result = cascade(pop, p, shock, book)
        i = result.liquidated
        flows = pop.side[i] * (result.fills - pop.bankruptcy[i]) * pop.size[i]
        out.append((result.adl_loss, result.count, result.fund_income, result.fund_draw, flows))
    return open_interest(pop.side, pop.size, p), out


@dataclass(frozen=True)
class DeficitSample:
    """Seeded cascade scenarios and the peak deficit of each.

    Attributes
    ----------
    shocks : ndarray
        The price shock of each scenario, a fraction of the price (negative: a drop).
    deficits : ndarray
        Peak deficit ``D`` of each scenario (>= 0): the loss ADL takes with an empty fund, and the
        smallest fund that avoids ADL (``D_r`` of :func:`drawdown_deficit` when
        ``max_drawdown < 1``).
    liquidated : ndarray of int
        Positions liquidated in each scenario.
    fund_income, fund_draw : ndarray
        Margin left to the fund by fills before bankruptcy, and losses beyond it, per scenario.
    open_interest : ndarray
        One-sided open interest of each scenario's population at the starting price (quote
        currency), as venues quote it: :func:`open_interest`.
    flows : ndarray
        What each liquidation paid into the fund (> 0) or drew from it (< 0), every scenario's
        in fill order, one after another; scenario ``k``'s are ``flows[offsets[k]:offsets[k +
        1]]``.
    offsets : ndarray of int
        ``n + 1`` offsets into ``flows``.
    max_drawdown : float
        The trigger ``deficits`` are for: ADL at a drawdown of this share of the fund's peak
        balance (1: an empty fund).
    """

    shocks: NDArray[np.float64]
    deficits: NDArray[np.float64]
    liquidated: NDArray[np.int64]
    fund_income: NDArray[np.float64]
    fund_draw: NDArray[np.float64]
    open_interest: NDArray[np.float64]
    flows: NDArray[np.float64]
    offsets: NDArray[np.intp]
    max_drawdown: float = 1.0

    def __len__(self) -> int:
        return int(self.deficits.size)

    def with_drawdown(self, max_drawdown: float) -> DeficitSample:
        """The same crashes under a drawdown trigger: each scenario's :func:`drawdown_deficit`.

        A trigger changes only how the fund's flows are read, not the cascades, so no crash is
        run again. At ``max_drawdown = 1`` the deficits are the peak deficits of the fund walk,
        the cascades' empty-fund ADL loss to rounding.

        Parameters
        ----------
        max_drawdown : float
            Drawdown of the fund's peak balance, in (0, 1], at which ADL starts.

        Returns
        -------
        DeficitSample
            With ``deficits`` and ``max_drawdown`` replaced.

        Raises
        ------
        ValueError
            For ``max_drawdown`` outside (0, 1].

        Examples
        --------
        >>> sample = simulate_deficits(40, seed=4, positions=300, depth=5.0, shock_scale=0.08)
        >>> bybit = sample.with_drawdown(BYBIT_MAX_DRAWDOWN)
        >>> bool(np.all(bybit.deficits >= sample.deficits - 1e-6)), bybit.max_drawdown
        (True, 0.3)
        """
        r = _ratio(max_drawdown)
        deficits = np.array([_drawdown_deficit(self.flows[a:b], r)
                             for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)])
        return replace(self, deficits=deficits, max_drawdown=r)


def open_interest(side: ArrayLike, size: ArrayLike, price: float) -> float:
    """Open interest as venues quote it: the notional of **one** side, the larger.

    Every contract has a long and a short, and a venue's open interest counts it once. A
    population of leveraged positions (one side's traders at 60%, say) is not a closed market:
    the rest of the smaller side is held by accounts the population leaves out, so the market's
    open interest is at least the larger side. Summing both sides double-counts what the two
    sides share: with a 60/40 split it is ``1 / 0.6``, about 1.7 times the one-sided figure.

    Parameters
    ----------
    side : array
        +1 long, -1 short, per position.
    size : array
        Position sizes (>= 0), base units.
    price : float
        Price (> 0), quote per base.

    Returns
    -------
    float
        ``price * max(sum of long sizes, sum of short sizes)``, quote currency.

    Raises
    ------
    ValueError
        For a side other than +-1, a negative size or a non-positive price.

    References
    ----------
    Deribit API v2, ``open_interest`` (module references [3]_).

    Examples
    --------
    Six longs and four shorts of 1 unit each at 100: 600 of open interest, not 1,000.

    >>> open_interest([1] * 6 + [-1] * 4, [1.0] * 10, 100.0)
    600.0
    """
    s = v.side("side", side)
    q = v.nonnegative("size", size)
    v.shapes(side=s, size=q)
    s, q = np.broadcast_arrays(s, q)
    p = v.number("price", price, "pos")
    longs, shorts = float(q[s > 0].sum()), float(q[s < 0].sum())
    return p * max(longs, shorts)


def shock_standard_deviation(shock_scale: float, shock_dof: float) -> float:
    """Standard deviation of the unclipped shock ``shock_scale * T``, ``T`` Student-t.

    :func:`simulate_deficits` draws shocks with a *scale*, not a standard deviation: a Student-t
    with ``nu`` degrees of freedom has variance ``nu / (nu - 2)``, so at ``nu = 3`` the standard
    deviation is ``sqrt(3)``, 1.73 times the scale (infinite for ``nu <= 2``). The clip at
    ``max_shock`` makes the sample's own standard deviation finite and somewhat smaller.

    Parameters
    ----------
    shock_scale : float
        Scale (> 0), a fraction of the price.
    shock_dof : float
        Degrees of freedom (> 0).

    Returns
    -------
    float
        ``shock_scale * sqrt(nu / (nu - 2))``, or ``inf`` for ``nu <= 2``.

    Raises
    ------
    ValueError
        For a non-positive scale or degrees of freedom.

    Examples
    --------
    >>> round(shock_standard_deviation(0.04, 3.0), 4)
    0.0693
    """
    scale = v.number("shock_scale", shock_scale, "pos")
    dof = v.number("shock_dof", shock_dof, "pos")
    return math.inf if dof <= 2 else scale * math.sqrt(dof / (dof - 2))


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
    max_drawdown: float = 1.0,
    executor: Executor | None = None,
    **population: Any,
) -> DeficitSample:
    """Peak deficits of seeded cascades: a fresh population and a heavy-tailed shock each.

    Scenario ``k`` draws a population with :func:`liqlib.systemic.cascades.generate_population`
    (``positions`` positions around ``price``, its own seed; extra keyword arguments go to the
    generator) and a
    shock ``shock_scale * T`` with ``T`` Student-t with ``shock_dof`` degrees of freedom, clipped to
    ``[-max_shock, max_shock]`` (either sign: a drop hurts longs, a rise shorts). It runs
    :func:`liqlib.systemic.cascades.cascade` into a flat book of ``depth`` base units per 1% and
    keeps the peak deficit of the fund walk, ``adl_loss`` with an empty fund; with
    ``max_drawdown < 1``, the fund that keeps the walk's drawdown within that share of its peak
    balance (:func:`drawdown_deficit`, Bybit's trigger). The sample keeps every liquidation's fund
    flow, so :meth:`DeficitSample.with_drawdown` reads the same crashes under another trigger;
    :func:`simulate_deficit_cases` runs several shock and book settings on the same crashes.

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
        Scale (> 0) of the shock, a fraction of the price; not its standard deviation, which is
        :func:`shock_standard_deviation` (1.73 times the scale at 3 degrees of freedom).
    shock_dof : float
        Degrees of freedom (> 0) of the Student-t shock; smaller is heavier-tailed.
    max_shock : float
        Largest absolute shock, in (0, 1).
    max_drawdown : float
        Drawdown of the fund's peak balance, in (0, 1], at which ADL starts; 1 (the default) is
        ADL once the fund is empty.
    executor : concurrent.futures.Executor, optional
        Runs the scenarios (:func:`liqlib.sweep.sweep`): ``None`` (the default) serially, or a
        process pool or Dask's ``Client.get_executor()``. Each scenario's seed and shock are drawn
        first, so the sample is the same on any executor.

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
    case = {"shock_scale": shock_scale, "shock_dof": shock_dof, "max_shock": max_shock,
            "depth": depth, "max_drawdown": max_drawdown}
    (sample,) = simulate_deficit_cases(n_scenarios, [case], seed=seed, price=price,
                                       positions=positions, executor=executor, **population)
    return sample


def _case(k: int, case: Any, defaults: dict[str, float]) -> dict[str, float]:
    """One case of :func:`simulate_deficit_cases`, checked, over ``defaults``."""
    if not isinstance(case, Mapping):
        raise TypeError(f"cases[{k}] must be a mapping of keyword to value, got {case!r}")
    unknown = sorted(set(case) - set(CASE_KEYWORDS))
    if unknown:
        raise ValueError(f"cases[{k}] may set only {sorted(CASE_KEYWORDS)}, got {unknown}")
    out = {**defaults, **case}
    for name in ("shock_scale", "shock_dof", "max_shock", "depth"):
        out[name] = v.number(name, out[name], "pos")
    if not out["max_shock"] < 1:
        raise ValueError(f"max_shock must be in (0, 1), got {out['max_shock']!r}")
    out["max_drawdown"] = _ratio(out["max_drawdown"])
    return out


def _draws(base: int, n: int, case: dict[str, float]
           ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The population seeds and the shocks of one case, drawn as :func:`simulate_deficits`
    always drew them: the seeds first, so every case shares them."""
    rng = np.random.default_rng(base)
    seeds = rng.integers(0, 2**63 - 1, size=n)
    shocks = np.clip(case["shock_scale"] * rng.standard_t(case["shock_dof"], size=n),
                     -case["max_shock"], case["max_shock"])
    shocks[shocks == 0] = np.finfo(float).tiny  # the cascade needs a nonzero move
    return seeds, shocks


def simulate_deficit_cases(
    n_scenarios: int,
    cases: Sequence[Mapping[str, float]],
    *,
    seed: int,
    price: float = 60_000.0,
    positions: int = 2_000,
    executor: Executor | None = None,
    **settings: Any,
) -> tuple[DeficitSample, ...]:
    """:func:`simulate_deficits` for several shock, book and trigger settings, on the same crashes.

    Case ``j`` is ``simulate_deficits(n_scenarios, seed=seed, price=price,
    positions=positions, **settings, **cases[j])``, number for number: scenario ``k`` of every
    case has the same population (drawn from the same seed), and the same Student-t draw when the
    cases share ``shock_dof``. Each population is drawn once and run through one cascade per
    case, and a drawdown trigger only re-reads the fund's flows
    (:meth:`DeficitSample.with_drawdown`), so ``m`` cases cost far less than ``m`` calls: drawing
    the populations is most of a call's time.

    Parameters
    ----------
    n_scenarios : int
        Number of scenarios (>= 1).
    cases : sequence of mapping
        Each sets any of ``shock_scale``, ``shock_dof``, ``max_shock``, ``depth`` and
        ``max_drawdown`` (:data:`CASE_KEYWORDS`), over ``settings`` and the defaults of
        :func:`simulate_deficits`.
    seed : int
        Seed of everything drawn.
    price : float
        Price before the shock (> 0).
    positions : int
        Positions per population (>= 1).
    executor : concurrent.futures.Executor, optional
        Runs the scenarios (:func:`liqlib.sweep.sweep`), as in :func:`simulate_deficits`.
    **settings
        Defaults for every case (any of :data:`CASE_KEYWORDS`); other keywords go to
        :func:`~liqlib.systemic.cascades.generate_population`.

    Returns
    -------
    tuple of DeficitSample
        One per case, in the order of ``cases``.

    Raises
    ------
    ValueError
        Naming the argument, for a bad count, price, depth or shock parameter, no cases, or a
        case setting anything else.
    TypeError
        For a case that is not a mapping.

    References
    ----------
    Chitra, T. (2025), arXiv:2512.01112; BitMEX, "Liquidation" (the fund's flows).

    Examples
    --------
    The same 30 crashes at two shock scales: the same populations, so the same open interest,
    and the larger scale needs larger funds.

    >>> calm, wild = simulate_deficit_cases(30, [{"shock_scale": 0.02}, {"shock_scale": 0.08}],
    ...                                     seed=1, positions=200, depth=5.0)
    >>> bool(np.array_equal(calm.open_interest, wild.open_interest))
    True
    >>> bool(fund_for_probability(wild.deficits, 0.1) >= fund_for_probability(calm.deficits, 0.1))
    True
    """
    n = v.integer("n_scenarios", n_scenarios, low=1)
    count = v.integer("positions", positions, low=1)
    p = v.number("price", price, "pos")
    base = v.integer("seed", seed, low=0)
    defaults = {**CASE_KEYWORDS, **{k: settings.pop(k) for k in CASE_KEYWORDS if k in settings}}
    if isinstance(cases, Mapping) or not isinstance(cases, Sequence):
        raise TypeError(f"cases must be a sequence of mappings, got {cases!r}")
    if not cases:
        raise ValueError("cases must hold at least one case, got none")
    checked = [_case(k, case, defaults) for k, case in enumerate(cases)]
    seeds, first = _draws(base, n, checked[0])
    shocks = [first] + [_draws(base, n, case)[1] for case in checked[1:]]
    books = [flat_ladder(case["depth"]) for case in checked]
    tasks = [(count, p, int(seeds[k]),
              settings, tuple((float(shocks[j][k]), books[j]) for j in range(len(checked))))
             for k in range(n)]
    results = sweep(_deficit_scenario, tasks, executor=executor)
    interest = np.array([oi for oi, _ in results], dtype=float)
    samples = []
    for j, case in enumerate(checked):
        rows = [per_case[j] for _, per_case in results]
        flows = [row[4] for row in rows]
        sample = DeficitSample(
            shocks=shocks[j],
            deficits=np.array([row[0] for row in rows], dtype=float),
            liquidated=np.array([row[1] for row in rows], dtype=np.int64),
            fund_income=np.array([row[2] for row in rows], dtype=float),
            fund_draw=np.array([row[3] for row in rows], dtype=float),
            open_interest=interest,
            flows=np.concatenate(flows) if flows else np.zeros(0),
            offsets=np.concatenate([[0], np.cumsum([f.size for f in flows])]).astype(np.intp),
        )
        r = case["max_drawdown"]
        samples.append(sample if r == 1 else sample.with_drawdown(r))
    return tuple(samples)


__all__ = [
    "BYBIT_MAX_DRAWDOWN",
    "CASE_KEYWORDS",
    "DeficitSample",
    "adl_probability",
    "drawdown_adl",
    "drawdown_deficit",
    "expected_adl",
    "fund_for_probability",
    "open_interest",
    "optimal_fund",
    "shock_standard_deviation",
    "simulate_deficit_cases",
    "simulate_deficits",
]
