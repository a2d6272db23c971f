"""Funding: the periodic payment between longs and shorts that keeps a perpetual near its index.

A premium index measured from the book's impact prices, an interest component, a clamp and a
cap; rates are fractions quoted **per 8 hours** (``FUNDING_PERIOD``) unless the argument's name
says otherwise, positive when longs pay shorts. Paid out of margin, funding walks a position's
liquidation price toward the market (:func:`funding_drift`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core._validate import FloatArray
from ..core.contracts import LINEAR, ContractKind, contract_kind, notional
from ..core.liquidation import LiquidationResult, liquidation_price
from ..core.margin import Maintenance
from ..core.tiers import Tier
from .averages import FUNDING_PERIOD, _duration

# --- funding --------------------------------------------------------------------------------------


def impact_notional(margin: ArrayLike, initial_margin_rate: ArrayLike) -> Any:
    """Notional an order with ``margin`` of initial margin controls: ``margin / IMR``.

    The impact bid and ask prices are the average fills of a market order of this notional.

    Parameters
    ----------
    margin : float or array
        Initial margin of the reference order (> 0): 200 USDT (Binance), 500 USDC (dYdX).
    initial_margin_rate : float or array
        Initial margin rate at maximum leverage, in (0, 1).

    Returns
    -------
    float or ndarray

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance funding FAQ: "Impact Margin Notional = 200 USDT / Initial Margin Rate at maximum
    leverage" (20x, so 5%: 4,000 USDT); dYdX docs, "Impact Notional Amount = 500 USDC / Initial
    Margin Fraction" ("at a 10% initial margin fraction ... 5,000 USDC").

    Examples
    --------
    >>> impact_notional(200, 0.05), impact_notional(500, 0.10)
    (4000.0, 5000.0)
    """
    m = v.positive("margin", margin)
    imr = v.rate("initial_margin_rate", initial_margin_rate, allow_zero=False)
    v.shapes(margin=m, initial_margin_rate=imr)
    return v.scalar_or_array(m / imr)


def impact_price(prices: ArrayLike, sizes: ArrayLike, notional_value: float) -> float:
    """Average fill price of a market order for ``notional_value`` walking one side of a book.

    Parameters
    ----------
    prices : array
        Price levels from the best outward (bids descending, asks ascending), > 0.
    sizes : array
        Base-asset size resting at each level (> 0).
    notional_value : float
        Quote amount to execute (> 0), e.g. :func:`impact_notional`.

    Returns
    -------
    float
        ``notional_value / base filled``.

    Raises
    ------
    ValueError
        When the book is not deep enough, or levels are out of order.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    >>> round(impact_price([100.0, 99.0, 98.0], [10.0, 20.0, 50.0], 2_000.0), 4)
    99.4975
    """
    p = v.positive("prices", prices).reshape(-1)
    q = v.positive("sizes", sizes).reshape(-1)
    if p.size == 0 or p.size != q.size:
        raise ValueError(
            f"prices and sizes must be non-empty and of equal length, got {p.size} and {q.size}"
        )
    if p.size > 1 and not (np.all(np.diff(p) < 0) or np.all(np.diff(p) > 0)):
        raise ValueError("prices must run strictly from the best level outward (monotone)")
    target = v.one("notional_value", v.positive("notional_value", notional_value))
    # The book's total notional must stay computable (a sum of products, not only each product).
    v.derived_in_range(
        "prices * sizes (the book's notional)",
        float(p.min()) * float(q.min()),  # Python floats: overflow gives inf, not a warning
        float(p.max()) * float(q.max()) * p.size,
        parts={"prices": p, "sizes": q},
    )
    level_notional = p * q
    cum = np.cumsum(level_notional)
    if cum[-1] < target:
        raise ValueError(
            f"the book holds {cum[-1]!r} of notional, less than notional_value={target!r}"
        )
    k = int(np.searchsorted(cum, target))
    before = cum[k - 1] if k > 0 else 0.0
    base = (q[:k].sum() if k > 0 else 0.0) + (target - before) / p[k]
    return target / float(base)


def premium_index(impact_bid: ArrayLike, impact_ask: ArrayLike, index: ArrayLike) -> Any:
    """Premium index ``[max(0, impact bid - index) - max(0, index - impact ask)] / index``.

    Positive when even the impact bid is above the index (the perpetual trades rich), negative when
    even the impact ask is below it, and zero while the index lies inside the impact spread.

    Parameters
    ----------
    impact_bid, impact_ask : float or array
        Average fill prices of selling and buying the impact notional (> 0, bid <= ask).
    index : float or array
        Index (oracle) price (> 0).

    Returns
    -------
    float or ndarray
        A fraction of the index.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance funding FAQ; Bybit, "Introduction to Funding Rate"; Hyperliquid docs, "Funding"
    (``impact_price_difference / oracle_price``); dYdX docs, "Funding".

    Examples
    --------
    Hyperliquid's example: impact bid 10,100 against an oracle of 10,000.

    >>> premium_index(10_100.0, 10_110.0, 10_000.0)
    0.01
    """
    b = v.positive("impact_bid", impact_bid)
    a = v.positive("impact_ask", impact_ask)
    i = v.positive("index", index)
    v.shapes(impact_bid=b, impact_ask=a, index=i)
    if np.any(b > a):
        raise ValueError("impact_bid must not exceed impact_ask")
    return v.scalar_or_array((np.maximum(0.0, b - i) - np.maximum(0.0, i - a)) / i)


def funding_rate(
    premium: ArrayLike,
    interest: ArrayLike = 0.0001,
    clamp: float = 0.0005,
    *,
    cap: float | None = None,
    floor: float | None = None,
) -> Any:
    """Funding rate per 8 h: ``F = P + clamp(I - P, -c, c)``, then capped to ``[floor, cap]``.

    Whenever the premium ``P`` is within ``c`` of the interest rate ``I``, ``F = I`` exactly; beyond
    that, ``F`` follows the premium at a distance ``c``:

    ``F = I`` if ``|P - I| <= c``,  ``F = P - c`` if ``P > I + c``,  ``F = P + c`` if ``P < I - c``.

    Parameters
    ----------
    premium : float or array
        Average premium index over the period (fraction; may be negative).
    interest : float or array
        Interest-rate component per 8 h (Binance, Bybit, Hyperliquid: 0.0001).
    clamp : float
        Half-width ``c`` of the dead band (0.0005), >= 0.
    cap, floor : float, optional
        Bounds on the 8 h rate (``floor`` defaults to ``-cap``); Hyperliquid caps at 4%/hour,
        i.e. ``cap=0.32`` in 8 h terms; dYdX at :func:`margin_funding_cap`.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Hyperliquid docs, "Funding" (formula and worked example); Bybit, "Introduction to Funding
    Rate"; Binance funding FAQ.

    Examples
    --------
    Hyperliquid's worked example: premium 1%, interest 0.01%:

    >>> round(funding_rate(0.01), 10)
    0.0095
    >>> funding_rate(0.0003)            # inside the dead band: the interest rate
    0.0001
    """
    p = v.as_float("premium", premium)
    i = v.as_float("interest", interest)
    v.shapes(premium=p, interest=i)
    c = v.one("clamp", v.nonnegative("clamp", clamp))
    f = p + np.clip(i - p, -c, c)
    if cap is not None or floor is not None:
        hi = np.inf if cap is None else v.one("cap", v.positive("cap", cap))
        lo = -hi if floor is None else v.one("floor", v.as_float("floor", floor))
        if lo >= hi:
            raise ValueError(f"floor must be below cap, got floor={lo!r}, cap={hi!r}")
        f = np.clip(f, lo, hi)
    return v.scalar_or_array(f)


def interest_rate(quote_rate: ArrayLike, base_rate: ArrayLike, fundings_per_day: int = 3) -> Any:
    """Interest component per funding interval from daily borrowing rates of quote and base.

    Parameters
    ----------
    quote_rate, base_rate : float or array
        Daily borrowing rates of the quote and the base currency.
    fundings_per_day : int
        Funding payments per day (3 for 8-hourly funding).

    Returns
    -------
    float or ndarray

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Bybit legacy funding article 360039261114: "The Interest Rate = (0.06%-0.03%)/3 = 0.01%".

    Examples
    --------
    >>> round(interest_rate(0.0006, 0.0003), 10)
    0.0001
    """
    q = v.as_float("quote_rate", quote_rate)
    b = v.as_float("base_rate", base_rate)
    v.shapes(quote_rate=q, base_rate=b)
    per_day = v.integer("fundings_per_day", fundings_per_day, low=1)
    return v.scalar_or_array((q - b) / per_day)


def margin_funding_cap(
    initial_margin_fraction: ArrayLike,
    maintenance_margin_fraction: ArrayLike,
    multiplier: float = 6.0,
) -> Any:
    """dYdX's cap on the 8 h funding rate: ``600% * (IMF - MMF)``.

    The cap is the margin a position holds above maintenance, times six: a position at maximum
    leverage can pay at most a sixth of its buffer per 8 h.

    Parameters
    ----------
    initial_margin_fraction, maintenance_margin_fraction : float or array
        In (0, 1), maintenance below initial.
    multiplier : float
        dYdX's default is 6 (600%).

    Returns
    -------
    float or ndarray
        The cap on the 8-hour funding rate.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    dYdX docs, "Funding": "The 8-hour rate cap is calculated by 600% * (Initial Margin -
    Maintenance Margin)"; BTC-USD: "600% * (5% - 3%) = 12%".

    Examples
    --------
    >>> round(margin_funding_cap(0.05, 0.03), 10)
    0.12
    """
    imf = v.rate("initial_margin_fraction", initial_margin_fraction, allow_zero=False)
    mmf = v.rate("maintenance_margin_fraction", maintenance_margin_fraction, allow_zero=False)
    v.shapes(initial_margin_fraction=imf, maintenance_margin_fraction=mmf)
    if np.any(mmf >= imf):
        raise ValueError("maintenance_margin_fraction must be below initial_margin_fraction")
    k = v.one("multiplier", v.positive("multiplier", multiplier))
    return v.scalar_or_array(k * (imf - mmf))


def dydx_funding_rate(
    premium: ArrayLike, *, interest: ArrayLike = 0.0, cap: float | None = None
) -> Any:
    """dYdX's **hourly** funding rate ``premium / 8 + interest``, capped at ``cap / 8``.

    Parameters
    ----------
    premium : float or array
        The one-hour premium (average of 60 one-minute samples), a fraction.
    interest : float or array
        Interest component per hour (0 for cross markets; 0.125 bp/h for isolated markets).
    cap : float, optional
        Cap on the **8-hour** rate (:func:`margin_funding_cap`); the hourly cap is an eighth.

    Returns
    -------
    float or ndarray
        The hourly rate.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    dYdX docs, "Funding": "Funding Rate = (Premium Component / 8) + Interest Rate Component".

    Examples
    --------
    >>> dydx_funding_rate(0.004)
    0.0005
    >>> round(dydx_funding_rate(0.2, cap=margin_funding_cap(0.05, 0.03)), 10)   # 12% / 8
    0.015
    """
    p = v.as_float("premium", premium)
    i = v.as_float("interest", interest)
    v.shapes(premium=p, interest=i)
    rate = p / 8.0 + i
    if cap is not None:
        hourly_cap = v.one("cap", v.positive("cap", cap)) / 8.0
        rate = np.clip(rate, -hourly_cap, hourly_cap)
    return v.scalar_or_array(rate)


def rate_per_payment(
    rate: ArrayLike, payment_interval: float = FUNDING_PERIOD, rate_period: float = FUNDING_PERIOD
) -> Any:
    """The part of a rate quoted per ``rate_period`` paid at each payment: ``rate * interval /
    period``. Hyperliquid pays its 8 h rate "every hour at one eighth".

    Parameters
    ----------
    rate : float or array
        The rate per ``rate_period``.
    payment_interval : float
        Seconds between payments.
    rate_period : float
        Seconds the rate is quoted for (8 h).

    Returns
    -------
    float or ndarray

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Hyperliquid docs, "Funding": "funding is paid every hour at one eighth of the computed rate";
    dYdX docs, "Funding" (premium / 8 each hour).

    Examples
    --------
    >>> from liqlib.prices.averages import HOUR

    >>> rate_per_payment(0.0095, HOUR)
    0.0011875
    """
    r = v.as_float("rate", rate)
    interval = v.one("payment_interval", _duration("payment_interval", payment_interval))
    period = v.one("rate_period", _duration("rate_period", rate_period))
    return v.scalar_or_array(r * interval / period)


def funding_payment(
    side: ArrayLike,
    size: ArrayLike,
    price: ArrayLike,
    rate: ArrayLike,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Funding **paid** by a position at one payment: ``side * notional(price) * rate``.

    Positive means the position pays (a long when the rate is positive), negative that it receives.
    ``price`` is the price the venue values the position at for funding: the **mark** on Binance
    and Bybit, the **oracle** on Hyperliquid.

    Parameters
    ----------
    side : +1, -1 or array
    size : float or array
        Absolute size (> 0): base units (linear) or contracts (inverse).
    price : float or array
        Price used for the notional (> 0).
    rate : float or array
        The rate for this payment (e.g. :func:`rate_per_payment` of the 8 h rate).
    kind : {"linear", "inverse"}
        Linear pays in quote currency (``size * price``), inverse in coins
        (``size * contract_value / price``).
    contract_value : float or array

    Returns
    -------
    float or ndarray
        In the settlement currency: quote for linear, coins for inverse.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance funding FAQ: "Funding Amount = Nominal Value of Positions * Funding Rate"; Hyperliquid
    docs, "Funding": "position_size * oracle_price * funding_rate".

    Examples
    --------
    >>> from liqlib.prices.averages import HOUR

    Hyperliquid's example position, 10 BTC long at an oracle of 10,000, one hourly payment at
    0.95% / 8:

    >>> funding_payment(+1, 10, 10_000.0, rate_per_payment(0.0095, HOUR))
    118.75
    """
    s = v.side("side", side)
    n = np.asarray(notional(size, price, kind, contract_value))
    r = v.as_float("rate", rate)
    v.shapes(side=s, size=np.asarray(size), price=np.asarray(price), rate=r)
    return v.scalar_or_array(s * n * r)


