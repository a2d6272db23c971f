"""The liquidation engine (liqlib.engine): published examples, money conservation, properties."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib import TierTable
from liqlib.engine import (
    Engine,
    EventKind,
    LevelLadder,
    Order,
    ResilientBook,
    Trader,
    flat_book,
)
from liqlib.engine.policies import (
    VENUE_RULES,
    VENUE_VARIANTS,
    ForfeitSurplus,
    FractionSlices,
    FullLiquidation,
    RateOnNotional,
    Rules,
    TierStepDown,
    venue_rules,
)

TIERS = TierTable([0, 1_000, 3_000], [0.01, 0.02, 0.04], [50, 25, 12])
INF = float("inf")


def kinds(engine: Engine) -> list[str]:
    return [e.kind.value for e in engine.ledger]


def bids_at(prices: list[float], sizes: list[float], mid: float) -> ResilientBook:
    """A book whose bids rest at ``prices`` when the mark is ``mid`` (asks mirror them)."""
    ladder = LevelLadder.from_prices(prices, sizes, mid=mid)
    return ResilientBook(ladder, ladder, half_life=INF)


# --- published examples --------------------------------------------------------------------------


def test_bitmex_insurance_fund_example() -> None:
    """BitMEX liquidationExamples: two longs of 1 at 100, bankrupt at 99. A is filled at 99.25 and
    "The extra $0.25 goes into the Insurance Fund"; B is filled at 98.75, "the available Insurance
    Fund of $0.25 is utilized ... ADL is prevented and the Insurance Fund is left with $0"."""
    book = bids_at([99.25, 98.75], [1, 1], mid=99.40)
    engine = Engine([Trader(1.0, +1, 1.0, 100.0)] * 2, 100.0, rules="bitmex", book=book)
    engine.step(99.40)
    fills = engine.ledger.of_kind("fill")
    assert [round(f.price, 10) for f in fills] == [99.25, 98.75]
    assert [round(f.bankruptcy_price, 10) for f in fills] == [99.0, 99.0]
    assert [round(f.amount, 10) for f in fills] == [0.25, -0.25]
    assert engine.ledger.replay_fund(0.0).round(10).tolist() == [0.25, 0.0]
    assert engine.fund == pytest.approx(0.0, abs=1e-12)
    assert not engine.ledger.of_kind("adl")
    assert np.allclose(engine.equity(), 0.0, atol=1e-12)  # both lost their whole margin
    assert engine.audit().imbalance == pytest.approx(0.0, abs=1e-12)


def test_bitmex_adl_example() -> None:
    """BitMEX autoDeleveragingExamples: a 20-contract short bankrupt at 650 against six longs ranked
    3, 6, 1, 4, 5, 2 with sizes 10, 10, 20, 30, 20, 10: "Account 2 will have their entire position
    of 10 contracts closed, while the remaining 10 ... assigned to account 5"."""
    ranks = [3, 6, 1, 4, 5, 2]
    sizes = [10, 10, 20, 30, 20, 10]
    # with margin proportional to size, a lower entry means both more PnL% and more leverage
    longs = [Trader(100.0 * q, +1, q, 600.0 - 5 * r) for r, q in zip(ranks, sizes, strict=True)]
    short = Trader(1_000.0, -1, 20, 600.0)  # bankrupt at 650
    asks = LevelLadder.from_prices([700.0], [1_000], mid=652.0)  # the book fills far above 650
    book = ResilientBook(asks, asks, half_life=INF)
    engine = Engine([short, *longs], 600.0, rules="bitmex", book=book)
    engine.step(652.0)
    adl = engine.ledger.of_kind("adl")
    assert [(e.counterparty, e.size) for e in adl] == [(2, 10.0), (5, 10.0)]
    assert all(e.price == pytest.approx(650.0) for e in adl)
    assert not engine.ledger.of_kind("fill")  # the fund (empty) could not pay the book's fill
    # the counterparties' haircuts against the mark cover the short's deficit exactly
    deficit = 20 * (652.0 - 650.0)
    assert sum(e.amount for e in adl) == pytest.approx(deficit)
    assert engine.size.tolist() == [0, 10, 0, 20, 30, 10, 10]
    assert engine.margin_equity()[0] == pytest.approx(0.0, abs=1e-9)


