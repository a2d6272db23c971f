"""Bybit: USDT (linear) and inverse contracts, in Bybit's own terms.

Bybit's help pages write the liquidation price with "Entry Price", "Position Size", "Initial
Margin", "Maintenance Margin", "Extra Margin Added", "MMR" and "Maintenance Margin Deduction";
here they are ``entry_price``, ``position_size``, ``leverage`` (IM = position value / leverage),
``mmr``, ``extra_margin_added`` and ``mm_deduction``. ``side`` is +1 long, -1 short. Linear sizes
are in the base coin; inverse sizes are contracts of 1 USD (``Contract Quantity``) and inverse
margins are in the coin.

Every liquidation price here is the core's closed form under one of Bybit's conventions, so each
function delegates to :func:`liqlib.liquidation_price`:

========================================  ========================  =====================  ========
function                                  maintenance margin at     fee in the trigger     tier
========================================  ========================  =====================  ========
:func:`liquidation_price` (USDT)          entry price               none                   at entry
:func:`inverse_liquidation_price` (2026)  liquidation price         none (extra margin     given
                                                                    net of the close fee)
:func:`inverse_liquidation_price_2024`    entry price               none                   given
:func:`inverse_cross_liquidation_price`   entry price               0.075% taker fee at    given
                                                                    the bankruptcy price
========================================  ========================  =====================  ========

Bybit rounds a long's bankruptcy price *up* and a short's *down* to the tick (0.5 USD on the
inverse BTC contract); pass ``tick_size`` to apply it (the documented 7,735.50, 7,773.50 and
5,739.50 only appear after rounding).

Where Bybit's own pages disagree: the inverse isolated (Unified Trading Account) formula changed
between the 2024 copy (maintenance margin at entry) and the 2026 copy (at the liquidation price);
the current one is the default, :func:`inverse_liquidation_price`, and the 2024 one is the named
variant :func:`inverse_liquidation_price_2024` (about 20 USD apart on the page's own inputs).

References
----------
.. [1] Bybit, "Liquidation Price (USDT Contract)",
   https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-USDT-Contract (read
   2026-11; examples 2 and 3 from a verbatim copy of the page).
.. [2] Bybit, "Adjusting margin", https://help.bybit.com/hc/en-us/articles/900000294083 (read
   2026-11).
.. [3] Bybit, "Auto-Deleveraging (ADL)", https://help.bybit.com/hc/en-us/articles/900000031623
   (inverse bankruptcy and liquidation example; read 2026-11), and
   https://help.bybit.com/hc/en-us/articles/360011431853 (rounding to 0.5).
.. [4] Bybit, "Liquidation price calculation under cross margin mode (inverse)",
   https://help.bybit.com/hc/en-us/articles/360039261334 (read 2026-11).
.. [5] Bybit, "Liquidation Price Calculation under Isolated Mode (Unified Trading Account)",
   https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-Calculation-under-Isolated-Mode-Unified-Trading-Account
   (the 2024 copy; the 2026 text from the kbybit.com mirror; read 2026-11).
.. [6] Bybit, "Margin Parameters",
   https://www.bybitglobal.com/en/announcement-info/margin-parameters (read 2026-11).
.. [7] Bybit, "Funding fee calculation", https://help.bybit.com/hc/en-us/articles/360039261114
   (legacy interest example) and the current funding page (linear weights; read 2026-11).
.. [9] Bybit, "How to calculate unrealised P&L and does increasing leverage also increases my
   profits?",
   https://help.bybit.com/hc/en-us/articles/360027239453-How-to-calculate-unrealised-P-L-and-does-increasing-leverage-also-increases-my-profits-
   (read 2026-12-03): "P&L% =
   (P&L in BTC / initial margin of position) x 100%", 312% at 25x and 624% at 50x (exactly
   312.5% and 625%: the page truncates after rounding to 8 decimals); run by
   ``tests/test_venue_interface.py``.
.. [8] Bybit, "Profit & Loss calculations (Inverse Contracts)",
   https://testnet.bytick.com/en-US/help-center/s/article/Profit-Loss-calculations-Inverse-Contracts
   (read 2026-11).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.contracts import INVERSE, LINEAR, ContractKind, average_entry_price, notional, pnl
from ..core.contracts import round_to_tick as _round_to_tick
from ..core.liquidation import LiquidationResult
from ..core.liquidation import bankruptcy_price as _core_bankruptcy_price
from ..core.liquidation import liquidation_price as _core_liquidation_price
from ..core.margin import initial_margin as _core_initial_margin
from ..core.tiers import Tier, TierTable, maintenance_amounts
from ..prices import averages as _averages
from ..prices import funding as _funding

__all__ = [
    "average_premium_index",
    "bankruptcy_price",
    "funding_fee",
    "funding_rate",
    "interest_rate",
    "inverse_average_entry_price",
    "inverse_cross_liquidation_price",
    "inverse_initial_margin",
    "inverse_liquidation_price",
    "inverse_liquidation_price_2024",
    "inverse_position_value",
    "inverse_unrealized_pnl",
    "liquidation_price",
    "maintenance_margin",
    "maintenance_margin_deduction",
    "risk_limit_tiers",
    "round_price",
]


# --- helpers --------------------------------------------------------------------------------------


def round_price(price: ArrayLike, side: ArrayLike, tick_size: float) -> Any:
    """Bybit's rule: round a long's price *up* and a short's *down* to the tick.

    ``nan`` entries (no liquidation price) stay ``nan``.

    Parameters
    ----------
    price : float or array
        Prices (> 0 or nan).
    side : +1, -1 or array
    tick_size : float
        Tick (> 0), 0.5 USD on inverse BTCUSD.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Side not +-1, tick <= 0, a finite price <= 0.

    References
    ----------
    Bybit help 360011431853 [3]_: "For long position, the bankruptcy price will be rounded up to
    the nearest 0.5 … for short position … rounded down".

    Examples
    --------
    >>> round_price([7_735.372549, 7_735.372549], [1, -1], 0.5).tolist()
    [7735.5, 7735.0]
    """
    s = v.side("side", side)
    tick = v.number("tick_size", tick_size, "pos")
    p = v.numbers("price", price)  # NaN (no price) is kept: "keeps nan and vectorizes"
    known = p[~np.isnan(p)]
    if known.size and not (known.min() > 0 and known.max() < np.inf):
        v.positive("price", known)  # names the first bad value
    v.shapes(price=p, side=s)
    p, s = np.broadcast_arrays(p, s)
    out = np.array(p, dtype=np.float64, copy=True).reshape(-1)
    flat_s = s.reshape(-1)
    ok = np.isfinite(out)
    for direction, mask in (("up", ok & (flat_s > 0)), ("down", ok & (flat_s < 0))):
        if mask.any():
            out[mask] = _round_to_tick(out[mask], tick, direction)
    return v.scalar_or_array(out.reshape(p.shape))


def _rounded(
    result: LiquidationResult, side: ArrayLike, tick_size: float | None
) -> LiquidationResult:
    if tick_size is None:
        return result
    return dataclasses.replace(
        result,
        price=round_price(result.price, side, tick_size),
        bankruptcy_price=round_price(result.bankruptcy_price, side, tick_size),
    )


def _schedule(
    mmr: float | None, mm_deduction: float, risk_limits: TierTable | None
) -> Tier | TierTable:
    """A fixed line ``PV * mmr - deduction``, or a risk-limit table."""
    if (mmr is None) == (risk_limits is None):
        raise ValueError("give exactly one of mmr (with mm_deduction) or risk_limits")
    if risk_limits is not None:
        if not isinstance(risk_limits, TierTable):
            raise ValueError(
                f"risk_limits must be a TierTable (see risk_limit_tiers), got {risk_limits!r}"
            )
        return risk_limits
    assert mmr is not None  # narrowed above
    rate = v.one("mmr", v.rate("mmr", mmr, allow_zero=False))
    deduction = v.number("mm_deduction", mm_deduction, "nonneg")
    return Tier(level=1, floor=0.0, cap=np.inf, mmr=rate, max_leverage=1.0 / rate, cum=deduction)


# --- risk limits and margins ----------------------------------------------------------------------


def risk_limit_tiers(
    risk_limits: ArrayLike,
    mmrs: ArrayLike,
    max_leverages: ArrayLike | None = None,
    *,
    symbol: str = "",
    unit: str = "USDT",
) -> TierTable:
    """A Bybit risk-limit table from each tier's risk limit (the tier's *upper* position value).

    Tier n covers position values from the risk limit of tier n-1 up to its own, so the floors
    are ``[0, risk_limits[0], ..., risk_limits[-2]]``; the deductions follow Bybit's recursion.
    The last risk limit (the largest position allowed) is not enforced by the returned table.

    Parameters
    ----------
    risk_limits : array
        Risk limit of each tier, strictly increasing, > 0 (USDT; coins for inverse).
    mmrs : array
        Maintenance margin rate per tier (fractions, increasing).
    max_leverages : array, optional
        Maximum leverage per tier. The maintenance margins and deductions do not depend on it;
        only the table's leverage check reads it. Omitted, each tier's cap is the bound its rate
        implies (just below ``1 / mmr``: initial margin must exceed maintenance margin).
    symbol, unit : str
        Labels.

    Returns
    -------
    TierTable

    Raises
    ------
    ValueError
        Risk limits not positive and increasing; anything :class:`liqlib.TierTable` rejects.

    References
    ----------
    Margin parameters [6]_: "Maintenance Margin Deduction = Risk Limit on Tier (n-1) x
    (Difference between Maintenance Margin Rate on Tier n and Tier (n-1)) + Maintenance Margin
    Deduction on Tier (n-1)".

    Examples
    --------
    The page's XYZUSDT tiers (the page's max leverages are not in the copy read):

    >>> t = risk_limit_tiers([1_000, 2_000, 3_000, 4_000, 5_000],
    ...                      [0.02, 0.025, 0.03, 0.035, 0.04])
    >>> t.cums.tolist()
    [0.0, 5.0, 15.0, 30.0, 50.0]
    """
    limits = v.positive("risk_limits", risk_limits).reshape(-1)
    if np.any(np.diff(limits) <= 0):
        raise ValueError(f"risk_limits must be strictly increasing, got {limits.tolist()}")
    floors = np.concatenate(([0.0], limits[:-1]))
    if max_leverages is None:
        rates = v.rate("mmrs", mmrs, allow_zero=False).reshape(-1)
        max_leverages = (1.0 - 1e-12) / rates  # the cap the rates imply, nothing more
    return TierTable(floors, mmrs, max_leverages, name=symbol, unit=unit)


def maintenance_margin_deduction(risk_limits: ArrayLike, mmrs: ArrayLike, tier: int) -> float:
    """Maintenance margin deduction of ``tier`` (1-based) by Bybit's recursion.

    Parameters
    ----------
    risk_limits, mmrs : array
        Risk limit and maintenance margin rate of each tier (see :func:`risk_limit_tiers`).
    tier : int
        1-based tier number.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Lengths differ, risk limits not increasing, rates outside [0, 1), tier out of range.

    References
    ----------
    Margin parameters [6]_.

    Examples
    --------
    XYZUSDT tier 4: 1,000*(2.5%-2%) + 2,000*(3%-2.5%) + 3,000*(3.5%-3%) = 30:

    >>> maintenance_margin_deduction([1_000, 2_000, 3_000, 4_000, 5_000],
    ...                              [0.02, 0.025, 0.03, 0.035, 0.04], 4)
    30.0
    """
    limits = v.positive("risk_limits", risk_limits).reshape(-1)
    rates = v.rate("mmrs", mmrs).reshape(-1)
    if limits.size != rates.size:
        raise ValueError(
            f"risk_limits and mmrs must have one entry per tier, got {limits.size} and {rates.size}"
        )
    if np.any(np.diff(limits) <= 0):
        raise ValueError(f"risk_limits must be strictly increasing, got {limits.tolist()}")
    if not (isinstance(tier, (int, np.integer)) and 1 <= tier <= limits.size):
        raise ValueError(f"tier must be an integer in [1, {limits.size}], got {tier!r}")
    floors = np.concatenate(([0.0], limits[:-1]))
    return float(maintenance_amounts(floors, rates)[tier - 1])


@v.renames(notional="position_value")
def maintenance_margin(
    position_value: ArrayLike,
    *,
    mmr: float | None = None,
    mm_deduction: float = 0.0,
    risk_limits: TierTable | None = None,
) -> Any:
    """``Maintenance Margin = Position Value x MMR - Maintenance Margin Deduction``.

    Parameters
    ----------
    position_value : float or array
        Position value (>= 0), USDT (coins for inverse).
    mmr, mm_deduction : float
        One tier's rate and deduction (give these, or ``risk_limits``).
    risk_limits : TierTable, optional
        A table from :func:`risk_limit_tiers`: each value uses its own tier.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Both or neither of ``mmr`` and ``risk_limits``; values out of range; an
        ``mm_deduction`` above ``position_value * mmr`` (a negative margin). Arrays: one bad
        element rejects the call, naming its index.

    References
    ----------
    Margin parameters [6]_; "Maintenance Margin (USDT Contract)" (XYZUSDT, 100 contracts at 35
    USDT = 3,500 USDT; the page's result was not retrieved).

    Examples
    --------
    >>> maintenance_margin(3_500, mmr=0.035, mm_deduction=30)
    92.5
    """
    # A tier's deduction holds within its tier only (position value * mmr >= deduction): below
    # it the formula gave a negative margin (100, mmr 0.005, deduction 1,000 -> -999.5).
    return v.nonnegative_margin(
        _schedule(mmr, mm_deduction, risk_limits).maintenance_margin(position_value),
        "mm_deduction must not exceed position_value * mmr (a tier's deduction applies within "
        "its tier)")


# --- USDT (linear) isolated -----------------------------------------------------------------------


def liquidation_price(
    side: ArrayLike,
    position_size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike | None = None,
    initial_margin: ArrayLike | None = None,
    mmr: float | None = None,
    mm_deduction: float = 0.0,
    risk_limits: TierTable | None = None,
    extra_margin_added: ArrayLike = 0.0,
    tick_size: float | None = None,
    mark_price: ArrayLike | None = None,
) -> LiquidationResult:
    """USDT isolated liquidation price, Bybit's formula (maintenance margin at the entry price).

    ``Liquidation Price (Long) = Entry Price - [(Initial Margin - Maintenance Margin)/Position Size]
    - (Extra Margin Added/Position Size)``; short: the same with ``+``. This is the core's closed
    form with ``maintenance_at="entry"``; :func:`liqlib.liquidation_price` with the default
    ``"liquidation"`` gives the exact trigger instead, lower by ``MMR * |LP - EP|`` (the tests
    assert that difference).

    Parameters
    ----------
    side : +1, -1 or array
    position_size : float or array
        Contracts in the base coin (> 0).
    entry_price : float or array
        (> 0)
    leverage, initial_margin : float or array
        Give one: IM = position value / leverage, or the initial margin itself (USDT).
    mmr, mm_deduction : float
        The tier's rate and deduction (give these, or ``risk_limits``: then the tier of the
        position value at entry, as the formula uses).
    extra_margin_added : float or array
        Margin added (negative: removed, e.g. funding paid from position margin).
    tick_size : float, optional
        Round as Bybit does (long up, short down).
    mark_price : float or array, optional
        Current mark, only for ``below_maintenance``.

    Returns
    -------
    LiquidationResult
        ``bankruptcy_price`` is ``Entry Price x (1 -+ IMR)`` (with extra margin, moved further).

    Raises
    ------
    ValueError
        Both or neither of leverage/initial_margin or of mmr/risk_limits; values out of range;
        leverage above the tier's maximum.

    References
    ----------
    "Liquidation Price (USDT Contract)" [1]_; "Adjusting margin" [2]_.

    Examples
    --------
    Example 1 (long), example 2 (short with 3,000 USDT added), example 3 (200 USDT of funding
    paid out of position margin): 1 BTC at 20,000, 50x, MMR 0.5%:

    >>> liquidation_price(1, 1, 20_000, leverage=50, mmr=0.005).price
    19700.0
    >>> liquidation_price(-1, 1, 20_000, leverage=50, mmr=0.005, extra_margin_added=3_000).price
    23300.0
    >>> liquidation_price(1, 1, 20_000, leverage=50, mmr=0.005, extra_margin_added=-200).price
    19900.0
    """
    if (leverage is None) == (initial_margin is None):
        raise ValueError("give exactly one of leverage or initial_margin")
    im = None if initial_margin is None else v.positive("initial_margin", initial_margin)
    with v.renamed(size="position_size", extra_margin="extra_margin_added"):
        result = _core_liquidation_price(
            side,
            position_size,
            entry_price,
            leverage=leverage,
            collateral=im,
            extra_margin=extra_margin_added,
            mmr=_schedule(mmr, mm_deduction, risk_limits),
            maintenance_at="entry",
            mark_price=mark_price,
        )
    return _rounded(result, side, tick_size)


def bankruptcy_price(
    side: ArrayLike,
    entry_price: ArrayLike,
    leverage: ArrayLike,
    *,
    kind: str | ContractKind = LINEAR,
    tick_size: float | None = None,
) -> Any:
    """Isolated bankruptcy price at ``leverage`` (no extra margin, no fee).

    USDT: ``Entry Price x (1 - IMR)`` long, ``x (1 + IMR)`` short, ``IMR = 1/leverage``. Inverse:
    ``Entry Price * Leverage / (Leverage + 1)`` long (``/(Leverage - 1)`` short). Delegates to
    :func:`liqlib.bankruptcy_price`.

    Parameters
    ----------
    side : +1, -1 or array
    entry_price : float or array
    leverage : float or array
        (> 0)
    kind : {"linear", "inverse"}
    tick_size : float, optional
        Round long up, short down (0.5 on inverse BTCUSD).

    Returns
    -------
    float or ndarray
        ``nan`` where no positive price (an inverse short at 1x or below).

    References
    ----------
    [1]_ ("Bankruptcy Price = 10,000 × (1 − 2%) = 9,800 USDT") and [3]_ ("(7,890.08 x 50) / (50+1)
    = 7,735.372549 USD ≈ 7,735.50 USD").

    Examples
    --------
    >>> bankruptcy_price(1, 10_000, 50)
    9800.0
    >>> bankruptcy_price(1, 7_890.08, 50, kind="inverse", tick_size=0.5)
    7735.5
    """
    bp = _core_bankruptcy_price(side, 1.0, entry_price, leverage=leverage, kind=kind)
    return bp if tick_size is None else round_price(bp, side, tick_size)


# --- inverse --------------------------------------------------------------------------------------


def inverse_liquidation_price(
    side: ArrayLike,
    position_size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike,
    mmr: float | None = None,
    mm_deduction: float = 0.0,
    risk_limits: TierTable | None = None,
    extra_margin_added: ArrayLike = 0.0,
    taker_fee_rate: float = 0.0,
    tick_size: float | None = None,
    mark_price: ArrayLike | None = None,
) -> LiquidationResult:
    """Inverse isolated liquidation price, the current (2026) Unified Trading Account formula.

    ``Liquidation Price (Long) = [Position Size x (MM Rate + 1)] / [(Position Size / Entry Price)
    + (Position Size / Entry Price / Leverage) + (Extra Margin Added / (1 + Taker Fee Rate)) + MM
    Deduction]``, and the mirror image for shorts. Maintenance margin is evaluated at the
    liquidation price, so this is the core's closed form (inverse, collateral ``PV/leverage +
    extra/(1 + fee)``, maintenance at the liquidation price).

    Parameters
    ----------
    side : +1, -1 or array
    position_size : float or array
        Contracts of 1 USD (> 0).
    entry_price : float or array
        (> 0)
    leverage : float or array
        (> 0)
    mmr, mm_deduction : float
        Tier rate and deduction (coins); or ``risk_limits`` (a table in coins; then the tier of the
        position value at the liquidation price).
    extra_margin_added : float or array
        Coins; enters net of the close fee, ``/ (1 + taker_fee_rate)``, as the formula has it.
    taker_fee_rate : float
        In [0, 1); only divides the extra margin.
    tick_size : float, optional
    mark_price : float or array, optional

    Returns
    -------
    LiquidationResult

    Raises
    ------
    ValueError
        See :func:`liqlib.liquidation_price`; both or neither of mmr/risk_limits.

    References
    ----------
    UTA isolated page [5]_, 2026 text (kbybit.com mirror).

    Examples
    --------
    The page's inputs (60,000 USD long at 50,000, 10x, MMR 0.5%); the page's own final number
    was not retrieved, ours is 45,681.82:

    >>> round(inverse_liquidation_price(1, 60_000, 50_000, leverage=10, mmr=0.005).price, 2)
    45681.82
    """
    fee = v.one("taker_fee_rate", v.rate("taker_fee_rate", taker_fee_rate))
    lev = v.positive("leverage", leverage)
    q = v.positive("position_size", position_size)
    ep = v.positive("entry_price", entry_price)
    extra = v.as_float("extra_margin_added", extra_margin_added)
    result = _core_liquidation_price(
        side,
        q,
        ep,
        collateral=np.asarray(notional(q, ep, INVERSE)) / lev + extra / (1.0 + fee),
        mmr=_schedule(mmr, mm_deduction, risk_limits),
        kind=INVERSE,
        mark_price=mark_price,
    )
    return _rounded(result, side, tick_size)


def inverse_liquidation_price_2024(
    side: ArrayLike,
    position_size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike,
    mmr: float | None = None,
    mm_deduction: float = 0.0,
    risk_limits: TierTable | None = None,
    extra_margin_added: ArrayLike = 0.0,
    tick_size: float | None = None,
    mark_price: ArrayLike | None = None,
) -> LiquidationResult:
    """The named variant: the 2024 UTA inverse formula, maintenance margin at the entry price.

    ``Liquidation Price (Long) = Contract Quantity / [Position Value + (Initial Margin -
    Maintenance Margin)]``, short ``Contract Quantity / [Position Value - (IM - MM)]``, with
    ``Position Value = Contract Quantity / Average Entry Price`` and MM at that value. Extra margin
    (not in the 2024 text) adds to IM here, as in the USDT formula. This is also the closed form
    behind the legacy inverse example (7,773.50, [3]_): ``EP*L / (L + 1 - MMR*L)``.

    It lies *below* :func:`inverse_liquidation_price` for a long: at entry the coin value of the
    position (and so its maintenance margin) is smaller than at the lower liquidation price. The
    tests check the exact gap. The parameters are those of :func:`inverse_liquidation_price`,
    without its taker fee term.

    Returns
    -------
    LiquidationResult

    References
    ----------
    UTA isolated page [5]_, 2024 copy; ADL page [3]_ for 7,773.50.

    Examples
    --------
    >>> round(inverse_liquidation_price_2024(1, 60_000, 50_000, leverage=10, mmr=0.005).price, 2)
    45662.1
    >>> inverse_liquidation_price_2024(1, 1, 7_890.08, leverage=50, mmr=0.005, tick_size=0.5).price
    7773.5
    """
    result = _core_liquidation_price(
        side,
        position_size,
        entry_price,
        leverage=leverage,
        extra_margin=extra_margin_added,
        mmr=_schedule(mmr, mm_deduction, risk_limits),
        kind=INVERSE,
        maintenance_at="entry",
        mark_price=mark_price,
    )
    return _rounded(result, side, tick_size)


def inverse_cross_liquidation_price(
    side: ArrayLike,
    position_size: ArrayLike,
    entry_price: ArrayLike,
    *,
    wallet_balance: ArrayLike,
    order_margin: ArrayLike = 0.0,
    mmr: float = 0.005,
    taker_fee_rate: float = 0.00075,
    tick_size: float | None = None,
    mark_price: ArrayLike | None = None,
) -> LiquidationResult:
    """Legacy inverse cross-margin liquidation price, with the close fee inside.

    Long: ``Q(1/EP - 1/LP) = -(Bal - OrderMargin - (Q/EP)*MMR - Q*0.00075/BP)`` with
    ``BP = 1.00075*Q / (Q/EP + (Bal - OrderMargin))``: maintenance at the entry value and the
    0.075% taker fee charged on the value at the *bankruptcy* price. The core's closed form with
    ``maintenance_at="entry"`` and ``fee_at="bankruptcy"``.

    Parameters
    ----------
    side : +1, -1 or array
    position_size : float or array
        Contracts of 1 USD (> 0).
    entry_price : float or array
    wallet_balance : float or array
        "Bal", coins.
    order_margin : float or array
        Margin held by open orders, coins.
    mmr : float
        0.5% in the page's example.
    taker_fee_rate : float
        0.075%.
    tick_size : float, optional
        0.5 in the example (long rounded up).
    mark_price : float or array, optional

    Returns
    -------
    LiquidationResult
        ``bankruptcy_price`` is the page's BP (fee included).

    References
    ----------
    Inverse cross page [4]_.

    Examples
    --------
    Balance 0.5 BTC, long 10,000 contracts at 8,000: BP 5,718.57, LP 5,739.50 after rounding up
    (raw 5,739.08):

    >>> r = inverse_cross_liquidation_price(1, 10_000, 8_000, wallet_balance=0.5)
    >>> round(r.bankruptcy_price, 2), round(r.price, 2)
    (5718.57, 5739.08)
    >>> inverse_cross_liquidation_price(1, 10_000, 8_000, wallet_balance=0.5, tick_size=0.5).price
    5739.5
    """
    balance = v.as_float("wallet_balance", wallet_balance)
    free = balance - v.nonnegative("order_margin", order_margin)
    result = _core_liquidation_price(
        side,
        position_size,
        entry_price,
        collateral=free,
        mmr=v.one("mmr", v.rate("mmr", mmr, allow_zero=False)),
        fee_rate=taker_fee_rate,
        kind=INVERSE,
        maintenance_at="entry",
        fee_at="bankruptcy",
        mark_price=mark_price,
    )
    return _rounded(result, side, tick_size)


@v.renames(size="contract_quantity")
def inverse_position_value(contract_quantity: ArrayLike, price: ArrayLike) -> Any:
    """``Position Value = Contract Quantity / Price`` (coins; contracts of 1 USD).

    Examples
    --------
    >>> inverse_position_value(60_000, 50_000)
    1.2
    """
    return notional(contract_quantity, price, INVERSE)


@v.renames(size="contract_quantity", price="entry_price")
def inverse_initial_margin(
    contract_quantity: ArrayLike, entry_price: ArrayLike, leverage: ArrayLike
) -> Any:
    """``Initial Margin = Contract Quantity / (Entry Price x Leverage)`` (coins).

    References
    ----------
    P&L page [8]_ ("12,000/(8,000×50) = 0.03 BTC") and UTA page [5]_ ("Initial Margin = 0.12
    BTC").

    Examples
    --------
    >>> inverse_initial_margin(12_000, 8_000, 50)
    0.03
    """
    return _core_initial_margin(inverse_position_value(contract_quantity, entry_price), leverage)


@v.renames(size="contract_quantity", price="mark_price")
def inverse_unrealized_pnl(
    side: ArrayLike, contract_quantity: ArrayLike, entry_price: ArrayLike, mark_price: ArrayLike
) -> Any:
    """``Unrealized P&L = side * Qty * (1/Entry Price - 1/Mark Price)`` (coins).

    References
    ----------
    P&L page [8]_: "1,000 x [(1/5,000) − (1/5,500)] = 0.01819 BTC" (exact 0.0181818, the page
    rounds up).

    Examples
    --------
    >>> round(inverse_unrealized_pnl(1, 1_000, 5_000, 5_500), 7)
    0.0181818
    """
    return pnl(side, contract_quantity, entry_price, mark_price, INVERSE)


def inverse_average_entry_price(contract_quantities: ArrayLike, prices: ArrayLike) -> Any:
    """``Average Entry Price = Total quantity of contracts / Total contract value in BTC``.

    References
    ----------
    P&L page [8]_ (1,000 at 5,000 and 2,000 at 6,000 give 5,625.00).

    Examples
    --------
    >>> inverse_average_entry_price([1_000, 2_000], [5_000, 6_000])
    5625.0
    """
    return average_entry_price(contract_quantities, prices, INVERSE)


# --- funding --------------------------------------------------------------------------------------


@v.renames(
    quote_rate="quote_interest_rate", base_rate="base_interest_rate",
    fundings_per_day="funding_intervals_per_day",
)
def interest_rate(
    quote_interest_rate: ArrayLike = 0.0006,
    base_interest_rate: ArrayLike = 0.0003,
    funding_intervals_per_day: int = 3,
) -> Any:
    """``Interest Rate = (Quote Interest Rate - Base Interest Rate) / Funding Intervals``.

    Delegates to :func:`liqlib.prices.funding.interest_rate`.

    References
    ----------
    Funding page [7]_: "The Interest Rate = (0.06%−0.03%)/3 = 0.01%".

    Examples
    --------
    >>> round(interest_rate(), 10)
    0.0001
    """
    return _funding.interest_rate(
        quote_interest_rate, base_interest_rate, funding_intervals_per_day
    )


def average_premium_index(premium_indices: ArrayLike, *, axis: int = -1) -> Any:
    """``(Premium Index_1 * 1 + ... + Premium Index_480 * 480) / (1 + ... + 480)`` (minutes, 8 h).

    Delegates to :func:`liqlib.prices.averages.linearly_weighted_average`.

    References
    ----------
    Current funding page [7]_.

    Examples
    --------
    >>> round(average_premium_index([0.0003, 0.0006]), 10)
    0.0005
    """
    return _averages.linearly_weighted_average(premium_indices, axis=axis)


@v.renames(premium="average_premium_index", interest="interest_rate")
def funding_rate(
    average_premium_index: ArrayLike, interest_rate: ArrayLike = 0.0001, *, clamp: float = 0.0005
) -> Any:
    """``Funding Rate (F) = Premium index (P) + clamp(Interest rate (I) - P, 0.05%, -0.05%)``.

    Delegates to :func:`liqlib.prices.funding.funding_rate`.

    References
    ----------
    Funding page [7]_.

    Examples
    --------
    >>> round(funding_rate(-0.002), 10)
    -0.0015
    """
    return _funding.funding_rate(average_premium_index, interest_rate, clamp)


def funding_fee(side: ArrayLike, position_value: ArrayLike, funding_rate: ArrayLike) -> Any:
    """``Funding Fee = Position Value * Funding Rate``, paid by the position (negative: received).

    Examples
    --------
    >>> funding_fee(-1, 20_000, 0.0001)
    -2.0
    """
    s = v.side("side", side)
    value = v.nonnegative("position_value", position_value)
    return v.scalar_or_array(s * value * v.as_float("funding_rate", funding_rate))
