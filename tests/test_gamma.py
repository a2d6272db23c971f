"""The gamma feedback loop (liqlib.stress.gamma): hedging P&L, margin, the closed form, the
cascade."""

from __future__ import annotations

import math

import numpy as np
import pytest

import liqlib.systemic.cascades as cc
from liqlib.engine import flat_book, flat_ladder
from liqlib.prices import black76_greeks, black76_price, black_scholes_greeks, black_scholes_price
from liqlib.stress.gamma import (
    OptionAccounts,
    SpotVolRule,
    account_margin,
    feedback_multiplier,
    gamma_cascade,
    generate_option_accounts,
    stress_pnl,
)
from liqlib.venues import deribit

PRICE = 60_000.0


def one_leg(kind: str = "put", strike: float = PRICE, size: float = 1.0,
            collateral: float = 0.0, days: float = 30.0) -> OptionAccounts:
    return OptionAccounts(np.array([0]), np.array([kind]), np.array([strike]),
                          np.array([days / 365]), np.array([size]), np.array([0.6]),
                          np.array([collateral]))


@pytest.fixture(scope="module")
def sellers() -> OptionAccounts:
    return generate_option_accounts(600, PRICE, seed=11, cushion=0.3)


# --- hedging P&L --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["call", "put"])
@pytest.mark.parametrize("move", [-0.002, 0.001, 0.003])
def test_delta_hedged_pnl_is_half_gamma_move_squared(kind: str, move: float) -> None:
    # Hull's ch. 19 option: long it, short delta of the underlying, move the spot a little.
    s, k, t, r, vol = 49.0, 50.0, 20 / 52, 0.05, 0.20
    g = black_scholes_greeks(s, k, t, r, vol, kind)
    ds = s * move
    pnl = black_scholes_price(s + ds, k, t, r, vol, kind) - g.price - g.delta * ds
    assert pnl == pytest.approx(0.5 * g.gamma * ds**2, rel=0.02)
    # and for the short side the engine inherits: it loses the same
    assert -pnl < 0


def test_book_delta_and_gamma_are_derivatives_of_its_value(sellers: OptionAccounts) -> None:
    def value(s: float) -> float:  # USD value of what was sold (a liability)
        return float((sellers.size * black76_price(s, sellers.strike, sellers.expiry, 0.0,
                                                   sellers.vol, sellers.kind)).sum())

    h = 1.0
    assert sellers.delta(PRICE) == pytest.approx(-(value(PRICE + h) - value(PRICE - h)) / (2 * h),
                                                 rel=1e-6)
    fd_gamma = -(value(PRICE + 10) - 2 * value(PRICE) + value(PRICE - 10)) / 100
    assert sellers.gamma(PRICE) == pytest.approx(fd_gamma, rel=1e-4)
    assert sellers.gamma(PRICE) < 0  # short options are short gamma


# --- margin -------------------------------------------------------------------------------------


@pytest.mark.parametrize("reading", deribit.MARK_READINGS)
def test_standard_margin_is_the_rule_as_read(sellers: OptionAccounts, reading: str) -> None:
    m = account_margin(sellers, PRICE, reading=reading)
    mark = black76_price(PRICE, sellers.strike, sellers.expiry, 0.0, sellers.vol, sellers.kind,
                         settlement="inverse")
    rule = deribit.short_option_margin(sellers.kind, sellers.strike, PRICE, mark)
    less = mark if reading == "net" else 0.0  # "net" reads "+ mark" as already in the equity
    want = np.bincount(sellers.account, sellers.size * (rule.maintenance - less))
    assert np.allclose(m.maintenance, want, rtol=1e-12, atol=0)
    assert np.allclose(m.equity, sellers.collateral - np.bincount(sellers.account,
                                                                   sellers.size * mark))
    # the generator opens every account above its requirement under the reading it used
    assert not account_margin(sellers, PRICE).breached.any()


def test_documented_reading_counts_the_mark_twice() -> None:
    # One short call with C per contract: C - M against 0.075 + M, so M* = (C - 0.075) / 2;
    # net of the mark, M* = C - 0.075.
    c = 0.2
    for reading, m_star in (("documented", (c - 0.075) / 2), ("net", c - 0.075)):
        per = deribit.standard_option_requirement("call", 90_000, PRICE, m_star, -1,
                                                  reading=reading)
        assert c - m_star == pytest.approx(per.maintenance, abs=1e-15)


