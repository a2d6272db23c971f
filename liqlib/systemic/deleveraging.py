"""Who pays a bankrupt position's loss: one crash through the engine, tallied account by account.

When a liquidation fills beyond the bankruptcy price, the loss goes down a waterfall: the
insurance fund pays what it can, auto-deleveraging (ADL) closes opposite positions at the
bankruptcy price for the rest, and a venue without ADL claws the deficit back from profits or
leaves it as bad debt. :func:`deleverage` steps a :class:`~liqlib.engine.Engine` once, from the
price its accounts were opened at to a crash price, and reads its ledger into per-account arrays:
who was deleveraged, by how much, what each paid against the mark. The rules decide the
waterfall (:func:`liqlib.engine.policies.venue_rules`); the same crash under several rules shows
that ADL changes who pays, not how much (the deficit at the mark).

:func:`balanced_population` is the crowd such a crash runs on: the cascade model's seeded
population with the short side rescaled to hold as much as the long side, since every contract ADL
closes needs an opposite position.

References
----------
.. [1] BitMEX, "Liquidation" (https://www.bitmex.com/app/liquidation, read 2026-12-03): "If
   BitMEX is unable to liquidate the position at the bankruptcy price, BitMEX will spend the
   Insurance Funds on aggressing the position in the market [...] If this still does not close
   the liquidated order, this will then lead to an Auto-Deleveraging event" (as quoted in the
   chapter *Insurance fund, ADL and socialized loss*).
.. [2] BitMEX, "Auto-Deleveraging" (https://www.bitmex.com/app/adl, read 2026-12-03): the
   ranking of the opposite side; the engine closes the deleveraged positions at the liquidated
   position's bankruptcy price (:mod:`liqlib.engine.adl`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..core import _validate as v
from ..engine.book import ResilientBook
from .cascades import Population, generate_population

if TYPE_CHECKING:  # the engine sits above the cascade model's core; only annotations need it
    from ..engine.policies import Rules
    from ..engine.stepper import Engine, Trader


def balanced_population(
    n: int, price: float, *, seed: int, long_share: float = 0.7, **population: Any
) -> Population:
    """A seeded population of :func:`~liqlib.systemic.cascades.generate_population` whose two sides
    hold the same size: every short scaled by ``long size / short size``.

    ADL closes a bankrupt long against shorts, unit for unit, so a crowd for ADL needs as many
    short units as long ones; leverage, entry prices and the long side stay as drawn (a short's
    margin scales with its size).

    Parameters
    ----------
    n : int
        Positions (>= 2; the draw must hold both sides).
    price : float
        Price (> 0) the positions are opened around.
    seed : int
        Seed of the draw.
    long_share : float
        Share of positions that are long, in (0, 1).
    **population
        Other keywords of :func:`~liqlib.systemic.cascades.generate_population` (``mmr`` also
        prices the rescaled shorts).

    Returns
    -------
    Population

    Raises
    ------
    ValueError
        For a bad argument of the generator, or a draw with one side only.

    Examples
    --------
    >>> pop = balanced_population(50, 100.0, seed=1)
    >>> bool(np.isclose(pop.size[pop.side > 0].sum(), pop.size[pop.side < 0].sum()))
    True
    >>> int((pop.side > 0).sum()), int((pop.side < 0).sum())
    (34, 16)
    """
    pop = generate_population(n, price, seed=seed, long_share=long_share, **population)
    short = pop.side < 0
    if short.all() or not short.any():
        raise ValueError(
            f"the draw of n={n} with long_share={long_share!r} holds one side only; "
            "a balanced population needs both"
        )
    size = pop.size.copy()
    size[short] *= size[~short].sum() / size[short].sum()
    return Population.from_positions(pop.side, size, pop.entry_price, pop.leverage,
                                     population.get("mmr", 0.005))


@dataclass(frozen=True)
class Deleveraging:
    """One crash through the engine, account by account (arrays in the engine's account order).

    Attributes
    ----------
    engine : Engine
        The engine after the step (its ledger holds every event).
    mark : float
        The crash price the engine stepped to.
    adl_size : ndarray
        Size each account had closed by ADL (base units).
    adl_loss : ndarray
        What each deleveraged account lost against the mark (quote currency): closed at the
        bankrupt position's price instead of the mark.
    clawback : ndarray
        Profit clawed back from each account (quote currency), under rules without ADL.
    deleveraged : ndarray of bool
        Accounts with at least one ADL event.
    paid_by : ndarray of bool
        Accounts with at least one ADL or clawback event.
    size : ndarray
        Each account's size before the crash.
    leverage : ndarray
        Each account's effective leverage at ``mark`` before anything is closed: notional at the
        mark over its position's equity (collateral plus profit at the mark); ``inf`` where that
        equity is not positive, 0 without a position.
    """

    engine: Engine
    mark: float
    adl_size: NDArray[np.float64]
    adl_loss: NDArray[np.float64]
    clawback: NDArray[np.float64]
    deleveraged: NDArray[np.bool_]
    paid_by: NDArray[np.bool_]
    size: NDArray[np.float64]
    leverage: NDArray[np.float64]

    @property
    def paid(self) -> NDArray[np.float64]:
        """What each account paid toward the bankrupt positions' losses: ADL loss plus
        clawback."""
        return self.adl_loss + self.clawback

    @property
    def hit(self) -> int:
        """Accounts that paid (an ADL or clawback event)."""
        return int(self.paid_by.sum())

    @property
    def lost(self) -> float:
        """Total paid by the accounts against the mark."""
        return float(self.paid.sum())

    @property
    def closed_notional(self) -> float:
        """Notional closed by ADL, at the mark."""
        return float(self.adl_size.sum()) * self.mark

    @property
    def closed_whole(self) -> int:
        """Positions ADL closed entirely."""
        return int(np.count_nonzero((self.size > 0) & (self.adl_size >= self.size * (1 - 1e-9))))

    @property
    def max_fraction(self) -> float:
        """The largest share of a position ADL closed (0 without ADL)."""
        held = self.size > 0
        return float(np.max(self.adl_size[held] / self.size[held], initial=0.0))

    @property
    def payer_leverage(self) -> float:
        """Median effective leverage (at the mark) of the accounts that paid; NaN if none did."""
        return float(np.median(self.leverage[self.paid_by])) if self.paid_by.any() else np.nan

    @property
    def fund_paid(self) -> float:
        """What the insurance fund paid out."""
        return self.engine.ledger.total("fund_out")

    @property
    def bad_debt(self) -> float:
        """Loss nobody paid."""
        return float(self.engine.bad_debt)


def deleverage(
    traders: Sequence[Trader],
    price: float,
    mark: float,
    rules: Rules | str,
    *,
    book: ResilientBook,
    fund: float = 0.0,
    rng: np.random.Generator | int | None = None,
) -> Deleveraging:
    """Open ``traders`` at ``price``, step the engine once to ``mark``, and tally who paid.

    The engine liquidates whoever ``mark`` puts below maintenance, fills against ``book``, and
    sends any loss beyond the bankruptcy price down the ``rules``' waterfall: the fund
    (``fund`` at the start), then ADL, clawback or bad debt. Every ``adl`` and ``clawback`` event
    of the ledger is summed per counterparty.

    Parameters
    ----------
    traders : sequence of Trader
        The accounts, in the order of the result's arrays.
    price : float
        Price (> 0) the engine starts at.
    mark : float
        Crash price (> 0) of the one step.
    rules : Rules or str
        The venue's liquidation rules (:func:`liqlib.engine.policies.venue_rules`).
    book : ResilientBook
        The book the liquidations fill against (used and left consumed).
    fund : float
        Insurance fund at the start (>= 0).
    rng : numpy.random.Generator or int seed, optional
        For rules with a random ADL queue (dYdX).

    Returns
    -------
    Deleveraging

    Raises
    ------
    ValueError
        For a bad price, mark, fund or account (from the engine, by name).
    TypeError
        For a book that is not a :class:`~liqlib.engine.book.ResilientBook`.

    References
    ----------
    BitMEX, "Liquidation" and "Auto-Deleveraging" (module references [1]_, [2]_).

    Examples
    --------
    A long of 10 at 100 with 100 of margin is bankrupt at 90; the only bid is at 88 and the fund
    holds 10. The fund pays for 5 units sold at 88 (2 each), and ADL closes the other 5 at 90
    against the two shorts, largest profit first under BitMEX's ranking: the short of 6 gives up 5,
    losing 0.5 each against the mark of 89.5.

    >>> import math
    >>> from liqlib.engine import LevelLadder, Rules, Trader
    >>> bids = LevelLadder.from_prices([88.0], [100.0], mid=89.5)
    >>> traders = [Trader(100.0, +1, 10.0, 100.0), Trader(1_000.0, -1, 4.0, 100.0),
    ...            Trader(1_000.0, -1, 6.0, 100.0)]
    >>> out = deleverage(traders, 100.0, 89.5, Rules("full", "forfeit_surplus", "bitmex"),
    ...                  book=ResilientBook(bids, bids, half_life=math.inf), fund=10.0)
    >>> out.adl_size.tolist(), round(out.lost, 10), out.fund_paid, out.hit
    ([0.0, 0.0, 5.0], 2.5, 10.0, 1)
    """
    from ..engine.stepper import Engine  # the engine layer sits above the cascade model

    v.instance("book", book, ResilientBook, "a ResilientBook")
    to = v.number("mark", mark, "pos")
    engine = Engine(traders, v.number("price", price, "pos"), rules=rules, book=book,
                    insurance_fund=v.number("fund", fund, "nonneg"), rng=rng)
    size = engine.size.copy()
    # the position's equity at the crash price, before anything is closed
    equity = engine.collateral + engine.side * size * (to - engine.entry)
    with np.errstate(divide="ignore", invalid="ignore"):
        leverage = np.where(size == 0, 0.0, np.where(equity > 0, size * to / equity, np.inf))
    engine.step(to)
    n = size.size
    adl_size, adl_loss, clawback = np.zeros(n), np.zeros(n), np.zeros(n)
    deleveraged, paid_by = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for event in engine.ledger.of_kind("adl"):
        adl_size[event.counterparty] += event.size
        adl_loss[event.counterparty] += event.amount
        deleveraged[event.counterparty] = paid_by[event.counterparty] = True
    for event in engine.ledger.of_kind("clawback"):
        clawback[event.counterparty] += event.amount
        paid_by[event.counterparty] = True
    return Deleveraging(engine=engine, mark=to, adl_size=adl_size, adl_loss=adl_loss,
                        clawback=clawback, deleveraged=deleveraged, paid_by=paid_by, size=size,
                        leverage=leverage)


__all__ = ["Deleveraging", "balanced_population", "deleverage"]
