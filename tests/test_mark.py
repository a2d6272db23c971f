"""Index, mark price and funding (liqlib.prices.mark): published numbers, properties and bad
input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies_mark import (
    basis_series,
    price_triples,
    rates,
    source_sets,
)

import liqlib as lq
from liqlib.prices import averages as av
from liqlib.prices import funding as fu
from liqlib.prices import index as ix
from liqlib.prices import mark as mk
from liqlib.prices import perpetual as pp

settings.register_profile("liqlib-mark", max_examples=120, deadline=None)
settings.load_profile("liqlib-mark")

DT_8H = 8 / 8760  # an 8-hour funding period in years


# --- published numbers ----------------------------------------------------------------------------


class TestPublishedNumbers:
    def test_hyperliquid_funding_example(self) -> None:
        """Hyperliquid docs, "Funding": impact bid 10,100, oracle 10,000 -> premium 1%, F 0.95%."""
        premium = fu.premium_index(10_100.0, 10_120.0, 10_000.0)
        assert premium == pytest.approx(0.01, abs=1e-15)
        clamped = float(np.clip(0.0001 - premium, -0.0005, 0.0005))
        assert clamped == pytest.approx(-0.0005, abs=1e-15)
        assert fu.funding_rate(premium, 0.0001, 0.0005) == pytest.approx(0.0095, abs=1e-15)
        # paid hourly at one eighth: 0.11875% of oracle notional per hour, far below the 4%/h cap
        assert fu.rate_per_payment(0.0095, av.HOUR) == pytest.approx(0.0011875, abs=1e-15)
        capped = fu.funding_rate(premium, cap=8 * 0.04)
        assert capped == pytest.approx(0.0095, abs=1e-15)

    def test_hyperliquid_interest_is_11_6_percent_apr(self) -> None:
        """Hyperliquid docs: 0.01% every 8 hours "or 11.6% APR" (compounded over 1,095 periods)."""
        assert round((1 + 0.0001) ** 1095 - 1, 3) == 0.116

    def test_dydx_cap_and_impact_notional(self) -> None:
        """dYdX docs: 600% * (5% - 3%) = 12%; 500 USDC / 10% = 5,000 USDC."""
        assert fu.margin_funding_cap(0.05, 0.03) == pytest.approx(0.12, abs=1e-15)
        for imf, mmf in ((0.05, 0.03), (0.10, 0.05), (0.20, 0.10)):  # the liquidity tiers
            assert fu.margin_funding_cap(imf, mmf) == pytest.approx(6 * (imf - mmf), abs=1e-15)
        assert fu.impact_notional(500, 0.10) == pytest.approx(5_000.0)
        hourly = fu.dydx_funding_rate(1.0, cap=fu.margin_funding_cap(0.05, 0.03))
        assert hourly == pytest.approx(0.015, abs=1e-15)
        assert fu.dydx_funding_rate(-1.0, cap=0.12) == pytest.approx(-0.015, abs=1e-15)

    def test_binance_impact_notional(self) -> None:
        """Binance (via mirrors): BNBUSDT 20x, so IMR 5%: "IMN is 4,000 USDT (200 USDT / 5%)"."""
        assert fu.impact_notional(200, 0.05) == pytest.approx(4_000.0)

    def test_bybit_interest_rate(self) -> None:
        """Bybit legacy page: "(0.06%-0.03%)/3 = 0.01%"."""
        assert fu.interest_rate(0.0006, 0.0003, 3) == pytest.approx(0.0001, abs=1e-15)

    def test_bybit_linear_weights_match_the_page(self) -> None:
        """(P_1 * 1 + ... + P_480 * 480) / (1 + ... + 480), written out term by term."""
        rng = np.random.default_rng(5)
        p = rng.normal(0, 1e-3, 480)
        direct = sum((i + 1) * p[i] for i in range(480)) / sum(range(1, 481))
        assert av.linearly_weighted_average(p) == pytest.approx(direct, rel=1e-12)

    def test_binance_dead_band(self) -> None:
        """Binance/Bybit: "if (I - P) is within +/-0.05% then F = P + (I - P) = I"."""
        premiums = np.linspace(-0.0004, 0.0006, 101)
        assert np.allclose(fu.funding_rate(premiums), 0.0001, rtol=0, atol=1e-18)

    def test_binance_index_rules(self) -> None:
        """Binance "Price Index": >5% from the median -> weight 0; more than one -> the median."""
        w = [0.4, 0.3, 0.2, 0.1]
        one = ix.index_price([100.0, 100.4, 99.8, 94.0], w)
        assert one.outliers.tolist() == [False, False, False, True]
        assert one.price == pytest.approx((40 + 30.12 + 19.96) / 0.9)
        two = ix.index_price([100.0, 100.4, 94.0, 107.0], w)
        assert two.used_median and two.price == pytest.approx(np.median([100, 100.4, 94, 107]))
        # exactly 5% away is not "more than 5%"
        edge = ix.index_price([100.0, 100.0, 100.0, 95.0], w)
        assert not edge.outliers.any()

    def test_binance_stale_rule(self) -> None:
        """Binance "Price Index": no update for 10 seconds -> weight zero."""
        stale = ix.stale_sources([95.0, 89.0, 99.5, 90.5], now=100.0, max_age=10.0)
        assert stale.tolist() == [False, True, False, False]
        r = ix.index_price([100.0, 50.0, 101.0, 102.0], [0.25, 0.25, 0.25, 0.25], stale=stale)
        assert r.price == pytest.approx(101.0)
        assert r.weights.tolist() == pytest.approx([1 / 3, 0.0, 1 / 3, 1 / 3])

    def test_bitmex_fair_price_decays(self) -> None:
        """BitMEX: Fair Price = Index * (1 + F * tau / T); at a funding instant, the index."""
        index, rate = 40_000.0, 0.00375
        taus = np.array([8, 6, 4, 2, 0]) * av.HOUR
        fair = mk.fair_price(index, rate, taus)
        assert fair.tolist() == pytest.approx(
            index * (1 + rate * np.array([1, 0.75, 0.5, 0.25, 0]))
        )
        assert fair[-1] == index

    def test_hyperliquid_ema_update_formula(self) -> None:
        """The docs' update: num -> num*exp(-t/2.5 min) + sample*t; den likewise with t."""
        rng = np.random.default_rng(1)
        x = rng.normal(0, 1, 400)
        t = rng.uniform(0.5, 6.0, 400)
        num = den = 0.0
        expected = []
        for xk, tk in zip(x, t, strict=True):
            num = num * math.exp(-tk / 150.0) + xk * tk
            den = den * math.exp(-tk / 150.0) + tk
            expected.append(num / den)
        assert av.ema(x, t, time_constant=150.0) == pytest.approx(expected, rel=1e-10, abs=1e-12)


