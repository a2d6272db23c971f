"""Explorables: frames drawn without widgets, and the widget wiring that runs with no kernel."""

from __future__ import annotations

import base64
import re

import pytest

from liqlib.figures import explore, new_figure


def _draw(x: float, y: float = 0.0):
    fig, ax = new_figure(3, 2)
    ax.plot([0, 1], [x, y])
    return fig


def test_render_frames_gives_one_img_with_alt_per_value() -> None:
    frames = explore.render_frames(
        _draw, [explore.Parameter("x", [1, 2, 3])], alt=lambda x: f"x={x}"
    )
    assert len(frames) == 3
    for value, frame in zip([1, 2, 3], frames, strict=True):
        assert f'alt="x={value}"' in frame
        payload = re.search(r'base64,([^"]+)"', frame).group(1)
        assert base64.b64decode(payload).startswith(b"\x89PNG")
    assert frames[0] != frames[1]


def test_two_parameters_give_a_grid() -> None:
    frames = explore.render_frames(
        _draw,
        [explore.Parameter("x", [1, 2]), explore.Parameter("y", [0, 1, 2])],
        alt=lambda x, y: f"{x},{y}",
    )
    assert [len(row) for row in frames] == [3, 3]


def test_alt_text_is_escaped() -> None:
    frame = explore.render_frames(_draw, [explore.Parameter("x", [1])], alt=lambda x: 'a "b" <c>')[
        0
    ]
    assert 'alt="a &quot;b&quot; &lt;c&gt;"' in frame


def test_widget_links_sliders_to_stacks() -> None:
    """jslink runs in the browser only, so check the Link models that the page state embeds."""
    widgets = pytest.importorskip("ipywidgets")
    from ipywidgets.widgets.widget import _instances
    from ipywidgets.widgets.widget_link import Link

    box = explore.explorable(
        _draw,
        [explore.Parameter("x", [1, 2], initial=2), explore.Parameter("y", [0, 1])],
        alt=lambda x, y: "f",
    )
    slider_x, slider_y, stack = box.children
    assert isinstance(stack, widgets.Stack) and stack.selected_index == 1
    assert slider_x.index == 1 and slider_y.index == 0
    links = [w for w in _instances.values() if isinstance(w, Link)]
    pairs = {
        (id(link.source[0]), link.source[1], id(link.target[0]), link.target[1]) for link in links
    }
    assert (id(slider_x), "index", id(stack), "selected_index") in pairs
    for inner in stack.children:
        assert isinstance(inner, widgets.Stack) and len(inner.children) == 2
        assert (id(slider_y), "index", id(inner), "selected_index") in pairs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": []}, "must not be empty"),
        ({"values": [1, 2], "labels": ["a"]}, "labels"),
        ({"values": [1, 2], "initial": 3}, "initial"),
    ],
)
def test_parameter_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        explore.Parameter("p", **kwargs)


def test_palette_frames_are_smaller_and_look_the_same() -> None:
    import io

    import numpy as np
    from PIL import Image

    from liqlib.figures import figure_png

    def chart() -> object:
        fig, ax = new_figure()
        x = np.linspace(0, 10, 200)
        ax.plot(x, np.sin(x))
        ax.fill_between(x, 0, np.cos(x), alpha=0.2)
        return fig

    full, small = figure_png(chart(), 80), figure_png(chart(), 80, colors=64)
    assert len(small) < 0.5 * len(full)
    a = np.asarray(Image.open(io.BytesIO(full)).convert("RGB"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), dtype=float)
    assert a.shape == b.shape and np.abs(a - b).mean() < 2.0  # out of 255
    with pytest.raises(ValueError, match="colors"):
        figure_png(chart(), 80, colors=1)


def _counting_draw(calls: list[tuple[float, ...]]):
    def draw(*values: float):
        calls.append(values)
        return _draw(*values)

    return draw


def _frames(widget):
    # The HTML widgets behind the stack: a flat list (one slider) or rows (two).
    stack = widget.children[-1]
    return [[c.value for c in child.children] if hasattr(child, "children") and child.children
            else child.value for child in stack.children]


def test_live_kernel_draws_the_initial_frame_only_then_each_frame_once_on_demand() -> None:
    calls: list[tuple[float, ...]] = []
    param = explore.Parameter("x", [1, 2, 3], initial=2)
    widget = explore.explorable(_counting_draw(calls), [param], alt=str, precompute=False)
    assert calls == [(2,)]
    frames = _frames(widget)
    assert frames[0] == "" and frames[2] == "" and 'alt="2"' in frames[1]
    widget.children[0].index = 2          # the reader moves the slider to 3
    assert calls == [(2,), (3,)] and 'alt="3"' in _frames(widget)[2]
    widget.children[0].index = 1          # back to a frame already drawn: not drawn again
    widget.children[0].index = 2
    assert calls == [(2,), (3,)]


def test_two_sliders_draw_the_frame_they_point_at() -> None:
    calls: list[tuple[float, ...]] = []
    params = [explore.Parameter("x", [1, 2]), explore.Parameter("y", [0, 5, 9])]
    widget = explore.explorable(_counting_draw(calls), params, alt=lambda x, y: f"{x};{y}",
                                precompute=False)
    assert calls == [(1, 0)]
    widget.children[1].index = 2
    widget.children[0].index = 1
    assert calls == [(1, 0), (1, 9), (2, 9)]
    assert 'alt="2;9"' in _frames(widget)[1][2]


def test_site_build_draws_every_frame_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[float, ...]] = []
    monkeypatch.setenv(explore.SITE_BUILD_VARIABLE, "1")
    widget = explore.explorable(_counting_draw(calls), [explore.Parameter("x", [1, 2, 3],
                                                                          initial=3)], alt=str)
    assert sorted(calls) == [(1,), (2,), (3,)]
    frames = _frames(widget)
    assert [f'alt="{x}"' in frame for x, frame in zip([1, 2, 3], frames, strict=True)] == [True] * 3
    assert widget.children[-1].selected_index == 2
    monkeypatch.setenv(explore.SITE_BUILD_VARIABLE, "0")
    assert not explore.building_site()
