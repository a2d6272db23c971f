"""Fuzz the public functions of ``liqlib.core`` and ``liqlib.prices`` with arbitrary floats, ints,
strings, None, bools, arrays of any length and ragged nests (hypothesis, seeded by the database).

Every call must end in one of two ways: a ``TypeError``/``ValueError`` whose message names one of
the arguments passed, or a result that is finite (``nan`` only where the function documents it)
and satisfies the function's invariants. A raw NumPy message, another exception type, a
RuntimeWarning (the suite turns warnings into errors) or a silently wrong answer fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import liqlib.core as core
from liqlib.prices import averages, funding, index, mark, paths

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
any_float = st.floats(allow_nan=True, allow_infinity=True)
nice_positive = st.floats(1e-6, 1e9)
scalars = st.one_of(
    any_float,
    nice_positive,
    st.integers(-(10**3), 10**3),
    st.integers(10**18, 10**400),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
    st.complex_numbers(max_magnitude=10),
)
arrays = st.lists(st.one_of(any_float, nice_positive), min_size=0, max_size=4)
ragged = st.lists(st.lists(nice_positive, max_size=3), min_size=1, max_size=3)
anything = st.one_of(scalars, arrays, ragged)
maybe_bad = st.one_of(nice_positive, nice_positive, anything)  # mostly valid, often not


def outcome(call: Callable[..., Any], /, **kwargs: Any) -> Any:
    """The result, or None when the call was refused with a message naming an argument."""
    func = call
    try:
        return func(**kwargs)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        assert any(name in message for name in kwargs), (
            f"{func.__name__}({kwargs!r}) raised {type(exc).__name__} naming no argument: "
            f"{message}"
        )
        assert "could not convert" not in message and "Mismatch is between" not in message
        return None


def finite(x: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(x, dtype=np.float64))))


@FUZZ
@given(size=maybe_bad, price=maybe_bad, kind=st.sampled_from(["linear", "inverse", "x", 3]),
       cv=maybe_bad)
def test_notional(size, price, kind, cv) -> None:
    got = outcome(core.notional, size=size, price=price, kind=kind, contract_value=cv)
    if got is not None:
        assert finite(got) and np.all(np.asarray(got) > 0)


@FUZZ
@given(side=st.one_of(st.sampled_from([1, -1]), anything), size=maybe_bad, entry=maybe_bad,
       price=maybe_bad)
def test_pnl(side, size, entry, price) -> None:
    got = outcome(core.pnl, side=side, size=size, entry_price=entry, price=price)
    if got is not None:
        assert finite(got)
        # The sign of the PnL is the side times the sign of the move.
        s, e, p = np.broadcast_arrays(side, entry, price)
        sign = np.sign(np.asarray(got))
        assert np.all((sign == 0) | (sign == np.sign(s * (p - e))))


@FUZZ
@given(price=maybe_bad, tick=maybe_bad, direction=st.sampled_from(["up", "down", "sideways"]))
def test_round_to_tick(price, tick, direction) -> None:
    got = outcome(core.round_to_tick, price=price, tick=tick, direction=direction)
    if got is not None:
        assert finite(got)
        p, t, r = np.broadcast_arrays(price, tick, got)
        moved = (r - p) if direction == "up" else (p - r)
        assert np.all(moved >= -1e-9 * t - 1e-12 * np.abs(p))
        assert np.all(moved <= t * (1 + 1e-9) + 1e-12 * np.abs(p))


@FUZZ
@given(side=st.one_of(st.sampled_from([1, -1, 1.0]), anything), size=maybe_bad, entry=maybe_bad,
       leverage=maybe_bad, mmr=st.one_of(st.floats(1e-4, 0.5), anything),
       fee=st.one_of(st.just(0.0), st.floats(0, 0.01), anything),
       kind=st.sampled_from(["linear", "inverse"]))
def test_liquidation_price(side, size, entry, leverage, mmr, fee, kind) -> None:
    got = outcome(core.liquidation_price, side=side, size=size, entry_price=entry,
                  leverage=leverage, mmr=mmr, fee_rate=fee, kind=kind)
    if got is None:
        return
    price = np.asarray(got.price)
    liq = np.asarray(got.liquidatable)
    assert np.array_equal(np.isnan(price), ~liq)
    assert np.all(price[liq] > 0) and finite(price[liq])
    assert np.all(np.asarray(got.tier)[liq] >= 1)
    # Opened with leverage (positive collateral): "cannot be liquidated" and "below maintenance"
    # never hold together (issue 15's 1e-300 example returned both).
    assert not np.any(~liq & np.asarray(got.below_maintenance))
    bankrupt = np.asarray(got.bankruptcy_price)
    assert np.all(np.isnan(bankrupt) | (bankrupt > 0))


@FUZZ
@given(side=st.lists(st.sampled_from([1.0, -1.0, 0.0, math.nan]), min_size=1, max_size=5),
       size=st.lists(st.one_of(nice_positive, any_float), min_size=1, max_size=5),
       leverage=st.one_of(st.floats(0.5, 200), any_float))
def test_liquidation_price_errors_nan(side, size, leverage) -> None:
    n = min(len(side), len(size))
    got = outcome(core.liquidation_price, side=side[:n], size=size[:n], entry_price=100.0,
                  leverage=leverage, mmr=0.01, errors="nan")
    if got is None:
        return
    valid = np.asarray(got.valid)
    q = np.asarray(size[:n])
    with np.errstate(invalid="ignore", over="ignore"):
        n_entry = q * 100.0  # the notional at entry must lie in float's safe range, as must
        collateral = n_entry / leverage if leverage else np.inf  # the collateral from it
        ok = (np.abs(side[:n]) == 1) & np.isfinite(q) & (q > 0)
        for derived in (n_entry, collateral):
            ok &= (derived >= 1e-200) & (derived <= 1e200)
    if math.isfinite(leverage) and 0 < leverage < 1e6:  # collateral in float's safe range
        assert np.array_equal(valid, ok)
    assert np.all(np.isnan(np.asarray(got.price))[~valid])


@FUZZ
@given(maintenance=maybe_bad, equity=st.one_of(finite_floats, anything))
def test_margin_ratio(maintenance, equity) -> None:
    got = outcome(core.margin_ratio, maintenance=maintenance, equity=equity)
    if got is not None:
        r = np.asarray(got)
        assert not np.any(np.isnan(r)) and np.all(r >= 0)
        eq = np.broadcast_to(np.asarray(equity, dtype=float), r.shape)
        assert np.all(np.isinf(r) == (eq <= 0) | np.isinf(r))


@FUZZ
@given(lo=st.one_of(st.floats(-10, 0), anything), hi=st.one_of(st.floats(1, 10), anything),
       xtol=st.one_of(st.just(1e-12), anything), maxiter=st.one_of(st.integers(-3, 300), anything))
def test_bracketed_root(lo, hi, xtol, maxiter) -> None:
    got = outcome(core.bracketed_root, func=lambda x: x - 0.5, lo=lo, hi=hi, xtol=xtol,
                  maxiter=maxiter)
    if got is not None:
        tol = float(xtol)
        assert np.all(np.abs(np.asarray(got) - 0.5) <= max(tol, 1e-15) * 2 + 1e-15)


@FUZZ
@given(floors=st.one_of(st.lists(st.floats(0, 1e9), max_size=4), anything),
       mmrs=st.one_of(st.lists(st.floats(1e-4, 0.9), max_size=4), anything))
def test_maintenance_amounts(floors, mmrs) -> None:
    got = outcome(core.maintenance_amounts, floors=floors, mmrs=mmrs)
    if got is not None:
        assert finite(got) and got[0] == 0 and np.all(np.diff(got) > 0)


@FUZZ
@given(premium=st.one_of(st.floats(-1, 1), anything), interest=st.one_of(st.floats(-0.01, 0.01),
       anything), clamp=st.one_of(st.floats(0, 0.01), anything))
def test_funding_rate(premium, interest, clamp) -> None:
    got = outcome(funding.funding_rate, premium=premium, interest=interest, clamp=clamp)
    if got is not None:
        f, p, i = np.broadcast_arrays(got, premium, interest)
        # F lies between the premium and the interest rate, within the clamp of the premium (up
        # to the rounding of P + (I - P) at the scale of the inputs).
        tol = 1e-15 + 4 * np.finfo(float).eps * np.maximum(np.abs(p), np.abs(i))
        assert np.all((f >= np.minimum(p, i) - tol) & (f <= np.maximum(p, i) + tol))
        assert np.all(np.abs(f - p) <= float(clamp) + tol)


@FUZZ
@given(times=st.one_of(st.lists(st.floats(-1e9, 1e9), max_size=4), anything),
       interval=st.one_of(st.floats(1, 1e5), anything), offset=st.one_of(st.floats(-1e6, 1e6),
       anything))
def test_time_to_funding(times, interval, offset) -> None:
    got = outcome(mark.time_to_funding, times=times, funding_interval=interval, offset=offset)
    if got is not None:
        assert finite(got)
        assert np.all((np.asarray(got) >= 0) & (np.asarray(got) <= float(interval)))


@FUZZ
@given(a=maybe_bad, b=maybe_bad, c=maybe_bad)
def test_median_of_three(a, b, c) -> None:
    got = outcome(mark.median_of_three, a=a, b=b, c=c)
    if got is not None:
        x, y, z, m = np.broadcast_arrays(a, b, c, got)
        assert np.all((m == x) | (m == y) | (m == z))
        assert np.all(m >= np.minimum(np.minimum(x, y), z))


@FUZZ
@given(prices=st.one_of(st.lists(nice_positive, min_size=1, max_size=4), anything),
       sizes=st.one_of(st.lists(nice_positive, min_size=1, max_size=4), anything),
       notional=maybe_bad)
def test_impact_price(prices, sizes, notional) -> None:
    got = outcome(funding.impact_price, prices=prices, sizes=sizes, notional_value=notional)
    if got is not None:
        p = np.asarray(prices, dtype=float)
        assert p.min() * (1 - 1e-12) <= got <= p.max() * (1 + 1e-12)


@FUZZ
@given(values=st.one_of(st.lists(finite_floats, min_size=1, max_size=5), anything),
       window=st.one_of(st.integers(-2, 6), anything))
def test_moving_average(values, window) -> None:
    got = outcome(averages.moving_average, samples=values, window=window)
    if got is not None:
        x = np.asarray(values, dtype=float)
        span = max(1.0, float(np.max(np.abs(x))))
        assert finite(got)
        assert np.all(got >= x.min() - 1e-9 * span) and np.all(got <= x.max() + 1e-9 * span)


@FUZZ
@given(values=st.one_of(st.lists(finite_floats, min_size=1, max_size=5), anything),
       weights=st.one_of(st.none(), st.lists(st.floats(0, 10), min_size=1, max_size=5), anything))
def test_weighted_median(values, weights) -> None:
    got = outcome(averages.weighted_median, values=values, weights=weights)
    if got is not None:
        x = np.asarray(values, dtype=float)
        got = np.asarray(got)  # one median per row when values is two-dimensional
        assert np.all(x.min() <= got) and np.all(got <= x.max())


@FUZZ
@given(prices=st.one_of(st.lists(nice_positive, min_size=1, max_size=5), anything),
       threshold=st.one_of(st.floats(0.001, 0.5), anything),
       rule=st.sampled_from(["exclude", "clip", "none", "other"]))
def test_index_price(prices, threshold, rule) -> None:
    got = outcome(index.index_price, prices=prices, threshold=threshold, rule=rule)
    if got is not None:
        p = np.asarray(prices, dtype=float)
        index_price = np.asarray(got.price)
        assert np.all(p.min() * (1 - 1e-12) <= index_price)
        assert np.all(index_price <= p.max() * (1 + 1e-12))


@FUZZ
@given(s0=maybe_bad, sigma=st.one_of(st.floats(0, 3), anything),
       n=st.one_of(st.integers(-1, 50), anything))
def test_gbm(s0, sigma, n) -> None:
    got = outcome(paths.gbm, s0=s0, sigma=sigma, n=n, seed=1)
    if got is not None:
        assert got.shape == (n,) and finite(got) and np.all(got > 0) and got[0] == float(s0)


@pytest.mark.parametrize("value", [1e300, 1e-300])
def test_issue_examples_refused(value: float) -> None:
    with pytest.raises(ValueError, match="entry_price"):
        core.liquidation_price(1, 1e300 if value > 1 else 1.0, value, leverage=10)
