"""Black–Scholes and Black-76 prices and Greeks (liqlib.prices.options).

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

from liqlib.prices import options as opt

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


# --- vanna and volga, implied volatility, portfolios (options, implied_vol, option_portfolio)

from liqlib.prices.implied_volatility import ImpliedVolError, implied_vol, price_bounds  # noqa: E402
from liqlib.stress.option_portfolio import OptionPortfolio, OptionPosition  # noqa: E402
from liqlib.venues import deribit  # noqa: E402


class TestVolGreeks:
    """No published vanna/volga value could be sourced: each is checked against finite
    differences of the library's own vega and delta, and against closed-form identities."""

    @given(spots, moneyness, times, rates, vols, kinds, settlements, st.booleans())
    def test_vanna_volga_match_finite_differences(
        self, u, m, t, r, vol, kind, settle, black76
    ) -> None:
        k = u * m
        if black76:
            greeks, vol_greeks, name = opt.black76_greeks, opt.black76_vol_greeks, "forward"
        else:
            greeks, vol_greeks, name = (
                opt.black_scholes_greeks, opt.black_scholes_vol_greeks, "spot"
            )
        args = {name: u, "strike": k, "time": t, "rate": r, "vol": vol, "kind": kind,
                "settlement": settle}
        vg = vol_greeks(**args)
        scale = 1.0 if settle == "linear" else 1.0 / u
        hv = 1e-5
        fd_vanna = _bump(lambda **a: greeks(**a).delta, "vol", args, hv)
        fd_volga = _bump(lambda **a: greeks(**a).vega, "vol", args, hv)
        assert vg.vanna == pytest.approx(fd_vanna, rel=1e-4, abs=1e-6 * scale + 1e-12)
        assert vg.volga == pytest.approx(fd_volga, rel=1e-4, abs=1e-5 * u * scale)
        # vanna is also d(vega)/dU (symmetry of mixed partials)
        hu = 1e-3 * u * min(0.1, vol * math.sqrt(t))
        fd_cross = _bump(lambda **a: greeks(**a).vega, name, args, hu)
        assert vg.vanna == pytest.approx(fd_cross, rel=1e-3, abs=1e-5 * scale + 1e-12)

    def test_at_the_money_forward_identities(self) -> None:
        # d1 = -d2 = sigma sqrt(T) / 2: vanna = D phi(d1) sqrt(T) / 2 and volga = -vega sigma T / 4
        g = opt.black76_greeks(100, 100, 0.5, 0.05, 0.4)
        vg = opt.black76_vol_greeks(100, 100, 0.5, 0.05, 0.4, "put")
        d1 = 0.4 * math.sqrt(0.5) / 2
        phi = math.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi)
        assert vg.vanna == pytest.approx(math.exp(-0.025) * phi * d1 / 0.4, rel=1e-12)
        assert vg.volga == pytest.approx(-g.vega * 0.4 * 0.5 / 4, rel=1e-12)

    def test_call_and_put_share_them(self) -> None:
        c = opt.black_scholes_vol_greeks(100, [80, 100, 120], 0.5, 0.03, 0.25, "call")
        p = opt.black_scholes_vol_greeks(100, [80, 100, 120], 0.5, 0.03, 0.25, "put")
        np.testing.assert_allclose(c.vanna, p.vanna, rtol=1e-12)
        np.testing.assert_allclose(c.volga, p.volga, rtol=1e-12)

    def test_bad_input_named(self) -> None:
        with pytest.raises(ValueError, match="vol must be > 0"):
            opt.black76_vol_greeks(100, 100, 1, 0, -0.1)
        with pytest.raises(ValueError, match="time must be > 0"):
            opt.black_scholes_vol_greeks(100, 100, -1, 0, 0.2)


