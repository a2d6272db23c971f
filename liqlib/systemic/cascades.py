"""Liquidation cascades: a shock liquidates positions, their orders move the price, and so on.

A population of isolated linear positions is hit by a price shock. Every position whose
liquidation price the price crosses is closed by a market order into the book (a
:mod:`liqlib.engine.book` ladder around the shocked price); the orders push the price further, which
crosses more liquidation prices. With no book recovery the process ends at a **fixed point**:
the price at which the positions liquidated so far have sold exactly enough to move it there.

Two solvers:

* :func:`cascade` exploits the ordering of liquidation prices: sort once; each round is one
  binary search (how many positions the price has crossed) and one prefix-sum lookup (how much
  they sold). The rounds only ever move the price further, so they stop after at most as many
  rounds as there are distinct crossings, usually a handful.
* :func:`simulate` steps through time, scanning every position each step and filling each
  liquidation order one at a time against a :class:`~liqlib.engine.book.ResilientBook` that may
  refill between steps. With recovery off (``half_life = inf``) it reaches the same fixed point
  and the same fills; the benchmark compares the two.

Both take two **dampers**, each a venue's documented practice; without them (the defaults) the
fixed point is the **worst case**: every liquidation a market order, every trigger on the venue's
own traded price.

* ``orders="bankruptcy_limit"``: the liquidation order is a limit at the position's bankruptcy
  price, so it fills only as far down the book as that price; the rest is taken over at the
  bankruptcy price by the insurance fund or ADL, off the book, and moves no price. BitMEX: it
  "places a limit sell order with a limit price of $99 (bankruptcy price)" [3]_; Binance: "All
  orders will be issued at the bankruptcy price ... If the position cannot be fully closed, the
  insurance fund and / or counterparty-liquidation will take effect" [4]_.
* ``mark_pass_through=w`` in [0, 1]: the trigger is an **index-anchored mark**, the venue's mark
  built on a spot index of other venues ("Price Index = Sum of (Weight Percent of Exchange A *
  The Symbol's Spot Price on Exchange A + ...)" [5]_), so only a share ``w`` of the impact of the
  venue's own liquidations reaches the trigger (what arbitrage carries into the index). ``w = 1``
  is a mark equal to the traded price, ``w = 0`` a mark that sees only the exogenous shock.

Beyond the fixed point:

* :func:`stopping_shocks` gives, for every count ``k`` of liquidations, the largest shock at
  which the cascade stops there; its running maximum is the cascade's whole response to the
  shock, and :func:`critical_shock` reads off it the shock beyond which the cascade runs away
  (or liquidates a given share of the exposed side), exactly.
* :func:`cascade_grid` runs :func:`cascade` over a grid of populations, shocks, books and
  dampers, on any executor (:mod:`liqlib.sweep`).
* :func:`engine_cascade` drives :class:`liqlib.engine.Engine` along a price path with the
  cascade's feedback: partial-liquidation policies, fees, the insurance fund and ADL from the
  engine; a book that refills; funding between longs and shorts; and a mark that may smooth the
  traded price (the trigger then misses brief impact). Its ledger balances at every step.

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
.. [3] BitMEX, "Liquidation Examples" (https://www.bitmex.com/app/liquidationExamples, read
   2026-12-03): "A trader goes long 1 contract at $100.00, with a liquidation price of $99.50
   and a bankruptcy price of $99.00 ... places a limit sell order with a limit price of $99
   (bankruptcy price). The liquidation order is filled at $99.25."
.. [4] Binance, "Liquidation" (https://binance.zendesk.com/hc/en-us/articles/360033525271,
   read 2026-12-03).
.. [5] Binance, "Mark Price and Price Index" (https://www.binance.com/en/support/faq/
   360033525071, read 2026-12-03): "Price 2 = Price Index + Moving Average (2.5-Minute Basis)".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..core.liquidation import liquidation_price
from ..core.tiers import TierTable
from ..engine.book import Ladder, ResilientBook, check_ladder, linear_ladder
from ..sweep import sweep

if TYPE_CHECKING:  # the engine imports the book and the policies; only the annotations need it
    from ..engine.policies import Rules
    from ..engine.stepper import Engine, Trader

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

    def __post_init__(self) -> None:
        # one entry per position in every field: a mismatch indexed out of range in cascade
        fields = ("side", "size", "entry_price", "leverage", "liquidation", "bankruptcy")
        arrays = {name: v.numbers(name, getattr(self, name)).reshape(-1) for name in fields}
        lengths = {name: a.size for name, a in arrays.items()}
        if len(set(lengths.values())) != 1:
            raise v.ShapeError(
                f"Population fields must have one length (one entry per position), got {lengths}"
            )
        v.side("side", arrays["side"])
        v.positive("size", arrays["size"])
        v.positive("entry_price", arrays["entry_price"])
        v.positive("leverage", arrays["leverage"])
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr)

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
    count = v.integer("n", n, low=1)
    p = v.number("price", price, "pos")
    v.one("long_share", v.bounded("long_share", long_share, 0.0, 1.0))
    v.number("median_notional", median_notional, "pos")
    v.number("notional_sigma", notional_sigma, "nonneg")
    v.number("entry_dispersion", entry_dispersion, "nonneg")
    v.number("leverage_scale", leverage_scale, "pos")
    if not v.number("max_leverage", max_leverage) >= 1:
        raise ValueError(f"max_leverage must be >= 1, got {max_leverage!r}")
    rng = np.random.default_rng(_seed("seed", seed))
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
        Volume-weighted fill price of each liquidated position, in the same order (a part taken
        over at the bankruptcy price counts at that price).
    taken_over : float
        Base units that bankruptcy-limit orders could not fill in the book and that the fund
        or ADL took over at the bankruptcy price (0 for market orders).
    mark : float
        The trigger price where the cascade stopped (the traded price unless the mark is
        index-anchored).
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
    taken_over: float = 0.0
    mark: float = math.nan


#: Liquidation order types of the cascade models: a market order walks the book as far as it
#: must; a limit at the bankruptcy price stops there (BitMEX, Binance).
ORDER_TYPES = ("market", "bankruptcy_limit")


def _dampers(orders: str, mark_pass_through: float) -> tuple[bool, float]:
    v.choice("orders", orders, ORDER_TYPES)
    share = v.as_float("mark_pass_through", mark_pass_through)
    if share.ndim != 0:
        raise TypeError(f"mark_pass_through must be one number, got shape {share.shape}")
    w = float(share)
    if not 0 <= w <= 1:
        raise ValueError(f"mark_pass_through must be a share in [0, 1], got {mark_pass_through!r}")
    return orders == "bankruptcy_limit", w


def _limit_depth(
    population: Population, order: NDArray[np.intp], shocked: float, direction: int,
    ladder: Ladder,
) -> NDArray[np.float64]:
    """For each position in ``order``: the book depth at which the touch reaches its bankruptcy
    price (beyond it a bankruptcy-limit order stops filling), as
    :func:`liqlib.engine.book.execute` measures a limit's reach."""
    reach = direction * (population.bankruptcy[order] - shocked) / shocked
    within = ladder.quantity_within(np.maximum(reach, 0.0))
    return np.asarray(np.where(reach >= 0, np.minimum(within, ladder.capacity), 0.0), dtype=float)


