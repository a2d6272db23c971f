"""dYdX v4: liquidation arithmetic as the protocol computes it, in integer quantums.

dYdX v4 (the ``dydxprotocol/v4-chain`` Cosmos chain) does its margin arithmetic exactly: sizes in
**base quantums** (``10^atomic_resolution`` coins each), money in **quote quantums** (USDC has
``10^-6``), prices as an integer ``price * 10^exponent`` from the oracle, rational numbers
(``big.Rat``) where a division cannot be avoided. This module does the same with Python ``int`` and
:class:`fractions.Fraction`, so that the protocol's unit tests reproduce exactly.

Protocol names and their mapping (Go identifiers in ``protocol/x/clob/keeper/liquidations.go``):

==========  ====================================================================================
``PS``      signed position size, base quantums (long > 0)
``PNNV``    position net notional value, quote quantums (signed, long > 0): ``net_notional``
``PMMR``    the position's maintenance margin requirement: ``margin_requirements(...)[1]``
``TNC``     total net collateral = quote balance + sum of the positions' net notional (``Risk.nc``)
``TMMR``    total maintenance margin requirement (``Risk.mmr``)
``DNNV``    change in ``PNNV`` from closing ``delta_quantums``; ``DMMR`` the change in ``PMMR``
``BA``      ``bankruptcy_adjustment_ppm``; ``SMMR`` ``spread_to_maintenance_margin_ratio_ppm``
``ABR``     adjusted bankruptcy rating ``clamp(BA * (1 - TNC/TMMR), 0, 1)``
==========  ====================================================================================

A subaccount is given as ``positions`` (a sequence of ``(perpetual, quantums)`` pairs, where the
perpetual is a :class:`Perpetual`, a mapping of its fields, or the name of one of the protocol's
test constants in :data:`TEST_PERPETUALS`) and ``quote_balance`` (its USDC asset position in quote
quantums). The oracle price is the only price: dYdX has no separate mark price.

Price-space companions (:func:`liquidation_price`, :func:`fillable_oracle_price`) restate the
same rules in USDC per coin with floats, vectorized, for the book's figures; the tests check them
against the exact functions.

Sources disagree in two places; the code is authoritative (it is what the chain runs):

* **Fillable price sign.** The docs write ``P x (1 - ((SMMR x MMF) x (BA x (1 - Q))))`` "for both
  short and long"; the code is ``(PNNV - ABR*SMMR*PMMR) / PS``, i.e. ``P (1 - side*ABR*SMMR*MMF)``,
  above the oracle for a short, and clamps ABR to ``[0, 1]``. :func:`fillable_price` is the
  code's; :func:`fillable_price_docs` and ``variant="docs"`` of :func:`fillable_oracle_price`
  are the docs' (wrong for shorts, unclamped).
* **Maximum liquidation fee.** The code default ``LiquidationsConfig_Default`` is 5,000 ppm (0.5%,
  used by the unit tests, hence the default here); the reference mainnet genesis and the docs say
  15,000 ppm (1.5%): :data:`MAINNET_GENESIS`.

References
----------
.. [1] dydxprotocol/v4-chain @ 84d4664bae71e3a077adaac67fb77ad19cd28d30 (2026-03-04):
   ``protocol/x/clob/keeper/liquidations.go`` (GetBankruptcyPriceInQuoteQuantums,
   GetFillablePrice, GetLiquidationInsuranceFundDelta, GetLiquidatablePositionSizeDelta,
   GetMaxAndMinPositionNotionalLiquidatable, GetSubaccountMaxNotionalLiquidatable,
   ConvertFillablePriceToSubticks), ``protocol/x/perpetuals/lib/lib.go``
   (GetMarginRequirementsInQuoteQuantums), ``protocol/lib/quantums.go`` (BaseToQuoteQuantums),
   ``protocol/lib/margin/risk.go`` (IsLiquidatable), ``protocol/x/clob/types/
   liquidations_config.go`` (Validate) and ``liquidations_config_keeper.go`` (defaults),
   ``protocol/testing/mainnet/genesis.json``; unit tests in
   ``protocol/x/clob/keeper/liquidations_test.go``.
   https://github.com/dydxprotocol/v4-chain/tree/84d4664bae71e3a077adaac67fb77ad19cd28d30
.. [2] dYdX v4 documentation, "Liquidations" (``docs/pages/concepts/trading/liquidations.mdx``,
   dydxprotocol/v4-documentation @ 3e475b7, 2026-04-22, last changed a1273be 2025-11-03):
   https://docs.dydx.xyz/concepts/trading/liquidations
.. [3] dYdX v4 documentation, "Funding" (``funding.mdx`` @ 85a2541) and "Margin" (``margin.mdx``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v
from ..core.contracts import pnl
from ..core.liquidation import liquidation_price as _core_liquidation_price
from ..prices.funding import impact_notional as _mark_impact_notional
from ..prices.funding import margin_funding_cap as _mark_margin_funding_cap

#: USDC atomic resolution: one quote quantum is 1e-6 USDC (``lib.QuoteCurrencyAtomicResolution``).
QUOTE_ATOMIC_RESOLUTION = -6
ONE_MILLION = 1_000_000
MAX_UINT32 = 2**32 - 1
MAX_UINT64 = 2**64 - 1


# --- markets and configuration ---------------------------------------------------------------


@dataclass(frozen=True)
class Perpetual:
    """A perpetual market as the margin arithmetic sees it.

    Bundles what the protocol keeps in three places: ``Perpetual.Params`` (``id``,
    ``atomic_resolution``), the oracle ``MarketPrice`` (``market_price``, ``market_exponent``:
    ``market_price * 10^market_exponent`` USDC per coin) and the ``LiquidityTier``
    (``initial_margin_ppm``, ``maintenance_fraction_ppm``).

    Raises
    ------
    ValueError
        Naming the field: non-integer values, a non-positive price, ppm values outside
        ``[0, 1_000_000]``.

    Examples
    --------
    >>> btc = TEST_PERPETUALS["BtcUsd_20PercentInitial_10PercentMaintenance"]
    >>> btc.oracle_price, btc.maintenance_margin_fraction
    (Fraction(50000, 1), Fraction(1, 10))
    """

    id: int
    ticker: str
    atomic_resolution: int
    market_price: int
    market_exponent: int
    initial_margin_ppm: int
    maintenance_fraction_ppm: int

    def __post_init__(self) -> None:
        v.integer("id", self.id, low=0, high=MAX_UINT32)
        v.integer("atomic_resolution", self.atomic_resolution, low=-30, high=30)
        v.integer("market_price", self.market_price, low=1, high=MAX_UINT64)
        v.integer("market_exponent", self.market_exponent, low=-30, high=30)
        v.integer("initial_margin_ppm", self.initial_margin_ppm, low=0, high=ONE_MILLION)
        v.integer(
            "maintenance_fraction_ppm", self.maintenance_fraction_ppm, low=0, high=ONE_MILLION
        )

    @property
    def oracle_price(self) -> Fraction:
        """Oracle price in USDC per coin, exactly."""
        return self.market_price * _pow10(self.market_exponent)

    @property
    def maintenance_margin_fraction(self) -> Fraction:
        """``MMF = IMF * maintenance fraction`` (before the protocol's rounding up in quantums)."""
        return Fraction(self.initial_margin_ppm * self.maintenance_fraction_ppm, ONE_MILLION**2)


#: The perpetuals of the protocol's test suite (``protocol/testutil/constants/perpetuals.go`` and
#: ``prices.go``; liquidity tiers 0 and 3 of ``LiquidityTiers``): BTC at $50,000 (price
#: 5,000,000,000, exponent -5, atomic resolution -8), ETH at $3,000 (3,000,000,000, -6, -9).
TEST_PERPETUALS: dict[str, Perpetual] = {
    "BtcUsd_20PercentInitial_10PercentMaintenance": Perpetual(
        0, "BTC-USD 20/10 margin requirements", -8, 5_000_000_000, -5, 200_000, 500_000
    ),
    "EthUsd_20PercentInitial_10PercentMaintenance": Perpetual(
        1, "ETH-USD 20/10 margin requirements", -9, 3_000_000_000, -6, 200_000, 500_000
    ),
    "BtcUsd_100PercentMarginRequirement": Perpetual(
        0, "BTC-USD 100% margin requirement", -8, 5_000_000_000, -5, 1_000_000, 1_000_000
    ),
}


def _check_config(**config: int) -> None:
    """``LiquidationsConfig.Validate`` ranges, with the argument named in the error."""
    checks = {
        "max_liquidation_fee_ppm": (1, ONE_MILLION),
        "bankruptcy_adjustment_ppm": (ONE_MILLION, MAX_UINT32),
        "spread_to_maintenance_margin_ratio_ppm": (1, MAX_UINT32),
        "min_position_notional_liquidated": (0, MAX_UINT64),
        "max_position_portion_liquidated_ppm": (1, ONE_MILLION),
        "max_notional_liquidated": (1, MAX_UINT64),
        "max_quantums_insurance_lost": (1, MAX_UINT64),
    }
    for name, value in config.items():
        low, high = checks[name]
        v.integer(name, value, low=low, high=high)


@dataclass(frozen=True)
class LiquidationsConfig:
    """The chain's ``LiquidationsConfig`` (``proto/dydxprotocol/clob/liquidations_config.proto``).

    Attributes are named as the proto fields; the functions of this module take them as keyword
    arguments (``**vars(MAINNET_GENESIS)`` passes a whole configuration where it applies).
    """

    max_liquidation_fee_ppm: int
    bankruptcy_adjustment_ppm: int
    spread_to_maintenance_margin_ratio_ppm: int
    min_position_notional_liquidated: int
    max_position_portion_liquidated_ppm: int
    max_notional_liquidated: int
    max_quantums_insurance_lost: int

    def __post_init__(self) -> None:
        _check_config(**{f.name: getattr(self, f.name) for f in fields(self)})


#: ``LiquidationsConfig_Default`` (``protocol/x/clob/types/liquidations_config_keeper.go``): the
#: configuration of the unit tests. Max fee 0.5%, BA 1.0, SMMR 0.1, no practical block limits.
CODE_DEFAULT = LiquidationsConfig(
    max_liquidation_fee_ppm=5_000,
    bankruptcy_adjustment_ppm=ONE_MILLION,
    spread_to_maintenance_margin_ratio_ppm=100_000,
    min_position_notional_liquidated=1_000,
    max_position_portion_liquidated_ppm=ONE_MILLION,
    max_notional_liquidated=100_000_000_000_000,
    max_quantums_insurance_lost=100_000_000_000_000,
)

#: ``protocol/testing/mainnet/genesis.json``: max fee 1.5% (the docs' "Maximum Liquidation Penalty
#: of 1.5%"), min 1,000 USDC / max 10% of a position per block, 100,000 USDC notional and
#: 1,000,000 USDC insurance payout per subaccount per block, BA 1.0, SMMR 1.5.
MAINNET_GENESIS = LiquidationsConfig(
    max_liquidation_fee_ppm=15_000,
    bankruptcy_adjustment_ppm=ONE_MILLION,
    spread_to_maintenance_margin_ratio_ppm=1_500_000,
    min_position_notional_liquidated=1_000_000_000,
    max_position_portion_liquidated_ppm=100_000,
    max_notional_liquidated=100_000_000_000,
    max_quantums_insurance_lost=1_000_000_000_000,
)


# --- exact arithmetic helpers ----------------------------------------------------------------


def _pow10(exponent: int) -> Fraction:
    return Fraction(10) ** exponent


def _div_ceil(a: int, b: int) -> int:
    """``lib.BigDivCeil`` for ``b > 0``."""
    return -((-a) // b)


def _mul_ppm(value: int, ppm: int, *, round_up: bool) -> int:
    """``lib.BigMulPpm`` (up) / ``lib.BigIntMulPpm`` (toward negative infinity)."""
    product = value * ppm
    return _div_ceil(product, ONE_MILLION) if round_up else product // ONE_MILLION


def _perpetual(spec: Perpetual | Mapping[str, Any] | str) -> Perpetual:
    if isinstance(spec, Perpetual):
        return spec
    if isinstance(spec, str):
        if spec not in TEST_PERPETUALS:
            raise ValueError(
                f"perpetual must be a Perpetual, a mapping of its fields or one of "
                f"{sorted(TEST_PERPETUALS)}, got {spec!r}"
            )
        return TEST_PERPETUALS[spec]
    if isinstance(spec, Mapping):
        return Perpetual(**spec)
    raise ValueError(f"perpetual must be a Perpetual, a mapping or a name, got {spec!r}")


def _positions(
    positions: Iterable[Sequence[Any]],
) -> list[tuple[Perpetual, int]]:
    out: list[tuple[Perpetual, int]] = []
    for item in positions:
        if len(item) != 2:
            raise ValueError(f"positions must hold (perpetual, quantums) pairs, got {item!r}")
        perp = _perpetual(item[0])
        q = v.integer("quantums", item[1])
        if any(p.id == perp.id for p, _ in out):
            raise ValueError(f"positions must hold one position per perpetual id, {perp.id} twice")
        out.append((perp, q))
    return out


def _position(positions: list[tuple[Perpetual, int]], perpetual_id: int) -> tuple[Perpetual, int]:
    for perp, q in positions:
        if perp.id == perpetual_id and q != 0:
            return perp, q
    raise ValueError(f"perpetual_id {perpetual_id!r} has no open position in positions")


def _check_delta(ps: int, delta_quantums: int) -> None:
    """The protocol's check: the delta closes (part of) the position and no more."""
    if ps * delta_quantums >= 0 or abs(delta_quantums) > abs(ps):
        raise ValueError(
            f"delta_quantums must have the opposite sign to the position ({ps}) and an absolute "
            f"value of at most {abs(ps)}, got {delta_quantums}"
        )


# --- quantums, notional and margin -----------------------------------------------------------


def base_to_quote_quantums(
    base_quantums: int, atomic_resolution: int, price: int, exponent: int
) -> int:
    """Quote quantums worth ``base_quantums`` at the oracle price (``lib.BaseToQuoteQuantums``).

    ``base_quantums * price * 10^(exponent + atomic_resolution - QUOTE_ATOMIC_RESOLUTION)``,
    truncated toward zero (Go ``Quo``), so a short's value is rounded up.

    Raises
    ------
    ValueError
        Non-integer arguments, a negative ``price``, or ``exponent`` / ``atomic_resolution``
        outside [-30, 30] (the range :class:`Perpetual` allows; an unbounded power of ten would
        never finish).

    Examples
    --------
    0.1 BTC (10,000,000 quantums at resolution -8) at $50,000:

    >>> base_to_quote_quantums(10_000_000, -8, 5_000_000_000, -5)
    5000000000
    """
    b = v.integer("base_quantums", base_quantums)
    p = v.integer("price", price, low=0)
    e = _scale_exponent(exponent, atomic_resolution)
    product = b * p
    if e >= 0:
        return product * 10**e
    scale = 10**-e
    return -((-product) // scale) if product < 0 else product // scale


def quote_to_base_quantums(
    quote_quantums: int, atomic_resolution: int, price: int, exponent: int
) -> int:
    """Base quantums worth ``quote_quantums`` (``lib.QuoteToBaseQuantums``), toward zero.

    Raises
    ------
    ValueError
        Non-integer arguments, ``price`` below 1, or ``exponent`` / ``atomic_resolution``
        outside [-30, 30].

    Examples
    --------
    >>> quote_to_base_quantums(5_000_000_000, -8, 5_000_000_000, -5)
    10000000
    """
    q = v.integer("quote_quantums", quote_quantums)
    p = v.integer("price", price, low=1)
    e = _scale_exponent(exponent, atomic_resolution)
    num, den = (q * 10**-e, p) if e < 0 else (q, p * 10**e)
    return int(Fraction(num, den))  # int() truncates toward zero, like Go's Quo


#: Bounds of price exponents and atomic resolutions (those :class:`Perpetual` accepts).
EXPONENT_RANGE = (-30, 30)


def _scale_exponent(exponent: int, atomic_resolution: int) -> int:
    """``exponent + atomic_resolution - QUOTE_ATOMIC_RESOLUTION``, both inputs bounded."""
    low, high = EXPONENT_RANGE
    return (
        v.integer("exponent", exponent, low=low, high=high)
        + v.integer("atomic_resolution", atomic_resolution, low=low, high=high)
        - QUOTE_ATOMIC_RESOLUTION
    )


def usd_to_price(price_usd: float, exponent: int) -> int:
    """The protocol's integer price for a USDC price: ``round(price_usd / 10^exponent)``.

    The oracle quotes ``price * 10^exponent`` USDC per coin; this is the inverse, rounded to the
    nearest integer (exactly, from the float's decimal value).

    Parameters
    ----------
    price_usd : float
        USDC per coin (> 0, finite).
    exponent : int
        The market's price exponent, in [-30, 30] (-5 for the BTC test market).

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``price_usd`` not positive and finite; ``exponent`` not an integer in [-30, 30]; a price
        that rounds to 0 at that exponent.

    Examples
    --------
    >>> usd_to_price(50_000, -5)
    5000000000
    >>> price_to_usd(usd_to_price(3_174.6, -6), -6)
    Fraction(15873, 5)
    """
    p = v.number("price_usd", price_usd, "pos")
    e = v.integer("exponent", exponent, low=EXPONENT_RANGE[0], high=EXPONENT_RANGE[1])
    price = round(Fraction(p) / _pow10(e))
    if price < 1:
        raise ValueError(
            f"price_usd={p!r} rounds to 0 at exponent {e}: use a more negative exponent"
        )
    return price


def price_to_usd(price: int, exponent: int) -> Fraction:
    """USDC per coin of an integer price and exponent, exactly: ``price * 10^exponent``.

    Raises
    ------
    ValueError
        ``price`` not an integer >= 0; ``exponent`` not an integer in [-30, 30].

    Examples
    --------
    >>> price_to_usd(5_000_000_000, -5)
    Fraction(50000, 1)
    """
    p = v.integer("price", price, low=0)
    e = v.integer("exponent", exponent, low=EXPONENT_RANGE[0], high=EXPONENT_RANGE[1])
    return p * _pow10(e)


def size_to_quantums(size: float, atomic_resolution: int) -> int:
    """Base quantums of a signed size in coins: ``round(size / 10^atomic_resolution)``.

    Parameters
    ----------
    size : float
        Signed position size in coins (negative: short), finite.
    atomic_resolution : int
        The asset's atomic resolution, in [-30, 30] (-8 for BTC: 1 BTC = 10^8 quantums).

    Raises
    ------
    ValueError
        ``size`` not finite; ``atomic_resolution`` not an integer in [-30, 30].

    Examples
    --------
    >>> size_to_quantums(-0.1, -8)
    -10000000
    >>> quantums_to_size(-10_000_000, -8)
    Fraction(-1, 10)
    """
    q = v.number("size", size)
    e = v.integer(
        "atomic_resolution", atomic_resolution, low=EXPONENT_RANGE[0], high=EXPONENT_RANGE[1]
    )
    return round(Fraction(q) / _pow10(e))


def quantums_to_size(quantums: int, atomic_resolution: int) -> Fraction:
    """Signed size in coins of ``quantums`` base quantums, exactly.

    Raises
    ------
    ValueError
        Non-integer ``quantums``; ``atomic_resolution`` not an integer in [-30, 30].
    """
    q = v.integer("quantums", quantums)
    e = v.integer(
        "atomic_resolution", atomic_resolution, low=EXPONENT_RANGE[0], high=EXPONENT_RANGE[1]
    )
    return q * _pow10(e)


def net_notional(perpetual: Perpetual | Mapping[str, Any] | str, quantums: int) -> int:
    """Signed position value in quote quantums at the oracle price (``PNNV``).

    Examples
    --------
    >>> net_notional("EthUsd_20PercentInitial_10PercentMaintenance", -100_000_000)  # 0.1 ETH short
    -300000000
    """
    perp = _perpetual(perpetual)
    return base_to_quote_quantums(
        quantums, perp.atomic_resolution, perp.market_price, perp.market_exponent
    )


def margin_requirements(
    perpetual: Perpetual | Mapping[str, Any] | str, quantums: int
) -> tuple[int, int]:
    """Initial and maintenance margin requirement, quote quantums (both rounded up).

    ``IMR = ceil(|notional| * initial_margin_ppm / 1e6)`` and ``MMR = ceil(IMR *
    maintenance_fraction_ppm / 1e6)`` (``GetMarginRequirementsInQuoteQuantums``). The protocol
    raises the IMR (never the MMR) with open interest; that scaling is left out here, so ``IMR``
    is the base one, which is the one the MMR is computed from.

    Returns
    -------
    tuple of int
        ``(imr, mmr)``.

    Examples
    --------
    0.1 BTC at $50,000 with IMF 20% and maintenance fraction 50%:

    >>> margin_requirements("BtcUsd_20PercentInitial_10PercentMaintenance", 10_000_000)
    (1000000000, 500000000)
    """
    perp = _perpetual(perpetual)
    notional = abs(net_notional(perp, quantums))
    imr = _mul_ppm(notional, perp.initial_margin_ppm, round_up=True)
    return imr, _mul_ppm(imr, perp.maintenance_fraction_ppm, round_up=True)


@dataclass(frozen=True)
class Risk:
    """``margin.Risk`` of a subaccount: net collateral and margin requirements (quote quantums).

    Attributes
    ----------
    nc : int
        Total net collateral ``TNC``: quote balance plus the positions' signed net notional.
    imr : int
        Total (base) initial margin requirement.
    mmr : int
        Total maintenance margin requirement ``TMMR``.
    """

    nc: int
    imr: int
    mmr: int

    @property
    def liquidatable(self) -> bool:
        """``Risk.IsLiquidatable``: ``MMR > 0`` and ``MMR > NC``."""
        return self.mmr > 0 and self.mmr > self.nc


def risk(positions: Iterable[Sequence[Any]], quote_balance: int) -> Risk:
    """Net collateral and margin requirements of a subaccount (``GetNetCollateralAndMargin...``).

    Parameters
    ----------
    positions : sequence of (perpetual, quantums)
        Perpetual positions; ``quantums`` signed base quantums.
    quote_balance : int
        USDC asset position in quote quantums (negative: borrowed against the longs).

    Returns
    -------
    Risk

    Examples
    --------
    The first bankruptcy test row: 0.1 BTC long, -4,501 USDC:

    >>> risk([("BtcUsd_20PercentInitial_10PercentMaintenance", 10_000_000)], -4_501_000_000)
    Risk(nc=499000000, imr=1000000000, mmr=500000000)
    """
    pos = _positions(positions)
    nc = v.integer("quote_balance", quote_balance)
    imr = mmr = 0
    for perp, q in pos:
        nc += net_notional(perp, q)
        i, m = margin_requirements(perp, q)
        imr += i
        mmr += m
    return Risk(nc, imr, mmr)


def is_liquidatable(positions: Iterable[Sequence[Any]], quote_balance: int) -> bool:
    """Whether the subaccount can be liquidated: ``TMMR > 0`` and ``TMMR > TNC``.

    Examples
    --------
    >>> is_liquidatable([("BtcUsd_20PercentInitial_10PercentMaintenance", 10_000_000)],
    ...                 -4_501_000_000)
    True
    """
    return risk(positions, quote_balance).liquidatable


# --- bankruptcy, fillable price, insurance fund ------------------------------------------------


def bankruptcy_price_in_quote_quantums(
    positions: Iterable[Sequence[Any]],
    quote_balance: int,
    perpetual_id: int,
    delta_quantums: int,
) -> int:
    """Quote quantums that closing ``delta_quantums`` must bring in for the account to end at zero.

    ``-DNNV - TNC * |DMMR| / TMMR``: the account's net collateral is allocated to the closed slice
    in proportion to its share of the total maintenance requirement. The one division rounds
    toward negative infinity, so the result rounds toward positive infinity ("closing the position
    at the rounded bankruptcy price does not require any insurance fund payment").

    Parameters
    ----------
    positions : sequence of (perpetual, quantums)
    quote_balance : int
        Quote quantums.
    perpetual_id : int
        The position being closed.
    delta_quantums : int
        Signed change in the position (negative to sell a long, positive to buy back a short),
        at most the position's size.

    Returns
    -------
    int
        Signed quote quantums (positive: a long must sell for at least this; negative: a short
        may pay at most its absolute value). A "price", but of the whole slice, not per coin.

    Raises
    ------
    ValueError
        When the delta has the position's sign, exceeds it or is zero, when there is no such
        position, or when the total maintenance requirement is zero.

    References
    ----------
    ``GetBankruptcyPriceInQuoteQuantums``, v4-chain @ 84d4664 (module references).

    Examples
    --------
    0.1 BTC long with -4,501 USDC, closed in full: it must sell for at least $4,501.

    >>> btc = "BtcUsd_20PercentInitial_10PercentMaintenance"
    >>> bankruptcy_price_in_quote_quantums([(btc, 10_000_000)], -4_501_000_000, 0, -10_000_000)
    4501000000
    """
    pos = _positions(positions)
    total = risk(pos, quote_balance)
    perp, ps = _position(pos, v.integer("perpetual_id", perpetual_id))
    delta = v.integer("delta_quantums", delta_quantums)
    _check_delta(ps, delta)
    if total.mmr <= 0:
        raise ValueError("the subaccount's total maintenance margin requirement must be > 0")
    dnnv = net_notional(perp, ps + delta) - net_notional(perp, ps)
    dmmr = margin_requirements(perp, ps + delta)[1] - margin_requirements(perp, ps)[1]
    return -dnnv - (total.nc * abs(dmmr)) // total.mmr


def adjusted_bankruptcy_rating(
    total_net_collateral: Any,
    total_maintenance_margin: Any,
    bankruptcy_adjustment: Any = 1,
) -> Any:
    """``ABR = clamp(BA * (1 - TNC / TMMR), 0, 1)``: 0 at maintenance, 1 at (or past) bankruptcy.

    Exact (a :class:`~fractions.Fraction`) when all arguments are ``int`` or ``Fraction``;
    otherwise vectorized in floats.

    Parameters
    ----------
    total_net_collateral : int, Fraction, float or array
        ``TNC`` (any unit shared with the next argument).
    total_maintenance_margin : int, Fraction, float or array
        ``TMMR`` (> 0).
    bankruptcy_adjustment : int, Fraction, float or array
        ``BA`` as a ratio (``bankruptcy_adjustment_ppm / 1e6``), >= 1.

    Raises
    ------
    ValueError
        Naming the argument when ``TMMR <= 0`` or ``BA < 1``.

    References
    ----------
    ``GetFillablePrice``: "Bound the ABR between 0 and 1".

    Examples
    --------
    >>> adjusted_bankruptcy_rating(499, 500)
    Fraction(1, 500)
    >>> adjusted_bankruptcy_rating(-10, 500)
    Fraction(1, 1)
    """
    args = (total_net_collateral, total_maintenance_margin, bankruptcy_adjustment)
    if all(isinstance(a, (int, Fraction)) and not isinstance(a, bool) for a in args):
        tnc, tmmr, ba = (Fraction(a) for a in args)
        if tmmr <= 0:
            raise ValueError(f"total_maintenance_margin must be > 0, got {tmmr}")
        if ba < 1:
            raise ValueError(f"bankruptcy_adjustment must be >= 1, got {ba}")
        return min(max(ba * (1 - tnc / tmmr), Fraction(0)), Fraction(1))
    tnc_f = v.as_float("total_net_collateral", total_net_collateral)
    tmmr_f = v.positive("total_maintenance_margin", total_maintenance_margin)
    ba_f = v.as_float("bankruptcy_adjustment", bankruptcy_adjustment)
    if np.any(ba_f < 1):
        raise ValueError(f"bankruptcy_adjustment must be >= 1, got {bankruptcy_adjustment!r}")
    return v.scalar_or_array(np.clip(ba_f * (1.0 - tnc_f / tmmr_f), 0.0, 1.0))


def fillable_price(
    positions: Iterable[Sequence[Any]],
    quote_balance: int,
    perpetual_id: int,
    *,
    bankruptcy_adjustment_ppm: int = CODE_DEFAULT.bankruptcy_adjustment_ppm,
    spread_to_maintenance_margin_ratio_ppm: int = (
        CODE_DEFAULT.spread_to_maintenance_margin_ratio_ppm
    ),
) -> Fraction:
    """Limit price of the protocol's liquidation order, quote quantums per base quantum (exact).

    ``(PNNV - ABR * SMMR * PMMR) / PS``: the oracle price moved against the liquidated position by
    up to ``SMMR`` times its maintenance margin per unit, as the account nears bankruptcy. For a
    long (``PS > 0``) it is below the oracle; for a short above it.

    Parameters
    ----------
    positions, quote_balance, perpetual_id
        As :func:`bankruptcy_price_in_quote_quantums`. The protocol also takes the size of the
        slice being liquidated, but the price is the same for any slice, so it is not asked for.
    bankruptcy_adjustment_ppm : int
        ``BA`` in ppm, in ``[1_000_000, 2**32 - 1]``.
    spread_to_maintenance_margin_ratio_ppm : int
        ``SMMR`` in ppm, in ``[1, 2**32 - 1]``.

    Returns
    -------
    Fraction
        Quote quantums per base quantum. Multiply by ``10^(atomic_resolution -
        QUOTE_ATOMIC_RESOLUTION)`` for USDC per coin (x 100 for the BTC test market, x 1,000 for
        ETH), or see :func:`quantum_price_to_usd`.

    Raises
    ------
    ValueError
        As :func:`bankruptcy_price_in_quote_quantums`; for configuration values out of range;
        if the price would be negative (the protocol panics).

    References
    ----------
    ``GetFillablePrice``, v4-chain @ 84d4664. The docs' formula is :func:`fillable_price_docs`.

    Examples
    --------
    0.1 BTC long with -4,501 USDC (TNC 499, TMMR 500, so ABR 0.002): $49,999 per BTC.

    >>> btc = "BtcUsd_20PercentInitial_10PercentMaintenance"
    >>> fillable_price([(btc, 10_000_000)], -4_501_000_000, 0)
    Fraction(49999, 100)

    The same short with +5,499 USDC fills *above* the oracle:

    >>> fillable_price([(btc, -10_000_000)], 5_499_000_000, 0)
    Fraction(50001, 100)
    """
    _check_config(
        bankruptcy_adjustment_ppm=bankruptcy_adjustment_ppm,
        spread_to_maintenance_margin_ratio_ppm=spread_to_maintenance_margin_ratio_ppm,
    )
    pos = _positions(positions)
    perp, ps = _position(pos, v.integer("perpetual_id", perpetual_id))
    total = risk(pos, quote_balance)
    abr = adjusted_bankruptcy_rating(
        total.nc, total.mmr, Fraction(bankruptcy_adjustment_ppm, ONE_MILLION)
    )
    pmmr = margin_requirements(perp, ps)[1]
    spread = abr * Fraction(pmmr * spread_to_maintenance_margin_ratio_ppm, ONE_MILLION)
    price = (net_notional(perp, ps) - spread) / ps
    if price < 0:
        raise ValueError(f"the fillable price is negative ({price}); the protocol panics here")
    return price


def fillable_price_docs(
    positions: Iterable[Sequence[Any]],
    quote_balance: int,
    perpetual_id: int,
    *,
    bankruptcy_adjustment_ppm: int = CODE_DEFAULT.bankruptcy_adjustment_ppm,
    spread_to_maintenance_margin_ratio_ppm: int = (
        CODE_DEFAULT.spread_to_maintenance_margin_ratio_ppm
    ),
) -> Fraction:
    """The docs' fillable price, ``P x (1 - ((SMMR x MMF) x (BA x (1 - Q))))``, for either side.

    A named variant for comparison, **not** what the chain runs: it moves the price *down* for a
    short too (the code moves it up) and does not clamp ``BA (1 - Q)`` to ``[0, 1]``. ``Q =
    TNC / TMMR``; ``MMF`` is the position's ``PMMR / |PNNV|`` so that it agrees with
    :func:`fillable_price` for longs whenever the ABR is inside ``[0, 1]``. Parameters and units
    are those of :func:`fillable_price`.

    References
    ----------
    dYdX docs, "Liquidations", section "Fillable Price for Liquidations" (v4-documentation
    @ 3e475b7): "For both short and long position".

    Examples
    --------
    >>> btc = "BtcUsd_20PercentInitial_10PercentMaintenance"
    >>> fillable_price_docs([(btc, -10_000_000)], 5_499_000_000, 0)  # a short
    Fraction(49999, 100)
    """
    _check_config(
        bankruptcy_adjustment_ppm=bankruptcy_adjustment_ppm,
        spread_to_maintenance_margin_ratio_ppm=spread_to_maintenance_margin_ratio_ppm,
    )
    pos = _positions(positions)
    perp, ps = _position(pos, v.integer("perpetual_id", perpetual_id))
    total = risk(pos, quote_balance)
    if total.mmr <= 0:
        raise ValueError("the subaccount's total maintenance margin requirement must be > 0")
    pnnv = net_notional(perp, ps)
    oracle = Fraction(pnnv, ps)
    mmf = Fraction(margin_requirements(perp, ps)[1], abs(pnnv))
    ba = Fraction(bankruptcy_adjustment_ppm, ONE_MILLION)
    smmr = Fraction(spread_to_maintenance_margin_ratio_ppm, ONE_MILLION)
    return oracle * (1 - smmr * mmf * ba * (1 - Fraction(total.nc, total.mmr)))


def fill_amount_to_quote_quantums(
    subticks: int, base_quantums: int, quantum_conversion_exponent: int
) -> int:
    """Quote quantums of a fill: ``subticks * base_quantums * 10^exponent``, rounded down.

    Examples
    --------
    0.1 BTC at $56,100 on the BTC test pair (exponent -8):

    >>> fill_amount_to_quote_quantums(56_100_000_000, 10_000_000, -8)
    5610000000
    """
    st = v.integer("subticks", subticks, low=0, high=MAX_UINT64)
    bq = v.integer("base_quantums", base_quantums, low=0, high=MAX_UINT64)
    e = v.integer("quantum_conversion_exponent", quantum_conversion_exponent, low=-30, high=30)
    product = st * bq
    return product * 10**e if e >= 0 else product // 10**-e


def liquidation_insurance_fund_delta(
    positions: Iterable[Sequence[Any]],
    quote_balance: int,
    perpetual_id: int,
    is_buy: bool,
    fill_amount: int,
    subticks: int,
    *,
    quantum_conversion_exponent: int,
    max_liquidation_fee_ppm: int = CODE_DEFAULT.max_liquidation_fee_ppm,
) -> int:
    """Payment between the liquidated subaccount and the insurance fund for one fill (quantums).

    With ``d`` = quote quantums received for the fill minus the bankruptcy price of the slice: if
    ``d <= 0`` the fund pays ``-d`` (the result is ``d``); otherwise the account pays the
    liquidation fee ``min(|quote| * max_liquidation_fee_ppm / 1e6, d)``, so the fee never takes
    the account below zero and is at most the cap.

    Parameters
    ----------
    positions, quote_balance, perpetual_id
        As :func:`bankruptcy_price_in_quote_quantums`.
    is_buy : bool
        True when the liquidation order buys (closing a short).
    fill_amount : int
        Base quantums filled (> 0).
    subticks : int
        Fill price in subticks.
    quantum_conversion_exponent : int
        The CLOB pair's ``QuantumConversionExponent``, in [-30, 30]: required, as it differs from
        pair to pair (-8 for the BTC test pair).
    max_liquidation_fee_ppm : int
        Fee cap in ppm, in ``[1, 1_000_000]`` (5,000 in the code default, 15,000 on mainnet).

    Returns
    -------
    int
        Positive: the account pays the fund; negative: the fund covers the shortfall.

    Raises
    ------
    ValueError
        ``fill_amount`` of zero (as the protocol), and as
        :func:`bankruptcy_price_in_quote_quantums`.

    References
    ----------
    ``GetLiquidationInsuranceFundDelta``, v4-chain @ 84d4664.

    Examples
    --------
    0.1 BTC long with bankruptcy at $5,100 sold at $56,100 per BTC ($5,610): the leftover $510
    exceeds the 0.5% cap, so the fee is 0.5% of $5,610.

    >>> btc = "BtcUsd_20PercentInitial_10PercentMaintenance"
    >>> liquidation_insurance_fund_delta([(btc, 10_000_000)], -5_100_000_000, 0, False,
    ...                                  10_000_000, 56_100_000_000,
    ...                                  quantum_conversion_exponent=-8)
    28050000
    """
    if not isinstance(is_buy, (bool, np.bool_)):
        raise ValueError(f"is_buy must be True or False, got {is_buy!r}")
    amount = v.integer("fill_amount", fill_amount, low=1, high=MAX_UINT64)
    _check_config(max_liquidation_fee_ppm=max_liquidation_fee_ppm)
    quote = fill_amount_to_quote_quantums(subticks, amount, quantum_conversion_exponent)
    if is_buy:
        quote, delta = -quote, amount
    else:
        delta = -amount
    bankruptcy = bankruptcy_price_in_quote_quantums(positions, quote_balance, perpetual_id, delta)
    d = quote - bankruptcy
    if d <= 0:
        return d
    return min(_mul_ppm(abs(quote), max_liquidation_fee_ppm, round_up=False), d)


def convert_fillable_price_to_subticks(
    fillable_price: Fraction | int | str,
    is_liquidating_long: bool,
    *,
    subticks_per_tick: int,
    quantum_conversion_exponent: int,
) -> int:
    """The liquidation order's limit price in subticks (``ConvertFillablePriceToSubticks``).

    ``fillable_price * 10^-quantum_conversion_exponent``, rounded *up* when selling to close a
    long and *down* when buying to close a short (against the liquidated trader), aligned to a
    multiple of ``subticks_per_tick`` in the same direction, then bounded to ``[subticks_per_tick,
    2**64 - 1 - (2**64 - 1) % subticks_per_tick]``.

    Parameters
    ----------
    fillable_price : Fraction, int or str
        Quote quantums per base quantum (>= 0), e.g. from :func:`fillable_price`; a string is
        read as a fraction (``"49999/100"``).
    is_liquidating_long : bool
    subticks_per_tick : int
        The CLOB pair's ``SubticksPerTick`` (>= 1).
    quantum_conversion_exponent : int

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For a negative price (the protocol panics) or out-of-range pair parameters.

    Examples
    --------
    >>> convert_fillable_price_to_subticks(5_000_000_000, True, subticks_per_tick=5,
    ...                                    quantum_conversion_exponent=-8)
    500000000000000000
    >>> convert_fillable_price_to_subticks(7, True, subticks_per_tick=100,
    ...                                    quantum_conversion_exponent=1)
    100
    """
    price = Fraction(fillable_price)
    if price < 0:
        raise ValueError(f"fillable_price must be >= 0, got {price}")
    if not isinstance(is_liquidating_long, (bool, np.bool_)):
        raise ValueError(f"is_liquidating_long must be True or False, got {is_liquidating_long!r}")
    spt = v.integer("subticks_per_tick", subticks_per_tick, low=1, high=MAX_UINT32)
    e = v.integer("quantum_conversion_exponent", quantum_conversion_exponent, low=-30, high=30)
    subticks = price * _pow10(-e)
    up = bool(is_liquidating_long)
    rounded = math.ceil(subticks) if up else math.floor(subticks)
    aligned = (-((-rounded) // spt) if up else rounded // spt) * spt
    return min(max(aligned, spt), MAX_UINT64 - MAX_UINT64 % spt)


# --- partial liquidation: per-block limits ------------------------------------------------------


@dataclass(frozen=True)
class PositionNotionalLimits:
    """Per-block notional bounds for liquidating one position, quote quantums.

    Attributes
    ----------
    min : int
        ``min(min_position_notional_liquidated, |notional|)``.
    max : int
        ``max(min, |notional| * max_position_portion_liquidated_ppm / 1e6)``.
    """

    min: int
    max: int


def position_notional_limits(
    perpetual: Perpetual | Mapping[str, Any] | str,
    quantums: int,
    *,
    min_position_notional_liquidated: int = CODE_DEFAULT.min_position_notional_liquidated,
    max_position_portion_liquidated_ppm: int = CODE_DEFAULT.max_position_portion_liquidated_ppm,
) -> PositionNotionalLimits:
    """How much of a position may be liquidated in one block (``GetMaxAndMin...Liquidatable``).

    Returns
    -------
    PositionNotionalLimits

    References
    ----------
    ``GetMaxAndMinPositionNotionalLiquidatable``; mainnet genesis: min 1,000 USDC, portion 10%.

    Examples
    --------
    1 BTC ($50,000) with a 50% portion: at most $25,000 a block.

    >>> position_notional_limits("BtcUsd_100PercentMarginRequirement", 100_000_000,
    ...     min_position_notional_liquidated=100, max_position_portion_liquidated_ppm=500_000)
    PositionNotionalLimits(min=100, max=25000000000)
    """
    _check_config(
        min_position_notional_liquidated=min_position_notional_liquidated,
        max_position_portion_liquidated_ppm=max_position_portion_liquidated_ppm,
    )
    notional = abs(net_notional(perpetual, quantums))
    low = min(min_position_notional_liquidated, notional)
    high = max(low, _mul_ppm(notional, max_position_portion_liquidated_ppm, round_up=False))
    return PositionNotionalLimits(low, high)


def subaccount_max_notional_liquidatable(
    notional_liquidated: int = 0,
    *,
    max_notional_liquidated: int = CODE_DEFAULT.max_notional_liquidated,
) -> int:
    """Notional the subaccount may still have liquidated this block, quote quantums.

    ``max_notional_liquidated - notional_liquidated`` (``GetSubaccountMaxNotionalLiquidatable``).

    Raises
    ------
    ValueError
        If ``notional_liquidated`` already exceeds the limit (the protocol panics).

    Examples
    --------
    >>> subaccount_max_notional_liquidatable(100, max_notional_liquidated=150)
    50
    """
    _check_config(max_notional_liquidated=max_notional_liquidated)
    done = v.integer(
        "notional_liquidated", notional_liquidated, low=0, high=max_notional_liquidated
    )
    return max_notional_liquidated - done


def subaccount_max_insurance_lost(
    quantums_insurance_lost: int = 0,
    *,
    max_quantums_insurance_lost: int = CODE_DEFAULT.max_quantums_insurance_lost,
) -> int:
    """Insurance-fund payout still allowed for the subaccount this block, quote quantums.

    ``max_quantums_insurance_lost - quantums_insurance_lost`` (``GetSubaccountMaxInsuranceLost``);
    ``quantums_insurance_lost`` is the magnitude of the fund's payouts so far (>= 0).

    Raises
    ------
    ValueError
        If the payouts already exceed the limit (the protocol panics).

    Examples
    --------
    >>> subaccount_max_insurance_lost(100, max_quantums_insurance_lost=150)
    50
    """
    _check_config(max_quantums_insurance_lost=max_quantums_insurance_lost)
    lost = v.integer(
        "quantums_insurance_lost", quantums_insurance_lost, low=0, high=max_quantums_insurance_lost
    )
    return max_quantums_insurance_lost - lost


def liquidatable_position_size_delta(
    perpetual: Perpetual | Mapping[str, Any] | str,
    quantums: int,
    *,
    step_base_quantums: int,
    notional_liquidated: int = 0,
    min_position_notional_liquidated: int = CODE_DEFAULT.min_position_notional_liquidated,
    max_position_portion_liquidated_ppm: int = CODE_DEFAULT.max_position_portion_liquidated_ppm,
    max_notional_liquidated: int = CODE_DEFAULT.max_notional_liquidated,
) -> int:
    """Signed base quantums the protocol will try to liquidate this block.

    The smaller of the position limit (:func:`position_notional_limits` ``.max``) and what the
    subaccount may still have liquidated (:func:`subaccount_max_notional_liquidatable`); the whole
    position if that covers it or the position is at most one step; otherwise converted to base
    quantums, rounded *down* to a multiple of ``step_base_quantums`` and kept within ``[step,
    |position|]``. Negative for a long (it sells).

    Parameters
    ----------
    perpetual, quantums
        The position.
    step_base_quantums : int
        The CLOB pair's ``StepBaseQuantums`` (>= 1).
    notional_liquidated : int
        Notional of this subaccount already liquidated this block.
    min_position_notional_liquidated, max_position_portion_liquidated_ppm, max_notional_liquidated
        Configuration (code defaults).

    Returns
    -------
    int

    References
    ----------
    ``GetLiquidatablePositionSizeDelta``, v4-chain @ 84d4664.

    Examples
    --------
    With the mainnet limits, a 2 BTC long ($100,000) loses at most 10% ($10,000 = 0.2 BTC) a
    block:

    >>> liquidatable_position_size_delta(
    ...     "BtcUsd_20PercentInitial_10PercentMaintenance", 200_000_000, step_base_quantums=5,
    ...     min_position_notional_liquidated=1_000_000_000,
    ...     max_position_portion_liquidated_ppm=100_000, max_notional_liquidated=100_000_000_000)
    -20000000
    """
    perp = _perpetual(perpetual)
    q = v.integer("quantums", quantums)
    if q == 0:
        raise ValueError("quantums must be a non-zero position size")
    step = v.integer("step_base_quantums", step_base_quantums, low=1, high=MAX_UINT64)
    limit = min(
        position_notional_limits(
            perp,
            q,
            min_position_notional_liquidated=min_position_notional_liquidated,
            max_position_portion_liquidated_ppm=max_position_portion_liquidated_ppm,
        ).max,
        subaccount_max_notional_liquidatable(
            notional_liquidated, max_notional_liquidated=max_notional_liquidated
        ),
    )
    if abs(net_notional(perp, q)) <= limit or abs(q) <= step:
        return -q
    size = quote_to_base_quantums(
        limit, perp.atomic_resolution, perp.market_price, perp.market_exponent
    )
    size = min(max((size // step) * step, step), abs(q))
    return -size if q > 0 else size


def quantum_price_to_usd(
    price: Fraction | int, perpetual: Perpetual | Mapping[str, Any] | str
) -> Fraction:
    """Convert a price in quote quantums per base quantum to USDC per coin (exact).

    One base quantum is ``10^atomic_resolution`` coins and one quote quantum ``10^-6`` USDC, so
    the factor is ``10^(-6 - atomic_resolution)``: x 100 for BTC (-8), x 1,000 for ETH (-9).

    Examples
    --------
    >>> quantum_price_to_usd(Fraction(372, 125), "EthUsd_20PercentInitial_10PercentMaintenance")
    Fraction(2976, 1)
    """
    perp = _perpetual(perpetual)
    return Fraction(price) * _pow10(QUOTE_ATOMIC_RESOLUTION - perp.atomic_resolution)


# --- price space: the docs' formulas, vectorized -------------------------------------------------


def fillable_oracle_price(
    oracle_price: ArrayLike,
    side: ArrayLike,
    maintenance_margin_fraction: ArrayLike,
    total_net_collateral: ArrayLike,
    total_maintenance_margin: ArrayLike,
    *,
    bankruptcy_adjustment: ArrayLike = 1.0,
    spread_to_maintenance_margin_ratio: ArrayLike = 0.1,
    variant: str = "code",
) -> Any:
    """Fillable price in USDC per coin, ``P (1 - side * ABR * SMMR * MMF)`` (vectorized floats).

    The price-space form of :func:`fillable_price` (``PNNV = side |PS| P``, ``PMMR = |PS| P
    MMF``). ``variant="docs"`` is the documentation's ``P (1 - SMMR MMF BA (1 - TNC/TMMR))``,
    the same for both sides and unclamped.

    Parameters
    ----------
    oracle_price : float or array
        ``P`` (> 0).
    side : +1, -1 or array
    maintenance_margin_fraction : float or array
        The position's ``MMF`` in (0, 1).
    total_net_collateral, total_maintenance_margin : float or array
        ``TNC`` and ``TMMR`` (> 0) in one unit.
    bankruptcy_adjustment : float or array
        ``BA`` (>= 1).
    spread_to_maintenance_margin_ratio : float or array
        ``SMMR`` (> 0): 0.1 in the code default, 1.5 in the mainnet genesis.
    variant : {"code", "docs"}

    Returns
    -------
    float or ndarray

    Examples
    --------
    A short at bankruptcy (TNC = 0) fills 1% above the oracle with SMMR 0.1 and MMF 10%; the
    docs' formula puts it 1% below:

    >>> fillable_oracle_price(50_000, -1, 0.1, 0.0, 500.0)
    50500.0
    >>> fillable_oracle_price(50_000, -1, 0.1, 0.0, 500.0, variant="docs")
    49500.0
    """
    p = v.positive("oracle_price", oracle_price)
    s = v.side("side", side)
    mmf = v.rate("maintenance_margin_fraction", maintenance_margin_fraction, allow_zero=False)
    smmr = v.positive("spread_to_maintenance_margin_ratio", spread_to_maintenance_margin_ratio)
    v.choice("variant", variant, ("code", "docs"))
    if variant == "code":
        abr = np.asarray(
            adjusted_bankruptcy_rating(
                v.as_float("total_net_collateral", total_net_collateral),
                total_maintenance_margin,
                v.as_float("bankruptcy_adjustment", bankruptcy_adjustment),
            )
        )
        return v.scalar_or_array(p * (1.0 - s * abr * smmr * mmf))
    tnc = v.as_float("total_net_collateral", total_net_collateral)
    tmmr = v.positive("total_maintenance_margin", total_maintenance_margin)
    ba = v.as_float("bankruptcy_adjustment", bankruptcy_adjustment)
    if np.any(ba < 1):
        raise ValueError(f"bankruptcy_adjustment must be >= 1, got {bankruptcy_adjustment!r}")
    out = np.asarray(p * (1.0 - smmr * mmf * ba * (1.0 - tnc / tmmr)))
    # The docs' price ignores the side; keep the broadcast shape a side array would give.
    return v.scalar_or_array(np.broadcast_to(out, np.broadcast_shapes(out.shape, s.shape)).copy())


@v.renames(entry_price="p")
def liquidation_price(
    e: ArrayLike, s: ArrayLike, p: ArrayLike, mmf: ArrayLike, mmr_o: ArrayLike = 0.0
) -> Any:
    """The docs' liquidation price ``p' = (e - s*p - MMR_o) / (|s|*MMF - s)`` (vectorized).

    Equity ``e`` at price ``p`` falls to the requirement ``MMR_o + |s| p' MMF`` at ``p'``. This
    is the core's isolated liquidation price with the position "entered" at ``p`` and collateral
    ``e - MMR_o``, so it delegates to :func:`liqlib.liquidation_price`.

    Parameters
    ----------
    e : float or array
        Account equity (total net collateral) at price ``p``, USDC.
    s : float or array
        Signed position size in coins (negative: short), non-zero.
    p : float or array
        Current oracle price (the docs' "original price"), USDC per coin (> 0).
    mmf : float or array
        The position's maintenance margin fraction in (0, 1) (a scalar).
    mmr_o : float or array
        Maintenance requirement of the other positions, held at current prices (cross margin).

    Returns
    -------
    float or ndarray
        ``nan`` where no positive price liquidates the position.

    References
    ----------
    dYdX docs, "Liquidations" (v4-documentation @ 3e475b7), "Isolated Liquidation Price" and
    "Cross Liquidation Price": 3,174.60 and 3,380.95 below.

    Examples
    --------
    >>> round(liquidation_price(1_000, -3, 3_000, 0.05), 2)
    3174.6
    >>> round(liquidation_price(1_000, -1.5, 3_000, 0.05, mmr_o=175), 2)
    3380.95
    """
    size = v.as_float("s", s)
    if np.any(size == 0):
        raise ValueError("s must be a non-zero signed position size")
    rate = v.one("mmf", v.rate("mmf", mmf, allow_zero=False))
    # the other positions' maintenance requirement: a negative one is no requirement
    collateral = v.as_float("e", e) - v.nonnegative("mmr_o", mmr_o)
    return _core_liquidation_price(
        np.sign(size), np.abs(size), p, collateral=collateral, mmr=rate
    ).price


@v.renames(entry_price="p")
def equity(e: ArrayLike, s: ArrayLike, p: ArrayLike, price: ArrayLike) -> Any:
    """Account equity after the price moves from ``p`` to ``price``: ``e + s (price - p)``.

    Examples
    --------
    The docs' check that equity at 3,174.6 is "5% of the notional value ... $476.2":

    >>> round(equity(1_000, -3, 3_000, 3_174.6), 1)
    476.2
    """
    size = v.as_float("s", s)
    if np.any(size == 0):
        raise ValueError("s must be a non-zero signed position size")
    return v.scalar_or_array(
        v.as_float("e", e) + np.asarray(pnl(np.sign(size), np.abs(size), p, price))
    )


def maintenance_margin_fraction(initial_margin_ppm: int, maintenance_fraction_ppm: int) -> Fraction:
    """``MMF = IMF x maintenance fraction`` of a liquidity tier (exact).

    References
    ----------
    ``GetMarginRequirementsInQuoteQuantums``; dYdX docs "Margin": reference tiers Large-Cap IMF 5%
    / MMF 3%, Mid-Cap 10% / 5%, Long-Tail 20% / 10%.

    Examples
    --------
    >>> maintenance_margin_fraction(50_000, 600_000)
    Fraction(3, 100)
    """
    imf = v.integer("initial_margin_ppm", initial_margin_ppm, low=0, high=ONE_MILLION)
    frac = v.integer("maintenance_fraction_ppm", maintenance_fraction_ppm, low=0, high=ONE_MILLION)
    return Fraction(imf * frac, ONE_MILLION**2)


@v.renames(initial_margin_rate="initial_margin_fraction")
def impact_notional(initial_margin_fraction: ArrayLike, margin: float = 500.0) -> Any:
    """Impact notional for the funding premium: ``500 USDC / IMF``.

    References
    ----------
    dYdX docs, "Funding" (``funding.mdx`` @ 85a2541): "Impact Notional Amount = 500 USDC /
    Initial Margin Fraction"; "at a 10% initial margin fraction ... 5,000 USDC". Computed by
    :func:`liqlib.prices.funding.impact_notional`.

    Examples
    --------
    >>> impact_notional(0.10)
    5000.0
    """
    return _mark_impact_notional(margin, initial_margin_fraction)


def funding_rate_cap(
    initial_margin_fraction: ArrayLike, maintenance_margin_fraction: ArrayLike
) -> Any:
    """Cap on the 8-hour funding rate, ``600% x (IMF - MMF)``.

    References
    ----------
    dYdX docs, "Funding" (``funding.mdx`` @ 85a2541): "The 8-hour rate cap is calculated by 600%
    * (Initial Margin - Maintenance Margin)", BTC "600% * (5% - 3%) = 12%". Computed by
    :func:`liqlib.prices.funding.margin_funding_cap`.

    Examples
    --------
    >>> round(funding_rate_cap(0.05, 0.03), 12)
    0.12
    """
    return _mark_margin_funding_cap(initial_margin_fraction, maintenance_margin_fraction, 6.0)