# --- no-arbitrage perpetual price -----------------------------------------------------------------


class TestPerpetualPrice:
    CASES = [  # QuantLib's test parameters: spot, r, q, kappa, iota, period (years)
        (10_000.0, 0.04, 0.02, 0.01, 0.005, 0.25),
        (10_000.0, 0.05, 0.0, 1.0, 0.0001, DT_8H),
        (60_000.0, 0.0, 0.03, 0.3, -0.001, DT_8H),
    ]

    @pytest.mark.parametrize(("x", "r", "q", "k", "i", "dt"), CASES)
    def test_closed_forms_as_quantlib_writes_them(self, x, r, q, k, i, dt) -> None:
        """AHJ eq. (12) and the current-spot variant, in the exp(q dt)/exp(r dt) form."""
        eq, er = math.exp(q * dt), math.exp(r * dt)
        previous = x * (k - i) * eq / (eq - er + k * eq)
        current = x * (k - i) * er / (eq - er + k * er)
        assert pp.perpetual_price(x, kappa=k, iota=i, r=r, q=q, period=dt) == pytest.approx(
            previous, rel=1e-12
        )
        got = pp.perpetual_price(x, kappa=k, iota=i, r=r, q=q, period=dt, funding_on="current")
        assert got == pytest.approx(current, rel=1e-12)

    def test_continuous_closed_form(self) -> None:
        """AHJ Prop. 3: f = x (k - i) / (q - r + k); QuantLib's continuous case."""
        got = pp.perpetual_price(10_000.0, kappa=0.2, iota=0.005, r=0.04, q=0.02)
        assert got == pytest.approx(10_000.0 * 0.195 / 0.18, rel=1e-14)

    def test_continuous_is_the_limit_of_discrete(self) -> None:
        kappa_year, iota_year = 3.0, 0.1
        cont = pp.perpetual_price(100.0, kappa=kappa_year, iota=iota_year, r=0.05, q=0.01)
        dt = 1e-6
        disc = pp.perpetual_price(
            100.0, kappa=kappa_year * dt, iota=iota_year * dt, r=0.05, q=0.01, period=dt
        )
        assert disc == pytest.approx(cont, rel=1e-5)

    @pytest.mark.parametrize("funding_on", ["previous", "current"])
    @pytest.mark.parametrize(("x", "r", "q", "k", "i", "dt"), CASES)
    def test_fixed_point_iteration_converges_to_closed_form(
        self, x, r, q, k, i, dt, funding_on
    ) -> None:
        fp = pp.perpetual_price_iterate(
            x, kappa=k, iota=i, r=r, q=q, period=dt, funding_on=funding_on
        )
        closed = pp.perpetual_price(x, kappa=k, iota=i, r=r, q=q, period=dt, funding_on=funding_on)
        assert fp.price == pytest.approx(closed, rel=1e-10)
        assert fp.history[0] == x

    @pytest.mark.parametrize("funding_on", ["previous", "current"])
    def test_monte_carlo_agrees_within_four_standard_errors(self, funding_on) -> None:
        kw = dict(kappa=0.05, iota=0.001, r=0.06, q=0.01, period=1 / 12, funding_on=funding_on)
        mc = pp.perpetual_price_monte_carlo(100.0, sigma=0.5, n_paths=200_000, seed=4, **kw)
        closed = pp.perpetual_price(100.0, **kw)
        assert abs(mc.price - closed) < 4 * mc.stderr
        assert abs(closed - 100.0) > 10 * mc.stderr  # the check has teeth

    def test_monte_carlo_continuous(self) -> None:
        mc = pp.perpetual_price_monte_carlo(
            100.0, kappa=0.2, iota=0.005, r=0.04, q=0.02, sigma=0.3, n_paths=200_000, seed=9
        )
        assert abs(mc.price - 100.0 * 0.195 / 0.18) < 4 * mc.stderr

    def test_interest_component_that_pins_the_perp_to_spot(self) -> None:
        """iota = exp((r - q) dt) - 1 makes f = x exactly, whatever kappa."""
        for k in (0.01, 0.3, 1.0, 5.0):
            iota = math.expm1(0.07 * DT_8H)
            f = pp.perpetual_price(100.0, kappa=k, iota=iota, r=0.08, q=0.01, period=DT_8H)
            assert f == pytest.approx(100.0, rel=1e-13)

    def test_weak_funding_has_no_price(self) -> None:
        with pytest.raises(ValueError, match="kappa must exceed"):
            pp.perpetual_price(100.0, kappa=0.01, r=0.05)
        with pytest.raises(ValueError, match="does not contract"):
            pp.perpetual_price_iterate(100.0, kappa=0.001, r=0.5, period=1.0)


