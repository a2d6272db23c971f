"""Maintenance-margin tiers (Binance "leverage brackets", Bybit "risk limits", Hyperliquid tiers).

A tier table splits position notional into brackets ``[floor_n, floor_{n+1})``. Bracket ``n`` has a
maintenance margin rate ``mmr_n`` and a maximum leverage. Maintenance margin is

    MM(N) = N * mmr_n - cum_n        for N in bracket n,

where the **maintenance amount** ``cum_n`` (Binance "cum", Bybit "maintenance margin deduction",
Hyperliquid "maintenance deduction") is derived, never typed in, by the recursion

    cum_1 = 0,    cum_n = floor_n * (mmr_n - mmr_{n-1}) + cum_{n-1}.

The recursion is exactly what makes MM continuous at every floor, so that MM(N) equals the
progressive ("tax bracket") sum of each slice of notional times its bracket's rate. Because the
rates increase, MM is also convex and equals the maximum of the brackets' straight lines:
``MM(N) = max_n (N * mmr_n - cum_n)``; :mod:`liqlib.core.liquidation` uses that to find the tier at
the liquidation price.

References
----------
.. [1] Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts": "Maintenance
   Amount on Level 3 = 250,000 * (1% - 0.5%) + 50 USDT = 1,300 USDT".
.. [2] Binance COIN-M FAQ: "Level 5 = 50 BTC * (5% - 2.5%) + 0.56 BTC = 1.81 BTC".
.. [3] Bybit, "Margin parameters": "Maintenance Margin Deduction = Risk Limit on Tier (n-1) x
   (Difference between Maintenance Margin Rate on Tier n and Tier (n-1)) + Maintenance Margin
   Deduction on Tier (n-1)".
.. [4] Hyperliquid docs, "Margin tiers": the same recursion, with mmr_n = 1 / (2 * max leverage_n).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as v


@dataclass(frozen=True)
class Tier:
    """One bracket of a :class:`TierTable`.

    A bracket a venue's API hands out on its own (rate and maintenance amount) may leave
    ``floor``, ``cap`` and ``max_leverage`` unknown as ``nan`` and ``level`` as 0; ``mmr`` and
    ``cum`` are always needed.

    Attributes
    ----------
    level : int
        1-based bracket number, as the venues number them.
    floor, cap : float
        Notional range ``[floor, cap)``; ``cap`` is ``inf`` for the last bracket.
    mmr : float
        Maintenance margin rate (fraction).
    max_leverage : float
        Highest leverage allowed for a position whose notional lies in this bracket.
    cum : float
        Maintenance amount, derived by the recursion.

    Raises
    ------
    ArgumentTypeError
        A non-integer ``level`` or a non-numeric field.
    ValueError
        Naming the field: ``mmr`` outside (0, 1); ``cum`` not finite; ``level`` < 0; ``floor``
        < 0; ``cap`` below ``floor``; ``max_leverage`` <= 0 (``nan`` allowed where unknown).
    """

    level: int
    floor: float
    cap: float
    mmr: float
    max_leverage: float
    cum: float

    def __post_init__(self) -> None:
        v.integer("level", self.level, low=0)
        v.rate("mmr", self.mmr, allow_zero=False)
        v.as_float("cum", self.cum)
        floor = _known("floor", self.floor)
        if floor is not None and floor < 0:
            raise ValueError(f"{v.label('floor')} must be >= 0 (or nan), got {floor!r}")
        cap = _known("cap", self.cap, allow_inf=True)
        if cap is not None and floor is not None and cap < floor:
            raise ValueError(
                f"{v.label('cap')} must be >= floor={floor!r} (or nan), got {cap!r}"
            )
        lev = _known("max_leverage", self.max_leverage)
        if lev is not None and lev <= 0:
            raise ValueError(
                f"{v.label('max_leverage')} must be > 0 (or nan), got {lev!r}"
            )

    @property
    def initial_margin_rate(self) -> float:
        """Initial margin rate at maximum leverage, ``1 / max_leverage``."""
        return 1.0 / self.max_leverage

    def maintenance_margin(self, notional: ArrayLike) -> Any:
        """``notional * mmr - cum`` on this bracket's line (whatever bracket the notional is in).

        Notes
        -----
        Arrays broadcast; one bad element rejects the whole call, and the message names the
        argument and the element's flat index (wrong types raise ``TypeError``, wrong values
        ``ValueError``, both naming the argument).

        Examples
        --------
        Binance's FAQ: "Maintenance Margin of BTCUSDT = 71200.81144 (3500032.458 * 2.50% - 16300)".

        >>> Tier(6, 0, 0, 0.025, 20, 16_300).maintenance_margin(3_500_032.458)
        71200.81145
        """
        n = v.nonnegative("notional", notional)
        return v.scalar_or_array(n * self.mmr - self.cum)


def _known(name: str, value: Any, *, allow_inf: bool = False) -> float | None:
    """A scalar field that may be ``nan`` (unknown): None for nan, else the finite float."""
    x = v._convert(name, value) if not isinstance(value, float) else np.asarray(value)
    if x.ndim != 0:
        raise v.ArgumentTypeError(f"{v.label(name)} must be a single number, got shape {x.shape}")
    f = float(x)
    if math.isnan(f):
        return None
    if math.isinf(f) and not (allow_inf and f > 0):
        raise ValueError(f"{v.label(name)} must be finite (or nan), got {f!r}")
    return f


def count_at_or_below(
    thresholds: np.ndarray,
    x: ArrayLike,
    *,
    out: np.ndarray | None = None,
    hit: np.ndarray | None = None,
) -> np.ndarray:
    """How many of the ascending ``thresholds`` are <= each ``x``.

    For the short tables venues publish, comparing against each threshold and accumulating into
    an int8 count is several times faster than a binary search per element (``searchsorted``
    mispredicts its branches on unsorted input); long tables fall back to ``searchsorted``.
    ``out`` (int8, ``x``'s shape) and ``hit`` (bool, same shape) are optional scratch arrays
    reused instead of allocating; the count is returned (in ``out`` unless the table is long).
    """
    return _count(thresholds, x, np.greater_equal, "right", out, hit)


def count_at_or_above(
    thresholds: np.ndarray,
    x: ArrayLike,
    *,
    out: np.ndarray | None = None,
    hit: np.ndarray | None = None,
) -> np.ndarray:
    """How many of the ascending ``thresholds`` are >= each ``x`` (see ``count_at_or_below``)."""
    return _count(thresholds, x, np.less_equal, "left", out, hit)


def _count(
    thresholds: np.ndarray,
    x: ArrayLike,
    compare: Any,
    side: Any,
    out: np.ndarray | None = None,
    hit: np.ndarray | None = None,
) -> np.ndarray:
    if not (isinstance(thresholds, np.ndarray) and thresholds.ndim == 1):
        thresholds = v.as_float("thresholds", thresholds)
        if thresholds.ndim != 1:
            raise ValueError(
                f"{v.label('thresholds')} must be a 1-D array, got shape {thresholds.shape}"
            )
    if thresholds.size > 1 and not thresholds[-1] >= thresholds[0]:
        raise ValueError(f"{v.label('thresholds')} must be ascending")
    xa = x if isinstance(x, np.ndarray) and x.dtype == np.float64 else v.as_float("x", x)
    if thresholds.size > 64:
        below = np.searchsorted(thresholds, xa, side=side)
        return below if compare is np.greater_equal else thresholds.size - below
    if thresholds.size == 0:
        if out is None:
            return np.zeros(xa.shape, dtype=np.int8)
        out.fill(0)
        return out
    count = np.empty(xa.shape, dtype=np.int8) if out is None else out
    # The first comparison writes its 0/1 bytes straight into the count; the rest add a bool
    # buffer viewed as int8, so the add runs NumPy's int8 loop instead of a casting one.
    compare(xa, thresholds[0], out=count.view(bool))
    if thresholds.size > 1:
        if hit is None:
            hit = np.empty(count.shape, dtype=bool)
        hit8 = hit.view(np.int8)
        for t in thresholds[1:]:
            compare(xa, t, out=hit)
            np.add(count, hit8, out=count)
    return count


def maintenance_amounts(floors: ArrayLike, mmrs: ArrayLike) -> np.ndarray:
    """Maintenance amounts ``cum_n`` from floors and rates by the venues' recursion.

    Parameters
    ----------
    floors : array
        Lower bound of each bracket, starting at 0.
    mmrs : array
        Maintenance margin rate of each bracket.

    Returns
    -------
    ndarray
        ``cum`` with ``cum[0] = 0`` and ``cum[n] = floors[n] * (mmrs[n] - mmrs[n-1]) + cum[n-1]``.

    Raises
    ------
    ArgumentTypeError
        Non-numeric floors or rates.
    ValueError
        Naming the argument: empty, ragged or not 1-D input, lengths that differ, floors that do
        not start at 0 or do not strictly increase, rates outside (0, 1) or not strictly
        increasing (the recursion holds only for rising rates), non-finite elements.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    Binance BTCUSDT's first three brackets (0.4% from 0, 0.5% from 50k, 1% from 250k):

    >>> maintenance_amounts([0, 50_000, 250_000], [0.004, 0.005, 0.01]).round(6).tolist()
    [0.0, 50.0, 1300.0]
    """
    f, m = _brackets(floors, mmrs)
    steps = np.concatenate(([0.0], f[1:] * np.diff(m)))
    return np.cumsum(steps)


def _first_not_rising(name: str, arr: np.ndarray, *, strictly: bool = True) -> None:
    step = np.diff(arr)
    bad = step <= 0 if strictly else step < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0]) + 1
        what = "strictly increasing" if strictly else "non-decreasing"
        raise ValueError(
            f"{v.label(name)} must be {what} with the bracket, got {name}[{i}]="
            f"{arr[i].item()!r} after {arr[i - 1].item()!r}"
        )


def _brackets(floors: ArrayLike, mmrs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Floors and rates of a table, checked: 1-D, one of each per bracket, floors from 0 strictly
    increasing, rates in (0, 1) strictly increasing."""
    f = v.as_float("floors", floors)
    m = v.as_float("mmrs", mmrs)
    for name, arr in (("floors", f), ("mmrs", m)):
        if arr.ndim != 1:
            raise ValueError(
                f"{v.label(name)} must be a 1-D sequence (one entry per bracket), got shape "
                f"{arr.shape}"
            )
    if f.size == 0:
        raise ValueError(
            f"{v.label('floors')} must hold at least one bracket, got an empty table"
        )
    if f.size != m.size:
        raise v.ShapeError(
            f"{v.label('floors')} and {v.label('mmrs')} must have one entry per bracket, got "
            f"lengths {f.size}, {m.size}"
        )
    if f[0] != 0:
        raise ValueError(
            f"{v.label('floors')} must start at 0 (the first bracket), got floors[0]="
            f"{f[0].item()!r}"
        )
    _first_not_rising("floors", f)
    v.rate("mmrs", m, allow_zero=False)
    _first_not_rising("mmrs", m)
    return f, m


class TierTable:
    """A validated table of maintenance-margin brackets with derived maintenance amounts.

    Parameters
    ----------
    floors : sequence of float
        Lower notional bound of each bracket; must start at 0 and strictly increase.
    mmrs : sequence of float
        Maintenance margin rate per bracket, each in (0, 1), strictly increasing.
    max_leverages : sequence of float
        Maximum leverage per bracket, > 0 and non-increasing, with ``1/max_leverage > mmr`` (the
        initial margin at maximum leverage must exceed maintenance margin, or a position would open
        already liquidatable).
    name : str
        Label for display, e.g. ``"BTCUSDT"``.
    unit : str
        Unit of the notional bounds, e.g. ``"USDT"``, ``"BTC"`` (COIN-M) or ``"contracts"`` (OKX).

    Raises
    ------
    ValueError
        Naming the argument, when the table is empty, ragged, unsorted or its rates out of range.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> t = TierTable([0, 50_000, 250_000], [0.004, 0.005, 0.01], [125, 100, 50], name="BTCUSDT")
    >>> t.tier(500_000).cum
    1300.0
    >>> float(t.maintenance_margin(500_000))
    3700.0
    """

    def __init__(
        self,
        floors: Sequence[float] | ArrayLike,
        mmrs: Sequence[float] | ArrayLike,
        max_leverages: Sequence[float] | ArrayLike,
        *,
        name: str = "",
        unit: str = "",
    ) -> None:
        f = v.as_float("floors", floors).reshape(-1)
        m = v.as_float("mmrs", mmrs).reshape(-1)
        lev = v.as_float("max_leverages", max_leverages).reshape(-1)
        if f.size == 0:
            raise ValueError(
                f"{v.label('floors')} must hold at least one bracket, got an empty table"
            )
        if not (f.size == m.size == lev.size):
            raise v.ShapeError(
                "floors, mmrs and max_leverages must have one entry per bracket, got lengths "
                f"{f.size}, {m.size}, {lev.size}"
            )
        f, m = _brackets(f, m)
        v.positive("max_leverages", lev)
        if np.any(np.diff(lev) > 0):
            i = int(np.flatnonzero(np.diff(lev) > 0)[0]) + 1
            raise ValueError(
                f"max_leverages must not increase with the bracket, got max_leverages[{i}]="
                f"{lev[i].item()!r} after {lev[i - 1].item()!r}"
            )
        if np.any(m * lev >= 1):
            i = int(np.flatnonzero(m * lev >= 1)[0])
            raise ValueError(
                f"{v.label('mmrs')}[{i}]={m[i].item()!r} must be below "
                f"1/{v.label('max_leverages')}[{i}]={(1 / lev[i]).item()!r} (initial "
                "margin at maximum leverage must exceed maintenance margin)"
            )
        for label, text in (("name", name), ("unit", unit)):
            if not isinstance(text, str):
                raise v.ArgumentTypeError(f"{label} must be a string, got {text!r}")
        self.name = name
        self.unit = unit
        self.floors = f
        self.caps = np.append(f[1:], np.inf)
        self.mmrs = m
        self.max_leverages = lev
        self.cums = maintenance_amounts(f, m)
        for arr in (self.floors, self.caps, self.mmrs, self.max_leverages, self.cums):
            arr.setflags(write=False)

    @classmethod
    def flat(cls, mmr: float, max_leverage: float, *, name: str = "", unit: str = "") -> TierTable:
        """A single bracket: a flat maintenance margin rate at every size.

        Raises
        ------
        ArgumentTypeError, ValueError
            Naming ``mmr`` (a single rate in (0, 1)) or ``max_leverage`` (a single number > 0,
            with ``mmr * max_leverage < 1``).
        """
        rate = v.one("mmr", v.rate("mmr", mmr, allow_zero=False))
        lev = v.one("max_leverage", v.positive("max_leverage", max_leverage))
        with v.renamed(mmrs="mmr", max_leverages="max_leverage"):
            return cls([0.0], [rate], [lev], name=name, unit=unit)

    @classmethod
    def from_max_leverage(
        cls,
        floors: Sequence[float] | ArrayLike,
        max_leverages: Sequence[float] | ArrayLike,
        *,
        name: str = "",
        unit: str = "",
    ) -> TierTable:
        """Hyperliquid-style table: ``mmr = 1 / (2 * max_leverage)`` in every bracket.

        Notes
        -----
        Arrays broadcast; one bad element rejects the whole call, and the message names the
        argument and the element's flat index (wrong types raise ``TypeError``, wrong values
        ``ValueError``, both naming the argument).

        References
        ----------
        Hyperliquid docs, "Margin tiers": "maintenance_margin_rate(tier = n) = (Initial Margin Rate
        at Maximum leverage at tier n) / 2".

        Examples
        --------
        >>> TierTable.from_max_leverage([0], [20]).mmrs.tolist()
        [0.025]
        """
        lev = v.positive("max_leverages", max_leverages)
        return cls(floors, 0.5 / lev, lev, name=name, unit=unit)

    def __len__(self) -> int:
        return int(self.floors.size)

    def __getitem__(self, index: int) -> Tier:
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"tier index must be an integer, got {index!r}")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"tier index {index} out of range for a table of {n} brackets")
        i = index % n
        return Tier(
            level=i + 1,
            floor=float(self.floors[i]),
            cap=float(self.caps[i]),
            mmr=float(self.mmrs[i]),
            max_leverage=float(self.max_leverages[i]),
            cum=float(self.cums[i]),
        )

    def __iter__(self) -> Iterator[Tier]:
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<TierTable{label}: {len(self)} brackets>"

    def index(
        self,
        notional: ArrayLike,
        *,
        out: np.ndarray | None = None,
        hit: np.ndarray | None = None,
    ) -> Any:
        """0-based bracket index for each notional (``floor <= notional < cap``).

        Notional below 0 (which no real position has, but solvers pass through) maps to bracket 0.
        ``out``/``hit``: optional scratch arrays, as for :func:`count_at_or_below`.
        """
        return v.scalar_or_array(count_at_or_below(self.floors[1:], notional, out=out, hit=hit))

    def tier(self, notional: float) -> Tier:
        """The :class:`Tier` a scalar notional falls in."""
        return self[int(self.index(v.one("notional", v.nonnegative("notional", notional))))]

    def maintenance_margin(self, notional: ArrayLike) -> Any:
        """``MM(N) = N * mmr_n - cum_n`` with ``n`` the bracket of ``N`` (vectorized)."""
        n = v.nonnegative("notional", notional)
        i = np.asarray(self.index(n))
        return v.scalar_or_array(n * self.mmrs[i] - self.cums[i])

    def effective_mmr(self, notional: ArrayLike) -> Any:
        """Maintenance margin as a fraction of notional, ``MM(N) / N`` (> 0 notional)."""
        n = v.positive("notional", notional)
        return v.scalar_or_array(np.asarray(self.maintenance_margin(n)) / n)

    def max_leverage(self, notional: ArrayLike) -> Any:
        """Maximum leverage allowed at each notional."""
        n = v.nonnegative("notional", notional)
        return v.scalar_or_array(self.max_leverages[np.asarray(self.index(n))])

    def check_leverage(
        self,
        leverage: ArrayLike,
        notional: ArrayLike,
        *,
        scratch: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Raise ``ValueError`` naming ``leverage`` if it exceeds the bracket's maximum.

        Compared in bracket space: leverage ``L`` is allowed in the first ``count(max >= L)``
        brackets, so no per-position limit array is built. ``scratch``: optional (int8, int8,
        bool) arrays of the broadcast shape, reused instead of allocating.
        """
        lev = v.positive("leverage", leverage)
        n = v.nonnegative("notional", notional)
        v.shapes(leverage=lev, notional=n)
        self._check_validated_leverage(lev, n, scratch=scratch)

    def _check_validated_leverage(
        self,
        lev: np.ndarray,
        notional: np.ndarray,
        *,
        scratch: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        values: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`check_leverage` on arrays already validated (the solver's blocks: no second
        pass over a book it has checked). Returns the bracket index of ``notional`` (in
        ``scratch[1]`` when given), which the solver reuses as its starting bracket. ``values``:
        an optional float scratch array of the broadcast shape."""
        caps = self.max_leverages * (1 + 1e-12)  # tolerance for float noise
        allowed_buf, index_buf, hit = (None, None, None) if scratch is None else scratch
        index = np.asarray(self.index(notional, out=index_buf, hit=hit))
        if len(self) > 6:
            # Each position's cap gathered by its bracket: one gather, where counting the caps
            # at or above each leverage costs two passes per bracket.
            bad = np.greater(lev, np.take(caps, index, out=values, mode="wrap"), out=hit)
        else:
            # Leverage L is allowed in the first count(cap >= L) brackets (caps never rise).
            allowed = count_at_or_above(caps[::-1], lev, out=allowed_buf, hit=hit)
            bad = np.greater_equal(index, allowed, out=hit)
        if bad.any():
            lev_b, n_b = np.broadcast_arrays(lev, np.asarray(notional, dtype=np.float64))
            i = np.flatnonzero(bad)[0]
            limit = float(self.max_leverage(n_b.reshape(-1)[i]))
            raise ValueError(
                f"{v.label('leverage')} must be at most the bracket's max leverage {limit!r} for "
                f"that notional, got {lev_b.reshape(-1)[i].item()!r}"
            )
        return index