def cumulative_funding(
    side: ArrayLike,
    size: ArrayLike,
    times: ArrayLike,
    rate: ArrayLike,
    price: ArrayLike,
    *,
    payment_interval: float = FUNDING_PERIOD,
    rate_period: float = FUNDING_PERIOD,
    start: float = 0.0,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
) -> FloatArray:
    """Total funding paid by a position up to each time, with payments every ``payment_interval``.

    Payments fall at ``start + k * payment_interval`` for ``k = 1, 2, ...``. Each uses the rate and
    price in force then (the latest sample at or before the payment time) and pays
    ``rate * payment_interval / rate_period`` of the quoted rate.

    Parameters
    ----------
    side, size, kind, contract_value
        The position (scalars).
    times : array, shape (T,)
        Increasing sample times in seconds.
    rate : float or array, shape (T,)
        Funding rate per ``rate_period`` at each time.
    price : float or array, shape (T,)
        Price used for the notional (mark or oracle) at each time (> 0).
    payment_interval : float
        Seconds between payments: 8 h (Binance, Bybit) or 1 h (Hyperliquid, dYdX).
    rate_period : float
        Period the rate is quoted for (8 h).
    start : float
        Time of the last payment before ``times`` begins.

    Returns
    -------
    ndarray, shape (T,)
        Cumulative amount paid (negative: received), in the settlement currency.

    Raises
    ------
    ValueError
        Naming the argument: times not increasing, rate or price of the wrong length, a
        non-positive price or interval.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance funding FAQ (every 8 hours, on mark notional); Hyperliquid docs, "Funding" (hourly at
    one eighth, on oracle notional).

    Examples
    --------
    >>> from liqlib.prices.averages import HOUR

    A long of 1 at a constant price of 100 and 0.01% per 8 h, paid hourly or every 8 h:

    >>> t = np.arange(0, 16 * HOUR + 1, HOUR)
    >>> hourly = cumulative_funding(+1, 1.0, t, 0.0001, 100.0, payment_interval=HOUR)
    >>> eight = cumulative_funding(+1, 1.0, t, 0.0001, 100.0)
    >>> [round(float(x), 10) for x in (hourly[8], eight[8], hourly[12], eight[12])]
    [0.01, 0.01, 0.015, 0.01]
    """
    # The position and the period are checked even when no payment falls in ``times``.
    for name, value in (("side", side), ("size", size), ("contract_value", contract_value)):
        if np.ndim(value):
            raise v.ArgumentTypeError(
                f"{name} must be a scalar (one position), got shape {np.shape(value)}"
            )
    v.side("side", side)
    v.positive("size", size)
    v.positive("contract_value", contract_value)
    contract_kind(kind)
    _duration("rate_period", rate_period)
    t = v.as_float("times", times).reshape(-1)
    if t.size == 0:
        raise ValueError("times must hold at least one time")
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise ValueError("times must be strictly increasing")
    for name, arr in (("rate", rate), ("price", price)):
        if np.ndim(arr) and np.shape(arr) != t.shape:
            raise ValueError(
                f"{name} must be a scalar or one value per time ({t.size}), got shape "
                f"{np.shape(arr)}"
            )
    r = np.broadcast_to(v.as_float("rate", rate), t.shape)
    p = np.broadcast_to(v.positive("price", price), t.shape)
    interval = v.one("payment_interval", _duration("payment_interval", payment_interval))
    s0 = v.one("start", v.as_float("start", start))
    if s0 > t[0]:
        raise ValueError(f"start must be at or before the first time {t[0]!r}, got {s0!r}")
    k_max = int(np.floor((t[-1] - s0) / interval + 1e-9))
    if k_max < 1:
        return np.zeros(t.shape)
    pay_times = s0 + interval * np.arange(1, k_max + 1)
    at = np.searchsorted(t, pay_times + 1e-9 * interval, side="right") - 1
    valid = at >= 0
    pay_times, at = pay_times[valid], at[valid]
    per_payment = np.asarray(rate_per_payment(r[at], interval, rate_period))
    amounts = np.asarray(funding_payment(side, size, p[at], per_payment, kind, contract_value))
    cum = np.concatenate(([0.0], np.cumsum(amounts)))
    count = np.searchsorted(pay_times, t + 1e-9 * interval, side="right")
    return cum[count]


