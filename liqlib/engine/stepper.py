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

At scale
--------
The accounts are arrays (:class:`liqlib.engine.accounts.Accounts` builds them from columns). A
step does not visit every account: a :class:`liqlib.engine.accounts.TriggerIndex` of each
position's trigger bound names the few a mark could liquidate (none on a quiet step), and only
those are tested, with the same arithmetic as a full scan. The ADL queue of a side is scored once
a step and only its front sorted (:class:`liqlib.engine.accounts.AdlQueue`); the audit's sums run
along with every change. So a liquidation costs the same whatever the population, except under
the pro-rata and dYdX rules (which touch the whole opposite side by design) and a socialized
loss (pro rata to every profitable account). A funding payment made with
:meth:`Engine.pay_funding` keeps the index (the payers' bounds are widened by what they paid);
arrays read from outside (``engine.collateral`` written into) make the next step scan every
account, as before.

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
from .accounts import Accounts, AdlQueue, ScalarTiers, TriggerIndex, sparse_sum
from .adl import (
    QUEUE_FRONT_START,
    RANKED_RULES,
    account_scores,
    adl_queue,
    pro_rata_allocation,
    queue_allocation,
    random_queue,
)
from .book import BUY, SELL, ResilientBook, _execute, _execute_one, flat_ladder
from .ledger import EventKind, Ledger
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
    traders : sequence of Trader, or Accounts
        The accounts, numbered 0, 1, ... in the ledger: objects, or columns
        (:class:`liqlib.engine.accounts.Accounts`) for a large population.
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
        traders: Sequence[Trader] | Accounts,
        mark: float,
        *,
        rules: Rules | str = "bitmex",
        maintenance: float | TierTable = 0.005,
        book: ResilientBook | None = None,
        insurance_fund: float = 0.0,
        backstop_capital: float = 0.0,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        if isinstance(traders, Accounts):
            accounts = traders
        else:
            traders = list(traders)
            if not traders:
                raise ValueError("traders must hold at least one Trader, got none")
            for t in traders:
                if not isinstance(t, Trader):
                    raise v.ArgumentTypeError(
                        f"traders must hold Trader objects (or be Accounts), got {t!r}")
            accounts = Accounts.from_traders(traders)
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
        n = len(accounts) + int(vault)
        capital = float(v.nonnegative("backstop_capital", backstop_capital))

        def column(values: np.ndarray, vault_value: float) -> np.ndarray:
            return np.concatenate([values, [vault_value] * vault]).astype(float)

        self.side = column(accounts.side * (accounts.size > 0), 0.0)
        self.size = column(accounts.size, 0.0)
        self.entry = column(accounts.entry_price, self.mark)
        #: collateral backing the position (cross: the wallet; isolated: the position's margin)
        self.collateral = column(accounts.collateral, capital)
        #: the rest of the wallet, out of the position's reach (isolated accounts only)
        self.reserve = column(accounts.reserve, 0.0)
        self.order_notional = column(accounts.order_notional, 0.0)
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
        self._start_scale()

    # --- the account arrays ---------------------------------------------------------------------
    #
    # The engine keeps, next to its account arrays, what lets a step skip the population: a
    # TriggerIndex (which accounts a mark could trigger) and the sums the audit needs, both kept
    # up to date by every change the engine itself makes (_touch). Arrays read or replaced from
    # outside (a funding payment written into ``collateral``) may have changed in any element:
    # reading one drops both, and the next step scans every account, as before.

    def _start_scale(self) -> None:
        self._scalar_tiers = ScalarTiers(self.table)
        self._index: TriggerIndex | None = None
        # sum(collateral + reserve), net size, net entry value (None: to be summed again)
        self._sums: list[float] | None = None
        self._step_touched: set[int] = set()
        self._adl_queues: dict[float, AdlQueue] = {}
        self._outside = False  # no outside read since the last step

    def _outside_access(self) -> None:
        self._outside = True
        self._index = None
        self._sums = None

    @property
    def side(self) -> np.ndarray:
        """Side of each position (+1, -1; 0 when flat). Writable: the engine re-reads it."""
        self._outside_access()
        return self._side

    @side.setter
    def side(self, value: np.ndarray) -> None:
        self._outside_access()
        self._side = value

    @property
    def size(self) -> np.ndarray:
        """Position size of each account (base units)."""
        self._outside_access()
        return self._size

    @size.setter
    def size(self, value: np.ndarray) -> None:
        self._outside_access()
        self._size = value

    @property
    def entry(self) -> np.ndarray:
        """Average entry price of each position."""
        self._outside_access()
        return self._entry

    @entry.setter
    def entry(self, value: np.ndarray) -> None:
        self._outside_access()
        self._entry = value

    @property
    def collateral(self) -> np.ndarray:
        """Collateral backing each position (cross: the wallet; isolated: the position's margin)."""
        self._outside_access()
        return self._collateral

    @collateral.setter
    def collateral(self, value: np.ndarray) -> None:
        self._outside_access()
        self._collateral = value

    @property
    def reserve(self) -> np.ndarray:
        """The rest of each wallet, out of the position's reach (isolated accounts only)."""
        self._outside_access()
        return self._reserve

    @reserve.setter
    def reserve(self, value: np.ndarray) -> None:
        self._outside_access()
        self._reserve = value

    @property
    def order_notional(self) -> np.ndarray:
        """Notional of each account's open orders."""
        self._outside_access()
        return self._order_notional

    @order_notional.setter
    def order_notional(self, value: np.ndarray) -> None:
        self._outside_access()
        self._order_notional = value

    @property
    def exempt(self) -> np.ndarray:
        """True for accounts never liquidated or deleveraged (the backstop vault)."""
        self._outside_access()
        return self._exempt

    @exempt.setter
    def exempt(self, value: np.ndarray) -> None:
        self._outside_access()
        self._exempt = value

    def _touch(self, i: int) -> None:
        """Account ``i``'s position, collateral or orders changed (by the engine)."""
        self._step_touched.add(i)
        if self._index is not None:
            self._index.touch((i,))
        for queue in self._adl_queues.values():
            queue.touch(i)

    def _money_sums(self) -> list[float]:
        """``[sum(collateral + reserve), sum(side * size), sum(side * size * entry)]``, kept up to
        date by every change (exact sums again whenever the index is rebuilt)."""
        if self._sums is None:
            net = self._side * self._size
            self._sums = [float(np.sum(self._collateral + self._reserve)), float(np.sum(net)),
                          float(np.sum(net * self._entry))]
        return self._sums

    def _trigger_index(self) -> TriggerIndex | None:
        """The index for this step; None (scan everyone) if the arrays were read from outside
        since the last step. Rebuilt once the accounts changed since it was built pass 1/32 of
        the population (their bounds are kept apart, in a dict)."""
        if self._outside:
            self._outside = False
            return None
        index = self._index
        if index is not None:
            index.refresh()
        if (index is None or index.table is not self.table
                or index.n_touched > max(64, self.n_accounts // 32)
                # funding payments widened the bounds (loosen) past 0.1% of the mark
                or index.long_shift + index.short_shift > 1e-3 * self.mark):
            self._sums = None  # refresh the running sums too
            index = self._index = TriggerIndex(self._side, self._size, self._entry,
                                               self._collateral, self._order_notional,
                                               self._exempt, self.table)
        return index

    # --- state, vectorized over accounts --------------------------------------------------------

    @property
    def n_accounts(self) -> int:
        """Number of accounts, the backstop vault included."""
        return int(self._size.size)

    def upnl(self) -> np.ndarray:
        """Unrealized PnL of every account at the mark."""
        return self._side * self._size * (self.mark - self._entry)

    def margin_equity(self) -> np.ndarray:
        """Equity backing each position: collateral plus unrealized PnL."""
        return self._collateral + self.upnl()

    def equity(self) -> np.ndarray:
        """Total equity of each account: wallet (both parts) plus unrealized PnL."""
        return self.margin_equity() + self._reserve

    def maintenance(self) -> np.ndarray:
        """Maintenance margin of each position, at the tier of its notional plus open orders."""
        return self._maintenance_of(slice(None))

    def liquidatable(self) -> np.ndarray:
        """True for every account at or below maintenance (the vault never is)."""
        return self._liquidatable_of(slice(None))

    # The same arithmetic on a subset of the accounts (element by element, so the same values):
    # the trigger scan tests only the candidates its index names.

    def _margin_equity_of(self, idx: Any) -> np.ndarray:
        side, size, entry = self._side[idx], self._size[idx], self._entry[idx]
        return self._collateral[idx] + side * size * (self.mark - entry)

    def _maintenance_of(self, idx: Any) -> np.ndarray:
        notional = self._size[idx] * self.mark
        exposure = notional + self._order_notional[idx]
        at_exposure = np.asarray(self.table.maintenance_margin(exposure))
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(exposure > 0, at_exposure / np.where(exposure > 0, exposure, 1.0), 0.0)
        return notional * rate

    def _liquidatable_of(self, idx: Any) -> np.ndarray:
        size = self._size[idx]
        slack = self._margin_equity_of(idx) - self._maintenance_of(idx)
        return (size > 0) & ~self._exempt[idx] & (slack <= THRESHOLD_RTOL * size * self.mark)

    def bankruptcy_price(self, account: int) -> float:
        """Bankruptcy price of any slice of ``account``'s position: ``M - side * TNC / Q``."""
        i = self._account(account)
        if self._size[i] == 0:
            raise ValueError(f"account {i} has no position, so no bankruptcy price")
        return self._bankruptcy(i)

    def _bankruptcy(self, i: int) -> float:
        # the engine's own accounts, open: Python floats (the same IEEE operations)
        return self.mark - self._side.item(i) * self._margin_equity(i) / self._size.item(i)

    def accounts(self) -> dict[str, np.ndarray]:
        """Every account's figures at the mark, as columns (copies)."""
        return {
            "side": self._side.copy(),
            "size": self._size.copy(),
            "entry_price": self._entry.copy(),
            "equity": self.equity(),
            "margin_equity": self.margin_equity(),
            "maintenance": self.maintenance(),
            "order_notional": self._order_notional.copy(),
        }

    def audit(self) -> Audit:
        """Check that the money balances: see the module docstring."""
        collateral, net, value = self._money_sums()
        equity = collateral + self.mark * net - value  # sum(equity()), in O(1)
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

    def pay_funding(self, rate: float) -> float:
        """Move ``|rate| * notional`` at the mark from the paying side to the other, pro rata to
        size; returns the amount moved.

        Longs pay when ``rate > 0``, shorts when ``rate < 0``. Money only moves between accounts
        (the sum of collateral changes by rounding only), so :meth:`audit` still balances. The
        payment keeps the engine's trigger index: the payers' bounds are widened by what they
        paid per unit of size (:meth:`TriggerIndex.loosen`), the receivers' still hold, so the
        next step does not scan every account (writing into :attr:`collateral` from outside
        does). Call it between steps.

        Parameters
        ----------
        rate : float
            Funding rate for this payment, a fraction of notional (positive: longs pay).

        Returns
        -------
        float
            The amount paid (>= 0), quote currency; 0 when either side is empty.

        Raises
        ------
        TypeError
            For a rate that is not a number.
        ValueError
            For a rate that is not finite.

        Examples
        --------
        A long and a short of 1 at 100; at 1% the long pays the short 1.0:

        >>> engine = Engine([Trader(50.0, +1, 1.0, 100.0), Trader(50.0, -1, 1.0, 100.0)], 100.0)
        >>> engine.pay_funding(0.01), engine.collateral.tolist()
        (1.0, [49.0, 51.0])
        """
        r = float(v.number("rate", rate))
        if r == 0:
            return 0.0
        # the running sums are summed again (the transfers round): even when nothing moves, so
        # that a run's audit does not depend on which steps paid
        self._sums = None
        payer_side = 1.0 if r > 0 else -1.0
        side, size = self._side, self._size
        open_ = (size > 0) & ~self._exempt
        payers = np.flatnonzero(open_ & (side == payer_side))
        receivers = np.flatnonzero(open_ & (side == -payer_side))
        if payers.size == 0 or receivers.size == 0:
            return 0.0
        owed = abs(r) * size[payers] * self.mark
        total = float(owed.sum())
        self._collateral[payers] -= owed
        self._collateral[receivers] += total * size[receivers] / size[receivers].sum()
        if self._index is not None:
            self._index.loosen(payer_side, abs(r) * self.mark)
        self._adl_queues.clear()  # scores depend on collateral
        return total

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
        index = self._trigger_index()
        self._market_pnl += self._money_sums()[1] * (new_mark - self.mark)
        self.previous_mark, self.mark = self.mark, new_mark
        self._closed = self._deleveraged = 0.0
        self._step_touched.clear()
        self._adl_queues.clear()  # ADL scores depend on the mark

        triggered = 0
        if index is None or not index.quiet(new_mark):
            triggered = self._liquidations(index)
        # No account ends a step below zero: whatever the liquidations could not close (an empty
        # book, nobody to deleverage against) or pushed below zero is settled now. Without a
        # liquidation nobody can be below zero (they would have been liquidated), so a quiet step
        # skips the scan; after one, only the accounts the step changed can be.
        if triggered:
            idx = (np.arange(self.n_accounts) if index is None
                   else np.array(sorted(self._step_touched), dtype=np.intp))
            below = (self._margin_equity_of(idx) < -self._tol) & ~self._exempt[idx]
            for i in idx[below]:
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

    def _liquidations(self, index: TriggerIndex | None) -> int:
        """Liquidate every account at or below maintenance, worst margin ratio first; returns
        how many entered liquidation. With an index only its candidates are tested."""
        # Liquidations move other accounts (ADL, clawbacks): scan again for accounts they pushed
        # below maintenance, each account entering liquidation at most once per step.
        seen = np.zeros(self.n_accounts, dtype=bool)
        triggered = 0
        while True:
            idx = np.arange(self.n_accounts) if index is None else index.candidates(self.mark)
            idx = idx[~seen[idx]]
            candidates = idx[self._liquidatable_of(idx)]
            if candidates.size == 0:
                break
            ratio = self._margin_equity_of(candidates) / self._maintenance_of(candidates)
            worst_first = candidates[np.argsort(ratio, kind="stable")]
            for i in worst_first:
                if self._is_liquidatable(int(i)):
                    triggered += 1
                    self._liquidate(int(i))
            seen[candidates] = True
        return triggered

    def run(self, marks: Iterable[float], dt: float = 1.0) -> list[StepRecord]:
        """Step along a path of marks, ``dt`` apart; returns the records of these steps."""
        return [self.step(m, dt) for m in np.asarray(v.positive("marks", list(marks))).reshape(-1)]

    # --- one liquidation ------------------------------------------------------------------------

    def _liquidate(self, i: int) -> None:
        self._log(EventKind.TRIGGER, i, price=self.mark)
        self._step_touched.add(i)  # below zero and nothing to close it with: settled at the end
        if self._order_notional[i] > 0:
            cancelled = float(self._order_notional[i])
            self._order_notional[i] = 0.0
            self._touch(i)
            self._log(EventKind.CANCEL, i, amount=cancelled)
            if not self._is_liquidatable(i):
                return
        policy = self.rules.partial_policy
        ioc = bool(getattr(policy, "immediate_or_cancel", False))
        for round_ in range(policy.rounds):
            if self._size[i] == 0 or (round_ > 0 and not self._is_liquidatable(i)):
                break
            if self._backstop_due(i):
                break
            order = min(float(policy.order_size(self._context(i, round_))), float(self._size[i]))
            if not order > 0:
                break
            partial = order < self._size[i]
            sent = self._close(i, order, partial=partial,
                               fill_or_kill=policy.fill_or_kill and partial,
                               cancel_rest=ioc and partial)
            if sent and partial:
                self.last_partial_time[i] = self.time
        if self._backstop_due(i):
            self._backstop(i)
        if self._size[i] == 0:
            self._settle_deficit(i)

    def _context(self, i: int, round_: int) -> LiquidationContext:
        return LiquidationContext(
            size=float(self._size[i]),
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
        surplus = q * equity / float(self._size[i])  # side * q * (mark - bankruptcy price)
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
        limit = self._bankruptcy(i) if self.rules.limit == "bankruptcy" else None
        if limit is not None and limit <= 0:
            limit = None  # a long bankrupt below price 0: every bid is better than its limit
        if fill_or_kill and self._preview(i, q, limit)[0] < q:  # some would be left unfilled
            return False
        rest = q
        if limit is not None or cancel_rest:
            rest -= self._fill(i, q, fee, limit)  # the book fills what it holds within the limit
            if cancel_rest or rest <= 0 or self._size[i] == 0:
                return True
        if self.rules.adl is None:
            self._fill(i, self._preview(i, rest)[0], fee)
            return True
        if not self.rules.fund_first and self._fund_short(i, self._preview(i, rest)):
            # the variant: the fund pays all or nothing, so ADL goes first
            rest -= self._deleverage(i, rest)
            if rest <= 0 or self._size[i] == 0:
                return True
            rest -= self._fill(i, self._preview(i, rest)[0], fee)
        else:
            rest -= self._fill(i, self._fund_covered(i, rest), fee)
        if rest > 0 and self._size[i] > 0:
            self._deleverage(i, min(rest, float(self._size[i])))
        return True

    def _preview(self, i: int, q: float, limit: float | None = None) -> tuple[float, float]:
        """What a liquidation order for ``q`` would get from the book now, ``(quantity, vwap)``
        (nothing is taken)."""
        if self._side[i] > 0:
            ladder, side, consumed = self.book.bids, SELL, self.book.consumed_bids
        else:
            ladder, side, consumed = self.book.asks, BUY, self.book.consumed_asks
        return _execute_one(ladder, float(side), float(q), self._book_mid, float(consumed), limit)

    def _deficit(self, i: int, fill: tuple[float, float], bankrupt: float) -> float:
        """What a fill ``(quantity, vwap)`` loses against the bankruptcy price (negative for a
        surplus)."""
        return float(-self._side[i] * fill[0] * (fill[1] - bankrupt))

    def _fund_short(self, i: int, preview: tuple[float, float]) -> bool:
        """True when the fill's deficit against the bankruptcy price exceeds the fund."""
        if preview[0] == 0:
            return False
        return self._deficit(i, preview, self._bankruptcy(i)) > self.fund + self._tol

    def _fund_covered(self, i: int, q: float) -> float:
        """The largest part of a market order for ``q`` whose deficit the fund can pay.

        Fills only get worse down the book, so the deficit is convex in the quantity and the
        quantities the fund covers form an interval from 0: a grid search finds its end.
        """
        s = float(self._side[i])
        bankrupt = self._bankruptcy(i)
        touch = self.book._touch_one(-int(s), self._book_mid)
        if self.fund <= self._tol and s * (touch - bankrupt) < 0:
            return 0.0  # an empty fund and a book already beyond bankruptcy: nothing is covered
        whole = self._preview(i, q)
        hi = whole[0]
        if hi == 0 or self._deficit(i, whole, bankrupt) <= self.fund + self._tol:
            return hi
        # a grid search on [lo, hi], 64 points a round (one vectorized book call each): five
        # rounds narrow the end to 64**-5 = 1e-9 of the order, for a fifth of bisection's calls
        lo = 0.0
        ladder, consumed = ((self.book.bids, self.book.consumed_bids) if s > 0
                            else (self.book.asks, self.book.consumed_asks))
        for _ in range(5):
            grid = np.linspace(lo, hi, 65)[1:]
            fill = _execute(ladder, -s, grid, np.float64(self._book_mid), np.float64(consumed))
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
        s = float(self._side[i])
        bankrupt = self._bankruptcy(i)
        filled, vwap = self.book._take_one(SELL if s > 0 else BUY, q, self._book_mid, limit)
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
        self._collateral[i] -= fee
        self._add_collateral(i, -fee)
        self.venue_fees += fee - to_fund
        self._log(EventKind.FEE, i, amount=fee)
        if to_fund > 0:
            self.fund += to_fund
            self._log(EventKind.FUND_IN, i, amount=to_fund)

    def _pay_from_fund(self, i: int, amount: float) -> None:
        self.fund -= amount
        self._collateral[i] += amount
        self._add_collateral(i, amount)
        self._log(EventKind.FUND_OUT, i, amount=amount)

    # --- auto-deleveraging, backstop, socialized loss --------------------------------------------

    def _deleverage(self, i: int, q: float) -> float:
        """Close ``q`` of ``i`` against the opposite side at the ADL price; returns size matched."""
        s = float(self._side[i])
        bankrupt = self._bankruptcy(i)
        price = self._adl_price(i, bankrupt)
        rule = self.rules.adl
        if rule in RANKED_RULES:
            queue, matched = self._ranked_allocation(-s, q)
            if queue.size == 0:
                return 0.0
            # allocate_down_queue on the queue's (short) prefix in Python floats: the same
            # running sum and clip, without NumPy's per-call cost on a handful of entries
            counterparties, taken = [], []  # in queue order, so the ledger replays the queue
            need, before = float(q), 0.0
            for j in queue.tolist():
                size_j = self._size.item(j)
                t = min(max(need - before, 0.0), size_j)
                before += size_j
                if t > 0:
                    counterparties.append(j)
                    taken.append(t)
            matched = self._matched_total(-s, np.array(counterparties, dtype=np.intp),
                                          np.array(taken), matched)
        else:
            opposite = np.flatnonzero((self._side == -s) & (self._size > 0) & ~self._exempt)
            if opposite.size == 0:
                return 0.0
            full, order = self._adl_allocation(opposite, q)
            hit = order[full[order] > 0]
            counterparties, taken = opposite[hit], full[hit]
            matched = float(full.sum())
        for j, qj in zip(counterparties, taken, strict=True):
            haircut = s * qj * (price - self.mark)  # the counterparty's loss against the mark
            self._trade(int(j), s, float(qj), price)
            self._log(EventKind.ADL, i, counterparty=int(j), size=float(qj), price=price,
                      bankruptcy_price=bankrupt, amount=haircut)
        for j in sorted(counterparties):
            # a counterparty closed out beyond its own bankruptcy price is settled like any other
            if self._size[j] == 0:
                self._settle_deficit(int(j))
        self._trade(i, -s, matched, price)
        self._closed += matched
        self._deleveraged += matched
        # ADL carries no fee beyond the slice's surplus (none at the bankruptcy price)
        surplus = s * matched * (price - bankrupt)
        self._settle_fill(i, surplus, matched * price, self.rules.fee_policy,
                          cap=max(surplus, 0.0))
        return matched

    def _ranked_allocation(self, side: float, q: float) -> tuple[np.ndarray, Any]:
        """The front of ``side``'s ADL queue covering ``q`` (account indices, queue order), and
        where the side's members stood before any is closed (for :meth:`_matched_total`).

        The side is scored once a step (the scores move with the mark) and only its front is
        sorted (:class:`AdlQueue`); accounts changed since are re-scored, so the front is the
        whole queue's, whatever the population, as a full sort would give it.
        """
        rule = str(self.rules.adl)
        queue = self._adl_queues.get(side)
        k = 0
        while True:
            if queue is None:
                members = np.flatnonzero((self._side == side) & (self._size > 0) & ~self._exempt)
                # a front of 1/256 of the side: sorting it is cheap next to scoring the side,
                # and a busy step rarely has to score the side again for a longer one
                k = max(k, QUEUE_FRONT_START, members.size // 256)
                scores = np.asarray(self._adl_scores(rule, members), dtype=float).reshape(-1)
                if np.isnan(scores).any():
                    adl_queue(scores)  # its error names the NaN
                queue = self._adl_queues[side] = AdlQueue(members, scores, k,
                                                              self.n_accounts)
            front = queue.front(lambda idx: self._rescore(rule, side, idx), self._size, q)
            if front is not None:
                return front, queue
            k = queue.k * 4
            queue = None

    def _adl_member(self, side: float, idx: np.ndarray) -> np.ndarray:
        return (self._side[idx] == side) & (self._size[idx] > 0) & ~self._exempt[idx]

    def _rescore(self, rule: str, side: float, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        member = self._adl_member(side, idx)
        scores = np.full(idx.size, -np.inf)
        if member.any():
            scores[member] = self._adl_scores(rule, idx[member])
        if np.isnan(scores).any():
            adl_queue(scores)  # its error names the NaN
        return member, scores

    def _matched_total(self, side: float, counterparties: np.ndarray, taken: np.ndarray,
                       queue: Any) -> float:
        """What the counterparties gave, summed as ``taken.sum()`` over the whole opposite side
        in account order sums it (two amounts sum alike in any order; more need their places)."""
        if taken.size <= 2:
            return float(np.sum(taken))
        count, places = queue.positions(counterparties,
                                        lambda idx: self._rescore(str(self.rules.adl), side, idx))
        return sparse_sum(count, places, taken)

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
        s = float(self._side[i])
        best = s * max(s * bankrupt, s * self.mark)  # the better price for the account's side
        return s * min(s * self.previous_mark, s * best)

    def _adl_allocation(self, opposite: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
        """Size taken from each opposite position, and the order they are taken in (the unranked
        rules: pro rata, dYdX's walk from a random start)."""
        sizes = self._size[opposite]
        rule = self.rules.adl
        if rule == "pro_rata":
            return pro_rata_allocation(sizes, q), np.arange(opposite.size)
        order = random_queue(opposite.size, self._rng)  # dYdX: the ranked rules have their queue
        taken = np.zeros_like(sizes)
        taken[order] = queue_allocation(sizes[order], q)
        return taken, order

    def _adl_scores(self, rule: str, idx: np.ndarray) -> Any:
        # only Binance's margin ratio needs the maintenance margin: skip computing it otherwise
        maintenance = self._maintenance_of(idx) if rule == "binance" else None
        return account_scores(rule, self._side[idx], self._entry[idx], self.mark,
                              self._size[idx], self._collateral[idx], maintenance)

    def _backstop_due(self, i: int) -> bool:
        ratio = self.rules.backstop_ratio
        if ratio is None or self._size[i] == 0:
            return False
        equity = self._margin_equity(i)
        return 0 <= equity < ratio * self._maintenance(i)

    def _backstop(self, i: int) -> None:
        """The vault takes the whole position at its bankruptcy price: the margin goes with it."""
        vault = cast(int, self.vault)  # a backstop is due only when the vault exists
        s, q = float(self._side[i]), float(self._size[i])
        bankrupt = self._bankruptcy(i)
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
            self._collateral[i] += need
            self._add_collateral(i, need)
            self.bad_debt += need
            self._log(EventKind.BAD_DEBT, i, amount=need)

    def _claw_back(self, i: int, need: float) -> float:
        """Take ``need`` from profitable accounts pro rata to their unrealized profit."""
        open_ = self._size > 0
        open_ &= ~self._exempt
        open_[i] = False
        others = np.flatnonzero(open_)
        # the profit, but never more than the account's equity: a clawback pushes nobody below 0
        # (upnl() and margin_equity()'s arithmetic on the open accounts only: this scans every
        # account, once per deficit a fund could not pay)
        upnl = self._side[others] * self._size[others] * (self.mark - self._entry[others])
        profit = np.clip(np.minimum(upnl, self._collateral[others] + upnl), 0.0, None)
        taken = pro_rata_allocation(profit, need)
        for j, amount in zip(others[taken > 0], taken[taken > 0], strict=True):
            self._collateral[j] -= amount
            self._collateral[i] += amount
            self._touch(int(j))  # a transfer: the sums do not move
            self._touch(i)
            self._log(EventKind.CLAWBACK, i, counterparty=int(j), amount=float(amount))
        return float(taken.sum())

    # --- helpers ----------------------------------------------------------------------------------

    def _add_collateral(self, i: int, amount: float) -> None:
        """Book ``amount`` just added to ``i``'s collateral in the running sums."""
        self._touch(i)
        if self._sums is not None:
            self._sums[0] += amount

    def _trade(self, i: int, trade_side: float, q: float, price: float) -> None:
        """Trade ``q`` at ``price`` for account ``i``, realizing PnL on the part that closes."""
        if q <= 0:
            return
        self._touch(i)
        sums = self._sums
        if sums is not None:
            net, collateral = float(self._side[i] * self._size[i]), float(self._collateral[i])
            sums[1] -= net
            sums[2] -= net * float(self._entry[i])
        self._change_position(i, trade_side, q, price)
        if sums is not None:
            net = float(self._side[i] * self._size[i])
            sums[0] += float(self._collateral[i]) - collateral
            sums[1] += net
            sums[2] += net * float(self._entry[i])

    def _change_position(self, i: int, trade_side: float, q: float, price: float) -> None:
        s = float(self._side[i])
        if s == 0 or s == trade_side:
            total = float(self._size[i]) + q
            self._entry[i] = (self._size[i] * self._entry[i] + q * price) / total
            self._side[i], self._size[i] = trade_side, total
            return
        closing = min(q, float(self._size[i]))
        self._collateral[i] += s * closing * (price - self._entry[i])
        remaining = float(self._size[i]) - closing
        self._size[i] = remaining
        if remaining <= 1e-12 * closing:
            self._size[i], self._side[i] = 0.0, 0.0
            # an order larger than the position by more than rounding opens the other side
            if q - closing > 1e-9 * q:
                self._side[i], self._size[i], self._entry[i] = trade_side, q - closing, price

    def _margin_equity(self, i: int) -> float:
        # Python floats (``item``): the same IEEE operations as on NumPy scalars, a fraction of
        # the cost, on the per-account path every liquidation takes
        side, size = self._side.item(i), self._size.item(i)
        return self._collateral.item(i) + side * size * (self.mark - self._entry.item(i))

    def _maintenance(self, i: int) -> float:
        notional = self._size.item(i) * self.mark
        exposure = notional + self._order_notional.item(i)
        if exposure == 0:
            return 0.0
        if self._scalar_tiers.table is not self.table:  # the table was replaced
            self._scalar_tiers = ScalarTiers(self.table)
        return notional * self._scalar_tiers.maintenance_margin(exposure) / exposure

    def _is_liquidatable(self, i: int) -> bool:
        if self._size[i] == 0 or self._exempt[i]:
            return False
        slack = self._margin_equity(i) - self._maintenance(i)
        return slack <= THRESHOLD_RTOL * float(self._size[i]) * self.mark

    def _account(self, account: int) -> int:
        i = int(account)
        if not 0 <= i < self.n_accounts:
            raise ValueError(f"account must be in [0, {self.n_accounts}), got {account!r}")
        return i

    def _log(self, kind: EventKind, i: int, *, counterparty: int = -1, size: float = np.nan,
             price: float = np.nan, bankruptcy_price: float = np.nan, amount: float = 0.0) -> None:
        # a row of Event's fields in order (the ledger builds the Event when it is read)
        q = self._size.item(i)
        self.ledger._append_row((
            self.step_count, self.time, kind, i, counterparty, size, price, bankruptcy_price,
            amount, self._margin_equity(i), self._maintenance(i) if q > 0 else 0.0, self.fund,
        ))


__all__ = ["Audit", "Engine", "Order", "StepRecord", "Trader"]
