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
import numpy as np
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


# --- margin tiers: the figures and tables of the chapter *Margin tiers* ---------------------------
# They take a tier table by duck typing (``floors``, ``mmrs``, ``cums``, ``maintenance_margin``,
# ``effective_mmr``, ``index`` and iteration over its brackets, as :class:`liqlib.TierTable` has):
# figures import nothing from the rest of the library.


def _thousands(ax: Any) -> None:
    ax.xaxis.set_major_formatter(lambda x, _: f"{x / 1e3:,.4g}k")


def tier_table(table: Any, *, cum: bool = True, last_cap: str | None = None) -> Any:
    """A tier table as Markdown, one row per bracket: floor, cap, rate, maximum leverage, amount.

    ``last_cap`` is printed as the last bracket's upper bound (a table's last bracket is open, a
    venue's often ends at a published cap); without it the cell shows a dash.

    >>> class T:  # any object with the fields of a TierTable's brackets
    ...     unit = "USDT"
    ...     def __iter__(self):
    ...         from types import SimpleNamespace as B
    ...         yield B(level=1, floor=0, cap=float("inf"), mmr=0.004, max_leverage=125, cum=0)
    >>> print(tier_table(T(), last_cap="50,000").data.splitlines()[2])
    | 1 | 0 | 50,000 | 0.40% | 125x | 0.00 |
    """
    from IPython.display import Markdown

    unit = getattr(table, "unit", "") or "notional"
    head = ["tier", f"from ({unit})", f"below ({unit})", "maintenance rate", "max leverage"]
    if cum:
        head.append(f"maintenance amount ({unit})")
    lines = ["| " + " | ".join(head) + " |", "|" + "--:|" * len(head)]
    for t in table:
        below = f"{t.cap:,.0f}" if t.cap != float("inf") else (last_cap or "—")
        row = [str(t.level), f"{t.floor:,.0f}", below, f"{t.mmr:.2%}", f"{t.max_leverage:g}x"]
        if cum:
            row.append(f"{t.cum:,.2f}")
        lines.append("| " + " | ".join(row) + " |")
    return Markdown("\n".join(lines))


def sqrt_cost_figure(
    y: float, sigma: float, rates: list[float], share: Any = None
) -> tuple[Figure, dict[float, float]]:
    """Cost of closing per unit of notional under the square-root law, ``2/3 Y sigma sqrt(N/V)``,
    against ``N/V``, with flat maintenance rates as horizontal lines marked where they stop
    covering it. Returns the figure and, per rate, the share of daily volume it covers,
    ``(3 m / (2 Y sigma))**2``."""
    share = np.geomspace(1e-4, 1.5, 400) if share is None else np.asarray(share, dtype=float)
    cost_rate = 2 / 3 * y * sigma * np.sqrt(share)
    covered = {rate: (3 * rate / (2 * y * sigma)) ** 2 for rate in rates}
    fig, ax = new_figure(7.0, 3.6)
    ax.plot(share, 100 * cost_rate, color=COLORS["liquidation"], label="cost of closing / notional")
    for rate, style in zip(rates, [":", "--", "-.", (0, (1, 3))], strict=False):
        ax.axhline(100 * rate, color=COLORS["margin"], ls=style, lw=1.2,
                   label=f"flat maintenance rate {rate:.1%}")
        ax.plot(covered[rate], 100 * rate, "o", color=COLORS["margin"])
        ax.annotate(f"covers up to {covered[rate]:.1%} of V", (covered[rate], 100 * rate),
                    xytext=(-112, 6), textcoords="offset points", fontsize=8)
    ax.set(xscale="log", xlabel="position notional N as a share of daily volume V",
           ylabel="% of notional", ylim=(0, 1.1 * 100 * max(cost_rate.max(), *rates)),
           title="Square-root impact: the cost per dollar rises with size; a flat rate does not")
    ax.xaxis.set_major_formatter(lambda x, _: f"{100 * x:g}%")
    ax.legend(loc="upper left")
    return fig, covered


def tier_envelope_figure(table: Any, top: float) -> Figure:
    """Left: each bracket's line ``N m_n - c_n`` and the maintenance margin, their upper
    envelope, from 0 to ``top``; right: the bracket's rate (a staircase) and the effective rate
    ``MM(N)/N``."""
    grid = np.linspace(0, top, 1_001)
    fig, (ax, rate_ax) = new_figure(10.0, 3.8, ncols=2)
    for t, style in zip(table, [":", "--", "-.", (0, (1, 3))], strict=False):
        ax.plot(grid, t.maintenance_margin(grid), style, lw=1.1, color=COLORS["neutral"],
                label=f"bracket {t.level} line: {t.mmr:.1%} × N − {t.cum:,.0f}")
    ax.plot(grid, table.maintenance_margin(grid), color=COLORS["margin"], lw=2.4, alpha=0.8,
            label="maintenance margin (the highest line)")
    for floor in table.floors[1:]:
        ax.axvline(floor, color=COLORS["neutral"], lw=0.6)
    ax.set(xlabel=f"notional ({table.unit})", ylabel=table.unit,
           ylim=(-200, 1.1 * float(table.maintenance_margin(top))),
           title=f"{table.name}: maintenance margin is the upper envelope")
    ax.legend(loc="upper left", fontsize=8)
    rates = np.append(table.mmrs, table.mmrs[-1])
    rate_ax.step(list(table.floors) + [top], 100 * rates, where="post", color=COLORS["neutral"],
                 label="rate of the bracket")
    rate_ax.plot(grid[1:], 100 * table.effective_mmr(grid[1:]), color=COLORS["margin"],
                 label="effective rate MM(N) / N")
    rate_ax.set(xlabel=f"notional ({table.unit})", ylabel="% of notional",
                ylim=(0.75 * 100 * table.mmrs[0], 1.1 * 100 * table.mmrs[-1]),
                title="Bracket rate and effective rate")
    rate_ax.legend(loc="lower right", fontsize=8)
    for a in (ax, rate_ax):
        _thousands(a)
    return fig


