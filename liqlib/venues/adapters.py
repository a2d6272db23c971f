"""The :class:`~liqlib.venues.interface.Venue` interface over each venue's documented formulas.

One adapter class per venue. Each fixes the venue's rules at construction (with the venue's own
published defaults, named in the signature) and turns the common arguments (``side``, ``size``,
``entry_price``, ``leverage`` or ``margin``) into the call of the venue-named function, which stays
the cited formula. Nothing is recomputed here that a venue module already computes; the tests check
each adapter against the venue function on the venues' published examples
(``tests/test_venue_interface.py``).

Examples
--------
The same position, 1 BTC long at 100,000 with 20x, under each venue's rules:

>>> from liqlib.venues import VENUES, get
>>> for name in VENUES:
...     venue = get(name)
...     size = 1.0 if venue.kind.value == "linear" else 100_000.0   # 1 USD inverse contracts
...     print(f"{name:<12}{venue.liquidation_price(+1, size, 100_000, leverage=20).price:,.2f}")
binance     95,427.14
bybit       95,500.00
bitmex      95,762.51
okx         95,525.39
dydx        97,938.14
hyperliquid 96,202.53
deribit     96,195.43
gmx         96,060.00
synthetix   96,938.82
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.contracts import INVERSE, LINEAR, ContractKind
from ..core.liquidation import LiquidationResult
from ..core.liquidation import bankruptcy_price as _core_bankruptcy_price
from ..core.tiers import TierTable
from . import binance as _binance
from . import bitmex as _bitmex
from . import bybit as _bybit
from . import deribit as _deribit
from . import dydx as _dydx
from . import gmx as _gmx
from . import hyperliquid as _hyperliquid
from . import okx as _okx
from . import synthetix as _synthetix
from .interface import VenueBase

__all__ = [
    "Binance", "BitMEX", "Bybit", "Deribit", "DYDX", "GMX", "Hyperliquid", "OKX", "Synthetix",
]


def _flat_or_table(name: str, mmr: float | None, tiers: Any) -> None:
    if (mmr is None) == (tiers is None):
        raise ValueError(f"{name}: give exactly one of mmr (a flat rate) or tiers (a table)")
    if mmr is not None:
        v.rate("mmr", mmr, allow_zero=False)


def _no_table(size: ArrayLike, price: ArrayLike) -> Any:
    """No published leverage table: ``inf`` (a leverage at or above ``1 / mmr`` is refused by
    :meth:`~liqlib.venues.interface.VenueBase.liquidation_price` as below maintenance at entry)."""
    shape = np.broadcast(np.asarray(size), np.asarray(price)).shape
    return v.scalar_or_array(np.full(shape, np.inf))


class Binance(VenueBase):
    """Binance USDⓈ-M (linear) and COIN-M (inverse) futures, isolated margin.

    Parameters
    ----------
    tiers : TierTable or str, default "BTCUSDT"
        A leverage-bracket table (or the name of a published USDⓈ-M one); ignored when ``mmr`` is
        given. With ``kind="inverse"`` give ``mmr`` or a COIN-M table.
    mmr : float, optional
        One bracket's maintenance margin rate instead of a table (with ``maintenance_amount``,
        Binance's ``cum``).
    maintenance_amount : float
        The bracket's maintenance amount (``cum``), with ``mmr`` only.
    kind, contract_size
        ``"linear"`` (default) or ``"inverse"`` (COIN-M; ``contract_size`` 100 USD for BTCUSD).

    References
    ----------
    :func:`liqlib.venues.binance.liquidation_price`; sources in
    :data:`liqlib.venues.sources.SOURCES` ``["binance"]``.
    """

    name = "binance"
    formula_names = {"max_leverage": "bracket"}
    convention = "maintenance at the liquidation price, bracket looked up there; no fee"

    def __init__(
        self,
        *,
        tiers: TierTable | str | None = "BTCUSDT",
        mmr: float | None = None,
        maintenance_amount: float = 0.0,
        kind: str | ContractKind = LINEAR,
        contract_size: float = 1.0,
    ) -> None:
        super().__init__(kind=kind, contract_size=contract_size)
        if mmr is not None:
            tiers = None
        _flat_or_table(self.name, mmr, tiers)
        self.tiers = _binance.BRACKETS.get(tiers, tiers) if isinstance(tiers, str) else tiers
        if isinstance(tiers, str) and tiers not in _binance.BRACKETS:
            raise ValueError(f"tiers must be one of {sorted(_binance.BRACKETS)}, got {tiers!r}")
        if self.kind is INVERSE and isinstance(tiers, str):
            # the published tables are USDⓈ-M brackets in USDT; a COIN-M position is in coin
            raise ValueError(
                f"tiers {tiers!r} is a USDⓈ-M (linear) table: for kind='inverse' (COIN-M) give "
                "mmr and maintenance_amount, or a COIN-M TierTable"
            )
        self.mmr = mmr
        self.maintenance_amount = v.number("maintenance_amount", maintenance_amount, "nonneg")

    def _line(self) -> dict[str, Any]:
        if self.mmr is None:
            return {"brackets": self.tiers}
        return {"mmr_b": self.mmr, "cum_b": self.maintenance_amount}

    def rules(self) -> dict[str, Any]:
        table = self.tiers.name if isinstance(self.tiers, TierTable) else None
        out = {"tiers": table} if self.mmr is None else {
            "mmr": self.mmr, "maintenance_amount": self.maintenance_amount}
        return {**out, **super().rules()}

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        if self.mmr is not None:
            return _no_table(size, price)
        assert isinstance(self.tiers, TierTable)
        return self.tiers.max_leverage(self.notional(size, price))

    def initial_margin(self, size: ArrayLike, price: ArrayLike, *, leverage: ArrayLike) -> Any:
        super().initial_margin(size, price, leverage=leverage)  # checks the bracket's cap
        return _binance.initial_margin(
            size, price, leverage, kind=self.kind, contract_size=self.contract_size
        )

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        value = self.notional(size, price)
        if self.mmr is None:
            return _binance.maintenance_margin(value, brackets=self.tiers)
        return _binance.maintenance_margin(value, mmr=self.mmr, cum=self.maintenance_amount)

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        return _binance.liquidation_price(
            side, size, entry_price, wb=margin, margin_type="isolated", kind=self.kind,
            contract_size=self.contract_size, **self._line(),
        )


class Bybit(VenueBase):
    """Bybit USDT (linear) and inverse contracts, isolated margin.

    Parameters
    ----------
    mmr : float, default 0.005
        Maintenance margin rate of the position's risk-limit tier (0.5%: BTCUSDT's first tier,
        the rate of Bybit's worked examples); ignored when ``tiers`` is given.
    maintenance_amount : float
        The tier's "Maintenance Margin Deduction", with ``mmr``.
    tiers : TierTable, optional
        A risk-limit table (:func:`liqlib.venues.bybit.risk_limit_tiers`), tier at entry.
    kind, contract_size
        ``"linear"`` (default) or ``"inverse"`` (1 USD contracts).
    taker_fee_rate : float
        Inverse only, the 2024 formula excepted: the closing fee the 2026 formula nets out.
    tick_size : float, optional
        Round prices as Bybit displays them (a long's up, a short's down).
    inverse_formula : {"2026", "2024"}
        Inverse isolated formula: the current page's (maintenance at the liquidation price, the
        default) or the 2024 copy's (maintenance at entry), a named variant.

    References
    ----------
    :func:`liqlib.venues.bybit.liquidation_price`,
    :func:`liqlib.venues.bybit.inverse_liquidation_price`,
    :func:`liqlib.venues.bybit.inverse_liquidation_price_2024`.
    """

    name = "bybit"
    convention = "maintenance at the entry price (linear); no fee"

    def __init__(
        self,
        *,
        mmr: float | None = 0.005,
        maintenance_amount: float = 0.0,
        tiers: TierTable | None = None,
        kind: str | ContractKind = LINEAR,
        contract_size: float = 1.0,
        taker_fee_rate: float = 0.0,
        tick_size: float | None = None,
        inverse_formula: str = "2026",
    ) -> None:
        super().__init__(kind=kind, contract_size=contract_size)
        if tiers is not None:
            if not isinstance(tiers, TierTable):
                raise ValueError(
                    "tiers must be a TierTable (bybit.risk_limit_tiers builds one; no Bybit table "
                    f"is published in the library by name), got {tiers!r}"
                )
            mmr = None
        _flat_or_table(self.name, mmr, tiers)
        if self.kind is INVERSE and contract_size != 1.0:
            raise ValueError(
                f"contract_size must be 1 (Bybit's 1 USD contracts), got {contract_size!r}"
            )
        self.mmr, self.tiers = mmr, tiers
        self.maintenance_amount = v.number("maintenance_amount", maintenance_amount, "nonneg")
        self.taker_fee_rate = v.one("taker_fee_rate", v.rate("taker_fee_rate", taker_fee_rate))
        self.tick_size = None if tick_size is None else v.number("tick_size", tick_size, "pos")
        self.inverse_formula = v.choice("inverse_formula", inverse_formula, ("2026", "2024"))
        if self.kind is INVERSE:
            self.convention = (
                "inverse: maintenance at the liquidation price, closing fee netted out"
                if self.inverse_formula == "2026"
                else "inverse (2024 text): maintenance at entry"
            )

    def formula(self, entry_point: str) -> Any:
        if self.kind is INVERSE:
            inverse = {
                "liquidation_price": "inverse_liquidation_price"
                + ("_2024" if self.inverse_formula == "2024" else ""),
                "pnl": "inverse_unrealized_pnl",
                "roe": "inverse_unrealized_pnl",
                "initial_margin": "inverse_initial_margin",
            }
            if entry_point in inverse:
                return getattr(_bybit, inverse[entry_point])
        if entry_point == "max_leverage":
            return _bybit.risk_limit_tiers
        return super().formula(entry_point)

    def rules(self) -> dict[str, Any]:
        out: dict[str, Any] = (
            {"tiers": self.tiers.name} if self.tiers is not None
            else {"mmr": self.mmr, "maintenance_amount": self.maintenance_amount}
        )
        if self.kind is INVERSE:
            out.update(taker_fee_rate=self.taker_fee_rate, inverse_formula=self.inverse_formula)
        return {**out, "tick_size": self.tick_size, **super().rules()}

    def _rate(self) -> dict[str, Any]:
        if self.tiers is not None:
            return {"risk_limits": self.tiers}
        return {"mmr": self.mmr, "mm_deduction": self.maintenance_amount}

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        if self.tiers is None:
            assert self.mmr is not None
            return _no_table(size, price)
        return self.tiers.max_leverage(self.notional(size, price))

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        return _bybit.maintenance_margin(self.notional(size, price), **self._rate())

    def initial_margin(self, size: ArrayLike, price: ArrayLike, *, leverage: ArrayLike) -> Any:
        value = super().initial_margin(size, price, leverage=leverage)  # checks the cap
        if self.kind is INVERSE:
            return _bybit.inverse_initial_margin(size, price, leverage)
        return value

    def _leverage(self, size: ArrayLike, entry_price: ArrayLike, margin: Any) -> Any:
        # Bybit's inverse formulas take the leverage: the one whose initial margin is ``margin``
        return v.scalar_or_array(np.asarray(self.notional(size, entry_price)) / np.asarray(margin))

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        common = {**self._rate(), "tick_size": self.tick_size}
        if self.kind is LINEAR:
            return _bybit.liquidation_price(
                side, size, entry_price, initial_margin=margin, **common
            )
        lev = leverage if leverage is not None else self._leverage(size, entry_price, margin)
        if self.inverse_formula == "2024":
            return _bybit.inverse_liquidation_price_2024(
                side, size, entry_price, leverage=lev, **common
            )
        return _bybit.inverse_liquidation_price(
            side, size, entry_price, leverage=lev, taker_fee_rate=self.taker_fee_rate, **common
        )

    def bankruptcy_price(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> Any:
        """Bybit's bankruptcy price, ``EP (1 -/+ 1/leverage)`` (reciprocal for inverse)."""
        posted = self.posted_margin(size, entry_price, leverage=leverage, margin=margin)
        lev = leverage if leverage is not None else self._leverage(size, entry_price, posted)
        return _bybit.bankruptcy_price(
            side, entry_price, lev, kind=self.kind, tick_size=self.tick_size
        )

    def pnl(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, price: ArrayLike
    ) -> Any:
        if self.kind is INVERSE:
            return _bybit.inverse_unrealized_pnl(side, size, entry_price, price)
        return super().pnl(side, size, entry_price, price)


