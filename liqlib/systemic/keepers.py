"""Who liquidates on chain: keepers paid a reward, oracles that update late, gas and latency.

An exchange's engine liquidates an account the moment its mark crosses the maintenance line. On an
on-chain perpetual (Synthetix v3, GMX v2, and the lending protocols before them) nothing happens
until a third party, a **keeper**, sends a transaction, and it sends one only when

1. the **oracle** has published a price at which the account is liquidatable: a Chainlink-style
   feed updates when the price has moved by its deviation threshold or when its heartbeat is due
   ("During periods of low volatility, the heartbeat triggers updates to the latest answer" [1]_);
2. the keeper's **reward exceeds its gas cost** (Synthetix pays "keeperRewards +
   costOfExecutionInUsd", floored and capped, :func:`liqlib.venues.synthetix.keeper_reward`); the
   model's keeper acts when the reward is at least the gas cost;
3. its transaction lands ``latency`` blocks later, at the oracle price of that block;
4. and the market's **liquidation limit per window** (Synthetix's ``maxLiquidatableAmount``,
   :func:`liqlib.venues.synthetix.max_liquidatable_amount`) has room; what it has not, waits.

:func:`keeper_liquidations` steps a population of isolated positions block by block along a price
path under these four rules (vectorized over accounts, one loop over blocks), and returns when
each was liquidated, at what price, the keepers' rewards and the **bad debt**: what the accounts'
collateral could not pay, left to the liquidity providers. With every block an oracle update, no
latency, no gas, no reward and no limit it is the exchange engine's result
(:class:`liqlib.engine.Engine` with full liquidation at the mark and no fee; the tests check it).
:func:`bad_debt_grid` sweeps gas cost and latency for an explorable.

Modelling choices, stated: linear contracts; each account one isolated position; liquidation
closes at the oracle price (no price impact; the pool is the counterparty, as at GMX and
Synthetix); the keeper's reward is ``reward_rate x notional + reward_fixed`` at execution, paid in
full, first from the account's equity and the rest by the pool (so it adds to bad debt); a keeper
that finds the account no longer liquidatable when its transaction lands does nothing; one keeper
transaction closes as much as the window allows and the keeper returns next block for the rest.

References
----------
.. [1] Chainlink, "Data Feeds" (``src/content/data-feeds/index.mdx`` of
   smartcontractkit/documentation, PR 2095), https://docs.chain.link/data-feeds (read
   2026-12-03): "During periods of low volatility, the heartbeat triggers updates to the latest
   answer."
.. [2] Synthetixio/synthetix-v3 @ 23585f7,
   ``markets/perps-market/contracts/storage/PerpsMarket.sol`` (``maxLiquidatableAmount``) and
   ``GlobalPerpsMarketConfiguration.sol`` (``keeperReward``), read 2026-12-03.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v

__all__ = ["KeeperResult", "bad_debt_grid", "gas_cost_usd", "keeper_liquidations",
           "oracle_prices"]


def gas_cost_usd(gas_used: ArrayLike, gas_price_gwei: ArrayLike, eth_price: ArrayLike) -> Any:
    """A transaction's cost in USD: ``gas_used x gas_price (gwei) x 1e-9 x ETH price``.

    Parameters
    ----------
    gas_used : float or array
        Gas units the transaction consumes (>= 0).
    gas_price_gwei : float or array
        Price per gas unit in gwei (1e-9 ETH, >= 0).
    eth_price : float or array
        USD per ETH (> 0).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Negative or non-finite values.

    Examples
    --------
    A 500,000-gas liquidation at 200 gwei with ETH at 150 USD costs 15 USD:

    >>> round(gas_cost_usd(500_000, 200, 150), 9)
    15.0
    """
    gas = v.nonnegative("gas_used", gas_used)
    gwei = v.nonnegative("gas_price_gwei", gas_price_gwei)
    return v.scalar_or_array(gas * gwei * 1e-9 * v.positive("eth_price", eth_price))


def oracle_prices(prices: ArrayLike, *, heartbeat: int = 1, deviation: float = 0.0) -> Any:
    """The price an oracle feed shows at each block: updated on a deviation or a heartbeat.

    The feed publishes the market price at block 0, then whenever the price has moved by at least
    ``deviation`` (a fraction) from the last published one, or ``heartbeat`` blocks have passed
    since it [1]_.

    Parameters
    ----------
    prices : array
        Market price at each block (> 0), one dimension.
    heartbeat : int
        Blocks between updates when the price does not move (>= 1; 1 updates every block).
    deviation : float
        Deviation threshold in [0, 1) (0: every block).

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        Prices not positive or not one-dimensional, a heartbeat below 1, a threshold out of range.

    References
    ----------
    [1]_.

    Examples
    --------
    >>> oracle_prices([100, 99.6, 99.2, 98.9, 98.8], heartbeat=3, deviation=0.01).tolist()
    [100.0, 100.0, 100.0, 98.9, 98.9]
    """
    p = v.positive("prices", prices)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"prices must be a non-empty one-dimensional array, got shape {p.shape}")
    beat = v.integer("heartbeat", heartbeat, low=1)
    dev = float(v.rate("deviation", deviation))
    out = np.empty_like(p)
    last, since = p[0], 0
    for t, price in enumerate(p):  # a feed's state is sequential: one pass over blocks
        if t == 0 or since >= beat or abs(price / last - 1.0) >= dev:
            last, since = price, 0
        out[t] = last
        since += 1
    return out


@dataclass(frozen=True)
class KeeperResult:
    """What :func:`keeper_liquidations` returns.

    Attributes
    ----------
    liquidated_block : ndarray of int
        Block at which each account's liquidation completed (-1: not liquidated by the end).
    first_block : ndarray of int
        Block of each account's first liquidation transaction (-1: none).
    price : ndarray
        Oracle price of the last closing transaction (``nan`` if none).
    bad_debt_by_account : ndarray
        What each account's collateral did not cover (its closing losses and the keeper's reward
        beyond its equity; for an account still open at the end, its deficit at the last price).
    bad_debt : float
        Their sum: the liquidity providers' loss.
    rewards : float
        Keepers' rewards paid.
    gas : float
        Keepers' gas spent on executed transactions.
    """

    liquidated_block: Any
    first_block: Any
    price: Any
    bad_debt_by_account: Any
    bad_debt: float
    rewards: float
    gas: float


def keeper_liquidations(
    prices: ArrayLike,
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    margin: ArrayLike,
    *,
    maintenance_rate: float,
    latency: int = 0,
    gas_cost: ArrayLike = 0.0,
    reward_rate: float = 0.0,
    reward_fixed: float = 0.0,
    heartbeat: int = 1,
    deviation: float = 0.0,
    window_limit: float | None = None,
    window_blocks: int = 1,
    reward_in_requirement: bool = False,
) -> KeeperResult:
    """Liquidations by keepers along a price path, block by block.

    At block ``t`` a keeper looks at the oracle price ``o_t`` (:func:`oracle_prices`); an account
    is liquidatable when ``margin + side size (o_t - entry) <= maintenance_rate x size x o_t``;
    the keeper sends a transaction if ``reward_rate x size x o_t + reward_fixed >= gas_cost[t]``,
    and it executes at block ``t + latency`` at ``o_{t+latency}``, if the account is still
    liquidatable then, closing up to what the window limit leaves.

    Parameters
    ----------
    prices : array
        Market price per block (> 0).
    side, size, entry_price, margin : array
        Each account's position: +1/-1, size (> 0, base units), entry (> 0) and isolated margin
        (>= 0, USD).
    maintenance_rate : float
        In (0, 1).
    latency : int
        Blocks between the keeper's decision and its transaction's execution (>= 0).
    gas_cost : float or array
        USD a liquidation transaction costs, per block (>= 0; an array of ``len(prices)`` for a
        gas spike).
    reward_rate, reward_fixed : float
        The keeper's reward, a fraction of the notional at execution (in [0, 1)) plus USD (>= 0).
    heartbeat, deviation
        The oracle (:func:`oracle_prices`).
    window_limit : float or None
        Base units all liquidations together may close per ``window_blocks`` blocks (Synthetix's
        ``maxLiquidationAmountInWindow``); ``None`` for no limit.
    window_blocks : int
        The window's length in blocks (>= 1).
    reward_in_requirement : bool
        Synthetix's eligibility, ``(requiredMaintenanceMargin + liquidationReward) >
        availableMargin`` (:func:`liqlib.venues.synthetix.is_eligible_for_liquidation`): the
        reward the keeper would earn is added to the maintenance margin, so accounts are
        liquidated earlier, while they can still pay it. False (the default): maintenance only.

    Returns
    -------
    KeeperResult

    Raises
    ------
    ValueError
        Bad prices, positions, rates or counts (named).

    References
    ----------
    [1]_, [2]_; :mod:`liqlib.venues.synthetix`.

    Examples
    --------
    A long of 1 at 100 with 5 of margin (maintenance 1%: liquidatable at 95.96) in a fall of 1 per
    block: with no latency it is closed at 95 with 0.05 over, with 3 blocks of latency at 92, 3
    short:

    >>> path = 100.0 - np.arange(12)
    >>> keeper_liquidations(path, [1], [1.0], [100.0], [5.0], maintenance_rate=0.01).bad_debt
    0.0
    >>> late = keeper_liquidations(path, [1], [1.0], [100.0], [5.0], maintenance_rate=0.01,
    ...                            latency=3)
    >>> int(late.liquidated_block[0]), float(late.price[0]), late.bad_debt
    (8, 92.0, 3.0)
    """
    p = v.positive("prices", prices)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"prices must be a non-empty one-dimensional array, got shape {p.shape}")
    n_blocks = p.size
    s, q, e, m = np.broadcast_arrays(v.side("side", side), v.positive("size", size),
                                     v.positive("entry_price", entry_price),
                                     v.nonnegative("margin", margin))
    s, q, e, m = (np.array(a, dtype=float).reshape(-1) for a in (s, q, e, m))
    mmr = float(v.rate("maintenance_rate", maintenance_rate, allow_zero=False))
    lag = v.integer("latency", latency, low=0)
    gas = np.broadcast_to(v.nonnegative("gas_cost", gas_cost), (n_blocks,)) if np.ndim(
        gas_cost) == 0 else v.nonnegative("gas_cost", gas_cost)
    if gas.shape != (n_blocks,):
        raise ValueError(f"gas_cost must be a number or an array of len(prices)={n_blocks}, got "
                         f"shape {gas.shape}")
    rate = float(v.rate("reward_rate", reward_rate))
    fixed = float(v.nonnegative("reward_fixed", reward_fixed))
    if window_limit is not None:
        window_limit = float(v.positive("window_limit", window_limit))
    span = v.integer("window_blocks", window_blocks, low=1)
    with_reward = v.boolean("reward_in_requirement", reward_in_requirement)
    oracle = oracle_prices(p, heartbeat=heartbeat, deviation=deviation)

    n = q.size
    open_size = q.copy()
    balance = m.copy()            # margin plus realized PnL of closed slices, minus rewards
    pending = np.full(n, -1)      # block a sent transaction executes at
    first = np.full(n, -1)
    done = np.full(n, -1)
    last_price = np.full(n, np.nan)
    rewarded = np.zeros(n, dtype=bool)
    closed_per_block = np.zeros(n_blocks)
    paid = spent = 0.0

    def liquidatable(price: float) -> Any:
        equity = balance + s * open_size * (price - e)
        required = mmr * open_size * price
        if with_reward:  # a flagged account (reward paid) owes no further reward
            required = required + np.where(rewarded, 0.0, rate * open_size * price + fixed)
        return (open_size > 0) & (equity <= required)

    for t in range(n_blocks):
        o = oracle[t]
        # keepers decide: liquidatable at the oracle, nothing pending, the reward covers the gas
        reward_now = rate * open_size * o + fixed
        send = liquidatable(o) & (pending < 0) & (reward_now >= gas[t])
        pending[send] = t + lag
        # transactions landing now (a reverted one, the account safe again, does nothing)
        landing = pending == t
        due = np.flatnonzero(landing & liquidatable(o))
        pending[landing] = -1
        for i in due:  # in account order: who gets the window's room first
            room = np.inf if window_limit is None else (
                window_limit - closed_per_block[max(0, t - span + 1): t + 1].sum())
            amount = min(open_size[i], max(room, 0.0))
            if amount <= 0:
                pending[i] = t + 1   # the keeper retries next block
                continue
            balance[i] += s[i] * amount * (o - e[i])
            if not rewarded[i]:      # the reward is paid once, on the first transaction
                reward = rate * open_size[i] * o + fixed
                balance[i] -= reward
                paid += reward
                rewarded[i] = True
                first[i] = t
            spent += gas[t]
            open_size[i] -= amount
            closed_per_block[t] += amount
            last_price[i] = o
            if open_size[i] <= 1e-12 * q[i]:
                open_size[i] = 0.0
                done[i] = t
            else:
                pending[i] = t + 1
    # accounts still open: their deficit at the last price is owed all the same
    final = balance + s * open_size * (p[-1] - e)
    bad = np.maximum(-final, 0.0)
    return KeeperResult(
        liquidated_block=done, first_block=first, price=last_price, bad_debt_by_account=bad,
        bad_debt=float(bad.sum()), rewards=float(paid), gas=float(spent),
    )


def bad_debt_grid(
    prices: ArrayLike,
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    margin: ArrayLike,
    *,
    maintenance_rate: float,
    gas_costs: Sequence[float],
    latencies: Sequence[int],
    **rules: Any,
) -> Any:
    """Total bad debt for every gas cost (rows) and latency (columns): an explorable's frames.

    Parameters
    ----------
    prices, side, size, entry_price, margin, maintenance_rate
        As :func:`keeper_liquidations`.
    gas_costs : sequence of float
        Gas cost per liquidation (USD, constant along the path).
    latencies : sequence of int
        Blocks.
    **rules
        The other keyword arguments of :func:`keeper_liquidations` (reward, oracle, window).

    Returns
    -------
    ndarray, shape (len(gas_costs), len(latencies))

    Raises
    ------
    ValueError
        As :func:`keeper_liquidations`; empty sequences.

    Examples
    --------
    >>> path = 100.0 - np.arange(12)
    >>> bad_debt_grid(path, [1], [1.0], [100.0], [5.0], maintenance_rate=0.01,
    ...               gas_costs=[0.0], latencies=[0, 3]).tolist()
    [[0.0, 3.0]]
    """
    if len(gas_costs) == 0 or len(latencies) == 0:
        raise ValueError("gas_costs and latencies must each hold at least one value")
    grid = np.empty((len(gas_costs), len(latencies)))
    for i, gas in enumerate(gas_costs):
        for j, lag in enumerate(latencies):
            grid[i, j] = keeper_liquidations(
                prices, side, size, entry_price, margin, maintenance_rate=maintenance_rate,
                gas_cost=gas, latency=lag, **rules).bad_debt
    return grid
