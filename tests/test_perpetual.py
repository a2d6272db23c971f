"""Inverse and quanto perpetual prices (liqlib.prices.perpetual) beside the linear ones.

Published cases: QuantLib's ``test-suite/perpetualfutures.cpp`` (Hiroto Ogawa, 2025) prices seven
perpetuals, spot 10,000, r = 4%, q = 2%, funding 1% per quarter (discrete) or 0.2 per year
(continuous), interest differential 0.005, against the Ackerer-Hugonnier-Jermann closed forms it
writes out term by term: eq. (12) and the current-spot variant for linear contracts, Prop. 2 and its
current-spot variant for inverse ones, Props. 3 and 4 in continuous time. The expected values
below are those expressions, written as QuantLib writes them (not through liqlib's own algebra).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from liqlib.prices import inverse_perpetual_price, perpetual_price, quanto_perpetual_price

S, R, Q, I_DIFF = 10_000.0, 0.04, 0.02, 0.005

# payoff, funding on, period in years (None: continuous), funding rate k
QUANTLIB_CASES = [
    ("linear", "previous", 0.25, 0.01),
    ("linear", "current", 0.25, 0.01),
    ("inverse", "previous", 0.25, 0.01),
    ("inverse", "current", 0.25, 0.01),
    ("linear", "previous", None, 0.2),
    ("inverse", "previous", None, 0.2),
]


def quantlib_expected(payoff: str, funding_on: str, dt: float | None, k: float) -> float:
    if dt is None:
        if payoff == "linear":
            return S * (k - I_DIFF) / (Q - R + k)                       # Prop. 3
        return S * (R - Q + k) / (k - I_DIFF)                           # Prop. 4
    er, eq = math.exp(R * dt), math.exp(Q * dt)
    if payoff == "linear" and funding_on == "previous":                 # eq. (12)
        return S * (k - I_DIFF) * eq / (eq - er + k * eq)
    if payoff == "linear":
        return S * (k - I_DIFF) * er / (eq - er + k * er)
    if funding_on == "previous":                                        # Prop. 2
        return S * (er - eq + k * er) / (k - I_DIFF) / er
    return S * (er - eq + k * eq) / (k - I_DIFF) / eq


@pytest.mark.parametrize(("payoff", "funding_on", "dt", "k"), QUANTLIB_CASES)
def test_quantlib_closed_forms(payoff: str, funding_on: str, dt: float | None, k: float) -> None:
    price = perpetual_price if payoff == "linear" else inverse_perpetual_price
    got = price(S, kappa=k, iota=I_DIFF, r=R, q=Q, period=dt, funding_on=funding_on)
    assert got == pytest.approx(quantlib_expected(payoff, funding_on, dt, k), rel=1e-12)


@pytest.mark.parametrize("period", [None, 8 / 8760, 0.25])
def test_inverse_agrees_with_linear_to_first_order(period: float | None) -> None:
    # With iota = 0 and r > q both trade above spot, the inverse one a convexity term lower.
    kappa = 0.3 if period is None else (0.01 if period < 0.01 else 0.1)
    kw = {"kappa": kappa, "r": 0.05, "q": 0.0, "period": period}
    linear, inverse = perpetual_price(S, **kw), inverse_perpetual_price(S, **kw)
    assert S < inverse < linear
    if period is None:
        assert linear - inverse == pytest.approx(S * 0.05**2 / (kappa * (kappa - 0.05)))
    # and with r = q, iota = 0 both equal spot
    assert inverse_perpetual_price(S, kappa=kappa, period=period) == pytest.approx(S)


def test_inverse_is_linear_on_the_reciprocal_with_rates_swapped() -> None:
    x = np.array([2e4, 5e4, 1e5])
    linear = perpetual_price(1 / x, kappa=0.05, iota=0.001, r=0.01, q=0.06, period=1 / 365)
    inverse = inverse_perpetual_price(x, kappa=0.05, iota=0.001, r=0.06, q=0.01, period=1 / 365)
    np.testing.assert_allclose(inverse * linear, 1.0, rtol=1e-13)


def test_inverse_bad_input() -> None:
    with pytest.raises(ValueError, match="iota must be below kappa"):
        inverse_perpetual_price(S, kappa=0.01, iota=0.01)
    with pytest.raises(ValueError, match="spot"):
        inverse_perpetual_price(-1.0, kappa=0.1)


def test_quanto_without_correlation_is_linear() -> None:
    for period in (None, 8 / 8760):
        kw = {"kappa": 0.5 if period is None else 0.01, "iota": 0.0, "r": 0.03, "q": 0.01,
              "period": period}
        assert quanto_perpetual_price(S, correlation=0.0, vol=0.8, settlement_vol=0.6,
                                      **kw) == perpetual_price(S, **kw)


def test_quanto_change_of_measure_by_monte_carlo() -> None:
    # Continuous funding prices the perpetual as a future with an exponential maturity T
    # (rate kappa), marked in the settlement coin: f = (kappa - iota) / kappa * E^B[x_T]. Under
    # the USD measure, E^B[x_T] = E[x_T * X_T / X_0 * exp((r_B - r) T)] with X the coin's USD
    # price (drift r - r_B). Simulate that, independently of the closed form's algebra.
    rng = np.random.default_rng(20261203)
    n, kappa, iota, r, r_b, q = 400_000, 2.0, 0.1, 0.03, 0.01, 0.0
    rho, vol, vol_b = 0.8, 0.8, 0.6
    t = rng.exponential(1 / kappa, n)
    z1 = rng.standard_normal(n)
    z2 = rho * z1 + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    x_t = S * np.exp((r - q - 0.5 * vol**2) * t + vol * np.sqrt(t) * z1)
    ratio = np.exp((r - r_b - 0.5 * vol_b**2) * t + vol_b * np.sqrt(t) * z2)   # X_T / X_0
    sample = (kappa - iota) / kappa * x_t * ratio * np.exp((r_b - r) * t)
    estimate, error = sample.mean(), sample.std(ddof=1) / math.sqrt(n)
    closed = quanto_perpetual_price(S, kappa=kappa, iota=iota, r=r, q=q, correlation=rho,
                                    vol=vol, settlement_vol=vol_b)
    assert abs(estimate - closed) < 4 * error
    linear = perpetual_price(S, kappa=kappa, iota=iota, r=r, q=q)
    assert closed - linear > 10 * error  # the covariance term is visible, not noise


def test_quanto_bad_input() -> None:
    with pytest.raises(ValueError, match="correlation"):
        quanto_perpetual_price(S, kappa=1.0, correlation=1.5, vol=0.5, settlement_vol=0.5)
    with pytest.raises(ValueError, match="settlement_vol"):
        quanto_perpetual_price(S, kappa=1.0, correlation=0.5, vol=0.5, settlement_vol=-0.1)
