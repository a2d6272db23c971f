"""Hyperliquid (linear USDC perpetuals), in the names its docs use.

Hyperliquid's docs name ``price``, ``side`` (1 long, -1 short, the same as liqlib's), ``position_
size``, ``margin_available``, ``MAINTENANCE_LEVERAGE``, ``notional_position_value``,
``maintenance_margin_rate``, ``maintenance_deduction``, ``mark_price``, ``entry_price``,
``account_value``, ``oracle_px`` and ``impact_bid_px``/``impact_ask_px``; this module keeps them.

* **Maintenance**: maintenance leverage is twice the maximum leverage, so the maintenance margin
  rate is ``1 / (2 * max_leverage)``; margin tiers use the same deduction recursion as Binance
  (the core's :class:`liqlib.TierTable`, built by :meth:`liqlib.TierTable.from_max_leverage`).
* **Liquidation price**: ``liq_price = price - side * margin_available / position_size /
  (1 - l * side)`` with ``l = 1 / MAINTENANCE_LEVERAGE`` and ``margin_available`` measured at the
  current mark ``price``. That is the core's closed form with the position re-based at the mark
  (entry = ``price``, collateral = account value), so :func:`liquidation_price` delegates.
* **Process**: positions above 100k USDC are sent to the book 20% at a time, then a 30 s cooldown
  in which orders are for the entire position; below 2/3 of maintenance margin the liquidator vault
  takes the account over (backstop) and the maintenance margin is not returned. No clearance fee.
* **ADL**: opposite-side users in profit are sorted by ``(mark_price / entry_price) *
  (notional_position / account_value)`` and closed at the previous mark price.
* **Mark price**: the median of (oracle + 150 s EMA of mid - oracle), the median of best bid,
  best ask and last trade, and the weighted median of five CEX perp mids (weights 3, 2, 2, 1, 1).
* **Funding**: the 8 h formula ``P + clamp(I - P, -0.05%, 0.05%)`` paid hourly at one eighth,
  capped at 4%/hour, on *oracle* notional.

References
----------
.. [1] Hyperliquid Docs, "Liquidations",
   https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations (text read from the copy
   dzmbs/hyperliquid-docs, docs/trading/liquidations.md @ 14ba3d4977cf988e741103fbfbaa7b9f25f63d4b,
   read 2026-11-24).
.. [2] Hyperliquid Docs, "Margin tiers",
   https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers (same copy and commit).
.. [3] Hyperliquid Docs, "Auto-deleveraging",
   https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging (same copy).
.. [4] Hyperliquid Docs, "Robust price indices",
   https://hyperliquid.gitbook.io/hyperliquid-docs/trading/robust-price-indices (same copy).
.. [5] Hyperliquid Docs, "Funding", https://hyperliquid.gitbook.io/hyperliquid-docs/trading/funding
   (same copy).
.. [6] hyperliquid-dex/ts-examples, ``examples/LiquidationPx.tsx`` (``maxToMaintenanceLeverage =
   maxLeverage * 2``), https://github.com/hyperliquid-dex/ts-examples (read 2026-11-24); the
   divisor ``correction = 1 - floatSide / maxToMaintenanceLeverage(maxLeverage)`` is in its first
   version, commit ee4fec09ae48fb9261ec90f36b16d7f87b021678 (2024-01-16).
.. [7] hyperliquid-dex/hyperliquid-python-sdk, ``tests/cassettes/info_test/test_get_user_state.
   yaml`` (a ``clearinghouseState`` response dated 2023-03-27), at commit
   7ee976d123b1e04295e4a1e37a424ca6a13bef88 (read 2026-12-03).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.liquidation import LiquidationResult
from ..core.liquidation import liquidation_price as _core_liquidation_price
from ..core.tiers import TierTable
from ..engine import adl as _adl
from ..prices import averages as _averages
from ..prices import funding as _funding
from ..prices import mark as _mark

__all__ = [
    "BACKSTOP_FRACTION",
    "BTC_MARGIN_TIERS",
    "CEX_WEIGHTS",
    "ETH_MARGIN_TIERS",
    "FUNDING_CAP_PER_HOUR",
    "MARGIN_TIERS",
    "PARTIAL_LIQUIDATION_FRACTION",
    "PARTIAL_LIQUIDATION_THRESHOLD",
    "adl_ranking",
    "adl_sort_index",
    "backstop_threshold",
    "funding_payment",
    "funding_rate",
    "hourly_funding_rate",
    "is_backstop_liquidatable",
    "liquidation_order_size",
    "liquidation_price",
    "maintenance_leverage",
    "maintenance_margin",
    "maintenance_margin_rate",
    "margin_tiers",
    "mark_price",
    "premium",
]

#: Positions above this notional (USDC, mainnet) are liquidated 20% at a time [1]_.
PARTIAL_LIQUIDATION_THRESHOLD = 100_000.0
#: The share of the position each partial market liquidation order carries [1]_.
PARTIAL_LIQUIDATION_FRACTION = 0.2
#: Backstop (liquidator vault) when equity is below this fraction of maintenance margin [1]_.
BACKSTOP_FRACTION = 2.0 / 3.0
#: Funding cap, per hour [5]_.
FUNDING_CAP_PER_HOUR = 0.04
#: Weights of the Binance, OKX, Bybit, Gate IO and MEXC perp mids in the mark price [4]_.
CEX_WEIGHTS = (3.0, 2.0, 2.0, 1.0, 1.0)


# --- maintenance margin and tiers -----------------------------------------------------------------


def maintenance_leverage(max_leverage: ArrayLike) -> Any:
    """``MAINTENANCE_LEVERAGE = 2 * max leverage``.

    References
    ----------
    ts-examples ``maxToMaintenanceLeverage`` [6]_; [1]_: "The maintenance margin is half of the
    initial margin at max leverage".

    Examples
    --------
    >>> maintenance_leverage(40)
    80.0
    """
    return v.scalar_or_array(2.0 * v.positive("max_leverage", max_leverage))


def maintenance_margin_rate(max_leverage: ArrayLike) -> Any:
    """``maintenance_margin_rate = 1 / (2 * max leverage)``: 1.25% at 40x, 16.7% at 3x.

    Raises
    ------
    ValueError
        ``max_leverage`` below 1 (a rate of 50% or more) or not finite.

    References
    ----------
    Margin tiers [2]_: "at 20x max leverage, maintenance_margin_rate = 2.5%"; [1]_: "between 1.25%
    (for 40x max leverage assets) and 16.7% (for 3x max leverage assets)".

    Examples
    --------
    >>> maintenance_margin_rate(20), maintenance_margin_rate(40)
    (0.025, 0.0125)
    """
    lev = v.positive("max_leverage", max_leverage)
    if np.any(lev < 1):
        raise ValueError(f"max_leverage must be >= 1, got {max_leverage!r}")
    return v.scalar_or_array(1.0 / np.asarray(maintenance_leverage(lev)))


@v.renames(floors="lower_bounds")
def margin_tiers(
    lower_bounds: ArrayLike, max_leverages: ArrayLike, *, coin: str = ""
) -> TierTable:
    """A margin table: ``maintenance_margin_rate(tier n) = 1 / (2 * max leverage of tier n)``.

    Parameters
    ----------
    lower_bounds : array
        ``notional_position_lower_bound`` of each tier (USDC), from 0.
    max_leverages : array
        Max leverage per tier, non-increasing.
    coin : str

    Returns
    -------
    TierTable
        Deductions by ``maintenance_deduction(n) = maintenance_deduction(n-1) +
        notional_position_lower_bound(n) * (rate(n) - rate(n-1))``.

    Raises
    ------
    ValueError
        From :class:`liqlib.TierTable`.

    References
    ----------
    Margin tiers [2]_.

    Examples
    --------
    BTC (0-150M at 40x, above at 20x): the deduction of tier 2 is 150M * (2.5% - 1.25%):

    >>> margin_tiers([0, 150e6], [40, 20]).cums.tolist()
    [0.0, 1875000.0]
    """
    return TierTable.from_max_leverage(lower_bounds, max_leverages, name=coin, unit="USDC")


#: Mainnet tiers from [2]_ (docs copy @ 14ba3d4): BTC 0-150M 40x, >150M 20x.
BTC_MARGIN_TIERS = margin_tiers([0, 150e6], [40, 20], coin="BTC")
#: ETH 0-100M 25x, >100M 15x.
ETH_MARGIN_TIERS = margin_tiers([0, 100e6], [25, 15], coin="ETH")
#: Mainnet tables by coin (also SOL 0-70M 20x/10x and XRP 0-40M 20x/10x).
MARGIN_TIERS: dict[str, TierTable] = {
    "BTC": BTC_MARGIN_TIERS,
    "ETH": ETH_MARGIN_TIERS,
    "SOL": margin_tiers([0, 70e6], [20, 10], coin="SOL"),
    "XRP": margin_tiers([0, 40e6], [20, 10], coin="XRP"),
}


def _schedule(max_leverage: float | None, tiers: TierTable | str | None) -> float | TierTable:
    if (max_leverage is None) == (tiers is None):
        raise ValueError("give exactly one of max_leverage or tiers")
    if tiers is not None:
        if isinstance(tiers, TierTable):
            return tiers
        if isinstance(tiers, str) and tiers in MARGIN_TIERS:
            return MARGIN_TIERS[tiers]
        raise (ValueError if isinstance(tiers, str) else v.ArgumentTypeError)(
            f"tiers must be a TierTable or one of {sorted(MARGIN_TIERS)}, got {tiers!r}"
        )
    assert max_leverage is not None  # narrowed by the check above
    return v.one("max_leverage", maintenance_margin_rate(v.number("max_leverage", max_leverage,
                                                                  "pos")))


def maintenance_margin(
    notional_position_value: ArrayLike,
    *,
    max_leverage: float | None = None,
    tiers: TierTable | str | None = None,
) -> Any:
    """``maintenance_margin = notional_position_value * maintenance_margin_rate -
    maintenance_deduction``.

    Examples
    --------
    >>> maintenance_margin(200e6, tiers="BTC")        # 200M * 2.5% - 1.875M
    3125000.0
    """
    schedule = _schedule(max_leverage, tiers)
    n = v.nonnegative("notional_position_value", notional_position_value)
    if isinstance(schedule, TierTable):
        return schedule.maintenance_margin(n)
    return v.scalar_or_array(n * schedule)


# --- liquidation price ----------------------------------------------------------------------------


def liquidation_price(
    price: ArrayLike,
    side: ArrayLike,
    position_size: ArrayLike,
    margin_available: ArrayLike,
    *,
    max_leverage: float | None = None,
    tiers: TierTable | str | None = None,
    maintenance_at: str = "liquidation",
) -> LiquidationResult:
    """``liq_price = price - side * margin_available / position_size / (1 - l * side)``.

    ``l = 1 / MAINTENANCE_LEVERAGE``; ``margin_available`` is ``account_value -
    maintenance_margin_required`` (cross) or ``isolated_margin - maintenance_margin_required``
    (isolated), all at the current mark ``price``. Written as equity equal to maintenance margin
    with the position marked from ``price``, this is the core's closed form (entry = ``price``,
    collateral = ``margin_available + maintenance margin of this position at price``); with
    ``tiers`` the tier is the one of the position value *at the liquidation price*, as the docs
    require.

    Parameters
    ----------
    price : float or array
        Current mark price (> 0).
    side : +1, -1 or array
    position_size : float or array
        Absolute size (> 0), base units.
    margin_available : float or array
        USDC.
    max_leverage : float, optional
        The asset's max leverage (single tier); or ``tiers``.
    tiers : TierTable or str, optional
        A margin table or a coin in :data:`MARGIN_TIERS`.
    maintenance_at : {"liquidation", "mark"}
        ``"liquidation"`` (the docs' formula, default): the maintenance margin moves with the
        price, which is what the ``(1 - l * side)`` divisor accounts for. ``"mark"``, the named
        variant the API followed in 2023: the maintenance margin held at its value at the current
        mark, ``liq_price = price - side * margin_available / position_size`` (no divisor). It
        reproduces the five cross ``liquidationPx`` of a ``clearinghouseState`` response recorded
        on 2023-03-27 in the python SDK's test cassette [7]_ to 1e-9 relative (kept in
        ``tests/data/hyperliquid_clearinghouse_state_2023.json``); the docs' formula misses them
        by about 1%.

    Returns
    -------
    LiquidationResult
        ``price`` is ``nan`` where not positive (the example code returns null).

    Raises
    ------
    ValueError
        Values out of range, both or neither of ``max_leverage``/``tiers``.

    References
    ----------
    Liquidations [1]_; ts-examples [6]_; the 2023 response [7]_.

    Examples
    --------
    Isolated long, 1 BTC at 100,000 with 10,000 USDC of margin, max 40x (constructed, not in the
    docs): margin available 10,000 - 1,250:

    >>> round(liquidation_price(100_000, 1, 1.0, 8_750, max_leverage=40).price, 2)
    91139.24

    The 2023 response's BTC short (-0.00785 BTC worth 211.64542 USDC, account value 1,182.312496
    and total notional 3,434.815334 USDC, maintenance 1%), which the API priced at
    173,198.69592357:

    >>> margin = 1_182.312496 - 0.01 * 3_434.815334
    >>> r = liquidation_price(211.64542 / 0.00785, -1, 0.00785, margin, max_leverage=50,
    ...                       maintenance_at="mark")
    >>> round(r.price, 4)
    173198.6959
    """
    at = v.choice("maintenance_at", maintenance_at, ("liquidation", "mark"))
    schedule = _schedule(max_leverage, tiers)
    p = v.positive("price", price)
    q = v.positive("position_size", position_size)
    available = v.as_float("margin_available", margin_available)
    mm_now = np.asarray(
        schedule.maintenance_margin(q * p) if isinstance(schedule, TierTable) else q * p * schedule
    )
    # The core's words for these inputs are not the venue's: name the caller's arguments.
    with v.renamed(size="position_size", entry_price="price", collateral="margin_available"):
        return _core_liquidation_price(
            side, q, p, collateral=available + mm_now, mmr=schedule, mark_price=p,
            maintenance_at="entry" if at == "mark" else "liquidation",
        )


# --- liquidation process --------------------------------------------------------------------------


def liquidation_order_size(
    position_size: ArrayLike, mark_price: ArrayLike, *, in_cooldown: ArrayLike = False
) -> Any:
    """Size of the market liquidation order Hyperliquid sends to the book.

    "For liquidatable positions larger than 100k USDC … only 20% of the position will be sent as
    a market liquidation order to the book. After a block where any position of a user is partially
    liquidated, there is a cooldown period of 30 seconds. During this cooldown period, all market
    liquidation orders for that user will be for the entire position."

    Parameters
    ----------
    position_size : float or array
        Absolute size (> 0).
    mark_price : float or array
        (> 0)
    in_cooldown : bool or array
        Whether the user is within 30 s of a partial liquidation.

    Returns
    -------
    float or ndarray

    References
    ----------
    Liquidations [1]_ (mainnet threshold; 10k USDC on testnet).

    Examples
    --------
    >>> liquidation_order_size(2.0, 100_000), liquidation_order_size(2.0, 100_000, in_cooldown=True)
    (0.4, 2.0)
    >>> liquidation_order_size(0.5, 100_000)            # 50k notional: whole position
    0.5
    """
    q = v.positive("position_size", position_size)
    p = v.positive("mark_price", mark_price)
    cooldown = np.asarray(in_cooldown, dtype=bool)
    partial = (q * p > PARTIAL_LIQUIDATION_THRESHOLD) & ~cooldown
    return v.scalar_or_array(np.where(partial, PARTIAL_LIQUIDATION_FRACTION * q, q))


def backstop_threshold(maintenance_margin: ArrayLike) -> Any:
    """Equity below which the liquidator vault takes over: 2/3 of maintenance margin.

    Examples
    --------
    >>> backstop_threshold(300.0)
    200.0
    """
    return v.scalar_or_array(BACKSTOP_FRACTION * v.nonnegative("maintenance_margin",
                                                                 maintenance_margin))


def is_backstop_liquidatable(account_equity: ArrayLike, maintenance_margin: ArrayLike) -> Any:
    """``account_equity < 2/3 * maintenance_margin``.

    References
    ----------
    Liquidations [1]_: "If the account equity drops below 2/3 of the maintenance margin without
    successful liquidation through the book, a backstop liquidation happens through the liquidator
    vault."

    Examples
    --------
    >>> is_backstop_liquidatable([250.0, 199.0], 300.0).tolist()
    [False, True]
    """
    eq = v.as_float("account_equity", account_equity)
    return v.scalar_or_array(eq < np.asarray(backstop_threshold(maintenance_margin)))


def adl_sort_index(
    mark_price: ArrayLike,
    entry_price: ArrayLike,
    notional_position: ArrayLike,
    account_value: ArrayLike,
) -> Any:
    """The index as printed, ``(mark_price / entry_price) * (notional_position / account_value)``.

    The docs give this one expression "to determine the affected users in profit" on the side
    opposite a negative account. Applied to every account with no side adjustment it is the named
    variant ``"hyperliquid_literal"``: a losing short's ratio rises as it loses, and an account
    with no value scores ``inf``. The ranking the docs describe ("by unrealized pnl and leverage
    used") is :func:`adl_ranking`, the default. Delegates to
    :func:`liqlib.engine.adl.hyperliquid_literal_score`.

    Raises
    ------
    ValueError
        Non-positive prices, negative notional.

    References
    ----------
    Auto-deleveraging [3]_.

    Examples
    --------
    >>> adl_sort_index(110, 100, 50_000, 10_000)
    5.5
    """
    return _adl.hyperliquid_literal_score(mark_price, entry_price, notional_position, account_value)


@v.renames(notional="notional_position")
def adl_ranking(
    side: ArrayLike,
    mark_price: ArrayLike,
    entry_price: ArrayLike,
    notional_position: ArrayLike,
    account_value: ArrayLike,
) -> Any:
    """ADL ranking "by unrealized pnl and leverage used": the index on the side's profit ratio.

    Accounts in profit score ``(mark/entry)**side * notional_position / account_value`` (the
    printed index, with ``entry/mark`` for a short) and queue before every account not in profit;
    an account with no value goes last. Delegates to :func:`liqlib.engine.adl.hyperliquid_score`,
    the engine's default ``"hyperliquid"`` rule.

    Raises
    ------
    ValueError
        A side other than +-1, non-positive prices, negative notional.

    References
    ----------
    Auto-deleveraging [3]_: "the users on the opposite side of the position are ranked by
    unrealized pnl and leverage used".

    Examples
    --------
    Two 2x shorts at mark 80, sold at 100 and at 70: the one in profit goes first.

    >>> adl_ranking(-1, 80, [100, 70], 800, 400).round(4).tolist()
    [2.5, -0.0625]
    """
    return _adl.hyperliquid_score(side, mark_price, entry_price, notional_position, account_value)


# --- mark price -----------------------------------------------------------------------------------


def mark_price(
    *,
    oracle_px: float | None = None,
    ema_mid_minus_oracle: float | None = None,
    best_bid: float | None = None,
    best_ask: float | None = None,
    last_trade: float | None = None,
    cex_perp_mids: Sequence[float] | None = None,
    cex_weights: Sequence[float] = CEX_WEIGHTS,
    book_median_ema_30s: float | None = None,
) -> float:
    """Mark price: the median of the available inputs among

    1. ``oracle_px + ema_mid_minus_oracle`` (the 150 s EMA of mid minus oracle),
    2. ``median(best_bid, best_ask, last_trade)``,
    3. the weighted median of CEX perp mids (Binance, OKX, Bybit, Gate IO, MEXC: 3, 2, 2, 1, 1,
       :func:`liqlib.prices.averages.weighted_median`);

    "If exactly two out of the three inputs above exist, the 30 second EMA of the median of best
    bid, best ask, and last trade on Hyperliquid is also added to the median inputs"
    (``book_median_ema_30s``). With all three inputs this equals
    :func:`liqlib.prices.mark.hyperliquid_mark_price`; the EMA itself is
    :func:`liqlib.prices.averages.ema` (or
    :func:`liqlib.prices.mark.ema_basis`) with ``time_constant=150``.

    Raises
    ------
    ValueError
        No input available; exactly two available without ``book_median_ema_30s``; a bid above
        the ask; non-positive prices.

    References
    ----------
    Robust price indices [4]_.

    Examples
    --------
    >>> mark_price(oracle_px=100.0, ema_mid_minus_oracle=0.3, best_bid=100.1, best_ask=100.5,
    ...            last_trade=100.2, cex_perp_mids=[100.0, 100.4, 100.1, 99.0, 101.0])
    100.2
    """
    inputs: list[float] = []
    if oracle_px is not None and ema_mid_minus_oracle is not None:
        inputs.append(v.number("oracle_px", oracle_px, "pos")
                      + v.number("ema_mid_minus_oracle", ema_mid_minus_oracle))
    book = [b for b in (best_bid, best_ask, last_trade) if b is not None]
    if book:
        if len(book) != 3:
            raise ValueError("give all of best_bid, best_ask and last_trade, or none")
        bid, ask, last = (
            v.number(name, x, "pos")
            for name, x in zip(("best_bid", "best_ask", "last_trade"), book, strict=True)
        )
        if bid > ask:
            raise ValueError(f"best_bid must not exceed best_ask, got {bid!r} > {ask!r}")
        inputs.append(float(_mark.median_of_three(bid, ask, last)))
    if cex_perp_mids is not None:
        mids = v.positive("cex_perp_mids", cex_perp_mids).reshape(-1)
        inputs.append(float(_averages.weighted_median(mids, cex_weights)))
    if not inputs:
        raise ValueError("mark_price needs at least one of its three inputs")
    if len(inputs) == 2:
        if book_median_ema_30s is None:
            raise ValueError(
                "with exactly two inputs the docs add the 30 s EMA of the book median: give "
                "book_median_ema_30s"
            )
        inputs.append(v.number("book_median_ema_30s", book_median_ema_30s, "pos"))
    return float(np.median(inputs))  # of one or three values


# --- funding --------------------------------------------------------------------------------------


@v.renames(impact_bid="impact_bid_px", impact_ask="impact_ask_px", index="oracle_px")
def premium(impact_bid_px: ArrayLike, impact_ask_px: ArrayLike, oracle_px: ArrayLike) -> Any:
    """``premium = impact_price_difference / oracle_price`` with ``impact_price_difference =
    max(impact_bid_px - oracle_px, 0) - max(oracle_px - impact_ask_px, 0)``
    (:func:`liqlib.prices.funding.premium_index`).

    References
    ----------
    Funding [5]_ (example: "(10,100 - 10,000) / 10,000 = 1%").

    Examples
    --------
    >>> premium(10_100, 10_110, 10_000)
    0.01
    """
    return _funding.premium_index(impact_bid_px, impact_ask_px, oracle_px)


@v.renames(premium="average_premium_index", interest="interest_rate")
def funding_rate(
    average_premium_index: ArrayLike, interest_rate: ArrayLike = 0.0001, *, clamp: float = 0.0005
) -> Any:
    """The 8-hour rate ``F = P + clamp(interest rate - P, -0.0005, 0.0005)``.

    Hourly payments are one eighth of it, capped (:func:`hourly_funding_rate`). Delegates to
    :func:`liqlib.prices.funding.funding_rate`.

    References
    ----------
    Funding [5]_: "Funding Rate = 1% + (-0.05%) … Funding Rate = 0.95%".

    Examples
    --------
    >>> round(funding_rate(0.01), 10)
    0.0095
    """
    return _funding.funding_rate(average_premium_index, interest_rate, clamp)


def hourly_funding_rate(
    average_premium_index: ArrayLike, interest_rate: ArrayLike = 0.0001, *, clamp: float = 0.0005
) -> Any:
    """The rate paid each hour: ``F / 8``, capped at +-4% per hour.

    :func:`liqlib.prices.funding.funding_rate` capped at ``8 * 4%`` per 8 h, then
    :func:`liqlib.prices.funding.rate_per_payment` for one hour.

    References
    ----------
    Funding [5]_: "funding is paid every hour at one eighth of the computed rate"; "interest rate
    component is predetermined at 0.01% every 8 hours, which is 0.00125% every hour"; "Funding on
    Hyperliquid is capped at 4%/hour".

    Examples
    --------
    >>> hourly_funding_rate(0.0)              # interest only
    1.25e-05
    >>> hourly_funding_rate(0.5)              # a 50% premium hits the 4%/h cap
    0.04
    """
    per_8h = _funding.funding_rate(
        average_premium_index, interest_rate, clamp, cap=8 * FUNDING_CAP_PER_HOUR
    )
    return _funding.rate_per_payment(per_8h, _averages.HOUR)


@v.renames(size="position_size", price="oracle_price", rate="funding_rate")
def funding_payment(
    side: ArrayLike, position_size: ArrayLike, oracle_price: ArrayLike, funding_rate: ArrayLike
) -> Any:
    """``position_size * oracle_price * funding_rate``, paid by the position (negative: received).

    The notional uses the *oracle* price, not the mark. Delegates to
    :func:`liqlib.prices.funding.funding_payment`.

    Parameters
    ----------
    side : +1, -1 or array
    position_size : float or array
        Absolute size (> 0).
    oracle_price : float or array
    funding_rate : float or array
        The rate of this (hourly) payment, e.g. :func:`hourly_funding_rate`.

    References
    ----------
    Funding [5]_.

    Examples
    --------
    The docs' 10 BTC long at 10,000, one hour at 0.95% / 8:

    >>> round(funding_payment(1, 10, 10_000, hourly_funding_rate(0.01)), 6)
    118.75
    """
    return _funding.funding_payment(side, position_size, oracle_price, funding_rate)
