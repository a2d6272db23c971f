"""Who pays a bankrupt position's loss (liqlib.systemic.deleveraging): the crowd and one crash."""

from __future__ import annotations

import math

import numpy as np
import pytest

from liqlib.engine import LevelLadder, ResilientBook, Rules, Trader, flat_book, flat_ladder
from liqlib.systemic import (
    balanced_population,
    deleverage,
    generate_population,
    population_traders,
)

INF = math.inf


def test_a_balanced_population_scales_its_shorts_only() -> None:
    pop = balanced_population(300, 100.0, seed=2025)
    drawn = generate_population(300, 100.0, seed=2025, long_share=0.7)
    long, short = pop.side > 0, pop.side < 0
    assert pop.size[long].sum() == pytest.approx(pop.size[short].sum(), rel=1e-12)
    assert np.array_equal(pop.size[long], drawn.size[long])
    factor = pop.size[short] / drawn.size[short]
    assert np.allclose(factor, factor[0]) and factor[0] > 1   # 70% long: the shorts grow
    for field in ("side", "entry_price", "leverage"):
        assert np.array_equal(getattr(pop, field), getattr(drawn, field))
    # isolated linear positions at a flat rate: the liquidation price does not depend on size
    assert np.allclose(pop.liquidation, drawn.liquidation, rtol=1e-12)
    # the generator's keywords pass through
    assert not np.array_equal(balanced_population(300, 100.0, seed=2025, long_share=0.6).side,
                              pop.side)


def test_a_balanced_population_needs_both_sides() -> None:
    with pytest.raises(ValueError, match="holds one side only"):
        balanced_population(5, 100.0, seed=1, long_share=1.0)
    with pytest.raises(ValueError, match="n must be"):
        balanced_population(0, 100.0, seed=1)


def test_population_traders_cross_or_isolated() -> None:
    pop = balanced_population(20, 100.0, seed=3)
    cross = population_traders(pop, margin="cross")
    isolated = population_traders(pop)
    assert not any(t.isolated for t in cross) and all(t.isolated for t in isolated)
    assert [t.wallet_balance for t in cross] == [t.wallet_balance for t in isolated]
    with pytest.raises(ValueError, match="margin must be one of"):
        population_traders(pop, margin="portfolio")


def gap(rules: Rules, fund: float):
    """The chapter's gap: a 10x long of 10 at 100 (bankrupt at 90), the only bids at 88, a mark
    of 89.5, and two shorts of 4 and 6 opened at 100."""
    bids = LevelLadder.from_prices([88.0], [100.0], mid=89.5)
    traders = [Trader(100.0, +1, 10.0, 100.0), Trader(1_000.0, -1, 4.0, 100.0),
               Trader(1_000.0, -1, 6.0, 100.0)]
    return deleverage(traders, 100.0, 89.5, rules, fund=fund,
                      book=ResilientBook(bids, bids, half_life=INF))


def test_the_waterfall_of_bitmex() -> None:
    """BitMEX, "Liquidation": "If BitMEX is unable to liquidate the position at the bankruptcy
    price, BitMEX will spend the Insurance Funds on aggressing the position in the market [...]
    If this still does not close the liquidated order, this will then lead to an
    Auto-Deleveraging event"."""
    bitmex = Rules("full", "forfeit_surplus", "bitmex")
    rich = gap(bitmex, 50.0)   # the fund pays the whole gap: 10 units x 2 below bankruptcy
    assert rich.fund_paid == pytest.approx(20.0) and not rich.deleveraged.any()
    assert rich.hit == 0 and rich.lost == 0 and rich.closed_notional == 0
    assert math.isnan(rich.payer_leverage) and rich.max_fraction == 0
    poor = gap(bitmex, 10.0)   # the fund's 10 buys 5 units in the book; ADL closes the other 5
    assert poor.fund_paid == pytest.approx(10.0)
    assert poor.adl_size.tolist() == [0.0, 0.0, 5.0]
    assert poor.deleveraged.tolist() == [False, False, True] and poor.hit == 1
    assert poor.lost == pytest.approx(5 * (90 - 89.5))   # closed at 90 with the mark at 89.5
    assert poor.closed_notional == pytest.approx(5 * 89.5)
    assert poor.max_fraction == pytest.approx(5 / 6) and poor.closed_whole == 0
    adl = poor.engine.ledger.of_kind("adl")
    assert sum(e.size for e in adl) == poor.adl_size.sum()
    assert abs(poor.engine.audit().imbalance) < 1e-9