class TestImpliedVol:
    @pytest.mark.parametrize("settlement", ["linear", "inverse"])
    @pytest.mark.parametrize("model", ["black76", "black_scholes"])
    def test_round_trip_over_a_grid(self, model: str, settlement: str) -> None:
        k = np.linspace(30_000, 90_000, 25)[:, None, None, None]
        t = np.array([2 / 365, 30 / 365, 0.5, 2.0])[None, :, None, None]
        sig = np.array([0.08, 0.3, 0.8, 2.5])[None, None, :, None]
        kind = np.array(["call", "put"])[None, None, None, :]
        price_fn = opt.black76_price if model == "black76" else opt.black_scholes_price
        price = price_fn(50_000, k, t, 0.02, sig, kind, settlement=settlement)
        lower, upper = price_bounds(50_000, k, t, 0.02, kind, model=model, settlement=settlement)
        vega = (opt.black76_greeks if model == "black76" else opt.black_scholes_greeks)(
            50_000, k, t, 0.02, sig, kind, settlement=settlement
        ).vega
        vega = np.broadcast_to(vega, price.shape)
        # Only where the price pins the vol down: a time value well above rounding of the price.
        unit = 50_000 if settlement == "linear" else 1.0
        ok = (price - lower > 1e-9 * unit) & (vega * 1e-4 > 1e-12 * unit)
        assert ok.sum() > 500
        shape = price.shape
        iv = implied_vol(
            price[ok], 50_000, np.broadcast_to(k, shape)[ok], np.broadcast_to(t, shape)[ok], 0.02,
            np.broadcast_to(kind, shape)[ok], model=model, settlement=settlement,
        )
        # Conditioning: an error of about 1e-12 of the forward in the price moves the vol by that
        # over vega; within that, and to 1e-7 absolute, the solver must recover the vol.
        allowed = 1e-7 + 1e-11 * unit / vega[ok]
        assert np.all(np.abs(iv - np.broadcast_to(sig, shape)[ok]) <= allowed)
        well = vega[ok] > 1e-3 * unit
        np.testing.assert_allclose(iv[well], np.broadcast_to(sig, shape)[ok][well], rtol=1e-7)
        again = price_fn(50_000, np.broadcast_to(k, shape)[ok], np.broadcast_to(t, shape)[ok],
                         0.02, iv, np.broadcast_to(kind, shape)[ok], settlement=settlement)
        np.testing.assert_allclose(again, price[ok], rtol=1e-9, atol=1e-12 * unit)
        assert np.all(upper > price)

    @given(spots, moneyness, times, st.floats(0.1, 1.5), kinds)
    def test_round_trip_property(self, f, m, t, vol, kind) -> None:
        price = opt.black76_price(f, f * m, t, 0.0, vol, kind)
        lower, _ = price_bounds(f, f * m, t, 0.0, kind)
        if price - lower < 1e-6 * f:
            return
        assert implied_vol(price, f, f * m, t, 0.0, kind) == pytest.approx(vol, rel=1e-5)

    def test_hull_example(self) -> None:
        iv = implied_vol(4.7594, 42, 40, 0.5, 0.10, model="black_scholes")
        assert iv == pytest.approx(0.20, abs=1e-4)

    def test_below_intrinsic_raises_naming_the_element(self) -> None:
        with pytest.raises(ImpliedVolError, match=r"price 4\.0 \(first of 1, at flat index 1\)"):
            implied_vol([6.0, 4.0], 95, 100, 0.5, 0.0, "put")
        with pytest.raises(ImpliedVolError, match="at or below the intrinsic value"):
            implied_vol(5.0, 105, 100, 0.5, 0.0, "call")

    def test_above_maximum_raises(self) -> None:
        with pytest.raises(ImpliedVolError, match="at or above the maximum 105.0"):
            implied_vol(105.0, 105, 100, 0.5, 0.0, "call")
        with pytest.raises(ImpliedVolError, match="at or above the maximum"):
            implied_vol(1.0, 50_000, 40_000, 0.5, 0.0, "call", settlement="inverse")

    def test_outside_the_search_bracket_raises(self) -> None:
        price = opt.black76_price(100, 100, 1.0, 0.0, 3.0)
        with pytest.raises(ImpliedVolError, match="above the search bracket"):
            implied_vol(price, 100, 100, 1.0, vol_max=2.0)

    def test_is_a_value_error_and_bad_input(self) -> None:
        assert issubclass(ImpliedVolError, ValueError)
        with pytest.raises(ValueError, match="price must be >= 0"):
            implied_vol(-1.0, 100, 100, 1.0)
        with pytest.raises(ValueError, match="time must be > 0"):
            implied_vol(5.0, 100, 100, 0.0)
        with pytest.raises(ValueError, match="model must be one of"):
            implied_vol(5.0, 100, 100, 1.0, model="heston")
        with pytest.raises(ValueError, match="vol_min must be below vol_max"):
            implied_vol(5.0, 100, 100, 1.0, vol_min=2.0, vol_max=1.0)

    def test_shape_and_scalar(self) -> None:
        p = opt.black76_price(100, [[90, 100, 110]], [[0.5], [1.0]], 0.0, 0.3)
        iv = implied_vol(p, 100, [[90, 100, 110]], [[0.5], [1.0]])
        assert iv.shape == (2, 3)
        assert isinstance(implied_vol(float(p[0, 0]), 100, 90, 0.5), float)