def test_the_ledger_lists_adl_in_queue_order() -> None:
    """BitMEX's example with account 5 (rank 6) ahead of account 2 (rank 5), 10 contracts each:
    the ledger must show 5 before 2, the queue's order, not the accounts' order."""
    ranks, sizes = [3, 5, 1, 4, 6, 2], [10, 10, 20, 30, 10, 20]
    longs = [Trader(100.0 * q, +1, q, 600.0 - 5 * r) for r, q in zip(ranks, sizes, strict=True)]
    asks = LevelLadder.from_prices([700.0], [1_000], mid=652.0)
    engine = Engine([Trader(1_000.0, -1, 20, 600.0), *longs], 600.0, rules="bitmex",
                    book=ResilientBook(asks, asks, half_life=INF))
    engine.step(652.0)
    adl = engine.ledger.of_kind("adl")
    assert [(e.counterparty, e.size) for e in adl] == [(5, 10.0), (2, 10.0)]


def test_fills_around_a_book_mid_below_the_mark() -> None:
    """A smoothed mark (99.40) above the traded price (99.00): the mark triggers and sets the
    bankruptcy price, the book fills around the traded price, and the money still balances."""
    book = bids_at([98.75, 98.50], [1, 1], mid=99.0)
    engine = Engine([Trader(1.0, +1, 1.0, 100.0)] * 2, 100.0, rules="bitmex", book=book,
                    insurance_fund=1.0)
    record = engine.step(99.40, book_mid=99.0)
    assert [e.price for e in engine.ledger.of_kind("trigger")] == [99.40, 99.40]
    fills = engine.ledger.of_kind("fill")
    assert [round(f.price, 10) for f in fills] == [98.75, 98.50]  # not 99.15, 98.90 (the mark's)
    assert [round(f.bankruptcy_price, 10) for f in fills] == [99.0, 99.0]
    assert [round(f.amount, 10) for f in fills] == [-0.25, -0.5]
    assert engine.fund == pytest.approx(0.25)
    assert book.consumed_bids == 2.0
    assert not engine.ledger.of_kind("adl")
    audit = engine.audit()
    assert record.imbalance == pytest.approx(0.0, abs=1e-12)
    assert audit.imbalance == pytest.approx(0.0, abs=1e-12)
    # the market's PnL: the mark's move on both longs, then the fills' distance from the mark
    moves = 2 * (99.40 - 100.0) + (98.75 - 99.40) + (98.50 - 99.40)
    assert audit.market_pnl == pytest.approx(moves)
    # the default mid is the mark: the same levels (0.25 and 0.50 of 99 below mid) around 99.40
    at_mark = Engine([Trader(1.0, +1, 1.0, 100.0)] * 2, 100.0, rules="bitmex",
                     book=bids_at([98.75, 98.50], [1, 1], mid=99.0), insurance_fund=1.0)
    at_mark.step(99.40)
    assert [f.price for f in at_mark.ledger.of_kind("fill")] == pytest.approx(
        [99.40 * (1 - 0.25 / 99), 99.40 * (1 - 0.50 / 99)], rel=1e-12)
    assert at_mark.audit().imbalance == pytest.approx(0.0, abs=1e-12)


# --- the steps of a liquidation ------------------------------------------------------------------


def test_cancelling_orders_can_restore_compliance() -> None:
    """Open orders raise the risk-limit tier; cancelling them lowers maintenance margin."""
    trader = Trader(60.0, +1, 20.0, 100.0, orders=[Order(+1, 20, 100.0)])
    engine = Engine([trader], 100.0, rules="bybit", maintenance=TIERS)
    mm_with_orders = float(engine.maintenance()[0])
    # equity 44: below MM at the tier of position + orders (3,984: 44.5), above it without (29.68)
    engine.step(99.2)
    assert kinds(engine) == ["trigger", "cancel"]
    assert engine.order_notional[0] == 0
    assert float(engine.maintenance()[0]) < mm_with_orders


def test_tier_step_down_restores_margin() -> None:
    """Bybit/BitMEX: a position in tier 3 is cut to just below tier 2's cap and no further."""
    engine = Engine([Trader(160.0, +1, 40.0, 100.0)], 100.0, rules="bybit", maintenance=TIERS)
    engine.step(98.0)  # equity 80, MM at 3,920 = 3,920 x 4% - 70 = 86.8
    fills = engine.ledger.of_kind("fill")
    assert len(fills) == 1
    assert engine.size[0] * 98.0 == pytest.approx(3_000, rel=1e-9)
    assert not engine.liquidatable()[0]
    # the step-down order settles at its fill (the mark here): the account keeps all its equity
    assert engine.margin_equity()[0] == pytest.approx(80.0)
    forfeit = Engine([Trader(160.0, +1, 40.0, 100.0)], 100.0, rules="bybit_forfeit_step_down",
                     maintenance=TIERS)
    forfeit.step(98.0)  # the variant forfeits the slice's surplus: only the kept share remains
    assert forfeit.margin_equity()[0] == pytest.approx(80 * forfeit.size[0] / 40)


