"""Liquidation and bankruptcy prices: linear and inverse, long and short, isolated and cross.

The model
---------
A position's **liquidation price** is the mark price at which its equity falls to the maintenance
requirement (maintenance margin plus, optionally, the fee to close); its **bankruptcy price** is
where equity falls to the fee alone (to zero without fees). Everything is solved in *notional*
space, where both contract kinds are linear:

* linear: ``N = Q * P`` (quote currency); equity ``C + s * (N - Q * E)``;
* inverse: ``N = Q * cv / P`` (coins); equity ``C + s * Q * cv / E - s * N``.

So equity is ``A + sigma * N`` with ``sigma = s`` for linear and ``-s`` for inverse, maintenance
is ``N * mmr_n - cum_n`` in bracket ``n`` and the closing fee is ``f * N``. Setting equity equal to
the requirement inside one bracket gives the closed form

    N* = (A + cum_n) / (mmr_n + f - sigma),

which is Binance's published USDⓈ-M formula (isolated: ``TMM = UPNL = 0``) and our derivation of
its COIN-M one; :mod:`liqlib.core.symbolic` derives the same with SymPy.

**The tier at the liquidation price.** MM is convex in notional and equals the maximum of its
brackets' straight lines, so the margin surplus ``g(N) = A + sigma*N - f*N - MM(N)`` is the minimum
of the brackets' surpluses. When ``sigma = +1`` every bracket's surplus increases with ``N`` and the
true root is the *largest* per-bracket root; when ``sigma = -1`` it is the *smallest*. Binance's
procedure (solve with the bracket at entry, re-solve if the bracket at the answer differs) is run
here with that bound kept monotone, so it terminates in at most ``len(tiers) + 1`` solves and the
iteration count is reported. ``method="bracket"`` instead locates the bracket directly from the
surplus at each floor (one search, one solve) for speed; both give the same answer.

References
----------
.. [1] Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" (cross/isolated
   formula, bracket re-check at the liquidation price).
.. [2] Hyperliquid docs, "Liquidations": "maintenance leverage depends on the unique margin tier
   corresponding to the position value at the liquidation price".
.. [3] Bybit, "Liquidation Price (USDT Contract)": maintenance margin evaluated at the entry price
   (``maintenance_at="entry"``); Bybit help 360039261334: the 0.075% close fee charged at the
   bankruptcy price (``fee_at="bankruptcy"``).
.. [4] dYdX v4 docs, "Liquidations": ``p' = (e - s*p) / (|s|*MMF - s)`` (isolated) and with the
   other positions' requirement subtracted (cross).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validate as v
from .contracts import LINEAR, ContractKind, contract_kind
from .margin import Account, Maintenance
from .tiers import Tier, TierTable, count_at_or_above, count_at_or_below

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LiquidationResult:
    """Liquidation price of one or many positions.

    Attributes
    ----------
    price : float or ndarray
        Mark price at which equity equals the maintenance requirement; ``nan`` where
        ``liquidatable`` is False.
    bankruptcy_price : float or ndarray
        Mark price at which equity equals the closing fee (zero without fees); ``nan`` where no
        positive price makes the position bankrupt.
    tier : int or ndarray
        1-based bracket of the notional **at the liquidation price** (1 for a flat rate);
        0 where the position cannot be liquidated.
    iterations : int or ndarray
        Closed-form solves used: 1 when the bracket at entry is already the bracket at the
        liquidation price.
    liquidatable : bool or ndarray
        False when no positive, finite price triggers liquidation (a 1x linear long, a 1x inverse
        short): its price would have to reach zero or infinity.
    below_maintenance : bool or ndarray
        True when the position is already at or below its maintenance requirement at the mark price
        (the liquidation price then lies on the far side of the mark).
    valid : bool or ndarray
        False for the rows whose input was refused under ``errors="nan"`` (their price and
        bankruptcy price are ``nan``, tier and iterations 0, both flags False); True otherwise.
    """

    price: Any
    bankruptcy_price: Any
    tier: Any
    iterations: Any
    liquidatable: Any
    below_maintenance: Any
    valid: Any = True


# --- the closed form in notional space -----------------------------------------------------------


class _Workspace:
    """Scratch arrays for the blocks of one call, allocated on first use and reused by every block.

    ``ws(name, dtype)`` is that buffer's first ``ws.size`` elements (the current block's length).
    On large books NumPy's cost is faulting in fresh pages for every temporary, not arithmetic, so
    a book solved in blocks keeps touching the same few cache-sized buffers instead.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = capacity
        self._buffers: dict[str, NDArray[Any]] = {}
        self._constants: dict[str, Any] = {}

    def __call__(self, name: str, dtype: Any = np.float64) -> NDArray[Any]:
        buf = self._buffers.get(name)
        if buf is None:
            buf = self._buffers[name] = np.empty(self.capacity, dtype=dtype)
        return buf[: self.size]

    def constant(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed for the first block only: a per-call constant such as a table
        derived from the tiers and the fee rate."""
        if name not in self._constants:
            self._constants[name] = make()
        return self._constants[name]


def _root(
    a: Any, sigma: Any, mmr: Any, cum: Any, fee: Any, *, out: FloatArray, scratch: FloatArray
) -> FloatArray:
    """Notional where ``a + sigma*N = (mmr + fee)*N - cum``, written to ``out``.

    ``scratch`` holds the slope; it may be ``mmr``'s or ``cum``'s buffer, not ``a``'s or ``out``.
    """
    np.add(a, cum, out=out)
    np.add(mmr, fee, out=scratch)
    np.subtract(scratch, sigma, out=scratch)
    np.divide(out, scratch, out=out)
    return out


def _bracket_direct(
    table: TierTable, a: FloatArray, sigma: FloatArray, fee: float, ws: _Workspace
) -> NDArray[Any]:
    """0-based bracket holding the root, from the sign of the surplus at each floor (one pass).

    The surplus at floor ``F_k`` is ``a + sigma*F_k - f*F_k - MM(F_k)``. With ``key = -a``:

    * ``sigma = +1`` (surplus rising in N): the root lies at or above ``F_k`` iff
      ``key >= up_k = (1 - f)*F_k - MM(F_k)``, and ``up_k > 0``;
    * ``sigma = -1`` (surplus falling): iff ``key <= down_k = -(1 + f)*F_k - MM(F_k) < 0``.

    A liquidatable position has ``key > 0`` in the first case and ``key < 0`` in the second, so
    one count over both threshold sets finds the bracket for longs and shorts together. The other
    sign (a position that cannot be liquidated, or one below maintenance at every price) is sent
    to bracket 0, where the root is <= 0 and so reported as such.
    """

    def thresholds() -> tuple[FloatArray, FloatArray]:
        floors = table.floors[1:]
        mm_at_floors = floors * table.mmrs[1:] - table.cums[1:]
        up = (1.0 - fee) * floors - mm_at_floors
        down = -(1.0 + fee) * floors - mm_at_floors
        # key >= up_k  <=>  a <= -up_k;   key <= down_k  <=>  a >= -down_k  (no negated copy of a)
        return -up[::-1], -down

    neg_up, neg_down = ws.constant("bracket_thresholds", thresholds)
    hit = ws("mask", np.bool_)
    idx = count_at_or_above(neg_up, a, out=ws("idx", np.int8), hit=hit)
    idx += count_at_or_below(neg_down, a, out=ws("idx2", np.int8), hit=hit)
    rising = np.greater(sigma, 0, out=hit)
    idx *= np.equal(rising, np.less(a, 0, out=ws("mask2", np.bool_)), out=rising)  # sigma*key > 0
    return idx


def _root_in_bracket(
    table: TierTable,
    a: FloatArray,
    sigma: FloatArray,
    fee: float,
    idx: NDArray[Any],
    *,
    out: FloatArray,
    ws: _Workspace,
) -> FloatArray:
    """``(a + cum_k) / (mmr_k + f - sigma)`` with both gathers from small per-bracket tables.

    ``1 / (mmr_k + f - sigma)`` takes two values per bracket (sigma = +-1), so it is looked up
    from a table of ``2 * len(table)`` entries rather than computed per position.
    """

    def pack() -> NDArray[np.complex128]:
        inverse_slope = 1.0 / (table.mmrs[:, None] + fee - np.array([-1.0, 1.0]))
        # Pack (cum, 1/slope) as one complex entry per (bracket, side): one gather serves both.
        packed = np.empty(inverse_slope.shape, dtype=np.complex128)
        packed.real = table.cums[:, None]
        packed.imag = inverse_slope
        return packed.reshape(-1)

    packed = ws.constant("packed_roots", pack)
    up = np.greater(sigma, 0, out=ws("mask", np.bool_))
    pick = ws("pick", np.intp)
    if idx.dtype == np.int8 and len(table) <= 63:
        # 2*idx + (sigma > 0) fits int8: build it with int8 loops, widen once for the gather.
        pick8 = np.add(idx, idx, out=ws("pick8", np.int8))
        pick8 += up.view(np.int8)
        np.copyto(pick, pick8)
    else:
        np.copyto(pick, idx)
        pick *= 2
        pick += up
    # Every pick is in range: mode="wrap" spares the buffered copy "raise" makes (and is faster).
    g = packed.take(pick, out=ws("packed", np.complex128), mode="wrap")
    np.add(g.real, a, out=out)
    out *= g.imag
    return out


def _solve_tiered_iterate(
    table: TierTable,
    a: FloatArray,
    sigma: FloatArray,
    fee: Any,
    start_notional: FloatArray,
    *,
    out: FloatArray,
    iterations: NDArray[np.int16],
    ws: _Workspace,
    start_index: NDArray[Any] | None = None,
) -> NDArray[Any]:
    """Binance's re-check loop, kept monotone (see the module docstring), on one flat block.

    The first solve uses the bracket at entry for every position (``start_index`` when the
    caller has it already, from the leverage check); later rounds touch only the positions whose
    answer landed in another bracket. The notional goes to ``out``, the solve count to
    ``iterations``; returns the bracket of the answer.
    """
    hit = ws("mask", np.bool_)
    idx = start_index
    if idx is None:
        idx = np.asarray(table.index(start_notional, out=ws("entry_idx", np.int8), hit=hit))
    pick = ws("pick", np.intp)
    np.copyto(pick, idx)  # widened once for both gathers
    mmr = np.take(table.mmrs, pick, out=ws("t1"), mode="wrap")
    cum = np.take(table.cums, pick, out=ws("t2"), mode="wrap")
    n = _root(a, sigma, mmr, cum, fee, out=out, scratch=mmr)
    iterations.fill(1)
    landed = np.asarray(table.index(n, out=ws("idx2", np.int8), hit=hit))
    pos = np.flatnonzero(np.not_equal(landed, idx, out=hit))
    if pos.size:
        _recheck(table, a, sigma, fee, pos, n=n, landed=landed, iterations=iterations)
    return landed


def _recheck(
    table: TierTable,
    a: FloatArray,
    sigma: FloatArray,
    fee: Any,
    pos: NDArray[np.intp],
    *,
    n: FloatArray,
    landed: NDArray[Any],
    iterations: NDArray[np.int16],
) -> None:
    """The re-solves of :func:`_solve_tiered_iterate` for the positions ``pos`` whose first answer
    left the bracket it was solved in; ``n``, ``landed`` and ``iterations`` updated in place.

    The positions are gathered once into short arrays that shrink each round (the answers are
    scattered back as positions finish), rather than gathered from the block every round; a round
    in which every candidate improves (the usual case: the bound is monotone) and lands where it
    was solved needs no mask at all.
    """

    def part(x: Any) -> Any:
        return x if np.ndim(x) == 0 else x[pos]

    a_p, sigma_p, fee_p, n_p = part(a), part(sigma), part(fee), n[pos]
    bracket = landed[pos].astype(np.intp)
    solves = 1
    floors = table.floors[1:]
    for _ in range(len(table)):
        # The operations of _root, in its order, so the answers are the same bit for bit.
        cand = (a_p + table.cums[bracket]) / (table.mmrs[bracket] + fee_p - sigma_p)
        solves += 1
        improves = sigma_p * (cand - n_p) > 0
        if improves.all():
            n[pos] = cand
            now = count_at_or_below(floors, cand)
            landed[pos] = now
            stay = now != bracket
        else:
            better = np.flatnonzero(improves)
            n[pos[better]] = cand[better]
            now_better = count_at_or_below(floors, cand[better])
            landed[pos[better]] = now_better
            now = bracket.copy()
            now[better] = now_better
            stay = now != bracket  # False where the candidate did not improve
        # Stay only where the improved answer sits in yet another bracket.
        if not stay.any():
            iterations[pos] = solves
            return
        done = np.flatnonzero(~stay)
        iterations[pos[done]] = solves
        keep = np.flatnonzero(stay)
        pos, bracket, n_p = pos[keep], now[keep].astype(np.intp), cand[keep]
        a_p, sigma_p, fee_p = (x if np.ndim(x) == 0 else x[keep] for x in (a_p, sigma_p, fee_p))
    iterations[pos] = solves


# --- public API -----------------------------------------------------------------------------------


def _collateral(
    notional_entry: FloatArray,
    leverage: FloatArray | None,
    collateral: FloatArray | None,
    extra: FloatArray,
    tiers: TierTable | None,
    ws: _Workspace,
) -> tuple[FloatArray, NDArray[Any] | None]:
    """Collateral posted: given, or notional at entry over leverage; plus extra margin.

    Written to the workspace's ``t1`` (the caller's arrays stay intact). Returns it with the
    bracket at entry when the leverage check against ``tiers`` computed it (else None).
    """
    out = ws("t1")
    if collateral is not None:
        return np.add(collateral, extra, out=out), None
    assert leverage is not None  # guaranteed by the validation in liquidation_price
    entry_index = None
    if tiers is not None:
        scratch = (ws("idx", np.int8), ws("entry_idx", np.int8), ws("mask", np.bool_))
        entry_index = tiers._check_validated_leverage(
            leverage, notional_entry, scratch=scratch, values=out
        )
    np.divide(notional_entry, leverage, out=out)
    nonzero = np.not_equal(extra, 0, out=None if extra.ndim == 0 else ws("mask", np.bool_))
    if nonzero.any():
        out += extra
    return out, entry_index


def _notional(
    size: FloatArray, price: FloatArray, kind: ContractKind, cv: FloatArray, *, out: FloatArray
) -> FloatArray:
    if kind is LINEAR:
        return np.multiply(size, price, out=out)
    np.multiply(size, cv, out=out)
    return np.divide(out, price, out=out)


def _notional_to_price(
    n: FloatArray, size: FloatArray, kind: ContractKind, cv: FloatArray, ws: _Workspace
) -> FloatArray:
    """Overwrite notional with its price; ``nan`` where no positive finite price has it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind is LINEAR:
            np.divide(n, size, out=n)
        else:
            np.divide(np.multiply(size, cv, out=ws("t1")), n, out=n)
    # Not (0 < n < inf), NaN included: (n <= 0) >= (n < inf) as booleans, in one pass.
    bad = np.less_equal(n, 0, out=ws("mask", np.bool_))
    np.greater_equal(bad, np.less(n, np.inf, out=ws("mask2", np.bool_)), out=bad)
    if bad.any():
        # A scatter to the bad positions: a masked copy costs several times more when the mask
        # is mixed (its branch mispredicts), as it is on a book with unliquidatable positions.
        n[np.flatnonzero(bad)] = np.nan
    return n


