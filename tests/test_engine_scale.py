"""The engine at scale (issue 18): its trigger index, its ADL queue fronts and the exact sums they
rely on give what scanning and sorting every account gives."""

from __future__ import annotations

import numpy as np
import pytest
from engine_golden import TIERS, path, population
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import tier_tables

from liqlib.engine import (
    Accounts,
    AdlQueue,
    Engine,
    Trader,
    TriggerIndex,
    adl_queue,
    flat_book,
    queue_allocation,
    sparse_sum,
)

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")


@st.composite
def books_of_accounts(draw: st.DrawFn) -> tuple[Engine, list[float]]:
    """An engine on a drawn tier table and population (some isolated, some flat), and marks."""
    table = draw(tier_tables())
    n = draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    size = np.exp(rng.normal(0.0, 2.0, n)) * (rng.random(n) < 0.9)
    entry = 100.0 * np.exp(rng.normal(0.0, 0.2, n))
    extra = rng.uniform(0.0, 1e3, n) * (rng.random(n) < 0.3)  # some deep in collateral
    wallet = size * entry * rng.uniform(0.0, 1.0, n) + extra
    isolated = np.where(rng.random(n) < 0.3, wallet * rng.uniform(0.0, 1.0, n), np.nan)
    side = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    accounts = Accounts(wallet, side, size, entry, isolated_margin=isolated)
    engine = Engine(accounts, 100.0, maintenance=table)
    marks = draw(st.lists(st.floats(1e-3, 1e4), min_size=1, max_size=20))
    return engine, marks


@given(books_of_accounts())
def test_the_trigger_index_never_misses_a_liquidatable_account(case) -> None:
    engine, marks = case
    index = TriggerIndex(engine._side, engine._size, engine._entry, engine._collateral,
                         engine._order_notional, engine._exempt, engine.table)
    for mark in marks:
        engine.mark = mark
        liquidatable = set(np.flatnonzero(engine.liquidatable()).tolist())
        assert liquidatable <= set(index.candidates(mark).tolist())
        if index.quiet(mark):
            assert not liquidatable


@given(st.integers(1, 5_000), st.data())
def test_sparse_sum_is_numpys_sum(length: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, min(length, 12)))
    positions = np.array(data.draw(st.lists(st.integers(0, length - 1), min_size=k, max_size=k,
                                            unique=True)))
    values = np.array(data.draw(st.lists(st.floats(1e-6, 1e6), min_size=k, max_size=k)))
    dense = np.zeros(length)
    dense[positions] = values
    assert sparse_sum(length, positions, values) == float(dense.sum())


@given(st.integers(0, 2**32 - 1), st.integers(1, 8))
def test_the_adl_front_is_the_whole_queues_front(seed: int, k: int) -> None:
    """After members change (re-scored, closed, joined), the front still allocates exactly as
    sorting the whole side again would."""
    rng = np.random.default_rng(seed)
    n = 60
    scores = np.round(rng.normal(0.0, 1.0, n), 1)  # ties, broken by account
    sizes = rng.uniform(0.5, 5.0, n)
    member = rng.random(n) < 0.7
    members = np.flatnonzero(member)
    queue = AdlQueue(members, scores[members], k)
    for _ in range(5):
        changed = rng.choice(n, size=4, replace=False)
        scores[changed] = np.round(rng.normal(0.0, 1.0, changed.size), 1)
        member[changed] = rng.random(changed.size) < 0.7
        for c in changed:
            queue.touch(int(c))
        needed = float(rng.uniform(0.0, 40.0))
        front = queue.front(lambda idx: (member[idx], scores[idx]), sizes, needed)
        if front is None:
            queue = AdlQueue(np.flatnonzero(member), scores[member], n)
            front = queue.front(lambda idx: (member[idx], scores[idx]), sizes, needed)
        assert front is not None
        whole = np.flatnonzero(member)[adl_queue(scores[member])]
        assert front.tolist() == whole[:front.size].tolist()
        taken = queue_allocation(sizes[front], needed)
        expected = queue_allocation(sizes[whole], needed)
        assert taken.tolist() == expected[:front.size].tolist()
        assert not expected[front.size:].any()
        count, places = queue.positions(front, lambda idx: (member[idx], scores[idx]))
        current = np.flatnonzero(member)
        assert count == current.size
        assert places.tolist() == np.searchsorted(current, front).tolist()


