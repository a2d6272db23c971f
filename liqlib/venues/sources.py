"""The pages each venue module implements, as data: exact URL, read date and what each is for.

The command line (``liqlib compare``, ``liqlib liq-price``) prints these; the venue modules'
References cite the same pages; the book's mechanics table can read them. One :class:`Source` per
page, in :data:`SOURCES` by venue; :func:`sources` selects by venue and by the function that uses
the page.

Examples
--------
>>> [s.url for s in sources("bybit", "roe")]
['https://help.bybit.com/hc/en-us/articles/360027239453-How-to-calculate-unrealised-P-L-and-does-increasing-leverage-also-increases-my-profits-']
>>> all(s.url.startswith("https://") for ss in SOURCES.values() for s in ss)
True
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import _validate as v

__all__ = ["SOURCES", "Source", "sources"]


@dataclass(frozen=True)
class Source:
    """One cited page.

    Attributes
    ----------
    title : str
        The page's title, as the venue writes it.
    url : str
        The exact page (https).
    read : str
        When it was read (``YYYY-MM`` or ``YYYY-MM-DD``), and from which copy if not the page.
    purpose : str
        What the library takes from it.
    used_by : tuple of str
        Interface entry points (``liquidation_price``, ``maintenance_margin``, ``roe``, ...) and
        venue-module functions that implement it.
    """

    title: str
    url: str
    read: str
    purpose: str
    used_by: tuple[str, ...] = ()


_LIQ = ("liquidation_price", "bankruptcy_price")

SOURCES: dict[str, tuple[Source, ...]] = {
    "binance": (
        Source(
            "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
            "https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-of-usd%E2%93%A2-m-futures-contracts-b3c689c1f50a44cabb3a84e663b81d93",
            "2026-11 (versions of 2020-06 and 2020-08, the en-NG copy and 2026 mirrors)",
            "the liquidation price formula (one-way, hedge, cross, isolated) and its examples",
            (*_LIQ, "maintenance_margin", "max_leverage"),
        ),
        Source(
            "How to Calculate Liquidation Price of COIN-M Futures Contracts",
            "https://www.binance.com/es-MX/support/faq/how-to-calculate-liquidation-price-of-coin-m-futures-contracts-ceccfcfb4e3a45e3b48b0b1bb1a8ae46",
            "2026-11",
            "the inverse (COIN-M) liquidation price and its example",
            _LIQ,
        ),
        Source(
            "Mark Price and Price Index",
            "https://www.binance.com/en/support/faq/fff6ec1b3f5845d19f1fb924644a0877",
            "2026-11",
            "the mark price",
            ("mark_price",),
        ),
        Source(
            "Introduction to Binance Futures Funding Rates",
            "https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031",
            "2026-11",
            "premium index, interest, clamp and the funding rate",
            ("funding_rate", "premium_index"),
        ),
        Source(
            "What Is Auto-Deleveraging (ADL) and How Does It Work",
            "https://www.binance.com/zh-CN/support/announcement/360033525471",
            "2026-11",
            "the ADL ranking",
            ("adl_ranking", "leverage_pnl"),
        ),
    ),
    "bybit": (
        Source(
            "Liquidation Price (USDT Contract)",
            "https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-USDT-Contract",
            "2026-11 (examples 2 and 3 from a verbatim copy of the page)",
            "the linear liquidation price, maintenance at entry, and its three examples",
            (*_LIQ, "maintenance_margin"),
        ),
        Source(
            "Liquidation Price Calculation under Isolated Mode (Unified Trading Account)",
            "https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-Calculation-under-Isolated-Mode-Unified-Trading-Account",
            "2026-11 (the 2024 copy; the 2026 text from the kbybit.com mirror)",
            "the inverse isolated formula, 2026 (default) and 2024 (variant)",
            _LIQ,
        ),
        Source(
            "Margin Parameters",
            "https://www.bybitglobal.com/en/announcement-info/margin-parameters",
            "2026-11",
            "risk-limit tiers and the maintenance margin deduction",
            ("max_leverage", "maintenance_margin", "risk_limit_tiers"),
        ),
        Source(
            "How to calculate unrealised P&L and does increasing leverage also increases my "
            "profits?",
            "https://help.bybit.com/hc/en-us/articles/360027239453-How-to-calculate-unrealised-P-L-and-does-increasing-leverage-also-increases-my-profits-",
            "2026-12-03",
            "P&L% = P&L / initial margin: the 312% (25x) and 624% (50x) example",
            ("roe", "pnl", "initial_margin"),
        ),
        Source(
            "Profit & Loss calculations (Inverse Contracts)",
            "https://testnet.bytick.com/en-US/help-center/s/article/Profit-Loss-calculations-Inverse-Contracts",
            "2026-11",
            "inverse average entry price, unrealized P&L and initial margin",
            ("pnl", "initial_margin", "inverse_unrealized_pnl"),
        ),
    ),
    "okx": (
        Source(
            "Tiered maintenance margin ratio rules",
            "https://www.okx.com/help/v-tiered-maintenance-margin-ratio-rules",
            "2026-12-03 (text of the 2025-05-16 update, okx.huicker.com mirror)",
            "liquidation when the margin ratio falls to 100%: equity at or below maintenance "
            "margin plus liquidation fees",
            (*_LIQ, "maintenance_margin"),
        ),
        Source(
            "Calculation of contract's profit and loss",
            "https://www.okx.com/help/iii-calculation-of-contract-profit-and-loss-6-20-2022",
            "2026-12-03",
            "P&L, P&L ratio (P&L / initial margin), initial and maintenance margin by contract",
            ("pnl", "roe", "initial_margin", "maintenance_margin"),
        ),
        Source(
            "Adjustment of Perpetual Swap Tiered Maintenance Margin Ratio Schedule (2019-05-28)",
            "https://www.okx.com/id/help/adjustment-of-perpetual-swap-tiered-maintenance-margin-ratio-schedule",
            "2026-11-24",
            "the coin-margined BTC swap tiers (BTC-USD-SWAP-2019)",
            ("max_leverage", "tier_lookup"),
        ),
        Source(
            "V. Forced Partial or Full Liquidation",
            "https://supdljgzdhc.okx.com/hc/en-us/articles/360020411711-V-Forced-Partial-or-Full-Liquidation",
            "2026-11-24 (okx.com-hosted legacy help centre)",
            "the legacy partial-liquidation rule and example",
            ("legacy_partial_liquidation_contracts",),
        ),
    ),
    "hyperliquid": (
        Source(
            "Liquidations",
            "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations",
            "2026-11-24 (copy dzmbs/hyperliquid-docs @ 14ba3d4)",
            "the liquidation price formula, partial and backstop liquidation",
            (*_LIQ, "maintenance_margin"),
        ),
        Source(
            "Margin tiers",
            "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers",
            "2026-11-24 (same copy)",
            "maintenance rate 1/(2 x max leverage) and the mainnet tiers",
            ("max_leverage", "maintenance_margin"),
        ),
        Source(
            "Auto-deleveraging",
            "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging",
            "2026-11-24 (same copy)",
            "the ADL ranking",
            ("adl_sort_index",),
        ),
        Source(
            "Funding",
            "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/funding",
            "2026-11-24 (same copy)",
            "hourly funding, premium and cap",
            ("funding_rate",),
        ),
    ),
    "dydx": (
        Source(
            "Liquidations (dYdX v4 documentation)",
            "https://docs.dydx.xyz/concepts/trading/liquidations",
            "2026-11 (v4-documentation @ 3e475b7)",
            "the isolated and cross liquidation price formulas and their examples",
            (*_LIQ, "maintenance_margin"),
        ),
        Source(
            "dydxprotocol/v4-chain @ 84d4664 (protocol/x/clob/keeper/liquidations.go, "
            "protocol/lib/quantums.go, protocol/x/perpetuals/lib/lib.go)",
            "https://github.com/dydxprotocol/v4-chain/tree/84d4664bae71e3a077adaac67fb77ad19cd28d30",
            "2026-03-04 commit, read 2026-11",
            "the protocol's integer arithmetic: bankruptcy and fillable prices, quantums",
            ("bankruptcy_price_in_quote_quantums", "fillable_price", "base_to_quote_quantums"),
        ),
    ),
    "bitmex": (
        Source(
            "Liquidation",
            "https://www.bitmex.com/app/liquidation",
            "2026-11",
            "liquidation and bankruptcy prices, maintenance margin with fees and funding",
            (*_LIQ, "maintenance_margin"),
        ),
        Source(
            "Fair Price Marking",
            "https://www.bitmex.com/app/fairPriceMarking",
            "2026-11-24",
            "the mark (fair) price of perpetuals and futures",
            ("fair_price",),
        ),
        Source(
            "Auto-Deleveraging",
            "https://www.bitmex.com/app/autoDeleveraging",
            "2026-11",
            "the ADL ranking (PnL% x effective leverage) and its example",
            ("adl_ranking",),
        ),
    ),
    "deribit": (
        Source(
            "11 January 2022 (margin changes)",
            "https://support.deribit.com/hc/en-us/articles/25944826427293-11-January-2022",
            "2026-11-24",
            "futures initial and maintenance margin rates by size, liquidation fees",
            (*_LIQ, "maintenance_margin", "max_leverage"),
        ),
        Source(
            "Portfolio Margin",
            "https://support.deribit.com/hc/en-us/articles/25944756247837-Portfolio-Margin",
            "2026-11",
            "the current portfolio-margin scenario grid",
            ("portfolio_margin",),
        ),
        Source(
            "General documentation (legacy): Fees, Portfolio Margin",
            "https://www.deribit.com/pages/docs",
            "2026-11",
            "legacy liquidation fees and portfolio-margin parameters",
            ("liquidation_fee", "portfolio_margin"),
        ),
    ),
    "gmx": (
        Source(
            "gmx-synthetics contracts/position/PositionUtils.sol (isPositionLiquidatable)",
            "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/contracts/position/PositionUtils.sol",
            "2026-12-03 (commit a5c0c88 of 2026-03-13)",
            "the liquidation check: remaining collateral against the minimum collateral",
            (*_LIQ, "maintenance_margin", "is_position_liquidatable", "max_leverage"),
        ),
        Source(
            "gmx-synthetics config/markets.ts (baseMarketConfig)",
            "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/config/markets.ts",
            "2026-12-03 (commit a5c0c88)",
            "default factors: min collateral 1%, position fees, liquidation fee 0.20%, impact cap",
            ("maintenance_margin", "max_leverage", "liquidation_fee_usd", "position_fee_usd"),
        ),
        Source(
            "gmx-synthetics contracts/pricing/PositionPricingUtils.sol (getLiquidationFees)",
            "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/contracts/pricing/PositionPricingUtils.sol",
            "2026-12-03 (commit a5c0c88)",
            "the liquidation fee",
            ("liquidation_fee_usd",),
        ),
        Source(
            "gmx-synthetics test/exchange/LiquidationOrder.ts",
            "https://github.com/gmx-io/gmx-synthetics/blob/a5c0c8835182cbd84e47dca04b971239311d2f1d/test/exchange/LiquidationOrder.ts",
            "2026-12-03 (commit a5c0c88)",
            "test vector: a 40x WETH-collateral long survives 4,200 and is liquidated at 4,000",
            _LIQ,
        ),
        Source(
            "gmx-interface sdk/src/utils/positions.ts (getLiquidationPrice)",
            "https://github.com/gmx-io/gmx-interface/blob/b9ed9d2dfda70c7abbe92952b8ec9efe43abfdf5/sdk/src/utils/positions.ts",
            "2026-12-03 (commit b9ed9d2)",
            "GMX's own front end's liquidation-price closed form (the library solves the same)",
            _LIQ,
        ),
    ),
    "synthetix": (
        Source(
            "synthetix-v3 perps-market PerpsMarketConfiguration.sol",
            "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsMarketConfiguration.sol",
            "2026-12-03 (commit 23585f7 of 2025-06-12)",
            "skew-scaled margins, liquidation amount per window, flag reward",
            ("maintenance_margin", "max_leverage", "calculate_required_margins",
             "max_liquidation_amount_in_window"),
        ),
        Source(
            "synthetix-v3 perps-market PerpsAccount.sol",
            "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsAccount.sol",
            "2026-12-03 (commit 23585f7)",
            "eligibility (maintenance + reward > available margin), flag and liquidation rewards",
            (*_LIQ, "is_eligible_for_liquidation", "liquidation_reward"),
        ),
        Source(
            "synthetix-v3 perps-market GlobalPerpsMarketConfiguration.sol",
            "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/GlobalPerpsMarketConfiguration.sol",
            "2026-12-03 (commit 23585f7)",
            "keeper reward and its minimum and maximum caps",
            ("keeper_reward", "liquidation_reward"),
        ),
        Source(
            "synthetix-v3 perps-market PerpsMarket.sol",
            "https://github.com/Synthetixio/synthetix-v3/blob/23585f73c76d625b2a43aaf94dc440a8a1e7a8fa/markets/perps-market/contracts/storage/PerpsMarket.sol",
            "2026-12-03 (commit 23585f7)",
            "the liquidation limit per window (maxLiquidatableAmount)",
            ("max_liquidatable_amount", "current_liquidation_capacity"),
        ),
    ),
}


def sources(venue: str, used_by: str | None = None) -> tuple[Source, ...]:
    """The pages of ``venue``, or only those used by ``used_by`` (all of them if none is).

    Raises
    ------
    ValueError
        Unknown ``venue``.
    """
    if not isinstance(venue, str) or venue not in SOURCES:
        error = ValueError if isinstance(venue, str) else v.ArgumentTypeError
        raise error(f"venue must be one of {', '.join(SOURCES)}, got {venue!r}")
    pages = SOURCES[venue]
    if used_by is None:
        return pages
    chosen = tuple(s for s in pages if used_by in s.used_by)
    return chosen or pages
