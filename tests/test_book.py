"""Order-book ladders and market-order execution (liqlib.engine.book)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import liqlib.engine.book as ob

depths = st.floats(1.0, 1e4)
alphas = st.floats(0.3, 4.0)
spreads = st.floats(0.0, 0.005)
quantities = st.floats(0.0, 500.0)


@st.composite
def ladders(draw: st.DrawFn) -> ob.Ladder:
    if draw(st.booleans()):
        return ob.PowerLawLadder(draw(depths), draw(alphas), draw(spreads))
    n = draw(st.integers(1, 12))
    gaps = draw(st.lists(st.floats(1e-4, 0.02), min_size=n, max_size=n))
    sizes = draw(st.lists(st.floats(0.1, 100.0), min_size=n, max_size=n))
    return ob.LevelLadder(np.cumsum(gaps), np.array(sizes))


class TestPublishedShapes:
    def test_flat_book_has_linear_impact(self) -> None:
        # Kyle: the touch moves in proportion to the quantity sold.
        fills = ob.execute(ob.flat_ladder(100), ob.SELL, [10, 20, 40], mid=1_000)
        moves = 1_000 - fills.worst_price
        assert moves == pytest.approx([1.0, 2.0, 4.0])

    def test_linear_density_gives_square_root_impact(self) -> None:
        # Tóth et al. / Donier-Bonart: four times the size moves the price twice as far.
        fills = ob.execute(ob.linear_ladder(100), ob.SELL, [25, 100, 400], mid=1_000)
        moves = 1_000 - fills.worst_price
        assert moves == pytest.approx([5.0, 10.0, 20.0])
        # and the average fill sits 2/3 of the way to the worst price (alpha / (alpha + 1))
        assert (1_000 - fills.vwap) == pytest.approx(moves * 2 / 3)

    def test_levels_walk_in_order(self) -> None:
        asks = ob.LevelLadder.from_prices([101, 102, 105], [1, 2, 5], mid=100)
        fill = ob.execute(asks, ob.BUY, 10, mid=100)
        assert fill.quantity == 8 and fill.unfilled == 2
        assert fill.vwap == pytest.approx((101 + 2 * 102 + 5 * 105) / 8)
        assert fill.worst_price == 105
        assert fill.cost == pytest.approx(8 * (fill.vwap - 100))


class TestProperties:
    @given(ladder=ladders(), q=quantities, mid=st.floats(1, 1e5))
    def test_vwap_lies_between_touch_and_worst_fill(
        self, ladder: ob.Ladder, q: float, mid: float
    ) -> None:
        fill = ob.execute(ladder, ob.SELL, q, mid)
        if fill.quantity > 0:
            touch = mid * (1 - float(ladder.distance(np.array(0.0))))
            assert fill.worst_price * (1 - 1e-12) <= fill.vwap <= touch * (1 + 1e-12)
            assert fill.cost >= 0

    @given(ladder=ladders(), q1=quantities, q2=quantities)
    def test_splitting_an_order_without_refill_costs_the_same(
        self, ladder: ob.Ladder, q1: float, q2: float
    ) -> None:
        whole = ob.execute(ladder, ob.SELL, q1 + q2, 100.0)
        first = ob.execute(ladder, ob.SELL, q1, 100.0)
        second = ob.execute(ladder, ob.SELL, q2, 100.0, consumed=first.quantity)
        assert first.cost + second.cost == pytest.approx(whole.cost, rel=1e-9, abs=1e-9)
        assert first.quantity + second.quantity == pytest.approx(whole.quantity)

    @given(ladder=ladders(), q1=quantities, q2=quantities)
    def test_cost_is_superadditive(self, ladder: ob.Ladder, q1: float, q2: float) -> None:
        # Deeper units fill worse, so one big order costs at least two small fresh ones
        # (as long as the book holds the big one).
        if q1 + q2 > ladder.capacity:
            return
        big = ob.execute(ladder, ob.SELL, q1 + q2, 100.0).cost
        small = ob.execute(ladder, ob.SELL, [q1, q2], 100.0).cost.sum()
        assert big >= small * (1 - 1e-9) - 1e-9

    @given(ladder=ladders(), q=quantities)
    def test_buy_and_sell_mirror_around_mid(self, ladder: ob.Ladder, q: float) -> None:
        buy, sell = ob.execute(ladder, ob.BUY, q, 100.0), ob.execute(ladder, ob.SELL, q, 100.0)
        if buy.quantity > 0:
            assert buy.vwap - 100 == pytest.approx(100 - sell.vwap)

    def test_level_ladder_approaches_the_power_law_it_samples(self) -> None:
        smooth = ob.linear_ladder(100)
        edges = np.linspace(0, 0.05, 2_001)
        sizes = np.diff(smooth.depth * (edges / smooth.reference) ** smooth.alpha)
        levels = ob.LevelLadder(edges[1:], sizes)
        a, b = ob.execute(smooth, ob.SELL, 900, 100.0), ob.execute(levels, ob.SELL, 900, 100.0)
        assert a.vwap == pytest.approx(b.vwap, abs=2e-3)


class TestResilience:
    def test_holes_refill_with_the_half_life(self) -> None:
        book = ob.ResilientBook(ob.flat_ladder(100), ob.flat_ladder(100), half_life=10)
        book.execute(ob.SELL, 80, 100.0)
        book.advance(30)
        assert book.consumed_bids == pytest.approx(10)
        assert book.consumed_asks == 0

    def test_waiting_makes_a_second_order_cheaper(self) -> None:
        def second_cost(wait: float) -> float:
            book = ob.ResilientBook(ob.linear_ladder(50), ob.linear_ladder(50), half_life=5)
            book.execute(ob.SELL, 40, 100.0)
            book.advance(wait)
            return float(book.execute(ob.SELL, 40, 100.0).cost)

        costs = [second_cost(w) for w in (0, 2, 5, 20, math.inf)]
        assert costs == sorted(costs, reverse=True)
        fresh = float(ob.execute(ob.linear_ladder(50), ob.SELL, 40, 100.0).cost)
        assert costs[-1] == pytest.approx(fresh)

    def test_permanent_and_instant_limits(self) -> None:
        for half_life, left in ((math.inf, 30.0), (0.0, 0.0)):
            book = ob.ResilientBook(ob.flat_ladder(100), ob.flat_ladder(100), half_life)
            book.execute(ob.BUY, 30, 100.0)
            book.advance(1)
            assert book.consumed_asks == left


class TestBadInput:
    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: ob.PowerLawLadder(depth=0), "depth"),
            (lambda: ob.PowerLawLadder(depth=1, alpha=-1), "alpha"),
            (lambda: ob.PowerLawLadder(depth=1, half_spread=1.5), "half_spread"),
            (lambda: ob.LevelLadder(np.array([0.01, 0.005]), np.array([1.0, 1.0])), "increase"),
            (lambda: ob.LevelLadder(np.array([0.01]), np.array([1.0, 2.0])), "one length"),
            (lambda: ob.LevelLadder.from_prices([99, 101], [1, 1], mid=100), "one side"),
            (lambda: ob.execute(ob.flat_ladder(1), 2, 1, 100), "side"),
            (lambda: ob.execute(ob.flat_ladder(1), ob.SELL, -1, 100), "quantity"),
            (lambda: ob.execute(ob.flat_ladder(1), ob.SELL, 1, 0), "mid"),
            (lambda: ob.ResilientBook(ob.flat_ladder(1), ob.flat_ladder(1), -1), "half_life"),
        ],
    )
    def test_names_the_argument(self, build: object, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            build()  # type: ignore[operator]

    def test_selling_past_an_empty_book_fills_what_is_there(self) -> None:
        fill = ob.execute(ob.flat_ladder(10, reference=0.1), ob.SELL, 1_000, 100.0)
        assert fill.quantity == pytest.approx(100) and fill.unfilled == pytest.approx(900)
        assert fill.worst_price == pytest.approx(0.0, abs=1e-9)


# --- limit orders ---------------------------------------------------------------------------------

@given(ladders(), quantities, st.floats(0.0, 0.05), st.floats(0.0, 200.0), st.sampled_from([1, -1]))
def test_a_limit_order_never_fills_beyond_its_limit(
    ladder: ob.Ladder, q: float, reach: float, consumed: float, side: int
) -> None:
    """A limit order fills at or better than its limit, and exactly what the market order would
    fill up to there: no more, no less."""
    mid = 100.0
    limit = mid * (1 + side * reach)
    fill = ob.execute(ladder, side, q, mid, consumed, limit=limit)
    market = ob.execute(ladder, side, q, mid, consumed)
    assert fill.quantity <= market.quantity + 1e-12
    if fill.quantity > 0:
        assert side * (fill.worst_price - limit) <= 1e-9 * mid
        assert side * (fill.vwap - limit) <= 1e-9 * mid
    # the distance the limit price stands at, as execute computes it from the price
    within = float(ladder.quantity_within(np.array(side * (limit - mid) / mid)))
    expected = min(q, max(0.0, min(within, ladder.capacity) - min(consumed, ladder.capacity)))
    assert fill.quantity == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert fill.quantity + fill.unfilled == pytest.approx(q)


@given(ladders(), st.floats(0.0, 300.0))
def test_quantity_within_inverts_distance(ladder: ob.Ladder, q: float) -> None:
    q = min(q, 0.999 * ladder.capacity)
    x = float(ladder.distance(np.array(q)))
    # The inverse subtracts the half spread from x: one ulp of x, relative to x - half_spread
    # (tiny for a small q), is the rounding it amplifies, then scaled by the power alpha.
    half_spread = getattr(ladder, "half_spread", 0.0)
    alpha = getattr(ladder, "alpha", 1.0)
    conditioning = alpha * np.spacing(x) / max(x - half_spread, np.finfo(float).tiny)
    tolerance = 1e-9 + 4 * conditioning
    assert float(ladder.quantity_within(np.array(x))) >= q * (1 - tolerance) - 1e-9


def test_limit_beyond_the_mid_fills_nothing_and_bad_limits_are_refused() -> None:
    bids = ob.flat_ladder(100)
    assert ob.execute(bids, ob.SELL, 5, 100.0, limit=101.0).quantity == 0
    assert ob.execute(bids, ob.SELL, 5, 100.0, limit=99.0).quantity == 5
    with pytest.raises(ValueError, match="limit must be > 0"):
        ob.execute(bids, ob.SELL, 5, 100.0, limit=0.0)
    book = ob.ResilientBook(bids, bids, half_life=math.inf)
    assert book.execute(ob.SELL, 150, 100.0, limit=99.0).quantity == pytest.approx(100.0)
    assert book.execute(ob.SELL, 10, 100.0, limit=99.0).quantity == 0  # the limit's depth is gone
