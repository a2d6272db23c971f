"""Binance Futures: USDⓈ-M (linear) and COIN-M (inverse) perpetuals, in Binance's own terms.

Parameter names are Binance's, lower-cased, from the variable table of its liquidation-price FAQ:

=============================  ===============================================================
Binance                        here
=============================  ===============================================================
WB                             ``wb``: crossWalletBalance (cross) or isolatedWalletBalance
TMM1, UPNL1                    ``tmm1``, ``upnl1``: maintenance margin and unrealized PnL of
                               every *other* contract (0 in isolated mode)
cumB, cumL, cumS               ``cum_b``, ``cum_l``, ``cum_s``: maintenance amount of the
                               BOTH (one-way), LONG and SHORT (hedge) positions
Side1BOTH                      ``side1_both``: +1 long, -1 short
Position1BOTH, EP1BOTH         ``position1_both``, ``ep1_both``: absolute size and entry price
Position1LONG/SHORT, EP1...    ``position1_long``, ``ep1_long``, ``position1_short``, ...
MMR B / MMR L / MMR S          ``mmr_b``, ``mmr_l``, ``mmr_s``
API ``notionalFloor`` etc.     :func:`brackets_from_api` reads ``/fapi/v1/leverageBracket``
=============================  ===============================================================

Sizes are base units for USDⓈ-M and contracts for COIN-M (``contract_size`` USD each: 100 for
BTCUSD, 10 for most others); COIN-M balances, maintenance and cum are in the coin.

The one-way liquidation price *is* the core's isolated closed form with collateral
``WB - TMM1 + UPNL1`` and the bracket ``(MMR, cum)`` (Binance's formula has no fee term), so
:func:`liquidation_price` delegates to :func:`liqlib.liquidation_price`; with a bracket table it
runs the FAQ's re-check of the bracket at the liquidation price. Hedge mode (two legs in one
formula) has no core counterpart and is written out in :func:`hedge_liquidation_price`.

Where Binance's own pages disagree: the COIN-M BTCUSD maintenance amount for a 300 BTC position is
11.605 BTC in the newer FAQ text and 11.81 BTC in the 2021 text. The newer one reproduces Binance's
UI calculator (33,599.40 in a user report), so :data:`COINM_BTCUSD_300BTC_CUM` is 11.605 and the
older value is kept as the named variant :data:`COINM_BTCUSD_300BTC_CUM_2021`.

References
----------
.. [1] Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
   https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-of-usd%E2%93%A2-m-futures-contracts-b3c689c1f50a44cabb3a84e663b81d93
   (versions dated 2020-06 and 2020-08, the en-NG copy and 2026 mirrors; read 2026-11). The
   formula itself is an image; its transcription is confirmed by our derivation (the core's
   isolated closed form) and by the FAQ's printed maintenance margins.
.. [2] Binance, "How to Calculate Liquidation Price of COIN-M Futures Contracts",
   https://www.binance.com/es-MX/support/faq/how-to-calculate-liquidation-price-of-coin-m-futures-contracts-ceccfcfb4e3a45e3b48b0b1bb1a8ae46
   (read 2026-11; older copy .../es/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46).
.. [3] Binance, "Mark Price and Price Index",
   https://www.binance.com/en/support/faq/fff6ec1b3f5845d19f1fb924644a0877 (read 2026-11).
.. [4] Binance, "Introduction to Binance Futures Funding Rates",
   https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031
   (read 2026-11).
.. [5] Binance, "What Is Auto-Deleveraging (ADL) and How Does It Work",
   https://www.binance.com/zh-CN/support/announcement/360033525471 (read 2026-11).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.contracts import LINEAR, ContractKind, contract_kind, notional
from ..core.liquidation import LiquidationResult
from ..core.liquidation import liquidation_price as _core_liquidation_price
from ..core.margin import initial_margin as _core_initial_margin
from ..core.tiers import Tier, TierTable, maintenance_amounts
from ..engine import adl as _adl
from ..prices import averages as _averages
from ..prices import funding as _funding
from ..prices import mark as _mark

__all__ = [
    "ADAUSDT_BRACKETS",
    "ADAUSDT_POSITION_LIMIT",
    "BRACKETS",
    "BTCUSDT_BRACKETS",
    "COINM_BTCUSD_300BTC_CUM",
    "COINM_BTCUSD_300BTC_CUM_2021",
    "COINM_BTCUSD_300BTC_MMR",
    "adl_ranking",
    "average_premium_index",
    "bracket",
    "brackets_from_api",
    "funding_fee",
    "funding_rate",
    "hedge_liquidation_price",
    "impact_margin_notional",
    "initial_margin",
    "leverage_brackets",
    "leverage_pnl",
    "liquidation_price",
    "maintenance_amount",
    "maintenance_margin",
    "mark_price",
    "moving_average_basis",
    "position_notional",
    "premium_index",
]


# --- leverage and margin brackets -----------------------------------------------------------------


@v.renames(floors="notional_floors", mmrs="maint_margin_ratios", max_leverages="initial_leverages")
def leverage_brackets(
    notional_floors: ArrayLike,
    maint_margin_ratios: ArrayLike,
    initial_leverages: ArrayLike,
    *,
    symbol: str = "",
    unit: str = "USDT",
) -> TierTable:
    """A Binance bracket table; the maintenance amounts ``cum`` are derived by Binance's recursion.

    Parameters
    ----------
    notional_floors : array
        ``notionalFloor`` of each bracket (USDⓈ-M, USDT) or ``qtyFloor`` (COIN-M, coins), from 0 up.
    maint_margin_ratios : array
        ``maintMarginRatio`` per bracket, fractions, strictly increasing.
    initial_leverages : array
        ``initialLeverage`` (maximum leverage) per bracket, non-increasing.
    symbol, unit : str
        Labels (``"BTCUSDT"``; ``"USDT"`` or the coin for COIN-M).

    Returns
    -------
    TierTable
        With ``cums[n] = floor_n * (MMR_n - MMR_{n-1}) + cums[n-1]``.

    Raises
    ------
    ValueError
        From :class:`liqlib.TierTable`: unsorted floors, rates not rising, leverage rising.

    References
    ----------
    USDⓈ-M FAQ [1]_: "Maintenance Amount … = [ Floor of Position Bracket on Level n * difference
    between Maintenance Margin Rate on Level n and Maintenance Margin Rate on Level n-1) ] +
    Maintenance Amount on Level n-1".

    Examples
    --------
    The FAQ's "Maintenance Amount on Level 3 = 250,000 * (1% - 0.5%) + 50 USDT = 1,300 USDT":

    >>> t = leverage_brackets([0, 50_000, 250_000], [0.004, 0.005, 0.01], [125, 100, 50])
    >>> t.cums.tolist()
    [0.0, 50.0, 1300.0]
    """
    return TierTable(
        notional_floors, maint_margin_ratios, initial_leverages, name=symbol, unit=unit
    )


def _field(entry: Mapping[str, Any], index: int, *names: str) -> float:
    for name in names:
        if name in entry:
            try:
                return float(entry[name])
            except (TypeError, ValueError):
                raise ValueError(
                    f"brackets[{index}][{name!r}] must be a number, got {entry[name]!r}"
                ) from None
    raise ValueError(f"brackets[{index}] needs one of the fields {names}, got keys {sorted(entry)}")


def _entries(brackets: Any) -> list[Mapping[str, Any]]:
    """The API's list of bracket dicts, else a TypeError naming ``brackets``."""
    if isinstance(brackets, (str, bytes, Mapping)) or not isinstance(brackets, Iterable):
        raise v.ArgumentTypeError(
            f"brackets must be a list of bracket dicts (or a dict holding one under 'brackets'), "
            f"got {type(brackets).__name__} {brackets!r}"
        )
    entries = list(brackets)
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise v.ArgumentTypeError(f"brackets[{i}] must be a dict of the API's fields, got "
                                      f"{type(entry).__name__} {entry!r}")
    return entries


