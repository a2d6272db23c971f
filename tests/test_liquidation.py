"""Liquidation and bankruptcy prices: unit cases, bad input, and agreement between methods."""

from __future__ import annotations

import math

import numpy as np
import pytest

import liqlib as lq

TABLE = lq.TierTable(
    [0, 50_000, 250_000, 1_000_000, 5_000_000],
    [0.004, 0.005, 0.01, 0.025, 0.05],
    [125, 100, 50, 20, 10],
)


class TestClosedForms:
    def test_binance_isolated_formula(self) -> None:
        # LP = (WB + cum - s*Q*E) / (Q*MMR - s*Q) with TMM = UPNL = 0 (Binance FAQ, isolated).
        wb, cum, q, e, m = 2_000.0, 50.0, 3.0, 30_000.0, 0.005
        for s in (1, -1):
            expected = (wb + cum - s * q * e) / (q * m - s * q)
            got = lq.liquidation_price(s, q, e, collateral=wb, mmr=lq.Tier(2, 0, 0, m, 100, cum))
            assert got.price == pytest.approx(expected, rel=1e-13)

    def test_inverse_coinm_formula(self) -> None:
        # LP = N*CS*(MMR + s) / (WB + cum + s*N*CS/EP) (our derivation of Binance COIN-M).
        n, cs, ep, wb, m, cum = 500.0, 100.0, 40_000.0, 0.3, 0.01, 0.02
        for s in (1, -1):
            expected = n * cs * (m + s) / (wb + cum + s * n * cs / ep)
            got = lq.liquidation_price(
                s,
                n,
                ep,
                collateral=wb,
                kind="inverse",
                contract_value=cs,
                mmr=lq.Tier(2, 0, 0, m, 50, cum),
            )
            assert got.price == pytest.approx(expected, rel=1e-13)

    def test_inverse_long_bankruptcy_is_entry_times_l_over_l_plus_1(self) -> None:
        for lev in (2, 10, 100):
            bp = lq.bankruptcy_price(1, 10, 50_000, leverage=lev, kind="inverse")
            assert bp == pytest.approx(50_000 * lev / (lev + 1))

    def test_fee_moves_liquidation_toward_entry(self) -> None:
        plain = lq.liquidation_price(1, 1, 100, leverage=20, mmr=0.01).price
        with_fee = lq.liquidation_price(1, 1, 100, leverage=20, mmr=0.01, fee_rate=0.001).price
        assert plain < with_fee < 100

    def test_extra_margin_moves_liquidation_away(self) -> None:
        base = lq.liquidation_price(-1, 2, 100, leverage=10).price
        more = lq.liquidation_price(-1, 2, 100, leverage=10, extra_margin=5).price
        assert more == pytest.approx(base + 5 / (2 * 1.005))


class TestUnliquidatable:
    def test_one_x_linear_long(self) -> None:
        r = lq.liquidation_price(1, 1, 20_000, leverage=1, mmr=0.005)
        assert not r.liquidatable and math.isnan(r.price) and r.tier == 0
        assert math.isnan(r.bankruptcy_price)

    def test_one_x_inverse_short(self) -> None:
        r = lq.liquidation_price(-1, 1_000, 20_000, leverage=1, kind="inverse", mmr=0.005)
        assert not r.liquidatable and math.isnan(r.price)

    def test_one_x_inverse_long_is_liquidatable(self) -> None:
        # Collateral in coin makes an inverse long doubly exposed: it fails near half the entry.
        r = lq.liquidation_price(1, 1_000, 20_000, leverage=1, kind="inverse", mmr=0.005)
        assert r.liquidatable and r.price == pytest.approx(20_000 * 1.005 / 2)

    def test_linear_short_always_liquidatable(self) -> None:
        assert lq.liquidation_price(-1, 1, 100, leverage=0.5).liquidatable

    def test_already_below_maintenance(self) -> None:
        # Liquidation at 90 / 0.99 = 90.909...: a mark of 90.5 is already past it.
        r = lq.liquidation_price(1, 1, 100, collateral=10, mmr=0.01, mark_price=90.5)
        assert r.below_maintenance and r.price > 90.5
        ok = lq.liquidation_price(1, 1, 100, collateral=10, mmr=0.01, mark_price=95)
        assert not ok.below_maintenance

    def test_leverage_above_one_over_mmr_opens_below_maintenance(self) -> None:
        r = lq.liquidation_price(1, 1, 100, leverage=250, mmr=0.005)
        assert r.below_maintenance and r.price > 100


