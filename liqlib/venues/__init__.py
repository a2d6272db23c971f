"""Each venue's documented formulas, one module per venue, behind one interface and a registry.

The venue modules (``from liqlib.venues import binance``) keep each venue's formulas in the venue's
own variable names, each citing the page (URL and read date) it implements and delegating to the
core (:mod:`liqlib.core.liquidation`, :mod:`liqlib.core.tiers`) where the maths is the same; where
a venue's own sources disagree, the authoritative one is the default and the other a named
variant. The worked examples each venue publishes are run as data by
``tests/test_venue_vectors.py`` (``tests/data/venue_vectors/<venue>.csv``).

On top of them, :func:`get` returns an adapter offering the :class:`Venue` protocol (the same
entry points, argument names, units and result types for every venue; see
``liqlib.venues.interface``), and :data:`VENUES` is the registry of their names and classes.
:data:`SOURCES` lists every page each venue module cites, as data. :func:`compare_venues` puts one
position through several venues' rules, :func:`convention_candidates` a screen's number through
the usual conventions (``liqlib.venues.comparison``), and :func:`mechanics_table` is the engine's
table of liquidation mechanics with each venue's own trigger (``liqlib.venues.mechanics``).
Nothing heavy is imported here, so ``import liqlib.venues`` stays light: the venue modules load on
first use.

Examples
--------
>>> from liqlib import venues
>>> list(venues.VENUES)
['binance', 'bybit', 'bitmex', 'okx', 'dydx', 'hyperliquid', 'deribit', 'gmx', 'synthetix']
>>> venues.get("bybit").liquidation_price(-1, 1, 20_000, leverage=50).price
20300.0
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from .comparison import (
    Candidate,
    compare_venues,
    convention_candidates,
    max_leverages,
    rank_candidates,
    venue_size,
)
from .interface import BelowMaintenanceError, LeverageError, Venue, VenueBase
from .mechanics import TRIGGERS, mechanics_table
from .sources import SOURCES, Source, sources

__all__ = [
    "SOURCES",
    "TRIGGERS",
    "VENUES",
    "BelowMaintenanceError",
    "Candidate",
    "LeverageError",
    "Source",
    "Venue",
    "VenueBase",
    "compare_venues",
    "convention_candidates",
    "get",
    "max_leverages",
    "mechanics_table",
    "rank_candidates",
    "sources",
    "venue_size",
]

#: Adapter class of each venue (in :mod:`liqlib.venues.adapters`), in the book's order.
_CLASSES = {
    "binance": "Binance",
    "bybit": "Bybit",
    "bitmex": "BitMEX",
    "okx": "OKX",
    "dydx": "DYDX",
    "hyperliquid": "Hyperliquid",
    "deribit": "Deribit",
    "gmx": "GMX",
    "synthetix": "Synthetix",
}


class _Registry(Mapping[str, type]):
    """Venue name -> adapter class; iterating gives the names; classes load on first access."""

    def __getitem__(self, name: str) -> type:
        if name not in _CLASSES:
            raise KeyError(name)
        adapters = importlib.import_module(".adapters", __name__)
        cls: type = getattr(adapters, _CLASSES[name])
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(_CLASSES)

    def __len__(self) -> int:
        return len(_CLASSES)

    def __repr__(self) -> str:
        return f"VENUES({', '.join(_CLASSES)})"


#: The registry: ``VENUES["bybit"]`` is the adapter class, ``list(VENUES)`` the names.
VENUES: Mapping[str, type] = _Registry()


def get(name: str, **rules: Any) -> Venue:
    """The adapter of venue ``name`` with its rules (each venue's published defaults if none).

    Parameters
    ----------
    name : str
        One of :data:`VENUES`.
    **rules
        The adapter's keyword arguments (``mmr``, ``tiers``, ``taker_fee_rate``, ``kind``,
        ``contract_size``, ...; see each class in ``liqlib.venues.adapters``).

    Returns
    -------
    Venue

    Raises
    ------
    ValueError
        Unknown ``name``, or rules the venue's adapter refuses (named).
    TypeError
        A rule the venue does not take.

    Examples
    --------
    >>> get("okx", taker_fee_rate=0.0002).rules()["taker_fee_rate"]
    0.0002
    """
    if not isinstance(name, str) or name not in _CLASSES:
        raise ValueError(f"name must be one of {', '.join(_CLASSES)}, got {name!r}")
    venue: Venue = VENUES[name](**rules)
    return venue