def brackets_from_api(
    brackets: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    symbol: str = "",
    unit: str | None = None,
    check_cum: bool = True,
) -> TierTable:
    """Build a bracket table from a ``GET /fapi/v1/leverageBracket`` (or ``/dapi``) response.

    Parameters
    ----------
    brackets : list of dict, or dict with a ``"brackets"`` list
        Each entry has ``notionalFloor`` (USDⓈ-M) or ``qtyFloor`` (COIN-M), ``maintMarginRatio``,
        ``initialLeverage``, and optionally ``cum`` and ``notionalCap``/``qtyCap``; numbers may be
        strings, as the API sends them.
    symbol : str
        Label; taken from the response's ``symbol``/``pair`` when empty.
    unit : str, optional
        Unit of the floors; default ``"USDT"`` for ``notionalFloor`` and ``"coin"`` for
        ``qtyFloor``.
    check_cum : bool
        Compare each reported ``cum`` (and cap) with the recursion and raise if they disagree:
        a ``cum`` by more than ``1e-9 * max(1, largest floor * largest rate)`` (rounding in the
        API's decimal strings), a cap by anything (it must be the next bracket's floor).

    Returns
    -------
    TierTable
        Binance's last bracket has a finite ``notionalCap`` (the position limit); the table's last
        bracket is open-ended, so positions above that cap are not refused here.

    Raises
    ------
    ValueError
        A missing or non-numeric field (naming ``brackets[i]`` and the field), a ``cum`` that is
        not the recursion's value, or a cap that is not the next bracket's floor.

    References
    ----------
    USDⓈ-M FAQ [1]_ (the recursion); the API fields are those of Binance's
    ``/fapi/v1/leverageBracket`` endpoint (``maintMarginRatio``, ``cum``, ``notionalFloor``,
    ``notionalCap``).

    Examples
    --------
    >>> api = [{"bracket": 1, "initialLeverage": 125, "notionalCap": 50000, "notionalFloor": 0,
    ...         "maintMarginRatio": 0.004, "cum": 0.0},
    ...        {"bracket": 2, "initialLeverage": 100, "notionalCap": 250000,
    ...         "notionalFloor": 50000, "maintMarginRatio": 0.005, "cum": 50.0}]
    >>> brackets_from_api(api, symbol="BTCUSDT").cums.tolist()
    [0.0, 50.0]
    """
    entries: list[Mapping[str, Any]]
    check = v.boolean("check_cum", check_cum)
    if isinstance(brackets, Mapping):
        symbol = symbol or str(brackets.get("symbol", brackets.get("pair", "")))
        if "brackets" not in brackets:
            raise ValueError(f"brackets must be a list or hold a 'brackets' list, got {brackets!r}")
        entries = _entries(brackets["brackets"])
    else:
        entries = _entries(brackets)
    if not entries:
        raise ValueError("brackets must hold at least one bracket, got an empty list")
    coin_margined = "qtyFloor" in entries[0]
    floors = [_field(e, i, "notionalFloor", "qtyFloor") for i, e in enumerate(entries)]
    rates = [_field(e, i, "maintMarginRatio") for i, e in enumerate(entries)]
    levs = [_field(e, i, "initialLeverage") for i, e in enumerate(entries)]
    table = leverage_brackets(
        floors,
        rates,
        levs,
        symbol=symbol,
        unit=unit if unit is not None else ("coin" if coin_margined else "USDT"),
    )
    if check:
        scale = max(1.0, float(np.max(np.abs(table.floors))) * float(np.max(table.mmrs)))
        for i, entry in enumerate(entries):
            if "cum" in entry:
                given = _field(entry, i, "cum")
                if not abs(given - table.cums[i]) <= 1e-9 * scale:  # NaN is not the value
                    raise ValueError(
                        f"brackets[{i}]['cum']={given!r} is not Binance's recursion "
                        f"floor*(MMR_n - MMR_n-1) + cum_n-1 = {float(table.cums[i])!r}"
                    )
            cap_key = "qtyCap" if coin_margined else "notionalCap"
            if cap_key in entry and i + 1 < len(entries):
                cap = _field(entry, i, cap_key)
                if cap != table.floors[i + 1]:
                    raise ValueError(
                        f"brackets[{i}]['{cap_key}']={cap!r} must equal the next bracket's floor "
                        f"{float(table.floors[i + 1])!r}"
                    )
    return table


