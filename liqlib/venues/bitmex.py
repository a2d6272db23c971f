"""BitMEX: Fair Price Marking, inverse (XBTUSD) bankruptcy and liquidation prices, risk limits
(a step rate on the whole position, :class:`RiskLimits`), the insurance fund and the
auto-deleveraging ranking.

BitMEX's pages describe the process (liquidate at the Fair Price mark, take the position over at
the bankruptcy price, keep any better fill in the Insurance Fund, auto-deleverage by "PNL
Percentage * Effective Leverage") but print **no closed-form liquidation price**. The rule used
here is the one BitMEX staff and support gave users: maintenance margin on XBTUSD is "0.5% * Order
Value + (Taker Fee * Order Value ...)" plus the funding due at the next settlement, all on the
position's entry value; the liquidation price is where the position margin left equals it.

Variable names follow BitMEX's pages: ``index_price``, ``funding_rate``, ``time_until_funding``,
``funding_interval``, ``impact_mid_price``, ``time_to_expiry`` (days), ``fair_basis_rate`` (the
"% Fair Basis"), "Mark/Bankrupt/Avg Entry Value" (:func:`position_value`). Sizes are contracts;
an XBTUSD contract is worth 1 USD (``contract_value=1``) and settles in XBT (``kind="inverse"``);
BitMEX's linear and quanto contracts can be modelled with ``kind="linear"``.

Sources disagree on the liquidation price; the default is the consistent reading (funding only
reserved when the position pays it, fees not in the initial margin), and the formula BitMEX
support mailed to users is :func:`liquidation_price_support_formula`:

* support (Reddit r/BitMEX, quoting a ticket): "initMargin = 1 / leverage + (entry taker fee +
  exit taker fee); maintenanceMargin = (0.50% + Exit Taker Fee + Funding Rate); Liquidation Price
  = Entry_Price/(1 + initMargin - maintenanceMargin)" (long; short with the signs flipped). The
  same user showed that for shorts it moves the price the wrong way with funding.
* github.com/nottug/bitmex_utils (README "formulas were provided from BitMEX support") instead
  subtracts the fees from the initial margin and uses a first-order form ``BP + EP*(MM + F)``.

References
----------
.. [1] BitMEX, "Fair Price Marking", https://www.bitmex.com/app/fairPriceMarking (perpetual
   text read 2026-11-24; the futures section, with its "Impact Mid Price = $105 ... Fair Price =
   $105" example, from a verbatim copy: github.com/bradkyle/Qex
   ``research/all/bitmex/fairpricemarking.md`` @ ebf235fc47e0a3d1eb2bbdfb310268e504b79f12).
.. [2] BitMEX, "Liquidation" https://www.bitmex.com/app/liquidation and "Liquidation Examples"
   https://testnet.bitmex.com/app/liquidationExamples (insurance fund example; continuation from
   the verbatim copy at doc.sat.is).
.. [3] BitMEX, "Auto-Deleveraging", https://www.bitmex.com/app/autoDeleveraging (ranking formula
   and the six-account example; copy: github.com/bradkyle/Qex
   ``research/all/bitmex/autodeleveraging.md`` @ 0f5bf0dfaf3dac858198c72fb2d6e0637f3a73a7).
.. [4] Maintenance margin with fees and funding: u/BitMEX_Haddock on r/BitMEX ("For the XBTUSD
   contract the maintenance margin can be calculated using ... 0.5% * Order Value + (Taker Fee *
   Order Valu..."); users quoting BitMEX support (r/BitMEX); github.com/nottug/bitmex_utils
   ``README.md`` @ 7c36d58. Third-party: hints, not authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..core.contracts import INVERSE, LINEAR, ContractKind, contract_kind, notional, pnl
from ..core.liquidation import LiquidationResult
from ..core.liquidation import bankruptcy_price as _core_bankruptcy_price
from ..core.liquidation import liquidation_price as _core_liquidation_price
from ..core.tiers import TierTable
from ..engine.adl import adl_queue as _adl_queue
from ..engine.adl import bitmex_score as _bitmex_score
from ..engine.adl import queue_allocation as _queue_allocation
from ..engine.adl import quintile_lights as _quintile_lights
from ..prices.mark import fair_price as _mark_fair_price
from ..prices.mark import funding_basis as _mark_funding_basis

#: XBTUSD's taker fee (0.075%) and base maintenance margin (0.5%) in the period the staff and
#: support formulas were given (2019-2020). Both change; pass today's values.
XBTUSD_TAKER_FEE = 0.00075
XBTUSD_MAINT_MARGIN = 0.005


# --- Fair Price Marking ------------------------------------------------------------------------


def funding_basis(
    funding_rate: ArrayLike, time_until_funding: ArrayLike, funding_interval: ArrayLike = 8.0
) -> Any:
    """Funding basis: "Funding Rate * (Time Until Funding / Funding Interval)".

    Parameters
    ----------
    funding_rate : float or array
        The current funding rate per interval (fraction, any sign).
    time_until_funding : float or array
        Time to the next funding settlement (>= 0), in the unit of ``funding_interval``.
    funding_interval : float or array
        Length of a funding period (> 0); 8 (hours) on XBTUSD.

    Returns
    -------
    float or ndarray
        Computed by :func:`liqlib.prices.mark.funding_basis` (the same rule, durations in seconds
        there; only the ratio matters).

    Raises
    ------
    ValueError
        Naming the argument: non-finite values, negative time, ``time_until_funding`` beyond the
        interval, non-positive interval.

    References
    ----------
    BitMEX, "Fair Price Marking" (module references).

    Examples
    --------
    >>> funding_basis(0.0001, 4, 8)
    5e-05
    """
    tau, interval = _funding_times(time_until_funding, funding_interval)
    return _mark_funding_basis(funding_rate, tau, interval)


def _funding_times(time_until_funding: ArrayLike, funding_interval: ArrayLike) -> tuple[Any, float]:
    """Check BitMEX's names; :mod:`liqlib.prices.mark` then does the arithmetic (its unit is
    free)."""
    tau = v.nonnegative("time_until_funding", time_until_funding)
    interval = v.one("funding_interval", v.positive("funding_interval", funding_interval))
    if np.any(tau > interval):
        raise ValueError("time_until_funding must be at most funding_interval")
    return tau, interval


def fair_price(
    index_price: ArrayLike,
    funding_rate: ArrayLike,
    time_until_funding: ArrayLike,
    funding_interval: ArrayLike = 8.0,
) -> Any:
    """Mark price of a perpetual: "Fair Price = Index Price * (1 + Funding Basis)".

    The funding basis decays linearly to zero at the settlement, so the mark converges to the
    index exactly when funding is exchanged.

    Parameters
    ----------
    index_price : float or array
        The underlying index (> 0).
    funding_rate, time_until_funding, funding_interval
        As :func:`funding_basis`.

    Returns
    -------
    float or ndarray
        :func:`liqlib.prices.mark.fair_price` (also Binance's and Bybit's "Price 1").

    References
    ----------
    BitMEX, "Fair Price Marking", "Calculation of Fair Price for Perpetual Contracts".

    Examples
    --------
    Funding 0.01% with half the interval left on a 10,000 index:

    >>> round(fair_price(10_000, 0.0001, 4, 8), 6)
    10000.5
    """
    index = v.positive("index_price", index_price)
    tau, interval = _funding_times(time_until_funding, funding_interval)
    return _mark_fair_price(index, funding_rate, tau, interval)


def impact_margin_notional(initial_margin: ArrayLike, margin: ArrayLike = 0.1) -> Any:
    """Depth at which impact bid/ask prices are measured: "0.1 XBT / Initial Margin" (XBT).

    Examples
    --------
    "XBT Quarterly 1% ... 0.1 XBT / 0.01 = 10 XBT":

    >>> round(impact_margin_notional(0.01), 12)
    10.0
    """
    im = v.rate("initial_margin", initial_margin, allow_zero=False)
    return v.scalar_or_array(v.positive("margin", margin) / im)


def fair_basis_rate(
    impact_mid_price: ArrayLike, index_price: ArrayLike, time_to_expiry: ArrayLike
) -> Any:
    """A future's annualised "% Fair Basis = (Impact Mid Price / Index Price - 1) /
    (Time To Expiry / 365)".

    Recomputed each minute (only while the impact spread is narrower than the maintenance margin);
    in between, the rate stays fixed and the fair price follows the index and the time decay.

    Parameters
    ----------
    impact_mid_price : float or array
        Mean of the impact bid and ask prices (> 0).
    index_price : float or array
        Underlying index (> 0).
    time_to_expiry : float or array
        Days to the future's expiry (> 0).

    Returns
    -------
    float or ndarray
        Annualised fraction.

    References
    ----------
    BitMEX, "Fair Price Marking", "Fair Price Derivation": impact mid $105, index $100, 30 days
    give "60.8%".

    Examples
    --------
    >>> round(fair_basis_rate(105, 100, 30), 4)
    0.6083
    """
    mid = v.positive("impact_mid_price", impact_mid_price)
    index = v.positive("index_price", index_price)
    days = v.positive("time_to_expiry", time_to_expiry)
    return v.scalar_or_array((mid / index - 1.0) / (days / 365.0))


def fair_value(index_price: ArrayLike, fair_basis: ArrayLike, time_to_expiry: ArrayLike) -> Any:
    """Fair value of a future: "Index Price * % Fair Basis * (Time to Expiry / 365)" (quote).

    Examples
    --------
    >>> round(fair_value(100, fair_basis_rate(105, 100, 30), 30), 10)
    5.0
    """
    index = v.positive("index_price", index_price)
    rate = v.as_float("fair_basis", fair_basis)
    days = v.nonnegative("time_to_expiry", time_to_expiry)
    return v.scalar_or_array(index * rate * days / 365.0)


def futures_fair_price(
    index_price: ArrayLike, fair_basis: ArrayLike, time_to_expiry: ArrayLike
) -> Any:
    """Mark price of a future: "Fair Price = Index Price + Fair Value".

    At the minute the "% Fair Basis" is set this equals the impact mid price; afterwards it moves
    with the index and decays to it at expiry.

    Parameters
    ----------
    index_price : float or array
    fair_basis : float or array
        The "% Fair Basis" last set by :func:`fair_basis_rate`.
    time_to_expiry : float or array
        Days to expiry now (>= 0).

    Examples
    --------
    >>> round(futures_fair_price(100, fair_basis_rate(105, 100, 30), 30), 10)
    105.0
    """
    return v.scalar_or_array(
        v.positive("index_price", index_price)
        + np.asarray(fair_value(index_price, fair_basis, time_to_expiry))
    )


# --- risk limits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskLimits:
    """BitMEX risk limits: each step above the base limit raises the margin rates of the *whole*
    position.

    BitMEX's page: "At each step, the maintenance and initial margin are raised by the base
    maintenance margin [...] The calculation for the new maintenance margin becomes 0.50% + ( # of
    Steps * 0.50% ) and the new initial margin becomes 1.00% + ( # of Steps * 0.50% )", with the
    table "< 200 XBT | 0.50% | 1.00%; < 350 XBT | 1.00% | 1.50%; < 500 XBT | 1.50% | 2.00%;
    < 650 XBT | 2.00% | 2.50%" and the trade example "A trader has a XBTUSD position worth 180
    XBT. The current maintenance margin requirement is 0.50% (0.90 XBT) [...] increase his
    position to 230 XBT. Because their account is now greater than 200 XBT, he is 1 step above the
    Base Risk Limit of 200 XBT. The trader thus increases their maintenance and initial margin to
    the next step (<350XBT) to 1.00% and 1.50%".

    The rate of a step applies to the whole position value: there is no maintenance amount that
    subtracts what the lower steps would have charged, as in the cum-continuous
    :class:`liqlib.core.tiers.TierTable` (Binance's brackets). Maintenance margin therefore
    **jumps** by ``step_rate * limit`` as the value crosses each limit (1 XBT at 200 XBT): a
    position just above a limit can be brought back to compliance by selling only the part above
    it, which is why BitMEX liquidates by "a FillOrKill order, of a size to bring the position
    value below a lower tier Risk Limit" (:meth:`step_down_value`).

    Users raise the limit by hand ("Users must manually raise and lower their risk limit"); a
    position is charged here at the smallest limit that covers its value, and a value equal to a
    limit is within it (the page's text says "greater than 200 XBT" is one step up; its table's
    "< 200 XBT" would put exactly 200 a step up too: our reading takes the text).

    Parameters
    ----------
    base_risk_limit : float
        Largest position value (> 0) charged the base rates, in ``unit``.
    risk_step : float
        Size (> 0) of each step above the base limit, in ``unit``.
    base_maintenance : float
        Base maintenance margin rate, in (0, 1).
    base_initial : float
        Base initial margin rate, in (base_maintenance, 1).
    step_rate : float, optional
        Rate (> 0) added to both per step; by default the base maintenance margin (the page's
        "raised by the base maintenance margin").
    unit : str
        Unit of position values and limits (``"XBT"`` for XBTUSD).

    Raises
    ------
    ValueError
        Naming the field, for a non-positive limit or step or rates out of range.

    References
    ----------
    BitMEX, "Risk Limits Examples", https://www.bitmex.com/app/riskLimitsExamples (read
    2026-12-03); "Liquidation Examples", https://testnet.bitmex.com/app/liquidationExamples
    (the FillOrKill step-down).

    Examples
    --------
    The page's trade example: 180 XBT needs 0.90 XBT, 230 XBT needs 1% of all of it.

    >>> float(XBTUSD_RISK_LIMITS.maintenance_margin(180.0))
    0.9
    >>> xbt = XBTUSD_RISK_LIMITS
    >>> float(xbt.maintenance_margin(230.0)), float(xbt.initial_rate(230.0))
    (2.3, 0.015)

    Just below and just above the base limit, maintenance margin jumps by 1 XBT:

    >>> [round(float(xbt.maintenance_margin(x)), 6) for x in (200.0, 200.01)]
    [1.0, 2.0001]
    """

    base_risk_limit: float
    risk_step: float
    base_maintenance: float
    base_initial: float
    step_rate: float | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        v.positive("base_risk_limit", self.base_risk_limit)
        v.positive("risk_step", self.risk_step)
        mm = v.one("base_maintenance",
                   v.rate("base_maintenance", self.base_maintenance, allow_zero=False))
        im = v.one("base_initial", v.rate("base_initial", self.base_initial, allow_zero=False))
        if not im > mm:
            raise ValueError(
                f"base_initial must exceed base_maintenance ({mm!r}), got {im!r}: a position "
                "would open already liquidatable"
            )
        if self.step_rate is not None:
            v.positive("step_rate", self.step_rate)

    @property
    def rate_per_step(self) -> float:
        """The rate added per step (``step_rate``, else the base maintenance margin)."""
        return float(self.base_maintenance if self.step_rate is None else self.step_rate)

    def steps(self, position_value: ArrayLike) -> Any:
        """Steps above the base limit: ``ceil((|value| - base) / step)``, 0 within the base."""
        value = np.abs(v.as_float("position_value", position_value))
        over = (value - self.base_risk_limit) / self.risk_step
        # round first: a value on a limit must not fall a step up by a last-bit error
        n = np.ceil(np.round(np.maximum(over, 0.0), 12)).astype(np.int64)
        return v.scalar_or_array(n)

    def risk_limit(self, position_value: ArrayLike) -> Any:
        """The smallest risk limit covering the value: ``base + steps * step``."""
        return v.scalar_or_array(
            self.base_risk_limit + np.asarray(self.steps(position_value)) * self.risk_step
        )

    def maintenance_rate(self, position_value: ArrayLike) -> Any:
        """``base_maintenance + steps * rate_per_step``."""
        n = np.asarray(self.steps(position_value))
        return v.scalar_or_array(self.base_maintenance + n * self.rate_per_step)

    def initial_rate(self, position_value: ArrayLike) -> Any:
        """``base_initial + steps * rate_per_step``."""
        n = np.asarray(self.steps(position_value))
        return v.scalar_or_array(self.base_initial + n * self.rate_per_step)

    def maintenance_margin(self, position_value: ArrayLike) -> Any:
        """Maintenance margin, ``maintenance_rate(value) * |value|``: a step function's rate on
        the whole value, discontinuous at every limit."""
        value = np.abs(v.as_float("position_value", position_value))
        return v.scalar_or_array(np.asarray(self.maintenance_rate(value)) * value)

    def initial_margin(self, position_value: ArrayLike) -> Any:
        """Initial margin, ``initial_rate(value) * |value|``."""
        value = np.abs(v.as_float("position_value", position_value))
        return v.scalar_or_array(np.asarray(self.initial_rate(value)) * value)

    def jump(self, steps: ArrayLike) -> Any:
        """Rise of maintenance margin as the value crosses the limit ending step ``steps`` (0: the
        base limit): ``rate_per_step * limit``."""
        k = v.nonnegative("steps", steps)
        return v.scalar_or_array(self.rate_per_step * (self.base_risk_limit + k * self.risk_step))

    def step_down_value(self, position_value: ArrayLike) -> Any:
        """The value a step-down liquidation brings the position to: the next lower risk limit.

        ``nan`` within the base limit, where there is no lower limit and the whole position is
        taken over.
        """
        n = np.asarray(self.steps(position_value))
        lower = self.base_risk_limit + (n - 1) * self.risk_step
        return v.scalar_or_array(np.where(n > 0, lower, np.nan))

    def tier_table(self, n_steps: int) -> TierTable:
        """The same brackets as a cum-continuous :class:`~liqlib.core.tiers.TierTable`.

        For comparison only: its maintenance amounts make maintenance margin continuous at each
        limit, which BitMEX's rule is not. Maximum leverage is ``1 / initial rate``.

        Parameters
        ----------
        n_steps : int
            Steps above the base limit to include (>= 0).
        """
        n = v.integer("n_steps", n_steps, low=0)
        k = np.arange(n + 1)
        floors = np.concatenate(([0.0], self.base_risk_limit + k[:-1] * self.risk_step))
        return TierTable(
            floors,
            self.base_maintenance + k * self.rate_per_step,
            1.0 / (self.base_initial + k * self.rate_per_step),
            name="BitMEX risk limits (cum-continuous)",
            unit=self.unit,
        )

    def step_table(self, n_steps: int) -> StepTierTable:
        """The brackets as BitMEX applies them, for the engine: :class:`StepTierTable`.

        Parameters
        ----------
        n_steps : int
            Steps above the base limit to include (>= 0).
        """
        return StepTierTable(self, n_steps)


class StepTierTable(TierTable):
    """BitMEX's risk limits as a :class:`~liqlib.core.tiers.TierTable` the engine can run on.

    The brackets of :meth:`RiskLimits.step_table` with **no maintenance amounts**: ``MM(N) = N *
    mmr_n``, the step's rate on the whole value, so maintenance margin jumps at every limit. A
    value equal to a limit stays within it, as :class:`RiskLimits` reads the page; beyond the last
    limit the last step's rate applies (build the table with enough steps). Pass it as
    ``Engine(..., maintenance=table)``: the engine's tier step-down then sells to the next lower
    limit, as BitMEX does.

    Parameters
    ----------
    limits : RiskLimits
        The risk limits.
    n_steps : int
        Steps above the base limit to include (>= 0).

    Raises
    ------
    ValueError
        For a negative ``n_steps``.

    References
    ----------
    BitMEX, "Risk Limits Examples" (as :class:`RiskLimits`).

    Examples
    --------
    >>> table = XBTUSD_RISK_LIMITS.step_table(3)
    >>> [round(float(table.maintenance_margin(x)), 6) for x in (200.0, 200.01, 230.0)]
    [1.0, 2.0001, 2.3]
    >>> table.tier(230.0).cum
    0.0
    """

    def __init__(self, limits: RiskLimits, n_steps: int) -> None:
        n = v.integer("n_steps", n_steps, low=0)
        k = np.arange(n + 1)
        rate = limits.rate_per_step
        super().__init__(
            np.concatenate(([0.0], limits.base_risk_limit + k[:-1] * limits.risk_step)),
            limits.base_maintenance + k * rate,
            1.0 / (limits.base_initial + k * rate),
            name="BitMEX risk limits (step)",
            unit=limits.unit,
        )
        self.limits = limits
        cums = np.zeros(n + 1)  # no maintenance amount: the step's rate on the whole value
        cums.setflags(write=False)
        self.cums = cums

    def index(
        self,
        notional: ArrayLike,
        *,
        out: np.ndarray | None = None,
        hit: np.ndarray | None = None,
    ) -> Any:
        """Bracket of each notional: its risk-limit steps, capped at the table's last step."""
        value = np.maximum(v.as_float("notional", notional), 0.0)
        steps = np.minimum(np.asarray(self.limits.steps(value)), len(self) - 1)
        if out is None:
            return v.scalar_or_array(steps)
        out[...] = steps
        return out


#: XBTUSD's risk limits in BitMEX's "Risk Limits Examples": base 200 XBT, steps of 150 XBT,
#: 0.50% maintenance and 1.00% initial at the base, both +0.50% per step. These are the page's
#: example values; BitMEX sets limits per contract and changes them: pass today's.
XBTUSD_RISK_LIMITS = RiskLimits(200.0, 150.0, 0.005, 0.01, unit="XBT")


# --- bankruptcy and liquidation price ---------------------------------------------------------


def maintenance_rate(
    side: ArrayLike,
    maint_margin: ArrayLike = XBTUSD_MAINT_MARGIN,
    taker_fee: ArrayLike = XBTUSD_TAKER_FEE,
    funding_rate: ArrayLike = 0.0,
) -> Any:
    """Maintenance requirement as a fraction of entry value: margin, exit fee and funding due.

    ``maint_margin + taker_fee + max(side * funding_rate, 0)``: a long pays a positive funding
    rate and a short a negative one at the next settlement, and that payment is held back; a
    receivable is not credited in advance (as BitMEX-style venues such as BTZO state it:
    "Assign a 0 Funding Rate % for negative funding rate percentages when holding long positions").

    Parameters
    ----------
    side : +1, -1 or array
    maint_margin : float or array
        Base maintenance margin rate in (0, 1) (0.5% for XBTUSD's first risk limit then).
    taker_fee : float or array
        Exit taker fee rate in [0, 1).
    funding_rate : float or array
        Funding rate for the coming settlement (any sign).

    Examples
    --------
    >>> round(maintenance_rate(1, 0.005, 0.00075, 0.0001), 10)
    0.00585
    >>> round(maintenance_rate(-1, 0.005, 0.00075, 0.0001), 10)
    0.00575
    """
    s = v.side("side", side)
    mm = v.rate("maint_margin", maint_margin, allow_zero=False)
    fee = v.rate("taker_fee", taker_fee)
    f = v.as_float("funding_rate", funding_rate)
    return v.scalar_or_array(mm + fee + np.maximum(s * f, 0.0))


def bankruptcy_price(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike | None = None,
    collateral: ArrayLike | None = None,
    extra_margin: ArrayLike = 0.0,
    kind: str | ContractKind = INVERSE,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Price at which the position margin is used up (XBTUSD: ``EP * L / (L + 1)`` for a long).

    Delegates to :func:`liqlib.bankruptcy_price`; inverse, 1 USD contracts by default.

    Parameters
    ----------
    side : +1, -1 or array
    size : float or array
        Contracts (> 0).
    entry_price : float or array
        Average entry price (> 0).
    leverage : float or array, optional
        Position margin = entry value / leverage (give this or ``collateral``).
    collateral : float or array, optional
        Position margin in the settlement currency (XBT for XBTUSD).
    extra_margin : float or array
        Margin added (or, negative, removed) on top.
    kind : {"inverse", "linear"}
    contract_value : float or array
        USD value of one inverse contract (1 for XBTUSD).

    Returns
    -------
    float or ndarray
        ``nan`` where no positive price bankrupts the position (a 1x inverse short).

    Examples
    --------
    >>> round(bankruptcy_price(1, 200_000, 10_000, leverage=20), 2)
    9523.81
    """
    return _core_bankruptcy_price(
        side,
        size,
        entry_price,
        leverage=leverage,
        collateral=collateral,
        extra_margin=extra_margin,
        kind=kind,
        contract_value=contract_value,
    )


def liquidation_price(
    side: ArrayLike,
    size: ArrayLike,
    entry_price: ArrayLike,
    *,
    leverage: ArrayLike | None = None,
    collateral: ArrayLike | None = None,
    extra_margin: ArrayLike = 0.0,
    maint_margin: float = XBTUSD_MAINT_MARGIN,
    taker_fee: float = XBTUSD_TAKER_FEE,
    funding_rate: ArrayLike = 0.0,
    kind: str | ContractKind = INVERSE,
    contract_value: ArrayLike = 1.0,
    mark_price: ArrayLike | None = None,
) -> LiquidationResult:
    """Isolated liquidation and bankruptcy price with the exit fee and funding in maintenance.

    The position is liquidated when its margin (collateral plus unrealised PnL at the Fair Price
    mark) falls to ``maintenance_rate(side, maint_margin, taker_fee, funding_rate)`` times its
    *entry* value. For XBTUSD (inverse) that is ``Q (1/EP - 1/LP) = -(IM - MM)`` in XBT, so a long
    is liquidated at ``EP / (1 + IM - MM)`` and a short at ``EP / (1 - IM + MM)`` with ``IM``,
    ``MM`` as fractions of entry value. The bankruptcy price is where the margin is zero, without
    the fee and funding reserve.

    Delegates to :func:`liqlib.liquidation_price` with ``maintenance_at="entry"``; the funding
    reserve, which depends on the side, enters as margin held back (``extra_margin``), which is
    the same thing when maintenance is fixed at entry value.

    Parameters
    ----------
    side, size, entry_price, leverage, collateral, extra_margin, kind, contract_value
        As :func:`bankruptcy_price`.
    maint_margin : float
        Base maintenance margin rate in (0, 1).
    taker_fee : float
        Exit taker fee rate in [0, 1), reserved in maintenance.
    funding_rate : float or array
        Funding rate of the coming settlement; reserved when the position pays it.
    mark_price : float or array, optional
        Current Fair Price mark, to report ``below_maintenance``.

    Returns
    -------
    LiquidationResult
        ``price``, ``bankruptcy_price`` (margin zero, no reserve) and the core's flags.

    Raises
    ------
    ValueError
        Naming the argument (from the core or :func:`maintenance_rate`).

    References
    ----------
    Module references [2], [4]; the closed forms are our derivation [CALC] from them.

    Examples
    --------
    XBTUSD long 200,000 contracts at 10,000 with 20x, funding 0.01%: 0.5% + 0.075% + 0.01% is
    held, so liquidation at 10,000 / (1 + 5% - 0.585%):

    >>> r = liquidation_price(1, 200_000, 10_000, leverage=20, funding_rate=0.0001)
    >>> round(r.price, 2), round(r.bankruptcy_price, 2)
    (9577.17, 9523.81)

    BitMEX's illustration (1 contract at $100, liquidation $99.50, bankruptcy $99.00) is a linear
    contract at 100x with 0.5% maintenance and no fee:

    >>> r = liquidation_price(1, 1, 100, leverage=100, taker_fee=0, kind="linear")
    >>> round(r.price, 10), round(r.bankruptcy_price, 10)
    (99.5, 99.0)
    """
    k = contract_kind(kind)
    s = v.side("side", side)
    q = v.positive("size", size)
    e = v.positive("entry_price", entry_price)
    cv = v.positive("contract_value", contract_value)
    mm = v.one("maint_margin", v.rate("maint_margin", maint_margin, allow_zero=False))
    fee = v.one("taker_fee", v.rate("taker_fee", taker_fee))
    if mm + fee >= 1:
        raise ValueError(f"maint_margin + taker_fee must be below 1, got {mm + fee!r}")
    f = v.as_float("funding_rate", funding_rate)
    total = np.asarray(mm + fee + np.maximum(s * f, 0.0))
    if total.size and total.max() >= 1:
        # funding_rate=5 used to surface as a bad `mmr` inside the core solver
        i = int(np.flatnonzero(total.reshape(-1) >= 1)[0])
        raise ValueError(
            f"maint_margin + taker_fee + funding_rate (paid by the side) must be below 1, got "
            f"{total.reshape(-1)[i].item()!r}" + ("" if total.ndim == 0 else f" at flat index {i}")
        )
    # One maintenance rate per position (the funding it will pay depends on its side), frozen at
    # the entry value as BitMEX computes it.
    return _core_liquidation_price(
        s,
        q,
        e,
        leverage=leverage,
        collateral=collateral,
        extra_margin=extra_margin,
        mmr=np.asarray(maintenance_rate(s, mm, fee, f)),
        kind=k,
        contract_value=cv,
        mark_price=mark_price,
        maintenance_at="entry",
    )


def liquidation_price_support_formula(
    side: ArrayLike,
    entry_price: ArrayLike,
    leverage: ArrayLike,
    *,
    maint_margin: float = XBTUSD_MAINT_MARGIN,
    taker_fee: float = XBTUSD_TAKER_FEE,
    funding_rate: float = 0.0,
) -> Any:
    """Named variant: the XBTUSD formula BitMEX support sent to users (third-party record).

    "initMargin = 1 / leverage + (entry taker fee + exit taker fee); maintenanceMargin = (0.50% +
    Exit Taker Fee + Funding Rate)"; long ``Entry_Price / (1 + initMargin - maintenanceMargin)``,
    short ``averageEntryPrice / (1 - initMargin + maintenanceMargin)``. It differs from
    :func:`liquidation_price` in two ways: both taker fees count as margin, and the funding rate
    enters with the same sign for both sides (so positive funding moves a short's liquidation
    price down, the wrong way, as the user who posted it pointed out).

    Computed by the core (inverse, maintenance at entry value) with that margin and maintenance.

    Parameters
    ----------
    side : +1, -1 or array
    entry_price : float or array
        Average entry price (> 0).
    leverage : float or array
        Leverage setting (> 0).
    maint_margin, taker_fee : float
        As :func:`liquidation_price`.
    funding_rate : float
        Funding rate, signed, used as is for both sides.

    Returns
    -------
    float or ndarray

    References
    ----------
    r/BitMEX, user post quoting a BitMEX support ticket (module references [4]).

    Examples
    --------
    >>> round(liquidation_price_support_formula(1, 10_000, 20, funding_rate=0.0001), 2)
    9563.43
    """
    s = v.side("side", side)
    e = v.positive("entry_price", entry_price)
    lev = v.positive("leverage", leverage)
    mm = v.one("maint_margin", v.rate("maint_margin", maint_margin, allow_zero=False))
    fee = v.one("taker_fee", v.rate("taker_fee", taker_fee))
    f = v.number("funding_rate", funding_rate)
    init_margin = 1.0 / lev + 2.0 * fee
    # MM = (mm + fee + f) of entry value, carried as (mm) in the rate and (fee + f) held back.
    collateral = (init_margin - fee - f) / e  # one 1-USD contract: entry value 1/EP XBT
    return _core_liquidation_price(
        s, 1.0, e, collateral=collateral, mmr=mm, kind=INVERSE, maintenance_at="entry"
    ).price


# --- insurance fund and auto-deleveraging -----------------------------------------------------


@v.renames(entry_price="bankruptcy_price", price="fill_price")
def insurance_fund_delta(
    side: ArrayLike,
    size: ArrayLike,
    bankruptcy_price: ArrayLike,
    fill_price: ArrayLike,
    *,
    kind: str | ContractKind = INVERSE,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Insurance-fund gain (+) or cost (-) when a taken-over position is closed at ``fill_price``.

    BitMEX takes the position over at its bankruptcy price; "if BitMEX is able to liquidate the
    position at better than the bankruptcy price, the additional funds will be added to the
    Insurance Fund", and if worse the fund pays. The delta is the PnL of the position from the
    bankruptcy price to the fill, so it delegates to :func:`liqlib.pnl`.

    Parameters
    ----------
    side : +1, -1 or array
        Side of the liquidated position.
    size : float or array
        Contracts closed (> 0).
    bankruptcy_price, fill_price : float or array
        (> 0).
    kind : {"inverse", "linear"}
        The contract's kind; the default, ``"inverse"``, is BitMEX's XBTUSD perpetual (the delta
        in XBT). Pass ``"linear"`` for a linear contract (the delta in quote currency), as in
        BitMEX's $99.00 / $99.25 example below.
    contract_value : float or array
        Coin or quote value of one contract (> 0); 1 for XBTUSD's one-dollar contracts.

    Returns
    -------
    float or ndarray

    References
    ----------
    BitMEX, "Liquidation Examples": "The liquidation order is filled at $99.25. The extra $0.25
    goes into the Insurance Fund" (bankruptcy price $99.00).

    Examples
    --------
    >>> insurance_fund_delta(1, 1, 99.0, 99.25, kind="linear")
    0.25
    >>> insurance_fund_delta(1, 1, 99.0, 98.75, kind="linear")
    -0.25
    """
    return pnl(side, size, bankruptcy_price, fill_price, kind, contract_value)


def position_value(
    side: ArrayLike,
    size: ArrayLike,
    price: ArrayLike,
    *,
    kind: str | ContractKind = INVERSE,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """BitMEX's signed "Position Value" at a price (Mark, Bankrupt and Avg Entry Value).

    Linear: ``side * size * contract_value * price``; inverse: ``-side * size * contract_value /
    price`` (an XBTUSD long has negative value, as BitMEX's negative multiplier makes it), so that
    value differences are PnL for both kinds.

    Examples
    --------
    >>> position_value(1, 10_000, 10_000)
    -1.0
    """
    s = v.side("side", side)
    k = contract_kind(kind)
    sign = s if k is LINEAR else -s
    return v.scalar_or_array(sign * np.asarray(notional(size, price, k, contract_value)))


@v.renames(entry_price="bankruptcy_price")
def adl_ranking(
    side: ArrayLike,
    size: ArrayLike,
    avg_entry_price: ArrayLike,
    mark_price: ArrayLike,
    bankruptcy_price: ArrayLike,
    *,
    kind: str | ContractKind = INVERSE,
    contract_value: ArrayLike = 1.0,
) -> Any:
    """Auto-deleveraging priority: PNL Percentage x (or /) Effective Leverage.

    ::

        Ranking = PNL Percentage * Effective Leverage  (if PNL percentage > 0)
                = PNL Percentage / Effective Leverage  (if PNL percentage < 0)
        Effective Leverage = abs(Mark Value) / (Mark Value - Bankrupt Value)
        PNL percentage = (Mark Value - Avg Entry Value) / abs(Avg Entry Value)

    ``Mark Value - Bankrupt Value`` is the PnL from the bankruptcy price to the mark (the equity
    above bankruptcy), so effective leverage is the mark notional over it; a position at or past
    its bankruptcy price has none left and ranks last (``-inf``). Computed by
    :func:`liqlib.engine.adl.bitmex_score`, which is written for linear contracts; an inverse
    position is passed as the linear position of the opposite side on the reciprocal price, which
    has the same PnL percentage. Longs and shorts are ranked separately, highest first.

    Parameters
    ----------
    side : +1, -1 or array
    size : float or array
        Contracts (> 0).
    avg_entry_price, mark_price, bankruptcy_price : float or array
        (> 0).
    kind, contract_value
        As :func:`position_value`.

    Returns
    -------
    float or ndarray

    References
    ----------
    BitMEX, "Auto-Deleveraging", "Priority Ranking Calculation".

    Examples
    --------
    An XBTUSD long from 10,000 marked at 11,000 with bankruptcy at 9,000: PnL percentage
    ``1 - 10,000/11,000 = 9.09%``, effective leverage ``(1/11,000) / (1/9,000 - 1/11,000) = 4.5``
    (values in XBT):

    >>> round(adl_ranking(1, 10_000, 10_000, 11_000, 9_000), 6)
    0.409091
    """
    k = contract_kind(kind)
    s = v.side("side", side)
    entry = v.positive("avg_entry_price", avg_entry_price)
    mark = v.positive("mark_price", mark_price)
    mark_notional = np.asarray(notional(size, mark, k, contract_value))
    above_bankruptcy = np.asarray(pnl(s, size, bankruptcy_price, mark, k, contract_value))
    if k is LINEAR:
        return _bitmex_score(s, entry, mark, above_bankruptcy, mark_notional)
    # Inverse PnL is linear in 1/price: an inverse position of side s is a linear one of side -s
    # on the reciprocal price, with the same PnL%, ``s (1 - entry/mark)``.
    return _bitmex_score(-s, 1.0 / entry, 1.0 / mark, above_bankruptcy, mark_notional)


def _queue(ranking: ArrayLike, size: ArrayLike) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    r = v.as_float("ranking", ranking).reshape(-1)
    q = v.positive("size", size).reshape(-1)
    if r.size != q.size:
        raise ValueError(
            f"ranking and size must have one entry per position, got {r.size} and {q.size}"
        )
    return r, q, _adl_queue(r)  # highest ranking first; ties keep input order


def adl_percentile(ranking: ArrayLike, size: ArrayLike) -> Any:
    """Each position's place in the deleveraging queue, in 20% steps (0.2 = first to go).

    Positions are sorted by ranking (highest first) and each gets the quintile that its
    cumulative size, as a share of the total, falls in (rounded up to a 20% step).

    Parameters
    ----------
    ranking : array
        :func:`adl_ranking` of the positions on one side.
    size : array
        Their sizes (> 0).

    Returns
    -------
    ndarray
        Fractions in {0.2, 0.4, 0.6, 0.8, 1.0}, aligned with the input.

    References
    ----------
    BitMEX, "Auto-Deleveraging", "Example of Auto-Deleveraging and the Ranking System": accounts
    2, 5, 4, 1, 6, 3 (sizes 10, 20, 30, 10, 10, 20) sit at 20%, 40%, 60%, 80%, 80%, 100%; the
    cumulative-size rule is our reading [CALC], which reproduces that table (a rule by the count
    of positions puts account 5 at 20%, not 40%). Delegates to
    :func:`liqlib.engine.adl.quintile_lights`.

    Examples
    --------
    >>> adl_percentile([3, 6, 1, 4, 5, 2], [10, 10, 20, 30, 20, 10]).tolist()
    [0.8, 0.2, 1.0, 0.6, 0.4, 0.8]
    """
    r, q, _ = _queue(ranking, size)
    return (6 - _quintile_lights(r, q)) / 5.0


def adl_allocation(ranking: ArrayLike, size: ArrayLike, quantity: float) -> Any:
    """Contracts closed from each opposing position to absorb ``quantity`` (highest rank first).

    Examples
    --------
    A 20-contract short liquidated: account 2 (rank 6, size 10) is closed in full and account 5
    (rank 5, size 20) loses 10:

    >>> adl_allocation([3, 6, 1, 4, 5, 2], [10, 10, 20, 30, 20, 10], 20).tolist()
    [0.0, 10.0, 0.0, 0.0, 10.0, 0.0]
    """
    _, q, order = _queue(ranking, size)
    need = v.number("quantity", quantity, "nonneg")
    if need > q.sum():
        raise ValueError(f"quantity must be at most the total size {q.sum()!r}, got {need!r}")
    out = np.empty_like(q)
    out[order] = _queue_allocation(q[order], need)
    return out


@dataclass(frozen=True)
class AdlEntry:
    """One position in the ADL queue: its ``percentile`` and the contracts ``closed``."""

    ranking: float
    percentile: float
    closed: float


def adl_queue(
    accounts: list[Any], ranking: ArrayLike, size: ArrayLike, quantity: float = 0.0
) -> dict[Any, AdlEntry]:
    """The ADL queue keyed by account: percentile and contracts closed for a liquidation.

    Combines :func:`adl_percentile` and :func:`adl_allocation` for labelled positions.

    Examples
    --------
    >>> q = adl_queue(["1", "2", "3", "4", "5", "6"], [3, 6, 1, 4, 5, 2],
    ...               [10, 10, 20, 30, 20, 10], quantity=20)
    >>> q["2"].closed, q["5"].closed, q["6"].percentile
    (10.0, 10.0, 0.8)
    """
    pct = adl_percentile(ranking, size)
    closed = adl_allocation(ranking, size, quantity)
    r = v.as_float("ranking", ranking).reshape(-1)
    if len(accounts) != r.size or len(set(accounts)) != len(accounts):
        raise ValueError("accounts must hold one distinct label per position")
    return {
        a: AdlEntry(float(r[i]), float(pct[i]), float(closed[i])) for i, a in enumerate(accounts)
    }
