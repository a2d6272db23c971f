"""The venue interface: one protocol, the same result types, and adapters equal to the formulas.

Each adapter is a thin layer over a venue-named function (``liqlib.venues.<venue>``). Here every
published venue vector that concerns a position (``tests/data/venue_vectors/*.csv``) is computed
twice, by the venue function with the vector's own inputs and by the adapter with the interface's
inputs, and the two must agree with each other and with the venue's number.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from vectors import apply_rounding, read_rows

from liqlib import LiquidationResult
from liqlib.venues import (
    SOURCES,
    VENUES,
    BelowMaintenanceError,
    LeverageError,
    Venue,
    adapters,
    dydx,
    get,
    sources,
)

ROWS = {r["id"]: r for r in read_rows(*sorted(
    (Path(__file__).parent / "data" / "venue_vectors").glob("*.csv")))}


def venue_function(row: dict[str, str]) -> Any:
    """The vector computed by the venue-named function with the vector's own inputs."""
    module = importlib.import_module(f"liqlib.venues.{row['venue']}")
    result = getattr(module, row["function"])(**json.loads(row["inputs"]))
    for name in filter(None, row["output"].split(".")):
        result = getattr(result, name)
    return result


#: Vector id -> the same quantity through the interface (sizes, margins as the interface has
#: them: isolated margin = initial margin + extra margin; inverse sizes in contracts).
THROUGH_THE_INTERFACE: dict[str, Callable[[], Any]] = {
    # Binance COIN-M calculator example, authoritative cum and the 2021 variant
    "binance_coinm_cross_forum_calculator": lambda: get(
        "binance", mmr=0.125, maintenance_amount=11.605, kind="inverse", contract_size=100
    ).liquidation_price(1, 100_000, 45_000, margin=101).price,
    "binance_coinm_cross_forum_cum_2021_variant": lambda: get(
        "binance", mmr=0.125, maintenance_amount=11.81, kind="inverse", contract_size=100
    ).liquidation_price(1, 100_000, 45_000, margin=101).price,
    "binance_coinm_initial_margin": lambda: get(
        "binance", mmr=0.004, kind="inverse", contract_size=100
    ).initial_margin(10, 9_800, leverage=20),
    # 0.4 BTC of notional: 100 contracts of 100 USD at 25,000
    "binance_coinm_maintenance_margin": lambda: get(
        "binance", mmr=0.004, kind="inverse", contract_size=100
    ).maintenance_margin(100, 25_000),
    # Bybit USDT examples 1-3 (extra margin 3,000 and -200 on top of the 400 initial margin)
    "bybit_vec_usdt_long_ex1": lambda: get("bybit").liquidation_price(
        1, 1, 20_000, leverage=50).price,
    "bybit_vec_usdt_short_ex2": lambda: get("bybit").liquidation_price(
        -1, 1, 20_000, margin=3_400).price,
    "bybit_vec_usdt_long_funding_ex3": lambda: get("bybit").liquidation_price(
        1, 1, 20_000, margin=200).price,
    "bybit_vec_adjust_margin_before": lambda: get("bybit", mmr=0.05).liquidation_price(
        1, 1, 10_000, leverage=10).price,
    "bybit_vec_adjust_margin_add": lambda: get("bybit", mmr=0.05).liquidation_price(
        1, 1, 10_000, margin=2_000).price,
    "bybit_vec_adjust_margin_add_position": lambda: get("bybit", mmr=0.05).liquidation_price(
        1, 2, 10_000, margin=3_000).price,
    "bybit_vec_usdt_bankruptcy": lambda: get("bybit").bankruptcy_price(
        1, 1, 10_000, leverage=50),
    "bybit_vec_inverse_bankruptcy_raw": lambda: get("bybit", kind="inverse").bankruptcy_price(
        1, 1, 7_890.08, leverage=50),
    "bybit_vec_inverse_bankruptcy_tick": lambda: get(
        "bybit", kind="inverse", tick_size=0.5).bankruptcy_price(1, 1, 7_890.08, leverage=50),
    "bybit_vec_inverse_liquidation_legacy": lambda: get(
        "bybit", kind="inverse", inverse_formula="2024"
    ).liquidation_price(1, 1, 7_890.08, leverage=50).price,
    "bybit_vec_uta_inverse_isolated_2024": lambda: get(
        "bybit", kind="inverse", inverse_formula="2024"
    ).liquidation_price(1, 60_000, 50_000, leverage=10).price,
    "bybit_vec_uta_inverse_isolated_2026": lambda: get("bybit", kind="inverse").liquidation_price(
        1, 60_000, 50_000, leverage=10).price,
    "bybit_vec_uta_inverse_initial_margin": lambda: get("bybit", kind="inverse").initial_margin(
        60_000, 50_000, leverage=10),
    "bybit_vec_inverse_initial_margin": lambda: get("bybit", kind="inverse").initial_margin(
        12_000, 8_000, leverage=50),
    "bybit_vec_inverse_upnl": lambda: get("bybit", kind="inverse").pnl(1, 1_000, 5_000, 5_500),
    # position value 3,500: 3.5 coins at 1,000
    "bybit_vec_tier_mm_xyz": lambda: get(
        "bybit", mmr=0.035, maintenance_amount=30).maintenance_margin(3.5, 1_000),
    "okx_coin_margined_isolated_long_3p_formula": lambda: get(
        "okx", taker_fee_rate=0.0, kind="inverse", contract_size=100
    ).liquidation_price(1, 100, 40_000, margin=0.05).price,
    # Hyperliquid: margin available = isolated margin - maintenance margin at the mark
    "hyperliquid_vec_isolated_long": lambda: get("hyperliquid", max_leverage=40).liquidation_price(
        1, 1, 100_000, margin=8_750 + 1_250).price,
    "hyperliquid_vec_cross_short": lambda: get("hyperliquid", max_leverage=25).liquidation_price(
        -1, 3, 3_000, margin=4_820 + 180).price,
    "hyperliquid_vec_btc_tier2_maintenance": lambda: get("hyperliquid").maintenance_margin(
        2_000, 100_000),
    "dydx_docs_isolated_liquidation_price": lambda: get("dydx", mmr=0.05, imr=0.1)
    .liquidation_price(-1, 3, 3_000, margin=1_000).price,
    "bitmex_example_bankruptcy_price": lambda: get("bitmex", kind="linear").bankruptcy_price(
        1, 1, 100, leverage=100),
    "bitmex_example_liquidation_price": lambda: get(
        "bitmex", taker_fee_rate=0.0, kind="linear"
    ).liquidation_price(1, 1, 100, leverage=100).price,
    "bitmex_xbtusd_liquidation_with_fee_and_funding": lambda: get(
        "bitmex", funding_rate=0.0001).liquidation_price(1, 200_000, 10_000, leverage=20).price,
    "bitmex_xbtusd_bankruptcy_20x": lambda: get("bitmex", funding_rate=0.0001).bankruptcy_price(
        1, 200_000, 10_000, leverage=20),
    "deribit_futures_liquidation_price_btc_perp": lambda: get("deribit").liquidation_price(
        1, 1_000_000, 50_000, margin=2.0).price,
    # GMX's test long: 10 WETH (50,000 USD at 5,000) behind 40 ETH, collateral the index token
    "gmx_liquidation_order_price_between": lambda: get(
        "gmx", collateral_token="index").liquidation_price(1, 40, 5_000, margin=50_000).price,
    # Synthetix's Margins.test.ts BTC market (2 BTC short at 30,000; the size is absolute here)
    "synthetix_margins_btc_maintenance": lambda: get(
        "synthetix", skew_scale=100, initial_margin_ratio=2, minimum_initial_margin_ratio=0.01,
        minimum_position_margin=1_000).maintenance_margin(2, 30_000),
}


