"""BitMEX module: Fair Price Marking, insurance fund, ADL ranking and queue, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import prices, sides

import liqlib as lq
from liqlib.venues import bitmex

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")


class TestFairPrice:
    @given(index=prices, f=st.floats(-0.0075, 0.0075), tau=st.floats(0.0, 8.0))
    def test_perpetual_mark_decays_to_the_index(self, index, f, tau):
        mark = bitmex.fair_price(index, f, tau, 8.0)
        assert mark == pytest.approx(index * (1 + f * tau / 8.0), rel=1e-15)
        assert bitmex.fair_price(index, f, 0.0) == index
        assert (mark - index) * f >= 0  # above the index when longs pay

    def test_vectorized_over_time(self) -> None:
        out = bitmex.fair_price(10_000, 0.0001, np.array([8.0, 4.0, 0.0]))
        np.testing.assert_allclose(out, [10_001.0, 10_000.5, 10_000.0])

    @given(index=prices, mid_over_index=st.floats(0.8, 1.2), days=st.floats(0.5, 365.0))
    def test_future_marks_at_impact_mid_when_the_basis_is_set(self, index, mid_over_index, days):
        mid = index * mid_over_index
        rate = bitmex.fair_basis_rate(mid, index, days)
        assert bitmex.futures_fair_price(index, rate, days) == pytest.approx(mid, rel=1e-12)
        assert bitmex.futures_fair_price(index, rate, 0.0) == index  # converges at expiry


class TestInsuranceFund:
    @given(side=sides, size=st.floats(1.0, 1e6), bp=prices, move=st.floats(-0.05, 0.05))
    def test_fund_gains_exactly_when_filled_better_than_bankruptcy(self, side, size, bp, move):
        fill = bp * (1 + move)
        for kind in ("linear", "inverse"):
            delta = bitmex.insurance_fund_delta(side, size, bp, fill, kind=kind)
            better = side * (fill - bp)  # a long sells above, a short buys below bankruptcy
            assert np.sign(delta) == np.sign(better)

    def test_inverse_delta_is_in_coin(self) -> None:
        # 10,000 XBTUSD long taken over at 9,000 and sold at 9,100: gain 10,000 (1/9,000 -
        # 1/9,100) XBT.
        delta = bitmex.insurance_fund_delta(1, 10_000, 9_000, 9_100)
        assert delta == pytest.approx(10_000 * (1 / 9_000 - 1 / 9_100), rel=1e-14)


class TestAutoDeleveraging:
    def test_position_value_differences_are_pnl(self) -> None:
        for kind in ("linear", "inverse"):
            for side in (1, -1):
                a = bitmex.position_value(side, 50, 110.0, kind=kind)
                b = bitmex.position_value(side, 50, 100.0, kind=kind)
                assert a - b == pytest.approx(lq.pnl(side, 50, 100.0, 110.0, kind), rel=1e-12)

    @given(side=sides, entry=prices, gain=st.floats(-0.3, 0.5), lev=st.floats(1.5, 100.0))
    def test_ranking_sign_and_leverage(self, side, entry, gain, lev):
        mark = entry * (1 + side * gain) if side * gain > -1 else entry
        bankrupt = lq.bankruptcy_price(side, 1_000, entry, leverage=lev, kind="inverse")
        if math.isnan(bankrupt) or side * (mark - bankrupt) <= 0:
            return
        rank = bitmex.adl_ranking(side, 1_000, entry, mark, bankrupt)
        pnl_pct = lq.pnl(side, 1_000, entry, mark, "inverse") / lq.notional(1_000, entry, "inverse")
        assert np.sign(rank) == np.sign(pnl_pct)
        # More leverage (bankruptcy closer to the mark) ranks a winner higher, a loser lower.
        closer = bankrupt + 0.5 * (mark - bankrupt)
        rank_closer = bitmex.adl_ranking(side, 1_000, entry, mark, closer)
        if pnl_pct > 0:
            assert rank_closer > rank
        elif pnl_pct < 0:
            assert rank_closer > rank  # dividing a loss by more leverage brings it toward 0

    def test_documented_example_queue(self) -> None:
        ranks, sizes = [3, 6, 1, 4, 5, 2], [10, 10, 20, 30, 20, 10]
        pct = bitmex.adl_percentile(ranks, sizes)
        np.testing.assert_allclose(pct, [0.8, 0.2, 1.0, 0.6, 0.4, 0.8])
        closed = bitmex.adl_allocation(ranks, sizes, 20)
        np.testing.assert_allclose(closed, [0, 10, 0, 0, 10, 0])
        assert bitmex.adl_allocation(ranks, sizes, 100).tolist() == [10, 10, 20, 30, 20, 10]

    @given(
        st.lists(st.tuples(st.floats(-10, 10), st.floats(0.1, 100)), min_size=1, max_size=30),
        st.floats(0.0, 1.0),
    )
    def test_allocation_fills_the_quantity_highest_rank_first(self, book, share):
        ranks, sizes = map(np.array, zip(*book, strict=True))
        quantity = share * sizes.sum()
        closed = bitmex.adl_allocation(ranks, sizes, quantity)
        assert closed.sum() == pytest.approx(quantity, rel=1e-9, abs=1e-9)
        assert np.all((closed >= 0) & (closed <= sizes))
        order = np.argsort(-ranks, kind="stable")
        partial = np.flatnonzero((closed[order] > 0) & (closed[order] < sizes[order]))
        assert partial.size <= 1  # at most one position is cut in part
        pct = bitmex.adl_percentile(ranks, sizes)
        assert np.all(np.isin(np.round(pct, 12), [0.2, 0.4, 0.6, 0.8, 1.0]))
        assert np.all(np.diff(pct[order]) >= 0)


class TestBadInput:
    def test_time_until_funding_beyond_interval(self) -> None:
        with pytest.raises(ValueError, match="time_until_funding must be at most"):
            bitmex.fair_price(10_000, 0.0001, 9, 8)
        with pytest.raises(ValueError, match="time_until_funding must be >= 0"):
            bitmex.funding_basis(0.0001, -1)

    def test_prices_and_rates(self) -> None:
        with pytest.raises(ValueError, match="index_price must be > 0"):
            bitmex.fair_price(0, 0.0001, 1)
        with pytest.raises(ValueError, match="impact_mid_price must be > 0"):
            bitmex.fair_basis_rate(-1, 100, 30)
        with pytest.raises(ValueError, match="time_to_expiry must be > 0"):
            bitmex.fair_basis_rate(105, 100, 0)
        with pytest.raises(ValueError, match="maint_margin must be a fraction"):
            bitmex.liquidation_price(1, 100, 10_000, leverage=10, maint_margin=0)
        with pytest.raises(ValueError, match="taker_fee must be a fraction"):
            bitmex.liquidation_price(1, 100, 10_000, leverage=10, taker_fee=-0.001)
        with pytest.raises(ValueError, match="funding_rate must be finite"):
            bitmex.liquidation_price(1, 100, 10_000, leverage=10, funding_rate=float("nan"))
        with pytest.raises(ValueError, match="give exactly one of leverage"):
            bitmex.liquidation_price(1, 100, 10_000)
        with pytest.raises(ValueError, match="side must be"):
            bitmex.insurance_fund_delta(0, 1, 99, 99.25)
        with pytest.raises(ValueError, match="initial_margin must be a fraction"):
            bitmex.impact_margin_notional(0)

    def test_adl_inputs(self) -> None:
        with pytest.raises(ValueError, match="one entry per position"):
            bitmex.adl_percentile([1, 2], [1])
        with pytest.raises(ValueError, match="quantity must be at most"):
            bitmex.adl_allocation([1, 2], [1, 1], 3)
        with pytest.raises(ValueError, match="one distinct label"):
            bitmex.adl_queue(["a", "a"], [1, 2], [1, 1])


class TestRiskLimits:
    xbt = bitmex.XBTUSD_RISK_LIMITS

    def test_maintenance_jumps_at_each_limit_where_the_tier_table_does_not(self) -> None:
        """A step's rate on the whole value: maintenance jumps by rate_per_step * limit (1 XBT at
        200 XBT, 1.75 at 350); the cum-continuous TierTable of the same brackets does not jump."""
        table = self.xbt.tier_table(3)
        for k, limit in enumerate([200.0, 350.0, 500.0]):
            below, above = limit, limit * (1 + 1e-12)
            jump = float(self.xbt.maintenance_margin(above) - self.xbt.maintenance_margin(below))
            assert jump == pytest.approx(float(self.xbt.jump(k)), rel=1e-9)
            assert jump == pytest.approx(0.005 * limit, rel=1e-9)
            smooth = float(table.maintenance_margin(above) - table.maintenance_margin(below))
            assert abs(smooth) < 1e-9
        # away from the limits the step rule always asks at least as much as the smooth one
        values = np.linspace(1.0, 649.0, 500)
        step, smooth = self.xbt.maintenance_margin(values), table.maintenance_margin(values)
        assert np.all(step >= smooth - 1e-12)

    def test_the_jump_is_why_bitmex_steps_down(self) -> None:
        """230 XBT with 1.5 XBT of equity: below the 2.30 XBT the step rule asks, so it is
        liquidated, though the smooth table (1.30 XBT) would not liquidate it. Selling the 30 XBT
        above the 200 XBT limit ("a FillOrKill order, of a size to bring the position value below
        a lower tier Risk Limit") leaves 200 XBT needing 1.00: compliant after 13% of the
        position."""
        equity, value = 1.5, 230.0
        assert equity < self.xbt.maintenance_margin(value)
        assert equity > self.xbt.tier_table(2).maintenance_margin(value)
        target = self.xbt.step_down_value(value)
        assert target == 200.0
        assert self.xbt.maintenance_margin(target) < equity  # fills near the mark keep the equity
        assert math.isnan(self.xbt.step_down_value(150.0))  # no lower limit: taken over whole

    @given(value=st.floats(0.0, 5_000.0))
    def test_rates_and_limits_are_consistent(self, value: float) -> None:
        n = self.xbt.steps(value)
        limit = self.xbt.risk_limit(value)
        assert value <= limit + 1e-9 and (n == 0 or value > limit - 150.0 - 1e-9)
        assert self.xbt.maintenance_rate(value) == pytest.approx(0.005 * (1 + n))
        assert self.xbt.initial_rate(value) - self.xbt.maintenance_rate(value) == pytest.approx(
            0.005)
        assert self.xbt.maintenance_margin(-value) == self.xbt.maintenance_margin(value)  # shorts

    def test_vectorized_and_custom_step_rate(self) -> None:
        got = self.xbt.maintenance_rate(np.array([100.0, 200.0, 200.5, 350.0, 351.0]))
        np.testing.assert_allclose(got, [0.005, 0.005, 0.01, 0.01, 0.015])
        limits = bitmex.RiskLimits(1_000.0, 500.0, 0.004, 0.008, step_rate=0.002, unit="USDT")
        assert limits.maintenance_rate(1_600.0) == pytest.approx(0.008)
        assert limits.rate_per_step == 0.002

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="risk_step must be > 0"):
            bitmex.RiskLimits(200.0, 0.0, 0.005, 0.01)
        with pytest.raises(ValueError, match="base_initial must exceed base_maintenance"):
            bitmex.RiskLimits(200.0, 150.0, 0.01, 0.005)
        with pytest.raises(ValueError, match="position_value must be finite"):
            self.xbt.maintenance_margin(float("nan"))
        with pytest.raises(ValueError, match="n_steps must be"):
            self.xbt.tier_table(-1)

    def test_the_engine_steps_down_on_the_step_table(self) -> None:
        """The engine on BitMEX's rules, a long worth 230 (risk limits 200 + 150 steps, 0.5% +
        0.5% per step) with 1.5 of equity at the mark: the step table asks 1% of all of it, so the
        engine liquidates, and sells only down to the 200 limit; the cum-continuous table of the
        same brackets asks 1.265 and leaves the position alone."""
        from liqlib.engine import Engine, LevelLadder, ResilientBook, Trader

        limits = bitmex.RiskLimits(200.0, 150.0, 0.005, 0.01)
        mark = 100.0 - 3.5 / 2.3  # equity 5 - 3.5 = 1.5 on 2.3 units from 100

        def run(table):  # type: ignore[no-untyped-def]
            bids = LevelLadder.from_prices([mark - 0.01], [1e6], mid=mark)
            engine = Engine([Trader(5.0, +1, 2.3, 100.0)], 100.0, rules="bitmex",
                            maintenance=table, book=ResilientBook(bids, bids, half_life=np.inf))
            engine.step(mark)
            return engine

        step = run(limits.step_table(3))
        smooth = run(limits.tier_table(3))
        assert float(smooth.size[0]) == 2.3 and not smooth.ledger.of_kind("fill")
        left = float(step.size[0])
        assert 0 < left * mark < 200.0 and left * mark > 199.0  # just below the lower limit
        assert step.margin_equity()[0] > step.maintenance()[0]  # compliant after the step-down
        assert abs(step.audit().imbalance) < 1e-9

    def test_step_table_matches_the_risk_limits(self) -> None:
        table = self.xbt.step_table(3)
        values = np.array([0.0, 199.0, 200.0, 200.5, 350.0, 351.0, 650.0])
        assert table.index(values).tolist() == [0, 0, 0, 1, 1, 2, 3]
        np.testing.assert_allclose(table.maintenance_margin(values),
                                   self.xbt.maintenance_margin(values))
        assert table.index(10_000.0) == 3  # beyond the last limit: the last step's rate
        out = np.empty(2, dtype=np.int8)
        assert table.index(np.array([100.0, 400.0]), out=out) is out and out.tolist() == [0, 2]
        assert all(t.cum == 0.0 for t in table)
