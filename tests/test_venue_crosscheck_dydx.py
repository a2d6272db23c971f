"""dYdX v4's integer protocol arithmetic against the core's generic prices (hypothesis).

* One position: the protocol's bankruptcy price of any slice, per coin, is the core's isolated
  bankruptcy price with the position "entered" at the oracle and collateral = TNC (the protocol
  allocates the loss pro rata, so every slice of a lone position shares one price).
* Several positions: the protocol allocates TNC to the slice in proportion to its share of TMMR;
  the core's cross bankruptcy price (other positions held fixed) charges it all of TNC. The
  distance from the oracle is therefore scaled by exactly ``PMMR / TMMR`` (<= 1).
* The docs' liquidation price (delegated to the core) is where the protocol's exact
  ``IsLiquidatable`` flips.
* The price-space fillable price equals the exact one.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import liqlib as lq
from liqlib.venues import dydx

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")

sides = st.sampled_from([1, -1])


@st.composite
def perpetuals(draw: st.DrawFn, pid: int = 0) -> dydx.Perpetual:
    """Markets like the chain's: price 1e-2..1e5 USDC, resolution -10..-4, IMF 1%..50%."""
    exponent = draw(st.integers(-9, -3))
    usd = draw(st.floats(0.01, 1e5))
    price = max(1, round(usd / 10.0**exponent))
    return dydx.Perpetual(
        id=pid,
        ticker=f"P{pid}",
        atomic_resolution=draw(st.integers(-10, -4)),
        market_price=price,
        market_exponent=exponent,
        initial_margin_ppm=draw(st.integers(10_000, 500_000)),
        maintenance_fraction_ppm=draw(st.integers(100_000, 1_000_000)),
    )


def _usd(perp: dydx.Perpetual, quantums: int) -> float:
    return abs(quantums) * 10.0**perp.atomic_resolution


@given(
    perp=perpetuals(),
    side=sides,
    size=st.integers(10_000, 10**12),
    health=st.floats(-0.5, 2.0),
    part=st.floats(0.05, 1.0),
)
def test_lone_position_bankruptcy_is_core_isolated_bankruptcy(perp, side, size, health, part):
    ps = side * size
    notional = dydx.net_notional(perp, ps)
    assume(abs(notional) >= 10_000)  # at least 1 cent, so rounding is small against it
    _, mmr = dydx.margin_requirements(perp, ps)
    quote_balance = int(health * mmr) - notional  # TNC = health * TMMR
    total = dydx.risk([(perp, ps)], quote_balance)
    delta = -side * max(1, int(size * part))
    bankrupt = dydx.bankruptcy_price_in_quote_quantums([(perp, ps)], quote_balance, 0, delta)
    per_coin = float(dydx.quantum_price_to_usd(Fraction(bankrupt, -delta), perp))
    coins = _usd(perp, ps)
    oracle = float(perp.oracle_price)
    core = lq.bankruptcy_price(side, coins, oracle, collateral=total.nc * 1e-6)
    # The core's nan means no positive price bankrupts (e.g. a long with TNC above its notional):
    # the protocol then returns a quote of the other sign.
    if core != core:
        assert side * per_coin <= 0
        return
    # Rounding, in quote quantums on the slice: the final floor (1), the truncated notionals (2)
    # and the margin requirements rounded up twice each (IMR, then MMR: < 2 per size, so < 4 on
    # DMMR), which moves the share of TNC charged to the slice by |TNC| * 4 / TMMR.
    slice_coins = _usd(perp, delta)
    quantums = 3 + 4 * abs(total.nc) / total.mmr
    tolerance = quantums * 1e-6 / slice_coins + 1e-9 * oracle
    assert per_coin == pytest.approx(core, abs=tolerance + abs(core) * 1e-9)


