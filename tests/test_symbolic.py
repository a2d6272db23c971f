"""The SymPy derivation, lambdified, equals liqlib's closed forms on random inputs."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import tier_tables

import liqlib as lq
from liqlib.core import symbolic as sym


@pytest.mark.parametrize("kind", ["linear", "inverse"])
def test_lambdified_liquidation_and_bankruptcy_match_liqlib(kind: str) -> None:
    derivation = sym.derive(kind)
    liq = sym.lambdify_price(derivation.liquidation_price)
    bank = sym.lambdify_price(derivation.bankruptcy_price)
    rng = np.random.default_rng(11)
    n = 2_000
    side = rng.choice([1.0, -1.0], n)
    size = rng.uniform(1, 100, n)
    entry = rng.uniform(100, 50_000, n)
    cv = rng.uniform(1, 100, n) if kind == "inverse" else np.ones(n)
    notional = size * entry if kind == "linear" else size * cv / entry
    collateral = notional / rng.uniform(1.5, 50, n)
    extra = rng.uniform(-0.2, 0.5, n) * collateral
    mmr = rng.uniform(0.001, 0.1, n)
    cum = rng.uniform(0, 0.1, n) * collateral
    fee = rng.uniform(0, 0.002, n)
    expected_liq = liq(side, size, entry, collateral, extra, mmr, cum, fee, cv)
    expected_bank = bank(side, size, entry, collateral, extra, mmr, cum, fee, cv)
    for i in range(0, n, 97):  # liqlib takes a Tier per call; spot-check a spread of rows
        r = lq.liquidation_price(
            side[i],
            size[i],
            entry[i],
            collateral=collateral[i],
            extra_margin=extra[i],
            fee_rate=fee[i],
            kind=kind,
            contract_value=cv[i],
            mmr=lq.Tier(1, 0, np.inf, mmr[i], 1 / (2 * mmr[i]), cum[i]),
        )
        if r.liquidatable:
            assert r.price == pytest.approx(expected_liq[i], rel=1e-10)
        else:
            assert expected_liq[i] <= 0 or not np.isfinite(expected_liq[i])
        if not np.isnan(r.bankruptcy_price):
            assert r.bankruptcy_price == pytest.approx(expected_bank[i], rel=1e-10)


def test_flat_rate_vectorized_matches_symbolic() -> None:
    liq = sym.lambdify_price(sym.derive("linear").liquidation_price)
    side = np.array([1.0, -1.0, 1.0])
    r = lq.liquidation_price(side, 2.0, 30_000.0, leverage=np.array([10.0, 10.0, 25.0]), mmr=0.01)
    expected = liq(side, 2.0, 30_000.0, 60_000 / np.array([10.0, 10.0, 25.0]), 0, 0.01, 0, 0, 1)
    np.testing.assert_allclose(r.price, expected, rtol=1e-12)


def test_solution_satisfies_the_equation() -> None:
    for kind in ("linear", "inverse"):
        d = sym.derive(kind)
        residual = (d.equation.lhs - d.equation.rhs).subs(sym.P, d.liquidation_price)
        assert sp.simplify(residual) == 0


def test_binance_form_is_recovered() -> None:
    # Binance (isolated): LP = (WB + cum - s*Q*E) / (Q*MMR - s*Q), here with X = f = 0.
    d = sym.derive("linear")
    binance = (sym.C + sym.c - sym.s * sym.Q * sym.E) / (sym.Q * sym.m - sym.s * sym.Q)
    assert sp.simplify(d.liquidation_price.subs({sym.X: 0, sym.f: 0}) - binance) == 0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="kind must be"):
        sym.derive("quanto")
    with pytest.raises(ValueError, match="side must be"):
        sym.derive("linear", side=0)


# --- maintenance amounts ("cum") -----------------------------------------------------------------


@functools.cache
def _derivation(n: int) -> sym.TierDerivation:
    return sym.derive_maintenance_amounts(n)


@functools.cache
def _cums(n: int):
    return sym.lambdify_maintenance_amounts(_derivation(n))


@settings(max_examples=150, deadline=None)
@given(table=tier_tables())
def test_lambdified_maintenance_amounts_equal_tier_table_cums(table: lq.TierTable) -> None:
    expected = table.cums
    got = _cums(len(table))(table.floors, table.mmrs)
    scale = float(table.floors[-1] * table.mmrs[-1]) + 1.0
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * scale)


@settings(max_examples=150, deadline=None)
@given(table=tier_tables(), share=st.floats(0.0, 1.0))
def test_symbolic_maintenance_margin_is_continuous_and_matches_the_table(
    table: lq.TierTable, share: float
) -> None:
    """The derived lines, evaluated at a notional in each bracket, equal TierTable's MM."""
    d = _derivation(len(table))
    values = dict(zip(d.rates, table.mmrs.tolist(), strict=True))
    values |= dict(zip(d.floors[1:], table.floors[1:].tolist(), strict=True))
    cums = [float(c.subs(values)) for c in d.closed_form]
    widths = np.append(np.diff(table.floors), table.floors[-1] + 1.0)
    for k in range(len(table)):
        notional = float(table.floors[k] + share * widths[k] * 0.999)
        mm = notional * table.mmrs[k] - cums[k]
        assert mm == pytest.approx(float(table.maintenance_margin(notional)), rel=1e-12, abs=1e-9)
        if k:  # the two lines meeting at floor k agree there
            left = table.floors[k] * table.mmrs[k - 1] - cums[k - 1]
            right = table.floors[k] * table.mmrs[k] - cums[k]
            assert left == pytest.approx(right, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_closed_form_solves_every_continuity_condition(n: int) -> None:
    d = _derivation(n)
    solution = dict(zip(d.amounts, d.closed_form, strict=True))
    for condition in d.conditions:
        assert sp.expand((condition.lhs - condition.rhs).subs(solution)) == 0
    for k, eq in enumerate(d.recursion):
        assert sp.expand(eq.rhs.subs(solution) - d.closed_form[k]) == 0
    assert d.closed_form[0] == 0 and d.floors[0] == 0


@pytest.mark.parametrize("n", [1, 2, 4, 6])
def test_progressive_sum_equals_each_bracket_line(n: int) -> None:
    d = _derivation(n)
    for k in range(n):
        line = sym.N * d.rates[k] - d.closed_form[k]
        assert sp.expand(d.progressive[k] - line) == 0


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_general_sum_matches_the_unrolled_closed_form(n: int) -> None:
    general = sym.maintenance_amount_sum()
    (count,) = general.lhs.indices
    terms = general.rhs.subs(count, n).doit()
    d = _derivation(n)
    floor, rate = sp.IndexedBase("F"), sp.IndexedBase("m")
    names = {floor[k + 1]: d.floors[k] for k in range(n)} | {
        rate[k + 1]: d.rates[k] for k in range(n)
    }
    assert sp.expand(sp.sympify(terms).subs(names) - d.closed_form[n - 1]) == 0


def test_published_maintenance_amounts() -> None:
    # Binance FAQ: level 3 = 250,000 * (1% - 0.5%) + 50 = 1,300 USDT.
    cums = _cums(3)([0, 50_000, 250_000], [0.004, 0.005, 0.01])
    assert cums[2] == pytest.approx(1_300, abs=1e-9)
    # Binance COIN-M FAQ: level 5 = 50 BTC * (5% - 2.5%) + 0.56 BTC = 1.81 BTC (one recursion step).
    step = _derivation(5).recursion[4].rhs
    d = _derivation(5)
    value = step.subs({d.floors[4]: 50, d.rates[4]: 0.05, d.rates[3]: 0.025, d.amounts[3]: 0.56})
    assert float(value) == pytest.approx(1.81, abs=1e-12)


def test_bad_number_of_brackets() -> None:
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="n must be an integer"):
            sym.derive_maintenance_amounts(bad)  # type: ignore[arg-type]
    cums = _cums(2)
    with pytest.raises(ValueError, match="must each hold 2 brackets"):
        cums([0, 1, 2], [0.01, 0.02, 0.03])
    with pytest.raises(ValueError, match="floors\\[0\\] must be 0"):
        cums([1, 2], [0.01, 0.02])
