"""Partial-liquidation and fee policies (liqlib.engine.policies): venue numbers and bad input."""

from __future__ import annotations

import math

import pytest

from liqlib import TierTable
from liqlib.engine.policies import (
    BlockLimits,
    CappedBySurplus,
    ForfeitSurplus,
    FractionSlices,
    FullLiquidation,
    IncrementalClips,
    LiquidationContext,
    NoFee,
    RateOnNotional,
    Rules,
    TierStepDown,
    insurance_fund_delta,
    venue_rules,
)

BYBIT_TIERS = TierTable([0, 1_000, 2_000, 3_000, 4_000], [0.02, 0.025, 0.03, 0.035, 0.04],
                        [25, 20, 16, 14, 12])


def context(size: float, mark: float, equity: float, table: TierTable = BYBIT_TIERS, *,
            time: float = 0.0, round_: int = 0, last_partial: float = -math.inf,
            fee: object = None) -> LiquidationContext:
    fee_policy = fee if fee is not None else ForfeitSurplus()

    def projected(q: float) -> float:
        surplus = q * equity / size
        return equity - min(fee_policy.fee(surplus, q * mark), max(equity, 0.0))  # type: ignore

    return LiquidationContext(size, mark, equity, float(table.maintenance_margin(size * mark)),
                              table, time, round_, last_partial, projected)


# dYdX liquidations_test.go, TestGetLiquidationInsuranceFundDelta (0.1 BTC; USDC):
# (side, bankruptcy price per BTC, fill price, max fee, expected fund delta)
DYDX_ROWS = [
    (+1, 51_000, 56_100, 0.005, 28.05),
    (+1, 51_000, 56_100, 0.025, 140.25),
    (+1, 51_000, 56_100, 1.0, 510.0),
    (-1, 49_000, 44_100, 0.005, 22.05),
    (+1, 51_000, 51_051, 0.005, 5.1),
    (+1, 51_000, 51_000, 0.005, 0.0),
    (+1, 51_000, 50_490, 0.005, -51.0),
    (-1, 49_000, 49_490, 0.005, -49.0),
]


@pytest.mark.parametrize(("side", "bankrupt", "fill", "max_fee", "expected"), DYDX_ROWS)
def test_dydx_insurance_fund_delta(side: int, bankrupt: float, fill: float, max_fee: float,
                                   expected: float) -> None:
    got = insurance_fund_delta(CappedBySurplus(max_fee), side, 0.1, fill, bankrupt)
    assert got == pytest.approx(expected, abs=1e-9)


def test_bitmex_insurance_fund_examples() -> None:
    """liquidationExamples: long 1 at 100, bankrupt at 99; filled at 99.25 (+0.25), at 98.75
    (-0.25)."""
    assert insurance_fund_delta(ForfeitSurplus(), +1, 1, 99.25, 99.0) == pytest.approx(0.25)
    assert insurance_fund_delta(ForfeitSurplus(), +1, 1, 98.75, 99.0) == pytest.approx(-0.25)


def test_fee_policies() -> None:
    assert NoFee().fee(10.0, 1e6) == 0.0
    assert RateOnNotional(0.005).fee(1.0, 10_000) == pytest.approx(50.0)
    assert CappedBySurplus(0.015).fee(10.0, 10_000) == pytest.approx(10.0)
    assert ForfeitSurplus().fee(-1.0, 100) == 0.0


def test_tier_step_down_sizes_the_order_to_restore_compliance() -> None:
    """Bybit's XYZUSDT tiers; a 3,500 USDT position (tier 4) with 90 USDT equity (MM 92.5)."""
    ctx = context(100, 35, 90.0)
    assert ctx.maintenance == pytest.approx(92.5)
    order = TierStepDown().order_size(ctx)
    remaining = (ctx.size - order) * ctx.mark
    # the highest lower tier complies: just below 3,000 the MM is 3,000 x 3% - 15 = 75, and the
    # remaining equity (the closed part's share forfeited) is 90 x 3,000 / 3,500 = 77.1
    assert remaining == pytest.approx(3_000)
    assert ctx.projected_equity(order) >= BYBIT_TIERS.maintenance_margin(remaining)
    # the second round takes the rest
    assert TierStepDown().order_size(context(100, 35, 90.0, round_=1)) == 100


def test_tier_step_down_liquidates_the_lowest_tier_whole() -> None:
    ctx = context(10, 35, 5.0)  # 350 USDT, tier 1
    assert TierStepDown().order_size(ctx) == 10
    assert TierStepDown().order_size(context(100, 35, 0.5)) == 100  # no tier complies