def _limited_sales(quantity: NDArray[np.float64], limit: NDArray[np.float64]) -> Any:
    """Cumulative book sales ``S_k = max(S_{k-1}, min(S_{k-1} + q_k, limit_k))``, ``S_0 = 0``.

    Order ``k`` fills from where the book stands down to its limit. With limits that never
    recede (the usual case: sorted by liquidation price, bankruptcy prices follow) the max is
    idle and ``S_k = P_k + min(0, min_{j <= k}(limit_j - P_j))`` with ``P`` the prefix sums: one
    accumulate. Otherwise a loop.
    """
    prefix = np.cumsum(quantity)
    if np.all(np.diff(limit) >= 0):
        slack = np.minimum.accumulate(np.minimum(limit - prefix, 0.0))
        return np.concatenate([[0.0], prefix + slack])
    sales = np.zeros(quantity.size + 1)
    for k in range(quantity.size):
        sales[k + 1] = max(sales[k], min(sales[k] + quantity[k], limit[k]))
    return sales


def _shock_direction(shock: float) -> int:
    s = v.number("shock", shock)
    if not -1 < s < 1 or s == 0:
        raise ValueError(f"shock must be a nonzero fraction in (-1, 1), got {shock!r}")
    return 1 if s > 0 else -1


def _shocked(start: float, shock: float) -> float:
    """The shocked price; a shock too small to move ``start`` in floating point is refused
    (``1e-300`` left the price unchanged and the amplification divided by zero)."""
    shocked = start * (1 + float(shock))
    if shocked == start:
        raise ValueError(
            f"shock must move price={start!r} in floating point (|shock| above ~1e-16), "
            f"got {shock!r}"
        )
    return shocked


def _seed(name: str, seed: Any) -> Any:
    """A seed or Generator for :func:`numpy.random.default_rng` (a float such as 1.5 refused)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return v.integer(name, seed)  # None (fresh entropy) refused too: every draw is seeded


def _inputs(population: Any, *ladder: Any) -> None:
    """The objects a cascade runs on: a :class:`Population` and (where the caller takes one) a
    ladder."""
    v.instance("population", population, Population, "a Population")
    for book in ladder:
        check_ladder("ladder", book)


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
    orders: str = "market",
    mark_pass_through: float = 1.0,
    max_rounds: int = 10_000,
) -> CascadeResult:
    """The fixed point of a cascade: sort once, then binary searches and prefix sums.

    With the defaults (market orders, trigger on the traded price) this is the worst case of
    the module's dampers; ``orders`` and ``mark_pass_through`` switch them on.

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
        the shocked price; it does not refill. Quantity beyond its capacity fills at its last
        unit, where the price stops (a real venue would hand it to a backstop or to ADL).
    fund : float
        Insurance fund balance (>= 0) before the cascade.
    orders : {"market", "bankruptcy_limit"}
        ``"market"``: each liquidation walks the book as far as it must. ``"bankruptcy_limit"``
        (BitMEX, Binance): each is a limit at the position's bankruptcy price; what the book
        cannot fill down to it is taken over at that price off the book (``taken_over``).
    mark_pass_through : float
        Share in [0, 1] of the liquidations' own impact that reaches the trigger price: 1 for a
        mark equal to the traded price, less for a mark anchored to an index of other venues,
        0 for a mark that sees only the shock.
    max_rounds : int
        Safety bound; the iteration provably ends within ``len(population) + 1`` rounds.

    Returns
    -------
    CascadeResult

    Raises
    ------
    ValueError
        For a shock outside (-1, 1) or zero, a non-positive price, a negative fund, an unknown
        order type or a pass-through outside [0, 1].
    RuntimeError
        If the iteration does not settle within ``max_rounds``.

    References
    ----------
    Module references [1]_ (the fixed point), [3]_ and [4]_ (bankruptcy-limit orders), [5]_
    (the index-anchored mark).

    Examples
    --------
    Three longs at 100 with 10x (liquidated near 90.5) and a book of 10 units per 1%: a 9% drop
    alone liquidates nobody; a 10% drop liquidates all three, and their 3 units push the price
    down another 0.3%.

    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, 10)
    >>> cascade(pop, 100, -0.09, flat_ladder(10)).count
    0
    >>> result = cascade(pop, 100, -0.10, flat_ladder(10))
    >>> result.count, round(result.price, 6)
    (3, 89.73)

    The longs of :func:`stopping_shocks` (10x, 9x, 8x) in a book of half a unit per 1%: a 9.6%
    fall runs away to 84.98 with market orders. A limit at the first one's bankruptcy price (90)
    sells only the 0.221 units resting above it; the fund takes over the other 0.779 at 90, and
    the price stops there, above the next liquidation price (89.34). A mark that sees none of the
    impact lets the first sale push the traded price to 88.59, but triggers nobody else.

    >>> pop = Population.from_positions(1, [1, 1, 1], 100, [10, 9, 8])
    >>> book = flat_ladder(0.5)
    >>> worst = cascade(pop, 100, -0.096, book)
    >>> limit = cascade(pop, 100, -0.096, book, orders="bankruptcy_limit")
    >>> anchored = cascade(pop, 100, -0.096, book, mark_pass_through=0.0)
    >>> (worst.count, round(worst.price, 2)), (limit.count, round(limit.price, 2))
    ((3, 84.98), (1, 90.0))
    >>> round(limit.taken_over, 3), limit.fund_draw
    (0.779, 0.0)
    >>> anchored.count, round(anchored.price, 3), anchored.mark
    (1, 88.592, 90.4)
    """
    _inputs(population, ladder)
    v.integer("max_rounds", max_rounds, low=1)
    direction = _shock_direction(shock)
    start = v.number("price", price, "pos")
    balance = v.number("fund", fund, "nonneg")
    limited, weight = _dampers(orders, mark_pass_through)
    order, keys = _losing_order(population, direction)
    size = population.size[order]
    shocked = _shocked(start, shock)
    if limited:
        sold = _limited_sales(size, _limit_depth(population, order, shocked, direction, ladder))
    else:
        sold = np.concatenate([[0.0], np.cumsum(size)])
    return _fixed_point(population, order, keys, sold, start, float(shock), ladder, balance,
                        max_rounds, weight, limited)


def _fixed_point(
    population: Population,
    order: NDArray[np.intp],
    keys: Any,
    sold: NDArray[np.float64],
    start: float,
    shock: float,
    ladder: Ladder,
    balance: float,
    max_rounds: int,
    weight: float = 1.0,
    limited: bool = False,
) -> CascadeResult:
    """:func:`cascade` on a population already sorted by :func:`_losing_order`.

    ``sold[k]`` is the quantity the first ``k`` liquidations sold into the book (their whole
    size for market orders); ``weight`` the share of the book's move that reaches the trigger.
    """
    direction = 1 if shock > 0 else -1
    shocked = start * (1 + shock)
    mark, crossed, rounds = shocked, 0, 0
    for _ in range(max_rounds):
        reached = int(np.searchsorted(keys, direction * mark, side="right"))
        if reached == crossed:
            break
        crossed, rounds = reached, rounds + 1
        move = float(_book_distance(ladder, sold[crossed]))
        mark = shocked * (1 + direction * weight * move)
    else:
        raise RuntimeError(f"cascade did not settle within max_rounds={max_rounds}")
    current = shocked  # nothing sold: the touch stays where the shock left it
    if crossed:
        current = shocked * (1 + direction * float(_book_distance(ladder, sold[crossed])))
    liquidated, sold = order[:crossed], sold[: crossed + 1]
    size = population.size[liquidated]
    in_book = np.diff(sold) if limited else size
    # Position j fills over the book between sold[j] and sold[j + 1]; the rest of its size (only
    # under a bankruptcy limit) is taken over at its bankruptcy price.
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_distance = np.diff(_book_area(ladder, sold)) / in_book
    book_fill = shocked * (1 + direction * mean_distance)
    # under a bankruptcy limit, what the book did not take; for market orders exactly nothing
    # (np.diff of the prefix sums can differ from the sizes in the last bit)
    rest = size - in_book if limited else np.zeros(size.size)
    with np.errstate(invalid="ignore"):
        blended = (np.where(in_book > 0, in_book * book_fill, 0.0)
                   + rest * population.bankruptcy[liquidated]) / size
    fills = np.where(rest > 0, blended, book_fill)
    result = _settle(population, liquidated, fills, start, shocked, current, rounds, balance)
    return replace(result, taken_over=float(rest.sum()), mark=float(mark))


def _book_distance(ladder: Ladder, quantity: Any) -> Any:
    """``ladder.distance``, stopping at the ladder's end: a book cannot move past its last unit."""
    return ladder.distance(np.minimum(np.asarray(quantity, dtype=float), ladder.capacity))


