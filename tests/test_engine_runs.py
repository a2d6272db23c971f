"""One position through the engine (liqlib.engine.runs), the ledger as rows, the flat book, and
the exposure a partial liquidation leaves (liqlib.systemic.remainder_risk)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liqlib import TierTable
from liqlib.engine import (
    EVENT_LABELS,
    LEDGER_COLUMNS,
    LEDGER_COLUMNS_NAMED,
    SELL,
    VENUE_RULES,
    Engine,
    Event,
    EventKind,
    Ledger,
    LevelLadder,
    LiquidationOutcome,
    ResilientBook,
    Trader,
    flat_book,
    flat_ladder,
    isolated_trader,
    ledger_rows,
    liquidation_outcome,
)
from liqlib.systemic import remainder_risk

ENTRY, LEVERAGE = 60_000.0, 20
TABLE = TierTable([0, 100_000, 250_000, 500_000, 1_000_000],
                  [0.005, 0.01, 0.015, 0.02, 0.025], [100, 50, 40, 25, 20])


def run(venue: str, side: int, size: float, marks: list[float] | np.ndarray,
        depth: float = 20.0, fund: float = 10e6) -> tuple[Engine, Trader]:
    trader = isolated_trader(side, size, ENTRY, leverage=LEVERAGE)
    engine = Engine([trader], ENTRY, rules=venue, maintenance=TABLE,
                    book=flat_book(depth, half_life=5.0), insurance_fund=fund,
                    backstop_capital=1e8, rng=0)
    engine.run(marks)
    return engine, trader


def fall(side: int, drop: float) -> np.ndarray:
    t = np.arange(1, 61)
    return ENTRY * (1 - side * drop * np.minimum(t / 15, 1.0))


def test_isolated_trader_posts_the_notional_over_the_leverage() -> None:
    t = isolated_trader(-1, 2.5, 40_000.0, leverage=8)
    assert (t.side, t.size, t.entry_price) == (-1, 2.5, 40_000.0)
    assert t.wallet_balance == t.isolated_margin == 2.5 * 40_000.0 / 8
    with pytest.raises(ValueError, match="leverage"):
        isolated_trader(1, 1.0, 100.0, leverage=0)
    with pytest.raises(ValueError, match="side"):
        isolated_trader(0, 1.0, 100.0, leverage=2)


@pytest.mark.parametrize("venue", sorted(VENUE_RULES))
@pytest.mark.parametrize("side", [+1, -1])
def test_the_outcome_decomposes_the_final_equity(venue: str, side: int) -> None:
    # E_end = E_untouched - (impact + fees - covered) + avoided, for every preset and both sides
    engine, trader = run(venue, side, 12.0, fall(side, 0.045))
    r = liquidation_outcome(engine, trader)
    assert r.orders, "the fall must liquidate something"
    assert math.isclose(r.untouched - r.cost + r.avoided, r.equity, rel_tol=0, abs_tol=1e-6)
    assert r.untouched == pytest.approx(trader.wallet_balance
                                        + side * 12.0 * (engine.mark - ENTRY))
    assert r.remaining == pytest.approx(12.0 - sum(q for _, q in r.orders))
    assert r.impact >= 0 and r.fees >= 0 and r.covered >= 0


def test_a_gap_through_bankruptcy_is_covered_by_the_fund() -> None:
    # one jump from the entry to 5% below: past the bankruptcy price of a 20x long
    engine, trader = run("bitmex", +1, 12.0, [ENTRY * 0.95] * 3)
    r = liquidation_outcome(engine, trader)
    paid = engine.ledger.total("fund_out")
    assert paid > 0 and r.covered == pytest.approx(paid)
    assert r.equity == pytest.approx(0.0, abs=1e-6)
    assert math.isclose(r.untouched - r.cost + r.avoided, r.equity, abs_tol=1e-6)
    assert r.kept == pytest.approx(0.0, abs=1e-9) or math.isnan(r.kept)


def test_the_outcome_reads_only_its_own_account() -> None:
    traders = [isolated_trader(+1, 12.0, ENTRY, leverage=LEVERAGE),
               isolated_trader(+1, 1.0, ENTRY, leverage=2)]
    engine = Engine(traders, ENTRY, rules="binance", maintenance=TABLE,
                    book=flat_book(20.0, half_life=5.0), insurance_fund=10e6)
    engine.run(fall(+1, 0.04))
    sound = liquidation_outcome(engine, traders[1], account=1)
    assert sound.orders == () and sound.cost == 0 and sound.avoided == 0
    assert sound.equity == pytest.approx(sound.untouched)
    assert liquidation_outcome(engine, traders[0]).orders
    with pytest.raises(ValueError, match="account"):
        liquidation_outcome(engine, traders[0], account=2)
    with pytest.raises(TypeError, match="engine"):
        liquidation_outcome("engine", traders[0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="trader"):
        liquidation_outcome(engine, None)  # type: ignore[arg-type]


def test_kept_share_with_the_mark_standing_still() -> None:
    # at a constant mark there is no fall to avoid: what is lost is the liquidation cost
    mark = 57_700.0
    engine, trader = run("hyperliquid", +1, 12.0, [mark] * 60)
    r = liquidation_outcome(engine, trader)
    assert r.avoided == 0
    assert r.kept == pytest.approx(1 - r.cost / r.untouched)
    assert 0.9 < r.kept < 1


def test_order_sizes_cuts_long_lists() -> None:
    r = LiquidationOutcome(tuple((k, 0.5) for k in range(1, 8)), 0, 0, 0, 0, 1, 1, 0)
    assert r.order_sizes() == "0.500, 0.500, 0.500, … (7 orders)"
    assert r.order_sizes(shown=6) == ", ".join(["0.500"] * 7)
    assert LiquidationOutcome((), 0, 0, 0, 0, 1, 1, 0).order_sizes() == ""
    with pytest.raises(ValueError, match="shown"):
        r.order_sizes(shown=0)


def test_flat_book_is_a_resilient_book_of_flat_ladders() -> None:
    ours = flat_book(20.0, half_life=5.0, half_spread=1e-4)
    theirs = ResilientBook(flat_ladder(20.0, 1e-4), flat_ladder(20.0, 1e-4), half_life=5.0)
    for book in (ours, theirs):
        book.execute(SELL, 3.0, mid=100.0)
        book.advance(5.0)
    assert ours.consumed_bids == theirs.consumed_bids == 1.5
    assert ours.execute(SELL, 2.0, 100.0) == theirs.execute(SELL, 2.0, 100.0)
    with pytest.raises(ValueError, match="half_life"):
        flat_book(20.0, half_life=-1.0)


def test_ledger_rows_print_every_event() -> None:
    engine, _ = run("binance", +1, 12.0, fall(+1, 0.04))
    rows = ledger_rows(engine.ledger, fund_start=10e6)
    assert len(rows) == len(engine.ledger) and all(len(r) == len(LEDGER_COLUMNS) for r in rows)
    kinds = [EVENT_LABELS[e.kind.value] for e in engine.ledger]
    assert [r[1] for r in rows] == kinds
    trigger = rows[0]
    assert trigger[1] == "trigger" and trigger[2] == "" and trigger[4] == ""
    fee = next(r for r, e in zip(rows, engine.ledger, strict=True) if e.kind is EventKind.FEE)
    assert fee[-1] == f"{engine.ledger.of_kind('fee')[0].fund - 10e6:,.2f}"


def test_ledger_rows_name_the_account_and_the_adl_counterparty() -> None:
    # a bankrupt short whose only asks are far away: deleveraged against two longs
    asks = LevelLadder.from_prices([700.0], [1_000], mid=652.0)
    longs = [Trader(1_000.0, +1, 10.0, 590.0), Trader(2_000.0, +1, 20.0, 595.0)]
    engine = Engine([Trader(1_000.0, -1, 20.0, 600.0), *longs], 600.0, rules="bitmex",
                    book=ResilientBook(asks, asks, half_life=math.inf))
    engine.step(652.0)
    plain = ledger_rows(engine.ledger)
    named = ledger_rows(engine.ledger, names={0: "short", 2: "L2"})
    assert all(len(r) == len(LEDGER_COLUMNS_NAMED) for r in named)
    assert [r[:2] + r[4:] for r in named] == plain   # the unnamed columns are unchanged
    adl = [(r[2], r[3]) for r, e in zip(named, engine.ledger, strict=True)
           if e.kind is EventKind.ADL]
    assert adl and {who for who, _ in adl} == {"short"}
    assert {other for _, other in adl} <= {"1", "L2"}   # account 1 is unnamed: its index
    others = [r[3] for r, e in zip(named, engine.ledger, strict=True) if e.counterparty < 0]
    assert others and set(others) == {""}
    with pytest.raises(TypeError, match="names"):
        ledger_rows(engine.ledger, names=["short"])  # type: ignore[arg-type]


def test_ledger_rows_labels_and_missing_money() -> None:
    ledger = Ledger()
    ledger.append(Event(3, 3.0, EventKind.BAD_DEBT, account=0, amount=12.5))
    assert ledger_rows(ledger) == [["3", "bad debt", "", "", "", "12.50", "—", "—", "—"]]
    assert ledger_rows(ledger, labels={"bad_debt": "written off"})[0][1] == "written off"
    with pytest.raises(ValueError, match="kind"):
        ledger_rows(ledger, labels={"haircut": "x"})
    with pytest.raises(TypeError, match="ledger"):
        ledger_rows([])  # type: ignore[arg-type]


def test_remainder_risk_is_the_put_beyond_the_bankruptcy_price() -> None:
    engine, _ = run("bybit", +1, 12.0, fall(+1, 0.04))
    sigma, horizon = 0.8, 1 / 8760
    r = remainder_risk(engine, volatility=sigma, horizon=horizon)
    assert r.size == pytest.approx(float(engine.size[0])) and 0 < r.size < 12
    assert r.bankruptcy_price == engine.bankruptcy_price(0) < engine.mark
    z = np.linspace(-12, 12, 200_001)
    p_t = engine.mark * np.exp(sigma * math.sqrt(horizon) * z - sigma**2 * horizon / 2)
    density = np.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    quadrature = r.size * np.trapezoid(np.maximum(r.bankruptcy_price - p_t, 0) * density, z)
    assert r.expected_shortfall == pytest.approx(quadrature, rel=1e-6)
    assert r.fund_received == 0  # a step-down settles at its fill


def test_remainder_risk_of_a_short_is_a_call_and_of_a_flat_account_nothing() -> None:
    engine, _ = run("binance", -1, 12.0, fall(-1, 0.04))
    r = remainder_risk(engine, volatility=0.8, horizon=1 / 365)
    assert r.bankruptcy_price > engine.mark and r.expected_shortfall > 0
    assert r.fund_received == pytest.approx(engine.fund - 10e6)
    full, _ = run("bitmex", +1, 1.0, [ENTRY * 0.95] * 3)
    flat = remainder_risk(full, volatility=0.8, horizon=1 / 365)
    assert (flat.size, flat.expected_shortfall) == (0.0, 0.0) and math.isnan(flat.bankruptcy_price)
    assert flat.fund_received == pytest.approx(full.fund - 10e6)
    unleveraged = Engine([Trader(1_000.0, +1, 10.0, 100.0)], 100.0)  # bankrupt at 0: no risk
    assert remainder_risk(unleveraged, volatility=0.8, horizon=1.0).expected_shortfall == 0
    with pytest.raises(ValueError, match="volatility"):
        remainder_risk(engine, volatility=0.0, horizon=1.0)
    with pytest.raises(ValueError, match="account"):
        remainder_risk(engine, volatility=0.5, horizon=1.0, account=1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(venue=st.sampled_from(sorted(VENUE_RULES)), side=st.sampled_from([-1, 1]),
       size=st.floats(0.5, 40.0), drop=st.floats(0.0, 0.08), depth=st.floats(2.0, 200.0),
       bounce=st.floats(-0.03, 0.03))
def test_the_decomposition_holds_on_any_path(venue: str, side: int, size: float, drop: float,
                                             depth: float, bounce: float) -> None:
    # down (for a long) by `drop`, then partway back up or further down by `bounce`
    marks = np.concatenate([fall(side, drop)[:20], ENTRY * (1 - side * (drop - bounce))
                            * np.ones(10)])
    engine, trader = run(venue, side, size, marks, depth=depth)
    r = liquidation_outcome(engine, trader)
    assert math.isclose(r.untouched - r.cost + r.avoided, r.equity, rel_tol=0,
                        abs_tol=1e-6 * max(1.0, trader.wallet_balance))
    assert r.remaining == pytest.approx(float(engine.size[0]))
