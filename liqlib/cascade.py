"""Liquidation cascades: a shock liquidates positions, their orders move the price, and so on.

A population of isolated linear positions is hit by a price shock. Every position whose
liquidation price the price crosses is closed by a market order into the book (a
:mod:`liqlib.book` ladder around the shocked price); the orders push the price further, which
crosses more liquidation prices. With no book recovery the process ends at a **fixed point**:
the price at which the positions liquidated so far have sold exactly enough to move it there.

Two solvers:

* :func:`cascade` exploits the ordering of liquidation prices: sort once; each round is one
  binary search (how many positions the price has crossed) and one prefix-sum lookup (how much
  they sold). The rounds only ever move the price further, so they stop after at most as many
  rounds as there are distinct crossings, usually a handful.
* :func:`simulate` steps through time, scanning every position each step and filling each
  liquidation order one at a time against a :class:`~liqlib.book.ResilientBook` that may
  refill between steps. With recovery off (``half_life = inf``) it reaches the same fixed point
  and the same fills; the benchmark compares the two.

The fund accounting follows the common convention (BitMEX, Bybit, Binance): a liquidation that
fills better than the bankruptcy price leaves its remaining margin to the insurance fund; one that
fills worse draws the gap from the fund; what the fund cannot cover is passed to auto-deleveraging.

References
----------
.. [1] Cifuentes, R., Ferrucci, G., Shin, H. S. (2005). Liquidity risk and contagion. *Journal
   of the European Economic Association* 3(2-3), 556-566: the fire-sale fixed point between
   forced sales and prices.
.. [2] BitMEX, "Liquidation" (https://www.bitmex.com/app/liquidation): positions are closed at
   the bankruptcy price; a better fill goes to the insurance fund, a worse one is paid by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _validate as v
from .book import Ladder, ResilientBook
from .liquidation import liquidation_price
from .tiers import TierTable

#: Leverages traders pick in the generator, and how often (skewed toward 10-25x; see
#: :func:`generate_population`).
LEVERAGE_CHOICES = np.array([2, 3, 5, 10, 15, 20, 25, 50, 75, 100], dtype=float)
LEVERAGE_WEIGHTS = np.array([4, 4, 10, 22, 12, 18, 12, 10, 4, 4], dtype=float)


@dataclass(frozen=True)
class Population:
    """Isolated linear positions with their liquidation and bankruptcy prices.

    Attributes are arrays of one length: ``side`` (+1 long, -1 short), ``size`` (base units),
    ``entry_price``, ``leverage``, ``liquidation`` and ``bankruptcy`` prices.
    """

    side: NDArray[np.float64]
    size: NDArray[np.float64]
    entry_price: NDArray[np.float64]
    leverage: NDArray[np.float64]
    liquidation: NDArray[np.float64]
    bankruptcy: NDArray[np.float64]

    @classmethod
    def from_positions(
        cls,
        side: Any,
        size: Any,
        entry_price: Any,
        leverage: Any,
        mmr: float | TierTable = 0.005,
    ) -> Population:
        """Positions opened at ``leverage``, priced by :func:`~liqlib.liquidation_price`."""
        result = liquidation_price(side, size, entry_price, leverage=leverage, mmr=mmr)
        arrays = np.broadcast_arrays(
            *(np.asarray(a, dtype=float) for a in (side, size, entry_price, leverage)),
            np.asarray(result.price, dtype=float),
            np.asarray(result.bankruptcy_price, dtype=float),
        )
        return cls(*(a.reshape(-1) for a in arrays))

    def __len__(self) -> int:
        return int(self.size.size)


def generate_population(
    n: int,
    price: float,
    *,
    seed: int,
    long_share: float = 0.6,
    median_notional: float = 5_000.0,
    notional_sigma: float = 1.5,
    entry_dispersion: float = 0.03,
    leverage_scale: float = 1.0,
    max_leverage: float = 100.0,
    mmr: float | TierTable = 0.005,
) -> Population:
    """A seeded, skewed population of ``n`` leveraged positions around ``price``.

    Notionals are log-normal (a few whales, many small accounts: ``median_notional`` and log
    standard deviation ``notional_sigma``); leverage is drawn from :data:`LEVERAGE_CHOICES` with
    :data:`LEVERAGE_WEIGHTS`, multiplied by ``leverage_scale`` and capped at ``max_leverage``
    (so a scale of 2 doubles everyone's leverage, a lower cap models a venue that lowers its
    maximum); entry prices are log-normal around ``price`` with ``entry_dispersion``, mirrored
    to the other side of ``price`` for any position that would already be past its liquidation
    price there.

    Examples
    --------
    >>> pop = generate_population(1_000, 60_000, seed=7)
    >>> len(pop), bool((pop.side == 1).mean() > 0.5)
    (1000, True)
    """
    count = int(n)
    if count < 1:
        raise ValueError(f"n must be a positive number of positions, got {n!r}")
    p = float(v.positive("price", price))
    if not 0 <= long_share <= 1:
        raise ValueError(f"long_share must be in [0, 1], got {long_share!r}")
    v.positive("median_notional", median_notional)
    v.nonnegative("notional_sigma", notional_sigma)
    v.nonnegative("entry_dispersion", entry_dispersion)
    v.positive("leverage_scale", leverage_scale)
    if not max_leverage >= 1:
        raise ValueError(f"max_leverage must be >= 1, got {max_leverage!r}")
    rng = np.random.default_rng(seed)
    side = np.where(rng.random(count) < long_share, 1.0, -1.0)
    notional = median_notional * np.exp(rng.normal(0.0, notional_sigma, count))
    picks = rng.choice(LEVERAGE_CHOICES, size=count, p=LEVERAGE_WEIGHTS / LEVERAGE_WEIGHTS.sum())
    leverage = np.clip(picks * leverage_scale, 1.0, max_leverage)
    z = rng.normal(0.0, entry_dispersion, count)
    pop = Population.from_positions(side, notional / (p * np.exp(z)), p * np.exp(z), leverage, mmr)
    # A position already past its liquidation price at `price` would have been closed: mirror its
    # entry draw to the other side of `price`, where it is in profit (one pass, same draws).
    dead = side * (p - pop.liquidation) <= 0
    if not dead.any():
        return pop
    entry = p * np.exp(np.where(dead, -z, z))
    return Population.from_positions(side, notional / entry, entry, leverage, mmr)


@dataclass(frozen=True)
class CascadeResult:
    """Where a cascade stopped and what it cost.

    Attributes
    ----------
    price : float
        Final price (the touch after every liquidation order).
    amplification : float
        Final move over the initial shock's move (>= 1; 1 means no cascade).
    rounds : int
        Rounds of the fixed-point iteration (or time steps of the simulation) that liquidated
        something.
    count : int
        Positions liquidated.
    quantity : float
        Base units sold (or bought) into the book.
    notional : float
        Quote value of the liquidation fills (quantity times fill prices).
    fund_income : float
        Margin left over above bankruptcy, paid into the insurance fund.
    fund_draw : float
        Losses beyond bankruptcy that the fund covered.
    adl_loss : float
        Losses the fund could not cover, passed to auto-deleveraging.
    adl_count : int
        Liquidations whose loss was (at least partly) passed to ADL.
    liquidated : ndarray of int
        Indices into the population, in the order they were filled.
    fills : ndarray
        Volume-weighted fill price of each liquidated position, in the same order.
    """

    price: float
    amplification: float
    rounds: int
    count: int
    quantity: float
    notional: float
    fund_income: float
    fund_draw: float
    adl_loss: float
    adl_count: int
    liquidated: NDArray[np.intp]
    fills: NDArray[np.float64]


def _shock_direction(shock: float) -> int:
    s = float(shock)
    if not -1 < s < 1 or s == 0:
        raise ValueError(f"shock must be a nonzero fraction in (-1, 1), got {shock!r}")
    return 1 if s > 0 else -1


def _losing_order(population: Population, direction: int) -> tuple[NDArray[np.intp], Any]:
    """Indices of the side a move hurts, in the order the move reaches their liquidation prices.

    A fall (``direction = -1``) hurts longs from the highest liquidation price down; a rise hurts
    shorts from the lowest up. Keys are ``direction * liquidation`` so both sort ascending.
    Positions that cannot be liquidated (price NaN) are left out.
    """
    losers = np.flatnonzero((population.side == -direction) & np.isfinite(population.liquidation))
    keys = direction * population.liquidation[losers]
    order = np.argsort(keys, kind="stable")
    return losers[order], keys[order]


def cascade(
    population: Population,
    price: float,
    shock: float,
    ladder: Ladder,
    *,
    fund: float = 0.0,
    max_rounds: int = 10_000,
) -> CascadeResult:
    """The fixed point of a cascade: sort once, then binary searches and prefix sums.

    Parameters
    ----------
    population : Population
    price : float
        Price before the shock (> 0).
    shock : float
        The exogenous move as a fraction of ``price`` in (-1, 1), nonzero: ``-0.05`` is a 5%
        drop (hurting longs), ``+0.05`` a 5% rise (hurting shorts).
    ladder : Ladder
        The book side liquidation orders take (bids for a drop, asks for a rise), measured from
        the shocked price; it does not refill.
    fund : float
        Insurance fund balance (>= 0) before the cascade.
    max_rounds : int
        Safety bound; the iteration provably ends within ``len(population) + 1`` rounds.

    Returns
    -------
    CascadeResult

    Examples
    --------
    Three longs at 100 with 10x (liquidated near 90.5) and a book of 10 units per 1%: a 9% drop
    alone liquidates nobody; a 10% drop liquidates all three, and their 3 units push the price
    down another 0.3%.

    >>> from liqlib.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, 10)
    >>> cascade(pop, 100, -0.09, flat_ladder(10)).count
    0
    >>> result = cascade(pop, 100, -0.10, flat_ladder(10))
    >>> result.count, round(result.price, 6)
    (3, 89.73)
    """
    direction = _shock_direction(shock)
    start = float(v.positive("price", price))
    shocked = start * (1 + float(shock))
    balance = float(v.nonnegative("fund", fund))
    order, keys = _losing_order(population, direction)
    sold = np.concatenate([[0.0], np.cumsum(population.size[order])])

    current, crossed, rounds = shocked, 0, 0
    for _ in range(max_rounds):
        reached = int(np.searchsorted(keys, direction * current, side="right"))
        if reached == crossed:
            break
        crossed, rounds = reached, rounds + 1
        current = shocked * (1 + direction * float(ladder.distance(np.asarray(sold[crossed]))))
    else:
        raise RuntimeError(f"cascade did not settle within max_rounds={max_rounds}")
    liquidated, sold = order[:crossed], sold[: crossed + 1]
    # Position j fills over the book between sold[j] and sold[j + 1].
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_distance = np.diff(ladder.area(sold)) / population.size[liquidated]
    fills = shocked * (1 + direction * mean_distance)
    return _settle(population, liquidated, fills, start, shocked, current, rounds, balance)


def simulate(
    population: Population,
    price: float,
    shock: float,
    book: ResilientBook,
    *,
    dt: float = 1.0,
    fund: float = 0.0,
    max_steps: int = 10_000,
) -> CascadeResult:
    """A cascade stepped through time: scan every position each step, fill orders one by one.

    Each step liquidates every position the current price has crossed, in the order the move
    reached them, each with its own market order into ``book``; the price becomes the book's
    touch; then ``dt`` passes and the book refills by its half-life. With
    ``book.half_life = inf`` the result equals :func:`cascade`'s (the fixed point), at the
    cost of a full scan per step and one order per position.

    The book is used as is (pass a fresh one with nothing consumed) and is left consumed.
    """
    direction = _shock_direction(shock)
    start = float(v.positive("price", price))
    shocked = start * (1 + float(shock))
    balance = float(v.nonnegative("fund", fund))
    order_side = direction  # a drop (-1) liquidates longs by selling (-1), a rise by buying
    alive = (population.side == -direction) & np.isfinite(population.liquidation)
    current, rounds = shocked, 0
    liquidated: list[int] = []
    fills: list[float] = []
    for _ in range(max_steps):
        hit = np.flatnonzero(alive & (direction * population.liquidation <= direction * current))
        if hit.size == 0:
            break
        rounds += 1
        hit = hit[np.argsort(direction * population.liquidation[hit], kind="stable")]
        for i in hit:
            fill = book.execute(order_side, float(population.size[i]), shocked)
            liquidated.append(int(i))
            fills.append(float(fill.vwap))
        alive[hit] = False
        current = book.touch(order_side, shocked)
        book.advance(dt)
    else:
        raise RuntimeError(f"simulation did not settle within max_steps={max_steps}")
    index = np.asarray(liquidated, dtype=np.intp)
    return _settle(population, index, np.asarray(fills), start, shocked, current, rounds,
                   balance)


def _settle(
    population: Population,
    liquidated: NDArray[np.intp],
    fills: NDArray[np.float64],
    start: float,
    shocked: float,
    final: float,
    rounds: int,
    fund: float,
) -> CascadeResult:
    """Fund flows and ADL of positions filled in this order at these prices."""
    size = population.size[liquidated]
    side = population.side[liquidated]
    # Equity left at the fill: positive goes to the fund, negative is drawn from it. The fund
    # cannot go below zero: what it cannot pay is the running shortfall below zero (a reflected
    # walk), passed to ADL.
    left = side * (fills - population.bankruptcy[liquidated]) * size
    shortfall = np.maximum.accumulate(np.maximum(-(fund + np.cumsum(left)), 0.0))
    adl_steps = np.diff(np.concatenate([[0.0], shortfall]))
    return CascadeResult(
        price=float(final),
        amplification=float((start - final) / (start - shocked)),
        rounds=rounds,
        count=int(liquidated.size),
        quantity=float(size.sum()),
        notional=float(np.sum(fills * size)),
        fund_income=float(np.maximum(left, 0.0).sum()),
        fund_draw=float(np.maximum(-left, 0.0).sum()),
        adl_loss=float(shortfall[-1]) if shortfall.size else 0.0,
        adl_count=int(np.count_nonzero(adl_steps > 0)),
        liquidated=liquidated,
        fills=fills,
    )
