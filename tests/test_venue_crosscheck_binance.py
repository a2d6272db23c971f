"""Binance (liqlib.venues.binance) against the core and against Binance's formulas written out.

The one-way liquidation price is the core's isolated closed form with collateral
``WB - TMM1 + UPNL1``, the bracket ``(MMR, cum)`` and maintenance evaluated *at the liquidation
price* (Binance's formula has no fee term). The tests check that against the core, against the
FAQ's formula typed out here (and our COIN-M derivation), and the hedge-mode formula against the
core's two-leg root finder.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import kinds, mmrs, prices, sides, sizes, tier_tables

import liqlib as lq
from liqlib.venues import binance

SETTINGS = settings(max_examples=120, deadline=None)
cums = st.floats(0.0, 1e4)
shares = st.floats(0.02, 0.9)  # wallet balance as a share of notional at entry


def _faq_usdm(wb, tmm1, upnl1, cum, side, q, ep, mmr):
    """The USDⓈ-M FAQ formula, one-way mode (hedge legs zero), transcribed from the FAQ.

    https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-of-usd%E2%93%A2-m-futures-contracts-b3c689c1f50a44cabb3a84e663b81d93
    """
    return (wb - tmm1 + upnl1 + cum - side * q * ep) / (q * mmr - side * q)


def _coinm(wb, tmm1, upnl1, cum, side, n, ep, mmr, cs):
    """Our COIN-M derivation: LP = N*CS*(MMR + Side) / (WB - TMM1 + UPNL1 + cum + Side*N*CS/EP)."""
    return n * cs * (mmr + side) / (wb - tmm1 + upnl1 + cum + side * n * cs / ep)


@SETTINGS
@given(side=sides, kind=kinds, q=sizes, ep=prices, mmr=mmrs, cum_share=st.floats(0, 0.5),
       share=shares, tmm_share=st.floats(0, 0.3), upnl_share=st.floats(-0.3, 0.3))
def test_one_way_is_the_core_and_the_faq_formula(
    side, kind, q, ep, mmr, cum_share, share, tmm_share, upnl_share
):
    cs = 100.0
    n_entry = lq.notional(q, ep, kind, cs)
    wb = share * n_entry
    tmm1, upnl1 = tmm_share * wb, upnl_share * wb
    cum = cum_share * mmr * n_entry
    got = binance.liquidation_price(side, q, ep, wb=wb, tmm1=tmm1, upnl1=upnl1, mmr_b=mmr,
                                    cum_b=cum, kind=kind, contract_size=cs)
    core = lq.liquidation_price(side, q, ep, collateral=wb - tmm1 + upnl1,
                                mmr=lq.Tier(1, 0.0, math.inf, mmr, 1 / mmr, cum), kind=kind,
                                contract_value=cs)
    assert got.price == pytest.approx(core.price, rel=1e-12, nan_ok=True)
    if kind == "linear":
        formula = _faq_usdm(wb, tmm1, upnl1, cum, side, q, ep, mmr)
    else:
        formula = _coinm(wb, tmm1, upnl1, cum, side, q, ep, mmr, cs)
    if formula > 0 and math.isfinite(formula):
        assert got.price == pytest.approx(formula, rel=1e-9)
    else:  # Binance's UI shows "--" for a liquidation price below 0
        assert math.isnan(got.price)


@SETTINGS
@given(side=sides, kind=kinds, q=sizes, ep=prices, table=tier_tables(), lev_share=shares)
def test_brackets_use_the_bracket_at_the_liquidation_price(side, kind, q, ep, table, lev_share):
    scale = 1.0 if kind == "linear" else 1e-5  # COIN-M brackets are in coins
    table = lq.TierTable(table.floors * scale, table.mmrs, table.max_leverages)
    n_entry = lq.notional(q, ep, kind)
    wb = n_entry / (float(table.max_leverage(n_entry)) * lev_share)
    got = binance.liquidation_price(side, q, ep, wb=wb, brackets=table, kind=kind)
    core = lq.liquidation_price(side, q, ep, collateral=wb, mmr=table, kind=kind)
    assert got.price == pytest.approx(core.price, rel=1e-12, nan_ok=True)
    assume(got.liquidatable)
    n_liq = lq.notional(q, got.price, kind)
    # The FAQ's re-check: the bracket of the notional at the answer is the one used.
    line = table.tier(n_liq)
    assert got.tier == line.level
    equity = wb + lq.pnl(side, q, ep, got.price, kind)
    assert equity == pytest.approx(n_liq * line.mmr - line.cum, rel=1e-9, abs=1e-9 * n_entry)


@SETTINGS
@given(kind=kinds, q_l=st.floats(0.0, 50.0), q_s=st.floats(0.0, 50.0), p0=prices,
       d_l=st.floats(-0.1, 0.1), d_s=st.floats(-0.1, 0.1), m_l=st.floats(1e-3, 0.1),
       m_s=st.floats(1e-3, 0.1), buffer=st.floats(0.05, 0.5))
def test_hedge_formula_is_the_root_of_the_two_leg_account(
    kind, q_l, q_s, p0, d_l, d_s, m_l, m_s, buffer
):
    assume(q_l > 0.01 and q_s > 0.01)
    cs = 10.0
    e_l, e_s = p0 * (1 + d_l), p0 * (1 + d_s)
    legs = [lq.Position(lq.Side.LONG, q_l, e_l, m_l, kind, cs),
            lq.Position(lq.Side.SHORT, q_s, e_s, m_s, kind, cs)]
    # Wallet so that the account is healthy at p0 with `buffer` of total notional to spare.
    at_p0 = sum(float(p.pnl(p0)) - float(p.maintenance_margin(p0)) for p in legs)
    wb = buffer * sum(float(p.notional(p0)) for p in legs) - at_p0
    lp = binance.hedge_liquidation_price(wb=wb, position1_long=q_l, ep1_long=e_l, mmr_l=m_l,
                                         position1_short=q_s, ep1_short=e_s, mmr_s=m_s,
                                         kind=kind, contract_size=cs)
    roots = lq.account_liquidation_prices(lq.Account(wb, legs), [p0, p0], [True, True],
                                          span=1e6)
    found = [r for r in (roots.lower, roots.upper) if not math.isnan(r)]
    if math.isnan(lp):
        assert not found
    else:
        assert len(found) == 1  # flat rates: the surplus is monotone, one root
        assert lp == pytest.approx(found[0], rel=1e-8)


@SETTINGS
@given(side=sides, kind=kinds, q=sizes, ep=prices, mmr=mmrs, share=shares)
def test_hedge_with_one_leg_is_one_way(side, kind, q, ep, mmr, share):
    wb = share * lq.notional(q, ep, kind, 100.0)
    long_leg = dict(position1_long=q, ep1_long=ep, mmr_l=mmr,
                    position1_short=0.0, ep1_short=ep, mmr_s=mmr)
    short_leg = dict(position1_long=0.0, ep1_long=ep, mmr_l=mmr,
                     position1_short=q, ep1_short=ep, mmr_s=mmr)
    hedge = binance.hedge_liquidation_price(wb=wb, kind=kind, contract_size=100.0,
                                            **(long_leg if side == 1 else short_leg))
    one_way = binance.liquidation_price(side, q, ep, wb=wb, mmr_b=mmr, kind=kind,
                                        contract_size=100.0).price
    assert hedge == pytest.approx(one_way, rel=1e-9, nan_ok=True)


def test_cum_variants_move_the_coinm_long_down() -> None:
    """The 2021 maintenance amount (11.81) is larger, so the long survives a lower price."""
    args = dict(wb=101, mmr_b=binance.COINM_BTCUSD_300BTC_MMR, kind="inverse", contract_size=100)
    new = binance.liquidation_price(1, 100_000, 45_000, cum_b=binance.COINM_BTCUSD_300BTC_CUM,
                                    **args).price
    old = binance.liquidation_price(1, 100_000, 45_000,
                                    cum_b=binance.COINM_BTCUSD_300BTC_CUM_2021, **args).price
    assert old < new
    assert new == pytest.approx(33_599.40, abs=0.05)


def test_btcusdt_snapshot_brackets_are_continuous() -> None:
    t = binance.BTCUSDT_BRACKETS
    floors = t.floors[1:]
    below = floors * t.mmrs[:-1] - t.cums[:-1]
    at = np.asarray(t.maintenance_margin(floors))
    np.testing.assert_allclose(at, below, rtol=1e-12)
    assert binance.bracket(3_500_000).cum == pytest.approx(46_300)


def test_brackets_from_api_reads_strings_and_checks_cum() -> None:
    api = {"symbol": "XUSDT", "brackets": [
        {"bracket": 1, "notionalFloor": "0", "notionalCap": "5000", "maintMarginRatio": "0.01",
         "initialLeverage": "50", "cum": "0"},
        {"bracket": 2, "notionalFloor": "5000", "notionalCap": "25000",
         "maintMarginRatio": "0.025", "initialLeverage": "20", "cum": "75"},
    ]}
    t = binance.brackets_from_api(api)
    assert t.name == "XUSDT" and t.cums.tolist() == [0.0, 75.0]
    api["brackets"][1]["cum"] = "80"
    with pytest.raises(ValueError, match=r"brackets\[1\]\['cum'\]=80.0"):
        binance.brackets_from_api(api)
    api["brackets"][1]["cum"] = "75"
    api["brackets"][0]["notionalCap"] = "6000"
    with pytest.raises(ValueError, match="notionalCap"):
        binance.brackets_from_api(api)
    coin = [{"qtyFloor": 0, "maintMarginRatio": 0.004, "initialLeverage": 125, "cum": 0.0},
            {"qtyFloor": 5, "maintMarginRatio": 0.005, "initialLeverage": 100, "cum": 0.005}]
    assert binance.brackets_from_api(coin).unit == "coin"
    with pytest.raises(ValueError, match=r"brackets\[0\] needs one of the fields"):
        binance.brackets_from_api([{"maintMarginRatio": 0.01, "initialLeverage": 10}])
    with pytest.raises(ValueError, match=r"brackets\[0\]\['maintMarginRatio'\] must be a number"):
        binance.brackets_from_api([{"notionalFloor": 0, "maintMarginRatio": "x",
                                    "initialLeverage": 10}])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(mmr_b=0.01, brackets="BTCUSDT"), "exactly one of mmr_b"),
        (dict(), "exactly one of mmr_b"),
        (dict(brackets="ETHUSDT"), "brackets must be a TierTable or one of"),
        (dict(mmr_b=1.5), "mmr_b must be a fraction"),
        (dict(mmr_b=0.01, cum_b=-1), "cum_b must be >= 0"),
        (dict(mmr_b=0.01, tmm1=-5), "tmm1 must be >= 0"),
        (dict(mmr_b=0.01, tmm1=5, margin_type="isolated"), "tmm1 and upnl1 must be 0"),
        (dict(mmr_b=0.01, margin_type="portfolio"), "margin_type must be one of"),
        (dict(mmr_b=0.01, kind="quanto"), "kind must be 'linear' or 'inverse'"),
    ],
)
def test_liquidation_price_rejects_bad_input(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        binance.liquidation_price(1, 1.0, 100.0, wb=10.0, **kwargs)


@pytest.mark.parametrize(
    ("args", "match"),
    [((0, 1.0, 100.0), "side1_both must be"), ((1, -1.0, 100.0), "position1_both must be > 0"),
     ((1, 1.0, float("nan")), "ep1_both must be finite")],
)
def test_liquidation_price_names_the_bad_position_argument(args, match) -> None:
    with pytest.raises(ValueError, match=match):
        binance.liquidation_price(*args, wb=10.0, mmr_b=0.01)


def test_other_functions_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="mmr must exceed previous_mmr"):
        binance.maintenance_amount(1_000, 0.005, 0.01, 0)
    with pytest.raises(ValueError, match="must not both be 0"):
        binance.hedge_liquidation_price(wb=1, position1_long=0, ep1_long=1, mmr_l=0.01,
                                        position1_short=0, ep1_short=1, mmr_s=0.01)
    with pytest.raises(ValueError, match="time_until_funding must be in"):
        binance.mark_price(100, 0.0001, 9, 0.0, 100)
    with pytest.raises(ValueError, match="exactly one of mmr"):
        binance.maintenance_margin(100)
    with pytest.raises(ValueError, match="bid1 must not exceed ask1"):
        binance.moving_average_basis([101], [100], [100])
    with pytest.raises(ValueError, match="cap must be >= 0"):
        binance.funding_rate(0.001, cap=-0.01)


@SETTINGS
@given(index=prices, f=st.floats(-0.003, 0.003), tau=st.floats(0, 8), basis=st.floats(-50, 50),
       last=prices)
def test_mark_price_is_the_median_of_its_three_prices(index, f, tau, basis, last):
    got = binance.mark_price(index, f, tau, basis, last)
    price1, price2 = index * (1 + f * tau / 8), index + basis
    assert got == pytest.approx(sorted([price1, price2, last])[1], rel=1e-12)


@SETTINGS
@given(p=st.floats(-0.01, 0.01), i=st.floats(-0.001, 0.001))
def test_funding_rate_is_interest_inside_the_band_and_premium_outside(p, i):
    f = binance.funding_rate(p, i)
    if abs(i - p) <= 0.0005:
        assert f == pytest.approx(i, abs=1e-15)
    else:
        assert f == pytest.approx(p - math.copysign(0.0005, p - i), abs=1e-15)
    assert binance.funding_rate(p, i, funding_interval=4) == pytest.approx(f / 2, abs=1e-15)
    assert abs(binance.funding_rate(p, i, cap=0.003)) <= 0.003


def test_adl_ranks_profitable_leveraged_positions_first() -> None:
    scores = binance.leverage_pnl([100.0, 500.0, -50.0, 500.0], 1_000.0, [10.0, 30.0, 30.0, 60.0])
    assert scores[2] == 0.0  # a loss never ranks
    assert binance.adl_ranking(scores).tolist() == [3, 1, 0, 2]


def test_funding_fee_signs() -> None:
    assert binance.funding_fee(1, 2, 30_000, 0.0001) == pytest.approx(6.0)
    assert binance.funding_fee(-1, 2, 30_000, 0.0001) == pytest.approx(-6.0)
    coin = binance.funding_fee(1, 100, 25_000, 0.0001, kind="inverse", contract_size=100)
    assert coin == pytest.approx(0.4 * 0.0001)


def test_vectorized_over_positions() -> None:
    sides = np.array([1, -1, 1])
    r = binance.liquidation_price(sides, [1.0, 2.0, 3.0], [100.0, 100.0, 50.0],
                                  wb=[10.0, 20.0, 5.0], mmr_b=0.01)
    assert r.price.shape == (3,)
    for k in range(3):
        one = binance.liquidation_price(int(sides[k]), [1.0, 2.0, 3.0][k],
                                        [100.0, 100.0, 50.0][k], wb=[10.0, 20.0, 5.0][k],
                                        mmr_b=0.01)
        assert r.price[k] == pytest.approx(one.price, rel=1e-15)
