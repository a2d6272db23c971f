"""Tests that pin what mutation testing of ``liqlib/engine/ledger.py`` found unchecked.

Each asserts a fact the ledger documents (its module docstring's table, the methods'
docstrings), on a ledger written by hand so that the expected values are plain arithmetic.
"""

from __future__ import annotations

import numpy as np
import pytest

from liqlib.core import ArgumentTypeError
from liqlib.engine.ledger import EVENT_DTYPE, Event, EventKind, Ledger


def small_ledger() -> Ledger:
    """Account 3 is liquidated at step 2: a fee of 0.5 (0.4 to the fund), a fill short of its
    bankruptcy price by 1.5, paid by the fund; account 1 takes an ADL haircut of 0.25."""
    ledger = Ledger()
    for event in (
        Event(2, 2.0, EventKind.TRIGGER, account=3, price=99.0, equity=1.0, maintenance=1.2),
        Event(2, 2.0, EventKind.FILL, account=3, size=2.0, price=98.0, bankruptcy_price=98.75,
              amount=-1.5, equity=-1.5, maintenance=0.0),
        Event(2, 2.0, EventKind.FEE, account=3, amount=0.5),
        Event(2, 2.0, EventKind.FUND_IN, account=3, amount=0.4, fund=10.4),
        Event(2, 2.0, EventKind.FUND_OUT, account=3, amount=1.5, fund=8.9),
        Event(3, 3.0, EventKind.ADL, account=3, counterparty=1, size=0.5, price=97.0,
              amount=0.25),
        Event(3, 3.0, EventKind.FUND_IN, account=4, amount=0.1, fund=9.0),
    ):
        ledger.append(event)
    return ledger


def test_events_are_kept_in_order_and_read_back_by_kind() -> None:
    ledger = small_ledger()
    assert len(ledger) == 7
    assert [e.kind.value for e in ledger] == [
        "trigger", "fill", "fee", "fund_in", "fund_out", "adl", "fund_in",
    ]
    assert ledger[1].kind is EventKind.FILL and ledger[-1].account == 4
    # a kind by its string or by the enum, in the order appended
    assert [e.account for e in ledger.of_kind("fund_in")] == [3, 4]
    assert ledger.of_kind(EventKind.FUND_IN) == ledger.of_kind("fund_in")
    assert ledger.of_kind("bad_debt") == []
    assert Ledger().of_kind("fee") == [] and len(Ledger()) == 0


def test_totals_sum_the_amounts_of_one_kind() -> None:
    ledger = small_ledger()
    assert ledger.total("fund_in") == pytest.approx(0.5)
    assert ledger.total(EventKind.FEE) == 0.5
    assert ledger.total("fill") == -1.5  # a fill's amount is its surplus: negative for a deficit
    assert ledger.total("clawback") == 0.0
    assert isinstance(ledger.total("adl"), float)


def test_records_are_dicts_with_the_kind_as_its_string() -> None:
    records = small_ledger().records()
    assert len(records) == 7
    assert records[0]["kind"] == "trigger" and type(records[0]["kind"]) is str
    assert records[5] == {
        "step": 3, "time": 3.0, "kind": "adl", "account": 3, "counterparty": 1, "size": 0.5,
        "price": 97.0, "bankruptcy_price": records[5]["bankruptcy_price"], "amount": 0.25,
        "equity": records[5]["equity"], "maintenance": records[5]["maintenance"],
        "fund": records[5]["fund"],
    }
    # fields that do not apply to a kind are nan (or -1 for a counterparty)
    assert np.isnan(records[5]["bankruptcy_price"]) and records[0]["counterparty"] == -1


def test_the_structured_array_has_one_row_per_event_and_every_column() -> None:
    table = small_ledger().to_array()
    assert table.dtype == EVENT_DTYPE and table.shape == (7,)
    assert table["kind"].tolist() == [e.kind.value for e in small_ledger()]
    assert table["step"].tolist() == [2, 2, 2, 2, 2, 3, 3]
    assert table["counterparty"].tolist() == [-1, -1, -1, -1, -1, 1, -1]
    assert table["amount"].tolist() == [0.0, -1.5, 0.5, 0.4, 1.5, 0.25, 0.1]
    assert table["bankruptcy_price"][1] == 98.75 and table["fund"][4] == 8.9
    assert table["equity"][0] == 1.0 and table["maintenance"][0] == 1.2
    assert table["size"][5] == 0.5 and table["price"][5] == 97.0 and table["time"][6] == 3.0
    # sums by kind from the array agree with total()
    assert table["amount"][table["kind"] == "fund_in"].sum() == pytest.approx(0.5)
    empty = Ledger().to_array()
    assert empty.dtype == EVENT_DTYPE and empty.shape == (0,)


def test_the_fund_is_replayed_from_its_flows_alone() -> None:
    ledger = small_ledger()
    replay = ledger.replay_fund(10.0)
    # fund_in adds, fund_out subtracts, other kinds (fee, fill, adl) do not touch the fund
    assert replay.tolist() == pytest.approx([10.4, 8.9, 9.0])
    assert replay == pytest.approx([e.fund for e in ledger
                                    if e.kind in (EventKind.FUND_IN, EventKind.FUND_OUT)])
    assert replay.dtype == np.float64
    assert Ledger().replay_fund(5.0).tolist() == []


def test_an_unknown_kind_is_refused_listing_the_kinds() -> None:
    allowed = str(tuple(k.value for k in EventKind))
    with pytest.raises(ValueError) as info:
        small_ledger().of_kind("fees")
    assert not isinstance(info.value, TypeError)
    assert str(info.value) == f"kind must be one of {allowed}, got 'fees'"
    with pytest.raises(ArgumentTypeError) as typed:
        small_ledger().total(3)  # type: ignore[arg-type]
    assert str(typed.value) == f"kind must be one of {allowed}, got 3"
