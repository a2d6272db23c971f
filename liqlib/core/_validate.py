"""The validation layer every public function checks its input with.

Each check names the argument **as the caller wrote it**, the offending value (or, for an array,
the first bad element and its flat index) and what is allowed:

* wrong types (a string, ``None``, a bool, a complex number where a real one is expected) raise
  :class:`ArgumentTypeError`, a :class:`TypeError`; never NumPy's "could not convert string to
  float";
* wrong values raise :class:`ValueError`, or one of its named subclasses where a caller may want
  to catch the case apart: :class:`ShapeError` (arrays that do not broadcast, naming both
  arguments and their shapes) and :class:`DerivedRangeError` (inputs each valid whose product, a
  notional or a margin, would overflow or underflow a float: the inputs responsible are named).

**Arrays.** One bad element rejects the whole call and the message gives its flat index; a public
function that offers ``errors="nan"`` instead returns NaN for that element.

**Names.** A wrapper that calls a public function under other argument names (a venue's
``funding_rate(average_premium_index)`` calling :func:`liqlib.prices.funding.funding_rate`'s
``premium``) wraps the call in :func:`renamed`, so that messages use the wrapper's names.

Checks on the main path cost two reductions (``min``, ``max``) on a valid float64 array and no
temporaries: a full elementwise pass runs only to name the first bad element once a check failed.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
F = TypeVar("F", bound=Callable[..., Any])

#: Largest magnitude allowed for a derived quantity (a notional, a collateral, a margin): far above
#: any real position (world GDP is ~1e14) and far enough below float's 1.8e308 that the few sums and
#: products a solver forms from it stay finite.
DERIVED_MAX = 1e200
#: Smallest non-zero magnitude allowed for a derived quantity: far above float's smallest normal
#: number (2.2e-308), so that the solver's ratios do not lose precision to subnormal numbers.
DERIVED_MIN = 1e-200


class ArgumentTypeError(TypeError, ValueError):
    """An argument has the wrong type (the message names it).

    A :class:`TypeError`; also a :class:`ValueError` so that callers written when every bad input
    raised ``ValueError`` keep catching it.
    """


class ShapeError(ValueError):
    """Array arguments whose shapes do not broadcast together (the message names both)."""


class DerivedRangeError(ValueError):
    """Inputs each in range whose derived quantity (notional, margin) leaves float's safe range."""


_RENAMES: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("liqlib_renames")


@contextlib.contextmanager
def renamed(**names: str) -> Iterator[None]:
    """Within the block, messages say ``names[arg]`` for the argument ``arg``.

    Examples
    --------
    >>> with renamed(x="premium_index"):
    ...     try:
    ...         as_float("x", float("nan"))
    ...     except ValueError as exc:
    ...         print(exc)
    premium_index must be finite, got nan
    """
    outer = _RENAMES.get({})
    # Nested wrappers compose: the inner one's name for an argument is renamed again by the
    # outer one, so a message always speaks the outermost caller's names.
    token = _RENAMES.set({**outer, **{k: outer.get(n, n) for k, n in names.items()}})
    try:
        yield
    finally:
        _RENAMES.reset(token)


def label(name: str) -> str:
    """The caller's name for the argument ``name`` (see :func:`renamed`)."""
    table = _RENAMES.get(None)
    if not table:
        return name
    # A message may name an expression ("size * entry_price"): rename each word of it.
    if name in table:
        return table[name]
    return " ".join(table.get(word, word) for word in name.split(" "))


def _first_bad(values: NDArray[Any], bad: NDArray[np.bool_]) -> str:
    flat_bad = np.flatnonzero(bad)
    first = values.reshape(-1)[flat_bad[0]].item()
    where = "" if values.ndim == 0 else f" (first of {flat_bad.size} at flat index {flat_bad[0]})"
    return f"{first!r}{where}"


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _type_error(name: str, value: Any, what: str = "a real number or an array of them") -> None:
    raise ArgumentTypeError(f"{label(name)} must be {what}, got {_describe(value)}")