def _book_area(ladder: Ladder, quantity: Any) -> Any:
    """``ladder.area``, with quantity beyond the ladder's capacity filled at its last unit."""
    q = np.asarray(quantity, dtype=float)
    cap = ladder.capacity
    held = np.minimum(q, cap)
    return ladder.area(held) + (q - held) * _book_distance(ladder, cap)


def simulate(
    population: Population,
    price: float,
    shock: float,
    book: ResilientBook,
    *,
    dt: float = 1.0,
    fund: float = 0.0,
    orders: str = "market",
    mark_pass_through: float = 1.0,
    max_steps: int = 10_000,
) -> CascadeResult:
    """A cascade stepped through time: scan every position each step, fill orders one by one.

    Each step liquidates every position the trigger price has crossed, in the order the move
    reached them, each with its own order into ``book``; the traded price becomes the book's
    touch and the trigger price moves by ``mark_pass_through`` of the touch's move; then ``dt``
    passes and the book refills by its half-life. With ``book.half_life = inf`` the result
    equals :func:`cascade`'s (the fixed point) with the same dampers, at the cost of a full scan
    per step and one order per position. A market order the book cannot fill completely fills
    the rest at the book's last unit, as in :func:`cascade`; a bankruptcy-limit order leaves
    what it cannot fill down to its limit to be taken over at the bankruptcy price.

    The book is used as is (pass a fresh one with nothing consumed) and is left consumed.

    Parameters
    ----------
    population, price, shock, fund, orders, mark_pass_through
        As in :func:`cascade`.
    book : ResilientBook
        Both sides of the book, measured from the shocked price.
    dt : float
        Time between steps (>= 0), in the unit of ``book.half_life``.
    max_steps : int
        Safety bound on the number of steps.

    Returns
    -------
    CascadeResult

    Raises
    ------
    ValueError
        As :func:`cascade`.
    RuntimeError
        If the cascade does not settle within ``max_steps``.

    References
    ----------
    Module references [3]_ and [4]_ (bankruptcy-limit orders), [5]_ (the index-anchored mark).

    Examples
    --------
    The three longs of :func:`cascade`'s example in a book that never refills: one step per
    round, the same fixed point, with and without bankruptcy limits.

    >>> import math
    >>> from liqlib.engine.book import flat_book
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, [10, 9, 8])
    >>> frozen = lambda: flat_book(0.5, half_life=math.inf)
    >>> round(simulate(pop, 100, -0.096, frozen()).price, 3)
    84.976
    >>> r = simulate(pop, 100, -0.096, frozen(), orders="bankruptcy_limit")
    >>> r.count, round(r.price, 3), round(r.taken_over, 3)
    (1, 90.0, 0.779)
    """
    _inputs(population)
    v.instance("book", book, ResilientBook, "a ResilientBook")
    v.integer("max_steps", max_steps, low=1)
    direction = _shock_direction(shock)
    start = v.number("price", price, "pos")
    shocked = _shocked(start, shock)
    balance = v.number("fund", fund, "nonneg")
    limited, weight = _dampers(orders, mark_pass_through)
    step = v.number("dt", dt, "nonneg")
    order_side = direction  # a drop (-1) liquidates longs by selling (-1), a rise by buying
    alive = (population.side == -direction) & np.isfinite(population.liquidation)
    current, mark, rounds = shocked, shocked, 0
    liquidated: list[int] = []
    fills: list[float] = []
    taken_over = 0.0
    for _ in range(max_steps):
        hit = np.flatnonzero(alive & (direction * population.liquidation <= direction * mark))
        if hit.size == 0:
            break
        rounds += 1
        hit = hit[np.argsort(direction * population.liquidation[hit], kind="stable")]
        for i in hit:
            size = float(population.size[i])
            bankrupt = float(population.bankruptcy[i])
            limit = bankrupt if limited else None
            fill = book.execute(order_side, size, shocked, limit=limit)
            filled, vwap, rest = float(fill.quantity), float(fill.vwap), 0.0
            if limit is not None:  # what the book holds not down to the limit is taken over
                rest = size - filled
                vwap = ((filled * vwap if filled > 0 else 0.0) + rest * bankrupt) / size
            elif float(fill.unfilled) > 0:  # the book ran out: the rest goes at its last unit
                end = book.touch(order_side, shocked)
                vwap = ((filled * vwap if filled > 0 else 0.0) + float(fill.unfilled) * end) / size
            taken_over += rest
            liquidated.append(int(i))
            fills.append(vwap)
        alive[hit] = False
        current = book.touch(order_side, shocked)
        mark = current if weight == 1 else shocked * (1 + weight * (current / shocked - 1))
        book.advance(step)
    else:
        raise RuntimeError(f"simulation did not settle within max_steps={max_steps}")
    index = np.asarray(liquidated, dtype=np.intp)
    result = _settle(population, index, np.asarray(fills), start, shocked, current, rounds,
                     balance)
    return replace(result, taken_over=taken_over, mark=float(mark))


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