def test_isolated_position_risks_only_its_margin() -> None:
    trader = Trader(1_000.0, +1, 1.0, 20_000.0, isolated_margin=400.0)
    engine = Engine([trader], 20_000.0, rules=Rules(FullLiquidation(), ForfeitSurplus()))
    engine.step(19_650.0)  # equity 50, MM 98.25; bankrupt at 19,600
    assert engine.size[0] == 0
    assert engine.equity()[0] == pytest.approx(600.0)  # the reserve is untouched
    assert engine.fund == pytest.approx(50.0)  # the fill's surplus over bankruptcy


def test_hyperliquid_slices_then_the_whole_position_in_cooldown() -> None:
    """Above 100k only 20% goes; within the 30 s cooldown the next order is the whole position."""
    trader = Trader(9_000.0, +1, 4.0, 50_000.0)  # 200k notional, MM 2% (25x max)
    engine = Engine([trader], 50_000.0, rules=Rules(FractionSlices(), "none", None),
                    maintenance=0.02)
    engine.step(48_000.0)
    engine.step(47_600.0, dt=10.0)
    fills = engine.ledger.of_kind("fill")
    assert [round(f.size, 12) for f in fills] == [0.8, 3.2]
    assert [f.step for f in fills] == [1, 2]


def test_hyperliquid_backstop_keeps_the_margin() -> None:
    trader = Trader(9_000.0, +1, 4.0, 50_000.0)
    engine = Engine([trader], 50_000.0, rules="hyperliquid", maintenance=0.02,
                    backstop_capital=1e6)
    engine.step(47_850.0)  # equity 400 < 2/3 of MM 3,828
    (event,) = engine.ledger.of_kind("backstop")
    assert event.amount == pytest.approx(400.0)
    assert engine.size[0] == 0 and engine.margin_equity()[0] == pytest.approx(0.0, abs=1e-9)
    vault = engine.vault
    assert vault == 1 and engine.size[vault] == 4.0
    assert engine.equity()[vault] == pytest.approx(1e6 + 400.0)
    assert engine.audit().imbalance == pytest.approx(0.0, abs=1e-6)


def test_socialized_loss_claws_back_pro_rata() -> None:
    """No ADL, an empty fund: the deficit is taken from profitable accounts pro rata to profit."""
    loser = Trader(100.0, +1, 10.0, 100.0)
    winners = [Trader(1_000.0, -1, q, 100.0) for q in (1.0, 3.0)]
    engine = Engine([loser, *winners], 100.0, rules=Rules("full", "none", adl=None))
    engine.step(85.0)  # the long is 50 below zero
    claws = engine.ledger.of_kind("clawback")
    assert [c.counterparty for c in claws] == [1, 2]
    assert [c.amount for c in claws] == pytest.approx([12.5, 37.5])
    assert engine.equity()[0] == pytest.approx(0.0, abs=1e-9)
    assert engine.bad_debt == 0


def test_bad_debt_when_nobody_can_pay() -> None:
    engine = Engine([Trader(100.0, +1, 10.0, 100.0)], 100.0,
                    rules=Rules("full", "none", adl=None))
    engine.step(85.0)
    (event,) = engine.ledger.of_kind("bad_debt")
    assert event.amount == pytest.approx(50.0)
    assert engine.bad_debt == pytest.approx(50.0)
    assert engine.audit().imbalance == pytest.approx(0.0, abs=1e-9)


def test_fee_on_notional_goes_to_the_fund() -> None:
    engine = Engine([Trader(50.0, +1, 10.0, 100.0)], 100.0, maintenance=0.01,
                    rules=Rules("full", RateOnNotional(0.005), "binance"))
    engine.step(95.5)  # equity 5, MM 9.55
    (fee,) = engine.ledger.of_kind("fee")
    assert fee.amount == pytest.approx(0.005 * 955)
    assert engine.fund == pytest.approx(fee.amount)
    assert engine.equity()[0] == pytest.approx(5 - fee.amount)


def test_ledger_tables() -> None:
    engine = Engine([Trader(1.0, +1, 1.0, 100.0)], 100.0, rules="bitmex")
    engine.step(99.4)
    records = engine.ledger.records()
    table = engine.ledger.to_array()
    assert [r["kind"] for r in records] == table["kind"].tolist() == kinds(engine)
    assert table["fund"][-1] == pytest.approx(engine.fund)
    assert engine.history[-1].fund == pytest.approx(engine.fund)


