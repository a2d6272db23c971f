"""Explorables: parameter sliders whose figures work on the static site with no kernel.

Each figure is drawn ahead of time for every grid value and held as an inline ``<img>`` (with alt
text) in an ``ipywidgets.HTML`` widget. The frames sit in an ``ipywidgets.Stack`` whose
``selected_index`` is linked in the browser (``jslink``) to a ``SelectionSlider``'s ``index``.
The built site embeds the widget state, so moving the slider swaps frames in JavaScript alone; in a
live notebook the same widget works unchanged. With two parameters an outer Stack holds one inner
Stack per value of the first parameter, and the second slider is linked to every inner Stack.

The figure function is plain Python (values in, Matplotlib figure out) and is tested without any
widget; :func:`render_frames` is the widget-free half of the work.
"""

from __future__ import annotations

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
) -> Any:
    """A widget of one or two sliders over precomputed figures that works without a kernel.

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

    Returns
    -------
    ipywidgets.VBox
        Sliders above the stacked frames.
    """
    import ipywidgets as w

    frames = render_frames(draw, parameters, alt, dpi, colors)
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
    if len(parameters) == 1:
        stack = w.Stack([w.HTML(h) for h in frames], selected_index=parameters[0].initial_index)
        w.jslink((sliders[0], "index"), (stack, "selected_index"))
    else:
        inner = [
            w.Stack([w.HTML(h) for h in row], selected_index=parameters[1].initial_index)
            for row in frames
        ]
        stack = w.Stack(inner, selected_index=parameters[0].initial_index)
        w.jslink((sliders[0], "index"), (stack, "selected_index"))
        for child in inner:
            w.jslink((sliders[1], "index"), (child, "selected_index"))
    return w.VBox([*sliders, stack])
