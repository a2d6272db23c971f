"""The liquidation mechanics table with each venue's own trigger.

The engine's :func:`liqlib.engine.mechanics_table` describes every stage from the venue presets
the engine applies (order, limit, fee, fund, ADL, backstop). The engine steps accounts along one
price path and tests equity against maintenance margin there, so its trigger cell is the same for
every venue. The venues do not agree on that sentence: which price, which margin, what is added to
the requirement. :data:`TRIGGERS` says it for each venue from its module's documented rule, and
:func:`mechanics_table` puts it in the table's trigger row.

Examples
--------
>>> from liqlib.venues import mechanics_table
>>> [r["rule"] for r in mechanics_table(("dydx",)) if r["stage"] == "trigger"]
['total net collateral < total maintenance margin, at the oracle price (no mark price)']
"""

from __future__ import annotations

from typing import Any

__all__ = ["TRIGGERS", "mechanics_table"]

#: Each venue's liquidation trigger in words, from the rule its module implements (and cites):
#: :func:`liqlib.venues.binance.liquidation_price`, :func:`liqlib.venues.bybit.liquidation_price`,
#: :func:`liqlib.venues.bitmex.liquidation_price`, :func:`liqlib.venues.okx.liquidation_price`,
#: :func:`liqlib.venues.hyperliquid.liquidation_price`, :func:`liqlib.venues.dydx.is_liquidatable`,
#: :func:`liqlib.venues.deribit.futures_liquidation_price`,
#: :func:`liqlib.venues.gmx.is_position_liquidatable` and
#: :func:`liqlib.venues.synthetix.is_eligible_for_liquidation`.
TRIGGERS: dict[str, str] = {
    "binance": "margin balance <= maintenance margin (bracket at the notional), at the mark price",
    "bybit": "equity <= maintenance margin, at the mark price",
    "bitmex": "equity <= maintenance margin plus the taker fee and the funding due, at the fair "
              "(mark) price",
    "okx": "equity <= maintenance margin plus the liquidation fee (margin ratio 100%), at the "
           "mark price",
    "hyperliquid": "equity < maintenance margin (half the initial margin at maximum leverage), "
                   "at the mark price",
    "dydx": "total net collateral < total maintenance margin, at the oracle price (no mark "
            "price)",
    "deribit": "equity <= maintenance margin (its rate grows with the size), at the mark price",
    "gmx": "collateral + PnL - closing fees below max(1% of the size in USD at entry, 1 USD) or "
           "<= 0, at the oracle price, when a GMX keeper checks",
    "synthetix": "available margin < skew-scaled maintenance margin + the keeper's reward, at "
                 "the oracle price, when anyone calls liquidate",
}


def mechanics_table(venues: tuple[str, ...] | None = None) -> list[dict[str, str]]:
    """The venues' liquidation mechanics, one row per venue and stage, each with its source.

    :func:`liqlib.engine.mechanics_table` with the trigger row of each venue replaced by its own
    (:data:`TRIGGERS`); every other row is the engine preset's, so it cannot drift from what the
    engine applies.

    Parameters
    ----------
    venues : tuple of str or None
        Venue names (keys of :data:`liqlib.engine.VENUE_RULES`); ``None`` for all of them.

    Returns
    -------
    list of dict
        Rows with keys ``venue``, ``stage``, ``rule`` and ``source`` (the page the rule is read
        from, read 2026-12-03).

    Raises
    ------
    ValueError
        For a venue without a preset.

    References
    ----------
    The sources of :data:`liqlib.engine.VENUE_SOURCES` (``"trigger"`` for the trigger row).

    Examples
    --------
    >>> rows = {r["venue"]: r["rule"] for r in mechanics_table(("gmx", "binance"))
    ...         if r["stage"] == "trigger"}
    >>> rows["gmx"].endswith("at the oracle price, when a GMX keeper checks")
    True
    >>> rows["binance"].endswith("at the mark price")
    True
    """
    from ..engine.policies import mechanics_table as engine_table

    rows: list[dict[str, Any]] = engine_table(venues)
    for row in rows:
        if row["stage"] == "trigger":
            row["rule"] = TRIGGERS[row["venue"]]
    return rows
