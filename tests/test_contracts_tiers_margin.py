"""Unit tests of contracts, tiers and margin, and their refusal of bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import liqlib as lq

BTCUSDT = lq.TierTable(
    [0, 50_000, 250_000, 1_000_000],
    [0.004, 0.005, 0.01, 0.025],
    [125, 100, 50, 20],
    name="BTCUSDT",
    unit="USDT",
)


class TestContracts:
    def test_linear_pnl_and_notional(self) -> None:
        assert lq.pnl(lq.Side.LONG, 2, 100, 110) == 20.0
        assert lq.pnl(lq.Side.SHORT, 2, 100, 110) == -20.0
        assert lq.notional(2, 110) == 220.0

    def test_inverse_pnl_is_convex_in_price(self) -> None:
        up = lq.pnl(1, 100, 10_000, 11_000, "inverse", 100)
        down = lq.pnl(1, 100, 10_000, 9_000, "inverse", 100)
        assert up > 0 > down and abs(down) > abs(up)  # loses more on the way down

    def test_harmonic_average_keeps_pnl_additive(self) -> None:
        sizes, fills = np.array([300.0, 700.0]), np.array([20_000.0, 25_000.0])
        avg = lq.average_entry_price(sizes, fills, "inverse")
        combined = lq.pnl(1, sizes.sum(), avg, 30_000, "inverse")
        parts = sum(lq.pnl(1, q, p, 30_000, "inverse") for q, p in zip(sizes, fills, strict=True))
        assert math.isclose(combined, parts, rel_tol=1e-12)

    def test_vectorized_returns_arrays_and_scalars_return_floats(self) -> None:
        out = lq.pnl(np.array([1, -1]), 1.0, 100.0, np.array([110.0, 90.0]))
        assert isinstance(out, np.ndarray) and out.tolist() == [10.0, 10.0]
        assert isinstance(lq.pnl(1, 1, 100, 101), float)

    def test_round_to_tick(self) -> None:
        assert lq.round_to_tick(5_739.084, 0.5, "up") == 5_739.5
        assert lq.round_to_tick(5_739.084, 0.5, "down") == 5_739.0
        assert lq.round_to_tick(7_735.5, 0.5, "up") == 7_735.5

    @pytest.mark.parametrize(
        ("kwargs", "argument"),
        [
            ({"side": 1, "size": 0, "entry_price": 100, "price": 100}, "size"),
            ({"side": 1, "size": 1, "entry_price": -5, "price": 100}, "entry_price"),
            ({"side": 1, "size": 1, "entry_price": 100, "price": float("nan")}, "price"),
            ({"side": 0, "size": 1, "entry_price": 100, "price": 100}, "side"),
            ({"side": 1, "size": 1, "entry_price": 100, "price": 100, "kind": "quanto"}, "kind"),
        ],
    )
    def test_bad_input_names_the_argument(self, kwargs: dict, argument: str) -> None:
        with pytest.raises(ValueError, match=argument):
            lq.pnl(**kwargs)

    def test_bad_element_in_array_is_located(self) -> None:
        with pytest.raises(
            ValueError, match=r"price must be > 0, got -1.0 \(first of 1 at flat index 2\)"
        ):
            lq.notional(1.0, np.array([1.0, 2.0, -1.0]))


class TestTiers:
    def test_cum_recursion_matches_binance(self) -> None:
        assert BTCUSDT.cums.tolist() == pytest.approx([0, 50, 1_300, 16_300])

    def test_mm_is_progressive_sum_of_slices(self) -> None:
        n = 1_700_000.0
        slices = np.diff(np.minimum(np.append(BTCUSDT.floors, np.inf), n).clip(0))
        assert BTCUSDT.maintenance_margin(n) == pytest.approx((slices * BTCUSDT.mmrs).sum())

    def test_mm_is_max_of_tier_lines(self) -> None:
        n = np.linspace(0, 3e6, 1001)
        lines = n[:, None] * BTCUSDT.mmrs - BTCUSDT.cums
        np.testing.assert_allclose(BTCUSDT.maintenance_margin(n), lines.max(axis=1), atol=1e-9)

    def test_lookup_at_floors_belongs_to_upper_bracket(self) -> None:
        assert BTCUSDT.tier(50_000).level == 2
        assert BTCUSDT.tier(49_999.99).level == 1
        assert BTCUSDT.tier(5e9).level == 4 and math.isinf(BTCUSDT.tier(5e9).cap)

    def test_table_is_immutable_and_iterable(self) -> None:
        with pytest.raises(ValueError):
            BTCUSDT.mmrs[0] = 0.5
        assert [t.level for t in BTCUSDT] == [1, 2, 3, 4] and len(BTCUSDT) == 4

    @pytest.mark.parametrize(
        ("floors", "mmrs", "levs", "argument"),
        [
            ([0, 100, 50], [0.01, 0.02, 0.03], [50, 25, 10], "floors must be strictly increasing"),
            ([10, 100], [0.01, 0.02], [50, 25], "floors must start at 0"),
            ([0, 100], [0.02, 0.01], [25, 20], "mmrs must be strictly increasing"),
            ([0, 100], [0.01, 1.2], [50, 0.5], "mmrs must be a fraction"),
            ([0, 100], [0.0, 0.01], [50, 25], "mmrs must be a fraction"),
            ([0, 100], [0.01, 0.02], [25, 50], "max_leverages must not increase"),
            ([0, 100], [0.01, 0.02], [50, 60], "max_leverages must not increase"),
            ([0, 100], [0.01, 0.05], [50, 25], r"mmrs\[1\]=0.05 must be below 1/max_leverages"),
            ([0, 100], [0.01], [50, 25], "one entry per bracket"),
            ([], [], [], "at least one bracket"),
        ],
    )
    def test_invalid_tables_are_refused(self, floors, mmrs, levs, argument) -> None:
        with pytest.raises(ValueError, match=argument):
            lq.TierTable(floors, mmrs, levs)

    def test_leverage_above_bracket_maximum_is_refused(self) -> None:
        with pytest.raises(ValueError, match="leverage must be at most"):
            BTCUSDT.check_leverage(60, 300_000)
        BTCUSDT.check_leverage(50, 300_000)


class TestMargin:
    def test_state_of_isolated_position(self) -> None:
        pos = lq.Position(lq.Side.LONG, 1.0, 20_000, mmr=0.005)
        at_liq = lq.isolated_state(pos, collateral=400, price=19_698.49246231156)
        assert at_liq.equity == pytest.approx(at_liq.maintenance_margin)
        healthy = lq.isolated_state(pos, collateral=400, price=20_000)
        assert healthy.margin_ratio == pytest.approx(100 / 400)
        assert healthy.effective_leverage == pytest.approx(50)
        assert not healthy.liquidatable

    @given(
        side=st.sampled_from([1, -1]),
        leverage=st.floats(2, 100),
        entry=st.floats(1, 1e6),
        size=st.floats(1e-3, 1e3),
        mmr=st.floats(1e-3, 0.4),
    )
    def test_the_liquidation_price_itself_tests_liquidatable(
        self, side: int, leverage: float, entry: float, size: float, mmr: float
    ) -> None:
        result = lq.liquidation_price(side, size, entry, leverage=leverage, mmr=mmr)
        pos = lq.Position(lq.Side(side), size, entry, mmr=mmr)
        collateral = size * entry / leverage
        if result.liquidatable and not result.below_maintenance:
            assert lq.isolated_state(pos, collateral, result.price).liquidatable
            away = result.price * (1 + side * 1e-6)  # a hair toward the entry: safe
            assert not lq.isolated_state(pos, collateral, away).liquidatable

    def test_state_along_a_price_path_matches_pointwise_states(self) -> None:
        pos = lq.Position(lq.Side.SHORT, 2.0, 3_000, mmr=0.01)
        path = np.linspace(2_900, 3_400, 11)
        along = lq.isolated_state(pos, collateral=600, price=path)
        for i, price in enumerate(path):
            one = lq.isolated_state(pos, collateral=600, price=float(price))
            assert along.equity[i] == pytest.approx(one.equity)
            assert along.maintenance_margin[i] == pytest.approx(one.maintenance_margin)
            assert along.margin_ratio[i] == pytest.approx(one.margin_ratio)
            assert along.liquidatable[i] == one.liquidatable

    def test_a_position_can_carry_one_fixed_bracket(self) -> None:
        bracket = BTCUSDT.tier(3_500_032.458)
        pos = lq.Position(lq.Side.LONG, 50, 70_000.64916, mmr=bracket)
        assert pos.maintenance_margin(70_000.64916) == pytest.approx(
            3_500_032.458 * bracket.mmr - bracket.cum
        )
        # Fixed means fixed: a much smaller notional still uses that bracket's line.
        assert pos.maintenance_margin(1_000) == pytest.approx(50_000 * bracket.mmr - bracket.cum)

    def test_negative_equity_has_infinite_ratio(self) -> None:
        assert lq.margin_ratio(10, -5) == math.inf
        assert lq.effective_leverage(100, 0) == math.inf

    def test_cross_account_mixing_kinds_is_refused(self) -> None:
        with pytest.raises(ValueError, match="settlement currency"):
            lq.Account(1.0, [lq.Position(1, 1, 100), lq.Position(1, 1, 100, kind="inverse")])

    def test_account_prices_must_match_positions(self) -> None:
        acct = lq.Account(100, [lq.Position(1, 1, 100)])
        with pytest.raises(ValueError, match="prices must give one price per position"):
            acct.state([100, 200])

    def test_maintenance_with_table_and_flat(self) -> None:
        assert lq.maintenance_margin(500_000, BTCUSDT) == pytest.approx(3_700)
        assert lq.maintenance_margin(1_000, 0.01) == pytest.approx(10)
        with pytest.raises(ValueError, match="mmr must be a fraction"):
            lq.maintenance_margin(1_000, 1.5)

    def test_initial_margin_refuses_zero_leverage(self) -> None:
        with pytest.raises(ValueError, match="leverage must be > 0"):
            lq.initial_margin(100, 0)


class TestMarginAtZeroEquity:
    """Issue 15: ``margin_ratio`` at exactly zero equity was not pinned by any test."""

    def test_margin_ratio_is_inf_at_exactly_zero_equity(self) -> None:
        assert lq.margin_ratio(0.0, 0.0) == math.inf
        assert lq.margin_ratio(5.0, 0.0) == math.inf
        assert lq.margin_ratio(5.0, -0.0) == math.inf
        got = lq.margin_ratio([0.0, 5.0, 5.0, 5.0], [0.0, 0.0, -1.0, 10.0])
        assert got.tolist() == [math.inf, math.inf, math.inf, 0.5]

    def test_margin_ratio_just_above_zero_equity_is_finite(self) -> None:
        assert lq.margin_ratio(1.0, 1e-300) == pytest.approx(1e300, rel=1e-15)

    def test_effective_leverage_at_zero_equity(self) -> None:
        assert lq.effective_leverage(0.0, 0.0) == math.inf
        assert lq.effective_leverage([100.0, 100.0], [0.0, 50.0]).tolist() == [math.inf, 2.0]

    def test_state_at_bankruptcy_reports_inf_not_nan(self) -> None:
        pos = lq.Position(lq.Side.LONG, 1.0, 100.0, mmr=0.01)
        s = lq.isolated_state(pos, collateral=10.0, price=90.0)  # equity exactly 0
        assert s.equity == 0.0
        assert s.margin_ratio == math.inf and s.effective_leverage == math.inf
        assert s.liquidatable


class TestContractValues:
    """Values of the contract algebra pinned where mutation testing found them unpinned."""

    def test_linear_average_entry_is_size_weighted(self) -> None:
        assert lq.average_entry_price([1.0, 3.0], [100.0, 200.0]) == 175.0
        assert lq.average_entry_price([2.0], [123.0]) == 123.0

    def test_inverse_average_entry_is_harmonic(self) -> None:
        # Bybit: 1,000 @ 5,000 and 2,000 @ 6,000 average to 5,625.
        assert lq.average_entry_price([1_000, 2_000], [5_000, 6_000], "inverse") == 5_625.0

    def test_average_entry_along_an_axis(self) -> None:
        sizes = np.array([[1.0, 3.0], [2.0, 2.0]])
        prices = np.array([[100.0, 200.0], [10.0, 30.0]])
        assert lq.average_entry_price(sizes, prices, axis=1).tolist() == [175.0, 20.0]
        assert lq.average_entry_price(sizes, prices, axis=0).tolist() == pytest.approx(
            [(100 + 20) / 3, (600 + 60) / 5]
        )
        assert lq.average_entry_price(sizes, prices, axis=-2).tolist() == pytest.approx(
            [(100 + 20) / 3, (600 + 60) / 5]
        )

    def test_average_entry_keeps_the_combined_pnl(self) -> None:
        sizes, prices = [1.0, 2.0, 0.5], [100.0, 120.0, 90.0]
        for kind in ("linear", "inverse"):
            avg = lq.average_entry_price(sizes, prices, kind)
            total = sum(lq.pnl(1, q, e, 150.0, kind) for q, e in zip(sizes, prices, strict=True))
            assert lq.pnl(1, sum(sizes), avg, 150.0, kind) == pytest.approx(total, rel=1e-12)

    def test_average_entry_refuses_a_missing_axis_and_no_fills(self) -> None:
        with pytest.raises(ValueError, match="axis must be an axis"):
            lq.average_entry_price([1.0], [1.0], axis=1)
        with pytest.raises(ValueError, match="at least one fill"):
            lq.average_entry_price(np.ones((2, 0)), np.ones((2, 0)))

    def test_round_to_tick_far_from_a_tick_is_not_snapped(self) -> None:
        # 100,000.3 is 0.3 ticks from a tick: rounding up gives 100,001 (a relative tolerance in
        # the snap would have taken 100,000).
        assert lq.round_to_tick(100_000.3, 1.0, "up") == 100_001.0
        assert lq.round_to_tick(100_000.7, 1.0, "down") == 100_000.0
        assert lq.round_to_tick(7_735.5 + 1e-12, 0.5, "up") == 7_735.5  # float noise snapped

    def test_round_to_tick_array_tick(self) -> None:
        got = lq.round_to_tick([100.3, 100.3, 100.3], [0.5, 0.1, 1.0], "down")
        assert got.tolist() == pytest.approx([100.0, 100.3, 100.0], abs=1e-12)

    def test_inverse_pnl_and_notional_values(self) -> None:
        assert lq.pnl(-1, 1_000, 5_000, 5_500, "inverse") == pytest.approx(
            -1_000 * (1 / 5_000 - 1 / 5_500), rel=1e-15
        )
        assert lq.pnl(1, 10, 5_000, 5_500, "inverse", contract_value=100) == pytest.approx(
            1_000 * (1 / 5_000 - 1 / 5_500), rel=1e-15
        )
        assert lq.notional(100, 25_000, "inverse", contract_value=100) == 0.4
        assert lq.notional(3, 7.0) == 21.0

    def test_contract_kind(self) -> None:
        assert lq.core.contract_kind("inverse") is lq.INVERSE
        assert lq.core.contract_kind(lq.LINEAR) is lq.LINEAR
        with pytest.raises(ValueError, match="^kind must be 'linear' or 'inverse', got 'x'$"):
            lq.core.contract_kind("x")
        with pytest.raises(TypeError, match="^kind must be 'linear' or 'inverse', got int 3$"):
            lq.core.contract_kind(3)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda: lq.notional(1e300, 1e300), r"^size \* price \(the notional\) must stay"),
            (lambda: lq.notional(1.0, 1e-300, "inverse"),
             r"^size \* contract_value / price \(the notional\) must stay"),
            (lambda: lq.round_to_tick(1e300, 1e-300, "up"),
             r"^price / tick \(the number of ticks\) must stay"),
            (lambda: lq.pnl(1, 1e300, 1e300, 1.0), r"^size \* entry_price \(the notional\)"),
            (lambda: lq.pnl(1, 1e150, 1e40, 1e60), r"^size \* price \(the notional\)"),
        ],
    )
    def test_derived_range_messages(self, call, message) -> None:
        with pytest.raises(lq.core.DerivedRangeError, match=message):
            call()

    def test_derived_range_boundaries(self) -> None:
        # The notional may reach the bounds exactly, and no further.
        assert lq.notional(1e100, 1e100) == 1e200
        assert lq.notional(1e-100, 1e-100) == pytest.approx(1e-200)
        with pytest.raises(ValueError):
            lq.notional(1e100, 1.1e100)
        with pytest.raises(ValueError):
            lq.notional(1e-100, 0.9e-100)


class TestContractArraysAndRanges:
    """Arrays equal their scalar calls, and the derived-range checks bound every element."""

    def test_arrays_equal_scalar_calls(self) -> None:
        size = np.array([1.0, 2.5, 40.0])
        entry = np.array([100.0, 2_000.0, 30_000.0])
        price = np.array([110.0, 1_900.0, 31_000.0])
        side = np.array([1.0, -1.0, 1.0])
        cv = np.array([1.0, 10.0, 100.0])
        for kind in ("linear", "inverse"):
            n = lq.notional(size, price, kind, contract_value=cv)
            u = lq.pnl(side, size, entry, price, kind, contract_value=cv)
            for i in range(3):
                assert n[i] == lq.notional(size[i], price[i], kind, contract_value=cv[i])
                assert u[i] == lq.pnl(side[i], size[i], entry[i], price[i], kind,
                                      contract_value=cv[i])

    def test_inverse_default_contract_value_is_one(self) -> None:
        assert lq.notional(100, 25_000, "inverse") == 100 / 25_000
        assert lq.pnl(1, 100, 20_000, 25_000, "inverse") == pytest.approx(
            100 * (1 / 20_000 - 1 / 25_000), rel=1e-15
        )

    def test_inverse_average_along_an_axis(self) -> None:
        sizes = np.array([[1_000.0, 2_000.0], [1.0, 1.0]])
        prices = np.array([[5_000.0, 6_000.0], [100.0, 300.0]])
        got = lq.average_entry_price(sizes, prices, "inverse", axis=1)
        assert got.tolist() == pytest.approx([5_625.0, 150.0], rel=1e-15)

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            # one element's notional underflows though each input alone is in range
            (lambda: lq.notional([1e-150, 1.0], [1e-60, 1.0]),
             r"^size \* price \(the notional\) .* size in \[1e-150, 1\.0\], "
             r"price in \[1e-60, 1\.0\]"),
            (lambda: lq.notional([1e-150, 1.0], [1e60, 1.0], "inverse",
                                 contract_value=[1e-10, 1e20]),
             r"^size \* contract_value / price \(the notional\) .*size in \[1e-150, 1\.0\], "
             r"contract_value in \[1e-10, 1e\+20\]"),
            (lambda: lq.notional([1e150, 1.0], [1e-20, 1.0], "inverse",
                                 contract_value=[1e40, 1e-20]),
             r"price in \[1e-20, 1\.0\]"),
            (lambda: lq.pnl(1, 1e150, 1e-60, 1.0, "inverse"),
             r"^size \* contract_value / entry_price \(the notional\)"),
            (lambda: lq.pnl(1, 1e150, 1.0, 1e-60, "inverse"),
             r"^size \* contract_value / price \(the notional\)"),
            (lambda: lq.average_entry_price([6e99, 6e99], [1e100, 1e100]),
             r"^sizes \* prices \(the notional\)"),
            (lambda: lq.average_entry_price([1e-150, 1.0], [1e-60, 1.0]),
             r"sizes in \[1e-150, 1\.0\]"),
            (lambda: lq.round_to_tick(1e-150, 1e60, "up"),
             r"^price / tick \(the number of ticks\) .*price in \[1e-150\], tick in \[1e\+60\]"),
            (lambda: lq.round_to_tick(1.7e308, 1e308, "up"),
             r"^the rounded price overflows floating point .*: price, tick out of range"),
        ],
    )
    def test_every_element_is_bounded(self, call, message) -> None:
        with pytest.raises(lq.core.DerivedRangeError, match=message):
            call()

    def test_round_to_tick_snap_tolerance_is_absolute_1e9_ticks(self) -> None:
        assert lq.round_to_tick(100 + 5e-9, 1.0, "up") == 101.0
        assert lq.round_to_tick(100 + 5e-10, 1.0, "up") == 100.0

    def test_average_entry_messages(self) -> None:
        with pytest.raises(TypeError, match="^axis must be an integer"):
            lq.average_entry_price([1.0], [1.0], axis=0.5)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="^sizes and prices must hold at least one fill"):
            lq.average_entry_price(np.ones((2, 0)), np.ones((2, 0)))


class TestCounts:
    """``count_at_or_below``/``above``: the short-table loop, the long-table search, scratch."""

    X = np.array([0.0, 1.0, 2.5, 3.0, 4.0])

    def test_counts(self) -> None:
        t = np.array([1.0, 2.0, 3.0])
        assert lq.core.count_at_or_below(t, self.X).tolist() == [0, 1, 2, 3, 3]
        assert lq.core.count_at_or_above(t, self.X).tolist() == [3, 3, 1, 1, 0]

    def test_one_and_no_threshold(self) -> None:
        assert lq.core.count_at_or_below(np.array([2.0]), self.X).tolist() == [0, 0, 1, 1, 1]
        assert lq.core.count_at_or_above(np.array([2.0]), self.X).tolist() == [1, 1, 0, 0, 0]
        assert lq.core.count_at_or_below(np.array([]), self.X).tolist() == [0] * 5
        out = np.full(5, 7, dtype=np.int8)
        assert lq.core.count_at_or_below(np.array([]), self.X, out=out).tolist() == [0] * 5

    def test_scratch_arrays_are_used(self) -> None:
        t = np.array([1.0, 2.0, 3.0])
        out, hit = np.empty(5, dtype=np.int8), np.empty(5, dtype=bool)
        got = lq.core.count_at_or_below(t, self.X, out=out, hit=hit)
        assert got is out and out.tolist() == [0, 1, 2, 3, 3]

    @pytest.mark.parametrize("n", [64, 65, 200])
    def test_long_tables_agree_with_short_ones(self, n: int) -> None:
        t = np.arange(1.0, n + 1.0)
        x = np.array([0.0, 1.0, 1.5, n / 2, n, n + 1.0])
        below = np.array([(t <= xi).sum() for xi in x])
        above = np.array([(t >= xi).sum() for xi in x])
        assert lq.core.count_at_or_below(t, x).tolist() == below.tolist()
        assert lq.core.count_at_or_above(t, x).tolist() == above.tolist()

    def test_list_thresholds_and_scalar_x(self) -> None:
        assert int(lq.core.count_at_or_below([1.0, 2.0], 1.5)) == 1

    def test_flat_table_message_uses_the_callers_names(self) -> None:
        with pytest.raises(ValueError, match=r"^mmr\[0\]=0\.5 must be below 1/max_leverage\[0\]"):
            lq.TierTable.flat(0.5, 3.0)
        assert lq.TierTable.flat(0.01, 50.0).mmrs.tolist() == [0.01]

    def test_tier_bounds(self) -> None:
        with pytest.raises(ValueError, match=r"^cap must be >= floor=10\.0"):
            lq.Tier(1, 10.0, 5.0, 0.01, 50.0, 0.0)
        assert lq.Tier(1, 10.0, 10.0, 0.01, 50.0, 0.0).cap == 10.0
        with pytest.raises(ValueError, match=r"^max_leverage must be > 0"):
            lq.Tier(1, 0.0, 5.0, 0.01, 0.0, 0.0)
        assert lq.Tier(1, 0.0, 5.0, 0.01, 0.5, 0.0).max_leverage == 0.5
        with pytest.raises(ValueError, match=r"^floor must be >= 0"):
            lq.Tier(1, -1.0, 5.0, 0.01, 1.0, 0.0)
        with pytest.raises(ValueError, match=r"^level must be an integer in \[0, inf\]"):
            lq.Tier(-1, 0.0, 5.0, 0.01, 1.0, 0.0)
