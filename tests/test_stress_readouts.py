"""Read-outs of the stress layer that chapters use: the price at which an option book first
breaches (liqlib.stress.breach_price), a quoted chain (chain_quotes) and a mark comparison as a
table (comparison_rows)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from liqlib.stress import OptionAccounts, account_margin, breach_price

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
