"""Option books under venue margin rules: portfolios, model marks and the gamma feedback loop.

The top layer: uses option pricing (:mod:`liqlib.prices`), Deribit's margin rules
(:mod:`liqlib.venues.deribit`), order books (:mod:`liqlib.engine`) and populations
(:mod:`liqlib.systemic`).
"""

from . import gamma, mark_to_model, option_portfolio
from .gamma import (
    PRIORITIES,
    RULES,
    STRATEGIES,
    AccountMargin,
    GammaCascadeResult,
    OptionAccounts,
    account_margin,
    feedback_multiplier,
    gamma_cascade,
    generate_option_accounts,
)
from .mark_to_model import (
    LIQUIDATED_RIGHTLY,
    LIQUIDATES_SOUND,
    SPARED_RIGHTLY,
    SPARES_BELOW_MAINTENANCE,
    SPARES_INSOLVENT,
    MarginCheck,
    MarkComparison,
    MarkResult,
    MarkRule,
    VolSurface,
    book_is_good,
    compare_marks,
    margin_check,
    mark_price,
)
from .option_portfolio import (
    OptionPortfolio,
    OptionPosition,
    PortfolioGreeks,
)

__all__ = [
    "account_margin",
    "AccountMargin",
    "book_is_good",
    "compare_marks",
    "feedback_multiplier",
    "gamma",
    "gamma_cascade",
    "GammaCascadeResult",
    "generate_option_accounts",
    "LIQUIDATED_RIGHTLY",
    "LIQUIDATES_SOUND",
    "margin_check",
    "MarginCheck",
    "mark_price",
    "mark_to_model",
    "MarkComparison",
    "MarkResult",
    "MarkRule",
    "option_portfolio",
    "OptionAccounts",
    "OptionPortfolio",
    "OptionPosition",
    "PortfolioGreeks",
    "PRIORITIES",
    "RULES",
    "SPARED_RIGHTLY",
    "SPARES_BELOW_MAINTENANCE",
    "SPARES_INSOLVENT",
    "STRATEGIES",
    "VolSurface",
]
