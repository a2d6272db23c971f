"""SymPy models of the margin equations.

The liquidation price is where a position's equity equals its maintenance requirement; the
bankruptcy price is where equity equals the closing fee. Both equations are linear in the price
(linear contracts) or in its reciprocal (inverse contracts), so SymPy solves them in closed form.
The chapters display each step; the tests ``lambdify`` the solutions and compare them with
:func:`liqlib.liquidation_price`.

A tier table's maintenance amounts are derived the same way (:func:`derive_maintenance_amounts`):
each amount is solved from the condition that maintenance margin is continuous at its floor, and
the lambdified closed form is tested against :class:`liqlib.TierTable`.

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
.. [3] Binance USDⓈ-M FAQ (as [1]): "Maintenance Amount ... = [ Floor of Position Bracket on Level n
   * difference between Maintenance Margin Rate on Level n and Maintenance Margin Rate on Level
   n-1) ] + Maintenance Amount on Level n-1"; Bybit, "Margin parameters", and Hyperliquid docs,
   "Margin tiers", state the same recursion (see :func:`derive_maintenance_amounts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

try:
    import sympy as sp
except ImportError as error:  # pragma: no cover - the test venv has SymPy
    raise ImportError(
        "liqlib.core.symbolic needs SymPy: pip install 'liqlib[symbolic]'"
    ) from error

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


# --- maintenance amounts of a tier table ----------------------------------------------------------

#: Position notional, the variable of a tier table's maintenance margin.
N = sp.Symbol("N", nonnegative=True)


@dataclass(frozen=True)
class TierDerivation:
    """Maintenance amounts of an ``n``-bracket table, derived from continuity of MM.

    Bracket ``k`` (1-based) covers notional ``[F_k, F_{k+1})`` and charges ``MM = N*m_k - c_k``.
    The first floor is 0 and MM(0) = 0; every other ``c_k`` is fixed by asking bracket ``k-1``'s
    line and bracket ``k``'s line to agree at the floor ``F_k`` between them.

    Attributes
    ----------
    floors : tuple of sympy.Expr
        ``(0, F_2, ..., F_n)``.
    rates : tuple of sympy.Symbol
        ``(m_1, ..., m_n)``.
    amounts : tuple of sympy.Symbol
        The unknowns ``(c_1, ..., c_n)``.
    lines : tuple of sympy.Expr
        ``N*m_k - c_k``, bracket ``k``'s straight line.
    conditions : tuple of sympy.Eq
        ``MM(0) = 0`` for bracket 1, then ``line_{k-1}(F_k) = line_k(F_k)`` for ``k >= 2``.
    recursion : tuple of sympy.Eq
        ``c_k`` solved from its condition, in terms of ``c_{k-1}``.
    closed_form : tuple of sympy.Expr
        ``c_k`` in floors and rates only: ``sum_{j=2..k} F_j*(m_j - m_{j-1})``.
    progressive : tuple of sympy.Expr
        MM on bracket ``k`` as the "tax-bracket" sum: every lower bracket's full width at its own
        rate plus ``(N - F_k)*m_k``.
    """

    floors: tuple[sp.Expr, ...]
    rates: tuple[sp.Symbol, ...]
    amounts: tuple[sp.Symbol, ...]
    lines: tuple[sp.Expr, ...]
    conditions: tuple[sp.Eq, ...]
    recursion: tuple[sp.Eq, ...]
    closed_form: tuple[sp.Expr, ...]
    progressive: tuple[sp.Expr, ...]


def derive_maintenance_amounts(n: int) -> TierDerivation:
    """Derive the maintenance amounts ("cum") of an ``n``-bracket table with SymPy.

    Each ``c_k`` is *solved* from the continuity condition at its floor, not assumed, so the
    result shows that the venues' recursion is the only choice that keeps MM continuous. The
    closed form is the recursion unrolled; ``progressive`` is the tax-bracket sum that the
    chapters show equals ``N*m_k - c_k`` on bracket ``k``.

    Parameters
    ----------
    n : int
        Number of brackets (>= 1).

    Returns
    -------
    TierDerivation

    Raises
    ------
    ValueError
        If ``n`` is not an integer >= 1.

    References
    ----------
    Binance USDⓈ-M FAQ (maintenance amount); Bybit, "Margin parameters" (maintenance margin
    deduction); Hyperliquid docs, "Margin tiers" (maintenance deduction).

    Examples
    --------
    >>> d = derive_maintenance_amounts(3)
    >>> d.recursion[2]
    Eq(c_3, F_3*(-m_2 + m_3) + c_2)
    >>> d.closed_form[2]
    F_2*(-m_1 + m_2) + F_3*(-m_2 + m_3)
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer number of brackets >= 1, got {n!r}")
    rates = sp.symbols(f"m_1:{n + 1}", positive=True)
    amounts = sp.symbols(f"c_1:{n + 1}", real=True)
    floors = (sp.Integer(0), *(sp.symbols(f"F_2:{n + 1}", positive=True) if n > 1 else ()))
    lines = tuple(N * rates[k] - amounts[k] for k in range(n))
    conditions = [sp.Eq(lines[0].subs(N, 0), 0)]
    conditions += [
        sp.Eq(lines[k - 1].subs(N, floors[k]), lines[k].subs(N, floors[k])) for k in range(1, n)
    ]
    recursion = []
    closed: list[sp.Expr] = []
    for k in range(n):
        (solution,) = sp.solve(conditions[k], amounts[k], dict=False)
        recursion.append(sp.Eq(amounts[k], sp.collect(solution, floors[k])))
        unrolled = solution.subs(amounts[k - 1], closed[k - 1]) if k else solution
        closed.append(sp.collect(sp.expand(unrolled), floors[1 : k + 1]))
    widths = [floors[j + 1] - floors[j] for j in range(n - 1)]
    progressive = tuple(
        sum((rates[j] * widths[j] for j in range(k)), sp.Integer(0)) + rates[k] * (N - floors[k])
        for k in range(n)
    )
    return TierDerivation(
        floors=floors,
        rates=rates,
        amounts=amounts,
        lines=lines,
        conditions=tuple(conditions),
        recursion=tuple(recursion),
        closed_form=tuple(closed),
        progressive=progressive,
    )


