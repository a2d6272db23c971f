"""What a liquidation costs, and who pays each part.

A position is liquidated when the mark reaches its trigger price ``M`` (by default its liquidation
price): the engine sends one market order for the whole size ``Q`` into the book
(:func:`liqlib.engine.book.execute`), which fills at the average price ``V``. Against the mark, the
liquidation costs

* **spread**: ``Q * M * x_touch``, reaching the best price at all;
* **impact**: the rest of ``Q * |V - M|``, walking the book beyond the touch;
* **fee**: the liquidation fee of the venue's fee policy (:mod:`liqlib.engine.policies`), charged
  only out of what the fill leaves above the bankruptcy price;
* **gap**: when the trigger fired late, with the mark already beyond the bankruptcy price ``B``,
  the loss that was there before the order was sent (zero at the liquidation price).

The position's equity at the mark is ``E_M = side * Q * (M - B)``. The fill leaves the
**surplus** ``side * Q * (V - B) = E_M - (spread + impact)``. A surplus pays the fee (never more
than the surplus, as the engine caps fees at equity) and the rest goes back to the trader. A
deficit (the **bankruptcy gap**) is paid down a loss waterfall: the **insurance fund** up to its
balance, then the **ADL counterparties** (profitable positions on the other side give up that much
of their profit) or, with ADL switched off, **bad debt** (socialized, or the venue's).

So the total ``spread + impact + fee + gap`` is borne by the trader (at most their equity at the
mark), the fund, the ADL counterparties and bad debt, in that order; the
**liquidity providers** who bought (or sold) into the order receive the spread and the impact, the
fund and the venue share the fee. Stacking the costs in the order ``gap, spread, impact, fee``
against the payers' capacities gives the full table of who bears what
(:meth:`CostBreakdown.allocation`).

The waterfall books ADL as a haircut on the counterparties' profit, the way a clawback does. The
engine (:mod:`liqlib.engine`) can instead deleverage an order whose deficit the fund cannot pay,
closing it against the counterparties at the bankruptcy price without touching the book; it then
has neither impact nor deficit, and the counterparties are closed out at ``B``.

References
----------
.. [1] BitMEX, "Liquidation": a fill beyond the bankruptcy price is paid by the insurance fund,
   then auto-deleveraging. https://www.bitmex.com/app/liquidation
.. [2] Binance, "Liquidation": the clearance fee on the liquidated amount; "If an account becomes
   bankrupt ... the Insurance Fund will balance the account back to 0".
   https://binance.zendesk.com/hc/en-us/articles/360033525271
.. [3] dYdX v4-chain, ``protocol/x/clob/keeper/liquidations.go``
   (``GetLiquidationInsuranceFundDelta``: the fee is capped by the surplus; a deficit is paid by
   the fund, else the position is deleveraged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..core.liquidation import liquidation_price
from ..engine.book import BUY, SELL, Ladder, check_ladder, execute
from ..engine.ledger import EventKind
from ..engine.policies import FEE_POLICIES, FeePolicy
from ..engine.stepper import Engine
from ..prices.options import black_scholes_price

#: Cost components, in the order the payers absorb them.
COMPONENTS = ("gap", "spread", "impact", "fee")
#: Who bears them, in the order of the loss waterfall.
BEARERS = ("trader", "insurance_fund", "adl", "bad_debt")


@dataclass(frozen=True)
class CostBreakdown:
    """The cost of one liquidation, by component and by payer (floats, or arrays).

    All amounts are in the quote currency and non-negative; :meth:`bps` turns one into basis
    points of the notional at the trigger.

    Attributes
    ----------
    notional : float or ndarray
        ``Q * M``, the position's value at the trigger.
    mark, bankruptcy_price, vwap, worst_price : float or ndarray
        The trigger price ``M``, the price ``B`` where equity is zero, the order's average fill
        and its last fill (where the touch is left for everyone else).
    equity : float or ndarray
        Equity at the mark, ``side * Q * (M - B)`` (negative if the trigger fired late).
    collateral : float or ndarray
        Margin posted.
    gap, spread, impact, fee : float or ndarray
        The components (see the module docstring); ``total`` is their sum.
    trader, insurance_fund, adl, bad_debt : float or ndarray
        Who bears the total: the trader (at most ``max(equity, 0)``), the fund's draw, the ADL
        counterparties' haircut and bad debt; they sum to ``total``.
    liquidity_providers, fund_fee, venue_fee : float or ndarray
        Who receives: the book's side gets ``spread + impact``; the fee splits between the fund
        (``fee_to_fund``) and the venue.
    returned : float or ndarray
        What the trader gets back after the close.
    """

    notional: Any
    mark: Any
    bankruptcy_price: Any
    vwap: Any
    worst_price: Any
    equity: Any
    collateral: Any
    gap: Any
    spread: Any
    impact: Any
    fee: Any
    trader: Any
    insurance_fund: Any
    adl: Any
    bad_debt: Any
    liquidity_providers: Any
    fund_fee: Any
    venue_fee: Any
    returned: Any

    @property
    def total(self) -> Any:
        """``gap + spread + impact + fee``."""
        return self.gap + self.spread + self.impact + self.fee

    @property
    def trader_loss(self) -> Any:
        """What the trader lost over the life of the position: ``collateral - returned``."""
        return self.collateral - self.returned

    @property
    def fund_change(self) -> Any:
        """Net change of the insurance fund: fee income minus its draw."""
        return self.fund_fee - self.insurance_fund

    def bps(self, name: str) -> Any:
        """An amount (a component, payer or ``"total"``) in basis points of the notional.

        Examples
        --------
        >>> from liqlib.engine.book import flat_ladder
        >>> r = liquidation_cost(+1, 1, 100.0, flat_ladder(100), mark=95.0, collateral=10.0)
        >>> round(r.bps("impact"), 6)
        0.5
        """
        v.choice("name", name, (*COMPONENTS, *BEARERS, "total", "liquidity_providers"))
        return v.scalar_or_array(np.asarray(getattr(self, name)) / self.notional * 1e4)

    def allocation(self) -> NDArray[np.float64]:
        """Who bears each component: ``a[i, j]`` is component ``COMPONENTS[i]`` paid by
        ``BEARERS[j]`` (trailing axes for array input). Rows sum to the components, columns
        to the payers.

        The payers absorb the components stacked in the order ``gap, spread, impact, fee``; the
        fee, charged only from a surplus, always falls on the trader.
        """
        costs = np.stack(np.broadcast_arrays(*(np.asarray(getattr(self, c)) for c in COMPONENTS)))
        payers = np.stack(np.broadcast_arrays(*(np.asarray(getattr(self, b)) for b in BEARERS)))
        zero = np.zeros((1, *costs.shape[1:]))
        c_hi = np.cumsum(costs, axis=0)
        c_lo = np.concatenate([zero, c_hi[:-1]])
        p_hi = np.cumsum(payers, axis=0)
        p_lo = np.concatenate([zero, p_hi[:-1]])
        top = np.minimum(c_hi[:, None], p_hi[None, :])
        overlap = top - np.maximum(c_lo[:, None], p_lo[None, :])
        return np.clip(overlap, 0.0, None)


def _fee_policy(fee: FeePolicy | str) -> FeePolicy:
    if isinstance(fee, str):
        v.choice("fee", fee, tuple(FEE_POLICIES))
        return FEE_POLICIES[fee]()
    if not callable(getattr(fee, "fee", None)):
        raise v.ArgumentTypeError(
            f"fee must be a fee policy (liqlib.engine.policies) or its name, got {fee!r}"
        )
    return fee


def _fund_balance(value: float) -> float:
    balance = v.one("insurance_fund", v.numbers("insurance_fund", value))
    if not balance >= 0:  # also refuses NaN; inf means a fund that never runs out
        raise ValueError(f"insurance_fund must be a balance in [0, inf], got {value!r}")
    return balance


def liquidation_cost(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    ladder: Ladder,
    *,
    leverage: ArrayLike | None = None,
    collateral: ArrayLike | None = None,
    mmr: Any = 0.005,
    mark: ArrayLike | None = None,
    fee: FeePolicy | str = "none",
    fee_to_fund: float = 1.0,
    insurance_fund: float = math.inf,
    adl: bool = True,
) -> CostBreakdown:
    """Decompose the cost of liquidating isolated linear positions with one market order.

    Parameters
    ----------
    side : +1, -1 or array
        Side of the liquidated position (a long is sold into the bids).
    size : float or array
        Position size (> 0), base units.
    entry_price : float or array
        Average entry price (> 0), quote per base.
    ladder : Ladder
        The side of the book the liquidation order takes (:mod:`liqlib.engine.book`), measured from
        the trigger price; with an array of sides it serves as both sides of a symmetric book.
    leverage, collateral : float or array
        Give one: collateral is ``size * entry_price / leverage``, or the margin posted.
    mmr : float, Tier or TierTable
        Maintenance margin, used only to find the trigger when ``mark`` is not given
        (:func:`liqlib.liquidation_price`).
    mark : float or array, optional
        Mark price (> 0) when the engine acts; default the liquidation price. A mark beyond the
        bankruptcy price models a late trigger (a price gap).
    fee : FeePolicy or str
        Liquidation fee policy or its name (:data:`liqlib.engine.policies.FEE_POLICIES`).
    fee_to_fund : float
        Share of the fee paid into the insurance fund, in [0, 1]; the rest is the venue's.
    insurance_fund : float
        Fund balance available for this liquidation, in [0, inf] (``inf``: never runs out).
    adl : bool
        Whether a deficit the fund cannot pay is taken from ADL counterparties (else bad debt).

    Returns
    -------
    CostBreakdown

    Raises
    ------
    ValueError
        Naming the argument: a side other than +1/-1, non-positive size or prices, both or
        neither of leverage and collateral, an unknown fee policy, ``fee_to_fund`` outside
        [0, 1], a negative fund, a position that cannot be liquidated (no trigger price) when
        ``mark`` is not given, or a book too thin to fill the order.

    References
    ----------
    See the module references: BitMEX and Binance for the loss waterfall, dYdX for the fee capped
    by the surplus.

    Examples
    --------
    A 10x long of 10 BTC at 60,000 with maintenance 0.5% is liquidated at 54,271.36 with
    2,713.57 of equity left; a flat book of 100 BTC per 1% fills it 0.05% below on average, and
    Binance's 0.5% fee on the filled notional would be 2,712.21, so it is capped at what the fill
    leaves, and the trader gets nothing back:

    >>> from liqlib.engine.book import flat_ladder
    >>> r = liquidation_cost(+1, 10, 60_000, flat_ladder(100), leverage=10, mmr=0.005,
    ...                      fee="rate_on_notional")
    >>> round(r.mark, 2), round(r.equity, 2), round(r.impact, 2), round(r.fee, 2), r.returned
    (54271.36, 2713.57, 271.36, 2442.21, 0.0)

    In a book of 5 BTC per 1% the fill is 1% below the mark, beyond the bankruptcy price (54,000):
    the trader loses the equity, a fund of 1,000 USDT pays what it can and ADL counterparties the
    rest:

    >>> r = liquidation_cost(+1, 10, 60_000, flat_ladder(5), leverage=10, mmr=0.005,
    ...                      insurance_fund=1_000)
    >>> round(r.impact, 2), round(r.trader, 2), r.insurance_fund, round(r.adl, 2)
    (5427.14, 2713.57, 1000.0, 1713.57)
    >>> round(r.trader + r.insurance_fund + r.adl - r.total, 9)
    0.0
    """
    s = v.side("side", side)
    q = v.positive("size", size)
    entry = v.positive("entry_price", entry_price)
    policy = _fee_policy(fee)
    check_ladder("ladder", ladder)
    v.boolean("adl", adl)
    v.one("fee_to_fund", v.bounded("fee_to_fund", fee_to_fund, 0.0, 1.0, hint=" (a fraction)"))
    fund = _fund_balance(insurance_fund)
    if (leverage is None) == (collateral is None):
        raise ValueError(
            "give exactly one of leverage (collateral = notional/leverage) or collateral"
        )
    lp = liquidation_price(s, q, entry, leverage=leverage, collateral=collateral, mmr=mmr)
    if mark is None:
        if not np.all(lp.liquidatable):
            raise ValueError(
                "mark is needed: a position has no liquidation price (a 1x long cannot be "
                "liquidated), so there is no trigger to default to"
            )
        m = np.asarray(lp.price, dtype=float)
    else:
        m = v.positive("mark", mark)
    if leverage is not None:
        posted = q * entry / v.positive("leverage", leverage)
    else:
        posted = v.as_float("collateral", collateral if collateral is not None else np.nan)
    v.shapes(side=s, size=q, entry_price=entry, mark=m, leverage=leverage, collateral=collateral)
    s, q, entry, m, posted = np.broadcast_arrays(s, q, entry, m, posted)
    equity = posted + s * q * (m - entry)
    bankrupt = np.asarray(lp.bankruptcy_price, dtype=float)

    order_side = np.where(s > 0, SELL, BUY)
    fills = [
        execute(ladder, int(o), q[order_side == o], m[order_side == o])
        for o in (SELL, BUY)
    ]
    vwap = np.empty(q.shape)
    worst = np.empty(q.shape)
    shortfall = np.empty(q.shape)
    for o, fill in zip((SELL, BUY), fills, strict=True):
        where = order_side == o
        if np.any(np.asarray(fill.unfilled) > 0):
            raise ValueError(
                f"the book cannot fill the liquidation: it holds {ladder.capacity:g} and the "
                f"order is {float(np.max(q[where])):g}; use a deeper ladder"
            )
        vwap[where], worst[where], shortfall[where] = fill.vwap, fill.worst_price, fill.cost
    touch = ladder.distance(np.zeros(q.shape))
    spread = np.minimum(q * m * touch, shortfall)
    impact = shortfall - spread

    surplus = equity - shortfall
    positive = np.maximum(surplus, 0.0)
    charged = np.vectorize(policy.fee, otypes=[float])(positive, q * vwap)
    fee_paid = np.where(surplus > 0, np.minimum(charged, positive), 0.0)
    gap = np.maximum(-equity, 0.0)
    deficit = np.maximum(-surplus, 0.0)
    drawn = np.minimum(deficit, fund)
    uncovered = deficit - drawn
    trader = np.where(surplus >= 0, shortfall + fee_paid, np.maximum(equity, 0.0))

    out = {
        "notional": q * m,
        "mark": m,
        "bankruptcy_price": np.broadcast_to(bankrupt, q.shape),
        "vwap": vwap,
        "worst_price": worst,
        "equity": equity,
        "collateral": posted,
        "gap": gap,
        "spread": spread,
        "impact": impact,
        "fee": fee_paid,
        "trader": trader,
        "insurance_fund": drawn,
        "adl": uncovered if adl else np.zeros(q.shape),
        "bad_debt": np.zeros(q.shape) if adl else uncovered,
        "liquidity_providers": shortfall,
        "fund_fee": fee_paid * fee_to_fund,
        "venue_fee": fee_paid * (1 - fee_to_fund),
        "returned": positive - fee_paid,
    }
    return CostBreakdown(**{k: v.scalar_or_array(np.asarray(x, float)) for k, x in out.items()})


def covered_size(ladder: Ladder, buffer_rate: float, *, rtol: float = 1e-12) -> float:
    """The largest order whose average fill stays within ``buffer_rate`` of the mid price.

    A position liquidated at its liquidation price with a flat maintenance rate ``m`` (and no fee
    reserved) has exactly ``m`` of its notional left; the fill eats into the insurance fund once
    the order's average distance from the mark exceeds ``m``. So ``covered_size(ladder, m)`` is
    the largest position the maintenance margin pays to close in that book.

    Parameters
    ----------
    ladder : Ladder
        The side of the book the liquidation takes.
    buffer_rate : float
        The buffer as a fraction of notional, in [0, 1).
    rtol : float
        Relative tolerance of the bisection (> 0).

    Returns
    -------
    float
        Base units; 0 if even the touch is beyond the buffer, the ladder's capacity if the whole
        ladder is within it.

    Examples
    --------
    A flat book of 100 per 1% with no spread: the average fill of ``Q`` is ``Q / 200`` % away,
    so a 0.5% buffer covers 100.

    >>> from liqlib.engine.book import flat_ladder
    >>> round(covered_size(flat_ladder(100), 0.005), 9)
    100.0
    """
    check_ladder("ladder", ladder)
    rate = v.one("buffer_rate", v.rate("buffer_rate", buffer_rate))
    tol = v.number("rtol", rtol, "pos")

    def mean_distance(q: float) -> float:
        return float(execute(ladder, SELL, q, 1.0).slippage_bps) / 1e4

    if float(ladder.distance(np.zeros(()))) > rate:
        return 0.0
    cap = ladder.capacity
    hi = 1.0
    while hi < cap and mean_distance(min(hi, cap)) <= rate:
        hi *= 2
    hi = min(hi, cap)
    if mean_distance(hi) <= rate:
        return hi
    lo = 0.0
    while hi - lo > tol * hi:
        mid = 0.5 * (lo + hi)
        if mean_distance(mid) <= rate:
            lo = mid
        else:
            hi = mid
    return lo


#: Row names of :func:`cost_rows`, by component and payer.
COST_LABELS: dict[str, str] = {
    "gap": "gap past bankruptcy",
    "spread": "spread",
    "impact": "impact",
    "fee": "fee",
    "trader": "trader",
    "insurance_fund": "insurance fund",
    "adl": "ADL counterparties",
    "bad_debt": "bad debt",
}


def cost_rows(result: CostBreakdown) -> list[list[str]]:
    """A :class:`CostBreakdown` of several positions as the rows of a Markdown table.

    One column per position: its notional and equity at the mark, then each component and each
    payer as "amount (bps of the notional)", the total, and what goes back to the trader.
    Group headings and the total are in Markdown bold; amounts have thousands separators and no
    decimals, basis points one decimal.

    Parameters
    ----------
    result : CostBreakdown
        From :func:`liquidation_cost` with an array of sizes (or one size).

    Returns
    -------
    list of list of str
        Each row starts with its name (:data:`COST_LABELS`) and holds one cell per position.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`CostBreakdown`.

    Examples
    --------
    Longs of 100 and 1,000 at 100 with 10x, liquidated into a flat book of 1,000 within 1%: the
    larger one's impact, 50 bps, takes all of its equity at the mark.

    >>> from liqlib.engine.book import flat_ladder
    >>> r = liquidation_cost(+1, [100.0, 1000.0], 100.0, flat_ladder(1000), leverage=10, mmr=0.005)
    >>> rows = cost_rows(r)
    >>> rows[0], rows[5]
    (['notional (USDT)', '9,045', '90,452'], ['impact', '5 (5.0)', '452 (50.0)'])
    >>> rows[-2:]
    [['**total**', '**5 (5.0)**', '**452 (50.0)**'], ['returned to the trader', '41', '0']]
    """
    v.instance("result", result, CostBreakdown, "a CostBreakdown")

    def figures(name: str) -> NDArray[np.float64]:
        return np.atleast_1d(np.asarray(getattr(result, name), dtype=float))

    def amounts(name: str, bold: str = "") -> list[str]:
        bps = np.atleast_1d(np.asarray(result.bps(name), dtype=float))
        return [f"{bold}{a:,.0f} ({b:.1f}){bold}" for a, b in zip(figures(name), bps, strict=True)]

    width = figures("notional").size
    rows = [["notional (USDT)", *(f"{x:,.0f}" for x in figures("notional"))],
            ["equity at the mark", *(f"{x:,.0f}" for x in figures("equity"))]]
    for group, names in (("**what**", COMPONENTS), ("**who pays**", BEARERS)):
        rows.append([group] + [""] * width)
        rows += [[COST_LABELS[name], *amounts(name)] for name in names]
    rows.append(["**total**", *amounts("total", bold="**")])
    rows.append(["returned to the trader", *(f"{x:,.0f}" for x in figures("returned"))])
    return rows


@dataclass(frozen=True)
class RemainderRisk:
    """What a partial liquidation leaves the venue holding, and what the fund expects to pay.

    Attributes
    ----------
    size : float
        Position left open (base units).
    notional : float
        Its value at the mark.
    bankruptcy_price : float
        Its bankruptcy price (``nan`` when nothing is left).
    expected_shortfall : float
        ``E[size * (P_b - P_T)^+]`` for a long (``(P_T - P_b)^+`` for a short): what the fund
        expects to pay if the price moves log-normally until the venue can act again.
    fund_received : float
        Net money into the fund from the account's liquidation so far (fees less payments).
    """

    size: float
    notional: float
    bankruptcy_price: float
    expected_shortfall: float
    fund_received: float


def remainder_risk(engine: Engine, *, volatility: float, horizon: float,
                   account: int = 0) -> RemainderRisk:
    """The exposure a liquidation leaves open, and the fund's expected shortfall beyond it.

    A remainder of ``Q_r`` with bankruptcy price ``P_b`` costs the insurance fund
    ``Q_r (P_b - P_T)`` if the price gaps to ``P_T`` beyond ``P_b`` before the venue can act
    again. For a log-normal move of volatility ``sigma`` over a horizon ``h`` with no drift, its
    expected value is Black and Scholes' put struck at ``P_b`` with no interest (a call for a
    short):

        ES = Q_r (P_b N(-d_2) - M N(-d_1)),
        d_{1,2} = (ln(M / P_b) +- sigma^2 h / 2) / (sigma sqrt h).

    It is an upper bound: a venue that can act again liquidates the remainder before its
    bankruptcy price.

    Parameters
    ----------
    engine : Engine
        After its run; read at its current mark.
    volatility : float
        Annualized volatility of the mark (> 0).
    horizon : float
        Years (> 0) until the venue can act again.
    account : int
        The account's number in the engine.

    Returns
    -------
    RemainderRisk

    Raises
    ------
    TypeError
        If ``engine`` is not an :class:`Engine`.
    ValueError
        Naming the argument: a non-positive volatility or horizon, an account the engine does
        not have.

    References
    ----------
    F. Black and M. Scholes (1973), "The pricing of options and corporate liabilities",
    *Journal of Political Economy* 81(3), 637-654.

    Examples
    --------
    A long of 1 from 100 with 5 of margin, nothing liquidated, at a mark of 100: bankrupt at 95,
    5% away. Over a day at 80% a year (4.2% standard deviation) the fund expects to pay 0.22:

    >>> from liqlib.engine.stepper import Trader
    >>> engine = Engine([Trader(5.0, +1, 1.0, 100.0)], 100.0, rules="bitmex")
    >>> r = remainder_risk(engine, volatility=0.8, horizon=1 / 365)
    >>> r.size, r.bankruptcy_price, round(r.expected_shortfall, 4), r.fund_received
    (1.0, 95.0, 0.2175, 0.0)
    """
    v.instance("engine", engine, Engine, "an Engine")
    sigma = v.number("volatility", volatility, "pos")
    years = v.number("horizon", horizon, "pos")
    if not isinstance(account, (int, np.integer)) or isinstance(account, bool):
        raise v.ArgumentTypeError(f"account must be an int, got {account!r}")
    if not 0 <= account < engine.n_accounts:
        raise ValueError(
            f"account must be an account of the engine, in [0, {engine.n_accounts}), got {account}")
    received = sum(e.amount if e.kind is EventKind.FUND_IN else -e.amount for e in engine.ledger
                   if e.account == account and e.kind in (EventKind.FUND_IN, EventKind.FUND_OUT))
    size = float(engine.size[account])
    if size == 0:
        return RemainderRisk(0.0, 0.0, float("nan"), 0.0, float(received))
    bankrupt = engine.bankruptcy_price(account)
    if bankrupt <= 0:  # a long backed by more than its notional: no price can make it a loss
        return RemainderRisk(size, size * engine.mark, bankrupt, 0.0, float(received))
    kind = "put" if engine.side[account] > 0 else "call"
    es = size * black_scholes_price(engine.mark, bankrupt, years, 0.0, sigma, kind)
    return RemainderRisk(size, size * engine.mark, bankrupt, float(es), float(received))


__all__ = [
    "BEARERS",
    "COMPONENTS",
    "COST_LABELS",
    "CostBreakdown",
    "cost_rows",
    "covered_size",
    "liquidation_cost",
    "RemainderRisk",
    "remainder_risk",
]
