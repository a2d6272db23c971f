"""Deribit futures against the core's generic liquidation price (hypothesis).

Deribit's maintenance rate rises with the position's size in coin, ``m0 + k N``. The core takes
a flat rate, so:

* linear futures (size in coin fixed): identical to the core with the flat rate ``m0 + k |Q|``;
* inverse futures (size in coin ``N = Q/P`` moves with the price): the liquidation price is the
  core's with the rate frozen at its own coin size ``m0 + k N*`` (a fixed point), and against the
  core with the rate at the *entry* size it is higher for both sides (a long's coin size grows as
  the price falls, a short's shrinks as it rises);
* the bankruptcy price is the core's.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import sides

import liqlib as lq
from liqlib.venues import deribit

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")

entries = st.floats(1_000.0, 200_000.0)
usd = st.floats(100.0, 5e8)
leverages = st.floats(1.0, 50.0)
versions = st.sampled_from(["2022-01-11", "before-2022-01-11"])
currencies = st.sampled_from(["BTC", "ETH"])


@given(side=sides, size=usd, entry=entries, lev=leverages, version=versions, ccy=currencies)
def test_inverse_is_the_core_at_its_own_size_rate(side, size, entry, lev, version, ccy):
    r = deribit.futures_liquidation_price(
        side, size, entry, leverage=lev, currency=ccy, version=version
    )
    core_bp = lq.bankruptcy_price(side, size, entry, leverage=lev, kind="inverse")
    assert r.bankruptcy_price == core_bp or (math.isnan(r.bankruptcy_price) and math.isnan(core_bp))
    if math.isnan(r.price):
        return
    coins = size / r.price
    rate = deribit.futures_margin_rate(coins, ccy, "maintenance", version)
    assume(rate < 0.9)
    fixed = lq.liquidation_price(side, size, entry, leverage=lev, mmr=rate, kind="inverse")
    assert r.price == pytest.approx(fixed.price, rel=1e-9)
    at_entry = deribit.futures_margin_rate(size / entry, ccy, "maintenance", version)
    assume(at_entry < 0.9)
    frozen = lq.liquidation_price(side, size, entry, leverage=lev, mmr=at_entry, kind="inverse")
    if not r.below_maintenance:  # the liquidation price is on the losing side of the entry
        assert r.price >= frozen.price * (1 - 1e-12)
    # Equity equals the size-dependent maintenance there (in coin).
    equity = size / entry / lev + lq.pnl(side, size, entry, r.price, "inverse")
    assert equity == pytest.approx(coins * rate, rel=1e-8, abs=1e-12 * size / entry)


@given(side=sides, coins=st.floats(0.01, 500.0), entry=entries, lev=leverages, ccy=currencies)
def test_linear_is_the_core_with_the_flat_size_rate(side, coins, entry, lev, ccy):
    r = deribit.futures_liquidation_price(
        side, coins, entry, leverage=lev, currency=ccy, kind="linear"
    )
    rate = deribit.futures_margin_rate(coins, ccy)
    core = lq.liquidation_price(side, coins, entry, leverage=lev, mmr=rate)
    assert r.price == core.price or (math.isnan(r.price) and math.isnan(core.price))


@given(side=sides, size=usd, entry=entries, lev=leverages)
def test_margin_at_zero_size_factor_is_the_core(side, size, entry, lev):
    # With the increase factor at 0 the quadratic is the core's closed form.
    r = deribit.futures_liquidation_price(side, size, entry, leverage=lev, rates=(0.01, 0.0))
    core = lq.liquidation_price(side, size, entry, leverage=lev, mmr=0.01, kind="inverse")
    assert r.price == pytest.approx(core.price, rel=1e-12) or (
        math.isnan(r.price) and math.isnan(core.price)
    )
    assert r.liquidatable == core.liquidatable
