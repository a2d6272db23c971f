"""The index price: a weighted average of spot prices on other exchanges, with the venues' rules
for a source that strays from the others (outlier) or stops updating (stale).

Sources lie along the **last** axis of a ``prices`` array; earlier axes are time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v

# --- the index price ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexResult:
    """An index price and how each source entered it.

    Attributes
    ----------
    price : float or ndarray
        The index, one value per time step (the shape of ``prices`` less its source axis).
    weights : ndarray
        Effective weight of each source at each step (sums to 1 along the source axis; all zero on
        steps where the median was used instead of a weighted mean).
    outliers : ndarray of bool
        Sources that deviated from the median by more than the threshold.
    stale : ndarray of bool
        Sources left out because they had not updated.
    median : float or ndarray
        Median of the live sources.
    used_median : bool or ndarray
        True where more than one source was an outlier and the median became the index.
    held : bool or ndarray
        True where every source was stale and the previous index was carried forward.
    """

    price: Any
    weights: Any
    outliers: Any
    stale: Any
    median: Any
    used_median: Any
    held: Any


def stale_sources(last_update: ArrayLike, now: ArrayLike, max_age: float = 10.0) -> Any:
    """Which sources are stale: no update for more than ``max_age`` seconds before ``now``.

    Parameters
    ----------
    last_update : array
        Time of each source's last update (s), sources along the last axis.
    now : float or array
        Current time (s); an array gives one time per row of ``last_update``.
    max_age : float
        Largest age (s) at which a source still counts (Binance: 10).

    Returns
    -------
    ndarray of bool
        True where a source is stale; pass as ``stale=`` to :func:`index_price`.

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance, "Price Index" FAQ: "If one exchange has no updates for 10 seconds, the weight of this
    exchange will be zero when calculating the weighted average".

    Examples
    --------
    >>> stale_sources([95.0, 99.0, 80.0], now=100.0).tolist()
    [False, False, True]
    """
    age = v.as_float("now", now)[..., None] if np.ndim(now) else v.as_float("now", now)
    last = v.as_float("last_update", last_update)
    limit = v.one("max_age", v.positive("max_age", max_age))
    return np.asarray(age - last > limit)


def index_price(
    prices: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    threshold: float = 0.05,
    rule: str = "exclude",
    stale: ArrayLike | None = None,
    all_stale: str = "raise",
) -> IndexResult:
    """Index price from several spot sources, with the venues' outlier and stale-source rules.

    With prices ``p_i`` and weights ``w_i`` of the live (not stale) sources and ``m`` their median,
    a source is an **outlier** when ``|p_i / m - 1| > threshold``. Then, by ``rule``:

    * ``"exclude"`` (Binance): one outlier gets weight zero and the rest are re-weighted; **more
      than one** outlier and the index is the median ``m`` of all live sources;
    * ``"clip"``: every source is capped to ``m * (1 +- threshold)`` before averaging (a variant
      some venues use, which bounds a single source's pull at all deviations);
    * ``"none"``: the plain weighted mean (for comparison).

    The index is ``sum(w_i p_i) / sum(w_i)`` over the sources that count.

    Parameters
    ----------
    prices : array, shape (..., n_sources)
        Spot price of each source (> 0, finite); sources along the last axis, time (if any) before.
    weights : array, shape (n_sources,) or broadcastable to ``prices``, optional
        Non-negative source weights (volume shares); default equal.
    threshold : float
        Relative deviation from the median beyond which a source is an outlier (Binance: 0.05).
    rule : {"exclude", "clip", "none"}
    stale : array of bool, optional
        True where a source has not updated (see :func:`stale_sources`); its weight is zero and it
        is left out of the median.
    all_stale : {"raise", "hold"}
        When every source is stale at a step: raise, or carry the previous step's index forward.

    Returns
    -------
    IndexResult

    Raises
    ------
    ValueError
        Naming the argument: no sources, NaN or non-positive prices, negative weights or weights
        of the wrong length, a threshold outside (0, 1), an unknown rule, a step with no live
        source (unless ``all_stale="hold"``, and even then on the first step).

    Notes
    -----
    Arrays broadcast; one bad element rejects the whole call, and the message names the
    argument and the element's flat index (wrong types raise ``TypeError``, wrong values
    ``ValueError``, both naming the argument).

    References
    ----------
    Binance, "Price Index" FAQ (the 5% rule, the median fallback and the 10-second stale rule);
    the clipping variant is described on Binance's FAQ 66607f4c63e748568f503fcbd8f08965 (sources
    "capped at either 1.03 times or 0.97 times the median price").

    Examples
    --------
    Five sources; the fourth is 8% low and is dropped:

    >>> r = index_price([100.0, 100.2, 99.9, 92.0, 100.1], [0.3, 0.25, 0.2, 0.15, 0.1])
    >>> round(r.price, 6), r.outliers.tolist()
    (100.047059, [False, False, False, True, False])

    Two outliers: the median of all five is used.

    >>> index_price([100.0, 100.2, 99.9, 92.0, 120.0]).price
    100.0
    """
    p = v.positive("prices", prices)
    if p.ndim == 0:
        p = p.reshape(1)
    n_src = p.shape[-1]
    if n_src == 0:
        raise ValueError("prices must hold at least one source (last axis), got none")
    if weights is None:
        w = np.ones(n_src)
    else:
        w = v.nonnegative("weights", weights)
        if w.ndim == 0 or w.shape[-1] != n_src:
            raise ValueError(
                f"weights must give one weight per source ({n_src}), got shape {w.shape}"
            )
        try:
            np.broadcast_shapes(w.shape, p.shape)
        except ValueError:
            raise ValueError(
                f"weights of shape {w.shape} do not broadcast to prices of shape {p.shape}"
            ) from None
    theta = v.one("threshold", v.rate("threshold", threshold, allow_zero=False))
    v.choice("rule", rule, ("exclude", "clip", "none"))
    v.choice("all_stale", all_stale, ("raise", "hold"))
    if stale is None:
        is_stale = np.zeros(p.shape, dtype=bool)
    else:
        is_stale = np.asarray(stale)
        if is_stale.dtype != bool:
            raise ValueError(f"stale must be an array of bool, got dtype {is_stale.dtype}")
        try:
            is_stale = np.broadcast_to(is_stale, p.shape)
        except ValueError:
            raise ValueError(
                f"stale of shape {is_stale.shape} does not match prices of shape {p.shape}"
            ) from None
    w_full = np.broadcast_to(w, p.shape)
    live = ~is_stale & (w_full > 0)
    dead: NDArray[np.bool_] = np.asarray(~live.any(axis=-1))
    if dead.any():
        first = int(np.flatnonzero(dead.reshape(-1))[0])
        if all_stale == "raise" or first == 0:
            raise ValueError(
                "every source is stale (or has zero weight) at step "
                f"{first}: no index can be formed there (use all_stale='hold' to carry the "
                "previous index forward)"
            )
        if p.ndim != 2:
            raise ValueError("all_stale='hold' needs prices of shape (time, n_sources)")
    # Median of live sources; steps with none are filled with dummies and replaced later.
    safe_live = np.where(dead[..., None], True, live)
    masked = np.where(safe_live, p, np.nan)
    med = np.nanmedian(masked, axis=-1)
    # |p - m| > theta * m (not |p/m - 1| > theta, whose rounding flags a source exactly 5% away)
    outliers = safe_live & (np.abs(p - med[..., None]) > theta * med[..., None])
    n_out = outliers.sum(axis=-1)
    used_median = np.zeros(med.shape, dtype=bool)
    if rule == "clip":
        vals = np.clip(p, med[..., None] * (1 - theta), med[..., None] * (1 + theta))
        eff = np.where(safe_live, w_full, 0.0)
    elif rule == "none":
        vals = p
        eff = np.where(safe_live, w_full, 0.0)
    else:
        vals = p
        eff = np.where(safe_live & ~outliers, w_full, 0.0)
        used_median = (n_out > 1) | (eff.sum(axis=-1) <= 0)
        eff = np.where(used_median[..., None], 0.0, eff)
    total = eff.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (eff * vals).sum(axis=-1) / np.where(total > 0, total, 1.0)
        norm = eff / np.where(total > 0, total, 1.0)[..., None]
    price = np.where(used_median, med, mean)
    held = dead.copy()
    if dead.any():
        # Forward-fill along time: each dead step takes the last live step's index.
        idx = np.where(~dead, np.arange(dead.size), 0)
        np.maximum.accumulate(idx, out=idx)
        price = price[idx]
        med = med[idx]
        norm = np.where(dead[:, None], 0.0, norm)
        outliers = outliers & ~dead[:, None]
    return IndexResult(
        price=v.scalar_or_array(price),
        weights=norm,
        outliers=outliers,
        stale=np.asarray(is_stale),
        median=v.scalar_or_array(med),
        used_median=v.scalar_or_array(used_median),
        held=v.scalar_or_array(held),
    )
