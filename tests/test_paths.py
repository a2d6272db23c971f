"""Synthetic price paths (liqlib.prices.paths): determinism, the wick's shape, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.prices import YEAR, gbm, wick_path, wick_profile
from liqlib.prices import index as ix

settings.register_profile("liqlib-paths", max_examples=60, deadline=None)
settings.load_profile("liqlib-paths")


def test_same_seed_same_path_other_seed_other_path() -> None:
    a, b, c = (wick_path(seed=s) for s in (4, 4, 5))
    for field in ("fair", "sources", "mid", "last", "other_mids"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
        assert not np.array_equal(getattr(a, field), getattr(c, field))


def test_generator_seed_is_accepted() -> None:
    rng = np.random.default_rng(1)
    w = wick_path(seed=rng)
    assert w.fair.shape == (901,)


def test_gbm_log_returns_have_the_stated_volatility() -> None:
    dt = 60.0
    p = gbm(100.0, sigma=0.8, n=200_001, dt=dt, seed=3)
    r = np.diff(np.log(p))
    assert r.std() * np.sqrt(YEAR / dt) == pytest.approx(0.8, rel=0.01)
    assert p[0] == 100.0


def test_wick_area() -> None:
    t = np.arange(0.0, 200.0, 0.01)
    for shape, factor in (("v", 0.5), ("box", 1.0)):
        prof = wick_profile(t, start=50.0, duration=40.0, depth=0.2, shape=shape)
        assert prof.sum() * 0.01 == pytest.approx(factor * 0.2 * 40.0, rel=1e-3)
        assert prof.max() == pytest.approx(0.2)
        assert np.all(prof[(t < 50.0) | (t > 90.0)] == 0)


@given(
    st.floats(0.0, 0.6),
    st.sampled_from([2.0, 10.0, 30.0, 120.0]),
    st.sampled_from(["v", "box"]),
    st.integers(0, 2**31),
)
def test_wick_hits_the_venue_only(depth, duration, shape, seed) -> None:
    w = wick_path(depth=depth, duration=duration, shape=shape, seed=seed)
    outside = w.wick == 0
    assert w.wick.max() == pytest.approx(depth)
    # the venue's mid is the fair price times (1 - wick) times small noise
    assert np.allclose(w.mid / w.fair / (1 - w.wick), 1.0, atol=2e-3)
    # the spot sources and other venues never see it
    assert np.allclose(w.sources / w.fair[:, None], 1.0, atol=2e-3)
    assert np.allclose(w.other_mids / w.fair[:, None], 1.0, atol=2e-3)
    assert np.all(w.bid < w.ask)
    assert np.all((w.last == w.bid) | (w.last == w.ask))
    assert np.allclose(w.mid[outside] / w.fair[outside], 1.0, atol=2e-3)


def test_wick_on_a_source_moves_that_source_only() -> None:
    w = wick_path(depth=0.049, duration=60.0, shape="box", wick_on=0, seed=2)
    inside = w.wick > 0
    assert np.allclose(w.sources[inside, 0] / w.fair[inside], 0.951, atol=2e-3)
    assert np.allclose(w.mid / w.fair, 1.0, atol=2e-3)
    # below the 5% threshold the source keeps its weight and pulls the index down by w * 4.9%
    index = ix.index_price(w.sources, w.weights).price
    pull = 1 - index[inside] / w.fair[inside]
    assert np.allclose(pull, w.weights[0] * 0.049, atol=5e-4)


def test_weights_are_normalized() -> None:
    w = wick_path(weights=[3, 1])
    assert w.weights.tolist() == [0.75, 0.25]
    assert w.sources.shape == (901, 2)


def test_no_wick_and_no_noise_is_the_fair_path() -> None:
    w = wick_path(depth=0.0, source_noise=0.0, other_noise=0.0, spread=0.0, seed=1)
    assert np.array_equal(w.mid, w.fair) and np.array_equal(w.last, w.fair)
    assert np.array_equal(w.sources, np.repeat(w.fair[:, None], 5, axis=1))


class TestBadInput:
    def test_wick_must_fit(self) -> None:
        with pytest.raises(ValueError, match="the wick must end within the path"):
            wick_path(seconds=100.0, start=90.0, duration=20.0)

    def test_depth_range(self) -> None:
        with pytest.raises(ValueError, match="depth must be a fraction in"):
            wick_path(depth=1.2)
        with pytest.raises(ValueError, match="depth must be a fraction in"):
            wick_profile([0.0], start=0.0, duration=1.0, depth=-0.1)

    def test_durations_and_counts(self) -> None:
        with pytest.raises(ValueError, match="duration must be > 0"):
            wick_path(duration=0.0)
        with pytest.raises(ValueError, match="seconds must be a whole multiple of dt"):
            wick_path(seconds=10.5, dt=1.0, start=1.0, duration=1.0)
        with pytest.raises(ValueError, match="n must be an integer in \\[1, "):
            gbm(100.0, sigma=0.5, n=0)
        with pytest.raises(ValueError, match="n_other must be an integer"):
            wick_path(n_other=0)

    def test_sources_and_seed(self) -> None:
        with pytest.raises(ValueError, match="wick_on must be a source index in"):
            wick_path(wick_on=7)
        with pytest.raises(ValueError, match="wick_on must be 'venue' or a source index"):
            wick_path(wick_on="index")
        with pytest.raises(ValueError, match="weights must be >= 0"):
            wick_path(weights=[0.5, -0.5, 1.0])
        with pytest.raises(ValueError, match="weights must hold at least one source"):
            wick_path(weights=[])
        with pytest.raises(ValueError, match="seed must be"):
            wick_path(seed=-1)
        with pytest.raises(ValueError, match="shape must be one of"):
            wick_path(shape="u")
        with pytest.raises(ValueError, match="s0 must be finite, got nan"):
            gbm(float("nan"), sigma=0.5, n=3)
