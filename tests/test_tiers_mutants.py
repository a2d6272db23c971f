"""Tier tables: the behaviours a user relies on that mutation testing found unpinned.

Each test builds its table inside the test (a table built at import is invisible to mutmut's
per-test coverage), and states one documented behaviour: which bracket an exact floor belongs
to, which boundary is inclusive, and that every refusal names the caller's argument, the
offending element and what is allowed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import liqlib as lq
from liqlib.core import count_at_or_above, count_at_or_below, maintenance_amounts


def btcusdt() -> lq.TierTable:
    """Binance BTCUSDT's first four leverage brackets (the FAQ's cum 0, 50, 1,300, 16,300)."""
    return lq.TierTable(
        [0, 50_000, 250_000, 1_000_000],
        [0.004, 0.005, 0.01, 0.025],
        [125, 100, 50, 20],
        name="BTCUSDT",
        unit="USDT",
    )


class TestTableConstruction:
    def test_labels_are_kept_and_default_to_empty(self) -> None:
        t = btcusdt()
        assert (t.name, t.unit) == ("BTCUSDT", "USDT")
        assert repr(t) == "<TierTable 'BTCUSDT': 4 brackets>"
        bare = lq.TierTable([0, 100], [0.01, 0.02], [50, 25])
        assert (bare.name, bare.unit) == ("", "")
        assert repr(bare) == "<TierTable: 2 brackets>"

    def test_caps_are_the_next_floor_and_the_last_is_open(self) -> None:
        t = btcusdt()
        assert t.caps.tolist() == [50_000, 250_000, 1_000_000, math.inf]
        assert (t.tier(60_000).floor, t.tier(60_000).cap) == (50_000, 250_000)

    def test_every_derived_array_is_read_only(self) -> None:
        t = btcusdt()
        for arr in (t.floors, t.caps, t.mmrs, t.max_leverages, t.cums):
            assert not arr.flags.writeable
            with pytest.raises(ValueError, match="read-only"):
                arr[0] = 1.0

    def test_scalars_make_a_single_bracket(self) -> None:
        t = lq.TierTable(0, 0.01, 50)
        assert len(t) == 1 and t.mmrs.tolist() == [0.01] and t.max_leverages.tolist() == [50]

    def test_equal_max_leverages_are_allowed(self) -> None:
        # "non-increasing": two brackets may share a leverage cap while the rate still rises.
        t = lq.TierTable([0, 100], [0.01, 0.02], [25, 25])
        assert t.max_leverage(150.0) == 25

    def test_a_fractional_leverage_increase_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^max_leverages must not increase"):
            lq.TierTable([0, 100], [0.01, 0.02], [20, 20.5])

    @pytest.mark.parametrize(
        ("levs", "named"),
        [
            ([50, 50.5, 60], r"\[1\]=50\.5 after 50\.0$"),
            ([50, 50, 60], r"\[2\]=60\.0 after 50\.0$"),
        ],
    )
    def test_leverage_increase_names_the_first_offending_bracket(self, levs, named) -> None:
        with pytest.raises(
            ValueError,
            match=r"^max_leverages must not increase with the bracket, got "
            r"max_leverages" + named,
        ):
            lq.TierTable([0, 100, 200], [0.01, 0.015, 0.016], levs)

    @pytest.mark.parametrize(
        ("mmrs", "levs"), [([0.03125], [32]), ([0.03125, 0.1], [32, 16]), ([0.02, 0.05], [50, 25])]
    )
    def test_maintenance_equal_to_initial_margin_is_refused(self, mmrs, levs) -> None:
        # mmr * max_leverage == 1 (exactly, for 1/32 * 32): a position at max leverage would open
        # already liquidatable, so the boundary is refused and the first such bracket named.
        first = f"{mmrs[0]}".replace(".", r"\.")
        with pytest.raises(
            ValueError,
            match=rf"^mmrs\[0\]={first} must be below 1/max_leverages\[0\]={first} \(initial "
            r"margin at maximum leverage must exceed maintenance margin\)$",
        ):
            lq.TierTable([0, 100][: len(mmrs)], mmrs, levs)

    def test_unsorted_floors_message_names_the_pair(self) -> None:
        with pytest.raises(
            ValueError,
            match=r"^floors must be strictly increasing with the bracket, got floors\[2\]=50\.0 "
            r"after 100\.0$",
        ):
            lq.TierTable([0, 100, 50], [0.01, 0.02, 0.03], [50, 25, 10])

    def test_a_repeated_floor_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^floors must be strictly increasing"):
            lq.TierTable([0, 100, 100], [0.01, 0.02, 0.03], [50, 25, 10])

    def test_first_floor_message_shows_the_first_floor(self) -> None:
        with pytest.raises(
            ValueError,
            match=r"^floors must start at 0 \(the first bracket\), got floors\[0\]=10\.0$",
        ):
            lq.TierTable([10, 100], [0.01, 0.02], [50, 25])

    def test_empty_and_ragged_messages_name_the_arguments(self) -> None:
        with pytest.raises(ValueError, match=r"^floors must hold at least one bracket"):
            lq.TierTable([], [], [])
        with pytest.raises(
            ValueError,
            match=r"^floors, mmrs and max_leverages must have one entry per bracket, got "
            r"lengths 2, 1, 2$",
        ):
            lq.TierTable([0, 100], [0.01], [50, 25])

    @pytest.mark.parametrize("label", ["name", "unit"])
    def test_labels_must_be_strings(self, label: str) -> None:
        with pytest.raises(TypeError, match=rf"^{label} must be a string, got 3$"):
            lq.TierTable([0], [0.01], [50], **{label: 3})


class TestMaintenanceAmounts:
    def test_refusals_name_the_argument(self) -> None:
        with pytest.raises(ValueError, match=r"^floors must hold at least one bracket"):
            maintenance_amounts([], [])
        with pytest.raises(ValueError, match=r"^floors must be a 1-D sequence"):
            maintenance_amounts([[0, 100]], [0.01, 0.02])
        with pytest.raises(ValueError, match=r"^mmrs must be a 1-D sequence"):
            maintenance_amounts([0, 100], [[0.01, 0.02]])


class TestConstructors:
    def test_flat_keeps_labels_and_defaults_to_empty(self) -> None:
        t = lq.TierTable.flat(0.01, 50.0, name="ETHUSD", unit="USD")
        assert (t.name, t.unit) == ("ETHUSD", "USD")
        bare = lq.TierTable.flat(0.01, 50.0)
        assert (bare.name, bare.unit) == ("", "")

    @pytest.mark.parametrize(
        ("mmr", "max_leverage", "message"),
        [
            (np.array([0.01, 0.02]), 50.0, r"^mmr must be a single number"),
            (0.01, np.array([50.0, 20.0]), r"^max_leverage must be a single number"),
            (0.0, 50.0, r"^mmr must be a fraction in \(0, 1\) \(0\.005 means 0\.5%\), got 0\.0$"),
        ],
    )
    def test_flat_refusals_name_its_own_arguments(self, mmr, max_leverage, message) -> None:
        with pytest.raises((TypeError, ValueError), match=message):
            lq.TierTable.flat(mmr, max_leverage)

    def test_from_max_leverage_halves_the_initial_margin(self) -> None:
        # Hyperliquid: maintenance rate = initial margin rate at maximum leverage / 2.
        t = lq.TierTable.from_max_leverage([0, 1_000_000], [20, 10], name="BTC", unit="USDC")
        assert t.mmrs.tolist() == pytest.approx([0.025, 0.05])
        assert (t.name, t.unit) == ("BTC", "USDC")
        bare = lq.TierTable.from_max_leverage([0], [20])
        assert (bare.name, bare.unit) == ("", "")


class TestLookups:
    def test_negative_indices_count_from_the_last_bracket(self) -> None:
        t = btcusdt()
        assert t[-4].level == 1 and t[-1].level == 4
        with pytest.raises(IndexError, match=r"^tier index 4 out of range for a table of 4"):
            t[4]
        with pytest.raises(IndexError, match=r"^tier index -5 out of range"):
            t[-5]

    def test_tier_wants_one_notional(self) -> None:
        with pytest.raises(TypeError, match=r"^notional must be a single number"):
            btcusdt().tier(np.array([1.0, 2.0]))

    def test_index_fills_the_callers_buffer(self) -> None:
        out = np.empty(3, dtype=np.int8)
        got = btcusdt().index(np.array([0.0, 50_000.0, 2e6]), out=out)
        assert got is out and out.tolist() == [0, 1, 3]

    def test_effective_rate_at_a_published_size(self) -> None:
        # MM(500k) = 500k * 1% - 1,300 = 3,700, i.e. 0.74% of notional.
        assert btcusdt().effective_mmr(500_000) == pytest.approx(3_700 / 500_000)

    def test_single_bracket_table_works_on_arrays(self) -> None:
        t = lq.TierTable.flat(0.01, 50.0)
        n = np.array([0.0, 1_000.0, 1e9])
        assert t.maintenance_margin(n).tolist() == pytest.approx([0.0, 10.0, 1e7])
        assert t.max_leverage(n).tolist() == [50.0] * 3

    def test_tier_line_refuses_negative_notional_by_name(self) -> None:
        with pytest.raises(ValueError, match=r"^notional must be"):
            btcusdt()[0].maintenance_margin(-1.0)


class TestCheckLeverage:
    def test_message_states_limit_and_leverage_of_the_first_offender(self) -> None:
        with pytest.raises(
            ValueError,
            match=r"^leverage must be at most the bracket's max leverage 50\.0 for that "
            r"notional, got 60\.0$",
        ):
            btcusdt().check_leverage(np.array([10.0, 60.0]), np.array([300_000.0, 300_000.0]))

    def test_bad_notional_and_shapes_are_named(self) -> None:
        t = btcusdt()
        with pytest.raises(ValueError, match=r"^notional must be"):
            t.check_leverage(10.0, -1.0)
        with pytest.raises(
            ValueError, match=r"^notional of shape \(3,\) does not broadcast with leverage"
        ):
            t.check_leverage([10.0, 20.0], [1.0, 2.0, 3.0])


class TestCounting:
    def test_every_threshold_counts(self) -> None:
        x = np.array([0.0, 1.5, 2.0, 3.0])
        assert count_at_or_below([1.0, 2.0], x).tolist() == [0, 1, 2, 2]
        assert count_at_or_above([1.0, 2.0], x).tolist() == [2, 1, 1, 0]

    def test_tied_thresholds_are_ascending(self) -> None:
        assert count_at_or_below([1.0, 1.0], np.array([0.5, 1.0])).tolist() == [0, 2]

    def test_last_below_first_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^thresholds must be ascending"):
            count_at_or_below([1.0, 2.0, 0.5], 1.0)

    def test_a_2d_array_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^thresholds must be a 1-D array"):
            count_at_or_below(np.ones((2, 2)), 1.0)

    def test_a_non_numeric_x_is_named(self) -> None:
        with pytest.raises(TypeError, match=r"^x must be a real number"):
            count_at_or_below([1.0], np.array(["a"]))
