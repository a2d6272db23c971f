"""liqlib: how derivatives venues liquidate leveraged positions, in code.

The library is layered like the book, and imports run one way, down this list:

* :mod:`liqlib.core`: contracts, tier tables, margin, liquidation and bankruptcy prices;
* :mod:`liqlib.prices`: averages, index and mark prices, funding, the perpetual, paths, options;
* :mod:`liqlib.engine`: order books, partial-liquidation and fee policies, ADL, the ledger and
  the :class:`~liqlib.engine.Engine`;
* :mod:`liqlib.venues`: each venue's documented formulas, one module per venue;
* :mod:`liqlib.systemic`: costs, who pays, cascades, insurance-fund sizing, fee burns;
* :mod:`liqlib.stress`: option books, mark-to-model and the gamma feedback loop;
* :mod:`liqlib.figures` (apart): the house style and the explorables.

``import liqlib`` loads only the core (NumPy), whose public names it re-exports; import the other
subpackages explicitly (``from liqlib.systemic import cascade``). SymPy models live in
:mod:`liqlib.core.symbolic`, which is imported only when asked for.
"""

from .core import (
    INVERSE,
    LINEAR,
    Account,
    ContractKind,
    CrossLiquidationResult,
    LiquidationResult,
    MarginState,
    Position,
    Side,
    Tier,
    TierTable,
    account_liquidation_prices,
    average_entry_price,
    bankruptcy_price,
    bracketed_root,
    cross_liquidation_price,
    effective_leverage,
    initial_margin,
    isolated_state,
    liquidation_price,
    maintenance_amounts,
    maintenance_margin,
    margin_ratio,
    notional,
    pnl,
    round_to_tick,
)

__all__ = [
    "INVERSE",
    "LINEAR",
    "Account",
    "ContractKind",
    "CrossLiquidationResult",
    "LiquidationResult",
    "MarginState",
    "Position",
    "Side",
    "Tier",
    "TierTable",
    "account_liquidation_prices",
    "average_entry_price",
    "bankruptcy_price",
    "bracketed_root",
    "cross_liquidation_price",
    "effective_leverage",
    "initial_margin",
    "isolated_state",
    "liquidation_price",
    "maintenance_amounts",
    "maintenance_margin",
    "margin_ratio",
    "notional",
    "pnl",
    "round_to_tick",
]

__version__ = "0.2.0"