def test_every_venue_has_vectors_through_the_interface() -> None:
    covered = {ROWS[i]["venue"] for i in THROUGH_THE_INTERFACE}
    assert covered == set(VENUES)


@pytest.mark.parametrize("vector", THROUGH_THE_INTERFACE)
def test_adapter_equals_the_venue_formula_on_its_vector(vector: str) -> None:
    row = ROWS[vector]
    ours = THROUGH_THE_INTERFACE[vector]()
    theirs = venue_function(row)
    assert float(ours) == pytest.approx(float(theirs), rel=1e-12, abs=1e-12)
    value = apply_rounding(float(ours), row["rounding"])
    if row["tolerance"] == "exact":
        assert Fraction(value) == Fraction(row["expected"])
    else:
        expected, tolerance = float(row["expected"]), float(row["tolerance"])
        assert abs(value - expected) <= tolerance + 1e-12 * abs(expected), (value, expected)


# --- Bybit's printed P&L %: 312% at 25x, 624% at 50x -------------------------------------------


def test_roe_reproduces_bybits_312_and_624_percent() -> None:
    # help.bybit.com/hc/en-us/articles/360027239453: 800 contracts long at 10,500, last 12,000.
    bybit = get("bybit", kind="inverse")
    args = (1, 800, 10_500, 12_000)
    assert bybit.roe(*args, leverage=25) == pytest.approx(3.125, rel=1e-12)
    assert bybit.roe(*args, leverage=50) == pytest.approx(6.25, rel=1e-12)
    # the page rounds P&L and margin to 8 decimals (satoshis) and truncates the percentage
    pnl = round(bybit.pnl(*args), 8)
    assert pnl == 0.00952381
    printed = [
        math.floor(100 * pnl / round(bybit.initial_margin(800, 10_500, leverage=lev), 8))
        for lev in (25, 50)
    ]
    assert printed == [312, 624]
    # the P&L does not change with leverage: only the margin it is divided by
    assert bybit.roe(*args, margin=bybit.initial_margin(800, 10_500, leverage=25)) == (
        pytest.approx(3.125, rel=1e-12)
    )


