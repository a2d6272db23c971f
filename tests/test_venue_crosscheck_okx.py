"""OKX (liqlib.venues.okx) against the core, against the trigger it solves, and its tier rules.

OKX's convention, as a configuration of :func:`liqlib.liquidation_price`: maintenance margin at
the liquidation price, the tier's rate fixed by the **contract count** (so it does not move with
the price, and there is no deduction), and the liquidation fee rate **added to the MMR**
(``fee_rate`` in the core). Without the fee the core's price is further from entry.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import fees, kinds, mmrs, prices, sides

import liqlib as lq
from liqlib.venues import okx

SETTINGS = settings(max_examples=120, deadline=None)
contract_counts = st.floats(1.0, 1e5)
face_values = st.sampled_from([0.01, 0.1, 1.0, 10.0, 100.0])
shares = st.floats(0.01, 0.9)


def _size_and_cv(kind, contracts, ct_val):
    """Core size and contract value: base units (USDT-margined), ``ct_val``-USD contracts (coin)."""
    return (contracts * ct_val, 1.0) if kind == "linear" else (contracts, ct_val)


@SETTINGS
@given(side=sides, kind=kinds, contracts=contract_counts, ct_val=face_values, px=prices,
       share=shares, mmr=mmrs, fee=fees)
def test_liquidation_price_is_the_core_with_the_fee_in_the_trigger(
    side, kind, contracts, ct_val, px, share, mmr, fee
):
    size, cv = _size_and_cv(kind, contracts, ct_val)
    margin = share * lq.notional(size, px, kind, cv)
    got = okx.liquidation_price(side, contracts, px, margin=margin, ct_val=ct_val, fee_rate=fee,
                                mmr=mmr, kind=kind)
    core = lq.liquidation_price(side, size, px, collateral=margin, mmr=mmr, fee_rate=fee,
                                kind=kind, contract_value=cv)
    assert got.price == pytest.approx(core.price, rel=1e-12, nan_ok=True)
    assume(got.liquidatable)
    # The trigger OKX describes: margin ratio (equity over MM + fee) is exactly 100% there.
    upl = lq.pnl(side, size, px, got.price, kind, cv)
    ratio = okx.margin_ratio(margin, upl, contracts, ct_val, got.price, fee_rate=fee, mmr=mmr,
                             kind=kind)
    assert ratio == pytest.approx(1.0, rel=1e-8)
    # The convention that differs: without the fee the price lies further from entry.
    no_fee = lq.liquidation_price(side, size, px, collateral=margin, mmr=mmr, kind=kind,
                                  contract_value=cv)
    if no_fee.liquidatable:  # a long's price rises toward entry, a short's falls
        assert side * (got.price - no_fee.price) >= -1e-12 * px


@SETTINGS
@given(contracts=contract_counts, ct_val=face_values, px=prices, share=shares, mmr=mmrs, fee=fees)
def test_third_party_closed_forms(contracts, ct_val, px, share, mmr, fee):
    """ukcamo.com's closed forms (coin-margined), with OKX's fee added to the MMR, and ours
    (USDT-margined)."""
    req = mmr + fee
    coin_margin = share * contracts * ct_val / px
    long_inv = okx.liquidation_price(1, contracts, px, margin=coin_margin, ct_val=ct_val,
                                     fee_rate=fee, mmr=mmr, kind="inverse").price
    assert long_inv == pytest.approx((1 + req) / (1 / px + coin_margin / ct_val / contracts),
                                     rel=1e-9)
    short_formula = (1 - req) / (1 / px - coin_margin / ct_val / contracts)
    short_inv = okx.liquidation_price(-1, contracts, px, margin=coin_margin, ct_val=ct_val,
                                      fee_rate=fee, mmr=mmr, kind="inverse").price
    if short_formula > 0:
        assert short_inv == pytest.approx(short_formula, rel=1e-9)
    else:
        assert math.isnan(short_inv)
    usdt_margin = share * contracts * ct_val * px
    long_lin = okx.liquidation_price(1, contracts, px, margin=usdt_margin, ct_val=ct_val,
                                     fee_rate=fee, mmr=mmr).price
    expected = (ct_val * contracts * px - usdt_margin) / (ct_val * contracts * (1 - req))
    assert long_lin == pytest.approx(expected, rel=1e-9)  # share < 1: always positive


@SETTINGS
@given(side=sides, kind=kinds, contracts=st.floats(1.0, 129_999.0), px=prices, share=shares,
       fee=fees)
def test_tier_is_set_by_contracts_not_price(side, kind, contracts, px, share, fee):
    tiers = okx.BTC_USD_SWAP_TIERS_2019
    size, cv = _size_and_cv(kind, contracts, 100.0)
    margin = share * lq.notional(size, px, kind, cv)
    got = okx.liquidation_price(side, contracts, px, margin=margin, ct_val=100.0, fee_rate=fee,
                                tiers=tiers, kind=kind)
    flat = okx.liquidation_price(side, contracts, px, margin=margin, ct_val=100.0, fee_rate=fee,
                                 mmr=float(tiers.mmr(contracts)), kind=kind)
    assert got.price == pytest.approx(flat.price, rel=1e-15, nan_ok=True)
    if got.liquidatable:
        assert got.tier == tiers.tier(contracts)


def test_vectorized_over_mixed_tiers() -> None:
    contracts = np.array([500.0, 5_000.0, 12_000.0, 20_000.0, 999.0])
    sides = np.array([1, -1, 1, -1, 1])
    got = okx.liquidation_price(sides, contracts, 40_000.0, margin=contracts * 100 / 40_000 * 0.1,
                                ct_val=100, fee_rate=0.0005, tiers="BTC-USD-SWAP-2019",
                                kind="inverse")
    for k in range(contracts.size):
        one = okx.liquidation_price(int(sides[k]), contracts[k], 40_000.0,
                                    margin=contracts[k] * 100 / 40_000 * 0.1, ct_val=100,
                                    fee_rate=0.0005, tiers="BTC-USD-SWAP-2019", kind="inverse")
        assert got.price[k] == pytest.approx(one.price, rel=1e-15)
        assert got.tier[k] == one.tier
    assert got.tier.tolist() == [1, 2, 3, 4, 1]


def test_tier_boundaries_are_inclusive_upper_bounds() -> None:
    t = okx.ONEINCH_USDT_SWAP_TIERS
    assert [int(t.tier(n)) for n in (1, 1_000, 1_001, 2_500, 2_501, 65_000, 65_001)] == [
        1, 1, 2, 2, 3, 3, 4]
    assert float(t.max_leverage(65_001)) == pytest.approx(18.18, abs=0.005)
    # The rule past the printed tiers: +65,000 contracts, +0.5% MMR and IMR.
    assert float(t.mmr(130_001)) == pytest.approx(0.03)
    assert float(t.max_leverage(130_001)) == pytest.approx(1 / 0.06)
    with pytest.raises(ValueError, match="at most the last tier's max amount"):
        t.tier(t.max_contracts[-1] + 1)


@SETTINGS
@given(contracts=st.floats(1.0, 60_000.0))
def test_partial_liquidation_rules(contracts):
    caps = okx.LEGACY_BTC_USDT_SWAP_MAX_CONTRACTS
    legacy = okx.legacy_partial_liquidation_contracts(contracts)
    newer = okx.partial_liquidation_contracts(contracts)
    tier = int(np.searchsorted(caps, contracts, side="left")) + 1
    if tier <= 2:
        assert legacy == newer == contracts  # full liquidation
    else:
        assert contracts - legacy == caps[0]  # down to tier 1
        left = contracts - newer
        assert int(np.searchsorted(caps, left, side="left")) + 1 == tier - 2  # two tiers down
        if tier == 3:
            assert legacy == newer


def test_margin_ratio_and_maintenance() -> None:
    mm = okx.maintenance_margin(100, 0.01, 30_000, mmr=0.004)
    assert mm == pytest.approx(30_000 * 0.004)
    assert okx.margin_ratio(300, -150, 100, 0.01, 30_000, fee_rate=0.0005, mmr=0.004) == (
        pytest.approx(150 / (30_000 * 0.0045)))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(fee_rate=0.0005), "exactly one of mmr or tiers"),
        (dict(fee_rate=0.0005, mmr=0.01, tiers="BTC-USD-SWAP-2019"), "exactly one of mmr"),
        (dict(fee_rate=1.0, mmr=0.01), "fee_rate must be a fraction"),
        (dict(fee_rate=0.0005, tiers="ETH-USD-SWAP"), "tiers must be PositionTiers or one of"),
        (dict(fee_rate=0.0005, mmr=0.01, ct_val=0), "ct_val must be > 0"),
        (dict(fee_rate=0.0005, mmr=0.01, kind="quanto"), "kind must be"),
    ],
)
def test_liquidation_price_rejects_bad_input(kwargs, match) -> None:
    args = dict(margin=10.0, ct_val=0.01) | kwargs
    with pytest.raises(ValueError, match=match):
        okx.liquidation_price(1, 100, 30_000, **args)


def test_tables_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="max_contracts must be strictly increasing"):
        okx.position_tiers([2_000, 1_000], [0.01, 0.02], [50, 25])
    with pytest.raises(ValueError, match="mmrs must not decrease"):
        okx.position_tiers([1_000, 2_000], [0.02, 0.01], [50, 25])
    with pytest.raises(ValueError, match="max_leverages must not increase"):
        okx.position_tiers([1_000, 2_000], [0.01, 0.02], [25, 50])
    with pytest.raises(ValueError, match="must be below 1/max_leverages"):
        okx.position_tiers([1_000], [0.05], [25])
    with pytest.raises(ValueError, match="one entry per tier"):
        okx.position_tiers([1_000, 2_000], [0.01], [25])
    with pytest.raises(ValueError, match="step_contracts is required"):
        okx.position_tiers([1_000], [0.01], [50], extend_to=3)
    with pytest.raises(ValueError, match="tier_max_contracts must be strictly increasing"):
        okx.legacy_partial_liquidation_contracts(100, [5, 1])
    with pytest.raises(ValueError, match="contracts must be > 0"):
        okx.tier_lookup(0)
