"""Each rule a venue preset applies, reproduced on a small book (liqlib.engine.policies presets).

One test per mechanism and venue: the venue's sentence is quoted in the preset's docstring
(:mod:`liqlib.engine.policies`), and the test builds the smallest book on which the sentence
can be seen to hold.
"""

from __future__ import annotations

import pytest

from liqlib import TierTable
from liqlib.engine import Engine, LevelLadder, ResilientBook, Trader

INF = float("inf")
TIERS = TierTable([0, 1_000, 3_000], [0.01, 0.02, 0.04], [50, 25, 12])


def book(prices: list[float], sizes: list[float], mid: float) -> ResilientBook:
    """A book whose bids rest at ``prices`` when the mid is ``mid`` (asks mirror them)."""
    ladder = LevelLadder.from_prices(prices, sizes, mid=mid)
    return ResilientBook(ladder, ladder, half_life=INF)


def kinds(engine: Engine, step: int | None = None) -> list[str]:
    return [e.kind.value for e in engine.ledger if step is None or e.step == step]


# --- the waterfall: fund first, then ADL -----------------------------------------------------

def waterfall(rules: str) -> Engine:
    """The issue's case: a long of 10 at 100 bankrupt at 99, bids only at 98, a fund of 5."""
    traders = [Trader(10.0, +1, 10.0, 100.0), Trader(1_000.0, -1, 10.0, 100.0)]
    engine = Engine(traders, 100.0, rules=rules, book=book([98.0], [100.0], 99.4),
                    insurance_fund=5.0)
    engine.step(99.4)
    return engine


@pytest.mark.parametrize("rules", ["bitmex", "bitmex_market"])
def test_bitmex_fund_aggresses_the_book_then_adl_takes_the_rest(rules: str) -> None:
    """BitMEX: "BitMEX will spend the Insurance Funds on aggressing the position in the market
    ... If this still does not close the liquidated order, ... Auto-Deleveraging": the fund of 5
    pays for 5 sold at 98 (1 below bankruptcy each); ADL = max(0, D - F) deleverages the other 5."""
    engine = waterfall(rules)
    fill, = engine.ledger.of_kind("fill")
    adl, = engine.ledger.of_kind("adl")
    assert (fill.size, fill.price, fill.amount) == pytest.approx((5.0, 98.0, -5.0))
    assert (adl.size, adl.price) == pytest.approx((5.0, 99.0))
    assert engine.fund == pytest.approx(0.0, abs=1e-9)
    assert engine.size[0] == 0 and engine.margin_equity()[0] == pytest.approx(0.0, abs=1e-9)
    assert engine.audit().imbalance == pytest.approx(0.0, abs=1e-9)


def test_adl_first_variant_hands_the_whole_order_to_adl() -> None:
    """The variant (the engine before the fix): sells 0, deleverages 10, leaves the fund at 5."""
    engine = waterfall("bitmex_adl_first")
    assert not engine.ledger.of_kind("fill")
    assert sum(e.size for e in engine.ledger.of_kind("adl")) == pytest.approx(10.0)
    assert engine.fund == 5.0


# --- no stalled liquidation ------------------------------------------------------------------

@pytest.mark.parametrize("venue", ["binance", "bybit", "bitmex", "okx", "dydx", "deribit"])
def test_a_liquidation_into_an_empty_book_never_stalls_below_zero(venue: str) -> None:
    """A long liquidated into a book 1e-9 deep with nobody opposite: it cannot be closed, but it
    never ends a step below zero; the fund (Binance: "the Insurance Fund will balance the account
    back to 0") or a bad-debt write-off brings it back, every step it stays open."""
    engine = Engine([Trader(10.0, +1, 10.0, 100.0)], 100.0, rules=venue,
                    book=book([90.0], [1e-9], 95.0), insurance_fund=15.0)
    for step, mark in enumerate((95.0, 94.0), start=1):
        engine.step(mark)
        assert engine.size[0] > 9  # still open: nothing to close it against
        assert engine.margin_equity()[0] == pytest.approx(0.0, abs=1e-9)
        assert {"fund_out", "bad_debt"} & set(kinds(engine, step))
    assert engine.fund == pytest.approx(0.0, abs=1e-9)
    # losses of 10 x (100 - 94) = 60 against a wallet of 10 and a fund of 15
    assert engine.bad_debt == pytest.approx(60.0 - 10.0 - 15.0, rel=1e-6)
    assert engine.audit().imbalance == pytest.approx(0.0, abs=1e-9)