def amount_jump_figure(
    table: Any, low: float, high: float, equity: float, points: list[tuple[float, str]]
) -> Figure:
    """Maintenance margin between ``low`` and ``high`` with the table's maintenance amounts and
    without them (each bracket's rate on the whole notional), the account's ``equity`` as a line,
    and the positions ``points`` (notional, marker) on both schedules."""
    near = np.linspace(low, high, 2_001)
    fig, ax = new_figure(7.0, 3.6)
    ax.plot(near, table.maintenance_margin(near), color=COLORS["margin"],
            label="with the maintenance amount (continuous)")
    bracket = np.asarray(table.index(near))
    without = near * table.mmrs[bracket]
    for k, i in enumerate(np.unique(bracket)):
        part = bracket == i
        ax.plot(near[part], without[part], "--", color=COLORS["liquidation"],
                label="rate on the whole notional, no amount" if k == 0 else None)
    ax.axhline(equity, color=COLORS["equity"], lw=1.2,
               label=f"equity of the account, {equity:,.0f} {table.unit}")
    for n, marker in points:
        rate = table.mmrs[int(table.index(n))]
        ax.plot(n, n * rate, marker, color=COLORS["liquidation"], ms=6)
        ax.plot(n, table.maintenance_margin(n), marker, color=COLORS["margin"], ms=6)
    for floor in table.floors[(table.floors > low) & (table.floors < high)]:
        ax.axvline(floor, color=COLORS["neutral"], lw=0.6)
    ax.set(xlabel=f"notional ({table.unit})", ylabel=f"maintenance margin ({table.unit})",
           ylim=(0.8 * float(table.maintenance_margin(low)), 1.4 * equity))
    _thousands(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def tier_at_liquidation_figure(
    prices: Any,
    equity: Any,
    mm_tiers: Any,
    mm_entry_line: Any,
    floor_price: float,
    marks: list[tuple[float, float, str]],
    zoom: tuple[float, float, float, float],
    *,
    unit: str = "USDC",
    title: str = "",
) -> Figure:
    """Equity and maintenance margin (in millions) against the mark price, with the entry
    bracket's line carried past the floor (dashed); right, an enlarged window ``zoom = (x0, x1,
    y0, y1)`` with the liquidation prices ``marks`` (price, equity there, label) marked."""
    fig, (ax, zax) = new_figure(10.0, 3.8, ncols=2)
    for a in (ax, zax):
        a.plot(prices, np.asarray(equity) / 1e6, color=COLORS["equity"],
               label="equity of the position")
        a.plot(prices, np.asarray(mm_tiers) / 1e6, color=COLORS["margin"],
               label="maintenance margin (tiers)")
        a.plot(prices, np.asarray(mm_entry_line) / 1e6, "--", color=COLORS["margin"],
               label="entry bracket's line, kept")
        a.axvline(floor_price, color=COLORS["neutral"], lw=0.6)
        a.xaxis.set_major_formatter("{x:,.0f}")
    for k, (price, eq, text) in enumerate(marks):
        zax.plot(price, eq / 1e6, "o", color=COLORS["liquidation"])
        zax.annotate(f"{text}: {price:,.2f}", (price, eq / 1e6), fontsize=8,
                     ha="right" if k == 0 else "left",
                     xytext=(-6, 10) if k == 0 else (8, 4), textcoords="offset points")
    ax.set(xlabel=f"mark price ({unit})", ylabel=f"million {unit}",
           ylim=(0, 1.05 * float(np.max(equity)) / 1e6), title=title)
    ax.annotate("tier floor", (floor_price, 0.6 * float(np.max(equity)) / 1e6), xytext=(4, 0),
                textcoords="offset points", fontsize=8)
    ax.legend(loc="upper right", fontsize=8)
    x0, x1, y0, y1 = zoom
    zax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=f"mark price ({unit})",
            title="enlarged near the liquidation prices")
    return fig


