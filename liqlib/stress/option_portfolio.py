"""Option positions and portfolios: value, aggregated Greeks, standard and portfolio margin.

A position is a signed number of European options on one underlying (Deribit's "contracts on 1
coin"), positive long, negative short. A portfolio holds positions on the *same* underlying, all
settled the same way, so that their values and Greeks add up in one unit: the sum of ``size x``
each position's Black-76 price (:mod:`liqlib.prices.options`) and Greeks, at one forward price and a
volatility per position (a number, one per position, or a volatility surface such as
:class:`liqlib.stress.mark_to_model.VolSurface`).

Margin is the venue's: :meth:`OptionPortfolio.standard_maintenance` applies Deribit's
standard short-option rule and :meth:`OptionPortfolio.portfolio_margin` its scenario grid, both
from :mod:`liqlib.venues.deribit`; this module adds no margin formula of its own.

Simplifications (stated, not hidden): one forward price serves every expiry (a flat futures
curve), and the discount rate is one number.

References
----------
.. [1] Hull, J. C., *Options, Futures, and Other Derivatives*, 9th ed., Pearson (2015), ch. 19
   ("The Greek Letters": the Greeks of a portfolio are the size-weighted sums of its members').
.. [2] Deribit, "Portfolio Margin" and the legacy option-margin rules, as cited in
   :mod:`liqlib.venues.deribit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..prices.options import black76_greeks, black76_vol_greeks, option_sign
from ..venues import deribit

FloatArray = NDArray[np.float64]

__all__ = ["OptionPortfolio", "OptionPosition", "PortfolioGreeks"]

#: A volatility: one number, one per position, or a surface ``vol(forward, strike, time)``.
VolInput = ArrayLike | Callable[..., Any]


@dataclass(frozen=True)
class OptionPosition:
    """A signed holding of one European option series.

    Attributes
    ----------
    kind : {"call", "put"}
    strike : float
        Strike (quote currency, > 0).
    expiry : float
        Time to expiry in years (> 0).
    size : float
        Number of options (contracts on one unit of underlying): positive long, negative short,
        not zero.
    settlement : {"inverse", "linear"}
        Valued in coin (Deribit's BTC and ETH options) or in quote currency.

    Raises
    ------
    ValueError
        Naming the attribute.

    Examples
    --------
    >>> p = OptionPosition("put", 45_000, 30 / 365, -10)
    >>> p.strike, p.size, p.settlement
    (45000.0, -10.0, 'inverse')
    """

    kind: str
    strike: float
    expiry: float
    size: float
    settlement: str = "inverse"

    def __post_init__(self) -> None:
        option_sign(self.kind)
        for name in ("strike", "expiry", "size"):
            v.one(name, v.numbers(name, getattr(self, name)))  # single numbers, named
        object.__setattr__(self, "strike", v.number("strike", self.strike, "pos"))
        object.__setattr__(self, "expiry", v.number("expiry", self.expiry, "pos"))
        size = v.number("size", self.size)
        if size == 0:
            raise ValueError("size must be non-zero (positive long, negative short), got 0.0")
        object.__setattr__(self, "size", size)
        v.choice("settlement", self.settlement, ("inverse", "linear"))


@dataclass(frozen=True)
class PortfolioGreeks:
    """Value and Greeks of a portfolio: size-weighted sums over its positions.

    Units are those of the portfolio's settlement (coin for inverse), per unit move of the
    forward (delta, gamma, vanna), per unit of volatility (vega, vanna, volga) and per year
    (theta). Each is a float, or an array shaped like the forward given.
    """

    value: Any
    delta: Any
    gamma: Any
    vega: Any
    theta: Any
    vanna: Any
    volga: Any


@dataclass(frozen=True)
class OptionPortfolio:
    """Options on one underlying, settled one way.

    Parameters
    ----------
    positions : iterable of OptionPosition
        At least one; all with the same ``settlement``.

    Examples
    --------
    A short strangle, 10 calls at 60,000 and 10 puts at 40,000, 30 days, valued in BTC at a
    50,000 forward and 60% volatility:

    >>> book = OptionPortfolio([OptionPosition("call", 60_000, 30 / 365, -10),
    ...                         OptionPosition("put", 40_000, 30 / 365, -10)])
    >>> g = book.greeks(50_000, 0.6)
    >>> round(g.value, 4), round(g.vega, 3)
    (-0.2098, -1.151)
    """

    positions: tuple[OptionPosition, ...]

    def __init__(self, positions: Iterable[OptionPosition]) -> None:
        items = tuple(positions)
        if not items:
            raise ValueError("positions must hold at least one OptionPosition")
        for p in items:
            if not isinstance(p, OptionPosition):
                raise ValueError(f"positions must be OptionPosition objects, got {p!r}")
        settlements = {p.settlement for p in items}
        if len(settlements) != 1:
            raise ValueError(
                f"positions must share one settlement to add up, got {sorted(settlements)}"
            )
        object.__setattr__(self, "positions", items)

    def __len__(self) -> int:
        return len(self.positions)

    @property
    def settlement(self) -> str:
        return self.positions[0].settlement

    @property
    def kinds(self) -> NDArray[np.str_]:
        return np.array([p.kind for p in self.positions])

    @property
    def strikes(self) -> FloatArray:
        return np.array([p.strike for p in self.positions])

    @property
    def expiries(self) -> FloatArray:
        return np.array([p.expiry for p in self.positions])

    @property
    def sizes(self) -> FloatArray:
        return np.array([p.size for p in self.positions])

    def _grid(self, forward: ArrayLike) -> tuple[FloatArray, tuple[FloatArray, ...]]:
        """Forward with a leading position axis, and the position arrays shaped to broadcast."""
        f = v.positive("forward", forward)
        lead = (len(self),) + (1,) * f.ndim
        arrays = tuple(a.reshape(lead) for a in (self.strikes, self.expiries, self.sizes))
        return f[None, ...], arrays

    def vols(self, forward: ArrayLike, vol: VolInput) -> FloatArray:
        """Volatility of each position (leading axis) at ``forward``.

        ``vol`` is one number for all, a sequence with one per position, or a callable
        ``vol(forward, strike, time)`` such as ``VolSurface.vol``.
        """
        f, (k, t, _) = self._grid(forward)
        if callable(vol):
            out = np.asarray(vol(f, k, t), dtype=np.float64)
        else:
            arr = v.positive("vol", vol)
            if arr.ndim == 0:
                out = arr
            elif arr.size == len(self):
                out = arr.reshape(k.shape)
            else:
                raise ValueError(
                    f"vol must be one number or one per position ({len(self)}), got {arr.size}"
                )
        return np.broadcast_to(v.positive("vol", out), np.broadcast_shapes(f.shape, k.shape))

    def greeks(
        self, forward: ArrayLike, vol: VolInput, *, rate: ArrayLike = 0.0
    ) -> PortfolioGreeks:
        """Value and Greeks of the portfolio at ``forward`` (scalar or array) and ``vol``.

        Parameters
        ----------
        forward : float or array
            Forward price of the underlying (> 0); an array gives results of its shape.
        vol : float, sequence or callable
            As :meth:`vols`.
        rate : float
            Discount rate of Black-76.

        Returns
        -------
        PortfolioGreeks
            ``sum(size_i * x_i)`` for each quantity ``x``.
        """
        f, (k, t, q) = self._grid(forward)
        sig = self.vols(forward, vol)
        kinds = self.kinds.reshape(k.shape)
        g = black76_greeks(f, k, t, rate, sig, kinds, settlement=self.settlement)
        vg = black76_vol_greeks(f, k, t, rate, sig, kinds, settlement=self.settlement)
        parts = (g.price, g.delta, g.gamma, g.vega, g.theta, vg.vanna, vg.volga)
        sums = [v.scalar_or_array((q * np.asarray(x)).sum(axis=0)) for x in parts]
        return PortfolioGreeks(*sums)

    def value(self, forward: ArrayLike, vol: VolInput, *, rate: ArrayLike = 0.0) -> Any:
        """``sum(size_i * price_i)``: the portfolio's value (negative for a net short book)."""
        return self.greeks(forward, vol, rate=rate).value

    def marked_value(self, marks: ArrayLike) -> float:
        """``sum(size_i * mark_i)`` with one mark price per position (settlement unit)."""
        m = v.nonnegative("marks", marks).reshape(-1)
        if m.size != len(self):
            raise ValueError(f"marks must hold one price per position ({len(self)}), got {m.size}")
        return float((self.sizes * m).sum())

    @v.renames(underlying_price="forward")
    def standard_maintenance(
        self, forward: ArrayLike, marks: ArrayLike, *, reading: str = "documented"
    ) -> float:
        """Deribit's standard maintenance margin of the short positions (coin; longs need none).

        The sum over positions of :func:`liqlib.venues.deribit.standard_option_requirement` at
        each position's mark price, under ``reading`` (the documented "buffer + mark" by
        default), to be compared with ``collateral + marked_value(marks)``.

        Raises
        ------
        ValueError
            For a linear portfolio (the rule is written in coin), or marks not one per position.
        """
        if self.settlement != "inverse":
            raise ValueError("standard_maintenance applies Deribit's coin rule: settlement must be "
                             "'inverse'")
        m = v.nonnegative("marks", marks).reshape(-1)
        if m.size != len(self):
            raise ValueError(f"marks must hold one price per position ({len(self)}), got {m.size}")
        req = deribit.standard_option_requirement(
            self.kinds, self.strikes, forward, m, self.sizes, reading=reading
        )
        return float(np.sum(req.maintenance))

    def portfolio_margin(
        self,
        forward: float,
        vol: VolInput,
        *,
        rate: float = 0.0,
        parameters: deribit.PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
    ) -> deribit.PortfolioMarginResult:
        """Deribit's scenario-grid portfolio margin at the volatility ``vol`` of each position.

        Delegates to :func:`liqlib.venues.deribit.portfolio_margin` (expiries converted to days).
        """
        if np.ndim(forward) != 0:
            raise ValueError("forward must be a single price for the scenario grid")
        iv = np.asarray(self.vols(forward, vol)).reshape(-1)
        return deribit.portfolio_margin(
            self.kinds,
            self.sizes,
            forward,
            strike=self.strikes,
            days_to_expiration=self.expiries * 365.0,
            iv=iv,
            rate=rate,
            settlement=self.settlement,
            parameters=parameters,
        )
