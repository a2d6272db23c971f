"""Margin, positions and accounts: behaviours mutation testing found pinned by doctests only.

A mutmut run over ``liqlib/core/margin.py`` (its unit tests, no doctests) left alive: the initial
margin's value, every figure of :meth:`Account.state`, effective leverage below one unit of
equity, the overflow of ``margin_ratio``, ``contract_value`` in a position's notional and PnL,
which argument a refusal names, and the type of the stored fields. Each test states one of them.
Objects are built inside the tests (a module-level object is invisible to mutmut's per-test
coverage).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import liqlib as lq
from liqlib.core import Account, DerivedRangeError, Position, ShapeError, Side, isolated_state


def dydx_account() -> Account:
    """dYdX docs' cross example: 1000 USDC, short 1.5 ETH at 3,000 (MMF 5%), long 1,000 STRK at
    1.75 (MMF 10%)."""
    return Account(1_000, [Position(Side.SHORT, 1.5, 3_000, 0.05),
                           Position(Side.LONG, 1_000, 1.75, 0.10)])


def test_initial_margin_is_notional_over_leverage() -> None:
    assert lq.initial_margin(10_000, 20) == 500.0
    np.testing.assert_allclose(lq.initial_margin([1_000, 3_000], [10, 2]), [100.0, 1_500.0])


def test_initial_margin_below_the_derived_range_is_refused_naming_both_inputs() -> None:
    # 1e-150 / 1e60 = 1e-210 < DERIVED_MIN, although each input is a valid number
    with pytest.raises(DerivedRangeError) as info:
        lq.initial_margin(1e-150, 1e60)
    message = str(info.value)
    assert "notional_value" in message and "leverage" in message


def test_margin_ratio_overflow_is_infinite_without_a_warning() -> None:
    with np.errstate(all="raise"):
        assert lq.margin_ratio(1e10, 1e-300) == math.inf
        assert lq.effective_leverage(1e10, 1e-300) == math.inf


def test_effective_leverage_below_one_unit_of_equity() -> None:
    assert lq.effective_leverage(100, 0.5) == 200.0
    assert lq.margin_ratio(1.0, 0.5) == 2.0


def test_account_state_figures() -> None:
    state = dydx_account().state([3_000, 1.75])
    assert state.notional == pytest.approx(4_500 + 1_750)
    assert state.equity == pytest.approx(1_000)
    assert state.maintenance_margin == pytest.approx(225 + 175)
    assert state.margin_ratio == pytest.approx(0.4)
    assert state.effective_leverage == pytest.approx(6.25)
    assert state.liquidatable is False or state.liquidatable == np.False_
    moved = dydx_account().state([3_500, 1.75])  # the short loses 750
    assert moved.equity == pytest.approx(250)
    assert moved.maintenance_margin == pytest.approx(1.5 * 3_500 * 0.05 + 175)
    assert bool(moved.liquidatable)


def test_account_others_accepts_the_last_index() -> None:
    mm, upnl = dydx_account().others(1, [3_100, 1.75])
    assert mm == pytest.approx(1.5 * 3_100 * 0.05)
    assert upnl == pytest.approx(-150)


def test_position_stores_a_side_and_an_account_a_tuple() -> None:
    pos = Position(1, 1.0, 100.0, 0.01)
    assert pos.side is Side.LONG
    acct = Account(10.0, [pos])
    assert isinstance(acct.positions, tuple)


def test_contract_value_enters_an_inverse_positions_notional_and_pnl() -> None:
    pos = Position(Side.LONG, 10, 20_000, 0.005, kind="inverse", contract_value=100)
    assert float(pos.notional(20_000)) == pytest.approx(10 * 100 / 20_000)
    assert float(pos.pnl(25_000)) == pytest.approx(10 * 100 * (1 / 20_000 - 1 / 25_000))


@pytest.mark.parametrize("arg", ["side", "entry_price", "contract_value", "mmr", "size"])
def test_position_fields_must_be_single_numbers_named(arg: str) -> None:
    kwargs = dict(side=1, size=1.0, entry_price=100.0, mmr=0.01, contract_value=1.0)
    kwargs[arg] = [kwargs[arg], kwargs[arg]]
    with pytest.raises((TypeError, ValueError), match=rf"\b{arg}\b"):
        Position(**kwargs)  # type: ignore[arg-type]


def test_account_refusals_name_what_is_wrong() -> None:
    pos = Position(1, 1.0, 100.0, 0.01)
    with pytest.raises(TypeError, match=r"\bwallet_balance\b"):
        Account([1.0, 2.0], [pos])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="positions must be a sequence of Position, got int"):
        Account(1.0, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="positions must hold Position objects, got str at index 1"):
        Account(1.0, [pos, "x"])  # type: ignore[list-item]
    inverse = Position(1, 1.0, 100.0, 0.01, kind="inverse")
    with pytest.raises(ValueError, match="share a settlement currency"):
        Account(1.0, [pos, inverse])


def test_isolated_state_refusals() -> None:
    pos = Position(1, 1.0, 100.0, 0.01)
    with pytest.raises(TypeError, match="position must be a Position, got str"):
        isolated_state("x", 10.0, 100.0)  # type: ignore[arg-type]
    with pytest.raises(ShapeError) as info:
        isolated_state(pos, [10.0, 11.0, 12.0], [100.0, 99.0])
    assert "collateral" in str(info.value) and "price" in str(info.value)


def test_a_state_with_nothing_at_stake_is_at_its_threshold() -> None:
    # zero notional, zero equity, zero maintenance: slack 0 <= 0, liquidatable (at the threshold)
    state = lq.core.margin.MarginState(0.0, 0.0, 0.0, math.inf, math.inf)
    assert bool(state.liquidatable)


# --- liquidation.py survivors (partial run): cross margin of inverse positions -------------------


def inverse_account(size: float, contract_value: float) -> Account:
    return Account(1.0, [
        Position(Side.LONG, size, 20_000, 0.005, kind="inverse", contract_value=contract_value),
        Position(Side.SHORT, 10, 21_000, 0.005, kind="inverse", contract_value=10),
    ])


def test_cross_liquidation_of_an_inverse_position_uses_kind_and_contract_value() -> None:
    # 100 contracts of 10 USD and 1,000 contracts of 1 USD are one position: one price
    a = lq.cross_liquidation_price(inverse_account(100, 10), 0, [20_000.0, 21_000.0])
    b = lq.cross_liquidation_price(inverse_account(1_000, 1), 0, [20_000.0, 21_000.0])
    assert a.price == pytest.approx(b.price, rel=1e-9)
    # at that price the account's equity meets its maintenance margin (inverse algebra)
    state = inverse_account(100, 10).state([a.price, 21_000.0])
    assert state.equity == pytest.approx(state.maintenance_margin, rel=1e-6)


def test_account_liquidation_prices_refuses_no_moving_position_and_unequal_marks() -> None:
    acct = Account(100.0, [Position(Side.LONG, 2, 100, 0.01), Position(Side.SHORT, 1, 110, 0.01)])
    with pytest.raises(ValueError, match="moving must flag at least one of the 2 positions"):
        lq.account_liquidation_prices(acct, [100.0, 100.0], [False, False])
    with pytest.raises(ValueError, match="prices of the moving positions must be equal"):
        lq.account_liquidation_prices(acct, [100.0, 100.0 * (1 + 1e-9)], [True, True])
    lq.account_liquidation_prices(acct, [100.0, 100.0], [True, True], grid=3)  # the minimum
