"""Read-outs of the systemic layer that chapters use: the cascade's response curve
(cascade_response) and a cost breakdown as table rows (cost_rows)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.engine import RateOnNotional, flat_ladder, linear_ladder
from liqlib.systemic import (
    BEARERS,
    COMPONENTS,
    COST_LABELS,
    cascade,
    cascade_response,
    cost_rows,
    generate_population,
    liquidation_cost,
)

PRICE = 60_000.0
POP = generate_population(2_000, PRICE, seed=7, entry_dispersion=0.01)


@pytest.mark.parametrize("direction", [-1, +1])
@pytest.mark.parametrize("ladder", [flat_ladder(20.0), linear_ladder(5.0, half_spread=1e-4)])
def test_the_response_is_the_cascade_shock_by_shock(direction: int, ladder: object) -> None:
    shocks = np.linspace(0.002, 0.2, 50)
    curve = cascade_response(POP, PRICE, ladder, shocks, direction=direction)
    assert curve.shape == shocks.shape
    for s, move in zip(shocks, curve, strict=True):
        direct = direction * (cascade(POP, PRICE, direction * s, ladder).price / PRICE - 1)
        assert move == pytest.approx(direct, abs=1e-12)
    assert np.all(curve >= shocks - 1e-15) and np.all(np.diff(curve) >= -1e-15)


def test_a_scalar_shock_gives_a_float_and_an_empty_book_ends_at_zero() -> None:
    move = cascade_response(POP, PRICE, flat_ladder(20.0), 0.05)
    assert isinstance(move, float)
    longs = float(POP.size[POP.side > 0].sum())
    assert cascade_response(POP, PRICE, flat_ladder(longs / 1_000), 0.5) == 1.0


def test_bad_shocks_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="shocks"):
        cascade_response(POP, PRICE, flat_ladder(20.0), [0.01, -0.01])
    with pytest.raises(ValueError, match="shocks"):
        cascade_response(POP, PRICE, flat_ladder(20.0), 1.0)
    with pytest.raises(ValueError, match="direction"):
        cascade_response(POP, PRICE, flat_ladder(20.0), 0.01, direction=0)
    with pytest.raises(TypeError, match="ladder"):
        cascade_response(POP, PRICE, "flat", 0.01)  # type: ignore[arg-type]


def test_cost_rows_hold_every_component_and_payer() -> None:
    sizes = np.array([20.0, 300.0, 1_000.0, 2_000.0])
    r = liquidation_cost(+1, sizes, PRICE, linear_ladder(1_000.0, half_spread=5e-5), leverage=10,
                         mmr=0.005, fee=RateOnNotional(0.003), insurance_fund=250_000.0)
    rows = cost_rows(r)
    assert all(len(row) == 1 + sizes.size for row in rows)
    names = [row[0] for row in rows]
    assert names == ["notional (USDT)", "equity at the mark", "**what**",
                     *(COST_LABELS[c] for c in COMPONENTS), "**who pays**",
                     *(COST_LABELS[b] for b in BEARERS), "**total**", "returned to the trader"]
    adl = rows[names.index("ADL counterparties")]
    assert adl[-1] == f"{r.adl[-1]:,.0f} ({r.bps('adl')[-1]:.1f})" and r.adl[-1] > 0
    assert rows[-2][1] == f"**{r.total[0]:,.0f} ({r.bps('total')[0]:.1f})**"
    one = cost_rows(liquidation_cost(+1, 20.0, PRICE, flat_ladder(100.0), leverage=10))
    assert all(len(row) == 2 for row in one)
    with pytest.raises(TypeError, match="result"):
        cost_rows({"total": 1.0})  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), depth=st.floats(0.5, 500.0), shock=st.floats(1e-6, 0.5),
       direction=st.sampled_from([-1, 1]))
def test_the_response_matches_the_cascade_for_any_book(seed: int, depth: float, shock: float,
                                                       direction: int) -> None:
    pop = generate_population(200, PRICE, seed=seed, entry_dispersion=0.02)
    ladder = flat_ladder(depth)
    move = cascade_response(pop, PRICE, ladder, shock, direction=direction)
    direct = direction * (cascade(pop, PRICE, direction * shock, ladder).price / PRICE - 1)
    assert move == pytest.approx(direct, abs=1e-12)
