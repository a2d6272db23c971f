"""ADL scores, queues and allocations (liqlib.engine.adl): published examples, properties, bad
input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.engine.adl import (
    ADL_RULES,
    RANKED_RULES,
    RANKS_BY_PROFIT,
    adl_queue,
    adl_scores,
    binance_score,
    bitmex_score,
    hyperliquid_literal_score,
    hyperliquid_score,
    pro_rata_allocation,
    queue_allocation,
    quintile_lights,
    random_queue,
)

sizes_lists = st.lists(st.just(0.0) | st.floats(1e-6, 1e4), min_size=1, max_size=40)
needed = st.floats(0.0, 1e5)


def test_bitmex_adl_example() -> None:
    """BitMEX autoDeleveragingExamples: ranks 3, 6, 1, 4, 5, 2; sizes 10, 10, 20, 30, 20, 10; a
    20-contract short: "Account 2 will have their entire position of 10 contracts closed, while the
    remaining 10 ... assigned to account 5"."""
    ranks = np.array([3, 6, 1, 4, 5, 2])
    sizes = np.array([10.0, 10, 20, 30, 20, 10])
    order = adl_queue(ranks)
    taken = np.zeros(6)
    taken[order] = queue_allocation(sizes[order], 20)
    assert taken.tolist() == [0, 10, 0, 0, 10, 0]
    assert quintile_lights(ranks)[[1, 4]].tolist() == [5, 5]


def test_bitmex_score_matches_the_documented_values() -> None:
    """Mark, bankrupt and entry values of a linear long: effective leverage |MV| / (MV - BV)."""
    entry, mark, size, collateral = 100.0, 120.0, 2.0, 30.0
    equity = collateral + size * (mark - entry)
    bankrupt = mark - equity / size
    mark_value, bankrupt_value, entry_value = size * mark, size * bankrupt, size * entry
    leverage = abs(mark_value) / (mark_value - bankrupt_value)
    pnl_pct = (mark_value - entry_value) / abs(entry_value)
    got = bitmex_score(+1, entry, mark, equity, size * mark)
    assert math.isclose(got, pnl_pct * leverage, rel_tol=1e-12)
    # a short that lost: PnL% / leverage, negative
    assert bitmex_score(-1, entry, mark, 100.0, 240.0) < 0


def test_binance_score_only_ranks_profits() -> None:
    scores = binance_score(np.array([-50.0, 0.0, 50.0, 100.0]), 1_000.0, 40.0)
    assert scores[:2].tolist() == [0.0, 0.0]
    assert scores[3] > scores[2] > 0
    assert binance_score(100, 0.5, 10) == pytest.approx(100 / 1 * 10 / 100.5)


def test_hyperliquid_literal_score_as_printed() -> None:
    assert hyperliquid_literal_score(110, 100, 1_100, 220) == pytest.approx(5.5)
    assert hyperliquid_literal_score(110, 100, 1_100, -1.0) == np.inf


def test_hyperliquid_literal_index_puts_the_losing_short_first() -> None:
    """The issue's case: two 2x shorts at mark 80, sold at 100 (in profit) and at 70 (losing).
    Printed without a side, the index is 1.6 and 2.286: the loser is deleveraged first."""
    scores = hyperliquid_literal_score(80.0, np.array([100.0, 70.0]), 800.0, 400.0)
    np.testing.assert_allclose(scores, [1.6, 80 / 70 * 2])
    assert adl_queue(scores).tolist() == [1, 0]
    # and an underwater account (no value left) scores +inf: deleveraged before anyone
    assert adl_queue(hyperliquid_literal_score(80.0, [100.0, 70.0], 800.0, [400.0, -1.0]))[0] == 1


def test_hyperliquid_default_ranks_by_profit_and_leverage() -> None:
    """Docs: "ranked by unrealized pnl and leverage used"; the index is for "users in profit"."""
    scores = hyperliquid_score(-1, 80.0, np.array([100.0, 70.0]), 800.0, 400.0)
    np.testing.assert_allclose(scores, [100 / 80 * 2, (70 / 80 - 1) / 2])
    assert adl_queue(scores).tolist() == [0, 1]
    # a long in profit scores the printed index exactly (the ratio needs no adjustment)
    assert hyperliquid_score(1, 110, 100, 1_100, 220) == hyperliquid_literal_score(
        110, 100, 1_100, 220
    )
    # more leverage, same profit: first; underwater: last
    assert hyperliquid_score(1, 110, 100, 1_100, 110) > hyperliquid_score(1, 110, 100, 1_100, 220)
    assert hyperliquid_score(1, 110, 100, 1_100, -1.0) == -np.inf