def position_tiers_figure(
    table: Any,
    size: float,
    leverage: float,
    entry: float,
    long: Any,
    short: Any,
    grid: Any,
) -> Figure:
    """One frame of the chapter's explorable: the maintenance margin (left) and the bracket and
    effective rates (right) against notional on log axes, with the position's notional at
    ``entry`` and at the ``long``'s and the ``short``'s liquidation prices (results with ``price``
    and ``tier``) marked."""
    marks = [(size * entry, "entry", COLORS["entry"], "o"),
             (size * long.price, "long liquidated", COLORS["long"], "v"),
             (size * short.price, "short liquidated", COLORS["short"], "^")]
    grid = np.asarray(grid, dtype=float)
    fig, (ax, rate_ax) = new_figure(7.0, 2.7, ncols=2)
    ax.plot(grid, table.maintenance_margin(grid), color=COLORS["margin"])
    floors = [f for f in table.floors[1:] if grid[0] < f < grid[-1]]
    rates = table.mmrs[np.asarray(table.index(np.array([grid[0], *floors])))]
    rate_ax.step([grid[0], *floors, grid[-1]], 100 * np.append(rates, rates[-1]), where="post",
                 color=COLORS["neutral"], lw=1, label="bracket rate")
    rate_ax.plot(grid, 100 * table.effective_mmr(grid), color=COLORS["margin"],
                 label="effective rate")
    for n, label, color, marker in marks:
        ax.plot(n, table.maintenance_margin(n), marker, color=color, ms=6, label=label)
        rate_ax.plot(n, 100 * table.effective_mmr(n), marker, color=color, ms=6)
    for a in (ax, rate_ax):
        for floor in floors:
            a.axvline(floor, color=COLORS["neutral"], lw=0.5)
        a.set(xscale="log", xlabel=f"notional ({table.unit})")
    ax.set(yscale="log", ylabel=f"maintenance margin ({table.unit})")
    ax.legend(loc="upper left", fontsize=7)
    rate_ax.set(ylabel="% of notional",
                ylim=(0.75 * 100 * rates[0], 1.1 * 100 * rates[-1]))
    rate_ax.legend(loc="lower right", fontsize=7)
    fig.suptitle(f"{size:g} at {entry:,.0f} with {leverage:g}x: the long is liquidated at "
                 f"{long.price:,.0f} (tier {long.tier}), the short at {short.price:,.0f} "
                 f"(tier {short.tier})", fontsize=9)
    return fig


def position_tiers_alt(
    table: Any, size: float, leverage: float, entry: float, long: Any, short: Any
) -> str:
    """The alt text of :func:`position_tiers_figure`'s frame: what it shows, in numbers."""
    n0 = size * entry
    level = int(table.index(n0)) + 1
    return (f"{table.name}, {size:g} at {entry:,.0f} ({n0:,.0f} {table.unit} of notional, tier "
            f"{level}) with {leverage:g}x. Maintenance margin at entry "
            f"{float(table.maintenance_margin(n0)):,.0f} {table.unit}, effective rate "
            f"{float(table.effective_mmr(n0)):.3%}. The long is liquidated at {long.price:,.2f} "
            f"(tier {long.tier}), the short at {short.price:,.2f} (tier {short.tier}).")


def rate_fit_figure(
    table: Any, grid: Any, fits: list[tuple[Any, str]], fit_range: tuple[float, float]
) -> Figure:
    """A published table's bracket rate and effective rate against notional (log-log), with
    fitted curves ``fits`` (values on ``grid``, label) and the range they were fitted on
    shaded; below, each fit's relative error against the effective rate."""
    grid = np.asarray(grid, dtype=float)
    effective = np.asarray(table.effective_mmr(grid))
    fig, (ax, err_ax) = _two_rows(7.0, 5.2)
    bracket = table.mmrs[np.asarray(table.index(grid))]
    ax.plot(grid, 100 * bracket, color=COLORS["neutral"], lw=1, label="rate of the bracket")
    ax.plot(grid, 100 * effective, color=COLORS["margin"], lw=2.2,
            label="effective rate MM(N) / N")
    for (values, label), style in zip(fits, ["--", ":", "-."], strict=False):
        values = np.asarray(values, dtype=float)
        ax.plot(grid, 100 * values, style, color=COLORS["liquidation"], lw=1.4, label=label)
        err_ax.plot(grid, 100 * (values / effective - 1), style, color=COLORS["liquidation"],
                    label=label)
    for a in (ax, err_ax):
        a.axvspan(*fit_range, color=COLORS["neutral"], alpha=0.08, lw=0)
        a.set(xscale="log")
    ax.set(yscale="log", ylabel="% of notional",
           title=f"{table.name}: does the maintenance rate grow like the square root of size?")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:g}%")
    ax.legend(loc="upper left", fontsize=8)
    err_ax.axhline(0, color=COLORS["neutral"], lw=0.8)
    err_ax.set(xlabel=f"position notional ({table.unit})",
               ylabel="fit / effective − 1 (%)")
    err_ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    return fig


def _two_rows(width: float, height: float) -> tuple[Figure, Any]:
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    return fig, axes