def liquidation_price(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike | None = None,
    collateral: ArrayLike | None = None,
    extra_margin: ArrayLike = 0.0,
    mmr: Maintenance | ArrayLike = 0.005,
    fee_rate: float = 0.0,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
    mark_price: ArrayLike | None = None,
    maintenance_at: str = "liquidation",
    fee_at: str = "liquidation",
    method: str = "iterate",
    errors: str = "raise",
) -> LiquidationResult:
    """Liquidation and bankruptcy price of isolated positions (vectorized).

    Parameters
    ----------
    side : +1, -1 or array
        Position side.
    size : float or array
        Absolute size (> 0): base units (linear) or contracts (inverse).
    entry_price : float or array
        Average entry price (> 0), quote per base.
    leverage : float or array, optional
        Sets collateral to ``notional at entry / leverage``. With a tier table it must not exceed
        the maximum leverage of the bracket at entry.
    collateral : float or array, optional
        Collateral posted, in the settlement currency (give this or ``leverage``). For a cross
        position pass wallet balance minus the other positions' maintenance plus their PnL, as
        :func:`cross_liquidation_price` does.
    extra_margin : float or array
        Margin added on top (negative: margin removed, e.g. funding paid out of position margin).
    mmr : float, array, Tier or TierTable
        Flat maintenance margin rate in (0, 1), or an array of them broadcasting with the positions
        (one rate per position, e.g. tiers looked up by contract count as OKX does); one bracket
        given as a :class:`Tier` (its rate and maintenance amount ``cum`` used as they are, as a
        venue API reports them); or a tier table whose notional unit matches ``kind`` (quote for
        linear, coins for inverse), searched for the bracket at the liquidation price.
    fee_rate : float
        Closing-fee rate in [0, 1) reserved in the requirement (0: no fee term, Binance's formula).
    kind : {"linear", "inverse"}
    contract_value : float or array
        Quote value of one inverse contract.
    mark_price : float or array, optional
        Current mark price, used only to report ``below_maintenance`` (default: entry price).
    maintenance_at : {"liquidation", "entry"}
        Evaluate maintenance margin at the liquidation price (Binance, Hyperliquid, dYdX; exact)
        or freeze it at the entry price (Bybit's USDT isolated formula).
    fee_at : {"liquidation", "bankruptcy"}
        Reserve the closing fee on the notional at the liquidation price, or at the bankruptcy
        price (Bybit's legacy inverse cross formula).
    method : {"iterate", "bracket"}
        Tier search: Binance's re-check iteration, or a direct bracket search (faster, same result).
        ``"bracket"`` needs a scalar ``fee_rate``.
    errors : {"raise", "nan"}
        ``"raise"`` (default): one bad element of any array rejects the whole call, and the
        message names the argument and the element's flat index. ``"nan"``: a row whose values
        are bad (NaN, out of range, leverage above its bracket's maximum, a notional out of float
        range) comes out as ``nan`` with ``valid=False`` and the other rows are solved; wrong
        types, shapes that do not broadcast and bad options still raise.

    Returns
    -------
    LiquidationResult

    Raises
    ------
    ArgumentTypeError
        A non-numeric argument (``side="long"``, a string price, None where a number is needed),
        or an option that is not a string.
    ValueError
        Naming the argument: non-positive or non-finite size or prices, side not +1/-1, leverage
        <= 0 or above the bracket's maximum, rates outside [0, 1), ``mmr + fee_rate`` >= 1 (the
        requirement would exceed the notional), both or neither of leverage/collateral, unknown
        option strings.
    ShapeError
        Array arguments that do not broadcast together (both named, with their shapes).
    DerivedRangeError
        Inputs whose notional at entry (or at ``mark_price``) or collateral leaves
        [1e-200, 1e200] in magnitude: float arithmetic would overflow or underflow (``size=1e300,
        entry_price=1e300``).

    Notes
    -----
    Arrays broadcast together; the result has their broadcast shape (floats for scalar input).
    Results are identical, bit for bit, to one scalar call per element.

    Examples
    --------
    Hyperliquid-style isolated long, 1 BTC at 100,000 with 10,000 margin, maintenance 1.25%:

    >>> r = liquidation_price(+1, 1.0, 100_000, collateral=10_000, mmr=0.0125)
    >>> round(r.price, 2), r.bankruptcy_price
    (91139.24, 90000.0)

    Bybit's USDT example 1 (maintenance at entry): 1 BTC long at 20,000, 50x, MMR 0.5%:

    >>> liquidation_price(+1, 1, 20_000, leverage=50, mmr=0.005, maintenance_at="entry").price
    19700.0

    A 1x linear long cannot be liquidated:

    >>> liquidation_price(+1, 1, 20_000, leverage=1).liquidatable
    False
    """
    if (leverage is None) == (collateral is None):
        raise ValueError(
            "give exactly one of leverage (collateral = notional/leverage) or collateral"
        )
    if v.choice("errors", errors, ("raise", "nan")) == "nan":
        return _per_element(
            side, size, entry_price, leverage=leverage, collateral=collateral,
            extra_margin=extra_margin, mmr=mmr, fee_rate=fee_rate, kind=kind,
            contract_value=contract_value, mark_price=mark_price, maintenance_at=maintenance_at,
            fee_at=fee_at, method=method,
        )
    size_x = v.positive_extent("size", size)
    entry_x = v.positive_extent("entry_price", entry_price)
    cv_x = v.positive_extent("contract_value", contract_value)
    lev_x = None if leverage is None else v.positive_extent("leverage", leverage)
    mark_x = None if mark_price is None else v.positive_extent("mark_price", mark_price)
    arrays: dict[str, Any] = {
        "side": _side(side),
        "size": size_x[0],
        "entry_price": entry_x[0],
        "contract_value": cv_x[0],
        "extra_margin": v.as_float("extra_margin", extra_margin),
        "leverage": None if lev_x is None else lev_x[0],
        "collateral": None if collateral is None else v.as_float("collateral", collateral),
        "mark_price": None if mark_x is None else mark_x[0],
    }
    options: dict[str, Any] = {
        "kind": contract_kind(kind),
        "fee_rate": v.rate("fee_rate", fee_rate),
        "maintenance_at": v.choice("maintenance_at", maintenance_at, ("liquidation", "entry")),
        "fee_at": v.choice("fee_at", fee_at, ("liquidation", "bankruptcy")),
        "method": v.choice("method", method, ("iterate", "bracket")),
    }
    _check_ranges(size_x, entry_x, cv_x, lev_x, mark_x, arrays, options["kind"])
    arrays["flat_rates"] = None
    if isinstance(mmr, (Tier, TierTable)):
        options["mmr"] = mmr
    else:
        rates = v.rate("mmr", mmr, allow_zero=False)
        # One rate per position travels with the positions (and their blocks) as an array.
        arrays["flat_rates"] = rates if rates.ndim else None
        options["mmr"] = float(rates) if rates.ndim == 0 else None
    _check_requirement(mmr, options["fee_rate"])
    shape = v.shapes(**{_ARG.get(k, k): a for k, a in arrays.items()})
    total = math.prod(shape)
    # A per-position fee rate is cut into blocks with the positions (it does not widen the shape).
    arrays["fee_rate"] = options.pop("fee_rate")
    # Every size goes through the same blocked solve: the outputs are allocated once, each block
    # writes its slice of them, and its temporaries live in one workspace reused by every block
    # (fresh book-sized temporaries, or fresh ones per block, cost page faults, not arithmetic).
    fields: dict[str, NDArray[Any]] = {
        "price": np.empty(shape),
        "bankruptcy_price": np.empty(shape),
        "tier": np.empty(shape, dtype=np.int16),
        "iterations": np.empty(shape, dtype=np.int16),
        "liquidatable": np.empty(shape, dtype=np.bool_),
        "below_maintenance": np.empty(shape, dtype=np.bool_),
    }
    flat_fields = {name: x.reshape(-1) for name, x in fields.items()}
    flat: dict[str, Any] = {
        name: None if a is None else (a if a.ndim == 0 else np.broadcast_to(a, shape).reshape(-1))
        for name, a in arrays.items()
    }
    ws = _Workspace(min(total, _BLOCK))
    # A flat rate is a one-bracket table; it sets no leverage cap (a position opened above 1/mmr
    # is simply reported below maintenance), so only a caller's own table caps leverage.
    caps_leverage = isinstance(options["mmr"], TierTable)
    table, fixed_tier = _as_table(options.pop("mmr"))
    for start in range(0, max(total, 1), _BLOCK):
        stop = min(start + _BLOCK, total)
        ws.size = stop - start
        part: dict[str, Any] = {
            name: a if a is None or a.ndim == 0 else a[start:stop] for name, a in flat.items()
        }
        out = {name: x[start:stop] for name, x in flat_fields.items()}
        _solve_block(
            **part,
            **options,
            mmr=table,
            fixed_tier=fixed_tier,
            caps_leverage=caps_leverage,
            out=out,
            ws=ws,
        )
    return LiquidationResult(**{name: v.scalar_or_array(x) for name, x in fields.items()})


