"""Hypothesis strategies shared by the property tests: positions and valid tier tables."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import liqlib as lq

sides = st.sampled_from([1, -1])
kinds = st.sampled_from(["linear", "inverse"])
prices = st.floats(1.0, 1e5, allow_nan=False, allow_infinity=False)
sizes = st.floats(1e-2, 1e3, allow_nan=False, allow_infinity=False)
mmrs = st.floats(1e-3, 0.2)
fees = st.floats(0.0, 0.002)


@st.composite
def tier_tables(draw: st.DrawFn, unit_scale: float = 1e5) -> lq.TierTable:
    """Valid tables: floors from 0 upward, rates strictly up, leverage caps coherent with rates."""
    n = draw(st.integers(1, 8))
    steps = draw(st.lists(st.floats(0.05, 3.0), min_size=n - 1, max_size=n - 1))
    floors = np.concatenate(([0.0], np.cumsum(steps))) * unit_scale
    first = draw(st.floats(1e-3, 0.02))
    rises = draw(st.lists(st.floats(1e-4, 0.03), min_size=n - 1, max_size=n - 1))
    rates = first + np.concatenate(([0.0], np.cumsum(rises)))
    headroom = draw(st.floats(1.05, 3.0))  # initial margin at max leverage = headroom * mmr
    return lq.TierTable(floors, rates, 1.0 / (rates * headroom))