def test_without_adl_the_deficit_is_clawed_back_or_left() -> None:
    claw = gap(Rules("full", "forfeit_surplus", adl=None), 10.0)
    assert not claw.deleveraged.any() and claw.paid_by.tolist() == [False, True, True]
    assert np.allclose(claw.clawback, [0.0, 4.0, 6.0])     # pro rata to profit
    assert np.allclose(claw.paid, claw.clawback) and claw.lost == pytest.approx(10.0)
    left = gap(Rules("full", "forfeit_surplus", adl=None, socialize=False), 10.0)
    assert left.hit == 0 and left.bad_debt == pytest.approx(10.0)


def test_every_rule_takes_the_same_loss_from_other_accounts() -> None:
    """A long of 40 bankrupt at 80 after a crash to 78, bids far below: whatever the queue, the
    shorts pay the long's deficit at the mark, 40 x (80 - 78), and close 40 units between them."""
    whale = Trader(800.0, +1, 40.0, 100.0)
    shorts = [Trader(50.0 * q, -1, q, e) for q, e in [(10, 130), (20, 105), (15, 100), (30, 90),
                                                      (25, 85), (30, 120), (10, 76)]]
    runs = {}
    for rule in ("bitmex", "binance", "hyperliquid", "dydx", "pro_rata"):
        bids = LevelLadder.from_prices([50.0], [1e6], mid=78.0)
        runs[rule] = deleverage([whale, *shorts], 100.0, 78.0,
                                Rules("full", "forfeit_surplus", rule, "bankruptcy"),
                                book=ResilientBook(bids, bids, half_life=INF), rng=3)
    for rule, run in runs.items():
        assert run.adl_size.sum() == pytest.approx(40.0), rule
        assert run.lost == pytest.approx(40 * (80 - 78)), rule
        assert run.adl_size[0] == 0 and run.bad_debt < 1e-9
    sizes = np.array([0.0] + [t.size for t in shorts])
    assert np.allclose(runs["pro_rata"].adl_size, 40 * sizes / sizes.sum())
    assert runs["pro_rata"].hit == len(shorts) and runs["pro_rata"].closed_whole == 0
    assert runs["bitmex"].hit < runs["pro_rata"].hit       # a queue concentrates the loss
    assert runs["bitmex"].closed_whole >= 1


def test_leverage_at_the_crash_price() -> None:
    """Notional at the crash price over collateral plus profit there, before anything closes."""
    traders = [Trader(10.0, +1, 1.0, 100.0), Trader(40.0, -1, 2.0, 100.0),
               Trader(5.0, +1, 0.0, 100.0)]
    out = deleverage(traders, 100.0, 95.0, "bitmex",
                     book=flat_book(1e6, half_life=INF))
    assert out.leverage[0] == pytest.approx(95.0 / (10.0 - 5.0))
    assert out.leverage[1] == pytest.approx(2 * 95.0 / (40.0 + 2 * 5.0))
    assert out.leverage[2] == 0.0
    assert np.array_equal(out.size, [1.0, 2.0, 0.0])
    under = deleverage([Trader(10.0, +1, 1.0, 100.0), Trader(40.0, -1, 1.0, 100.0)], 100.0,
                       80.0, "bitmex",
                       book=flat_book(1e6, half_life=INF))
    assert under.leverage[0] == math.inf    # equity 10 - 20 < 0


def test_bad_input() -> None:
    book = flat_book(1.0, half_life=INF)
    traders = [Trader(10.0, +1, 1.0, 100.0)]
    with pytest.raises(ValueError, match="mark must be > 0"):
        deleverage(traders, 100.0, 0.0, "bitmex", book=book)
    with pytest.raises(ValueError, match="price must be > 0"):
        deleverage(traders, -1.0, 90.0, "bitmex", book=book)
    with pytest.raises(ValueError, match="fund must be >= 0"):
        deleverage(traders, 100.0, 90.0, "bitmex", book=book, fund=-1.0)
    with pytest.raises(TypeError, match="book must be a ResilientBook"):
        deleverage(traders, 100.0, 90.0, "bitmex", book=flat_ladder(1.0))  # type: ignore[arg-type]
