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
    if not isinstance(kind, str):
        raise v.ArgumentTypeError(
            f"{v.label('kind')} must be 'linear' or 'inverse', got {type(kind).__name__} {kind!r}"
        )
    try:
        return ContractKind(kind)
    except ValueError:
        raise ValueError(
            f"{v.label('kind')} must be 'linear' or 'inverse', got {kind!r}"
        ) from None


def _notional_extent(
    q: tuple[Any, float, float],
    p: tuple[Any, float, float],
    kind: ContractKind,
    cv: tuple[Any, float, float] | None,
    *,
    size: str = "size",
    price: str = "price",
) -> None:
    """Refuse inputs whose notional (``size * price``, or ``size * contract_value / price``)
    leaves float's safe range, from the inputs' extents alone (no elementwise pass)."""
    if kind is LINEAR or cv is None:
        v.derived_in_range(
            f"{size} * {price} (the notional)", q[1] * p[1], q[2] * p[2],
            parts={size: q[0], price: p[0]},
        )
    else:
        v.derived_in_range(
            f"{size} * contract_value / {price} (the notional)",
            q[1] * cv[1] / p[2], q[2] * cv[2] / p[1],
            parts={size: q[0], "contract_value": cv[0], price: p[0]},
        )


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

    Raises
    ------
    ArgumentTypeError
        A non-numeric ``size``, ``price`` or ``contract_value`` (a string, None, a bool).
    ValueError
        Naming the argument: a non-positive or non-finite element (the first one's flat index).
    ShapeError
        ``size``, ``price`` and ``contract_value`` do not broadcast together.
    DerivedRangeError
        The notional would leave [1e-200, 1e200] (overflow or underflow in floating point).

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call and the message names its index.

    Examples
    --------
    >>> notional(2, 30_000)
    60000.0
    >>> notional(100, 25_000, "inverse", contract_value=100)   # 100 BTCUSD contracts, in BTC
    0.4
    """
    q = v.positive_extent("size", size)
    p = v.positive_extent("price", price)
    k = contract_kind(kind)
    if k is LINEAR:
        v.shapes(size=q[0], price=p[0])
        _notional_extent(q, p, k, None)
        return v.scalar_or_array(q[0] * p[0])
    cv = v.positive_extent("contract_value", contract_value)
    v.shapes(size=q[0], price=p[0], contract_value=cv[0])
    _notional_extent(q, p, k, cv)
    return v.scalar_or_array(q[0] * cv[0] / p[0])


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

    Raises
    ------
    ArgumentTypeError
        A non-numeric argument (a string such as ``"long"``, None, a bool).
    ValueError
        Naming the argument: side not +1/-1, a non-positive or non-finite size or price.
    ShapeError
        Arguments that do not broadcast together (both named, with their shapes).
    DerivedRangeError
        A notional (at entry or at ``price``) outside [1e-200, 1e200].

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call and the message names its index.

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
    q = v.positive_extent("size", size)
    e = v.positive_extent("entry_price", entry_price)
    p = v.positive_extent("price", price)
    k = contract_kind(kind)
    cv = None if k is LINEAR else v.positive_extent("contract_value", contract_value)
    v.shapes(
        side=s,
        size=q[0],
        entry_price=e[0],
        price=p[0],
        contract_value=None if cv is None else cv[0],
    )
    _notional_extent(q, e, k, cv, price="entry_price")
    _notional_extent(q, p, k, cv)
    if cv is None:
        return v.scalar_or_array(s * q[0] * (p[0] - e[0]))
    return v.scalar_or_array(s * q[0] * cv[0] * (1.0 / e[0] - 1.0 / p[0]))


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

    Raises
    ------
    ArgumentTypeError
        Non-numeric ``sizes``/``prices``, or an ``axis`` that is not an integer.
    ValueError
        Naming the argument: a non-positive or non-finite element (its flat index), no fills
        along ``axis``, or an ``axis`` the arrays do not have.
    ShapeError
        ``sizes`` and ``prices`` do not broadcast together.
    DerivedRangeError
        A fill's notional outside [1e-200, 1e200].

    Notes
    -----
    One bad element rejects the whole call and the message names its flat index.

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
    qe = v.positive_extent("sizes", sizes)
    pe = v.positive_extent("prices", prices)
    k = contract_kind(kind)
    shape = v.shapes(sizes=qe[0], prices=pe[0])
    ax = v.integer("axis", axis)
    if not -len(shape) <= ax < len(shape):
        raise ValueError(
            f"{v.label('axis')} must be an axis of the fills' shape {shape}, got {ax}"
        )
    if shape[ax] == 0:
        raise ValueError(
            f"{v.label('sizes')} and {v.label('prices')} must hold at least one fill along axis "
            f"{ax}, got shape {shape}"
        )
    # The sum of sizes and of notionals must stay finite too: bound them by count * max.
    _notional_extent(
        (qe[0], qe[1], qe[2] * shape[ax]), pe, LINEAR, None, size="sizes", price="prices"
    )
    q, p = np.broadcast_arrays(qe[0], pe[0])
    if k is LINEAR:
        avg = (q * p).sum(axis=ax) / q.sum(axis=ax)
    else:
        avg = q.sum(axis=ax) / (q / p).sum(axis=ax)
    return v.scalar_or_array(np.asarray(avg))


def round_to_tick(price: ArrayLike, tick: ArrayLike, direction: str) -> Any:
    """Round a price to a multiple of ``tick``, ``"up"`` or ``"down"``.

    Venues round bankruptcy and liquidation prices toward the position's entry, the direction that
    protects the venue: Bybit rounds a long's bankruptcy price up, a short's down, to the 0.5 tick.

    Parameters
    ----------
    price : float or array
        Price(s) to round (> 0).
    tick : float or array
        Tick size (> 0), broadcasting with ``price`` (one tick per instrument).
    direction : {"up", "down"}

    Returns
    -------
    float or ndarray

    Raises
    ------
    ArgumentTypeError
        Non-numeric ``price``/``tick``, or a ``direction`` that is not a string.
    ValueError
        Naming the argument: a non-positive or non-finite element (its flat index), an unknown
        ``direction``, or a price below one tick rounded ``"down"`` (to 0, which is not a
        price: ``round_to_tick(0.3, 0.5, "down")``).
    ShapeError
        ``price`` and ``tick`` do not broadcast together.
    DerivedRangeError
        ``price / tick`` (the number of ticks) outside [1e-200, 1e200], or a rounded price that
        overflows.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call and the message names its index.

    References
    ----------
    Bybit help center 360011431853: "For long position, the bankruptcy price will be rounded up to
    the nearest 0.5 ... for short position ... rounded down".

    Examples
    --------
    >>> round_to_tick(7_735.372549, 0.5, "up")
    7735.5
    """
    p, p_lo, p_hi = v.positive_extent("price", price)
    t, t_lo, t_hi = v.positive_extent("tick", tick)
    v.choice("direction", direction, ("up", "down"))
    v.shapes(price=p, tick=t)
    v.derived_in_range(
        "price / tick (the number of ticks)",
        p_lo / t_hi,
        p_hi / t_lo,
        parts={"price": p, "tick": t},
    )
    steps = p / t
    # Snap values within float noise of a tick before rounding, so 7,735.5 stays 7,735.5.
    nearest = np.round(steps)
    steps = np.where(np.isclose(steps, nearest, rtol=0, atol=1e-9), nearest, steps)
    with np.errstate(over="ignore"):  # an overflow is refused just below, naming the inputs
        rounded = (np.ceil(steps) if direction == "up" else np.floor(steps)) * t
    v.finite_result("the rounded price", rounded, parts={"price": p, "tick": t})
    if direction == "down" and rounded.size and rounded.min() <= 0:
        # below one tick a price rounds down to 0, which is not a price: refuse, naming it
        zero = rounded <= 0
        raise ValueError(
            f"price must be at least one tick to round down (0 is not a price), got "
            f"{v._first_bad(np.broadcast_to(p, zero.shape), zero)} with tick "
            f"{np.broadcast_to(t, zero.shape)[zero].reshape(-1)[0].item()!r}"
        )
    return v.scalar_or_array(rounded)