#: BTCUSDT (USDⓈ-M) brackets from a verbatim ``/fapi/v1/leverageBracket`` response kept in a
#: public repository [3P]: boolean404/heikin-ashi-trading-bot, ``json/fapiPrivate_get_leverage_
#: bracket.py`` at commit f4c6c76f2b465421681cded5f60c2f3cf29c256d (undated; read 2026-11-24).
#: Its first three brackets (0.4%/0, 0.5%/50, 1%/1,300) agree with the leverage-bracket tables
#: other public API dumps show, and every reported ``cum`` equals the recursion (checked on
#: import).
#: Binance changes brackets often; the FAQ's worked example used an older table in which 2.5%
#: started at 1,000,000 (cum 16,300), this one starts it at 3,000,000 (cum 46,300).
BTCUSDT_BRACKETS = brackets_from_api(
    [
        {"notionalFloor": f, "maintMarginRatio": m, "initialLeverage": lev, "cum": c}
        for f, m, lev, c in (
            (0, 0.004, 125, 0.0),
            (50_000, 0.005, 100, 50.0),
            (250_000, 0.01, 50, 1_300.0),
            (3_000_000, 0.025, 20, 46_300.0),
            (20_000_000, 0.05, 10, 546_300.0),
            (40_000_000, 0.1, 5, 2_546_300.0),
            (100_000_000, 0.125, 4, 5_046_300.0),
            (120_000_000, 0.15, 3, 8_046_300.0),
            (200_000_000, 0.25, 2, 28_046_300.0),
            (300_000_000, 0.5, 1, 103_046_300.0),
        )
    ],
    symbol="BTCUSDT",
)

#: ADAUSDT (USDⓈ-M) brackets, all ten with their ``cum``, from the ``info`` fields (Binance's own
#: ``/fapi/v1/leverageBracket`` entries, recorded through ccxt) of freqtrade's
#: ``freqtrade/exchange/binance_leverage_tiers.json`` at commit
#: 3d9514d2660c42dfdbde517f7b421d1a5cf4f196 (2024-10-24; read 2026-12-03), kept verbatim in
#: ``tests/data/binance_adausdt_leverage_brackets.json``. Every ``cum`` equals the recursion
#: (checked on import). The last bracket's cap, 50,000,000 USDT, is the largest position allowed.
ADAUSDT_BRACKETS = brackets_from_api(
    [
        {"notionalFloor": f, "notionalCap": cap, "maintMarginRatio": m, "initialLeverage": lev,
         "cum": c}
        for f, cap, m, lev, c in (
            (0, 10_000, 0.005, 75, 0.0),
            (10_000, 50_000, 0.01, 50, 50.0),
            (50_000, 100_000, 0.015, 40, 300.0),
            (100_000, 500_000, 0.02, 25, 800.0),
            (500_000, 1_000_000, 0.025, 20, 3_300.0),
            (1_000_000, 5_000_000, 0.05, 10, 28_300.0),
            (5_000_000, 10_000_000, 0.1, 5, 278_300.0),
            (10_000_000, 20_000_000, 0.125, 4, 528_300.0),
            (20_000_000, 30_000_000, 0.25, 2, 3_028_300.0),
            (30_000_000, 50_000_000, 0.5, 1, 10_528_300.0),
        )
    ],
    symbol="ADAUSDT",
)
#: The largest ADAUSDT position the recorded table allows (its last ``notionalCap``, USDT).
ADAUSDT_POSITION_LIMIT = 50_000_000.0

#: Bracket tables by symbol, for the ``brackets="BTCUSDT"`` shorthand.
BRACKETS: dict[str, TierTable] = {"BTCUSDT": BTCUSDT_BRACKETS, "ADAUSDT": ADAUSDT_BRACKETS}

#: COIN-M BTCUSD, a 300 BTC position: maintenance margin rate 12.5% (COIN-M FAQ [2]_).
COINM_BTCUSD_300BTC_MMR = 0.125
#: Its maintenance amount in the newer COIN-M FAQ text, 11.605 BTC: the authoritative value (it
#: reproduces Binance's UI calculator on the COIN-M FAQ's [2]_ example).
COINM_BTCUSD_300BTC_CUM = 11.605
#: The named variant: the 2021 text's 11.81 BTC (gives 33,578.86 on the calculator example).
COINM_BTCUSD_300BTC_CUM_2021 = 11.81


def _table(brackets: TierTable | str) -> TierTable:
    if isinstance(brackets, TierTable):
        return brackets
    if isinstance(brackets, str) and brackets in BRACKETS:
        return BRACKETS[brackets]
    raise (ValueError if isinstance(brackets, str) else v.ArgumentTypeError)(
        f"brackets must be a TierTable or one of {sorted(BRACKETS)}, got {brackets!r}"
    )


def _line(mmr: float, cum: float, name_mmr: str, name_cum: str) -> Tier:
    """One bracket line ``N * mmr - cum`` as the API reports it (rate and cum, no floors)."""
    rate = v.one(name_mmr, v.rate(name_mmr, mmr, allow_zero=False))
    amount = v.number(name_cum, cum, "nonneg")
    return Tier(level=1, floor=0.0, cap=np.inf, mmr=rate, max_leverage=1.0 / rate, cum=amount)


