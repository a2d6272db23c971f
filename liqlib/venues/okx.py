"""OKX perpetual swaps: tiers in contracts, a fee-inclusive trigger, partial liquidation.

OKX's names, as its API spells them: ``pos`` (contracts, here ``contracts``), ``avgPx``
(``avg_px``), ``ctVal`` (face value of one contract, ``ct_val``: base coin per contract for
USDT-margined swaps, USD per contract for coin-margined ones), ``margin``, ``upl`` and ``markPx``
(``mark_px``). ``side`` is +1 long, -1 short.

Two things set OKX apart from the venues whose tiers are in notional:

* **Tiers are in contracts.** A position's tier (and so its maintenance margin *rate*) depends on
  how many contracts it holds, not on its value, so it does not change as the price moves, and
  there is no maintenance deduction: maintenance margin jumps at a tier boundary.
* **The liquidation fee is part of the trigger.** Liquidation happens when the margin ratio
  ``(margin + upl) / (maintenance margin + fee)`` falls to 100%, where the fee is the
  liquidation (taker) fee rate on the position value, i.e. the fee rate is *added to the MMR*.

So :func:`liquidation_price` is the core's closed form with ``mmr`` = the tier's rate and
``fee_rate`` = the liquidation fee rate, both evaluated at the liquidation price.

References
----------
.. [1] OKX, "Tiered maintenance margin ratio rules",
   https://www.okx.com/help/v-tiered-maintenance-margin-ratio-rules (text of the 2025-05-16
   update read 2026-12-03 from the okx.huicker.com mirror): "when your margin ratio falls to
   100%, meaning your account equity is equal to or less than the required maintenance margin
   plus any applicable liquidation fees"; the isolated margin ratio with ``(Tiered MMR + fee
   rate)`` as paraphrased by third parties. Margins and the "P&L ratio = P&L / initial margin"
   by contract: OKX, "Calculation of contract's profit and loss",
   https://www.okx.com/help/iii-calculation-of-contract-profit-and-loss-6-20-2022 (read
   2026-12-03).
.. [2] OKX, "OKX Perpetual Swap Maintenance Margin to be adjusted" (2022-06-09),
   http://www.okxwebsite.com/en/latest-announcements/item/511.html (mirror; read 2026-11-24):
   the 1INCHUSDT tier table. Cited as https://www.okx.com/help/ in the vectors when no https
   copy exists.
.. [3] OKX (then OKEx), "V. Forced Partial or Full Liquidation",
   https://supdljgzdhc.okx.com/hc/en-us/articles/360020411711-V-Forced-Partial-or-Full-Liquidation
   (okx.com-hosted Zendesk, legacy text; read 2026-11-24).
.. [4] OKX, "Adjustment of Perpetual Swap Tiered Maintenance Margin Ratio Schedule" (2020-07-16),
   https://hk.okx.com/help/adjustment-of-perpetual-swap-tiered-maintenance-margin-ratio-schedule-7-16-2020
   (read 2026-11-24): USDT-margined BTC basic risk limit 2,000 contracts, step 10,000.
.. [6] OKX, "Adjustment of Perpetual Swap Tiered Maintenance Margin Ratio Schedule" (2019-05-28),
   https://www.okx.com/id/help/adjustment-of-perpetual-swap-tiered-maintenance-margin-ratio-schedule
   (read 2026-11-24): the coin-margined BTC swap schedule from 2019-05-31.
.. [5] Third-party paraphrase of the newer OKX partial-liquidation rule ("reduce the position by
   two tiers"), https://www.amorrr.com/14966.html (read 2026-11-24) [3P].
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.contracts import LINEAR, ContractKind, contract_kind
from ..core.liquidation import LiquidationResult
from ..core.liquidation import liquidation_price as _core_liquidation_price

__all__ = [
    "BTC_USD_SWAP_TIERS_2019",
    "LEGACY_BTC_USDT_SWAP_MAX_CONTRACTS",
    "ONEINCH_USDT_SWAP_TIERS",
    "PositionTiers",
    "TIERS",
    "legacy_partial_liquidation_contracts",
    "liquidation_price",
    "maintenance_margin",
    "margin_ratio",
    "partial_liquidation_contracts",
    "position_tiers",
    "position_value",
    "tier_lookup",
]


@dataclass(frozen=True)
class PositionTiers:
    """OKX position tiers: tier n holds up to ``max_contracts[n-1]`` contracts (inclusive).

    Build with :func:`position_tiers`, which validates. Tier n covers
    ``(max_contracts[n-2], max_contracts[n-1]]``, as OKX prints "1,001 - 2,500".

    Attributes
    ----------
    max_contracts : ndarray
        "Max. amount (Cont)" of each tier, strictly increasing.
    mmrs : ndarray
        Maintenance margin ratio of each tier.
    max_leverages : ndarray
        Maximum leverage of each tier (the minimum initial margin ratio is its reciprocal).
    inst_id : str
        Instrument, e.g. ``"1INCH-USDT-SWAP"``.
    """

    max_contracts: np.ndarray
    mmrs: np.ndarray
    max_leverages: np.ndarray
    inst_id: str = ""

    def __len__(self) -> int:
        return int(self.max_contracts.size)

    def index(self, contracts: ArrayLike) -> Any:
        """0-based tier of each absolute position size; raises above the last tier."""
        n = v.positive("contracts", contracts)
        idx = np.searchsorted(self.max_contracts, n, side="left")
        if np.any(idx >= len(self)):
            raise ValueError(
                f"contracts must be at most the last tier's max amount "
                f"{float(self.max_contracts[-1])!r}, got {float(np.max(n))!r}"
            )
        return v.scalar_or_array(idx)

    def tier(self, contracts: ArrayLike) -> Any:
        """1-based tier number of each position size."""
        return v.scalar_or_array(np.asarray(self.index(contracts)) + 1)

    def mmr(self, contracts: ArrayLike) -> Any:
        """Maintenance margin ratio of the tier of each position size."""
        return v.scalar_or_array(self.mmrs[np.asarray(self.index(contracts))])

    def max_leverage(self, contracts: ArrayLike) -> Any:
        """Maximum leverage of the tier of each position size."""
        return v.scalar_or_array(self.max_leverages[np.asarray(self.index(contracts))])


def position_tiers(
    max_contracts: ArrayLike,
    mmrs: ArrayLike,
    max_leverages: ArrayLike,
    *,
    inst_id: str = "",
    extend_to: int | None = None,
    step_contracts: float | None = None,
    step_mmr: float = 0.005,
    step_imr: float = 0.005,
) -> PositionTiers:
    """Validated OKX tiers, optionally extended by an announcement's "increase by" rule.

    Parameters
    ----------
    max_contracts : array
        "Max. amount (Cont)" per printed tier, strictly increasing, > 0.
    mmrs : array
        Maintenance margin ratio per tier, in (0, 1), non-decreasing.
    max_leverages : array
        Max. leverage per tier, non-increasing, with ``mmr * max_leverage < 1``.
    inst_id : str
    extend_to : int, optional
        Total number of tiers wanted; tiers past the printed ones follow "Increase by
        ``step_contracts`` conts from the previous tier", MMR and minimum initial margin ratio
        each "+0.5% from the previous tier", max leverage = 1 / initial margin ratio.
    step_contracts, step_mmr, step_imr : float
        The rule's steps (``step_contracts`` is required with ``extend_to``).

    Returns
    -------
    PositionTiers

    Raises
    ------
    ValueError
        Naming the argument: lengths differ, bounds not increasing, rates out of range, leverage
        rising, or initial margin at max leverage not above maintenance.

    References
    ----------
    Tier announcement [2]_.

    Examples
    --------
    >>> t = position_tiers([1_000, 2_500], [0.01, 0.015], [75, 50], extend_to=4,
    ...                    step_contracts=1_500)
    >>> t.max_contracts.tolist(), t.mmrs.round(4).tolist()
    ([1000.0, 2500.0, 4000.0, 5500.0], [0.01, 0.015, 0.02, 0.025])
    """
    caps = v.positive("max_contracts", max_contracts).reshape(-1)
    rates = v.rate("mmrs", mmrs, allow_zero=False).reshape(-1)
    levs = v.positive("max_leverages", max_leverages).reshape(-1)
    if not caps.size == rates.size == levs.size:
        raise ValueError(
            "max_contracts, mmrs and max_leverages must have one entry per tier, got lengths "
            f"{caps.size}, {rates.size}, {levs.size}"
        )
    if extend_to is not None:
        if not (isinstance(extend_to, (int, np.integer)) and extend_to >= caps.size):
            raise ValueError(f"extend_to must be an integer >= {caps.size}, got {extend_to!r}")
        if step_contracts is None:
            raise ValueError("step_contracts is required with extend_to")
        step = v.number("step_contracts", step_contracts, "pos")
        extra = np.arange(1, extend_to - caps.size + 1)
        imr_last = 1.0 / levs[-1]
        caps = np.concatenate((caps, caps[-1] + step * extra))
        mmr_step = v.number("step_mmr", step_mmr, "nonneg")
        rates = np.concatenate((rates, rates[-1] + mmr_step * extra))
        levs = np.concatenate(
            (levs, 1.0 / (imr_last + v.number("step_imr", step_imr, "nonneg") * extra))
        )
        v.rate("mmrs", rates, allow_zero=False)
    if np.any(np.diff(caps) <= 0):
        raise ValueError(f"max_contracts must be strictly increasing, got {caps.tolist()}")
    if np.any(np.diff(rates) < 0):
        raise ValueError(f"mmrs must not decrease with the tier, got {rates.tolist()}")
    if np.any(np.diff(levs) > 0):
        raise ValueError(f"max_leverages must not increase with the tier, got {levs.tolist()}")
    if np.any(rates * levs >= 1):
        i = int(np.flatnonzero(rates * levs >= 1)[0])
        raise ValueError(
            f"mmrs[{i}]={rates[i].item()!r} must be below 1/max_leverages[{i}] (initial margin at "
            "maximum leverage must exceed maintenance margin)"
        )
    for arr in (caps, rates, levs):
        arr.setflags(write=False)
    return PositionTiers(caps, rates, levs, inst_id)


#: 1INCHUSDT perpetual (2022-06-09 announcement [2]_): tiers 1-4 as printed (0-1,000 1.00% 75x;
#: 1,001-2,500 1.50% 50x; 2,501-65,000 2.00% 20x; 65,001-130,000 2.50% 18.18x, i.e. IMR 5.5%),
#: tiers 5-10 by the printed rule (+65,000 contracts, +0.5% MMR and IMR per tier); the count of
#: ten tiers is ours. The page prints tier 1's minimum initial margin ratio as 1.30%, while 75x
#: means 1.33%; the leverage is kept.
ONEINCH_USDT_SWAP_TIERS = position_tiers(
    [1_000, 2_500, 65_000, 130_000],
    [0.01, 0.015, 0.02, 0.025],
    [75, 50, 20, 1 / 0.055],
    inst_id="1INCH-USDT-SWAP",
    extend_to=10,
    step_contracts=65_000,
)

#: BTC coin-margined swap, the schedule of 2019-05-31 [6]_: tiers 1-10 as printed ("0~999" 0.5%
#: 100x, "1,000~9,999" 1.0% 50x, ... "120,000~129,999" 5.0% 8x); the page continues in steps of
#: 10,000 contracts and 0.5% up to 93.5% at 1x, with leverages it does not list, so they stop here.
BTC_USD_SWAP_TIERS_2019 = position_tiers(
    [999, 9_999, 14_999, 24_999, 49_999, 74_999, 99_999, 109_999, 119_999, 129_999],
    [0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05],
    [100, 50, 30, 20, 15, 10, 9, 8, 8, 8],
    inst_id="BTC-USD-SWAP-2019",
)

#: Tier tables by name, for the ``tiers="..."`` shorthand.
TIERS: dict[str, PositionTiers] = {
    t.inst_id: t for t in (ONEINCH_USDT_SWAP_TIERS, BTC_USD_SWAP_TIERS_2019)
}

#: Tier upper bounds of the legacy USDT-margined BTC swap used by the partial-liquidation example:
#: basic risk limit 2,000 contracts, step 10,000 ([4]_; [3]_ "Tier 3 or above (Number of
#: Swaps>=12,001)"); only the first tiers are listed.
LEGACY_BTC_USDT_SWAP_MAX_CONTRACTS = (2_000.0, 12_000.0, 22_000.0, 32_000.0, 42_000.0)


def tier_lookup(contracts: ArrayLike, tiers: PositionTiers | str = "1INCH-USDT-SWAP") -> Any:
    """Tier number, maintenance margin ratio and max leverage for a position size.

    Parameters
    ----------
    contracts : float or array
        Absolute position size in contracts (> 0).
    tiers : PositionTiers or str
        A table, or a name in :data:`TIERS` (``"1INCH-USDT-SWAP"``, ``"BTC-USD-SWAP-2019"``).

    Returns
    -------
    dict
        ``{"tier": ..., "mmr": ..., "max_leverage": ...}``.

    Raises
    ------
    ValueError
        Non-positive size, a size above the last tier, an unknown instrument.

    Examples
    --------
    >>> tier_lookup(1_000)["tier"], tier_lookup(1_001)["mmr"]
    (1, 0.015)
    """
    table = _tiers(tiers)
    return {
        "tier": table.tier(contracts),
        "mmr": table.mmr(contracts),
        "max_leverage": table.max_leverage(contracts),
    }


def _tiers(tiers: PositionTiers | str) -> PositionTiers:
    if isinstance(tiers, PositionTiers):
        return tiers
    if isinstance(tiers, str) and tiers in TIERS:
        return TIERS[tiers]
    raise ValueError(f"tiers must be PositionTiers or one of {sorted(TIERS)}, got {tiers!r}")


def _rates(
    contracts: ArrayLike, mmr: float | None, tiers: PositionTiers | str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Maintenance margin ratio and 1-based tier of each position (tier 0 for a flat rate)."""
    n = v.positive("contracts", contracts)
    if (mmr is None) == (tiers is None):
        raise ValueError("give exactly one of mmr or tiers")
    if tiers is not None:
        table = _tiers(tiers)
        idx = np.asarray(table.index(n))
        return table.mmrs[idx], idx + 1
    assert mmr is not None  # narrowed by the check above
    rate = v.one("mmr", v.rate("mmr", mmr, allow_zero=False))
    return np.full(n.shape, rate), np.ones(n.shape, dtype=np.int64)