# --- the critical shock -----------------------------------------------------------------------


@dataclass(frozen=True)
class CriticalShock:
    """The smallest shock whose cascade liquidates a given share of the exposed side.

    Attributes
    ----------
    shock : float
        The critical shock, signed like ``cascade``'s ``shock``: every larger move (in the same
        direction) liquidates at least ``fraction`` of the exposed quantity, every smaller one
        less.
    fraction : float
        The share of the exposed side's quantity (longs for a fall, shorts for a rise).
    below, above : CascadeResult
        The cascades at ``shock * (1 - 1e-9)`` and ``shock * (1 + 1e-9)``.
    jump : float
        ``|above.price - below.price| / price``: the extra move that the last sliver of shock
        sets off, a fraction of the starting price. Near zero when the cascade grows smoothly with
        the shock; large when it runs away.
    """

    shock: float
    fraction: float
    below: CascadeResult
    above: CascadeResult
    jump: float


#: Relative distance from the critical shock at which :class:`CriticalShock` evaluates the
#: cascades just below and just above it.
CRITICAL_RTOL = 1e-9


def stopping_shocks(
    population: Population, price: float, ladder: Ladder, *, direction: int = -1
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For every ``k``, the largest shock at which the cascade stops after ``k`` liquidations.

    Sort the exposed positions in the order a move reaches them, with cumulative quantity
    ``Q_k`` after the first ``k``. Once ``k`` are liquidated the price is
    ``P0 (1 + d s) (1 + d x(Q_k))`` for a shock of size ``s`` in direction ``d``; it stops short
    of the next liquidation price ``L_{k+1}`` exactly when ``s < sigma_k`` with

        sigma_k = d * (L_{k+1} / (P0 (1 + d x(Q_k))) - 1).

    The fixed point of a shock ``s`` liquidates the smallest ``k`` with ``sigma_k > s``, so the
    running maximum of ``sigma`` is the whole response of the cascade to the shock: the count
    jumps wherever the running maximum sets a record, and a long flat stretch of it is a
    runaway.

    This is the response of :func:`cascade` with its defaults, the worst case: market orders and
    a trigger on the traded price. (With bankruptcy-limit orders the quantity sold depends on the
    shocked price, so there is no shock-free ``Q_k``; evaluate :func:`cascade` on a grid.)

    Parameters
    ----------
    population : Population
    price : float
        Price before the shock (> 0).
    ladder : Ladder
        The book side the liquidation orders take, as in :func:`cascade`.
    direction : {-1, +1}
        -1 for a fall (longs exposed), +1 for a rise (shorts exposed).

    Returns
    -------
    sigma : ndarray
        ``sigma_k`` for ``k = 0 .. n - 1`` (``-inf`` where the book has run out and the price
        cannot stop).
    quantity : ndarray
        ``Q_k`` for ``k = 0 .. n``: the quantity liquidated once the first ``k`` are.

    Examples
    --------
    Longs at 100 with 10x, 9x and 8x (liquidated at 90.45, 89.34, 87.94) and a book of half a
    unit per 1%. A fall of up to 9.548% stops before the first; once it is liquidated, its sale
    alone would hold the next one's price up to a shock of 8.841% only, which is smaller: any
    shock that takes the first takes all three (the running maximum of ``sigma`` never rises
    again).

    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, [10, 9, 8])
    >>> sigma, q = stopping_shocks(pop, 100, flat_ladder(0.5))
    >>> [round(float(s), 5) for s in sigma], q.tolist()
    ([0.09548, 0.08841, 0.08396], [0.0, 1.0, 2.0, 3.0])
    """
    _inputs(population, ladder)
    d = int(v.one("direction", v.side("direction", direction)))
    start = v.number("price", price, "pos")
    order, keys = _losing_order(population, d)
    quantity = np.concatenate([[0.0], np.cumsum(population.size[order])])
    level = 1 + d * np.asarray(_book_distance(ladder, quantity[:-1]), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(level > 0, d * (d * keys / (start * level) - 1), -np.inf)
    return sigma, quantity


def critical_shock(
    population: Population,
    price: float,
    ladder: Ladder,
    *,
    direction: int = -1,
    fraction: float | None = None,
    fund: float = 0.0,
) -> CriticalShock:
    """The shock beyond which the cascade runs away.

    The fixed point is monotone in the shock (a larger shock crosses every liquidation price a
    smaller one crosses, and then sells at least as much), so its response to the shock is a
    staircase: :func:`stopping_shocks` gives it exactly. Two readings of "runs away":

    * ``fraction=None`` (the default): the **tipping point**, the shock at which the final price
      jumps furthest for an infinitesimal extra push. Where the running maximum of ``sigma``
      sets a record at ``k`` and the next record is at ``m``, a shock of ``sigma_k`` liquidates
      ``k`` positions and any larger one ``m``; the tipping point is the record whose jump in
      final price is the largest. Where that largest jump sits can move either way as the book
      deepens or leverage rises, so this reading is not monotone in them;
    * ``fraction=f``: the smallest shock whose cascade liquidates at least ``f`` of the exposed
      side's quantity. With ``K`` the smallest count whose cumulative quantity reaches it, that
      shock is ``max(sigma_0 .. sigma_{K-1})``. It inherits the fixed point's monotonicity (a
      deeper book needs a larger shock, more leverage a smaller one); the tests check it against
      bisection on :func:`cascade`.

    Parameters
    ----------
    population : Population
    price : float
        Price before the shock (> 0).
    ladder : Ladder
        Book side the liquidations take (bids for a fall).
    direction : {-1, +1}
        -1 for a fall, +1 for a rise.
    fraction : float or None
        ``None`` for the tipping point; else a share of the exposed side's quantity, in (0, 1].
    fund : float
        Insurance fund (>= 0) for the two cascades reported alongside.

    Returns
    -------
    CriticalShock
        ``fraction`` is the share of the exposed quantity liquidated just above the shock when
        ``None`` was asked for.

    Raises
    ------
    ValueError
        For a bad argument; when nobody is exposed to the move; when no shock in (-1, 1)
        liquidates the fraction (a rise the shorts survive); when the half spread alone, with no
        shock at all, already does (the critical shock would be 0).

    Examples
    --------
    The three longs of :func:`stopping_shocks`: a fall just short of 9.548% liquidates nobody,
    one just past it all three, and the price ends 5.4% of the start lower than without that
    last sliver:

    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, [10, 9, 8])
    >>> crit = critical_shock(pop, 100, flat_ladder(0.5), fraction=1.0)
    >>> round(crit.shock, 5), crit.below.count, crit.above.count, round(crit.jump, 3)
    (-0.09548, 0, 3, 0.054)
    """
    _inputs(population, ladder)
    d = int(v.one("direction", v.side("direction", direction)))
    start = v.number("price", price, "pos")
    if fraction is not None:
        v.one("fraction", v.bounded("fraction", fraction, 0.0, 1.0, low_open=True,
                                    hint=" or None"))
    v.nonnegative("fund", fund)
    sigma, quantity = stopping_shocks(population, start, ladder, direction=d)
    if sigma.size == 0:
        move = "fall" if d < 0 else "rise"
        raise ValueError(f"population has no position that a {move} can liquidate")
    if fraction is None:
        threshold = _tipping_point(sigma, quantity, ladder, d)
    else:
        needed = int(np.searchsorted(quantity, float(fraction) * quantity[-1], side="left"))
        threshold = float(np.max(sigma[: max(needed, 1)]))
    wanted = "a runaway" if fraction is None else f"fraction={fraction} of the exposed side"
    if not threshold < 1:
        raise ValueError(
            f"no shock in (-1, 1) sets off {wanted} (it takes {d * threshold:+.3g})"
        )
    if not threshold > 0:
        raise ValueError(
            f"the book's half spread alone, with no shock, sets off {wanted}: the critical "
            "shock is 0"
        )
    shock = d * threshold
    below = cascade(population, start, shock * (1 - CRITICAL_RTOL), ladder, fund=fund)
    above = cascade(population, start, min(threshold * (1 + CRITICAL_RTOL), math.nextafter(1, 0))
                    * d, ladder, fund=fund)
    share = float(fraction) if fraction is not None else above.quantity / float(quantity[-1])
    return CriticalShock(shock, share, below, above, abs(above.price - below.price) / start)


def _tipping_point(
    sigma: NDArray[np.float64], quantity: NDArray[np.float64], ladder: Ladder, d: int
) -> float:
    """The record of ``sigma``'s running maximum whose step moves the final price furthest."""
    running = np.maximum.accumulate(sigma)
    # a record: sigma_k above everything before it (k = 0 always is one)
    records = np.flatnonzero(np.concatenate([[True], sigma[1:] > running[:-1]]))
    # a shock just above the record at k liquidates up to the next record (or everyone)
    following = np.append(records[1:], sigma.size)
    level = np.asarray(_book_distance(ladder, quantity), dtype=float)
    s = sigma[records]
    before = (1 + d * s) * (1 + d * level[records])
    after = (1 + d * s) * (1 + d * level[following])
    usable = (s > 0) & (s < 1)
    if not usable.any():
        return float(s.max()) if s.max() >= 1 else 0.0  # let the caller's checks explain it
    jumps = np.where(usable, np.abs(after - before), -np.inf)
    return float(s[int(np.argmax(jumps))])