def as_float(name: str, value: ArrayLike) -> FloatArray:
    """Convert to a float array, refusing wrong types, ragged input, NaN and infinities."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        arr = value
    else:
        arr = _convert(name, value)
    if arr.size and not _finite_extent(arr):
        bad = ~np.isfinite(arr)
        raise ValueError(f"{label(name)} must be finite, got {_first_bad(arr, bad)}")
    return arr


def _convert(name: str, value: Any) -> FloatArray:
    """``np.asarray(value, float64)`` for real numbers only; everything else named and refused."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_, complex, dict, set)):
        _type_error(name, value)
    try:
        raw = np.asarray(value)
    except ValueError:  # ragged nesting: NumPy refuses an inhomogeneous shape
        raise ValueError(
            f"{label(name)} must be a rectangular array (every row the same length), got a "
            f"ragged sequence {_describe(value)}"
        ) from None
    kind = raw.dtype.kind
    if kind in "iuf":
        try:
            return raw.astype(np.float64, copy=False)
        except OverflowError:
            raise ValueError(
                f"{label(name)} must fit in a float (|x| < 1.8e308), got {_describe(value)}"
            ) from None
    if kind == "O":
        # Python ints too large for int64, Fractions, Decimals...: convert one by one, and name
        # the first element that is not a real number.
        flat = raw.reshape(-1)
        out = np.empty(flat.shape, dtype=np.float64)
        for i, item in enumerate(flat):
            if item is None or isinstance(item, (str, bytes, bool, np.bool_, complex)):
                where = "" if raw.ndim == 0 else f" at flat index {i}"
                raise ArgumentTypeError(
                    f"{label(name)} must hold real numbers only, got {_describe(item)}{where}"
                )
            try:
                out[i] = float(item)
            except OverflowError:
                raise ValueError(
                    f"{label(name)} must fit in a float (|x| < 1.8e308), got {_describe(item)}"
                ) from None
            except (TypeError, ValueError):
                _type_error(name, item, "a real number or an array of them (element)")
        return out.reshape(raw.shape)
    if kind == "b":
        _type_error(name, value, "a real number or an array of them, not booleans")
    _type_error(name, value)
    raise AssertionError("unreachable")  # pragma: no cover (for type checkers)


#: Elements per chunk of :func:`_extent` on large arrays: 512 kB, so that the second reduction of
#: a chunk reads it from cache.
_CHUNK = 1 << 16


def _finite_extent(arr: FloatArray) -> bool:
    """Whether the smallest and the largest element are finite (so every element is)."""
    lo, hi = _extent(arr)
    return math.isfinite(lo) and math.isfinite(hi)


def _extent(arr: FloatArray) -> tuple[float, float]:
    """Smallest and largest element (NaN propagates into both).

    On a large contiguous array the two reductions run chunk by chunk, so the array is read from
    memory once rather than twice (``min`` then ``max`` over the whole of it).
    """
    if arr.size == 0:
        return np.inf, -np.inf
    if arr.size <= 4 * _CHUNK or not arr.flags.c_contiguous:
        return float(arr.min()), float(arr.max())
    flat = arr.reshape(-1)
    lo, hi = np.inf, -np.inf
    for start in range(0, flat.size, _CHUNK):
        chunk = flat[start : start + _CHUNK]
        # Python's min/max would drop a NaN; NumPy's propagate it, as the whole-array call does.
        lo = np.minimum(lo, chunk.min())
        hi = np.maximum(hi, chunk.max())
    return float(lo), float(hi)


def positive(name: str, value: ArrayLike) -> FloatArray:
    """A finite array whose every element is > 0."""
    return positive_extent(name, value)[0]


def positive_extent(name: str, value: ArrayLike) -> tuple[FloatArray, float, float]:
    """:func:`positive`, with the smallest and largest element (from the same two reductions)."""
    arr = value if isinstance(value, np.ndarray) and value.dtype == np.float64 else None
    if arr is None:
        arr = _convert(name, value)
    lo, hi = _extent(arr)
    if lo > 0 and hi < np.inf:  # NaN fails both comparisons
        return arr, lo, hi
    arr = as_float(name, arr)
    bad = arr <= 0
    if bad.any():
        raise ValueError(f"{label(name)} must be > 0, got {_first_bad(arr, bad)}")
    return arr, lo, hi


def nonnegative(name: str, value: ArrayLike) -> FloatArray:
    """A finite array whose every element is >= 0."""
    arr = as_float(name, value)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{label(name)} must be >= 0, got {_first_bad(arr, arr < 0)}")
    return arr


