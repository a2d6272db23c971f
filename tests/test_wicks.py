"""A wick through every venue's mark (liqlib.prices.wicks) and Binance's 30-second basis.

Scenario: Binance's announcement of 2025-09-16 (effective 2025-09-18 08:01 UTC) sets the
perpetuals' "Price 2 = Price Index + Moving Average (30-second basis)", "the average of 30 data
points in 30 seconds", "calculated once a second". A basis that steps from 0 to 1 is therefore
averaged in thirtieths, one a second, and is whole after 30 readings. The same announcement divides
the funding rate by 8/N for a contract settled every N hours.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib import liquidation_price
from liqlib.core import ArgumentTypeError
from liqlib.prices import (
    BINANCE_COINM_BASIS,
    BINANCE_USDM_BASIS,
    TRIGGER_PRICES,
    WickPopulation,
    basis_moving_average,
    breached,
    deepest_fall,
    funding_rate,
    index_price,
    median_mark_price,
    rate_per_payment,
    time_to_funding,
    venue_marks,
    wick_liquidations,
    wick_outcome,
    wick_path,
    wick_population,
)
from liqlib.prices.averages import HOUR

SEED = 7


@pytest.fixture(scope="module")
def demo():
    return wick_path(depth=0.08, duration=30.0, seed=SEED)


@pytest.fixture(scope="module")
def population(demo):
    return wick_population(demo, 2_000, seed=2024)


class TestBinanceThirtySecondBasis:
    def test_the_announced_window(self) -> None:
        assert (BINANCE_USDM_BASIS.window, BINANCE_USDM_BASIS.interval) == (30.0, 1.0)

    def test_a_step_in_the_basis_is_averaged_in_thirtieths(self) -> None:
        index = np.full(120, 100.0)
        mid = index.copy()
        mid[60:] += 1.0                       # the basis steps from 0 to 1 at t = 60 s
        ma = basis_moving_average(mid, index, window=BINANCE_USDM_BASIS)
        assert ma[59] == 0.0
        assert np.allclose(ma[60:90], np.arange(1, 31) / 30)   # one more reading each second
        assert np.allclose(ma[89:], 1.0)                       # 30 readings: the whole step

    def test_the_same_announcement_scales_funding_to_the_payment_interval(self) -> None:
        # "Funding Rate (F) = [Average Premium Index (P) + clamp (...)] / (8/N)": PUMPUSDT, settled
        # every 4 hours, pays "/ 2"
        rate = funding_rate(0.003)
        assert rate_per_payment(rate, payment_interval=4 * HOUR) == pytest.approx(rate / 2)

    def test_venue_marks_uses_the_median_with_that_window(self, demo) -> None:
        marks = venue_marks(demo)
        index = index_price(demo.sources, demo.weights).price
        tau = time_to_funding(demo.times + 3 * HOUR)          # funding 5 h after the start
        ma = basis_moving_average(demo.mid, index, window=BINANCE_USDM_BASIS)
        expected = median_mark_price(index, 0.0001, tau, ma, demo.last).price
        assert np.array_equal(marks["Binance"], expected)
        assert np.array_equal(marks["index"], index)

    def test_a_wick_as_long_as_the_window_passes_under_its_area_bound(self, demo) -> None:
        # A / W = (0.08 * 30 / 2) / 30 = 4%: a bound, reached only if the last price stayed low
        marks = venue_marks(demo)
        during = (demo.times >= demo.start) & (demo.times <= demo.start + 300)
        fall = deepest_fall(marks["Binance"], demo.fair, during)
        noise = deepest_fall(marks["index"], demo.fair, during)
        assert 0.85 * 0.04 < fall - noise < 0.04
        coinm = venue_marks(demo, binance_basis=BINANCE_COINM_BASIS)["Binance"]
        assert abs(deepest_fall(coinm, demo.fair, during) - noise - 0.008) < 0.0006

    def test_bad_arguments_are_named(self, demo) -> None:
        with pytest.raises(ArgumentTypeError, match="path"):
            venue_marks("not a path")
        with pytest.raises(ArgumentTypeError, match="binance_basis"):
            venue_marks(demo, binance_basis=30.0)
        with pytest.raises(ValueError, match="hours_to_funding"):
            venue_marks(demo, hours_to_funding=8.0)
        with pytest.raises(ValueError, match="hours_to_funding"):
            venue_marks(demo, hours_to_funding=-1.0)


class TestDeepestFall:
    def test_values(self) -> None:
        assert deepest_fall([100.0, 92.0, 99.0], [100.0, 100.0, 100.0]) == pytest.approx(0.08)
        assert deepest_fall([101.0, 102.0], [100.0, 100.0]) == pytest.approx(-0.01)

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="same shape"):
            deepest_fall([1.0, 2.0], [1.0])
        with pytest.raises(ValueError, match="window"):
            deepest_fall([1.0, 2.0], [1.0, 2.0], [1, 0])
        with pytest.raises(ValueError, match="at least one"):
            deepest_fall([1.0, 2.0], [1.0, 2.0], [False, False])
        with pytest.raises(ValueError, match="prices"):
            deepest_fall([1.0, -2.0], [1.0, 2.0])


class TestPopulation:
    def test_seeded_and_opened_before_the_wick(self, demo) -> None:
        a, b = wick_population(demo, 500, seed=3), wick_population(demo, 500, seed=3)
        assert np.array_equal(a.leverage, b.leverage) and np.array_equal(a.opened, b.opened)
        assert a.opened.max() < demo.start / demo.dt
        assert np.array_equal(a.entry, demo.last[a.opened])
        assert 2.0 <= a.leverage.min() and a.leverage.max() <= 100.0

    def test_liquidation_prices_are_the_flat_rate_formula(self, demo) -> None:
        pop = wick_population(demo, 300, mmr=0.005, seed=1)
        # isolated linear long, flat maintenance rate: E (1 - 1/L) / (1 - m)
        expected = pop.entry * (1 - 1 / pop.leverage) / (1 - 0.005)
        assert np.allclose(pop.liquidation_price, expected, rtol=1e-12)
        assert np.allclose(pop.distance, 1 - expected / pop.entry, rtol=1e-12)
        direct = liquidation_price(+1, pop.notional / pop.entry, pop.entry,
                                   leverage=pop.leverage, mmr=0.005).price
        assert np.array_equal(pop.liquidation_price, direct)

    @pytest.mark.parametrize(("kwargs", "name"), [
        (dict(n=0), "n"),
        (dict(min_leverage=1.0), "leverage"),
        (dict(min_leverage=50.0, max_leverage=20.0), "leverage"),
        (dict(mmr=0.02), "mmr"),
        (dict(notional=-1.0), "notional"),
    ])
    def test_bad_arguments_are_named(self, demo, kwargs, name) -> None:
        with pytest.raises(ValueError, match=name):
            wick_population(demo, **{"n": 10, **kwargs})

    def test_a_wick_at_the_start_leaves_no_time_to_open(self) -> None:
        with pytest.raises(ValueError, match="before the wick"):
            wick_population(wick_path(seconds=60.0, start=0.0, duration=10.0), 10)

    def test_population_type(self, demo) -> None:
        with pytest.raises(ArgumentTypeError, match="population"):
            wick_liquidations(venue_marks(demo), "positions")


class TestLiquidations:
    def test_each_mask_is_breached(self, demo, population) -> None:
        marks = venue_marks(demo)
        hit = wick_liquidations(marks, population)
        assert set(hit) == set(TRIGGER_PRICES)
        for name in TRIGGER_PRICES:
            expected = breached(marks[name], population.liquidation_price, +1,
                                opened=population.opened)
            assert np.array_equal(hit[name], expected)

    def test_a_lower_path_liquidates_a_superset(self, demo, population) -> None:
        hit = wick_liquidations({"p": demo.last, "lower": demo.last * 0.99}, population)
        assert not np.any(hit["p"] & ~hit["lower"])

    def test_the_wick_liquidates_more_under_the_last_price_than_any_mark(self, population) -> None:
        out = wick_outcome(0.08, 30, population, seed=SEED)
        n = out.counts
        assert n["last"] > n["Binance"] > n["Hyperliquid"] > n["Bybit"]
        assert n["Bybit"] <= n["index"] + 5       # a 5-minute window lets the wick through barely

    @settings(max_examples=12, deadline=None)
    @given(depth=st.sampled_from([0.02, 0.05, 0.12, 0.2]),
           duration=st.sampled_from([5, 15, 60, 120, 300]))
    def test_bitmex_ignores_the_book(self, population, depth, duration) -> None:
        # the fair price is the index times a funding basis: no wick on the venue moves it
        base = wick_outcome(0.0001, 5, population, seed=SEED).counts["BitMEX"]
        assert wick_outcome(depth, duration, population, seed=SEED).counts["BitMEX"] == base

    def test_population_is_checked(self) -> None:
        with pytest.raises(ArgumentTypeError, match="population"):
            wick_outcome(0.08, 30, population=None)

    def test_population_dataclass(self, population) -> None:
        assert isinstance(population, WickPopulation)
