"""Hyperliquid (liqlib.venues.hyperliquid) against its docs' formula, the core, and its rules.

Hyperliquid's convention, as a configuration of :func:`liqlib.liquidation_price`: maintenance
margin at the liquidation price (``l = 1 / (2 * max leverage)``, the tier at the liquidation price),
no fee in the trigger, and the position re-based at the current mark: entry = ``price``,
collateral = ``margin_available`` plus this position's maintenance margin at ``price``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import prices, sides, sizes

import liqlib as lq
from liqlib.engine import adl_queue
from liqlib.prices import mark
from liqlib.venues import hyperliquid as hl

SETTINGS = settings(max_examples=120, deadline=None)
max_levs = st.sampled_from([3.0, 5.0, 10.0, 20.0, 25.0, 40.0, 50.0])
shares = st.floats(-0.02, 0.9)  # margin available over notional (slightly negative: past MM)


def _docs(price, side, size, margin_available, max_leverage):
    """``liq_price = price - side * margin_available / position_size / (1 - l * side)``."""
    lev_maint = 2 * max_leverage  # ts-examples: maxToMaintenanceLeverage
    return price - side * margin_available / size / (1 - side / lev_maint)


@SETTINGS
@given(price=prices, side=sides, size=sizes, share=shares, max_lev=max_levs)
def test_liquidation_price_is_the_docs_formula_and_the_core(price, side, size, share, max_lev):
    available = share * size * price
    got = hl.liquidation_price(price, side, size, available, max_leverage=max_lev)
    formula = _docs(price, side, size, available, max_lev)
    # A price within round-off of zero (a 1x long whose liquidation price is exactly 0 in exact
    # arithmetic) is "no price" on either side of the comparison.
    if formula > 1e-9 * price:
        assert got.price == pytest.approx(formula, rel=1e-9)
    else:  # the example code returns null
        assert math.isnan(got.price) or got.price <= 1e-9 * price
    rate = 1 / (2 * max_lev)
    core = lq.liquidation_price(side, size, price, collateral=available + rate * size * price,
                                mmr=rate, mark_price=price)
    def no_price(x: float) -> bool:  # NaN, or a price within round-off of zero
        return math.isnan(x) or x <= 1e-9 * price

    if not (no_price(got.price) and no_price(core.price)):
        assert got.price == pytest.approx(core.price, rel=1e-12, nan_ok=True)
    # Negative margin available: already past maintenance at the mark.
    if abs(available) > 1e-9 * size * price:
        assert bool(got.below_maintenance) == (available < 0)


@SETTINGS
@given(price=st.floats(1e3, 1e5), side=sides, size=st.floats(1.0, 5e4), share=st.floats(0.0, 0.9))
def test_tiers_use_the_tier_at_the_liquidation_price(price, side, size, share):
    tiers = hl.BTC_MARGIN_TIERS
    notional = size * price
    available = share * notional
    got = hl.liquidation_price(price, side, size, available, tiers="BTC")
    assume(got.liquidatable)
    # Equity at the liquidation price (margin available + MM at the mark + PnL from the mark)
    # equals the maintenance margin with the tier of the notional there.
    mm_now = float(tiers.maintenance_margin(notional))
    equity = available + mm_now + side * size * (got.price - price)
    n_liq = size * got.price
    assert equity == pytest.approx(float(tiers.maintenance_margin(n_liq)), rel=1e-9,
                                   abs=1e-9 * notional)
    assert got.tier == tiers.tier(n_liq).level
    if n_liq < 150e6 and notional < 150e6:  # one tier throughout: the docs' formula applies as is
        assert got.price == pytest.approx(_docs(price, side, size, available, 40.0), rel=1e-9)


def test_tier_table_matches_the_docs() -> None:
    t = hl.BTC_MARGIN_TIERS
    assert t.mmrs.tolist() == [0.0125, 0.025]
    assert t.cums.tolist() == [0.0, 150e6 * (0.025 - 0.0125)]
    # maintenance margin is continuous at the 150M boundary
    assert t.maintenance_margin(150e6) == pytest.approx(150e6 * 0.0125)
    assert hl.maintenance_margin(1e6, max_leverage=20) == pytest.approx(25_000)
    assert hl.maintenance_leverage(25) == 50.0


@SETTINGS
@given(size=st.floats(0.01, 100.0), px=prices, cooldown=st.booleans())
def test_partial_liquidation_slices(size, px, cooldown):
    out = hl.liquidation_order_size(size, px, in_cooldown=cooldown)
    if size * px > 100_000 and not cooldown:
        assert out == pytest.approx(0.2 * size)
    else:
        assert out == size


def test_partial_liquidation_vectorized() -> None:
    out = hl.liquidation_order_size([0.5, 2.0, 2.0], 100_000.0, in_cooldown=[False, False, True])
    assert out.tolist() == [0.5, 0.4, 2.0]


@SETTINGS
@given(mm=st.floats(0.0, 1e6), equity_share=st.floats(-0.5, 1.5))
def test_backstop_below_two_thirds_of_maintenance(mm, equity_share):
    equity = equity_share * mm
    assert hl.backstop_threshold(mm) == pytest.approx(2 * mm / 3)
    assert bool(hl.is_backstop_liquidatable(equity, mm)) == (equity < 2 * mm / 3)


def test_adl_sort_index() -> None:
    idx = hl.adl_sort_index([110.0, 90.0, 120.0], [100.0, 100.0, 100.0],
                            [50_000.0, 50_000.0, 10_000.0], [10_000.0, 10_000.0, 10_000.0])
    np.testing.assert_allclose(idx, [5.5, 4.5, 1.2])
    assert adl_queue(idx).tolist() == [0, 1, 2]


@SETTINGS
@given(oracle=prices, basis=st.floats(-0.01, 0.01), spread=st.floats(0.0, 0.01),
       last=st.floats(-0.02, 0.02), ext=st.lists(st.floats(-0.02, 0.02), min_size=5, max_size=5))
def test_mark_price_is_the_median_and_matches_the_core(oracle, basis, spread, last, ext):
    bid = oracle * (1 + basis)
    ask = bid * (1 + spread)
    trade = oracle * (1 + last)
    mids = [oracle * (1 + e) for e in ext]
    got = hl.mark_price(oracle_px=oracle, ema_mid_minus_oracle=basis * oracle, best_bid=bid,
                        best_ask=ask, last_trade=trade, cex_perp_mids=mids)
    core = mark.hyperliquid_mark_price(oracle, basis * oracle, bid, ask, trade, mids)
    assert got == pytest.approx(core.price, rel=1e-12)
    three = [core.oracle_ema, core.book_median, core.external_median]
    assert min(three) <= got <= max(three)


def test_mark_price_with_two_inputs_needs_the_30s_ema() -> None:
    with pytest.raises(ValueError, match="book_median_ema_30s"):
        hl.mark_price(oracle_px=100.0, ema_mid_minus_oracle=0.1, best_bid=99.9, best_ask=100.1,
                      last_trade=100.0)
    got = hl.mark_price(oracle_px=100.0, ema_mid_minus_oracle=0.1, best_bid=99.9, best_ask=100.1,
                        last_trade=100.0, book_median_ema_30s=100.05)
    assert got == pytest.approx(100.05)
    assert hl.mark_price(best_bid=99.0, best_ask=101.0, last_trade=150.0) == 101.0


@SETTINGS
@given(p=st.floats(-0.5, 0.5), i=st.floats(-0.001, 0.001))
def test_hourly_funding_is_an_eighth_and_capped(p, i):
    f8 = hl.funding_rate(p, i)
    if abs(i - p) <= 0.0005:
        assert f8 == pytest.approx(i, abs=1e-15)
    hourly = hl.hourly_funding_rate(p, i)
    assert hourly == pytest.approx(min(max(f8 / 8, -0.04), 0.04), abs=1e-15)
    payment = hl.funding_payment(1, 2.0, 50_000.0, hourly)
    assert payment == pytest.approx(2.0 * 50_000.0 * hourly)
    assert hl.funding_payment(-1, 2.0, 50_000.0, hourly) == pytest.approx(-payment)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(), "exactly one of max_leverage or tiers"),
        (dict(max_leverage=20, tiers="BTC"), "exactly one of max_leverage or tiers"),
        (dict(tiers="DOGE"), "tiers must be a TierTable or one of"),
        (dict(max_leverage=0.5), "max_leverage must be >= 1"),
        (dict(max_leverage=-3), "max_leverage must be > 0"),
    ],
)
def test_liquidation_price_rejects_bad_options(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        hl.liquidation_price(100.0, 1, 1.0, 10.0, **kwargs)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.0, 1, 1.0, 10.0), "price must be > 0"),
        ((100.0, 0, 1.0, 10.0), "side must be"),
        ((100.0, 1, -1.0, 10.0), "position_size must be > 0"),
        ((100.0, 1, 1.0, float("inf")), "margin_available must be finite"),
    ],
)
def test_liquidation_price_rejects_bad_values(args, match) -> None:
    with pytest.raises(ValueError, match=match):
        hl.liquidation_price(*args, max_leverage=20)


def test_other_functions_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="best_bid must not exceed best_ask"):
        hl.mark_price(best_bid=101.0, best_ask=100.0, last_trade=100.0)
    with pytest.raises(ValueError, match="give all of best_bid, best_ask and last_trade"):
        hl.mark_price(best_bid=100.0, best_ask=101.0)
    with pytest.raises(ValueError, match="at least one of its three inputs"):
        hl.mark_price()
    with pytest.raises(ValueError, match="position_size must be > 0"):
        hl.liquidation_order_size(0.0, 100.0)
    with pytest.raises(ValueError, match="maintenance_margin must be >= 0"):
        hl.backstop_threshold(-1.0)