def position_value(
    contracts: ArrayLike,
    ct_val: ArrayLike,
    mark_px: ArrayLike,
    *,
    kind: str | ContractKind = LINEAR,
) -> Any:
    """``ctVal * |pos| * markPx`` (USDT-margined) or ``ctVal * |pos| / markPx`` (coin-margined).

    Examples
    --------
    >>> position_value(100, 0.01, 30_000)               # BTC-USDT-SWAP, 0.01 BTC a contract
    30000.0
    >>> position_value(100, 100, 25_000, kind="inverse")   # BTC-USD-SWAP, 100 USD a contract
    0.4
    """
    n = v.positive("contracts", contracts)
    cv = v.positive("ct_val", ct_val)
    p = v.positive("mark_px", mark_px)
    if contract_kind(kind) is LINEAR:
        return v.scalar_or_array(cv * n * p)
    return v.scalar_or_array(cv * n / p)


def maintenance_margin(
    contracts: ArrayLike,
    ct_val: ArrayLike,
    mark_px: ArrayLike,
    *,
    mmr: float | None = None,
    tiers: PositionTiers | str | None = None,
    kind: str | ContractKind = LINEAR,
) -> Any:
    """Maintenance margin: position value at the mark times the tier's MMR (no deduction).

    Examples
    --------
    >>> round(maintenance_margin(1_001, 1, 2.0, tiers="1INCH-USDT-SWAP"), 6)   # tier 2, 1.5%
    30.03
    """
    rate, _ = _rates(contracts, mmr, tiers)
    value = np.asarray(position_value(contracts, ct_val, mark_px, kind=kind))
    return v.scalar_or_array(value * rate)


