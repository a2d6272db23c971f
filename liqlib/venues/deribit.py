"""Deribit: futures margin and liquidation price, liquidation fees, option mark IV bounds and the
legacy portfolio-margin scenario grid.

Deribit's BTC and ETH futures and perpetuals are inverse (sized in USD, margined and settled in
the coin); its options are on 1 coin each, priced and settled in the coin (Black-76 on the future
of the same expiry, :mod:`liqlib.prices.options` with ``settlement="inverse"``). Liquidation is
incremental (small clips each round while maintenance margin exceeds equity), so Deribit prints
no liquidation price; :func:`futures_liquidation_price` is the price at which the documented
maintenance margin equals equity [CALC].

Parameters drift and each function takes a ``version`` naming the page it comes from:

* futures margin and liquidation fees: the announcement "11 January 2022" (support.deribit.com),
  which lists the old values next to the new;
* liquidation fees before: the legacy general page (deribit.com/pages/docs), and earlier a flat
  0.30% ("Deribit General User Information", Medium, 2019-02-01);
* portfolio margin: two legacy pages with different parameters (:data:`LEGACY_PM`) and the
  current structure (price buckets, volatility up/same/down, extended table), whose numeric
  fraction and dampener for the extended table are not published.

Where the sources are silent the module says what it assumes: how an "IV change of maximum 38%"
is applied (``vol_shock_mode``, relative by default, with a floor on shocked volatility), how
many price buckets a legacy grid has (9, as the current page), that a one-sided quote counts as
"no market" for the option mark.

References
----------
.. [1] Deribit, "11 January 2022" (margin changes), support.deribit.com/hc/en-us/articles/
   25944826427293-11-January-2022: BTC IM "2% + (Position Size in BTC) * 0.005%", MM "1% +
   (PositionSize in BTC) * 0.005%" (before: 1% / 0.525%); ETH IM "2% + (Position Size in ETH)
   * 0.0004%", MM "1% + ... 0.0004%" (before: 0.0002%); liquidation fees BTC 0.75% (before 0.5%),
   ETH 0.9%.
.. [2] Deribit, general documentation (legacy), https://www.deribit.com/pages/docs, "Fees":
   "Liquidation fees that serve as income for the insurance fund ... BTC Futures and Perpetual:
   0.5%; ETH Futures and Perpetual: 0.9%; BTC and ETH options 0.2%". Earlier: "Deribit General
   User Information", https://medium.com/deribitofficial/deribit-general-user-information-
   8d7d0235b68a (2019-02-01): "Liquidations are charged an extra 0.30% fee".
.. [3] Deribit, "Portfolio Margin" (legacy), https://www.deribit.com/pages/docs/portfoliomargin:
   "maximum price move of +/- 10.00%", "(30/days to expiration)^0.30*38.00%", "0.01 BTC per
   option for all net short options per strike", "1.00% of underlying value ... for offsetting
   futures". Older: https://www.deribit.com/docs/category/uncategorized/: "+/- 12.5%",
   "SQRT(30/days to expiration)*40%", "1% of underlying value of all options", "2% ... for
   offsetting futures", "25% for VEGA's offsetting in different expirations".
.. [4] Deribit, "Portfolio Margin" (current), support.deribit.com/hc/en-us/articles/
   25944756247837-Portfolio-Margin: "+/-16% ... 9 evenly spaced buckets", "Volatility Range Up,
   Same, and Down", "Extended Table ... -66%, -33%, +50%, +100%, +200%, +300%, +400%, +500% ...
   Only on Volatility Range Up ... Only a fraction of simulated P&L ... Application of a
   dampener".
.. [5] Deribit, option mark price (legacy help centre, deribit.freshdesk.com, article
   1000197268): "if the average between bid and ask ... has an implied volatility higher than
   100%, the mark price will be 100% implied volatility, and if ... lower than 30%, ... 30%
   volatility ... if there is no market at all ... 60%."
.. [6] Standard (non-PM) option margin, third-party record of Deribit's rules (TSLab docs,
   doc.tslab.pro "Deribit Margin Requirements Calculation"): not verified against Deribit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..core.contracts import INVERSE, LINEAR, ContractKind, contract_kind
from ..core.liquidation import LiquidationResult
from ..core.liquidation import bankruptcy_price as _core_bankruptcy_price
from ..core.liquidation import liquidation_price as _core_liquidation_price
from ..prices.options import black76_price, option_sign

FloatArray = NDArray[np.float64]

# --- futures margin ------------------------------------------------------------------------------

#: Futures margin rate = base + increase factor x position size in coin, per currency and version
#: (announcement of 11 January 2022, which gives both the old and the new values).
FUTURES_MARGIN: dict[str, dict[str, dict[str, tuple[float, float]]]] = {
    "2022-01-11": {
        "BTC": {"initial": (0.02, 0.00005), "maintenance": (0.01, 0.00005)},
        "ETH": {"initial": (0.02, 0.000004), "maintenance": (0.01, 0.000004)},
    },
    "before-2022-01-11": {
        "BTC": {"initial": (0.01, 0.00005), "maintenance": (0.00525, 0.00005)},
        "ETH": {"initial": (0.02, 0.000002), "maintenance": (0.01, 0.000002)},
    },
}


def _futures_parameters(
    currency: str, margin: str, version: str, rates: tuple[float, float] | None = None
) -> tuple[float, float]:
    v.choice("version", version, tuple(FUTURES_MARGIN))
    v.choice("currency", currency, tuple(FUTURES_MARGIN[version]))
    v.choice("margin", margin, ("initial", "maintenance"))
    if rates is None:
        return FUTURES_MARGIN[version][currency][margin]
    if len(rates) != 2:
        raise ValueError(f"rates must be (base rate, increase factor per coin), got {rates!r}")
    base = v.one("rates[0] (base rate)", v.rate("rates[0] (base rate)", rates[0], allow_zero=False))
    factor = v.number("rates[1] (increase factor)", rates[1], "nonneg")
    return base, factor


def futures_margin_rate(
    position_size: ArrayLike,
    currency: str = "BTC",
    margin: str = "maintenance",
    version: str = "2022-01-11",
    *,
    rates: tuple[float, float] | None = None,
) -> Any:
    """Initial or maintenance margin rate of a futures position, rising with its size.

    ``base + position_size * increase_factor``, e.g. BTC maintenance "1% + (PositionSize in BTC)
    * 0.005%" since 11 January 2022.

    Parameters
    ----------
    position_size : float or array
        Absolute position size in coin (>= 0): USD amount / mark price for the inverse futures.
    currency : {"BTC", "ETH"}
    margin : {"initial", "maintenance"}
    version : {"2022-01-11", "before-2022-01-11"}
    rates : (float, float), optional
        ``(base, increase factor per coin)`` overriding the published table (Deribit changes
        them; this is where today's values go).

    Returns
    -------
    float or ndarray
        Fraction of the position's coin value.

    Raises
    ------
    ValueError
        Naming the argument: a negative or non-finite size, an unknown currency, margin or
        version.

    References
    ----------
    Deribit, "11 January 2022" (module references [1]).

    Examples
    --------
    A 100 BTC position needs 1% + 100 x 0.005% = 1.5% maintenance:

    >>> round(futures_margin_rate(100), 10)
    0.015
    >>> round(futures_margin_rate(100, margin="initial", version="before-2022-01-11"), 10)
    0.015
    """
    base, factor = _futures_parameters(currency, margin, version, rates)
    size = v.nonnegative("position_size", position_size)
    return v.scalar_or_array(base + factor * size)


def futures_margin(
    position_size: ArrayLike,
    currency: str = "BTC",
    margin: str = "maintenance",
    version: str = "2022-01-11",
) -> Any:
    """Margin of a futures position in coin: :func:`futures_margin_rate` times its size.

    Examples
    --------
    >>> round(futures_margin(100), 10)
    1.5
    """
    size = v.nonnegative("position_size", position_size)
    with np.errstate(over="ignore"):  # refused just below, naming the input
        required = size * np.asarray(futures_margin_rate(size, currency, margin, version))
    v.finite_result("the margin", required, parts={"position_size": size})
    return v.scalar_or_array(required)


def futures_liquidation_price(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    *,
    collateral: ArrayLike | None = None,
    leverage: ArrayLike | None = None,
    currency: str = "BTC",
    version: str = "2022-01-11",
    kind: str | ContractKind = INVERSE,
    contract_value: ArrayLike = 1.0,
    mark_price: ArrayLike | None = None,
    rates: tuple[float, float] | None = None,
) -> LiquidationResult:
    """Price at which a futures position's equity meets Deribit's size-dependent maintenance.

    Maintenance margin is ``(m0 + k N) N`` with ``N`` the position size in coin. For an inverse
    future (sized in USD) ``N = Q cv / P`` moves with the price, so with equity ``A + sigma N``
    (the core's notation: ``sigma = -side``, ``A = C - sigma N_entry``) the condition is the
    quadratic ``k N^2 + (m0 - sigma) N - A = 0``, whose root on the liquidation side is

        N* = 2 A / ((m0 - sigma) - sigma sqrt((m0 - sigma)^2 + 4 k A)),

    which is the core's closed form ``A / (m0 - sigma)`` when ``k = 0`` [CALC]. For a linear
    (USDC) future the size in coin is fixed, the rate is a constant ``m0 + k |Q|`` and the core is
    used as is. The bankruptcy price is the core's (no maintenance, no fee).

    Parameters
    ----------
    side : +1, -1 or array
    size : float or array
        USD amount for inverse futures (``contract_value=1``; a BTC-PERPETUAL contract is 10 USD),
        coins for linear.
    entry_price : float or array
        Average entry price (> 0).
    collateral, leverage : float or array, optional
        Margin posted in the settlement currency, or entry value / leverage (give one).
    currency : {"BTC", "ETH"}
    version : {"2022-01-11", "before-2022-01-11"}
    kind : {"inverse", "linear"}
    contract_value : float or array
    mark_price : float or array, optional
        Current mark, to report ``below_maintenance``.
    rates : (float, float), optional
        Maintenance ``(base, increase factor per coin)`` overriding the table.

    Returns
    -------
    LiquidationResult
        ``tier`` is 1 and ``iterations`` 1 (one closed form); ``price`` is ``nan`` where no
        positive price liquidates the position.

    Raises
    ------
    ValueError
        Naming the argument (from the core and :func:`futures_margin_rate`).

    References
    ----------
    Deribit, "11 January 2022" (module references [1]); Deribit's liquidation itself is
    incremental and starts at this price.

    Examples
    --------
    Long 1,000,000 USD of BTC-PERPETUAL at 50,000 (20 BTC) with 2 BTC of margin: the maintenance
    rate at the liquidation price is ``1% + N* x 0.005%``:

    >>> r = futures_liquidation_price(1, 1_000_000, 50_000, collateral=2.0)
    >>> round(r.price, 2), round(r.bankruptcy_price, 2)
    (45958.54, 45454.55)
    """
    k_ = contract_kind(kind)
    m0, factor = _futures_parameters(currency, "maintenance", version, rates)
    s = v.side("side", side)
    q = v.positive("size", size)
    if k_ is LINEAR:
        rate = m0 + factor * q
        if np.ndim(rate) != 0:
            raise ValueError("size must be a scalar for a linear future (the rate depends on it)")
        return _core_liquidation_price(
            s,
            q,
            entry_price,
            collateral=collateral,
            leverage=leverage,
            mmr=float(rate),
            kind=LINEAR,
            contract_value=contract_value,
            mark_price=mark_price,
        )
    # The core validates the inputs and gives the bankruptcy price (no maintenance, no fee).
    bankrupt = _core_bankruptcy_price(
        s,
        q,
        entry_price,
        collateral=collateral,
        leverage=leverage,
        kind=INVERSE,
        contract_value=contract_value,
    )
    e = v.positive("entry_price", entry_price)
    cv = v.positive("contract_value", contract_value)
    sigma = -s
    n_entry = q * cv / e
    if collateral is not None:
        posted = v.as_float("collateral", collateral)
    else:
        assert leverage is not None  # exactly one of the two: checked by the core call above
        posted = n_entry / v.positive("leverage", leverage)
    a = posted - sigma * n_entry
    b = m0 - sigma
    disc = b * b + 4.0 * factor * a
    with np.errstate(divide="ignore", invalid="ignore"):
        # The root that tends to the core's A / (m0 - sigma) as k -> 0, written without the
        # cancellation of the textbook form: 2A / (b - sigma sqrt(disc)), since sign(b) = -sigma.
        root = 2.0 * a / (b - sigma * np.sqrt(np.maximum(disc, 0.0)))
        n_star = np.where(disc >= 0, root, np.nan)
        price = np.where((n_star > 0) & np.isfinite(n_star), q * cv / n_star, np.nan)
    price = np.asarray(price, dtype=np.float64)
    mark = e if mark_price is None else v.positive("mark_price", mark_price)
    n_mark = q * cv / mark
    below = (posted - sigma * n_entry + sigma * n_mark) <= (m0 + factor * n_mark) * n_mark
    liquidatable = np.isfinite(price)
    shape = np.broadcast_shapes(price.shape, np.shape(bankrupt))
    return LiquidationResult(
        price=v.scalar_or_array(np.broadcast_to(price, shape).copy()),
        bankruptcy_price=bankrupt,
        tier=v.scalar_or_array(np.broadcast_to(liquidatable.astype(np.int16), shape).copy()),
        iterations=v.scalar_or_array(np.ones(shape, dtype=np.int16)),
        liquidatable=v.scalar_or_array(np.broadcast_to(liquidatable, shape).copy()),
        below_maintenance=v.scalar_or_array(np.broadcast_to(below, shape).copy()),
    )


# --- liquidation fees ----------------------------------------------------------------------------

#: Liquidation fee rates (fraction of the underlying amount), per version of the fee schedule.
#: "2022-01-11" amends the legacy table; options are not in the announcement, so they keep 0.2%.
LIQUIDATION_FEES: dict[str, dict[tuple[str, str], float]] = {
    "2019-02-01": {
        ("future", "BTC"): 0.003,
        ("future", "ETH"): 0.003,
        ("option", "BTC"): 0.003,
        ("option", "ETH"): 0.003,
    },
    "legacy": {
        ("future", "BTC"): 0.005,
        ("future", "ETH"): 0.009,
        ("option", "BTC"): 0.002,
        ("option", "ETH"): 0.002,
    },
    "2022-01-11": {
        ("future", "BTC"): 0.0075,
        ("future", "ETH"): 0.009,
        ("option", "BTC"): 0.002,
        ("option", "ETH"): 0.002,
    },
}


def liquidation_fee_rate(
    instrument: str = "future", currency: str = "BTC", version: str = "2022-01-11"
) -> float:
    """Deribit's liquidation fee rate, income of the insurance fund.

    Parameters
    ----------
    instrument : {"future", "option"}
        Futures and perpetuals, or options.
    currency : {"BTC", "ETH"}
    version : {"2022-01-11", "legacy", "2019-02-01"}

    Returns
    -------
    float
        Fraction of the underlying amount liquidated.

    References
    ----------
    Module references [1] and [2].

    Examples
    --------
    >>> liquidation_fee_rate("future", "BTC", "legacy"), liquidation_fee_rate("option", "ETH")
    (0.005, 0.002)
    """
    v.choice("version", version, tuple(LIQUIDATION_FEES))
    v.choice("instrument", instrument, ("future", "option"))
    v.choice("currency", currency, ("BTC", "ETH"))
    return LIQUIDATION_FEES[version][(instrument, currency)]


def liquidation_fee(
    amount: ArrayLike,
    instrument: str = "future",
    currency: str = "BTC",
    version: str = "2022-01-11",
) -> Any:
    """Liquidation fee in coin on ``amount`` coins of underlying liquidated.

    "The fee is calculated as a percentage of the underlying asset of the contract": for a
    future, the coin value of the USD amount closed (amount / price); for options, one coin per
    option.

    Examples
    --------
    Liquidating 2 BTC of futures under the legacy schedule costs 0.5%:

    >>> liquidation_fee(2.0, "future", "BTC", "legacy")
    0.01
    """
    size = v.nonnegative("amount", amount)
    return v.scalar_or_array(size * liquidation_fee_rate(instrument, currency, version))


# --- option mark price bounds --------------------------------------------------------------------

#: Legacy option-mark IV bounds: floor, cap, and the IV used when there is no market.
MARK_IV_FLOOR, MARK_IV_CAP, MARK_IV_NO_MARKET = 0.30, 1.00, 0.60


def bounded_mark_iv(
    iv: ArrayLike,
    *,
    floor: float = MARK_IV_FLOOR,
    cap: float = MARK_IV_CAP,
    no_market: float = MARK_IV_NO_MARKET,
) -> Any:
    """The mark's implied volatility: the mid's IV held within [30%, 100%], 60% with no market.

    Parameters
    ----------
    iv : float or array
        Implied volatility of the bid/ask mid (> 0), or ``nan`` where there is no market.
    floor, cap, no_market : float
        The bounds (legacy values by default; Deribit may change them).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        For a non-positive or infinite IV, or ``floor >= cap``, or ``no_market`` outside them.

    References
    ----------
    Module references [5].

    Examples
    --------
    >>> bounded_mark_iv([1.2, 0.2, 0.55, float("nan")]).tolist()
    [1.0, 0.3, 0.55, 0.6]
    """
    lo = v.number("floor", floor, "pos")
    hi = v.number("cap", cap, "pos")
    none = v.number("no_market", no_market, "pos")
    if not lo < hi or not lo <= none <= hi:
        raise ValueError(f"need floor < cap and no_market within them, got {lo}, {hi}, {none}")
    arr = v.numbers("iv", iv)  # NaN allowed here: no market, marked at no_market
    missing = np.isnan(arr)
    given = v.positive("iv", np.where(missing, 1.0, arr))
    return v.scalar_or_array(np.where(missing, none, np.clip(given, lo, hi)))


def option_mark_price(
    bid: ArrayLike,
    ask: ArrayLike,
    forward: ArrayLike,
    strike: ArrayLike,
    time: ArrayLike,
    kind: ArrayLike = "call",
    *,
    rate: ArrayLike = 0.0,
    settlement: str = "inverse",
    floor: float = MARK_IV_FLOOR,
    cap: float = MARK_IV_CAP,
    no_market: float = MARK_IV_NO_MARKET,
) -> Any:
    """Option mark price: the bid/ask mid, held between the prices at 30% and 100% IV.

    The price of an option rises with volatility, so "the mid's IV is above 100%" is "the mid is
    above the 100%-IV price": the mark is the mid clipped to ``[price(floor), price(cap)]``, with
    no implied-volatility solve. Without a two-sided market (``nan`` bid or ask; a one-sided
    quote is treated as no market, which the source does not cover) it is the price at 60%.

    Parameters
    ----------
    bid, ask : float or array
        Best bid and ask in the price unit of ``settlement`` (coin for Deribit), ``nan`` if none.
    forward, strike, time, kind, rate, settlement
        As :func:`liqlib.prices.options.black76_price`.
    floor, cap, no_market : float
        IV bounds, as :func:`bounded_mark_iv`.

    Returns
    -------
    float or ndarray

    Examples
    --------
    A 30-day call struck at 60,000 on a 50,000 future quoted 0.05/0.07 BTC: the mid 0.06 implies
    more than 100% vol, so the mark is the 100%-IV price:

    >>> round(option_mark_price(0.05, 0.07, 50_000, 60_000, 30 / 365), 5)
    0.04966
    """
    b = np.asarray(bid, dtype=np.float64)
    a = np.asarray(ask, dtype=np.float64)
    present = ~(np.isnan(b) | np.isnan(a))
    v.nonnegative("bid", np.where(present, b, 0.0))
    v.nonnegative("ask", np.where(present, a, 0.0))
    if np.any(present & (b > a)):
        raise ValueError("bid must not exceed ask")
    bounded_mark_iv(np.nan, floor=floor, cap=cap, no_market=no_market)  # checks the bounds

    def price(vol: float) -> FloatArray:
        return np.asarray(
            black76_price(forward, strike, time, rate, vol, kind, settlement=settlement)
        )

    mid = np.where(present, 0.5 * (b + a), 0.0)
    out = np.where(present, np.clip(mid, price(floor), price(cap)), price(no_market))
    return v.scalar_or_array(out)


# --- standard (non-portfolio) option margin [3P] ---------------------------------------------


@dataclass(frozen=True)
class OptionMargin:
    """Initial and maintenance margin of a short option, in coin per contract."""

    initial: Any
    maintenance: Any


def short_option_margin(
    kind: ArrayLike, strike: ArrayLike, underlying_price: ArrayLike, mark_price: ArrayLike
) -> OptionMargin:
    """Standard-margin requirement of one short inverse option (third-party record of the rule).

    Short call: ``IM = max(0.15 - OTM/underlying, 0.1) + mark``, ``MM = 0.075 + mark``. Short put:
    ``MM = max(0.075, 0.075 * mark) + mark`` and ``IM = max(max(0.15 - OTM/underlying, 0.1) +
    mark, MM)``. ``OTM`` is the out-of-the-money amount in USD (``max(K - S, 0)`` for a call,
    ``max(S - K, 0)`` for a put); ``mark`` is the option's mark price in coin.

    Parameters
    ----------
    kind : {"call", "put"} or array
    strike, underlying_price : float or array
        USD (> 0).
    mark_price : float or array
        Option mark price in coin (>= 0).

    Returns
    -------
    OptionMargin

    References
    ----------
    Module references [6] ([3P]; Deribit's current standard-margin page was not retrieved).

    Examples
    --------
    A short 60,000 call on a 50,000 underlying marked at 0.02 BTC:

    >>> m = short_option_margin("call", 60_000, 50_000, 0.02)
    >>> round(m.initial, 10), round(m.maintenance, 10)
    (0.12, 0.095)
    """
    omega = np.asarray(option_sign(kind), dtype=np.float64)
    k = v.positive("strike", strike)
    s = v.positive("underlying_price", underlying_price)
    mark = v.nonnegative("mark_price", mark_price)
    otm = np.maximum(omega * (k - s), 0.0)
    base = np.maximum(0.15 - otm / s, 0.1) + mark
    call = omega > 0
    mm = np.where(call, 0.075 + mark, np.maximum(0.075, 0.075 * mark) + mark)
    im = np.where(call, base, np.maximum(base, mm))
    return OptionMargin(v.scalar_or_array(im), v.scalar_or_array(mm))


#: Readings of the standard rule's "+ mark" (see :func:`standard_option_requirement`).
MARK_READINGS = ("documented", "net")


def standard_option_requirement(
    kind: ArrayLike,
    strike: ArrayLike,
    underlying_price: ArrayLike,
    mark_price: ArrayLike,
    size: ArrayLike,
    *,
    reading: str = "documented",
) -> OptionMargin:
    """Standard-margin requirement of signed option positions, to compare with equity (coin).

    Deribit's equity values open options at their mark: the account summary reports ``equity``
    next to ``balance`` and ``options_value`` (the marks times the signed sizes), so a seller who
    received the premium into the balance holds ``equity = balance - |size| * mark``. The
    standard rule's requirement of a short option is a buffer *plus the mark*
    (:func:`short_option_margin`: "Maintenance margin (BTC): 0.075 + mark price of the option").

    * ``reading="documented"`` (default): the formulas as written, compared with that equity. The
      mark then counts twice, once as the cost of buying the option back (in the equity) and
      once in the requirement: a short call with collateral ``C`` per contract (premium
      included) breaches when ``C - M < 0.075 + M``, at the mark ``M* = (C - 0.075) / 2``.
    * ``reading="net"``: the "+ mark" read as that buy-back cost, already in the equity, so only
      the buffer is charged against it: the same call breaches at ``M* = C - 0.075``.

    Long options carry no requirement (the rule's sentences are for sellers; a long's premium is
    paid and its value counts in the equity).

    Parameters
    ----------
    kind : {"call", "put"} or array
    strike, underlying_price : float or array
        USD (> 0).
    mark_price : float or array
        Option mark price in coin (>= 0).
    size : float or array
        Signed contracts (negative short); only shorts are charged.
    reading : {"documented", "net"}

    Returns
    -------
    OptionMargin
        Initial and maintenance margin of each position (``|size|`` times the per-contract
        amount; zero for longs), in coin.

    Raises
    ------
    ValueError
        As :func:`short_option_margin`, or for an unknown ``reading``.

    References
    ----------
    Module references [6]; Deribit API, ``private/get_account_summary`` (fields ``equity``,
    ``balance``, ``options_value``), https://docs.deribit.com/api-reference/account-management/
    private-get_account_summary (read 2026-12-03); "Margin types and usage",
    support.deribit.com/hc/en-us/articles/25944811317149: "This total margin requirement is what
    is compared to the margin balance to determine margin usage percentages."

    Examples
    --------
    Ten short 60,000 calls marked at 0.0497 BTC: 10 x (0.075 + 0.0497) as documented, 10 x 0.075
    net of the mark:

    >>> m = standard_option_requirement("call", 60_000, 50_000, 0.0497, -10)
    >>> round(m.maintenance, 4), round(standard_option_requirement(
    ...     "call", 60_000, 50_000, 0.0497, -10, reading="net").maintenance, 4)
    (1.247, 0.75)
    >>> standard_option_requirement("call", 60_000, 50_000, 0.0497, 10).maintenance
    0.0
    """
    v.choice("reading", reading, MARK_READINGS)
    q = v.as_float("size", size)
    per = short_option_margin(kind, strike, underlying_price, mark_price)
    im, mm = np.asarray(per.initial), np.asarray(per.maintenance)
    if reading == "net":
        mark = np.asarray(mark_price, dtype=np.float64)
        im, mm = im - mark, mm - mark
    short = np.maximum(-q, 0.0)
    return OptionMargin(v.scalar_or_array(short * im), v.scalar_or_array(short * mm))


#: Portfolio-margin initial margin as a multiple of maintenance: Deribit's pages read give the
#: maintenance grid only, so the multiple is a stated assumption (1.5: half a maintenance margin
#: of headroom at entry), varied in the options chapter.
PM_INITIAL_FACTOR = 1.5


# --- portfolio margin: the scenario grid ---------------------------------------------------------


@dataclass(frozen=True)
class PortfolioMarginParameters:
    """Parameters of a portfolio-margin scenario grid, as one of Deribit's pages gives them.

    Attributes
    ----------
    price_move : float
        Largest underlying move each way (0.10 is +/-10%).
    buckets : int
        Number of evenly spaced price moves from ``-price_move`` to ``+price_move`` (odd, so that
        zero is one of them).
    vol_shock : float
        Volatility change at 30 days to expiry.
    vol_power : float
        Term-structure exponent: the shock at ``d`` days is ``(30/d)^vol_power * vol_shock``.
    vol_shock_mode : {"relative", "absolute"}
        Apply the shock as ``iv * (1 +/- shock)`` or ``iv +/- shock`` (the pages do not say).
    vol_floor : float
        Smallest shocked volatility (a shock above 100% would otherwise make it negative).
    net_short_option_contingency : float
        Coin per net short option per strike.
    option_contingency : float
        Share of the underlying value of all options (long and short).
    futures_contingency : float
        Share of the underlying value of offsetting futures.
    vega_contingency : float
        Share of the vega offset between expiries.
    extended_moves : tuple of float
        Extra price moves tested with volatility up only.
    extended_fraction : float
        Share of the extended scenarios' P&L counted (not published; 1 counts it in full).
    """

    price_move: float
    buckets: int = 9
    vol_shock: float = 0.0
    vol_power: float = 0.5
    vol_shock_mode: str = "relative"
    vol_floor: float = 0.01
    net_short_option_contingency: float = 0.0
    option_contingency: float = 0.0
    futures_contingency: float = 0.0
    vega_contingency: float = 0.0
    extended_moves: tuple[float, ...] = ()
    extended_fraction: float = 1.0

    def __post_init__(self) -> None:
        # Every field is one number (an array would pass the range checks and break the grid).
        v.one("price_move", v.rate("price_move", self.price_move, allow_zero=False))
        if v.integer("buckets", self.buckets, low=3) % 2 == 0:
            raise ValueError(f"buckets must be an odd integer >= 3, got {self.buckets!r}")
        v.number("vol_shock", self.vol_shock, "nonneg")
        v.number("vol_power", self.vol_power, "nonneg")
        v.choice("vol_shock_mode", self.vol_shock_mode, ("relative", "absolute"))
        v.number("vol_floor", self.vol_floor, "pos")
        for name in (
            "net_short_option_contingency",
            "option_contingency",
            "futures_contingency",
            "vega_contingency",
        ):
            v.number(name, getattr(self, name), "nonneg")
        if isinstance(self.extended_moves, (str, bytes)) or np.ndim(self.extended_moves) != 1:
            raise v.ArgumentTypeError(
                f"extended_moves must be a sequence of price moves, got {self.extended_moves!r}"
            )
        moves = v.as_float("extended_moves", self.extended_moves)
        if np.any(moves <= -1):
            bad = moves[moves <= -1][0].item()
            raise ValueError(f"extended_moves must be above -1 (-100%), got {bad!r}")
        # stored as a tuple of floats: hashable, and `if p.extended_moves` reads it as intended
        object.__setattr__(self, "extended_moves", tuple(moves.tolist()))
        fraction = v.number("extended_fraction", self.extended_fraction)
        if not 0 <= fraction <= 1:
            raise ValueError(f"extended_fraction must be in [0, 1], got {self.extended_fraction}")


#: The two legacy parameter sets Deribit published (module references [3]); the current page's
#: structure with its example range (references [4]) and the extended table counted in full.
LEGACY_PM: dict[str, PortfolioMarginParameters] = {
    "pages/docs/portfoliomargin": PortfolioMarginParameters(
        price_move=0.10,
        vol_shock=0.38,
        vol_power=0.30,
        net_short_option_contingency=0.01,
        futures_contingency=0.01,
    ),
    "docs/category/uncategorized": PortfolioMarginParameters(
        price_move=0.125,
        vol_shock=0.40,
        vol_power=0.5,
        option_contingency=0.01,
        futures_contingency=0.02,
        vega_contingency=0.25,
    ),
}
CURRENT_PM_EXAMPLE = PortfolioMarginParameters(
    price_move=0.16,
    vol_shock=0.38,
    vol_power=0.30,
    extended_moves=(-0.66, -0.33, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0),
)


def iv_shock(
    days_to_expiration: ArrayLike, vol_shock: float = 0.38, vol_power: float = 0.30
) -> Any:
    """Largest implied-volatility change for an expiry: ``(30 / days)^vol_power * vol_shock``.

    Parameters
    ----------
    days_to_expiration : float or array
        (> 0).
    vol_shock : float
        Change at 30 days (0.38 in one legacy page, 0.40 with ``vol_power=0.5`` in the other).
    vol_power : float
        0.30, or 0.5 for the square-root rule.

    References
    ----------
    Module references [3]: "options expiring in 15 days: IV change of maximum
    (30/15)^0.30*38.00%"; "SQRT(30/15)*40%= 56.6%".

    Examples
    --------
    >>> round(iv_shock(15), 4), round(iv_shock(15, 0.40, 0.5), 4)
    (0.4678, 0.5657)
    """
    days = v.positive("days_to_expiration", days_to_expiration)
    shock = v.number("vol_shock", vol_shock, "nonneg")
    power = v.number("vol_power", vol_power, "nonneg")
    return v.scalar_or_array((30.0 / days) ** power * shock)


@v.renames(price_move="max_move")
def price_moves(max_move: float, buckets: int = 9) -> FloatArray:
    """The evenly spaced price moves of the grid, zero included.

    Examples
    --------
    The current page's "+/-16% ... 9 evenly spaced buckets" are steps of 4%:

    >>> price_moves(0.16).round(2).tolist()
    [-0.16, -0.12, -0.08, -0.04, 0.0, 0.04, 0.08, 0.12, 0.16]
    """
    return np.linspace(-1.0, 1.0, PortfolioMarginParameters(max_move, buckets).buckets) * max_move


@dataclass(frozen=True)
class PortfolioMarginResult:
    """Outcome of the scenario grid for one portfolio (amounts in the settlement currency).

    Attributes
    ----------
    margin : float
        Maintenance margin: the worst scenario loss (0 if none loses) plus the contingencies.
    worst_loss : float
        ``max(0, -min(P&L))`` over the grid and the extended table.
    contingency : float
        Sum of the contingency add-ons.
    price_moves : ndarray
        The grid's price moves (rows of ``pnl``).
    pnl : ndarray
        P&L per price move (rows) and volatility scenario (columns: down, same, up).
    extended_moves : ndarray
    extended_pnl : ndarray
        P&L of the extended moves with volatility up, after ``extended_fraction``.
    """

    margin: float
    worst_loss: float
    contingency: float
    price_moves: FloatArray
    pnl: FloatArray
    extended_moves: FloatArray
    extended_pnl: FloatArray


def net_short_option_contingency(
    strike: ArrayLike,
    size: ArrayLike,
    expiry: ArrayLike | None = None,
    *,
    per_option: float = 0.01,
) -> float:
    """Add-on of ``per_option`` coin per option of net short position on each strike.

    Calls and puts on one strike (and expiry) are netted; each strike's net short count is
    charged.

    Examples
    --------
    "call +10 and put -20, your net short position on strike X is -10, thus 10*0.01 BTC":

    >>> round(net_short_option_contingency([50_000, 50_000], [10, -20]), 12)
    0.1
    """
    k = v.positive("strike", strike).reshape(-1)
    q = v.as_float("size", size).reshape(-1)
    e = np.zeros_like(k) if expiry is None else v.as_float("expiry", expiry).reshape(-1)
    if not k.size == q.size == e.size:
        raise ValueError("strike, size and expiry must have one entry per option position")
    rate = v.number("per_option", per_option, "nonneg")
    keys, inverse = np.unique(np.stack([e, k]), axis=1, return_inverse=True)
    net = np.zeros(keys.shape[1])
    np.add.at(net, inverse.reshape(-1), q)
    return float(rate * np.maximum(-net, 0.0).sum())


def option_contingency(size: ArrayLike, *, rate: float = 0.01) -> float:
    """Add-on of ``rate`` times the underlying value of all options, long and short (coin).

    Examples
    --------
    "you have 200 options in your position (long and short), 1% of 200BTC = 2BTC":

    >>> option_contingency([150, -50])
    2.0
    """
    q = v.as_float("size", size)
    return float(v.number("rate", rate, "nonneg") * np.abs(q).sum())


def futures_contingency(size: ArrayLike, *, rate: float = 0.01) -> float:
    """Add-on of ``rate`` times the offsetting futures: ``min(total long, total short)`` (coin).

    Examples
    --------
    "long 100 BTC in Future A, and short 100 BTC in Future B, then 1.00%*100 BTC":

    >>> futures_contingency([100, -100])
    1.0
    """
    q = v.as_float("size", size)
    offset = min(q[q > 0].sum(), -q[q < 0].sum())
    return float(v.number("rate", rate, "nonneg") * offset)


def vega_contingency(vega: ArrayLike, *, rate: float = 0.25) -> float:
    """Add-on of ``rate`` times the vega offset between expiries, ``min(long vega, short vega)``.

    Examples
    --------
    "net long 10 VEGA in Expirations A/B/C, and net short 10 VEGA in Expirations D/E/F" with
    25% (the page's amount is cut off in the copies read; this is our reading):

    >>> vega_contingency([4, 3, 3, -5, -5])
    2.5
    """
    x = v.as_float("vega", vega)
    offset = min(x[x > 0].sum(), -x[x < 0].sum())
    return float(v.number("rate", rate, "nonneg") * offset)


def _shocked_vols(iv: FloatArray, shock: FloatArray, p: PortfolioMarginParameters) -> FloatArray:
    """Columns down, same, up."""
    if p.vol_shock_mode == "relative":
        vols = iv[..., None] * (1.0 + shock[..., None] * np.array([-1.0, 0.0, 1.0]))
    else:
        vols = iv[..., None] + shock[..., None] * np.array([-1.0, 0.0, 1.0])
    return np.maximum(vols, p.vol_floor)


def _per_option(name: str, value: ArrayLike, shape: tuple[int, ...], mask: Any) -> FloatArray:
    """One positive number per option position (futures' entries are ignored)."""
    try:
        arr = np.broadcast_to(np.asarray(value, dtype=np.float64).reshape(-1), shape)[mask]
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must give one number per position (or one for all), got {value!r}"
        ) from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} is required (> 0) for every option position, got nan")
    return v.positive(name, arr)


def portfolio_margin(
    kind: ArrayLike,
    size: ArrayLike,
    underlying_price: ArrayLike,
    *,
    strike: ArrayLike = np.nan,
    days_to_expiration: ArrayLike = np.nan,
    iv: ArrayLike = np.nan,
    vega: ArrayLike | None = None,
    rate: float = 0.0,
    settlement: str = "inverse",
    parameters: PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
) -> PortfolioMarginResult:
    """Maintenance margin of a futures-and-options portfolio by the scenario grid.

    Every position is revalued with the underlying moved by each of ``parameters.buckets`` moves
    in ``[-price_move, +price_move]`` and, for options, the volatility shocked down, left alone
    and shocked up by :func:`iv_shock` of its expiry (Black-76, :mod:`liqlib.prices.options`); the
    extended moves are tried with volatility up only, their P&L scaled by
    ``extended_fraction``. The margin is the worst loss plus the contingency add-ons
    (net short options per strike, all options, offsetting futures, vega offsets).

    Parameters
    ----------
    kind : array of {"call", "put", "future"}
    size : array
        Signed size in coin of underlying (options: contracts of 1 coin; futures: USD amount /
        price).
    underlying_price : array
        Price of each position's underlying (its future, > 0).
    strike, days_to_expiration, iv : array
        For options (ignored for futures): strike, days to expiry (> 0) and mark IV (> 0).
    vega : array, optional
        Net vega per expiry, for the vega contingency (omitted: none).
    rate : float
        Discount rate for Black-76 (0 by default; Deribit prices off futures).
    settlement : {"inverse", "linear"}
        P&L in coin (Deribit BTC/ETH) or in quote currency.
    parameters : PortfolioMarginParameters or str
        A set or the key of one in :data:`LEGACY_PM`.

    Returns
    -------
    PortfolioMarginResult

    Raises
    ------
    ValueError
        Naming the argument: unknown kinds, missing option inputs, bad parameters.

    References
    ----------
    Module references [3] and [4].

    Examples
    --------
    Long 100 BTC of one future and short 100 of another: the grid P&L is zero at every move,
    so the margin is the 1% offsetting-futures contingency:

    >>> portfolio_margin(["future", "future"], [100, -100], [50_000, 50_000]).margin
    1.0

    A naked short future of 100 BTC loses most on a 10% rise, ``100 * 0.1 / 1.1`` BTC:

    >>> round(portfolio_margin(["future"], [-100], [50_000]).margin, 6)
    9.090909
    """
    p = (
        LEGACY_PM[v.choice("parameters", parameters, tuple(LEGACY_PM))]
        if isinstance(parameters, str)
        else parameters
    )
    v.choice("settlement", settlement, ("inverse", "linear"))
    kinds = np.asarray(kind).reshape(-1)
    if kinds.dtype.kind not in "US":
        raise ValueError(f"kind must hold 'call', 'put' or 'future', got {kind!r}")
    is_future = kinds == "future"
    q = np.broadcast_to(v.as_float("size", size).reshape(-1), kinds.shape)
    u = np.broadcast_to(v.positive("underlying_price", underlying_price).reshape(-1), kinds.shape)
    moves = price_moves(p.price_move, p.buckets)
    extended = np.asarray(p.extended_moves, dtype=np.float64)

    def future_pnl(m: FloatArray) -> FloatArray:
        # Inverse: size coins at price U is a USD amount size*U; P&L in coin size*(1 - 1/(1+m)).
        f_q = q[is_future]
        per = (
            m[:, None] / (1.0 + m[:, None])
            if settlement == "inverse"
            else m[:, None] * u[is_future]
        )
        return (f_q * per).sum(axis=1)

    grid = np.repeat(future_pnl(moves)[:, None], 3, axis=1)
    ext = future_pnl(extended) if extended.size else np.zeros(0)
    # The add-ons are per coin of underlying: in quote currency for a linear book, coin times price.
    q_unit = q if settlement == "inverse" else q * u
    contingency = futures_contingency(q_unit[is_future], rate=p.futures_contingency)
    opt = ~is_future
    if opt.any():
        option_kinds = kinds[opt]
        option_sign(option_kinds)  # validates call/put
        k = _per_option("strike", strike, kinds.shape, opt)
        days = _per_option("days_to_expiration", days_to_expiration, kinds.shape, opt)
        vol = _per_option("iv", iv, kinds.shape, opt)
        t = days / 365.0
        uo, qo = u[opt], q[opt]
        now = np.asarray(black76_price(uo, k, t, rate, vol, option_kinds, settlement=settlement))
        shock = np.asarray(iv_shock(days, p.vol_shock, p.vol_power))
        vols = _shocked_vols(vol, shock, p)  # (n, 3)
        shocked_u = uo[None, :, None] * (1.0 + moves[:, None, None])  # (moves, n, 1)
        values = np.asarray(
            black76_price(
                shocked_u,
                k[:, None],
                t[:, None],
                rate,
                vols[None],
                option_kinds[:, None],
                settlement=settlement,
            )
        )  # (moves, n, 3)
        grid = grid + ((values - now[:, None]) * qo[:, None]).sum(axis=1)
        if extended.size:
            ext_u = uo[None, :] * (1.0 + extended[:, None])
            ext_values = np.asarray(
                black76_price(ext_u, k, t, rate, vols[:, 2], option_kinds, settlement=settlement)
            )
            ext = ext + ((ext_values - now) * qo).sum(axis=1)
        contingency += net_short_option_contingency(
            k, q_unit[opt], days, per_option=p.net_short_option_contingency
        ) + option_contingency(q_unit[opt], rate=p.option_contingency)
    if vega is not None and p.vega_contingency:
        contingency += vega_contingency(vega, rate=p.vega_contingency)
    ext = ext * p.extended_fraction
    worst = max(0.0, -float(grid.min()), -float(ext.min()) if ext.size else 0.0)
    return PortfolioMarginResult(
        margin=worst + float(contingency),
        worst_loss=worst,
        contingency=float(contingency),
        price_moves=moves,
        pnl=grid,
        extended_moves=extended,
        extended_pnl=ext,
    )
