"""One position through the engine: set it up, and read what its liquidation cost from the ledger.

:func:`isolated_trader` opens the position the chapters follow (an isolated position whose margin is
its notional at entry over the leverage); :func:`liquidation_outcome` reads back, from the engine's
ledger and step history, what the liquidation did to that account: the orders, what they cost
against the mark, the fees, what others paid for it, and the fall the account no longer bore once
its position was sold. The pieces add up to the account's equity at the end:

    E_end = E_untouched - (impact + fees - covered) + avoided,

where ``E_untouched`` is the equity the account would hold at the final mark had nothing been
liquidated. The first three terms in brackets are the **liquidation cost**, what the policy
takes; ``avoided`` is luck, the move after each sale that the position no longer bore.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import _validate as v
from .ledger import EventKind
from .stepper import Engine, Trader

#: Ledger kinds that close part of an account's position: a fill in the book, an ADL match, a
#: backstop takeover.
CLOSING_KINDS = (EventKind.FILL, EventKind.ADL, EventKind.BACKSTOP)

#: Ledger kinds through which others pay an account's deficit: the insurance fund, clawbacks from
#: profitable accounts, and debt written off.
COVERING_KINDS = (EventKind.FUND_OUT, EventKind.CLAWBACK, EventKind.BAD_DEBT)


def isolated_trader(side: int, size: float, entry: float, *, leverage: float) -> Trader:
    """An account holding one isolated position opened at ``entry`` with ``leverage``.

    Its wallet is exactly the position's margin, ``size * entry / leverage``, all of it assigned
    to the position: the trader of the chapters' running examples.

    Parameters
    ----------
    side : +1 or -1
        Long or short.
    size : float
        Position size (> 0), base units.
    entry : float
        Entry price (> 0), quote per base.
    leverage : float
        Notional at entry over margin (> 0).

    Returns
    -------
    Trader

    Raises
    ------
    ValueError
        Naming the argument: a side other than +1 or -1, a non-positive size, entry or leverage.

    Examples
    --------
    The long of *Partial liquidation*: 12 BTC at 60,000 with 20x holds 36,000 USDT of margin.

    >>> t = isolated_trader(+1, 12.0, 60_000.0, leverage=20)
    >>> t.wallet_balance, t.isolated_margin, t.isolated
    (36000.0, 36000.0, True)
    """
    q = v.number("size", size, "pos")
    price = v.number("entry", entry, "pos")
    margin = q * price / v.number("leverage", leverage, "pos")
    return Trader(margin, side, q, price, isolated_margin=margin)


@dataclass(frozen=True)
class LiquidationOutcome:
    """What the engine's liquidation did to one account, read from its ledger.

    Money is in the quote currency; every amount is a cost to the account when positive.

    Attributes
    ----------
    orders : tuple of (int, float)
        ``(step, size)`` of each closing event (fill, ADL match, backstop takeover), in order.
    impact : float
        What the closes cost against the mark of their step, ``sum side * q * (M_k - P_k)``.
    fees : float
        Liquidation fees and forfeited margin the account paid.
    covered : float
        The account's deficit paid by others: the insurance fund, clawbacks, debt written off.
    avoided : float
        The move after each close that the account no longer bore,
        ``sum side * q * (M_k - M_end)`` (negative when the price came back).
    untouched : float
        The account's equity at the final mark had nothing been liquidated.
    equity : float
        The account's equity at the end.
    remaining : float
        Position size left at the end.
    """

    orders: tuple[tuple[int, float], ...]
    impact: float
    fees: float
    covered: float
    avoided: float
    untouched: float
    equity: float
    remaining: float

    @property
    def cost(self) -> float:
        """The liquidation cost: ``impact + fees - covered``."""
        return self.impact + self.fees - self.covered

    @property
    def kept(self) -> float:
        """Equity at the end over the untouched equity (``nan`` when that is not positive).

        With the mark standing still after the trigger there is no fall to avoid, and this is
        the share of the equity at the trigger that the policy leaves the trader.
        """
        return self.equity / self.untouched if self.untouched > 0 else float("nan")

    def order_sizes(self, shown: int = 3) -> str:
        """The orders' sizes as text, three decimals each; a long list cut after ``shown``.

        Examples
        --------
        >>> r = LiquidationOutcome(((1, 1.2), (2, 1.08), (3, 0.972), (4, 0.8748), (5, 0.787)),
        ...                        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        >>> r.order_sizes()
        '1.200, 1.080, 0.972, … (5 orders)'
        >>> r.order_sizes(shown=4)
        '1.200, 1.080, 0.972, 0.875, 0.787'
        """
        if not isinstance(shown, (int, np.integer)) or isinstance(shown, bool) or shown < 1:
            raise ValueError(f"shown must be an int >= 1, got {shown!r}")
        sizes = [f"{size:.3f}" for _, size in self.orders]
        if len(sizes) <= shown + 1:  # cutting one order would save nothing
            return ", ".join(sizes)
        return ", ".join(sizes[:shown]) + f", … ({len(sizes)} orders)"


def liquidation_outcome(engine: Engine, trader: Trader, *, account: int = 0) -> LiquidationOutcome:
    """Read what ``engine``'s run did to the account that started as ``trader``.

    Parameters
    ----------
    engine : Engine
        An engine after :meth:`Engine.run` (or steps).
    trader : Trader
        The account as the engine started it (its wallet, side, size and entry give the
        untouched equity).
    account : int
        The account's number in the engine (its place in the traders).

    Returns
    -------
    LiquidationOutcome

    Raises
    ------
    TypeError
        If ``engine`` is not an :class:`Engine` or ``trader`` not a :class:`Trader`.
    ValueError
        If ``account`` is not an account of ``engine``.

    References
    ----------
    The ledger's kinds and amounts: :mod:`liqlib.engine.ledger`.

    Examples
    --------
    BitMEX's example (:class:`Engine`): a long of 1 from 100, bankrupt at 99, liquidated at a mark
    of 99.40 and filled at 99.25. The fill costs 0.15 against the mark, the surplus of 0.25 goes
    to the fund, and the trader is left with nothing of the 0.40 it held at the mark:

    >>> from liqlib.engine.book import LevelLadder, ResilientBook
    >>> bids = LevelLadder.from_prices([99.25], [10], mid=99.40)
    >>> trader = Trader(1.0, +1, 1.0, 100.0)
    >>> engine = Engine([trader], 100.0, rules="bitmex",
    ...                 book=ResilientBook(bids, bids, half_life=float("inf")))
    >>> _ = engine.run([99.40])
    >>> r = liquidation_outcome(engine, trader)
    >>> r.orders, round(r.impact, 10), round(r.fees, 10), round(r.cost, 10), r.equity
    (((1, 1.0),), 0.15, 0.25, 0.4, 0.0)
    """
    v.instance("engine", engine, Engine, "an Engine")
    v.instance("trader", trader, Trader, "a Trader")
    if not isinstance(account, (int, np.integer)) or isinstance(account, bool):
        raise v.ArgumentTypeError(f"account must be an int, got {account!r}")
    if not 0 <= account < engine.n_accounts:
        raise ValueError(
            f"account must be an account of the engine, in [0, {engine.n_accounts}), got {account}")
    side = float(trader.side)
    mark_at = {record.step: record.mark for record in engine.history}
    end = engine.mark
    orders: list[tuple[int, float]] = []
    impact = avoided = fees = covered = 0.0
    for e in engine.ledger:
        if e.account != account:
            continue
        if e.kind in CLOSING_KINDS:
            orders.append((e.step, e.size))
            impact += side * e.size * (mark_at[e.step] - e.price)
            avoided += side * e.size * (mark_at[e.step] - end)
        elif e.kind is EventKind.FEE:
            fees += e.amount
        elif e.kind in COVERING_KINDS:
            covered += e.amount
    return LiquidationOutcome(
        orders=tuple(orders),
        impact=impact,
        fees=fees,
        covered=covered,
        avoided=avoided,
        untouched=trader.wallet_balance + side * trader.size * (end - trader.entry_price),
        equity=float(engine.equity()[account]),
        remaining=float(engine.size[account]),
    )


__all__ = [
    "CLOSING_KINDS",
    "COVERING_KINDS",
    "isolated_trader",
    "LiquidationOutcome",
    "liquidation_outcome",
]
