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


# --- per venue: order type and limit, partial policy, fee and surplus, ADL price, backstop -------

def step_down(rules: str, wallet: float = 160.0, bids: tuple[list[float], list[float]] = (
        [97.9, 90.0], [5.0, 100.0])) -> Engine:
    """A long of 40 at 100 in the top tier (notional 3,920 at 98: MM 86.8, equity 80, bankrupt at
    96), an opposite short to deleverage against, and a fund of 100."""
    traders = [Trader(wallet, +1, 40.0, 100.0), Trader(1e4, -1, 40.0, 100.0)]
    engine = Engine(traders, 100.0, rules=rules, maintenance=TIERS, book=book(*bids, mid=98.0),
                    insurance_fund=100.0)
    engine.step(98.0)
    return engine


def test_binance_immediate_or_cancel_fills_what_it_can_and_stops_when_compliant() -> None:
    """Binance: "one large Immediate or Cancel order ... If the user is margin compliant after
    calculating the realized losses and liquidation fee deductions, the liquidation will stop";
    orders "issued at the bankruptcy price" (96): only the 5 bid at 97.9 fill, the 0.5% fee is
    "charged on the amount liquidated only", and the account, compliant, keeps 35."""
    engine = step_down("binance")
    fill, = engine.ledger.of_kind("fill")
    fee, = engine.ledger.of_kind("fee")
    assert (fill.size, fill.price, fill.bankruptcy_price) == pytest.approx((5.0, 97.9, 96.0))
    assert fee.amount == pytest.approx(0.005 * 5 * 97.9)
    assert engine.size[0] == pytest.approx(35.0) and not engine.liquidatable()[0]
    assert not engine.ledger.of_kind("adl")


def test_binance_fill_or_kill_variant_is_killed_and_closes_everything() -> None:
    """The variant (the engine before the fix): the step-down order for 9.39 is killed by a book
    holding 5 above bankruptcy, and the second round closes the whole position: 5 at the limit,
    the fund's 100 aggressing at 90, the rest auto-deleveraged."""
    engine = step_down("binance_fill_or_kill")
    assert engine.size[0] == 0
    assert [e.price for e in engine.ledger.of_kind("fill")] == pytest.approx([97.9, 90.0])
    assert engine.fund == pytest.approx(0.0, abs=1e-6)
    assert engine.ledger.of_kind("adl")


def test_bybit_step_down_settles_at_its_fill_and_keeps_the_surplus() -> None:
    """Bybit: surplus goes to the fund only "When liquidation is executed at the position's
    bankruptcy price"; the FillOrKill step-down order to just below tier 2 (3,000) fills at 97.9
    in a deep book and the account keeps the 1.9 a unit it beat bankruptcy by."""
    deep = ([97.9], [1_000.0])
    engine = step_down("bybit", bids=deep)
    fill, = engine.ledger.of_kind("fill")
    assert fill.size * 98.0 == pytest.approx(3_920 - 3_000, rel=1e-9)
    assert not engine.ledger.of_kind("fee") and engine.fund == 100.0
    assert engine.margin_equity()[0] == pytest.approx(80.0 - fill.size * 0.1)  # 97.9 vs mark 98
    forfeit = step_down("bybit_forfeit_step_down", bids=deep)
    fee, = forfeit.ledger.of_kind("fee")
    assert fee.amount == pytest.approx(fill.size * (97.9 - 96.0))


def test_bybit_fill_or_kill_step_down_killed_then_the_takeover_forfeits() -> None:
    """Bybit: a FillOrKill order the book cannot fill whole (9.39 against 5 bid) is not sent; the
    whole position is then closed: the 5 fill at 97.9 and their surplus over bankruptcy (96) "would
    be contributed to the insurance fund"; nothing is left in the book, so the rest (35) is
    auto-deleveraged at the bankruptcy price."""
    engine = step_down("bybit", bids=([97.9], [5.0]))
    assert engine.size[0] == 0
    fill, = engine.ledger.of_kind("fill")
    fee, = engine.ledger.of_kind("fee")
    assert (fill.size, fill.price) == pytest.approx((5.0, 97.9))
    assert fee.amount == pytest.approx(5.0 * (97.9 - 96.0))
    assert engine.fund == pytest.approx(100.0 + 9.5)
    assert sum(e.size for e in engine.ledger.of_kind("adl")) == pytest.approx(35.0)
    assert all(e.price == pytest.approx(96.0) for e in engine.ledger.of_kind("adl"))


def test_bitmex_examples_limit_at_bankruptcy_and_the_fund_pays_trader_b() -> None:
    """BitMEX: "places a limit sell order with a limit price of $99 (bankruptcy price). The
    liquidation order is filled at $99.25. The extra $0.25 goes into the Insurance Fund"; trader B
    is filled at $98.75 and "the available Insurance Fund of $0.25 is utilized ... ADL is
    prevented and the Insurance Fund is left with $0"."""
    trader_a = Engine([Trader(1.0, +1, 1.0, 100.0)], 100.0, rules="bitmex",
                      book=book([99.25, 98.0], [1.0, 10.0], 99.40))
    trader_a.step(99.40)
    assert trader_a.ledger.of_kind("fill")[0].price == 99.25
    assert trader_a.fund == pytest.approx(0.25)
    trader_b = Engine([Trader(1.0, +1, 1.0, 100.0), Trader(100.0, -1, 1.0, 100.0)], 100.0,
                      rules="bitmex", book=book([98.75], [10.0], 99.40), insurance_fund=0.25)
    trader_b.step(99.40)
    assert trader_b.ledger.of_kind("fill")[0].price == 98.75
    assert not trader_b.ledger.of_kind("adl")
    assert trader_b.fund == pytest.approx(0.0, abs=1e-12)