# --- one protocol, one result type --------------------------------------------------------------


def same_position(venue: Venue) -> float:
    """1 BTC at 100,000: 1 base unit, or 100,000 contracts of 1 USD for an inverse venue."""
    return 100_000.0 if venue.kind.value == "inverse" else 1.0


@pytest.mark.parametrize("name", VENUES)
def test_same_position_same_result_types(name: str) -> None:
    venue = get(name)
    assert isinstance(venue, Venue) and venue.name == name
    size = same_position(venue)
    result = venue.liquidation_price(1, size, 100_000, leverage=10)
    assert isinstance(result, LiquidationResult)
    assert result.bankruptcy_price < result.price < 100_000
    for value in (
        venue.bankruptcy_price(1, size, 100_000, leverage=10),
        venue.maintenance_margin(size, 100_000),
        venue.initial_margin(size, 100_000, leverage=10),
        venue.max_leverage(size, 100_000),
        venue.pnl(1, size, 100_000, 101_000),
        venue.roe(1, size, 100_000, 101_000, leverage=10),
    ):
        assert type(value) is float
    assert venue.bankruptcy_price(1, size, 100_000, leverage=10) == pytest.approx(
        result.bankruptcy_price, rel=1e-12)
    # a 1% move at 10x is a 10% return on margin, at every venue (fees aside)
    assert venue.roe(1, size, 100_000, 101_000, leverage=10) == pytest.approx(
        0.1 if venue.kind.value == "linear" else 0.1 / 1.01, rel=1e-12)


@pytest.mark.parametrize("name", VENUES)
def test_entry_points_share_names_and_arguments(name: str) -> None:
    cls = VENUES[name]
    for entry in ("liquidation_price", "bankruptcy_price", "pnl", "roe", "maintenance_margin",
                  "initial_margin", "max_leverage"):
        ours = list(inspect.signature(getattr(cls, entry)).parameters)
        protocol = list(inspect.signature(getattr(Venue, entry)).parameters)
        assert ours == protocol, (name, entry)