# --- funding over time and its effect on the liquidation price ------------------------------------


class TestFundingOverTime:
    def test_hourly_and_eight_hourly_agree_at_settlements(self) -> None:
        t = np.arange(0, 72 * av.HOUR + 1, 600.0)
        hourly = fu.cumulative_funding(+1, 2.0, t, 0.0003, 50_000.0, payment_interval=av.HOUR)
        eight = fu.cumulative_funding(+1, 2.0, t, 0.0003, 50_000.0)
        at_settlements = np.isclose(np.mod(t, 8 * av.HOUR), 0)
        assert np.allclose(hourly[at_settlements], eight[at_settlements], rtol=1e-12)
        assert eight[-1] == pytest.approx(9 * 2 * 50_000 * 0.0003)
        assert np.all(np.diff(hourly) >= 0) and np.all(np.diff(eight) >= 0)

    def test_short_receives_what_long_pays(self) -> None:
        t = np.arange(0, 24 * av.HOUR + 1, av.HOUR)
        price = np.linspace(100, 120, t.size)
        long = fu.cumulative_funding(+1, 3.0, t, 0.001, price, payment_interval=av.HOUR)
        short = fu.cumulative_funding(-1, 3.0, t, 0.001, price, payment_interval=av.HOUR)
        assert np.allclose(long, -short)

    def test_inverse_funding_is_paid_in_coins(self) -> None:
        paid = fu.funding_payment(+1, 1_000, 25_000.0, 0.0001, "inverse", contract_value=100)
        assert paid == pytest.approx(1_000 * 100 / 25_000 * 0.0001)

    def test_drift_matches_the_closed_form(self) -> None:
        """Linear long at a constant mark: LP rises by r*P/(1 - m) per payment and the position
        is liquidatable after ceil((1/L - m) / r) payments (8-hourly) or ceil(8 (1/L - m) / r)
        hourly ones. 12x keeps the threshold off a payment, where rounding would decide."""
        lev, m, r, p = 12.0, 0.005, 0.001, 60_000.0
        t = np.arange(0, 40 * 24 * av.HOUR + 1, av.HOUR)
        d = fu.funding_drift(+1, 1.0, p, t, r, p, leverage=lev, mmr=m)
        n_paid = np.floor(t / (8 * av.HOUR) + 1e-9)
        expected = p * (1 - 1 / lev + n_paid * r) / (1 - m)
        assert np.allclose(d.liquidation.price, expected, rtol=1e-12)
        n_star = math.ceil((1 / lev - m) / r)
        assert n_star == 79
        assert d.first_liquidatable == pytest.approx(n_star * 8 * av.HOUR)
        hourly = fu.funding_drift(
            +1, 1.0, p, t, r, p, leverage=lev, mmr=m, payment_interval=av.HOUR
        )
        assert hourly.first_liquidatable == pytest.approx(
            math.ceil(8 * (1 / lev - m) / r) * av.HOUR
        )

    def test_drift_on_oracle_notional(self) -> None:
        t = np.array([0.0, av.HOUR])
        on_mark = fu.funding_drift(
            +1, 10, 10_000, t, 0.0095, 10_050.0, leverage=5, payment_interval=av.HOUR
        )
        on_oracle = fu.funding_drift(
            +1,
            10,
            10_000,
            t,
            0.0095,
            10_050.0,
            leverage=5,
            payment_interval=av.HOUR,
            funding_price=10_000.0,
        )
        assert on_oracle.paid[-1] == pytest.approx(118.75)
        assert on_mark.paid[-1] == pytest.approx(10 * 10_050 * 0.0095 / 8)

    def test_drift_delegates_to_liquidation_price(self) -> None:
        t = np.arange(0, 5 * 8 * av.HOUR + 1, 8 * av.HOUR)
        d = fu.funding_drift(-1, 2.0, 3_000.0, t, -0.0005, 3_000.0, leverage=20, mmr=0.01)
        direct = lq.liquidation_price(-1, 2.0, 3_000.0, leverage=20, mmr=0.01, extra_margin=-d.paid)
        assert np.allclose(d.liquidation.price, direct.price)
        assert np.all(np.diff(d.liquidation.price) < 0)  # a paying short's price falls to market