def bounded(
    name: str,
    value: ArrayLike,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> FloatArray:
    """A finite array within ``[low, high]`` (either end open on request)."""
    arr = as_float(name, value)
    if arr.size == 0:
        return arr
    too_low = arr <= low if low_open else arr < low
    too_high = arr >= high if high_open else arr > high
    bad = too_low | too_high
    if bad.any():
        allowed = f"{'(' if low_open else '['}{low!r}, {high!r}{')' if high_open else ']'}"
        raise ValueError(
            f"{label(name)} must be in {allowed}{hint}, got {_first_bad(arr, bad)}"
        )
    return arr


def rate(name: str, value: ArrayLike, *, allow_zero: bool = True) -> FloatArray:
    """A rate (fraction) in [0, 1) or (0, 1)."""
    arr = as_float(name, value)
    if arr.size == 0:
        return arr
    lo, hi = _extent(arr)
    if (lo >= 0 if allow_zero else lo > 0) and hi < 1:
        return arr
    bad = (arr < 0 if allow_zero else arr <= 0) | (arr >= 1)
    allowed = "[0, 1)" if allow_zero else "(0, 1)"
    raise ValueError(
        f"{label(name)} must be a fraction in {allowed} (0.005 means 0.5%), got "
        f"{_first_bad(arr, bad)}"
    )


def side(name: str, value: ArrayLike) -> FloatArray:
    """A side: +1 (long) or -1 (short), as floats so it broadcasts in arithmetic."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        arr = value
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    ):
        if value not in (1, -1):  # also keeps a huge int away from float conversion
            raise ValueError(f"{label(name)} must be +1 (long) or -1 (short), got {value!r}")
        arr = np.asarray(value, dtype=np.float64)
    else:
        if isinstance(value, str):
            _type_error(name, value, "+1 (long) or -1 (short) (a number, or liqlib.Side)")
        arr = _convert(name, value)
    if np.all(np.abs(arr) == 1):
        return arr
    arr = as_float(name, arr)
    bad = (arr != 1) & (arr != -1)
    raise ValueError(
        f"{label(name)} must be +1 (long) or -1 (short), got {_first_bad(arr, bad)}"
    )


def choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    """One of a fixed set of option strings."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{label(name)} must be one of {allowed}, got {_describe(value)}")
    if value not in allowed:
        raise ValueError(f"{label(name)} must be one of {allowed}, got {value!r}")
    return value


def boolean(name: str, value: Any) -> bool:
    """A bool (or NumPy bool), nothing else: ``0``/``"no"`` are not silently read as False."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{label(name)} must be True or False, got {_describe(value)}")
    return bool(value)


def one(name: str, arr: NDArray[Any]) -> float:
    """A validated array that must be a single number, as a float (an array is named, refused)."""
    if np.ndim(arr) != 0:
        raise ArgumentTypeError(
            f"{label(name)} must be a single number, got an array of shape {np.shape(arr)}"
        )
    return float(arr)


def scalar_or_array(arr: NDArray[Any]) -> Any:
    """A Python scalar for 0-d results, else the array (the arrays-in, arrays-out rule)."""
    return arr.item() if np.ndim(arr) == 0 else arr


def integer(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An exact Python ``int`` (``bool`` and floats refused) within ``[low, high]`` if given.

    Protocols that count in integer quantums (dYdX) must not be fed floats, which would silently
    lose their exactness above 2**53.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{label(name)} must be an integer, got {_describe(value)}")
    out = int(value)
    if (low is not None and out < low) or (high is not None and out > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise ValueError(f"{label(name)} must be an integer in [{lo}, {hi}], got {out!r}")
    return out


def shapes(**arrays: Any) -> tuple[int, ...]:
    """The broadcast shape of the named arrays (``None`` skipped), or a :class:`ShapeError`
    naming the first two arguments whose shapes do not broadcast."""
    shape: tuple[int, ...] = ()
    seen: list[tuple[str, tuple[int, ...]]] = []
    for name, arr in arrays.items():
        if arr is None:
            continue
        s = np.shape(arr)
        try:
            shape = np.broadcast_shapes(shape, s)
        except ValueError:
            other = next(
                ((n, t) for n, t in seen if not _broadcasts(t, s)), seen[-1] if seen else (name, s)
            )
            raise ShapeError(
                f"{label(name)} of shape {s} does not broadcast with {label(other[0])} of shape "
                f"{other[1]} (arrays must have equal lengths, or length 1, along each axis)"
            ) from None
        seen.append((name, s))
    return shape


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def derived_in_range(what: str, low: float, high: float, *, parts: dict[str, Any]) -> None:
    """Refuse a derived quantity whose magnitudes span ``[low, high]`` outside float's safe range.

    ``low``/``high`` bound the derived quantity's magnitude (from the inputs' extents, so no
    elementwise pass); ``parts`` are the inputs it is formed from, named in the message.
    """
    if DERIVED_MIN <= low and high <= DERIVED_MAX:
        return
    culprit = ", ".join(f"{label(n)} in [{_span(a)}]" for n, a in parts.items())
    bound = high if high > DERIVED_MAX else low
    raise DerivedRangeError(
        f"{label(what)} must stay within [{DERIVED_MIN!r}, {DERIVED_MAX!r}] in magnitude to be "
        f"computed in floating point, got {bound!r} from {culprit}: rescale the inputs (quote "
        "prices in another unit) or check them"
    )


def _span(a: Any) -> str:
    arr = np.asarray(a, dtype=np.float64)
    if arr.size <= 1:
        return f"{arr.reshape(-1)[0].item()!r}" if arr.size else "empty"
    return f"{arr.min().item()!r}, {arr.max().item()!r}"


def finite_result(what: str, result: NDArray[Any], *, parts: dict[str, Any]) -> None:
    """Refuse a computed array holding ``inf``/``nan`` that valid input must not give."""
    r = np.asarray(result)
    if r.size and not (np.isfinite(r.min()) and np.isfinite(r.max())):
        bad = ~np.isfinite(r)
        culprit = ", ".join(label(n) for n in parts)
        raise DerivedRangeError(
            f"{label(what)} overflows floating point ({_first_bad(r, bad)}): {culprit} out of "
            "range together"
        )


def nonnegative_margin(margin: ArrayLike, rule: str) -> Any:
    """``margin`` unchanged, or ValueError saying ``rule`` (which input broke it) and the first
    negative value: a venue's maintenance line ``notional * rate - amount`` holds only within its
    bracket, and below the bracket's floor it would give a negative margin."""
    low = np.asarray(margin)
    if low.size and low.min() < 0:
        flat = low.reshape(-1)
        i = int(np.flatnonzero(flat < 0)[0])
        raise ValueError(f"{rule}, got a maintenance margin of {float(flat[i])!r}"
                         + ("" if low.ndim == 0 else f" at flat index {i}"))
    return margin


