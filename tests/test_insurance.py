"""Insurance-fund sizing (liqlib.systemic.insurance): the ADL survival function, VaR and the
newsvendor."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.engine import flat_ladder
from liqlib.systemic import cascade, generate_population
from liqlib.systemic.insurance import (
    BYBIT_MAX_DRAWDOWN,
    adl_probability,
    drawdown_adl,
    drawdown_deficit,
    expected_adl,
    fund_for_probability,
    open_interest,
    optimal_fund,
    shock_standard_deviation,
    simulate_deficit_cases,
    simulate_deficits,
)

deficit_lists = st.lists(st.just(0.0) | st.floats(0.0, 1e7), min_size=1, max_size=60)
funds = st.floats(0.0, 2e7)


@given(deficit_lists, funds, funds)
def test_adl_probability_is_non_increasing_in_the_fund(d: list[float], a: float, b: float) -> None:
    low, high = sorted((a, b))
    p_low, p_high = adl_probability(d, low), adl_probability(d, high)
    assert 0 <= p_high <= p_low <= 1
    assert p_low == pytest.approx(np.mean(np.array(d) > low))


@given(deficit_lists, funds, funds)
def test_expected_adl_is_non_increasing_and_convex(d: list[float], a: float, b: float) -> None:
    low, high = sorted((a, b))
    e_low, e_mid, e_high = expected_adl(d, [low, (low + high) / 2, high])
    scale = 1e-9 * max(1.0, max(d))
    assert e_high <= e_low + scale
    assert e_mid <= (e_low + e_high) / 2 + scale
    assert expected_adl(d, max(d)) == 0.0


@given(deficit_lists, st.floats(0.0, 1.0))
def test_fund_for_probability_is_the_smallest_that_meets_the_target(
    d: list[float], p: float
) -> None:
    fund = fund_for_probability(d, p)
    assert adl_probability(d, fund) <= p + 1e-12
    # any smaller fund misses the target
    below = [x for x in d if x < fund]
    if fund > 0:
        assert adl_probability(d, max(below) if below else 0.0) > p


@given(deficit_lists, st.floats(0.01, 10.0), st.floats(0.01, 10.0))
def test_optimal_fund_minimises_the_cost(d: list[float], r: float, kappa: float) -> None:
    def cost(f: float) -> float:
        return r * f + kappa * float(expected_adl(d, f))

    best = optimal_fund(d, r, kappa)
    candidates = [0.0, *d]  # the cost is piecewise linear with kinks at the deficits
    assert cost(best) <= min(cost(c) for c in candidates) * (1 + 1e-9) + 1e-6


def test_small_examples() -> None:
    d = [0.0, 0.0, 10.0, 20.0, 40.0]
    assert adl_probability(d, 0.0) == pytest.approx(0.6)
    assert fund_for_probability(d, 0.6) == 0.0
    assert fund_for_probability(d, 0.59) == 10.0
    assert fund_for_probability(d, 1.0) == 0.0
    assert fund_for_probability([0.0] * 99 + [5.0], 0.01) == 0.0
    assert fund_for_probability(np.arange(100.0), 0.29) == 70.0  # 29 of 100 may exceed
    assert optimal_fund(d, capital_cost=5, loss_weight=1) == 0.0  # capital dearer than the loss


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.floats(0.0, 5e5))
def test_the_peak_deficit_is_the_fund_that_avoids_adl(seed: int, fund: float) -> None:
    """The cascade's ADL with a fund F is max(0, D - F) for the sample's D (same population)."""
    sample = simulate_deficits(3, seed=seed, positions=300, depth=5.0, shock_scale=0.08)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**63 - 1, size=3)
    for k in range(3):
        pop = generate_population(300, 60_000.0, seed=int(seeds[k]))
        with_fund = cascade(pop, 60_000.0, float(sample.shocks[k]), flat_ladder(5.0), fund=fund)
        expected = max(0.0, float(sample.deficits[k]) - fund)
        assert math.isclose(with_fund.adl_loss, expected, rel_tol=1e-9, abs_tol=1e-6)
        assert with_fund.count == sample.liquidated[k]


def test_simulation_is_seeded() -> None:
    a = simulate_deficits(30, seed=5, positions=200)
    b = simulate_deficits(30, seed=5, positions=200)
    c = simulate_deficits(30, seed=6, positions=200)
    assert np.array_equal(a.deficits, b.deficits) and np.array_equal(a.shocks, b.shocks)
    assert not np.array_equal(a.shocks, c.shocks)
    assert len(a) == 30 and np.all(np.abs(a.shocks) <= 0.5) and np.all(a.open_interest > 0)


def test_open_interest_counts_one_side() -> None:
    """Venues quote open interest as outstanding contracts, each a long and a short: one side."""
    assert open_interest([1, 1, -1], [2.0, 1.0, 3.0], 10.0) == 30.0  # 3 long, 3 short: 3 contracts
    assert open_interest([1] * 6 + [-1] * 4, [1.0] * 10, 100.0) == 600.0
    with pytest.raises(ValueError, match="side must be"):
        open_interest([0], [1.0], 1.0)
    with pytest.raises(ValueError, match="price must be > 0"):
        open_interest([1], [1.0], 0.0)


def test_simulated_open_interest_is_one_sided() -> None:
    """The chapter's 60/40 population: summing both sides overstated open interest ~1/0.6 times,
    so the fund as a share of it was understated by as much."""
    sample = simulate_deficits(4, seed=3, positions=2_000)
    seeds = np.random.default_rng(3).integers(0, 2**63 - 1, size=4)
    for k in range(4):
        pop = generate_population(2_000, 60_000.0, seed=int(seeds[k]))
        both = float(pop.size.sum()) * 60_000.0
        longs = float(pop.size[pop.side > 0].sum()) * 60_000.0
        assert sample.open_interest[k] == pytest.approx(max(longs, both - longs))
        assert 1.5 < both / sample.open_interest[k] < 1.9  # about 1 / 0.6


def test_bybit_drawdown_example() -> None:
    """Bybit's "Get ADL Alert" example: pool 1M, symbol A loses 350K, "pnlRatio = -35%" below
    the -30% threshold: ADL, and 50K is covered by it to hold the ratio at -30%."""
    assert drawdown_adl([-350_000.0], 1_000_000.0, BYBIT_MAX_DRAWDOWN) == pytest.approx(50_000.0)
    assert drawdown_deficit([-350_000.0], BYBIT_MAX_DRAWDOWN) == pytest.approx(350_000 / 0.3)
    # the original rule ("balance <= 0") needs no ADL there
    assert drawdown_adl([-350_000.0], 1_000_000.0) == 0.0
    with pytest.raises(ValueError, match=r"max_drawdown must be in \(0, 1\]"):
        drawdown_deficit([-1.0], 0.0)
    with pytest.raises(ValueError, match="fund must be >= 0"):
        drawdown_adl([-1.0], -1.0)


flow_lists = st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40)


@given(flow_lists, st.floats(0.05, 1.0), st.floats(0.05, 1.0), funds)
def test_drawdown_deficit_is_the_fund_that_avoids_adl(
    flows: list[float], r: float, r2: float, fund: float
) -> None:
    walk = np.concatenate(([0.0], np.cumsum(flows)))
    d_r = drawdown_deficit(flows, r)
    # r = 1 is the empty-fund rule: the peak deficit, and ADL = max(0, D - F)
    assert drawdown_deficit(flows, 1.0) == pytest.approx(max(0.0, float(np.max(-walk))))
    assert drawdown_adl(flows, fund, 1.0) == pytest.approx(
        max(0.0, drawdown_deficit(flows, 1.0) - fund), abs=1e-6)
    # ADL happens exactly when the fund is below D_r
    scale = 1e-9 * (1.0 + float(np.max(np.abs(walk))) / r)
    if fund > d_r + scale:
        assert drawdown_adl(flows, fund, r) <= scale
    if fund < d_r - scale:
        assert drawdown_adl(flows, fund, r) > 0
    # a tighter trigger needs a larger fund
    low, high = sorted((r, r2))
    assert drawdown_deficit(flows, low) >= drawdown_deficit(flows, high) - scale


def test_simulated_drawdown_deficits() -> None:
    plain = simulate_deficits(40, seed=4, positions=300, depth=5.0, shock_scale=0.08)
    same = simulate_deficits(40, seed=4, positions=300, depth=5.0, shock_scale=0.08,
                             max_drawdown=1.0)
    bybit = simulate_deficits(40, seed=4, positions=300, depth=5.0, shock_scale=0.08,
                              max_drawdown=BYBIT_MAX_DRAWDOWN)
    assert np.array_equal(plain.deficits, same.deficits)
    assert np.all(bybit.deficits >= plain.deficits - 1e-6)
    assert np.any(bybit.deficits > plain.deficits)


def _same_sample(a, b) -> bool:
    fields = ("shocks", "deficits", "liquidated", "fund_income", "fund_draw", "open_interest",
              "flows", "offsets")
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in fields) \
        and a.max_drawdown == b.max_drawdown


def test_cases_are_the_calls_one_by_one() -> None:
    """Every case, number for number, is the simulate_deficits call with its settings: shared
    populations, shocks drawn as alone (another shock_dof draws other shocks)."""
    common = dict(seed=11, positions=150, depth=4.0, long_share=0.7)
    cases = [{"shock_scale": 0.02}, {}, {"depth": 40.0, "shock_scale": 0.08},
             {"shock_dof": 5.0, "max_shock": 0.2}, {"max_drawdown": BYBIT_MAX_DRAWDOWN}]
    together = simulate_deficit_cases(25, cases, **common)
    assert len(together) == len(cases)
    for case, sample in zip(cases, together, strict=True):
        assert _same_sample(sample, simulate_deficits(25, **{**common, **case}))
    assert all(np.array_equal(s.open_interest, together[0].open_interest) for s in together)
    # the same Student-t draw, scaled, wherever the degrees of freedom agree
    assert np.allclose(together[0].shocks * 2, together[1].shocks)
    assert not np.allclose(together[3].shocks * 2, together[0].shocks * 2)


def test_a_samples_flows_are_its_cascades() -> None:
    sample = simulate_deficits(20, seed=3, positions=200, depth=5.0, shock_scale=0.08)
    assert sample.offsets[0] == 0 and np.array_equal(np.diff(sample.offsets), sample.liquidated)
    assert sample.flows.size == sample.liquidated.sum() > 0
    for k in range(len(sample)):
        flows = sample.flows[sample.offsets[k]:sample.offsets[k + 1]]
        assert np.maximum(flows, 0).sum() == pytest.approx(sample.fund_income[k], abs=1e-6)
        assert np.maximum(-flows, 0).sum() == pytest.approx(sample.fund_draw[k], abs=1e-6)
        # the cascade's empty-fund ADL loss is the walk's peak deficit
        assert drawdown_deficit(flows) == pytest.approx(sample.deficits[k], abs=1e-6)


def test_a_drawdown_trigger_rereads_the_same_crashes() -> None:
    kw = dict(seed=4, positions=300, depth=5.0, shock_scale=0.08)
    plain = simulate_deficits(40, **kw)
    bybit = plain.with_drawdown(BYBIT_MAX_DRAWDOWN)
    assert _same_sample(bybit, simulate_deficits(40, max_drawdown=BYBIT_MAX_DRAWDOWN, **kw))
    assert bybit.max_drawdown == BYBIT_MAX_DRAWDOWN and plain.max_drawdown == 1.0
    assert np.array_equal(bybit.flows, plain.flows)   # no crash run again
    assert np.allclose(plain.with_drawdown(1.0).deficits, plain.deficits, atol=1e-6)
    # from a drawdown sample back to the empty-fund rule: read from the flows, not composed
    assert np.allclose(bybit.with_drawdown(1.0).deficits, plain.deficits, atol=1e-6)
    with pytest.raises(ValueError, match=r"max_drawdown must be in \(0, 1\]"):
        plain.with_drawdown(0.0)


def test_cases_refuse_bad_cases() -> None:
    with pytest.raises(ValueError, match="cases must hold at least one case"):
        simulate_deficit_cases(3, [], seed=1, positions=20)
    with pytest.raises(ValueError, match=r"cases\[1\] may set only .*'fund'"):
        simulate_deficit_cases(3, [{}, {"fund": 1.0}], seed=1, positions=20)
    with pytest.raises(TypeError, match=r"cases\[0\] must be a mapping"):
        simulate_deficit_cases(3, [0.04], seed=1, positions=20)
    with pytest.raises(TypeError, match="cases must be a sequence of mappings"):
        simulate_deficit_cases(3, {"shock_scale": 0.04}, seed=1, positions=20)
    with pytest.raises(ValueError, match="depth must be > 0"):
        simulate_deficit_cases(3, [{"depth": -1.0}], seed=1, positions=20)
    with pytest.raises(ValueError, match=r"max_shock must be in \(0, 1\)"):
        simulate_deficit_cases(3, [{}], seed=1, positions=20, max_shock=1.0)


def test_shock_standard_deviation() -> None:
    assert shock_standard_deviation(0.04, 3.0) == pytest.approx(0.04 * math.sqrt(3.0))
    assert shock_standard_deviation(0.04, 2.0) == math.inf
    assert shock_standard_deviation(1.0, 1e9) == pytest.approx(1.0)  # the normal limit
    # the seeded draws agree with it (the clip at 50% barely binds at a 1% scale)
    sample = simulate_deficits(4_000, seed=9, positions=1, shock_scale=0.01, shock_dof=5.0)
    assert np.std(sample.shocks) == pytest.approx(shock_standard_deviation(0.01, 5.0), rel=0.1)
    with pytest.raises(ValueError, match="shock_dof must be > 0"):
        shock_standard_deviation(0.04, 0.0)


def test_deeper_books_and_smaller_shocks_need_smaller_funds() -> None:
    thin = simulate_deficits(200, seed=2, positions=500, depth=5.0)
    deep = simulate_deficits(200, seed=2, positions=500, depth=500.0)
    calm = simulate_deficits(200, seed=2, positions=500, depth=5.0, shock_scale=0.01)
    assert fund_for_probability(deep.deficits, 0.05) <= fund_for_probability(thin.deficits, 0.05)
    assert fund_for_probability(calm.deficits, 0.05) <= fund_for_probability(thin.deficits, 0.05)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="deficits must be >= 0"):
        adl_probability([-1.0], 0.0)
    with pytest.raises(ValueError, match="deficits must hold at least one"):
        expected_adl([], 0.0)
    with pytest.raises(ValueError, match="fund must be finite"):
        expected_adl([1.0], float("nan"))
    with pytest.raises(ValueError, match=r"probability must be in \[0, 1\]"):
        fund_for_probability([1.0], 1.5)
    with pytest.raises(ValueError, match="capital_cost must be > 0"):
        optimal_fund([1.0], 0.0, 1.0)
    with pytest.raises(ValueError, match="n_scenarios must be an integer"):
        simulate_deficits(0, seed=1)
    with pytest.raises(ValueError, match="depth must be > 0"):
        simulate_deficits(5, seed=1, depth=0.0)
    with pytest.raises(ValueError, match=r"max_shock must be in \(0, 1\)"):
        simulate_deficits(5, seed=1, max_shock=1.5)