@pytest.mark.parametrize("reading", deribit.MARK_READINGS)
def test_pm_initial_margin_is_the_stated_multiple(sellers: OptionAccounts, reading) -> None:
    m = account_margin(sellers, PRICE, rule="portfolio", initial_factor=1.25, reading=reading)
    np.testing.assert_allclose(m.initial, 1.25 * m.maintenance, rtol=1e-15)
    default = account_margin(sellers, PRICE, rule="portfolio")
    np.testing.assert_allclose(default.initial, deribit.PM_INITIAL_FACTOR * default.maintenance)
    with pytest.raises(ValueError, match="initial_factor"):
        account_margin(sellers, PRICE, rule="portfolio", initial_factor=0.9)
    with pytest.raises(ValueError, match="reading"):
        account_margin(sellers, PRICE, reading="twice")


def test_pm_accounts_start_with_the_headroom_the_factor_gives() -> None:
    base = dict(seed=5, rule="portfolio", cushion=0.0)
    for factor in (1.0, 1.5):
        acc = generate_option_accounts(200, PRICE, initial_factor=factor, **base)
        m = account_margin(acc, PRICE, rule="portfolio")
        np.testing.assert_allclose(m.equity, factor * m.maintenance, rtol=1e-12)


@pytest.mark.parametrize("parameters", [*deribit.LEGACY_PM, deribit.CURRENT_PM_EXAMPLE])
def test_vectorized_grid_equals_portfolio_margin(sellers: OptionAccounts, parameters) -> None:
    price = 0.93 * PRICE
    m = account_margin(sellers, price, rule="portfolio", parameters=parameters)
    for a in range(25):
        legs = sellers.account == a
        ref = deribit.portfolio_margin(
            sellers.kind[legs], -sellers.size[legs], price, strike=sellers.strike[legs],
            days_to_expiration=sellers.expiry[legs] * 365, iv=sellers.vol[legs],
            parameters=parameters,
        )
        assert m.maintenance[a] == pytest.approx(ref.margin, rel=1e-12, abs=1e-15)
        assert m.maintenance[a] >= ref.worst_loss >= 0


def test_generated_portfolio_accounts_start_solvent() -> None:
    acc = generate_option_accounts(300, PRICE, seed=3, rule="portfolio")
    assert not account_margin(acc, PRICE, rule="portfolio").breached.any()


# --- the closed form ----------------------------------------------------------------------------


def test_feedback_multiplier_values() -> None:
    assert feedback_multiplier(0, 10, 1, 1) == 1.0
    assert feedback_multiplier(0.5, 1, 1, 1) == 2.0
    assert feedback_multiplier(1.0, 1, 1, 1) == math.inf
    out = feedback_multiplier([0.1, 0.5, 2.0], 1, 1, 1)
    assert out.tolist() == pytest.approx([1 / 0.9, 2.0, math.inf])


@pytest.mark.parametrize("size", [1_000.0, 4_000.0, 8_000.0])
@pytest.mark.parametrize("shock", [-1e-5, 1e-5])
def test_small_shock_limit_matches_closed_form(size: float, shock: float) -> None:
    depth = 400.0
    book = one_leg(size=size)
    gamma = float(black76_greeks(PRICE, PRICE, 30 / 365, 0.0, 0.6, "put").gamma)
    want = feedback_multiplier(0.01 / depth, size, gamma, PRICE)
    # the closed form is the USD delta hedge's
    run = gamma_cascade(None, PRICE, shock, flat_ladder(depth), hedged_book=book, hedge="usd")
    assert run.converged
    assert run.amplification == pytest.approx(want, rel=2e-4)
    # the engine sold into the fall (bought into the rise): short gamma is pro-cyclical
    assert math.copysign(1, run.hedge_position + book.delta(PRICE)) == math.copysign(1, shock)


# --- the cascade --------------------------------------------------------------------------------


