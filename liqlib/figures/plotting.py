"""One house style for every figure in the book.

Matplotlib is imported only here (and by :mod:`liqlib.figures.explore`), never by the core.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

#: Colours with a fixed meaning across chapters.
COLORS = {
    "entry": "#444444",
    "liquidation": "#d62728",
    "bankruptcy": "#7f0000",
    "mark": "#1f77b4",
    "long": "#2ca02c",
    "short": "#9467bd",
    "margin": "#ff7f0e",
    "equity": "#1f77b4",
    "neutral": "#7f7f7f",
}

_STYLE: dict[Any, Any] = {  # matplotlib types keys as a Literal of every rc name
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.size": 10,
    "lines.linewidth": 1.8,
}


def use_house_style() -> None:
    """Apply the book's Matplotlib style (call once per chapter)."""
    mpl.rcParams.update(_STYLE)


def new_figure(width: float = 6.4, height: float = 3.6, ncols: int = 1) -> tuple[Figure, Any]:
    """A figure in the house style that is not registered with pyplot (no implicit display).

    Such figures never pile up in pyplot's registry, which matters when an explorable draws
    hundreds of frames. To show one as a cell's result, run ``%matplotlib inline`` once in the
    notebook (it registers IPython's PNG formatter for every ``Figure``) and end the cell with it.
    """
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(1, ncols)
    return fig, axes


def figure_png(fig: Figure, dpi: int = 80, colors: int | None = None) -> bytes:
    """The figure as PNG bytes (PNG, not SVG: SVG output differs from run to run).

    ``colors`` (2-256) stores the image with a palette of that many colours instead of full
    RGBA: a line chart needs few, and an explorable embeds dozens of frames in one page, so
    64 colours make each frame about a third of the size with no visible change.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    if colors is None:
        return buf.getvalue()
    if not 2 <= colors <= 256:
        raise ValueError(f"colors must be an integer in [2, 256], got {colors!r}")
    from PIL import Image  # matplotlib's own dependency

    buf.seek(0)
    with Image.open(buf) as image:
        small = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def figure_html(fig: Figure, alt: str, dpi: int = 80, colors: int | None = None) -> str:
    """An ``<img>`` tag holding the figure inline, with its alt text (escaped)."""
    data = base64.b64encode(figure_png(fig, dpi, colors)).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
        'style="max-width:100%;height:auto"/>'
    )


def show(fig: Figure, dpi: int = 100) -> Any:
    """A house-style figure as an ``IPython.display.Image`` (PNG), for a chapter's code cell.

    The figure is closed once drawn (by :func:`figure_png`), so a chapter that draws many does
    not hold them all.
    """
    from IPython.display import Image

    return Image(figure_png(fig, dpi=dpi))