def margin_ratio(
    margin: ArrayLike,
    upl: ArrayLike,
    contracts: ArrayLike,
    ct_val: ArrayLike,
    mark_px: ArrayLike,
    *,
    fee_rate: float,
    mmr: float | None = None,
    tiers: PositionTiers | str | None = None,
    kind: str | ContractKind = LINEAR,
) -> Any:
    """``(margin + upl) / (position value * (MMR + fee rate))``; liquidation at <= 1 (100%).

    OKX's margin ratio is equity over requirement (the reciprocal of Binance's and Bybit's).

    Parameters
    ----------
    margin : float or array
        Isolated margin balance (settlement currency).
    upl : float or array
        Unrealized PnL at the mark.
    contracts, ct_val, mark_px : float or array
    fee_rate : float
        Liquidation (taker) fee rate, in [0, 1).
    mmr : float, optional
        A flat rate; or ``tiers``.
    tiers : PositionTiers or str, optional
    kind : {"linear", "inverse"}

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        Values out of range; both or neither of ``mmr`` and ``tiers``.

    References
    ----------
    Trigger rule [1]_.

    Examples
    --------
    >>> round(margin_ratio(100, -50, 100, 0.01, 30_000, fee_rate=0.0005, mmr=0.004), 6)
    0.37037
    """
    rate, _ = _rates(contracts, mmr, tiers)
    fee = v.one("fee_rate", v.rate("fee_rate", fee_rate))
    value = np.asarray(position_value(contracts, ct_val, mark_px, kind=kind))
    equity = v.as_float("margin", margin) + v.as_float("upl", upl)
    return v.scalar_or_array(equity / (value * (rate + fee)))