def test_adl_scores_dispatches_every_ranked_rule() -> None:
    side, entry, mark, size, coll, mm = -1.0, np.array([100.0, 70.0]), 80.0, 10.0, 200.0, 4.0
    upnl = side * size * (mark - entry)
    equity = coll + upnl
    expected = {
        "bitmex": bitmex_score(side, entry, mark, equity, size * mark),
        "binance": binance_score(upnl, coll, mm),
        "hyperliquid": hyperliquid_score(side, mark, entry, size * mark, equity),
        "hyperliquid_literal": hyperliquid_literal_score(mark, entry, size * mark, equity),
    }
    assert set(RANKED_RULES) == set(expected) and set(RANKED_RULES) <= set(ADL_RULES)
    for rule, want in expected.items():
        np.testing.assert_array_equal(adl_scores(rule, side, entry, mark, size, coll, mm), want)
    with pytest.raises(ValueError, match="rule must be one of"):
        adl_scores("dydx", side, entry, mark, size, coll, mm)
    with pytest.raises(ValueError, match="maintenance is required"):
        adl_scores("binance", side, entry, mark, size, coll)


accounts = st.lists(
    st.tuples(
        st.floats(50.0, 150.0),  # entry
        st.floats(0.01, 10.0),  # size
        st.floats(-200.0, 2_000.0),  # collateral (negative: an account already underwater)
    ),
    min_size=2,
    max_size=30,
)


@given(accounts, st.sampled_from([-1.0, 1.0]), st.floats(50.0, 150.0))
def test_rankings_by_profit_never_put_a_loser_first(
    population: list[tuple[float, float, float]], side: float, mark: float
) -> None:
    """Every rule that says it ranks by profit queues each account in profit (upnl > 0, equity
    > 0) before every account losing or underwater; the literal Hyperliquid index and the unranked
    rules make no such promise."""
    entry, size, coll = (np.array(c) for c in zip(*population, strict=True))
    upnl = side * size * (mark - entry)
    equity = coll + upnl
    winner = (upnl > 0) & (equity > 0)
    loser = (upnl < 0) | (equity <= 0)
    mm = 0.005 * size * mark
    for rule in RANKS_BY_PROFIT:
        order = adl_queue(adl_scores(rule, side, entry, mark, size, coll, mm))
        place = np.empty(order.size, dtype=np.int64)
        place[order] = np.arange(order.size)
        if winner.any() and loser.any():
            assert place[winner].max() < place[loser].min(), rule
    assert set(RANKS_BY_PROFIT) < set(RANKED_RULES)  # hyperliquid_literal is not among them


def test_the_literal_index_breaks_the_profit_first_property() -> None:
    """The counterexample the property excludes: under the printed index the loser goes first."""
    side, entry, mark, size = -1.0, np.array([100.0, 70.0]), 80.0, 10.0
    coll = np.array([200.0, 500.0])
    assert adl_queue(adl_scores("hyperliquid_literal", side, entry, mark, size, coll))[0] == 1
    assert adl_queue(adl_scores("hyperliquid", side, entry, mark, size, coll))[0] == 0


def test_random_queue_is_a_rotation() -> None:
    q = random_queue(7, rng=3)
    start = q[0]
    assert q.tolist() == [(start + k) % 7 for k in range(7)]
    assert random_queue(0).size == 0
    assert random_queue(7, rng=3).tolist() == q.tolist()  # seeded: reproducible


@given(sizes_lists, needed)
def test_queue_allocation_closes_in_order(sizes: list[float], need: float) -> None:
    s = np.array(sizes)
    taken = queue_allocation(s, need)
    assert np.all(taken >= 0) and np.all(taken <= s)
    assert math.isclose(taken.sum(), min(need, s.sum()), rel_tol=1e-9, abs_tol=1e-9)
    # every position before a partly closed one is closed entirely
    partial = np.flatnonzero((taken > 0) & (taken < s))
    assert partial.size <= 1
    if partial.size:
        assert np.allclose(taken[: partial[0]], s[: partial[0]])
        assert np.all(taken[partial[0] + 1 :] == 0)


@given(sizes_lists, needed)
def test_pro_rata_haircuts_sum_to_the_deficit(capacities: list[float], deficit: float) -> None:
    c = np.array(capacities)
    shares = pro_rata_allocation(c, deficit)
    assert np.all(shares >= 0) and np.all(shares <= c * (1 + 1e-12))
    assert math.isclose(shares.sum(), min(deficit, c.sum()), rel_tol=1e-9, abs_tol=1e-9)
    positive = c > 0
    if positive.sum() > 1 and deficit < c.sum():
        fractions = shares[positive] / c[positive]
        assert np.allclose(fractions, fractions[0])  # the same fraction from everyone


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60))
def test_quintile_lights(scores: list[float]) -> None:
    lights = quintile_lights(scores)
    assert lights.min() >= 1 and lights.max() == 5
    order = adl_queue(scores)
    assert np.all(np.diff(lights[order]) <= 0)  # lights never rise down the queue


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="needed must be >= 0"):
        queue_allocation([1.0], -1)
    with pytest.raises(ValueError, match="capacities must be >= 0"):
        pro_rata_allocation([-1.0], 1)
    with pytest.raises(ValueError, match="scores must not be NaN"):
        adl_queue([1.0, np.nan])
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, "):
        random_queue(-1)
    with pytest.raises(ValueError, match="side must be"):
        bitmex_score(0, 100, 100, 1, 1)