@dataclass(frozen=True)
class FundingDrift:
    """A position's margin and liquidation price as funding is paid over time.

    Attributes
    ----------
    times : ndarray
        Seconds.
    paid : ndarray
        Cumulative funding paid (negative: received), settlement currency.
    liquidation : LiquidationResult
        Liquidation price at each time with the funding taken out of margin;
        ``liquidation.below_maintenance`` marks the times the position is liquidatable at
        ``price``.
    """

    times: Any
    paid: Any
    liquidation: LiquidationResult

    @property
    def first_liquidatable(self) -> float:
        """First time at which the position is liquidatable (``nan`` if never)."""
        hit = np.flatnonzero(np.asarray(self.liquidation.below_maintenance))
        return float(self.times[hit[0]]) if hit.size else float("nan")


def funding_drift(
    side: int,
    size: float,
    entry_price: float,
    times: ArrayLike,
    rate: ArrayLike,
    price: ArrayLike,
    *,
    leverage: float | None = None,
    collateral: float | None = None,
    mmr: Maintenance | Tier = 0.005,
    payment_interval: float = FUNDING_PERIOD,
    rate_period: float = FUNDING_PERIOD,
    funding_price: ArrayLike | None = None,
    kind: str | ContractKind = LINEAR,
    contract_value: float = 1.0,
    fee_rate: float = 0.0,
    maintenance_at: str = "liquidation",
) -> FundingDrift:
    """How funding paid out of an isolated position's margin walks its liquidation price.

    Funding paid is margin removed, so it enters :func:`liqlib.liquidation_price` as negative
    ``extra_margin``; the price is solved by that function at every time.

    Parameters
    ----------
    side, size, entry_price
        The position.
    times : array
        Seconds since the position was opened (increasing).
    rate : float or array
        Funding rate per ``rate_period`` in force at each time.
    price : float or array
        Mark price at each time (judges ``below_maintenance``; also the funding notional's price
        unless ``funding_price`` is given).
    leverage, collateral
        Margin posted at entry (give one).
    mmr, fee_rate, kind, contract_value, maintenance_at
        As in :func:`liqlib.liquidation_price`.
    payment_interval, rate_period
        As in :func:`cumulative_funding`.
    funding_price : float or array, optional
        Price for the funding notional if not the mark (Hyperliquid: the oracle).

    Returns
    -------
    FundingDrift

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Bybit, "Liquidation Price (USDT Contract)": funding deducted from position margin raises a
    long's liquidation price (its example: 200 USDT of funding, 19,700 to 19,900).

    Examples
    --------
    >>> from liqlib.prices.averages import HOUR

    A 10x long of 1 at 100, mark held at 100, paying 0.1% per 8 h: after 3 payments (24 h) 0.3
    has been paid, the margin is 9.7 and the liquidation price ``(100 - 9.7) / (1 - 0.005)``:

    >>> d = funding_drift(+1, 1.0, 100.0, [0.0, 24 * HOUR], 0.001, 100.0, leverage=10)
    >>> d.liquidation.price.round(4).tolist(), round(float(d.paid[-1]), 10)
    ([90.4523, 90.7538], 0.3)
    """
    t = v.as_float("times", times).reshape(-1)
    px = np.broadcast_to(v.positive("price", price), t.shape)
    fp = (
        px
        if funding_price is None
        else np.broadcast_to(v.positive("funding_price", funding_price), t.shape)
    )
    paid = cumulative_funding(
        side,
        size,
        t,
        rate,
        fp,
        payment_interval=payment_interval,
        rate_period=rate_period,
        kind=kind,
        contract_value=contract_value,
    )
    result = liquidation_price(
        side,
        size,
        entry_price,
        leverage=leverage,
        collateral=collateral,
        extra_margin=-paid,
        mmr=mmr,
        fee_rate=fee_rate,
        kind=kind,
        contract_value=contract_value,
        mark_price=px,
        maintenance_at=maintenance_at,
    )
    return FundingDrift(times=t, paid=paid, liquidation=result)
