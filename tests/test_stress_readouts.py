"""Read-outs of the stress layer that chapters use: the price at which an option book first
breaches (liqlib.stress.breach_price), a quoted chain (chain_quotes) and a mark comparison as a
table (comparison_rows)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from liqlib.prices import implied_vol
from liqlib.stress import (
    COMPARISON_COLUMNS,
    MarkRule,
    OptionAccounts,
    OptionPortfolio,
    OptionPosition,
    VolSurface,
    account_margin,
    breach_price,
    chain_quotes,
    compare_marks,
    comparison_rows,
    mark_quoted_chain,
)

PRICE = 60_000.0


def accounts(kinds: list[str], strikes: list[float], cushions: list[float]) -> OptionAccounts:
    # one 30-day leg per account at 60% volatility, collateral = initial margin + cushion
    n = len(kinds)
    book = OptionAccounts(np.arange(n), np.array(kinds), np.array(strikes), np.full(n, 30 / 365),
                          np.ones(n), np.full(n, 0.6), np.zeros(n))
    initial = account_margin(book, PRICE).initial
    return replace(book, collateral=initial + np.array(cushions))


def slack(book: OptionAccounts, price: float, **kw: str) -> np.ndarray:
    m = account_margin(book, price, **kw)
    return m.equity - m.maintenance


@pytest.mark.parametrize("reading", ["documented", "net"])
def test_a_put_seller_breaches_where_equity_meets_maintenance(reading: str) -> None:
    one = accounts(["put"], [PRICE], [0.0])
    p = breach_price(one, PRICE, reading=reading)
    assert p < PRICE
    assert abs(slack(one, p, reading=reading)[0]) < 1e-9
    assert slack(one, p * (1 + 1e-6), reading=reading)[0] > 0
    assert slack(one, p * (1 - 1e-6), reading=reading)[0] < 0


def test_a_call_seller_breaches_on_a_rise() -> None:
    one = accounts(["call"], [PRICE], [0.01])
    p = breach_price(one, PRICE, direction=+1)
    assert p > PRICE and abs(slack(one, p)[0]) < 1e-9
    with pytest.raises(ValueError, match="within"):
        breach_price(one, PRICE, direction=+1, within=1e-4)


def test_a_book_breaches_at_its_first_account() -> None:
    kinds, strikes = ["put", "put", "call"], [PRICE, 55_000.0, 65_000.0]
    cushions = [0.0, 0.02, 0.05]
    book = accounts(kinds, strikes, cushions)
    alone = [breach_price(accounts([k], [s], [c]), PRICE) for k, s, c in
             zip(kinds[:2], strikes[:2], cushions[:2], strict=True)]
    assert breach_price(book, PRICE) == pytest.approx(max(alone), rel=1e-12)


def test_the_portfolio_rule_breaches_elsewhere() -> None:
    one = accounts(["put"], [PRICE], [0.05])
    standard = breach_price(one, PRICE)
    portfolio = breach_price(one, PRICE, rule="portfolio")
    assert abs(slack(one, portfolio, rule="portfolio")[0]) < 1e-9
    assert portfolio != pytest.approx(standard)


def test_bad_searches_are_refused_by_name() -> None:
    one = accounts(["put"], [PRICE], [0.0])
    broke = replace(one, collateral=np.array([0.0]))
    with pytest.raises(ValueError, match="sound"):
        breach_price(broke, PRICE)
    with pytest.raises(ValueError, match="within"):
        breach_price(one, PRICE, within=1.0)
    with pytest.raises(ValueError, match="direction"):
        breach_price(one, PRICE, direction=0)
    with pytest.raises(ValueError, match="reading"):
        breach_price(one, PRICE, reading="gross")
    with pytest.raises(TypeError, match="accounts"):
        breach_price("book", PRICE)  # type: ignore[arg-type]


def test_chain_quotes_bracket_the_smile_by_the_width() -> None:
    strikes = np.arange(30_000, 70_001, 10_000, dtype=float)
    vols = np.linspace(0.9, 0.7, strikes.size)
    kinds = np.where(strikes < 50_000, "put", "call")
    bid, ask = chain_quotes(50_000, strikes, 30 / 365, vols, kinds, width=0.04)
    assert np.allclose(implied_vol(bid, 50_000, strikes, 30 / 365, 0.0, kinds,
                                   settlement="inverse"), vols - 0.02)
    assert np.allclose(implied_vol(ask, 50_000, strikes, 30 / 365, 0.0, kinds,
                                   settlement="inverse"), vols + 0.02)
    same = chain_quotes(50_000, strikes, 30 / 365, vols, kinds, width=0.0)
    assert np.array_equal(same[0], same[1])
    none_bid, none_ask = chain_quotes(50_000, strikes, 30 / 365, vols, kinds, width=None)
    assert none_bid.shape == strikes.shape and np.isnan(none_bid).all() and np.isnan(none_ask).all()
    with pytest.raises(ValueError, match="width"):
        chain_quotes(50_000, strikes, 30 / 365, vols, kinds, width=1.5)
    with pytest.raises(ValueError, match="width"):
        chain_quotes(50_000, strikes, 30 / 365, vols, kinds, width=-0.01)


def test_a_wider_chain_falls_back_to_the_model_strike_by_strike() -> None:
    strikes = np.arange(30_000, 80_001, 5_000, dtype=float)
    kinds = np.where(strikes < 50_000, "put", "call")
    vols = VolSurface(1.10, 0.80, skew=-0.08, curvature=0.03).vol(50_000, strikes, 30 / 365)
    rule = MarkRule(cap=1.0, bounds="book_quality")
    counts = [int(np.sum(mark_quoted_chain(50_000, strikes, 30 / 365, vols, kinds, width=w,
                                           rule=rule).from_book))
              for w in (0.02, 0.05, 0.1, 0.2, 0.4, None)]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0 and counts[-1] == 0
    tight = mark_quoted_chain(50_000, strikes, 30 / 365, vols, kinds, width=0.02, rule=rule)
    bid, ask = chain_quotes(50_000, strikes, 30 / 365, vols, kinds, width=0.02)
    assert np.array_equal(tight.mid, 0.5 * (bid + ask))


def test_comparison_rows_show_both_views() -> None:
    book = OptionPortfolio([OptionPosition("put", 40_000, 30 / 365, -10)])
    case = compare_marks(2.0, book, 42_000, [0.0404], [0.0999])
    rows = comparison_rows(case, digits=2)
    assert len(COMPARISON_COLUMNS) == len(rows[0]) == len(rows[1])
    model = case.model
    assert rows[0][:3] == ["model marks", f"{model.equity:.2f}", f"{model.maintenance:.2f}"]
    assert (rows[0][-1], rows[1][-1]) == ("no", "yes")
    broke = compare_marks(0.5, book, 42_000, [0.0404], [0.0999])   # owes more than it holds
    assert broke.truth.equity < 0 and comparison_rows(broke)[1][3] == "∞"
    with pytest.raises(TypeError, match="case"):
        comparison_rows(case.model)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="digits"):
        comparison_rows(case, digits=-1)
