"""Liquidation cascades: the fixed-point solver, the time-stepped simulation, the generator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import liqlib.book as ob
import liqlib.cascade as cc

PRICE = 60_000.0
shocks = st.floats(0.005, 0.3).flatmap(lambda s: st.sampled_from([-s, s]))
depths = st.floats(50.0, 5_000.0)
seeds = st.integers(0, 2**16)


def population(seed: int, n: int = 400, **kwargs: float) -> cc.Population:
    return cc.generate_population(n, PRICE, seed=seed, **kwargs)


class TestFixedPoint:
    @settings(max_examples=40, deadline=None)
    @given(seed=seeds, shock=shocks, depth=depths, alpha=st.sampled_from([1.0, 2.0]))
    def test_simulation_without_recovery_reaches_the_same_fixed_point(
        self, seed: int, shock: float, depth: float, alpha: float
    ) -> None:
        pop = population(seed)
        ladder = ob.PowerLawLadder(depth, alpha)
        fixed = cc.cascade(pop, PRICE, shock, ladder, fund=1e4)
        book = ob.ResilientBook(ladder, ladder, half_life=math.inf)
        stepped = cc.simulate(pop, PRICE, shock, book, fund=1e4)
        assert stepped.count == fixed.count and stepped.rounds == fixed.rounds
        np.testing.assert_array_equal(stepped.liquidated, fixed.liquidated)
        np.testing.assert_allclose(stepped.fills, fixed.fills, rtol=1e-12)
        assert stepped.price == pytest.approx(fixed.price, rel=1e-12)
        assert stepped.adl_loss == pytest.approx(fixed.adl_loss, rel=1e-9, abs=1e-6)

    @settings(max_examples=40, deadline=None)
    @given(seed=seeds, shock=shocks, depth=depths)
    def test_the_final_price_is_a_fixed_point(self, seed: int, shock: float, depth: float) -> None:
        pop = population(seed)
        ladder = ob.flat_ladder(depth)
        result = cc.cascade(pop, PRICE, shock, ladder)
        direction = 1 if shock > 0 else -1
        shocked = PRICE * (1 + shock)
        losers = (pop.side == -direction) & np.isfinite(pop.liquidation)
        crossed = losers & (direction * pop.liquidation <= direction * result.price)
        # exactly the crossed positions were liquidated ...
        assert set(np.flatnonzero(crossed)) == set(result.liquidated.tolist())
        # ... and what they sold moves the price exactly to where it stopped
        sold = pop.size[crossed].sum()
        expected = shocked * (1 + direction * float(ladder.distance(np.asarray(sold))))
        assert result.price == pytest.approx(expected, rel=1e-12)
        assert result.amplification >= 1 - 1e-12

    @settings(max_examples=30, deadline=None)
    @given(seed=seeds, small=st.floats(0.005, 0.15), extra=st.floats(0.0, 0.1))
    def test_monotone_in_the_shock(self, seed: int, small: float, extra: float) -> None:
        pop, ladder = population(seed), ob.flat_ladder(500)
        mild = cc.cascade(pop, PRICE, -small, ladder)
        severe = cc.cascade(pop, PRICE, -(small + extra), ladder)
        assert severe.price <= mild.price * (1 + 1e-12)
        assert severe.count >= mild.count

    @settings(max_examples=30, deadline=None)
    @given(seed=seeds, scale=st.floats(1.0, 3.0), shock=st.floats(0.01, 0.1))
    def test_monotone_in_leverage(self, seed: int, scale: float, shock: float) -> None:
        ladder = ob.flat_ladder(500)
        # entries at the price, so leverage alone differs between the two books
        calm = cc.cascade(population(seed, entry_dispersion=0), PRICE, -shock, ladder)
        wild = cc.cascade(
            population(seed, entry_dispersion=0, leverage_scale=scale), PRICE, -shock, ladder
        )
        assert wild.price <= calm.price * (1 + 1e-12)
        assert wild.count >= calm.count

    @settings(max_examples=30, deadline=None)
    @given(seed=seeds, shock=shocks, fund=st.floats(0.0, 1e6))
    def test_fund_flows_balance(self, seed: int, shock: float, fund: float) -> None:
        pop = population(seed)
        result = cc.cascade(pop, PRICE, shock, ob.flat_ladder(100), fund=fund)
        i = result.liquidated
        left = pop.side[i] * (result.fills - pop.bankruptcy[i]) * pop.size[i]
        assert result.fund_income - result.fund_draw == pytest.approx(left.sum(), abs=1e-6)
        ending = fund + left.sum() + result.adl_loss
        assert ending >= -1e-6  # ADL covers exactly what would have made the fund negative
        assert result.adl_loss <= result.fund_draw + 1e-6


class TestExamples:
    def test_a_thin_book_amplifies_a_shock(self) -> None:
        pop = population(1, n=5_000)
        thin = cc.cascade(pop, PRICE, -0.08, ob.flat_ladder(20))
        deep = cc.cascade(pop, PRICE, -0.08, ob.flat_ladder(20_000))
        assert thin.amplification > 1.5 > deep.amplification >= 1

    def test_recovery_damps_the_cascade(self) -> None:
        pop = population(3, n=2_000)
        ladder = ob.linear_ladder(50)
        frozen = cc.simulate(pop, PRICE, -0.06, ob.ResilientBook(ladder, ladder, math.inf))
        healing = cc.simulate(pop, PRICE, -0.06, ob.ResilientBook(ladder, ladder, 0.5))
        assert healing.price > frozen.price

    def test_no_crossing_no_cascade(self) -> None:
        # entries at the price and at most 100x: nobody is liquidated by a 0.1% dip
        result = cc.cascade(population(5, entry_dispersion=0), PRICE, -0.001, ob.flat_ladder(1))
        assert result.count == 0 and result.rounds == 0 and result.amplification == 1.0
        assert result.adl_loss == 0.0 and result.notional == 0.0

    def test_seeded_generator_is_reproducible(self) -> None:
        a, b = population(11), population(11)
        np.testing.assert_array_equal(a.liquidation, b.liquidation)
        assert not np.array_equal(a.size, population(12).size)

    def test_lower_max_leverage_means_fewer_liquidations(self) -> None:
        ladder = ob.flat_ladder(300)
        loose = cc.cascade(population(4, n=3_000), PRICE, -0.05, ladder)
        capped = cc.cascade(population(4, n=3_000, max_leverage=20), PRICE, -0.05, ladder)
        assert capped.count < loose.count and capped.price > loose.price


class TestBadInput:
    @pytest.mark.parametrize("shock", [0.0, -1.0, -1.5, 1.0, math.nan])
    def test_shock_out_of_range(self, shock: float) -> None:
        with pytest.raises(ValueError, match="shock"):
            cc.cascade(population(0, n=10), PRICE, shock, ob.flat_ladder(10))

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"n": 0}, "n"), ({"long_share": 1.5}, "long_share"), ({"max_leverage": 0.5},
         "max_leverage"), ({"price": -1}, "price")],
    )
    def test_generator_arguments(self, kwargs: dict[str, float], name: str) -> None:
        args: dict[str, float] = {"n": 10, "price": PRICE, **kwargs}
        with pytest.raises(ValueError, match=name):
            cc.generate_population(int(args.pop("n")), args.pop("price"), seed=0, **args)

    def test_negative_fund(self) -> None:
        with pytest.raises(ValueError, match="fund"):
            cc.cascade(population(0, n=10), PRICE, -0.1, ob.flat_ladder(10), fund=-1)