# --- mark prices on a path ------------------------------------------------------------------------


class TestMarkRules:
    def test_short_wick_moves_a_moving_average_by_area_over_window(self) -> None:
        """A box of depth D lasting d <= W shifts the MA basis by D * d / W at its end."""
        n, start, d = 600, 100, 60
        index = np.full(n, 100.0)
        mid = index.copy()
        mid[start : start + d] *= 0.9
        ma = mk.basis_moving_average(mid, index, window=150.0, interval=1.0)
        assert ma.min() == pytest.approx(-10.0 * d / 150.0)
        ma5 = mk.basis_moving_average(mid, index, window=mk.BINANCE_COINM_BASIS)
        assert ma5.min() == pytest.approx(-10.0 * d / 150.0)

    def test_ema_of_a_short_impulse_is_area_over_tau(self) -> None:
        x = np.zeros(3_000)
        x[1_000:1_002] = -1.0  # area 2 (unit-seconds)
        e = av.ema(x, 1.0, time_constant=150.0)
        assert e.min() == pytest.approx(-2 / 150.0, rel=0.01)

    def test_ema_blocks_match_the_loop_over_many_time_constants(self) -> None:
        rng = np.random.default_rng(2)
        x = rng.normal(0, 1, 5_000)
        t = rng.uniform(0.1, 40.0, 5_000)  # about 670 time constants: several blocks
        fast = av.ema(x, t, time_constant=150.0)
        slow = av.ema_reference(x, t, 150.0)
        assert np.allclose(fast, slow, rtol=1e-9, atol=1e-12)

    def test_ema_along_an_axis(self) -> None:
        x = np.random.default_rng(0).normal(size=(3, 50))
        by_row = av.ema(x, 2.0, time_constant=30.0)
        by_col = av.ema(x.T, 2.0, time_constant=30.0, axis=0)
        assert np.allclose(by_row, by_col.T)
        assert np.allclose(by_row[1], av.ema_reference(x[1], 2.0, 30.0))

    def test_moving_average_matches_a_direct_window(self) -> None:
        x = np.random.default_rng(8).normal(100, 1, 200)
        ma = av.moving_average(x, 30)
        direct = [x[max(0, k - 29) : k + 1].mean() for k in range(200)]
        assert np.allclose(ma, direct, rtol=1e-13)

    def test_median_mark_ignores_a_wick_in_last_alone(self) -> None:
        m = mk.median_mark_price(100.0, 0.0001, 4 * av.HOUR, 0.05, 80.0)
        assert m.price == pytest.approx(100.005)  # Price 1, the lower of the index-based two

    def test_breached(self) -> None:
        path = [100.0, 96.0, 103.0]
        lp = np.array([97.0, 95.0, 102.0, 104.0, np.nan])
        sides = np.array([1, 1, -1, -1, 1])
        assert mk.breached(path, lp, sides).tolist() == [True, False, True, False, False]


