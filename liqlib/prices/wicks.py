"""A wick through every venue's mark price, and the positions each trigger price liquidates.

:func:`venue_marks` runs one :class:`~liqlib.prices.paths.WickPath` through the index and each
venue's mark rule (:mod:`liqlib.prices.mark`); :func:`deepest_fall` measures how far a price fell
below the fair price; :func:`wick_population` draws a seeded population of isolated longs opened
before the wick, and :func:`wick_liquidations` says which of them each price liquidates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core._validate import FloatArray
from ..core.liquidation import liquidation_price
from .averages import FUNDING_PERIOD, HOUR, weighted_median
from .index import index_price
from .mark import (
    BINANCE_USDM_BASIS,
    BYBIT_PERP_BASIS,
    BasisWindow,
    basis_moving_average,
    breached,
    ema_basis,
    fair_price,
    hyperliquid_mark_price,
    median_mark_price,
    time_to_funding,
)
from .paths import WickPath, wick_path

#: The prices :func:`venue_marks` returns, in the order a table lists them.
TRIGGER_PRICES = ("last", "Binance", "Hyperliquid", "Bybit", "BitMEX", "index")


def _path(path: Any) -> WickPath:
    return v.instance("path", path, WickPath, "a WickPath (liqlib.prices.wick_path)")


def venue_marks(
    path: WickPath,
    *,
    funding_rate: float = 0.0001,
    hours_to_funding: float = 5.0,
    binance_basis: BasisWindow = BINANCE_USDM_BASIS,
    hyperliquid_interval: float = 3.0,
) -> dict[str, FloatArray]:
    """Every venue's mark price along a synthetic path, each from its own published rule.

    * ``"index"``: :func:`~liqlib.prices.index.index_price` of the spot sources (Binance's 5%
      outlier rule); ``"last"``: the venue's last trade;
    * ``"BitMEX"``: the fair price, index times one plus the decaying funding basis;
    * ``"Binance"``, ``"Bybit"``: the median of Price 1, Price 2 and the last price, with the
      basis averaged over ``binance_basis`` (default the USDⓈ-M rule, 30 s sampled every second)
      and Bybit's 5 minutes sampled every second;
    * ``"Hyperliquid"``: the median of the oracle (a weighted median of the spot sources) plus a
      150 s EMA of mid minus oracle updated every ``hyperliquid_interval`` seconds, the book's
      median, and other venues' weighted median.

    Parameters
    ----------
    path : WickPath
        The market (:func:`~liqlib.prices.paths.wick_path`).
    funding_rate : float
        The last funding rate, per 8 h (the same on every venue here).
    hours_to_funding : float
        Hours until the next funding at the start of the path, in ``[0, 8)``.
    binance_basis : BasisWindow
        Binance's basis window: :data:`~liqlib.prices.mark.BINANCE_USDM_BASIS` (default) or the
        COIN-M FAQ's :data:`~liqlib.prices.mark.BINANCE_COINM_BASIS`.
    hyperliquid_interval : float
        Seconds between Hyperliquid's oracle updates (about 3).

    Returns
    -------
    dict of str to ndarray
        One price series per name in :data:`TRIGGER_PRICES`, on the path's grid.

    Raises
    ------
    TypeError
        If ``path`` is not a WickPath or ``binance_basis`` not a BasisWindow.
    ValueError
        If ``hours_to_funding`` lies outside ``[0, 8)`` or a window does not fit the path's grid.

    References
    ----------
    Binance, "What Are Mark Price and Price Index" (index rules) and its announcement of
    2025-09-16 (30-second basis); BitMEX, "Fair Price Marking"; Bybit, "Mark Price Calculation
    (Perpetual)"; Hyperliquid docs, "Robust price indices".

    Examples
    --------
    >>> from liqlib.prices import wick_path
    >>> marks = venue_marks(wick_path(depth=0.08, duration=30.0, seed=7))
    >>> sorted(marks) == sorted(TRIGGER_PRICES)
    True
    >>> w = slice(300, 331)                       # the 30 seconds of the wick
    >>> bool(marks["Binance"][w].min() > marks["last"][w].min())
    True
    """
    p = _path(path)
    v.instance("binance_basis", binance_basis, BasisWindow, "a BasisWindow")
    hours = v.one("hours_to_funding", v.nonnegative("hours_to_funding", hours_to_funding))
    if hours >= FUNDING_PERIOD / HOUR:
        raise ValueError(f"hours_to_funding must lie in [0, 8), got {hours!r}")
    index = index_price(p.sources, p.weights).price
    oracle = weighted_median(p.sources, p.weights)  # Hyperliquid's oracle
    tau = time_to_funding(p.times, offset=hours * HOUR)
    binance = basis_moving_average(p.mid, index, window=binance_basis, dt=p.dt)
    bybit = basis_moving_average(p.mid, index, window=BYBIT_PERP_BASIS, dt=p.dt)
    hl_basis = ema_basis(p.mid, oracle, dt=p.dt, interval=hyperliquid_interval)
    return {
        "last": p.last,
        "index": index,
        "BitMEX": fair_price(index, funding_rate, tau),
        "Binance": median_mark_price(index, funding_rate, tau, binance, p.last).price,
        "Bybit": median_mark_price(index, funding_rate, tau, bybit, p.last).price,
        "Hyperliquid": hyperliquid_mark_price(
            oracle, hl_basis, p.bid, p.ask, p.last, p.other_mids
        ).price,
    }


def deepest_fall(prices: ArrayLike, reference: ArrayLike, window: ArrayLike | None = None) -> float:
    """Deepest fall of a price below a reference price, as a positive fraction of the reference.

    ``max(1 - prices / reference)`` over the samples where ``window`` is true (0 or negative when
    the price never falls below the reference).

    Parameters
    ----------
    prices, reference : array
        Price series on the same grid (> 0).
    window : bool array, optional
        Which samples count (default: all).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes differ or the window selects no sample.

    Examples
    --------
    >>> deepest_fall([100.0, 92.0, 99.0], [100.0, 100.0, 100.0])
    0.08
    >>> deepest_fall([100.0, 92.0, 99.0], [100.0, 100.0, 100.0], [True, False, True])
    0.01
    """
    x = v.positive("prices", prices).reshape(-1)
    ref = v.positive("reference", reference).reshape(-1)
    if x.shape != ref.shape:
        raise ValueError(
            f"prices and reference must have the same shape, got {x.shape} and {ref.shape}"
        )
    mask = np.ones(x.shape, dtype=bool) if window is None else np.asarray(window)
    if mask.dtype != np.bool_ or mask.shape != x.shape:
        raise ValueError(f"window must be a boolean array of shape {x.shape}")
    if not mask.any():
        raise ValueError("window must select at least one sample")
    return float(np.max(1.0 - x[mask] / ref[mask]))


@dataclass(frozen=True)
class WickPopulation:
    """Isolated longs opened on a venue before a wick (see :func:`wick_population`).

    Attributes
    ----------
    leverage : ndarray
        Leverage of each position.
    opened : ndarray of int
        Sample of the path at which each position was opened.
    entry : ndarray
        Entry price (the venue's last price at opening).
    notional : ndarray
        Notional at entry (quote currency).
    liquidation_price : ndarray
        Each position's liquidation price.
    """

    leverage: FloatArray
    opened: Any
    entry: FloatArray
    notional: FloatArray
    liquidation_price: FloatArray

    @property
    def distance(self) -> FloatArray:
        """Distance from entry down to the liquidation price, as a fraction of the entry."""
        return np.asarray(1.0 - self.liquidation_price / self.entry)


def wick_population(
    path: WickPath,
    n: int = 5_000,
    *,
    min_leverage: float = 2.0,
    max_leverage: float = 100.0,
    notional: float = 10_000.0,
    mmr: float = 0.005,
    seed: int | np.random.Generator = 2024,
) -> WickPopulation:
    """A seeded population of isolated longs opened in the part of the path before the wick.

    Leverage is log-uniform on ``[min_leverage, max_leverage]``; the opening sample is uniform
    before the wick starts; the notional is ``notional * exp(N(0, 1))`` (log-normal); the
    maintenance rate is flat. Liquidation prices come from :func:`liqlib.liquidation_price`.

    Parameters
    ----------
    path : WickPath
        The market; positions open at its last price.
    n : int
        Number of positions (>= 1).
    min_leverage, max_leverage : float
        Range of leverage (1 < min < max).
    notional : float
        Median notional at entry (> 0).
    mmr : float
        Maintenance margin rate (a fraction below 1 / max_leverage).
    seed : int or Generator

    Returns
    -------
    WickPopulation

    Raises
    ------
    ValueError
        Naming the argument: ``n < 1``, a leverage range that is empty or reaches 1x, a
        maintenance rate at or above the margin of the highest leverage, a wick at the start.

    Examples
    --------
    >>> from liqlib.prices import wick_path
    >>> pop = wick_population(wick_path(seed=7), n=3, seed=1)
    >>> pop.leverage.shape, bool((pop.liquidation_price < pop.entry).all())
    ((3,), True)
    """
    p = _path(path)
    count = v.integer("n", n, low=1)
    lo = v.one("min_leverage", v.positive("min_leverage", min_leverage))
    hi = v.one("max_leverage", v.positive("max_leverage", max_leverage))
    if not 1.0 < lo < hi:
        raise ValueError(
            f"leverage range must satisfy 1 < min_leverage < max_leverage, got {lo!r}, {hi!r}"
        )
    size0 = v.one("notional", v.positive("notional", notional))
    m = v.one("mmr", v.rate("mmr", mmr))
    if m >= 1.0 / hi:
        raise ValueError(f"mmr must be below 1 / max_leverage = {1.0 / hi!r}, got {m!r}")
    before = int(p.start / p.dt)
    if before < 1:
        raise ValueError("path must leave at least one sample before the wick starts")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    leverage = np.exp(rng.uniform(np.log(lo), np.log(hi), count))
    opened = rng.integers(0, before, count)
    entry = p.last[opened]
    value = size0 * np.exp(rng.normal(0.0, 1.0, count))
    liq = liquidation_price(+1, value / entry, entry, leverage=leverage, mmr=m).price
    return WickPopulation(
        leverage=leverage, opened=opened, entry=entry, notional=value, liquidation_price=liq
    )


def wick_liquidations(
    prices: Mapping[str, ArrayLike], population: WickPopulation
) -> dict[str, Any]:
    """Which positions of a population each trigger price liquidates.

    A position is liquidated when the price touches its liquidation price at or after the sample
    at which it was opened (:func:`~liqlib.prices.mark.breached`).

    Parameters
    ----------
    prices : dict of str to array
        Trigger price paths by name (for example :func:`venue_marks`).
    population : WickPopulation

    Returns
    -------
    dict of str to bool ndarray
        One mask per name, over the positions.

    Raises
    ------
    TypeError
        If ``population`` is not a WickPopulation.

    Examples
    --------
    >>> from liqlib.prices import wick_path
    >>> path = wick_path(depth=0.08, duration=30.0, seed=7)
    >>> pop = wick_population(path, n=200, seed=1)
    >>> hit = wick_liquidations(venue_marks(path), pop)
    >>> int(hit["last"].sum()) > int(hit["Bybit"].sum())
    True
    """
    pop = v.instance("population", population, WickPopulation, "a WickPopulation")
    return {
        name: breached(series, pop.liquidation_price, +1, opened=pop.opened)
        for name, series in prices.items()
    }


@dataclass(frozen=True)
class WickOutcome:
    """One wick run through every mark rule and one population (see :func:`wick_outcome`).

    Attributes
    ----------
    path : WickPath
    prices : dict of str to ndarray
        :func:`venue_marks` of the path.
    liquidated : dict of str to bool ndarray
        :func:`wick_liquidations` of the population.
    """

    path: WickPath
    prices: dict[str, FloatArray]
    liquidated: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        """Number of positions each price liquidates."""
        return {name: int(hit.sum()) for name, hit in self.liquidated.items()}


def wick_outcome(
    depth: float,
    duration: float,
    population: WickPopulation,
    *,
    seed: int = 7,
    **marks: Any,
) -> WickOutcome:
    """A V-shaped wick of given depth and duration on the venue, and the positions it liquidates.

    The path is :func:`~liqlib.prices.paths.wick_path` with ``seed``: the same seed gives the
    same market before the wick, so one population (drawn on any such path) serves every wick.

    Parameters
    ----------
    depth : float
        Fractional drop at the bottom of the wick, in ``[0, 1)``.
    duration : float
        Seconds (> 0).
    population : WickPopulation
        The positions (:func:`wick_population`), opened before the wick.
    seed : int
        Seed of the path.
    **marks
        Passed to :func:`venue_marks`.

    Returns
    -------
    WickOutcome

    Raises
    ------
    ValueError
        As :func:`~liqlib.prices.paths.wick_path` and :func:`venue_marks`.

    Examples
    --------
    >>> from liqlib.prices import wick_path
    >>> pop = wick_population(wick_path(seed=7), n=300, seed=1)
    >>> short, long = wick_outcome(0.2, 5, pop), wick_outcome(0.2, 300, pop)
    >>> short.counts["Binance"] < long.counts["Binance"]
    True
    """
    path = wick_path(depth=depth, duration=float(duration), seed=seed)
    prices = venue_marks(path, **marks)
    return WickOutcome(path=path, prices=prices, liquidated=wick_liquidations(prices, population))