def number(name: str, value: Any, check: str = "real") -> float:
    """A single number as a float: ``check`` is ``"real"`` (finite), ``"pos"`` (> 0) or
    ``"nonneg"`` (>= 0). A string, ``None`` or an array is refused naming ``name``."""
    if type(value) is float or type(value) is np.float64:  # the hot path: no array made
        x = float(value)
        if x - x == 0 and (check == "real" or x > 0 or (check == "nonneg" and x == 0)):
            return x  # x - x == 0 holds for finite x only
    conv = {"real": as_float, "pos": positive, "nonneg": nonnegative}[check]
    return one(name, conv(name, value))


def duration(name: str, value: Any) -> float:
    """A time span in [0, inf]: ``inf`` is meaningful (never refills, or forever); NaN is not."""
    arr = _convert(name, value)
    t = one(name, arr)
    if not t >= 0:  # also refuses NaN
        raise ValueError(f"{label(name)} must be a duration in [0, inf], got {t!r}")
    return t


def has_methods(name: str, value: Any, methods: tuple[str, ...], what: str) -> Any:
    """An object offering ``methods`` (a protocol such as a ladder), else a named TypeError."""
    if not all(hasattr(value, m) for m in methods):
        raise ArgumentTypeError(f"{label(name)} must be {what}, got {_describe(value)}")
    return value


def instance(name: str, value: Any, types: type | tuple[type, ...], what: str) -> Any:
    """An instance of ``types``, else a named TypeError (``what`` says what is expected)."""
    if not isinstance(value, types):
        raise ArgumentTypeError(f"{label(name)} must be {what}, got {_describe(value)}")
    return value


def not_nan(name: str, value: ArrayLike) -> FloatArray:
    """A float array that may hold ``±inf`` (a score at or past bankruptcy) but no NaN."""
    arr = value if isinstance(value, np.ndarray) and value.dtype == np.float64 else None
    if arr is None:
        arr = _convert(name, value)
    if arr.size and np.isnan(arr.min()):
        raise ValueError(f"{label(name)} must not be NaN, got {_first_bad(arr, np.isnan(arr))}")
    return arr


def renames(**names: str) -> Callable[[F], F]:
    """Decorator: the function's messages say ``names[arg]`` for ``arg`` (see :func:`renamed`).

    For a venue function that calls the library under the library's names: the caller reads
    the venue's names (``position``, ``mark_price``) in every refusal.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with renamed(**names):
                return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def numbers(name: str, value: ArrayLike) -> FloatArray:
    """A float array of real numbers, NaN and ``±inf`` let through (the caller gives them a
    meaning, as "no market"); wrong types and ragged input refused naming ``name``."""
    return _convert(name, value)
