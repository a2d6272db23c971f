"""Keepers, oracles, gas and latency (liqlib.systemic.keepers), against the exchange engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.engine import Engine, Rules, Trader
from liqlib.systemic import bad_debt_grid, gas_cost_usd, keeper_liquidations, oracle_prices
from liqlib.venues import synthetix

MMR = 0.01


def population(seed: int, n: int = 12) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    side = rng.choice([1.0, -1.0], n)
    size = rng.uniform(0.5, 3.0, n)
    entry = rng.uniform(95.0, 105.0, n)
    leverage = rng.uniform(5.0, 50.0, n)
    return side, size, entry, size * entry / leverage


def fall(seed: int, blocks: int = 60, drop: float = 0.3) -> np.ndarray:
    """A monotone fall from 100 by ``drop`` with random block-to-block steps (seeded)."""
    steps = np.random.default_rng(seed).exponential(1.0, blocks - 1)
    return 100.0 * (1 - drop * np.concatenate([[0.0], np.cumsum(steps) / steps.sum()]))


def engine_result(prices: np.ndarray, side, size, entry, margin) -> tuple[float, list[int]]:
    traders = [Trader(float(m), int(s), float(q), float(e), isolated_margin=float(m))
               for s, q, e, m in zip(side, size, entry, margin, strict=True)]
    rules = Rules("full", "none", None, socialize=False, name="exchange")
    engine = Engine(traders, float(prices[0]), rules=rules, maintenance=MMR)
    records = engine.run(prices)
    triggered = [r.triggered for r in records]
    return records[-1].bad_debt, triggered


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), drop=st.floats(0.05, 0.6))
def test_no_latency_no_gas_is_the_exchange_engine(seed: int, drop: float) -> None:
    prices = fall(seed, drop=drop)
    pop = population(seed)
    ours = keeper_liquidations(prices, *pop, maintenance_rate=MMR)
    theirs, triggered = engine_result(prices, *pop)
    assert ours.bad_debt == pytest.approx(theirs, rel=1e-9, abs=1e-9)
    per_block = np.bincount(ours.liquidated_block[ours.liquidated_block >= 0],
                            minlength=prices.size)
    assert per_block.tolist() == triggered


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), lag=st.integers(0, 8), more=st.integers(1, 8),
       gas=st.sampled_from([0.0, 0.02, 0.5]), heartbeat=st.integers(1, 5))
def test_more_latency_never_less_bad_debt_on_a_monotone_fall(
    seed: int, lag: int, more: int, gas: float, heartbeat: int
) -> None:
    # the fall hurts longs (a short gains from waiting): a population of longs
    prices = fall(seed)
    _, size, entry, margin = population(seed)
    pop = (np.ones_like(size), size, entry, margin)
    rules = dict(maintenance_rate=MMR, gas_cost=gas, reward_rate=0.001, heartbeat=heartbeat)
    early = keeper_liquidations(prices, *pop, latency=lag, **rules)
    late = keeper_liquidations(prices, *pop, latency=lag + more, **rules)
    assert late.bad_debt >= early.bad_debt - 1e-9
    assert np.all(late.bad_debt_by_account >= early.bad_debt_by_account - 1e-9)


def test_a_gas_spike_stops_keepers_and_costs_bad_debt() -> None:
    # one long of 1 at 100 with 5 of margin, a fall of 1 per block; the keeper earns 1% of the
    # notional (about 0.95) and gas costs 0.1, except 20 during blocks 4-9
    prices = 100.0 - np.arange(20, dtype=float)
    args = ([1], [1.0], [100.0], [5.0])
    calm = keeper_liquidations(prices, *args, maintenance_rate=MMR, reward_rate=0.01,
                               gas_cost=0.1)
    spike = np.full(prices.size, 0.1)
    spike[4:10] = 20.0
    spiked = keeper_liquidations(prices, *args, maintenance_rate=MMR, reward_rate=0.01,
                                 gas_cost=spike)
    assert calm.liquidated_block.tolist() == [5] and spiked.liquidated_block.tolist() == [10]
    # calm: closed at 95, 5 - 5 - 0.95 reward: 0.95 short; spiked: closed at 90
    assert calm.bad_debt == pytest.approx(0.95)
    assert spiked.bad_debt == pytest.approx(10 - 5 + 0.9)
    assert spiked.gas == pytest.approx(0.1) and calm.rewards == pytest.approx(0.95)


def test_no_keeper_when_the_reward_never_pays_the_gas() -> None:
    prices = 100.0 - np.arange(20, dtype=float)
    result = keeper_liquidations(prices, [1], [1.0], [100.0], [5.0], maintenance_rate=MMR,
                                 gas_cost=1.0, reward_rate=0.001)
    assert result.liquidated_block.tolist() == [-1] and result.gas == 0.0
    assert result.bad_debt == pytest.approx(14.0)  # still open at 81: 19 lost on 5 of margin


def test_window_limit_is_synthetix_rate_limiter() -> None:
    # Liquidation.maxLiquidationAmount.test.ts's window, 100 OP per 10 s, one block a second; two
    # 150 OP longs (margins ours, so both are liquidatable at 1): 100 of the first at t = 1, the
    # rest of it and 50 of the second at t = 11, the second's last 100 at t = 21
    limit = synthetix.max_liquidation_amount_in_window(
        maker_fee=0.007, taker_fee=0.003, skew_scale=1_000,
        max_liquidation_limit_accumulation_multiplier=1, max_seconds_in_liquidation_window=10)
    prices = np.array([10.0] + [1.0] * 40)
    result = keeper_liquidations(prices, [1, 1], [150.0, 150.0], [10.0, 10.0], [150.0, 160.0],
                                 maintenance_rate=0.05, window_limit=limit, window_blocks=10)
    # the window never lets more than 100 through in any 10 consecutive blocks
    assert result.liquidated_block.tolist() == [11, 21]
    assert result.first_block.tolist() == [1, 11]


def test_the_reward_in_the_requirement_liquidates_earlier_and_pays_the_keeper() -> None:
    # a long of 1 at 100 on 5 of margin, maintenance 1%, a 2% reward, a fall of 1 per block.
    # Maintenance alone: liquidatable at 95 (equity 0 <= 0.95), closed there, and the 1.90
    # reward is owed by nobody. Synthetix's rule requires 3% of the notional: liquidatable at
    # 97 (equity 2 <= 2.91), where the account still pays the 1.94 reward.
    prices = 100.0 - np.arange(20, dtype=float)
    args = ([1], [1.0], [100.0], [5.0])
    plain = keeper_liquidations(prices, *args, maintenance_rate=MMR, reward_rate=0.02)
    synthetix_rule = keeper_liquidations(prices, *args, maintenance_rate=MMR, reward_rate=0.02,
                                         reward_in_requirement=True)
    assert plain.first_block.tolist() == [5] and synthetix_rule.first_block.tolist() == [3]
    assert plain.bad_debt == pytest.approx(0.02 * 95)
    assert synthetix_rule.bad_debt == 0.0 and synthetix_rule.rewards == pytest.approx(1.94)
    with pytest.raises(TypeError, match="reward_in_requirement"):
        keeper_liquidations(prices, *args, maintenance_rate=MMR, reward_in_requirement=1)


def test_oracle_heartbeat_and_deviation() -> None:
    prices = np.array([100, 100.5, 101, 101.2, 103, 103, 103, 103], dtype=float)
    assert oracle_prices(prices).tolist() == prices.tolist()
    assert oracle_prices(prices, heartbeat=100, deviation=0.01).tolist() == [
        100, 100, 101, 101, 103, 103, 103, 103]
    assert oracle_prices(prices, heartbeat=3, deviation=0.5).tolist() == [
        100, 100, 100, 101.2, 101.2, 101.2, 103, 103]


def test_a_stale_oracle_delays_liquidation() -> None:
    prices = 100.0 - np.arange(20, dtype=float)
    fresh = keeper_liquidations(prices, [1], [1.0], [100.0], [5.0], maintenance_rate=MMR)
    stale = keeper_liquidations(prices, [1], [1.0], [100.0], [5.0], maintenance_rate=MMR,
                                heartbeat=8, deviation=0.2)
    assert fresh.liquidated_block.tolist() == [5] and stale.liquidated_block.tolist() == [8]
    assert stale.bad_debt == pytest.approx(3.0)


def test_grid_and_gas_cost() -> None:
    prices = fall(3)
    _, size, entry, margin = population(3)
    pop = (np.ones_like(size), size, entry, margin)
    grid = bad_debt_grid(prices, *pop, maintenance_rate=MMR, gas_costs=[0.0, 1.0],
                         latencies=[0, 2, 5], reward_rate=0.002)
    assert grid.shape == (2, 3)
    assert np.all(np.diff(grid, axis=1) >= -1e-9) and np.all(np.diff(grid, axis=0) >= -1e-9)
    assert gas_cost_usd(21_000, 100, 2_000) == pytest.approx(4.2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"latency": -1}, "latency"),
        ({"gas_cost": [1.0, 2.0]}, "gas_cost must be a number or an array of len(prices)"),
        ({"reward_rate": 1.5}, "reward_rate"),
        ({"heartbeat": 0}, "heartbeat"),
        ({"window_limit": 0.0}, "window_limit must be > 0"),
        ({"maintenance_rate": 0.0}, "maintenance_rate"),
    ],
)
def test_bad_input_is_named(kwargs: dict, message: str) -> None:
    args = dict(maintenance_rate=MMR)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        keeper_liquidations([100.0, 99.0, 98.0], [1], [1.0], [100.0], [5.0], **args)
    with pytest.raises(ValueError, match="prices"):
        keeper_liquidations([[100.0]], [1], [1.0], [100.0], [5.0], maintenance_rate=MMR)
    with pytest.raises(ValueError, match="gas_costs and latencies"):
        bad_debt_grid([100.0], [1], [1.0], [100.0], [5.0], maintenance_rate=MMR, gas_costs=[],
                      latencies=[0])