class OKX(VenueBase):
    """OKX perpetual swaps, isolated margin: the margin ratio falls to 100%.

    Parameters
    ----------
    mmr : float, default 0.005
        Flat maintenance margin ratio (BTC-USDT-SWAP's first tier as the book uses it); ignored
        when ``tiers`` is given.
    tiers : PositionTiers or str, optional
        A position-tier table by contracts (``"BTC-USD-SWAP-2019"``, ``"1INCH-USDT-SWAP"``). Its
        contract counts are the table's: use it with the instrument's ``contract_size``.
    taker_fee_rate : float, default 0.0005
        The fee rate OKX adds to the maintenance ratio in the trigger (0.05%, the base taker rate).
    kind, contract_size
        ``"linear"`` (default; sizes in base units) or ``"inverse"`` (coin-margined; contracts of
        ``contract_size`` USD, 100 for BTC-USD-SWAP).

    References
    ----------
    :func:`liqlib.venues.okx.liquidation_price`, :func:`liqlib.venues.okx.maintenance_margin`.
    """

    name = "okx"
    formula_names = {"max_leverage": "tier_lookup"}
    convention = "taker fee rate added to the maintenance ratio; tier by contract count"

    def __init__(
        self,
        *,
        mmr: float | None = 0.005,
        tiers: Any = None,
        taker_fee_rate: float = 0.0005,
        kind: str | ContractKind = LINEAR,
        contract_size: float = 1.0,
    ) -> None:
        super().__init__(kind=kind, contract_size=contract_size)
        if tiers is not None:
            mmr = None
        _flat_or_table(self.name, mmr, tiers)
        if isinstance(tiers, str) and tiers not in _okx.TIERS:
            raise ValueError(f"tiers must be one of {sorted(_okx.TIERS)}, got {tiers!r}")
        self.mmr = mmr
        self.tiers = _okx.TIERS[tiers] if isinstance(tiers, str) else tiers
        self.taker_fee_rate = v.one("taker_fee_rate", v.rate("taker_fee_rate", taker_fee_rate))

    def rules(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mmr": self.mmr} if self.tiers is None else {
            "tiers": self.tiers.inst_id}
        return {**out, "taker_fee_rate": self.taker_fee_rate, **super().rules()}

    def _rate(self) -> dict[str, Any]:
        return {"mmr": self.mmr} if self.tiers is None else {"tiers": self.tiers}

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        if self.tiers is None:
            assert self.mmr is not None
            return _no_table(size, price)
        return self.tiers.max_leverage(size)

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        return _okx.maintenance_margin(
            size, self.contract_size, price, kind=self.kind, **self._rate()
        )

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        return _okx.liquidation_price(
            side, size, entry_price, margin=margin, ct_val=self.contract_size,
            fee_rate=self.taker_fee_rate, kind=self.kind, **self._rate(),
        )