@v.renames(entry_price="avg_px")
def liquidation_price(
    side: ArrayLike,
    contracts: ArrayLike,
    avg_px: ArrayLike,
    *,
    margin: ArrayLike,
    ct_val: ArrayLike,
    fee_rate: float,
    mmr: float | None = None,
    tiers: PositionTiers | str | None = None,
    kind: str | ContractKind = LINEAR,
    mark_px: ArrayLike | None = None,
) -> LiquidationResult:
    """Isolated liquidation price: the mark at which the margin ratio falls to 100%.

    Solves ``margin + upl(P) = value(P) * (MMR_tier + fee_rate)``. The tier comes from the
    contract count, so the rate is fixed while the price moves; per rate, this delegates to
    :func:`liqlib.liquidation_price` with ``fee_rate`` added in the trigger. For a coin-margined
    long it equals the third-party closed form ``(1 + MMR + fee) / (1/avgPx + margin/(ctVal *
    pos))`` (checked in the tests).

    Parameters
    ----------
    side : +1, -1 or array
    contracts : float or array
        Absolute position size in contracts (> 0).
    avg_px : float or array
        Average entry price (> 0).
    margin : float or array
        Isolated margin (USDT, or coin for coin-margined swaps).
    ct_val : float or array
        Face value per contract (> 0).
    fee_rate : float
        Liquidation (taker) fee rate in [0, 1).
    mmr : float, optional
        Flat rate; or ``tiers``.
    tiers : PositionTiers or str, optional
    kind : {"linear", "inverse"}
    mark_px : float or array, optional
        Current mark, only for ``below_maintenance``.

    Returns
    -------
    LiquidationResult
        ``tier`` is the OKX tier (1 for a flat ``mmr``); 0 where not liquidatable.

    Raises
    ------
    ValueError
        Values out of range, a position above the last tier, both or neither of mmr/tiers.

    References
    ----------
    Trigger rule [1]_; tiers [2]_.

    Examples
    --------
    A long of 100 BTC-USDT-SWAP contracts (0.01 BTC each) at 30,000 with 300 USDT, MMR 0.4%,
    fee 0.05%: ``(300 - 30,000) / (1 * (0.0045 - 1))``:

    >>> round(liquidation_price(1, 100, 30_000, margin=300, ct_val=0.01, fee_rate=0.0005,
    ...                         mmr=0.004).price, 4)
    29834.2541
    """
    k = contract_kind(kind)
    fee = v.one("fee_rate", v.rate("fee_rate", fee_rate))
    rate, tier_no = _rates(contracts, mmr, tiers)
    q = v.positive("contracts", contracts)
    face = v.positive("ct_val", ct_val)
    linear = k is LINEAR
    # The rate is fixed by the contract count, one per position: the core's per-position rates.
    result = _core_liquidation_price(
        side,
        q * face if linear else q,
        avg_px,
        collateral=v.as_float("margin", margin),
        mmr=rate,
        fee_rate=fee,
        kind=k,
        contract_value=1.0 if linear else face,
        mark_price=mark_px,
    )
    tier = np.where(result.liquidatable, tier_no, 0).astype(np.int16)
    return replace(result, tier=v.scalar_or_array(tier))