def maintenance_amount(
    notional_floor: float, mmr: float, previous_mmr: float, previous_cum: float
) -> float:
    """One step of Binance's maintenance-amount recursion.

    Parameters
    ----------
    notional_floor : float
        Floor of bracket n (USDT, or coins for COIN-M), >= 0.
    mmr, previous_mmr : float
        Maintenance margin rates of brackets n and n-1 (fractions, ``mmr > previous_mmr``).
    previous_cum : float
        Maintenance amount of bracket n-1 (>= 0).

    Returns
    -------
    float
        ``notional_floor * (mmr - previous_mmr) + previous_cum``.

    Raises
    ------
    ValueError
        Negative floor or amount, rates outside (0, 1), or ``mmr <= previous_mmr``; an array
        where a single number is expected (TypeError).

    References
    ----------
    USDⓈ-M FAQ [1]_ and COIN-M FAQ [2]_ (the two printed examples below).

    Examples
    --------
    >>> maintenance_amount(250_000, 0.01, 0.005, 50)       # USDⓈ-M "Level 3"
    1300.0
    >>> round(maintenance_amount(50, 0.05, 0.025, 0.56), 10)   # COIN-M "Level 5", BTC
    1.81
    """
    floor = v.number("notional_floor", notional_floor, "nonneg")
    rate = v.one("mmr", v.rate("mmr", mmr, allow_zero=False))
    prev = v.one("previous_mmr", v.rate("previous_mmr", previous_mmr, allow_zero=False))
    prev_cum = v.number("previous_cum", previous_cum, "nonneg")
    if rate <= prev:
        raise ValueError(f"mmr must exceed previous_mmr={prev!r} (rates rise), got {rate!r}")
    return float(maintenance_amounts([0.0, floor], [prev, rate])[1]) + prev_cum


@v.renames(notional="position_notional")
def bracket(position_notional: float, brackets: TierTable | str = "BTCUSDT") -> Tier:
    """The bracket (rate, cum, max leverage) a position notional falls in.

    Parameters
    ----------
    position_notional : float
        Notional (USDT; coins for COIN-M), >= 0.
    brackets : TierTable or str
        A table, or a symbol in :data:`BRACKETS`.

    Returns
    -------
    Tier

    Raises
    ------
    ValueError
        Negative notional; unknown symbol.

    References
    ----------
    USDⓈ-M FAQ [1]_: "position size … 264,000 USDT, then the maintenance margin rate would be 1%";
    "position size … 500,000 USDT, then the maintenance amount would be 1,300 USDT".

    Examples
    --------
    >>> bracket(264_000).mmr, bracket(500_000).cum
    (0.01, 1300.0)
    """
    return _table(brackets).tier(position_notional)


@v.renames(size="position", price="mark_price", contract_value="contract_size")
def position_notional(
    position: ArrayLike,
    mark_price: ArrayLike,
    *,
    kind: str | ContractKind = LINEAR,
    contract_size: ArrayLike = 1.0,
) -> Any:
    """Notional ``Position * MarkPrice`` (USDⓈ-M) or ``Position * ContractSize / MarkPrice``.

    Delegates to :func:`liqlib.notional`. See :func:`liqlib.notional` for errors.

    References
    ----------
    Funding FAQ [4]_: nominal value is "Mark Price * Size of a Contract (for USDⓈ-Margined
    contracts)" and "Contract Multiplier * Size of a Contract/Mark Price (for Coin-Margined
    contracts)".

    Examples
    --------
    >>> position_notional(100, 25_000, kind="inverse", contract_size=100)
    0.4
    """
    v.positive("contract_size", contract_size)  # checked for linear contracts too, unused there
    return notional(position, mark_price, kind, contract_size)


@v.renames(notional="position_notional")
def maintenance_margin(
    position_notional: ArrayLike,
    *,
    mmr: float | None = None,
    cum: float = 0.0,
    brackets: TierTable | str | None = None,
) -> Any:
    """``Maintenance Margin = Position Notional * MMR - Maintenance Amount`` (cum).

    Parameters
    ----------
    position_notional : float or array
        Notional (USDT, or coins for COIN-M), >= 0.
    mmr, cum : float
        One bracket as the API reports it (give these, or ``brackets``).
    brackets : TierTable or str, optional
        A table (or symbol): each notional uses its own bracket.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Both or neither of ``mmr`` and ``brackets``; rates or amounts out of range; ``cum`` above
        ``position_notional * mmr`` (a negative margin: the notional is below the bracket's
        floor). Arrays: one bad element rejects the call, naming its index.

    References
    ----------
    USDⓈ-M FAQ [1]_ ("Maintenance Margin of BTCUSDT = 71200.81144 (3500032.458 * 2.50% - 16300)")
    and COIN-M FAQ [2]_ ("100 * 100 / 25,000 * 0.4% - 0 = 0.0016 BTC").

    Examples
    --------
    >>> maintenance_margin(3_500_032.458, mmr=0.025, cum=16_300)
    71200.81145
    >>> maintenance_margin(500_000, brackets="BTCUSDT")
    3700.0
    """
    if (mmr is None) == (brackets is None):
        raise ValueError("give exactly one of mmr (with cum) or brackets")
    if brackets is not None:
        return _table(brackets).maintenance_margin(position_notional)
    assert mmr is not None  # narrowed by the check above
    # A bracket's cum holds within its bracket only (notional * mmr >= cum there): below its
    # floor the line gives a negative margin (100 USDT at 1% with cum 5 -> -4).
    return v.nonnegative_margin(
        _line(mmr, cum, "mmr", "cum").maintenance_margin(position_notional),
        "cum must not exceed position_notional * mmr (a bracket's maintenance amount applies "
        "within its bracket)")