# --- bad input -----------------------------------------------------------------------------------


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="wallet_balance must be >= 0"):
        Trader(-5.0, +1, 1.0, 100.0)
    with pytest.raises(ValueError, match="size must be > 0"):
        Order(+1, 0.0, 100.0)
    with pytest.raises(ValueError, match="isolated_margin must be at most"):
        Trader(10.0, +1, 1.0, 100.0, isolated_margin=20.0)
    with pytest.raises(ValueError, match="rules must be one of"):
        Engine([Trader(10.0, +1, 1.0, 100.0)], 100.0, rules="kraken")
    with pytest.raises(ValueError, match="partial must be one of"):
        Rules(partial="halves")
    with pytest.raises(ValueError, match="traders must hold at least one"):
        Engine([], 100.0)
    with pytest.raises(ValueError, match="mark must be > 0"):
        Engine([Trader(10.0, +1, 1.0, 100.0)], -1.0)
    with pytest.raises(ValueError, match="insurance_fund must be >= 0"):
        Engine([Trader(10.0, +1, 1.0, 100.0)], 100.0, insurance_fund=-1)
    engine = Engine([Trader(10.0, +1, 1.0, 100.0)], 100.0)
    with pytest.raises(ValueError, match="mark must be finite"):
        engine.step(float("nan"))
    with pytest.raises(ValueError, match="dt must be >= 0"):
        engine.step(100.0, dt=-1)
    with pytest.raises(ValueError, match="book_mid must be > 0"):
        engine.step(100.0, book_mid=0.0)


# --- properties ----------------------------------------------------------------------------------

RULES: list[Callable[[], Rules]] = [
    *(lambda name=name: venue_rules(name) for name in VENUE_RULES),
    *(lambda name=name: venue_rules(name) for name in VENUE_VARIANTS),
    lambda: Rules("full", "forfeit_surplus", "pro_rata"),
    lambda: Rules("full", "rate_on_notional", "bitmex", "mark"),
    lambda: Rules("fraction_slices", "capped_by_surplus", "binance", "previous_mark"),
    lambda: Rules("full", "none", None, socialize=False),
]


@st.composite
def traders(draw: st.DrawFn) -> list[Trader]:
    n = draw(st.integers(2, 20))
    out = []
    for _ in range(n):
        size = draw(st.floats(0.01, 40))
        entry = draw(st.floats(80, 120))
        leverage = draw(st.floats(1.5, 60))
        wallet = size * entry / leverage * draw(st.sampled_from([1.0, 1.0, 3.0]))
        isolated = draw(st.booleans())
        orders = [Order(+1, draw(st.floats(0.1, 10)), 100.0)] if draw(st.booleans()) else []
        out.append(Trader(wallet, draw(st.sampled_from([1, -1])), size, entry,
                          isolated_margin=size * entry / leverage if isolated else None,
                          orders=orders))
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Engine, list[float]]:
    rules = draw(st.sampled_from(RULES))()
    depth = draw(st.floats(1.0, 1_000.0))
    book = flat_book(depth, half_life=draw(st.sampled_from([0.0, 5.0, INF])))
    engine = Engine(draw(traders()), 100.0, rules=rules, maintenance=TIERS, book=book,
                    insurance_fund=draw(st.floats(0.0, 500.0)), backstop_capital=1e4,
                    rng=draw(st.integers(0, 2**16)))
    moves = draw(st.lists(st.floats(-0.25, 0.25), min_size=1, max_size=8))
    marks = (100.0 * np.cumprod(1 + np.array(moves))).tolist()
    return engine, marks


def money_scale(engine: Engine) -> float:
    return float(np.abs(engine.equity()).sum() + engine.fund + abs(engine.audit().market_pnl) + 1)


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_money_balances_at_every_step(scenario: tuple[Engine, list[float]]) -> None:
    """sum(equity) + fund + venue fees - bad debt = start + the market's PnL, to 1e-9 relative."""
    engine, marks = scenario
    for mark in marks:
        record = engine.step(mark)
        assert abs(record.imbalance) <= 1e-9 * money_scale(engine)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_ledger_replays_the_fund_and_the_fees(scenario: tuple[Engine, list[float]]) -> None:
    engine, marks = scenario
    fund0 = engine.fund
    engine.run(marks)
    ledger = engine.ledger
    recorded = [e.fund for e in ledger if e.kind in (EventKind.FUND_IN, EventKind.FUND_OUT)]
    assert np.allclose(ledger.replay_fund(fund0), recorded, rtol=1e-12, atol=1e-9)
    assert engine.fund == pytest.approx(fund0 + ledger.total("fund_in") - ledger.total("fund_out"),
                                        abs=1e-9)
    assert ledger.total("fee") == pytest.approx(ledger.total("fund_in") + engine.venue_fees)
    assert ledger.total("bad_debt") == pytest.approx(engine.bad_debt)
    assert engine.fund >= -1e-9


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_adl_only_touches_the_opposite_side(scenario: tuple[Engine, list[float]]) -> None:
    engine, marks = scenario
    sides = engine.side.copy()  # traders only ever reduce: their side is fixed
    engine.run(marks)
    for event in engine.ledger.of_kind("adl"):
        assert sides[event.counterparty] == -sides[event.account]
        assert event.counterparty != engine.vault
    traders_ = ~engine.exempt
    assert np.all((engine.side[traders_] == 0) | (engine.side[traders_] == sides[traders_]))


