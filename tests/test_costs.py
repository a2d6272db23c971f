"""Impact laws and the Almgren-Chriss schedule (liqlib.costs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import liqlib.book as ob
import liqlib.costs as co

# Almgren & Chriss (2000), section 3 example parameters (READING.md item 22).
PAPER = co.ExecutionModel(
    shares=1e6, horizon=5, periods=5, sigma=0.95, epsilon=0.0625, eta=2.5e-6, gamma=2.5e-7
)


class TestImpactLaws:
    def test_square_root_law_quadruple_size_doubles_impact(self) -> None:
        a, b = co.square_root_impact([100, 400], 1e4, 0.05)
        assert b == pytest.approx(2 * a)

    def test_the_linear_density_book_obeys_the_square_root_law(self) -> None:
        # A book whose density rises linearly with distance: touch move ∝ sqrt(Q)
        ladder = ob.linear_ladder(depth=1_000)
        q = np.array([10.0, 40.0, 160.0])
        move = ob.execute(ladder, ob.SELL, q, 100.0).worst_price
        assert np.diff(np.log(100 - move)) / np.diff(np.log(q)) == pytest.approx([0.5, 0.5])

    def test_the_flat_book_is_kyle(self) -> None:
        ladder = ob.flat_ladder(depth=1_000)  # 1% per 1,000 units: lambda = 100 * 0.01 / 1000
        move = 100 - ob.execute(ladder, ob.SELL, 250, 100.0).worst_price
        assert move == pytest.approx(co.linear_impact(250, 100 * 0.01 / 1_000))

    @pytest.mark.parametrize(
        ("call", "name"),
        [
            (lambda: co.linear_impact(-1, 0.1), "quantity"),
            (lambda: co.square_root_impact(1, 0, 0.1), "daily_volume"),
            (lambda: co.square_root_impact(1, 1, 0.1, y=0), "y"),
        ],
    )
    def test_bad_input(self, call: object, name: str) -> None:
        with pytest.raises(ValueError, match=name):
            call()  # type: ignore[operator]


class TestAlmgrenChriss:
    def test_zero_risk_aversion_is_twap(self) -> None:
        x = co.almgren_chriss_schedule(PAPER, 0.0)
        assert np.diff(x) == pytest.approx(np.full(5, -2e5))

    def test_paper_example_is_front_loaded_and_cheaper_in_variance(self) -> None:
        urgent = co.almgren_chriss_schedule(PAPER, 2e-6)
        twap = co.almgren_chriss_schedule(PAPER, 0.0)
        assert urgent[0] == PAPER.shares and urgent[-1] == 0
        assert np.all(np.diff(urgent) < 0) and np.all(urgent[1:-1] < twap[1:-1])
        cost_u, cost_t = co.schedule_cost(PAPER, urgent), co.schedule_cost(PAPER, twap)
        assert cost_u.variance < cost_t.variance and cost_u.expected > cost_t.expected

    @settings(max_examples=30, deadline=None)
    @given(
        lam=st.floats(1e-8, 1e-4),
        bumps=st.lists(st.floats(-0.05, 0.05), min_size=4, max_size=4),
    )
    def test_the_schedule_minimises_the_objective(self, lam: float, bumps: list[float]) -> None:
        best = co.almgren_chriss_schedule(PAPER, lam)
        other = best.copy()
        other[1:-1] *= 1 + np.asarray(bumps)
        f_best = co.schedule_cost(PAPER, best).objective(lam)
        f_other = co.schedule_cost(PAPER, other).objective(lam)
        assert f_best <= f_other * (1 + 1e-12)

    def test_a_very_urgent_seller_does_not_overflow(self) -> None:
        x = co.almgren_chriss_schedule(PAPER, 1e6)
        assert np.all(np.isfinite(x)) and x[1] < 1e-6 * PAPER.shares

    def test_bad_model(self) -> None:
        with pytest.raises(ValueError, match="gamma \\* tau"):
            co.ExecutionModel(1, 10, 1, 1, 0, eta=0.1, gamma=1.0)
        with pytest.raises(ValueError, match="periods"):
            co.ExecutionModel(1, 1, 0, 1, 0, 0.1, 0)
        with pytest.raises(ValueError, match="holdings"):
            co.schedule_cost(PAPER, [1e6, 0])
