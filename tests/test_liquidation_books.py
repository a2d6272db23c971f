"""The vectorized liquidation price equals the reference on every benchmark book (small sizes).

``benchmarks/liquidation_price.py`` times ``liquidation_price`` on several books; the speed means
something only if the answers are right on each of them. Here each book is drawn small and the
vectorized solve (both tier searches) is checked against the benchmark's plain Python loop
(Binance's formula with the bracket re-check, one position at a time), against one scalar call
per position (bit for bit) and against itself solved in many small blocks (bit for bit: the block
boundaries, the reused workspace and the compacted re-check rounds change nothing).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import liqlib as lq
from liqlib.core import liquidation

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "liquidation_price.py"
_SPEC = importlib.util.spec_from_file_location("bench_liquidation_price", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
bench: Any = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = bench  # dataclasses look their module up while the file runs
_SPEC.loader.exec_module(bench)

BOOKS = {book.name: book for book in bench.BOOKS}
FIELDS = ("price", "bankruptcy_price", "tier", "iterations", "liquidatable", "below_maintenance")


def _same(x: Any, y: Any) -> bool:
    return bool(np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True))


def test_the_benchmark_runs_several_kinds_of_book() -> None:
    sizes = {len(book.table) for book in bench.BOOKS}
    assert min(sizes) <= 3 and max(sizes) >= 15
    assert {book.kind for book in bench.BOOKS} == {"linear", "inverse"}
    shares = [book.long_share for book in bench.BOOKS]
    assert min(shares) < 0.5 < max(shares)
    assert any(book.table is bench.BTCUSDT_BRACKETS for book in bench.BOOKS)


@pytest.mark.parametrize("name", list(BOOKS))
@pytest.mark.parametrize("method", ["iterate", "bracket"])
def test_vectorized_equals_the_plain_loop(name: str, method: str) -> None:
    book = BOOKS[name]
    arrays = bench.draw(book, 4_000, seed=7)
    ref = np.array(bench.plain_loop(book, *arrays))
    got = bench.solve(book, arrays, method).price
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    # The book must exercise what it is meant to: positions that cannot be liquidated are rare
    # enough that most prices are compared.
    assert np.isfinite(got).mean() > 0.5


@pytest.mark.parametrize("name", list(BOOKS))
def test_vectorized_equals_one_scalar_call_per_position(name: str) -> None:
    book = BOOKS[name]
    arrays = bench.draw(book, 300, seed=11)
    whole = bench.solve(book, arrays)
    assert np.any(np.asarray(whole.iterations) > 1) or len(book.table) <= 3
    for i in range(0, 300, 7):
        one = bench.solve(book, tuple(float(x[i]) for x in arrays))
        for field in FIELDS:
            assert _same(getattr(one, field), np.asarray(getattr(whole, field))[i]), (field, i)


@pytest.mark.parametrize("name", list(BOOKS))
@pytest.mark.parametrize("method", ["iterate", "bracket"])
def test_small_blocks_change_nothing(
    name: str, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = BOOKS[name]
    arrays = bench.draw(book, 5_000, seed=3)
    whole = bench.solve(book, arrays, method)
    monkeypatch.setattr(liquidation, "_BLOCK", 333)  # 16 blocks, the last one short
    blocked = bench.solve(book, arrays, method)
    for field in FIELDS:
        assert _same(getattr(blocked, field), getattr(whole, field)), field


def test_a_bad_element_in_a_late_block_is_named_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation is complete on the blocked path: a leverage above its bracket's maximum, far
    into the book, is refused with the element's value."""
    book = BOOKS["issue 18's 12-bracket book"]
    side, size, entry, leverage = bench.draw(book, 5_000, seed=5)
    monkeypatch.setattr(liquidation, "_BLOCK", 512)
    leverage = leverage.copy()
    notional = size[4_321] * entry[4_321]
    leverage[4_321] = float(book.table.max_leverage(notional)) * 1.01
    with pytest.raises(ValueError, match="leverage must be at most the bracket's max leverage"):
        lq.liquidation_price(side, size, entry, leverage=leverage, mmr=book.table)
    size = size.copy()
    size[4_999] = math.nan
    with pytest.raises(ValueError, match="size must be finite"):
        lq.liquidation_price(side, size, entry, leverage=leverage, mmr=book.table)