@v.renames(size="position", mark_price="price", contract_value="contract_size")
def initial_margin(
    position: ArrayLike,
    price: ArrayLike,
    leverage: ArrayLike,
    *,
    kind: str | ContractKind = LINEAR,
    contract_size: ArrayLike = 1.0,
) -> Any:
    """``Initial Margin = Notional Value / Leverage Level`` (delegates to the core).

    References
    ----------
    Binance, "Leverage & Margin of COIN-M Futures" (mirror
    https://bbapi.viigoo.eu.org/en-NZ/support/faq/be2c7d9d95b04a7e8044ed02dd7dfe5c, read 2026-11):
    "Initial Margin = Notional Value / Leverage Level = [(10*100 USD) / 9,800 USD] / 20 =
    0.0051 BTC".

    Examples
    --------
    >>> round(initial_margin(10, 9_800, 20, kind="inverse", contract_size=100), 6)
    0.005102
    """
    n = position_notional(position, price, kind=kind, contract_size=contract_size)
    return _core_initial_margin(n, leverage)


# --- liquidation price ----------------------------------------------------------------------------


@v.renames(side="side1_both", size="position1_both", entry_price="ep1_both")
def liquidation_price(
    side1_both: ArrayLike,
    position1_both: ArrayLike,
    ep1_both: ArrayLike,
    *,
    wb: ArrayLike,
    tmm1: ArrayLike = 0.0,
    upnl1: ArrayLike = 0.0,
    mmr_b: float | None = None,
    cum_b: float = 0.0,
    brackets: TierTable | str | None = None,
    margin_type: str = "cross",
    kind: str | ContractKind = LINEAR,
    contract_size: ArrayLike = 1.0,
    mark_price: ArrayLike | None = None,
) -> LiquidationResult:
    """Liquidation price of a one-way (BOTH) position, cross or isolated, USDⓈ-M or COIN-M.

    USDⓈ-M, as Binance's FAQ formula with the hedge legs zero:

    ``LP = (WB - TMM1 + UPNL1 + cumB - Side1BOTH*Position1BOTH*EP1BOTH) /
    (Position1BOTH*MMRB - Side1BOTH*Position1BOTH)``

    and COIN-M (our derivation from the COIN-M FAQ's [2]_ definitions, checked on its example):

    ``LP = Position*CS*(MMRB + Side) / (WB - TMM1 + UPNL1 + cumB + Side*Position*CS/EP)``.

    Both are the core's isolated closed form with collateral ``WB - TMM1 + UPNL1`` and maintenance
    ``N*MMR - cum`` evaluated at the liquidation price, so this delegates to
    :func:`liqlib.liquidation_price`.

    Parameters
    ----------
    side1_both : +1, -1 or array
    position1_both : float or array
        Absolute size (> 0): base units (USDⓈ-M) or contracts (COIN-M).
    ep1_both : float or array
        Entry price (> 0).
    wb : float or array
        crossWalletBalance (cross) or isolatedWalletBalance (isolated); USDT or coin.
    tmm1, upnl1 : float or array
        Other contracts' maintenance margin (>= 0) and unrealized PnL; 0 in isolated mode.
    mmr_b, cum_b : float
        The bracket's maintenance margin rate and maintenance amount (give these or
        ``brackets``). The FAQ: re-check the bracket at the answer and recalculate if it differs.
    brackets : TierTable or str, optional
        A bracket table (or a symbol in :data:`BRACKETS`); the bracket is then the one of the
        notional at the liquidation price, found by the FAQ's re-check loop.
    margin_type : {"cross", "isolated"}
        Isolated requires ``tmm1 = upnl1 = 0`` ("If it is an isolated margin mode, then TMM=0,
        UPNL=0").
    kind : {"linear", "inverse"}
        USDⓈ-M or COIN-M.
    contract_size : float
        COIN-M contract size in USD (100 for BTCUSD).
    mark_price : float or array, optional
        Current mark, used only for ``below_maintenance``.

    Returns
    -------
    LiquidationResult
        ``price`` is ``nan`` where no positive price liquidates (Binance's UI shows "--").
        ``tier`` is 1 for a single ``(mmr_b, cum_b)`` line, else the bracket at the price.

    Raises
    ------
    ValueError
        Both or neither of ``mmr_b``/``brackets``; ``margin_type="isolated"`` with non-zero
        ``tmm1``/``upnl1``; negative ``tmm1``; everything :func:`liqlib.liquidation_price`
        rejects (side not +-1, non-positive size or price).

    References
    ----------
    USDⓈ-M FAQ [1]_ (formula, variable table, isolated note, bracket re-check), COIN-M FAQ [2]_.

    Examples
    --------
    The FAQ's cross example (ETHUSDT long beside a BTCUSDT position); the FAQ's result, 1,153.26,
    is recalled but in no text copy of the FAQ [1]_:

    >>> r = liquidation_price(1, 3_683.979, 1_456.84, wb=1_535_443.01, tmm1=71_200.81144,
    ...                       upnl1=-56_354.57, mmr_b=0.10, cum_b=135_365)
    >>> round(r.price, 2)
    1153.26

    COIN-M BTCUSD, 100,000 contracts long at 45,000 with 101 BTC (a user-reported UI value of
    33,599.40), with the newer and the 2021 maintenance amount:

    >>> for cum in (COINM_BTCUSD_300BTC_CUM, COINM_BTCUSD_300BTC_CUM_2021):
    ...     r = liquidation_price(1, 100_000, 45_000, wb=101, mmr_b=0.125, cum_b=cum,
    ...                           kind="inverse", contract_size=100)
    ...     print(round(r.price, 2))
    33599.42
    33578.86
    """
    v.choice("margin_type", margin_type, ("cross", "isolated"))
    tmm = v.nonnegative("tmm1", tmm1)
    upnl = v.as_float("upnl1", upnl1)
    wallet = v.as_float("wb", wb)
    v.shapes(wb=wallet, tmm1=tmm, upnl1=upnl)
    if margin_type == "isolated" and (np.any(tmm != 0) or np.any(upnl != 0)):
        raise ValueError(
            "tmm1 and upnl1 must be 0 in isolated margin mode (Binance: TMM=0, UPNL=0), got "
            f"tmm1={tmm1!r}, upnl1={upnl1!r}"
        )
    if (mmr_b is None) == (brackets is None):
        raise ValueError("give exactly one of mmr_b (with cum_b) or brackets")
    schedule: Tier | TierTable
    if brackets is not None:
        schedule = _table(brackets)
    else:
        assert mmr_b is not None  # narrowed by the check above
        schedule = _line(mmr_b, cum_b, "mmr_b", "cum_b")
    return _core_liquidation_price(
        side1_both,
        position1_both,
        ep1_both,
        collateral=wallet - tmm + upnl,
        mmr=schedule,
        kind=kind,
        contract_value=contract_size,
        mark_price=mark_price,
    )


