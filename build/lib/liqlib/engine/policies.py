"""Partial-liquidation policies, liquidation-fee policies and venue rule sets for the engine.

A **partial-liquidation policy** answers one question each round of a liquidation: how much of the
position to send to the book now. The venues answer it differently:

* :class:`TierStepDown` (Bybit, BitMEX; Binance's "one large IOC order"): one order of exactly the
  size that brings the position into a lower risk-limit tier where the remaining margin suffices;
  if no tier does, or the account is still deficient afterwards, the whole position;
* :class:`FractionSlices` (Hyperliquid): above 100k USDC only 20% at a time, and the entire
  position during a 30 s cooldown after a partial;
* :class:`IncrementalClips` (Deribit): small fixed clips, several rounds per second, until the
  account is compliant again;
* :class:`BlockLimits` (dYdX v4): per block, ``max(min notional, portion of the position)`` capped
  by a per-subaccount notional limit;
* :class:`FullLiquidation`: the whole position at once, the baseline.

A **fee policy** says what the liquidated account pays out of a fill's *surplus* over the
bankruptcy price (:func:`insurance_fund_delta`):

* :class:`RateOnNotional` (Binance clearance fee, Deribit): a rate on the liquidated notional;
* :class:`CappedBySurplus` (dYdX): ``min(cap * notional, surplus)``, so the fee never pushes the
  account below its bankruptcy share;
* :class:`ForfeitSurplus` (BitMEX, Bybit): the whole surplus, the remaining maintenance margin of
  the closed part;
* :class:`NoFee` (Hyperliquid): nothing; the venue's backstop instead keeps the margin of accounts
  that fall below 2/3 of maintenance (``Rules.backstop_ratio``).

:class:`Rules` bundles a partial policy, a fee policy, the ADL rule and price and the backstop;
:func:`venue_rules` returns the bundle for a named venue.

References
----------
.. [1] Bybit, "Liquidation Process (Inverse/USDT Contract)", help.bybit.com/hc/en-us/articles/
   900000167723: "submit a FillOrKill ... order, with an order value equals to the difference
   between the current position's order value and the lower risk limit value required to meet the
   margin requirements"; surplus over bankruptcy "contributed to the insurance fund".
.. [2] BitMEX, "Liquidation examples", https://testnet.bitmex.com/app/liquidationExamples: "a
   FillOrKill order, of a size to bring the position value below a lower tier Risk Limit"; "If you
   cannot fulfill your maintenance requirement, you will be liquidated and your maintenance margin
   will be lost" (https://www.bitmex.com/app/liquidation).
.. [3] Binance, "Liquidation", https://binance.zendesk.com/hc/en-us/articles/360033525271: clearance
   fee "charged on the amount liquidated"; newer text: "reduce the user's margin limit with one
   large Immediate or Cancel order ... If the user is margin compliant after calculating the
   realized losses and liquidation fee deductions, the liquidation will stop."
.. [4] Hyperliquid docs, "Liquidations": "only 20% of the position will be sent as a market
   liquidation order ... there is a cooldown period of 30 seconds. During this cooldown period, all
   market liquidation orders for that user will be for the entire position"; "Unlike CEXs there is
   no clearance fee"; backstop "below 2/3 of the maintenance margin".
.. [5] dYdX v4-chain @ 84d4664, ``protocol/x/clob/keeper/liquidations.go``
   (``GetLiquidatablePositionSizeDelta``, ``GetLiquidationInsuranceFundDelta``); reference mainnet
   genesis: min 1,000 USDC, max portion 10%, 100,000 USDC per subaccount per block, max
   liquidation fee 1.5%.
.. [6] Deribit, "Liquidations", support.deribit.com/hc/en-us/articles/25944769313309 and the legacy
   deribit.com/docs/auto-liquidation: "200 future contracts of $10 each ... per step ... 20 rounds
   per second"; legacy fees "BTC Futures and Perpetual: 0.5%".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, cast

from ..core import _validate as v
from ..core.tiers import TierTable
from .adl import ADL_PRICES, ADL_RULES


@dataclass(frozen=True)
class LiquidationContext:
    """What a partial-liquidation policy sees when it sizes an order.

    Attributes
    ----------
    size : float
        Current position size (> 0), base units.
    mark : float
        Mark price, quote per base.
    equity : float
        Collateral plus unrealized PnL.
    maintenance : float
        Maintenance margin of the current position (orders already cancelled).
    table : TierTable
        The instrument's maintenance tiers.
    time : float
        Engine clock.
    round : int
        0 for the first order of this liquidation step, 1 for the next, ...
    last_partial_time : float
        When this account was last partially liquidated (``-inf`` if never).
    projected_equity : callable
        ``projected_equity(q)``: equity left after closing ``q`` at the mark and paying the fee.
    """

    size: float
    mark: float
    equity: float
    maintenance: float
    table: TierTable
    time: float
    round: int
    last_partial_time: float
    projected_equity: Callable[[float], float]

    @property
    def notional(self) -> float:
        return self.size * self.mark


class PartialPolicy(Protocol):
    """Sizes each liquidation order. ``rounds`` orders at most per step; a ``fill_or_kill`` order
    that the book cannot fill entirely is not sent (the next round escalates)."""

    @property
    def name(self) -> str: ...

    @property
    def rounds(self) -> int: ...

    @property
    def fill_or_kill(self) -> bool: ...

    def order_size(self, ctx: LiquidationContext) -> float:
        """Base units to close now, in (0, ctx.size]."""
        ...


@dataclass(frozen=True)
class FullLiquidation:
    """Close the whole position at once.

    Examples
    --------
    >>> FullLiquidation().rounds
    1
    """

    name: str = "full"
    rounds: int = 1
    fill_or_kill: bool = False

    def order_size(self, ctx: LiquidationContext) -> float:
        return ctx.size


@dataclass(frozen=True)
class TierStepDown:
    """Bybit/BitMEX: one fill-or-kill order to the highest lower tier where margin suffices.

    The candidate remaining positions are just below each lower tier's cap, highest first (the
    smallest order). The first whose projected equity covers its maintenance margin sets the order
    size; if none does (or the position is already in the lowest tier) the whole position goes.
    A second round, if the account is still deficient after the first (a worse fill than the mark,
    a fee), takes the rest, as Binance's text says: "If ... still margin deficient, the user's
    position will be closed".

    References
    ----------
    Bybit help 900000167723; BitMEX liquidationExamples; Binance "Liquidation Protocols" (module
    references [1]-[3]).
    """

    name: str = "tier_step_down"
    rounds: int = 2
    fill_or_kill: bool = True

    def order_size(self, ctx: LiquidationContext) -> float:
        if ctx.round > 0:
            return ctx.size
        table = ctx.table
        for lower in range(int(table.index(ctx.notional)) - 1, -1, -1):
            # just below the lower tier's cap (the cap itself belongs to the tier above)
            remaining = float(table.caps[lower]) * (1 - 1e-12) / ctx.mark
            order = ctx.size - remaining
            required = float(table.maintenance_margin(remaining * ctx.mark))
            if ctx.projected_equity(order) >= required:
                return order
        return ctx.size


@dataclass(frozen=True)
class FractionSlices:
    """Hyperliquid: a fixed fraction of a large position, then the whole during a cooldown.

    Parameters
    ----------
    fraction : float
        Share of the position per order, in (0, 1) (Hyperliquid: 0.2).
    min_notional : float
        Positions at or below this notional go whole (Hyperliquid: 100,000 USDC).
    cooldown : float
        After a partial, for this long (engine time unit) every order is the whole position
        (Hyperliquid: 30 s).

    Examples
    --------
    >>> FractionSlices().fraction, FractionSlices().min_notional, FractionSlices().cooldown
    (0.2, 100000.0, 30.0)
    """

    fraction: float = 0.2
    min_notional: float = 100_000.0
    cooldown: float = 30.0
    name: str = "fraction_slices"
    rounds: int = 1
    fill_or_kill: bool = False

    def __post_init__(self) -> None:
        v.rate("fraction", self.fraction, allow_zero=False)
        v.nonnegative("min_notional", self.min_notional)
        v.nonnegative("cooldown", self.cooldown)

    def order_size(self, ctx: LiquidationContext) -> float:
        in_cooldown = ctx.time - ctx.last_partial_time < self.cooldown
        if ctx.notional <= self.min_notional or in_cooldown:
            return ctx.size
        return self.fraction * ctx.size


@dataclass(frozen=True)
class IncrementalClips:
    """Deribit: a fixed notional clip per round, up to ``rounds`` rounds per step.

    Parameters
    ----------
    clip_notional : float
        Quote value of one clip (legacy Deribit: 200 contracts of $10 = 2,000 USD).
    rounds : int
        Clips per engine step (legacy: 20 rounds per second; current: 1).
    """

    clip_notional: float = 2_000.0
    rounds: int = 20
    name: str = "incremental_clips"
    fill_or_kill: bool = False

    def __post_init__(self) -> None:
        v.positive("clip_notional", self.clip_notional)
        if self.rounds < 1:
            raise ValueError(f"rounds must be >= 1, got {self.rounds}")

    def order_size(self, ctx: LiquidationContext) -> float:
        return min(ctx.size, self.clip_notional / ctx.mark)


@dataclass(frozen=True)
class BlockLimits:
    """dYdX v4: ``min(max(min_notional, portion * notional), per-block limit)`` per block.

    If that covers the whole notional the whole position goes (one liquidation per subaccount and
    market per block, so one round per step).

    Parameters
    ----------
    max_portion : float
        ``max_position_portion_liquidated_ppm`` as a fraction in (0, 1] (genesis: 0.1).
    min_notional : float
        ``min_position_notional_liquidated`` (genesis: 1,000 USDC).
    max_notional_per_block : float
        ``max_notional_liquidated`` per subaccount per block (genesis: 100,000 USDC).

    Examples
    --------
    A 500,000 USDC position: 10% is 50,000, under the 100,000 block limit.

    >>> ctx = LiquidationContext(10, 50_000, 0, 0, TierTable.flat(0.03, 20), 0, 0, -1,
    ...                          lambda q: 0)
    >>> BlockLimits().order_size(ctx)
    1.0
    """

    max_portion: float = 0.1
    min_notional: float = 1_000.0
    max_notional_per_block: float = 100_000.0
    name: str = "block_limits"
    rounds: int = 1
    fill_or_kill: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.max_portion <= 1:
            raise ValueError(f"max_portion must be in (0, 1], got {self.max_portion!r}")
        v.nonnegative("min_notional", self.min_notional)
        v.positive("max_notional_per_block", self.max_notional_per_block)

    def order_size(self, ctx: LiquidationContext) -> float:
        limit = max(self.min_notional, self.max_portion * ctx.notional)
        limit = min(limit, self.max_notional_per_block)
        return ctx.size if limit >= ctx.notional else limit / ctx.mark


class FeePolicy(Protocol):
    """What a liquidated account pays from a fill that beat its bankruptcy price."""

    @property
    def name(self) -> str: ...

    def fee(self, surplus: float, notional: float) -> float:
        """Fee (>= 0) for a fill of ``notional`` whose surplus over bankruptcy is ``surplus``."""
        ...


@dataclass(frozen=True)
class NoFee:
    """Hyperliquid: "Unlike CEXs there is no clearance fee on liquidations"."""

    name: str = "none"

    def fee(self, surplus: float, notional: float) -> float:
        return 0.0


@dataclass(frozen=True)
class RateOnNotional:
    """Binance clearance fee, Deribit liquidation fee: ``rate * liquidated notional``.

    Binance's historical rates: 0.3% (BTCUSDT), 0.5% (others); Deribit's legacy: 0.5% BTC futures,
    0.9% ETH. The engine never takes more than the account's equity: Binance's fund "will balance
    the account back to 0", which comes to the same balances.

    Examples
    --------
    >>> RateOnNotional(0.005).fee(surplus=1.0, notional=10_000)
    50.0
    """

    rate: float = 0.005
    name: str = "rate_on_notional"

    def __post_init__(self) -> None:
        v.rate("rate", self.rate)

    def fee(self, surplus: float, notional: float) -> float:
        return self.rate * notional


@dataclass(frozen=True)
class CappedBySurplus:
    """dYdX: ``min(max_rate * notional, surplus)``: the fee never eats into bankruptcy.

    References
    ----------
    dYdX v4-chain ``GetLiquidationInsuranceFundDelta``; docs "Maximum Liquidation Penalty of 1.5%";
    code default 0.5% (``LiquidationsConfig_Default``).

    Examples
    --------
    ``liquidations_test.go``: a long bankrupt at 5,100 USDC for 0.1 BTC filled at 56,100 pays
    0.5% of 5,610:

    >>> round(CappedBySurplus(0.005).fee(surplus=510, notional=5_610), 6)
    28.05
    """

    max_rate: float = 0.015
    name: str = "capped_by_surplus"

    def __post_init__(self) -> None:
        if not 0 <= self.max_rate <= 1:
            raise ValueError(f"max_rate must be a fraction in [0, 1], got {self.max_rate!r}")

    def fee(self, surplus: float, notional: float) -> float:
        return min(self.max_rate * notional, max(surplus, 0.0))


@dataclass(frozen=True)
class ForfeitSurplus:
    """BitMEX/Bybit: the whole surplus over bankruptcy, i.e. the closed part's remaining margin.

    Examples
    --------
    BitMEX: a long bankrupt at 99.00 filled at 99.25; "The extra $0.25 goes into the Insurance
    Fund".

    >>> ForfeitSurplus().fee(surplus=0.25, notional=99.25)
    0.25
    """

    name: str = "forfeit_surplus"

    def fee(self, surplus: float, notional: float) -> float:
        return max(surplus, 0.0)


def insurance_fund_delta(
    fee_policy: FeePolicy, side: int, size: float, fill_price: float, bankruptcy_price: float
) -> float:
    """Change in the insurance fund from one liquidation fill (before any cap at equity).

    ``surplus = side * size * (fill - bankruptcy)``: the fund pays ``-surplus`` when negative, and
    receives the policy's fee when not.

    Parameters
    ----------
    fee_policy : FeePolicy
    side : +1 or -1
        Side of the liquidated position.
    size : float
        Base units filled (> 0).
    fill_price, bankruptcy_price : float
        Quote per base (> 0).

    References
    ----------
    dYdX v4-chain ``GetLiquidationInsuranceFundDelta``; BitMEX liquidationExamples (module [2]).

    Examples
    --------
    dYdX's test rows: 0.1 BTC long bankrupt at 51,000 filled 1% below (fund pays 51) and at 56,100
    (fund gets 0.5% of 5,610):

    >>> insurance_fund_delta(CappedBySurplus(0.005), +1, 0.1, 50_490, 51_000)
    -51.0
    >>> round(insurance_fund_delta(CappedBySurplus(0.005), +1, 0.1, 56_100, 51_000), 6)
    28.05
    """
    s = float(v.side("side", side))
    q = float(v.positive("size", size))
    fill = float(v.positive("fill_price", fill_price))
    bk = float(v.positive("bankruptcy_price", bankruptcy_price))
    surplus = s * q * (fill - bk)
    return surplus if surplus < 0 else fee_policy.fee(surplus, q * fill)


PARTIAL_POLICIES: dict[str, Callable[[], PartialPolicy]] = {
    "full": FullLiquidation,
    "tier_step_down": TierStepDown,
    "fraction_slices": FractionSlices,
    "incremental_clips": IncrementalClips,
    "block_limits": BlockLimits,
}

FEE_POLICIES: dict[str, Callable[[], FeePolicy]] = {
    "none": NoFee,
    "rate_on_notional": RateOnNotional,
    "capped_by_surplus": CappedBySurplus,
    "forfeit_surplus": ForfeitSurplus,
}


@dataclass(frozen=True)
class Rules:
    """A venue's liquidation rules, as the engine applies them.

    Parameters
    ----------
    partial : PartialPolicy or str
        A policy, or the name of one with its default parameters (:data:`PARTIAL_POLICIES`).
    fee : FeePolicy or str
        A fee policy or its name (:data:`FEE_POLICIES`).
    adl : str or None
        ADL queue rule, one of :data:`liqlib.engine.adl.ADL_RULES`; ``None`` for no ADL (losses the
        fund cannot pay go straight to socialized loss).
    adl_price : str
        Price ADL fills at, one of :data:`liqlib.engine.adl.ADL_PRICES`.
    backstop_ratio : float or None
        If set, an account whose equity is in ``[0, backstop_ratio * MM)`` is taken over whole by
        the backstop vault at its bankruptcy price (Hyperliquid: 2/3).
    socialize : bool
        Claw back a deficit nobody else covered from profitable accounts, pro rata to their profit.
    fee_to_fund : float
        Share of the liquidation fee paid into the insurance fund (the rest is venue revenue);
        1 at every venue cited here.
    name : str
        Label.

    Raises
    ------
    ValueError
        Naming the argument, for an unknown policy name, ADL rule or price, or a ratio out of range.

    Examples
    --------
    >>> Rules("tier_step_down", "forfeit_surplus", adl="bitmex").partial.name
    'tier_step_down'
    """

    partial: PartialPolicy | str = "full"
    fee: FeePolicy | str = "none"
    adl: str | None = "bitmex"
    adl_price: str = "bankruptcy"
    backstop_ratio: float | None = None
    socialize: bool = True
    fee_to_fund: float = 1.0
    name: str = field(default="custom")

    def __post_init__(self) -> None:
        if isinstance(self.partial, str):
            v.choice("partial", self.partial, tuple(PARTIAL_POLICIES))
            object.__setattr__(self, "partial", PARTIAL_POLICIES[self.partial]())
        if isinstance(self.fee, str):
            v.choice("fee", self.fee, tuple(FEE_POLICIES))
            object.__setattr__(self, "fee", FEE_POLICIES[self.fee]())
        if self.adl is not None:
            v.choice("adl", self.adl, ADL_RULES)
        v.choice("adl_price", self.adl_price, ADL_PRICES)
        if self.backstop_ratio is not None and not 0 < self.backstop_ratio <= 1:
            raise ValueError(
                f"backstop_ratio must be in (0, 1] or None, got {self.backstop_ratio!r}"
            )
        if not 0 <= self.fee_to_fund <= 1:
            raise ValueError(f"fee_to_fund must be a fraction in [0, 1], got {self.fee_to_fund!r}")

    @property
    def partial_policy(self) -> PartialPolicy:
        """``partial`` as a policy object (names are resolved on construction)."""
        return cast(PartialPolicy, self.partial)  # names are resolved in __post_init__

    @property
    def fee_policy(self) -> FeePolicy:
        """``fee`` as a policy object."""
        return cast(FeePolicy, self.fee)


VENUE_RULES: dict[str, Callable[[], Rules]] = {
    # Binance: one IOC order to a compliant bracket, clearance fee on the liquidated amount,
    # LeveragePnl queue at the bankruptcy price.
    "binance": lambda: Rules(TierStepDown(), RateOnNotional(0.005), "binance", "bankruptcy",
                             name="binance"),
    # Bybit: risk-limit step-down with a FillOrKill order, surplus to the fund, profit x leverage
    # queue at the bankruptcy price.
    "bybit": lambda: Rules(TierStepDown(), ForfeitSurplus(), "bitmex", "bankruptcy", name="bybit"),
    "bitmex": lambda: Rules(TierStepDown(), ForfeitSurplus(), "bitmex", "bankruptcy",
                            name="bitmex"),
    # Hyperliquid: 20% slices above 100k, no fee, backstop below 2/3 MM, ADL at the previous mark;
    # no insurance-fund step (start the engine's fund at 0).
    "hyperliquid": lambda: Rules(FractionSlices(), NoFee(), "hyperliquid", "previous_mark",
                                 backstop_ratio=2 / 3, name="hyperliquid"),
    # dYdX v4 (reference mainnet genesis): block limits, fee capped by the surplus, unranked ADL at
    # the bankruptcy price.
    "dydx": lambda: Rules(BlockLimits(), CappedBySurplus(0.015), "dydx", "bankruptcy",
                          name="dydx"),
    # Deribit (legacy): 2,000 USD clips at 20 rounds per second, 0.5% fee to the insurance fund;
    # its ADL ranking was not retrieved, so deficits the fund cannot pay are socialized.
    "deribit": lambda: Rules(IncrementalClips(), RateOnNotional(0.005), None, name="deribit"),
}


def venue_rules(name: str) -> Rules:
    """The :class:`Rules` of a named venue (see :data:`VENUE_RULES`).

    Examples
    --------
    >>> venue_rules("hyperliquid").backstop_ratio
    0.6666666666666666
    >>> venue_rules("kraken")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: name must be one of ('binance', 'bybit', ...), got 'kraken'
    """
    v.choice("name", name, tuple(VENUE_RULES))
    return VENUE_RULES[name]()


__all__ = [
    "FEE_POLICIES",
    "PARTIAL_POLICIES",
    "VENUE_RULES",
    "BlockLimits",
    "CappedBySurplus",
    "FeePolicy",
    "ForfeitSurplus",
    "FractionSlices",
    "FullLiquidation",
    "IncrementalClips",
    "LiquidationContext",
    "NoFee",
    "PartialPolicy",
    "RateOnNotional",
    "Rules",
    "TierStepDown",
    "insurance_fund_delta",
    "venue_rules",
]