# --- the cascade through the liquidation engine -----------------------------------------------


@dataclass(frozen=True)
class EngineCascadeResult:
    """A cascade run through :class:`liqlib.engine.Engine`, step by step.

    Arrays hold one value per step of the path (step ``k`` at time ``(k + 1) * dt``).

    Attributes
    ----------
    fundamental : ndarray
        The exogenous price path (before any liquidation impact).
    traded : ndarray
        Last traded price after the step's liquidations: the fundamental moved by what is still
        missing from the book (the touch of the side liquidations consumed).
    mark : ndarray
        The mark the engine used at the step (its trigger price).
    closed : ndarray
        Base units closed by liquidation in the step (book, ADL and backstop).
    triggered : ndarray of int
        Liquidations started in the step.
    fund : ndarray
        Insurance fund after the step.
    imbalance : ndarray
        The engine's audit imbalance after the step (0 up to rounding: money balances).
    price : float
        Traded price at the end.
    trough : float
        The traded price furthest in the direction of the shock.
    amplification : float
        ``(price0 - trough) / (price0 - extreme fundamental)``: the worst move over the shock.
    count : int
        Accounts liquidated (at least partly).
    quantity : float
        Base units closed by liquidation over the run.
    deleveraged : float
        Base units of that closed by ADL.
    funding_paid : float
        Funding moved from payers to receivers over the run (quote currency).
    engine : Engine
        The engine, for its ledger, accounts and audit.
    """

    fundamental: NDArray[np.float64]
    traded: NDArray[np.float64]
    mark: NDArray[np.float64]
    closed: NDArray[np.float64]
    triggered: NDArray[np.int_]
    fund: NDArray[np.float64]
    imbalance: NDArray[np.float64]
    price: float
    trough: float
    amplification: float
    count: int
    quantity: float
    deleveraged: float
    funding_paid: float
    engine: Engine


def _traded_price(fundamental: float, book: ResilientBook) -> float:
    """The fundamental moved by the holes in the book: the touch of the side consumed."""
    move = 0.0
    if book.consumed_bids > 0:
        move -= float(_book_distance(book.bids, book.consumed_bids))
    if book.consumed_asks > 0:
        move += float(_book_distance(book.asks, book.consumed_asks))
    return fundamental * (1 + move)


def population_traders(population: Population, margin: str = "isolated") -> list[Trader]:
    """Every position as an :class:`~liqlib.engine.Trader` with margin ``notional / leverage``:
    how :func:`engine_cascade` and the scorecard hand a population to the engine.

    Parameters
    ----------
    population : Population
    margin : {"isolated", "cross"}
        ``"isolated"``: the margin is the position's isolated margin and the whole wallet;
        ``"cross"``: the same amount as a cross-margin wallet.

    Returns
    -------
    list of Trader
        In the population's order: wallet ``size * entry_price / leverage`` (and isolated margin,
        the same), side, size and entry price as the population holds them.

    Raises
    ------
    TypeError
        For anything but a :class:`Population`.
    ValueError
        For another ``margin``.

    Examples
    --------
    >>> pop = Population.from_positions([1, -1], [2.0, 1.0], 100, [10, 4])
    >>> [(t.side, t.isolated_margin) for t in population_traders(pop)]
    [(1, 20.0), (-1, 25.0)]
    >>> [(t.wallet_balance, t.isolated) for t in population_traders(pop, margin="cross")]
    [(20.0, False), (25.0, False)]
    """
    from ..engine.stepper import Trader  # the engine layer sits above this module's core

    _inputs(population)
    isolated = v.choice("margin", margin, ("isolated", "cross")) == "isolated"
    wallets = population.size * population.entry_price / population.leverage
    return [
        Trader(float(m), int(s), float(q), float(e), isolated_margin=float(m) if isolated else None)
        for m, s, q, e in zip(wallets, population.side, population.size, population.entry_price,
                              strict=True)
    ]


