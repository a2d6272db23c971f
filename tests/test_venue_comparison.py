"""One position through several venues (``compare_venues``), a screen's number through the usual
conventions (``convention_candidates``), and the mechanics table with each venue's own trigger."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import liqlib as lq
from liqlib.core import ArgumentTypeError
from liqlib.engine import mechanics_table as engine_mechanics_table
from liqlib.venues import (
    TRIGGERS,
    VENUES,
    Candidate,
    LeverageError,
    bybit,
    compare_venues,
    convention_candidates,
    get,
    max_leverages,
    mechanics_table,
    rank_candidates,
    venue_size,
)

ENTRY = 100_000.0
SEVEN = ("binance", "bybit", "okx", "hyperliquid", "dydx", "bitmex", "deribit")
RULES = {"okx": {"taker_fee_rate": 0.0005}, "bitmex": {"funding_rate": 0.0001}}


# --- compare_venues ------------------------------------------------------------------------------


@pytest.mark.parametrize("side", [+1, -1])
@pytest.mark.parametrize("name", list(VENUES))
def test_compare_venues_is_each_adapter_on_the_same_notional(name, side):
    venue = get(name)
    size = 1.0 if venue.kind.value == "linear" else ENTRY / venue.contract_size
    direct = venue.liquidation_price(side, size, ENTRY, leverage=10)
    result = compare_venues(side, 1.0, ENTRY, leverage=10, venues=[name])[name]
    assert result.price == direct.price
    assert result.bankruptcy_price == direct.bankruptcy_price


def test_the_chapter_position_at_seven_venues():
    """*How venues differ*, first table: 1 BTC long at 100,000 with 20x."""
    at = compare_venues(+1, 1.0, ENTRY, leverage=20, venues=SEVEN, rules=RULES)
    assert list(at) == list(SEVEN)
    assert [round(r.price, 2) for r in at.values()] == [
        95_427.14, 95_500.00, 95_525.39, 96_202.53, 97_938.14, 95_771.68, 96_195.43]
    # linear longs go bankrupt at E (1 - 1/L); the inverse ones at E L / (L + 1)
    assert at["binance"].bankruptcy_price == at["dydx"].bankruptcy_price == 95_000
    assert math.isclose(at["bitmex"].bankruptcy_price, ENTRY * 20 / 21)
    assert math.isclose(at["deribit"].bankruptcy_price, ENTRY * 20 / 21)


def test_a_common_rate_leaves_only_the_conventions():
    """At 0.5% everywhere, the three venues that measure maintenance at the liquidation price
    without a fee give the core's exact price; Bybit (maintenance at entry) and OKX (fee in the
    trigger) liquidate the long earlier."""
    lev = np.geomspace(2, 100, 9)
    at = compare_venues(+1, 1.0, ENTRY, leverage=lev, venues=SEVEN, rules=RULES, mmr=0.005,
                        check_leverage=False)
    core = lq.liquidation_price(+1, 1.0, ENTRY, leverage=lev, mmr=0.005).price
    for name in ("binance", "hyperliquid", "dydx"):
        np.testing.assert_allclose(at[name].price, core, rtol=0, atol=1e-6)
    assert np.all(at["bybit"].price > core) and np.all(at["okx"].price > core)
    # Bybit's gap is the rate times the distance from entry to the exact price
    np.testing.assert_allclose(at["bybit"].price - core, 0.005 * (ENTRY - core), rtol=1e-9)


def test_an_array_of_leverages_is_each_leverage_in_turn():
    lev = np.array([2.0, 7.5, 20.0])
    arrays = compare_venues(-1, 0.5, ENTRY, leverage=lev, venues=SEVEN, rules=RULES)
    for i, one in enumerate(lev):
        scalars = compare_venues(-1, 0.5, ENTRY, leverage=float(one), venues=SEVEN, rules=RULES)
        for name in SEVEN:
            assert math.isclose(arrays[name].price[i], scalars[name].price, rel_tol=1e-12)


def test_leverage_above_a_venue_maximum():
    with pytest.raises(LeverageError, match="at most 20"):
        compare_venues(+1, 1.0, ENTRY, leverage=25, venues=["dydx"])
    price = compare_venues(+1, 1.0, ENTRY, leverage=25, venues=["dydx"],
                           check_leverage=False)["dydx"].price
    assert price == pytest.approx(lq.liquidation_price(+1, 1.0, ENTRY, leverage=25,
                                                       mmr=0.03).price)


def test_rules_of_a_venue_not_compared_are_not_used():
    one = compare_venues(+1, 1.0, ENTRY, leverage=20, venues=["binance"], rules=RULES)
    assert list(one) == ["binance"]


@given(side=st.sampled_from([1, -1]), size=st.floats(0.01, 50), entry=st.floats(100, 1e6),
       leverage=st.floats(1.5, 100), mmr=st.floats(0.001, 0.004))
@settings(max_examples=60, deadline=None)
def test_documented_reading_venues_agree_with_the_core(side, size, entry, leverage, mmr):
    at = compare_venues(side, size, entry, leverage=leverage, venues=("binance", "hyperliquid"),
                        mmr=mmr, check_leverage=False)
    core = lq.liquidation_price(side, size, entry, leverage=leverage, mmr=mmr).price
    for result in at.values():
        assert math.isclose(result.price, core, rel_tol=1e-9)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"venues": ["kraken"]}, ValueError, "venues must name venues of"),
    ({"venues": "binance"}, ValueError, "got the string 'binance'"),
    ({"rules": {"kraken": {}}}, ValueError, "rules must be keyed by venues"),
    ({"rules": {"bybit": {"fee": 1}}}, TypeError, "fee"),
    ({"venues": ["gmx"], "mmr": 0.005}, ValueError, "mmr: gmx's rules have no maintenance rate"),
    ({"mmr": 1.5}, ValueError, "mmr"),
    ({"leverage": -2}, ValueError, "leverage"),
    ({"leverage": "20"}, ArgumentTypeError, "leverage"),
    ({"check_leverage": 0}, TypeError, "check_leverage"),
])
def test_compare_venues_bad_input_is_named(kwargs, error, match):
    call = {"leverage": 20, **kwargs}
    with pytest.raises(error, match=match):
        compare_venues(+1, 1.0, ENTRY, **call)


def test_bad_position_is_named_by_the_venue():
    with pytest.raises(ValueError, match="size"):
        compare_venues(+1, 0.0, ENTRY, leverage=20, venues=["binance"])
    with pytest.raises(ValueError, match="side"):
        compare_venues(2, 1.0, ENTRY, leverage=20, venues=["binance"])


# --- venue_size, max_leverages -------------------------------------------------------------------


def test_venue_size_counts_contracts_for_an_inverse_venue():
    assert venue_size(get("binance"), 2.0, ENTRY) == 2.0
    assert venue_size(get("deribit", contract_size=10), 2.0, ENTRY) == 20_000
    np.testing.assert_array_equal(venue_size(get("bybit"), 1.0, [1.0, 2.0]), [1.0, 1.0])
    with pytest.raises(TypeError, match="venue must be a Venue"):
        venue_size("bitmex", 1.0, ENTRY)
    with pytest.raises(ValueError, match="price"):
        venue_size(get("bitmex"), 1.0, -1.0)


def test_max_leverages_of_the_chapter_position():
    caps = max_leverages(1.0, ENTRY, venues=SEVEN, rules=RULES)
    assert caps["binance"] == 100 and caps["hyperliquid"] == 40 and caps["dydx"] == 20
    # Deribit's initial rate for 1 BTC: 2% + 0.005% per BTC
    assert caps["deribit"] == pytest.approx(1 / 0.02005)
    assert all(math.isinf(caps[name]) for name in ("bybit", "okx", "bitmex"))
    # a larger position climbs Binance's brackets
    assert max_leverages(10.0, ENTRY, venues=["binance"])["binance"] < 100


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"venues": ["kraken"]}, ValueError, "venues must name venues of"),
    ({"rules": {"okx": {"mmr": -1.0}}}, ValueError, "mmr"),
    ({"size": 0.0}, ValueError, "size"),
    ({"entry_price": "high"}, TypeError, "price"),
])
def test_max_leverages_bad_input_is_named(kwargs, error, match):
    call = {"size": 1.0, "entry_price": ENTRY, **kwargs}
    with pytest.raises(error, match=match):
        max_leverages(call.pop("size"), call.pop("entry_price"), **call)


def test_an_array_of_sizes_gives_each_venue_cap_per_size():
    caps = max_leverages(np.array([1.0, 10.0]), ENTRY, venues=["binance", "deribit"])
    for name, cap in caps.items():
        for i, size in enumerate((1.0, 10.0)):
            assert cap[i] == max_leverages(size, ENTRY, venues=[name])[name]


# --- rank_candidates, convention_candidates ------------------------------------------------------


def test_rank_candidates_nearest_first_ties_in_order():
    rows = rank_candidates(10.0, [("far", 12.0), ("tie a", 9.0), ("tie b", 11.0), ("on", 10.0)])
    assert [c.label for c in rows] == ["on", "tie a", "tie b", "far"]
    assert rows[1] == Candidate("tie a", 9.0, -1.0)


@pytest.mark.parametrize(("args", "error", "match"), [
    ((0.0, [("a", 1.0)]), ValueError, "screen_price"),
    ((1.0, []), ValueError, "at least one"),
    ((1.0, [("a", -1.0)]), ValueError, "price of 'a'"),
    ((1.0, [(3, 1.0)]), TypeError, "labels must be strings"),
])
def test_rank_candidates_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        rank_candidates(*args)


def test_bybit_inverse_cross_screen_is_reproduced():
    """Bybit's help page shows 5,739.50 (10,000 contracts long at 8,000, 0.5 BTC, 0.5%, taker fee
    0.075%): two combinations give it, both with maintenance at entry, the fee charged and the
    price rounded up to the half dollar; Bybit's own function is one of them."""
    rows = convention_candidates(5_739.5, +1, 10_000, 8_000, collateral=0.5, kind="inverse",
                                 fee_rate=0.00075, tick_size=0.5)
    assert len(rows) == 12  # 2 maintenance x 3 fee x (raw, rounded)
    hits = {c.label for c in rows if c.miss == 0}
    assert hits == {"MM at entry, fee at bankruptcy, rounded to 0.5",
                    "MM at entry, fee at liquidation, rounded to 0.5"}
    venue = bybit.inverse_cross_liquidation_price(1, 10_000, 8_000, wallet_balance=0.5,
                                                  tick_size=0.5).price
    assert venue == 5_739.5
    raw = {c.label: c.price for c in rows}
    assert round(raw["MM at entry, fee at bankruptcy"], 2) == 5_739.08
    assert min(abs(c.miss) for c in rows if c.miss != 0) == pytest.approx(0.42, abs=0.005)