class TestTierAtLiquidationPrice:
    def test_entry_tier_is_wrong_and_iteration_fixes_it(self) -> None:
        # Long 10 BTC at 25,500 (255k notional, bracket 3) with 20x: at the liquidation price the
        # notional is below 250k, so bracket 2 applies.
        r = lq.liquidation_price(1, 10, 25_500, leverage=20, mmr=TABLE)
        assert r.tier == 2 and r.iterations == 2 and 10 * r.price < 250_000
        equity = 25_500 * 10 / 20 + lq.pnl(1, 10, 25_500, r.price)
        assert equity == pytest.approx(TABLE.maintenance_margin(10 * r.price), rel=1e-12)
        # Solving with the entry bracket's line instead gives a different (wrong) price.
        naive = lq.liquidation_price(1, 10, 25_500, leverage=20, mmr=TABLE[2])
        assert abs(naive.price - r.price) > 1

    def test_short_moves_up_a_tier(self) -> None:
        r = lq.liquidation_price(-1, 10, 24_000, leverage=20, mmr=TABLE)
        assert r.tier == 3 and 10 * r.price >= 250_000

    @pytest.mark.parametrize("kind", ["linear", "inverse"])
    def test_iterate_and_bracket_agree_on_random_book(self, kind: str) -> None:
        rng = np.random.default_rng(7)
        n = 20_000
        side = rng.choice([1.0, -1.0], n)
        entry = rng.uniform(1e3, 1e5, n)
        if kind == "linear":
            size = np.exp(rng.uniform(np.log(1e-2), np.log(500), n))
            table = TABLE
            notional = size * entry
        else:
            size = np.exp(rng.uniform(np.log(1), np.log(1e6), n))
            table = lq.TierTable([0, 5, 25, 100], [0.005, 0.01, 0.025, 0.05], [100, 50, 20, 10])
            notional = size / entry
        lev = rng.uniform(1.0, 1.0, n) * table.max_leverage(notional) * rng.uniform(0.05, 1, n)
        kw = dict(leverage=lev, mmr=table, kind=kind, fee_rate=0.0005)
        a = lq.liquidation_price(side, size, entry, method="iterate", **kw)
        b = lq.liquidation_price(side, size, entry, method="bracket", **kw)
        np.testing.assert_array_equal(a.liquidatable, b.liquidatable)
        ok = a.liquidatable
        np.testing.assert_allclose(a.price[ok], b.price[ok], rtol=1e-12)
        np.testing.assert_array_equal(a.tier, b.tier)
        assert a.iterations.max() <= len(table) + 1 and (a.iterations > 1).any()


class TestCross:
    def test_cross_equals_root_finder_when_one_position_moves(self) -> None:
        acct = lq.Account(
            5_000,
            [
                lq.Position(lq.Side.LONG, 2, 30_000, TABLE),
                lq.Position(lq.Side.SHORT, 10, 2_000, 0.01),
            ],
        )
        prices = [29_000, 2_100]
        closed = lq.cross_liquidation_price(acct, 0, prices)
        found = lq.account_liquidation_prices(acct, prices, [True, False])
        assert found.lower == pytest.approx(closed.price, rel=1e-10)
        assert math.isnan(found.upper)

    def test_other_positions_profit_moves_liquidation_away(self) -> None:
        def lp(other_mark: float) -> float:
            acct = lq.Account(
                1_000, [lq.Position(-1, 1.5, 3_000, 0.05), lq.Position(1, 1_000, 1.75, 0.10)]
            )
            return lq.cross_liquidation_price(acct, 0, [3_000, other_mark]).price

        assert lp(2.0) > lp(1.75) > lp(1.5)

    def test_mixed_book_can_fail_on_both_sides(self) -> None:
        # Delta-neutral book: long and short legs on one symbol with maintenance growing with size.
        acct = lq.Account(30, [lq.Position(1, 10, 100, 0.01), lq.Position(-1, 10, 100, 0.01)])
        r = lq.account_liquidation_prices(acct, [100, 100], [True, True])
        # Equity stays 30 while maintenance is 0.2*x: liquidation only above x = 150.
        assert math.isnan(r.lower) and r.upper == pytest.approx(150)

    def test_bracketed_root_refuses_brackets_without_sign_change(self) -> None:
        with pytest.raises(ValueError, match="change sign"):
            lq.bracketed_root(lambda x: x**2 + 1, 0.0, 1.0)