def test_no_options_is_the_futures_cascade() -> None:
    pop = cc.generate_population(3_000, PRICE, seed=5, entry_dispersion=0.01)
    ladder = flat_ladder(0.1 * float(pop.size[pop.side > 0].sum()))
    for shock in (-0.01, -0.02, 0.015):
        ref = cc.cascade(pop, PRICE, shock, ladder)
        run = gamma_cascade(None, PRICE, shock, ladder, futures=pop)
        assert run.converged and run.count == 0 and run.hedge_volume == 0
        assert run.futures_count == ref.count
        assert run.futures_quantity == pytest.approx(ref.quantity, rel=1e-12)
        assert run.price == pytest.approx(ref.price, rel=1e-12)
        assert run.amplification == pytest.approx(ref.amplification, rel=1e-9)


def test_amplification_at_least_one_and_monotone(sellers: OptionAccounts) -> None:
    oi = sellers.open_interest
    scales = [0.25, 0.5, 1.0, 2.0, 4.0]
    for shock in (-0.1, -0.2):
        amps = [gamma_cascade(sellers.scaled(f), PRICE, shock, flat_ladder(0.5 * oi))
                .amplification for f in scales]
        assert min(amps) >= 1 - 1e-12
        assert np.all(np.diff(amps) >= -1e-9), amps  # more short gamma, more amplification
        deep = [gamma_cascade(sellers, PRICE, shock, flat_ladder(d * oi)).amplification
                for d in (0.1, 0.3, 1.0, 3.0)]
        assert np.all(np.diff(deep) <= 1e-9), deep  # deeper book, less amplification
    assert amps[-1] > amps[0] > 1  # the 20% fall sets off takeovers at every scale here


def test_takeovers_breach_and_hedge(sellers: OptionAccounts) -> None:
    run = gamma_cascade(sellers, PRICE, -0.2, flat_ladder(0.5 * sellers.open_interest))
    assert run.count > 0 and run.count == np.unique(run.liquidated).size
    final = account_margin(sellers, run.price)
    open_ = np.setdiff1d(np.arange(sellers.n_accounts), run.liquidated)
    assert not final.breached[open_].any()  # nobody left open is in breach at the end
    held = np.isin(sellers.account, run.liquidated)
    # the default hedge keeps the coin value flat: the premium-adjusted delta
    assert run.hedge_position == pytest.approx(
        -sellers.delta(run.price, held, premium_adjusted=True), rel=1e-6)


def test_slow_hedging_with_resilience_damps() -> None:
    book = one_leg(size=8_000.0)
    fast = gamma_cascade(None, PRICE, -0.02, flat_book(400, half_life=5.0), hedged_book=book)
    slow = gamma_cascade(None, PRICE, -0.02, flat_book(400, half_life=5.0), hedged_book=book,
                         hedge_fraction=0.05)
    frozen = gamma_cascade(None, PRICE, -0.02, flat_ladder(400), hedged_book=book,
                           hedge_fraction=0.05)
    assert 1 < slow.amplification < fast.amplification
    instant = gamma_cascade(None, PRICE, -0.02, flat_ladder(400), hedged_book=book)
    # with a book that never refills, speed does not change where it ends
    assert frozen.price == pytest.approx(instant.price, rel=1e-7)


def test_priority_and_budget(sellers: OptionAccounts) -> None:
    pop = cc.generate_population(2_000, PRICE, seed=8, entry_dispersion=0.01, leverage_scale=0.3)
    ladder = flat_ladder(0.5 * sellers.open_interest)
    runs = {p: gamma_cascade(sellers, PRICE, -0.15, ladder, futures=pop, priority=p,
                             max_order=20.0) for p in ("options", "futures")}
    unlimited = gamma_cascade(sellers, PRICE, -0.15, ladder, futures=pop)
    for run in runs.values():
        assert run.converged and run.futures_count > 0 and run.count > 0
        # a book that never refills ends at the same fixed point whatever the order
        assert run.price == pytest.approx(unlimited.price, rel=1e-6)
        assert run.steps > unlimited.steps


def test_book_argument_is_not_modified() -> None:
    book = flat_book(100, half_life=10.0)
    gamma_cascade(None, PRICE, -0.01, book, hedged_book=one_leg(size=500.0))
    assert book.consumed_bids == 0 and book.consumed_asks == 0