#: The caller's names of the internal arrays (for shape messages).
_ARG = {"flat_rates": "mmr"}


def _check_ranges(
    size: tuple[FloatArray, float, float],
    entry: tuple[FloatArray, float, float],
    cv: tuple[FloatArray, float, float],
    lev: tuple[FloatArray, float, float] | None,
    mark: tuple[FloatArray, float, float] | None,
    arrays: dict[str, Any],
    kind: ContractKind,
) -> None:
    """Refuse inputs whose derived notionals or collateral leave float's safe range, from the
    extents the validators already computed (no elementwise pass on a valid book)."""
    linear = kind is LINEAR

    def span(p: tuple[FloatArray, float, float]) -> tuple[float, float]:
        if linear:
            return size[1] * p[1], size[2] * p[2]
        return size[1] * cv[1] / p[2], size[2] * cv[2] / p[1]

    what = "size * {} (the notional)" if linear else "size * contract_value / {} (the notional)"
    parts = {"size": size[0]} if linear else {"size": size[0], "contract_value": cv[0]}
    lo, hi = span(entry)
    v.derived_in_range(what.format("entry_price"), lo, hi, parts={**parts, "entry_price": entry[0]})
    if mark is not None:
        v.derived_in_range(
            what.format("mark_price"), *span(mark), parts={**parts, "mark_price": mark[0]}
        )
    if lev is not None:
        v.derived_in_range(
            "the notional at entry / leverage (the collateral)", lo / lev[2], hi / lev[1],
            parts={**parts, "entry_price": entry[0], "leverage": lev[0]},
        )
    for name in ("collateral", "extra_margin"):
        arr = arrays[name]
        if arr is not None and arr.size and float(np.max(np.abs(arr))) > v.DERIVED_MAX:
            v.derived_in_range(name, 0.0, float(np.max(np.abs(arr))), parts={name: arr})


