"""Engine and systemic behaviours that issue 15's mutation run found unpinned by the unit tests.

One-line mutations that survived: the order in which one step liquidates several accounts (worst
first), the presets' fee constants (Binance's 0.5% -> 0.6% passed every unit test), a shocked
price exactly at a liquidation price in the two cascade solvers, and the sign of funding in
``engine_cascade``. Each test states the documented behaviour; objects are built inside the
tests (a module-level object is invisible to mutmut's per-test coverage).
"""

from __future__ import annotations

import numpy as np
import pytest

from liqlib.engine import Engine, ResilientBook, Trader, flat_book, flat_ladder, policies
from liqlib.systemic import cascades


def test_one_step_liquidates_the_worst_account_first() -> None:
    # two longs below maintenance at 91: account 1 (equity 6 - 9 = -3) is worse off than
    # account 0 (9 - 9 = 0) and is liquidated first although its index is higher
    traders = [Trader(9.0, 1, 1.0, 100.0), Trader(6.0, 1, 1.0, 100.0),
               Trader(100.0, -1, 2.0, 100.0)]
    thin = flat_book(0.5, half_life=1e9)
    engine = Engine(traders, 100.0, rules="bitmex", book=thin)
    engine.step(91.0)
    assert [e.account for e in engine.ledger.of_kind("trigger")] == [1, 0]


@pytest.mark.parametrize(
    ("venue", "fee", "partial_fee"),
    [
        # Binance: "0.5% on all other perpetual contracts", charged on every slice
        ("binance", policies.RateOnNotional(0.005), policies.RateOnNotional(0.005)),
        # dYdX docs: "Maximum Liquidation Penalty of 1.5%", never beyond the surplus
        ("dydx", policies.CappedBySurplus(0.015), policies.CappedBySurplus(0.015)),
        # Deribit's legacy fee: "BTC Futures and Perpetual: 0.5%"
        ("deribit", policies.RateOnNotional(0.005), policies.RateOnNotional(0.005)),
        # BitMEX / Bybit / OKX: the remaining margin goes to the insurance fund
        ("bitmex", policies.ForfeitSurplus(), policies.NoFee()),
        ("bybit", policies.ForfeitSurplus(), policies.NoFee()),
        ("okx", policies.ForfeitSurplus(), policies.NoFee()),
        ("hyperliquid", policies.NoFee(), policies.NoFee()),
    ],
)
def test_presets_fee_constants(venue: str, fee: object, partial_fee: object) -> None:
    rules = policies.venue_rules(venue)
    assert rules.fee_policy == fee
    assert rules.partial_fee_policy == partial_fee
    assert rules.fee_to_fund == 1.0


def test_presets_partial_liquidation_constants() -> None:
    assert policies.venue_rules("dydx").partial_policy == policies.BlockLimits(0.1, 1_000.0,
                                                                               100_000.0)
    assert policies.venue_rules("deribit").partial_policy == policies.IncrementalClips(2_000.0,
                                                                                       20)
    hl = policies.venue_rules("hyperliquid")
    assert hl.partial_policy == policies.FractionSlices(0.2, 100_000.0, 30.0)
    assert hl.backstop_ratio == pytest.approx(2 / 3)
    assert policies.venue_rules("okx").partial_policy == policies.TierStepDown(
        fill_or_kill=False, to_lowest_tier=True)
    assert policies.venue_rules("binance").partial_policy == policies.TierStepDown(
        fill_or_kill=False)
    assert policies.venue_rules("bybit").partial_policy == policies.TierStepDown()


def test_the_two_cascade_solvers_agree_at_an_exact_liquidation_price() -> None:
    # the shock lands exactly on the first long's liquidation price (90.0): at or below the
    # trigger liquidates, in the fixed point and in the stepped simulation alike
    pop = cascades.Population(np.array([1.0, 1.0]), np.array([1.0, 1.0]),
                              np.array([100.0, 100.0]), np.array([10.0, 10.0]),
                              np.array([90.0, 80.0]), np.array([89.5, 79.5]))
    shock = -0.1
    assert 100.0 * (1 + shock) == 90.0
    deep = flat_ladder(1e6)
    fixed = cascades.cascade(pop, 100.0, shock, deep)
    stepped = cascades.simulate(pop, 100.0, shock,
                                ResilientBook(deep, deep, half_life=float("inf")))
    assert fixed.count == stepped.count == 1
    assert fixed.liquidated.tolist() == stepped.liquidated.tolist() == [0]
    assert fixed.price == pytest.approx(stepped.price, rel=1e-12)


def test_positive_funding_is_paid_by_longs_in_engine_cascade() -> None:
    # 20x longs and 2x shorts; the price barely moves. Longs paying 2% a step are liquidated;
    # longs receiving it (a negative rate, shorts pay) are not, nor is anybody without funding.
    pop = cascades.Population.from_positions(
        [1.0, 1.0, 1.0, -1.0, -1.0], [1.0] * 5, [100.0] * 5, [20.0, 20.0, 20.0, 2.0, 2.0]
    )

    def run(rate: float) -> cascades.EngineCascadeResult:
        book = flat_book(1_000, half_life=10.0)
        return cascades.engine_cascade(pop, 100.0, [99.9, 99.9, 99.9], book, funding_rate=rate)

    paying, none, receiving = run(0.02), run(0.0), run(-0.02)
    assert paying.closed.sum() > 0 and paying.triggered.sum() == 3
    assert none.closed.sum() == 0 and receiving.closed.sum() == 0
    assert paying.funding_paid > 0 and receiving.funding_paid > 0 and none.funding_paid == 0
