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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as v


@dataclass(frozen=True)
class Tier:
    """One bracket of a :class:`TierTable`.

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
    """

    level: int
    floor: float
    cap: float
    mmr: float
    max_leverage: float
    cum: float

    @property
    def initial_margin_rate(self) -> float:
        """Initial margin rate at maximum leverage, ``1 / max_leverage``."""
        return 1.0 / self.max_leverage

    def maintenance_margin(self, notional: ArrayLike) -> Any:
        """``notional * mmr - cum`` on this bracket's line (whatever bracket the notional is in).

        Examples
        --------
        Binance's FAQ: "Maintenance Margin of BTCUSDT = 71200.81144 (3500032.458 * 2.50% - 16300)".

        >>> Tier(6, 0, 0, 0.025, 20, 16_300).maintenance_margin(3_500_032.458)
        71200.81145
        """
        n = v.nonnegative("notional", notional)
        return v.scalar_or_array(n * self.mmr - self.cum)


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
    xa = np.asarray(x, dtype=np.float64)
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

    Examples
    --------
    Binance BTCUSDT's first three brackets (0.4% from 0, 0.5% from 50k, 1% from 250k):

    >>> maintenance_amounts([0, 50_000, 250_000], [0.004, 0.005, 0.01]).round(6).tolist()
    [0.0, 50.0, 1300.0]
    """
    f = np.asarray(floors, dtype=np.float64)
    m = np.asarray(mmrs, dtype=np.float64)
    steps = np.concatenate(([0.0], f[1:] * np.diff(m)))
    return np.cumsum(steps)


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
            raise ValueError("floors must hold at least one bracket, got an empty table")
        if not (f.size == m.size == lev.size):
            raise ValueError(
                "floors, mmrs and max_leverages must have one entry per bracket, got lengths "
                f"{f.size}, {m.size}, {lev.size}"
            )
        if f[0] != 0:
            raise ValueError(
                f"floors must start at 0 (the first bracket), got floors[0]={f[0].item()!r}"
            )
        if np.any(np.diff(f) <= 0):
            i = int(np.flatnonzero(np.diff(f) <= 0)[0]) + 1
            raise ValueError(
                f"floors must be strictly increasing, got floors[{i}]={f[i].item()!r} "
                f"after {f[i - 1].item()!r}"
            )
        v.rate("mmrs", m, allow_zero=False)
        if np.any(np.diff(m) <= 0):
            i = int(np.flatnonzero(np.diff(m) <= 0)[0]) + 1
            raise ValueError(
                f"mmrs must be strictly increasing with the bracket, got mmrs[{i}]={m[i].item()!r} "
                f"after {m[i - 1].item()!r}"
            )
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
                f"mmrs[{i}]={m[i].item()!r} must be below "
                f"1/max_leverages[{i}]={(1 / lev[i]).item()!r} (initial "
                "margin at maximum leverage must exceed maintenance margin)"
            )
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
        """A single bracket: a flat maintenance margin rate at every size."""
        return cls([0.0], [mmr], [max_leverage], name=name, unit=unit)

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
        return self[int(self.index(float(v.nonnegative("notional", notional))))]

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
        lev = np.asarray(leverage, dtype=np.float64)
        caps = self.max_leverages[::-1] * (1 + 1e-12)  # ascending; tolerance for float noise
        allowed_buf, index_buf, hit = (None, None, None) if scratch is None else scratch
        allowed = count_at_or_above(caps, lev, out=allowed_buf, hit=hit)
        bad = np.greater_equal(self.index(notional, out=index_buf, hit=hit), allowed, out=hit)
        if bad.any():
            lev_b, n_b = np.broadcast_arrays(lev, np.asarray(notional, dtype=np.float64))
            i = np.flatnonzero(bad)[0]
            limit = float(self.max_leverage(n_b.reshape(-1)[i]))
            raise ValueError(
                f"leverage must be at most the bracket's max leverage {limit!r} for that "
                f"notional, got {lev_b.reshape(-1)[i].item()!r}"
            )
