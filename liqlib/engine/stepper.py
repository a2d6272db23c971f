"""The liquidation engine: a population of accounts stepped along a mark-price path.

One market (a linear contract settled in the quote currency), many accounts. Each account has a
wallet balance, at most one position in the market, margined **cross** (the whole wallet backs it)
or **isolated** (only the margin assigned to it), and open orders. At every step the engine

1. moves the mark and finds every account whose equity is at or below maintenance margin;
2. for each, worst margin ratio first: records the **trigger**; **cancels** its orders (their
   notional no longer raises the risk-limit tier) and stops if that restored compliance;
3. asks the venue's **partial-liquidation policy** (:mod:`liqlib.engine.policies`) how much to
   close, round by round, and sends that order to the **order book**
   (:class:`liqlib.engine.book.ResilientBook`): a market order, or a limit order at the slice's
   bankruptcy price (BitMEX, Binance); fill-or-kill, or immediate-or-cancel (Binance), for a
   partial order;
4. compares each fill with the **bankruptcy price** of the closed slice: a surplus pays the
   **liquidation fee** (the policy's; a partial order may settle at its fill with no fee, as
   Bybit's and BitMEX's step-down does) into the **insurance fund**; a deficit is paid by the fund;
5. what the order cannot fill at or better than its limit, the **fund keeps aggressing** the book
   with, as far as it can pay the deficit [1]_; only the rest is **auto-deleveraged** against the
   opposite side (:mod:`liqlib.engine.adl`) at the venue's ADL price;
6. a deficit left after that is paid by the fund, then **clawed back** pro rata from profitable
   accounts (socialized loss), and what is still missing is written off as **bad debt**; at the
   end of the step every account still below zero, flat or not (a book with nothing left, nobody
   to deleverage against), is settled the same way, so no liquidation stalls below zero;

and writes every one of those events into a :class:`liqlib.engine.ledger.Ledger`.

The slice's bankruptcy price
----------------------------
Closing ``q`` of a position of size ``Q`` with equity ``TNC`` at the mark ``M`` is bankrupt at

    P_b = M - side * TNC / Q,

the price at which the slice takes exactly its share ``q / Q`` of the equity with it: a fill at
``P_b`` leaves the rest of the position with the same equity per unit. This is dYdX's bankruptcy
price for one market, ``-DNNV - TNC * |DMMR| / TMMR`` (the closed slice's share of maintenance is
its share of size), and for a full close it is the familiar price at which equity is zero.

Money is conserved
------------------
Money only enters or leaves the population through the market: mark-to-market PnL of the open
positions and the difference between book fills and the mark. Fees, fund payments, ADL, backstop
takeovers and clawbacks move money between accounts, the fund and the venue. So at every step

    sum(account equity) + insurance fund + venue fees - bad debt written off
        = the same at the start + the market's PnL,

which :meth:`Engine.audit` checks (``imbalance``, zero up to rounding).

Modelling choices, each a simplification the chapters state: one market; linear contracts; a
position's risk-limit tier is the one its notional plus open-order notional falls in (its margin is
``N * MM(N + O) / (N + O)``, which is ``MM(N)`` once orders are cancelled); orders never fill; fees
are capped at the account's equity (Binance's fund "will balance the account back to 0", which comes
to the same balances); the backstop vault and ADL fill at the prices in the rules, with no fee.

References
----------
.. [1] BitMEX, "Liquidation", https://www.bitmex.com/app/liquidation: "If BitMEX is unable to
   liquidate the position at the bankruptcy price, BitMEX will spend the Insurance Funds on
   aggressing the position in the market ... If this still does not close the liquidated order,
   this will then lead to an Auto-Deleveraging event."
.. [2] Binance, "Liquidation", https://binance.zendesk.com/hc/en-us/articles/360033525271 and the
   newer "Liquidation Protocols" (verbatim copy at docs.traderwagon.com): "If an account becomes
   bankrupt (negative wallet balance), the Insurance Fund will balance the account back to 0."
.. [3] dYdX v4-chain @ 84d4664, ``protocol/x/clob/keeper/liquidations.go``: bankruptcy price
   ``-DNNV - (TNC * (abs(DMMR) / TMMR))``; ``IsValidInsuranceFundDelta`` (the fund must stay >= 0,
   else deleveraging).
.. [4] Hyperliquid docs, "Liquidations": backstop by the liquidator vault "below 2/3 of the
   maintenance margin", during which "the maintenance margin is not returned to the user".
.. [5] OKX, legacy loss-socialisation rules (third-party paraphrase): "Allocation ratio = (Overloss
   - Risk Reserve) / Total net profits of all profitable users."
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from ..core import _validate as v
from ..core.margin import THRESHOLD_RTOL
from ..core.tiers import TierTable
from .adl import (
    adl_scores,
    pro_rata_allocation,
    queue_allocation,
    queue_front,
    random_queue,
)
from .book import BUY, SELL, Fill, ResilientBook, execute, flat_ladder
from .ledger import Event, EventKind, Ledger
from .policies import FeePolicy, LiquidationContext, Rules, venue_rules

#: Money amounts below this fraction of an account's scale are rounding, not deficits.
MONEY_RTOL = 1e-9

@dataclass(frozen=True)
class Order:
    """A resting order of a trader: it raises the risk-limit tier until cancelled.

    Parameters
    ----------
    side : +1 (buy) or -1 (sell)
    size : float
        Base units (> 0; a zero-size order is refused).
    price : float
        Limit price (> 0), quote per base.

    Examples
    --------
    >>> Order(+1, 2, 30_000).notional
    60000.0
    >>> Order(+1, 0, 30_000)
    Traceback (most recent call last):
    ...
    ValueError: size must be > 0, got 0.0
    """

    side: int
    size: float
    price: float

    def __post_init__(self) -> None:
        v.side("side", self.side)
        v.positive("size", self.size)
        v.positive("price", self.price)

    @property
    def notional(self) -> float:
        return float(self.size * self.price)


@dataclass(frozen=True)
class Trader:
    """An account as the engine starts it.

    Parameters
    ----------
    wallet_balance : float
        Deposited collateral (>= 0), quote currency.
    side : +1 or -1
        Side of the position.
    size : float
        Position size (>= 0), base units; 0 for an account without a position.
    entry_price : float
        Average entry price (> 0).
    isolated_margin : float or None
        ``None`` for cross margin (the whole wallet backs the position); otherwise the margin
        assigned to an isolated position, in ``[0, wallet_balance]``: only it can be lost.
    orders : sequence of Order
        Open orders.

    Examples
    --------
    >>> Trader(1_000, +1, 1.0, 20_000, isolated_margin=400).isolated
    True
    >>> Trader(-1, +1, 1.0, 20_000)
    Traceback (most recent call last):
    ...
    ValueError: wallet_balance must be >= 0, got -1.0
    """

    wallet_balance: float
    side: int = 1
    size: float = 0.0
    entry_price: float = 1.0
    isolated_margin: float | None = None
    orders: Sequence[Order] = ()

    def __post_init__(self) -> None:
        wallet = float(v.nonnegative("wallet_balance", self.wallet_balance))
        v.side("side", self.side)
        v.nonnegative("size", self.size)
        v.positive("entry_price", self.entry_price)
        if self.isolated_margin is not None:
            margin = float(v.nonnegative("isolated_margin", self.isolated_margin))
            if margin > wallet:
                raise ValueError(
                    f"isolated_margin must be at most wallet_balance={wallet!r}, got {margin!r}"
                )
        object.__setattr__(self, "orders", tuple(self.orders))
        for order in self.orders:
            if not isinstance(order, Order):
                raise ValueError(f"orders must hold Order objects, got {order!r}")

    @property
    def isolated(self) -> bool:
        return self.isolated_margin is not None


@dataclass(frozen=True)
class StepRecord:
    """Summary of one engine step.

    Attributes
    ----------
    step, time, mark : int, float, float
    fund : float
        Insurance fund balance after the step.
    triggered : int
        Accounts that entered liquidation this step.
    closed : float
        Base units closed by liquidation this step (book, ADL and backstop).
    deleveraged : float
        Base units of that closed by ADL.
    bad_debt : float
        Bad debt written off so far.
    imbalance : float
        :meth:`Engine.audit`'s imbalance after the step (0 up to rounding).
    """

    step: int
    time: float
    mark: float
    fund: float
    triggered: int
    closed: float
    deleveraged: float
    bad_debt: float
    imbalance: float


@dataclass(frozen=True)
class Audit:
    """The money of the whole system, and how far it is from balancing.

    ``imbalance = equity + fund + venue_fees - bad_debt - (initial + market_pnl)``.
    """

    equity: float
    fund: float
    venue_fees: float
    bad_debt: float
    initial: float
    market_pnl: float
    imbalance: float


class Engine:
    """A liquidation engine for one market: step it along a mark-price path and read its ledger.

    Parameters
    ----------
    traders : sequence of Trader
        The accounts, numbered 0, 1, ... in the ledger.
    mark : float
        Mark price at the start (> 0).
    rules : Rules or str
        The venue's rules, or a venue name for :func:`liqlib.engine.policies.venue_rules`.
    maintenance : float or TierTable
        A flat maintenance margin rate, or the instrument's tier table.
    book : ResilientBook or None
        The order book liquidation orders execute against, measured from the mark (or from
        :meth:`step`'s ``book_mid``); ``None`` for an effectively bottomless book at that price
        (no price impact).
    insurance_fund : float
        Fund balance at the start (>= 0).
    backstop_capital : float
        Starting capital (>= 0) of the backstop vault, which exists only when the rules have a
        backstop; it is the last account, :attr:`vault`, and is never liquidated or deleveraged.
    rng : numpy.random.Generator or int seed
        For dYdX's pseudo-random ADL start.

    Examples
    --------
    BitMEX's example: a long of 1 at 100 (bankrupt at 99) liquidated when the mark is 99.40 is
    filled at 99.25, "The extra $0.25 goes into the Insurance Fund":

    >>> from liqlib.engine.book import LevelLadder, ResilientBook
    >>> bids = LevelLadder.from_prices([99.25], [10], mid=99.40)
    >>> book = ResilientBook(bids, bids, half_life=float("inf"))
    >>> engine = Engine([Trader(1.0, +1, 1.0, 100.0)], 100.0, rules="bitmex", book=book)
    >>> record = engine.step(99.40)
    >>> round(engine.fund, 10), round(float(engine.equity()[0]), 10), round(record.imbalance, 10)
    (0.25, 0.0, 0.0)
    >>> [e.kind.value for e in engine.ledger]
    ['trigger', 'fill', 'fee', 'fund_in']
    """

    def __init__(
        self,
        traders: Sequence[Trader],
        mark: float,
        *,
        rules: Rules | str = "bitmex",
        maintenance: float | TierTable = 0.005,
        book: ResilientBook | None = None,
        insurance_fund: float = 0.0,
        backstop_capital: float = 0.0,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        traders = list(traders)
        if not traders:
            raise ValueError("traders must hold at least one Trader, got none")
        for t in traders:
            if not isinstance(t, Trader):
                raise v.ArgumentTypeError(f"traders must hold Trader objects, got {t!r}")
        with v.renamed(name="rules"):  # venue_rules names its own argument `name`
            self.rules = venue_rules(rules) if isinstance(rules, str) else rules
        if not isinstance(self.rules, Rules):
            raise v.ArgumentTypeError(f"rules must be a Rules or a venue name, got {rules!r}")
        self.table = (
            maintenance
            if isinstance(maintenance, TierTable)
            else TierTable.flat(float(v.rate("maintenance", maintenance, allow_zero=False)),
                                0.5 / float(maintenance))
        )
        self.book = book if book is not None else ResilientBook(
            flat_ladder(1e15), flat_ladder(1e15), half_life=0.0
        )
        self.mark = float(v.positive("mark", mark))
        self.previous_mark = self.mark
        #: the price the book is measured from in the current step (see :meth:`step`)
        self._book_mid = self.mark
        self.fund = float(v.nonnegative("insurance_fund", insurance_fund))
        self.venue_fees = 0.0
        self.bad_debt = 0.0
        self.time = 0.0
        self.step_count = 0
        self._rng = np.random.default_rng(rng)

        vault = self.rules.backstop_ratio is not None
        n = len(traders) + int(vault)
        self.side = np.array([float(t.side) * (t.size > 0) for t in traders] + [0.0] * vault)
        self.size = np.array([float(t.size) for t in traders] + [0.0] * vault)
        self.entry = np.array([float(t.entry_price) for t in traders] + [self.mark] * vault)
        capital = float(v.nonnegative("backstop_capital", backstop_capital))
        at_risk = [
            float(t.isolated_margin) if t.isolated_margin is not None else float(t.wallet_balance)
            for t in traders
        ]
        #: collateral backing the position (cross: the wallet; isolated: the position's margin)
        self.collateral = np.array(at_risk + [capital] * vault)
        #: the rest of the wallet, out of the position's reach (isolated accounts only)
        self.reserve = np.array(
            [float(t.wallet_balance) - c for t, c in zip(traders, at_risk, strict=True)]
            + [0.0] * vault
        )
        self.order_notional = np.array(
            [sum(o.notional for o in t.orders) for t in traders] + [0.0] * vault
        )
        self.exempt = np.zeros(n, dtype=bool)
        #: index of the backstop vault, or None
        self.vault: int | None = n - 1 if vault else None
        if self.vault is not None:
            self.exempt[self.vault] = True
        self.last_partial_time = np.full(n, -np.inf)
        self._tol = MONEY_RTOL * max(1.0, float(np.mean(self.collateral + self.reserve)))
        self._market_pnl = 0.0
        self._initial = float(self.equity().sum()) + self.fund
        self.ledger = Ledger()
        self.history: list[StepRecord] = []
        self._closed = 0.0
        self._deleveraged = 0.0

    # --- state, vectorized over accounts --------------------------------------------------------

    @property
    def n_accounts(self) -> int:
        """Number of accounts, the backstop vault included."""
        return int(self.size.size)

    def upnl(self) -> np.ndarray:
        """Unrealized PnL of every account at the mark."""
        return self.side * self.size * (self.mark - self.entry)

    def margin_equity(self) -> np.ndarray:
        """Equity backing each position: collateral plus unrealized PnL."""
        return self.collateral + self.upnl()

    def equity(self) -> np.ndarray:
        """Total equity of each account: wallet (both parts) plus unrealized PnL."""
        return self.margin_equity() + self.reserve

    def maintenance(self) -> np.ndarray:
        """Maintenance margin of each position, at the tier of its notional plus open orders."""
        notional = self.size * self.mark
        exposure = notional + self.order_notional
        at_exposure = np.asarray(self.table.maintenance_margin(exposure))
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(exposure > 0, at_exposure / np.where(exposure > 0, exposure, 1.0), 0.0)
        return notional * rate

    def liquidatable(self) -> np.ndarray:
        """True for every account at or below maintenance (the vault never is)."""
        slack = self.margin_equity() - self.maintenance()
        return (
            (self.size > 0)
            & ~self.exempt
            & (slack <= THRESHOLD_RTOL * self.size * self.mark)
        )

    def bankruptcy_price(self, account: int) -> float:
        """Bankruptcy price of any slice of ``account``'s position: ``M - side * TNC / Q``."""
        i = self._account(account)
        if self.size[i] == 0:
            raise ValueError(f"account {i} has no position, so no bankruptcy price")
        return float(self.mark - self.side[i] * self._margin_equity(i) / self.size[i])

    def accounts(self) -> dict[str, np.ndarray]:
        """Every account's figures at the mark, as columns (copies)."""
        return {
            "side": self.side.copy(),
            "size": self.size.copy(),
            "entry_price": self.entry.copy(),
            "equity": self.equity(),
            "margin_equity": self.margin_equity(),
            "maintenance": self.maintenance(),
            "order_notional": self.order_notional.copy(),
        }

    def audit(self) -> Audit:
        """Check that the money balances: see the module docstring."""
        equity = float(self.equity().sum())
        expected = self._initial + self._market_pnl
        total = equity + self.fund + self.venue_fees - self.bad_debt
        return Audit(
            equity=equity,
            fund=self.fund,
            venue_fees=self.venue_fees,
            bad_debt=self.bad_debt,
            initial=self._initial,
            market_pnl=self._market_pnl,
            imbalance=total - expected,
        )

    # --- stepping -------------------------------------------------------------------------------

    def step(self, mark: float, dt: float = 1.0, *, book_mid: float | None = None) -> StepRecord:
        """Move to ``mark`` after ``dt`` (engine time unit, seconds for the venues' cooldowns).

        Parameters
        ----------
        mark : float
            The new mark price (> 0): it triggers liquidations, values positions and margin,
            and prices ADL.
        dt : float
            Time elapsed since the last step (>= 0); the book refills over it.
        book_mid : float or None
            The mid price (> 0) the book's depth is measured from for this step's liquidation
            orders; ``None`` (the default) for the mark. A venue whose mark is not the traded
            price (a smoothed mark, an index plus an averaged basis) still fills its orders
            around where the market trades: pass that price here so the book's depth, and the
            hole earlier orders left in it, is measured from it rather than from the mark.
            Only the fill prices change; the difference between a fill and the mark is
            market PnL as before, so :meth:`audit` still balances.

        Returns
        -------
        StepRecord

        Examples
        --------
        A mark that has not caught up with a traded price of 99.00: the long's order fills
        0.25 below the traded price, not below the mark, and the fund pays the deficit:

        >>> from liqlib.engine.book import LevelLadder, ResilientBook
        >>> bids = LevelLadder.from_prices([98.75], [10], mid=99.0)
        >>> book = ResilientBook(bids, bids, half_life=float("inf"))
        >>> engine = Engine([Trader(1.0, +1, 1.0, 100.0)], 100.0, book=book, insurance_fund=1.0)
        >>> record = engine.step(99.40, book_mid=99.0)
        >>> engine.ledger.of_kind("fill")[0].price, round(engine.fund, 10), record.imbalance
        (98.75, 0.75, 0.0)
        """
        new_mark = float(v.positive("mark", mark))
        mid = new_mark if book_mid is None else float(v.positive("book_mid", book_mid))
        elapsed = float(v.nonnegative("dt", dt))
        self._book_mid = mid
        self.book.advance(elapsed)
        self.time += elapsed
        self.step_count += 1
        self._market_pnl += float(np.sum(self.side * self.size)) * (new_mark - self.mark)
        self.previous_mark, self.mark = self.mark, new_mark
        self._closed = self._deleveraged = 0.0

        # Liquidations move other accounts (ADL, clawbacks): scan again for accounts they pushed
        # below maintenance, each account entering liquidation at most once per step.
        seen = np.zeros(self.n_accounts, dtype=bool)
        triggered = 0
        while True:
            candidates = np.flatnonzero(self.liquidatable() & ~seen)
            if candidates.size == 0:
                break
            equity = self.margin_equity()[candidates]
            worst_first = candidates[np.argsort(equity / self.maintenance()[candidates],
                                                kind="stable")]
            for i in worst_first:
                if self._is_liquidatable(int(i)):
                    triggered += 1
                    self._liquidate(int(i))
            seen[candidates] = True
        # No account ends a step below zero: whatever the liquidations could not close (an empty
        # book, nobody to deleverage against) or pushed below zero is settled now. Without a
        # liquidation nobody can be below zero (they would have been liquidated), so a quiet step
        # skips the scan.
        if triggered:
            for i in np.flatnonzero((self.margin_equity() < -self._tol) & ~self.exempt):
                self._settle_deficit(int(i))

        record = StepRecord(
            step=self.step_count,
            time=self.time,
            mark=self.mark,
            fund=self.fund,
            triggered=triggered,
            closed=self._closed,
            deleveraged=self._deleveraged,
            bad_debt=self.bad_debt,
            imbalance=self.audit().imbalance,
        )
        self.history.append(record)
        return record

    def run(self, marks: Iterable[float], dt: float = 1.0) -> list[StepRecord]:
        """Step along a path of marks, ``dt`` apart; returns the records of these steps."""
        return [self.step(m, dt) for m in np.asarray(v.positive("marks", list(marks))).reshape(-1)]

    # --- one liquidation ------------------------------------------------------------------------

    def _liquidate(self, i: int) -> None:
        self._log(EventKind.TRIGGER, i, price=self.mark)
        if self.order_notional[i] > 0:
            cancelled = float(self.order_notional[i])
            self.order_notional[i] = 0.0
            self._log(EventKind.CANCEL, i, amount=cancelled)
            if not self._is_liquidatable(i):
                return
        policy = self.rules.partial_policy
        ioc = bool(getattr(policy, "immediate_or_cancel", False))
        for round_ in range(policy.rounds):
            if self.size[i] == 0 or (round_ > 0 and not self._is_liquidatable(i)):
                break
            if self._backstop_due(i):
                break
            order = min(float(policy.order_size(self._context(i, round_))), float(self.size[i]))
            if not order > 0:
                break
            partial = order < self.size[i]
            sent = self._close(i, order, partial=partial,
                               fill_or_kill=policy.fill_or_kill and partial,
                               cancel_rest=ioc and partial)
            if sent and partial:
                self.last_partial_time[i] = self.time
        if self._backstop_due(i):
            self._backstop(i)
        if self.size[i] == 0:
            self._settle_deficit(i)

    def _context(self, i: int, round_: int) -> LiquidationContext:
        return LiquidationContext(
            size=float(self.size[i]),
            mark=self.mark,
            equity=self._margin_equity(i),
            maintenance=self._maintenance(i),
            table=self.table,
            time=self.time,
            round=round_,
            last_partial_time=float(self.last_partial_time[i]),
            projected_equity=lambda q: self._projected_equity(i, q),
        )

    def _projected_equity(self, i: int, q: float) -> float:
        """Equity after closing ``q`` at the mark and settling with the partial-fee policy."""
        equity = self._margin_equity(i)
        surplus = q * equity / float(self.size[i])  # side * q * (mark - bankruptcy price)
        if surplus < 0:
            return equity - surplus  # the fund pays the slice's deficit
        fee = self.rules.partial_fee_policy.fee(surplus, q * self.mark)
        return equity - min(fee, max(equity, 0.0))

    def _close(self, i: int, q: float, *, partial: bool, fill_or_kill: bool,
               cancel_rest: bool) -> bool:
        """Send a liquidation order for ``q``; False if a fill-or-kill order was killed.

        The waterfall, BitMEX's [1]_: the order fills what the book holds at or better than its
        limit (the slice's bankruptcy price, or the whole book for a market order); beyond that
        the insurance fund keeps aggressing the book as far as it can pay the deficit; only the
        rest is auto-deleveraged. An immediate-or-cancel partial order (``cancel_rest``) stops
        after its own fill. Without ADL the book takes all it can and the deficit is socialized.
        """
        fee = self.rules.partial_fee_policy if partial else self.rules.fee_policy
        limit = self.bankruptcy_price(i) if self.rules.limit == "bankruptcy" else None
        if limit is not None and limit <= 0:
            limit = None  # a long bankrupt below price 0: every bid is better than its limit
        if fill_or_kill and float(self._preview(i, q, limit).unfilled) > 0:
            return False
        rest = q
        if limit is not None or cancel_rest:
            rest -= self._fill(i, q, fee, limit)  # the book fills what it holds within the limit
            if cancel_rest or rest <= 0 or self.size[i] == 0:
                return True
        if self.rules.adl is None:
            self._fill(i, float(self._preview(i, rest).quantity), fee)
            return True
        if not self.rules.fund_first and self._fund_short(i, self._preview(i, rest)):
            # the variant: the fund pays all or nothing, so ADL goes first
            rest -= self._deleverage(i, rest)
            if rest <= 0 or self.size[i] == 0:
                return True
            rest -= self._fill(i, float(self._preview(i, rest).quantity), fee)
        else:
            rest -= self._fill(i, self._fund_covered(i, rest), fee)
        if rest > 0 and self.size[i] > 0:
            self._deleverage(i, min(rest, float(self.size[i])))
        return True

    def _preview(self, i: int, q: float, limit: float | None = None) -> Fill:
        """What a liquidation order for ``q`` would get from the book now (nothing is taken)."""
        if self.side[i] > 0:
            return execute(self.book.bids, SELL, q, self._book_mid, self.book.consumed_bids, limit)
        return execute(self.book.asks, BUY, q, self._book_mid, self.book.consumed_asks, limit)

    def _deficit(self, i: int, fill: Fill, bankrupt: float) -> float:
        """What a fill loses against the bankruptcy price (negative for a surplus)."""
        return float(-self.side[i] * float(fill.quantity) * (float(fill.vwap) - bankrupt))

    def _fund_short(self, i: int, preview: Fill) -> bool:
        """True when the fill's deficit against the bankruptcy price exceeds the fund."""
        if float(preview.quantity) == 0:
            return False
        return self._deficit(i, preview, self.bankruptcy_price(i)) > self.fund + self._tol

    def _fund_covered(self, i: int, q: float) -> float:
        """The largest part of a market order for ``q`` whose deficit the fund can pay.

        Fills only get worse down the book, so the deficit is convex in the quantity and the
        quantities the fund covers form an interval from 0: a grid search finds its end.
        """
        s = float(self.side[i])
        bankrupt = self.bankruptcy_price(i)
        if self.fund <= self._tol and s * (self.book.touch(-int(s), self._book_mid) - bankrupt) < 0:
            return 0.0  # an empty fund and a book already beyond bankruptcy: nothing is covered
        whole = self._preview(i, q)
        hi = float(whole.quantity)
        if hi == 0 or self._deficit(i, whole, bankrupt) <= self.fund + self._tol:
            return hi
        # a grid search on [lo, hi], 64 points a round (one vectorized book call each): five
        # rounds narrow the end to 64**-5 = 1e-9 of the order, for a fifth of bisection's calls
        lo = 0.0
        ladder, consumed = ((self.book.bids, self.book.consumed_bids) if s > 0
                            else (self.book.asks, self.book.consumed_asks))
        for _ in range(5):
            grid = np.linspace(lo, hi, 65)[1:]
            fill = execute(ladder, -int(s), grid, self._book_mid, consumed)
            deficit = -s * grid * (np.asarray(fill.vwap) - bankrupt)
            covered = np.flatnonzero(deficit <= self.fund)
            if covered.size:
                lo = float(grid[covered[-1]])
            if covered.size == grid.size:
                break
            hi = float(grid[covered[-1] + 1]) if covered.size else float(grid[0])
        return lo

    def _fill(self, i: int, q: float, fee: FeePolicy, limit: float | None = None) -> float:
        """Close ``q`` in the book (at or better than ``limit``) and settle the surplus or deficit;
        returns the quantity filled."""
        if not q > 0:
            return 0.0
        s = float(self.side[i])
        bankrupt = self.bankruptcy_price(i)
        fill = self.book.execute(SELL if s > 0 else BUY, q, self._book_mid, limit)
        filled, vwap = float(fill.quantity), float(fill.vwap)
        if not filled > 0:
            return 0.0
        surplus = s * filled * (vwap - bankrupt)
        self._market_pnl += s * filled * (vwap - self.mark)
        self._trade(i, -s, filled, vwap)
        self._closed += filled
        self._log(EventKind.FILL, i, size=filled, price=vwap, bankruptcy_price=bankrupt,
                  amount=surplus)
        self._settle_fill(i, surplus, filled * vwap, fee)
        return filled

    def _settle_fill(self, i: int, surplus: float, notional: float, fee_policy: FeePolicy,
                     *, cap: float = np.inf) -> None:
        """A surplus pays the fee (at most ``cap`` and the equity); the fund pays a deficit."""
        if surplus >= 0:
            fee = min(fee_policy.fee(surplus, notional), cap, max(self._margin_equity(i), 0.0))
            if fee > 0:
                self._charge_fee(i, fee)
        else:
            paid = min(-surplus, self.fund)
            if paid > 0:
                self._pay_from_fund(i, paid)

    def _charge_fee(self, i: int, fee: float) -> None:
        to_fund = fee * self.rules.fee_to_fund
        self.collateral[i] -= fee
        self.venue_fees += fee - to_fund
        self._log(EventKind.FEE, i, amount=fee)
        if to_fund > 0:
            self.fund += to_fund
            self._log(EventKind.FUND_IN, i, amount=to_fund)

    def _pay_from_fund(self, i: int, amount: float) -> None:
        self.fund -= amount
        self.collateral[i] += amount
        self._log(EventKind.FUND_OUT, i, amount=amount)

    # --- auto-deleveraging, backstop, socialized loss --------------------------------------------

    def _deleverage(self, i: int, q: float) -> float:
        """Close ``q`` of ``i`` against the opposite side at the ADL price; returns size matched."""
        s = float(self.side[i])
        bankrupt = self.bankruptcy_price(i)
        price = self._adl_price(i, bankrupt)
        opposite = np.flatnonzero((self.side == -s) & (self.size > 0) & ~self.exempt)
        if opposite.size == 0:
            return 0.0
        taken, order = self._adl_allocation(opposite, q)
        hit = order[taken[order] > 0]  # in queue order, so the ledger replays the queue
        for j, qj in zip(opposite[hit], taken[hit], strict=True):
            haircut = s * qj * (price - self.mark)  # the counterparty's loss against the mark
            self._trade(int(j), s, float(qj), price)
            self._log(EventKind.ADL, i, counterparty=int(j), size=float(qj), price=price,
                      bankruptcy_price=bankrupt, amount=haircut)
        matched = float(taken.sum())
        for j in opposite[taken > 0]:
            # a counterparty closed out beyond its own bankruptcy price is settled like any other
            if self.size[j] == 0:
                self._settle_deficit(int(j))
        self._trade(i, -s, matched, price)
        self._closed += matched
        self._deleveraged += matched
        # ADL carries no fee beyond the slice's surplus (none at the bankruptcy price)
        surplus = s * matched * (price - bankrupt)
        self._settle_fill(i, surplus, matched * price, self.rules.fee_policy,
                          cap=max(surplus, 0.0))
        return matched

    def _adl_price(self, i: int, bankrupt: float) -> float:
        """The price ADL fills ``i``'s order at, by the rules' ``adl_price``.

        Hyperliquid closes "at the previous mark price against the now underwater user" [4]_: in
        continuous time that mark is where the account was last solvent, at its bankruptcy price.
        With coarse steps the previous step's mark can lie far on the account's good side, so it
        is capped at the better (for the account) of its bankruptcy price and the current mark:
        nobody profits from their own liquidation ("previous_step_mark" keeps the raw mark).
        """
        rule = self.rules.adl_price
        if rule == "bankruptcy":
            return bankrupt
        if rule == "mark":
            return self.mark
        if rule == "previous_step_mark":
            return self.previous_mark
        s = float(self.side[i])
        best = s * max(s * bankrupt, s * self.mark)  # the better price for the account's side
        return s * min(s * self.previous_mark, s * best)

    def _adl_allocation(self, opposite: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
        """Size taken from each opposite position, and the order they are taken in."""
        sizes = self.size[opposite]
        rule = self.rules.adl
        if rule == "pro_rata":
            return pro_rata_allocation(sizes, q), np.arange(opposite.size)
        if rule == "dydx":
            order = random_queue(opposite.size, self._rng)
        else:
            order = queue_front(self._adl_scores(str(rule), opposite), sizes, q)
        taken = np.zeros_like(sizes)
        taken[order] = queue_allocation(sizes[order], q)
        return taken, order

    def _adl_scores(self, rule: str, idx: np.ndarray) -> Any:
        # only Binance's margin ratio needs the maintenance margin: skip computing it otherwise
        maintenance = self.maintenance()[idx] if rule == "binance" else None
        return adl_scores(rule, self.side[idx], self.entry[idx], self.mark, self.size[idx],
                          self.collateral[idx], maintenance)

    def _backstop_due(self, i: int) -> bool:
        ratio = self.rules.backstop_ratio
        if ratio is None or self.size[i] == 0:
            return False
        equity = self._margin_equity(i)
        return 0 <= equity < ratio * self._maintenance(i)

    def _backstop(self, i: int) -> None:
        """The vault takes the whole position at its bankruptcy price: the margin goes with it."""
        vault = cast(int, self.vault)  # a backstop is due only when the vault exists
        s, q = float(self.side[i]), float(self.size[i])
        bankrupt = self.bankruptcy_price(i)
        handed_over = self._margin_equity(i)
        self._trade(i, -s, q, bankrupt)
        self._trade(vault, s, q, bankrupt)
        self._closed += q
        self._log(EventKind.BACKSTOP, i, counterparty=vault, size=q, price=bankrupt,
                  bankruptcy_price=bankrupt, amount=handed_over)

    def _settle_deficit(self, i: int) -> None:
        """An account below zero, flat or not: the fund, then a clawback, then bad debt.

        Binance: "If an account becomes bankrupt (negative wallet balance), the Insurance Fund
        will balance the account back to 0" [2]_. An account still holding a position (a book with
        nothing left to fill, nobody on the other side to deleverage) is settled too, so no
        liquidation stalls below zero: it stays in liquidation at zero equity.
        """
        need = -self._margin_equity(i)
        if need <= self._tol:
            return
        paid = min(need, self.fund)
        if paid > 0:
            self._pay_from_fund(i, paid)
            need -= paid
        if need > self._tol and self.rules.socialize:
            need -= self._claw_back(i, need)
        if need > self._tol:
            self.collateral[i] += need
            self.bad_debt += need
            self._log(EventKind.BAD_DEBT, i, amount=need)

    def _claw_back(self, i: int, need: float) -> float:
        """Take ``need`` from profitable accounts pro rata to their unrealized profit."""
        others = np.flatnonzero((self.size > 0) & ~self.exempt & (np.arange(self.n_accounts) != i))
        # the profit, but never more than the account's equity: a clawback pushes nobody below 0
        profit = np.clip(np.minimum(self.upnl(), self.margin_equity())[others], 0.0, None)
        taken = pro_rata_allocation(profit, need)
        for j, amount in zip(others[taken > 0], taken[taken > 0], strict=True):
            self.collateral[j] -= amount
            self.collateral[i] += amount
            self._log(EventKind.CLAWBACK, i, counterparty=int(j), amount=float(amount))
        return float(taken.sum())

    # --- helpers ----------------------------------------------------------------------------------

    def _trade(self, i: int, trade_side: float, q: float, price: float) -> None:
        """Trade ``q`` at ``price`` for account ``i``, realizing PnL on the part that closes."""
        if q <= 0:
            return
        s = float(self.side[i])
        if s == 0 or s == trade_side:
            total = float(self.size[i]) + q
            self.entry[i] = (self.size[i] * self.entry[i] + q * price) / total
            self.side[i], self.size[i] = trade_side, total
            return
        closing = min(q, float(self.size[i]))
        self.collateral[i] += s * closing * (price - self.entry[i])
        remaining = float(self.size[i]) - closing
        self.size[i] = remaining
        if remaining <= 1e-12 * closing:
            self.size[i], self.side[i] = 0.0, 0.0
            # an order larger than the position by more than rounding opens the other side
            if q - closing > 1e-9 * q:
                self.side[i], self.size[i], self.entry[i] = trade_side, q - closing, price

    def _margin_equity(self, i: int) -> float:
        return float(self.collateral[i] + self.side[i] * self.size[i] * (self.mark - self.entry[i]))

    def _maintenance(self, i: int) -> float:
        notional = float(self.size[i]) * self.mark
        exposure = notional + float(self.order_notional[i])
        if exposure == 0:
            return 0.0
        return notional * float(self.table.maintenance_margin(exposure)) / exposure

    def _is_liquidatable(self, i: int) -> bool:
        if self.size[i] == 0 or self.exempt[i]:
            return False
        slack = self._margin_equity(i) - self._maintenance(i)
        return slack <= THRESHOLD_RTOL * float(self.size[i]) * self.mark

    def _account(self, account: int) -> int:
        i = int(account)
        if not 0 <= i < self.n_accounts:
            raise ValueError(f"account must be in [0, {self.n_accounts}), got {account!r}")
        return i

    def _log(self, kind: EventKind, i: int, **fields: Any) -> None:
        has_position = self.size[i] > 0
        self.ledger.append(
            Event(
                step=self.step_count,
                time=self.time,
                kind=kind,
                account=i,
                equity=self._margin_equity(i),
                maintenance=self._maintenance(i) if has_position else 0.0,
                fund=self.fund,
                **fields,
            )
        )


__all__ = ["Audit", "Engine", "Order", "StepRecord", "Trader"]