class Hyperliquid(VenueBase):
    """Hyperliquid perpetuals (linear, USDC), isolated margin.

    Parameters
    ----------
    tiers : TierTable or str, default "BTC"
        Margin tiers (``"BTC"``, ``"ETH"``, ``"SOL"``, ``"XRP"`` or a table); ignored when
        ``max_leverage`` is given.
    max_leverage : float, optional
        The asset's maximum leverage; the maintenance rate is ``1 / (2 max_leverage)``.
    mmr : float, optional
        The maintenance rate instead: ``max_leverage = 1 / (2 mmr)``.

    References
    ----------
    :func:`liqlib.venues.hyperliquid.liquidation_price`,
    :func:`liqlib.venues.hyperliquid.maintenance_margin`.
    """

    name = "hyperliquid"
    formula_names = {"max_leverage": "margin_tiers"}
    kinds = (LINEAR,)
    convention = "maintenance at the liquidation price, rate 1/(2 x max leverage); no fee"

    def __init__(
        self,
        *,
        tiers: TierTable | str | None = "BTC",
        max_leverage: float | None = None,
        mmr: float | None = None,
        kind: str | ContractKind = LINEAR,
    ) -> None:
        super().__init__(kind=kind)
        if mmr is not None:
            if max_leverage is not None:
                raise ValueError("hyperliquid: give max_leverage or mmr, not both")
            max_leverage = 0.5 / v.one("mmr", v.rate("mmr", mmr, allow_zero=False))
        if max_leverage is not None:
            tiers = None
            v.positive("max_leverage", max_leverage)
        elif tiers is None:
            raise ValueError("hyperliquid: give tiers or max_leverage")
        if isinstance(tiers, str) and tiers not in _hyperliquid.MARGIN_TIERS:
            raise ValueError(
                f"tiers must be one of {sorted(_hyperliquid.MARGIN_TIERS)}, got {tiers!r}"
            )
        self.tiers = _hyperliquid.MARGIN_TIERS[tiers] if isinstance(tiers, str) else tiers
        self.asset_max_leverage = None if max_leverage is None else float(max_leverage)

    def rules(self) -> dict[str, Any]:
        out: dict[str, Any] = (
            {"tiers": self.tiers.name} if self.tiers is not None
            else {"max_leverage": self.asset_max_leverage}
        )
        return {**out, **super().rules()}

    def _schedule(self) -> dict[str, Any]:
        if self.tiers is not None:
            return {"tiers": self.tiers}
        return {"max_leverage": self.asset_max_leverage}

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        if self.tiers is not None:
            return self.tiers.max_leverage(self.notional(size, price))
        shape = np.broadcast(np.asarray(size), np.asarray(price)).shape
        return v.scalar_or_array(np.full(shape, self.asset_max_leverage))

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        return _hyperliquid.maintenance_margin(self.notional(size, price), **self._schedule())

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        # Hyperliquid's formula takes the margin *available*: isolated margin minus the
        # maintenance margin at the current (here: entry) price.
        available = np.asarray(margin) - np.asarray(self.maintenance_margin(size, entry_price))
        return _hyperliquid.liquidation_price(
            entry_price, side, size, v.scalar_or_array(available), **self._schedule()
        )


