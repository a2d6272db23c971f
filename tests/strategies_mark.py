"""Hypothesis strategies for the index, mark-price and funding properties (tests/test_mark.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

#: Premiums and interest rates per 8 h, within what venues' caps allow.
rates = st.floats(-0.05, 0.05, allow_nan=False, allow_infinity=False)

#: (index, moving-average basis in price units, last price): a last price anywhere from a deep wick
#: to a spike, a basis of up to a few percent of the index.
price_triples = st.tuples(
    st.floats(1.0, 1e6),
    st.floats(-0.05, 0.05),
    st.floats(0.01, 100.0),
).map(lambda t: (t[0], t[1] * t[0], t[2] * t[0]))


@st.composite
def source_sets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Three to eight spot prices within 1% of each other, with positive weights."""
    n = draw(st.integers(3, 8))
    level = draw(st.floats(1.0, 1e5))
    offsets = draw(st.lists(st.floats(-0.01, 0.01), min_size=n, max_size=n))
    weights = draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n))
    return level * (1 + np.array(offsets)), np.array(weights)


@st.composite
def basis_series(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A basis series (price units) with irregular sampling intervals."""
    n = draw(st.integers(1, 200))
    x = draw(st.lists(st.floats(-50.0, 50.0), min_size=n, max_size=n))
    dt = draw(st.lists(st.floats(0.1, 30.0), min_size=n, max_size=n))
    return np.array(x), np.array(dt)
