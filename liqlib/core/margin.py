"""Initial and maintenance margin, equity, margin ratio and effective leverage.

Conventions (see also :mod:`liqlib.core.contracts`): linear positions are valued in quote currency,
inverse positions in base coins; a cross account's positions share one settlement currency.

*Margin ratio* here is Binance's and Bybit's: ``maintenance margin / equity``; an account is
liquidated when it reaches 1 (100%). OKX quotes the reciprocal, ``equity / maintenance``, with
liquidation at 100% from above; divide 1 by this module's ratio to compare.

References
----------
.. [1] Binance Futures, "Liquidation": liquidation is triggered when "Collateral = Initial
   Collateral + Realized PnL + Unrealized PnL < Maintenance Margin".
.. [2] Bybit, "Liquidation Price (USDT Contract)": "Initial Margin (IM) = Position Value /
   leverage; Maintenance Margin (MM) = (Position Value x MMR) - Maintenance Margin Deduction".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as v
from .contracts import LINEAR, ContractKind, Side, contract_kind, notional, pnl
from .tiers import Tier, TierTable

#: A maintenance schedule: a flat rate (fraction), one fixed bracket, or a tier table.
Maintenance = float | Tier | TierTable

#: Equity within this fraction of the notional above maintenance margin counts as at the
#: threshold: a price solved to be the liquidation price must test liquidatable, whatever the
#: last bit of float rounding says (1e-10 of a 10M position is a tenth of a cent).
THRESHOLD_RTOL = 1e-10


def initial_margin(notional_value: ArrayLike, leverage: ArrayLike) -> Any:
    """Initial margin ``notional / leverage``.

    Parameters
    ----------
    notional_value : float or array
        Position value (> 0) in the settlement currency.
    leverage : float or array
        Chosen leverage (> 0).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ArgumentTypeError
        A non-numeric argument.
    ValueError
        Naming the argument: a non-positive or non-finite element (the first one's flat index).
    ShapeError
        The arguments do not broadcast together.
    DerivedRangeError
        The margin would leave [1e-200, 1e200].

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    Binance COIN-M: 10 contracts of 100 USD at 9,800 with 20x need 0.0051 BTC.

    >>> round(initial_margin(10 * 100 / 9_800, 20), 6)
    0.005102
    """
    n, n_lo, n_hi = v.positive_extent("notional_value", notional_value)
    lev, lev_lo, lev_hi = v.positive_extent("leverage", leverage)
    v.shapes(notional_value=n, leverage=lev)
    v.derived_in_range(
        "notional_value / leverage (the initial margin)", n_lo / lev_hi, n_hi / lev_lo,
        parts={"notional_value": n, "leverage": lev},
    )
    return v.scalar_or_array(n / lev)


def maintenance_margin(notional_value: ArrayLike, mmr: Maintenance) -> Any:
    """Maintenance margin of a position of the given notional.

    Parameters
    ----------
    notional_value : float or array
        Position value (>= 0) in the settlement currency (the unit of the tier floors).
    mmr : float, Tier or TierTable
        A flat maintenance margin rate in (0, 1), one bracket as a venue's API reports it
        (``N * mmr - cum`` whatever the size), or a tier table (``N * mmr_n - cum_n`` with the
        bracket looked up at ``N``).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ArgumentTypeError
        A non-numeric ``notional_value`` or ``mmr`` (a string, None, a bool).
    ValueError
        Naming the argument: a negative or non-finite notional (the first bad element's flat
        index), a flat ``mmr`` outside (0, 1).
    ShapeError
        An array ``mmr`` that does not broadcast with ``notional_value``.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    Binance COIN-M: 100 contracts of 100 USD at 25,000 with 0.4% need 0.0016 BTC.

    >>> round(maintenance_margin(100 * 100 / 25_000, 0.004), 10)
    0.0016
    """
    n = v.nonnegative("notional_value", notional_value)
    if isinstance(mmr, (Tier, TierTable)):
        return mmr.maintenance_margin(n)
    rate = v.rate("mmr", mmr, allow_zero=False)
    v.shapes(notional_value=n, mmr=rate)
    return v.scalar_or_array(n * rate)


def margin_ratio(maintenance: ArrayLike, equity: ArrayLike) -> Any:
    """Binance/Bybit margin ratio ``maintenance / equity``; liquidation at >= 1.

    Returns ``inf`` where equity <= 0 (the account is past bankruptcy, so no finite ratio
    describes it), zero maintenance included: at exactly zero equity the ratio is ``inf``, never
    ``nan``.

    Parameters
    ----------
    maintenance : float or array
        Maintenance margin (>= 0).
    equity : float or array
        Equity (any finite value).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ArgumentTypeError, ValueError, ShapeError
        Naming the argument: non-numeric, negative maintenance, non-finite elements (the first
        one's flat index), shapes that do not broadcast.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> margin_ratio(50.0, 200.0)
    0.25
    >>> margin_ratio(0.0, 0.0)
    inf
    """
    mm = v.nonnegative("maintenance", maintenance)
    eq = v.as_float("equity", equity)
    v.shapes(maintenance=mm, equity=eq)
    # An equity so small that the ratio overflows is an infinite ratio, as at zero equity.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(eq > 0, mm / np.where(eq > 0, eq, 1.0), np.inf)
    return v.scalar_or_array(ratio)


def effective_leverage(notional_value: ArrayLike, equity: ArrayLike) -> Any:
    """Effective leverage ``notional / equity`` (``inf`` where equity <= 0).

    Parameters
    ----------
    notional_value : float or array
        Position value (>= 0).
    equity : float or array
        Equity (any finite value).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ArgumentTypeError, ValueError, ShapeError
        As :func:`margin_ratio`, naming ``notional_value`` or ``equity``.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> effective_leverage(10_000.0, 500.0)
    20.0
    >>> effective_leverage(10_000.0, -1.0)
    inf
    """
    n = v.nonnegative("notional_value", notional_value)
    eq = v.as_float("equity", equity)
    v.shapes(notional_value=n, equity=eq)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # overflow is inf leverage
        lev = np.where(eq > 0, n / np.where(eq > 0, eq, 1.0), np.inf)
    return v.scalar_or_array(lev)


def _scalar(name: str, arr: np.ndarray) -> np.ndarray:
    if arr.ndim != 0:
        raise v.ArgumentTypeError(
            f"{v.label(name)} must be a single number (a Position is one position; use the "
            f"vectorized functions for arrays), got shape {arr.shape}"
        )
    return arr


@dataclass(frozen=True)
class Position:
    """A perpetual or futures position.

    Attributes
    ----------
    side : Side
        ``Side.LONG`` or ``Side.SHORT``.
    size : float
        Absolute size: base units (linear) or contracts (inverse).
    entry_price : float
        Average entry price, quote per base.
    mmr : float, Tier or TierTable
        The instrument's maintenance schedule (a flat rate, one fixed bracket, or a table).
    kind : ContractKind
        Linear or inverse.
    contract_value : float
        Quote value of one inverse contract (ignored for linear).

    Raises
    ------
    ArgumentTypeError
        A field of the wrong type (``side="long"``: use ``Side.LONG``), or an array field.
    ValueError
        Naming the field: side not +1/-1, non-positive or non-finite size, entry price or
        contract value, a flat ``mmr`` outside (0, 1), a notional at entry outside [1e-200, 1e200].
    """

    side: Side
    size: float
    entry_price: float
    mmr: Maintenance = 0.005
    kind: ContractKind = LINEAR
    contract_value: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", Side(int(_scalar("side", v.side("side", self.side)))))
        _scalar("size", v.positive("size", self.size))
        _scalar("entry_price", v.positive("entry_price", self.entry_price))
        _scalar("contract_value", v.positive("contract_value", self.contract_value))
        object.__setattr__(self, "kind", contract_kind(self.kind))
        if not isinstance(self.mmr, (Tier, TierTable)):
            _scalar("mmr", v.rate("mmr", self.mmr, allow_zero=False))
        # The notional at entry must be computable (no overflow to inf, no underflow to 0).
        notional(self.size, self.entry_price, self.kind, self.contract_value)

    def notional(self, price: ArrayLike) -> Any:
        """Position value at ``price`` in the settlement currency."""
        return notional(self.size, price, self.kind, self.contract_value)

    def pnl(self, price: ArrayLike) -> Any:
        """Unrealized PnL at ``price`` in the settlement currency."""
        return pnl(
            int(self.side), self.size, self.entry_price, price, self.kind, self.contract_value
        )

    def maintenance_margin(self, price: ArrayLike) -> Any:
        """Maintenance margin at ``price`` (tiers looked up at the notional at that price)."""
        return maintenance_margin(self.notional(price), self.mmr)


@dataclass(frozen=True)
class MarginState:
    """Margin figures of an isolated position or a cross account at one set of prices.

    Every field is a float, or an array of one shape when the state was computed along an
    array of prices (:func:`isolated_state` with an array ``price``).

    Attributes
    ----------
    notional : float or ndarray
        Total position value (sum of absolute notionals).
    equity : float or ndarray
        Collateral (wallet balance) plus unrealized PnL.
    maintenance_margin : float or ndarray
    margin_ratio : float or ndarray
        ``maintenance_margin / equity`` (``inf`` when equity <= 0).
    effective_leverage : float or ndarray
        ``notional / equity`` (``inf`` when equity <= 0).
    liquidatable : bool or ndarray of bool
        True when equity is at or below maintenance margin, within :data:`THRESHOLD_RTOL` of the
        notional (so the liquidation price itself tests liquidatable despite float rounding).
    """

    notional: Any
    equity: Any
    maintenance_margin: Any
    margin_ratio: Any
    effective_leverage: Any
    liquidatable: Any = field(init=False)

    def __post_init__(self) -> None:
        slack = np.asarray(self.equity) - np.asarray(self.maintenance_margin)
        at_or_below = slack <= THRESHOLD_RTOL * np.asarray(self.notional)
        object.__setattr__(self, "liquidatable", v.scalar_or_array(at_or_below))


def _state(total_notional: Any, equity: Any, mm: Any) -> MarginState:
    return MarginState(
        notional=total_notional,
        equity=equity,
        maintenance_margin=mm,
        margin_ratio=margin_ratio(mm, equity),
        effective_leverage=effective_leverage(total_notional, equity),
    )


def isolated_state(position: Position, collateral: ArrayLike, price: ArrayLike) -> MarginState:
    """Margin figures of an isolated position with ``collateral`` posted, marked at ``price``.

    ``collateral`` and ``price`` broadcast: pass a price path to get every figure along it.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> pos = Position(Side.LONG, 1.0, 20_000, mmr=0.005)
    >>> s = isolated_state(pos, collateral=400, price=19_800)
    >>> s.equity, s.maintenance_margin, s.liquidatable
    (200.0, 99.0, False)
    >>> isolated_state(pos, collateral=400, price=[20_000, 19_000]).liquidatable
    array([False,  True])
    """
    if not isinstance(position, Position):
        raise v.ArgumentTypeError(f"position must be a Position, got {type(position).__name__}")
    c = v.as_float("collateral", collateral)
    n = np.asarray(position.notional(price))
    v.shapes(collateral=c, price=n)
    equity = v.scalar_or_array(c + np.asarray(position.pnl(price)))
    mm = maintenance_margin(n, position.mmr)
    return _state(v.scalar_or_array(n), equity, mm)


@dataclass(frozen=True)
class Account:
    """A cross-margin account: one wallet balance shared by several positions.

    All positions must settle in the same currency (all linear in one quote currency, or all
    inverse on one coin).
    """

    wallet_balance: float
    positions: Sequence[Position]

    def __post_init__(self) -> None:
        _scalar("wallet_balance", v.as_float("wallet_balance", self.wallet_balance))
        if isinstance(self.positions, (str, bytes)) or not hasattr(self.positions, "__iter__"):
            raise v.ArgumentTypeError(
                f"positions must be a sequence of Position, got {type(self.positions).__name__}"
            )
        object.__setattr__(self, "positions", tuple(self.positions))
        for i, pos in enumerate(self.positions):
            if not isinstance(pos, Position):
                raise v.ArgumentTypeError(
                    f"positions must hold Position objects, got {type(pos).__name__} at index {i}"
                )
        kinds = {p.kind for p in self.positions}
        if len(kinds) > 1:
            raise ValueError(
                "positions of one cross account must share a settlement currency (all linear or "
                f"all inverse), got kinds {sorted(k.value for k in kinds)}"
            )

    def _prices(self, prices: ArrayLike) -> np.ndarray:
        p = v.positive("prices", prices).reshape(-1)
        if p.size != len(self.positions):
            raise v.ShapeError(
                f"prices must give one price per position ({len(self.positions)}), got {p.size}"
            )
        return p

    def state(self, prices: ArrayLike) -> MarginState:
        """Cross margin figures with each position marked at its price in ``prices``.

        Notes
        -----
        Arrays broadcast; one bad element rejects the whole call, and the message names the
        argument and the element's flat index (wrong types raise ``TypeError``, wrong values
        ``ValueError``, both naming the argument).

        Examples
        --------
        dYdX docs' cross example: 1000 USDC of equity, short 1.5 ETH at 3,000 (MMF 5%) and
        long 1,000 STRK at 1.75 (MMF 10%), everything marked at entry.

        >>> acct = Account(1_000, [Position(Side.SHORT, 1.5, 3_000, 0.05),
        ...                        Position(Side.LONG, 1_000, 1.75, 0.10)])
        >>> acct.state([3_000, 1.75]).maintenance_margin
        400.0
        """
        p = self._prices(prices)
        notionals = [float(pos.notional(px)) for pos, px in zip(self.positions, p, strict=True)]
        upnl = sum(float(pos.pnl(px)) for pos, px in zip(self.positions, p, strict=True))
        mm = sum(
            float(maintenance_margin(n, pos.mmr))
            for n, pos in zip(notionals, self.positions, strict=True)
        )
        return _state(sum(notionals), float(self.wallet_balance) + upnl, mm)

    def others(self, index: int, prices: ArrayLike) -> tuple[float, float]:
        """Maintenance margin and unrealized PnL of every position except ``index``.

        These are Binance's ``TMM1`` and ``UPNL1``: held fixed while one position's liquidation
        price is solved for in cross margin.
        """
        p = self._prices(prices)
        v.integer("index", index, low=0, high=len(self.positions) - 1)
        rest = [
            (pos, px)
            for i, (pos, px) in enumerate(zip(self.positions, p, strict=True))
            if i != index
        ]
        tmm = sum(float(pos.maintenance_margin(px)) for pos, px in rest)
        upnl = sum(float(pos.pnl(px)) for pos, px in rest)
        return tmm, upnl
