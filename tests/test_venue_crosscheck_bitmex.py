"""BitMEX's isolated prices against the core's generic ones (hypothesis).

* Bankruptcy: identical to :func:`liqlib.bankruptcy_price` (inverse, 1 USD contracts).
* Liquidation: identical to :func:`liqlib.liquidation_price` configured with BitMEX's
  conventions, ``maintenance_at="entry"`` and ``mmr = maint + taker + funding due``.
* The convention that differs from the core's default is maintenance valued at *entry*: the
  core values it at the liquidation price. For an inverse long the coin value grows as the price
  falls, for an inverse short it shrinks as it rises, so in both cases the core's default price is
  the higher one: ``EP (1 + m) / (1 + IM)`` against BitMEX's ``EP / (1 + IM - m)`` for a long.
* The support-ticket variant differs by the fees counted as margin and by the funding sign.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import prices, sides

import liqlib as lq
from liqlib.venues import bitmex

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")

contracts = st.floats(1.0, 1e7)
leverages = st.floats(1.0, 100.0)
maint = st.floats(0.001, 0.05)
takers = st.floats(0.0, 0.001)
funding = st.floats(-0.003, 0.003)


@given(side=sides, size=contracts, entry=prices, lev=leverages)
def test_bankruptcy_is_core_bankruptcy(side, size, entry, lev):
    ours = bitmex.bankruptcy_price(side, size, entry, leverage=lev)
    core = lq.bankruptcy_price(side, size, entry, leverage=lev, kind="inverse")
    assert ours == core or (math.isnan(ours) and math.isnan(core))
    if side > 0:
        assert ours == pytest.approx(entry * lev / (lev + 1), rel=1e-12)


@given(side=sides, size=contracts, entry=prices, lev=leverages, m=maint, fee=takers, f=funding)
def test_liquidation_is_core_with_bitmex_conventions(side, size, entry, lev, m, fee, f):
    ours = bitmex.liquidation_price(
        side, size, entry, leverage=lev, maint_margin=m, taker_fee=fee, funding_rate=f
    )
    rate = bitmex.maintenance_rate(side, m, fee, f)
    core = lq.liquidation_price(
        side, size, entry, leverage=lev, mmr=rate, kind="inverse", maintenance_at="entry"
    )
    if math.isnan(core.price):
        assert math.isnan(ours.price)
    else:
        assert ours.price == pytest.approx(core.price, rel=1e-12)
    # The closed forms of the module docstring.
    im = 1 / lev
    closed = entry / (1 + im - rate) if side > 0 else entry / (1 - im + rate)
    if closed > 0 and not math.isnan(ours.price):
        assert ours.price == pytest.approx(closed, rel=1e-12)
    # The bankruptcy price ignores the fee and funding reserve.
    assert ours.bankruptcy_price == bitmex.bankruptcy_price(side, size, entry, leverage=lev) or (
        math.isnan(ours.bankruptcy_price)
    )


@given(side=sides, size=contracts, entry=prices, lev=st.floats(1.5, 100.0), m=maint)
def test_entry_valued_maintenance_against_the_core_default(side, size, entry, lev, m):
    assume(m < 0.5 / lev)  # opens above maintenance
    ours = bitmex.liquidation_price(side, size, entry, leverage=lev, maint_margin=m, taker_fee=0.0)
    core = lq.liquidation_price(side, size, entry, leverage=lev, mmr=m, kind="inverse")
    im = 1 / lev
    if side > 0:
        assert ours.price == pytest.approx(entry / (1 + im - m), rel=1e-12)
        assert core.price == pytest.approx(entry * (1 + m) / (1 + im), rel=1e-12)
    else:
        assert ours.price == pytest.approx(entry / (1 - im + m), rel=1e-12)
        assert core.price == pytest.approx(entry * (1 - m) / (1 - im), rel=1e-12)
    # Named convention, signed difference: the core's default price is never the lower one.
    assert core.price >= ours.price * (1 - 1e-12)


@given(side=sides, entry=prices, lev=st.floats(2.0, 100.0), m=maint, fee=takers, f=funding)
def test_support_formula_variant(side, entry, lev, m, fee, f):
    im = 1 / lev + 2 * fee
    mm = m + fee + f
    denominator = 1 + im - mm if side > 0 else 1 - im + mm
    assume(denominator > 0.01)
    got = bitmex.liquidation_price_support_formula(
        side, entry, lev, maint_margin=m, taker_fee=fee, funding_rate=f
    )
    assert got == pytest.approx(entry / denominator, rel=1e-12)


@given(entry=prices, lev=st.floats(2.0, 50.0), f=st.floats(0.0, 0.003))
def test_funding_moves_a_short_the_right_way_only_in_the_default(entry, lev, f):
    # A short receives positive funding: our liquidation price does not move; the support
    # formula moves it toward the entry (down), as the user who posted it complained.
    base = bitmex.liquidation_price(-1, 100, entry, leverage=lev).price
    with_f = bitmex.liquidation_price(-1, 100, entry, leverage=lev, funding_rate=f).price
    assert with_f == pytest.approx(base, rel=1e-12)
    s0 = bitmex.liquidation_price_support_formula(-1, entry, lev)
    s1 = bitmex.liquidation_price_support_formula(-1, entry, lev, funding_rate=f)
    assert s1 <= s0 * (1 + 1e-12)
    # A short paying negative funding is liquidated sooner (lower) in the default.
    paying = bitmex.liquidation_price(-1, 100, entry, leverage=lev, funding_rate=-f).price
    assert paying <= base * (1 + 1e-12)


# --- risk limits: BitMEX's "Risk Limits Examples" page -----------------------------------------


def test_risk_limit_table_reproduces_the_page() -> None:
    """"< 200 XBT | 0.50% | 1.00%; < 350 XBT | 1.00% | 1.50%; < 500 XBT | 1.50% | 2.00%;
    < 650 XBT | 2.00% | 2.50%" (maintenance, initial)."""
    xbt = bitmex.XBTUSD_RISK_LIMITS
    values = [199.0, 349.0, 499.0, 649.0]
    assert [round(float(xbt.maintenance_rate(x)), 6) for x in values] == [
        0.005, 0.01, 0.015, 0.02]
    assert [round(float(xbt.initial_rate(x)), 6) for x in values] == [0.01, 0.015, 0.02, 0.025]
    assert [float(xbt.risk_limit(x)) for x in values] == [200.0, 350.0, 500.0, 650.0]


def test_risk_limit_trade_example() -> None:
    """"A trader has a XBTUSD position worth 180 XBT. The current maintenance margin requirement is
    0.50% (0.90 XBT) [...] increase his position to 230 XBT [...] 1 step above the Base Risk
    Limit of 200 XBT [...] to 1.00% and 1.50%, respectively." The 1% applies to all 230 XBT."""
    xbt = bitmex.XBTUSD_RISK_LIMITS
    assert xbt.maintenance_margin(180.0) == pytest.approx(0.90)
    assert xbt.steps(230.0) == 1
    assert (xbt.maintenance_rate(230.0), xbt.initial_rate(230.0)) == pytest.approx((0.01, 0.015))
    assert xbt.maintenance_margin(230.0) == pytest.approx(2.30)