class BitMEX(VenueBase):
    """BitMEX perpetuals, isolated margin (XBTUSD: inverse, 1 USD contracts, by default).

    Parameters
    ----------
    mmr : float, default 0.005
        Maintenance margin rate (XBTUSD's base 0.5%).
    taker_fee_rate : float, default 0.00075
        Taker fee rate reserved in the maintenance requirement (XBTUSD's 0.075%).
    funding_rate : float, default 0.0
        Funding rate due at the next interval, reserved in the requirement when it is a cost.
    kind, contract_size
        ``"inverse"`` (default, XBTUSD) or ``"linear"``.

    References
    ----------
    :func:`liqlib.venues.bitmex.liquidation_price`, :func:`liqlib.venues.bitmex.bankruptcy_price`.
    """

    name = "bitmex"
    formula_names = {"maintenance_margin": "maintenance_rate"}
    convention = "inverse; taker fee and funding due added to maintenance, all at entry value"

    def __init__(
        self,
        *,
        mmr: float = _bitmex.XBTUSD_MAINT_MARGIN,
        taker_fee_rate: float = _bitmex.XBTUSD_TAKER_FEE,
        funding_rate: float = 0.0,
        kind: str | ContractKind = INVERSE,
        contract_size: float = 1.0,
    ) -> None:
        super().__init__(kind=kind, contract_size=contract_size)
        self.mmr = v.one("mmr", v.rate("mmr", mmr, allow_zero=False))
        self.taker_fee_rate = v.one("taker_fee_rate", v.rate("taker_fee_rate", taker_fee_rate))
        self.funding_rate = v.number("funding_rate", funding_rate)

    def rules(self) -> dict[str, Any]:
        return {"mmr": self.mmr, "taker_fee_rate": self.taker_fee_rate,
                "funding_rate": self.funding_rate, **super().rules()}

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        return _no_table(size, price)

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        """Base maintenance margin ``mmr x value`` (without the fee and funding reserve)."""
        return v.scalar_or_array(self.mmr * np.asarray(self.notional(size, price)))

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        return _bitmex.liquidation_price(
            side, size, entry_price, collateral=margin, maint_margin=self.mmr,
            taker_fee=self.taker_fee_rate, funding_rate=self.funding_rate, kind=self.kind,
            contract_value=self.contract_size,
        )

    def bankruptcy_price(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> Any:
        """BitMEX's bankruptcy price (XBTUSD long: ``EP L / (L + 1)``)."""
        posted = self.posted_margin(size, entry_price, leverage=leverage, margin=margin)
        return _bitmex.bankruptcy_price(
            side, size, entry_price, collateral=posted, kind=self.kind,
            contract_value=self.contract_size,
        )


class DYDX(VenueBase):
    """dYdX v4 perpetuals (linear, USDC), one position's isolated liquidation price.

    The docs' float formula (:func:`liqlib.venues.dydx.liquidation_price`); the protocol's exact
    integer arithmetic is in :mod:`liqlib.venues.dydx` (quantums; see its converters
    :func:`~liqlib.venues.dydx.usd_to_price`, :func:`~liqlib.venues.dydx.size_to_quantums`).

    Parameters
    ----------
    mmr : float, default 0.03
        Maintenance margin fraction (the Large-Cap tier's 3%).
    imr : float, default 0.05
        Initial margin fraction (Large-Cap 5%): the maximum leverage is ``1 / imr``.
    """

    name = "dydx"
    formula_names = {
        "maintenance_margin": "margin_requirements",
        "max_leverage": "margin_requirements",
    }
    kinds = (LINEAR,)
    convention = "maintenance at the liquidation (oracle) price; no fee"

    def __init__(
        self, *, mmr: float = 0.03, imr: float = 0.05, kind: str | ContractKind = LINEAR
    ) -> None:
        super().__init__(kind=kind)
        self.mmr = v.one("mmr", v.rate("mmr", mmr, allow_zero=False))
        self.imr = v.one("imr", v.rate("imr", imr, allow_zero=False))
        if self.mmr >= self.imr:
            raise ValueError(
                f"mmr must be below the initial margin fraction imr={self.imr!r}, got "
                f"{self.mmr!r} (give a larger imr with it)"
            )

    def rules(self) -> dict[str, Any]:
        return {"mmr": self.mmr, "imr": self.imr, **super().rules()}

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        shape = np.broadcast(np.asarray(size), np.asarray(price)).shape
        return v.scalar_or_array(np.full(shape, 1.0 / self.imr))

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        return v.scalar_or_array(self.mmr * np.asarray(self.notional(size, price)))

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        s = np.asarray(side, dtype=float) * np.asarray(size, dtype=float)
        price = np.asarray(_dydx.liquidation_price(margin, s, entry_price, self.mmr))
        bankrupt = _core_bankruptcy_price(side, size, entry_price, collateral=margin)
        liquidatable = np.isfinite(price)
        below = np.asarray(margin) <= np.asarray(self.maintenance_margin(size, entry_price))
        return LiquidationResult(
            price=v.scalar_or_array(price),
            bankruptcy_price=bankrupt,
            tier=v.scalar_or_array(liquidatable.astype(int)),
            iterations=1,
            liquidatable=v.scalar_or_array(liquidatable),
            below_maintenance=v.scalar_or_array(below),
        )


class Deribit(VenueBase):
    """Deribit futures and perpetuals (inverse by default), size-dependent margin rates.

    Parameters
    ----------
    currency : {"BTC", "ETH"}
        The rates' currency.
    version : {"2022-01-11", "before-2022-01-11"}
        The margin schedule: the one in force since 11 January 2022 (default) or the one before.
    mmr : float, optional
        A flat maintenance rate replacing the size-dependent one (to compare conventions alone);
        the initial rate, and so the maximum leverage, stays the schedule's.
    kind, contract_size
        ``"inverse"`` (default; contracts of ``contract_size`` USD, 10 on BTC-PERPETUAL) or
        ``"linear"``.

    References
    ----------
    :func:`liqlib.venues.deribit.futures_liquidation_price`,
    :func:`liqlib.venues.deribit.futures_margin_rate`.
    """

    name = "deribit"
    formula_names = {
        "liquidation_price": "futures_liquidation_price",
        "bankruptcy_price": "futures_liquidation_price",
        "maintenance_margin": "futures_margin_rate",
        "max_leverage": "futures_margin_rate",
    }
    convention = "inverse; maintenance rate grows with the size in coin, at the liquidation price"

    def __init__(
        self,
        *,
        currency: str = "BTC",
        version: str = "2022-01-11",
        mmr: float | None = None,
        kind: str | ContractKind = INVERSE,
        contract_size: float = 1.0,
    ) -> None:
        super().__init__(kind=kind, contract_size=contract_size)
        _deribit.futures_margin_rate(0.0, currency, "maintenance", version)  # validates both
        self.currency, self.version = currency, version
        self.mmr = None if mmr is None else v.one("mmr", v.rate("mmr", mmr, allow_zero=False))

    def rules(self) -> dict[str, Any]:
        out: dict[str, Any] = {"currency": self.currency, "version": self.version}
        if self.mmr is not None:
            out["mmr"] = self.mmr
        return {**out, **super().rules()}

    def _rates(self) -> tuple[float, float] | None:
        return None if self.mmr is None else (self.mmr, 0.0)

    def _coins(self, size: ArrayLike, price: ArrayLike) -> Any:
        """Position size in coin, the unit of Deribit's rates."""
        return size if self.kind is LINEAR else self.notional(size, price)

    def _rate(self, size: ArrayLike, price: ArrayLike, margin: str) -> Any:
        rates = self._rates() if margin == "maintenance" else None
        return _deribit.futures_margin_rate(
            self._coins(size, price), self.currency, margin, self.version, rates=rates
        )

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        return v.scalar_or_array(1.0 / np.asarray(self._rate(size, price, "initial")))

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        rate = np.asarray(self._rate(size, price, "maintenance"))
        return v.scalar_or_array(rate * np.asarray(self.notional(size, price)))

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        return _deribit.futures_liquidation_price(
            side, size, entry_price, collateral=margin, currency=self.currency,
            version=self.version, kind=self.kind, contract_value=self.contract_size,
            rates=self._rates(),
        )


class GMX(VenueBase):
    """GMX v2 (synthetics) perpetuals, linear, priced by oracle: one isolated position.

    ``size`` is ``sizeInTokens``, ``sizeInUsd = size x entry_price``, and the margin is the
    collateral's USD value at entry. The liquidation check counts the closing fee; the price
    impact drops out under the default cap (see :mod:`liqlib.venues.gmx`).

    Parameters
    ----------
    min_collateral_factor : float, default 0.01
        ``minCollateralFactor`` (and ``...ForLiquidation``) of ``baseMarketConfig``: 100x at most.
    position_fee_factor : float, default 0.0006
        Closing fee factor counted in the check (0.06%, a close that worsens the balance).
    min_collateral_usd : float, default 1.0
        ``minCollateralUsd``.
    collateral_token : {"stable", "index"}
        USDC collateral (default), or the index token itself (its value falls with the price).

    References
    ----------
    :func:`liqlib.venues.gmx.is_position_liquidatable`, :func:`liqlib.venues.gmx.liquidation_price`.
    """

    name = "gmx"
    kinds = (LINEAR,)
    formula_names = {
        "maintenance_margin": "is_position_liquidatable",
        "max_leverage": "is_position_liquidatable",
    }
    convention = "oracle price; collateral after the closing fee vs 1% of the entry size in USD"

    def __init__(
        self,
        *,
        min_collateral_factor: float = _gmx.MIN_COLLATERAL_FACTOR,
        position_fee_factor: float = _gmx.POSITION_FEE_FACTOR_FOR_NEGATIVE_IMPACT,
        min_collateral_usd: float = _gmx.MIN_COLLATERAL_USD,
        collateral_token: str = "stable",
        kind: str | ContractKind = LINEAR,
    ) -> None:
        super().__init__(kind=kind)
        self.min_collateral_factor = float(
            v.rate("min_collateral_factor", min_collateral_factor, allow_zero=False))
        self.position_fee_factor = float(v.rate("position_fee_factor", position_fee_factor))
        self.min_collateral_usd = float(v.nonnegative("min_collateral_usd", min_collateral_usd))
        self.collateral_token = v.choice("collateral_token", collateral_token, ("stable", "index"))

    def rules(self) -> dict[str, Any]:
        return {"min_collateral_factor": self.min_collateral_factor,
                "position_fee_factor": self.position_fee_factor,
                "min_collateral_usd": self.min_collateral_usd,
                "collateral_token": self.collateral_token, **super().rules()}

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        shape = np.broadcast(np.asarray(size), np.asarray(price)).shape
        return v.scalar_or_array(np.full(shape, 1.0 / self.min_collateral_factor))

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        """Collateral plus PnL at which the check triggers: ``max(sizeInUsd x minCollateralFactor,
        minCollateralUsd)`` plus the closing fee, for a position opened at ``price``."""
        usd = np.asarray(self.notional(size, price))
        floor = np.maximum(usd * self.min_collateral_factor, self.min_collateral_usd)
        return v.scalar_or_array(floor + np.asarray(_gmx.position_fee_usd(
            usd, self.position_fee_factor)))

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        usd = np.asarray(self.notional(size, entry_price))
        is_long = np.asarray(side) > 0
        if self.collateral_token == "index":  # the margin buys index tokens at entry
            amount = np.asarray(margin) / np.asarray(entry_price, dtype=float)
        else:
            amount = np.asarray(margin)
        return _gmx.liquidation_price(
            v.scalar_or_array(usd), size, v.scalar_or_array(is_long), v.scalar_or_array(amount),
            collateral_token=self.collateral_token, position_fee_factor=self.position_fee_factor,
            min_collateral_factor=self.min_collateral_factor,
            min_collateral_usd=self.min_collateral_usd,
        )


class Synthetix(VenueBase):
    """Synthetix v3 perps market, linear (USD), priced by oracle: a one-position account.

    The defaults are the BTC market SIP-348 proposed for Base (Andromeda): skew scale 1,000,000,
    initial margin ratio 1, minimum 2%, maintenance scalar 0.5, no minimum position margin, a 1%
    liquidation (flag) reward ratio. SIP-348 sets no keeper caps: here the reward is capped by
    the collateral only (scaling ratio 1, no USD maximum) and gas costs are 0.

    Parameters
    ----------
    skew_scale, initial_margin_ratio, minimum_initial_margin_ratio, maintenance_margin_scalar,
    minimum_position_margin
        :func:`liqlib.venues.synthetix.calculate_required_margins`.
    flag_reward_ratio, cost_of_flagging, cost_of_liquidation, min_keeper_reward_usd,
    min_keeper_profit_ratio, max_keeper_scaling_ratio, max_keeper_reward_usd
        :func:`liqlib.venues.synthetix.liquidation_reward` (``max_keeper_reward_usd`` None: no
        USD maximum).

    References
    ----------
    :func:`liqlib.venues.synthetix.liquidation_price`; Synthetix SIP-348, "Enable USDC for
    Andromeda on Base" (Draft, 2023-10-27), https://sips.synthetix.io/sips/sip-348/ (read
    2026-12-03 from github.com/Synthetixio/SIPs content/sips/sip-348.md @ 079546a).
    """

    name = "synthetix"
    kinds = (LINEAR,)
    formula_names = {
        "maintenance_margin": "calculate_required_margins",
        "max_leverage": "calculate_required_margins",
    }
    convention = "oracle price; skew-scaled margin rate; the keeper's reward is part of maintenance"

    def __init__(
        self,
        *,
        skew_scale: float = 1_000_000.0,
        initial_margin_ratio: float = 1.0,
        minimum_initial_margin_ratio: float = 0.02,
        maintenance_margin_scalar: float = 0.5,
        minimum_position_margin: float = 0.0,
        flag_reward_ratio: float = 0.01,
        cost_of_flagging: float = 0.0,
        cost_of_liquidation: float = 0.0,
        min_keeper_reward_usd: float = 0.0,
        min_keeper_profit_ratio: float = 0.0,
        max_keeper_scaling_ratio: float = 1.0,
        max_keeper_reward_usd: float | None = None,
        kind: str | ContractKind = LINEAR,
    ) -> None:
        super().__init__(kind=kind)
        self.margin_rules = {
            "skew_scale": skew_scale, "initial_margin_ratio": initial_margin_ratio,
            "minimum_initial_margin_ratio": minimum_initial_margin_ratio,
            "maintenance_margin_scalar": maintenance_margin_scalar,
            "minimum_position_margin": minimum_position_margin,
        }
        self.reward_rules = {
            "flag_reward_ratio": flag_reward_ratio, "cost_of_flagging": cost_of_flagging,
            "cost_of_liquidation": cost_of_liquidation,
            "min_keeper_reward_usd": min_keeper_reward_usd,
            "min_keeper_profit_ratio": min_keeper_profit_ratio,
            "max_keeper_scaling_ratio": max_keeper_scaling_ratio,
            "max_keeper_reward_usd": max_keeper_reward_usd,
        }
        self._reward_args: dict[str, Any] = {**self.reward_rules, "max_keeper_reward_usd": (
            np.inf if max_keeper_reward_usd is None else max_keeper_reward_usd)}
        # validate once, with the functions' own checks and names
        _synthetix.calculate_required_margins(1.0, 1.0, **self.margin_rules)
        _synthetix.liquidation_reward(1.0, 1.0, **self._reward_args)

    def rules(self) -> dict[str, Any]:
        return {**self.margin_rules, **self.reward_rules, **super().rules()}

    def _margins(self, size: ArrayLike, price: ArrayLike) -> Any:
        return _synthetix.calculate_required_margins(size, price, **self.margin_rules)

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        """``notional / (initialMargin + liquidationReward)``: the account's initial requirement
        (``getRequiredMargins``) includes the reward a keeper would be paid; the margin ratio
        grows with the size."""
        q = v.positive("size", size)
        notional = q * v.positive("price", price)
        needed = np.asarray(self._margins(q, price).initial_margin) + np.asarray(
            _synthetix.liquidation_reward(notional, notional, **self._reward_args))
        return v.scalar_or_array(notional / needed)

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        """``calculateRequiredMargins``' maintenance margin (the keeper reward, also required for
        eligibility, is not included)."""
        return self._margins(v.positive("size", size), price).maintenance_margin

    def _liquidation(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:
        return _synthetix.liquidation_price(
            side, size, entry_price, margin, **self.margin_rules, **self._reward_args)
