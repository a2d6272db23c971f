"""Bybit (liqlib.venues.bybit) against its printed formulas and against the core.

Bybit's conventions, each a configuration of :func:`liqlib.liquidation_price`:

* USDT isolated: maintenance margin frozen at the **entry** price. Against the exact trigger (MM at
  the liquidation price) it differs by exactly ``side * MMR * (EP - LP_exact)``: on the high side
  for a position opened above maintenance (closer to entry for a long, further for a short).
* Inverse isolated, 2026 text: MM at the liquidation price (the core's default); the 2024 text
  freezes it at entry, and in notional space the two differ by ``sigma * MMR * (N_entry - N)``.
* Inverse cross (legacy): MM at entry and the 0.075% close fee charged on the value at the
  **bankruptcy** price.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import mmrs, prices, sides, sizes, tier_tables

import liqlib as lq
from liqlib.venues import bybit

SETTINGS = settings(max_examples=120, deadline=None)
leverages = st.floats(1.5, 100.0)
deduction_shares = st.floats(0.0, 0.5)
extra_shares = st.floats(-0.3, 1.0)


@SETTINGS
@given(side=sides, q=sizes, ep=prices, lev=leverages, mmr=mmrs, ded=deduction_shares,
       extra=extra_shares)
def test_usdt_formula_and_the_entry_convention(side, q, ep, lev, mmr, ded, extra):
    pv = q * ep
    im, deduction, extra_margin = pv / lev, ded * mmr * pv, extra * pv / lev
    mm = pv * mmr - deduction
    # The page's formula, typed out.
    formula = ep - side * (im - mm) / q - side * extra_margin / q
    got = bybit.liquidation_price(side, q, ep, leverage=lev, mmr=mmr, mm_deduction=deduction,
                                  extra_margin_added=extra_margin)
    assume(formula > 0)
    assert got.price == pytest.approx(formula, rel=1e-9)
    # Same with the initial margin given instead of the leverage.
    by_im = bybit.liquidation_price(side, q, ep, initial_margin=im, mmr=mmr,
                                    mm_deduction=deduction, extra_margin_added=extra_margin)
    assert by_im.price == pytest.approx(got.price, rel=1e-12)
    # The convention: against the exact trigger (MM at the liquidation price) ...
    tier = lq.Tier(1, 0.0, math.inf, mmr, 1 / mmr, deduction)
    exact = lq.liquidation_price(side, q, ep, leverage=lev, extra_margin=extra_margin, mmr=tier)
    assume(exact.liquidatable)
    # ... Bybit's differs by side * MMR * (EP - LP_exact): for a position opened above
    # maintenance (LP_exact on the losing side of entry) Bybit's is the higher price, nearer the
    # entry for a long and further from it for a short.
    gap = side * mmr * (ep - exact.price)
    assert got.price - exact.price == pytest.approx(gap, rel=1e-7, abs=1e-9 * ep)
    if side * (ep - exact.price) >= 0:
        assert got.price >= exact.price - 1e-9 * ep


@SETTINGS
@given(side=sides, q=st.floats(1.0, 1e6), ep=prices, lev=leverages, mmr=mmrs,
       ded=deduction_shares, extra=extra_shares, fee=st.floats(0.0, 0.002))
def test_inverse_2026_formula_is_the_core(side, q, ep, lev, mmr, ded, extra, fee):
    pv = q / ep
    deduction, extra_margin = ded * mmr * pv, extra * pv / lev
    if side == 1:
        denominator = pv + pv / lev + extra_margin / (1 + fee) + deduction
        formula = q * (mmr + 1) / denominator
    else:
        denominator = pv - pv / lev - extra_margin / (1 + fee) - deduction
        # A denominator within round-off of zero is a price at infinity: neither side of the
        # comparison is meaningful there (hypothesis found 0 and 1.6e16 against NaN).
        assume(abs(denominator) > 1e-9 * pv)
        formula = q * (1 - mmr) / denominator
    got = bybit.inverse_liquidation_price(side, q, ep, leverage=lev, mmr=mmr,
                                          mm_deduction=deduction, extra_margin_added=extra_margin,
                                          taker_fee_rate=fee)
    core = lq.liquidation_price(side, q, ep, collateral=pv / lev + extra_margin / (1 + fee),
                                mmr=lq.Tier(1, 0.0, math.inf, mmr, 1 / mmr, deduction),
                                kind="inverse")
    assert got.price == pytest.approx(core.price, rel=1e-12, nan_ok=True)
    if 0 < formula < math.inf:
        assert got.price == pytest.approx(formula, rel=1e-9)
    else:
        assert math.isnan(got.price)


@SETTINGS
@given(side=sides, q=st.floats(1.0, 1e6), ep=prices, lev=leverages, mmr=mmrs,
       ded=deduction_shares)
def test_inverse_2024_variant_and_its_gap_to_2026(side, q, ep, lev, mmr, ded):
    pv = q / ep
    deduction = ded * mmr * pv
    im, mm = pv / lev, pv * mmr - deduction
    formula = q / (pv + im - mm) if side == 1 else q / (pv - (im - mm))
    old = bybit.inverse_liquidation_price_2024(side, q, ep, leverage=lev, mmr=mmr,
                                               mm_deduction=deduction).price
    new = bybit.inverse_liquidation_price(side, q, ep, leverage=lev, mmr=mmr,
                                          mm_deduction=deduction).price
    assume(0 < formula < math.inf and not math.isnan(new))
    assert old == pytest.approx(formula, rel=1e-9)
    # In coin-notional space, N_2024 - N_2026 = sigma * MMR * (N_entry - N_2026), sigma = -side.
    n_old, n_new = q / old, q / new
    gap = -side * mmr * (pv - n_new)
    assert n_old - n_new == pytest.approx(gap, rel=1e-7, abs=1e-12 * pv)
    if side == 1 and new < ep:  # opened above maintenance: the 2024 long sits further away
        assert old <= new * (1 + 1e-12)


def test_inverse_variants_on_the_page_inputs() -> None:
    old = bybit.inverse_liquidation_price_2024(1, 60_000, 50_000, leverage=10, mmr=0.005).price
    new = bybit.inverse_liquidation_price(1, 60_000, 50_000, leverage=10, mmr=0.005).price
    assert (round(old, 2), round(new, 2)) == (45_662.10, 45_681.82)


@SETTINGS
@given(side=sides, q=st.floats(10.0, 1e6), ep=prices, share=st.floats(0.01, 0.9),
       om=st.floats(0.0, 0.5), mmr=st.floats(1e-3, 0.02), fee=st.floats(0.0, 0.001))
def test_inverse_cross_legacy_formula(side, q, ep, share, om, mmr, fee):
    bal = share * q / ep
    order_margin = om * bal
    free = bal - order_margin
    r = bybit.inverse_cross_liquidation_price(side, q, ep, wallet_balance=bal,
                                              order_margin=order_margin, mmr=mmr,
                                              taker_fee_rate=fee)
    assume(r.liquidatable and not math.isnan(r.bankruptcy_price))
    bp = r.bankruptcy_price
    if side == 1:
        # The page: BP = 1.00075 Q / (Q/EP + (Bal - OrderMargin)) and
        # Q(1/EP - 1/LP) = -(Bal - OrderMargin - Q/EP*MMR - Q*0.00075/BP).
        assert bp == pytest.approx((1 + fee) * q / (q / ep + free), rel=1e-12)
        lp = 1 / (1 / ep + (free - q / ep * mmr - q * fee / bp) / q)
        assert r.price == pytest.approx(lp, rel=1e-9)
    # Either side: equity at LP equals MM at entry plus the fee on the value at BP.
    equity = free + lq.pnl(side, q, ep, r.price, "inverse")
    assert equity == pytest.approx(q / ep * mmr + fee * q / bp, rel=1e-8, abs=1e-12 * q / ep)


@SETTINGS
@given(price=st.floats(1.0, 1e5), side=sides, tick=st.sampled_from([0.5, 0.01, 1.0, 0.1]))
def test_rounding_goes_toward_the_venue(price, side, tick):
    r = bybit.round_price(price, side, tick)
    assert r / tick == pytest.approx(round(r / tick), abs=1e-6)
    if side == 1:
        assert price - 1e-9 * price <= r < price + tick * (1 + 1e-9)
    else:
        assert price - tick * (1 + 1e-9) < r <= price + 1e-9 * price


def test_rounding_keeps_nan_and_vectorizes() -> None:
    out = bybit.round_price([7_735.372549, float("nan"), 7_735.372549], [1, 1, -1], 0.5)
    assert out[0] == 7_735.5 and math.isnan(out[1]) and out[2] == 7_735.0


@SETTINGS
@given(table=tier_tables(), q=sizes, ep=prices, side=sides, lev_share=st.floats(0.05, 1.0))
def test_risk_limits_use_the_tier_at_entry(table, q, ep, side, lev_share):
    limits = np.append(table.floors[1:], table.floors[-1] * 2 + 1e5)
    tiers = bybit.risk_limit_tiers(limits, table.mmrs, table.max_leverages)
    np.testing.assert_allclose(tiers.cums, table.cums, rtol=1e-12, atol=1e-9)
    pv = q * ep
    lev = float(tiers.max_leverage(pv)) * lev_share
    got = bybit.liquidation_price(side, q, ep, leverage=lev, risk_limits=tiers)
    line = tiers.tier(pv)
    fixed = bybit.liquidation_price(side, q, ep, leverage=lev, mmr=line.mmr, mm_deduction=line.cum)
    assert got.price == pytest.approx(fixed.price, rel=1e-12, nan_ok=True)


@SETTINGS
@given(table=tier_tables())
def test_deduction_is_the_progressive_sum(table):
    limits = np.append(table.floors[1:], table.floors[-1] + 1e5)
    for k in range(1, len(table) + 1):
        ded = bybit.maintenance_margin_deduction(limits, table.mmrs, k)
        # MM at the tier's floor is the same on both tier lines (continuity).
        floor = table.floors[k - 1]
        progressive = float(np.sum(np.diff(np.append(table.floors[:k], floor)) * table.mmrs[:k]))
        assert floor * table.mmrs[k - 1] - ded == pytest.approx(progressive, rel=1e-9, abs=1e-9)


def test_xyz_tier_maintenance_margin() -> None:
    tiers = bybit.risk_limit_tiers([1_000, 2_000, 3_000, 4_000, 5_000],
                                   [0.02, 0.025, 0.03, 0.035, 0.04], [25, 20, 16, 14, 12])
    assert bybit.maintenance_margin(3_500, risk_limits=tiers) == pytest.approx(92.5)
    # = 1,000*2% + 1,000*2.5% + 1,000*3% + 500*3.5%
    assert 1_000 * (0.02 + 0.025 + 0.03) + 500 * 0.035 == pytest.approx(92.5)


def test_max_leverages_change_no_margin() -> None:
    # they feed only the table's leverage check, so they may be left out
    limits, rates = [1_000, 2_000, 3_000, 4_000, 5_000], [0.02, 0.025, 0.03, 0.035, 0.04]
    given = bybit.risk_limit_tiers(limits, rates, [25, 20, 16, 14, 12])
    omitted = bybit.risk_limit_tiers(limits, rates)
    assert omitted.cums.tolist() == given.cums.tolist()
    values = [500.0, 1_500.0, 3_500.0, 4_999.0]
    assert bybit.maintenance_margin(values, risk_limits=omitted).tolist() == (
        bybit.maintenance_margin(values, risk_limits=given).tolist()
    )
    # without them the cap is the one the rates imply: just below 1 / mmr
    assert 49.99 < omitted.max_leverage(500.0) < 50.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(leverage=10, initial_margin=100, mmr=0.01), "exactly one of leverage"),
        (dict(mmr=0.01), "exactly one of leverage"),
        (dict(leverage=10), "exactly one of mmr"),
        (dict(leverage=10, risk_limits=[1, 2]), "risk_limits must be a TierTable"),
        (dict(leverage=10, mmr=0.0), "mmr must be a fraction in \\(0, 1\\)"),
        (dict(leverage=10, mmr=0.01, mm_deduction=-1), "mm_deduction must be >= 0"),
        (dict(leverage=-10, mmr=0.01), "leverage must be > 0"),
        (dict(leverage=10, mmr=0.01, tick_size=0), "tick_size must be > 0"),
    ],
)
def test_usdt_rejects_bad_input(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        bybit.liquidation_price(1, 1.0, 20_000.0, **kwargs)


def test_other_functions_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="risk_limits must be strictly increasing"):
        bybit.risk_limit_tiers([2_000, 1_000], [0.01, 0.02], [50, 25])
    with pytest.raises(ValueError, match="tier must be an integer in"):
        bybit.maintenance_margin_deduction([1_000, 2_000], [0.01, 0.02], 3)
    with pytest.raises(ValueError, match="one entry per tier"):
        bybit.maintenance_margin_deduction([1_000, 2_000], [0.01], 1)
    with pytest.raises(ValueError, match="taker_fee_rate must be a fraction"):
        bybit.inverse_liquidation_price(1, 100, 100, leverage=10, mmr=0.01, taker_fee_rate=2)
    with pytest.raises(ValueError, match="side must be"):
        bybit.bankruptcy_price(2, 100, 10)
    with pytest.raises(ValueError, match="funding_intervals_per_day"):
        bybit.interest_rate(0.0006, 0.0003, 0)


@SETTINGS
@given(side=sides, ep=prices, lev=st.floats(1.01, 125.0))
def test_bankruptcy_closed_forms(side, ep, lev):
    assert bybit.bankruptcy_price(side, ep, lev) == pytest.approx(ep * (1 - side / lev), rel=1e-12,
                                                                 nan_ok=True)
    inverse = bybit.bankruptcy_price(side, ep, lev, kind="inverse")
    assert inverse == pytest.approx(ep * lev / (lev + side), rel=1e-12)


def test_funding_average_weights_the_latest_most() -> None:
    flat = bybit.average_premium_index(np.full(480, 0.0002))
    assert flat == pytest.approx(0.0002)
    late = bybit.average_premium_index(np.r_[np.zeros(479), 1.0])
    assert late == pytest.approx(480 / (480 * 481 / 2))
    assert bybit.funding_rate(0.0003) == pytest.approx(0.0001)
    assert bybit.funding_fee(1, 20_000, 0.0001) == pytest.approx(2.0)
