"""GMX v2 ("synthetics") perpetuals on Arbitrum and Avalanche, in the names the contracts use.

GMX v2 has no order book and no mark price of its own: positions are priced by signed oracle
prices (a min and a max per token; here one price), the counterparty is the market's liquidity
pool, and liquidations are executed by GMX's own keepers holding the ``LIQUIDATION_KEEPER`` role
(``test/exchange/LiquidationOrder.ts`` grants it before liquidating). The contract names kept
here: ``sizeInUsd`` (the position's size in USD *at entry*, which does not move with the price),
``sizeInTokens``, ``collateralAmount`` and ``collateralTokenPrice``, ``positionPnlUsd``,
``priceImpactUsd``, ``collateralCostUsd`` (position, borrowing and funding fees),
``remainingCollateralUsd``, ``minCollateralFactor``, ``minCollateralUsd``,
``liquidationFeeFactor``.

* **The check** ([1]_, ``PositionUtils.isPositionLiquidatable``): ``remainingCollateralUsd =
  collateralUsd + positionPnlUsd + priceImpactUsd - collateralCostUsd``, and the position is
  liquidatable when it is below ``minCollateralUsd`` ("min collateral"), at or below zero
  ("< 0"), or below ``sizeInUsd * minCollateralFactorForLiquidation`` ("min collateral for
  leverage"). The fees counted are those of closing the whole position *without* the
  liquidation fee ("should not account for liquidation fees to determine if position should be
  liquidated").
* **Price impact in the check**: a positive impact counts as zero ("cap the priceImpactUsd to
  zero to prevent these positions from being created"); a negative one is capped at
  ``sizeInUsd * maxPositionImpactFactorForLiquidations`` ("cap the max negative price impact to
  prevent cascading liquidations"), whose default is 0 [2]_: by default the check ignores price
  impact altogether.
* **Liquidation fee** ([3]_, ``PositionPricingUtils.getLiquidationFees``): ``liquidationFeeUsd =
  sizeInUsd * liquidationFeeFactor``, 0.20% in the base market configuration [2]_.
* **Collateral**: either a stablecoin (USDC) or one of the market's tokens, which can be the index
  token itself (the test's long posts 10 WETH against ETH/USD): then the collateral's value falls
  with the price it insures, and the liquidation price is higher.

References
----------
.. [1] gmx-io/gmx-synthetics, ``contracts/position/PositionUtils.sol``, function
   ``isPositionLiquidatable``, https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/contracts/position/PositionUtils.sol
   (commit a5c0c88 of 2026-03-13, read 2026-12-03).
.. [2] gmx-io/gmx-synthetics, ``config/markets.ts``, ``baseMarketConfig``:
   ``minCollateralFactor: percentageToFloat("1%")``, ``minCollateralFactorForLiquidation:
   percentageToFloat("1%")``, ``maxPositionImpactFactorForLiquidations: bigNumberify(0), // 0%``,
   ``minCollateralUsd: decimalToFloat(1, 0), // 1 USD``, ``positionFeeFactorForPositiveImpact:
   percentageToFloat("0.04%")``, ``positionFeeFactorForNegativeImpact: percentageToFloat("0.06%")``,
   ``liquidationFeeFactor: percentageToFloat("0.20%")``,
   https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/config/markets.ts
   (read 2026-12-03).
.. [3] gmx-io/gmx-synthetics, ``contracts/pricing/PositionPricingUtils.sol``, function
   ``getLiquidationFees``, https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/contracts/pricing/PositionPricingUtils.sol
   (read 2026-12-03).
.. [4] gmx-io/gmx-synthetics, ``test/exchange/LiquidationOrder.ts`` ("executeLiquidation"),
   https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/test/exchange/LiquidationOrder.ts
   (read 2026-12-03).
.. [5] gmx-io/gmx-interface, ``sdk/src/utils/positions.ts``, function ``getLiquidationPrice``
   (GMX's own front end), https://github.com/gmx-io/gmx-interface/blob/b9ed9d2dfda70c7abbe92952b8ec9efe43abfdf5/sdk/src/utils/positions.ts
   (read 2026-12-03).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.liquidation import LiquidationResult

__all__ = [
    "LIQUIDATION_FEE_FACTOR",
    "MAX_POSITION_IMPACT_FACTOR_FOR_LIQUIDATIONS",
    "MIN_COLLATERAL_FACTOR",
    "MIN_COLLATERAL_USD",
    "POSITION_FEE_FACTOR_FOR_NEGATIVE_IMPACT",
    "POSITION_FEE_FACTOR_FOR_POSITIVE_IMPACT",
    "LiquidationCheck",
    "cap_price_impact_for_liquidation",
    "is_position_liquidatable",
    "liquidation_fee_usd",
    "liquidation_price",
    "position_fee_usd",
    "position_pnl_usd",
    "remaining_collateral_usd",
]

#: ``minCollateralFactor`` and ``minCollateralFactorForLiquidation`` of ``baseMarketConfig`` [2]_.
MIN_COLLATERAL_FACTOR = 0.01
#: ``minCollateralUsd`` of ``baseMarketConfig`` (1 USD) [2]_.
MIN_COLLATERAL_USD = 1.0
#: ``positionFeeFactorForPositiveImpact`` (0.04%) [2]_: the close improves the long/short balance.
POSITION_FEE_FACTOR_FOR_POSITIVE_IMPACT = 0.0004
#: ``positionFeeFactorForNegativeImpact`` (0.06%) [2]_.
POSITION_FEE_FACTOR_FOR_NEGATIVE_IMPACT = 0.0006
#: ``liquidationFeeFactor`` of ``baseMarketConfig`` (0.20%) [2]_.
LIQUIDATION_FEE_FACTOR = 0.002
#: ``maxPositionImpactFactorForLiquidations`` of ``baseMarketConfig`` (0%) [2]_.
MAX_POSITION_IMPACT_FACTOR_FOR_LIQUIDATIONS = 0.0

_COLLATERAL = ("stable", "index")


def _is_long(is_long: Any) -> Any:
    """``isLong`` as a bool array (GMX's flag; liqlib's ``side`` is +1/-1)."""
    arr = np.asarray(is_long)
    if arr.dtype != np.bool_:
        raise v.ArgumentTypeError(f"is_long must be True or False (or an array of them), got "
                                  f"{is_long!r}")
    return arr


def position_pnl_usd(
    size_in_usd: ArrayLike, size_in_tokens: ArrayLike, is_long: ArrayLike,
    index_token_price: ArrayLike,
) -> Any:
    """``positionPnlUsd``: ``sizeInTokens * price - sizeInUsd`` (long), the negative (short).

    Parameters
    ----------
    size_in_usd : float or array
        ``sizeInUsd`` (> 0): the USD size at entry.
    size_in_tokens : float or array
        ``sizeInTokens`` (> 0).
    is_long : bool or array of bool
    index_token_price : float or array
        Oracle price of the index token (> 0).

    Returns
    -------
    float or ndarray
        USD. GMX also caps a *profit* by the pool's ``maxPnlFactorForTraders``; not modelled.

    Raises
    ------
    ValueError
        A size or price not > 0; ``TypeError`` for an ``is_long`` that is not a bool.

    References
    ----------
    ``PositionUtils.getPositionPnlUsd`` [1]_.

    Examples
    --------
    >>> position_pnl_usd(200_000, 40, True, 4_000)
    -40000.0
    """
    usd = v.positive("size_in_usd", size_in_usd)
    tokens = v.positive("size_in_tokens", size_in_tokens)
    price = v.positive("index_token_price", index_token_price)
    value = tokens * price - usd
    return v.scalar_or_array(np.where(_is_long(is_long), value, -value))


def position_fee_usd(
    size_delta_usd: ArrayLike,
    position_fee_factor: ArrayLike = POSITION_FEE_FACTOR_FOR_NEGATIVE_IMPACT,
) -> Any:
    """Position (open or close) fee ``sizeDeltaUsd * positionFeeFactor``.

    Parameters
    ----------
    size_delta_usd : float or array
        USD (>= 0).
    position_fee_factor : float or array
        0.06% by default (the close worsens the long/short balance); 0.04% when it improves it
        [2]_.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Negative size, a factor outside [0, 1).

    References
    ----------
    ``PositionPricingUtils.getPositionFees`` [3]_; factors [2]_.

    Examples
    --------
    >>> position_fee_usd(200_000)
    120.0
    """
    size = v.nonnegative("size_delta_usd", size_delta_usd)
    return v.scalar_or_array(size * v.rate("position_fee_factor", position_fee_factor))


def liquidation_fee_usd(
    size_in_usd: ArrayLike, liquidation_fee_factor: ArrayLike = LIQUIDATION_FEE_FACTOR
) -> Any:
    """``liquidationFeeUsd = Precision.applyFactor(sizeInUsd, liquidationFeeFactor)``.

    Charged on liquidation only, on top of the closing fees; not counted in the check.

    Parameters
    ----------
    size_in_usd : float or array
        USD (>= 0).
    liquidation_fee_factor : float or array
        0.20% by default [2]_.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Negative size, a factor outside [0, 1).

    References
    ----------
    ``PositionPricingUtils.getLiquidationFees`` [3]_.

    Examples
    --------
    >>> liquidation_fee_usd(200_000)
    400.0
    """
    size = v.nonnegative("size_in_usd", size_in_usd)
    return v.scalar_or_array(size * v.rate("liquidation_fee_factor", liquidation_fee_factor))


def cap_price_impact_for_liquidation(
    price_impact_usd: ArrayLike,
    size_in_usd: ArrayLike,
    max_position_impact_factor_for_liquidations: ArrayLike = (
        MAX_POSITION_IMPACT_FACTOR_FOR_LIQUIDATIONS
    ),
) -> Any:
    """The price impact the check counts: 0 if positive, at least ``-sizeInUsd * factor``.

    "if (cache.priceImpactUsd >= 0) { cache.priceImpactUsd = 0; }" and "cap the max negative
    price impact to prevent cascading liquidations" [1]_. With the default factor 0 [2]_ the
    check ignores price impact.

    Parameters
    ----------
    price_impact_usd : float or array
        Impact of closing the whole position (USD, negative is a cost).
    size_in_usd : float or array
        USD (> 0).
    max_position_impact_factor_for_liquidations : float or array
        In [0, 1).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Non-finite impact, size not > 0, factor outside [0, 1).

    References
    ----------
    ``PositionUtils.isPositionLiquidatable`` [1]_.

    Examples
    --------
    >>> cap_price_impact_for_liquidation(-900, 200_000, 0.001)
    -200.0
    >>> cap_price_impact_for_liquidation(50, 1)
    0.0
    """
    impact = v.as_float("price_impact_usd", price_impact_usd)
    size = v.positive("size_in_usd", size_in_usd)
    factor = v.rate("max_position_impact_factor_for_liquidations",
                    max_position_impact_factor_for_liquidations)
    capped = np.maximum(np.minimum(impact, 0.0), -size * factor)
    return v.scalar_or_array(capped + 0.0)  # + 0.0: no -0.0


def remaining_collateral_usd(
    collateral_usd: ArrayLike, position_pnl_usd: ArrayLike, price_impact_usd: ArrayLike,
    collateral_cost_usd: ArrayLike,
) -> Any:
    """``remainingCollateralUsd = collateralUsd + positionPnlUsd + priceImpactUsd -
    collateralCostUsd`` [1]_.

    Parameters
    ----------
    collateral_usd : float or array
        ``collateralAmount * collateralTokenPrice`` (>= 0).
    position_pnl_usd, price_impact_usd : float or array
        USD (impact already capped: :func:`cap_price_impact_for_liquidation`).
    collateral_cost_usd : float or array
        Closing, borrowing and funding fees (>= 0), without the liquidation fee.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Non-finite input, negative collateral or cost.

    References
    ----------
    ``PositionUtils.isPositionLiquidatable`` [1]_.

    Examples
    --------
    >>> remaining_collateral_usd(42_000, -32_000, 0, 120)
    9880.0
    """
    c = v.nonnegative("collateral_usd", collateral_usd)
    gain = v.as_float("position_pnl_usd", position_pnl_usd)
    impact = v.as_float("price_impact_usd", price_impact_usd)
    cost = v.nonnegative("collateral_cost_usd", collateral_cost_usd)
    return v.scalar_or_array(c + gain + impact - cost)


@dataclass(frozen=True)
class LiquidationCheck:
    """What ``isPositionLiquidatable`` returns.

    Attributes
    ----------
    is_liquidatable : bool or ndarray
    reason : str or ndarray of str
        ``"min collateral"``, ``"< 0"``, ``"min collateral for leverage"`` or ``""``.
    remaining_collateral_usd : float or ndarray
    min_collateral_usd_for_leverage : float or ndarray
        ``sizeInUsd * minCollateralFactor``.
    """

    is_liquidatable: Any
    reason: Any
    remaining_collateral_usd: Any
    min_collateral_usd_for_leverage: Any


def _collateral_cost(
    size_in_usd: Any, position_fee_factor: Any, borrowing_fee_usd: ArrayLike,
    funding_fee_usd: ArrayLike,
) -> Any:
    fee = np.asarray(position_fee_usd(size_in_usd, position_fee_factor))
    return (fee + v.nonnegative("borrowing_fee_usd", borrowing_fee_usd)
            + v.nonnegative("funding_fee_usd", funding_fee_usd))


def is_position_liquidatable(
    size_in_usd: ArrayLike,
    size_in_tokens: ArrayLike,
    is_long: ArrayLike,
    collateral_amount: ArrayLike,
    index_token_price: ArrayLike,
    *,
    collateral_token: str = "stable",
    collateral_token_price: ArrayLike = 1.0,
    price_impact_usd: ArrayLike = 0.0,
    borrowing_fee_usd: ArrayLike = 0.0,
    funding_fee_usd: ArrayLike = 0.0,
    position_fee_factor: ArrayLike = POSITION_FEE_FACTOR_FOR_NEGATIVE_IMPACT,
    min_collateral_factor: ArrayLike = MIN_COLLATERAL_FACTOR,
    min_collateral_usd: ArrayLike = MIN_COLLATERAL_USD,
    max_position_impact_factor_for_liquidations: ArrayLike = (
        MAX_POSITION_IMPACT_FACTOR_FOR_LIQUIDATIONS
    ),
    should_validate_min_collateral_usd: bool = True,
) -> LiquidationCheck:
    """GMX v2's liquidation check, ``PositionUtils.isPositionLiquidatable`` (for liquidation).

    In the contract's order: "min collateral" if ``remainingCollateralUsd < minCollateralUsd``
    (when validated), "< 0" if ``remainingCollateralUsd <= 0``, "min collateral for leverage" if
    ``remainingCollateralUsd < sizeInUsd * minCollateralFactor`` [1]_.

    Parameters
    ----------
    size_in_usd, size_in_tokens : float or array
        The position (> 0); ``sizeInUsd`` is fixed at entry.
    is_long : bool or array of bool
    collateral_amount : float or array
        Tokens of collateral (>= 0).
    index_token_price : float or array
        Oracle price (> 0).
    collateral_token : {"stable", "index"}
        A stablecoin priced at ``collateral_token_price``, or the index token itself (priced at
        ``index_token_price``).
    collateral_token_price : float or array
        With ``"stable"`` (> 0; 1 USD by default).
    price_impact_usd : float or array
        Impact of closing the whole position, before the check's caps.
    borrowing_fee_usd, funding_fee_usd : float or array
        Pending fees (>= 0).
    position_fee_factor, min_collateral_factor, max_position_impact_factor_for_liquidations
        Fractions in [0, 1): the market's configuration (defaults from ``baseMarketConfig`` [2]_).
    min_collateral_usd : float or array
        USD (>= 0).
    should_validate_min_collateral_usd : bool

    Returns
    -------
    LiquidationCheck

    Raises
    ------
    ValueError
        Out-of-range values (named); ``TypeError`` for a non-bool flag.

    References
    ----------
    [1]_, [2]_; the test vector [4]_.

    Examples
    --------
    The test's long: 10 WETH of collateral, 200,000 USD of ETH bought at 5,000 (40 ETH); at 4,200
    it is not liquidatable, at 4,000 it is [4]_:

    >>> args = (200_000, 40, True, 10)
    >>> is_position_liquidatable(*args, 4_200, collateral_token="index").is_liquidatable
    False
    >>> check = is_position_liquidatable(*args, 4_000, collateral_token="index")
    >>> check.is_liquidatable, check.reason, round(check.remaining_collateral_usd, 2)
    (True, 'min collateral', -120.0)

    (the closing fee takes the remaining collateral below ``minCollateralUsd``, the first test).
    """
    kind = v.choice("collateral_token", collateral_token, _COLLATERAL)
    validate = v.boolean("should_validate_min_collateral_usd", should_validate_min_collateral_usd)
    usd = v.positive("size_in_usd", size_in_usd)
    price = v.positive("index_token_price", index_token_price)
    collateral_price = (
        price if kind == "index" else v.positive("collateral_token_price", collateral_token_price)
    )
    collateral_usd = v.nonnegative("collateral_amount", collateral_amount) * collateral_price
    gain = np.asarray(position_pnl_usd(usd, size_in_tokens, is_long, price))
    impact = np.asarray(cap_price_impact_for_liquidation(
        price_impact_usd, usd, max_position_impact_factor_for_liquidations))
    cost = _collateral_cost(usd, position_fee_factor, borrowing_fee_usd, funding_fee_usd)
    remaining = collateral_usd + gain + impact - cost
    floor = usd * v.rate("min_collateral_factor", min_collateral_factor)
    minimum = v.nonnegative("min_collateral_usd", min_collateral_usd)
    below_min = (remaining < minimum) & validate
    not_positive = remaining <= 0
    below_leverage = remaining < floor
    reason = np.where(below_min, "min collateral", np.where(
        not_positive, "< 0", np.where(below_leverage, "min collateral for leverage", "")))
    return LiquidationCheck(
        is_liquidatable=v.scalar_or_array(below_min | not_positive | below_leverage),
        reason=v.scalar_or_array(reason),
        remaining_collateral_usd=v.scalar_or_array(remaining),
        min_collateral_usd_for_leverage=v.scalar_or_array(floor),
    )


def liquidation_price(
    size_in_usd: ArrayLike,
    size_in_tokens: ArrayLike,
    is_long: ArrayLike,
    collateral_amount: ArrayLike,
    *,
    collateral_token: str = "stable",
    collateral_token_price: ArrayLike = 1.0,
    price_impact_usd: ArrayLike = 0.0,
    borrowing_fee_usd: ArrayLike = 0.0,
    funding_fee_usd: ArrayLike = 0.0,
    position_fee_factor: ArrayLike = POSITION_FEE_FACTOR_FOR_NEGATIVE_IMPACT,
    min_collateral_factor: ArrayLike = MIN_COLLATERAL_FACTOR,
    min_collateral_usd: ArrayLike = MIN_COLLATERAL_USD,
    max_position_impact_factor_for_liquidations: ArrayLike = (
        MAX_POSITION_IMPACT_FACTOR_FOR_LIQUIDATIONS
    ),
) -> LiquidationResult:
    """The index price at which :func:`is_position_liquidatable` turns True.

    This solves the contract's check, and is the closed form GMX's own front end computes
    (``getLiquidationPrice`` [5]_: ``(liquidationCollateralUsd - remainingCollateralUsd +
    sizeInUsd) / sizeInTokens`` for a long with stable collateral, ``(sizeInUsd +
    liquidationCollateralUsd - priceImpactDeltaUsd + totalFeesUsd) / (sizeInTokens +
    collateralAmount)`` when the collateral is the index token). ``remainingCollateralUsd``
    is linear in the index price ``P``: ``a P + b`` with ``a = s sizeInTokens`` (plus
    ``collateralAmount`` when the collateral is the index token) and ``s`` = +1 long, -1 short.
    The position is liquidated where it reaches ``max(sizeInUsd * minCollateralFactor,
    minCollateralUsd)``; bankrupt where it reaches 0 (the collateral, after the closing fees, is
    gone). The price impact is taken as given (capped as in the check); the default cap (0)
    makes it drop out [2]_.

    Parameters
    ----------
    size_in_usd, size_in_tokens, is_long, collateral_amount, collateral_token,
    collateral_token_price, price_impact_usd, borrowing_fee_usd, funding_fee_usd,
    position_fee_factor, min_collateral_factor, min_collateral_usd,
    max_position_impact_factor_for_liquidations
        As :func:`is_position_liquidatable`.

    Returns
    -------
    LiquidationResult
        ``price`` ``nan`` where no positive price triggers the check (``liquidatable`` False),
        e.g. a short collateralised by more index tokens than it is short. ``below_maintenance``
        where the check already holds at the entry price ``sizeInUsd / sizeInTokens``.

    Raises
    ------
    ValueError
        As :func:`is_position_liquidatable`.

    References
    ----------
    [1]_, [2]_, [4]_, [5]_.

    Examples
    --------
    The test's long [4]_ (liquidated at 4,000, not at 4,200) is liquidated at 4,042.40:

    >>> round(liquidation_price(200_000, 40, True, 10, collateral_token="index").price, 2)
    4042.4

    With 50,000 USDC instead, the collateral no longer falls with ETH:

    >>> round(liquidation_price(200_000, 40, True, 50_000).price, 2)
    3803.0
    """
    kind = v.choice("collateral_token", collateral_token, _COLLATERAL)
    usd = v.positive("size_in_usd", size_in_usd)
    tokens = v.positive("size_in_tokens", size_in_tokens)
    s = np.where(_is_long(is_long), 1.0, -1.0)
    amount = v.nonnegative("collateral_amount", collateral_amount)
    cost = _collateral_cost(usd, position_fee_factor, borrowing_fee_usd, funding_fee_usd)
    cost = cost - np.asarray(cap_price_impact_for_liquidation(
        price_impact_usd, usd, max_position_impact_factor_for_liquidations))
    # remaining(P) = a P + b
    if kind == "index":
        a, b = s * tokens + amount, -s * usd - cost
    else:
        pc = v.positive("collateral_token_price", collateral_token_price)
        a, b = s * tokens + 0.0 * amount, amount * pc - s * usd - cost
    floor = np.maximum(usd * v.rate("min_collateral_factor", min_collateral_factor),
                       v.nonnegative("min_collateral_usd", min_collateral_usd))
    with np.errstate(divide="ignore", invalid="ignore"):
        trigger = (floor - b) / a
        bankrupt = -b / a
    ok = np.isfinite(trigger) & (trigger > 0) & (a != 0)
    entry = usd / tokens
    below = (a * entry + b) < floor
    a, b, trigger, bankrupt, ok, below = np.broadcast_arrays(a, b, trigger, bankrupt, ok, below)
    bankrupt = np.where(np.isfinite(bankrupt) & (bankrupt > 0), bankrupt, np.nan)
    return LiquidationResult(
        price=v.scalar_or_array(np.where(ok, trigger, np.nan)),
        bankruptcy_price=v.scalar_or_array(bankrupt),
        tier=v.scalar_or_array(ok.astype(int)),
        iterations=1,
        liquidatable=v.scalar_or_array(ok),
        below_maintenance=v.scalar_or_array(below),
    )