# --- properties (hypothesis) ----------------------------------------------------------------------


@given(price_triples)
def test_median_mark_never_leaves_the_range_of_its_inputs(triple) -> None:
    index, basis, last = triple
    m = mk.median_mark_price(index, 0.0003, 2 * av.HOUR, basis, last)
    lo = min(m.price1, m.price2, m.last)
    hi = max(m.price1, m.price2, m.last)
    assert lo <= m.price <= hi
    assert m.price in (m.price1, m.price2, m.last)


@given(
    st.floats(1e-3, 1e6),
    st.integers(1, 300),
    st.floats(0.1, 10.0),
    st.floats(1.0, 1_000.0),
)
def test_ema_of_a_constant_is_that_constant(c, n, dt, tau) -> None:
    out = av.ema(np.full(n, c), dt, time_constant=tau)
    assert np.allclose(out, c, rtol=1e-12)


@given(st.floats(1e-3, 1e6), st.integers(1, 300), st.integers(1, 50))
def test_moving_average_of_a_constant_is_that_constant(c, n, w) -> None:
    assert np.allclose(av.moving_average(np.full(n, c), w), c, rtol=1e-12)


@given(st.floats(1.0, 1e6), st.floats(0, 8 * 3600.0))
def test_zero_basis_fair_price_is_the_index(index, tau) -> None:
    assert mk.fair_price(index, 0.0, tau) == index
    assert mk.basis_rate_mark_price(index, 0.0) == index


@given(basis_series())
def test_ema_is_a_weighted_average_of_its_samples(series) -> None:
    x, dt = series
    e = av.ema(x, dt, time_constant=60.0)
    assert np.all(e >= np.minimum.accumulate(x) - 1e-9)
    assert np.all(e <= np.maximum.accumulate(x) + 1e-9)


@given(source_sets(), st.floats(0.08, 5.0), st.sampled_from([-1, 1]), st.data())
def test_one_outlier_cannot_move_the_index_beyond_the_others(sources, jump, sign, data) -> None:
    prices, weights = sources  # within 1% of each other, so the moved one is > 5% from the median
    j = data.draw(st.integers(0, prices.size - 1))
    moved = prices.copy()
    moved[j] = np.median(prices) * (1 + jump) ** sign
    others = np.delete(moved, j)
    r = ix.index_price(moved, weights)
    assert r.outliers[j]
    assert others.min() * (1 - 1e-12) <= r.price <= others.max() * (1 + 1e-12)


@given(source_sets(), st.floats(0.0, 0.049))
def test_inside_threshold_pull_is_weight_times_move(sources, x) -> None:
    prices, weights = sources
    base = np.full(prices.size, 100.0)
    moved = base.copy()
    moved[0] *= 1 - x
    w = weights / weights.sum()
    r = ix.index_price(moved, weights)
    assume(not r.outliers.any())
    assert 100.0 - r.price == pytest.approx(100.0 * w[0] * x, rel=1e-9, abs=1e-9)


@given(source_sets())
def test_equal_weight_median_is_numpy_median(sources) -> None:
    prices, _ = sources
    assert av.weighted_median(prices, np.ones(prices.size)) == pytest.approx(np.median(prices))


@given(source_sets())
def test_weighted_median_is_one_of_the_values_or_a_midpoint(sources) -> None:
    prices, weights = sources
    wm = av.weighted_median(prices, weights)
    assert prices.min() <= wm <= prices.max()