def test_size_weighted_lights_reproduce_bitmex_table() -> None:
    # BitMEX example table: accounts 2, 5, 4, 1, 6, 3 at 20%, 40%, 60%, 80%, 80%, 100% of the queue
    lights = quintile_lights([3, 6, 1, 4, 5, 2], sizes=[10, 10, 20, 30, 20, 10])
    percent = {acct: 20 * (6 - light) for acct, light in zip(range(1, 7), lights, strict=True)}
    assert [percent[a] for a in (2, 5, 4, 1, 6, 3)] == [20, 40, 60, 80, 80, 100]
    with pytest.raises(ValueError, match="sizes"):
        quintile_lights([1, 2], sizes=[1.0])


def test_an_account_past_bankruptcy_ranks_last_under_bitmex() -> None:
    """BitMEX's effective leverage |MV| / (MV - BV) divides by the equity: at or below zero the
    position is past its bankruptcy price, not in profit, and goes to the back of the queue."""
    scores = bitmex_score(1, 100.0, 110.0, np.array([50.0, 0.0, -5.0]), 1_100.0)
    assert scores[1] == scores[2] == -np.inf
    assert adl_queue(scores).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("rule", "first"), [("hyperliquid", 1), ("hyperliquid_literal", 2), ("bitmex", 1)]
)
def test_engine_deleverages_the_winner_first_unless_the_index_is_read_literally(
    rule: str, first: int
) -> None:
    """On a small book: a 5x long of 10 bankrupt after a fall from 100 to 78 with no bids near,
    against two shorts of 10 opened at 2x, sold at 100 (in profit) and at 70 (losing). Hyperliquid's
    ranking "by unrealized pnl and leverage used" closes the winner; its index as printed closes
    the loser."""
    from liqlib.engine import Engine, LevelLadder, ResilientBook, Rules, Trader

    bids = LevelLadder.from_prices([50.0], [1e6], mid=78.0)
    traders = [Trader(200.0, +1, 10.0, 100.0), Trader(500.0, -1, 10.0, 100.0),
               Trader(350.0, -1, 10.0, 70.0)]
    engine = Engine(traders, 100.0, book=ResilientBook(bids, bids, half_life=np.inf),
                    rules=Rules("full", "forfeit_surplus", rule, "bankruptcy"), rng=1)
    engine.step(78.0)
    adl = engine.ledger.of_kind("adl")
    assert [e.counterparty for e in adl] == [first]
    assert math.isclose(sum(e.size for e in adl), 10.0)
    assert abs(engine.audit().imbalance) < 1e-9


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(60.0, 130.0), st.floats(0.5, 20.0), st.floats(1.0, 20.0)),
             min_size=2, max_size=10),
    st.sampled_from(RANKS_BY_PROFIT),
    st.floats(5.0, 60.0),
)
def test_engine_adl_takes_no_loser_while_a_winner_is_open(
    shorts: list[tuple[float, float, float]], rule: str, whale: float
) -> None:
    """In the engine, under every rule that ranks by profit, a short that is losing (or
    underwater) at the crash is deleveraged only once every short in profit is closed."""
    from liqlib.engine import Engine, LevelLadder, ResilientBook, Rules, Trader

    crash = 78.0
    traders = [Trader(whale * 100.0 / 5.0, +1, whale, 100.0)]  # 5x, bankrupt at 80
    traders += [Trader(q * e / lev, -1, q, e) for e, q, lev in shorts]
    bids = LevelLadder.from_prices([10.0], [1e9], mid=crash)
    engine = Engine(traders, 100.0, book=ResilientBook(bids, bids, half_life=np.inf),
                    rules=Rules("full", "forfeit_surplus", rule, "bankruptcy"), rng=0)
    entry = np.array([e for e, _, _ in shorts])
    size = np.array([q for _, q, _ in shorts])
    equity = np.array([q * e / lev for e, q, lev in shorts]) - size * (crash - entry)
    winner = (entry > crash) & (equity > 0)
    engine.step(crash)
    taken = np.zeros(len(shorts))
    for event in engine.ledger.of_kind("adl"):
        j = event.counterparty - 1
        if j >= 0 and not winner[j]:
            # a loser is hit: every winner must already be closed in full
            assert np.allclose(taken[winner], size[winner]), (rule, j)
        if j >= 0:
            taken[j] += event.size