def test_accounts_as_columns_run_as_traders_do() -> None:
    traders = population(200, seed=5)
    columns = Accounts(
        [t.wallet_balance for t in traders], [t.side for t in traders],
        [t.size for t in traders], [t.entry_price for t in traders],
        isolated_margin=[np.nan if t.isolated_margin is None else t.isolated_margin
                         for t in traders],
        order_notional=[sum(o.notional for o in t.orders) for t in traders],
    )
    marks, mids = path(40, 9, -0.1)
    runs = []
    for accounts in (traders, columns):
        book = flat_book(8.0, half_life=20.0)
        engine = Engine(accounts, 100.0, rules="bitmex", maintenance=TIERS, book=book, rng=1)
        engine.run(marks, dt=5.0)
        runs.append(engine.ledger.to_array())
    assert runs[0].size > 0
    for name in runs[0].dtype.names or ():
        np.testing.assert_array_equal(runs[0][name], runs[1][name], err_msg=name)


def test_a_quiet_step_tests_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine([Trader(100.0, 1, 1.0, 100.0), Trader(100.0, -1, 1.0, 100.0)], 100.0)
    engine.step(100.5)  # builds the index

    def scanned(*args: object) -> None:
        raise AssertionError("a quiet step tested the accounts")

    monkeypatch.setattr(engine, "_liquidatable_of", scanned)
    record = engine.step(101.0)
    assert record.triggered == 0 and record.imbalance == 0.0


def test_a_write_into_the_arrays_is_seen_at_the_next_step() -> None:
    """Funding written into ``collateral`` from outside (as the cascades do) can trigger."""
    engine = Engine([Trader(100.0, 1, 1.0, 100.0), Trader(100.0, -1, 1.0, 100.0)], 100.0)
    engine.step(100.0)
    assert not engine.ledger.of_kind("trigger")
    engine.collateral[0] -= 99.9  # now below maintenance at the same mark
    engine.step(100.0)
    assert [e.account for e in engine.ledger.of_kind("trigger")] == [0]


def test_accounts_refuse_bad_columns() -> None:
    with pytest.raises(ValueError, match="side"):
        Accounts([1.0], [0], [1.0], [100.0])
    with pytest.raises(ValueError, match="isolated_margin must be in"):
        Accounts([1.0], [1], [1.0], [100.0], isolated_margin=[2.0])
    with pytest.raises(ValueError, match="one entry per account"):
        Accounts([1.0, 2.0], [1], [1.0], [100.0])
    with pytest.raises(ValueError, match="at least one account"):
        Accounts([], [], [], [])
    with pytest.raises(TypeError, match="isolated_margin"):
        Accounts([1.0], [1], [1.0], [100.0], isolated_margin=["x"])


def test_the_running_sums_are_the_accounts_sums() -> None:
    """The audit's equity, kept running through every change, is the accounts' equity summed."""
    traders = population(300, seed=11)
    book = flat_book(10.0, half_life=20.0)
    engine = Engine(traders, 100.0, rules="okx", maintenance=TIERS, book=book, rng=2)
    marks, _ = path(60, 3, -0.12)
    engine.run(marks, dt=5.0)
    assert len(engine.ledger.of_kind("adl")) > 0 and len(engine.ledger.of_kind("clawback")) > 0
    running = engine.audit().equity
    assert running == pytest.approx(float(engine.equity().sum()), rel=1e-12)