@pytest.mark.parametrize("name", VENUES)
def test_arrays_in_arrays_out_equal_scalar_calls(name: str) -> None:
    venue = get(name)
    base = same_position(venue)
    sizes = np.array([0.5, 1.0, 2.0]) * base
    sides = np.array([1, -1, 1])
    result = venue.liquidation_price(sides, sizes, 100_000, leverage=10)
    assert np.shape(result.price) == (3,)
    for i in range(3):
        one = venue.liquidation_price(int(sides[i]), float(sizes[i]), 100_000, leverage=10)
        assert result.price[i] == pytest.approx(one.price, rel=1e-12)
        assert result.bankruptcy_price[i] == pytest.approx(one.bankruptcy_price, rel=1e-12)


def test_the_books_comparison_through_the_interface() -> None:
    # chapter "How venues differ": 100,000 USD of BTC at 100,000 with 20x (BitMEX funding 0.01%)
    prices = {}
    for name in VENUES:
        venue = get(name, funding_rate=0.0001) if name == "bitmex" else get(name)
        size = same_position(venue)
        prices[name] = round(venue.liquidation_price(1, size, 100_000, leverage=20).price, 2)
    assert prices == {"binance": 95_427.14, "bybit": 95_500.00, "okx": 95_525.39,
                      "hyperliquid": 96_202.53, "dydx": 97_938.14, "bitmex": 95_771.68,
                      "deribit": 96_195.43, "gmx": 96_060.00, "synthetix": 96_938.82}


def test_dydx_adapter_agrees_with_the_protocols_integers() -> None:
    # the float interface vs the exact protocol, through the new converters: 1 BTC long at
    # 100,000 (price exponent -4, atomic resolution -10), 5,000 USDC of equity, MMF 3%
    venue = get("dydx")
    result = venue.liquidation_price(1, 1, 100_000, margin=5_000)
    q = dydx.size_to_quantums(1.0, -10)
    balance = round((5_000 - 100_000) * 10**6)

    def perpetual(price: float) -> dydx.Perpetual:
        return dydx.Perpetual(0, "BTC", -10, dydx.usd_to_price(price, -4), -4, 50_000, 600_000)

    bankrupt = dydx.bankruptcy_price_in_quote_quantums([(perpetual(1e5), q)], balance, 0, -q)
    assert bankrupt / 10**6 == pytest.approx(result.bankruptcy_price, abs=1e-6)
    below, above = perpetual(result.price - 0.01), perpetual(result.price + 0.01)
    assert dydx.is_liquidatable([(below, q)], balance)
    assert not dydx.is_liquidatable([(above, q)], balance)


# --- the registry and the rules -----------------------------------------------------------------


def test_registry() -> None:
    assert list(VENUES) == ["binance", "bybit", "bitmex", "okx", "dydx", "hyperliquid", "deribit",
                            "gmx", "synthetix"]
    assert VENUES["bybit"] is adapters.Bybit and len(VENUES) == 9 and "okx" in VENUES
    with pytest.raises(KeyError):
        VENUES["nowhere"]
    with pytest.raises(ValueError, match="name must be one of binance"):
        get("nowhere")
    with pytest.raises(TypeError, match="funding_rate"):
        get("binance", funding_rate=0.0001)  # a rule Binance's formula does not have
    assert get("okx", taker_fee_rate=0.0002).rules()["taker_fee_rate"] == 0.0002


