"""Figures: the house plotting style and the kernel-free explorables (sliders over precomputed
frames).

Needs matplotlib and ipywidgets (the ``book`` extra); nothing else in liqlib imports it.
"""

from . import explore, plotting
from .explore import (
    Parameter,
    explorable,
    render_frames,
)
from .plotting import (
    COLORS,
    figure_html,
    figure_png,
    new_figure,
    use_house_style,
)

__all__ = [
    "COLORS",
    "explorable",
    "explore",
    "figure_html",
    "figure_png",
    "new_figure",
    "Parameter",
    "plotting",
    "render_frames",
    "use_house_style",
]
