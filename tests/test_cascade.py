"""Liquidation cascades: the fixed-point solver, the time-stepped simulation, the generator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import liqlib.engine.book as ob
import liqlib.engine.policies as pol
import liqlib.systemic.cascades as cc

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
        [
            ({"n": 0}, "n"),
            ({"long_share": 1.5}, "long_share"),
            ({"max_leverage": 0.5}, "max_leverage"),
            ({"price": -1}, "price"),
        ],
    )
    def test_generator_arguments(self, kwargs: dict[str, float], name: str) -> None:
        args: dict[str, float] = {"n": 10, "price": PRICE, **kwargs}
        with pytest.raises(ValueError, match=name):
            cc.generate_population(int(args.pop("n")), args.pop("price"), seed=0, **args)

    def test_negative_fund(self) -> None:
        with pytest.raises(ValueError, match="fund"):
            cc.cascade(population(0, n=10), PRICE, -0.1, ob.flat_ladder(10), fund=-1)


# --- amplification, the critical shock, and the cascade through the engine ----------------------


def exposed_quantity(pop: cc.Population, direction: int) -> float:
    return float(pop.size[(pop.side == -direction) & np.isfinite(pop.liquidation)].sum())


def bisect_critical(
    pop: cc.Population, ladder: ob.Ladder, direction: int, fraction: float
) -> float:
    """The reference: bisection on the monotone 'liquidated at least fraction' of cascade()."""
    target = fraction * exposed_quantity(pop, direction)
    low, high = 1e-12, 1 - 1e-12
    for _ in range(200):
        mid = 0.5 * (low + high)
        if cc.cascade(pop, PRICE, direction * mid, ladder).quantity >= target * (1 - 1e-12):
            high = mid
        else:
            low = mid
        if high - low <= 1e-12:
            break
    return direction * high


class TestAmplification:
    @settings(max_examples=40, deadline=None)
    @given(
        seed=seeds,
        shock=shocks,
        depth=depths,
        alpha=st.sampled_from([0.5, 1.0, 2.0]),
        half_spread=st.sampled_from([0.0, 1e-4]),
    )
    def test_amplification_is_at_least_one(
        self, seed: int, shock: float, depth: float, alpha: float, half_spread: float
    ) -> None:
        ladder = ob.PowerLawLadder(depth, alpha, half_spread)
        result = cc.cascade(population(seed), PRICE, shock, ladder)
        assert result.amplification >= 1 - 1e-12
        assert (result.amplification == 1.0) == (result.count == 0)

    @settings(max_examples=30, deadline=None)
    @given(seed=seeds, shock=shocks, depth=depths, factor=st.floats(1.0, 20.0))
    def test_a_deeper_book_never_amplifies_more(
        self, seed: int, shock: float, depth: float, factor: float
    ) -> None:
        pop = population(seed)
        thin = cc.cascade(pop, PRICE, shock, ob.linear_ladder(depth))
        deep = cc.cascade(pop, PRICE, shock, ob.linear_ladder(depth * factor))
        assert deep.amplification <= thin.amplification * (1 + 1e-12)
        assert deep.count <= thin.count

    def test_a_book_that_runs_out_stops_the_price_at_its_end(self) -> None:
        pop = population(2, n=2_000)
        ladder = ob.PowerLawLadder(0.5, 1.0, max_distance=0.2)  # holds 10 units, 20% deep
        assert exposed_quantity(pop, -1) > ladder.capacity
        fixed = cc.cascade(pop, PRICE, -0.1, ladder)
        assert fixed.price == pytest.approx(PRICE * 0.9 * 0.8, rel=1e-12)
        assert np.all(np.isfinite(fixed.fills)) and fixed.fills.min() >= fixed.price * (1 - 1e-8)
        stepped = cc.simulate(pop, PRICE, -0.1, ob.ResilientBook(ladder, ladder, math.inf))
        assert stepped.count == fixed.count and stepped.price == pytest.approx(fixed.price)
        np.testing.assert_allclose(stepped.fills, fixed.fills, rtol=1e-9)


class TestCriticalShock:
    @settings(max_examples=25, deadline=None)
    @given(
        seed=seeds,
        depth=st.floats(5.0, 2_000.0),
        fraction=st.floats(0.05, 1.0),
        direction=st.sampled_from([-1, 1]),
    )
    def test_the_fraction_switches_on_at_the_critical_shock(
        self, seed: int, depth: float, fraction: float, direction: int
    ) -> None:
        pop, ladder = population(seed), ob.linear_ladder(depth)
        crit = cc.critical_shock(pop, PRICE, ladder, direction=direction, fraction=fraction)
        target = fraction * exposed_quantity(pop, direction)
        assert np.sign(crit.shock) == direction
        assert crit.below.quantity < target <= crit.above.quantity * (1 + 1e-12)
        assert crit.above.price * direction >= crit.below.price * direction
        # bisection on cascade() finds the same shock
        assert bisect_critical(pop, ladder, direction, fraction) == pytest.approx(
            crit.shock, rel=1e-9, abs=1e-11
        )

    @settings(max_examples=25, deadline=None)
    @given(
        seed=seeds,
        depth=st.floats(5.0, 2_000.0),
        factor=st.floats(1.0, 10.0),
        scale=st.floats(1.0, 3.0),
    )
    def test_monotone_in_depth_and_leverage(
        self, seed: int, depth: float, factor: float, scale: float
    ) -> None:
        calm = population(seed, entry_dispersion=0)
        wild = population(seed, entry_dispersion=0, leverage_scale=scale)
        thin, deep = ob.linear_ladder(depth), ob.linear_ladder(depth * factor)
        # The shock that liquidates half the exposed side is monotone (the fixed point is): a
        # deeper book needs a larger fall, more leverage a smaller one. The tipping point (the
        # largest jump) is not: where the largest jump sits can move either way.
        base = cc.critical_shock(calm, PRICE, thin, fraction=0.5).shock
        assert (
            cc.critical_shock(calm, PRICE, deep, fraction=0.5).shock <= base * (1 - 1e-12) + 1e-15
        )
        assert (
            cc.critical_shock(wild, PRICE, thin, fraction=0.5).shock >= base * (1 + 1e-12) - 1e-15
        )

    def test_a_thin_book_runs_away_and_a_deep_one_does_not(self) -> None:
        pop = population(9, n=5_000)
        longs = exposed_quantity(pop, -1)
        thin = cc.critical_shock(pop, PRICE, ob.linear_ladder(0.002 * longs))
        deep = cc.critical_shock(pop, PRICE, ob.linear_ladder(0.5 * longs))
        assert thin.jump > 0.05 and deep.jump < 1e-3
        assert abs(thin.shock) < abs(deep.shock)

    def test_the_tipping_point_is_the_largest_jump_on_a_fine_grid(self) -> None:
        pop, ladder = population(9, n=5_000), ob.flat_ladder(40)
        crit = cc.critical_shock(pop, PRICE, ladder)
        grid = np.linspace(0.0005, 0.2, 2_000)
        prices = np.array([cc.cascade(pop, PRICE, -s, ladder).price for s in grid])
        widest = int(np.argmax(-np.diff(prices)))
        assert grid[widest] <= -crit.shock <= grid[widest + 1]
        assert crit.jump * PRICE == pytest.approx(crit.below.price - crit.above.price)
        assert crit.jump * PRICE >= -np.diff(prices).max() - 1e-6 * PRICE

    def test_stopping_shocks_predict_every_cascade(self) -> None:
        pop, ladder = population(4, n=1_000), ob.linear_ladder(30)
        sigma, quantity = cc.stopping_shocks(pop, PRICE, ladder)
        for shock in np.linspace(0.005, 0.3, 40):
            k = int(np.argmax(sigma > shock)) if np.any(sigma > shock) else sigma.size
            assert cc.cascade(pop, PRICE, -shock, ladder).quantity == pytest.approx(
                quantity[k], rel=1e-12
            )

    @pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5, math.nan])
    def test_bad_fraction(self, fraction: float) -> None:
        with pytest.raises(ValueError, match="fraction"):
            cc.critical_shock(population(0, n=10), PRICE, ob.flat_ladder(10), fraction=fraction)

    def test_bad_direction_and_unreachable(self) -> None:
        pop = population(0, n=50)
        with pytest.raises(ValueError, match="direction"):
            cc.critical_shock(pop, PRICE, ob.flat_ladder(10), direction=0)
        only_longs = cc.Population.from_positions(1, [1.0, 2.0], PRICE, 2)
        with pytest.raises(ValueError, match="no position"):
            cc.critical_shock(only_longs, PRICE, ob.flat_ladder(10), direction=1)
        # shorts liquidated only if the price triples survive any rise below 100%
        one = np.ones(2)
        shorts = cc.Population(-one, one, PRICE * one, one, 3 * PRICE * one, 3.1 * PRICE * one)
        with pytest.raises(ValueError, match="no shock"):
            cc.critical_shock(shorts, PRICE, ob.flat_ladder(1e6), direction=1)


FULL = pol.Rules(pol.FullLiquidation(), pol.ForfeitSurplus(), "bitmex")


def engine_run(
    pop: cc.Population,
    path: list[float],
    ladder: ob.Ladder,
    half_life: float = math.inf,
    **kwargs: object,
) -> cc.EngineCascadeResult:
    book = ob.ResilientBook(ladder, ladder, half_life)
    return cc.engine_cascade(pop, PRICE, path, book, **kwargs)  # type: ignore[arg-type]


class TestEngineCascade:
    @settings(max_examples=10, deadline=None)
    @given(seed=seeds, shock=shocks, depth=st.floats(20.0, 2_000.0))
    def test_without_recovery_it_reaches_the_fixed_point(
        self, seed: int, shock: float, depth: float
    ) -> None:
        pop, ladder = population(seed, n=300), ob.linear_ladder(depth)
        fixed = cc.cascade(pop, PRICE, shock, ladder, fund=1e9)
        run = engine_run(
            pop, [PRICE * (1 + shock)] * (fixed.rounds + 3), ladder, rules=FULL, fund=1e9
        )
        assert run.count == fixed.count
        assert run.price == pytest.approx(fixed.price, rel=1e-12)
        assert run.quantity == pytest.approx(fixed.quantity, rel=1e-12)
        assert run.amplification == pytest.approx(fixed.amplification, rel=1e-9)
        net = fixed.fund_income - fixed.fund_draw
        assert run.fund[-1] - 1e9 == pytest.approx(net, rel=1e-9, abs=1e-3)

    @settings(max_examples=10, deadline=None)
    @given(
        seed=seeds,
        shock=st.floats(0.02, 0.12),
        half_life=st.floats(0.5, 50.0),
        rate=st.floats(-1e-3, 1e-3),
        tau=st.floats(0.0, 20.0),
        venue=st.sampled_from(["bitmex", "binance", "hyperliquid", "dydx", "deribit"]),
    )
    def test_money_balances_at_every_step(
        self, seed: int, shock: float, half_life: float, rate: float, tau: float, venue: str
    ) -> None:
        pop = population(seed, n=300)
        path = list(PRICE * (1 - shock * np.minimum(np.arange(1, 41) / 10, 1)))
        run = engine_run(
            pop,
            path,
            ob.linear_ladder(5.0),
            half_life,
            rules=venue,
            dt=1.0,
            fund=1e4,
            funding_rate=rate,
            mark_time_constant=tau,
            rng=seed,
        )
        scale = float((pop.size * pop.entry_price).sum())
        assert np.all(np.abs(run.imbalance) <= 1e-9 * scale)
        audit = run.engine.audit()
        assert abs(audit.imbalance) <= 1e-9 * scale
        assert np.all(run.fund >= -1e-9 * scale)
        assert run.amplification >= 1 - 1e-12
        assert (rate == 0) == (run.funding_paid == 0)

    def test_seeded_runs_are_reproducible(self) -> None:
        pop = population(21, n=300)
        path = [PRICE * 0.95] * 20
        a = engine_run(pop, path, ob.linear_ladder(5.0), 5.0, rules="dydx", rng=7)
        b = engine_run(pop, path, ob.linear_ladder(5.0), 5.0, rules="dydx", rng=7)
        np.testing.assert_array_equal(a.traded, b.traded)
        np.testing.assert_array_equal(a.closed, b.closed)
        assert [e.account for e in a.engine.ledger] == [e.account for e in b.engine.ledger]

    def test_recovery_partial_liquidation_and_smoothing_damp_the_cascade(self) -> None:
        pop = population(5, n=1_000)
        ladder = ob.linear_ladder(0.01 * exposed_quantity(pop, -1))
        path = [PRICE * 0.96] * 60
        frozen = engine_run(pop, path, ladder, math.inf, rules=FULL)
        healing = engine_run(pop, path, ladder, 2.0, rules=FULL)
        slices = pol.Rules(pol.BlockLimits(0.1, 100.0, 1e12), pol.ForfeitSurplus(), "bitmex")
        sliced = engine_run(pop, path, ladder, 2.0, rules=slices)
        smooth = engine_run(pop, path, ladder, 2.0, rules=FULL, mark_time_constant=30.0)
        assert healing.trough > frozen.trough
        assert sliced.trough > healing.trough
        assert smooth.count < healing.count and smooth.trough > healing.trough

    def test_funding_drains_the_payers(self) -> None:
        pop = population(6, n=300)
        path = [PRICE * 0.99] * 30
        quiet = engine_run(pop, path, ob.linear_ladder(1e3), 1.0, rules=FULL)
        paying = engine_run(pop, path, ob.linear_ladder(1e3), 1.0, rules=FULL, funding_rate=5e-4)
        assert paying.funding_paid > 0 and paying.count > quiet.count

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"path": []}, "path"),
            ({"path": [PRICE] * 3}, "path"),
            ({"path": [-1.0]}, "path"),
            ({"dt": 0.0}, "dt"),
            ({"fund": -1.0}, "fund"),
            ({"funding_rate": 1.0}, "funding_rate"),
            ({"funding_rate": math.nan}, "funding_rate"),
            ({"mark_time_constant": -1.0}, "mark_time_constant"),
            ({"rules": "kraken"}, "rules"),
        ],
    )
    def test_bad_input(self, kwargs: dict[str, object], match: str) -> None:
        args: dict[str, object] = {"path": [PRICE * 0.9]}
        args.update(kwargs)
        path = args.pop("path")
        with pytest.raises(ValueError, match=match):
            engine_run(population(0, n=20), path, ob.flat_ladder(10), **args)  # type: ignore[arg-type]


# --- dampers: bankruptcy-limit orders and an index-anchored mark -------------------------------


orders = st.sampled_from(["market", "bankruptcy_limit"])
weights = st.sampled_from([0.0, 0.3, 1.0])


class TestDampers:
    def test_bitmex_limit_at_the_bankruptcy_price_example(self) -> None:
        # BitMEX, liquidationExamples: "A trader goes long 1 contract at $100.00, with a
        # liquidation price of $99.50 and a bankruptcy price of $99.00 ... places a limit sell
        # order with a limit price of $99 (bankruptcy price). The liquidation order is filled at
        # $99.25. The extra $0.25 goes into the Insurance Fund."
        pop = cc.Population.from_positions(1, 1.0, 100.0, 100.0)
        assert pop.bankruptcy[0] == pytest.approx(99.0) and round(pop.liquidation[0], 2) == 99.5
        # the shock leaves the price at 99.49 with the best bid there: a book around the trigger
        bids = ob.LevelLadder(1 - np.array([99.49, 99.01, 98.0]) / 99.49, np.array([0.5, 0.5, 5]))
        r = cc.cascade(pop, 100.0, -0.0051, bids, orders="bankruptcy_limit")
        assert r.count == 1 and r.fills[0] == pytest.approx(99.25)
        assert r.fund_income == pytest.approx(0.25) and r.taken_over == 0 and r.fund_draw == 0

    def test_binance_what_the_limit_cannot_fill_is_taken_over_at_bankruptcy(self) -> None:
        # Binance: "All orders will be issued at the bankruptcy price ... If the position cannot
        # be fully closed, the insurance fund and / or counterparty-liquidation will take effect."
        pop = cc.Population.from_positions(1, 1.0, 100.0, 100.0)
        bids = ob.LevelLadder.from_prices([99.25, 98.0], [0.5, 5.0], mid=99.49)
        limit = cc.cascade(pop, 100.0, -0.0051, bids, orders="bankruptcy_limit")
        market = cc.cascade(pop, 100.0, -0.0051, bids)
        assert limit.taken_over == pytest.approx(0.5) and limit.fund_draw == 0
        assert limit.fills[0] == pytest.approx((99.25 + 99.0) / 2)
        assert limit.price == pytest.approx(99.25)  # the takeover never reaches the book
        assert market.fills[0] == pytest.approx((99.25 + 98.0) / 2) and market.fund_draw > 0

    @settings(max_examples=30, deadline=None)
    @given(seed=seeds, shock=shocks, depth=depths, kind=orders, weight=weights)
    def test_simulation_without_recovery_reaches_the_damped_fixed_point(
        self, seed: int, shock: float, depth: float, kind: str, weight: float
    ) -> None:
        pop = population(seed)
        ladder = ob.flat_ladder(depth)
        fixed = cc.cascade(pop, PRICE, shock, ladder, orders=kind, mark_pass_through=weight)
        stepped = cc.simulate(pop, PRICE, shock, ob.ResilientBook(ladder, ladder, math.inf),
                              orders=kind, mark_pass_through=weight)
        np.testing.assert_array_equal(stepped.liquidated, fixed.liquidated)
        np.testing.assert_allclose(stepped.fills, fixed.fills, rtol=1e-10)
        assert stepped.price == pytest.approx(fixed.price, rel=1e-10)
        assert stepped.taken_over == pytest.approx(fixed.taken_over, rel=1e-9, abs=1e-9)

    @settings(max_examples=30, deadline=None)
    @given(seed=seeds, shock=shocks, depth=depths, alpha=st.sampled_from([1.0, 2.0]))
    def test_each_damper_never_amplifies_more_than_the_worst_case(
        self, seed: int, shock: float, depth: float, alpha: float
    ) -> None:
        pop = population(seed)
        ladder = ob.PowerLawLadder(depth, alpha)
        worst = cc.cascade(pop, PRICE, shock, ladder)
        runs = [cc.cascade(pop, PRICE, shock, ladder, mark_pass_through=w)
                for w in (0.0, 0.25, 0.5, 0.75)] + [worst]
        amps = [r.amplification for r in runs]
        assert all(b >= a - 1e-12 for a, b in zip(amps, amps[1:], strict=False))
        limit = cc.cascade(pop, PRICE, shock, ladder, orders="bankruptcy_limit")
        assert limit.amplification <= worst.amplification + 1e-12
        assert limit.count <= worst.count
        # a limit at the bankruptcy price never fills beyond it: the fund never pays
        assert limit.fund_draw == 0 and limit.adl_loss == 0
        side = pop.side[limit.liquidated]
        assert np.all(side * (limit.fills - pop.bankruptcy[limit.liquidated]) >= -1e-9)

    def test_a_mark_that_sees_no_impact_liquidates_only_what_the_shock_crosses(self) -> None:
        pop = population(5, n=2_000)
        r = cc.cascade(pop, PRICE, -0.04, ob.flat_ladder(100), mark_pass_through=0.0)
        shocked = PRICE * 0.96
        assert r.count == int(np.sum((pop.side > 0) & (pop.liquidation >= shocked)))
        assert r.mark == shocked and r.price < shocked

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [({"orders": "stop"}, "orders"), ({"mark_pass_through": 1.5}, "mark_pass_through"),
         ({"mark_pass_through": math.nan}, "mark_pass_through"),
         ({"mark_pass_through": "half"}, "mark_pass_through")],
    )
    def test_bad_input(self, kwargs: dict[str, object], name: str) -> None:
        pop = population(0, n=10)
        with pytest.raises(ValueError, match=name):
            cc.cascade(pop, PRICE, -0.1, ob.flat_ladder(10), **kwargs)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=name):
            cc.simulate(pop, PRICE, -0.1, ob.ResilientBook(ob.flat_ladder(10),  # type: ignore[arg-type]
                                                           ob.flat_ladder(10), 1.0), **kwargs)

    def test_an_array_pass_through_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="mark_pass_through"):
            cc.cascade(population(0, n=10), PRICE, -0.1, ob.flat_ladder(10),
                       mark_pass_through=np.array([0.5, 0.2]))  # type: ignore[arg-type]


class TestLimitOrdersOutOfOrder:
    def test_bankruptcy_prices_out_of_liquidation_order_match_the_stepped_model(self) -> None:
        # Liquidation prices and bankruptcy prices in different orders (as tiered margin can
        # make them): an order whose limit the book has already passed fills nothing, and the
        # book never moves back. The solver's loop path against the stepped model.
        rng = np.random.default_rng(8)
        n = 60
        liq = np.sort(rng.uniform(90, 99, n))[::-1].copy()
        bank = liq - rng.uniform(0.2, 6.0, n)  # not monotone in liq
        one = np.ones(n)
        pop = cc.Population(one, rng.uniform(0.5, 2.0, n), 100 * one, 10 * one, liq, bank)
        ladder = ob.flat_ladder(20.0)
        fixed = cc.cascade(pop, 100.0, -0.015, ladder, orders="bankruptcy_limit")
        stepped = cc.simulate(pop, 100.0, -0.015, ob.ResilientBook(ladder, ladder, math.inf),
                              orders="bankruptcy_limit")
        assert np.any(np.diff(bank[fixed.liquidated]) > 0)  # the loop path was taken
        np.testing.assert_array_equal(np.sort(stepped.liquidated), np.sort(fixed.liquidated))
        assert stepped.price == pytest.approx(fixed.price, rel=1e-12)
        assert stepped.taken_over == pytest.approx(fixed.taken_over, rel=1e-9)
        assert fixed.fund_draw == 0


def test_population_traders_are_the_engines_accounts() -> None:
    """One conversion of a Population into the engine's accounts: engine_cascade's (and the
    scorecard's, which imports the same function) are population_traders'."""
    from liqlib.systemic import scorecard

    assert scorecard.population_traders is cc.population_traders
    pop = population(5, n=40)
    traders = cc.population_traders(pop)
    margin = pop.size * pop.entry_price / pop.leverage
    assert [t.side for t in traders] == pop.side.astype(int).tolist()
    assert np.array_equal([t.size for t in traders], pop.size)
    assert np.array_equal([t.entry_price for t in traders], pop.entry_price)
    assert np.array_equal([t.wallet_balance for t in traders], margin)
    assert np.array_equal([t.isolated_margin for t in traders], margin)
    # the engine engine_cascade drives starts from exactly these accounts
    run = engine_run(pop, [PRICE * 0.999], ob.flat_ladder(1e6))
    assert np.array_equal(run.engine.size, pop.size)
    assert np.array_equal(run.engine.entry, pop.entry_price)
    assert np.allclose(run.engine.collateral, margin)
    with pytest.raises(TypeError, match="population must be a Population"):
        cc.population_traders([1.0, 2.0])  # type: ignore[arg-type]


class TestLeverageCalibration:
    MODEL = dict(n=300, price=100.0, seed=11)

    def test_more_leverage_or_a_thinner_book_liquidates_more(self) -> None:
        shares = [cc.liquidated_share(-0.08, s, **self.MODEL).share for s in (0.2, 0.5, 1.0, 2.0)]
        assert all(0.0 <= x <= 1.0 for x in shares)
        assert shares == sorted(shares) and shares[0] < shares[-1]
        deep = cc.liquidated_share(-0.08, 1.0, depth=0.5, **self.MODEL)
        thin = cc.liquidated_share(-0.08, 1.0, depth=0.005, **self.MODEL)
        assert thin.share > deep.share and thin.result.price < deep.result.price

    def test_the_share_is_liquidated_notional_over_both_sides_at_entry(self) -> None:
        run = cc.liquidated_share(-0.1, 1.5, **self.MODEL)
        pop = run.population
        assert len(pop) == 300 and run.leverage_scale == 1.5
        sold = pop.size[run.result.liquidated] * run.result.fills
        assert run.share == pytest.approx(sold.sum() / (pop.size * pop.entry_price).sum())

    def test_the_fit_keeps_the_closest_scale_of_the_grid(self) -> None:
        grid = [0.25, 0.5, 1.0, 2.0]
        shares = [cc.liquidated_share(-0.08, s, **self.MODEL).share for s in grid]
        for scale, target in zip(grid, shares, strict=True):
            fit = cc.fit_leverage_scale(target, -0.08, grid, **self.MODEL)
            assert fit.leverage_scale == scale and fit.share == target
        between = 0.5 * (shares[1] + shares[2]) + 1e-9   # just nearer the third
        assert cc.fit_leverage_scale(between, -0.08, grid, **self.MODEL).leverage_scale == 1.0

    @pytest.mark.parametrize(("args", "name"), [
        (dict(share=1.5), "share"), (dict(scales=[]), "scales"),
        (dict(scales=[0.0, 1.0]), "scales"), (dict(depth=0.0), "depth"),
        (dict(scales=[[1.0]]), "scales"),
    ])
    def test_bad_input_is_named(self, args: dict[str, object], name: str) -> None:
        call = {"share": 0.1, "shock": -0.08, "scales": [1.0], **self.MODEL, **args}
        with pytest.raises(ValueError, match=name):
            cc.fit_leverage_scale(**call)