def legacy_partial_liquidation_contracts(
    contracts: ArrayLike, tier_max_contracts: ArrayLike = LEGACY_BTC_USDT_SWAP_MAX_CONTRACTS
) -> Any:
    """Contracts the legacy rule closes once the trigger is hit: down to tier 1, or everything.

    "For position at Tier 3 or above … Forced Partial Liquidation occurs … The relevant position
    will be liquidated until it is at Tier 1": close ``contracts - max contracts of tier 1``.
    Tiers 1 and 2 are liquidated in full.

    Parameters
    ----------
    contracts : float or array
        Absolute position size (> 0).
    tier_max_contracts : array
        Upper bound of each tier (strictly increasing); positions above the last bound count as
        past it.

    Returns
    -------
    float or ndarray
        Contracts to close.

    Raises
    ------
    ValueError
        Non-positive size; bounds not increasing.

    References
    ----------
    Legacy text [3]_: "Number of Swaps to be closed = Number of Swaps held – max Number of Swaps
    acceptable for Tier 1 = 15,000-2,000=13,000 swaps".

    Examples
    --------
    >>> legacy_partial_liquidation_contracts(15_000)
    13000.0
    >>> legacy_partial_liquidation_contracts(5_000)      # tier 2: full liquidation
    5000.0
    """
    n = v.positive("contracts", contracts)
    caps = _bounds(tier_max_contracts)
    tier = np.searchsorted(caps, n, side="left") + 1
    return v.scalar_or_array(np.where(tier >= 3, n - caps[0], n))