def test_a_replaced_tier_table_is_used_at_the_next_step() -> None:
    engine = Engine([Trader(10.0, 1, 1.0, 100.0)], 100.0, maintenance=0.005)
    engine.step(100.0)
    engine.table = TIERS.flat(0.2, 4.0)  # 20%: the 10x long is now below maintenance
    engine.step(100.0)
    assert [e.account for e in engine.ledger.of_kind("trigger")] == [0]


@given(books_of_accounts(), st.floats(1e-6, 0.2), st.sampled_from([1.0, -1.0]))
def test_a_loosened_index_never_misses_a_liquidatable_account(case, rate: float,
                                                               payer: float) -> None:
    """After a side pays funding, its widened bounds (TriggerIndex.loosen) still name everyone
    the payment pushed to maintenance."""
    engine, marks = case
    index = TriggerIndex(engine._side, engine._size, engine._entry, engine._collateral,
                         engine._order_notional, engine._exempt, engine.table)
    for mark in marks:
        engine.mark = mark
        paid = engine._size * rate * mark * (engine._side == payer)
        engine._collateral -= paid
        index.loosen(payer, rate * mark)
        liquidatable = set(np.flatnonzero(engine.liquidatable()).tolist())
        assert liquidatable <= set(index.candidates(mark).tolist())
        if index.quiet(mark):
            assert not liquidatable


@pytest.mark.parametrize("rules", ["bitmex", "okx", "binance"])
@pytest.mark.parametrize("rate", [3e-4, -3e-4])
def test_funding_through_the_engine_is_funding_written_from_outside(rules: str,
                                                                   rate: float) -> None:
    """Engine.pay_funding keeps the trigger index (no full scan) and gives, bit for bit, the
    ledger and records of writing the same payment into the arrays from outside."""
    marks, mids = path(60, 4, -0.1 if rate > 0 else 0.1)
    runs = []
    for through_engine in (True, False):
        book = flat_book(8.0, half_life=20.0)
        engine = Engine(population(200, seed=8), 100.0, rules=rules, maintenance=TIERS,
                        book=book, rng=3)
        engine.step(100.0)
        paid = []
        for mark, mid in zip(marks, mids, strict=True):
            if through_engine:
                paid.append(engine.pay_funding(rate))
                assert engine._index is not None  # the index survives the payment
            else:
                open_ = (engine.size > 0) & ~engine.exempt
                payers = np.flatnonzero(open_ & (engine.side == np.sign(rate)))
                receivers = np.flatnonzero(open_ & (engine.side == -np.sign(rate)))
                if payers.size == 0 or receivers.size == 0:
                    paid.append(0.0)
                    engine.step(mark, 5.0, book_mid=mid)
                    continue
                owed = abs(rate) * engine.size[payers] * engine.mark
                engine.collateral[payers] -= owed
                engine.collateral[receivers] += (float(owed.sum()) * engine.size[receivers]
                                                 / engine.size[receivers].sum())
                paid.append(float(owed.sum()))
            engine.step(mark, 5.0, book_mid=mid)
        runs.append((engine.ledger.to_array(), [r.imbalance for r in engine.history], paid))
    (ledger, imbalance, paid), (ledger_out, imbalance_out, paid_out) = runs
    assert len(ledger) > 0 and paid == paid_out and imbalance == imbalance_out
    for name in ledger.dtype.names or ():
        np.testing.assert_array_equal(ledger[name], ledger_out[name], err_msg=name)


def test_pay_funding_refuses_a_rate_that_is_not_a_number() -> None:
    engine = Engine([Trader(100.0, 1, 1.0, 100.0), Trader(100.0, -1, 1.0, 100.0)], 100.0)
    with pytest.raises(TypeError, match="rate"):
        engine.pay_funding("0.01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate"):
        engine.pay_funding(float("nan"))
    assert engine.pay_funding(0.0) == 0.0