#: The inputs :func:`hedge_liquidation_price` names when its formula overflows.
_HEDGE_PARTS = dict.fromkeys(("wb", "position1_long", "ep1_long", "position1_short", "ep1_short",
                              "tmm1", "upnl1", "contract_size"))


def hedge_liquidation_price(
    *,
    wb: ArrayLike,
    position1_long: ArrayLike,
    ep1_long: ArrayLike,
    mmr_l: float,
    position1_short: ArrayLike,
    ep1_short: ArrayLike,
    mmr_s: float,
    cum_l: float = 0.0,
    cum_s: float = 0.0,
    tmm1: ArrayLike = 0.0,
    upnl1: ArrayLike = 0.0,
    kind: str | ContractKind = LINEAR,
    contract_size: ArrayLike = 1.0,
) -> Any:
    """Shared cross liquidation price of a hedge-mode LONG and SHORT pair on one symbol.

    USDⓈ-M, Binance's formula with the BOTH leg zero:

    ``LP = (WB - TMM1 + UPNL1 + cumL + cumS - Position1LONG*EP1LONG + Position1SHORT*EP1SHORT) /
    (Position1LONG*MMRL + Position1SHORT*MMRS - Position1LONG + Position1SHORT)``

    COIN-M, our derivation (equity equal to maintenance, both legs in coin):

    ``LP = CS*(QL*(MMRL + 1) + QS*(MMRS - 1)) / (WB - TMM1 + UPNL1 + cumL + cumS + CS*QL/EPL -
    CS*QS/EPS)``.

    The core solves one position at a time, so the two-leg formula is written here; the tests
    check it against :func:`liqlib.account_liquidation_prices`, which moves both legs together.

    Parameters
    ----------
    wb, tmm1, upnl1 : float or array
        crossWalletBalance and the other contracts' maintenance margin and unrealized PnL.
    position1_long, position1_short : float or array
        Absolute leg sizes (>= 0, not both 0).
    ep1_long, ep1_short : float or array
        Leg entry prices (> 0).
    mmr_l, mmr_s, cum_l, cum_s : float
        Each leg's bracket rate and maintenance amount (the bracket of the leg's notional).
    kind : {"linear", "inverse"}
    contract_size : float
        COIN-M contract size (USD).

    Returns
    -------
    float or ndarray
        The price, or ``nan`` where it is not positive and finite (the UI shows "--").

    Raises
    ------
    ValueError
        Negative sizes or both zero, non-positive entry prices, rates outside (0, 1), negative
        ``cum``/``tmm1``; arrays that do not broadcast (:class:`liqlib.core.ShapeError`, naming
        both); inputs whose products overflow a float
        (:class:`liqlib.core.DerivedRangeError`). Arrays: one bad element rejects the call,
        naming its index.

    References
    ----------
    USDⓈ-M FAQ [1]_: "Under the cross margin mode, the same ticker/symbol, both long and short
    position share the same liquidation price".

    Examples
    --------
    2 long at 100 and 1 short at 110 with 20 USDT and 1% on both legs (a net long of 1): equity
    ``x - 70`` meets maintenance ``0.03 x`` at ``70 / 0.97``:

    >>> round(hedge_liquidation_price(wb=20, position1_long=2, ep1_long=100, mmr_l=0.01,
    ...                               position1_short=1, ep1_short=110, mmr_s=0.01), 6)
    72.164948
    """
    k = contract_kind(kind)
    q_l = v.nonnegative("position1_long", position1_long)
    q_s = v.nonnegative("position1_short", position1_short)
    if np.any((q_l == 0) & (q_s == 0)):
        raise ValueError("position1_long and position1_short must not both be 0")
    e_l = v.positive("ep1_long", ep1_long)
    e_s = v.positive("ep1_short", ep1_short)
    m_l = v.one("mmr_l", v.rate("mmr_l", mmr_l, allow_zero=False))
    m_s = v.one("mmr_s", v.rate("mmr_s", mmr_s, allow_zero=False))
    c = v.number("cum_l", cum_l, "nonneg") + v.number("cum_s", cum_s, "nonneg")
    wallet = v.as_float("wb", wb)
    tmm = v.nonnegative("tmm1", tmm1)
    upnl = v.as_float("upnl1", upnl1)
    cs = v.positive("contract_size", contract_size)  # checked for linear too, unused there
    v.shapes(wb=wallet, position1_long=q_l, ep1_long=e_l, position1_short=q_s, ep1_short=e_s,
             tmm1=tmm, upnl1=upnl, contract_size=cs)
    free = wallet - tmm + upnl
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if k is LINEAR:
            num = free + c - q_l * e_l + q_s * e_s
            den = q_l * m_l + q_s * m_s - q_l + q_s
        else:
            num = cs * (q_l * (m_l + 1.0) + q_s * (m_s - 1.0))
            den = free + c + cs * q_l / e_l - cs * q_s / e_s
        lp = num / den
    v.finite_result("the formula's numerator", np.asarray(num), parts=_HEDGE_PARTS)
    v.finite_result("the formula's denominator", np.asarray(den), parts=_HEDGE_PARTS)
    lp = np.asarray(lp, dtype=np.float64)
    lp = np.where((lp > 0) & np.isfinite(lp), lp, np.nan)
    return v.scalar_or_array(lp)


