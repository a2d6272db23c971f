"""SymPy models of the margin equations.

The liquidation price is where a position's equity equals its maintenance requirement; the
bankruptcy price is where equity equals the closing fee. Both equations are linear in the price
(linear contracts) or in its reciprocal (inverse contracts), so SymPy solves them in closed form.
The chapters display each step; the tests ``lambdify`` the solutions and compare them with
:func:`liqlib.liquidation_price`.

Symbols (all positive unless noted): ``P`` mark price, ``E`` entry price, ``Q`` size (base units
or contracts), ``C`` collateral (initial margin), ``X`` extra margin (real), ``m`` maintenance
margin rate, ``c`` maintenance amount (cum, >= 0), ``f`` closing-fee rate (>= 0), ``K`` inverse
contract value, ``s`` side (+1 or -1; kept symbolic or substituted).

References
----------
.. [1] Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (the formula the
   linear solution reproduces with ``f = 0``).
.. [2] Binance, "How to Calculate Liquidation Price of COIN-M Futures Contracts" (variable table;
   the inverse solution is our derivation of its image-only formula).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

P, E, Q, C, m, K = sp.symbols("P E Q C m K", positive=True)
c, f = sp.symbols("c f", nonnegative=True)
X = sp.Symbol("X", real=True)
s = sp.Symbol("s", nonzero=True, integer=True)

#: Argument order of the functions returned by :func:`lambdify_price`.
ARGUMENTS = (s, Q, E, C, X, m, c, f, K)


@dataclass(frozen=True)
class Derivation:
    """The steps of one liquidation-price derivation.

    Attributes
    ----------
    kind : str
        ``"linear"`` or ``"inverse"``.
    equity, requirement : sympy.Expr
        Equity and maintenance requirement (maintenance margin plus closing fee) as functions of P.
    equation : sympy.Eq
        ``equity = requirement``.
    liquidation_price : sympy.Expr
        The solution for P.
    bankruptcy_price : sympy.Expr
        The solution of ``equity = closing fee``.
    """

    kind: str
    equity: sp.Expr
    requirement: sp.Expr
    equation: sp.Eq
    liquidation_price: sp.Expr
    bankruptcy_price: sp.Expr


def notional_expr(kind: str) -> sp.Expr:
    """Position value at price P: ``Q*P`` (linear) or ``Q*K/P`` (inverse)."""
    if kind == "linear":
        return Q * P
    if kind == "inverse":
        return Q * K / P
    raise ValueError(f"kind must be 'linear' or 'inverse', got {kind!r}")


def pnl_expr(kind: str) -> sp.Expr:
    """Unrealized PnL at price P: ``s*Q*(P - E)`` or ``s*Q*K*(1/E - 1/P)``."""
    if kind == "linear":
        return s * Q * (P - E)
    notional_expr(kind)
    return s * Q * K * (1 / E - 1 / P)


def _solve_for_price(lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr:
    solutions = sp.solve(sp.Eq(lhs, rhs), P)
    if len(solutions) != 1:
        raise ArithmeticError(f"expected one solution for P, got {solutions}")
    return sp.simplify(solutions[0])


def derive(kind: str = "linear", side: int | None = None) -> Derivation:
    """Derive the liquidation and bankruptcy price for one contract kind.

    Parameters
    ----------
    kind : {"linear", "inverse"}
    side : {None, +1, -1}
        Keep the side symbolic (``None``) or substitute it.

    Returns
    -------
    Derivation

    Examples
    --------
    >>> d = derive("linear", side=+1)
    >>> d.liquidation_price
    (C - E*Q + X + c)/(Q*(f + m - 1))
    """
    if side not in (None, 1, -1):
        raise ValueError(f"side must be None, +1 or -1, got {side!r}")
    n = notional_expr(kind)
    equity = C + X + pnl_expr(kind)
    requirement = m * n - c + f * n
    if side is not None:
        equity = equity.subs(s, side)
    liq = _solve_for_price(equity, requirement)
    bank = _solve_for_price(equity, f * n)
    return Derivation(
        kind=kind,
        equity=equity,
        requirement=requirement,
        equation=sp.Eq(equity, requirement),
        liquidation_price=liq,
        bankruptcy_price=bank,
    )


def lambdify_price(expr: sp.Expr) -> Callable[..., Any]:
    """NumPy function of ``(s, Q, E, C, X, m, c, f, K)`` evaluating a derived price.

    Examples
    --------
    >>> lp = lambdify_price(derive("linear").liquidation_price)
    >>> round(float(lp(-1, 3, 3_000, 1_000, 0, 0.05, 0, 0, 1)), 2)   # dYdX docs: 3,174.60
    3174.6
    """
    return sp.lambdify(ARGUMENTS, expr, modules="numpy")
