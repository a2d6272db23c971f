"""ADL scores, queues and allocations (liqlib.engine.adl): published examples, properties, bad
input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from liqlib.engine.adl import (
    adl_queue,
    binance_score,
    bitmex_score,
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


def test_hyperliquid_score_as_printed() -> None:
    assert hyperliquid_score(110, 100, 1_100, 220) == pytest.approx(5.5)
    assert hyperliquid_score(110, 100, 1_100, -1.0) == np.inf


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
    with pytest.raises(ValueError, match="n must be >= 0"):
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


@given(
    st.lists(
        st.tuples(st.sampled_from([-2.0, 0.0, 1.0, 3.0, 3.0, 7.5]), st.floats(0.0, 10.0)),
        min_size=1,
        max_size=300,
    ),
    st.floats(0.0, 500.0),
    st.integers(1, 8),
)
def test_queue_front_allocates_as_the_whole_queue(
    positions: list[tuple[float, float]], needed: float, start: int
) -> None:
    from liqlib.engine import queue_front

    scores = np.array([p[0] for p in positions])
    sizes = np.array([p[1] for p in positions])
    full = adl_queue(scores)
    front = queue_front(scores, sizes, needed, start=start)
    assert front.tolist() == full[: front.size].tolist()  # a prefix of the queue, ties included
    whole = np.zeros(scores.size)
    whole[full] = queue_allocation(sizes[full], needed)
    part = np.zeros(scores.size)
    part[front] = queue_allocation(sizes[front], needed)
    assert np.array_equal(whole, part)