def test_convention_candidates_without_fee_or_tick():
    rows = convention_candidates(19_700, +1, 1, 20_000, collateral=400, mmr=0.005,
                                 extra=[("a guess", 19_000.0)])
    assert [c.label for c in rows] == ["MM at entry, no fee", "MM at liquidation, no fee",
                                       "a guess"]
    assert rows[0].price == 19_700   # Bybit's USDT formula, its first worked example
    exact = lq.liquidation_price(+1, 1, 20_000, leverage=50, mmr=0.005).price
    assert rows[1].price == pytest.approx(exact)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"tick_size": 0.0}, ValueError, "tick_size"),
    ({"fee_rate": -0.1}, ValueError, "fee_rate"),
    ({"collateral": "x"}, TypeError, "collateral"),
    ({"kind": "quanto"}, ValueError, "kind"),
])
def test_convention_candidates_bad_input(kwargs, error, match):
    call = {"collateral": 400.0, **kwargs}
    with pytest.raises(error, match=match):
        convention_candidates(19_700, +1, 1, 20_000, **call)


# --- mechanics table ------------------------------------------------------------------------------


def test_mechanics_table_has_each_venue_trigger_and_the_engine_rest():
    ours, engine = mechanics_table(), engine_mechanics_table()
    assert len(ours) == len(engine)
    for mine, theirs in zip(ours, engine, strict=True):
        assert (mine["venue"], mine["stage"], mine["source"]) == (
            theirs["venue"], theirs["stage"], theirs["source"])
        if mine["stage"] == "trigger":
            assert mine["rule"] == TRIGGERS[mine["venue"]]
        else:
            assert mine["rule"] == theirs["rule"]
    assert set(TRIGGERS) == set(VENUES)
    trigger = {r["venue"]: r["rule"] for r in ours if r["stage"] == "trigger"}
    # the on-chain venues and dYdX read an oracle; the exchanges their mark
    assert all("oracle price" in trigger[name] for name in ("gmx", "synthetix", "dydx"))
    assert all("mark price" in trigger[name] for name in ("binance", "bybit", "okx",
                                                            "hyperliquid", "deribit"))
    assert "fair (mark) price" in trigger["bitmex"]
    assert "keeper's reward" in trigger["synthetix"] and "closing fees" in trigger["gmx"]


def test_mechanics_table_unknown_venue():
    with pytest.raises(ValueError, match="venues"):
        mechanics_table(("kraken",))