def _check_requirement(mmr: Any, fee_rate: FloatArray) -> None:
    """The requirement is (mmr + fee_rate) of the notional: at or above 1 no price solves it."""
    if isinstance(mmr, TierTable):
        top = float(mmr.mmrs[-1])
    elif isinstance(mmr, Tier):
        top = mmr.mmr
    else:
        top = float(np.max(mmr))
    fee = float(np.max(fee_rate)) if fee_rate.size else 0.0
    if top + fee >= 1:
        raise ValueError(
            f"{v.label('mmr')} + {v.label('fee_rate')} must be < 1 (a requirement of the whole "
            f"notional or more is met at no price), got {top!r} + {fee!r}"
        )


def _per_element(side: Any, size: Any, entry_price: Any, **kw: Any) -> LiquidationResult:
    """``liquidation_price(..., errors="nan")``: rows with bad values are set aside (``nan``,
    ``valid=False``) and the others solved in one vectorized call."""
    names = ("side", "size", "entry_price", "leverage", "collateral", "extra_margin",
             "contract_value", "mark_price", "fee_rate")
    given = {"side": side, "size": size, "entry_price": entry_price, **kw}
    raw: dict[str, Any] = {}
    for name in names:
        if given[name] is not None:
            raw[name] = (
                v._convert(name, given[name])
                if not (isinstance(given[name], np.ndarray) and given[name].dtype == np.float64)
                else given[name]
            )
    mmr = given["mmr"]
    rates = None if isinstance(mmr, (Tier, TierTable)) else v._convert("mmr", mmr)
    if rates is not None:
        raw["mmr"] = rates
    shape = v.shapes(**raw)
    full = {k: np.broadcast_to(a, shape) for k, a in raw.items()}
    bad = np.zeros(shape, dtype=bool)
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        finite = {k: np.isfinite(a) for k, a in full.items()}
        for k in full:
            bad |= ~finite[k]
        bad |= np.abs(full["side"]) != 1
        for k in ("size", "entry_price", "contract_value", "leverage", "mark_price"):
            if k in full:
                bad |= ~(full[k] > 0)
        for k in ("fee_rate",):
            if k in full:
                bad |= ~((full[k] >= 0) & (full[k] < 1))
        if rates is not None:
            bad |= ~((full["mmr"] > 0) & (full["mmr"] < 1))
        kind = contract_kind(kw["kind"])
        cv = full.get("contract_value", 1.0)
        for price in ("entry_price", "mark_price"):
            if price in full:
                n = full["size"] * (full[price] if kind is LINEAR else cv / full[price])
                bad |= ~((n >= v.DERIVED_MIN) & (n <= v.DERIVED_MAX))
                if price == "entry_price" and "leverage" in full:
                    c = n / full["leverage"]
                    bad |= ~((np.abs(c) >= v.DERIVED_MIN) & (np.abs(c) <= v.DERIVED_MAX))
                    if isinstance(mmr, TierTable):
                        bad |= full["leverage"] > np.asarray(mmr.max_leverage(np.where(
                            np.isfinite(n) & (n >= 0), n, 0.0))) * (1 + 1e-12)
        for k in ("collateral", "extra_margin"):
            if k in full:
                bad |= np.abs(full[k]) > v.DERIVED_MAX
    # Stand-ins for the bad rows: a valid position that any table accepts (its result is dropped).
    clean: dict[str, Any] = {}
    stand_in = {"side": 1.0, "size": 1.0, "entry_price": 1.0, "contract_value": 1.0,
                "leverage": 1.0, "collateral": 1.0, "extra_margin": 0.0, "mark_price": 1.0,
                "fee_rate": 0.0, "mmr": 0.005}
    for k, a in full.items():
        clean[k] = np.where(bad, stand_in[k], a) if bad.any() else raw[k]
    if isinstance(mmr, TierTable) and "leverage" in clean:
        clean["leverage"] = np.where(bad, float(mmr.max_leverages[-1]), clean["leverage"])
    options = {k: kw[k] for k in ("kind", "maintenance_at", "fee_at", "method")}
    result = liquidation_price(
        clean["side"], clean["size"], clean["entry_price"],
        leverage=clean.get("leverage"), collateral=clean.get("collateral"),
        extra_margin=clean.get("extra_margin", 0.0),
        mmr=clean.get("mmr", mmr) if rates is not None else mmr,
        fee_rate=clean.get("fee_rate", 0.0), contract_value=clean.get("contract_value", 1.0),
        mark_price=clean.get("mark_price"), **options,
    )
    fields = {}
    for name, fill in (("price", np.nan), ("bankruptcy_price", np.nan), ("tier", 0),
                       ("iterations", 0), ("liquidatable", False), ("below_maintenance", False)):
        arr = np.array(np.broadcast_to(getattr(result, name), shape))
        arr[bad] = fill
        fields[name] = v.scalar_or_array(arr)
    return LiquidationResult(**fields, valid=v.scalar_or_array(~bad))