@given(rates, rates, st.floats(0.0, 0.002))
def test_funding_rate_stays_within_the_clamp_of_the_premium(premium, interest, clamp) -> None:
    f = fu.funding_rate(premium, interest, clamp)
    assert premium - clamp - 1e-15 <= f <= premium + clamp + 1e-15
    if abs(premium - interest) <= clamp:
        assert f == pytest.approx(interest, abs=1e-15)


@given(st.floats(-0.01, 0.01), st.integers(1, 500))
def test_averages_of_a_constant_premium(p, n) -> None:
    x = np.full(n, p)
    assert av.linearly_weighted_average(x) == pytest.approx(p, abs=1e-15)
    assert av.time_weighted_average(x) == pytest.approx(p, abs=1e-15)


# --- bad input ------------------------------------------------------------------------------------


class TestBadInput:
    def test_empty_source_list(self) -> None:
        with pytest.raises(ValueError, match="prices must hold at least one source"):
            ix.index_price(np.empty((3, 0)))
        with pytest.raises(ValueError, match="at least one source"):
            ix.index_price([])

    def test_mismatched_lengths(self) -> None:
        with pytest.raises(ValueError, match="weights must give one weight per source"):
            ix.index_price([100.0, 101.0, 99.0], [0.5, 0.5])
        with pytest.raises(ValueError, match="mid and index must have the same shape"):
            mk.basis_moving_average([1.0, 2.0], [1.0, 2.0, 3.0], window=2.0)
        with pytest.raises(ValueError, match="dt must be a scalar or one duration per sample"):
            av.ema([1.0, 2.0, 3.0], [1.0, 1.0], time_constant=10.0)
        with pytest.raises(ValueError, match="rate must be a scalar or one value per time"):
            fu.cumulative_funding(1, 1.0, [0.0, 1.0, 2.0], [0.1, 0.1], 100.0)
        with pytest.raises(ValueError, match="weights must match values"):
            av.weighted_median([1.0, 2.0, 3.0], [1.0, 2.0])

    def test_negative_weights(self) -> None:
        with pytest.raises(ValueError, match="weights must be >= 0"):
            ix.index_price([100.0, 101.0, 99.0], [0.5, -0.2, 0.7])
        with pytest.raises(ValueError, match="weights must be >= 0"):
            av.weighted_median([1.0, 2.0], [1.0, -1.0])

    def test_nan_prices(self) -> None:
        with pytest.raises(ValueError, match="prices must be finite, got nan"):
            ix.index_price([100.0, float("nan"), 99.0])
        with pytest.raises(ValueError, match="last_price must be finite"):
            mk.median_mark_price(100.0, 0.0, 0.0, 0.0, float("nan"))
        with pytest.raises(ValueError, match="samples must be finite"):
            av.ema([1.0, float("nan")], 1.0, time_constant=5.0)
        with pytest.raises(ValueError, match="index must be > 0"):
            mk.fair_price(-1.0, 0.0, 0.0)

    def test_every_source_stale(self) -> None:
        prices = np.array([[100.0, 101.0], [100.5, 101.5], [100.2, 100.9]])
        stale = np.array([[False, False], [True, True], [False, True]])
        with pytest.raises(ValueError, match="every source is stale .* at step 1"):
            ix.index_price(prices, stale=stale)
        held = ix.index_price(prices, stale=stale, all_stale="hold")
        assert held.held.tolist() == [False, True, False]
        assert held.price[1] == held.price[0] and held.price[2] == 100.2

    def test_bad_options_and_ranges(self) -> None:
        with pytest.raises(ValueError, match="rule must be one of"):
            ix.index_price([100.0, 101.0], rule="trim")
        with pytest.raises(ValueError, match="threshold must be a fraction"):
            ix.index_price([100.0, 101.0], threshold=0.0)
        with pytest.raises(ValueError, match="window must be a whole multiple"):
            mk.basis_moving_average([1.0] * 10, [1.0] * 10, window=12.0, interval=5.0)
        with pytest.raises(ValueError, match="interval must be a whole multiple"):
            mk.basis_moving_average([1.0] * 10, [1.0] * 10, window=15.0, interval=2.5, dt=1.0)
        with pytest.raises(ValueError, match="time_to_funding must lie in"):
            mk.funding_basis(0.001, 9 * av.HOUR)
        with pytest.raises(ValueError, match="clamp must be >= 0"):
            fu.funding_rate(0.001, clamp=-0.0005)
        with pytest.raises(ValueError, match="maintenance_margin_fraction must be below"):
            fu.margin_funding_cap(0.03, 0.05)
        with pytest.raises(ValueError, match="the book holds"):
            fu.impact_price([100.0, 99.0], [1.0, 1.0], 1_000.0)
        with pytest.raises(ValueError, match="impact_bid must not exceed impact_ask"):
            fu.premium_index(101.0, 100.0, 100.0)
        with pytest.raises(ValueError, match="times must be strictly increasing"):
            fu.cumulative_funding(1, 1.0, [0.0, 0.0], 0.001, 100.0)
        with pytest.raises(ValueError, match="window must be an integer in \\[1, "):
            av.moving_average([1.0, 2.0], 0)
        with pytest.raises(ValueError, match="side must be"):
            fu.funding_payment(2, 1.0, 100.0, 0.001)