SETTLING = {EventKind.FUND_OUT, EventKind.ADL, EventKind.BACKSTOP, EventKind.CLAWBACK,
            EventKind.BAD_DEBT}


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_no_account_ends_a_step_below_zero(scenario: tuple[Engine, list[float]]) -> None:
    """No account, closed out or still open, ends a step below zero; one that went below zero
    during the step went through the fund, ADL, the backstop, a clawback or a bad-debt event."""
    engine, marks = scenario
    for mark in marks:
        before = engine.margin_equity() + engine.side * engine.size * (mark - engine.mark)
        engine.step(mark)
        tol = 1e-9 * money_scale(engine)
        traders_ = ~engine.exempt
        assert np.all(engine.margin_equity()[traders_] >= -tol)
        events = [e for e in engine.ledger if e.step == engine.step_count and e.kind in SETTLING]
        # an account can also be closed out as an ADL counterparty before its own turn comes
        settled = {e.account for e in events} | {e.counterparty for e in events
                                                 if e.kind is EventKind.ADL}
        for i in np.flatnonzero((before < -tol) & traders_):
            assert i in settled


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_fund_first_never_leaves_money_adl_could_have_used(
    scenario: tuple[Engine, list[float]]
) -> None:
    """Fund-first rules: when an order is auto-deleveraged, the fund has nothing left to pay the
    book with (it is empty up to the bisection's rounding), or the book has nothing left to sell
    into on that side."""
    engine, marks = scenario
    if not engine.rules.fund_first or engine.rules.adl is None:
        return
    for mark in marks:
        sides = engine.side.copy()
        engine.step(mark)
        left = {+1: engine.book.bids.capacity - engine.book.consumed_bids,
                -1: engine.book.asks.capacity - engine.book.consumed_asks}
        for event in engine.ledger.of_kind("adl"):
            if event.step == engine.step_count:
                book_left = left[int(sides[event.account])]
                assert event.fund <= 1e-6 * money_scale(engine) or book_left <= 1e-9


@settings(max_examples=60, deadline=None)
@given(traders(), st.lists(st.floats(-0.2, 0.1), min_size=1, max_size=6),
       st.sampled_from([ForfeitSurplus(), RateOnNotional(0.005)]))
def test_partial_liquidation_restores_margin_or_escalates(
    population: list[Trader], moves: list[float], fee: object
) -> None:
    """Tier step-down: after a step every triggered account is back above maintenance, or flat."""
    engine = Engine(population, 100.0, rules=Rules(TierStepDown(), fee, "bitmex"),  # type: ignore
                    maintenance=TIERS, insurance_fund=1e9)
    for mark in 100.0 * np.cumprod(1 + np.array(moves)):
        engine.step(mark)
        triggered = {e.account for e in engine.ledger.of_kind("trigger")
                     if e.step == engine.step_count}
        for i in triggered:
            assert engine.size[i] == 0 or not engine.liquidatable()[i]


@settings(max_examples=40, deadline=None)
@given(traders(), st.floats(-0.5, 0.5))
def test_full_liquidation_leaves_no_negative_equity(population: list[Trader], move: float) -> None:
    """Full liquidation with pro-rata ADL: after one shock, an account below zero still holds a
    position only if nobody is left on the other side to deleverage against."""
    engine = Engine(population, 100.0, rules=Rules("full", "none", "pro_rata"), maintenance=TIERS)
    engine.step(100.0 * (1 + move))
    below = np.flatnonzero(engine.margin_equity() < -1e-9 * money_scale(engine))
    for i in below:
        assert engine.size[i] > 0
        assert not np.any((engine.side == -engine.side[i]) & (engine.size > 0))
