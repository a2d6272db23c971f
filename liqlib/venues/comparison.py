"""One position through several venues' rules, and a screen's number through the usual conventions.

Two questions the chapter *How venues differ* asks of every venue, answered here once:

* **Where does the same position liquidate at each venue?** :func:`compare_venues` takes one
  position (side, size in base units, entry price, leverage), puts it in each venue's units (a
  linear venue holds ``size`` base units; an inverse one the same notional in contracts of its
  ``contract_size`` quote units, margined in coin) and calls each venue's adapter
  (:func:`liqlib.venues.get`), so that every number is the venue's own formula. A common
  maintenance rate (``mmr``) replaces each venue's own to leave only its conventions.
* **Which convention reproduces a number a venue's screen shows?** :func:`convention_candidates`
  computes the position under every combination of the conventions in which venues differ
  (maintenance at entry or at the liquidation price; the fee in or out of the trigger, charged at
  the liquidation or the bankruptcy price; rounded to the tick or not), and :func:`rank_candidates`
  orders any candidates by their distance from the screen's number.

Examples
--------
>>> from liqlib.venues import compare_venues
>>> at = compare_venues(+1, 1.0, 100_000, leverage=20, venues=("binance", "bitmex"))
>>> {name: round(r.price, 2) for name, r in at.items()}
{'binance': 95427.14, 'bitmex': 95762.51}
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.contracts import INVERSE, notional, round_to_tick
from ..core.liquidation import LiquidationResult
from ..core.liquidation import liquidation_price as _core_liquidation_price
from .interface import Venue

__all__ = [
    "Candidate",
    "compare_venues",
    "convention_candidates",
    "max_leverages",
    "rank_candidates",
    "venue_size",
]


def venue_size(venue: Venue, size: ArrayLike, price: ArrayLike) -> Any:
    """The size, in a venue's units, of a position of ``size`` base units worth it at ``price``.

    A linear venue counts base units; an inverse venue counts contracts of its ``contract_size``
    quote units, so the same notional is ``size x price / contract_size`` contracts.

    Parameters
    ----------
    venue : Venue
        An adapter (:func:`liqlib.venues.get`).
    size : float or array
        Position size in base units (> 0).
    price : float or array
        Price at which the notional is matched, quote per base (> 0).

    Returns
    -------
    float or ndarray
        Base units (linear) or contracts (inverse).

    Raises
    ------
    TypeError
        ``venue`` is not a :class:`~liqlib.venues.interface.Venue`.
    ValueError
        A non-positive ``size`` or ``price`` (named).

    Examples
    --------
    >>> from liqlib.venues import get
    >>> venue_size(get("bitmex"), 1.0, 100_000)   # XBTUSD: 1 USD contracts
    100000.0
    >>> venue_size(get("binance"), 1.0, 100_000)
    1.0
    """
    if not isinstance(venue, Venue):
        raise TypeError(f"venue must be a Venue (liqlib.venues.get), got {type(venue).__name__}")
    q = v.positive("size", size)
    p = v.positive("price", price)
    if venue.kind is INVERSE:
        return v.scalar_or_array(q * p / venue.contract_size)
    return v.scalar_or_array(q * np.ones_like(p))


def _venue(name: str, rules: Mapping[str, Any], mmr: float | None) -> Venue:
    from . import VENUES, get  # the package's registry; loaded when first used

    if not isinstance(name, str) or name not in VENUES:
        raise ValueError(f"venues must name venues of {', '.join(VENUES)}, got {name!r}")
    given = dict(rules)
    if mmr is not None:
        if "mmr" not in inspect.signature(VENUES[name]).parameters:
            raise ValueError(
                f"mmr: {name}'s rules have no maintenance rate to replace (its margin rule is of "
                "another form); leave it out of venues or give mmr=None"
            )
        given["mmr"] = mmr
    return get(name, **given)


def _venues(
    venues: Sequence[str] | None,
    rules: Mapping[str, Mapping[str, Any]] | None,
    mmr: float | None,
) -> dict[str, Venue]:
    """Each named venue's adapter with its rules (and the common ``mmr``), checked."""
    from . import VENUES

    if isinstance(venues, str):
        raise ValueError(f"venues must be a sequence of venue names, got the string {venues!r}")
    names = tuple(VENUES) if venues is None else tuple(venues)
    given = {} if rules is None else dict(rules)
    unknown = [name for name in given if name not in VENUES]
    if unknown:
        raise ValueError(f"rules must be keyed by venues of {', '.join(VENUES)}, got {unknown}")
    if mmr is not None:
        v.rate("mmr", mmr, allow_zero=False)
    return {name: _venue(name, given.get(name, {}), mmr) for name in names}


