"""Contract algebra: sides, linear and inverse notional, PnL and average entry price.

A **linear** contract (Binance USDⓈ-M, Bybit USDT, dYdX, Hyperliquid) is sized in the base asset
and settles in the quote currency: notional ``size * price``, PnL ``side * size * (price - entry)``.

An **inverse** contract (Binance COIN-M, Bybit inverse, BitMEX XBTUSD) is a number of contracts
each worth ``contract_value`` units of quote currency (100 USD for BTCUSD on Binance, 1 USD on
BitMEX) and settles in the base coin: notional ``size * contract_value / price`` coins, PnL
``side * size * contract_value * (1/entry - 1/price)`` coins. Because PnL is linear in ``1/price``
it is curved in price: concave for a long (it gains less on the way up than it loses on the way
down) and convex for a short; average entry prices combine harmonically.

References
----------
.. [1] Bybit, "Profit & Loss calculations (Inverse Contracts)": average entry = total contracts /
   total contract value in BTC; 1,000 @ 5,000 and 2,000 @ 6,000 average to 5,625.
.. [2] Binance, "How to Calculate Liquidation Price of COIN-M Futures Contracts" (variable table).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as v


class Side(IntEnum):
    """Direction of a position: ``LONG = +1``, ``SHORT = -1`` (the sign of its PnL in price)."""

    LONG = 1
    SHORT = -1


class ContractKind(StrEnum):
    """Linear contracts settle in quote currency; inverse contracts settle in the base coin."""

    LINEAR = "linear"
    INVERSE = "inverse"


LINEAR = ContractKind.LINEAR
INVERSE = ContractKind.INVERSE


def contract_kind(kind: str | ContractKind) -> ContractKind:
    """Normalise ``"linear"``/``"inverse"`` (or the enum) and reject anything else."""
    try:
        return ContractKind(kind)
    except ValueError:
        raise ValueError(f"kind must be 'linear' or 'inverse', got {kind!r}") from None


def notional(
    size: ArrayLike,
    price: ArrayLike,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Position value: quote currency for linear, base coins for inverse.

    Parameters
    ----------
    size : float or array
        Absolute position size (> 0): base units for linear, contracts for inverse.
    price : float or array
        Price in quote per base (> 0).
    kind : {"linear", "inverse"}
    contract_value : float or array
        Quote value of one inverse contract (> 0); ignored for linear.

    Returns
    -------
    float or ndarray
        ``size * price`` (linear) or ``size * contract_value / price`` (inverse).

    Examples
    --------
    >>> notional(2, 30_000)
    60000.0
    >>> notional(100, 25_000, "inverse", contract_value=100)   # 100 BTCUSD contracts, in BTC
    0.4
    """
    q = v.positive("size", size)
    p = v.positive("price", price)
    if contract_kind(kind) is LINEAR:
        return v.scalar_or_array(q * p)
    cv = v.positive("contract_value", contract_value)
    return v.scalar_or_array(q * cv / p)


def pnl(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    price: ArrayLike,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Unrealized profit and loss of a position marked at ``price``.

    Parameters
    ----------
    side : +1, -1 or array of them
    size : float or array
        Absolute size (> 0), base units (linear) or contracts (inverse).
    entry_price, price : float or array
        Average entry price and marking price (> 0), quote per base.
    kind : {"linear", "inverse"}
    contract_value : float or array
        Quote value of one inverse contract; ignored for linear.

    Returns
    -------
    float or ndarray
        Linear: ``side * size * (price - entry_price)`` in quote currency.
        Inverse: ``side * size * contract_value * (1/entry_price - 1/price)`` in base coins.

    References
    ----------
    Bybit, "Profit & Loss calculations (Inverse Contracts)": a long of 1,000 contracts from
    5,000 to 5,500 earns ``1,000 * (1/5,000 - 1/5,500) = 0.01818 BTC`` (the page prints 0.01819
    after rounding up).

    Examples
    --------
    >>> pnl(Side.SHORT, 1.5, 3_000, 2_900)
    150.0
    >>> round(pnl(Side.LONG, 1_000, 5_000, 5_500, "inverse"), 7)
    0.0181818
    """
    s = v.side("side", side)
    q = v.positive("size", size)
    e = v.positive("entry_price", entry_price)
    p = v.positive("price", price)
    if contract_kind(kind) is LINEAR:
        return v.scalar_or_array(s * q * (p - e))
    cv = v.positive("contract_value", contract_value)
    return v.scalar_or_array(s * q * cv * (1.0 / e - 1.0 / p))


def average_entry_price(
    sizes: ArrayLike, prices: ArrayLike, kind: str | ContractKind = LINEAR, axis: int = -1
) -> Any:
    """Average entry price of fills added to one position.

    Linear PnL is linear in price, so fills average **arithmetically** weighted by size. Inverse PnL
    is linear in 1/price, so fills average **harmonically**: total contracts divided by total coin
    value, which keeps ``pnl`` of the combined position equal to the sum of the fills' PnL.

    Parameters
    ----------
    sizes, prices : array
        Fill sizes (> 0) and fill prices (> 0), reduced along ``axis``.
    kind : {"linear", "inverse"}
    axis : int
        Axis along which fills are combined.

    Returns
    -------
    float or ndarray

    References
    ----------
    Bybit, "Profit & Loss calculations (Inverse Contracts)" (documented 5,625.00 below).

    Examples
    --------
    >>> average_entry_price([1_000, 2_000], [5_000, 6_000], "inverse")
    5625.0
    >>> average_entry_price([1, 3], [100, 200])
    175.0
    """
    q = v.positive("sizes", sizes)
    p = v.positive("prices", prices)
    q, p = np.broadcast_arrays(q, p)
    if contract_kind(kind) is LINEAR:
        avg = (q * p).sum(axis=axis) / q.sum(axis=axis)
    else:
        avg = q.sum(axis=axis) / (q / p).sum(axis=axis)
    return v.scalar_or_array(np.asarray(avg))


def round_to_tick(price: ArrayLike, tick: float, direction: str) -> Any:
    """Round a price to a multiple of ``tick``, ``"up"`` or ``"down"``.

    Venues round bankruptcy and liquidation prices toward the position's entry, the direction that
    protects the venue: Bybit rounds a long's bankruptcy price up, a short's down, to the 0.5 tick.

    Parameters
    ----------
    price : float or array
        Price(s) to round (> 0).
    tick : float
        Tick size (> 0).
    direction : {"up", "down"}

    Returns
    -------
    float or ndarray

    References
    ----------
    Bybit help center 360011431853: "For long position, the bankruptcy price will be rounded up to
    the nearest 0.5 ... for short position ... rounded down".

    Examples
    --------
    >>> round_to_tick(7_735.372549, 0.5, "up")
    7735.5
    """
    p = v.positive("price", price)
    t = float(v.positive("tick", tick))
    v.choice("direction", direction, ("up", "down"))
    steps = p / t
    # Snap values within float noise of a tick before rounding, so 7,735.5 stays 7,735.5.
    nearest = np.round(steps)
    steps = np.where(np.isclose(steps, nearest, rtol=0, atol=1e-9), nearest, steps)
    rounded = (np.ceil(steps) if direction == "up" else np.floor(steps)) * t
    return v.scalar_or_array(rounded)