#: Positions per block: 512 kB per float temporary (1 MB for the packed complex gather), all in
#: one workspace reused by every block of a call. Measured on 10^7 positions here (best of 7):
#: 2^16 runs the bracket search in ~121 ms and the iterate search in ~153 ms, against 126/169 ms
#: at 2^15 (more per-call overhead) and 125/156 ms at 5 * 2^14 (less of the workspace in cache).
_BLOCK = 1 << 16


def _side(value: ArrayLike) -> FloatArray:
    """``_validate.side`` for large float arrays, checked a cache-sized chunk at a time (no
    book-sized temporaries); anything else, or any bad element, goes to the full validator."""
    if not (isinstance(value, np.ndarray) and value.dtype == np.float64 and value.size > _BLOCK):
        return v.side("side", value)
    flat = value.reshape(-1)
    buf = np.empty(_BLOCK)
    ok = np.empty(_BLOCK, dtype=bool)
    for start in range(0, flat.size, _BLOCK):
        chunk = flat[start : start + _BLOCK]
        m = chunk.size
        np.abs(chunk, out=buf[:m])
        np.equal(buf[:m], 1.0, out=ok[:m])
        if not ok[:m].all():
            return v.side("side", value)  # raises, naming the first bad element
    return value


def _as_table(mmr: float | Tier | TierTable | None) -> tuple[TierTable | None, Tier | None]:
    """The maintenance argument as a tier table (None: per-position flat rates), and the
    :class:`Tier` given when a venue's API hands out the bracket (rate and cum) directly."""
    if isinstance(mmr, Tier):
        return TierTable.flat(mmr.mmr, 0.5 / mmr.mmr), mmr
    if mmr is not None and not isinstance(mmr, TierTable):
        return TierTable.flat(float(mmr), 0.5 / float(mmr)), None
    return mmr, None


