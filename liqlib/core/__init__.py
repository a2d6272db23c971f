"""The core: contracts, tier tables, margin and the liquidation and bankruptcy prices.

Everything here needs only NumPy. ``contracts`` holds sides and the linear and inverse algebra;
``tiers`` bracket tables with their derived maintenance amounts; ``margin`` initial and maintenance
margin, equity and accounts; ``liquidation`` the liquidation and bankruptcy prices (vectorized, with
the tier at the liquidation price). :mod:`liqlib.core.symbolic` derives the same formulas with SymPy
and is not imported here, so that ``import liqlib`` stays light. ``_validate`` is the shared
validation layer every public function checks its input with.
"""

from . import contracts, liquidation, margin, tiers
from ._validate import ArgumentTypeError, DerivedRangeError, ShapeError
from .contracts import (
    INVERSE,
    LINEAR,
    ContractKind,
    Side,
    average_entry_price,
    contract_kind,
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
    THRESHOLD_RTOL,
    Account,
    Maintenance,
    MarginState,
    Position,
    effective_leverage,
    initial_margin,
    isolated_state,
    maintenance_margin,
    margin_ratio,
)
from .tiers import (
    Tier,
    TierTable,
    count_at_or_above,
    count_at_or_below,
    maintenance_amounts,
)

__all__ = [
    "Account",
    "ArgumentTypeError",
    "DerivedRangeError",
    "ShapeError",
    "account_liquidation_prices",
    "average_entry_price",
    "bankruptcy_price",
    "bracketed_root",
    "contract_kind",
    "ContractKind",
    "contracts",
    "count_at_or_above",
    "count_at_or_below",
    "cross_liquidation_price",
    "CrossLiquidationResult",
    "effective_leverage",
    "initial_margin",
    "INVERSE",
    "isolated_state",
    "LINEAR",
    "liquidation",
    "liquidation_price",
    "LiquidationResult",
    "Maintenance",
    "maintenance_amounts",
    "maintenance_margin",
    "margin",
    "margin_ratio",
    "MarginState",
    "notional",
    "pnl",
    "Position",
    "round_to_tick",
    "Side",
    "THRESHOLD_RTOL",
    "Tier",
    "tiers",
    "TierTable",
]