# --- mark price and funding -----------------------------------------------------------------------


def moving_average_basis(
    bid1: ArrayLike, ask1: ArrayLike, price_index: ArrayLike, *, axis: int = -1
) -> Any:
    """``Moving Average (Basis) = sum of [(Bid1_i + Ask1_i)/2 - PI_i] / n`` over the samples.

    Parameters
    ----------
    bid1, ask1, price_index : array
        Samples (> 0) along ``axis``: 30 samples 5 s apart for the 2.5-minute basis in the COIN-M
        text read here; an older copy used 30 one-minute samples, and the 2025-09-18 change uses 30
        one-second samples.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Non-positive prices, a bid above its ask, no samples, samples that do not broadcast
        (:class:`liqlib.core.ShapeError`) or an ``axis`` they do not have.

    References
    ----------
    Mark price FAQ [3]_.

    Examples
    --------
    >>> moving_average_basis([99, 100], [101, 104], [99.5, 101.0])
    0.75
    """
    b = v.positive("bid1", bid1)
    a = v.positive("ask1", ask1)
    pi = v.positive("price_index", price_index)
    shape = v.shapes(bid1=b, ask1=a, price_index=pi)
    ax = v.integer("axis", axis)
    if not shape:
        raise ValueError("bid1, ask1 and price_index must hold samples along an axis, got single "
                         "numbers")
    if not -len(shape) <= ax < len(shape):
        raise ValueError(f"axis must name an axis of the samples, of shape {shape}, got {axis!r}")
    if np.any(b > a):
        raise ValueError("bid1 must not exceed ask1 at any sample")
    basis = np.asarray((b + a) / 2.0 - pi)
    if basis.shape[ax] == 0:
        raise ValueError(f"need at least one sample along axis {axis}")
    return v.scalar_or_array(basis.mean(axis=axis))


@v.renames(index="price_index", basis_average="moving_average_basis", last_price="contract_price")
def mark_price(
    price_index: ArrayLike,
    last_funding_rate: ArrayLike,
    time_until_funding: ArrayLike,
    moving_average_basis: ArrayLike,
    contract_price: ArrayLike,
    *,
    funding_interval: float = 8.0,
) -> Any:
    """``Mark Price = Median(Price 1, Price 2, Contract Price)`` (perpetuals).

    ``Price 1 = Price Index * (1 + Last Funding Rate * (Time Until Funding / 8))`` and
    ``Price 2 = Price Index + Moving Average (Basis)``. Delegates to
    :func:`liqlib.prices.mark.median_mark_price` (which takes seconds; Binance's text uses hours).

    Parameters
    ----------
    price_index : float or array
        Price index (> 0).
    last_funding_rate : float or array
        Last funding rate per interval (fraction, may be negative).
    time_until_funding : float or array
        Hours until the next funding, in ``[0, funding_interval]``.
    moving_average_basis : float or array
        See :func:`moving_average_basis` (quote currency).
    contract_price : float or array
        Last traded price of the contract (> 0).
    funding_interval : float
        Funding interval in hours (8 in the FAQ).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Non-positive prices; ``time_until_funding`` outside ``[0, funding_interval]``.

    References
    ----------
    Mark price FAQ [3]_ (COIN-M text). The USDⓈ-M page names the same inputs but its exact median
    was not retrieved.

    Examples
    --------
    Price 1 = 100 * (1 + 0.0001 * 4/8) = 100.005, Price 2 = 100.2, last 99.9:

    >>> round(mark_price(100, 0.0001, 4, 0.2, 99.9), 6)
    100.005
    """
    interval = v.number("funding_interval", funding_interval, "pos")
    tau = v.nonnegative("time_until_funding", time_until_funding)
    if np.any(tau > interval):
        raise ValueError(
            f"time_until_funding must be in [0, {interval!r}] hours, got {time_until_funding!r}"
        )
    return _mark.median_mark_price(
        price_index,
        last_funding_rate,
        tau * _averages.HOUR,
        moving_average_basis,
        contract_price,
        funding_interval=interval * _averages.HOUR,
    ).price


@v.renames(impact_bid="impact_bid_price", impact_ask="impact_ask_price", index="price_index")
def premium_index(
    impact_bid_price: ArrayLike, impact_ask_price: ArrayLike, price_index: ArrayLike
) -> Any:
    """``P = [Max(0, Impact Bid Price - Price Index) - Max(0, Price Index - Impact Ask Price)] /
    Price Index``. Delegates to :func:`liqlib.prices.funding.premium_index`.

    Raises
    ------
    ValueError
        Non-positive prices or an impact bid above the impact ask.

    References
    ----------
    Funding FAQ [4]_ (the formula as reproduced by Binance-derived pages).

    Examples
    --------
    >>> premium_index(30_030, 30_060, 30_000)
    0.001
    """
    return _funding.premium_index(impact_bid_price, impact_ask_price, price_index)


def average_premium_index(premium_indices: ArrayLike, *, axis: int = -1) -> Any:
    """``(1*P_1 + 2*P_2 + ... + n*P_n) / (1 + 2 + ... + n)``: 5,760 five-second samples per 8 h.

    Delegates to :func:`liqlib.prices.averages.linearly_weighted_average`.

    References
    ----------
    Funding FAQ [4]_ ("time-weighted average"); the linear weights are as the FAQ's formula is
    reproduced by users checking it against the API [3P: https://dev.binance.vision/t/22575 and a
    TradingView script citing FAQ 360033525031, read 2026-11-24].

    Examples
    --------
    >>> round(average_premium_index([0.0001, 0.0002, 0.0004]), 10)
    0.0002833333
    """
    return _averages.linearly_weighted_average(premium_indices, axis=axis)


