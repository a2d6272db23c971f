"""The perpetual's price under the venues' clamped funding (liqlib.prices.perpetual_price_clamped).

The venues' rule is "Funding Rate (F) = Premium Index (P) + clamp (Interest Rate (I) - Premium
Index (P), 0.05%, -0.05%)" (Binance, Bybit, Hyperliquid). Its limit must be a stationary price of
AHJ's costless-marking recursion with that rule in place of kappa * premium + iota, checked here
against :func:`liqlib.prices.funding_rate`, an independent implementation of the rule.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.prices import funding_rate, perpetual_price, perpetual_price_clamped

DT = 8 / 8760


def test_without_a_band_it_is_ahj_with_no_interest() -> None:
    for r in (0.0, 0.05, -0.1):
        fp = perpetual_price_clamped(100.0, iota=0.0001, clamp=0.0, r=r, period=DT)
        assert fp.price == pytest.approx(perpetual_price(100.0, kappa=1.0, r=r, period=DT),
                                         rel=1e-12)


def test_the_band_edges() -> None:
    # carry below iota: the lower edge, premium (carry - gamma) / (1 - carry)
    carry = math.expm1(0.05 * DT)
    low = perpetual_price_clamped(100.0, r=0.05, period=DT)
    assert low.price / 100 - 1 == pytest.approx((carry - 0.0005) / (1 - carry), rel=1e-9)
    assert round(1e4 * (1 - low.price / 100), 2) == 4.54
    # carry above iota: the upper edge, (carry + gamma) / (1 - carry)
    carry = math.expm1(0.2 * DT)
    high = perpetual_price_clamped(100.0, r=0.2, period=DT)
    assert high.price / 100 - 1 == pytest.approx((carry + 0.0005) / (1 - carry), rel=1e-9)


def test_iota_that_pays_the_carry_pins_spot() -> None:
    fp = perpetual_price_clamped(100.0, iota=math.expm1(0.05 * DT), r=0.05, period=DT)
    assert fp.price == 100.0 and fp.iterations == 1


def test_history_starts_at_spot() -> None:
    fp = perpetual_price_clamped(250.0, r=0.05, period=DT)
    assert fp.history[0] == 250.0 and fp.history[-1] == fp.price
    assert fp.history.size <= fp.iterations + 1


@settings(max_examples=60, deadline=None)
@given(r=st.floats(-0.5, 0.5), iota=st.floats(-0.001, 0.001), clamp=st.floats(0.0, 0.002),
       kappa=st.floats(0.2, 2.0), spot=st.floats(1.0, 1e5))
def test_the_limit_is_stationary_under_the_venues_rule(r, iota, clamp, kappa, spot) -> None:
    fp = perpetual_price_clamped(spot, iota=iota, clamp=clamp, kappa=kappa, r=r, period=DT)
    lam = fp.price / spot
    g = math.exp(r * DT)
    # zero expected gain: lam * g - lam - F(premium) = 0, with the rule applied to kappa * premium
    rate = funding_rate(kappa * (lam - 1), interest=iota, clamp=clamp)
    assert lam * g - lam - rate == pytest.approx(0.0, abs=1e-11)
    # a price inside the band pays iota: only possible when iota pays the carry exactly
    assert abs(lam - 1) <= abs(iota) / kappa + clamp / kappa + abs(g - 1) * 3 / kappa + 1e-9


@pytest.mark.parametrize(("kwargs", "name"), [
    (dict(clamp=-0.001), "clamp"),
    (dict(kappa=0.0), "kappa"),
    (dict(period=-1.0), "period"),
])
def test_bad_arguments_are_named(kwargs, name) -> None:
    with pytest.raises(ValueError, match=name):
        perpetual_price_clamped(100.0, **{"period": DT, **kwargs})


def test_spot_must_be_positive() -> None:
    with pytest.raises(ValueError, match="spot"):
        perpetual_price_clamped(-1.0, period=DT)


def test_no_convergence_is_refused() -> None:
    with pytest.raises(ValueError, match="max_iter"):
        perpetual_price_clamped(100.0, r=0.05, period=DT, max_iter=3)
