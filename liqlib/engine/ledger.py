"""The liquidation engine's event ledger: every step of every liquidation, in order.

The engine (:mod:`liqlib.engine`) appends one :class:`Event` for each thing that happens to an
account: the trigger, the cancelled orders, each fill and how it compared with the bankruptcy price,
the fee, money into and out of the insurance fund, each auto-deleveraging (ADL) match, a backstop
takeover, a clawback, and debt written off. A ledger can be read back as a list of dicts (for a
table), as a NumPy structured array (for sums and plots), or filtered by kind, and the insurance
fund's balance can be replayed from it.

Every money amount is in the settlement (quote) currency. ``amount`` is what moved in the direction
the kind names, so it is never negative, except for ``FILL`` where it is the fill's surplus over the
bankruptcy price (negative for a deficit):

=============  ===========================================================  ==================
kind           what happened                                                ``amount``
=============  ===========================================================  ==================
``trigger``    equity fell to maintenance margin; ``price`` is the mark     0
``cancel``     the account's open orders were cancelled                     order notional
``fill``       part of the position closed in the book at ``price``         surplus over bankruptcy
``fee``        liquidation fee (or forfeited margin) paid by ``account``    fee
``fund_in``    the insurance fund's share of that fee                       money into the fund
``fund_out``   the fund paid a deficit of ``account``                       money out of the fund
``adl``        ``counterparty`` was deleveraged against ``account``         counterparty's haircut
``backstop``   the backstop vault ``counterparty`` took the position over    equity handed over
``clawback``   ``counterparty``'s profit paid ``account``'s deficit          money clawed back
``bad_debt``   a deficit nobody could pay was written off                   debt written off
=============  ===========================================================  ==================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

import numpy as np

from ..core import _validate as v


class EventKind(StrEnum):
    """What an :class:`Event` records (see the module docstring for its ``amount``)."""

    TRIGGER = "trigger"
    CANCEL = "cancel"
    FILL = "fill"
    FEE = "fee"
    FUND_IN = "fund_in"
    FUND_OUT = "fund_out"
    ADL = "adl"
    BACKSTOP = "backstop"
    CLAWBACK = "clawback"
    BAD_DEBT = "bad_debt"


@dataclass(frozen=True)
class Event:
    """One line of the ledger. Fields that do not apply to a kind are ``nan`` (or -1).

    Attributes
    ----------
    step : int
        Engine step (1 for the first mark after the start).
    time : float
        Engine clock at that step (the unit of ``dt``, seconds by convention).
    kind : EventKind
    account : int
        The account being liquidated (or receiving a clawback).
    counterparty : int
        The other account: ADL counterparty, clawback payer, backstop vault; -1 if none.
    size : float
        Base units closed (fill, ADL, backstop).
    price : float
        Mark at a trigger; fill, ADL or takeover price otherwise.
    bankruptcy_price : float
        Price at which the closed slice leaves the account's equity exactly at its share of zero.
    amount : float
        Money moved, quote currency (see the table in the module docstring).
    equity : float
        The account's equity (collateral + unrealized PnL) after the event.
    maintenance : float
        The account's maintenance margin after the event.
    fund : float
        Insurance fund balance after the event.
    """

    step: int
    time: float
    kind: EventKind
    account: int
    counterparty: int = -1
    size: float = np.nan
    price: float = np.nan
    bankruptcy_price: float = np.nan
    amount: float = 0.0
    equity: float = np.nan
    maintenance: float = np.nan
    fund: float = np.nan


#: Column names and dtypes of :meth:`Ledger.to_array`.
EVENT_DTYPE = np.dtype(
    [
        ("step", np.int64),
        ("time", np.float64),
        ("kind", "U8"),
        ("account", np.int64),
        ("counterparty", np.int64),
        ("size", np.float64),
        ("price", np.float64),
        ("bankruptcy_price", np.float64),
        ("amount", np.float64),
        ("equity", np.float64),
        ("maintenance", np.float64),
        ("fund", np.float64),
    ]
)


class Ledger:
    """An append-only list of :class:`Event`, readable as records or a structured array.

    Examples
    --------
    >>> ledger = Ledger()
    >>> ledger.append(Event(1, 1.0, EventKind.FEE, account=0, amount=0.25, fund=0.25))
    >>> ledger.append(Event(1, 1.0, EventKind.FUND_IN, account=0, amount=0.25, fund=0.25))
    >>> len(ledger), ledger.total("fee"), ledger.records()[0]["kind"]
    (2, 0.25, 'fee')
    """

    def __init__(self) -> None:
        # Events, or rows of Event's fields (in order) that the engine appended and that become
        # Events when first read: a busy engine step writes thousands of lines, and building a
        # frozen dataclass for each cost more than the rest of the ledger's work.
        self._rows: list[Any] = []
        self._built = 0  # rows before this index are Events

    def append(self, event: Event) -> None:
        """Add one event at the end."""
        self._rows.append(event)

    def _append_row(self, row: tuple[Any, ...]) -> None:
        """Add one event given as the tuple of its fields in :class:`Event`'s order (the
        engine's own, already checked)."""
        self._rows.append(row)

    @property
    def _events(self) -> list[Event]:
        rows = self._rows
        for k in range(self._built, len(rows)):
            if type(rows[k]) is tuple:
                rows[k] = Event(*rows[k])
        self._built = len(rows)
        return rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __getitem__(self, index: int) -> Event:
        return self._events[index]

    def of_kind(self, kind: str | EventKind) -> list[Event]:
        """The events of one kind, in order."""
        k = _kind(kind)
        return [e for e in self._events if e.kind is k]

    def total(self, kind: str | EventKind) -> float:
        """Sum of ``amount`` over the events of one kind."""
        return float(sum(e.amount for e in self.of_kind(kind)))

    def records(self) -> list[dict[str, Any]]:
        """Every event as a dict (``kind`` as its string value): ready for a table."""
        return [{**asdict(e), "kind": e.kind.value} for e in self._events]

    def to_array(self) -> np.ndarray:
        """Every event as a row of a NumPy structured array with :data:`EVENT_DTYPE`."""
        names = [f.name for f in fields(Event)]
        rows = [tuple(getattr(e, n) for n in names) for e in self._events]
        return np.array(rows, dtype=EVENT_DTYPE)

    def replay_fund(self, initial: float) -> np.ndarray:
        """The fund balance after each fund event, rebuilt from ``initial`` and the flows alone.

        Comparing it with the events' recorded ``fund`` column checks that no money reached or
        left the fund without a ``fund_in`` or ``fund_out`` line.
        """
        flows = [
            e.amount if e.kind is EventKind.FUND_IN else -e.amount
            for e in self._events
            if e.kind in (EventKind.FUND_IN, EventKind.FUND_OUT)
        ]
        return v.number("initial", initial) + np.cumsum(np.asarray(flows, dtype=np.float64))