def _strangle() -> OptionPortfolio:
    return OptionPortfolio([
        OptionPosition("call", 60_000, 30 / 365, -10),
        OptionPosition("put", 40_000, 30 / 365, -10),
        OptionPosition("put", 45_000, 90 / 365, 4),
    ])


class TestPortfolio:
    @pytest.mark.parametrize("forward", [50_000.0, np.array([40_000.0, 50_000.0, 65_000.0])])
    def test_greeks_are_sums_of_positions(self, forward) -> None:
        book = _strangle()
        vols = [0.7, 0.8, 0.75]
        total = book.greeks(forward, vols)
        for field in ("value", "delta", "gamma", "vega", "theta", "vanna", "volga"):
            parts = [
                getattr(OptionPortfolio([p]).greeks(forward, vol), field)
                for p, vol in zip(book.positions, vols, strict=True)
            ]
            np.testing.assert_allclose(getattr(total, field), sum(parts), rtol=1e-12)
        one = book.positions[0]
        single = opt.black76_greeks(50_000, one.strike, one.expiry, 0.0, 0.7,
                                    settlement="inverse")
        assert OptionPortfolio([one]).greeks(50_000, 0.7).gamma == pytest.approx(
            one.size * single.gamma, rel=1e-14
        )

    def test_delta_hedged_pnl_is_half_gamma_move_squared(self) -> None:
        book = OptionPortfolio([OptionPosition("call", 50_000, 30 / 365, -10, "linear")])
        g = book.greeks(50_000, 0.6)
        move = 50.0
        pnl = book.value(50_000 + move, 0.6) - g.value - g.delta * move
        assert pnl == pytest.approx(0.5 * g.gamma * move**2, rel=2e-3)

    def test_surface_callable_vol(self) -> None:
        book = _strangle()
        flat = book.greeks(50_000, 0.6)
        via = book.greeks(50_000, lambda f, k, t: np.full(np.broadcast_shapes(
            np.shape(f), np.shape(k), np.shape(t)), 0.6))
        assert via.value == pytest.approx(flat.value, rel=1e-14)

    def test_portfolio_margin_covers_worst_loss_and_is_nonnegative(self) -> None:
        book = _strangle()
        for params in ("pages/docs/portfoliomargin", "docs/category/uncategorized",
                       deribit.CURRENT_PM_EXAMPLE):
            pm = book.portfolio_margin(50_000, [0.7, 0.8, 0.75], parameters=params)
            worst = max(0.0, -pm.pnl.min(), -pm.extended_pnl.min() if pm.extended_pnl.size
                        else 0.0)
            assert pm.margin >= worst >= 0 and pm.margin >= 0
            assert pm.worst_loss == pytest.approx(worst)
        longs = OptionPortfolio([OptionPosition("call", 60_000, 0.1, 3)])
        assert longs.portfolio_margin(50_000, 0.6).margin >= 0

    def test_standard_maintenance_delegates_to_deribit(self) -> None:
        book = _strangle()
        marks = np.array([0.02, 0.015, 0.03])
        per = deribit.short_option_margin(["call", "put"], [60_000, 40_000], 50_000,
                                          marks[:2]).maintenance
        assert book.standard_maintenance(50_000, marks) == pytest.approx(10 * per.sum())
        assert book.marked_value(marks) == pytest.approx(-10 * 0.035 + 4 * 0.03)

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="size must be non-zero"):
            OptionPosition("call", 100, 1, 0)
        with pytest.raises(ValueError, match="expiry must be > 0"):
            OptionPosition("call", 100, -0.1, 1)
        with pytest.raises(ValueError, match="kind must be 'call' or 'put'"):
            OptionPosition("future", 100, 1, 1)
        with pytest.raises(ValueError, match="share one settlement"):
            OptionPortfolio([OptionPosition("call", 100, 1, 1),
                             OptionPosition("call", 100, 1, 1, "linear")])
        with pytest.raises(ValueError, match="at least one"):
            OptionPortfolio([])
        with pytest.raises(ValueError, match="one per position"):
            _strangle().greeks(50_000, [0.5, 0.6])
        with pytest.raises(ValueError, match="vol must be > 0"):
            _strangle().greeks(50_000, -0.5)
        with pytest.raises(ValueError, match="settlement must be 'inverse'"):
            OptionPortfolio([OptionPosition("call", 100, 1, -1, "linear")]).standard_maintenance(
                100, [1.0])


