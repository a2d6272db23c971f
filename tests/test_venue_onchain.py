"""GMX v2 and Synthetix v3 (liqlib.venues.gmx, liqlib.venues.synthetix): each rule's sentence.

The published vectors are in tests/data/venue_vectors/{gmx,synthetix}.csv; here each solved price
is held against the contract's own check on either side of it, and each rule against the line it
implements.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.venues import get, gmx, synthetix

# --- GMX -----------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    is_long=st.booleans(),
    index=st.booleans(),
    leverage=st.floats(1.5, 90.0),
    entry=st.floats(10.0, 1e5),
    fee=st.sampled_from([0.0, 0.0004, 0.0006]),
    factor=st.sampled_from([0.005, 0.01, 0.02]),
)
def test_gmx_liquidation_price_is_where_the_check_turns(
    is_long: bool, index: bool, leverage: float, entry: float, fee: float, factor: float
) -> None:
    usd = 100_000.0
    tokens = usd / entry
    collateral_usd = usd / leverage
    kind = "index" if index else "stable"
    amount = collateral_usd / entry if index else collateral_usd
    rules = dict(collateral_token=kind, position_fee_factor=fee, min_collateral_factor=factor)
    result = gmx.liquidation_price(usd, tokens, is_long, amount, **rules)
    if not result.liquidatable:
        # only a short hedged by at least its own size of index tokens escapes
        assert index and not is_long and amount >= tokens
        return
    price = result.price
    # "isPositionLiquidatable" is False just on the safe side of the price, True beyond it
    safe, beyond = (price * (1 + 1e-7), price * (1 - 1e-7)) if is_long else (
        price * (1 - 1e-7), price * (1 + 1e-7))
    if result.below_maintenance:
        return
    assert not gmx.is_position_liquidatable(usd, tokens, is_long, amount, safe,
                                            **rules).is_liquidatable
    assert gmx.is_position_liquidatable(usd, tokens, is_long, amount, beyond,
                                        **rules).is_liquidatable
    # bankrupt beyond the liquidation price: the collateral after the closing fee is zero there
    check = gmx.is_position_liquidatable(usd, tokens, is_long, amount, result.bankruptcy_price,
                                         **rules)
    assert check.remaining_collateral_usd == pytest.approx(0.0, abs=1e-6 * usd)


def interface_liquidation_price(size_in_usd, size_in_tokens, collateral_amount, collateral_usd,
                                equivalent, is_long, fees, impact, liquidation_collateral):
    """GMX's front end, ``getLiquidationPrice`` (gmx-interface @ b9ed9d2,
    sdk/src/utils/positions.ts), transcribed in floats as an independent reference."""
    if equivalent:
        if is_long:
            return (size_in_usd + liquidation_collateral - impact + fees) / (
                size_in_tokens + collateral_amount)
        return (size_in_usd - liquidation_collateral + impact - fees) / (
            size_in_tokens - collateral_amount)
    remaining = collateral_usd + impact - fees
    if is_long:
        return (liquidation_collateral - remaining + size_in_usd) / size_in_tokens
    return (liquidation_collateral - remaining - size_in_usd) / -size_in_tokens


@settings(max_examples=60, deadline=None)
@given(is_long=st.booleans(), index=st.booleans(), leverage=st.floats(1.5, 90.0),
       entry=st.floats(10.0, 1e5), impact=st.floats(-5_000.0, 0.0),
       borrowing=st.floats(0.0, 300.0))
def test_gmx_agrees_with_gmxs_front_end(is_long: bool, index: bool, leverage: float,
                                        entry: float, impact: float, borrowing: float) -> None:
    usd, cap = 100_000.0, 0.02
    tokens = usd / entry
    amount = usd / leverage / entry if index else usd / leverage
    ours = gmx.liquidation_price(
        usd, tokens, is_long, amount, collateral_token="index" if index else "stable",
        price_impact_usd=impact, borrowing_fee_usd=borrowing,
        max_position_impact_factor_for_liquidations=cap)
    theirs = interface_liquidation_price(
        usd, tokens, amount, usd / leverage, index, is_long,
        fees=borrowing + 0.0006 * usd, impact=max(impact, -cap * usd),
        liquidation_collateral=max(0.01 * usd, 1.0))
    # the front end returns undefined for a price <= 0: no liquidation price
    assert ours.liquidatable == (theirs > 0)
    if theirs > 0:
        assert ours.price == pytest.approx(theirs, rel=1e-9)


def test_gmx_reasons_in_the_contracts_order() -> None:
    # remaining below minCollateralUsd is reported first, then "< 0", then the leverage floor
    base = (200_000, 40, True, 50_000)
    assert gmx.is_position_liquidatable(*base, 5_000).reason == ""
    # at 3,820 the stable collateral keeps 50,000 - 27,200 - 120 = 2,680 > 2,000
    assert gmx.is_position_liquidatable(*base, 3_820).reason == ""
    # at 3,805: 50,000 - 47,800 - 120 = 2,080; at 3,800: 1,880 < 2,000 of 1% x 200,000
    assert gmx.is_position_liquidatable(*base, 3_800).reason == "min collateral for leverage"
    check = gmx.is_position_liquidatable(*base, 3_750, should_validate_min_collateral_usd=False)
    assert check.reason == "< 0" and check.remaining_collateral_usd == pytest.approx(-120.0)
    # validated, a negative remainder is below minCollateralUsd first
    assert gmx.is_position_liquidatable(*base, 3_750).reason == "min collateral"


def test_gmx_price_impact_counts_only_when_negative_and_capped() -> None:
    base = (200_000, 40, True, 50_000, 3_820)  # 2,680 remaining without impact
    # the default cap 0 ignores even a large negative impact ...
    assert not gmx.is_position_liquidatable(*base, price_impact_usd=-5_000).is_liquidatable
    # ... a 0.5% cap lets 1,000 of it count: 1,680 < 2,000
    check = gmx.is_position_liquidatable(
        *base, price_impact_usd=-5_000, max_position_impact_factor_for_liquidations=0.005)
    assert check.is_liquidatable and check.remaining_collateral_usd == pytest.approx(1_680.0)
    # a positive impact never helps: "cap the priceImpactUsd to zero"
    lifted = gmx.is_position_liquidatable(200_000, 40, True, 50_000, 3_800,
                                          price_impact_usd=10_000)
    assert lifted.is_liquidatable


def test_gmx_pending_fees_raise_the_liquidation_price() -> None:
    plain = gmx.liquidation_price(200_000, 40, True, 50_000).price
    owed = gmx.liquidation_price(200_000, 40, True, 50_000, borrowing_fee_usd=400,
                                 funding_fee_usd=400).price
    assert owed - plain == pytest.approx(800 / 40)


def test_gmx_arrays_and_bad_input() -> None:
    result = gmx.liquidation_price(200_000, 40, np.array([True, False]), 50_000)
    assert result.price.shape == (2,) and result.price[0] < 5_000 < result.price[1]
    with pytest.raises(TypeError, match="is_long"):
        gmx.position_pnl_usd(1, 1, 1, 1)
    with pytest.raises(ValueError, match="collateral_token"):
        gmx.liquidation_price(1, 1, True, 1, collateral_token="usd")
    with pytest.raises(ValueError, match="size_in_usd must be > 0"):
        gmx.is_position_liquidatable(0, 1, True, 1, 1)
    with pytest.raises(ValueError, match="liquidation_fee_factor"):
        gmx.liquidation_fee_usd(1, 2.0)


# --- Synthetix --------------------------------------------------------------------------------


CAPS = dict(min_keeper_reward_usd=5.0, min_keeper_profit_ratio=0.2, max_keeper_scaling_ratio=0.5,
            max_keeper_reward_usd=1_000.0)


def test_keeper_reward_floor_and_caps() -> None:
    # minCap = max(cost + 5, 1.2 cost); maxCap = min(0.5 x margin, 1,000)
    assert synthetix.keeper_reward(0.0, 10.0, 10_000, **CAPS) == 15.0
    assert synthetix.keeper_reward(0.0, 100.0, 10_000, **CAPS) == 120.0
    assert synthetix.keeper_reward(300.0, 10.0, 10_000, **CAPS) == 310.0
    assert synthetix.keeper_reward(3_000.0, 10.0, 10_000, **CAPS) == 1_000.0
    assert synthetix.keeper_reward(3_000.0, 10.0, 100, **CAPS) == 50.0
    # "if availableMarginInUsd is zero, it means the account was flagged": the USD maximum
    assert synthetix.keeper_reward(3_000.0, 10.0, 0, **CAPS) == 1_000.0
    # the maximum wins over the minimum (min(max(minCap, ...), maxCap))
    assert synthetix.keeper_reward(0.0, 10.0, 2, **CAPS) == 1.0


def test_liquidation_reward_adds_a_window_fee_per_extra_window() -> None:
    one = synthetix.liquidation_reward(10_000, 5_000, flag_reward_ratio=0.01,
                                       cost_of_flagging=2, cost_of_liquidation=3, **CAPS)
    three = synthetix.liquidation_reward(10_000, 5_000, flag_reward_ratio=0.01,
                                         cost_of_flagging=2, cost_of_liquidation=3,
                                         number_of_windows=3, **CAPS)
    assert one == 100 + 5  # keeperReward(max(flag 100, 0), 2 + 3, 5,000)
    assert three - one == 2 * 8  # keeperReward(0, 3, 0) = max(3 + 5, 3.6) per further window
    # the collateral reward replaces the flag reward when larger
    assert synthetix.liquidation_reward(10_000, 5_000, flag_reward_ratio=0.01,
                                        collateral_liquidate_reward_ratio=0.05, **CAPS) == 250


def test_windows_and_the_pd_escape() -> None:
    assert synthetix.number_of_liquidation_windows(np.array([0, 100, 101, 250]), 100).tolist() == [
        0, 1, 2, 3]
    w = dict(max_in_window=100, max_seconds_in_liquidation_window=10)
    full = [[0, 100]]
    # no capacity, but a market whose skew is small enough gets another window's worth ...
    assert synthetix.max_liquidatable_amount(150, full, 5, skew=10, skew_scale=1_000,
                                             max_liquidation_pd=0.02, **w) == 100
    # ... not in the same block as the last liquidation, nor with the skew above the threshold
    assert synthetix.max_liquidatable_amount(150, full, 0, skew=10, skew_scale=1_000,
                                             max_liquidation_pd=0.02, **w) == 0
    assert synthetix.max_liquidatable_amount(150, full, 5, skew=30, skew_scale=1_000,
                                             max_liquidation_pd=0.02, **w) == 0
    # the endorsed liquidator closes everything; an unconfigured window limits nothing
    assert synthetix.max_liquidatable_amount(150, full, 5, endorsed_liquidator=True, **w) == 150
    assert synthetix.max_liquidatable_amount(
        150, full, 5, max_in_window=0, max_seconds_in_liquidation_window=10) == 150
    with pytest.raises(ValueError, match="time order"):
        synthetix.max_liquidatable_amount(1, [[5, 1], [1, 1]], 6, **w)
    with pytest.raises(ValueError, match="pairs"):
        synthetix.max_liquidatable_amount(1, [[5, 1, 2]], 6, **w)


@settings(max_examples=60, deadline=None)
@given(
    side=st.sampled_from([1, -1]),
    size=st.floats(0.1, 50.0),
    leverage=st.floats(2.0, 25.0),
    flag=st.sampled_from([0.0, 0.005, 0.01, 0.05]),
    max_usd=st.sampled_from([50.0, 1_000.0, np.inf]),
    min_usd=st.sampled_from([0.0, 5.0, 400.0]),
    cost=st.sampled_from([0.0, 2.0, 50.0]),
)
def test_synthetix_liquidation_price_is_where_eligibility_turns(
    side: int, size: float, leverage: float, flag: float, max_usd: float, min_usd: float,
    cost: float,
) -> None:
    entry = 30_000.0
    collateral = size * entry / leverage
    margins = dict(skew_scale=1_000.0, initial_margin_ratio=1.0, minimum_initial_margin_ratio=0.02,
                   maintenance_margin_scalar=0.5, minimum_position_margin=10.0)
    rewards = dict(flag_reward_ratio=flag, cost_of_flagging=cost, cost_of_liquidation=cost,
                   min_keeper_reward_usd=min_usd, max_keeper_scaling_ratio=1.0,
                   max_keeper_reward_usd=max_usd)
    result = synthetix.liquidation_price(side, size, entry, collateral, **margins, **rewards)

    def eligible(price: float) -> bool:
        mm = synthetix.calculate_required_margins(size, price, **margins).maintenance_margin
        reward = synthetix.liquidation_reward(size * price, collateral, **rewards)
        return bool(synthetix.is_eligible_for_liquidation(
            collateral + side * size * (price - entry), mm, reward))

    if result.below_maintenance:
        assert eligible(entry)
        return
    assert result.liquidatable
    price = result.price
    assert not eligible(price * (1 + side * 1e-7))
    assert eligible(price * (1 - side * 1e-7))


def test_synthetix_adapter_leverage_includes_the_reward() -> None:
    venue = get("synthetix")
    # SIP-348 BTC: initial ratio 2% (and a hair for the size) plus the 1% flag reward
    assert venue.max_leverage(1, 100_000) == pytest.approx(1 / (0.02 + 1e-6 + 0.01), rel=1e-12)
    # larger positions need more margin per unit: the skew-scaled rate
    assert venue.max_leverage(10_000, 100_000) < venue.max_leverage(1, 100_000)
    assert venue.rules()["max_keeper_reward_usd"] is None