def _kind(kind: str | EventKind) -> EventKind:
    try:
        return EventKind(kind)
    except ValueError:
        allowed = tuple(k.value for k in EventKind)
        error = ValueError if isinstance(kind, str) else v.ArgumentTypeError
        raise error(f"kind must be one of {allowed}, got {kind!r}") from None


#: What :func:`ledger_rows` calls each kind of event.
EVENT_LABELS: dict[str, str] = {
    "trigger": "trigger",
    "cancel": "orders cancelled",
    "fill": "fill",
    "fee": "fee",
    "fund_in": "to the fund",
    "fund_out": "from the fund",
    "adl": "ADL",
    "backstop": "backstop",
    "clawback": "clawback",
    "bad_debt": "bad debt",
}

#: The columns of :func:`ledger_rows`, in order (the fund column is the change from ``fund_start``).
LEDGER_COLUMNS = ("step", "event", "size", "price", "bankruptcy price", "amount",
                  "equity after", "MM after", "fund change")


#: The columns of :func:`ledger_rows` given account ``names``: who is liquidated and who is on
#: the other side (ADL counterparty, clawback payer, backstop vault) after the event's name.
LEDGER_COLUMNS_NAMED = (*LEDGER_COLUMNS[:2], "account", "counterparty", *LEDGER_COLUMNS[2:])


