"""Impact laws and the Almgren-Chriss schedule (liqlib.systemic.costs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import liqlib.engine.book as ob
import liqlib.systemic.costs as co

# Almgren & Chriss (2000), section 3 example parameters (READING.md item 22).
PAPER = co.ExecutionModel(
    shares=1e6, horizon=5, periods=5, sigma=0.95, epsilon=0.0625, eta=2.5e-6, gamma=2.5e-7
)


class TestImpactLaws:
    def test_square_root_law_quadruple_size_doubles_impact(self) -> None:
        a, b = co.square_root_impact([100, 400], 1e4, 0.05)
        assert b == pytest.approx(2 * a)

    def test_the_linear_density_book_obeys_the_square_root_law(self) -> None:
        # A book whose density rises linearly with distance: touch move ∝ sqrt(Q)
        ladder = ob.linear_ladder(depth=1_000)
        q = np.array([10.0, 40.0, 160.0])
        move = ob.execute(ladder, ob.SELL, q, 100.0).worst_price
        assert np.diff(np.log(100 - move)) / np.diff(np.log(q)) == pytest.approx([0.5, 0.5])

    def test_the_flat_book_is_kyle(self) -> None:
        ladder = ob.flat_ladder(depth=1_000)  # 1% per 1,000 units: lambda = 100 * 0.01 / 1000
        move = 100 - ob.execute(ladder, ob.SELL, 250, 100.0).worst_price
        assert move == pytest.approx(co.linear_impact(250, 100 * 0.01 / 1_000))

    @pytest.mark.parametrize(
        ("call", "name"),
        [
            (lambda: co.linear_impact(-1, 0.1), "quantity"),
            (lambda: co.square_root_impact(1, 0, 0.1), "daily_volume"),
            (lambda: co.square_root_impact(1, 1, 0.1, y=0), "y"),
        ],
    )
    def test_bad_input(self, call: object, name: str) -> None:
        with pytest.raises(ValueError, match=name):
            call()  # type: ignore[operator]


class TestAlmgrenChriss:
    def test_zero_risk_aversion_is_twap(self) -> None:
        x = co.almgren_chriss_schedule(PAPER, 0.0)
        assert np.diff(x) == pytest.approx(np.full(5, -2e5))

    def test_paper_example_is_front_loaded_and_cheaper_in_variance(self) -> None:
        urgent = co.almgren_chriss_schedule(PAPER, 2e-6)
        twap = co.almgren_chriss_schedule(PAPER, 0.0)
        assert urgent[0] == PAPER.shares and urgent[-1] == 0
        assert np.all(np.diff(urgent) < 0) and np.all(urgent[1:-1] < twap[1:-1])
        cost_u, cost_t = co.schedule_cost(PAPER, urgent), co.schedule_cost(PAPER, twap)
        assert cost_u.variance < cost_t.variance and cost_u.expected > cost_t.expected

    @settings(max_examples=30, deadline=None)
    @given(
        lam=st.floats(1e-8, 1e-4),
        bumps=st.lists(st.floats(-0.05, 0.05), min_size=4, max_size=4),
    )
    def test_the_schedule_minimises_the_objective(self, lam: float, bumps: list[float]) -> None:
        best = co.almgren_chriss_schedule(PAPER, lam)
        other = best.copy()
        other[1:-1] *= 1 + np.asarray(bumps)
        f_best = co.schedule_cost(PAPER, best).objective(lam)
        f_other = co.schedule_cost(PAPER, other).objective(lam)
        assert f_best <= f_other * (1 + 1e-12)

    def test_a_very_urgent_seller_does_not_overflow(self) -> None:
        x = co.almgren_chriss_schedule(PAPER, 1e6)
        assert np.all(np.isfinite(x)) and x[1] < 1e-6 * PAPER.shares

    def test_bad_model(self) -> None:
        with pytest.raises(ValueError, match="gamma \\* tau"):
            co.ExecutionModel(1, 10, 1, 1, 0, eta=0.1, gamma=1.0)
        with pytest.raises(ValueError, match="periods"):
            co.ExecutionModel(1, 1, 0, 1, 0, 0.1, 0)
        with pytest.raises(ValueError, match="holdings"):
            co.schedule_cost(PAPER, [1e6, 0])


# --- the cost decomposition of a liquidation (liqlib.systemic.cost_breakdown)
# ----------------------------

import liqlib.systemic.cost_breakdown as cb  # noqa: E402
from liqlib.engine.policies import CappedBySurplus, ForfeitSurplus, RateOnNotional  # noqa: E402

FEES = [None, RateOnNotional(0.005), CappedBySurplus(0.015), ForfeitSurplus()]
ladders = st.one_of(
    st.builds(
        ob.PowerLawLadder,
        depth=st.floats(5.0, 1e4),
        alpha=st.sampled_from([1.0, 1.5, 2.0]),
        half_spread=st.floats(0, 5e-4),
    ),
    st.builds(
        lambda sizes: ob.LevelLadder(np.arange(1, len(sizes) + 1) * 1e-3, np.asarray(sizes)),
        st.lists(st.floats(1, 1e3), min_size=3, max_size=12).map(lambda s: [*s, 1e9]),
    ),
)


def _cost(ladder: ob.Ladder, **kw: object) -> cb.CostBreakdown:
    fee = kw.pop("fee", None)
    kw["fee"] = fee if fee is not None else "none"
    return cb.liquidation_cost(ladder=ladder, **kw)  # type: ignore[arg-type]


class TestCostBreakdown:
    @settings(max_examples=80, deadline=None)
    @given(
        ladder=ladders,
        side=st.sampled_from([1, -1]),
        size=st.floats(0.01, 500),
        leverage=st.floats(1.5, 100),
        fee=st.sampled_from(FEES),
        fund=st.sampled_from([0.0, 50.0, 1e4, np.inf]),
        adl=st.booleans(),
        gap=st.floats(-0.02, 0.02),
    )
    def test_components_and_payers_sum_to_the_total(
        self, ladder: ob.Ladder, side: int, size: float, leverage: float, fee: object,
        fund: float, adl: bool, gap: float,
    ) -> None:
        base = cb.liquidation_cost(side, size, 60_000, ladder, leverage=leverage, mmr=0.005)
        trigger = base.mark * (1 - side * gap)  # before or beyond the liquidation price
        r = _cost(ladder, side=side, size=size, entry_price=60_000, leverage=leverage,
                  mark=trigger, fee=fee, insurance_fund=fund, adl=adl)
        parts = [r.gap, r.spread, r.impact, r.fee]
        payers = [r.trader, r.insurance_fund, r.adl, r.bad_debt]
        scale = r.notional
        assert min(parts) >= 0 and min(payers) >= 0
        assert sum(parts) == pytest.approx(r.total, abs=1e-9 * scale)
        assert sum(payers) == pytest.approx(r.total, abs=1e-9 * scale)
        a = r.allocation()
        assert a.sum(axis=1) == pytest.approx(parts, abs=1e-9 * scale)
        assert a.sum(axis=0) == pytest.approx(payers, abs=1e-9 * scale)
        assert a[3, 1:].sum() == pytest.approx(0, abs=1e-9 * scale)  # the fee is the trader's
        # the trader never loses more than the collateral, nor pays more than the equity
        assert 0 <= r.returned and r.trader_loss <= r.collateral * (1 + 1e-12)
        assert r.trader <= max(r.equity, 0) * (1 + 1e-12) + 1e-9
        assert r.insurance_fund <= fund
        assert (r.adl == 0) if not adl else (r.bad_debt == 0)
        # what the book's side receives is what the order paid against the mark
        assert r.liquidity_providers == pytest.approx(r.spread + r.impact)
        assert r.fund_fee + r.venue_fee == pytest.approx(r.fee)

    @settings(max_examples=60, deadline=None)
    @given(ladder=ladders, sizes=st.lists(st.floats(0.01, 500), min_size=2, max_size=8))
    def test_slippage_is_nonnegative_and_grows_with_size(
        self, ladder: ob.Ladder, sizes: list[float]
    ) -> None:
        q = np.sort(np.asarray(sizes))
        r = cb.liquidation_cost(1, q, 60_000, ladder, leverage=10, mark=54_000.0)
        per_unit = (r.spread + r.impact) / q
        assert np.all(r.impact >= 0) and np.all(r.spread >= 0)
        assert np.all(np.diff(per_unit) >= -1e-9 * per_unit[:-1])
        assert np.all(np.diff(r.spread + r.impact) >= 0)

    @settings(max_examples=60, deadline=None)
    @given(ladder=ladders, side=st.sampled_from([1, -1]), size=st.floats(0.01, 500))
    def test_vwap_between_best_and_last_level(
        self, ladder: ob.Ladder, side: int, size: float
    ) -> None:
        r = cb.liquidation_cost(side, size, 60_000, ladder, leverage=20)
        best = r.mark * (1 - side * float(ladder.distance(np.zeros(()))))
        lo, hi = sorted([best, r.worst_price])
        assert lo * (1 - 1e-12) <= r.vwap <= hi * (1 + 1e-12)

    def test_the_waterfall_in_order(self) -> None:
        # 10 BTC at 60,000, 10x, MM 0.5%; a book of 5 BTC per 1% fills 1% below the trigger
        book = ob.flat_ladder(5)
        kw = {"leverage": 10, "mmr": 0.005}
        rich = cb.liquidation_cost(1, 10, 60_000, book, insurance_fund=1e6, **kw)
        poor = cb.liquidation_cost(1, 10, 60_000, book, insurance_fund=1_000, **kw)
        none = cb.liquidation_cost(1, 10, 60_000, book, insurance_fund=1_000, adl=False, **kw)
        deficit = rich.impact - rich.equity
        assert rich.insurance_fund == pytest.approx(deficit) and rich.adl == 0
        assert poor.insurance_fund == 1_000 and poor.adl == pytest.approx(deficit - 1_000)
        assert none.bad_debt == pytest.approx(deficit - 1_000) and none.adl == 0
        assert rich.trader == pytest.approx(rich.equity) and rich.returned == 0
        assert rich.bps("total") == pytest.approx(100.0)  # 1% of notional, in bps

    def test_a_late_trigger_has_a_gap(self) -> None:
        # the mark is already 1% beyond the bankruptcy price of 54,000 when the engine acts
        r = cb.liquidation_cost(1, 10, 60_000, ob.flat_ladder(1e6), leverage=10, mark=53_460.0)
        assert r.gap == pytest.approx(10 * 540) and r.trader == 0
        assert r.insurance_fund == pytest.approx(r.total) and r.trader_loss == r.collateral

    def test_fee_policies(self) -> None:
        book = ob.flat_ladder(1_000, half_spread=1e-4)
        kw = {"leverage": 10, "mmr": 0.005}
        forfeit = cb.liquidation_cost(1, 10, 60_000, book, fee=ForfeitSurplus(), **kw)
        nofee = cb.liquidation_cost(1, 10, 60_000, book, **kw)
        assert forfeit.returned == 0 and forfeit.fee == pytest.approx(nofee.returned)
        split = cb.liquidation_cost(1, 10, 60_000, book, fee="rate_on_notional",
                                    fee_to_fund=0.25, **kw)
        assert split.fund_fee == pytest.approx(0.25 * split.fee)
        assert split.spread == pytest.approx(1e-4 * split.notional)

    def test_arrays_broadcast(self) -> None:
        r = cb.liquidation_cost([1, -1], [1.0, 2.0], 100.0, ob.flat_ladder(10), leverage=20)
        one = cb.liquidation_cost(-1, 2.0, 100.0, ob.flat_ladder(10), leverage=20)
        assert r.total.shape == (2,) and r.total[1] == pytest.approx(one.total)
        assert r.allocation().shape == (4, 4, 2)

    def test_covered_size_is_where_the_fund_starts_paying(self) -> None:
        book = ob.linear_ladder(200, half_spread=2e-4)
        n = cb.covered_size(book, 0.005)
        assert n == pytest.approx(200 * (1.5 * (0.005 - 2e-4) / 0.01) ** 2)
        kw = {"leverage": 20, "mmr": 0.005}
        below = cb.liquidation_cost(1, 0.999 * n, 60_000, book, **kw)
        above = cb.liquidation_cost(1, 1.001 * n, 60_000, book, **kw)
        assert below.insurance_fund == 0 < above.insurance_fund
        assert cb.covered_size(ob.flat_ladder(1, half_spread=0.01), 0.005) == 0.0

    @pytest.mark.parametrize(
        ("kw", "name"),
        [
            ({"side": 0}, "side"),
            ({"size": -1.0}, "size"),
            ({"entry_price": float("nan")}, "entry_price"),
            ({"mark": 0.0}, "mark"),
            ({"fee": "kraken"}, "fee"),
            ({"fee": 0.005}, "fee"),
            ({"fee_to_fund": 1.5}, "fee_to_fund"),
            ({"insurance_fund": -1.0}, "insurance_fund"),
            ({"leverage": None}, "leverage"),
            ({"leverage": 1.0}, "mark is needed"),
            ({"size": 2e9}, "cannot fill"),
        ],
    )
    def test_bad_input(self, kw: dict[str, object], name: str) -> None:
        args: dict[str, object] = {"side": 1, "size": 1.0, "entry_price": 100.0,
                                   "ladder": ob.LevelLadder(np.array([1e-3]), np.array([1e9])),
                                   "leverage": 10}
        args.update(kw)
        with pytest.raises(ValueError, match=name):
            cb.liquidation_cost(**args)  # type: ignore[arg-type]

    def test_bad_covered_size(self) -> None:
        with pytest.raises(ValueError, match="buffer_rate"):
            cb.covered_size(ob.flat_ladder(1), 1.5)


# --- slicing over time with resilience (liqlib.systemic.costs.sliced_execution)
# -------------------------


class TestSlicedExecution:
    BOOK = ob.flat_ladder(100, half_spread=1e-4)

    @settings(max_examples=40, deadline=None)
    @given(
        n=st.integers(1, 12),
        lam=st.floats(0, 1e-2),
        sigma=st.floats(0.01, 5),
    )
    def test_a_flat_book_that_refills_is_almgren_chriss(
        self, n: int, lam: float, sigma: float
    ) -> None:
        model = co.flat_book_model(self.BOOK, 100.0, 40, 10, n, sigma)
        x = co.almgren_chriss_schedule(model, lam)
        run = co.sliced_execution(self.BOOK, x, 100.0, interval=model.tau, half_life=0)
        assert run.cost == pytest.approx(co.schedule_cost(model, x).expected, rel=1e-9)

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(2, 10), h1=st.floats(0.1, 10), h2=st.floats(0.1, 10))
    def test_slower_refill_costs_more_and_never_more_than_one_order(
        self, n: int, h1: float, h2: float
    ) -> None:
        x = np.linspace(40, 0, n + 1)
        one = co.sliced_execution(self.BOOK, [40, 0], 100.0, interval=1, half_life=1).cost
        fast, slow = (co.sliced_execution(self.BOOK, x, 100.0, interval=1, half_life=h).cost
                      for h in sorted([h1, h2]))
        assert fast <= slow * (1 + 1e-12) and slow <= one * (1 + 1e-12)
        never = co.sliced_execution(self.BOOK, x, 100.0, interval=1, half_life=np.inf).cost
        assert never == pytest.approx(one)

    def test_buy_side_and_vwap(self) -> None:
        run = co.sliced_execution(self.BOOK, [10, 5, 0], 100.0, interval=1, half_life=0,
                                  side=ob.BUY)
        assert run.vwap > 100 and run.worst_price == pytest.approx(100 * (1 + 1e-4 + 5e-4))
        assert run.vwap == pytest.approx(np.average(run.vwaps, weights=run.quantities))

    @pytest.mark.parametrize(
        ("call", "name"),
        [
            (lambda: co.sliced_execution(ob.flat_ladder(1), [1, 2, 0], 1.0, interval=1,
                                         half_life=1), "holdings"),
            (lambda: co.sliced_execution(ob.flat_ladder(1), [1, 0.5], 1.0, interval=1,
                                         half_life=1), "holdings"),
            (lambda: co.sliced_execution(ob.flat_ladder(1), [1, 0], 1.0, interval=-1,
                                         half_life=1), "interval"),
            (lambda: co.sliced_execution(ob.flat_ladder(1), [1, 0], 1.0, interval=1,
                                         half_life=-1), "half_life"),
            (lambda: co.sliced_execution(ob.LevelLadder([0.01], [1]), [2, 0], 1.0, interval=1,
                                         half_life=1), "ran out"),
            (lambda: co.flat_book_model(ob.linear_ladder(1), 1.0, 1, 1, 1, 1), "flat"),
        ],
    )
    def test_bad_input(self, call: object, name: str) -> None:
        with pytest.raises(ValueError, match=name):
            call()  # type: ignore[operator]


class TestObizhaevaWang:
    """The optimal schedule in a resilient flat book (Obizhaeva and Wang 2013, Props. 1-2)."""

    BOOK = ob.flat_ladder(100, half_spread=2e-4)

    def _direct(self, ow: co.ObizhaevaWangSchedule, interval: float, half_life: float) -> float:
        return co.sliced_execution(
            self.BOOK, ow.holdings, 100.0, interval=interval, half_life=half_life
        ).cost

    @settings(max_examples=60, deadline=None)
    @given(
        shares=st.floats(1.0, 500.0),
        periods=st.integers(1, 40),
        interval=st.floats(0.1, 30.0),
        half_life=st.floats(0.05, 300.0),
    )
    def test_closed_form_equals_the_schedule_run_through_the_book(
        self, shares: float, periods: int, interval: float, half_life: float
    ) -> None:
        ow = co.obizhaeva_wang_schedule(
            self.BOOK, shares, 100.0, periods=periods, interval=interval, half_life=half_life
        )
        assert ow.trades.sum() == pytest.approx(shares, rel=1e-12)
        assert ow.trades[0] == ow.trades[-1] == ow.block
        assert self._direct(ow, interval, half_life) == pytest.approx(ow.cost, rel=1e-9)

    @pytest.mark.parametrize("half_life", [0.5, 10.0, 60.0])
    def test_no_other_schedule_is_cheaper(self, half_life: float) -> None:
        # Perturb the optimum in every direction that keeps the total: the cost only rises.
        ow = co.obizhaeva_wang_schedule(self.BOOK, 200, 100.0, periods=6, interval=10,
                                        half_life=half_life)
        rng = np.random.default_rng(13)
        for _ in range(50):
            bump = rng.normal(0, 2.0, ow.trades.size)
            trades = np.clip(ow.trades + bump - bump.mean(), 0, None)
            trades *= 200 / trades.sum()
            holdings = 200 - np.concatenate([[0.0], np.cumsum(trades)])
            holdings[-1] = 0.0
            other = co.sliced_execution(self.BOOK, np.maximum(holdings, 0), 100.0, interval=10,
                                        half_life=half_life).cost
            assert other >= ow.cost - 1e-9
        twap = np.linspace(200, 0, 8)
        assert self._direct(ow, 10, half_life) < co.sliced_execution(
            self.BOOK, twap, 100.0, interval=10, half_life=half_life).cost

    def test_instant_refill_is_equal_slices(self) -> None:
        ow = co.obizhaeva_wang_schedule(self.BOOK, 90, 100.0, periods=8, interval=1, half_life=0)
        assert ow.trades == pytest.approx(np.full(9, 10.0))
        # each slice pays a fresh book: spread on 90 plus 9 * (M r / d) * 10^2 / 2
        assert ow.cost == pytest.approx(100 * 2e-4 * 90 + 9 * 0.01 * 100 / 2)

    def test_no_refill_every_schedule_costs_one_order(self) -> None:
        ow = co.obizhaeva_wang_schedule(self.BOOK, 90, 100.0, periods=8, interval=1,
                                        half_life=float("inf"))
        one = co.sliced_execution(self.BOOK, [90.0, 0.0], 100.0, interval=1, half_life=0).cost
        assert ow.block == pytest.approx(45.0) and ow.trades[1:-1] == pytest.approx(0.0)
        assert ow.cost == pytest.approx(one) == pytest.approx(ow.continuous_cost)

    def test_discrete_cost_tends_to_the_continuous_limit(self) -> None:
        # T = 100 s, half-life 20 s: rho T = 5 ln 2; the discrete optimum falls to the limit
        costs = [co.obizhaeva_wang_schedule(self.BOOK, 100, 100.0, periods=n, interval=100 / n,
                                            half_life=20) for n in (2, 10, 100, 10_000)]
        gaps = [c.cost - c.continuous_cost for c in costs]
        assert all(g > 0 for g in gaps) and gaps == sorted(gaps, reverse=True)
        assert gaps[-1] < 1e-3 * (costs[-1].continuous_cost - 100 * 2e-4 * 100)
        spread = 100 * 2e-4 * 100
        limit = spread + 0.01 * 100 / 100 * 100**2 / (5 * np.log(2) + 2)
        assert costs[0].continuous_cost == pytest.approx(limit)
        # blocks at both ends of the continuous limit: X / (rho T + 2)
        assert costs[-1].block == pytest.approx(100 / (5 * np.log(2) + 2), rel=1e-3)

    def test_infinite_resilience_in_continuous_time_costs_only_the_spread(self) -> None:
        ow = co.obizhaeva_wang_schedule(self.BOOK, 100, 100.0, periods=10, interval=1,
                                        half_life=1e-12)
        assert ow.continuous_cost == pytest.approx(100 * 2e-4 * 100)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"ladder": ob.linear_ladder(100)}, "ladder"),
            ({"shares": 0.0}, "shares"),
            ({"mid": -1.0}, "mid"),
            ({"periods": 0}, "periods"),
            ({"periods": 2.5}, "periods"),
            ({"interval": -1.0}, "interval"),
            ({"half_life": float("nan")}, "half_life"),
        ],
    )
    def test_bad_input(self, kwargs: dict[str, object], name: str) -> None:
        args: dict[str, object] = {"ladder": self.BOOK, "shares": 10.0, "mid": 100.0,
                                   "periods": 3, "interval": 1.0, "half_life": 1.0}
        args.update(kwargs)
        with pytest.raises(ValueError, match=name):
            co.obizhaeva_wang_schedule(**args)  # type: ignore[arg-type]


class TestFundExpectedShortfall:
    def test_closed_form_against_a_seeded_simulation(self) -> None:
        rng = np.random.default_rng(2026)
        draws = rng.normal(50.5, 18.2, 2_000_000)
        simulated = np.maximum(draws - 50.0, 0).mean()
        assert co.fund_expected_shortfall(50.5, 18.2, 50.0) == pytest.approx(simulated, rel=5e-3)

    def test_put_call_parity_and_limits(self) -> None:
        mu, s, m = np.array([30.0, 50.0, 70.0]), 12.0, 50.0
        put = co.fund_expected_shortfall(mu, s, m)
        # E[max(0, C - m)] - E[max(0, m - C)] = E[C] - m
        mirror = co.fund_expected_shortfall(2 * m - mu, s, m)
        assert put - mirror == pytest.approx(mu - m)
        assert co.fund_expected_shortfall(mu, 0.0, m).tolist() == [0.0, 0.0, 20.0]
        assert np.all(np.diff(co.fund_expected_shortfall(50.0, [1.0, 5.0, 25.0], m)) > 0)

    @pytest.mark.parametrize(
        ("args", "name"),
        [((1.0, -1.0, 0.0), "std_cost"), ((np.nan, 1.0, 0.0), "mean_cost"),
         ((1.0, 1.0, np.inf), "margin")],
    )
    def test_bad_input(self, args: tuple[float, float, float], name: str) -> None:
        with pytest.raises(ValueError, match=name):
            co.fund_expected_shortfall(*args)