def compare_venues(
    side: int,
    size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike,
    venues: Sequence[str] | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    mmr: float | None = None,
    check_leverage: bool = True,
) -> dict[str, LiquidationResult]:
    """The liquidation and bankruptcy price of one position under each venue's rules.

    The position is ``size`` base units entered at ``entry_price`` with ``leverage``: each venue
    holds it in its own units (:func:`venue_size`) with a posted margin of its notional over
    ``leverage`` (quote for a linear contract, coin for an inverse one), isolated.

    Parameters
    ----------
    side : {+1, -1}
        +1 long, -1 short.
    size : float or array
        Position size in base units (> 0).
    entry_price : float or array
        Entry price, quote per base (> 0).
    leverage : float or array
        Notional over posted margin at entry (> 0); an array gives each venue's prices along it.
    venues : sequence of str, optional
        Names of :data:`liqlib.venues.VENUES` (all of them if None), in the order of the result.
    rules : mapping, optional
        Venue name -> keyword arguments of its adapter (:func:`liqlib.venues.get`), e.g.
        ``{"bitmex": {"funding_rate": 0.0001}}``; a venue not named keeps its published defaults,
        and the rules of a venue not compared are not used (one mapping serves every call).
    mmr : float, optional
        One maintenance rate for every venue, replacing each venue's rate or table (and
        Hyperliquid's maximum leverage, whose rate it sets) while every other convention stays:
        the differences left are the venues' conventions. Venues whose margin rule has no rate
        (GMX, Synthetix) refuse it.
    check_leverage : bool, default True
        Refuse a leverage above a venue's maximum for the size (its table). False computes the
        prices all the same: to compare conventions at leverages a venue does not offer.

    Returns
    -------
    dict of str to LiquidationResult
        Venue name -> the venue adapter's result (``price``, ``bankruptcy_price``, ...).

    Raises
    ------
    ValueError
        An unknown venue, a rule or ``mmr`` a venue refuses, a bad side, size, price or leverage
        (named); :class:`~liqlib.venues.LeverageError` above a venue's maximum (with
        ``check_leverage``); :class:`~liqlib.venues.BelowMaintenanceError` for a margin at or
        below the maintenance margin at entry.
    TypeError
        A rule a venue's adapter does not take, or ``check_leverage`` not a bool.

    See Also
    --------
    liqlib.venues.get : one venue's adapter.

    References
    ----------
    Each venue's formula and sources: :data:`liqlib.venues.SOURCES`.

    Examples
    --------
    The chapter's long, 1 BTC at 100,000 with 20x, with each venue's own parameters and with a
    maintenance rate of 0.5% everywhere:

    >>> own = compare_venues(+1, 1.0, 100_000, leverage=20, venues=("bybit", "dydx", "deribit"))
    >>> {name: round(r.price, 2) for name, r in own.items()}
    {'bybit': 95500.0, 'dydx': 97938.14, 'deribit': 96195.43}
    >>> same = compare_venues(+1, 1.0, 100_000, leverage=20, mmr=0.005,
    ...                       venues=("binance", "dydx"))
    >>> {name: round(r.price, 2) for name, r in same.items()}
    {'binance': 95477.39, 'dydx': 95477.39}

    Along a leverage grid, beyond what dYdX offers (20x):

    >>> r = compare_venues(+1, 1.0, 100_000, leverage=[2, 100], mmr=0.005, venues=("dydx",),
    ...                    check_leverage=False)["dydx"]
    >>> r.price.round(2).tolist()
    [50251.26, 99497.49]
    """
    check = v.boolean("check_leverage", check_leverage)
    lev = v.positive("leverage", leverage)
    out: dict[str, LiquidationResult] = {}
    for name, venue in _venues(venues, rules, mmr).items():
        q = venue_size(venue, size, entry_price)
        if check:
            out[name] = venue.liquidation_price(side, q, entry_price, leverage=leverage)
        else:
            margin = np.asarray(notional(q, entry_price, venue.kind, venue.contract_size)) / lev
            out[name] = venue.liquidation_price(
                side, q, entry_price, margin=v.scalar_or_array(margin)
            )
    return out