def test_variant_selecting_defaults_are_in_the_signatures() -> None:
    assert inspect.signature(adapters.Bybit).parameters["inverse_formula"].default == "2026"
    assert inspect.signature(adapters.Deribit).parameters["version"].default == "2022-01-11"
    assert inspect.signature(adapters.BitMEX).parameters["kind"].default == "inverse"
    exponent = inspect.signature(dydx.liquidation_insurance_fund_delta).parameters[
        "quantum_conversion_exponent"]
    assert exponent.default is inspect.Parameter.empty  # per pair: no silent BTC default
    assert "delta_quantums" not in inspect.signature(dydx.fillable_price).parameters


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: get("binance").liquidation_price(1, 1, 100, leverage=0), ValueError,
         "leverage must be > 0"),
        (lambda: get("binance").liquidation_price(1, 1, 100, leverage=-5), ValueError,
         "leverage must be > 0"),
        (lambda: get("binance").liquidation_price(1, 1, 100, leverage=500), LeverageError,
         "leverage must be at most 125"),
        (lambda: get("dydx").liquidation_price(1, 1, 100, leverage=25), LeverageError,
         "leverage must be at most 20"),
        (lambda: get("okx", mmr=0.4).liquidation_price(1, 1, 100, leverage=10),
         BelowMaintenanceError, "leverage 10 posts a margin of 10"),
        (lambda: get("bitmex").liquidation_price(1, 100, 100, margin=1e-6),
         BelowMaintenanceError, "margin 1e-06 posts"),
        (lambda: get("bybit").liquidation_price(1, 1, 100), ValueError,
         "exactly one of leverage or margin"),
        (lambda: get("bybit").liquidation_price(1, 1, 100, leverage=2, margin=5), ValueError,
         "exactly one of leverage or margin"),
        (lambda: get("bybit").liquidation_price(2, 1, 100, leverage=2), ValueError, "side"),
        (lambda: get("bybit").liquidation_price(1, 0, 100, leverage=2), ValueError,
         "size must be > 0"),
        (lambda: get("bybit").liquidation_price(1, 1, -1, leverage=2), ValueError,
         "entry_price must be > 0"),
        (lambda: get("hyperliquid", kind="inverse"), ValueError, "kind must be 'linear'"),
        (lambda: get("okx", contract_size=100), ValueError, "contract_size applies to inverse"),
        (lambda: get("hyperliquid", mmr=0), ValueError, "mmr must be"),
        (lambda: get("hyperliquid", max_leverage=0), ValueError, "max_leverage must be > 0"),
        (lambda: get("dydx", mmr=0.06), ValueError, "mmr must be below"),
        (lambda: get("binance", tiers="ETHUSDT"), ValueError, "tiers must be one of"),
        (lambda: get("binance", kind="inverse"), ValueError, "USDⓈ-M"),
        (lambda: get("deribit", currency="DOGE"), ValueError, "currency"),
        (lambda: get("bybit", inverse_formula="2025"), ValueError, "inverse_formula"),
        (lambda: get("gmx", kind="inverse"), ValueError, "kind must be 'linear'"),
        (lambda: get("gmx", min_collateral_factor=0), ValueError, "min_collateral_factor"),
        (lambda: get("gmx", collateral_token="eth"), ValueError, "collateral_token"),
        (lambda: get("gmx").liquidation_price(1, 1, 100, leverage=150), LeverageError,
         "leverage must be at most 100"),
        (lambda: get("synthetix", skew_scale=0), ValueError, "skew_scale must be > 0"),
        (lambda: get("synthetix", maintenance_margin_scalar=1.5), ValueError,
         "maintenance_margin_scalar"),
        (lambda: get("synthetix").liquidation_price(1, 1, 100, leverage=40), LeverageError,
         "leverage must be at most 33.3"),
    ],
)
def test_bad_input_raises_naming_the_argument(
    call: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()


# --- sources as data ----------------------------------------------------------------------------


def test_sources_are_exact_pages_cited_by_the_venue_modules() -> None:
    assert set(SOURCES) == set(VENUES)
    for name, pages in SOURCES.items():
        module_doc = re.sub(r"\s+", "", importlib.import_module(f"liqlib.venues.{name}").__doc__)
        for page in pages:
            assert re.fullmatch(r"https://[^\s]+[\w/-]", page.url), page.url  # no stray ":"
            assert page.read and page.purpose and page.title
            assert page.url.removeprefix("https://") in module_doc, (name, page.url)
    assert sources("okx", "liquidation_price")[0].url == (
        "https://www.okx.com/help/v-tiered-maintenance-margin-ratio-rules")
    with pytest.raises(ValueError, match="venue must be one of"):
        sources("nowhere")
