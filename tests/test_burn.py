"""Liquidation-fee burns (liqlib.systemic.burn): buybacks, fee flow, supply and fund, EIP-1559."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import liqlib.engine.book as ob
import liqlib.systemic.backstop as bn_back
import liqlib.systemic.burn as bn
import liqlib.systemic.cascades as cc
from liqlib.engine import CappedBySurplus

PRICE = 60_000.0
seeds = st.integers(0, 2**16)
shares = st.floats(0.0, 1.0)


def flow_for(seed: int, periods: int = 40, *, step: float | None = 0.005,
             depth: float = 40.0, fee_rate: float = 0.005) -> bn.FeeFlow:
    pop = cc.generate_population(300, PRICE, seed=seed)
    shocks = bn.generate_shocks(periods, seed=seed + 1, scale=0.02)
    return bn.fee_flow(pop, PRICE, shocks, ob.flat_ladder(depth), fee_rate=fee_rate, step=step)


class TestBuyback:
    def test_without_impact_every_token_costs_the_price(self) -> None:
        b = bn.buyback([0.0, 100.0, 2_500.0], 5.0)
        assert b.tokens.tolist() == [0.0, 20.0, 500.0]
        assert b.spent.tolist() == [0.0, 100.0, 2_500.0]
        assert math.isnan(b.vwap[0]) and b.vwap[1] == 5.0

    def test_flat_book_matches_the_quadratic(self) -> None:
        # Flat ladder: cost(Q) = P (Q + r Q^2 / (2 D)); solve P r/(2D) Q^2 + P Q - B = 0.
        price, depth, budget, ref = 10.0, 5_000.0, 10_000.0, 0.01
        a = price * ref / (2 * depth)
        q = (-price + math.sqrt(price**2 + 4 * a * budget)) / (2 * a)
        b = bn.buyback(budget, price, ob.flat_ladder(depth))
        assert b.tokens == pytest.approx(q, rel=1e-12)
        assert b.spent == pytest.approx(budget, rel=1e-12) and b.spent <= budget

    @settings(max_examples=60, deadline=None)
    @given(budget=st.floats(0.0, 1e7), price=st.floats(0.01, 1e4),
           depth=st.floats(1.0, 1e6), alpha=st.sampled_from([1.0, 2.0, 0.5]))
    def test_vwap_agrees_with_the_book_and_the_budget_holds(
        self, budget: float, price: float, depth: float, alpha: float
    ) -> None:
        ladder = ob.PowerLawLadder(depth, alpha)
        b = bn.buyback(budget, price, ladder)
        assert 0 <= b.spent <= budget and b.unspent >= 0
        assert b.tokens <= budget / price * (1 + 1e-12)
        if b.tokens > 0:
            fill = ob.execute(ladder, ob.BUY, b.tokens, price)
            assert fill.vwap == pytest.approx(b.vwap, rel=1e-9)
            assert b.vwap >= price * (1 - 1e-12)

    def test_a_short_book_leaves_the_rest_unspent(self) -> None:
        asks = ob.LevelLadder.from_prices([10.1, 10.2], [10, 10], mid=10)
        b = bn.buyback(1_000.0, 10.0, asks)
        assert b.tokens == 20 and b.spent == pytest.approx(203.0)
        assert b.unspent == pytest.approx(797.0)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"budget": -1.0, "token_price": 1.0}, "budget"),
         ({"budget": float("nan"), "token_price": 1.0}, "budget"),
         ({"budget": 1.0, "token_price": 0.0}, "token_price")],
    )
    def test_bad_input(self, kwargs: dict[str, float], name: str) -> None:
        with pytest.raises(ValueError, match=name):
            bn.buyback(**kwargs)


class TestFeeFlow:
    def test_seeded_runs_are_reproducible(self) -> None:
        a, b = flow_for(5), flow_for(5)
        for field in ("shocks", "moves", "fees", "surplus", "fee", "offsets"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        np.testing.assert_array_equal(bn.generate_shocks(50, seed=9),
                                      bn.generate_shocks(50, seed=9))
        assert not np.array_equal(bn.generate_shocks(50, seed=9), bn.generate_shocks(50, seed=10))

    @settings(max_examples=15, deadline=None)
    @given(seed=seeds)
    def test_fee_is_capped_by_rate_and_surplus(self, seed: int) -> None:
        flow = flow_for(seed)
        assert np.all(flow.fee >= 0)
        assert np.all(flow.fee <= np.maximum(flow.surplus, 0) + 1e-12)
        assert flow.fees.sum() <= flow.fee_rate * flow.notional.sum() * (1 + 1e-12)
        assert flow.fees.sum() <= flow.fund_income.sum() + 1e-9
        assert flow.offsets[-1] == flow.surplus.size == flow.count.sum()
        # the same numbers as the engine's dYdX fee policy, one liquidation at a time
        policy = CappedBySurplus(flow.fee_rate)
        for s, n, f in list(zip(flow.surplus, flow.fill_notional, flow.fee, strict=True))[:60]:
            assert f == pytest.approx(policy.fee(s, n) if s >= 0 else 0.0, rel=1e-12, abs=1e-12)

    def test_one_step_per_period_is_the_cascade(self) -> None:
        pop = cc.generate_population(300, PRICE, seed=3)
        shocks = [-0.03, 0.02, 0.0, -0.1]
        ladder = ob.flat_ladder(40)
        flow = bn.fee_flow(pop, PRICE, shocks, ladder, fee_rate=0.005, path="reset")
        for t, shock in enumerate(shocks):
            if shock == 0:
                assert flow.count[t] == 0 and flow.moves[t] == 0
                continue
            r = cc.cascade(pop, PRICE, shock, ladder)
            assert flow.count[t] == r.count
            assert flow.notional[t] == pytest.approx(r.notional, rel=1e-12)
            assert flow.fund_income[t] == pytest.approx(r.fund_income, rel=1e-12)
            assert flow.fund_draw[t] == pytest.approx(r.fund_draw, rel=1e-12)
            assert flow.moves[t] == pytest.approx(r.price / PRICE - 1, rel=1e-12)

    def test_walking_the_move_liquidates_near_the_liquidation_price(self) -> None:
        pop = cc.generate_population(300, PRICE, seed=3)
        ladder = ob.flat_ladder(400)
        gap = bn.fee_flow(pop, PRICE, [-0.08], ladder, fee_rate=0.005)
        walk = bn.fee_flow(pop, PRICE, [-0.08], ladder, fee_rate=0.005, step=0.002)
        assert walk.fund_draw[0] < gap.fund_draw[0] and walk.fees[0] > gap.fees[0]
        # each position is liquidated at most once in a period
        assert walk.count[0] <= len(pop)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"shocks": [-1.0]}, "shocks"), ({"shocks": [0.5, 1.2]}, "shocks"),
         ({"fee_rate": -0.01}, "fee_rate"), ({"fee_rate": 1.0}, "fee_rate"),
         ({"step": 0.0}, "step"), ({"price": -5.0}, "price"), ({"path": "close"}, "path")],
    )
    def test_bad_input(self, kwargs: dict[str, object], name: str) -> None:
        pop = cc.Population.from_positions(1, [1, 1], 100, 10)
        args: dict[str, object] = {"price": 100.0, "shocks": [-0.05], "fee_rate": 0.005,
                                   "step": None}
        args.update(kwargs)
        with pytest.raises(ValueError, match=name):
            bn.fee_flow(pop, args.pop("price"), args.pop("shocks"), ob.flat_ladder(10),
                        **args)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"n_periods": 0}, "n_periods"), ({"n_periods": 2.5}, "n_periods"),
         ({"scale": 0.0}, "scale"), ({"down_share": 1.5}, "down_share"),
         ({"max_move": 1.0}, "max_move"), ({"tail": -1.0}, "tail")],
    )
    def test_bad_shock_parameters(self, kwargs: dict[str, float], name: str) -> None:
        args: dict[str, float] = {"n_periods": 10}
        args.update(kwargs)
        with pytest.raises(ValueError, match=name):
            bn.generate_shocks(seed=1, **args)  # type: ignore[arg-type]


class TestBurns:
    @settings(max_examples=25, deadline=None)
    @given(seed=seeds, share=shares, depth=st.sampled_from([None, 2_000.0]))
    def test_burn_never_exceeds_the_fee_flow_and_supply_never_rises(
        self, seed: int, share: float, depth: float | None
    ) -> None:
        flow = flow_for(seed)
        ladder = None if depth is None else ob.flat_ladder(depth)
        prices = bn.token_price_path(flow.moves, 5.0, beta=1.5)
        run = bn.run_burns(flow, share, supply=1e9, token_price=prices, fund=1e4, ladder=ladder)
        assert np.all(run.spent <= run.budget + 1e-12)
        assert np.all(run.budget <= run.fees + 1e-12)
        assert run.spent.sum() <= flow.fees.sum() + 1e-9
        # tokens are bought at the price or worse
        assert np.all(run.tokens_burned * run.token_price <= run.spent * (1 + 1e-12) + 1e-12)
        assert np.all(np.diff(run.supply) <= 0) and run.supply[0] == 1e9
        assert np.all(run.fund >= 0)

    @settings(max_examples=25, deadline=None)
    @given(seed=seeds, low=shares, extra=st.floats(0.0, 1.0), fund=st.floats(0.0, 5e4))
    def test_a_larger_burn_share_never_leaves_a_larger_fund(
        self, seed: int, low: float, extra: float, fund: float
    ) -> None:
        flow = flow_for(seed)
        high = min(1.0, low + extra)
        a = bn.run_burns(flow, low, supply=1e9, token_price=1.0, fund=fund)
        b = bn.run_burns(flow, high, supply=1e9, token_price=1.0, fund=fund)
        tol = 1e-9 * (1 + fund + flow.fund_income.sum())
        assert np.all(b.fund <= a.fund + tol)
        assert np.all(b.adl_loss >= a.adl_loss - tol)
        assert b.adl_volume >= a.adl_volume - tol
        assert b.supply[-1] <= a.supply[-1] * (1 + 1e-12)

    def test_no_burn_reproduces_the_cascade_fund(self) -> None:
        # One cascade per period, the fund carried: the cascade's own ADL, period by period.
        pop = cc.generate_population(300, PRICE, seed=11)
        shocks = bn.generate_shocks(30, seed=12, scale=0.03)
        ladder = ob.flat_ladder(30)
        flow = bn.fee_flow(pop, PRICE, shocks, ladder, fee_rate=0.005, path="reset")
        run = bn.run_burns(flow, 0.0, supply=1.0, token_price=1.0, fund=2e4)
        fund = 2e4
        for t, shock in enumerate(shocks):
            r = cc.cascade(pop, PRICE, float(shock), ladder, fund=fund)
            assert run.adl_loss[t] == pytest.approx(r.adl_loss, rel=1e-9, abs=1e-6)
            assert run.adl_count[t] == r.adl_count
            fund = fund + r.fund_income - r.fund_draw + r.adl_loss
            assert run.fund[t + 1] == pytest.approx(fund, rel=1e-9, abs=1e-6)
        assert run.adl_volume > 0  # the case is not vacuous

    def test_burning_everything_passes_every_uncovered_loss_to_adl(self) -> None:
        flow = flow_for(4, fee_rate=0.5)  # the fee takes the whole margin left
        run = bn.run_burns(flow, 1.0, supply=1e9, token_price=1.0)
        assert np.all(run.fund == 0)
        assert run.adl_volume == pytest.approx(flow.fund_draw.sum(), rel=1e-9)

    def test_supply_follows_the_tokens_bought(self) -> None:
        flow = flow_for(8)
        run = bn.run_burns(flow, 0.4, supply=1e6, token_price=2.0)
        np.testing.assert_allclose(run.tokens_burned, 0.4 * flow.fees / 2.0, rtol=1e-12)
        assert run.supply[-1] == pytest.approx(1e6 - 0.2 * flow.fees.sum(), rel=1e-12)
        assert run.burned_fraction == pytest.approx(0.2 * flow.fees.sum() / 1e6, rel=1e-9)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"burn_share": -0.1}, "burn_share"), ({"burn_share": 1.01}, "burn_share"),
         ({"burn_share": float("nan")}, "burn_share"), ({"supply": 0.0}, "supply"),
         ({"token_price": -1.0}, "token_price"), ({"token_price": [1.0, 2.0]}, "token_price"),
         ({"fund": -1.0}, "fund"), ({"supply": 1e-6}, "supply")],
    )
    def test_bad_input(self, kwargs: dict[str, object], name: str) -> None:
        flow = flow_for(2, periods=10)
        assert flow.fees.sum() > 0
        args: dict[str, object] = {"burn_share": 0.5, "supply": 1e9, "token_price": 1.0,
                                   "fund": 0.0}
        args.update(kwargs)
        with pytest.raises(ValueError, match=name):
            bn.run_burns(flow, **args)  # type: ignore[arg-type]

    def test_token_price_path(self) -> None:
        np.testing.assert_allclose(bn.token_price_path([0.1, -0.5], 2.0), [2.2, 1.1])
        with pytest.raises(ValueError, match="beta"):
            bn.token_price_path([-0.6], 2.0, beta=2.0)
        with pytest.raises(ValueError, match="beta"):
            bn.token_price_path([0.1], 2.0, beta=-1.0)


class TestMarketPath:
    SHOCKS = [-0.03, 0.02, 0.0, -0.1, 0.04]

    def flows(self) -> dict[str, bn.FeeFlow]:
        pop = cc.generate_population(300, PRICE, seed=3)
        return {path: bn.fee_flow(pop, PRICE, self.SHOCKS, ob.flat_ladder(40), fee_rate=0.003,
                                  step=0.005, path=path) for path in bn.PATHS}

    def test_each_path_carries_the_market_as_documented(self) -> None:
        f = self.flows()
        expected = PRICE * np.cumprod(1 + np.array([0.0, *self.SHOCKS]))
        np.testing.assert_allclose(f["shock"].market, expected, rtol=1e-12)
        np.testing.assert_allclose(f["shock"].returns, self.SHOCKS, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(f["cascade"].returns, f["cascade"].moves, rtol=1e-9)
        assert np.all(f["reset"].market == PRICE) and np.all(f["reset"].returns == 0)
        # the cascade's overshoot makes the fall days worse than their shock
        assert f["cascade"].market[-1] < f["shock"].market[-1]

    def test_reopened_positions_scale_with_the_open(self) -> None:
        # Prices scaled by k, sizes kept, the book's depth in base units: every fill scales by k,
        # so each period's fees are the reset period's times market[t] / price.
        f = self.flows()
        shock, reset = f["shock"], f["reset"]
        np.testing.assert_array_equal(shock.count, reset.count)
        scale = shock.market[:-1] / PRICE
        np.testing.assert_allclose(shock.fees, reset.fees * scale, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(shock.fund_draw, reset.fund_draw * scale, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(shock.moves, reset.moves, rtol=1e-9, atol=1e-12)

    @settings(max_examples=10, deadline=None)
    @given(seed=seeds)
    def test_a_token_on_the_flow_returns_follows_the_market(self, seed: int) -> None:
        flow = flow_for(seed, periods=20)
        token = bn.token_price_path(flow.returns, 5.0, beta=1.0)
        np.testing.assert_allclose(token / 5.0, flow.market[1:] / PRICE, rtol=1e-9)


class TestFeeCap:
    POP = cc.Population.from_positions(1, [1, 1, 1], 100, 10)   # maintenance 0.5%

    def test_the_cap_binds_exactly_where_the_margin_left_is_short(self) -> None:
        flow = flow_for(6, fee_rate=0.003)
        full = flow.fee_rate * flow.fill_notional
        np.testing.assert_array_equal(flow.capped, np.maximum(flow.surplus, 0) < full)
        np.testing.assert_allclose(flow.fee, np.where(flow.capped, np.maximum(flow.surplus, 0),
                                                      full), rtol=1e-12, atol=1e-12)
        assert 0 < flow.capped.sum() < flow.capped.size   # both cases occur

    def test_below_the_maintenance_rate_an_orderly_fill_pays_the_full_rate(self) -> None:
        walked = bn.fee_flow(self.POP, 100, [-0.10], ob.flat_ladder(100), fee_rate=0.003,
                             step=0.001)
        gap = bn.fee_flow(self.POP, 100, [-0.10], ob.flat_ladder(100), fee_rate=0.003)
        assert not walked.capped.any() and np.all(walked.surplus > walked.fee)
        assert gap.capped.all() and np.all(gap.fee == 0)

    def test_at_or_above_the_maintenance_rate_the_fee_takes_the_whole_margin(self) -> None:
        walked = bn.fee_flow(self.POP, 100, [-0.10], ob.flat_ladder(100), fee_rate=0.006,
                             step=0.001)
        assert walked.capped.all()
        np.testing.assert_allclose(walked.fee, walked.surplus, rtol=1e-12)

    @pytest.mark.parametrize("rate", [0.0, 0.001, 0.005, 0.02])
    def test_recharging_a_flow_equals_running_it_at_that_rate(self, rate: float) -> None:
        pop = cc.generate_population(300, PRICE, seed=9)
        shocks = bn.generate_shocks(15, seed=10, scale=0.02)
        base = bn.fee_flow(pop, PRICE, shocks, ob.flat_ladder(40), fee_rate=0.003, step=0.005)
        direct = bn.fee_flow(pop, PRICE, shocks, ob.flat_ladder(40), fee_rate=rate, step=0.005)
        again = base.with_fee_rate(rate)
        for field in ("fee", "fees", "fund_income", "fund_draw", "market", "offsets"):
            np.testing.assert_array_equal(getattr(again, field), getattr(direct, field))
        assert again.fee_rate == rate
        with pytest.raises(ValueError, match="fee_rate"):
            base.with_fee_rate(-0.1)

    def test_burning_every_fee_leaves_the_fund_the_margin_beyond_the_fee(self) -> None:
        walked = bn.fee_flow(self.POP, 100, [-0.10], ob.flat_ladder(100), fee_rate=0.003,
                             step=0.001)
        run = bn.run_burns(walked, 1.0, supply=1e3, token_price=1.0)
        assert run.fund[-1] == pytest.approx((walked.surplus - walked.fee).sum(), rel=1e-12)
        assert run.fund[-1] > 0


class TestTokenSale:
    def test_without_impact_every_token_fetches_the_price(self) -> None:
        s = bn_back.token_sale([0.0, 100.0, 2_500.0], 5.0)
        assert s.tokens.tolist() == [0.0, 20.0, 500.0]
        assert s.shortfall.tolist() == [0.0, 0.0, 0.0]

    def test_flat_book_matches_the_quadratic(self) -> None:
        # P (Q - r Q^2 / (2 D)) = T, the smaller root.
        price, depth, target, ref = 10.0, 5_000.0, 10_000.0, 0.01
        a = price * ref / (2 * depth)
        q = (price - math.sqrt(price**2 - 4 * a * target)) / (2 * a)
        s = bn_back.token_sale(target, price, ob.flat_ladder(depth))
        assert s.tokens == pytest.approx(q, rel=1e-12) and s.shortfall == 0

    def test_black_thursday_debt_auctions(self) -> None:
        # Smith + Crown (2020-04-01): the debt auctions raised 5.3 million DAI for 20,980 MKR;
        # ledgerlife: lots of 50,000 DAI. 106 flops at 252.6 DAI per MKR mint the 20,980.
        run = bn_back.surplus_buffer([0.0], [5_300_000.0], hump=0.0, bump=1.0, sump=50_000,
                                     supply=1e6, token_price=5_300_000 / 20_980)
        assert run.flops.tolist() == [106] and run.raised[0] == pytest.approx(5_300_000)
        assert run.minted[0] == pytest.approx(20_980, rel=1e-12)
        assert run.supply[-1] == pytest.approx(1e6 + 20_980) and run.buffer[-1] == 0

    def test_a_thin_book_cannot_raise_the_target(self) -> None:
        ladder = ob.flat_ladder(20)
        s = bn_back.token_sale(5e6, 250.0, ladder)
        assert s.tokens == ladder.capacity and s.shortfall > 0
        assert s.proceeds == pytest.approx(250.0 * ladder.capacity / 2, rel=1e-12)

    @settings(max_examples=60, deadline=None)
    @given(target=st.one_of(st.just(0.0), st.floats(1e-6, 1e7)), price=st.floats(0.01, 1e4),
           depth=st.floats(1.0, 1e6), alpha=st.sampled_from([1.0, 2.0, 0.5]))
    def test_the_fewest_tokens_that_raise_the_target(
        self, target: float, price: float, depth: float, alpha: float
    ) -> None:
        ladder = ob.PowerLawLadder(depth, alpha)
        s = bn_back.token_sale(target, price, ladder)
        assert 0 <= s.proceeds <= target * (1 + 1e-12) and s.shortfall >= 0
        assert s.tokens >= target / price * (1 - 1e-12) or s.shortfall > 0
        if s.tokens > 0:
            fill = ob.execute(ladder, ob.SELL, s.tokens, price)
            assert fill.quantity * fill.vwap == pytest.approx(s.proceeds, rel=1e-9)
            if s.shortfall == 0:   # one token less would not do
                less = ob.execute(ladder, ob.SELL, s.tokens * (1 - 1e-9), price)
                assert less.quantity * less.vwap <= target * (1 + 1e-12)

    def test_the_wrong_way_loop(self) -> None:
        # A larger deficit mints more tokens per unit of deficit (the sale's own impact), and a
        # token that has fallen mints more for the same deficit.
        ladder = ob.flat_ladder(2_000)
        deficits = np.array([1e5, 1e6, 3e6, 4e6])
        s = bn_back.token_sale(deficits, 250.0, ladder)
        assert np.all(np.diff(s.tokens / deficits) > 0)
        cheap = bn_back.token_sale(deficits, 125.0, ladder)
        assert np.all(cheap.tokens > 2 * s.tokens * (1 - 1e-12))

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"target": -1.0, "token_price": 1.0}, "target"),
         ({"target": float("inf"), "token_price": 1.0}, "target"),
         ({"target": 1.0, "token_price": 0.0}, "token_price")],
    )
    def test_bad_input(self, kwargs: dict[str, float], name: str) -> None:
        with pytest.raises(ValueError, match=name):
            bn_back.token_sale(**kwargs)


class TestSurplusBuffer:
    @settings(max_examples=40, deadline=None)
    @given(seed=seeds, hump=st.floats(0.0, 5e3), bump=st.floats(10.0, 2e3),
           sump=st.floats(10.0, 2e3), depth=st.sampled_from([None, 500.0]))
    def test_the_vow_rules_and_the_books_balance(
        self, seed: int, hump: float, bump: float, sump: float, depth: float | None
    ) -> None:
        rng = np.random.default_rng(seed)
        income = rng.exponential(300.0, 40)
        losses = np.where(rng.random(40) < 0.1, rng.exponential(3_000.0, 40), 0.0)
        prices = 10 * np.exp(np.cumsum(rng.normal(0, 0.05, 40)))
        ladder = None if depth is None else ob.flat_ladder(depth)
        run = bn_back.surplus_buffer(income, losses, hump=hump, bump=bump, sump=sump,
                                     supply=1e6, token_price=prices, asks=ladder, bids=ladder)
        before = run.buffer[:-1] + income - losses
        assert np.all((run.flaps > 0) <= (before >= hump + bump))
        assert np.all((run.flops > 0) <= (before <= -sump))
        assert np.all(run.flaps * run.flops == 0)
        if depth is None:   # nothing left undone: no lot above the buffer, no bid of debt
            assert np.all(run.buffer[1:] < hump + bump + 1e-9 * (1 + hump + bump))
            assert np.all(run.buffer[1:] > -sump - 1e-9 * sump)
            np.testing.assert_allclose(run.burned, run.flaps * bump / prices, rtol=1e-12)
        spent = np.where(run.flaps > 0, before - run.buffer[1:], 0.0)
        assert run.buffer[-1] == pytest.approx(
            income.sum() - losses.sum() - spent.sum() + run.raised.sum(), abs=1e-6)
        np.testing.assert_allclose(run.supply, 1e6 + np.concatenate(
            [[0.0], np.cumsum(run.minted - run.burned)]), rtol=1e-12)
        assert run.net_burned == pytest.approx(run.burned.sum() - run.minted.sum())

    def test_a_deficit_below_one_lot_waits(self) -> None:
        run = bn_back.surplus_buffer([0, 0], [150, 100], hump=0, bump=100, sump=200, supply=10,
                                     token_price=1.0)
        assert run.flops.tolist() == [0, 1] and run.buffer.tolist() == [0.0, -150.0, -50.0]

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"income": [-1.0]}, "income"), ({"losses": [1.0, 2.0]}, "income"),
         ({"hump": -1.0}, "hump"), ({"bump": 0.0}, "bump"), ({"sump": -5.0}, "sump"),
         ({"supply": 0.0}, "supply"), ({"token_price": [1.0, 2.0]}, "token_price"),
         ({"buffer": float("nan")}, "buffer")],
    )
    def test_bad_input(self, kwargs: dict[str, object], name: str) -> None:
        args: dict[str, object] = {"income": [1.0], "losses": [0.0], "hump": 0.0, "bump": 1.0,
                                   "sump": 1.0, "supply": 1.0, "token_price": 1.0}
        args.update(kwargs)
        with pytest.raises(ValueError, match=name):
            bn_back.surplus_buffer(**args)  # type: ignore[arg-type]


class TestEIP1559:
    # go-ethereum consensus/misc/eip1559/eip1559_test.go, TestCalcBaseFee: 1 gwei, 20M gas limit
    # (at, below and above target); the full and empty blocks follow from the EIP's rule.
    VECTORS = [(10_000_000, 1_000_000_000), (9_000_000, 987_500_000),
               (11_000_000, 1_012_500_000), (20_000_000, 1_125_000_000), (0, 875_000_000)]

    @pytest.mark.parametrize(("used", "expected"), VECTORS)
    def test_published_vectors(self, used: int, expected: int) -> None:
        assert bn.eip1559_base_fee(10**9, used, 20_000_000) == expected

    def test_minimum_increase_of_one_wei(self) -> None:
        # 7 wei * 1 gas over target // 10M // 8 is 0: the EIP raises it by at least 1.
        assert bn.eip1559_base_fee(7, 10_000_001, 20_000_000) == 8
        assert bn.eip1559_base_fee(7, 9_999_999, 20_000_000) == 7

    @given(base=st.integers(0, 10**15), used=st.integers(0, 30_000_000))
    def test_at_most_one_eighth_a_block(self, base: int, used: int) -> None:
        new = bn.eip1559_base_fee(base, used, 30_000_000)
        assert base - base // 8 <= new <= base + max(base // 8, 1)
        if used > 15_000_000:
            assert new > base
        else:
            assert new <= base

    def test_path_and_burns(self) -> None:
        path = bn.eip1559_path(10**9, [20_000_000, 0, 10_000_000], 20_000_000)
        assert path.base_fee == (10**9, 1_125_000_000, 984_375_000, 984_375_000)
        assert path.burned == (10**9 * 20_000_000, 0, 984_375_000 * 10_000_000)
        assert path.total_burned == sum(path.burned)

    @pytest.mark.parametrize(
        ("args", "name"),
        [((10**9, 20_000_001, 20_000_000), "gas_used"), ((10**9, -1, 20_000_000), "gas_used"),
         ((-1, 0, 20_000_000), "parent_base_fee"), ((1.5, 0, 20_000_000), "parent_base_fee"),
         ((10**9, 0, 1), "gas_limit")],
    )
    def test_bad_input(self, args: tuple[int, int, int], name: str) -> None:
        with pytest.raises(ValueError, match=name):
            bn.eip1559_base_fee(*args)


class TestBNBAutoBurn:
    def test_formula(self) -> None:
        assert bn.bnb_auto_burn(2_592_000, 500) == pytest.approx(2_592_000 * 1_000 / 1_500)
        # a lower price burns more BNB
        burns = bn.bnb_auto_burn(2_592_000, np.array([200.0, 400.0, 800.0]))
        assert np.all(np.diff(burns) < 0)
        with pytest.raises(ValueError, match="price"):
            bn.bnb_auto_burn(1, 0.0)


def test_a_book_so_thin_the_cascade_reaches_zero() -> None:
    """A flat book of 0.01 units per 1% holds one unit in all: 200 positions' liquidations run
    through it and the price to 0. Within a period that is a move of -100% (the exogenous path
    carries on); a path that opens where the cascades stopped cannot, and is refused by name
    (it divided by zero, then named the population's entry_price)."""
    pop = cc.generate_population(200, 100.0, seed=1)
    thin = ob.flat_ladder(0.01)
    for step in (None, 0.01):
        flow = bn.fee_flow(pop, 100.0, [-0.05, 0.02], thin, fee_rate=0.004, step=step)
        assert flow.moves[0] == -1.0 and flow.count[0] > 0
        assert np.allclose(flow.market, [100.0, 95.0, 96.9])   # the shocks' path
        assert np.all(np.isfinite(flow.fees)) and np.all(flow.fees >= 0)
        with pytest.raises(ValueError, match=r"ladder is too thin for path='cascade': period 0"):
            bn.fee_flow(pop, 100.0, [-0.05, 0.02], thin, fee_rate=0.004, step=step,
                        path="cascade")
    # the last period too: a market path cannot end at 0
    with pytest.raises(ValueError, match="ladder is too thin"):
        bn.fee_flow(pop, 100.0, [-0.05], thin, fee_rate=0.004, path="cascade")
    # a book deep enough carries the cascade path on
    deep = bn.fee_flow(pop, 100.0, [-0.05, 0.02], ob.flat_ladder(500.0), fee_rate=0.004,
                       path="cascade")
    assert np.all(deep.market > 0)


def _exact_safe_share(flow: bn.FeeFlow, fund: float) -> float:
    """The oracle: no ADL iff fund + A_k - b B_k >= 0 at every liquidation k (A, B the running
    surplus and fee), so b* = min(1, min over B_k > 0 of (fund + A_k) / B_k)."""
    level, fees = fund + np.cumsum(flow.surplus), np.cumsum(flow.fee)
    if np.any(level < 0):   # a deficit the fund cannot pay even with no burn
        return math.nan
    paid = fees > 0
    return float(min(1.0, np.min(level[paid] / fees[paid], initial=np.inf)))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), fund=st.sampled_from([0.0, 100.0, 2_000.0]),
       depth=st.sampled_from([300.0, 3_000.0]))
