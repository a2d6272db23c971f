"""Fuzz the public functions of ``liqlib.engine``, ``liqlib.systemic``, ``liqlib.stress`` and
``liqlib.venues`` with arbitrary floats, ints, strings, None, bools and arrays (hypothesis).

As in ``test_fuzz.py`` (core and prices), every call ends in one of two ways: a
``TypeError``/``ValueError`` whose message names one of the arguments passed, or a finite result
that satisfies the function's invariants (a fill never beyond its ladder or below price 0, a
queue that is a permutation, a fee never above the surplus...). A raw NumPy message, another
exception type, a RuntimeWarning (the suite turns warnings into errors) or a silently wrong
answer fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liqlib.engine import (
    BUY,
    SELL,
    LevelLadder,
    PowerLawLadder,
    ResilientBook,
    adl,
    execute,
    policies,
)
from liqlib.systemic import burn, cascades, costs, insurance
from liqlib.venues import binance, bitmex, bybit, dydx, hyperliquid, okx

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

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
anything = st.one_of(scalars, arrays)
maybe_bad = st.one_of(nice_positive, nice_positive, anything)  # mostly valid, often not
sides = st.one_of(st.sampled_from([1, -1]), anything)


def outcome(call: Callable[..., Any], /, **kwargs: Any) -> Any:
    """The result, or None when the call was refused with a message naming an argument."""
    try:
        return call(**kwargs)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        assert any(name in message for name in kwargs), (
            f"{getattr(call, '__name__', call)}({kwargs!r}) raised {type(exc).__name__} naming "
            f"no argument: {message}"
        )
        assert "could not convert" not in message and "Mismatch is between" not in message
        return None


def finite(x: Any) -> bool:
    return bool(np.all(np.isfinite(np.asarray(x, dtype=np.float64))))


@FUZZ
@given(depth=maybe_bad, alpha=st.one_of(st.floats(0.2, 5), anything),
       max_distance=st.one_of(st.floats(0.01, 10), anything), side=sides, quantity=maybe_bad,
       mid=maybe_bad)
def test_execute_never_fills_beyond_the_ladder_or_below_zero(
    depth, alpha, max_distance, side, quantity, mid
) -> None:
    ladder = outcome(PowerLawLadder, depth=depth, alpha=alpha, max_distance=max_distance)
    if ladder is None:
        return
    fill = outcome(execute, ladder=ladder, side=side, quantity=quantity, mid=mid)
    if fill is None:
        return
    q, filled = np.broadcast_arrays(np.asarray(quantity, dtype=float), fill.quantity)
    assert np.all(filled >= 0) and np.all(filled <= q * (1 + 1e-12))
    assert np.all(filled <= ladder.capacity * (1 + 1e-12))
    done = np.asarray(fill.quantity) > 0
    vwap = np.asarray(fill.vwap, dtype=float)
    worst = np.asarray(fill.worst_price, dtype=float)
    assert finite(vwap[done]) and finite(worst)
    assert np.all(vwap[done] >= 0) and np.all(worst >= 0)  # a price is never negative
    m = np.broadcast_to(np.asarray(mid, dtype=float), vwap.shape)
    sgn = float(side)
    # a buy fills at or above mid, a sell at or below it, and the VWAP between mid and the worst
    assert np.all(sgn * (vwap[done] - m[done]) >= -1e-9 * m[done])
    assert np.all(sgn * (worst.reshape(vwap.shape)[done] - vwap[done]) >= -1e-9 * m[done])


@FUZZ
@given(prices=st.lists(nice_positive, min_size=1, max_size=4),
       sizes=st.lists(maybe_bad, min_size=1, max_size=4), mid=maybe_bad, quantity=maybe_bad)
def test_level_ladder_fills_at_listed_prices(prices, sizes, mid, quantity) -> None:
    ladder = outcome(LevelLadder.from_prices, prices=prices, sizes=sizes, mid=mid)
    if ladder is None:
        return
    side = SELL if np.all(np.asarray(prices) < float(mid)) else BUY
    fill = outcome(execute, ladder=ladder, side=side, quantity=quantity, mid=mid)
    if fill is None or not np.all(np.asarray(fill.quantity) > 0):
        return
    lo, hi = min(prices), max(prices)
    vwap = np.asarray(fill.vwap)
    assert np.all(vwap >= lo * (1 - 1e-9)) and np.all(vwap <= hi * (1 + 1e-9))


@FUZZ
@given(half_life=anything, dt=anything)
def test_resilient_book_refills_never_below_zero(half_life, dt) -> None:
    book = outcome(ResilientBook, bids=PowerLawLadder(10.0), asks=PowerLawLadder(10.0),
                   half_life=half_life)
    if book is None:
        return
    book.execute(SELL, 5.0, 100.0)
    before = book.consumed_bids
    if outcome(book.advance, dt=dt) is None and book.consumed_bids == before:
        return
    assert 0 <= book.consumed_bids <= before


@FUZZ
@given(scores=st.one_of(st.lists(any_float, max_size=6), anything))
def test_adl_queue_is_a_permutation(scores) -> None:
    order = outcome(adl.adl_queue, scores=scores)
    if order is None:
        return
    s = np.asarray(scores, dtype=float).reshape(-1)
    assert sorted(order.tolist()) == list(range(s.size))
    assert np.all(s[order][:-1] >= s[order][1:])  # highest score first


@FUZZ
@given(n=st.one_of(st.integers(-3, 50), anything), seed=st.integers(0, 2**32))
def test_random_queue_is_a_permutation_of_integers(n, seed) -> None:
    order = outcome(adl.random_queue, n=n, rng=seed)
    if order is None:
        return
    assert order.dtype.kind == "i" and sorted(order.tolist()) == list(range(n))


@FUZZ
@given(sizes=st.one_of(st.lists(st.floats(0, 1e6), max_size=5), anything), needed=maybe_bad)
def test_queue_allocation_takes_what_is_needed(sizes, needed) -> None:
    taken = outcome(adl.queue_allocation, sizes=sizes, needed=needed)
    if taken is None:
        return
    q = np.asarray(sizes, dtype=float).reshape(-1)
    assert np.all(taken >= 0) and np.all(taken <= q * (1 + 1e-12))
    assert math.isclose(float(taken.sum()), min(float(needed), float(q.sum())), rel_tol=1e-9,
                        abs_tol=1e-9)


@FUZZ
@given(rate=st.one_of(st.floats(0, 0.05), anything), surplus=maybe_bad, notional=maybe_bad,
       policy=st.sampled_from(["rate", "capped", "forfeit", "none"]))
def test_fees_are_finite_and_capped_by_surplus_where_documented(
    rate, surplus, notional, policy
) -> None:
    if policy == "rate":
        fee_policy = outcome(policies.RateOnNotional, rate=rate)
    elif policy == "capped":
        fee_policy = outcome(policies.CappedBySurplus, max_rate=rate)
    else:
        fee_policy = policies.ForfeitSurplus() if policy == "forfeit" else policies.NoFee()
    if fee_policy is None:
        return
    fee = outcome(fee_policy.fee, surplus=surplus, notional=notional)
    if fee is None:
        return
    assert math.isfinite(fee) and fee >= 0 or (policy == "rate" and float(notional) < 0)
    if policy in ("capped", "forfeit"):
        assert fee <= max(float(surplus), 0.0)


@FUZZ
@given(shock=st.one_of(st.floats(-0.5, 0.5), anything), price=maybe_bad,
       depth=st.floats(0.1, 1e3), fund=st.one_of(st.floats(0, 1e6), anything))
def test_cascade_settles_at_or_beyond_the_shock(shock, price, depth, fund) -> None:
    pop = cascades.Population.from_positions(
        [1.0, 1.0, -1.0, 1.0], [1.0, 2.0, 1.0, 3.0], [100.0, 101.0, 100.0, 99.0],
        [10.0, 20.0, 5.0, 50.0]
    )
    got = outcome(cascades.cascade, population=pop, price=price, shock=shock,
                  ladder=PowerLawLadder(depth), fund=fund)
    if got is None:
        return
    start = float(price)
    shocked = start * (1 + float(shock))
    assert math.isfinite(got.price) and got.price >= 0
    assert got.amplification >= 1 - 1e-9  # liquidations never undo the shock
    assert np.sign(got.price - start) == np.sign(shocked - start)
    assert 0 <= got.count <= len(pop)


@FUZZ
@given(lengths=st.lists(st.integers(1, 3), min_size=6, max_size=6))
def test_population_of_mismatched_lengths_is_refused(lengths) -> None:
    fields = [np.ones(n) for n in lengths]
    pop = outcome(cascades.Population, side=fields[0], size=fields[1], entry_price=fields[2],
                  leverage=fields[3], liquidation=fields[4], bankruptcy=fields[5])
    assert (pop is None) == (len(set(lengths)) > 1)


@FUZZ
@given(quantity=maybe_bad, volume=maybe_bad, vol=maybe_bad)
def test_square_root_impact_is_finite_and_nonnegative(quantity, volume, vol) -> None:
    got = outcome(costs.square_root_impact, quantity=quantity, daily_volume=volume,
                  daily_volatility=vol)
    if got is not None:
        assert finite(got) and np.all(np.asarray(got) >= 0)


@FUZZ
@given(deficits=st.one_of(st.lists(st.floats(0, 1e9), min_size=1, max_size=6), anything),
       fund=maybe_bad)
def test_adl_probability_is_a_probability(deficits, fund) -> None:
    got = outcome(insurance.adl_probability, deficits=deficits, fund=fund)
    if got is not None:
        assert finite(got) and np.all((np.asarray(got) >= 0) & (np.asarray(got) <= 1))


@FUZZ
@given(budget=maybe_bad, token_price=maybe_bad, depth=st.floats(1, 1e6))
def test_buyback_spends_at_most_the_budget(budget, token_price, depth) -> None:
    got = outcome(burn.buyback, budget=budget, token_price=token_price,
                  ladder=PowerLawLadder(depth, max_distance=10.0))
    if got is None:
        return
    assert finite(got.spent) and finite(got.tokens)
    assert np.all(np.asarray(got.spent) <= np.asarray(budget, dtype=float) * (1 + 1e-9))
    assert np.all(np.asarray(got.tokens) >= 0)


@FUZZ
@given(side=sides, size=maybe_bad, entry=maybe_bad, leverage=maybe_bad,
       mmr=st.one_of(st.floats(1e-4, 0.2), anything), funding=st.one_of(st.floats(-0.01, 0.01),
                                                                          anything))
def test_bitmex_liquidation_price_lies_between_entry_and_bankruptcy(
    side, size, entry, leverage, mmr, funding
) -> None:
    got = outcome(bitmex.liquidation_price, side=side, size=size, entry_price=entry,
                  leverage=leverage, maint_margin=mmr, funding_rate=funding)
    if got is None:
        return
    price = np.asarray(got.price, dtype=float)
    ok = np.isfinite(price)
    assert np.all(price[ok] > 0)


@FUZZ
@given(side=sides, size=maybe_bad, entry=maybe_bad, leverage=maybe_bad,
       mmr=st.one_of(st.floats(1e-4, 0.2), anything), deduction=st.one_of(st.floats(0, 1e3),
                                                                           anything))
def test_bybit_maintenance_margin_is_never_negative(side, size, entry, leverage, mmr,
                                                    deduction) -> None:
    got = outcome(bybit.maintenance_margin, position_value=size, mmr=mmr,
                  mm_deduction=deduction)
    if got is not None:
        assert finite(got) and np.all(np.asarray(got) >= 0)


@FUZZ
@given(e=maybe_bad, s=st.one_of(st.floats(-10, 10), anything), p=maybe_bad,
       mmf=st.one_of(st.floats(0.01, 0.2), anything), mmr_o=st.one_of(st.floats(0, 100),
                                                                       anything))
def test_dydx_liquidation_price_is_positive_or_none(e, s, p, mmf, mmr_o) -> None:
    got = outcome(dydx.liquidation_price, e=e, s=s, p=p, mmf=mmf, mmr_o=mmr_o)
    if got is not None:
        price = np.asarray(got, dtype=float)
        assert np.all(np.isnan(price) | (price > 0))


@FUZZ
@given(side=sides, position=maybe_bad, mark=maybe_bad, rate=st.one_of(st.floats(-0.01, 0.01),
                                                                       anything))
def test_binance_funding_fee_sign(side, position, mark, rate) -> None:
    got = outcome(binance.funding_fee, side=side, position=position, mark_price=mark,
                  funding_rate=rate)
    if got is None:
        return
    assert finite(got)
    s, r, g = np.broadcast_arrays(np.asarray(side, dtype=float), np.asarray(rate, dtype=float),
                                  np.asarray(got, dtype=float))
    assert np.all((g == 0) | (np.sign(g) == np.sign(s * r)) | (np.sign(g) == -np.sign(s * r)))


@FUZZ
@given(price=maybe_bad, side=sides, size=maybe_bad, margin=maybe_bad,
       max_leverage=st.one_of(st.floats(1, 50), anything))
def test_hyperliquid_liquidation_price(price, side, size, margin, max_leverage) -> None:
    got = outcome(hyperliquid.liquidation_price, price=price, side=side, position_size=size,
                  margin_available=margin, max_leverage=max_leverage)
    if got is None:
        return
    liq = np.asarray(got.price, dtype=float)
    assert np.all(np.isnan(liq) | (liq > 0))


@FUZZ
@given(side=sides, contracts=maybe_bad, avg_px=maybe_bad, margin=maybe_bad,
       mmr=st.one_of(st.floats(1e-3, 0.1), anything))
def test_okx_liquidation_price(side, contracts, avg_px, margin, mmr) -> None:
    got = outcome(okx.liquidation_price, side=side, contracts=contracts, avg_px=avg_px,
                  margin=margin, ct_val=0.01, fee_rate=5e-4, mmr=mmr)
    if got is None:
        return
    liq = np.asarray(getattr(got, "price", got), dtype=float)
    assert np.all(np.isnan(liq) | (liq > 0))


# --- the chapters' read-outs (issue 16): one position, a response curve, quotes, a breach ---------


@FUZZ
@given(side=sides, size=maybe_bad, entry=maybe_bad, leverage=maybe_bad,
       drop=st.floats(0.0, 0.2))
def test_isolated_trader_and_its_outcome(side, size, entry, leverage, drop) -> None:
    from liqlib.engine import Engine, flat_book, isolated_trader, liquidation_outcome

    trader = outcome(isolated_trader, side=side, size=size, entry=entry, leverage=leverage)
    if trader is None:
        return
    assert trader.wallet_balance == trader.isolated_margin >= 0
    if not 1e-3 <= trader.size * trader.entry_price <= 1e12 or not 1 <= float(leverage) <= 100:
        return
    engine = Engine([trader], trader.entry_price, rules="binance", maintenance=0.004,
                    book=flat_book(10 * trader.size, half_life=5.0), insurance_fund=1e15)
    engine.run(trader.entry_price * (1 - trader.side * drop * np.linspace(0.1, 1.0, 10)))
    r = liquidation_outcome(engine, trader)
    scale = max(1.0, trader.wallet_balance)
    assert abs(r.untouched - r.cost + r.avoided - r.equity) <= 1e-6 * scale


@FUZZ
@given(shocks=st.one_of(st.floats(0.0, 0.99), st.lists(st.floats(0.0, 0.99), max_size=4),
                        anything),
       price=maybe_bad, direction=sides)
def test_cascade_response_is_at_least_the_shock(shocks, price, direction) -> None:
    pop = cascades.Population.from_positions([1.0, -1.0, 1.0], [1.0, 2.0, 3.0], 100.0,
                                             [10.0, 20.0, 5.0])
    move = outcome(cascades.cascade_response, population=pop, price=price,
                   ladder=PowerLawLadder(1.0), shocks=shocks, direction=direction)
    if move is None:
        return
    s = np.asarray(shocks, dtype=float)
    assert finite(move) and np.all(np.asarray(move) >= s - 1e-12)
    if float(direction) < 0:
        assert np.all(np.asarray(move) <= 1.0)


@FUZZ
@given(forward=maybe_bad, vol=st.one_of(st.floats(0.05, 3.0), anything),
       width=st.one_of(st.none(), st.floats(0.0, 0.1), anything))
def test_chain_quotes_ask_at_least_the_bid(forward, vol, width) -> None:
    from liqlib.stress import chain_quotes

    quotes = outcome(chain_quotes, forward=forward, strike=[0.8 * 50_000, 50_000.0], time=0.1,
                     vol=vol, kind="put", width=width)
    if quotes is None:
        return
    bid, ask = (np.asarray(q, dtype=float) for q in quotes)
    if width is None:
        assert np.isnan(bid).all() and np.isnan(ask).all()
    else:
        assert np.all(bid >= 0) and np.all(ask >= bid - 1e-15)


@FUZZ
@given(price=maybe_bad, within=st.one_of(st.floats(0.01, 0.99), anything), direction=sides)
def test_breach_price_is_where_equity_meets_maintenance(price, within, direction) -> None:
    from liqlib.stress import OptionAccounts, account_margin, breach_price

    one = OptionAccounts(np.array([0]), np.array(["put"]), np.array([60_000.0]),
                         np.array([30 / 365]), np.array([1.0]), np.array([0.6]),
                         np.array([0.3]))
    p = outcome(breach_price, accounts=one, price=price, within=within, direction=direction)
    if p is None:
        return
    m = account_margin(one, p)
    assert p > 0 and abs(m.equity[0] - m.maintenance[0]) < 1e-9