# --- seeds and bad input ------------------------------------------------------------------------


def test_seeded_reproducibility() -> None:
    a = generate_option_accounts(200, PRICE, seed=42)
    b = generate_option_accounts(200, PRICE, seed=42)
    c = generate_option_accounts(200, PRICE, seed=43)
    for field in ("account", "strike", "expiry", "size", "collateral"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.strike[:50], c.strike[:50])
    r1 = gamma_cascade(a, PRICE, -0.2, flat_ladder(50))
    r2 = gamma_cascade(b, PRICE, -0.2, flat_ladder(50))
    assert np.array_equal(r1.path, r2.path) and np.array_equal(r1.liquidated, r2.liquidated)
    g = generate_option_accounts(200, PRICE, seed=np.random.default_rng(42))
    assert np.array_equal(g.size, a.size)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"shock": 0.0}, "shock"),
        ({"shock": -1.0}, "shock"),
        ({"hedge_fraction": 0.0}, "hedge_fraction"),
        ({"hedge_fraction": 1.5}, "hedge_fraction"),
        ({"max_order": 0.0}, "max_order"),
        ({"priority": "calls"}, "priority"),
        ({"rule": "cross"}, "rule"),
        ({"parameters": "nope"}, "parameters"),
        ({"price": -1.0}, "price"),
        ({"dt": 0.0}, "dt"),
        ({"max_steps": 0}, "max_steps"),
        ({"tol": 0.0}, "tol"),
    ],
)
def test_gamma_cascade_bad_input(kwargs: dict, match: str) -> None:
    args = {"price": PRICE, "shock": -0.05}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        gamma_cascade(one_leg(collateral=1.0), args.pop("price"), args.pop("shock"),
                      flat_ladder(10), **args)


def test_option_accounts_bad_input() -> None:
    good = {"account": np.array([0, 0, 1]), "kind": np.array(["put", "call", "put"]),
            "strike": np.full(3, PRICE), "expiry": np.full(3, 0.1), "size": np.ones(3),
            "vol": np.full(3, 0.5), "collateral": np.ones(2)}
    OptionAccounts(**good)
    for name, bad, match in [
        ("size", np.array([1.0, -1.0, 1.0]), "size"),
        ("expiry", np.array([0.1, 0.0, 0.1]), "expiry"),
        ("vol", np.array([0.5, np.nan, 0.5]), "vol"),
        ("kind", np.array(["put", "future", "put"]), "kind"),
        ("strike", np.full(2, PRICE), "strike"),
        ("account", np.array([0, 2, 2]), "account"),
        ("account", np.array([1, 0, 0]), "account"),
        ("collateral", np.ones(3), "collateral"),
        ("collateral", np.array([1.0, -1.0]), "collateral"),
    ]:
        with pytest.raises(ValueError, match=match):
            OptionAccounts(**{**good, name: bad})
    with pytest.raises(ValueError, match="factor"):
        OptionAccounts(**good).scaled(0)


def test_generator_and_closed_form_bad_input() -> None:
    with pytest.raises(ValueError, match="n"):
        generate_option_accounts(0, PRICE, seed=1)
    with pytest.raises(ValueError, match="weights"):
        generate_option_accounts(10, PRICE, seed=1, weights=(0, 0, 0))
    with pytest.raises(ValueError, match="vol"):
        generate_option_accounts(10, PRICE, seed=1, vol=-0.2)
    with pytest.raises(ValueError, match="rule"):
        generate_option_accounts(10, PRICE, seed=1, rule="isolated")
    with pytest.raises(ValueError, match="impact"):
        feedback_multiplier(-1e-4, 1, 1, 1)
    with pytest.raises(ValueError, match="price"):
        feedback_multiplier(1e-4, 1, 1, 0)
    with pytest.raises(ValueError, match="price"):
        account_margin(one_leg(), 0.0)


# --- coin hedging, the fund, who holds gamma, volatility that moves -----------------------------