def test_the_largest_safe_share_is_safe_and_within_tol(seed: int, fund: float,
                                                        depth: float) -> None:
    pop = cc.generate_population(300, 100.0, seed=seed)
    flow = bn.fee_flow(pop, 100.0, bn.generate_shocks(40, seed=seed, scale=0.03),
                       ob.flat_ladder(depth), fee_rate=0.004, step=0.005)
    share = bn.largest_safe_share(flow, fund)
    exact = _exact_safe_share(flow, fund)
    if math.isnan(share):       # even no burn leaves ADL: the fund cannot cover a deficit
        assert bn.fund_path(flow, 0.0, fund)[1].sum() > 0 and math.isnan(exact)
        return
    assert bn.fund_path(flow, share, fund)[1].sum() == 0          # always safe
    assert exact - 1e-3 - 1e-9 <= share <= exact + 1e-9            # and at most tol below b*
    if share < 1:   # a little more and the fund passes a loss on
        assert bn.fund_path(flow, min(1.0, exact + 1e-6), fund)[1].sum() > 0
    assert bn.largest_safe_share(flow, fund + 1_000.0) >= share    # a larger fund burns more


def test_the_largest_safe_share_ends() -> None:
    pop = cc.Population.from_positions(1, [1, 1, 1], 100, 5)
    flow = bn.fee_flow(pop, 100, [-0.10, -0.55], ob.flat_ladder(5), fee_rate=0.003, step=0.02)
    share = bn.largest_safe_share(flow, tol=1e-6)
    assert share == pytest.approx(_exact_safe_share(flow, 0.0), abs=1e-6) and 0.9 < share < 1
    assert bn.largest_safe_share(flow, fund=0.1) == 1.0
    # a gap through bankruptcy before any fee: nothing to burn can save the empty fund
    gap = bn.fee_flow(pop, 100, [-0.55], ob.flat_ladder(0.5), fee_rate=0.003)
    assert gap.fund_draw.sum() > 0 and math.isnan(bn.largest_safe_share(gap))
    with pytest.raises(ValueError, match=r"tol must be in \(0, 1\)"):
        bn.largest_safe_share(flow, tol=1.0)
    with pytest.raises(ValueError, match="fund must be >= 0"):
        bn.largest_safe_share(flow, fund=-1.0)
    with pytest.raises(TypeError, match="flow must be a FeeFlow"):
        bn.largest_safe_share(pop)  # type: ignore[arg-type]
