"""Mark-to-model (liqlib.stress.mark_to_model): the book test, the surface, the mark rule, margin
and model risk."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.prices import black76_price
from liqlib.stress import OptionPortfolio, OptionPosition
from liqlib.stress import mark_to_model as mtm
from liqlib.venues import deribit

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")

T30 = 30 / 365


class TestBookTest:
    def test_each_condition(self) -> None:
        nan = float("nan")
        good = mtm.book_is_good(
            [0.050, 0.050, 0.050, nan, 0.0, 0.050, 0.050],
            [0.052, 0.060, 0.052, 0.05, 0.05, 0.0525, 0.052],
            [5, 5, 0.5, 5, 5, 5, 5],
            [5, 5, 5, 5, 5, 5, 0.9],
        )
        assert good.tolist() == [True, False, False, False, False, True, False]

    def test_threshold_is_inclusive(self) -> None:
        # (0.055 - 0.045) / 0.05 = 20%: passes just above 20%, fails below
        assert mtm.book_is_good(0.045, 0.055, 1, 1, max_spread=0.2000001)
        assert not mtm.book_is_good(0.045, 0.055, 1, 1, max_spread=0.19)

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="bid must not exceed ask"):
            mtm.book_is_good(0.06, 0.05, 1, 1)
        with pytest.raises(ValueError, match="bid must be >= 0"):
            mtm.book_is_good(-0.01, 0.05, 1, 1)
        with pytest.raises(ValueError, match="bid_size must be >= 0"):
            mtm.book_is_good(0.04, 0.05, -1, 1)
        with pytest.raises(ValueError, match="max_spread must be > 0"):
            mtm.book_is_good(0.04, 0.05, 1, 1, max_spread=0.0)


class TestSurface:
    def test_formula(self) -> None:
        s = mtm.VolSurface(0.8, 0.6, decay=0.25, skew=-0.05, curvature=0.02)
        k, t, f = 40_000.0, T30, 50_000.0
        x = math.log(k / f) / math.sqrt(t)
        a = 0.6 + 0.2 * math.exp(-t / 0.25)
        assert s.vol(f, k, t) == pytest.approx(a - 0.05 * x + 0.02 * x * x, rel=1e-14)
        assert mtm.VolSurface(0.5).vol(f, [30e3, 80e3], [0.1, 2.0]).tolist() == [0.5, 0.5]

    def test_fit_recovers_parameters(self) -> None:
        true = mtm.VolSurface(0.9, 0.7, skew=-0.04, curvature=0.03)
        k = np.array([35e3, 45e3, 50e3, 55e3, 70e3, 40e3, 50e3, 65e3])
        t = np.array([7, 7, 7, 7, 7, 90, 90, 90]) / 365
        fit = mtm.VolSurface.fit(50_000, k, t, true.vol(50_000, k, t))
        for name in ("atm_short", "atm_long", "skew", "curvature"):
            assert getattr(fit, name) == pytest.approx(getattr(true, name), abs=1e-10)
        one = mtm.VolSurface.fit(50_000, k[:5], t[:5], true.vol(50_000, k[:5], t[:5]))
        assert one.atm_short == one.atm_long

    def test_negative_vol_raises(self) -> None:
        s = mtm.VolSurface(0.5, skew=-0.3)
        with pytest.raises(ValueError, match="volatility <= 0 at strike"):
            s.vol(50_000, 150_000, 7 / 365)

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="atm_short must be > 0"):
            mtm.VolSurface(0.0)
        with pytest.raises(ValueError, match="decay must be > 0"):
            mtm.VolSurface(0.5, decay=-1)
        with pytest.raises(ValueError, match="at least 3 quotes"):
            mtm.VolSurface.fit(50_000, [40e3, 50e3], 0.1, [0.5, 0.5])


def _chain(width_vol: float, size: float = 10.0):
    """Quotes at the true IV +/- width/2 on a chain of strikes."""
    k = np.linspace(35_000, 70_000, 15)
    kind = np.where(k < 50_000, "put", "call")
    true_iv = 0.8
    bid = black76_price(50_000, k, T30, 0.0, true_iv - width_vol / 2, kind, settlement="inverse")
    ask = black76_price(50_000, k, T30, 0.0, true_iv + width_vol / 2, kind, settlement="inverse")
    return k, kind, bid, ask, size


class TestMark:
    @pytest.mark.parametrize("model", ["bounded", "surface"])
    @pytest.mark.parametrize("width", [0.005, 0.05, 0.2, 0.5])
    @pytest.mark.parametrize("size", [0.5, 10.0])
    def test_model_exactly_when_the_book_is_bad(self, model, width, size) -> None:
        # The book-quality reading (and the surface, which only a failed book calls on).
        k, kind, bid, ask, _ = _chain(width)
        rule = mtm.MarkRule(model=model, surface=mtm.VolSurface(0.6), max_spread=0.1,
                            bounds="book_quality")
        r = mtm.mark_price(bid, ask, size, size, 50_000, k, T30, kind, rule=rule)
        good = mtm.book_is_good(bid, ask, size, size, max_spread=0.1)
        np.testing.assert_array_equal(r.from_book, good)
        np.testing.assert_array_equal(r.mark[good], (0.5 * (bid + ask))[good])
        np.testing.assert_array_equal(r.mark[~good], r.model_mark[~good])
        if model == "surface":
            np.testing.assert_allclose(
                r.model_mark, black76_price(50_000, k, T30, 0.0, 0.6, kind, settlement="inverse"),
                rtol=1e-14)
        else:
            np.testing.assert_array_equal(
                r.model_mark, deribit.option_mark_price(bid, ask, 50_000, k, T30, kind))

    @pytest.mark.parametrize("width", [0.005, 0.05, 0.5])
    @pytest.mark.parametrize("size", [0.5, 10.0])
    def test_documented_bounds_apply_to_every_mid(self, width, size) -> None:
        # Deribit's legacy sentence bounds "the average between bid and ask": every book, however
        # tight or deep, is held within 30%-100% IV; the book test plays no part.
        k, kind, bid, ask, _ = _chain(width)
        r = mtm.mark_price(bid, ask, size, size, 50_000, k, T30, kind)
        want = deribit.option_mark_price(bid, ask, 50_000, k, T30, kind)
        np.testing.assert_array_equal(r.mark, want)
        mid = 0.5 * (bid + ask)
        np.testing.assert_array_equal(r.from_book, mid == want)
        lo = black76_price(50_000, k, T30, 0.0, 0.3, kind, settlement="inverse")
        hi = black76_price(50_000, k, T30, 0.0, 1.0, kind, settlement="inverse")
        assert np.all((r.mark >= lo * (1 - 1e-12)) & (r.mark <= hi * (1 + 1e-12)))

    def test_a_tight_book_above_the_cap_is_capped_only_as_documented(self) -> None:
        # The 60,000 call's mid of 0.06 BTC is 110% IV: capped by the documented rule, kept by
        # the book-quality variant; a wide book is capped by both.
        args = ([0.059, 0.05], [0.061, 0.07], 25, 25, 50_000, 60_000, T30)
        doc = mtm.mark_price(*args)
        variant = mtm.mark_price(*args, rule=mtm.MarkRule(bounds="book_quality"))
        cap = black76_price(50_000, 60_000, T30, 0.0, 1.0, settlement="inverse")
        np.testing.assert_allclose(doc.mark, [cap, cap], rtol=1e-14)
        np.testing.assert_allclose(variant.mark, [0.06, cap], rtol=1e-14)
        with pytest.raises(ValueError, match="bounds must be one of"):
            mtm.MarkRule(bounds="sometimes")

    def test_no_market_uses_60_percent(self) -> None:
        r = mtm.mark_price(float("nan"), float("nan"), 0, 0, 50_000, 60_000, T30)
        assert not r.from_book and math.isnan(r.mid)
        assert r.mark == pytest.approx(
            black76_price(50_000, 60_000, T30, 0.0, 0.6, settlement="inverse"), rel=1e-14)

    @given(st.floats(0.01, 4.0), st.floats(0.0, 1.0), st.floats(30e3, 80e3),
           st.sampled_from(["call", "put"]))
    def test_bounded_mark_iv_stays_within_bounds(self, iv, width, strike, kind) -> None:
        bid = black76_price(50_000, strike, T30, 0.0, iv, kind, settlement="inverse")
        ask = bid * (1 + width) + 1e-6
        r = mtm.mark_price(bid, ask, 0.0, 0.0, 50_000, strike, T30, kind,
                           rule=mtm.MarkRule(min_size=1.0, bounds="book_quality"))
        assert not r.from_book
        lo = black76_price(50_000, strike, T30, 0.0, 0.3, kind, settlement="inverse")
        hi = black76_price(50_000, strike, T30, 0.0, 1.0, kind, settlement="inverse")
        assert lo * (1 - 1e-12) <= r.mark <= hi * (1 + 1e-12)
        assert np.all(deribit.bounded_mark_iv(np.array([iv, np.nan])) >= 0.3)
        assert np.all(deribit.bounded_mark_iv(np.array([iv, np.nan])) <= 1.0)

    def test_bad_rule(self) -> None:
        with pytest.raises(ValueError, match="needs a VolSurface"):
            mtm.MarkRule(model="surface")
        with pytest.raises(ValueError, match="model must be one of"):
            mtm.MarkRule(model="sabr")
        with pytest.raises(ValueError, match="need floor < cap"):
            mtm.MarkRule(floor=1.0, cap=0.5)


def _short_put(size: float = -10) -> OptionPortfolio:
    return OptionPortfolio([OptionPosition("put", 40_000, T30, size)])


class TestMarginAndModelRisk:
    def test_margin_check_uses_deribit_rules(self) -> None:
        book = OptionPortfolio([OptionPosition("call", 60_000, T30, -10),
                                OptionPosition("put", 40_000, T30, 5)])
        marks = [0.02, 0.01]
        c = mtm.margin_check(1.0, book, 50_000, marks)
        assert c.equity == pytest.approx(1.0 - 0.2 + 0.05)
        per = deribit.short_option_margin("call", 60_000, 50_000, 0.02).maintenance
        assert c.maintenance == pytest.approx(10 * per)
        assert c.margin_ratio == pytest.approx(c.maintenance / c.equity)
        assert c.liquidate == (c.equity < c.maintenance)

    def test_portfolio_margin_check(self) -> None:
        book = _short_put()
        mark = black76_price(50_000, 40_000, T30, 0.0, 0.7, "put", settlement="inverse")
        c = mtm.margin_check(1.0, book, 50_000, [mark], margin="portfolio")
        pm = book.portfolio_margin(50_000, 0.7)
        assert c.maintenance == pytest.approx(pm.margin, rel=1e-6)
        assert c.maintenance >= pm.worst_loss >= 0

    def test_the_mark_moves_maintenance(self) -> None:
        book = _short_put()
        marks = np.linspace(0.0, 0.2, 21)
        mm = [mtm.margin_check(1.0, book, 42_000, [m]).maintenance for m in marks]
        assert np.all(np.diff(mm) > 0)

    def test_verdicts(self) -> None:
        book = _short_put()
        cheap, dear = 0.0404, 0.0999
        # spared by the cheap mark, below maintenance at the true one
        r = mtm.compare_marks(2.0, book, 42_000, [cheap], [dear])
        assert (r.verdict, r.wrong) == (mtm.SPARES_BELOW_MAINTENANCE, True)
        # spared though insolvent: true value of the shorts above the collateral
        r = mtm.compare_marks(1.6, book, 42_000, [0.04], [0.2])
        assert r.truth.equity < 0 and r.verdict == mtm.SPARES_INSOLVENT
        # liquidated though sound: a dear model mark
        r = mtm.compare_marks(2.0, book, 42_000, [dear], [cheap])
        assert r.verdict == mtm.LIQUIDATES_SOUND and r.wrong
        assert mtm.compare_marks(5.0, book, 42_000, [cheap], [dear]).verdict == mtm.SPARED_RIGHTLY
        r = mtm.compare_marks(0.5, book, 42_000, [cheap], [dear])
        assert r.verdict == mtm.LIQUIDATED_RIGHTLY and not r.wrong

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="marks must hold one price per position"):
            mtm.margin_check(1.0, _short_put(), 42_000, [0.1, 0.2])
        with pytest.raises(ValueError, match="margin must be one of"):
            mtm.margin_check(1.0, _short_put(), 42_000, [0.1], margin="cross")
        with pytest.raises(ValueError, match="marks must be >= 0"):
            mtm.margin_check(1.0, _short_put(), 42_000, [-0.1])
        with pytest.raises(ValueError, match="collateral must be finite"):
            mtm.margin_check(float("nan"), _short_put(), 42_000, [0.1])


@pytest.mark.parametrize("reading", deribit.MARK_READINGS)
@pytest.mark.parametrize("collateral", [0.15, 0.3])
def test_gamma_and_mark_to_model_share_one_break_even_mark(reading: str, collateral: float) -> None:
    # One short 90,000 call on a 60,000 future with `collateral` BTC (premium included). The
    # stress engine (liqlib.stress.gamma) values it from the price and a vol; mark_to_model takes
    # the mark. Both must breach at the same mark, the one the convention derives:
    # (C - 0.075) / 2 as documented, C - 0.075 net of the mark.
    from liqlib.stress.gamma import OptionAccounts, account_margin

    def gamma_excess(vol: float) -> float:
        acc = OptionAccounts(np.array([0]), np.array(["call"]), np.array([90_000.0]),
                             np.array([T30]), np.array([1.0]), np.array([vol]),
                             np.array([collateral]))
        m = account_margin(acc, 60_000.0, reading=reading)
        return float(m.equity[0] - m.maintenance[0])

    lo, hi = 0.05, 20.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if gamma_excess(mid) > 0 else (lo, mid)
    gamma_mark = black76_price(60_000, 90_000, T30, 0.0, 0.5 * (lo + hi), settlement="inverse")

    book = OptionPortfolio([OptionPosition("call", 90_000, T30, -1)])

    def mtm_excess(mark: float) -> float:
        c = mtm.margin_check(collateral, book, 60_000.0, [mark], reading=reading)
        return c.equity - c.maintenance

    lo, hi = 0.0, collateral
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mtm_excess(mid) > 0 else (lo, mid)
    mtm_mark = 0.5 * (lo + hi)
    derived = (collateral - 0.075) / 2 if reading == "documented" else collateral - 0.075
    assert gamma_mark == pytest.approx(derived, abs=1e-12)
    assert mtm_mark == pytest.approx(derived, abs=1e-12)


class TestPractitionerMarks:
    """Conservative marks, smoothing, the synthetic forward and an SVI slice."""

    def test_conservative_marks_take_the_side_a_close_would_hit(self) -> None:
        bid = np.array([0.05, 0.05, np.nan, 0.0, 0.05])
        ask = np.array([0.07, 0.07, 0.07, 0.07, np.nan])
        size = np.array([3.0, -3.0, 2.0, 1.0, -1.0])
        m = mtm.conservative_marks(bid, ask, size, 0.06)
        np.testing.assert_array_equal(m, [0.05, 0.07, 0.06, 0.06, 0.06])
        # a long is never marked above a short of the same series
        assert np.all(mtm.conservative_marks(bid[:2], ask[:2], [1, 1], 0.06)
                      <= mtm.conservative_marks(bid[:2], ask[:2], [-1, -1], 0.06))

    def test_conservative_equity_is_below_mid_equity(self) -> None:
        # A short strangle marked at the ask owes more than at the mid.
        book = OptionPortfolio([OptionPosition("put", 40_000, T30, -10),
                                OptionPosition("call", 60_000, T30, -10)])
        bid, ask = np.array([0.004, 0.010]), np.array([0.006, 0.014])
        at_ask = mtm.conservative_marks(bid, ask, book.sizes, 0.0)
        mid = 0.5 * (bid + ask)
        assert mtm.margin_check(1.0, book, 50_000, at_ask).equity < mtm.margin_check(
            1.0, book, 50_000, mid).equity

    def test_smoothing_is_an_exponential_average(self) -> None:
        x = np.array([[1.0, 2.0], [3.0, 2.0], [3.0, 0.0]])
        out = mtm.smooth_marks(x, alpha=0.25)
        np.testing.assert_allclose(out[1], 0.25 * x[1] + 0.75 * x[0])
        np.testing.assert_allclose(out[2], 0.25 * x[2] + 0.75 * out[1])
        np.testing.assert_array_equal(mtm.smooth_marks(x, alpha=1.0), x)
        with pytest.raises(ValueError, match="alpha"):
            mtm.smooth_marks(x, alpha=1.5)

    @pytest.mark.parametrize("settlement", ["inverse", "linear"])
    def test_synthetic_forward_recovers_the_forward(self, settlement: str) -> None:
        k = np.array([40e3, 45e3, 50e3, 55e3, 60e3])
        iv = np.array([0.9, 0.75, 0.7, 0.72, 0.8])  # a smile: parity holds strike by strike
        args = (52_000, k, 0.25, 0.03, iv)
        c = black76_price(*args, "call", settlement=settlement)
        p = black76_price(*args, "put", settlement=settlement)
        f = mtm.synthetic_forward(c, p, k, time=0.25, rate=0.03, settlement=settlement)
        assert f == pytest.approx(52_000, rel=1e-12)

    def test_svi_fit_recovers_its_slice_and_is_arbitrage_free(self) -> None:
        true = mtm.SVISlice(a=0.03, b=0.12, rho=-0.5, m=0.02, s=0.15, time=30 / 365)
        k = 50_000 * np.exp(np.linspace(-0.5, 0.5, 21))
        fit = mtm.SVISlice.fit(50_000, k, true.vol(50_000, k), 30 / 365)
        np.testing.assert_allclose(fit.vol(50_000, k), true.vol(50_000, k), atol=1e-7)
        assert np.all(np.asarray(fit.durrleman(np.linspace(-1, 1, 201))) >= 0)

    def test_svi_constraints(self) -> None:
        with pytest.raises(ValueError, match="Lee"):
            mtm.SVISlice(a=0.01, b=1.8, rho=0.5, m=0.0, s=0.1, time=0.1)
        with pytest.raises(ValueError, match="negative"):
            mtm.SVISlice(a=-0.05, b=0.1, rho=0.0, m=0.0, s=0.1, time=0.1)
        with pytest.raises(ValueError, match="rho"):
            mtm.SVISlice(a=0.01, b=0.1, rho=1.0, m=0.0, s=0.1, time=0.1)
