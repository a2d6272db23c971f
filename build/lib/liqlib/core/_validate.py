"""Argument checks shared by the public functions.

Every check raises :class:`ValueError` whose message names the argument, the offending value and
the allowed range, so that a caller passing a whole array learns which element is wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def _first_bad(values: NDArray[Any], bad: NDArray[np.bool_]) -> str:
    flat_bad = np.flatnonzero(bad)
    first = values.reshape(-1)[flat_bad[0]].item()
    where = "" if values.ndim == 0 else f" (first of {flat_bad.size} at flat index {flat_bad[0]})"
    return f"{first!r}{where}"


def as_float(name: str, value: ArrayLike) -> FloatArray:
    """Convert to a float array, refusing NaN and infinities."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a real number or an array of them, got {value!r}"
        ) from exc
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} must be finite, got {_first_bad(arr, bad)}")
    return arr


def _within(arr: FloatArray, low: float, high: float) -> bool:
    """Fast path: two reductions, no temporaries (NaN makes min/max NaN, so it fails too)."""
    return arr.size == 0 or bool(arr.min() > low and arr.max() < high)


def positive(name: str, value: ArrayLike) -> FloatArray:
    """A finite array whose every element is > 0."""
    arr = np.asarray(value, dtype=np.float64) if not isinstance(value, np.ndarray) else value
    if arr.dtype == np.float64 and _within(arr, 0.0, np.inf):
        return arr
    arr = as_float(name, value)
    bad = arr <= 0
    if bad.any():
        raise ValueError(f"{name} must be > 0, got {_first_bad(arr, bad)}")
    return arr


def nonnegative(name: str, value: ArrayLike) -> FloatArray:
    """A finite array whose every element is >= 0."""
    arr = as_float(name, value)
    bad = arr < 0
    if bad.any():
        raise ValueError(f"{name} must be >= 0, got {_first_bad(arr, bad)}")
    return arr


def rate(name: str, value: ArrayLike, *, allow_zero: bool = True) -> FloatArray:
    """A rate (fraction) in [0, 1) or (0, 1)."""
    arr = as_float(name, value)
    low_bad = arr < 0 if allow_zero else arr <= 0
    bad = low_bad | (arr >= 1)
    if bad.any():
        allowed = "[0, 1)" if allow_zero else "(0, 1)"
        raise ValueError(
            f"{name} must be a fraction in {allowed} (0.005 means 0.5%), got {_first_bad(arr, bad)}"
        )
    return arr


def side(name: str, value: ArrayLike) -> FloatArray:
    """A side: +1 (long) or -1 (short), as floats so it broadcasts in arithmetic."""
    arr = np.asarray(value, dtype=np.float64)
    if np.all(np.abs(arr) == 1):
        return arr
    arr = as_float(name, value)
    bad = (arr != 1) & (arr != -1)
    if bad.any():
        raise ValueError(f"{name} must be +1 (long) or -1 (short), got {_first_bad(arr, bad)}")
    return arr


def choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """One of a fixed set of option strings."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def scalar_or_array(arr: NDArray[Any]) -> Any:
    """A Python scalar for 0-d results, else the array (the arrays-in, arrays-out rule)."""
    return arr.item() if np.ndim(arr) == 0 else arr


def integer(
    name: str, value: Any, *, low: int | None = None, high: int | None = None
) -> int:
    """An exact Python ``int`` (``bool`` and floats refused) within ``[low, high]`` if given.

    Protocols that count in integer quantums (dYdX) must not be fed floats, which would silently
    lose their exactness above 2**53.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    out = int(value)
    if (low is not None and out < low) or (high is not None and out > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {out!r}")
    return out
