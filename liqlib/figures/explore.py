"""Explorables: parameter sliders whose figures work on the static site with no kernel.

Each figure is drawn ahead of time for every grid value and held as an inline ``<img>`` (with alt
text) in an ``ipywidgets.HTML`` widget. The frames sit in an ``ipywidgets.Stack`` whose
``selected_index`` is linked in the browser (``jslink``) to a ``SelectionSlider``'s ``index``.
The built site embeds the widget state, so moving the slider swaps frames in JavaScript alone; in a
live notebook the same widget works unchanged. With two parameters an outer Stack holds one inner
Stack per value of the first parameter, and the second slider is linked to every inner Stack.

The figure function is plain Python (values in, Matplotlib figure out) and is tested without any
widget; :func:`render_frames` is the widget-free half of the work.

Drawing every frame is what the static site needs and most of a chapter's run time (about half a
second a frame). So the frames are drawn ahead only when the site is built (``make book`` sets
``LIQLIB_SITE_BUILD=1``, or ``precompute=True``). In a live kernel, a reader's JupyterLab or
nbval, the widget shows the initial frame at once and draws each other frame the first time a
slider reaches it (then keeps it), so the control works within a second whatever the grid.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from .plotting import figure_html


@dataclass(frozen=True)
class Parameter:
    """One slider: a name, the grid of values, their labels and the initial value."""

    name: str
    values: Sequence[Any]
    labels: Sequence[str] | None = None
    initial: Any = None

    def __post_init__(self) -> None:
        if len(self.values) == 0:
            raise ValueError(f"values of parameter {self.name!r} must not be empty")
        if self.labels is not None and len(self.labels) != len(self.values):
            raise ValueError(
                f"labels of parameter {self.name!r} must match its {len(self.values)} values, "
                f"got {len(self.labels)}"
            )
        if self.initial is not None and self.initial not in list(self.values):
            raise ValueError(f"initial of parameter {self.name!r} must be one of its values")

    @property
    def option_labels(self) -> list[str]:
        return list(self.labels) if self.labels is not None else [f"{x:g}" for x in self.values]

    @property
    def initial_index(self) -> int:
        return 0 if self.initial is None else list(self.values).index(self.initial)


#: Set (to anything but "" or "0") by ``make book``: explorables draw every frame ahead.
SITE_BUILD_VARIABLE = "LIQLIB_SITE_BUILD"


def building_site() -> bool:
    """True when the chapter runs for the static site (every frame must be drawn ahead)."""
    return os.environ.get(SITE_BUILD_VARIABLE, "") not in ("", "0")


def render_frames(
    draw: Callable[..., Figure],
    parameters: Sequence[Parameter],
    alt: Callable[..., str],
    dpi: int = 80,
    colors: int | None = 64,
) -> list[Any]:
    """Draw every frame: a list of HTML strings (one parameter) or a list of such lists (two).

    ``draw`` and ``alt`` take the parameter values positionally, in order.
    """
    if not 1 <= len(parameters) <= 2:
        raise ValueError(f"parameters must hold one or two Parameter, got {len(parameters)}")
    first = parameters[0]
    if len(parameters) == 1:
        return [figure_html(draw(x), alt(x), dpi, colors) for x in first.values]
    second = parameters[1]
    return [
        [figure_html(draw(x, y), alt(x, y), dpi, colors) for y in second.values]
        for x in first.values
    ]


def explorable(
    draw: Callable[..., Figure],
    parameters: Sequence[Parameter],
    alt: Callable[..., str],
    *,
    dpi: int = 80,
    colors: int | None = 64,
    precompute: bool | None = None,
) -> Any:
    """A widget of one or two sliders over figures: every frame precomputed for the static site
    (no kernel), or drawn on demand in a live kernel.

    Parameters
    ----------
    draw : callable
        ``draw(x)`` or ``draw(x, y)`` returning a Matplotlib ``Figure``.
    parameters : sequence of Parameter
        One or two sliders.
    alt : callable
        ``alt(x)`` or ``alt(x, y)`` returning the alt text of that frame (what it shows).
    dpi : int
        Resolution of the frames (80 keeps a page with an explorable light).
    colors : int or None
        Palette size of each frame's PNG (see :func:`liqlib.figures.plotting.figure_png`); ``None``
        stores full colour.
    precompute : bool or None
        Draw every frame now (the static site needs them all) or only the initial one, the others
        when a slider first reaches them (a live kernel). ``None``: precompute when the site is
        being built (:func:`building_site`).

    Returns
    -------
    ipywidgets.VBox
        Sliders above the stacked frames.
    """
    import ipywidgets as w

    if not 1 <= len(parameters) <= 2:
        raise ValueError(f"parameters must hold one or two Parameter, got {len(parameters)}")
    if precompute is None:
        precompute = building_site()
    start = tuple(p.initial_index for p in parameters)

    def frame(index: tuple[int, ...]) -> str:
        values = [p.values[i] for p, i in zip(parameters, index, strict=True)]
        return figure_html(draw(*values), alt(*values), dpi, colors)

    sliders = [
        w.SelectionSlider(
            options=p.option_labels,
            index=p.initial_index,
            description=p.name,
            continuous_update=True,
            style={"description_width": "initial"},
            layout=w.Layout(width="90%"),
        )
        for p in parameters
    ]
    if precompute:
        frames = render_frames(draw, parameters, alt, dpi, colors)
        # one row per value of the first parameter, one cell per value of the second (or one)
        cells = frames if len(parameters) == 2 else [[frame] for frame in frames]
    else:
        # Only the initial frame now; the rest are empty until a slider reaches them.
        shape = [len(p.values) for p in parameters] + ([1] if len(parameters) == 1 else [])
        cells = [["" for _ in range(shape[1])] for _ in range(shape[0])]
        row, col = (start[0], 0) if len(parameters) == 1 else start
        cells[row][col] = frame(start)
    html = [[w.HTML(h) for h in row] for row in cells]
    if len(parameters) == 1:
        widgets = [row[0] for row in html]
        stack = w.Stack(widgets, selected_index=start[0])
        w.jslink((sliders[0], "index"), (stack, "selected_index"))
    else:
        inner = [w.Stack(row, selected_index=start[1]) for row in html]
        stack = w.Stack(inner, selected_index=start[0])
        w.jslink((sliders[0], "index"), (stack, "selected_index"))
        for child in inner:
            w.jslink((sliders[1], "index"), (child, "selected_index"))
    if not precompute:

        def draw_on_demand(_: Any = None) -> None:
            index = tuple(slider.index for slider in sliders)
            target = html[index[0]][0] if len(parameters) == 1 else html[index[0]][index[1]]
            if not target.value:
                target.value = frame(index)

        for slider in sliders:
            slider.observe(draw_on_demand, names="index")
    return w.VBox([*sliders, stack])