def _solve_block(
    *,
    side: FloatArray,
    size: FloatArray,
    entry_price: FloatArray,
    contract_value: FloatArray,
    extra_margin: FloatArray,
    leverage: FloatArray | None,
    collateral: FloatArray | None,
    mark_price: FloatArray | None,
    flat_rates: FloatArray | None,
    kind: ContractKind,
    fee_rate: FloatArray,
    maintenance_at: str,
    fee_at: str,
    method: str,
    mmr: TierTable | None,
    fixed_tier: Tier | None,
    caps_leverage: bool,
    out: dict[str, NDArray[Any]],
    ws: _Workspace,
) -> None:
    """The solve on one flat block of validated arrays (0-d ones broadcast).

    Writes the fields of :class:`LiquidationResult` into ``out`` (arrays of ``ws.size``); every
    temporary is a buffer of ``ws``.
    """
    s, q, e, cv, k, f = side, size, entry_price, contract_value, kind, fee_rate
    # Notional space: N = Q*P (linear) or Q*cv/P (inverse); equity = A + sigma*N with
    # A = C - sigma*N_entry for both kinds.
    if k is LINEAR:
        sigma = s
    else:
        sigma = -s if s.ndim == 0 else np.negative(s, out=ws("sigma"))
    n_entry = _notional(q, e, k, cv, out=ws("n_entry"))
    a = np.multiply(sigma, n_entry, out=ws("a"))
    caps = mmr if caps_leverage else None
    posted, entry_index = _collateral(n_entry, leverage, collateral, extra_margin, caps, ws)
    np.subtract(posted, a, out=a)

    # Bankruptcy: equity equals the fee on the notional there (zero without a fee).
    bankruptcy = out["bankruptcy_price"]
    np.subtract(f, sigma, out=bankruptcy)
    np.divide(a, bankruptcy, out=bankruptcy)
    fee_in_root: Any = f
    if fee_at == "bankruptcy":
        # A fixed fee, charged on the bankruptcy notional.
        fee_paid = np.maximum(bankruptcy, 0.0, out=ws("t1"))
        a -= np.multiply(f, fee_paid, out=fee_paid)
        fee_in_root = 0.0
    _notional_to_price(bankruptcy, q, k, cv, ws)
    if fixed_tier is not None:
        a += fixed_tier.cum  # MM = N*mmr - cum, so cum adds to the surplus like collateral

    # The liquidation notional is solved straight into the price output, converted at the end.
    n_liq, iterations, hit = out["price"], out["iterations"], ws("mask", np.bool_)
    t1, t2 = ws("t1"), ws("t2")
    if mmr is None:
        # Per-position flat rates (mmr=None carries them in flat_rates): each position is a
        # one-bracket table of its own, so the root is the closed form, cum 0, no search.
        assert flat_rates is not None
        if maintenance_at == "entry":
            a_entry = np.subtract(a, np.multiply(n_entry, flat_rates, out=t1), out=t1)
            _root(a_entry, sigma, 0.0, 0.0, fee_in_root, out=n_liq, scratch=t2)
        else:
            _root(a, sigma, flat_rates, 0.0, fee_in_root, out=n_liq, scratch=t1)
        idx: NDArray[Any] = ws("idx", np.int8)
        idx.fill(0)
        iterations.fill(1)
    elif maintenance_at == "entry":
        if entry_index is None:
            entry_index = np.asarray(mmr.index(n_entry, out=ws("entry_idx", np.int8), hit=hit))
        idx = entry_index
        pick = ws("pick", np.intp)
        np.copyto(pick, idx)  # widened once for both gathers
        mm_entry = np.multiply(n_entry, np.take(mmr.mmrs, pick, out=t1, mode="wrap"), out=t1)
        mm_entry -= np.take(mmr.cums, pick, out=t2, mode="wrap")
        a_entry = np.subtract(a, mm_entry, out=t1)
        _root(a_entry, sigma, 0.0, 0.0, fee_in_root, out=n_liq, scratch=t2)
        iterations.fill(1)
    elif method == "bracket":
        if np.ndim(fee_in_root) != 0:
            raise ValueError("method='bracket' needs a scalar fee_rate; use method='iterate'")
        idx = _bracket_direct(mmr, a, sigma, float(fee_in_root), ws)
        _root_in_bracket(mmr, a, sigma, float(fee_in_root), idx, out=n_liq, ws=ws)
        iterations.fill(1)
    else:
        idx = _solve_tiered_iterate(
            mmr, a, sigma, fee_in_root, n_entry, out=n_liq, iterations=iterations, ws=ws,
            start_index=entry_index,
        )
    tier = out["tier"]
    if fixed_tier is not None:
        tier.fill(fixed_tier.level)
    else:
        np.add(idx, 1, out=tier)

    # The surplus is strictly monotone in N (rising for sigma = +1, falling for -1), so the mark
    # is at or past the root exactly when it is at or below maintenance.
    # Without a mark price the mark is the entry, whose notional is already at hand.
    mark_notional = n_entry if mark_price is None else _notional(q, mark_price, k, cv, out=t1)
    distance = np.subtract(mark_notional, n_liq, out=t1)
    np.multiply(sigma, distance, out=distance)
    np.less_equal(distance, 0, out=out["below_maintenance"])
    price = _notional_to_price(n_liq, q, k, cv, ws)
    liquidatable = np.equal(price, price, out=out["liquidatable"])  # False exactly where NaN
    tier *= liquidatable


