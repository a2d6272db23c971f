"""The SymPy derivation, lambdified, equals liqlib's closed forms on random inputs."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import liqlib as lq
from liqlib import symbolic as sym


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