class TestBadInput:
    @pytest.mark.parametrize(
        ("kwargs", "argument"),
        [
            ({"size": 0.0}, "size must be > 0"),
            ({"size": -1.0}, "size must be > 0"),
            ({"entry_price": float("nan")}, "entry_price must be finite"),
            ({"entry_price": -1.0}, "entry_price must be > 0"),
            ({"side": 2}, "side must be"),
            ({"leverage": 0.0}, "leverage must be > 0"),
            ({"leverage": -3.0}, "leverage must be > 0"),
            ({"leverage": 200.0, "mmr": TABLE}, "leverage must be at most"),
            ({"mmr": 0.0}, "mmr must be a fraction"),
            ({"mmr": 1.0}, "mmr must be a fraction"),
            ({"fee_rate": -0.001}, "fee_rate must be a fraction"),
            ({"kind": "quanto"}, "kind must be"),
            ({"contract_value": 0.0}, "contract_value must be > 0"),
            ({"mark_price": 0.0}, "mark_price must be > 0"),
            ({"collateral": 10.0}, "exactly one of leverage"),
            ({"leverage": None}, "exactly one of leverage"),
            ({"maintenance_at": "mark"}, "maintenance_at must be one of"),
            ({"fee_at": "entry"}, "fee_at must be one of"),
            ({"method": "newton"}, "method must be one of"),
            ({"extra_margin": float("inf")}, "extra_margin must be finite"),
        ],
    )
    def test_names_the_argument(self, kwargs: dict, argument: str) -> None:
        args = {"side": 1, "size": 1.0, "entry_price": 100.0, "leverage": 10.0, **kwargs}
        with pytest.raises(ValueError, match=argument):
            lq.liquidation_price(
                args.pop("side"), args.pop("size"), args.pop("entry_price"), **args
            )


class TestPerPositionRates:
    """``mmr`` as an array: one flat rate per position (venues that tier by contract count)."""

    @pytest.mark.parametrize("maintenance_at", ["liquidation", "entry"])
    @pytest.mark.parametrize("kind", ["linear", "inverse"])
    def test_equals_one_call_per_rate(self, maintenance_at: str, kind: str) -> None:
        rng = np.random.default_rng(5)
        n = 200
        side = rng.choice([1, -1], n)
        size = rng.uniform(1, 100, n)
        entry = rng.uniform(100, 1e5, n)
        lev = rng.uniform(1.5, 60, n)
        rate = rng.uniform(0.002, 0.1, n)
        fee = 0.0006
        together = lq.liquidation_price(
            side,
            size,
            entry,
            leverage=lev,
            mmr=rate,
            fee_rate=fee,
            kind=kind,
            maintenance_at=maintenance_at,
        )
        for i in range(0, n, 7):
            one = lq.liquidation_price(
                int(side[i]),
                size[i],
                entry[i],
                leverage=lev[i],
                mmr=float(rate[i]),
                fee_rate=fee,
                kind=kind,
                maintenance_at=maintenance_at,
            )
            np.testing.assert_allclose(together.price[i], one.price, rtol=1e-12)
            assert together.liquidatable[i] == one.liquidatable
            assert together.below_maintenance[i] == one.below_maintenance

    def test_large_books_go_through_in_blocks(self) -> None:
        n = 3 * (1 << 16) + 5
        rate = np.where(np.arange(n) % 2 == 0, 0.005, 0.02)
        result = lq.liquidation_price(1, 1.0, 20_000, leverage=25, mmr=rate)
        assert result.price.shape == (n,)
        assert result.price[0] == pytest.approx(
            lq.liquidation_price(1, 1, 20_000, leverage=25, mmr=0.005).price
        )
        assert result.price[-2] == pytest.approx(
            lq.liquidation_price(1, 1, 20_000, leverage=25, mmr=0.02).price
        )

    def test_bad_rate_is_named(self) -> None:
        with pytest.raises(ValueError, match="mmr"):
            lq.liquidation_price(1, 1.0, 100, leverage=10, mmr=[0.01, 1.5])
