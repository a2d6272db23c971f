"""Synthetix v3 perps market (Base, Arbitrum), in the names the contracts use.

Synthetix v3 perps are priced by an oracle, settled against the liquidity providers' pool, and
liquidated by *anyone*: a keeper calls ``liquidate(accountId)`` and is paid from the account.
Names kept from ``PerpsMarketConfiguration`` and ``GlobalPerpsMarketConfiguration``:
``skewScale``, ``initialMarginRatioD18``, ``minimumInitialMarginRatioD18``,
``maintenanceMarginScalarD18``, ``minimumPositionMargin``, ``flagRewardRatioD18``,
``maxLiquidationLimitAccumulationMultiplier``, ``maxSecondsInLiquidationWindow``,
``maxLiquidationPd``, ``minKeeperRewardUsd``, ``maxKeeperRewardUsd``, ``minKeeperProfitRatioD18``,
``maxKeeperScalingRatioD18``, ``collateralLiquidateRewardRatioD18`` (``D18``: 18-decimal fixed
point; here plain fractions).

* **Skew-scaled margins** ([1]_, ``calculateRequiredMargins``): ``initialMarginRatio =
  |size| / skewScale * initialMarginRatioD18 + minimumInitialMarginRatioD18``,
  ``maintenanceMarginRatio = initialMarginRatio * maintenanceMarginScalarD18``, and each margin is
  ``notional * ratio + minimumPositionMargin``: the larger the position against the market's
  skew scale, the higher its rate.
* **Eligibility** ([2]_, ``isEligibleForLiquidation``): ``isEligible = (requiredMaintenanceMargin
  + liquidationReward) > availableMargin``; the reward a keeper would earn is part of the
  requirement.
* **Flag, then liquidate** ([2]_, ``flagForLiquidation``): the first liquidation flags the
  account, seizes its collateral, and pays the flag reward ``notional * flagRewardRatioD18``
  (or, if larger, ``collateral * collateralLiquidateRewardRatioD18``) plus the keeper's costs;
  the positions are then closed window by window.
* **Keeper reward caps** ([3]_, ``keeperReward``): ``min(max(minCap, keeperRewards +
  costOfExecutionInUsd), maxCap)`` with ``minCap = max(cost + minKeeperRewardUsd, cost * (1 +
  minKeeperProfitRatioD18))`` and ``maxCap = min(availableMargin * maxKeeperScalingRatioD18,
  maxKeeperRewardUsd)`` (``maxKeeperRewardUsd`` alone for a flagged account).
* **Liquidation limit per window** ([1]_, [4]_): at most ``(makerFee + takerFee) * skewScale *
  maxLiquidationLimitAccumulationMultiplier * maxSecondsInLiquidationWindow`` units may be
  liquidated in any ``maxSecondsInLiquidationWindow`` seconds, unless the caller is the
  endorsed liquidator or the market's premium/discount ``|skew| / skewScale`` is below
  ``maxLiquidationPd``.

References
----------
.. [1] Synthetixio/synthetix-v3,
   ``markets/perps-market/contracts/storage/PerpsMarketConfiguration.sol``
   (``calculateRequiredMargins``, ``maxLiquidationAmountInWindow``,
   ``numberOfLiquidationWindows``, ``calculateFlagReward``),
   https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsMarketConfiguration.sol
   (commit 23585f7 of 2025-06-12, read 2026-12-03).
.. [2] Same repository and commit, ``markets/perps-market/contracts/storage/PerpsAccount.sol``
   (``isEligibleForLiquidation``, ``getKeeperRewardsAndCosts``, ``getPossibleLiquidationReward``,
   ``flagForLiquidation``), https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsAccount.sol
   (read 2026-12-03).
.. [3] Same repository and commit,
   ``markets/perps-market/contracts/storage/GlobalPerpsMarketConfiguration.sol`` (``keeperReward``,
   ``minimumKeeperRewardCap``, ``maximumKeeperRewardCap``), https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/GlobalPerpsMarketConfiguration.sol
   (read 2026-12-03).
.. [4] Same repository and commit, ``markets/perps-market/contracts/storage/PerpsMarket.sol``
   (``maxLiquidatableAmount``, ``currentLiquidationCapacity``), https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsMarket.sol
   (read 2026-12-03).
.. [5] Same repository and commit, unit tests
   ``markets/perps-market/test/integration/Account/Margins.test.ts`` and
   ``markets/perps-market/test/integration/Liquidation/Liquidation.maxLiquidationAmount.test.ts``,
   https://github.com/Synthetixio/synthetix-v3/tree/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/test/integration
   (read 2026-12-03).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.liquidation import LiquidationResult

__all__ = [
    "RequiredMargins",
    "calculate_flag_reward",
    "calculate_required_margins",
    "current_liquidation_capacity",
    "is_eligible_for_liquidation",
    "keeper_reward",
    "liquidation_price",
    "liquidation_reward",
    "max_liquidatable_amount",
    "max_liquidation_amount_in_window",
    "maximum_keeper_reward_cap",
    "minimum_keeper_reward_cap",
    "number_of_liquidation_windows",
]


@dataclass(frozen=True)
class RequiredMargins:
    """What ``calculateRequiredMargins`` returns (ratios as fractions, margins in USD)."""

    initial_margin_ratio: Any
    maintenance_margin_ratio: Any
    initial_margin: Any
    maintenance_margin: Any


def calculate_required_margins(
    size: ArrayLike,
    price: ArrayLike,
    *,
    skew_scale: ArrayLike,
    initial_margin_ratio: ArrayLike,
    minimum_initial_margin_ratio: ArrayLike,
    maintenance_margin_scalar: ArrayLike,
    minimum_position_margin: ArrayLike = 0.0,
) -> RequiredMargins:
    """Skew-scaled initial and maintenance margin of one position.

    ``impactOnSkew = |size| / skewScale``; ``initialMarginRatio = impactOnSkew *
    initialMarginRatioD18 + minimumInitialMarginRatioD18``; ``maintenanceMarginRatio =
    initialMarginRatio * maintenanceMarginScalarD18``; ``initialMargin = notional *
    initialMarginRatio + minimumPositionMargin`` and the same for maintenance [1]_.

    Parameters
    ----------
    size : float or array
        Signed position size in base units (0 gives all zeros, as the contract).
    price : float or array
        Oracle price (> 0).
    skew_scale : float or array
        Base units (> 0).
    initial_margin_ratio : float or array
        ``initialMarginRatioD18`` (>= 0; the tests use 2 and 3: a multiplier, not a fraction).
    minimum_initial_margin_ratio : float or array
        In [0, 1).
    maintenance_margin_scalar : float or array
        In (0, 1].
    minimum_position_margin : float or array
        USD (>= 0), added to both margins.

    Returns
    -------
    RequiredMargins

    Raises
    ------
    ValueError
        Values out of range (named).

    References
    ----------
    [1]_; test vector [5]_ (``Margins.test.ts``).

    Examples
    --------
    ``Margins.test.ts``: 2 BTC short at 30,000 with skew scale 100, ratio 2, minimum 1%, scalar
    0.5 and a 1,000 USD minimum position margin [5]_:

    >>> m = calculate_required_margins(-2, 30_000, skew_scale=100, initial_margin_ratio=2,
    ...     minimum_initial_margin_ratio=0.01, maintenance_margin_scalar=0.5,
    ...     minimum_position_margin=1_000)
    >>> round(m.initial_margin_ratio, 12), round(m.initial_margin, 6)
    (0.05, 4000.0)
    >>> round(m.maintenance_margin, 6)
    2500.0
    """
    q = np.abs(v.as_float("size", size))
    p = v.positive("price", price)
    scale = v.positive("skew_scale", skew_scale)
    imr_factor = v.nonnegative("initial_margin_ratio", initial_margin_ratio)
    floor = v.rate("minimum_initial_margin_ratio", minimum_initial_margin_ratio)
    scalar = v.bounded("maintenance_margin_scalar", maintenance_margin_scalar, 0.0, 1.0,
                       low_open=True)
    minimum = v.nonnegative("minimum_position_margin", minimum_position_margin)
    open_ = q > 0
    imr = np.where(open_, q / scale * imr_factor + floor, 0.0)
    mmr = imr * scalar
    notional = q * p
    add = np.where(open_, minimum, 0.0)
    return RequiredMargins(
        initial_margin_ratio=v.scalar_or_array(imr),
        maintenance_margin_ratio=v.scalar_or_array(mmr),
        initial_margin=v.scalar_or_array(notional * imr + add),
        maintenance_margin=v.scalar_or_array(notional * mmr + add),
    )


def calculate_flag_reward(notional_value: ArrayLike, flag_reward_ratio: ArrayLike) -> Any:
    """``notionalValue * flagRewardRatioD18`` [1]_.

    Parameters
    ----------
    notional_value : float or array
        ``|size| * price`` (USD, >= 0).
    flag_reward_ratio : float or array
        In [0, 1) (the tests use 0.05).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Out-of-range values.

    References
    ----------
    [1]_.

    Examples
    --------
    >>> calculate_flag_reward(60_000, 0.05)
    3000.0
    """
    n = v.nonnegative("notional_value", notional_value)
    return v.scalar_or_array(n * v.rate("flag_reward_ratio", flag_reward_ratio))


def minimum_keeper_reward_cap(
    cost_of_execution_usd: ArrayLike, *, min_keeper_reward_usd: ArrayLike,
    min_keeper_profit_ratio: ArrayLike,
) -> Any:
    """``max(costOfExecutionInUsd + minKeeperRewardUsd, costOfExecutionInUsd * (1 +
    minKeeperProfitRatioD18))`` [3]_.

    Parameters
    ----------
    cost_of_execution_usd, min_keeper_reward_usd, min_keeper_profit_ratio : float or array
        All >= 0.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        A negative value.

    References
    ----------
    [3]_.

    Examples
    --------
    >>> minimum_keeper_reward_cap(2.0, min_keeper_reward_usd=1.0, min_keeper_profit_ratio=0.2)
    3.0
    """
    cost = v.nonnegative("cost_of_execution_usd", cost_of_execution_usd)
    low = v.nonnegative("min_keeper_reward_usd", min_keeper_reward_usd)
    profit = v.nonnegative("min_keeper_profit_ratio", min_keeper_profit_ratio)
    return v.scalar_or_array(np.maximum(cost + low, cost * (1.0 + profit)))


def maximum_keeper_reward_cap(
    available_margin_usd: ArrayLike, *, max_keeper_scaling_ratio: ArrayLike,
    max_keeper_reward_usd: ArrayLike,
) -> Any:
    """``min(availableMargin * maxKeeperScalingRatioD18, maxKeeperRewardUsd)``, or
    ``maxKeeperRewardUsd`` when the margin is 0 ("it means the account was flagged") [3]_.

    Parameters
    ----------
    available_margin_usd, max_keeper_scaling_ratio, max_keeper_reward_usd : float or array
        All >= 0.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        A negative value.

    References
    ----------
    [3]_.

    Examples
    --------
    >>> maximum_keeper_reward_cap(1_000, max_keeper_scaling_ratio=0.5, max_keeper_reward_usd=100)
    100.0
    >>> maximum_keeper_reward_cap(0, max_keeper_scaling_ratio=0.5, max_keeper_reward_usd=100)
    100.0
    """
    margin = v.nonnegative("available_margin_usd", available_margin_usd)
    ratio = v.nonnegative("max_keeper_scaling_ratio", max_keeper_scaling_ratio)
    high = v.nonnegative("max_keeper_reward_usd", max_keeper_reward_usd)
    return v.scalar_or_array(np.where(margin == 0, high, np.minimum(margin * ratio, high)))


def keeper_reward(
    keeper_rewards: ArrayLike,
    cost_of_execution_usd: ArrayLike,
    available_margin_usd: ArrayLike,
    *,
    min_keeper_reward_usd: ArrayLike,
    min_keeper_profit_ratio: ArrayLike,
    max_keeper_scaling_ratio: ArrayLike,
    max_keeper_reward_usd: ArrayLike,
) -> Any:
    """``min(max(minCap, keeperRewards + costOfExecutionInUsd), maxCap)`` [3]_.

    The keeper is repaid its gas (``costOfExecutionInUsd``, which the protocol reads from a gas
    oracle) plus a reward, never less than the minimum and never more than the maximum cap.

    Parameters
    ----------
    keeper_rewards : float or array
        The flag (or collateral) reward (USD, >= 0).
    cost_of_execution_usd : float or array
        Gas cost of the keeper's transaction (USD, >= 0).
    available_margin_usd : float or array
        The margin the maximum cap scales with (USD, >= 0; 0 for a flagged account).
    min_keeper_reward_usd, min_keeper_profit_ratio, max_keeper_scaling_ratio, max_keeper_reward_usd
        The global configuration (all >= 0).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        A negative value.

    References
    ----------
    [3]_; ``Liquidation.maxLiquidationAmount.test.ts`` configures minimum 5 and maximum 1,000
    USD [5]_.

    Examples
    --------
    A 3,000 USD flag reward capped at 1,000; a tiny one raised to the minimum:

    >>> caps = dict(min_keeper_reward_usd=5, min_keeper_profit_ratio=0,
    ...             max_keeper_scaling_ratio=0, max_keeper_reward_usd=1_000)
    >>> keeper_reward(3_000, 0, 0, **caps), keeper_reward(0.5, 0, 0, **caps)
    (1000.0, 5.0)
    """
    rewards = v.nonnegative("keeper_rewards", keeper_rewards)
    cost = v.nonnegative("cost_of_execution_usd", cost_of_execution_usd)
    low = np.asarray(minimum_keeper_reward_cap(
        cost, min_keeper_reward_usd=min_keeper_reward_usd,
        min_keeper_profit_ratio=min_keeper_profit_ratio))
    high = np.asarray(maximum_keeper_reward_cap(
        available_margin_usd, max_keeper_scaling_ratio=max_keeper_scaling_ratio,
        max_keeper_reward_usd=max_keeper_reward_usd))
    return v.scalar_or_array(np.minimum(np.maximum(low, rewards + cost), high))


def max_liquidation_amount_in_window(
    *, maker_fee: ArrayLike, taker_fee: ArrayLike, skew_scale: ArrayLike,
    max_liquidation_limit_accumulation_multiplier: ArrayLike,
    max_seconds_in_liquidation_window: ArrayLike,
) -> Any:
    """``(makerFee + takerFee) * skewScale * maxLiquidationLimitAccumulationMultiplier *
    maxSecondsInLiquidationWindow`` (base units) [1]_.

    Parameters
    ----------
    maker_fee, taker_fee : float or array
        Fractions in [0, 1).
    skew_scale : float or array
        Base units (> 0).
    max_liquidation_limit_accumulation_multiplier : float or array
        (>= 0).
    max_seconds_in_liquidation_window : float or array
        Seconds (>= 0).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Out-of-range values.

    References
    ----------
    [1]_; ``Liquidation.maxLiquidationAmount.test.ts``: "the max liquidation amount for window
    == 100" (fees 0.7% + 0.3%, skew scale 1,000, multiplier 1, 10 s) [5]_.

    Examples
    --------
    >>> round(max_liquidation_amount_in_window(maker_fee=0.007, taker_fee=0.003, skew_scale=1_000,
    ...     max_liquidation_limit_accumulation_multiplier=1,
    ...     max_seconds_in_liquidation_window=10), 9)
    100.0
    """
    fees = v.rate("maker_fee", maker_fee) + v.rate("taker_fee", taker_fee)
    scale = v.positive("skew_scale", skew_scale)
    mult = v.nonnegative("max_liquidation_limit_accumulation_multiplier",
                         max_liquidation_limit_accumulation_multiplier)
    secs = v.nonnegative("max_seconds_in_liquidation_window", max_seconds_in_liquidation_window)
    return v.scalar_or_array(fees * scale * mult * secs)


def number_of_liquidation_windows(position_size: ArrayLike, max_in_window: ArrayLike) -> Any:
    """``ceilDivide(positionSize, maxLiquidationAmountInWindow)`` [1]_.

    Parameters
    ----------
    position_size : float or array
        Absolute size (>= 0).
    max_in_window : float or array
        :func:`max_liquidation_amount_in_window` (> 0).

    Returns
    -------
    int or ndarray of int

    Raises
    ------
    ValueError
        Out-of-range values.

    References
    ----------
    [1]_.

    Examples
    --------
    >>> number_of_liquidation_windows(150, 100)
    2
    """
    q = v.nonnegative("position_size", position_size)
    cap = v.positive("max_in_window", max_in_window)
    return v.scalar_or_array(np.ceil(q / cap).astype(int))


def current_liquidation_capacity(
    liquidation_data: Sequence[Sequence[float]], now: float, *, max_in_window: float,
    max_seconds_in_liquidation_window: float,
) -> float:
    """Capacity left in the window ending at ``now``: ``max(maxInWindow - sum of the amounts
    liquidated after now - maxSecondsInLiquidationWindow, 0)`` [4]_.

    Parameters
    ----------
    liquidation_data : sequence of (timestamp, amount)
        The market's ``liquidationData``, oldest first (one entry per block timestamp).
    now : float
        The block timestamp (s).
    max_in_window, max_seconds_in_liquidation_window : float
        (>= 0).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Malformed history (named), negative values.

    References
    ----------
    ``PerpsMarket.currentLiquidationCapacity`` [4]_.

    Examples
    --------
    >>> current_liquidation_capacity([[0, 100]], 11, max_in_window=100,
    ...                              max_seconds_in_liquidation_window=10)
    100.0
    """
    times, amounts = _history(liquidation_data)
    t = v.one("now", v.as_float("now", now))
    cap = v.one("max_in_window", v.nonnegative("max_in_window", max_in_window))
    window = v.one("max_seconds_in_liquidation_window",
                   v.nonnegative("max_seconds_in_liquidation_window",
                                 max_seconds_in_liquidation_window))
    used = float(amounts[times > t - window].sum())
    return max(cap - used, 0.0)


def _history(liquidation_data: Sequence[Sequence[float]]) -> tuple[Any, Any]:
    data = v.as_float("liquidation_data", liquidation_data) if len(liquidation_data) else (
        np.zeros((0, 2)))
    if data.ndim != 2 or data.shape[1] != 2:
        raise ValueError(
            "liquidation_data must be a sequence of (timestamp, amount) pairs, got shape "
            f"{data.shape}"
        )
    if np.any(np.diff(data[:, 0]) < 0):
        raise ValueError("liquidation_data must be in time order (oldest first)")
    v.nonnegative("liquidation_data amounts", data[:, 1])
    return data[:, 0], data[:, 1]


def max_liquidatable_amount(
    requested_liquidation_amount: float,
    liquidation_data: Sequence[Sequence[float]],
    now: float,
    *,
    max_in_window: float,
    max_seconds_in_liquidation_window: float,
    skew: float = 0.0,
    skew_scale: float = 1.0,
    max_liquidation_pd: float = 0.0,
    endorsed_liquidator: bool = False,
) -> float:
    """How much of ``requested_liquidation_amount`` one ``liquidate`` call may close [4]_.

    The endorsed liquidator closes everything; otherwise the window's remaining capacity; with no
    capacity left, another full window's worth if ``maxLiquidationPd`` is set, the last
    liquidation was not in this block, and ``|skew| / skewScale < maxLiquidationPd``.

    Parameters
    ----------
    requested_liquidation_amount : float
        Base units (>= 0).
    liquidation_data : sequence of (timestamp, amount)
        As :func:`current_liquidation_capacity`.
    now : float
        Block timestamp (s).
    max_in_window, max_seconds_in_liquidation_window : float
        As :func:`current_liquidation_capacity`; ``max_in_window`` 0 means unconfigured (no
        limit, as the contract).
    skew, skew_scale, max_liquidation_pd : float
        The market's skew (base units), skew scale (> 0) and threshold (>= 0; 0 disables it).
    endorsed_liquidator : bool

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Out-of-range values; ``TypeError`` for a non-bool flag.

    References
    ----------
    ``PerpsMarket.maxLiquidatableAmount`` [4]_; test vector [5]_
    (``Liquidation.maxLiquidationAmount.test.ts``).

    Examples
    --------
    The test: a 150 OP position with 100 OP per 10 s window closes 100, then nothing until the
    window has passed:

    >>> w = dict(max_in_window=100, max_seconds_in_liquidation_window=10)
    >>> max_liquidatable_amount(150, [], 0, **w), max_liquidatable_amount(50, [[0, 100]], 6, **w)
    (100.0, 0.0)
    >>> max_liquidatable_amount(50, [[0, 100]], 11, **w)
    50.0
    """
    requested = v.one("requested_liquidation_amount", v.nonnegative(
        "requested_liquidation_amount", requested_liquidation_amount))
    if v.boolean("endorsed_liquidator", endorsed_liquidator):
        return requested
    cap = v.one("max_in_window", v.nonnegative("max_in_window", max_in_window))
    capacity = current_liquidation_capacity(
        liquidation_data, now, max_in_window=cap,
        max_seconds_in_liquidation_window=max_seconds_in_liquidation_window)
    if cap == 0:  # "a misconfiguration ... return the entire requested liquidation amount"
        return requested
    if capacity != 0:
        return min(capacity, requested)
    times, _ = _history(liquidation_data)
    pd_limit = v.one("max_liquidation_pd", v.nonnegative("max_liquidation_pd",
                                                         max_liquidation_pd))
    last = float(times[-1]) if times.size else 0.0
    pd = abs(v.one("skew", v.as_float("skew", skew))) / v.one(
        "skew_scale", v.positive("skew_scale", skew_scale))
    if pd_limit != 0 and last != float(now) and pd < pd_limit:
        return min(cap, requested)
    return 0.0


def liquidation_reward(
    notional_value: ArrayLike,
    collateral_value: ArrayLike,
    *,
    flag_reward_ratio: ArrayLike,
    collateral_liquidate_reward_ratio: ArrayLike = 0.0,
    cost_of_flagging: ArrayLike = 0.0,
    cost_of_liquidation: ArrayLike = 0.0,
    number_of_windows: ArrayLike = 1,
    min_keeper_reward_usd: ArrayLike = 0.0,
    min_keeper_profit_ratio: ArrayLike = 0.0,
    max_keeper_scaling_ratio: ArrayLike = 0.0,
    max_keeper_reward_usd: ArrayLike = np.inf,
) -> Any:
    """``getPossibleLiquidationReward`` of a one-position account: what liquidating it pays.

    ``keeperReward(max(flagReward, collateralReward), costOfFlagging + costOfLiquidation,
    collateralValue) + keeperReward(0, costOfLiquidation, 0) * (numberOfWindows - 1)`` [2]_, with
    ``flagReward = notional * flagRewardRatioD18`` and ``collateralReward = collateralValue *
    collateralLiquidateRewardRatioD18``.

    Parameters
    ----------
    notional_value, collateral_value : float or array
        USD (>= 0).
    flag_reward_ratio, collateral_liquidate_reward_ratio : float or array
        Fractions in [0, 1).
    cost_of_flagging, cost_of_liquidation : float or array
        Keepers' gas costs (USD, >= 0), from the protocol's gas oracle.
    number_of_windows : int or array
        :func:`number_of_liquidation_windows` (>= 1 for an open position).
    min_keeper_reward_usd, min_keeper_profit_ratio, max_keeper_scaling_ratio, max_keeper_reward_usd
        As :func:`keeper_reward` (the default maximum is no cap).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Out-of-range values.

    References
    ----------
    [2]_, [3]_.

    Examples
    --------
    ``Margins.test.ts``'s BTC leg alone: 60,000 USD of notional at a 5% flag ratio, caps 0 and
    10,000 with scaling ratio 1 against 100,000 of collateral:

    >>> liquidation_reward(60_000, 100_000, flag_reward_ratio=0.05, max_keeper_scaling_ratio=1,
    ...                    max_keeper_reward_usd=10_000)
    3000.0
    """
    parts = _reward_parts(
        collateral_value, flag_reward_ratio=flag_reward_ratio,
        collateral_liquidate_reward_ratio=collateral_liquidate_reward_ratio,
        cost_of_flagging=cost_of_flagging, cost_of_liquidation=cost_of_liquidation,
        number_of_windows=number_of_windows, min_keeper_reward_usd=min_keeper_reward_usd,
        min_keeper_profit_ratio=min_keeper_profit_ratio,
        max_keeper_scaling_ratio=max_keeper_scaling_ratio,
        max_keeper_reward_usd=max_keeper_reward_usd)
    return v.scalar_or_array(parts.at(v.nonnegative("notional_value", notional_value)))


@dataclass(frozen=True)
class _RewardParts:
    """``R(notional) = clip(max(f notional, k) + cost, low, high) + later`` (all but ``f`` USD)."""

    f: Any
    k: Any
    cost: Any
    low: Any
    high: Any
    later: Any

    def at(self, notional: Any) -> Any:
        first = np.maximum(self.f * notional, self.k) + self.cost
        return np.minimum(np.maximum(self.low, first), self.high) + self.later


def _reward_parts(
    collateral_value: ArrayLike, *, flag_reward_ratio: ArrayLike,
    collateral_liquidate_reward_ratio: ArrayLike, cost_of_flagging: ArrayLike,
    cost_of_liquidation: ArrayLike, number_of_windows: ArrayLike,
    min_keeper_reward_usd: ArrayLike, min_keeper_profit_ratio: ArrayLike,
    max_keeper_scaling_ratio: ArrayLike, max_keeper_reward_usd: ArrayLike,
) -> _RewardParts:
    collateral = v.nonnegative("collateral_value", collateral_value)
    f = v.rate("flag_reward_ratio", flag_reward_ratio)
    k = collateral * v.rate("collateral_liquidate_reward_ratio", collateral_liquidate_reward_ratio)
    flagging = v.nonnegative("cost_of_flagging", cost_of_flagging)
    liquidating = v.nonnegative("cost_of_liquidation", cost_of_liquidation)
    windows = v.nonnegative("number_of_windows", number_of_windows)
    # no maximum configured: an infinite cap (the contract always has one; tests set 1,000)
    top = np.asarray(max_keeper_reward_usd, dtype=float)
    if np.isnan(top).any() or (top < 0).any():
        raise ValueError(f"max_keeper_reward_usd must be >= 0, got {max_keeper_reward_usd!r}")
    ratio = v.nonnegative("max_keeper_scaling_ratio", max_keeper_scaling_ratio)
    min_usd = v.nonnegative("min_keeper_reward_usd", min_keeper_reward_usd)
    profit = v.nonnegative("min_keeper_profit_ratio", min_keeper_profit_ratio)

    def low(cost: Any) -> Any:  # minimumKeeperRewardCap
        return np.maximum(cost + min_usd, cost * (1.0 + profit))

    cost = flagging + liquidating
    # maximumKeeperRewardCap against the collateral value (0: a flagged account, the maximum)
    high = np.where(collateral == 0, top, np.minimum(collateral * ratio, top))
    later = np.minimum(np.maximum(low(liquidating), liquidating), top) * np.maximum(windows - 1, 0)
    return _RewardParts(f, k, cost, low(cost), high, later)


def is_eligible_for_liquidation(
    available_margin: ArrayLike, required_maintenance_margin: ArrayLike,
    liquidation_reward: ArrayLike,
) -> Any:
    """``isEligible = (requiredMaintenanceMargin + liquidationReward) > availableMargin`` [2]_.

    Parameters
    ----------
    available_margin : float or array
        Collateral value plus PnL minus debt (USD; may be negative).
    required_maintenance_margin, liquidation_reward : float or array
        USD (>= 0).

    Returns
    -------
    bool or ndarray

    Raises
    ------
    ValueError
        Non-finite or negative requirements.

    References
    ----------
    ``PerpsAccount.isEligibleForLiquidation`` [2]_.

    Examples
    --------
    >>> is_eligible_for_liquidation(5_000, 2_500, 3_000)
    True
    >>> is_eligible_for_liquidation(5_501, 2_500, 3_000)
    False
    """
    available = v.as_float("available_margin", available_margin)
    mm = v.nonnegative("required_maintenance_margin", required_maintenance_margin)
    reward = v.nonnegative("liquidation_reward", liquidation_reward)
    return v.scalar_or_array(mm + reward > available)


def liquidation_price(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    collateral_value: ArrayLike,
    *,
    skew_scale: ArrayLike,
    initial_margin_ratio: ArrayLike,
    minimum_initial_margin_ratio: ArrayLike,
    maintenance_margin_scalar: ArrayLike,
    minimum_position_margin: ArrayLike = 0.0,
    flag_reward_ratio: ArrayLike = 0.0,
    collateral_liquidate_reward_ratio: ArrayLike = 0.0,
    cost_of_flagging: ArrayLike = 0.0,
    cost_of_liquidation: ArrayLike = 0.0,
    number_of_windows: ArrayLike = 1,
    min_keeper_reward_usd: ArrayLike = 0.0,
    min_keeper_profit_ratio: ArrayLike = 0.0,
    max_keeper_scaling_ratio: ArrayLike = 0.0,
    max_keeper_reward_usd: ArrayLike = np.inf,
) -> LiquidationResult:
    """The oracle price at which a one-position account becomes eligible for liquidation.

    Synthetix publishes no liquidation-price formula; this solves ``isEligibleForLiquidation``
    [2]_ for the price ``P`` with ``availableMargin = collateral + s |size| (P - entry)`` (no
    debt, funding or fill premium), ``maintenanceMargin(P)`` from
    :func:`calculate_required_margins` (its ratio depends on the size only, so it is linear in
    ``P``) and the reward of :func:`liquidation_reward` (a flag reward linear in ``P`` clipped by
    the keeper caps, so piecewise linear). Each linear piece is solved and the piece that holds
    at its own root is kept (vectorized, no iteration). The bankruptcy price is where the
    available margin is 0.

    Parameters
    ----------
    side : +1, -1 or array
    size : float or array
        Absolute size (> 0), base units.
    entry_price : float or array
        (> 0).
    collateral_value : float or array
        USD (> 0).
    skew_scale, initial_margin_ratio, minimum_initial_margin_ratio, maintenance_margin_scalar,
    minimum_position_margin
        As :func:`calculate_required_margins`.
    flag_reward_ratio, collateral_liquidate_reward_ratio, cost_of_flagging, cost_of_liquidation,
    number_of_windows, min_keeper_reward_usd, min_keeper_profit_ratio, max_keeper_scaling_ratio,
    max_keeper_reward_usd
        As :func:`liquidation_reward`.

    Returns
    -------
    LiquidationResult
        ``nan`` price where no positive price makes the account eligible.

    Raises
    ------
    ValueError
        Out-of-range values (named).

    References
    ----------
    [1]_, [2]_, [3]_.

    Examples
    --------
    2 BTC long at 30,000 on 10,000 USD, with ``Margins.test.ts``'s BTC market (maintenance 2.5%
    + 1,000 USD) and no keeper reward: ``10,000 + 2 (P - 30,000) = 0.05 P + 1,000``:

    >>> r = liquidation_price(1, 2, 30_000, 10_000, skew_scale=100, initial_margin_ratio=2,
    ...     minimum_initial_margin_ratio=0.01, maintenance_margin_scalar=0.5,
    ...     minimum_position_margin=1_000)
    >>> round(r.price, 6), round(r.bankruptcy_price, 6)
    (26153.846154, 25000.0)
    """
    s = v.side("side", side)
    q = v.positive("size", size)
    e = v.positive("entry_price", entry_price)
    c = v.positive("collateral_value", collateral_value)
    margins = calculate_required_margins(
        q, 1.0, skew_scale=skew_scale, initial_margin_ratio=initial_margin_ratio,
        minimum_initial_margin_ratio=minimum_initial_margin_ratio,
        maintenance_margin_scalar=maintenance_margin_scalar,
        minimum_position_margin=minimum_position_margin)
    mmr = np.asarray(margins.maintenance_margin_ratio)
    minimum = v.nonnegative("minimum_position_margin", minimum_position_margin)
    parts = _reward_parts(
        c, flag_reward_ratio=flag_reward_ratio,
        collateral_liquidate_reward_ratio=collateral_liquidate_reward_ratio,
        cost_of_flagging=cost_of_flagging, cost_of_liquidation=cost_of_liquidation,
        number_of_windows=number_of_windows, min_keeper_reward_usd=min_keeper_reward_usd,
        min_keeper_profit_ratio=min_keeper_profit_ratio,
        max_keeper_scaling_ratio=max_keeper_scaling_ratio,
        max_keeper_reward_usd=max_keeper_reward_usd)

    def gap(price: Any) -> Any:
        """availableMargin - maintenance - reward: eligible where < 0."""
        return c + s * q * (price - e) - q * price * mmr - minimum - parts.at(q * price)

    # gap(P) = base + slope P - R(q P); R is constant (its value at 0 or its cap) or linear
    base = c - s * q * e - minimum
    slope = s * q - q * mmr
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        candidates = np.stack(np.broadcast_arrays(
            (parts.at(0.0) - base) / slope,
            (parts.high + parts.later - base) / slope,
            (parts.cost + parts.later - base) / (slope - parts.f * q),
        ))
        candidates = np.where(np.isfinite(candidates) & (candidates > 0), candidates, np.nan)
        residual = np.abs(gap(np.nan_to_num(candidates, nan=1.0)))
        residual = np.where(np.isnan(candidates), np.inf, residual)
        pick = np.argmin(residual, axis=0)
        best = np.take_along_axis(candidates, pick[None], axis=0)[0]
        found = np.take_along_axis(residual, pick[None], axis=0)[0] <= 1e-9 * (c + q * e)
        price = np.where(found, best, np.nan)
        bankrupt = e - s * c / q
    bankrupt = np.where(bankrupt > 0, bankrupt, np.nan)
    below = np.asarray(gap(e)) < 0
    price, bankrupt, found, below = np.broadcast_arrays(price, bankrupt, found, below)
    return LiquidationResult(
        price=v.scalar_or_array(price),
        bankruptcy_price=v.scalar_or_array(bankrupt),
        tier=v.scalar_or_array(found.astype(int)),
        iterations=1,
        liquidatable=v.scalar_or_array(found),
        below_maintenance=v.scalar_or_array(below),
    )