class TestRhoUnitsAndThetaGamma:
    """Rho, the screen units of vega and theta, and Theta against 1/2 Gamma F^2 sigma^2."""

    def test_hull_rho_and_screen_units(self) -> None:
        # Hull (2015) ch. 19: the running example has rho 8.91 (a 1% rate rise adds 0.0891).
        g = opt.black_scholes_greeks(49, 50, 20 / 52, 0.05, 0.20)
        assert round(g.rho, 2) == 8.91
        assert g.rho_per_point == pytest.approx(g.rho / 100)
        assert g.vega_per_vol_point == pytest.approx(g.vega / 100)
        assert g.theta_per_day == pytest.approx(g.theta / 365)

    def test_haug_theta_per_day(self) -> None:
        # Haug (2007): the put S = 430, K = 405, T = 1/12, r = 7%, q = 5%, sigma = 20% has Theta
        # -31.1924 per year, -0.0855 per day.
        g = opt.black_scholes_greeks(430, 405, 1 / 12, 0.07, 0.20, "put", dividend_yield=0.05)
        assert round(g.theta_per_day, 4) == -0.0855

    @pytest.mark.parametrize("kind", ["call", "put"])
    @pytest.mark.parametrize("settlement", ["linear", "inverse"])
    def test_rho_is_the_rate_derivative(self, kind: str, settlement: str) -> None:
        h = 1e-6
        for price, greeks, first in (
            (opt.black76_price, opt.black76_greeks, 105.0),
            (opt.black_scholes_price, opt.black_scholes_greeks, 49.0),
        ):
            up = price(first, 100, 0.5, 0.05 + h, 0.36, kind, settlement=settlement)
            down = price(first, 100, 0.5, 0.05 - h, 0.36, kind, settlement=settlement)
            rho = greeks(first, 100, 0.5, 0.05, 0.36, kind, settlement=settlement).rho
            assert rho == pytest.approx((up - down) / (2 * h), rel=1e-6)

    def test_black76_rho_is_minus_t_times_price(self) -> None:
        g = opt.black76_greeks(105, 100, 0.5, 0.10, 0.36, ["call", "put"])
        np.testing.assert_allclose(g.rho, -0.5 * g.price, rtol=1e-15)

    @given(
        f=st.floats(1e3, 1e5),
        m=st.floats(0.5, 2.0),
        t=st.floats(1 / 365, 2.0),
        s=st.floats(0.05, 2.0),
        r=st.floats(-0.05, 0.2),
        kind=st.sampled_from(["call", "put"]),
    )
    def test_theta_is_carry_minus_gamma_term(self, f, m, t, s, r, kind) -> None:
        b = opt.theta_gamma_balance(f, f * m, t, r, s, kind)
        assert b.theta == pytest.approx(b.carry - b.gamma_term, rel=1e-9, abs=1e-9 * f)
        day = opt.theta_gamma_balance(f, f * m, t, r, s, kind, per="day")
        assert day.theta == pytest.approx(b.theta / 365, rel=1e-12, abs=1e-300)

    def test_zero_rate_balance_is_exact_and_signed(self) -> None:
        b = opt.theta_gamma_balance(50_000, [40_000, 50_000, 60_000], 30 / 365, 0.0, 0.6)
        np.testing.assert_allclose(b.theta, -b.gamma_term, rtol=1e-12)
        assert np.all(b.gamma_term > 0) and np.all(b.carry == 0)
        with pytest.raises(ValueError, match="per"):
            opt.theta_gamma_balance(50_000, 50_000, 0.1, 0.0, 0.6, per="week")


