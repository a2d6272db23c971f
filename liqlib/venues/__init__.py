"""Each venue's documented formulas, in the venue's own variable names, one module per venue.

Import the module you need (``from liqlib.venues import binance``); nothing is imported here, so
``import liqlib`` stays light. Every function cites the page (URL and version date) it implements
and delegates to the core (:mod:`liqlib.core.liquidation`, :mod:`liqlib.core.tiers`) where the maths
is the same; where a venue's own sources disagree, the authoritative one is the default and the
other is a
named variant. The worked examples each venue publishes are run as data by
``tests/test_venue_vectors.py`` (``tests/data/venue_vectors/<venue>.csv``).
"""

VENUES = ("binance", "bybit", "bitmex", "okx", "dydx", "hyperliquid", "deribit")