def test_okx_steps_down_to_tier_one_and_deleverages_at_the_mark() -> None:
    """OKX: "The relevant position will be liquidated until it is at Tier 1" (here just below
    1,000); ADL "at the current Mark Price"."""
    engine = step_down("okx", bids=([97.9], [1_000.0]))
    assert engine.size[0] * 98.0 == pytest.approx(1_000.0, rel=1e-9)
    traders = [Trader(10.0, +1, 10.0, 100.0), Trader(1_000.0, -1, 10.0, 100.0)]
    bankrupt = Engine(traders, 100.0, rules="okx", book=book([90.0], [1e-9], 98.0))
    bankrupt.step(98.0)  # equity -10: nothing in the book, the fund empty
    adl, = bankrupt.ledger.of_kind("adl")
    assert adl.price == 98.0 and adl.bankruptcy_price == pytest.approx(99.0)


def test_hyperliquid_adl_at_the_previous_mark_never_pays_the_bankrupt_account() -> None:
    """Hyperliquid: "closed at the previous mark price against the now underwater user". A coarse
    step from 100 to 80 leaves a long of 1 with 10 of collateral at -10: at the previous *step's*
    mark (the variant) it would end at +10; capped at its bankruptcy price (90) it ends at 0."""
    def run(rules: str) -> Engine:
        traders = [Trader(10.0, +1, 1.0, 100.0), Trader(1e4, -1, 1.0, 100.0)]
        engine = Engine(traders, 100.0, rules=rules, maintenance=0.05,
                        book=book([50.0], [1e-9], 80.0))
        engine.run([100.0, 80.0])
        return engine

    documented, raw = run("hyperliquid"), run("hyperliquid_previous_step_mark")
    assert documented.ledger.of_kind("adl")[0].price == pytest.approx(90.0)
    assert documented.margin_equity()[0] == pytest.approx(0.0, abs=1e-9)
    assert raw.ledger.of_kind("adl")[0].price == 100.0
    assert raw.margin_equity()[0] == pytest.approx(10.0)


def test_hyperliquid_no_fee_and_backstop_keeps_the_margin() -> None:
    """Hyperliquid: "no clearance fee on liquidations"; below 2/3 of maintenance the liquidator
    vault takes the position and "the maintenance margin is not returned to the user"."""
    engine = Engine([Trader(6_000.0, +1, 2.0, 50_000.0)], 50_000.0, rules="hyperliquid",
                    maintenance=0.02, backstop_capital=1e5)
    engine.step(47_500.0)  # equity 1,000 < 2/3 x 1,900
    assert kinds(engine) == ["trigger", "backstop"]
    assert engine.size[0] == 0 and engine.margin_equity()[0] == pytest.approx(0.0, abs=1e-9)
    assert not engine.ledger.of_kind("fee")


def test_dydx_block_limit_and_fee_capped_by_the_surplus() -> None:
    """dYdX v4: per block ``max(1,000, 10% of the position)`` and a fee of
    ``min(1.5% x notional, surplus)`` to the insurance fund."""
    engine = Engine([Trader(500.0, +1, 100.0, 100.0)], 100.0, rules="dydx", maintenance=0.05)
    engine.step(99.0)  # equity 400 <= MM 495; 10% of 9,900 is 990 < 1,000: 1,000 of notional
    fill, = engine.ledger.of_kind("fill")
    assert fill.size * 99.0 == pytest.approx(1_000.0)
    fee, = engine.ledger.of_kind("fee")
    assert fee.amount == pytest.approx(min(0.015 * 1_000.0, fill.amount))


def test_deribit_clips_until_compliant_then_socializes_without_adl() -> None:
    """Deribit: clips of "200 future contracts of $10 each" at "20 rounds per second", stopping
    "As soon as maintenance margin is again lower than equity"; with the fund depleted, losses
    "would then be socialized among the winning traders" (no ADL)."""
    engine = Engine([Trader(700.0, +1, 100.0, 100.0)], 100.0, rules="deribit", maintenance=0.05)
    engine.step(99.0)  # equity 600 > MM 495: nothing; at 98.5 equity 550 <= MM 492.5
    engine.step(98.5)
    fills = engine.ledger.of_kind("fill")
    assert all(f.size * 98.5 == pytest.approx(2_000.0) for f in fills)
    assert not engine.liquidatable()[0] and engine.size[0] > 0
    loser = Trader(10.0, +1, 10.0, 100.0)
    winner = Trader(1_000.0, -1, 10.0, 100.0)
    thin = Engine([loser, winner], 100.0, rules="deribit", book=book([90.0], [1e-9], 95.0))
    thin.step(95.0)  # equity -40, no fund, no ADL: the winner's profit pays it
    assert {"clawback"} <= set(kinds(thin)) and not thin.ledger.of_kind("adl")
    assert thin.margin_equity()[0] == pytest.approx(0.0, abs=1e-9)
