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
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, cast

from ..core import _validate as v
from ..core.tiers import TierTable
from .accounts import _scalar_tiers_of
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
    that the book cannot fill entirely is not sent (the next round escalates). A policy may also
    say ``immediate_or_cancel = True``: the unfilled part of its partial orders is cancelled (the
    engine reads it with a default of False)."""

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

    def __post_init__(self) -> None:
        _check_order_options(self)

    def order_size(self, ctx: LiquidationContext) -> float:
        return ctx.size


@dataclass(frozen=True)
class TierStepDown:
    """Bybit/BitMEX/Binance/OKX: one order down to a lower risk-limit tier where margin suffices.

    The candidate remaining positions are just below each lower tier's cap, highest first (the
    smallest order). The first whose projected equity covers its maintenance margin sets the order
    size; if none does (or the position is already in the lowest tier) the whole position goes.
    A second round, if the account is still deficient after the first (a worse fill than the mark,
    a fee, an order the book could not fill), takes the rest, as Binance's text says: "If ...
    still margin deficient, the user's position will be closed".

    Parameters
    ----------
    fill_or_kill : bool
        True (Bybit, BitMEX): "a FillOrKill order", not sent unless the book fills it whole.
        False (Binance): "one large Immediate or Cancel order", which fills what it can and
        cancels the rest; the engine then checks compliance ("If the user is margin compliant
        after calculating the realized losses and liquidation fee deductions, the liquidation will
        stop").
    to_lowest_tier : bool
        OKX's legacy rule: "The relevant position will be liquidated until it is at Tier 1"
        (only the lowest tier is a candidate).

    Examples
    --------
    OKX's example, a position of 15,000 swaps whose Tier 1 holds at most 2,000: "Number of Swaps
    to be closed = 15,000-2,000=13,000 swaps" (here 1 swap = 1 quote unit at a mark of 1):

    >>> table = TierTable([0, 2_000, 12_000], [0.01, 0.015, 0.02], [50, 33, 25])
    >>> ctx = LiquidationContext(15_000, 1.0, 290, 300, table, 0, 0, -1, lambda q: 290)
    >>> round(TierStepDown(to_lowest_tier=True).order_size(ctx))
    13000

    References
    ----------
    Bybit help 900000167723; BitMEX liquidationExamples; Binance "Liquidation Protocols" (module
    references [1]-[3]).
    """

    fill_or_kill: bool = True
    to_lowest_tier: bool = False
    name: str = "tier_step_down"
    rounds: int = 2

    def __post_init__(self) -> None:
        _check_order_options(self)
        v.boolean("to_lowest_tier", self.to_lowest_tier)

    @property
    def immediate_or_cancel(self) -> bool:
        """A step-down order that is not fill-or-kill is immediate-or-cancel (Binance): it fills
        what the book holds and the rest is cancelled, not passed on to the fund or ADL."""
        return not self.fill_or_kill

    def order_size(self, ctx: LiquidationContext) -> float:
        if ctx.round > 0:
            return ctx.size
        table = ctx.table
        lowers = range(_scalar_tiers_of(table).index(ctx.notional) - 1, -1, -1)
        for lower in (lowers[-1:] if self.to_lowest_tier else lowers):
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
        _check_order_options(self)
        v.one("fraction", v.rate("fraction", self.fraction, allow_zero=False))
        v.number("min_notional", self.min_notional, "nonneg")
        v.number("cooldown", self.cooldown, "nonneg")

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
        _check_order_options(self)
        v.number("clip_notional", self.clip_notional, "pos")

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
        _check_order_options(self)
        v.one("max_portion", v.bounded("max_portion", self.max_portion, 0.0, 1.0, low_open=True))
        v.number("min_notional", self.min_notional, "nonneg")
        v.number("max_notional_per_block", self.max_notional_per_block, "pos")

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
        v.one("rate", v.rate("rate", self.rate))

    def fee(self, surplus: float, notional: float) -> float:
        _fee_arguments(surplus, notional)
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
        v.one("max_rate", v.bounded("max_rate", self.max_rate, 0.0, 1.0, hint=" (a fraction)"))

    def fee(self, surplus: float, notional: float) -> float:
        _fee_arguments(surplus, notional)
        # never below 0: a notional below 0 (ADL at a negative bankruptcy price) owes no fee
        return max(min(self.max_rate * notional, surplus), 0.0)


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
        _fee_arguments(surplus, notional)
        return max(surplus, 0.0)


def _check_order_options(policy: Any) -> None:
    """The options every partial policy shares: a whole number of rounds, a true bool."""
    v.integer("rounds", policy.rounds, low=1)
    v.boolean("fill_or_kill", policy.fill_or_kill)


def _fee_arguments(surplus: float, notional: float) -> None:
    """A fee policy's inputs, finite numbers. The notional may be negative: ADL at a bankruptcy
    price below 0 (a long posted more margin than its notional) books ``size * price < 0``."""
    v.number("surplus", surplus)
    v.number("notional", notional)


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
    v.has_methods("fee_policy", fee_policy, ("fee",), "a FeePolicy (NoFee, RateOnNotional, ...)")
    s = v.one("side", v.side("side", side))
    q = v.number("size", size, "pos")
    fill = v.number("fill_price", fill_price, "pos")
    bk = v.number("bankruptcy_price", bankruptcy_price, "pos")
    surplus = s * q * (fill - bk)
    return surplus if surplus < 0 else fee_policy.fee(surplus, q * fill)


#: ADL prices the engine knows: :data:`liqlib.engine.adl.ADL_PRICES` and the literal reading of
#: "previous mark" as the engine's previous step (a named variant, see :class:`Rules`).
ENGINE_ADL_PRICES = (*ADL_PRICES, "previous_step_mark")

#: Limit prices a liquidation order can carry (``None`` is a market order).
LIMIT_PRICES = ("bankruptcy",)

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
        Price ADL fills at, one of :data:`ENGINE_ADL_PRICES`.
        ``"previous_mark"`` is the mark before the liquidation but never a better price for the
        liquidated account than the better of its bankruptcy price and the current mark (in
        continuous time the mark just before an account went underwater is its bankruptcy price);
        ``"previous_step_mark"``, the engine's previous step's mark as it is, is the named
        variant (with coarse steps a bankrupt account then profits from its own liquidation).
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
    limit : str or None
        ``"bankruptcy"``: the liquidation order is a limit order at the closed slice's bankruptcy
        price (BitMEX, Binance); ``None``: a market order.
    partial_fee : FeePolicy, str or None
        What a *partial* order (one that leaves part of the position open, a step-down slice)
        pays from its surplus; ``None`` for ``fee``. Bybit and BitMEX settle a step-down order at
        its fill price (:class:`NoFee`) and forfeit the surplus only on the final takeover.
    fund_first : bool
        True (the default, BitMEX's documented waterfall): what the order cannot fill at or
        better than the bankruptcy price, the fund keeps selling into the book as far as it can
        pay the deficit, and only the rest is auto-deleveraged, so ADL closes
        ``max(0, D - F)`` of deficit. False: the variant in which the whole order goes to ADL
        whenever the fund cannot pay the whole deficit.

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
    limit: str | None = None
    partial_fee: FeePolicy | str | None = None
    fund_first: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.partial, str):
            v.choice("partial", self.partial, tuple(PARTIAL_POLICIES))
            object.__setattr__(self, "partial", PARTIAL_POLICIES[self.partial]())
        v.has_methods("partial", self.partial, ("order_size", "rounds", "fill_or_kill"),
                      f"a PartialPolicy or one of {tuple(PARTIAL_POLICIES)}")
        for name in ("fee", "partial_fee"):
            value = getattr(self, name)
            if isinstance(value, str):
                v.choice(name, value, tuple(FEE_POLICIES))
                object.__setattr__(self, name, FEE_POLICIES[value]())
            elif value is not None or name == "fee":
                v.has_methods(name, value, ("fee",),
                              f"a FeePolicy or one of {tuple(FEE_POLICIES)}")
        v.boolean("socialize", self.socialize)
        v.boolean("fund_first", self.fund_first)
        if self.adl is not None:
            v.choice("adl", self.adl, ADL_RULES)
        v.choice("adl_price", self.adl_price, ENGINE_ADL_PRICES)
        if self.limit is not None:
            v.choice("limit", self.limit, LIMIT_PRICES)
        if self.backstop_ratio is not None:
            v.one("backstop_ratio", v.bounded("backstop_ratio", self.backstop_ratio, 0.0, 1.0,
                                              low_open=True, hint=" or None"))
        v.one("fee_to_fund", v.bounded("fee_to_fund", self.fee_to_fund, 0.0, 1.0,
                                       hint=" (a fraction)"))

    @property
    def partial_policy(self) -> PartialPolicy:
        """``partial`` as a policy object (names are resolved on construction)."""
        return cast(PartialPolicy, self.partial)  # names are resolved in __post_init__

    @property
    def fee_policy(self) -> FeePolicy:
        """``fee`` as a policy object."""
        return cast(FeePolicy, self.fee)

    @property
    def partial_fee_policy(self) -> FeePolicy:
        """The fee policy of partial orders: ``partial_fee``, or ``fee`` when it is None."""
        return cast(FeePolicy, self.fee if self.partial_fee is None else self.partial_fee)


READ = "read 2026-12-03"

#: Where each venue's rules are documented, by stage of the mechanics table.
VENUE_SOURCES: dict[str, dict[str, str]] = {
    "binance": {
        "trigger": "https://binance.zendesk.com/hc/en-us/articles/360033525271",
        "order": "https://docs.traderwagon.com (Binance 'Liquidation Protocols', verbatim copy)",
        "fee": "https://binance.zendesk.com/hc/en-us/articles/360033525271",
        "fund": "https://docs.traderwagon.com (Binance 'Liquidation Protocols', verbatim copy)",
        "adl": "https://www.binance.com/zh-CN/support/announcement/360033525471",
    },
    "bybit": {
        "trigger": "https://help.bybit.com/hc/en-us/articles/900000167723",
        "order": "https://help.bybit.com/hc/en-us/articles/900000167723",
        "fee": "https://help.bybit.com/hc/en-us/articles/900000167723",
        "fund": "https://www.bitmex.com/app/liquidation (Bybit documents no waterfall; BitMEX's)",
        "adl": "Bybit, 'Auto-Deleveraging (ADL)' (legacy help page)",
    },
    "bitmex": {
        "trigger": "https://www.bitmex.com/app/liquidation",
        "order": "https://testnet.bitmex.com/app/liquidationExamples",
        "fee": "https://testnet.bitmex.com/app/liquidationExamples",
        "fund": "https://www.bitmex.com/app/liquidation",
        "adl": "https://www.bitmex.com/app/autoDeleveraging",
    },
    "okx": {
        "trigger": "https://www.okx.com/learn/when-would-my-order-be-liquidated",
        "order": "https://supdljgzdhc.okx.com/hc/en-us/articles/360020411711",
        "fee": "https://www.okx.com/help/iv-introduction-to-auto-deleveraging-adl",
        "fund": "https://www.ouchyi.rocks/help/what-is-the-mechanism-for-the-strong-level-in-advance"
                "-what-is-the-use (OKX help mirror)",
        "adl": "https://www.ouchyi.rocks/help/what-is-the-mechanism-for-the-strong-level-in-advance"
               "-what-is-the-use (OKX help mirror)",
    },
    "hyperliquid": {
        "trigger": "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations",
        "order": "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations",
        "fee": "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations",
        "fund": "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations",
        "adl": "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging",
    },
    "dydx": {
        "trigger": "dydxprotocol/v4-chain@84d4664 protocol/x/clob/keeper/liquidations.go",
        "order": "dydxprotocol/v4-chain@84d4664 protocol/x/clob/keeper/liquidations.go",
        "fee": "dydxprotocol/v4-chain@84d4664 protocol/x/clob/keeper/liquidations.go",
        "fund": "dydxprotocol/v4-chain@84d4664 protocol/x/clob/keeper/liquidations.go",
        "adl": "dydxprotocol/v4-chain@84d4664 protocol/x/clob/keeper/deleveraging.go",
    },
    "deribit": {
        "trigger": "https://support.deribit.com/hc/en-us/articles/25944769313309-Liquidations",
        "order": "https://www.deribit.com/docs/auto-liquidation/",
        "fee": "https://www.deribit.com/pages/docs (legacy fee schedule)",
        "fund": "https://support.deribit.com/hc/en-us/articles/25944777576477-Insurance-Fund",
        "adl": "https://support.deribit.com/hc/en-us/articles/25944777576477-Insurance-Fund",
    },
    "gmx": {
        "trigger": "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/contracts/position/PositionUtils.sol",
        "order": "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/contracts/liquidation/LiquidationUtils.sol",
        "fee": "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/contracts/pricing/PositionPricingUtils.sol",
        "fund": "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/README.md"
                " (the pool is the counterparty)",
        "adl": "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/README.md"
                " (ADL only for profits the pool cannot pay)",
    },
    "synthetix": {
        "trigger": "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsAccount.sol",
        "order": "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsMarket.sol",
        "fee": "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/GlobalPerpsMarketConfiguration.sol",
        "fund": "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/modules/LiquidationModule.sol",
        "adl": "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/modules/LiquidationModule.sol"
                " (no ADL)",
    },
}


def binance_rules() -> Rules:
    """Binance USDⓈ-M futures, as documented (read 2026-12-03).

    * Order: "attempt to reduce the user's margin limit with one large Immediate or Cancel order
      without fully liquidating the user. If the user is margin compliant after calculating the
      realized losses and liquidation fee deductions, the liquidation will stop" ("Liquidation
      Protocols", verbatim copy at docs.traderwagon.com): a tier step-down, immediate-or-cancel.
    * Limit: "All orders will be issued at the bankruptcy price" (binance.zendesk.com/hc/en-us/
      articles/360033525271).
    * Fee: "a liquidation fee (0.3% on BTC/USDT perpetual contract; 0.5% on all other perpetual
      contracts) will be charged on the amount liquidated only" (same page): 0.5% on every slice.
    * Fund: "If ... still margin deficient, the user's position will be closed at the bankruptcy
      price and the Insurance Fund will take over"; "If an account becomes bankrupt (negative
      wallet balance), the Insurance Fund will balance the account back to 0".
    * ADL: "'LeveragePnL', which is defined as unrealized PnL/collateral multiplied by the margin
      ratio"; positions "will be closed out at the bankruptcy price of the initial liquidated
      order" (binance.com/zh-CN/support/announcement/360033525471).

    Examples
    --------
    >>> r = binance_rules()
    >>> r.partial_policy.fill_or_kill, r.limit, r.adl, r.adl_price
    (False, 'bankruptcy', 'binance', 'bankruptcy')
    """
    return Rules(TierStepDown(fill_or_kill=False), RateOnNotional(0.005), "binance", "bankruptcy",
                 name="binance", limit="bankruptcy")


def bybit_rules() -> Rules:
    """Bybit, as documented (help.bybit.com/hc/en-us/articles/900000167723, read 2026-12-03).

    * Order: "submit a FillOrKill ... order, with an order value equals to the difference between
      the current position's order value and the lower risk limit value required to meet the
      margin requirements"; otherwise the whole position is "liquidated and settled at its
      bankruptcy price" (a market order here: no limit price is documented for the step-down).
    * Surplus: under "When liquidation is executed at the position's bankruptcy price": "If the
      system is able to close the position at a price better than the bankruptcy price, the
      remaining margin ... would be contributed to the insurance fund". A step-down slice settles
      at its fill price (``partial_fee=NoFee()``); the whole surplus is forfeited on the final
      takeover. The old reading, forfeiting each slice's surplus, is the variant
      ``"bybit_forfeit_step_down"``.
    * ADL: "ranking is derived in order of highest profit and effective leverage use"; "The
      opposing order of selected trader will be deleveraged at the bankruptcy price of the
      liquidated order" (legacy ADL page).
    * Fund first: Bybit documents no order between the fund and ADL; BitMEX's waterfall applies.

    Examples
    --------
    >>> r = bybit_rules()
    >>> r.partial_policy.fill_or_kill, r.fee_policy.name, r.partial_fee_policy.name
    (True, 'forfeit_surplus', 'none')
    """
    return Rules(TierStepDown(), ForfeitSurplus(), "bitmex", "bankruptcy", name="bybit",
                 partial_fee=NoFee())


def bitmex_rules() -> Rules:
    """BitMEX, as documented (read 2026-12-03).

    * Order: "a FillOrKill order, of a size to bring the position value below a lower tier Risk
      Limit"; else "the entire position is taken over ... with a limit order placed at the
      bankruptcy price" (testnet.bitmex.com/app/liquidationExamples); the example "places a limit
      sell order with a limit price of $99 (bankruptcy price)".
    * Surplus: the step-down order "is submitted on behalf of the user" and settles at its fill;
      on the takeover "The extra $0.25 goes into the Insurance Fund" (same page); "If you cannot
      fulfill your maintenance requirement, you will be liquidated and your maintenance margin
      will be lost" (bitmex.com/app/liquidation). Variant: ``"bitmex_forfeit_step_down"``.
    * Fund, then ADL: "If BitMEX is unable to liquidate the position at the bankruptcy price,
      BitMEX will spend the Insurance Funds on aggressing the position in the market ... If this
      still does not close the liquidated order, this will then lead to an Auto-Deleveraging
      event" (bitmex.com/app/liquidation). Variant: ``"bitmex_adl_first"``.
    * ADL: "Ranking = PNL Percentage * Effective Leverage (if PNL percentage > 0)"
      (bitmex.com/app/autoDeleveraging), at the bankruptcy price.

    Examples
    --------
    >>> r = bitmex_rules()
    >>> r.limit, r.fund_first, r.partial_fee_policy.name
    ('bankruptcy', True, 'none')
    """
    return Rules(TierStepDown(), ForfeitSurplus(), "bitmex", "bankruptcy", name="bitmex",
                 limit="bankruptcy", partial_fee=NoFee())


def okx_rules() -> Rules:
    """OKX, as documented (read 2026-12-03); coverage is thinner than the others.

    * Trigger: "When the margin level of an open position falls below 100%, the position will be
      partially or fully closed" (okx.com/learn/when-would-my-order-be-liquidated). OKX adds the
      liquidation fee rate to the maintenance rate in the trigger; the engine does not.
    * Order: "For position at Tier 3 or above ... The relevant position will be liquidated until
      it is at Tier 1 ... Number of Swaps to be closed = 15,000-2,000=13,000 swaps"; "liquidation
      orders will be sent in a price slightly better than market price" (legacy official text,
      supdljgzdhc.okx.com/hc/en-us/articles/360020411711): a step down to the lowest tier, a
      market order here; unfilled orders "will be canceled" and the procedure starts over
      (immediate-or-cancel).
    * Surplus: the insurance fund is "composed of the fund provided by OKX and the liquidation
      surplus" (okx.com/help/iv-introduction-to-auto-deleveraging-adl): the surplus of the final
      close goes to the fund; partial orders settle at their fill. The clearance-fee rate is not
      printed on the pages read, so no rate is charged on top.
    * ADL: triggered when "insurance funds ... insufficient" (fund first); OKX "will directly
      match liquidated positions with high-priority counterparty accounts in the ADL ranking at
      the current Mark Price" (OKX help, mirror ouchyi.rocks). The ranking formula is known only
      from third parties (profit: ROI / margin ratio); the engine uses BitMEX's profit x
      leverage queue, which orders the same way for profitable accounts.

    Examples
    --------
    >>> r = okx_rules()
    >>> r.partial_policy.to_lowest_tier, r.adl_price
    (True, 'mark')
    """
    return Rules(TierStepDown(fill_or_kill=False, to_lowest_tier=True), ForfeitSurplus(),
                 "bitmex", "mark", name="okx", partial_fee=NoFee())


def hyperliquid_rules() -> Rules:
    """Hyperliquid, as documented (hyperliquid-docs "Liquidations", "Auto-deleveraging", read
    2026-12-03).

    * Order: "For liquidatable positions larger than 100k USDC ... only 20% of the position will be
      sent as a market liquidation order ... cooldown period of 30 seconds ... all market
      liquidation orders for that user will be for the entire position".
    * Fee: "Unlike CEXs there is no clearance fee on liquidations."
    * Backstop: "If the account equity drops below 2/3 of the maintenance margin without successful
      liquidation through the book, a backstop liquidation happens through the liquidator vault";
      "the maintenance margin is not returned to the user". No insurance fund (start it at 0).
    * ADL: "ranked by unrealized pnl and leverage used", closed "at the previous mark price
      against the now underwater user": the previous mark capped at the account's bankruptcy
      price (see :class:`Rules`); the raw previous step's mark is the variant
      ``"hyperliquid_previous_step_mark"``.

    Examples
    --------
    >>> r = hyperliquid_rules()
    >>> r.partial_policy.name, r.fee_policy.name, r.adl_price
    ('fraction_slices', 'none', 'previous_mark')
    """
    return Rules(FractionSlices(), NoFee(), "hyperliquid", "previous_mark",
                 backstop_ratio=2 / 3, name="hyperliquid")


def dydx_rules() -> Rules:
    """dYdX v4 (v4-chain @ 84d4664, reference mainnet genesis, read 2026-12-03).

    * Order: per block ``min(max(min notional, portion x notional), per-subaccount limit)``
      (``GetLiquidatablePositionSizeDelta``); the protocol order's fillable-price limit is not
      modelled (a market order here).
    * Fee: ``min(max fee x notional, surplus)`` to the insurance fund
      (``GetLiquidationInsuranceFundDelta``), "This fee goes 100% to the insurance fund"
      (``liquidations_config.proto``).
    * Fund, then deleveraging: ``IsValidInsuranceFundDelta`` (the fund must stay >= 0, else
      deleveraging); opposite subaccounts from a pseudo-random start, at the bankruptcy price.

    Examples
    --------
    >>> dydx_rules().adl
    'dydx'
    """
    return Rules(BlockLimits(), CappedBySurplus(0.015), "dydx", "bankruptcy", name="dydx")


def deribit_rules() -> Rules:
    """Deribit, as documented (read 2026-12-03).

    * Order: "a small part of the position will be closed in the market at market prices ... up
      till 200 future contracts of $10 each ... per step ... 20 rounds per second"
      (deribit.com/docs/auto-liquidation, legacy); "As soon as maintenance margin is again lower
      than equity, liquidation will stop."
    * Fee: "BTC Futures and Perpetual: 0.5%" that "serve as income for the insurance fund"
      (legacy fee schedule); "Every hour the additional proceeds are added to the insurance fund"
      (support.deribit.com/hc/en-us/articles/25944777576477-Insurance-Fund).
    * No ADL: "If the insurance fund were to ever be completely depleted, any other occurring
      bankruptcies would then be socialized among the winning traders for that day" (same page):
      the fund, then a clawback of profits.

    Examples
    --------
    >>> r = deribit_rules()
    >>> r.adl, r.socialize
    (None, True)
    """
    return Rules(IncrementalClips(), RateOnNotional(0.005), None, name="deribit")


def gmx_rules() -> Rules:
    """GMX v2 (synthetics), from its contracts (gmx-synthetics @ a5c0c88, read 2026-12-03).

    * Order: ``LiquidationUtils.createLiquidationOrder`` closes ``position.sizeInUsd()``, the
      whole position, as a market decrease executed by a ``LIQUIDATION_KEEPER`` at the oracle
      price (no order book, no limit price).
    * Fee: ``liquidationFeeUsd = Precision.applyFactor(sizeInUsd, liquidationFeeFactor)``, 0.20%
      in ``baseMarketConfig`` (``PositionPricingUtils.getLiquidationFees``); the closing fee is
      left out here.
    * Fund: there is none; the market's liquidity pool is every trader's counterparty and absorbs
      what a liquidated position's collateral cannot pay (the engine's fund stands for the pool).
      GMX's ADL closes *profitable* positions when their PnL exceeds ``maxPnlFactorForAdl`` of
      the pool, not a deficit waterfall: no ADL here.

    Examples
    --------
    >>> r = gmx_rules()
    >>> r.partial_policy.name, r.fee_policy.rate, r.adl, r.socialize
    ('full', 0.002, None, False)
    """
    return Rules("full", RateOnNotional(0.002), None, socialize=False, name="gmx")


def synthetix_rules() -> Rules:
    """Synthetix v3 perps, from its contracts (synthetix-v3 @ 23585f7, read 2026-12-03).

    * Trigger: ``isEligible = (requiredMaintenanceMargin + liquidationReward) >
      availableMargin`` (``PerpsAccount.isEligibleForLiquidation``): anyone may call
      ``liquidate``.
    * Order: the flagged account's positions are closed at the oracle price up to the market's
      liquidation capacity per window (``PerpsMarket.maxLiquidatableAmount``); the engine closes
      the whole position, the window limit is modelled in :mod:`liqlib.systemic.keepers`.
    * Fee: the flag reward ``notional * flagRewardRatioD18`` (1% in SIP-348's BTC market) goes to
      the keeper, not to a fund (``fee_to_fund=0``).
    * Fund: the account's seized collateral goes to the liquidity providers, who bear what it
      does not cover; no ADL.

    Examples
    --------
    >>> r = synthetix_rules()
    >>> r.fee_policy.rate, r.fee_to_fund, r.adl
    (0.01, 0.0, None)
    """
    return Rules("full", RateOnNotional(0.01), None, socialize=False, fee_to_fund=0.0,
                 name="synthetix")


VENUE_RULES: dict[str, Callable[[], Rules]] = {
    "binance": binance_rules,
    "bybit": bybit_rules,
    "bitmex": bitmex_rules,
    "okx": okx_rules,
    "hyperliquid": hyperliquid_rules,
    "dydx": dydx_rules,
    "deribit": deribit_rules,
    "gmx": gmx_rules,
    "synthetix": synthetix_rules,
}


def _variant(base: Callable[[], Rules], name: str, **changes: object) -> Callable[[], Rules]:
    def make() -> Rules:
        return replace(base(), name=name, **changes)  # type: ignore[arg-type]
    return make


#: Named alternative readings of an ambiguous text, and the engine's earlier behaviour.
VENUE_VARIANTS: dict[str, Callable[[], Rules]] = {
    # every step-down slice's surplus forfeited to the fund (the engine before the fix)
    "bybit_forfeit_step_down": _variant(bybit_rules, "bybit_forfeit_step_down",
                                        partial_fee=ForfeitSurplus()),
    "bitmex_forfeit_step_down": _variant(bitmex_rules, "bitmex_forfeit_step_down",
                                         partial_fee=ForfeitSurplus()),
    # the whole order to ADL when the fund cannot pay the whole deficit
    "bitmex_adl_first": _variant(bitmex_rules, "bitmex_adl_first", fund_first=False),
    # market orders instead of the bankruptcy-price limit
    "bitmex_market": _variant(bitmex_rules, "bitmex_market", limit=None),
    "binance_market": _variant(binance_rules, "binance_market", limit=None),
    # Binance's step-down as fill-or-kill (the engine before the fix)
    "binance_fill_or_kill": _variant(binance_rules, "binance_fill_or_kill",
                                     partial=TierStepDown()),
    # ADL at the previous engine step's mark, uncapped
    "hyperliquid_previous_step_mark": _variant(hyperliquid_rules, "hyperliquid_previous_step_mark",
                                               adl_price="previous_step_mark"),
}


def venue_rules(name: str) -> Rules:
    """The :class:`Rules` of a venue (:data:`VENUE_RULES`) or a variant (:data:`VENUE_VARIANTS`).

    Parameters
    ----------
    name : str
        A venue (``"binance"``, ``"bybit"``, ``"bitmex"``, ``"okx"``, ``"hyperliquid"``,
        ``"dydx"``, ``"deribit"``) or a named variant such as ``"bybit_forfeit_step_down"``.

    Returns
    -------
    Rules

    Raises
    ------
    ValueError
        For a name that is neither.

    Examples
    --------
    >>> venue_rules("hyperliquid").backstop_ratio
    0.6666666666666666
    >>> venue_rules("bybit_forfeit_step_down").partial_fee_policy.name
    'forfeit_surplus'
    >>> venue_rules("kraken")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: name must be one of ('binance', 'bybit', ...), got 'kraken'
    """
    known = {**VENUE_RULES, **VENUE_VARIANTS}
    v.choice("name", name, tuple(known))
    return known[name]()


#: The stages of :func:`mechanics_table`, in the order a liquidation goes through them, and the
#: entry of :data:`VENUE_SOURCES` each is cited from.
MECHANICS_STAGES: dict[str, str] = {
    "trigger": "trigger",
    "order": "order",
    "limit": "order",
    "step-down settlement": "fee",
    "fee and surplus": "fee",
    "fund": "fund",
    "ADL": "adl",
    "backstop": "fund",
}

_ADL_QUEUES = {"bitmex": "PnL% x effective leverage", "binance": "LeveragePnL",
               "hyperliquid": "mark/entry x notional/account value",
               "dydx": "pseudo-random start, no ranking", "pro_rata": "pro rata"}


def _describe_fee(fee: FeePolicy) -> str:
    if isinstance(fee, ForfeitSurplus):
        return "the whole surplus over bankruptcy to the fund"
    if isinstance(fee, RateOnNotional):
        return f"{fee.rate:.2%} of the notional closed"
    if isinstance(fee, CappedBySurplus):
        return f"min({fee.max_rate:.1%} of the notional, surplus)"
    if isinstance(fee, NoFee):
        return "none"
    return fee.name


def _describe_order(policy: PartialPolicy) -> str:
    if isinstance(policy, TierStepDown):
        kind = "fill-or-kill" if policy.fill_or_kill else "immediate-or-cancel"
        target = "the lowest tier" if policy.to_lowest_tier else "the highest compliant lower tier"
        return f"one {kind} order down to {target}, else the whole position"
    if isinstance(policy, FractionSlices):
        return (f"{policy.fraction:.0%} above {policy.min_notional:,.0f} notional; the whole "
                f"position for {policy.cooldown:g} s after a slice")
    if isinstance(policy, IncrementalClips):
        return f"clips of {policy.clip_notional:,.0f} notional, {policy.rounds} per step"
    if isinstance(policy, BlockLimits):
        return (f"max({policy.min_notional:,.0f}, {policy.max_portion:.0%} of the position) per "
                f"block, at most {policy.max_notional_per_block:,.0f}")
    return "the whole position"


def mechanics_cells(rules: Rules) -> dict[str, str]:
    """What ``rules`` does at each stage of :data:`MECHANICS_STAGES`, in words.

    Generated from the rule objects, so a table built from it cannot drift from what the engine
    applies.

    Parameters
    ----------
    rules : Rules

    Returns
    -------
    dict
        Stage name -> description.

    Raises
    ------
    TypeError
        If ``rules`` is not a :class:`Rules`.

    Examples
    --------
    >>> mechanics_cells(venue_rules("bitmex"))["limit"]
    'limit at the bankruptcy price'
    """
    if not isinstance(rules, Rules):
        raise TypeError(f"rules must be a Rules, got {type(rules).__name__}")
    partial = rules.partial_policy
    if rules.partial_fee is None:
        settlement = "as the final order"
    elif isinstance(rules.partial_fee, NoFee):
        settlement = "at its fill price (surplus kept by the trader)"
    else:
        settlement = _describe_fee(rules.partial_fee_policy)
    if rules.adl is None:
        fund = "fund, then losses clawed back from profits" if rules.socialize else "fund"
    elif rules.fund_first:
        fund = "fund aggresses the book; only the rest is auto-deleveraged"
    else:
        fund = "the whole order to ADL unless the fund covers all of it"
    adl = ("none" if rules.adl is None
           else f"{_ADL_QUEUES[rules.adl]}, at the {rules.adl_price.replace('_', ' ')} price")
    backstop = ("none" if rules.backstop_ratio is None
                else f"vault takes positions below {rules.backstop_ratio:.3g} of MM")
    return {
        "trigger": "equity <= maintenance margin at the mark",
        "order": _describe_order(partial),
        "limit": ("limit at the bankruptcy price" if rules.limit == "bankruptcy"
                  else "market order"),
        "step-down settlement": settlement,
        "fee and surplus": _describe_fee(rules.fee_policy),
        "fund": fund,
        "ADL": adl,
        "backstop": backstop,
    }


def mechanics_table(venues: tuple[str, ...] | None = None) -> list[dict[str, str]]:
    """The venues' liquidation mechanics, one row per venue and stage, each with its source.

    Parameters
    ----------
    venues : tuple of str or None
        Venue names (keys of :data:`VENUE_RULES`); ``None`` for all of them.

    Returns
    -------
    list of dict
        Rows with keys ``venue``, ``stage``, ``rule`` (from :func:`mechanics_cells` of the
        venue's preset) and ``source`` (the page the preset's docstring quotes, read 2026-12-03).

    Raises
    ------
    ValueError
        For a venue without a preset.

    Examples
    --------
    >>> rows = mechanics_table(("okx",))
    >>> [r["rule"] for r in rows if r["stage"] == "ADL"]
    ['PnL% x effective leverage, at the mark price']
    >>> len(mechanics_table()) == len(VENUE_RULES) * len(MECHANICS_STAGES)
    True
    """
    names = tuple(VENUE_RULES) if venues is None else tuple(venues)
    for name in names:
        v.choice("venues", name, tuple(VENUE_RULES))
    rows = []
    for name in names:
        cells = mechanics_cells(VENUE_RULES[name]())
        for stage, source_key in MECHANICS_STAGES.items():
            rows.append({"venue": name, "stage": stage, "rule": cells[stage],
                         "source": VENUE_SOURCES[name][source_key]})
    return rows


__all__ = [
    "ENGINE_ADL_PRICES",
    "FEE_POLICIES",
    "LIMIT_PRICES",
    "MECHANICS_STAGES",
    "PARTIAL_POLICIES",
    "VENUE_RULES",
    "VENUE_SOURCES",
    "VENUE_VARIANTS",
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
    "binance_rules",
    "bitmex_rules",
    "bybit_rules",
    "deribit_rules",
    "dydx_rules",
    "gmx_rules",
    "hyperliquid_rules",
    "insurance_fund_delta",
    "mechanics_cells",
    "mechanics_table",
    "okx_rules",
    "synthetix_rules",
    "venue_rules",
]