class TestMissedByMutation:
    """Issue 15: one-line mutations the suite used to let through, each now pinned by a value."""

    def test_time_to_funding_values(self) -> None:
        # Binance: funding at 00:00, 08:00 and 16:00 UTC (every 28,800 s from midnight).
        t = np.array([0.0, 1.0, 28_799.0, 28_800.0, 28_801.0, 57_600.0 - 0.5, -1.0])
        got = mk.time_to_funding(t)
        assert got.tolist() == [0.0, 28_799.0, 1.0, 0.0, 28_799.0, 0.5, 1.0]

    def test_time_to_funding_with_an_offset_and_hourly_interval(self) -> None:
        got = mk.time_to_funding([0.0, 1_799.0, 1_800.0, 1_801.0], 3_600.0, offset=1_800.0)
        assert got.tolist() == [1_800.0, 1.0, 0.0, 3_599.0]

    def test_time_to_funding_scalar(self) -> None:
        assert mk.time_to_funding(3_600.0) == 25_200.0

    def test_dydx_funding_with_a_nonzero_interest_term(self) -> None:
        # dYdX docs, "Funding": "Funding Rate = (Premium Component / 8) + Interest Rate
        # Component"; isolated markets carry 0.125 bp/h of interest.
        interest = 0.125e-4
        assert fu.dydx_funding_rate(0.004, interest=interest) == pytest.approx(
            0.0005 + 0.0000125, abs=1e-18
        )
        assert fu.dydx_funding_rate(-0.004, interest=interest) == pytest.approx(
            -0.0005 + 0.0000125, abs=1e-18
        )
        assert fu.dydx_funding_rate(0.0, interest=interest) == interest

    def test_dydx_cap_applies_to_premium_plus_interest(self) -> None:
        # cap 12% per 8 h = 1.5% per hour, on the whole hourly rate (interest included)
        capped = fu.dydx_funding_rate(0.2, interest=0.001, cap=0.12)
        assert capped == pytest.approx(0.015, abs=1e-15)
        assert fu.dydx_funding_rate(0.1192, interest=0.0001, cap=0.12) == pytest.approx(
            0.1192 / 8 + 0.0001, abs=1e-15
        )

    def test_impact_price_ending_inside_a_later_level(self) -> None:
        # Levels 100 x 10, 99 x 20, 98 x 50: notional 1,000 + 1,980 + 4,900. An impact notional
        # of 3,500 takes levels 1 and 2 whole (30 base for 2,980) and 520 / 98 base of level 3.
        got = fu.impact_price([100.0, 99.0, 98.0], [10.0, 20.0, 50.0], 3_500.0)
        assert got == pytest.approx(3_500.0 / (30.0 + 520.0 / 98.0), rel=1e-15)
        # Ending exactly at a level boundary: 2,980 of notional is exactly 30 base.
        edge = fu.impact_price([100.0, 99.0, 98.0], [10.0, 20.0, 50.0], 2_980.0)
        assert edge == pytest.approx(2_980.0 / 30.0, rel=1e-15)
        # Within the first level the price is the best price.
        assert fu.impact_price([100.0, 99.0], [10.0, 20.0], 500.0) == 100.0

    def test_impact_price_on_the_ask_side(self) -> None:
        got = fu.impact_price([100.0, 101.0, 103.0], [1.0, 1.0, 10.0], 510.0)
        assert got == pytest.approx(510.0 / (2.0 + 309.0 / 103.0), rel=1e-15)
