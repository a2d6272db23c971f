"""Economic properties of the liquidation price (DESIGN §5), checked with hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import fees, kinds, mmrs, prices, sides, sizes, tier_tables

import liqlib as lq

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")


def _notional(kind: str, size: float, price: float, cv: float = 1.0) -> float:
    return lq.notional(size, price, kind, cv)


def _equity(
    kind: str, side: int, size: float, entry: float, collateral: float, price: float
) -> float:
    return collateral + lq.pnl(side, size, entry, price, kind)


@given(
    side=sides,
    kind=kinds,
    entry=prices,
    size=sizes,
    fee=fees,
    table=tier_tables(),
    lev_share=st.floats(0.05, 1.0),
)
def test_equity_at_liquidation_equals_requirement(side, kind, entry, size, fee, table, lev_share):
    scale = 1.0 if kind == "linear" else 1e-5  # inverse notionals are coins
    table = lq.TierTable(table.floors * scale, table.mmrs, table.max_leverages)
    n_entry = _notional(kind, size, entry)
    lev = float(table.max_leverage(n_entry)) * lev_share
    r = lq.liquidation_price(side, size, entry, leverage=lev, mmr=table, kind=kind, fee_rate=fee)
    assume(r.liquidatable)
    collateral = n_entry / lev
    n_liq = _notional(kind, size, r.price)
    requirement = float(table.maintenance_margin(n_liq)) + fee * n_liq
    equity = _equity(kind, side, size, entry, collateral, r.price)
    assert equity == pytest.approx(requirement, rel=1e-9, abs=1e-9 * n_entry)
    assert r.tier == table.tier(n_liq).level


@given(
    side=sides, kind=kinds, entry=prices, size=sizes, mmr=mmrs, fee=fees, lev=st.floats(1.01, 200.0)
)
def test_liquidation_lies_between_bankruptcy_and_entry(side, kind, entry, size, mmr, fee, lev):
    assume(1 / lev > mmr + fee)  # opens above maintenance
    r = lq.liquidation_price(side, size, entry, leverage=lev, mmr=mmr, kind=kind, fee_rate=fee)
    assume(r.liquidatable and not math.isnan(r.bankruptcy_price))
    lo, hi = sorted((r.bankruptcy_price, entry))
    assert lo * (1 - 1e-12) <= r.price <= hi * (1 + 1e-12)


@given(
    side=sides,
    kind=kinds,
    entry=prices,
    size=sizes,
    mmr=mmrs,
    levs=st.lists(st.floats(1.0, 100.0), min_size=2, max_size=6, unique=True),
)
def test_liquidation_moves_toward_entry_as_leverage_rises(side, kind, entry, size, mmr, levs):
    levs = np.sort(np.array(levs))
    levs = levs[1 / levs > mmr]  # positions that open above maintenance
    assume(levs.size >= 2)
    r = lq.liquidation_price(side, size, entry, leverage=levs, mmr=mmr, kind=kind)
    distance = np.abs(r.price[r.liquidatable] - entry)
    assert np.all(np.diff(distance) <= 1e-9 * entry)


@given(table=tier_tables(), lev_share=st.floats(0.05, 1.0), size=sizes, entry=prices)
def test_tiered_liquidation_moves_toward_entry_as_leverage_rises(table, lev_share, size, entry):
    n_entry = size * entry
    top = float(table.max_leverage(n_entry))
    levs = np.array([top * lev_share * 0.5, top * lev_share])
    for side in (1, -1):
        r = lq.liquidation_price(side, size, entry, leverage=levs, mmr=table)
        if r.liquidatable.all():
            d = np.abs(r.price - entry)
            assert d[1] <= d[0] * (1 + 1e-12)


@given(entry=prices, size=sizes, collateral=st.floats(0.01, 1e6), fee=fees, table=tier_tables(1.0))
def test_inverse_long_mirrors_linear_short_on_reciprocal_price(entry, size, collateral, fee, table):
    # An inverse long is a linear short of size*cv units on the price 1/P, with PnL in coin.
    inverse = lq.liquidation_price(
        1, size, entry, collateral=collateral, mmr=table, kind="inverse", fee_rate=fee
    )
    linear = lq.liquidation_price(
        -1, size, 1 / entry, collateral=collateral, mmr=table, fee_rate=fee
    )
    assert inverse.liquidatable == linear.liquidatable
    if inverse.liquidatable:
        assert inverse.price == pytest.approx(1 / linear.price, rel=1e-10)
        assert inverse.tier == linear.tier


@given(entry=prices, size=sizes, collateral=st.floats(0.01, 1e6))
def test_long_and_short_bankruptcy_are_mirror_images(entry, size, collateral):
    assume(collateral < size * entry)  # else the long cannot go bankrupt at a positive price
    long = lq.bankruptcy_price(1, size, entry, collateral=collateral)
    short = lq.bankruptcy_price(-1, size, entry, collateral=collateral)
    assert short - entry == pytest.approx(entry - long, rel=1e-9, abs=1e-9 * entry)


@given(table=tier_tables())
def test_maintenance_margin_is_continuous_at_every_floor(table):
    for floor in table.floors[1:]:
        eps = floor * 1e-12
        left, right = table.maintenance_margin(floor - eps), table.maintenance_margin(floor)
        assert left == pytest.approx(right, rel=1e-9, abs=1e-9)


@given(entry=prices, move=st.floats(-0.01, 0.01), side=sides, size=sizes)
def test_linear_and_inverse_agree_to_first_order(entry, move, side, size):
    # Inverse PnL converted to quote at the new price vs a linear position of equal quote exposure.
    price = entry * (1 + move)
    inverse_in_quote = lq.pnl(side, size, entry, price, "inverse") * price
    linear = lq.pnl(side, size / entry, entry, price)
    exposure = size  # quote value of the inverse position
    assert abs(inverse_in_quote - linear) <= 1e-12 * exposure + exposure * move**2 * 1.01