def _figure(x: float, digits: int, missing: str) -> str:
    return f"{x:,.{digits}f}" if np.isfinite(x) else missing


def _party(names: Mapping[int, str], account: int) -> str:
    # -1 is the ledger's "nobody" (an event without a counterparty)
    return "" if account < 0 else str(names.get(account, account))


def ledger_rows(ledger: Ledger, *, fund_start: float = 0.0,
                labels: Mapping[str, str] | None = None,
                names: Mapping[int, str] | None = None) -> list[list[str]]:
    """The ledger as rows of text, one per event, for a table (columns :data:`LEDGER_COLUMNS`).

    Sizes have four decimals, money two with thousands separators; a field the event's kind
    does not have is blank (size, prices) or a dash (money, as the book prints a missing value).
    Given ``names``, each row also says whose event it is (columns :data:`LEDGER_COLUMNS_NAMED`).

    Parameters
    ----------
    ledger : Ledger
    fund_start : float
        The fund's balance before the first event: the last column is the change from it.
    labels : mapping or None
        Names for some kinds (``{"fee": "fee (surplus kept)"}``), over :data:`EVENT_LABELS`.
    names : mapping or None
        Account index -> name (``{0: "A", 1: "B"}``). If given, an account and a counterparty
        column follow the event's name; an account the mapping leaves out prints as its index,
        and an event without a counterparty leaves that column blank.

    Returns
    -------
    list of list of str

    Raises
    ------
    TypeError
        If ``ledger`` is not a :class:`Ledger`, or ``labels`` or ``names`` is not a mapping.
    ValueError
        If ``fund_start`` is not a finite number, or ``labels`` names an unknown kind.

    Examples
    --------
    >>> ledger = Ledger()
    >>> ledger.append(Event(1, 1.0, EventKind.FEE, account=0, amount=964.79, equity=6_608.74,
    ...                     maintenance=5_750.0, fund=10_000_964.79))
    >>> ledger_rows(ledger, fund_start=10e6, labels={"fee": "fee (0.5%)"})
    [['1', 'fee (0.5%)', '', '', '', '964.79', '6,608.74', '5,750.00', '964.79']]
    >>> ledger.append(Event(1, 1.0, EventKind.ADL, account=0, counterparty=2, size=0.5,
    ...                     price=650.0, amount=1.0, fund=10_000_964.79))
    >>> [row[:4] for row in ledger_rows(ledger, names={2: "B"})]
    [['1', 'fee', '0', ''], ['1', 'ADL', '0', 'B']]
    """
    v.instance("ledger", ledger, Ledger, "a Ledger")
    start = v.number("fund_start", fund_start)
    kinds = dict(EVENT_LABELS)
    for kind, name in dict(v.instance("labels", labels or {}, Mapping, "a mapping")).items():
        kinds[_kind(kind).value] = str(name)
    if names is not None:
        v.instance("names", names, Mapping, "a mapping of account index -> name")
    rows = []
    for e in ledger:
        row = [str(e.step), kinds[e.kind.value], _figure(e.size, 4, ""),
               _figure(e.price, 2, ""), _figure(e.bankruptcy_price, 2, ""),
               _figure(e.amount, 2, "—"), _figure(e.equity, 2, "—"),
               _figure(e.maintenance, 2, "—"), _figure(e.fund - start, 2, "—")]
        if names is not None:
            row[2:2] = [_party(names, e.account), _party(names, e.counterparty)]
        rows.append(row)
    return rows