def partial_liquidation_contracts(
    contracts: ArrayLike, tier_max_contracts: ArrayLike = LEGACY_BTC_USDT_SWAP_MAX_CONTRACTS
) -> Any:
    """The newer rule [3P]: a position in tier n >= 3 is cut to the top of tier n - 2.

    Named variant of :func:`legacy_partial_liquidation_contracts`; the rule ("reduce the position
    by two tiers", re-checked after each step) was read only in a third-party paraphrase [5]_. For
    a tier-3 position both rules close the same amount.

    Examples
    --------
    A tier-4 position of 27,000 contracts is cut to 12,000 (the top of tier 2), where the legacy
    rule would cut it to 2,000:

    >>> partial_liquidation_contracts(27_000), legacy_partial_liquidation_contracts(27_000)
    (15000.0, 25000.0)
    """
    n = v.positive("contracts", contracts)
    caps = _bounds(tier_max_contracts)
    tier = np.searchsorted(caps, n, side="left") + 1
    target = caps[np.clip(tier - 3, 0, caps.size - 1)]
    return v.scalar_or_array(np.where(tier >= 3, n - target, n))


def _bounds(tier_max_contracts: ArrayLike) -> np.ndarray:
    caps = v.positive("tier_max_contracts", tier_max_contracts).reshape(-1)
    if np.any(np.diff(caps) <= 0):
        raise ValueError(f"tier_max_contracts must be strictly increasing, got {caps.tolist()}")
    return caps