def funding_rate(
    average_premium_index: ArrayLike,
    interest_rate: ArrayLike = 0.0001,
    *,
    clamp: float = 0.0005,
    funding_interval: float = 8.0,
    cap: float | None = None,
) -> Any:
    """``F = [P + clamp(I - P, 0.05%, -0.05%)] / (8 / N)``, optionally capped per symbol.

    The 8 h rate is :func:`liqlib.prices.funding.funding_rate`; this scales it to the interval and
    caps it.

    Parameters
    ----------
    average_premium_index : float or array
        P, per 8 h (fraction).
    interest_rate : float or array
        I per 8 h: 0.01% (0.03% a day); 0 for some symbols such as BNBUSDT.
    clamp : float
        The dampener, 0.05%.
    funding_interval : float
        N, hours between fundings; 8 gives the classic 8 h rate (2025-09-18 formula, [3P]
        translation of Binance's announcement at https://cryptozen.asia/ph/binance-nag-aadjust-ng-formula-sa-pagkalkula-ng-funding-rate-at-mark-price).
    cap : float, optional
        Per-symbol cap and floor ``+-cap`` (e.g. 0.03 for OGNUSDT in 2023); the general cap rule
        was not confirmed on a Binance page.

    Returns
    -------
    float or ndarray
        Funding rate per interval (fraction); positive: longs pay shorts.

    Raises
    ------
    ValueError
        Negative ``clamp`` or ``cap``; non-positive ``funding_interval``.

    References
    ----------
    Funding FAQ [4]_; the clamp line as quoted by Binance-derived pages [3P: gate.io,
    docs.ebi.xyz].

    Examples
    --------
    >>> funding_rate(0.0003)                 # |I - P| = 0.02% < 0.05%: F = I
    0.0001
    >>> round(funding_rate(0.0012), 10)      # F = P - 0.05%
    0.0007
    """
    interval = v.number("funding_interval", funding_interval, "pos")
    with v.renamed(premium="average_premium_index", interest="interest_rate"):
        per_8h = _funding.funding_rate(average_premium_index, interest_rate, clamp)
    f = np.asarray(per_8h) / (8.0 / interval)
    if cap is not None:
        c = v.number("cap", cap, "nonneg")
        f = np.clip(f, -c, c)
    return v.scalar_or_array(np.asarray(f))


def impact_margin_notional(initial_margin_rate: ArrayLike, *, margin: float = 200.0) -> Any:
    """``IMN = 200 USDT / initial margin rate at maximum leverage``.

    Delegates to :func:`liqlib.prices.funding.impact_notional`.

    References
    ----------
    Funding FAQ [4]_ as paraphrased by mirrors: "BNBUSDT … 20x … 5% … IMN is 4,000 USDT
    (200 USDT / 5%)".

    Examples
    --------
    >>> impact_margin_notional(0.05)
    4000.0
    """
    return _funding.impact_notional(margin, initial_margin_rate)


@v.renames(
    size="position", price="mark_price", rate="funding_rate", contract_value="contract_size",
)
def funding_fee(
    side: ArrayLike,
    position: ArrayLike,
    mark_price: ArrayLike,
    funding_rate: ArrayLike,
    *,
    kind: str | ContractKind = LINEAR,
    contract_size: ArrayLike = 1.0,
) -> Any:
    """``Funding Amount = Nominal Value of Positions * Funding Rate``, paid by the position.

    Delegates to :func:`liqlib.prices.funding.funding_payment` (nominal value at the mark price).

    Returns
    -------
    float or ndarray
        ``side * nominal * rate``: positive when the position pays (a long at a positive rate),
        negative when it receives. USDT for USDⓈ-M, coin for COIN-M.

    References
    ----------
    Funding FAQ [4]_.

    Examples
    --------
    >>> funding_fee(1, 2, 30_000, 0.0001)
    6.0
    """
    return _funding.funding_payment(side, position, mark_price, funding_rate, kind, contract_size)


# --- auto-deleveraging ----------------------------------------------------------------------------


@v.renames(upnl="unrealized_pnl", maintenance="maintenance_margin")
def leverage_pnl(
    unrealized_pnl: ArrayLike, wallet_balance: ArrayLike, maintenance_margin: ArrayLike
) -> Any:
    """ADL score ``LeveragePnl = PnlPct * MarginRatio``.

    ``PnlPct = max(0, uPnL) / max(1, WB)`` and ``MarginRatio = MM / (WB + uPnL)`` when
    ``WB + uPnL > 0`` (else 0). Higher scores are deleveraged first. Delegates to
    :func:`liqlib.engine.adl.binance_score`.

    Parameters
    ----------
    unrealized_pnl : float or array
    wallet_balance : float or array
    maintenance_margin : float or array
        (>= 0)

    Returns
    -------
    float or ndarray

    References
    ----------
    ADL page [5]_: "The precise rank is known as 'LeveragePnL', which is defined as unrealized
    PnL/collateral multiplied by the margin ratio". The exact formula at the bottom of the page
    was not retrieved; the max(...) guards are as a user on dev.binance.vision quotes it [3P].

    Examples
    --------
    >>> round(leverage_pnl(500, 1_000, 150), 6)      # 0.5 * 150/1500
    0.05
    """
    return _adl.binance_score(unrealized_pnl, wallet_balance, maintenance_margin)


def adl_ranking(scores: ArrayLike) -> np.ndarray:
    """Indices of positions in ADL order: highest :func:`leverage_pnl` first (ties by index).

    Delegates to :func:`liqlib.engine.adl.adl_queue`.

    Examples
    --------
    >>> adl_ranking([0.01, 0.3, 0.2]).tolist()
    [1, 2, 0]
    """
    return _adl.adl_queue(scores)
