"""Black–Scholes and Black-76 prices and Greeks (liqlib.options).

Each number is checked four ways, as FinancePy's best tests do: pinned to a published value,
against a closed-form identity (put–call parity, the two models agreeing), against finite
differences of the price, and in structure (signs, limits, broadcasting).

Published values:

* Hull, *Options, Futures, and Other Derivatives*, 9th ed. (2015). Example 15.6: S = 42, K = 40,
  r = 10%, sigma = 20%, T = 0.5 gives c = 4.76 and p = 0.81 (printed to 2 dp; our 4.7594 and
  0.8086). Chapter 19 (The Greek Letters), the running example S = 49, K = 50, r = 5%,
  sigma = 20%, T = 20 weeks = 0.3846: price 2.40, Delta 0.522, Gamma 0.066, vega 12.1, Theta
  -4.31 per year.
* Haug, *The Complete Guide to Option Pricing Formulas*, 2nd ed. (2007), as tabulated with
  tolerance 1e-4 in QuantLib's ``test-suite/europeanoption.cpp``: call S = 60, K = 65, T = 0.25,
  r = 8%, sigma = 30% is 2.1334; Black-76 F = K = 19, T = 0.75, r = 10%, sigma = 28% is 1.7011 for
  the call and the put; futures-option delta F = 105, K = 100, T = 0.5, r = 10%, sigma = 36% is
  0.5946 (call) and -0.3566 (put); S = 55, K = 60, T = 0.75, r = 10%, sigma = 30% has Gamma
  0.0278 and vega 18.9358; the put S = 430, K = 405, T = 1/12, r = 7%, q = 5%, sigma = 20% has
  Theta -31.1924 per year (-0.0855 per day).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib import options as opt

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")


class TestPublishedValues:
    def test_hull_example_15_6(self) -> None:
        call = opt.black_scholes_price(42, 40, 0.5, 0.10, 0.20, "call")
        put = opt.black_scholes_price(42, 40, 0.5, 0.10, 0.20, "put")
        assert round(call, 2) == 4.76 and round(put, 2) == 0.81
        assert call == pytest.approx(4.7594, abs=5e-5)
        assert put == pytest.approx(0.8086, abs=5e-5)

    def test_hull_chapter_19_greeks(self) -> None:
        g = opt.black_scholes_greeks(49, 50, 20 / 52, 0.05, 0.20, "call")
        assert round(g.price, 2) == 2.40
        assert round(g.delta, 3) == 0.522
        assert round(g.gamma, 3) == 0.066
        assert round(g.vega, 1) == 12.1
        assert round(g.theta, 2) == -4.31

    def test_haug_call(self) -> None:
        assert opt.black_scholes_price(60, 65, 0.25, 0.08, 0.30) == pytest.approx(2.1334, abs=1e-4)

    def test_haug_black76_at_the_money(self) -> None:
        for kind in ("call", "put"):
            price = opt.black76_price(19, 19, 0.75, 0.10, 0.28, kind)
            assert price == pytest.approx(1.7011, abs=1e-4)

    def test_haug_futures_delta(self) -> None:
        assert opt.black76_greeks(105, 100, 0.5, 0.10, 0.36, "call").delta == pytest.approx(
            0.5946, abs=1e-4
        )
        assert opt.black76_greeks(105, 100, 0.5, 0.10, 0.36, "put").delta == pytest.approx(
            -0.3566, abs=1e-4
        )

    def test_haug_gamma_and_vega(self) -> None:
        for kind in ("call", "put"):
            g = opt.black_scholes_greeks(55, 60, 0.75, 0.10, 0.30, kind)
            assert g.gamma == pytest.approx(0.0278, abs=1e-4)
            assert g.vega == pytest.approx(18.9358, abs=1e-4)

    def test_haug_put_theta_with_dividend_yield(self) -> None:
        g = opt.black_scholes_greeks(430, 405, 1 / 12, 0.07, 0.20, "put", dividend_yield=0.05)
        assert g.theta == pytest.approx(-31.1924, abs=1e-4)
        assert g.theta / 365 == pytest.approx(-0.0855, abs=1e-4)

    def test_normal_cdf(self) -> None:
        assert opt.normal_cdf(0.0) == 0.5
        assert opt.normal_cdf(1.959963984540054) == pytest.approx(0.975, abs=1e-15)
        assert opt.normal_cdf(-1.0) + opt.normal_cdf(1.0) == pytest.approx(1.0, abs=1e-15)
        assert opt.normal_cdf(-40.0) == 0.0 and opt.normal_cdf(40.0) == 1.0


spots = st.floats(10.0, 1e5)
moneyness = st.floats(0.5, 2.0)
times = st.floats(1 / 365, 3.0)
rates = st.floats(-0.02, 0.15)
vols = st.floats(0.05, 1.5)
kinds = st.sampled_from(["call", "put"])
settlements = st.sampled_from(["linear", "inverse"])


class TestIdentities:
    @given(spots, moneyness, times, rates, vols, st.floats(0.0, 0.1))
    def test_put_call_parity_black_scholes(self, s, m, t, r, vol, q) -> None:
        k = s * m
        c = opt.black_scholes_price(s, k, t, r, vol, "call", dividend_yield=q)
        p = opt.black_scholes_price(s, k, t, r, vol, "put", dividend_yield=q)
        assert c - p == pytest.approx(s * math.exp(-q * t) - k * math.exp(-r * t), abs=1e-9 * s)

    @given(spots, moneyness, times, rates, vols)
    def test_put_call_parity_black76_inverse(self, f, m, t, r, vol) -> None:
        # In coin: (C - P) / F = exp(-rT) (1 - K/F).
        k = f * m
        c = opt.black76_price(f, k, t, r, vol, "call", settlement="inverse")
        p = opt.black76_price(f, k, t, r, vol, "put", settlement="inverse")
        assert c - p == pytest.approx(math.exp(-r * t) * (1 - k / f), abs=1e-12)

    @given(spots, moneyness, times, rates, vols, kinds, st.floats(0.0, 0.1))
    def test_black_scholes_is_black76_on_the_forward(self, s, m, t, r, vol, kind, q) -> None:
        f = s * math.exp((r - q) * t)
        bs = opt.black_scholes_greeks(s, s * m, t, r, vol, kind, dividend_yield=q)
        b76 = opt.black76_greeks(f, s * m, t, r, vol, kind)
        carry = math.exp((r - q) * t)
        assert bs.price == pytest.approx(b76.price, rel=1e-10, abs=1e-12 * s)
        assert bs.delta == pytest.approx(b76.delta * carry, rel=1e-10, abs=1e-14)
        assert bs.gamma == pytest.approx(b76.gamma * carry**2, rel=1e-9, abs=1e-300)
        assert bs.vega == pytest.approx(b76.vega, rel=1e-10, abs=1e-12 * s)

    @given(spots, moneyness, times, rates, vols, kinds)
    def test_price_bounds(self, s, m, t, r, vol, kind) -> None:
        k = s * m
        price = opt.black_scholes_price(s, k, t, r, vol, kind)
        omega = 1 if kind == "call" else -1
        lower = max(omega * (s - k * math.exp(-r * t)), 0.0)
        upper = s if kind == "call" else k * math.exp(-r * t)
        assert lower - 1e-9 * s <= price <= upper + 1e-9 * s

    def test_inverse_price_is_linear_over_underlying(self) -> None:
        usd = opt.black76_price(50_000, 60_000, 30 / 365, 0.0, 0.6)
        btc = opt.black76_price(50_000, 60_000, 30 / 365, 0.0, 0.6, settlement="inverse")
        assert btc == pytest.approx(usd / 50_000, rel=1e-15)

    def test_inverse_coin_delta_is_delta_minus_coin_price(self) -> None:
        lin = opt.black76_greeks(50_000, 45_000, 0.1, 0.0, 0.7, "put")
        inv = opt.black76_greeks(50_000, 45_000, 0.1, 0.0, 0.7, "put", settlement="inverse")
        assert 50_000 * inv.delta == pytest.approx(lin.delta - inv.price, rel=1e-12)


def _bump(func, name: str, args: dict, h: float) -> float:
    up, down = dict(args), dict(args)
    up[name] += h
    down[name] -= h
    return (func(**up) - func(**down)) / (2 * h)


class TestFiniteDifferences:
    @given(spots, moneyness, times, rates, vols, kinds, settlements, st.booleans())
    def test_greeks_match_finite_differences(self, u, m, t, r, vol, kind, settle, black76) -> None:
        k = u * m
        if black76:
            price, greeks, name = opt.black76_price, opt.black76_greeks, "forward"
        else:
            price, greeks, name = opt.black_scholes_price, opt.black_scholes_greeks, "spot"
        args = {
            name: u,
            "strike": k,
            "time": t,
            "rate": r,
            "vol": vol,
            "kind": kind,
            "settlement": settle,
        }
        g = greeks(**args)
        scale = 1.0 if settle == "linear" else 1.0 / u  # size of a price in its own unit
        hu = 1e-3 * u * min(0.1, vol * math.sqrt(t))  # small against the width of the density
        assert g.delta == pytest.approx(_bump(price, name, args, hu), abs=2e-6 * scale + 1e-12)
        fd_gamma = _bump(lambda **a: greeks(**a).delta, name, args, hu)
        assert g.gamma == pytest.approx(fd_gamma, rel=1e-4, abs=1e-6 * scale / u + 1e-15)
        assert g.vega == pytest.approx(
            _bump(price, "vol", args, 1e-5), rel=1e-5, abs=1e-7 * u * scale
        )
        ht = min(1e-5, t / 10)
        assert -g.theta == pytest.approx(
            _bump(price, "time", args, ht), rel=1e-4, abs=1e-6 * u * scale
        )

    def test_gamma_is_positive_and_call_put_share_it(self) -> None:
        c = opt.black_scholes_greeks(100, [80, 100, 120], 0.5, 0.03, 0.25, "call")
        p = opt.black_scholes_greeks(100, [80, 100, 120], 0.5, 0.03, 0.25, "put")
        assert np.all(c.gamma > 0)
        np.testing.assert_allclose(c.gamma, p.gamma, rtol=1e-12)
        np.testing.assert_allclose(c.vega, p.vega, rtol=1e-12)
        np.testing.assert_allclose(c.delta - p.delta, 1.0, rtol=1e-12)


class TestVectorization:
    def test_broadcasting_and_mixed_kinds(self) -> None:
        strikes = np.array([[90.0], [110.0]])
        out = opt.black76_price(
            100.0, strikes, [0.25, 0.5, 1.0], 0.01, 0.3, ["call", "put", "call"]
        )
        assert out.shape == (2, 3)
        for i, k in enumerate(strikes[:, 0]):
            for j, (t, kind) in enumerate(
                zip([0.25, 0.5, 1.0], ["call", "put", "call"], strict=True)
            ):
                assert out[i, j] == opt.black76_price(100.0, k, t, 0.01, 0.3, kind)

    def test_scalar_in_scalar_out(self) -> None:
        g = opt.black_scholes_greeks(100, 100, 1, 0.0, 0.2)
        assert all(isinstance(x, float) for x in (g.price, g.delta, g.gamma, g.vega, g.theta))
        assert isinstance(opt.black_scholes_price(100, 100, 1, 0.0, 0.2), float)


class TestBadInput:
    @pytest.mark.parametrize(
        ("name", "value", "message"),
        [
            ("spot", -1.0, "spot must be > 0"),
            ("strike", 0.0, "strike must be > 0"),
            ("time", 0.0, "time must be > 0"),
            ("vol", -0.2, "vol must be > 0"),
            ("rate", float("nan"), "rate must be finite"),
            ("kind", "straddle", "kind must be 'call' or 'put'"),
            ("settlement", "quanto", "settlement must be one of"),
        ],
    )
    def test_named_errors(self, name: str, value: object, message: str) -> None:
        args = {
            "spot": 100.0,
            "strike": 100.0,
            "time": 1.0,
            "rate": 0.0,
            "vol": 0.2,
            "kind": "call",
            "settlement": "linear",
        }
        args[name] = value
        with pytest.raises(ValueError, match=message):
            opt.black_scholes_price(**args)

    def test_forward_named_for_black76(self) -> None:
        with pytest.raises(ValueError, match="forward must be > 0"):
            opt.black76_greeks(0.0, 100, 1, 0, 0.2)

    def test_kind_array_with_a_bad_element(self) -> None:
        with pytest.raises(ValueError, match="'cal'"):
            opt.option_sign(["call", "cal"])

    def test_non_string_kind(self) -> None:
        with pytest.raises(ValueError, match="kind must be"):
            opt.option_sign(1)