@given(
    p0=perpetuals(0),
    p1=perpetuals(1),
    s0=sides,
    s1=sides,
    q0=st.integers(10**5, 10**11),
    q1=st.integers(10**5, 10**11),
    health=st.floats(0.05, 1.5),
)
def test_cross_bankruptcy_is_core_cross_scaled_by_mmr_share(p0, p1, s0, s1, q0, q1, health):
    positions = [(p0, s0 * q0), (p1, s1 * q1)]
    n0, n1 = dydx.net_notional(p0, s0 * q0), dydx.net_notional(p1, s1 * q1)
    assume(min(abs(n0), abs(n1)) >= 10**6)  # at least 1 USDC each
    mmr0 = dydx.margin_requirements(p0, s0 * q0)[1]
    tmmr = mmr0 + dydx.margin_requirements(p1, s1 * q1)[1]
    quote_balance = int(health * tmmr) - n0 - n1
    total = dydx.risk(positions, quote_balance)
    bankrupt = dydx.bankruptcy_price_in_quote_quantums(positions, quote_balance, 0, -s0 * q0)
    per_coin = float(dydx.quantum_price_to_usd(Fraction(bankrupt, s0 * q0), p0))
    oracle = float(p0.oracle_price)
    # Core cross convention: the other position held fixed, all of TNC charged to this one.
    coins = _usd(p0, q0)
    core = lq.bankruptcy_price(s0, coins, oracle, collateral=total.nc * 1e-6)
    assume(core == core)
    share = mmr0 / tmmr
    assert share <= 1
    assert per_coin - oracle == pytest.approx(
        share * (core - oracle), abs=3e-6 / coins + 1e-9 * oracle
    )
    # So the protocol's price is never farther from the oracle than the core's.
    assert abs(per_coin - oracle) <= abs(core - oracle) + 3e-6 / coins + 1e-9 * oracle


@given(
    side=sides,
    size=st.floats(0.01, 100.0),
    price=st.floats(100.0, 1e5),
    imf_ppm=st.integers(20_000, 500_000),
    equity_over_mm=st.floats(1.2, 20.0),
)
def test_docs_liquidation_price_is_where_the_protocol_flips(
    side, size, price, imf_ppm, equity_over_mm
):
    frac_ppm = 500_000
    mmf = imf_ppm * frac_ppm / 1e12
    e = equity_over_mm * size * price * mmf  # equity at price p, above maintenance
    p_liq = dydx.liquidation_price(e, side * size, price, mmf)
    assume(p_liq == p_liq and 1.0 < p_liq < 1e8)
    assume(size * p_liq >= 100.0)  # keeps the margin's rounding (quantums) far below 1e-5
    quote = round((e - side * size * price) * 1e6)  # quote balance in quantums
    quantums = side * round(size * 1e8)  # resolution -8

    def liquidatable_at(px: float) -> bool:
        perp = dydx.Perpetual(0, "X", -8, round(px * 1e5), -5, imf_ppm, frac_ppm)
        return dydx.is_liquidatable([(perp, quantums)], quote)

    # One part in 1e5 on each side of the root (far above the integer rounding).
    toward, beyond = p_liq * (1 + side * 1e-5), p_liq * (1 - side * 1e-5)
    assert not liquidatable_at(toward)
    assert liquidatable_at(beyond)


@given(
    side=sides,
    size=st.integers(10**5, 10**10),
    health=st.floats(-0.5, 1.5),
    ba=st.integers(1_000_000, 3_000_000),
    smmr=st.integers(1, 2_000_000),
)
def test_price_space_fillable_equals_exact(side, size, health, ba, smmr):
    perp = dydx.TEST_PERPETUALS["BtcUsd_20PercentInitial_10PercentMaintenance"]
    ps = side * size
    notional = dydx.net_notional(perp, ps)
    mmr = dydx.margin_requirements(perp, ps)[1]
    quote_balance = int(health * mmr) - notional
    total = dydx.risk([(perp, ps)], quote_balance)
    exact = dydx.fillable_price(
        [(perp, ps)],
        quote_balance,
        0,
        bankruptcy_adjustment_ppm=ba,
        spread_to_maintenance_margin_ratio_ppm=smmr,
    )
    usd = float(dydx.quantum_price_to_usd(exact, perp))
    floaty = dydx.fillable_oracle_price(
        float(perp.oracle_price),
        side,
        mmr / abs(notional),
        total.nc,
        total.mmr,
        bankruptcy_adjustment=ba / 1e6,
        spread_to_maintenance_margin_ratio=smmr / 1e6,
    )
    assert usd == pytest.approx(floaty, rel=1e-12)