@pytest.mark.parametrize("name", list(BOOKS))
def test_the_leverage_check_refuses_exactly_the_positions_over_their_cap(name: str) -> None:
    """Tables of more than six brackets compare each leverage with its bracket's cap gathered by
    the bracket, smaller ones count the caps at or above it: both refuse exactly the positions
    over ``max_leverage * (1 + 1e-12)`` at their notional, the cap itself allowed."""
    table = BOOKS[name].table
    rng = np.random.default_rng(2)
    notional = np.concatenate((table.floors, table.floors[1:] * (1 - 1e-15),
                               np.exp(rng.uniform(0, math.log(1e10), 200))))
    cap = np.asarray(table.max_leverage(notional))
    for factor in (0.5, 1.0, 1 + 5e-13, 1 + 2e-12, 1.01):
        leverage = cap * factor
        over = leverage > cap * (1 + 1e-12)
        for i in range(notional.size):
            if over[i]:
                with pytest.raises(ValueError, match="max leverage"):
                    table.check_leverage(leverage[i], notional[i])
            else:
                table.check_leverage(leverage[i], notional[i])
        if over.any():
            with pytest.raises(ValueError, match="max leverage"):
                table.check_leverage(leverage, notional)
        else:
            table.check_leverage(leverage, notional)


def _refusal(call: Any) -> tuple[type, str]:
    with pytest.raises(ValueError) as info:
        call()
    return type(info.value), str(info.value)


def _spoiled(name: str, spoil: dict[str, tuple[int, float]]) -> dict[str, Any]:
    """The 12-bracket book (5,000 positions) with ``spoil[arg] = (index, value)`` written in."""
    book = BOOKS[name]
    side, size, entry, leverage = (x.copy() for x in bench.draw(book, 5_000, seed=9))
    args = {"side": side, "size": size, "entry_price": entry, "leverage": leverage,
            "mark_price": entry * 1.01}
    for arg, (i, value) in spoil.items():
        args[arg][i] = value
    return args


SPOILS = {
    "nan size, late block": {"size": (4_999, math.nan)},
    "zero entry, first block": {"entry_price": (3, 0.0)},
    "side 2, late block": {"side": (4_700, 2.0)},
    "inf leverage": {"leverage": (2_500, math.inf)},
    "negative mark": {"mark_price": (4_000, -1.0)},
    "leverage over its cap early, nan size late": {"leverage": (10, 1e4),
                                                   "size": (4_998, math.nan)},
    "leverage over its cap early, side 0 late": {"leverage": (10, 1e4), "side": (4_998, 0.0)},
    "notional overflow late": {"size": (4_321, 1e150), "entry_price": (4_321, 1e100)},
    "leverage over its cap only": {"leverage": (4_000, 1e4)},
}


@pytest.mark.parametrize("spoil", list(SPOILS))
def test_a_blocked_book_is_refused_as_a_single_block(
    spoil: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever is wrong, and wherever, a book solved in many blocks (its leverage checked block
    by block) raises the error a single block raises: its type and message (the argument, the
    value, the index), the documented order of the checks included."""
    name = "issue 18's 12-bracket book"
    args = _spoiled(name, SPOILS[spoil])

    def call() -> Any:
        return lq.liquidation_price(mmr=BOOKS[name].table, **args)

    single = _refusal(call)  # 5,000 positions in one block
    monkeypatch.setattr(liquidation, "_BLOCK", 512)  # 10 blocks
    assert _refusal(call) == single
