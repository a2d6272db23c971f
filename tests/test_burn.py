"""Liquidation-fee burns (liqlib.systemic.burn): buybacks, fee flow, supply and fund, EIP-1559."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import liqlib.engine.book as ob
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
        flow = bn.fee_flow(pop, PRICE, shocks, ladder, fee_rate=0.005)
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
         ({"step": 0.0}, "step"), ({"price": -5.0}, "price")],
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
        flow = bn.fee_flow(pop, PRICE, shocks, ladder, fee_rate=0.005)
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
