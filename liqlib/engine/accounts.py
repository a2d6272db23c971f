"""The engine's accounts at scale: which of them a mark can trigger, without scanning them all.

:class:`liqlib.engine.Engine` holds its accounts as arrays (one per field: side, size, entry,
collateral, ...). Scanning every account for the trigger at every step costs a dozen passes over
those arrays, and most steps liquidate nobody. A position's margin test, ``equity - maintenance
<= THRESHOLD_RTOL * notional``, fails on one side of a price only: for a long

    C + q (M - E) - (q M m_k - c_k) - tau q M <= 0  <=>  M <= (q E - C - c_k) / (q (1 - m_k - tau))

on the bracket ``k`` its notional ``q M`` falls in (``MM(N) = N m_k - c_k``, continuous across
brackets), and for a short ``M >= (C + q E + c_k) / (q (1 + m_k + tau))``. Taking the union of
those half-lines over the brackets gives each account a **trigger bound**: the highest mark at
which a long can be liquidatable, the lowest for a short. A little wider than exact (by ``1e-9``
of the prices and collateral involved, far beyond rounding), a bound never misses an account:

* :class:`TriggerIndex` sorts the longs' and shorts' bounds once, and answers "which accounts
  could this mark trigger?" with two binary searches: a quiet step (nothing near its bound) costs
  a few Python comparisons, whatever the population;
* accounts whose state changed since the index was built (:meth:`TriggerIndex.touch`), and
  accounts with open orders (whose maintenance rate depends on the orders' notional too), are
  always candidates.

The engine then tests the candidates exactly as it would have tested everyone (same arithmetic,
element by element), so the accounts it liquidates, and in what order, do not change.

:class:`ScalarTiers` is the tier table's maintenance margin for one notional in plain floats, the
same two operations as :meth:`liqlib.core.tiers.TierTable.maintenance_margin`, without an array
call per account.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.margin import THRESHOLD_RTOL
from ..core.tiers import TierTable

#: Relative widening of every trigger bound: far above the rounding of the margin test (1e-16),
#: far below any price move a step makes.
BOUND_RTOL = 1e-9


class ScalarTiers:
    """A tier table's ``MM(N) = N * mmr_k - cum_k`` for one float ``N``, as the table computes it.

    Examples
    --------
    >>> table = TierTable([0, 100_000], [0.005, 0.01], [100, 50])
    >>> fast = ScalarTiers(table).maintenance_margin(150_000.0)
    >>> fast == float(table.maintenance_margin(150_000.0))
    True
    """

    def __init__(self, table: TierTable) -> None:
        self.table = table
        self._caps = [float(f) for f in table.floors[1:]]
        self._mmrs = [float(m) for m in table.mmrs]
        self._cums = [float(c) for c in table.cums]

    def index(self, notional: float) -> int:
        """The bracket ``notional`` falls in (``floor <= notional < cap``), as
        :meth:`liqlib.core.tiers.TierTable.index`."""
        return bisect_right(self._caps, notional)

    def maintenance_margin(self, notional: float) -> float:
        k = bisect_right(self._caps, notional)  # the table's bracket: floor <= notional < cap
        return notional * self._mmrs[k] - self._cums[k]


_SCALAR_TIERS: WeakKeyDictionary[TierTable, ScalarTiers] = WeakKeyDictionary()


def _scalar_tiers_of(table: TierTable) -> ScalarTiers:
    """The :class:`ScalarTiers` of ``table``, made once per table (tables are not changed in
    place: the engine replaces its table, it does not edit it)."""
    tiers = _SCALAR_TIERS.get(table)
    if tiers is None:
        tiers = _SCALAR_TIERS[table] = ScalarTiers(table)
    return tiers


class Accounts:
    """A population as columns (structure of arrays): the engine's accounts without an object each.

    :class:`liqlib.engine.Engine` accepts this in place of a list of
    :class:`liqlib.engine.Trader` (a million accounts are a few arrays, not a million objects).

    Parameters
    ----------
    wallet_balance : array
        Deposited collateral (>= 0) of each account, quote currency.
    side : array
        +1 (long) or -1 (short) per account.
    size : array
        Position size (>= 0), base units; 0 for an account without a position.
    entry_price : array
        Average entry price (> 0).
    isolated_margin : array or None
        Margin assigned to each isolated position, in ``[0, wallet_balance]``; NaN for a cross
        account. ``None``: every account is cross.
    order_notional : array or None
        Notional (>= 0) of each account's open orders; ``None`` for none.

    Raises
    ------
    ValueError
        Naming the argument: an empty population, arrays of different lengths or not 1-d, a value
        out of range (as :class:`liqlib.engine.Trader`).

    Examples
    --------
    >>> accounts = Accounts([1_000, 500], [1, -1], [1.0, 2.0], [20_000, 20_000],
    ...                     isolated_margin=[np.nan, 400])
    >>> len(accounts), accounts.collateral.tolist(), accounts.reserve.tolist()
    (2, [1000.0, 400.0], [0.0, 100.0])
    >>> Accounts([1_000], [1], [1.0], [0.0])
    Traceback (most recent call last):
    ...
    ValueError: entry_price must be > 0, got 0.0 (first of 1 at flat index 0)
    """

    def __init__(
        self,
        wallet_balance: ArrayLike,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        isolated_margin: ArrayLike | None = None,
        order_notional: ArrayLike | None = None,
    ) -> None:
        columns = {
            "wallet_balance": v.nonnegative("wallet_balance", wallet_balance),
            "side": v.side("side", side),
            "size": v.nonnegative("size", size),
            "entry_price": v.positive("entry_price", entry_price),
        }
        n = columns["wallet_balance"].size
        margin = np.full(n, np.nan)
        if isolated_margin is not None:
            try:  # NaN (cross) is allowed here, so not v.as_float
                margin = np.asarray(isolated_margin, dtype=float)
            except (TypeError, ValueError):
                raise v.ArgumentTypeError(
                    f"isolated_margin must be an array of numbers (NaN for cross), got "
                    f"{isolated_margin!r}") from None
        orders = (np.zeros(n) if order_notional is None
                  else v.nonnegative("order_notional", order_notional))
        columns.update(isolated_margin=margin, order_notional=orders)
        for name, column in columns.items():
            if column.ndim != 1 or column.size != n:
                raise ValueError(f"{name} must be a 1-d array of one entry per account "
                                 f"(wallet_balance has {n}), got shape {column.shape}")
        if n == 0:
            raise ValueError("wallet_balance must hold at least one account, got none")
        wallet = columns["wallet_balance"]
        isolated = ~np.isnan(margin)
        bad = isolated & ~((margin >= 0) & (margin <= wallet))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(f"isolated_margin must be in [0, wallet_balance] (NaN for cross), "
                             f"got {margin[k]!r} at index {k} (wallet_balance {wallet[k]!r})")
        self.wallet_balance = wallet
        self.side = columns["side"]
        self.size = columns["size"]
        self.entry_price = columns["entry_price"]
        self.isolated_margin = margin
        self.order_notional = orders
        #: collateral backing each position (cross: the wallet; isolated: the position's margin)
        self.collateral = np.where(isolated, margin, wallet)
        #: the rest of each wallet, out of the position's reach (isolated accounts only)
        self.reserve = wallet - self.collateral

    @classmethod
    def from_traders(cls, traders: Sequence[Any]) -> Accounts:
        """The columns of a list of :class:`liqlib.engine.Trader` (already checked)."""
        def column(values: Iterable[float]) -> np.ndarray:
            return np.fromiter(values, dtype=float, count=len(traders))

        return cls(
            column(float(t.wallet_balance) for t in traders),
            column(float(t.side) for t in traders),
            column(float(t.size) for t in traders),
            column(float(t.entry_price) for t in traders),
            isolated_margin=column(np.nan if t.isolated_margin is None
                                   else float(t.isolated_margin) for t in traders),
            # summed as Python sums them, so the engine's figures do not move
            order_notional=column(sum(o.notional for o in t.orders) for t in traders),
        )

    def __len__(self) -> int:
        return int(self.size.size)


def trigger_bounds(
    side: np.ndarray, size: np.ndarray, entry: np.ndarray, collateral: np.ndarray,
    table: TierTable,
) -> np.ndarray:
    """Each position's trigger bound: the highest mark a long, the lowest a short, is liquidatable.

    ``-inf`` for a long (``+inf`` for a short) that no positive mark can liquidate; ``+inf`` for a
    long (``-inf`` for a short) whose bound cannot be solved for (a maintenance rate at or above
    100%): always a candidate. Accounts without a position get ``nan`` (never a candidate).

    Examples
    --------
    A 10x long of 1 at 100 with a flat 0.5% rate is liquidatable at or below 90 / 0.995:

    >>> table = TierTable([0], [0.005], [100])
    >>> b = trigger_bounds(np.array([1.0]), np.array([1.0]), np.array([100.0]),
    ...                    np.array([10.0]), table)
    >>> bool(90 / 0.995 < b[0] < 90 / 0.995 * (1 + 1e-8))
    True
    """
    q = np.where(size > 0, size, 1.0)
    long_ = side > 0
    floors = np.asarray(table.floors, dtype=float)
    caps = np.append(floors[1:], np.inf)
    mmrs, cums = np.asarray(table.mmrs, dtype=float), np.asarray(table.cums, dtype=float)
    tau = THRESHOLD_RTOL
    best = np.where(long_, -np.inf, np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for lo, hi, m, c in zip(floors, caps, mmrs, cums, strict=True):
            # the half-line of marks the test fails on, were the notional in this bracket, cut to
            # the marks whose notional is in it (widened: a bracket's edge is itself rounded)
            lo_mark = lo / q * (1 - BOUND_RTOL)
            hi_mark = hi / q * (1 + BOUND_RTOL)
            long_root = (q * entry - collateral - c) / (q * (1.0 - m - tau))
            short_root = (collateral + q * entry + c) / (q * (1.0 + m + tau))
            if 1.0 - m - tau <= 0:
                long_root = np.full_like(q, np.inf)
            long_hit = np.where(long_root >= lo_mark, np.minimum(long_root, hi_mark), -np.inf)
            short_hit = np.where(short_root <= hi_mark, np.maximum(short_root, lo_mark), np.inf)
            best = np.where(long_, np.maximum(best, long_hit), np.minimum(best, short_hit))
        # widen by far more than the test's rounding, in price terms (its terms over the size)
        margin = BOUND_RTOL * (np.abs(collateral) / q + entry + float(cums.max()) / q
                               + np.where(np.isfinite(best), np.abs(best), 0.0))
        bound = np.where(long_, best + margin, best - margin)
    return np.where(size > 0, bound, np.nan)


class TriggerIndex:
    """The accounts a mark could trigger: sorted trigger bounds, kept current as accounts change.

    Built once from the engine's account arrays (it keeps references and reads them again): the
    longs' and shorts' bounds sorted. An account the engine changes (:meth:`touch`) is a
    candidate at once; at :meth:`refresh` (the start of the next step) its sorted entry is
    retired and its bound recomputed into a small **patch**, so that steps go quiet again as soon
    as the mark is clear of every current bound. Accounts with open orders are always tested.

    Parameters
    ----------
    side, size, entry, collateral, order_notional : ndarray
        The engine's account arrays (changed in place by the engine).
    exempt : ndarray of bool
        Accounts never liquidated (the backstop vault).
    table : TierTable

    Examples
    --------
    >>> table = TierTable([0], [0.005], [100])
    >>> side, size = np.array([1.0, -1.0]), np.array([1.0, 1.0])
    >>> entry, collateral = np.array([100.0, 100.0]), np.array([10.0, 10.0])
    >>> index = TriggerIndex(side, size, entry, collateral, np.zeros(2),
    ...                      np.zeros(2, dtype=bool), table)
    >>> index.quiet(100.0), index.candidates(90.0).tolist(), index.candidates(110.0).tolist()
    (True, [0], [1])
    >>> collateral[1] = 1.0; index.touch([1]); index.quiet(100.0)
    False
    >>> index.refresh(); index.quiet(100.0), index.candidates(101.0).tolist()
    (True, [1])
    """

    def __init__(
        self, side: np.ndarray, size: np.ndarray, entry: np.ndarray, collateral: np.ndarray,
        order_notional: np.ndarray, exempt: np.ndarray, table: TierTable,
    ) -> None:
        self._arrays = (side, size, entry, collateral, order_notional, exempt)
        self.table = table
        open_ = (size > 0) & ~exempt
        plain = open_ & (order_notional == 0)
        bound = trigger_bounds(side, size, entry, collateral, table)
        longs = np.flatnonzero(plain & (side > 0))
        shorts = np.flatnonzero(plain & (side < 0))
        order = np.argsort(bound[longs], kind="stable")
        self._long_idx, self._long_bound = longs[order], bound[longs][order]
        order = np.argsort(bound[shorts], kind="stable")
        self._short_idx, self._short_bound = shorts[order], bound[shorts][order]
        #: accounts with open orders: their rate depends on the orders too, so always tested
        self._always = set(np.flatnonzero(open_ & (order_notional > 0)).tolist())
        self._retired = np.zeros(size.size, dtype=bool)  # sorted entry no longer current
        self._top = self._long_idx.size  # sorted longs [0, top) may be current
        self._bottom = 0  # sorted shorts [bottom, end) may be current
        # refreshed bounds of changed accounts, and the highest (longs) and lowest (shorts)
        self._patch_longs: dict[int, float] = {}
        self._patch_shorts: dict[int, float] = {}
        self._patch_long, self._patch_short = -np.inf, np.inf
        self._pending: set[int] = set()  # changed since the last refresh
        self._always_idx = np.array(sorted(self._always), dtype=np.intp)
        # how far every long bound may have risen (short bound fallen) since the build: what a
        # funding payment taken from a whole side moves (:meth:`loosen`)
        self.long_shift, self.short_shift = 0.0, 0.0
        mmrs = np.asarray(table.mmrs, dtype=float)
        self._long_slope = 1.0 - float(mmrs.max()) - THRESHOLD_RTOL
        self._short_slope = 1.0 + float(mmrs.min()) + THRESHOLD_RTOL

    @property
    def n_touched(self) -> int:
        """Accounts changed since the index was built (patched or pending)."""
        return len(self._patch_longs) + len(self._patch_shorts) + len(self._pending)

    def touch(self, accounts: Iterable[int]) -> None:
        """Mark accounts whose position, collateral or orders changed: candidates until the next
        :meth:`refresh` recomputes their bounds."""
        self._pending.update(accounts)

    def refresh(self) -> None:
        """Recompute the bounds of the accounts changed since the last refresh."""
        if not self._pending:
            return
        idx = np.array(sorted(self._pending), dtype=np.intp)
        self._pending.clear()
        self._retired[idx] = True
        side, size, entry, collateral, orders, exempt = (a[idx] for a in self._arrays)
        bound = trigger_bounds(side, size, entry, collateral, self.table)
        for i, b, s, q, o, x in zip(idx.tolist(), bound.tolist(), side.tolist(), size.tolist(),
                                    orders.tolist(), exempt.tolist(), strict=True):
            self._patch_longs.pop(i, None)
            self._patch_shorts.pop(i, None)
            self._always.discard(i)
            if q > 0 and not x:
                if o > 0:
                    self._always.add(i)
                else:
                    (self._patch_longs if s > 0 else self._patch_shorts)[i] = b
        self._always_idx = np.array(sorted(self._always), dtype=np.intp)
        self._patch_long = max(self._patch_longs.values(), default=-np.inf)
        self._patch_short = min(self._patch_shorts.values(), default=np.inf)
        # retired entries at the ends of the sorted arrays no longer bound the quiet test
        while self._top > 0 and self._retired[self._long_idx[self._top - 1]]:
            self._top -= 1
        while self._bottom < self._short_idx.size and self._retired[self._short_idx[self._bottom]]:
            self._bottom += 1

    def loosen(self, side: float, per_unit: float) -> None:
        """Every account on ``side`` (+1 longs, -1 shorts) lost at most ``per_unit`` (>= 0) of
        collateral per unit of size (a funding payment): widen that side's bounds to match.

        A long's margin test reads ``C / q + M (1 - tau) - E - MM(q M) / q <= 0``, whose left
        side rises with the mark at least at ``1 - max(mmr) - tau`` (``MM`` is continuous, its
        slope in ``M`` is ``q mmr_k``): losing ``d`` of ``C / q`` raises the highest liquidatable
        mark by at most ``d / (1 - max(mmr) - tau)`` (from 0 for a long no mark could liquidate).
        For a short the slope is at least ``1 + min(mmr) + tau``. Receiving collateral only
        shrinks the marks an account is liquidatable at, so the other side's bounds still hold.

        Examples
        --------
        >>> table = TierTable([0], [0.005], [100])
        >>> side, size = np.array([1.0]), np.array([1.0])
        >>> entry, collateral = np.array([100.0]), np.array([10.0])
        >>> index = TriggerIndex(side, size, entry, collateral, np.zeros(1),
        ...                      np.zeros(1, dtype=bool), table)
        >>> index.quiet(90.6)
        True
        >>> collateral -= 1.0; index.loosen(+1, 1.0); index.quiet(90.6)
        False
        >>> bool(89.0 / 0.995 < 90.6), index.candidates(90.6).tolist()
        (True, [0])
        """
        if not per_unit > 0:
            return
        slope = self._long_slope if side > 0 else self._short_slope
        # a rate at or above 100% has no slope: every account on the side is a candidate
        shift = per_unit / slope * (1 + BOUND_RTOL) if slope > 0 else np.inf
        if side > 0:
            # from 0: a long no positive mark could liquidate (bound -inf) may now be
            self.long_shift += shift
            self._long_bound = np.maximum(self._long_bound, 0.0)
            self._patch_longs = {i: max(b, 0.0) for i, b in self._patch_longs.items()}
            self._patch_long = max(self._patch_longs.values(), default=-np.inf)
        else:
            self.short_shift += shift

    def quiet(self, mark: float) -> bool:
        """True when no account can be liquidatable at ``mark``: no candidate at all."""
        top = self._long_bound[self._top - 1] if self._top else -np.inf
        bottom = self._short_bound[self._bottom] if self._bottom < self._short_idx.size else np.inf
        up, down = self.long_shift, self.short_shift
        return bool(
            top + up < mark < bottom - down
            and self._patch_long + up < mark < self._patch_short - down
            and not self._pending
            and not self._always
        )

    def candidates(self, mark: float) -> np.ndarray:
        """Sorted indices of every account that could be liquidatable at ``mark`` (a superset)."""
        parts = [self._always_idx]
        low, high = mark - self.long_shift, mark + self.short_shift  # see loosen
        if self._top and low <= self._long_bound[self._top - 1]:
            parts.append(self._long_idx[np.searchsorted(self._long_bound, low, side="left"):])
        if self._bottom < self._short_idx.size and high >= self._short_bound[self._bottom]:
            parts.append(self._short_idx[:np.searchsorted(self._short_bound, high, side="right")])
        if low <= self._patch_long:
            parts.append(np.array([i for i, b in self._patch_longs.items() if low <= b],
                                  dtype=np.intp))
        if high >= self._patch_short:
            parts.append(np.array([i for i, b in self._patch_shorts.items() if high >= b],
                                  dtype=np.intp))
        if self._pending:
            parts.append(np.array(sorted(self._pending), dtype=np.intp))
        if len(parts) == 1:
            return parts[0]
        return np.unique(np.concatenate(parts))


def sparse_sum(length: int, positions: np.ndarray, values: np.ndarray) -> float:
    """``numpy.sum`` of a float64 array of ``length`` zeros holding ``values`` at ``positions``.

    Bit for bit what NumPy's pairwise summation gives (blocks of 8 running sums up to 128
    elements, halves beyond), without the array: adding a zero is exact, so only the few non-zero
    entries are visited. The engine's ADL sums what it takes from each opposite position over
    the whole opposite side in account order; this gives the same total from the queue's front.

    Examples
    --------
    >>> a = np.zeros(1_000); a[[3, 500, 999]] = [0.1, 0.2, 0.3]
    >>> sparse_sum(1_000, np.array([3, 500, 999]), np.array([0.1, 0.2, 0.3])) == float(a.sum())
    True
    """
    order = np.argsort(positions, kind="stable")
    return _pairwise(length, [(int(p), float(x)) for p, x in
                              zip(positions[order], values[order], strict=True)])


def _pairwise(n: int, entries: list[tuple[int, float]]) -> float:
    if not entries:
        return 0.0
    # one value among zeros sums to itself, and two to their sum, in any order: only three or
    # more need the tree's shape (this cuts the descent to the few blocks that hold several)
    if len(entries) == 1:
        return entries[0][1]
    if len(entries) == 2:
        return entries[0][1] + entries[1][1]
    if n < 8:
        total = 0.0
        for _, x in entries:
            total += x
        return total
    if n <= 128:  # numpy's PW_BLOCKSIZE: eight running sums, then the rest one by one
        body = n - n % 8
        r = [0.0] * 8
        tail = 0.0
        rest = []
        for p, x in entries:
            if p < body:
                r[p % 8] += x
            else:
                rest.append(x)
        tail = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for x in rest:
            tail += x
        return tail
    half = n // 2
    half -= half % 8
    left = [(p, x) for p, x in entries if p < half]
    right = [(p - half, x) for p, x in entries if p >= half]
    return _pairwise(half, left) + _pairwise(n - half, right)


#: Accounts are numbered below this (the sparse Fenwick tree of :class:`AdlQueue` spans it).
_FENWICK_SPAN = 1 << 40


class AdlQueue:
    """The front of one side's ADL queue for one step, kept exact while accounts change.

    Built from the side's members (ascending account indices) and their scores: the ``k``
    highest scores (every score tied with the ``k``-th included) are sorted in queue order
    (highest first, ties by account) once; every other member scores strictly below the
    ``k``-th, the **threshold**. Accounts changed since (:meth:`touch`) are re-scored when the
    queue is read. So the members scoring at or above the threshold, clean or re-scored, are
    exactly the full queue's first entries: :meth:`front` returns them when their sizes cover
    what is to be matched, else None (the caller rebuilds with a larger ``k``).

    Parameters
    ----------
    members : ndarray of int
        The side's accounts in ascending order (open, not exempt).
    scores : ndarray
        Their ADL scores (NaN refused by the caller).
    k : int
        Size of the front to sort (>= 1).
    n_accounts : int or None
        How many accounts there are (indices below it): the span of the tree that counts who
        joined or left the side; None for any index below ``2**40``.

    Examples
    --------
    BitMEX's example ranks six longs 3, 6, 1, 4, 5, 2 with sizes 10, 10, 20, 30, 20, 10; 20
    contracts are matched from the front:

    >>> queue = AdlQueue(np.arange(6), np.array([3.0, 6, 1, 4, 5, 2]), k=2)
    >>> rescore = lambda idx: (np.ones(idx.size, dtype=bool), np.zeros(idx.size))
    >>> queue.front(rescore, np.array([10.0, 10, 20, 30, 20, 10]), 20).tolist()
    [1, 4]
    >>> queue.front(rescore, np.array([10.0, 10, 20, 30, 20, 10]), 40) is None
    True
    """

    def __init__(self, members: np.ndarray, scores: np.ndarray, k: int,
                 n_accounts: int | None = None) -> None:
        n = members.size
        self.k = k
        self._members = members
        if k >= n:
            front, self._threshold = np.arange(n), -np.inf
            self.complete = True
        else:
            kth = float(scores[np.argpartition(-scores, k - 1)[k - 1]])
            front, self._threshold = np.flatnonzero(scores >= kth), kth
            self.complete = False
        order = np.lexsort((front, -scores[front]))  # highest score first, ties by account
        # the front as a list of (score, -account) in ascending order: the queue's order
        # reversed (ties by account), its head last. A re-scored member is removed and put back
        # by bisection; the ADL matches change the head, at the list's end, so the list moves
        # little whatever its length
        ranked = front[order][::-1]
        self._keys: list[tuple[float, int]] = list(zip(scores[ranked].tolist(),
                                                       (-members[ranked]).tolist(), strict=True))
        self._key_of = {-key[1]: key for key in self._keys}
        self._touched: set[int] = set()
        self._delta: dict[int, int] = {}  # +1 joined the side since the build, -1 left
        # the same deltas as a sparse Fenwick tree over account indices: how many joined minus
        # left below an account in O(log n), however many moved in a busy step
        self._span = _FENWICK_SPAN if n_accounts is None else max(int(n_accounts), 1)
        self._moved: dict[int, int] = {}
        self._moved_total = 0

    def touch(self, i: int) -> None:
        """Account ``i`` changed (size, side, collateral): its score must be recomputed."""
        self._touched.add(i)

    def front(
        self, rescore: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], sizes: np.ndarray,
        needed: float,
    ) -> np.ndarray | None:
        """Accounts in queue order, the shortest prefix of the whole queue whose sizes cover
        ``needed`` (the whole queue if it cannot); None if the sorted front is too short.

        ``rescore(idx)`` returns, for changed accounts ``idx``, whether each is still a member
        and its score now; ``sizes`` are every account's sizes. The sizes are summed one by one
        in queue order, as ``numpy.cumsum`` sums them, so allocating down the prefix gives
        what allocating down the whole queue gives (nothing beyond the prefix).
        """
        self._refresh(rescore)
        total, prefix = 0.0, []
        for _, neg_account in reversed(self._keys):
            prefix.append(-neg_account)
            total += sizes.item(-neg_account)
            if total >= needed:
                return np.array(prefix, dtype=np.intp)
        if self.complete:
            return np.array(prefix, dtype=np.intp)
        return None

    def _refresh(self, rescore: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> None:
        """Re-score the accounts changed since the last read and put them in their place."""
        if not self._touched:
            return
        changed = np.array(sorted(self._touched), dtype=np.intp)
        self._touched.clear()
        member, scores = rescore(changed)
        members = self._members
        # who joined or left the side since the build (for positions)
        if members.size:
            was = members[np.minimum(members.searchsorted(changed), members.size - 1)] == changed
        else:
            was = np.zeros(changed.size, dtype=bool)
        is_member, was_member = member.tolist(), was.tolist()
        if not (any(is_member) or any(was_member)):
            return  # none of them is or was on this side (the liquidated accounts, usually)
        keys, key_of, span, threshold = self._keys, self._key_of, self._span, self._threshold
        for c, now, before, score in zip(changed.tolist(), is_member, was_member,
                                         scores.tolist(), strict=True):
            d = now - before
            step = d - self._delta.get(c, 0)
            if d:
                self._delta[c] = d
            else:
                self._delta.pop(c, None)  # back where it was at the build
            if step:
                self._moved_total += step
                k = c + 1
                while k <= span:
                    self._moved[k] = self._moved.get(k, 0) + step
                    k += k & -k
            old = key_of.pop(c, None)
            if old is not None:
                del keys[bisect_left(keys, old)]
            if now and score >= threshold:  # below it, a member's place is unknown
                key = (score, -c)
                insort(keys, key)
                key_of[c] = key

    def positions(
        self, accounts: np.ndarray, rescore: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[int, np.ndarray]:
        """How many members the side has now, and each of ``accounts``' place among them (in
        ascending account order), counting members that left or joined since the build."""
        self._refresh(rescore)
        place = np.searchsorted(self._members, accounts)
        if not self._moved_total and not self._moved:
            return self._members.size, place
        below = []
        for a in accounts.tolist():
            total, k = 0, a  # moves at accounts < a
            while k > 0:
                total += self._moved.get(k, 0)
                k -= k & -k
            below.append(total)
        return self._members.size + self._moved_total, place + np.array(below, dtype=place.dtype)


__all__ = [
    "BOUND_RTOL", "Accounts", "AdlQueue", "ScalarTiers", "TriggerIndex", "sparse_sum",
    "trigger_bounds",
]