def test_fraction_slices_and_cooldown() -> None:
    policy = FractionSlices()
    assert policy.order_size(context(10, 50_000, 1.0)) == pytest.approx(2.0)  # 500k: 20%
    assert policy.order_size(context(1, 50_000, 1.0)) == 1  # 50k: whole
    in_cooldown = context(10, 50_000, 1.0, time=40.0, last_partial=20.0)
    after = context(10, 50_000, 1.0, time=60.0, last_partial=20.0)
    assert policy.order_size(in_cooldown) == 10
    assert policy.order_size(after) == pytest.approx(2.0)


def test_block_limits_and_clips() -> None:
    flat = TierTable.flat(0.03, 20)
    assert BlockLimits().order_size(context(10, 50_000, 1.0, flat)) == pytest.approx(1.0)
    assert BlockLimits().order_size(context(100, 50_000, 1.0, flat)) == pytest.approx(2.0)
    assert BlockLimits().order_size(context(0.01, 50_000, 1.0, flat)) == 0.01  # 500 < min 1,000
    assert IncrementalClips().order_size(context(1, 50_000, 1.0, flat)) == pytest.approx(0.04)
    assert FullLiquidation().order_size(context(3, 50_000, 1.0, flat)) == 3


def test_rules_by_name_and_bad_input() -> None:
    assert Rules("block_limits", "capped_by_surplus", "dydx").partial_policy.name == "block_limits"
    for name in ("binance", "bybit", "bitmex", "hyperliquid", "dydx", "deribit"):
        assert venue_rules(name).name == name
    with pytest.raises(ValueError, match="partial must be one of"):
        Rules("slices")
    with pytest.raises(ValueError, match="fee must be one of"):
        Rules("full", "clearance")
    with pytest.raises(ValueError, match="adl must be one of"):
        Rules(adl="random")
    with pytest.raises(ValueError, match="adl_price must be one of"):
        Rules(adl_price="index")
    with pytest.raises(ValueError, match="backstop_ratio"):
        Rules(backstop_ratio=1.5)
    with pytest.raises(ValueError, match="name must be one of"):
        venue_rules("kraken")
    with pytest.raises(ValueError, match="fraction must be a fraction"):
        FractionSlices(fraction=1.2)
    with pytest.raises(ValueError, match="max_portion"):
        BlockLimits(max_portion=0)
    with pytest.raises(ValueError, match=r"rounds must be an integer in \[1, inf\]"):
        IncrementalClips(rounds=0)
    with pytest.raises(ValueError, match="rate must be a fraction"):
        RateOnNotional(-0.01)
    with pytest.raises(ValueError, match="size must be > 0"):
        insurance_fund_delta(NoFee(), +1, 0, 100, 99)


def test_mechanics_table_is_generated_from_the_presets() -> None:
    from liqlib.engine.policies import (
        MECHANICS_STAGES,
        VENUE_RULES,
        VENUE_SOURCES,
        mechanics_cells,
        mechanics_table,
    )

    rows = mechanics_table()
    assert {r["venue"] for r in rows} == set(VENUE_RULES)
    assert len(rows) == len(VENUE_RULES) * len(MECHANICS_STAGES)
    for r in rows:
        assert r["rule"] and r["source"] == VENUE_SOURCES[r["venue"]][MECHANICS_STAGES[r["stage"]]]
    cell = {(r["venue"], r["stage"]): r["rule"] for r in rows}
    assert cell["binance", "order"].startswith("one immediate-or-cancel order")
    assert cell["bybit", "order"].startswith("one fill-or-kill order")
    assert cell["bitmex", "limit"] == "limit at the bankruptcy price"
    assert cell["bybit", "limit"] == "market order"
    assert cell["bybit", "step-down settlement"].startswith("at its fill price")
    assert cell["okx", "ADL"].endswith("at the mark price")
    assert cell["deribit", "ADL"] == "none"
    assert cell["hyperliquid", "backstop"] == "vault takes positions below 0.667 of MM"
    # a change to a preset shows in its cells: the variant reads differently
    variant = mechanics_cells(venue_rules("bybit_forfeit_step_down"))
    assert variant["step-down settlement"] == "the whole surplus over bankruptcy to the fund"
    with pytest.raises(ValueError, match="venues must be one of"):
        mechanics_table(("kraken",))
    with pytest.raises(TypeError, match="rules must be a Rules"):
        mechanics_cells("bybit")  # type: ignore[arg-type]
