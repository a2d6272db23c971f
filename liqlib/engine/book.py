"""Order-book depth and market-order execution: what a liquidation order actually fills at.

A **ladder** is one side of a book seen from the mid price: how much quantity rests within a
given fractional distance ``x = |price - mid| / mid``. Everything here works in that distance,
so one ladder describes the bids (prices ``mid * (1 - x)``) and the asks (``mid * (1 + x)``):

* :class:`PowerLawLadder`: cumulative depth
  ``D(x) = depth * ((x - half_spread) / reference)**alpha`` beyond the half spread.
  ``alpha = 1`` is a **flat** book (the same quantity at every price, so a market order's
  impact is linear in its size, Kyle's lambda [1]_); ``alpha = 2`` is a book whose density
  grows **linearly** with distance, which makes impact grow as the square root of size, the
  empirical law [2]_ [3]_; other values interpolate.
* :class:`LevelLadder`: explicit price levels (as a venue's order-book snapshot lists them).

Each ladder gives the marginal distance ``x(q)`` at cumulative quantity ``q`` (the price of the
``q``-th unit sold) and its integral ``A(q) = ∫_0^q x(u) du``; a market order for ``Q`` that
starts where earlier orders stopped (``consumed = c``) fills at the volume-weighted distance
``(A(c + Q) - A(c)) / Q``. :class:`ResilientBook` refills consumed depth exponentially with a
half-life, the transient-impact model of Obizhaeva and Wang [4]_.

References
----------
.. [1] Kyle, A. S. (1985). Continuous auctions and insider trading. *Econometrica* 53(6).
.. [2] Tóth, B. et al. (2011). Anomalous price impact and the critical nature of liquidity in
   financial markets. *Physical Review X* 1, 021006 (arXiv:1105.1694).
.. [3] Donier, J., Bonart, J. (2015). A million metaorder analysis of market impact on the
   Bitcoin. *Market Microstructure and Liquidity* (arXiv:1412.4503).
.. [4] Obizhaeva, A. A., Wang, J. (2013). Optimal trading strategy and supply/demand dynamics.
   *Journal of Financial Markets* 16(1), 1-32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v

#: Order sides: a BUY lifts the asks (prices above mid), a SELL hits the bids (below mid).
BUY, SELL = 1, -1


class Ladder(Protocol):
    """One side of a book, in fractional distance from the mid price."""

    @property
    def capacity(self) -> float:
        """Total quantity on the ladder (``inf`` if it never runs out)."""
        ...

    def distance(self, quantity: NDArray[np.float64]) -> NDArray[np.float64]:
        """Marginal distance ``x(q)``: where the ``q``-th unit fills."""
        ...

    def area(self, quantity: NDArray[np.float64]) -> NDArray[np.float64]:
        """``A(q) = ∫_0^q x(u) du``: the distance-weighted quantity of the first ``q`` units."""
        ...

    def quantity_within(self, distance: NDArray[np.float64]) -> NDArray[np.float64]:
        """Quantity resting at or within ``distance`` of the mid (the inverse of ``distance``)."""
        ...


@dataclass(frozen=True)
class PowerLawLadder:
    """Cumulative depth ``depth * ((x - half_spread) / reference)**alpha`` beyond the half spread.

    Parameters
    ----------
    depth : float
        Quantity (> 0) resting between the touch and ``reference`` beyond it: with the default
        ``reference = 0.01``, the "1% depth" that market-data sites quote.
    alpha : float
        Shape (> 0): 1 flat (linear impact), 2 density rising linearly (square-root impact).
    half_spread : float
        Distance of the touch from mid, a fraction in [0, 1).
    reference : float
        The distance (> 0) that ``depth`` is quoted at.
    max_distance : float
        The ladder ends here (> 0). Asks may reach beyond 1 (a price more than double the mid);
        bids cannot: :func:`execute` fills a SELL no further than distance 1 (price 0), whatever
        the ladder holds beyond it.

    Examples
    --------
    A flat book with 100 BTC per 1%: selling 50 BTC fills down to 0.5% below mid and on average
    0.25% below it.

    >>> flat = PowerLawLadder(depth=100, alpha=1)
    >>> fill = execute(flat, SELL, 50, mid=60_000)
    >>> round(fill.worst_price), round(fill.vwap), round(fill.slippage_bps, 6)
    (59700, 59850, 25.0)
    """

    depth: float
    alpha: float = 1.0
    half_spread: float = 0.0
    reference: float = 0.01
    max_distance: float = 1.0

    def __post_init__(self) -> None:
        v.number("depth", self.depth, "pos")
        v.number("alpha", self.alpha, "pos")
        v.number("reference", self.reference, "pos")
        far = v.one("max_distance", v.positive_extent("max_distance", self.max_distance)[0])
        half = v.number("half_spread", self.half_spread, "nonneg")
        if not half < min(far, 1.0):
            raise ValueError(
                f"half_spread must be in [0, min(1, max_distance={far})), got {half!r}"
            )
        # the capacity depth * span**alpha must be a float: alpha=81 over a span of 6,400
        # overflowed inside `capacity`
        log_cap = math.log(self.depth) + self.alpha * math.log((far - half) / self.reference)
        if log_cap > math.log(v.DERIVED_MAX):
            raise v.DerivedRangeError(
                f"depth * ((max_distance - half_spread) / reference) ** alpha (the ladder's "
                f"capacity) must stay below {v.DERIVED_MAX!r}, got about "
                f"10**{log_cap / math.log(10):.0f} "
                f"from depth={self.depth!r}, alpha={self.alpha!r}, max_distance={far!r}"
            )

    @property
    def capacity(self) -> float:
        span = (self.max_distance - self.half_spread) / self.reference
        return float(self.depth * span**self.alpha)

    def distance(self, quantity: NDArray[np.float64]) -> NDArray[np.float64]:
        q = np.asarray(quantity, dtype=float)
        return self.half_spread + self.reference * (q / self.depth) ** (1 / self.alpha)

    def area(self, quantity: NDArray[np.float64]) -> NDArray[np.float64]:
        q = np.asarray(quantity, dtype=float)
        beyond = self.reference * (q / self.depth) ** (1 / self.alpha)
        return self.half_spread * q + q * beyond * self.alpha / (self.alpha + 1)

    def quantity_within(self, distance: NDArray[np.float64]) -> NDArray[np.float64]:
        x = np.clip(np.asarray(distance, dtype=float), self.half_spread, self.max_distance)
        return self.depth * ((x - self.half_spread) / self.reference) ** self.alpha


def flat_ladder(depth: float, half_spread: float = 0.0, reference: float = 0.01) -> PowerLawLadder:
    """A book with the same quantity at every price: impact linear in size (Kyle)."""
    return PowerLawLadder(depth, 1.0, half_spread, reference)


def linear_ladder(
    depth: float, half_spread: float = 0.0, reference: float = 0.01
) -> PowerLawLadder:
    """A book whose density rises linearly with distance: impact grows as sqrt(size)."""
    return PowerLawLadder(depth, 2.0, half_spread, reference)


@dataclass(frozen=True)
class LevelLadder:
    """Explicit levels: ``sizes[i]`` resting at fractional distance ``distances[i]`` from mid.

    Build one from a venue's snapshot with :meth:`from_prices`.

    Examples
    --------
    >>> bids = LevelLadder.from_prices([99, 98, 95], [1, 2, 5], mid=100)
    >>> fill = execute(bids, SELL, 4, mid=100)
    >>> fill.quantity, fill.vwap, fill.worst_price
    (4.0, 97.5, 95.0)
    """

    distances: NDArray[np.float64]
    sizes: NDArray[np.float64]
    _cum_size: NDArray[np.float64] = field(init=False, repr=False)
    _cum_area: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        d = v.nonnegative("distances", self.distances).reshape(-1)
        z = v.positive("sizes", self.sizes).reshape(-1)
        if d.size == 0 or d.size != z.size:
            raise ValueError(
                f"distances and sizes must be non-empty and of one length, got {d.size} and "
                f"{z.size}"
            )
        if np.any(np.diff(d) <= 0):
            raise ValueError("distances must increase strictly away from the mid price")
        object.__setattr__(self, "distances", d)
        object.__setattr__(self, "sizes", z)
        object.__setattr__(self, "_cum_size", np.concatenate([[0.0], np.cumsum(z)]))
        object.__setattr__(self, "_cum_area", np.concatenate([[0.0], np.cumsum(d * z)]))

    @classmethod
    def from_prices(cls, prices: ArrayLike, sizes: ArrayLike, mid: float) -> LevelLadder:
        """Levels from prices on one side of ``mid`` (bids below it, or asks above it)."""
        p = v.positive("prices", prices).reshape(-1)
        m = v.number("mid", mid, "pos")
        below, above = p < m, p > m
        if not (below.all() or above.all()):
            raise ValueError(f"prices must all lie on one side of mid={m}, got {p.tolist()}")
        return cls(np.abs(p - m) / m, v.positive("sizes", sizes).reshape(-1))

    @property
    def capacity(self) -> float:
        return float(self._cum_size[-1])

    def _level(self, q: NDArray[np.float64]) -> NDArray[np.intp]:
        # The q-th unit lies in the first level whose cumulative size reaches q.
        return np.clip(np.searchsorted(self._cum_size, q, side="left") - 1, 0, self.sizes.size - 1)

    def distance(self, quantity: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.distances[self._level(np.asarray(quantity, dtype=float))]

    def area(self, quantity: NDArray[np.float64]) -> NDArray[np.float64]:
        q = np.asarray(quantity, dtype=float)
        k = self._level(q)
        return self._cum_area[k] + self.distances[k] * (q - self._cum_size[k])

    def quantity_within(self, distance: NDArray[np.float64]) -> NDArray[np.float64]:
        # a level exactly at the distance counts: a limit order fills at its limit price
        x = np.asarray(distance, dtype=float)
        return self._cum_size[np.searchsorted(self.distances, x, side="right")]


@dataclass(frozen=True)
class Fill:
    """What a market order got. Fields are floats, or arrays for an array of orders.

    Attributes
    ----------
    quantity : float or ndarray
        Filled quantity (the order, or what the ladder held).
    unfilled : float or ndarray
        Quantity left when the ladder ran out.
    vwap : float or ndarray
        Volume-weighted average fill price (``nan`` where nothing filled).
    worst_price : float or ndarray
        Price of the last unit filled: where the touch now stands.
    slippage_bps : float or ndarray
        ``|vwap - mid| / mid`` in basis points (spread included).
    cost : float or ndarray
        ``quantity * |vwap - mid|`` in quote currency: what the order paid relative to mid.
    """

    quantity: Any
    unfilled: Any
    vwap: Any
    worst_price: Any
    slippage_bps: Any
    cost: Any


def execute(
    ladder: Ladder, side: int, quantity: ArrayLike, mid: ArrayLike, consumed: ArrayLike = 0.0,
    limit: ArrayLike | None = None,
) -> Fill:
    """Fill a market order of ``quantity`` (or a limit order) against ``ladder`` around ``mid``.

    A **limit** order fills like the market order but only at prices at or better than ``limit``
    (at or above it for a SELL, at or below it for a BUY); the rest is left unfilled (``unfilled``),
    as an immediate-or-cancel order leaves it. BitMEX "places a limit sell order with a limit price
    of $99 (bankruptcy price)" [5]_; Binance's liquidation orders "will be issued at the bankruptcy
    price" [6]_.

    Parameters
    ----------
    ladder : Ladder
        The side of the book the order takes: bids for a ``SELL``, asks for a ``BUY``.
    side : {BUY, SELL}
        ``+1`` (prices above mid) or ``-1`` (below).
    quantity : float or array
        Order size (>= 0) in base units.
    mid : float or array
        Mid price (> 0) the ladder is measured from.
    consumed : float or array
        Quantity (>= 0) already taken off this ladder by earlier orders that has not refilled:
        this order starts where they stopped.
    limit : float, array or None
        Limit price (> 0); ``None`` (the default) for a market order.

    Returns
    -------
    Fill

    Raises
    ------
    TypeError
        Naming the argument, for a ``ladder`` that is not a ladder, or a string, ``None`` or a
        bool where a number is expected.
    ValueError
        Naming the argument, for a side other than +1/-1, a negative quantity or consumed
        quantity, a mid or limit that is not positive, or arrays that do not broadcast. Arrays:
        one bad element rejects the call, naming its index.

    Notes
    -----
    A SELL fills no further than distance 1 from mid (price 0): on a ladder whose
    ``max_distance`` exceeds 1 the rest of the order is left ``unfilled``.

    References
    ----------
    .. [5] BitMEX, "Liquidation examples", https://testnet.bitmex.com/app/liquidationExamples
       (read 2026-12-03).
    .. [6] Binance, "Liquidation", https://binance.zendesk.com/hc/en-us/articles/360033525271
       (read 2026-12-03).

    Examples
    --------
    BitMEX's example: bids at 99.25 and 98.75 around a mid of 99.40; a sell limited at the
    bankruptcy price 99.00 takes only the first level:

    >>> bids = LevelLadder.from_prices([99.25, 98.75], [1, 1], mid=99.40)
    >>> fill = execute(bids, SELL, 2, mid=99.40, limit=99.0)
    >>> fill.quantity, fill.unfilled, round(fill.vwap, 10)
    (1.0, 1.0, 99.25)
    """
    check_ladder("ladder", ladder)
    sgn = float(v.one("side", v.side("side", side)))
    q = v.nonnegative("quantity", quantity)
    m = v.positive("mid", mid)
    c = v.nonnegative("consumed", consumed)
    v.shapes(quantity=q, mid=m, consumed=c, limit=limit)
    return _execute(ladder, sgn, q, m, c, None if limit is None else v.positive("limit", limit))


def _execute(
    ladder: Ladder, sgn: float, q: Any, m: Any, c: Any, limit: Any | None = None
) -> Fill:
    """:func:`execute` on checked arguments (the engine's own orders, checked where they form)."""
    cap: Any = ladder.capacity
    if sgn == SELL:
        # a bid below price 0 is not a price: a sell fills no further than distance 1
        cap = min(cap, float(ladder.quantity_within(np.asarray(1.0))))
    start = np.minimum(c, cap)
    if limit is not None:
        # what rests at or better than the limit: a limit beyond the mid's side fills nothing
        reach = sgn * (limit - m) / m
        available = np.where(reach >= 0, ladder.quantity_within(np.maximum(reach, 0.0)), 0.0)
        cap = np.maximum(np.minimum(available, cap), start)
    filled = np.minimum(q, cap - start)
    end = start + filled
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_distance = (ladder.area(end) - ladder.area(start)) / filled
    # The mean of a monotone x(q) lies between its ends; clipping removes the cancellation error
    # of A(end) - A(start) when the order is tiny next to what was consumed before it.
    mean_distance = np.clip(mean_distance, ladder.distance(start), ladder.distance(end))
    mean_distance = np.where(filled > 0, mean_distance, np.nan)
    return Fill(
        quantity=v.scalar_or_array(filled),
        unfilled=v.scalar_or_array(q - filled),
        vwap=v.scalar_or_array(m * (1 + sgn * mean_distance)),
        worst_price=v.scalar_or_array(m * (1 + sgn * ladder.distance(end))),
        slippage_bps=v.scalar_or_array(mean_distance * 1e4),
        cost=v.scalar_or_array(np.where(filled > 0, filled * m * mean_distance, 0.0)),
    )


def _execute_one(
    ladder: Ladder, sgn: float, q: float, m: float, c: float, limit: float | None = None
) -> tuple[float, float]:
    """``(quantity, vwap)`` of one order: :func:`_execute` on Python floats.

    The engine sends one order at a time, and NumPy's per-call overhead on 0-d arrays cost more
    than the arithmetic. On a :class:`PowerLawLadder` this runs the same IEEE operations in the
    same order (``**`` is C's ``pow`` for both), so the fills are bit for bit those of
    :func:`_execute`; any other ladder goes through :func:`_execute` itself.
    """
    if type(ladder) is not PowerLawLadder:
        fill = _execute(ladder, sgn, np.float64(q), np.float64(m), np.float64(c),
                        None if limit is None else np.float64(limit))
        return float(fill.quantity), float(fill.vwap)
    half, ref, depth, alpha = ladder.half_spread, ladder.reference, ladder.depth, ladder.alpha
    far = ladder.max_distance

    def within(x: float) -> float:
        x = min(max(x, half), far)
        return depth * ((x - half) / ref) ** alpha

    def area(quantity: float) -> float:
        beyond = ref * (quantity / depth) ** (1 / alpha)
        return half * quantity + quantity * beyond * alpha / (alpha + 1)

    cap = ladder.capacity
    if sgn == SELL:
        cap = min(cap, within(1.0))
    start = min(c, cap)
    if limit is not None:
        reach = sgn * (limit - m) / m
        available = within(max(reach, 0.0)) if reach >= 0 else 0.0
        cap = max(min(available, cap), start)
    filled = min(q, cap - start)
    if not filled > 0:
        return filled, np.nan
    end = start + filled
    mean_distance = (area(end) - area(start)) / filled
    lo = half + ref * (start / depth) ** (1 / alpha)
    hi = half + ref * (end / depth) ** (1 / alpha)
    mean_distance = min(max(mean_distance, lo), hi)
    return filled, m * (1 + sgn * mean_distance)


@dataclass
class ResilientBook:
    """A two-sided book whose consumed depth refills with a half-life (Obizhaeva-Wang).

    After an order takes ``Q`` off the bids, the next sell starts ``Q`` deeper; as time passes
    the hole refills: ``consumed(t + dt) = consumed(t) * 2**(-dt / half_life)``.
    ``half_life = inf`` never refills (impact is permanent), ``0`` refills at once.

    Examples
    --------
    >>> book = ResilientBook(flat_ladder(100), flat_ladder(100), half_life=60)
    >>> book.execute(SELL, 50, mid=100).worst_price
    99.5
    >>> book.advance(60); book.consumed_bids
    25.0
    >>> book.touch(SELL, mid=100)
    99.75
    """

    bids: Ladder
    asks: Ladder
    half_life: float
    consumed_bids: float = 0.0
    consumed_asks: float = 0.0

    def __post_init__(self) -> None:
        check_ladder("bids", self.bids)
        check_ladder("asks", self.asks)
        v.duration("half_life", self.half_life)
        v.number("consumed_bids", self.consumed_bids, "nonneg")
        v.number("consumed_asks", self.consumed_asks, "nonneg")

    def _ladder(self, side: int) -> tuple[Ladder, str]:
        sgn = int(v.one("side", v.side("side", side)))
        return (self.asks, "consumed_asks") if sgn == BUY else (self.bids, "consumed_bids")

    def execute(self, side: int, quantity: float, mid: float, limit: float | None = None) -> Fill:
        """Fill a market (or ``limit``) order and leave its hole in the book."""
        ladder, slot = self._ladder(side)
        fill = execute(ladder, side, quantity, mid, getattr(self, slot), limit)
        setattr(self, slot, getattr(self, slot) + float(fill.quantity))
        return fill

    def _take(self, side: int, quantity: float, mid: float, limit: float | None = None) -> Fill:
        """:meth:`execute` without the argument checks, for the engine's own orders."""
        ladder, slot = (self.asks, "consumed_asks") if side == BUY else (self.bids, "consumed_bids")
        fill = _execute(ladder, float(side), np.float64(quantity), np.float64(mid),
                        np.float64(getattr(self, slot)),
                        None if limit is None else np.float64(limit))
        setattr(self, slot, getattr(self, slot) + float(fill.quantity))
        return fill

    def _take_one(self, side: int, quantity: float, mid: float,
                  limit: float | None = None) -> tuple[float, float]:
        """:meth:`_take` of one order, as ``(quantity, vwap)`` floats (:func:`_execute_one`)."""
        if side == BUY:
            filled, vwap = _execute_one(self.asks, float(side), quantity, mid, self.consumed_asks,
                                        limit)
            self.consumed_asks = self.consumed_asks + filled
        else:
            filled, vwap = _execute_one(self.bids, float(side), quantity, mid, self.consumed_bids,
                                        limit)
            self.consumed_bids = self.consumed_bids + filled
        return filled, vwap

    def _touch_one(self, side: int, mid: float) -> float:
        """:meth:`touch` for the engine's own (checked) side and mid, on Python floats for a
        :class:`PowerLawLadder` (the same operations, so the same price)."""
        ladder, used = ((self.asks, self.consumed_asks) if side == BUY
                        else (self.bids, self.consumed_bids))
        if type(ladder) is not PowerLawLadder:
            return float(mid * (1 + side * ladder.distance(np.asarray(used))))
        distance = ladder.half_spread + ladder.reference * (used / ladder.depth) ** (
            1 / ladder.alpha)
        return float(mid * (1 + side * distance))

    def touch(self, side: int, mid: float) -> float:
        """The price the next unit of a ``side`` order would fill at."""
        ladder, slot = self._ladder(side)
        m = v.number("mid", mid, "pos")
        depth_used = np.asarray(getattr(self, slot))
        return float(m * (1 + int(side) * ladder.distance(depth_used)))

    def advance(self, dt: float) -> None:
        """Let ``dt`` (>= 0, same unit as ``half_life``) pass: both holes refill."""
        step = v.duration("dt", dt)
        if self.half_life == 0:
            keep = 0.0 if step > 0 else 1.0
        elif np.isinf(self.half_life):
            keep = 1.0
        else:
            keep = 2.0 ** (-step / self.half_life)  # 0 when step is inf
        self.consumed_bids *= keep
        self.consumed_asks *= keep


def check_ladder(name: str, ladder: Any) -> Any:
    """``ladder`` if it is a :class:`Ladder` (has its four members), else a TypeError naming it."""
    return v.has_methods(
        name, ladder, ("capacity", "distance", "area", "quantity_within"),
        "a Ladder (PowerLawLadder, LevelLadder or another with capacity, distance, area and "
        "quantity_within)",
    )


def flat_book(depth: float, *, half_life: float, half_spread: float = 0.0,
              reference: float = 0.01) -> ResilientBook:
    """A two-sided flat book (:func:`flat_ladder` on both sides) that refills with a half-life.

    The book the chapters and the engine's scenarios use most: the same quantity at every price
    on both sides, so impact is linear in size (Kyle), and the hole an order leaves refills
    exponentially (Obizhaeva-Wang, :class:`ResilientBook`).

    Parameters
    ----------
    depth : float
        Quantity (> 0, base units) within ``reference`` of the mid price on each side.
    half_life : float
        Time for half of a hole to refill (>= 0, the engine's time unit): ``0`` refills at once,
        ``inf`` never.
    half_spread : float
        Fractional distance (>= 0) from the mid price to the touch.
    reference : float
        Fractional distance (> 0) within which ``depth`` rests.

    Returns
    -------
    ResilientBook
        With nothing consumed on either side.

    Raises
    ------
    ValueError
        Naming the argument: a non-positive depth or reference, a negative spread, a NaN or
        negative half-life.

    References
    ----------
    A. Obizhaeva and J. Wang (2013), "Optimal trading strategy and supply/demand dynamics",
    *Journal of Financial Markets* 16(1), 1-32.

    Examples
    --------
    A sell of 50 walks half of the 1% that holds 100; a minute later, with a half-life of a
    minute, half of the hole has refilled:

    >>> book = flat_book(100, half_life=60)
    >>> book.execute(SELL, 50, mid=100).worst_price
    99.5
    >>> book.advance(60); book.touch(SELL, mid=100)
    99.75
    """
    return ResilientBook(flat_ladder(depth, half_spread, reference),
                         flat_ladder(depth, half_spread, reference), half_life=half_life)