def max_leverages(
    size: ArrayLike,
    entry_price: ArrayLike,
    *,
    venues: Sequence[str] | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The largest leverage each venue's rules allow for one position (``inf`` without a table).

    The position is the one :func:`compare_venues` takes: ``size`` base units at
    ``entry_price``, held in each venue's units (:func:`venue_size`).

    Parameters
    ----------
    size : float or array
        Position size in base units (> 0).
    entry_price : float or array
        Quote per base (> 0).
    venues, rules
        As :func:`compare_venues`.

    Returns
    -------
    dict of str to float or ndarray
        Venue name -> :meth:`Venue.max_leverage <liqlib.venues.interface.Venue.max_leverage>` of
        the position: ``inf`` where the library holds no leverage table for the venue.

    Raises
    ------
    ValueError
        An unknown venue or a rule its adapter refuses, a non-positive size or price (named).
    TypeError
        A rule a venue's adapter does not take.

    Examples
    --------
    1 BTC at 100,000: Binance's second bracket, Hyperliquid's 40x, dYdX's initial fraction of 5%,
    Deribit's initial rate for 1 BTC, and no table for BitMEX:

    >>> caps = max_leverages(1.0, 100_000, venues=("binance", "hyperliquid", "dydx", "deribit",
    ...                                            "bitmex"))
    >>> {name: round(cap, 2) for name, cap in caps.items()}
    {'binance': 100.0, 'hyperliquid': 40.0, 'dydx': 20.0, 'deribit': 49.88, 'bitmex': inf}
    """
    out: dict[str, Any] = {}
    for name, venue in _venues(venues, rules, None).items():
        out[name] = venue.max_leverage(venue_size(venue, size, entry_price), entry_price)
    return out


@dataclass(frozen=True)
class Candidate:
    """One way of computing a venue's number, and how far it lands from the screen's.

    Attributes
    ----------
    label : str
        The convention, in words (``"MM at entry, fee at bankruptcy, rounded to 0.5"``).
    price : float
        The liquidation price it gives.
    miss : float
        ``price`` minus the screen's number (quote per base).
    """

    label: str
    price: float
    miss: float


def rank_candidates(
    screen_price: float, candidates: Iterable[tuple[str, float]]
) -> list[Candidate]:
    """Candidates ``(label, price)`` for a screen's number, nearest first.

    Parameters
    ----------
    screen_price : float
        The number the venue shows (> 0).
    candidates : iterable of (str, float)
        Each way of computing it and the price it gives (> 0).

    Returns
    -------
    list of Candidate
        Sorted by ``|miss|`` (ties keep their order).

    Raises
    ------
    ValueError
        A non-positive screen price or candidate price (naming the candidate), or no candidates.
    TypeError
        A label that is not a string.

    Examples
    --------
    >>> [c.label for c in rank_candidates(100.0, [("a", 103.0), ("b", 99.5), ("c", 101.0)])]
    ['b', 'c', 'a']
    >>> rank_candidates(100.0, [("b", 99.5)])[0].miss
    -0.5
    """
    screen = v.number("screen_price", screen_price, "pos")
    rows = []
    for label, price in candidates:
        if not isinstance(label, str):
            raise TypeError(f"candidates' labels must be strings, got {type(label).__name__}")
        rows.append(Candidate(label, (p := v.number(f"price of {label!r}", price, "pos")),
                              p - screen))
    if not rows:
        raise ValueError("candidates must hold at least one (label, price)")
    return sorted(rows, key=lambda c: abs(c.miss))


def convention_candidates(
    screen_price: float,
    side: int,
    size: float,
    entry_price: float,
    *,
    collateral: float,
    mmr: float = 0.005,
    kind: str = "linear",
    contract_value: float = 1.0,
    fee_rate: float = 0.0,
    tick_size: float | None = None,
    extra: Iterable[tuple[str, float]] = (),
) -> list[Candidate]:
    """Every combination of the usual conventions for one position, nearest to the screen first.

    The conventions in which venues' liquidation prices differ, each an option of
    :func:`liqlib.liquidation_price`: maintenance margin valued at the liquidation price or at
    entry; with a fee (``fee_rate > 0``) none, or the closing fee in the trigger valued at the
    liquidation or at the bankruptcy price; and, with a ``tick_size``, each price also rounded to
    the tick away from the entry's loss side (a long's up, a short's down), as Bybit displays it.

    Parameters
    ----------
    screen_price : float
        The number the venue shows (> 0).
    side : {+1, -1}
        +1 long, -1 short.
    size : float
        Base units (linear) or contracts (inverse), > 0.
    entry_price : float
        Quote per base (> 0).
    collateral : float
        Margin posted, in the settlement currency (> 0).
    mmr : float, default 0.005
        Maintenance margin rate.
    kind : {"linear", "inverse"}
    contract_value : float, default 1.0
        Quote units per inverse contract.
    fee_rate : float, default 0.0
        Closing fee rate; 0 leaves out the fee variants.
    tick_size : float, optional
        The instrument's tick; None leaves out the rounded variants.
    extra : iterable of (str, float)
        Further candidates to rank with them (another parameter version, another contract size).

    Returns
    -------
    list of Candidate
        Nearest to ``screen_price`` first.

    Raises
    ------
    ValueError
        Bad position or rule (named by :func:`liqlib.liquidation_price`), a non-positive
        ``tick_size`` or ``screen_price``.

    References
    ----------
    The method of *How venues differ*, "Check your venue's number". Bybit, "Liquidation Price
    (Inverse Contract, Cross Margin)", https://www.bybit.com/en/help-center/article/Liquidation-
    Price-Inverse-Contract (read 2026-12-03), the example below.

    Examples
    --------
    Bybit's inverse cross example shows 5,739.50 for 10,000 contracts long at 8,000 with 0.5 BTC,
    0.5% maintenance and a 0.075% taker fee:

    >>> rows = convention_candidates(5_739.5, +1, 10_000, 8_000, collateral=0.5, kind="inverse",
    ...                              fee_rate=0.00075, tick_size=0.5)
    >>> [(c.label, c.price) for c in rows[:2]]  # doctest: +NORMALIZE_WHITESPACE
    [('MM at entry, fee at liquidation, rounded to 0.5', 5739.5),
     ('MM at entry, fee at bankruptcy, rounded to 0.5', 5739.5)]
    """
    fee = v.number("fee_rate", fee_rate, "nonneg")
    tick = None if tick_size is None else v.number("tick_size", tick_size, "pos")
    fees: list[tuple[str | None, float]] = [(None, 0.0)]
    if fee > 0:
        fees += [("liquidation", fee), ("bankruptcy", fee)]
    rows: list[tuple[str, float]] = []
    for maintenance_at in ("liquidation", "entry"):
        for fee_at, rate in fees:
            result = _core_liquidation_price(
                side, size, entry_price, collateral=collateral, mmr=mmr, kind=kind,
                contract_value=contract_value, maintenance_at=maintenance_at,
                fee_at=fee_at or "liquidation", fee_rate=rate,
            )
            label = f"MM at {maintenance_at}, " + (
                "no fee" if fee_at is None else f"fee at {fee_at}")
            rows.append((label, float(result.price)))
            if tick is not None:
                rounded = round_to_tick(result.price, tick, "up" if side > 0 else "down")
                rows.append((f"{label}, rounded to {tick:g}", float(rounded)))
    return rank_candidates(screen_price, [*rows, *extra])
