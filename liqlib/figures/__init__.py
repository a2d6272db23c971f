"""Figures: the house plotting style and the kernel-free explorables (sliders over precomputed
frames).

Needs matplotlib and ipywidgets (the ``plot`` extra: ``pip install 'liqlib[plot]'``); nothing
else in liqlib imports it.
"""

try:
    import matplotlib  # noqa: F401  (checked here so the error says what to install)
except ImportError as error:  # pragma: no cover - the test venv has matplotlib
    raise ImportError(
        "liqlib.figures needs matplotlib (and ipywidgets for the explorables): "
        "pip install 'liqlib[plot]'"
    ) from error

from . import explore, plotting, prose  # noqa: E402
from .explore import (
    Parameter,
    building_site,
    explorable,
    render_frames,
)
from .plotting import (
    COLORS,
    amount_jump_figure,
    figure_html,
    figure_png,
    new_figure,
    position_tiers_alt,
    position_tiers_figure,
    rate_fit_figure,
    show,
    sqrt_cost_figure,
    tier_at_liquidation_figure,
    tier_envelope_figure,
    tier_table,
    use_house_style,
)
from .prose import MISSING, bps, markdown_table, money, num, pct  # noqa: E402

__all__ = [
    "bps",
    "building_site",
    "COLORS",
    "markdown_table",
    "MISSING",
    "money",
    "num",
    "pct",
    "prose",
    "explorable",
    "explore",
    "figure_html",
    "figure_png",
    "new_figure",
    "Parameter",
    "plotting",
    "render_frames",
    "show",
    "use_house_style",
    # margin tiers
    "amount_jump_figure",
    "position_tiers_alt",
    "position_tiers_figure",
    "rate_fit_figure",
    "sqrt_cost_figure",
    "tier_at_liquidation_figure",
    "tier_envelope_figure",
    "tier_table",
]
