"""liqlib: how derivatives venues liquidate leveraged positions, in code.

The core (contracts, tiers, margin, liquidation) needs only NumPy. SymPy models live in
:mod:`liqlib.symbolic`, figures in :mod:`liqlib.plotting` and widgets in :mod:`liqlib.explore`;
import those submodules explicitly (``from liqlib import symbolic``) so that importing the core
stays light.
"""

from .contracts import (
    INVERSE,
    LINEAR,
    ContractKind,
    Side,
    average_entry_price,
    notional,
    pnl,
    round_to_tick,
)
from .liquidation import (
    CrossLiquidationResult,
    LiquidationResult,
    account_liquidation_prices,
    bankruptcy_price,
    bracketed_root,
    cross_liquidation_price,
    liquidation_price,
)
from .margin import (
    Account,
    MarginState,
    Position,
    effective_leverage,
    initial_margin,
    isolated_state,
    maintenance_margin,
    margin_ratio,
)
from .tiers import Tier, TierTable, maintenance_amounts

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

__version__ = "0.1.0"
