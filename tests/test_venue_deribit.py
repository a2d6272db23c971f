"""Deribit module: portfolio-margin grid, option marks, fees, futures margin, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.prices import options as opt
from liqlib.venues import deribit

settings.register_profile("liqlib", max_examples=100, deadline=None)
settings.load_profile("liqlib")

LEGACY_A = deribit.LEGACY_PM["pages/docs/portfoliomargin"]


class TestScenarioGrid:
    def test_grid_shape_and_zero_scenario(self) -> None:
        r = deribit.portfolio_margin(
            ["call", "put", "future"],
            [-10, 5, 3],
            [50_000, 50_000, 50_000],
            strike=[55_000, 45_000, 1],
            days_to_expiration=[15, 45, 1],
            iv=[0.6, 0.7, 0.5],
        )
        assert r.pnl.shape == (9, 3) and r.price_moves.size == 9
        assert r.pnl[4, 1] == pytest.approx(0.0, abs=1e-15)  # no move, same vol
        assert r.margin == pytest.approx(r.worst_loss + r.contingency)
        assert r.worst_loss == pytest.approx(max(0.0, -r.pnl.min()))
        # 10 short calls on strike 55,000 are the only net short strike: 10 x 0.01 BTC.
        assert r.contingency == pytest.approx(0.1)

    def test_option_pnl_is_black76_revaluation(self) -> None:
        r = deribit.portfolio_margin(
            ["put"], [-1], [40_000], strike=[38_000], days_to_expiration=[15], iv=[0.5]
        )
        t, shock = 15 / 365, deribit.iv_shock(15)
        now = opt.black76_price(40_000, 38_000, t, 0.0, 0.5, "put", settlement="inverse")
        down_up = opt.black76_price(
            40_000 * 0.9, 38_000, t, 0.0, 0.5 * (1 + shock), "put", settlement="inverse"
        )
        assert r.pnl[0, 2] == pytest.approx(-(down_up - now), rel=1e-12)

    @given(
        size=st.floats(0.1, 100.0),
        iv=st.floats(0.2, 1.5),
        days=st.floats(1.0, 365.0),
        m=st.floats(0.7, 1.3),
        kind=st.sampled_from(["call", "put"]),
    )
    def test_long_option_never_loses_more_than_its_value(self, size, iv, days, m, kind):
        r = deribit.portfolio_margin(
            [kind], [size], [30_000], strike=[30_000 * m], days_to_expiration=[days], iv=[iv]
        )
        value = size * opt.black76_price(
            30_000, 30_000 * m, days / 365, 0.0, iv, kind, settlement="inverse"
        )
        assert r.worst_loss <= value * (1 + 1e-9) + 1e-15
        assert r.contingency == 0.0  # long options carry no net-short add-on

    def test_relative_and_absolute_vol_shocks(self) -> None:
        params = deribit.PortfolioMarginParameters(
            price_move=0.1, vol_shock=0.38, vol_power=0.3, vol_shock_mode="absolute"
        )
        rel = deribit.portfolio_margin(
            ["call"], [-1], [50_000], strike=[50_000], days_to_expiration=[30], iv=[0.5]
        )
        ab = deribit.portfolio_margin(
            ["call"],
            [-1],
            [50_000],
            strike=[50_000],
            days_to_expiration=[30],
            iv=[0.5],
            parameters=params,
        )
        # 0.5 * 1.38 = 0.69 against 0.5 + 0.38 = 0.88: the absolute shock hurts a short more.
        assert ab.worst_loss > rel.worst_loss

    def test_vol_floor_keeps_short_dated_shocks_positive(self) -> None:
        # One day to expiry: (30/1)^0.3 * 38% = 105.7%, more than the whole volatility.
        assert deribit.iv_shock(1) > 1
        r = deribit.portfolio_margin(
            ["call"], [1], [50_000], strike=[50_000], days_to_expiration=[1], iv=[0.5]
        )
        assert np.isfinite(r.pnl).all()

    def test_extended_table_counts_a_fraction(self) -> None:
        full = deribit.portfolio_margin(
            ["put"],
            [-1],
            [50_000],
            strike=[30_000],
            days_to_expiration=[30],
            iv=[0.8],
            parameters=deribit.CURRENT_PM_EXAMPLE,
        )
        half = deribit.PortfolioMarginParameters(
            price_move=0.16,
            vol_shock=0.38,
            vol_power=0.3,
            extended_moves=deribit.CURRENT_PM_EXAMPLE.extended_moves,
            extended_fraction=0.5,
        )
        part = deribit.portfolio_margin(
            ["put"],
            [-1],
            [50_000],
            strike=[30_000],
            days_to_expiration=[30],
            iv=[0.8],
            parameters=half,
        )
        np.testing.assert_allclose(part.extended_pnl, 0.5 * full.extended_pnl)
        # A far out-of-the-money short put loses most in the -66% tail, not on the +/-16% grid.
        assert full.worst_loss == pytest.approx(-full.extended_pnl.min())
        assert full.worst_loss > -full.pnl.min()

    def test_inverse_future_grid(self) -> None:
        r = deribit.portfolio_margin(["future"], [2.0], [50_000])
        np.testing.assert_allclose(r.pnl[:, 0], 2.0 * r.price_moves / (1 + r.price_moves))
        lin = deribit.portfolio_margin(["future"], [2.0], [50_000], settlement="linear")
        np.testing.assert_allclose(lin.pnl[:, 1], 2.0 * 50_000 * lin.price_moves)

    def test_contingencies(self) -> None:
        assert deribit.net_short_option_contingency([1, 1, 2], [-5, 3, -1]) == pytest.approx(0.03)
        # The same strike in two expiries is not netted.
        assert deribit.net_short_option_contingency([1, 1], [-5, 5], [10, 20]) == pytest.approx(
            0.05
        )
        assert deribit.futures_contingency([30, -10, -50], rate=0.02) == pytest.approx(0.6)
        assert deribit.vega_contingency([1.0, 2.0], rate=0.25) == 0.0
        version_b = deribit.LEGACY_PM["docs/category/uncategorized"]
        r = deribit.portfolio_margin(
            ["call", "put"],
            [100, -100],
            [50_000, 50_000],
            strike=[50_000, 50_000],
            days_to_expiration=[30, 30],
            iv=[0.6, 0.6],
            vega=[10, -10],
            parameters=version_b,
        )
        assert r.contingency == pytest.approx(0.01 * 200 + 0.25 * 10)

    def test_price_moves(self) -> None:
        np.testing.assert_allclose(deribit.price_moves(0.10, 5), [-0.1, -0.05, 0, 0.05, 0.1])


class TestOptionMark:
    @given(
        bid_iv=st.floats(0.05, 2.5),
        spread=st.floats(0.0, 0.5),
        m=st.floats(0.6, 1.5),
        days=st.floats(1.0, 200.0),
        kind=st.sampled_from(["call", "put"]),
    )
    def test_mark_is_mid_held_between_the_iv_bounds(self, bid_iv, spread, m, days, kind):
        t = days / 365
        args = (50_000, 50_000 * m, t)
        bid = opt.black76_price(*args, 0.0, bid_iv, kind, settlement="inverse")
        ask = opt.black76_price(*args, 0.0, bid_iv + spread, kind, settlement="inverse")
        ask = max(ask, bid)  # deep in the money both are intrinsic value, up to the last ulp
        mark = deribit.option_mark_price(bid, ask, *args, kind)
        lo = opt.black76_price(*args, 0.0, 0.30, kind, settlement="inverse")
        hi = opt.black76_price(*args, 0.0, 1.00, kind, settlement="inverse")
        mid = 0.5 * (bid + ask)
        assert lo - 1e-15 <= mark <= hi + 1e-15
        if lo <= mid <= hi:
            assert mark == mid

    def test_no_market_is_priced_at_60_percent(self) -> None:
        at60 = opt.black76_price(50_000, 55_000, 0.1, 0.0, 0.6, "call", settlement="inverse")
        for bid, ask in ((math.nan, math.nan), (0.01, math.nan), (math.nan, 0.02)):
            got = deribit.option_mark_price(bid, ask, 50_000, 55_000, 0.1, "call")
            assert got == pytest.approx(at60, rel=1e-15)

    def test_bounded_mark_iv_vectorized(self) -> None:
        out = deribit.bounded_mark_iv(np.array([[0.1, 0.5], [np.nan, 3.0]]))
        np.testing.assert_allclose(out, [[0.3, 0.5], [0.6, 1.0]])


class TestFeesAndMargins:
    def test_fee_schedules(self) -> None:
        assert deribit.liquidation_fee_rate("future", "BTC", "legacy") == 0.005
        assert deribit.liquidation_fee_rate("future", "BTC") == 0.0075
        assert deribit.liquidation_fee(np.array([1.0, 4.0]), "option").tolist() == [0.002, 0.008]

    def test_futures_margin_grows_quadratically(self) -> None:
        sizes = np.array([0.0, 10.0, 100.0])
        np.testing.assert_allclose(deribit.futures_margin(sizes), sizes * (0.01 + 0.00005 * sizes))
        im = deribit.futures_margin_rate(sizes, margin="initial")
        mm = deribit.futures_margin_rate(sizes)
        assert np.all(im > mm)

    def test_short_option_margin(self) -> None:
        # An in-the-money short put: IM = max(0.15 - 0, 0.1) + mark = 0.15 + 0.1.
        m = deribit.short_option_margin("put", 60_000, 50_000, 0.1)
        assert m.initial == pytest.approx(0.25) and m.maintenance == pytest.approx(0.175)
        # Deep out of the money: the 10% floor.
        far = deribit.short_option_margin(["call", "put"], [100_000, 20_000], 50_000, 0.001)
        np.testing.assert_allclose(far.initial, [0.101, 0.101])
        assert np.all(np.asarray(far.initial) >= np.asarray(far.maintenance))

    def test_liquidation_price_vectorized_and_flags(self) -> None:
        r = deribit.futures_liquidation_price(np.array([1, -1]), 100_000, 40_000, leverage=10)
        assert r.price.shape == (2,) and np.all(r.liquidatable)
        assert r.price[0] < 40_000 < r.price[1]
        one_x_short = deribit.futures_liquidation_price(-1, 100_000, 40_000, leverage=1)
        assert math.isnan(one_x_short.price) and not one_x_short.liquidatable


class TestBadInput:
    def test_versions_and_names(self) -> None:
        with pytest.raises(ValueError, match="version must be one of"):
            deribit.futures_margin_rate(1, version="2030")
        with pytest.raises(ValueError, match="currency must be one of"):
            deribit.futures_margin_rate(1, currency="SOL")
        with pytest.raises(ValueError, match="margin must be one of"):
            deribit.futures_margin_rate(1, margin="variation")
        with pytest.raises(ValueError, match="instrument must be one of"):
            deribit.liquidation_fee_rate("perpetual")
        with pytest.raises(ValueError, match="parameters must be one of"):
            deribit.portfolio_margin(["future"], [1], [1.0], parameters="current")
        with pytest.raises(ValueError, match="rates must be"):
            deribit.futures_margin_rate(1, rates=(0.01,))

    def test_values(self) -> None:
        with pytest.raises(ValueError, match="position_size must be >= 0"):
            deribit.futures_margin_rate(-1)
        with pytest.raises(ValueError, match="days_to_expiration must be > 0"):
            deribit.iv_shock(0)
        with pytest.raises(ValueError, match="iv must be > 0"):
            deribit.bounded_mark_iv(-0.1)
        with pytest.raises(ValueError, match="bid must not exceed ask"):
            deribit.option_mark_price(0.02, 0.01, 50_000, 50_000, 0.1)
        with pytest.raises(ValueError, match="need floor < cap"):
            deribit.bounded_mark_iv(0.5, floor=1.2)
        with pytest.raises(ValueError, match="buckets must be an odd integer"):
            deribit.PortfolioMarginParameters(price_move=0.1, buckets=8)
        with pytest.raises(ValueError, match="vol_shock_mode must be one of"):
            deribit.PortfolioMarginParameters(price_move=0.1, vol_shock_mode="sticky")
        with pytest.raises(ValueError, match="extended_moves must be above -1"):
            deribit.PortfolioMarginParameters(price_move=0.1, extended_moves=(-1.5,))

    def test_portfolio_inputs(self) -> None:
        with pytest.raises(ValueError, match="strike is required"):
            deribit.portfolio_margin(["call"], [1], [50_000], days_to_expiration=[10], iv=[0.5])
        with pytest.raises(ValueError, match="iv must give one number per position"):
            deribit.portfolio_margin(
                ["call", "put", "call"],
                [1, 1, 1],
                [50_000],
                strike=1,
                days_to_expiration=10,
                iv=[0.5, 0.6],
            )
        with pytest.raises(ValueError, match="kind must be 'call' or 'put'"):
            deribit.portfolio_margin(
                ["swap"], [1], [50_000], strike=[1], days_to_expiration=[1], iv=[0.5]
            )
        with pytest.raises(ValueError, match="underlying_price must be > 0"):
            deribit.portfolio_margin(["future"], [1], [0.0])
        with pytest.raises(ValueError, match="one entry per option position"):
            deribit.net_short_option_contingency([1, 2], [1])


def test_linear_portfolio_margin_add_ons_are_in_quote_currency() -> None:
    # The same short put margined in coin and in USD: every term scales by the underlying price.
    args = dict(kind=["put"], size=[-10.0], underlying_price=[50_000.0], strike=[45_000.0],
                days_to_expiration=[30.0], iv=[0.6])
    coin = deribit.portfolio_margin(**args, settlement="inverse")
    usd = deribit.portfolio_margin(**args, settlement="linear")
    assert usd.contingency == pytest.approx(coin.contingency * 50_000)
    assert usd.margin > 1_000 * coin.margin


def test_standard_option_requirement_reproduces_the_rule_as_read() -> None:
    # "Maintenance margin (BTC): 0.075 + mark price of the option" (short call) and
    # "Maximum (0.075, 0.075 * markprice_option) + mark_price_option" (short put), per contract,
    # compared with an equity that already counts the options at their mark. A small book: short
    # 3 calls marked 0.02, short 2 puts marked 0.05, long 4 calls marked 0.01.
    kind = np.array(["call", "put", "call"])
    strike = np.array([70_000.0, 50_000.0, 65_000.0])
    mark = np.array([0.02, 0.05, 0.01])
    size = np.array([-3.0, -2.0, 4.0])
    doc = deribit.standard_option_requirement(kind, strike, 60_000, mark, size)
    np.testing.assert_allclose(doc.maintenance, [3 * (0.075 + 0.02), 2 * (0.075 + 0.05), 0.0])
    net = deribit.standard_option_requirement(kind, strike, 60_000, mark, size, reading="net")
    np.testing.assert_allclose(net.maintenance, [3 * 0.075, 2 * 0.075, 0.0])
    # initial margin: max(0.15 - OTM/underlying, 0.1) + mark; the 70,000 call is 10,000 OTM
    np.testing.assert_allclose(doc.initial[0], 3 * (max(0.15 - 10_000 / 60_000, 0.1) + 0.02))
    with pytest.raises(ValueError, match="reading"):
        deribit.standard_option_requirement("call", 70_000, 60_000, 0.02, -1, reading="twice")
    assert deribit.PM_INITIAL_FACTOR >= 1