def engine_cascade(
    population: Population,
    price: float,
    path: ArrayLike,
    book: ResilientBook,
    *,
    rules: Rules | str = "bitmex",
    maintenance: float | TierTable = 0.005,
    dt: float = 1.0,
    fund: float = 0.0,
    funding_rate: float = 0.0,
    mark_time_constant: float = 0.0,
    rng: np.random.Generator | int | None = None,
) -> EngineCascadeResult:
    """Drive the liquidation engine along a price path, with the cascade's feedback.

    Every position becomes an isolated :class:`~liqlib.engine.Trader` with margin
    ``notional / leverage`` (:func:`population_traders`). At each step of ``path`` (the
    exogenous, fundamental price ``F``):

    1. ``dt`` passes: the book refills by its half-life (``book.half_life``);
    2. the **traded price** is ``F`` moved by the depth still missing from the book
       (``F (1 - x_bids(consumed))`` after long liquidations);
    3. the **mark** is ``F (1 + b)``, where ``b`` is an exponential average, with time constant
       ``mark_time_constant``, of the basis of the traded price over ``F`` (0: the mark is the
       traded price; larger: a brief dip in the traded price hardly moves the mark, as with
       venues' moving-average basis);
    4. **funding** at ``funding_rate`` per step moves ``rate * notional`` at the mark from every
       long (rate > 0; shorts if < 0) to the other side, pro rata to size;
    5. the engine steps to the mark: it liquidates by its ``rules`` (partial-liquidation policy,
       fee, insurance fund, ADL), filling against the book where it stands, around ``F``,
       so the fills deepen the hole that moves the next traded price.

    With ``half_life = inf``, no smoothing, no funding, full liquidation and a constant path at
    the shocked price this reaches :func:`cascade`'s fixed point, one round per step.

    Parameters
    ----------
    population : Population
        Its liquidation prices must come from the same ``maintenance`` rate.
    price : float
        Price at time 0 (> 0), before the path starts; every position is open.
    path : array of float
        Fundamental price at each step (> 0); it must move away from ``price`` somewhere.
    book : ResilientBook
        Depth around the fundamental price, used as is and left consumed (as in
        :func:`simulate`).
    rules : Rules or str
        The venue's liquidation rules (:func:`liqlib.engine.policies.venue_rules`).
    maintenance : float or TierTable
        Maintenance margin rate of the engine (flat rate, or a tier table).
    dt : float
        Time between steps (> 0), in the unit of ``book.half_life``, ``mark_time_constant``
        and the rules' cooldowns (seconds for the venue presets).
    fund : float
        Insurance fund at the start (>= 0).
    funding_rate : float
        Funding per step as a fraction of notional, in (-1, 1); positive: longs pay shorts.
    mark_time_constant : float
        Time constant (>= 0) of the mark's basis average; 0 for a mark equal to the traded
        price.
    rng : numpy.random.Generator or int seed
        For rules with a random ADL queue (dYdX).

    Returns
    -------
    EngineCascadeResult

    Raises
    ------
    ValueError
        For a bad argument.
    RuntimeError
        If the book runs out so far that the traded price reaches zero.

    Examples
    --------
    The three longs of :func:`stopping_shocks` and a thin book that never refills: a dip to
    90.4 liquidates the first; its sale pushes the price through the others, one step at a
    time, to :func:`cascade`'s fixed point (84.976); the money balances at every step.

    >>> import math
    >>> from liqlib.engine.book import flat_book, flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, [10, 9, 8])
    >>> book = flat_book(0.5, half_life=math.inf)
    >>> run = engine_cascade(pop, 100, [90.4] * 4, book, fund=100)
    >>> run.triggered.tolist(), round(run.price, 4), run.count, float(abs(run.imbalance).max())
    ([1, 1, 1, 0], 84.976, 3, 0.0)
    >>> round(cascade(pop, 100, -0.096, flat_ladder(0.5)).price, 4)
    84.976
    """
    from ..engine.stepper import Engine  # the engine layer sits above this module's core

    _inputs(population)
    v.instance("book", book, ResilientBook, "a ResilientBook")
    start = v.number("price", price, "pos")
    fundamental = np.asarray(v.positive("path", path), dtype=float).reshape(-1)
    if fundamental.size == 0:
        raise ValueError("path must hold at least one price, got none")
    extreme_index = int(np.argmax(np.abs(fundamental - start)))
    shock_move = float(fundamental[extreme_index] - start)
    if shock_move == 0:
        raise ValueError(f"path must move away from price={start}, got a constant path")
    direction = 1 if shock_move > 0 else -1
    step_dt = v.number("dt", dt, "pos")
    balance = v.number("fund", fund, "nonneg")
    rate = v.number("funding_rate", funding_rate)
    if not -1 < rate < 1:
        raise ValueError(f"funding_rate must be a fraction in (-1, 1), got {funding_rate!r}")
    tau = v.number("mark_time_constant", mark_time_constant, "nonneg")

    engine = Engine(population_traders(population), start, rules=rules, maintenance=maintenance,
                    book=book, insurance_fund=balance, rng=rng)
    keep = math.exp(-step_dt / tau) if tau > 0 else 0.0
    basis = _traded_price(start, book) / start - 1
    n = fundamental.size
    traded, marks, closed, fund_path, imbalance = (np.empty(n) for _ in range(5))
    triggered = np.zeros(n, dtype=np.int_)
    funding_paid = 0.0
    for k, level in enumerate(fundamental):
        f = float(level)
        # the book as the engine will find it: engine.step lets the same dt pass on it
        refilled = replace(book)
        refilled.advance(step_dt)
        basis = keep * basis + (1 - keep) * (_traded_price(f, refilled) / f - 1)
        mark = f * (1 + basis)
        if not mark > 0:
            raise RuntimeError(f"the book ran out: the mark reached {mark!r} at step {k}")
        if rate != 0:
            funding_paid += _pay_funding(engine, rate)
        # triggers and margin at the mark; the fills where the book stands, around F
        record = engine.step(mark, step_dt, book_mid=f)
        traded[k] = _traded_price(f, book)
        if not traded[k] > 0:
            raise RuntimeError(f"the book ran out: the traded price reached zero at step {k}")
        marks[k], closed[k], triggered[k] = mark, record.closed, record.triggered
        fund_path[k], imbalance[k] = record.fund, record.imbalance

    trough = float(traded.max() if direction > 0 else traded.min())
    accounts = {e.account for e in engine.ledger.of_kind("trigger")}
    return EngineCascadeResult(
        fundamental=fundamental,
        traded=traded,
        mark=marks,
        closed=closed,
        triggered=triggered,
        fund=fund_path,
        imbalance=imbalance,
        price=float(traded[-1]),
        trough=trough,
        amplification=float((trough - start) / shock_move),
        count=len(accounts),
        quantity=float(closed.sum()),
        deleveraged=float(sum(r.deleveraged for r in engine.history)),
        funding_paid=funding_paid,
        engine=engine,
    )


