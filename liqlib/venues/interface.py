"""One interface across venues: the same entry points, argument names, units and result types.

Each venue module keeps its documented formulas in the venue's own words and variable names
(``binance.liquidation_price(side1_both, position1_both, ep1_both, *, wb, ...)``). On top of them,
every venue offers the :class:`Venue` protocol through a thin adapter
(:mod:`liqlib.venues.adapters`): the venue's *rules* (tier table or rate, fee rate, contract kind
and size, formula variant) are fixed when the adapter is made, and a *position* goes through every
entry point with the same arguments:

``side``
    +1 long, -1 short.
``size``
    Absolute position size (> 0): base units for a linear contract, contracts of
    ``contract_size`` quote units (e.g. 1 USD) for an inverse one.
``entry_price``, ``price``
    Quote currency per base unit (> 0).
``leverage`` or ``margin``
    Give one: ``leverage`` (> 0) sets the posted margin to the venue's initial margin at entry,
    ``notional(entry) / leverage``; ``margin`` (> 0) is the margin posted for the position, in the
    settlement currency (quote for linear, base coin for inverse), initial margin plus any extra.

Every entry point returns the same type whichever the venue: :class:`~liqlib.LiquidationResult`
for :meth:`Venue.liquidation_price`, a float (an array for array input) for the others. Margins
and PnL are in the settlement currency; :meth:`Venue.roe` is a fraction (3.125 for 312.5%).

The one concept, one name rule: ``mmr`` (maintenance margin rate), ``maintenance_amount`` (the
amount a tier subtracts from ``notional * mmr``: Binance's ``cum``, Bybit's "Maintenance Margin
Deduction"), ``tiers``, ``taker_fee_rate``, ``funding_rate``, ``contract_size``, ``kind``.

Examples
--------
>>> from liqlib import venues
>>> bybit = venues.get("bybit")
>>> bybit.liquidation_price(+1, 1, 20_000, leverage=50).price   # Bybit's Example 1
19700.0
>>> round(venues.get("bybit", kind="inverse").roe(+1, 800, 10_500, 12_000, leverage=25), 6)
3.125
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.contracts import INVERSE, LINEAR, ContractKind, contract_kind, notional, pnl
from ..core.liquidation import LiquidationResult
from ..core.margin import initial_margin as core_initial_margin

__all__ = ["BelowMaintenanceError", "LeverageError", "Venue", "VenueBase"]


class LeverageError(ValueError):
    """``leverage`` above the maximum the venue's rules allow for the position's size."""


class BelowMaintenanceError(ValueError):
    """A margin at or below the maintenance margin at entry: the position opens liquidatable."""


@runtime_checkable
class Venue(Protocol):
    """What every venue offers, with the same arguments and units (see the module docstring).

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"bybit"``.
    kind : ContractKind
        The contract kind these rules price (linear or inverse).
    kinds : tuple of ContractKind
        The kinds the venue's documented formulas cover.
    contract_size : float
        Quote units per inverse contract (1 for linear contracts, whose size is in base units).
    convention : str
        One line: what makes this venue's liquidation price differ from the core's.
    """

    name: str
    kind: ContractKind
    kinds: tuple[ContractKind, ...]
    contract_size: float
    convention: str

    def rules(self) -> dict[str, Any]:
        """The rules the adapter was made with (name -> value), for display."""
        ...

    def formula(self, entry_point: str) -> Callable[..., Any]:
        """The venue-module function that computes ``entry_point`` (provenance)."""
        ...

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:
        """Largest leverage the rules allow for ``size`` at ``price`` (``inf`` if no table)."""
        ...

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:
        """Maintenance margin of ``size`` marked at ``price`` (settlement currency)."""
        ...

    def initial_margin(self, size: ArrayLike, price: ArrayLike, *, leverage: ArrayLike) -> Any:
        """Initial margin to open ``size`` at ``price`` with ``leverage`` (settlement currency)."""
        ...

    def liquidation_price(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> LiquidationResult:
        """Liquidation (and bankruptcy) price of an isolated position under the venue's rules."""
        ...

    def bankruptcy_price(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> Any:
        """Price at which the posted margin is exhausted (``nan`` if no positive price)."""
        ...

    def pnl(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, price: ArrayLike
    ) -> Any:
        """Unrealized profit and loss at ``price`` (settlement currency)."""
        ...

    def roe(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> Any:
        """Return on margin (the venues' "P&L %", "ROE"): PnL over the margin posted."""
        ...


class VenueBase:
    """Shared plumbing of the adapters: units, the leverage/margin choice, PnL and ROE.

    Subclasses set ``name``, ``kinds``, ``convention`` and implement
    :meth:`Venue.maintenance_margin`, :meth:`Venue.max_leverage` and ``_liquidation`` (the venue
    function, given the posted margin).
    """

    name: str = ""
    kinds: tuple[ContractKind, ...] = (LINEAR, INVERSE)
    convention: str = ""

    def __init__(self, *, kind: str | ContractKind = LINEAR, contract_size: float = 1.0) -> None:
        self.kind = contract_kind(kind)
        if self.kind not in self.kinds:
            offered = " or ".join(repr(k.value) for k in self.kinds)
            raise ValueError(
                f"kind must be {offered} for {self.name} (its documented formulas), "
                f"got {self.kind.value!r}"
            )
        size = v.number("contract_size", contract_size, "pos")
        if self.kind is LINEAR and size != 1.0:
            raise ValueError(
                "contract_size applies to inverse contracts only (linear sizes are in base "
                f"units), got {size!r} with kind='linear'"
            )
        self.contract_size = size

    # --- what every adapter shares -------------------------------------------------------------

    #: Entry point -> name of the venue-module function that computes it, where it is not the
    #: entry point's own name.
    formula_names: dict[str, str] = {}

    def formula(self, entry_point: str) -> Callable[..., Any]:
        """The documented function behind an entry point (for provenance: the CLI prints it).

        The venue module's function of that name (or as :attr:`formula_names` maps it); else, for
        PnL and ROE, which most venues document with the textbook formula, :func:`liqlib.pnl`,
        for the initial margin :func:`liqlib.initial_margin`, and for the rest the venue's
        liquidation function (which defines its bankruptcy price and requirement).
        """
        module = importlib.import_module(f"{__package__}.{self.name}")
        name = self.formula_names.get(entry_point, entry_point)
        found = getattr(module, name, None)
        if callable(found):
            return found
        if entry_point in ("pnl", "roe"):
            return pnl
        if entry_point == "initial_margin":
            return core_initial_margin
        # the liquidation function is where the venue defines its bankruptcy price and caps
        function: Callable[..., Any] = getattr(
            module, self.formula_names.get("liquidation_price", "liquidation_price")
        )
        return function

    def rules(self) -> dict[str, Any]:
        """The rules the adapter was made with (name -> value), for display."""
        return {"kind": self.kind.value, "contract_size": self.contract_size}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={val!r}" for k, val in self.rules().items())
        return f"{type(self).__name__}({args})"

    def notional(self, size: ArrayLike, price: ArrayLike) -> Any:
        """Position value in the settlement currency (quote for linear, coin for inverse)."""
        return notional(size, price, self.kind, self.contract_size)

    def initial_margin(self, size: ArrayLike, price: ArrayLike, *, leverage: ArrayLike) -> Any:
        """``notional / leverage``, refusing leverage above :meth:`max_leverage`.

        Raises
        ------
        LeverageError
            ``leverage`` above the maximum for the size (a :class:`ValueError`).
        """
        lev = v.positive("leverage", leverage)
        value = np.asarray(self.notional(size, price))
        lev_b, cap_b = np.broadcast_arrays(lev, np.asarray(self.max_leverage(size, price)))
        over = lev_b > cap_b * (1 + 1e-12)  # tolerance for float noise in 1/rate caps
        if np.any(over):
            i = int(np.flatnonzero(over)[0])
            raise LeverageError(
                f"leverage must be at most {float(cap_b.reshape(-1)[i]):g} under {self.name}'s "
                f"rules for this size, got {float(lev_b.reshape(-1)[i]):g}"
            )
        return v.scalar_or_array(value / lev)

    def posted_margin(
        self,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        leverage: ArrayLike | None,
        margin: ArrayLike | None,
    ) -> Any:
        """The margin posted: ``margin``, or the initial margin at ``leverage``."""
        if (leverage is None) == (margin is None):
            raise ValueError("give exactly one of leverage or margin")
        if margin is not None:
            return v.scalar_or_array(v.positive("margin", margin))
        assert leverage is not None  # for mypy: exactly one was given
        return self.initial_margin(size, entry_price, leverage=leverage)

    def liquidation_price(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> LiquidationResult:
        """Liquidation (and bankruptcy) price under the venue's rules.

        Raises
        ------
        ValueError
            Bad side, size, price, leverage or margin (named); :class:`LeverageError` for
            leverage above the venue's maximum; :class:`BelowMaintenanceError` when the margin is
            at or below the maintenance margin at entry.
        """
        v.side("side", side)
        v.positive("size", size)
        v.positive("entry_price", entry_price)
        posted = self.posted_margin(size, entry_price, leverage=leverage, margin=margin)
        result = self._liquidation(side, size, entry_price, posted, leverage)
        below = np.asarray(result.below_maintenance)
        if np.any(below):
            # a position that opens liquidatable is bad input, not a price: say so, naming
            # the argument that set the margin
            name, given = ("leverage", leverage) if leverage is not None else ("margin", margin)
            i = int(np.flatnonzero(below.reshape(-1))[0])
            value = np.broadcast_to(np.asarray(given, dtype=float), below.shape).reshape(-1)[i]
            posted_i = np.broadcast_to(np.asarray(posted), below.shape).reshape(-1)[i]
            raise BelowMaintenanceError(
                f"{name} {float(value):g} posts a margin of {float(posted_i):.8g}, at or below "
                f"the maintenance margin at entry under {self.name}'s rules: the position "
                "would open below maintenance (already liquidatable)"
            )
        return result

    def bankruptcy_price(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> Any:
        """Price at which the posted margin is exhausted, by the venue's formula."""
        result = self.liquidation_price(side, size, entry_price, leverage=leverage, margin=margin)
        return result.bankruptcy_price

    def pnl(
        self, side: ArrayLike, size: ArrayLike, entry_price: ArrayLike, price: ArrayLike
    ) -> Any:
        """Unrealized PnL at ``price``: ``s Q (P - E)`` linear, ``s Q K (1/E - 1/P)`` inverse."""
        return pnl(side, size, entry_price, price, self.kind, self.contract_size)

    def roe(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        price: ArrayLike,
        *,
        leverage: ArrayLike | None = None,
        margin: ArrayLike | None = None,
    ) -> Any:
        """Return on the margin posted: ``pnl / margin`` (a fraction; 3.125 is 312.5%).

        With ``leverage`` the margin is the initial margin at entry, as the venues' position
        screens compute "P&L %" / "ROE" / "P&L ratio".
        """
        posted = self.posted_margin(size, entry_price, leverage=leverage, margin=margin)
        gain = np.asarray(self.pnl(side, size, entry_price, price))
        return v.scalar_or_array(gain / np.asarray(posted))

    # --- what each adapter supplies ------------------------------------------------------------

    def max_leverage(self, size: ArrayLike, price: ArrayLike) -> Any:  # pragma: no cover
        raise NotImplementedError

    def maintenance_margin(self, size: ArrayLike, price: ArrayLike) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _liquidation(
        self,
        side: ArrayLike,
        size: ArrayLike,
        entry_price: ArrayLike,
        margin: Any,
        leverage: ArrayLike | None,
    ) -> LiquidationResult:  # pragma: no cover
        raise NotImplementedError