def test_premium_adjusted_delta_is_the_coin_value_derivative(sellers: OptionAccounts) -> None:
    h = 1.0
    slope = -(sellers.coin_value(PRICE + h) - sellers.coin_value(PRICE - h)) / (2 * h)
    assert sellers.delta(PRICE, premium_adjusted=True) == pytest.approx(PRICE * slope, rel=1e-6)
    # for short puts the coin hedge sells more than the USD delta says: Delta - V/F < Delta
    puts = sellers.kind == "put"
    assert sellers.delta(PRICE, puts, premium_adjusted=True) > sellers.delta(PRICE, puts)


def test_holder_moves_gamma_and_the_fund_not_the_path(sellers: OptionAccounts) -> None:
    book = flat_ladder(0.3 * sellers.open_interest)
    mm = gamma_cascade(sellers, PRICE, -0.2, book)
    engine = gamma_cascade(sellers, PRICE, -0.2, book, holder="engine")
    assert np.array_equal(mm.path, engine.path) and mm.count == engine.count > 0
    assert mm.short_gamma == pytest.approx(engine.short_gamma) and mm.short_gamma < 0
    assert mm.deficit >= 0 and mm.fund_pnl == -mm.deficit
    assert engine.fund_pnl != mm.fund_pnl and math.isfinite(engine.fund_pnl)


def test_usd_hedge_counts_the_collateral_taken_over(sellers: OptionAccounts) -> None:
    book = flat_ladder(0.3 * sellers.open_interest)
    coin = gamma_cascade(sellers, PRICE, -0.2, book)
    usd = gamma_cascade(sellers, PRICE, -0.2, book, hedge="usd")
    held = np.isin(sellers.account, usd.liquidated)
    # the coins taken over are a long: the USD hedger sells them on top of the options' delta
    assert usd.hedge_position < -sellers.delta(usd.price, held)
    assert usd.hedge_position != coin.hedge_position


def test_a_crash_that_raises_vol_takes_over_more(sellers: OptionAccounts) -> None:
    book = flat_ladder(0.3 * sellers.open_interest)
    sticky = gamma_cascade(sellers, PRICE, -0.1, book)
    steep = gamma_cascade(sellers, PRICE, -0.1, book,
                          spot_vol=SpotVolRule("steepening", beta=1.0, skew=2.0))
    assert steep.count > sticky.count
    with pytest.raises(ValueError, match="spot_vol"):
        gamma_cascade(sellers, PRICE, -0.1, book, spot_vol="steep")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name must be one of"):
        SpotVolRule("sticky_delta")


def test_stress_pnl_adds_up_and_splits(sellers: OptionAccounts) -> None:
    rule = SpotVolRule("steepening", beta=1.0, skew=2.0)
    shift = rule.shift(0.9 * PRICE, PRICE, sellers.strike)
    p = stress_pnl(sellers, PRICE, 0.9 * PRICE, shift)
    parts = p.delta + p.gamma + p.vega + p.vanna + p.volga + p.residual
    assert parts == pytest.approx(p.total, rel=1e-12)
    assert p.gamma < 0 and p.vega < 0  # sellers lose on both when a crash raises vol
    flat = stress_pnl(sellers, PRICE, 0.9 * PRICE)
    assert flat.vega == flat.vanna == flat.volga == 0.0
    small = stress_pnl(sellers, PRICE, 0.999 * PRICE, 0.001)
    assert abs(small.residual) < 1e-3 * abs(small.total)


@pytest.mark.parametrize("kind", ["put", "call"])
def test_coin_hedge_small_shock_matches_the_premium_adjusted_gamma(kind: str) -> None:
    # The closed form holds for the coin hedge with Gamma - Delta/F + V/F^2 in place of Gamma.
    book = one_leg(kind=kind, size=4_000.0)
    depth = 400.0
    coin_gamma = -book.gamma(PRICE, premium_adjusted=True) / 4_000.0
    want = feedback_multiplier(0.01 / depth, 4_000.0, coin_gamma, PRICE)
    run = gamma_cascade(None, PRICE, -1e-5, flat_ladder(depth), hedged_book=book)
    assert run.amplification == pytest.approx(want, rel=2e-4)
    h = 1.0
    slope = (book.delta(PRICE + h, premium_adjusted=True)
             - book.delta(PRICE - h, premium_adjusted=True)) / (2 * h)
    assert book.gamma(PRICE, premium_adjusted=True) == pytest.approx(slope, rel=1e-6)