def bankruptcy_price(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike | None = None,
    collateral: ArrayLike | None = None,
    extra_margin: ArrayLike = 0.0,
    fee_rate: float = 0.0,
    kind: str | ContractKind = LINEAR,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Price at which equity equals the closing fee (zero without fees); ``nan`` if none.

    Parameters are those of :func:`liquidation_price`.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    Bybit: a 1 BTC long at 10,000 with 50x is bankrupt at ``10,000 * (1 - 2%)``:

    >>> bankruptcy_price(+1, 1, 10_000, leverage=50)
    9800.0

    Bybit's inverse example: ``7,890.08 * 50 / 51`` (the page then rounds up to 7,735.50):

    >>> round(bankruptcy_price(+1, 1, 7_890.08, leverage=50, kind="inverse"), 6)
    7735.372549
    """
    return liquidation_price(
        side,
        size,
        entry_price,
        leverage=leverage,
        collateral=collateral,
        extra_margin=extra_margin,
        fee_rate=fee_rate,
        kind=kind,
        contract_value=contract_value,
    ).bankruptcy_price


def cross_liquidation_price(
    account: Account,
    index: int,
    prices: ArrayLike,
    *,
    fee_rate: float = 0.0,
    method: str = "iterate",
) -> LiquidationResult:
    """Liquidation price of one position of a cross account, the others held fixed.

    The other positions' maintenance margin (Binance ``TMM1``) and unrealized PnL (``UPNL1``) are
    frozen at ``prices``; the position ``index`` then behaves as an isolated position whose
    collateral is ``wallet_balance - TMM1 + UPNL1``. This is Binance's cross formula and dYdX's
    ``p' = (e - s*p - MMR_o) / (|s|*MMF - s)``.

    Parameters
    ----------
    account : Account
    index : int
        Which position's price moves.
    prices : array
        Current mark price of every position (the moving one's is used for ``below_maintenance``).
    fee_rate : float
        Closing-fee rate reserved in the requirement.
    method : {"iterate", "bracket"}

    Returns
    -------
    LiquidationResult

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    dYdX docs' cross example: equity 1,000 USDC, short 1.5 ETH at 3,000 (MMF 5%), long 1,000 STRK
    at 1.75 (MMF 10%): liquidation at about 3,380.95.

    >>> from liqlib import Position, Side
    >>> acct = Account(1_000, [Position(Side.SHORT, 1.5, 3_000, 0.05),
    ...                        Position(Side.LONG, 1_000, 1.75, 0.10)])
    >>> round(cross_liquidation_price(acct, 0, [3_000, 1.75]).price, 2)
    3380.95
    """
    if not isinstance(account, Account):
        raise v.ArgumentTypeError(f"account must be an Account, got {type(account).__name__}")
    tmm, upnl = account.others(index, prices)
    pos = account.positions[index]
    mark = float(np.asarray(prices, dtype=np.float64).reshape(-1)[index])
    return liquidation_price(
        int(pos.side),
        pos.size,
        pos.entry_price,
        collateral=float(account.wallet_balance) - tmm + upnl,
        mmr=pos.mmr,
        fee_rate=fee_rate,
        kind=pos.kind,
        contract_value=pos.contract_value,
        mark_price=mark,
        method=method,
    )


# --- the general case: a bracketing root-finder -----------------------------------------------


def bracketed_root(
    func: Callable[[FloatArray], FloatArray],
    lo: ArrayLike,
    hi: ArrayLike,
    *,
    xtol: float = 1e-12,
    maxiter: int = 200,
) -> FloatArray:
    """Vectorized root of ``func`` in each bracket ``[lo, hi]`` (bisection).

    ``func`` must map an array of points to an array of values, elementwise, and change sign on
    every bracket. Bisection is used rather than a faster secant method because the margin surplus
    is only piecewise smooth (kinks at every tier floor); it halves each bracket every step and
    stops when every bracket is narrower than ``xtol`` relative to its midpoint.

    Parameters
    ----------
    func : callable
        Maps an array of points to an array of finite values of the same shape.
    lo, hi : float or array
        Bracket ends (finite, ``lo <= hi``), broadcasting together.
    xtol : float
        Relative width (> 0) at which a bracket counts as converged.
    maxiter : int
        Bisection steps allowed (>= 1).

    Returns
    -------
    float or ndarray
        The midpoint of each converged bracket.

    Raises
    ------
    ArgumentTypeError
        ``func`` not callable, ``maxiter`` not an integer, non-numeric ``lo``/``hi``/``xtol``.
    ValueError
        Naming the argument: a bracket that does not change sign or is inverted (its flat index),
        ``func`` returning ``nan``/``inf`` or the wrong shape, ``xtol`` <= 0, ``maxiter`` < 1, or
        brackets still wider than ``xtol`` after ``maxiter`` steps (never an unconverged
        midpoint).
    ShapeError
        ``lo`` and ``hi`` that do not broadcast.

    Notes
    -----
    One bad bracket rejects the whole call and the message names its flat index.

    Examples
    --------
    >>> round(float(bracketed_root(lambda x: x**2 - 2, 0.0, 2.0)), 12)
    1.414213562373
    """
    if not callable(func):
        raise v.ArgumentTypeError(f"func must be callable, got {type(func).__name__}")
    tol = v.one("xtol", v.positive("xtol", xtol))
    steps = v.integer("maxiter", maxiter, low=1)
    lo_a = v.as_float("lo", lo)
    hi_a = v.as_float("hi", hi)
    v.shapes(lo=lo_a, hi=hi_a)
    lo_a, hi_a = np.broadcast_arrays(lo_a, hi_a)
    lo_a, hi_a = lo_a.copy(), hi_a.copy()
    inverted = lo_a > hi_a
    if np.any(inverted):
        i = int(np.flatnonzero(inverted)[0])
        raise ValueError(
            f"lo must be <= hi in every bracket, got lo={lo_a.reshape(-1)[i].item()!r} > "
            f"hi={hi_a.reshape(-1)[i].item()!r} at flat index {i}"
        )
    f_lo = _values(func, lo_a)
    f_hi = _values(func, hi_a)
    no_change = f_lo * f_hi > 0
    if np.any(no_change):
        i = int(np.flatnonzero(no_change)[0])
        raise ValueError(
            "func must change sign on every [lo, hi] bracket, got the same sign at both ends of "
            f"[{lo_a.reshape(-1)[i].item()!r}, {hi_a.reshape(-1)[i].item()!r}] (flat index {i})"
        )
    for _ in range(steps):
        mid = 0.5 * (lo_a + hi_a)
        if np.all(hi_a - lo_a <= tol * np.maximum(np.abs(mid), 1.0)):
            break
        f_mid = _values(func, mid)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo_a = np.where(left, mid, lo_a)
        f_lo = np.where(left, f_mid, f_lo)
        hi_a = np.where(left, hi_a, mid)
    else:
        mid = 0.5 * (lo_a + hi_a)
        if not np.all(hi_a - lo_a <= tol * np.maximum(np.abs(mid), 1.0)):
            raise ValueError(
                f"maxiter={steps} bisection steps leave a bracket wider than xtol={tol!r} "
                "(relative): raise maxiter or xtol"
            )
    return 0.5 * (lo_a + hi_a)


def _values(func: Callable[[FloatArray], FloatArray], x: FloatArray) -> FloatArray:
    """``func(x)`` checked: finite values of ``x``'s shape (a NaN has no sign to bisect on)."""
    try:
        y = np.asarray(func(x), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"func must return real numbers, failed with: {exc}") from exc
    if y.shape != x.shape:
        y = np.broadcast_to(y, x.shape) if y.ndim == 0 else y
        if y.shape != x.shape:
            raise v.ShapeError(f"func must return one value per point {x.shape}, got {y.shape}")
    bad = ~np.isfinite(y)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"func must return finite values, got {y.reshape(-1)[i].item()!r} at "
            f"x={x.reshape(-1)[i].item()!r} (flat index {i})"
        )
    return y


@dataclass(frozen=True)
class CrossLiquidationResult:
    """Nearest liquidation prices below and above the mark for a move of several positions.

    Attributes
    ----------
    lower, upper : float
        Largest price below the mark and smallest above it at which the account's equity equals
        its requirement; ``nan`` where none exists in the searched range.
    """

    lower: float
    upper: float


def account_liquidation_prices(
    account: Account,
    prices: ArrayLike,
    moving: ArrayLike,
    *,
    fee_rate: float = 0.0,
    span: float = 1e4,
    grid: int = 4_001,
) -> CrossLiquidationResult:
    """Liquidation prices of a cross account when several positions move with one price.

    The positions flagged in ``moving`` (for example a hedge-mode long and short on the same
    symbol, or contracts on one underlying) are all marked at a common price ``x``; the others are
    held at ``prices``. The margin surplus ``equity(x) - MM(x) - fee(x)`` may have a root on each
    side of the mark (a mixed book can fail on a rise and on a fall), so it is scanned on a
    logarithmic grid from ``mark / span`` to ``mark * span`` and each sign change nearest the mark
    refined with :func:`bracketed_root`.

    Parameters
    ----------
    account : Account
    prices : array
        Current mark of each position; the moving ones must share one mark.
    moving : array of bool
        Which positions move with the common price.
    fee_rate : float
        Closing-fee rate on the moving positions' notional.
    span : float
        Search range factor (> 1, at most 1e100).
    grid : int
        Number of scan points (an integer >= 3).

    Returns
    -------
    CrossLiquidationResult

    Raises
    ------
    ArgumentTypeError
        ``account`` not an :class:`Account`, ``grid`` not an integer, non-numeric arguments.
    ValueError
        Naming the argument: ``prices`` not one positive price per position, ``moving`` not one
        bool per position with at least one True, moving positions with different marks,
        ``fee_rate`` outside [0, 1), ``span`` <= 1, ``grid`` < 3.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    Examples
    --------
    A hedge-mode pair on one symbol, 2 long at 100 and 1 short at 110, wallet 20, MMR 1%: a net
    long of 1, so the account fails only on a fall. Equity is
    ``20 + 2(x - 100) - (x - 110) = x - 70`` and maintenance ``0.01 * 3x``, so the root is
    ``70 / 0.97``:

    >>> from liqlib import Position, Side
    >>> acct = Account(20, [Position(Side.LONG, 2, 100, 0.01), Position(Side.SHORT, 1, 110, 0.01)])
    >>> r = account_liquidation_prices(acct, [100, 100], [True, True])
    >>> round(r.lower, 6), r.upper
    (72.164948, nan)
    """
    if not isinstance(account, Account):
        raise v.ArgumentTypeError(f"account must be an Account, got {type(account).__name__}")
    p = account._prices(prices)
    mask = np.asarray(moving)
    if mask.dtype != np.bool_:
        raise v.ArgumentTypeError(
            f"moving must be an array of bool (one per position), got dtype {mask.dtype}"
        )
    mask = mask.reshape(-1)
    if mask.size != p.size or not mask.any():
        raise ValueError(f"moving must flag at least one of the {p.size} positions, got {moving!r}")
    n_grid = v.integer("grid", grid, low=3)
    span_f = v.one("span", v.bounded("span", span, 1.0, 1e100, low_open=True))
    marks = p[mask]
    if not np.allclose(marks, marks[0], rtol=1e-12, atol=0):
        raise ValueError(f"prices of the moving positions must be equal, got {marks.tolist()}")
    f = v.one("fee_rate", v.rate("fee_rate", fee_rate))
    fixed = [i for i in range(p.size) if not mask[i]]
    fixed_state = 0.0
    for i in fixed:
        pos = account.positions[i]
        fixed_state += float(pos.pnl(p[i])) - float(pos.maintenance_margin(p[i]))
    movers = [account.positions[int(i)] for i in np.flatnonzero(mask)]

    def surplus(x: FloatArray) -> FloatArray:
        total = np.full(np.shape(x), float(account.wallet_balance) + fixed_state)
        for pos in movers:
            total += (
                np.asarray(pos.pnl(x))
                - np.asarray(pos.maintenance_margin(x))
                - f * np.asarray(pos.notional(x))
            )
        return total

    mark = float(marks[0])
    xs = mark * np.logspace(-np.log10(span_f), np.log10(span_f), n_grid)
    xs = np.union1d(xs, [mark])
    g = surplus(xs)
    at = int(np.searchsorted(xs, mark))
    sign_change = np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:]))
    below = sign_change[sign_change < at]
    above = sign_change[sign_change >= at]
    lower = (
        float(bracketed_root(surplus, xs[below[-1]], xs[below[-1] + 1]))
        if below.size
        else float("nan")
    )
    upper = (
        float(bracketed_root(surplus, xs[above[0]], xs[above[0] + 1]))
        if above.size
        else float("nan")
    )
    return CrossLiquidationResult(lower=lower, upper=upper)