class TestNormalCdfAndSigns:
    def test_ndtr_agrees_with_erfc(self) -> None:
        x = np.linspace(-30.0, 8.0, 2_001)  # below -37.5 erfc gives subnormals, ndtr 0
        expected = np.array([0.5 * math.erfc(-xi / math.sqrt(2.0)) for xi in x])
        np.testing.assert_allclose(opt.normal_cdf(x), expected, rtol=1e-12, atol=1e-300)

    def test_normal_cdf_rejects_nan(self) -> None:
        with pytest.raises(ValueError, match="x must be finite"):
            opt.normal_cdf([0.0, float("nan")])

    @pytest.mark.parametrize("bad", ["cal", "puts", "Call", "pt", "callx", ""])
    def test_large_kind_arrays_name_the_bad_element(self, bad: str) -> None:
        kinds = np.array(["call", "put"] * 1_000 + [bad])
        with pytest.raises(ValueError, match=f"got '{bad}'"):
            opt.option_sign(kinds)

    @pytest.mark.parametrize("kinds", [["put"], ["call"], ["call", "put"], ["put", "straddle"]])
    def test_large_kind_arrays_of_any_width(self, kinds: list[str]) -> None:
        # "put" alone is a '<U3' array, "straddle" widens to '<U8': both word paths and the
        # narrow fallback must agree with plain comparisons.
        arr = np.array(kinds * 1_500)
        if "straddle" in kinds:
            with pytest.raises(ValueError, match="straddle"):
                opt.option_sign(arr)
            return
        np.testing.assert_array_equal(opt.option_sign(arr) == 1.0, arr == "call")
        np.testing.assert_array_equal(opt.option_sign(arr.reshape(-1, 3)) == 1.0,
                                      arr.reshape(-1, 3) == "call")

    def test_large_kind_arrays_match_the_small_path(self) -> None:
        rng = np.random.default_rng(3)
        kinds = np.where(rng.random(5_000) < 0.3, "call", "put")
        big = opt.option_sign(kinds)
        small = np.array([opt.option_sign(k) for k in kinds[:200]])
        np.testing.assert_array_equal(big[:200], small)
        assert np.array_equal(big == 1.0, kinds == "call")