def _pay_funding(engine: Engine, rate: float) -> float:
    """Move ``rate * notional`` from the paying side to the other, pro rata to size
    (:meth:`liqlib.engine.Engine.pay_funding`, which keeps the engine's trigger index).

    Longs pay when ``rate > 0``. Money is only moved between accounts (the sum of collateral is
    unchanged), so the engine's audit still balances. Returns the amount moved.
    """
    return engine.pay_funding(rate)


#: The keywords of :func:`cascade` a damper setting of :func:`cascade_grid` may hold.
DAMPER_KEYWORDS = ("orders", "mark_pass_through")


@dataclass(frozen=True)
class CascadeGrid:
    """:func:`cascade` on every combination of populations, shocks, books and dampers.

    Attributes
    ----------
    results : ndarray of CascadeResult, shape (populations, shocks, ladders, dampers)
        ``results[i, j, k, m]`` is the cascade of population ``i`` hit by shock ``j`` into
        ladder ``k`` with damper setting ``m``.
    shocks : ndarray
        The shocks, axis 1.
    dampers : tuple of dict
        The damper settings, axis 3 (``{}``: market orders, trigger on the traded price).
    """

    results: NDArray[np.object_]
    shocks: NDArray[np.float64]
    dampers: tuple[dict[str, Any], ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """(populations, shocks, ladders, dampers)."""
        return tuple(self.results.shape)

    def values(self, field: str) -> NDArray[np.float64]:
        """One numeric field of every :class:`CascadeResult` (``"amplification"``, ``"price"``,
        ``"fund_draw"``, ...), as a float array of the grid's shape.

        Raises
        ------
        ValueError
            For a field that is not a number of :class:`CascadeResult`.
        """
        allowed = [f for f, t in CascadeResult.__annotations__.items() if t in ("float", "int")]
        if field not in allowed:
            raise ValueError(f"field must be one of {allowed}, got {field!r}")
        out = np.array([getattr(r, field) for r in self.results.flat], dtype=float)
        return out.reshape(self.results.shape)


def _grid_cell(
    task: tuple[Population, float, float, Ladder, float, dict[str, Any]],
) -> CascadeResult:
    """One cell of :func:`cascade_grid`."""
    population, price, shock, ladder, fund, dampers = task
    return cascade(population, price, shock, ladder, fund=fund, **dampers)


def cascade_grid(
    populations: Population | Sequence[Population],
    price: float,
    shocks: ArrayLike,
    ladders: Ladder | Sequence[Ladder],
    *,
    dampers: Sequence[Mapping[str, Any]] = ({},),
    fund: float = 0.0,
    executor: Executor | None = None,
    chunksize: int | None = None,
) -> CascadeGrid:
    """:func:`cascade` over a grid: every population, shock, book and damper setting.

    The chapters' heat maps and damper tables are such grids: each cell is an independent
    cascade, so the grid runs on any executor (:func:`liqlib.sweep.sweep`) and gives the same
    results as the serial default.

    Parameters
    ----------
    populations : Population or sequence of Population
        Positions around ``price`` (axis 0).
    price : float
        Price before the shock (> 0).
    shocks : float or array
        Shocks (axis 1), each as :func:`cascade` takes it: a nonzero fraction in (-1, 1).
    ladders : Ladder or sequence of Ladder
        The book sides liquidations take (axis 2).
    dampers : sequence of dict
        Damper settings (axis 3), each a dict of :func:`cascade`'s ``orders`` and
        ``mark_pass_through``; the default is the worst case alone.
    fund : float
        Insurance fund (>= 0) before each cascade.
    executor : concurrent.futures.Executor, optional
        ``None`` (the default) runs serially; a process pool or Dask's
        ``Client.get_executor()`` spreads the cells.
    chunksize : int, optional
        Cells per submission to the executor (:func:`liqlib.sweep.sweep`).

    Returns
    -------
    CascadeGrid

    Raises
    ------
    ValueError
        For an empty axis, a damper setting with another keyword, or any argument
        :func:`cascade` refuses (a bad shock, price or fund).
    TypeError
        For a population or damper setting of the wrong type.

    References
    ----------
    Cifuentes, Ferrucci and Shin (2005); BitMEX and Binance on bankruptcy-limit orders; Binance on
    the index-anchored mark (module references).

    Examples
    --------
    Three longs at 100 (10x, 9x, 8x), two shocks, two books, two damper settings: in the thin
    book a 9.6% shock runs to 84.976 with market orders, while limits at the bankruptcy price stop
    the fall at the first one, 90; the deeper book damps both. Each cell is :func:`cascade`'s.

    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, [10, 9, 8])
    >>> grid = cascade_grid(pop, 100, [-0.096, -0.2], [flat_ladder(0.5), flat_ladder(5)],
    ...                     dampers=[{}, {"orders": "bankruptcy_limit"}])
    >>> grid.shape
    (1, 2, 2, 2)
    >>> grid.values("price")[0, 0].round(3).tolist()
    [[84.976, 90.0], [90.219, 90.219]]
    >>> direct = cascade(pop, 100, -0.2, flat_ladder(0.5), orders="bankruptcy_limit")
    >>> grid.results[0, 1, 0, 1].price == direct.price
    True
    """
    pops = [populations] if isinstance(populations, Population) else list(populations)
    for p in pops:
        if not isinstance(p, Population):
            raise TypeError(f"populations must hold Population objects, got {p!r}")
    moves = v.as_float("shocks", shocks).reshape(-1)
    books = list(ladders) if isinstance(ladders, Sequence) else [ladders]
    settings = tuple(dict(d) for d in dampers)
    for d in settings:
        extra = sorted(set(d) - set(DAMPER_KEYWORDS))
        if extra:
            raise ValueError(f"dampers may set only {DAMPER_KEYWORDS}, got {extra}")
    for name, axis in (("populations", pops), ("shocks", moves), ("ladders", books),
                       ("dampers", settings)):
        if len(axis) == 0:
            raise ValueError(f"{name} must hold at least one entry, got none")
    start = float(v.positive("price", price))
    balance = float(v.nonnegative("fund", fund))
    shape = (len(pops), moves.size, len(books), len(settings))
    tasks = [(pops[i], start, float(moves[j]), books[k], balance, settings[m])
             for i, j, k, m in np.ndindex(*shape)]
    results = np.empty(len(tasks), dtype=object)
    results[:] = sweep(_grid_cell, tasks, executor=executor, chunksize=chunksize)
    return CascadeGrid(results=results.reshape(shape), shocks=moves, dampers=settings)


def cascade_response(
    population: Population,
    price: float,
    ladder: Ladder,
    shocks: ArrayLike,
    *,
    direction: int = -1,
) -> Any:
    """The final move of the cascade for every shock size, from the stopping shocks (no loop).

    A shock of size ``s`` liquidates the smallest ``k`` whose stopping shock (the running
    maximum of :func:`stopping_shocks`' ``sigma``) exceeds ``s``; their quantity ``Q_k`` moves
    the book by ``x(Q_k)``, so the price ends at ``P0 (1 + d s) (1 + d x(Q_k))`` in direction
    ``d``. One sort and one binary search per shock give the whole response curve, equal to
    :func:`cascade` with its defaults (market orders, trigger on the traded price) shock by shock.

    Parameters
    ----------
    population : Population
    price : float
        Price before the shock (> 0).
    ladder : Ladder
        The book side the liquidation orders take, as in :func:`cascade`.
    shocks : float or array
        Shock sizes, fractions of ``price`` (>= 0; < 1 for a fall).
    direction : {-1, +1}
        -1 for a fall (longs exposed), +1 for a rise (shorts exposed).

    Returns
    -------
    float or ndarray
        The final move, a fraction of ``price`` in the shock's direction (``>= shocks``), for each
        shock; 1 for a fall that empties the book.

    Raises
    ------
    ValueError
        Naming the argument: a negative or NaN shock, a fall of 100% or more, a bad price or
        direction.
    TypeError
        If ``population`` is not a :class:`Population` or ``ladder`` not a ladder.

    References
    ----------
    R. Cifuentes, G. Ferrucci and H. S. Shin (2005), "Liquidity risk and contagion", *Journal of
    the European Economic Association* 3(2-3), 556-566.

    Examples
    --------
    Longs at 100 with 10x, 9x and 8x and a book of half a unit per 1% (:func:`stopping_shocks`):
    a fall of 9% liquidates nobody, one of 10% all three, whose sales take 6% more off the price:

    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, [10, 9, 8])
    >>> cascade_response(pop, 100, flat_ladder(0.5), [0.09, 0.10]).round(4).tolist()
    [0.09, 0.154]
    """
    _inputs(population, ladder)
    d = int(v.one("direction", v.side("direction", direction)))
    s = v.nonnegative("shocks", shocks)
    if d < 0 and np.any(s >= 1):
        raise ValueError(f"shocks must be < 1 for a fall (a price stays > 0), got {shocks!r}")
    sigma, quantity = stopping_shocks(population, price, ladder, direction=d)
    running = np.maximum.accumulate(sigma)
    k = np.searchsorted(running, s, side="right")
    moved = np.asarray(_book_distance(ladder, quantity[k]), dtype=float)
    return v.scalar_or_array(d * ((1 + d * s) * (1 + d * moved) - 1))


@dataclass(frozen=True)
class LiquidatedShare:
    """A seeded population and how much of it one shock's cascade liquidated.

    Attributes
    ----------
    leverage_scale : float
        The factor on everyone's leverage (:func:`generate_population`).
    share : float
        Notional liquidated (fill prices) over the population's notional (both sides, at entry).
    result : CascadeResult
        The cascade.
    population : Population
        The positions it ran on.
    """

    leverage_scale: float
    share: float
    result: CascadeResult
    population: Population


def liquidated_share(
    shock: float,
    leverage_scale: float = 1.0,
    *,
    depth: float = 0.05,
    n: int = 2_000,
    price: float = 100.0,
    long_share: float = 0.6,
    seed: int = 2025,
) -> LiquidatedShare:
    """The share of open interest a shock's cascade liquidates, for one leverage scale.

    The calibration the chapter *Liquidation events* makes of the cascade model: a seeded
    population (:func:`generate_population`, ``n`` positions around ``price``, leverage
    multiplied by ``leverage_scale``) faces ``shock`` in a book that holds ``depth`` times the
    population's size within 1% of the price (:func:`~liqlib.engine.book.linear_ladder`), and
    :func:`cascade` finds where it stops. Open interest here is the notional of every position
    at entry, both sides.

    Parameters
    ----------
    shock : float
        The move as a fraction of ``price`` (see :func:`cascade`): ``-0.09`` is a 9% fall.
    leverage_scale : float
        Factor (> 0) on the population's leverage draws.
    depth : float
        The book's quantity within 1% of the price, as a multiple (> 0) of the population's size.
    n, price, long_share, seed
        The population (:func:`generate_population`).

    Returns
    -------
    LiquidatedShare

    Raises
    ------
    ValueError
        Naming the argument: a non-positive depth, scale, size or price, a bad shock or share.
    TypeError
        A non-numeric argument, named.

    References
    ----------
    CoinDesk Research, "Market Spotlight: The $19 Billion Liquidation That Shook Crypto"
    (https://www.coindesk.com/research/market-spotlight-the-19-billion-liquidation-that-shook-crypto,
    read 2026-12-03): "more than $19 billion in leveraged positions were wiped out within 24
    hours", perpetual open interest 217 billion USD before, the shares this model is fitted to.

    Examples
    --------
    A 9.3% fall, with the population's own leverage and with a third of it:

    >>> round(liquidated_share(-0.093).share, 2), round(liquidated_share(-0.093, 0.3).share, 3)
    (0.45, 0.087)
    """
    d = v.number("depth", depth, "pos")
    scale = v.number("leverage_scale", leverage_scale, "pos")
    pop = generate_population(n, price, seed=seed, long_share=long_share, leverage_scale=scale)
    result = cascade(pop, price, shock, linear_ladder(d * pop.size.sum()))
    return LiquidatedShare(scale, result.notional / float((pop.size * pop.entry_price).sum()),
                           result, pop)


def fit_leverage_scale(
    share: float, shock: float, scales: ArrayLike, **model: Any
) -> LiquidatedShare:
    """The leverage scale, of a grid, whose cascade liquidates the share closest to ``share``.

    Runs :func:`liquidated_share` at each scale of ``scales`` and keeps the run whose share of
    open interest is nearest the reported one (the first, on a tie): the one number that ties
    the illustrative population to a real day.

    Parameters
    ----------
    share : float
        The reported share of open interest liquidated, in [0, 1].
    shock : float
        The day's move as a fraction of the price (``-0.093``: a 9.3% fall).
    scales : array
        Candidate leverage scales (> 0), a non-empty 1-D grid.
    **model
        ``depth``, ``n``, ``price``, ``long_share``, ``seed`` of :func:`liquidated_share`.

    Returns
    -------
    LiquidatedShare
        The closest run; its ``leverage_scale`` is the fit.

    Raises
    ------
    ValueError
        Naming the argument: a share outside [0, 1], an empty grid or a non-positive scale.

    Examples
    --------
    10 October 2025: 19 of 217 billion USD liquidated while bitcoin fell 9.3%:

    >>> fit = fit_leverage_scale(19 / 217, -0.093, [0.2, 0.3, 0.5, 1.0])
    >>> fit.leverage_scale, round(fit.share, 3)
    (0.3, 0.087)
    """
    target = v.one("share", v.bounded("share", share, 0.0, 1.0))
    grid = v.positive("scales", scales)
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError(f"scales must be a non-empty 1-D grid, got shape {grid.shape}")
    runs = [liquidated_share(shock, float(s), **model) for s in grid]
    return runs[int(np.argmin([abs(r.share - target) for r in runs]))]
