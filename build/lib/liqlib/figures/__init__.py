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

from . import explore, plotting  # noqa: E402
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
