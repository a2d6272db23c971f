"""The figures and tables of the chapter *Margin tiers* (liqlib.figures.plotting): each draws what
its docstring says from the table it is given."""

from __future__ import annotations

import math

import numpy as np
import pytest

from liqlib import TierTable, liquidation_price
from liqlib.figures import (
    amount_jump_figure,
    position_tiers_alt,
    position_tiers_figure,
    rate_fit_figure,
    sqrt_cost_figure,
    tier_at_liquidation_figure,
    tier_envelope_figure,
    tier_table,
)


@pytest.fixture
def btcusdt() -> TierTable:
    return TierTable([0, 50_000, 250_000], [0.004, 0.005, 0.01], [125, 100, 50],
                     name="BTCUSDT", unit="USDT")


def test_tier_table_rows_and_columns(btcusdt):
    lines = tier_table(btcusdt, last_cap="1,000,000 (published)").data.splitlines()
    assert len(lines) == 2 + len(btcusdt)
    assert lines[0].count("|") == 7                      # six columns with the amount
    assert lines[-1] == "| 3 | 250,000 | 1,000,000 (published) | 1.00% | 50x | 1,300.00 |"
    no_cum = tier_table(btcusdt, cum=False).data.splitlines()
    assert no_cum[0].count("|") == 6 and no_cum[-1].split("|")[3].strip() == "—"


def test_sqrt_cost_figure_covers_where_the_curve_crosses_each_rate():
    fig, covered = sqrt_cost_figure(1.0, 0.04, [0.005, 0.01])
    for rate, share in covered.items():
        assert math.isclose(2 / 3 * 0.04 * math.sqrt(share), rate)
    cost_line = fig.axes[0].lines[0]
    share, pct = cost_line.get_data()
    np.testing.assert_allclose(pct, 100 * 2 / 3 * 0.04 * np.sqrt(share))


def test_tier_envelope_figure_draws_the_maintenance_margin_as_the_highest_line(btcusdt):
    fig = tier_envelope_figure(btcusdt, 1_000_000)
    ax, rate_ax = fig.axes
    lines = ax.lines[: len(btcusdt)]
    envelope = ax.lines[len(btcusdt)]
    x, y = envelope.get_data()
    np.testing.assert_allclose(y, np.max([line.get_ydata() for line in lines], axis=0))
    np.testing.assert_allclose(y, btcusdt.maintenance_margin(x))
    x_eff, y_eff = rate_ax.lines[1].get_data()
    np.testing.assert_allclose(y_eff, 100 * btcusdt.effective_mmr(x_eff))


def test_amount_jump_figure_jumps_by_one_step_of_the_recursion(btcusdt):
    fig = amount_jump_figure(btcusdt, 240_000, 260_000, 2_000, [(250_000.0, "s")])
    ax = fig.axes[0]
    below, above = ax.lines[1], ax.lines[2]               # the no-amount schedule, in two pieces
    assert below.get_xdata().max() < 250_000 <= above.get_xdata().min()
    jump = above.get_ydata()[0] - 250_000 * 0.005
    assert math.isclose(jump, 250_000 * (0.01 - 0.005))


def test_tier_at_liquidation_figure_marks_each_price():
    prices = np.linspace(3_000, 3_600, 61)
    equity = 18e6 - 30_000 * (prices - 3_000)
    mm = 0.02 * 30_000 * prices
    fig = tier_at_liquidation_figure(prices, equity, mm, mm * 0.99, 3_333.33,
                                     [(3_526.88, 2.2e6, "a"), (3_529.41, 2.1e6, "b")],
                                     (3_515, 3_540, 2.0, 2.3), title="t")
    zoom = fig.axes[1]
    marked = [line.get_xdata()[0] for line in zoom.lines if len(line.get_xdata()) == 1]
    assert marked == [3_526.88, 3_529.41]
    assert zoom.get_xlim() == (3_515, 3_540)


def test_position_tiers_frame_and_alt_text(btcusdt):
    long, short = (liquidation_price(s, 12.5, 20_000, leverage=5, mmr=btcusdt) for s in (1, -1))
    fig = position_tiers_figure(btcusdt, 12.5, 5, 20_000, long, short,
                                np.geomspace(5_000, 1_000_000, 50))
    assert f"tier {long.tier}" in fig.get_suptitle() and f"{short.price:,.0f}" in fig.get_suptitle()
    alt = position_tiers_alt(btcusdt, 12.5, 5, 20_000, long, short)
    assert "250,000 USDT of notional, tier 3" in alt
    assert f"{long.price:,.2f} (tier {long.tier})" in alt


def test_rate_fit_figure_plots_relative_errors(btcusdt):
    grid = np.geomspace(1_000, 1_000_000, 100)
    eff = btcusdt.effective_mmr(grid)
    fig = rate_fit_figure(btcusdt, grid, [(eff * 1.1, "ten percent high")], (1_000, 500_000))
    ax, err_ax = fig.axes
    np.testing.assert_allclose(err_ax.lines[0].get_ydata(), 10.0)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 100 * eff)