def maintenance_amount_sum() -> sp.Eq:
    """The closed form for any number of brackets: ``c_n = Sum(F_j*(m_j - m_{j-1}), j=2..n)``.

    Indexed symbols ``F[j]``, ``m[j]``, ``c[n]`` with a symbolic ``n``, for display; substitute a
    number for ``n`` and call ``.doit()`` to get the terms of :func:`derive_maintenance_amounts`.

    Examples
    --------
    >>> maintenance_amount_sum().rhs.subs(sp.Symbol("n", integer=True, positive=True), 2).doit()
    (-m[1] + m[2])*F[2]
    """
    n = sp.Symbol("n", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, positive=True)
    floor, rate, amount = sp.IndexedBase("F"), sp.IndexedBase("m"), sp.IndexedBase("c")
    return sp.Eq(amount[n], sp.Sum(floor[j] * (rate[j] - rate[j - 1]), (j, 2, n)))


def lambdify_maintenance_amounts(
    derivation: TierDerivation,
) -> Callable[[Any, Any], np.ndarray]:
    """NumPy function ``(floors, mmrs) -> cums`` evaluating a derivation's closed form.

    ``floors`` and ``mmrs`` are sequences of the derivation's length (``floors[0]`` must be 0), as
    :class:`liqlib.TierTable` takes them; the result compares with ``TierTable(...).cums``.

    Examples
    --------
    Binance BTCUSDT's first three brackets (FAQ: level 3's maintenance amount is 1,300 USDT):

    >>> cums = lambdify_maintenance_amounts(derive_maintenance_amounts(3))
    >>> cums([0, 50_000, 250_000], [0.004, 0.005, 0.01]).round(6).tolist()
    [0.0, 50.0, 1300.0]
    """
    n = len(derivation.rates)
    fn = sp.lambdify(
        (*derivation.floors[1:], *derivation.rates), list(derivation.closed_form), modules="numpy"
    )

    def cums(floors: Any, mmrs: Any) -> np.ndarray:
        f = np.asarray(floors, dtype=np.float64).reshape(-1)
        m_ = np.asarray(mmrs, dtype=np.float64).reshape(-1)
        if f.size != n or m_.size != n:
            raise ValueError(
                f"floors and mmrs must each hold {n} brackets, got {f.size} and {m_.size}"
            )
        if f[0] != 0:
            raise ValueError(f"floors[0] must be 0, got {f[0].item()!r}")
        return np.asarray(fn(*f[1:], *m_), dtype=np.float64)

    return cums
