"""Bad input to the public functions of ``liqlib.engine``, ``liqlib.systemic``, ``liqlib.stress``
and ``liqlib.venues``: each case asserts the exception type and that the message names the
argument as the caller wrote it (and, for one bad element of an array, its index).

As in ``test_bad_input.py`` (core and prices), the cases are generated from one table: for each
function a valid call and the domain of each argument; every domain has its own bad values (wrong
types -> TypeError, wrong values -> ValueError). Hand-written cases below cover the examples of
issue 15 that live in these layers (a sell past price 0, cascades that divided by zero or indexed
out of range, float queue indices, messages that blamed another argument).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from liqlib.core import ArgumentTypeError, DerivedRangeError, ShapeError, round_to_tick
from liqlib.engine import (
    SELL,
    Engine,
    LevelLadder,
    Order,
    PowerLawLadder,
    ResilientBook,
    Rules,
    Trader,
    adl,
    execute,
    flat_book,
    flat_ladder,
    ledger,
    policies,
    runs,
)
from liqlib.stress import gamma, mark_to_model, option_portfolio
from liqlib.systemic import (
    backstop,
    burn,
    cascades,
    cost_breakdown,
    costs,
    deleveraging,
    insurance,
)
from liqlib.venues import (
    adapters,
    binance,
    bitmex,
    bybit,
    deribit,
    dydx,
    hyperliquid,
    okx,
)
from liqlib.venues import sources as venue_sources

LAD = PowerLawLadder(100.0)
BOOK = flat_book(100.0, half_life=60.0)
POP = cascades.Population.from_positions(
    [1.0, -1.0, 1.0, 1.0], [1.0, 2.0, 1.0, 3.0], [100.0, 100.0, 101.0, 99.0],
    [10.0, 20.0, 5.0, 25.0],
)
MODEL = costs.ExecutionModel(1e6, 5.0, 5, 0.95, 0.0625, 2.5e-6, 2.5e-7)
TRADERS = [Trader(1_000.0, 1, 10.0, 100.0), Trader(1_000.0, -1, 10.0, 100.0)]
PORT = option_portfolio.OptionPortfolio(
    [option_portfolio.OptionPosition("call", 100.0, 0.1, -1.0),
     option_portfolio.OptionPosition("put", 90.0, 0.1, 1.0)]
)
SURF = mark_to_model.VolSurface(0.6)
ACC = gamma.generate_option_accounts(3, 100.0, seed=1)  # 3 accounts, 4 legs
PM = deribit.PortfolioMarginParameters(0.10, vol_shock=0.38, vol_power=0.3,
                                       extended_moves=(-0.5, 1.0))

# --- bad values by domain -------------------------------------------------------------------------

TYPE_BAD: list[Any] = ["abc", True, 1j, {"a": 1}, [1.0, "x"]]
REAL_BAD: list[Any] = [math.nan, math.inf, -math.inf]

DOMAINS: dict[str, tuple[list[Any], list[Any]]] = {
    # domain: (values that must raise TypeError, values that must raise ValueError)
    "real": (TYPE_BAD, REAL_BAD),
    "pos": (TYPE_BAD, [*REAL_BAD, 0.0, -1.0]),
    "nonneg": (TYPE_BAD, [*REAL_BAD, -1.0]),
    "rate": (TYPE_BAD, [*REAL_BAD, -0.1, 1.0, 1.5]),
    "rate+": (TYPE_BAD, [*REAL_BAD, 0.0, -0.1, 1.0]),
    "unit": (TYPE_BAD, [*REAL_BAD, -0.1, 1.5]),  # [0, 1]
    "side": (["long", True, 1j, None], [0, 2, 0.5, math.nan]),
    "count": ([1.5, "3", True, None], [0, -1]),
    "count0": ([1.5, "3", True, None], [-1]),
    "int": ([1.5, "3", True, None], []),
    "option": ([3, None, 1.0], ["bogus", ""]),
    # 'call'/'put' (or an array of them) is checked by liqlib.prices.options: a non-string is
    # the wrong type (ArgumentTypeError), an unknown string a wrong value
    "callput": ([3, None, 1.0, True], ["bogus", ""]),
    "bool": ([0, "yes", None], []),
    "duration": (["abc", None, 1j], [math.nan, -1.0]),
    "ladder": ([None, "flat", 3.0], []),
    "population": ([None, "pop", [1.0, 2.0]], []),
    "unit+": (TYPE_BAD, [*REAL_BAD, 0.0, -0.1, 1.5]),  # (0, 1]
    "quote": (TYPE_BAD, [math.inf, -math.inf, -1.0]),  # NaN is "no quote"
    "iv": (TYPE_BAD, [math.inf, 0.0, -1.0]),  # NaN is "no market"
    "ladder?": (["flat", 3.0, [1.0]], []),  # None: the default (a frictionless market)
    "fund": (TYPE_BAD, [math.nan, -math.inf, -1.0]),  # inf: a fund that never runs out
    "seed": ([1.5, "3", True, None], []),
    # stress: the objects gamma_cascade and account_margin take, and their secondary numbers
    "accounts": ([None, "x", 3.0, POP], []),
    "accounts?": (["x", 3.0, POP], []),  # None: no option sellers
    "population?": (["pop", [1.0], ACC], []),
    "spot_vol?": (["steepening", 1.0, {"beta": 1.0}], []),
    "parameters": ([3, None, 0.1, {"price_move": 0.1}], ["bogus", ""]),
    "shock": (TYPE_BAD, [*REAL_BAD, 0.0, -1.0, 1.0, 1.5]),  # nonzero, in (-1, 1)
    "order": (TYPE_BAD, [math.nan, -math.inf, 0.0, -1.0]),  # inf: no limit
    "factor": (TYPE_BAD, [*REAL_BAD, 0.0, 0.99]),  # >= 1
    "odd": ([1.5, "3", True, None], [1, 0, -1, 4]),  # odd integer >= 3
    "legs": ([[1, 0, 1, 0], ["a", "b", "c", "d"], [1.0, 0.0, 1.0, 0.0]],
             [[True, False], [[True] * 4]]),  # booleans, one per leg
    "moves": ([0.5, "ab", None, [[0.1]], ["x"]], [[0.1, math.nan], [0.5, -1.0], [-2.0]]),
    # venues.binance
    "axis": ([1.5, "0", True, None], [1, 5, -2]),  # of 1-d samples
    "api": ([3, "abc", None, ["a"], [3.0], {"brackets": 5}],
            [[], {"x": 1}, [{"maintMarginRatio": 0.004, "initialLeverage": 125}]]),
}

# Array arguments: one bad element at index 2 must be named with its index.
ARRAY_BAD: dict[str, list[Any]] = {
    "series": [math.nan, math.inf],
    "series_pos": [math.nan, 0.0, -5.0],
    "series_nonneg": [math.nan, -1.0],
    "scores": [math.nan],  # +-inf are scores (an account at or past bankruptcy)
}


def names(arg: str, message: str) -> bool:
    """``arg`` appears in ``message`` as a word of its own (not inside another name)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", message) is not None


# (id, function, valid keyword arguments, {argument: domain})
SPECS: list[tuple[str, Callable[..., Any], dict[str, Any], dict[str, str]]] = [
    # engine.book
    ("PowerLawLadder", PowerLawLadder, dict(depth=100.0),
     {"depth": "pos", "alpha": "pos", "half_spread": "rate", "reference": "pos",
      "max_distance": "pos"}),
    ("flat_ladder", flat_ladder, dict(depth=100.0),
     {"depth": "pos", "half_spread": "rate", "reference": "pos"}),
    ("flat_book", flat_book, dict(depth=100.0, half_life=5.0),
     {"depth": "pos", "half_spread": "rate", "reference": "pos"}),
    ("LevelLadder", LevelLadder, dict(distances=[0.01, 0.02, 0.05], sizes=[1.0, 2.0, 3.0]),
     {"distances": "series_nonneg", "sizes": "series_pos"}),
    ("LevelLadder.from_prices", LevelLadder.from_prices,
     dict(prices=[99.0, 98.0, 95.0], sizes=[1.0, 2.0, 5.0], mid=100.0),
     {"prices": "series_pos", "sizes": "series_pos", "mid": "pos"}),
    ("execute", execute, dict(ladder=LAD, side=SELL, quantity=10.0, mid=100.0),
     {"ladder": "ladder", "side": "side", "quantity": "nonneg", "mid": "pos", "consumed": "nonneg",
      "limit": "pos"}),
    ("ResilientBook", ResilientBook,
     dict(bids=LAD, asks=LAD, half_life=60.0),
     {"bids": "ladder", "asks": "ladder", "half_life": "duration", "consumed_bids": "nonneg",
      "consumed_asks": "nonneg"}),
    ("ResilientBook.execute", BOOK.execute, dict(side=SELL, quantity=0.0, mid=100.0),
     {"side": "side", "quantity": "nonneg", "mid": "pos", "limit": "pos"}),
    ("ResilientBook.touch", BOOK.touch, dict(side=SELL, mid=100.0), {"side": "side", "mid": "pos"}),
    ("ResilientBook.advance", BOOK.advance, dict(dt=0.0), {"dt": "duration"}),
    # engine.adl
    ("bitmex_score", adl.bitmex_score,
     dict(side=1, entry_price=100.0, mark_price=110.0, equity=10.0, notional=100.0),
     {"side": "side", "entry_price": "pos", "mark_price": "pos", "equity": "real",
      "notional": "nonneg"}),
    ("binance_score", adl.binance_score, dict(upnl=10.0, wallet_balance=100.0, maintenance=1.0),
     {"upnl": "real", "wallet_balance": "real", "maintenance": "nonneg"}),
    ("hyperliquid_score", adl.hyperliquid_score,
     dict(side=1, mark_price=110.0, entry_price=100.0, notional=1000.0, account_value=100.0),
     {"side": "side", "mark_price": "pos", "entry_price": "pos", "notional": "nonneg",
      "account_value": "real"}),
    ("hyperliquid_literal_score", adl.hyperliquid_literal_score,
     dict(mark_price=110.0, entry_price=100.0, notional=1000.0, account_value=100.0),
     {"mark_price": "pos", "entry_price": "pos", "notional": "nonneg", "account_value": "real"}),
    ("adl_scores", adl.adl_scores,
     dict(rule="bitmex", side=[1.0, 1.0, -1.0], entry_price=[100.0, 90.0, 95.0],
          mark_price=110.0, size=[1.0, 2.0, 1.0], collateral=[10.0, 5.0, 30.0]),
     {"rule": "option", "side": "side", "entry_price": "series_pos", "size": "series_nonneg",
      "collateral": "series", "mark_price": "pos"}),
    ("adl_queue", adl.adl_queue, dict(scores=[1.0, 3.0, 2.0]), {"scores": "scores"}),
    ("random_queue", adl.random_queue, dict(n=3, rng=1), {"n": "count0"}),
    ("quintile_lights", adl.quintile_lights, dict(scores=[1.0, 3.0, 2.0], sizes=[1.0, 1.0, 2.0]),
     {"scores": "scores", "sizes": "series_pos"}),
    ("queue_allocation", adl.queue_allocation, dict(sizes=[1.0, 2.0, 3.0], needed=2.5),
     {"sizes": "series_nonneg", "needed": "nonneg"}),
    ("pro_rata_allocation", adl.pro_rata_allocation,
     dict(capacities=[1.0, 2.0, 3.0], amount=2.5),
     {"capacities": "series_nonneg", "amount": "nonneg"}),
    # engine.policies
    ("FullLiquidation", policies.FullLiquidation, dict(),
     {"rounds": "count", "fill_or_kill": "bool"}),
    ("TierStepDown", policies.TierStepDown, dict(),
     {"rounds": "count", "fill_or_kill": "bool", "to_lowest_tier": "bool"}),
    ("FractionSlices", policies.FractionSlices, dict(),
     {"fraction": "rate+", "min_notional": "nonneg", "cooldown": "nonneg", "rounds": "count",
      "fill_or_kill": "bool"}),
    ("IncrementalClips", policies.IncrementalClips, dict(),
     {"clip_notional": "pos", "rounds": "count", "fill_or_kill": "bool"}),
    ("BlockLimits", policies.BlockLimits, dict(),
     {"max_portion": "unit+", "min_notional": "nonneg", "max_notional_per_block": "pos",
      "rounds": "count", "fill_or_kill": "bool"}),
    ("RateOnNotional", policies.RateOnNotional, dict(), {"rate": "rate"}),
    ("CappedBySurplus", policies.CappedBySurplus, dict(), {"max_rate": "unit"}),
    ("RateOnNotional.fee", policies.RateOnNotional().fee, dict(surplus=10.0, notional=1000.0),
     {"surplus": "real", "notional": "real"}),
    ("CappedBySurplus.fee", policies.CappedBySurplus().fee, dict(surplus=10.0, notional=1000.0),
     {"surplus": "real", "notional": "real"}),
    ("insurance_fund_delta", policies.insurance_fund_delta,
     dict(fee_policy=policies.NoFee(), side=1, size=1.0, fill_price=95.0, bankruptcy_price=90.0),
     {"side": "side", "size": "pos", "fill_price": "pos", "bankruptcy_price": "pos"}),
    ("Rules", Rules, dict(),
     {"partial": "option", "fee": "option", "adl_price": "option", "socialize": "bool",
      "fee_to_fund": "unit", "backstop_ratio": "unit+", "fund_first": "bool"}),
    ("venue_rules", policies.venue_rules, dict(name="okx"), {"name": "option"}),
    # engine.ledger
    ("Ledger.total", ledger.Ledger().total, dict(kind="fee"), {"kind": "option"}),
    ("Ledger.replay_fund", ledger.Ledger().replay_fund, dict(initial=0.0), {"initial": "real"}),
    ("ledger_rows", ledger.ledger_rows, dict(ledger=ledger.Ledger()), {"fund_start": "real"}),
    # engine.runs
    ("isolated_trader", runs.isolated_trader, dict(side=1, size=1.0, entry=100.0, leverage=10.0),
     {"side": "side", "size": "pos", "entry": "pos", "leverage": "pos"}),
    # engine.stepper (entry points only)
    ("Order", Order, dict(side=1, size=1.0, price=100.0),
     {"side": "side", "size": "pos", "price": "pos"}),
    ("Trader", Trader, dict(wallet_balance=1000.0, side=1, size=1.0, entry_price=100.0),
     {"wallet_balance": "real", "side": "side", "size": "nonneg", "entry_price": "pos",
      "isolated_margin": "nonneg"}),
    ("Engine", Engine, dict(traders=TRADERS, mark=100.0),
     {"mark": "pos", "rules": "option", "maintenance": "rate+", "insurance_fund": "nonneg",
      "backstop_capital": "nonneg"}),
    ("Engine.step", Engine(TRADERS, 100.0).step, dict(mark=100.0),
     {"mark": "pos", "dt": "nonneg", "book_mid": "pos"}),
    # systemic.costs
    ("linear_impact", costs.linear_impact, dict(quantity=10.0, kyle_lambda=0.01),
     {"quantity": "nonneg", "kyle_lambda": "nonneg"}),
    ("square_root_impact", costs.square_root_impact,
     dict(quantity=10.0, daily_volume=1e4, daily_volatility=0.03),
     {"quantity": "nonneg", "daily_volume": "pos", "daily_volatility": "nonneg", "y": "pos"}),
    ("ExecutionModel", costs.ExecutionModel,
     dict(shares=1e6, horizon=5.0, periods=5, sigma=0.95, epsilon=0.0625, eta=2.5e-6,
          gamma=2.5e-7),
     {"shares": "pos", "horizon": "pos", "periods": "count", "sigma": "nonneg",
      "epsilon": "nonneg", "eta": "pos", "gamma": "nonneg"}),
    ("almgren_chriss_schedule", costs.almgren_chriss_schedule,
     dict(model=MODEL, risk_aversion=1e-6), {"risk_aversion": "nonneg"}),
    ("schedule_cost", costs.schedule_cost,
     dict(model=MODEL, holdings=[1e6, 8e5, 6e5, 4e5, 2e5, 0.0]), {"holdings": "series"}),
    ("sliced_execution", costs.sliced_execution,
     dict(ladder=LAD, holdings=[10.0, 5.0, 0.0], mid=100.0, interval=1.0, half_life=10.0),
     {"ladder": "ladder", "holdings": "series_nonneg", "mid": "pos", "interval": "nonneg",
      "half_life": "duration", "side": "side"}),
    ("flat_book_model", costs.flat_book_model,
     dict(ladder=LAD, mid=100.0, shares=40.0, horizon=10.0, periods=5, sigma=1.0),
     {"ladder": "ladder", "mid": "pos", "shares": "pos", "horizon": "pos", "periods": "count",
      "sigma": "nonneg"}),
    ("obizhaeva_wang_schedule", costs.obizhaeva_wang_schedule,
     dict(ladder=LAD, shares=40.0, mid=100.0, periods=5, interval=1.0, half_life=10.0),
     {"ladder": "ladder", "shares": "pos", "mid": "pos", "periods": "count",
      "interval": "duration", "half_life": "duration"}),
    ("fund_expected_shortfall", costs.fund_expected_shortfall,
     dict(mean_cost=1.0, std_cost=2.0, margin=3.0),
     {"mean_cost": "real", "std_cost": "nonneg", "margin": "real"}),
    # systemic.cascades
    ("Population.from_positions", cascades.Population.from_positions,
     dict(side=[1.0, -1.0, 1.0], size=[1.0, 2.0, 1.0], entry_price=[100.0, 100.0, 101.0],
          leverage=[10.0, 20.0, 5.0]),
     {"side": "side", "size": "series_pos", "entry_price": "series_pos",
      "leverage": "series_pos", "mmr": "rate+"}),
    ("generate_population", cascades.generate_population, dict(n=10, price=100.0, seed=1),
     {"n": "count", "price": "pos", "seed": "seed", "long_share": "unit",
      "median_notional": "pos", "notional_sigma": "nonneg", "entry_dispersion": "nonneg",
      "leverage_scale": "pos", "max_leverage": "pos", "mmr": "rate+"}),
    ("cascade", cascades.cascade, dict(population=POP, price=100.0, shock=-0.05, ladder=LAD),
     {"population": "population", "price": "pos", "shock": "real", "ladder": "ladder",
      "fund": "nonneg", "orders": "option", "mark_pass_through": "unit", "max_rounds": "count"}),
    ("simulate", cascades.simulate,
     dict(population=POP, price=100.0, shock=-0.05,
          book=ResilientBook(LAD, LAD, half_life=10.0)),
     {"population": "population", "price": "pos", "shock": "real", "dt": "nonneg",
      "fund": "nonneg", "orders": "option", "mark_pass_through": "unit", "max_steps": "count"}),
    ("stopping_shocks", cascades.stopping_shocks, dict(population=POP, price=100.0, ladder=LAD),
     {"population": "population", "price": "pos", "ladder": "ladder", "direction": "side"}),
    ("cascade_response", cascades.cascade_response,
     dict(population=POP, price=100.0, ladder=LAD, shocks=[0.01, 0.02, 0.05]),
     {"population": "population", "price": "pos", "ladder": "ladder",
      "shocks": "series_nonneg", "direction": "side"}),
    ("critical_shock", cascades.critical_shock, dict(population=POP, price=100.0, ladder=LAD),
     {"population": "population", "price": "pos", "ladder": "ladder", "direction": "side",
      "fraction": "unit+", "fund": "nonneg"}),
    ("engine_cascade", cascades.engine_cascade,
     dict(population=POP, price=100.0, path=[100.0, 95.0, 97.0],
          book=ResilientBook(LAD, LAD, half_life=10.0)),
     {"population": "population", "price": "pos", "path": "series_pos", "rules": "option",
      "maintenance": "rate+", "dt": "pos", "fund": "nonneg", "funding_rate": "real",
      "mark_time_constant": "nonneg"}),
    # systemic.insurance
    ("adl_probability", insurance.adl_probability,
     dict(deficits=[0.0, 1.0, 5.0, 2.0], fund=1.5),
     {"deficits": "series_nonneg", "fund": "nonneg"}),
    ("expected_adl", insurance.expected_adl, dict(deficits=[0.0, 1.0, 5.0, 2.0], fund=1.5),
     {"deficits": "series_nonneg", "fund": "nonneg"}),
    ("fund_for_probability", insurance.fund_for_probability,
     dict(deficits=[0.0, 1.0, 5.0, 2.0], probability=0.3),
     {"deficits": "series_nonneg", "probability": "unit"}),
    ("optimal_fund", insurance.optimal_fund,
     dict(deficits=[0.0, 1.0, 5.0, 2.0], capital_cost=0.05, loss_weight=1.0),
     {"deficits": "series_nonneg", "capital_cost": "pos", "loss_weight": "pos"}),
    ("drawdown_deficit", insurance.drawdown_deficit,
     dict(fund_flows=[1.0, -2.0, 0.5]), {"fund_flows": "series", "max_drawdown": "unit+"}),
    ("drawdown_adl", insurance.drawdown_adl, dict(fund_flows=[1.0, -2.0, 0.5], fund=3.0),
     {"fund_flows": "series", "fund": "nonneg", "max_drawdown": "unit+"}),
    ("open_interest", insurance.open_interest,
     dict(side=[1.0, -1.0, 1.0], size=[1.0, 2.0, 1.0], price=100.0),
     {"side": "side", "size": "series_nonneg", "price": "pos"}),
    ("shock_standard_deviation", insurance.shock_standard_deviation,
     dict(shock_scale=0.04, shock_dof=3.0), {"shock_scale": "pos", "shock_dof": "pos"}),
    ("simulate_deficits", insurance.simulate_deficits, dict(n_scenarios=3, seed=1, positions=20),
     {"n_scenarios": "count", "seed": "seed", "price": "pos", "positions": "count",
      "depth": "pos", "shock_scale": "pos", "shock_dof": "pos", "max_shock": "rate+",
      "max_drawdown": "unit+"}),
    ("population_traders", cascades.population_traders, dict(population=POP),
     {"population": "population", "margin": "option"}),
    ("balanced_population", deleveraging.balanced_population,
     dict(n=40, price=100.0, seed=2), {"n": "count", "price": "pos", "seed": "seed",
                                       "long_share": "unit"}),
    ("deleverage", deleveraging.deleverage,
     dict(traders=TRADERS, price=100.0, mark=95.0, rules="bitmex",
          book=flat_book(100.0, half_life=60.0)),
     {"price": "pos", "mark": "pos", "fund": "nonneg"}),
    ("largest_safe_share", burn.largest_safe_share,
     dict(flow=burn.fee_flow(POP, 100.0, [-0.02, 0.01], LAD, fee_rate=0.005)),
     {"fund": "nonneg", "tol": "rate+"}),
    ("simulate_deficit_cases", insurance.simulate_deficit_cases,
     dict(n_scenarios=3, cases=[{}, {"shock_scale": 0.08}], seed=1, positions=20),
     {"n_scenarios": "count", "seed": "seed", "price": "pos", "positions": "count",
      "depth": "pos", "shock_scale": "pos", "shock_dof": "pos", "max_shock": "rate+",
      "max_drawdown": "unit+"}),
    # systemic.burn and backstop
    ("buyback", burn.buyback, dict(budget=100.0, token_price=10.0),
     {"budget": "nonneg", "token_price": "pos", "ladder": "ladder?"}),
    ("generate_shocks", burn.generate_shocks, dict(n_periods=5, seed=1),
     {"n_periods": "count", "seed": "seed", "scale": "pos", "tail": "pos", "down_share": "unit",
      "max_move": "rate+"}),
    ("fee_flow", burn.fee_flow,
     dict(population=POP, price=100.0, shocks=[-0.02, 0.01, -0.05], ladder=LAD, fee_rate=0.005),
     {"population": "population", "price": "pos", "shocks": "series", "ladder": "ladder",
      "fee_rate": "rate", "step": "pos", "path": "option"}),
    ("token_price_path", burn.token_price_path, dict(moves=[0.01, -0.02], price=10.0),
     {"moves": "series", "price": "pos", "beta": "real"}),
    ("eip1559_base_fee", burn.eip1559_base_fee,
     dict(parent_base_fee=1000, gas_used=15_000_000, gas_limit=30_000_000),
     {"parent_base_fee": "count0", "gas_used": "count0", "gas_limit": "count",
      "elasticity": "count", "denominator": "count"}),
    ("eip1559_path", burn.eip1559_path,
     dict(initial_base_fee=1000, gas_used=[15_000_000, 30_000_000], gas_limit=30_000_000),
     {"initial_base_fee": "count0", "gas_limit": "count"}),
    ("bnb_auto_burn", burn.bnb_auto_burn, dict(blocks=1e7, price=600.0),
     {"blocks": "nonneg", "price": "pos", "k": "pos"}),
    ("token_sale", backstop.token_sale, dict(target=100.0, token_price=10.0),
     {"target": "nonneg", "token_price": "pos", "ladder": "ladder?"}),
    ("surplus_buffer", backstop.surplus_buffer,
     dict(income=[1.0, 2.0, 0.0], losses=[0.0, 0.0, 5.0], hump=2.0, bump=1.0, sump=1.0,
          supply=1000.0, token_price=10.0),
     {"income": "series_nonneg", "losses": "series_nonneg", "hump": "nonneg", "bump": "pos",
      "sump": "pos", "supply": "pos", "token_price": "pos", "buffer": "real"}),
    # systemic.cost_breakdown
    ("liquidation_cost", cost_breakdown.liquidation_cost,
     dict(side=1, size=1.0, entry_price=100.0, ladder=LAD, leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "ladder": "ladder", "leverage": "pos",
      "mmr": "rate+", "mark": "pos", "fee": "option", "fee_to_fund": "unit",
      "insurance_fund": "fund", "adl": "bool"}),
    ("covered_size", cost_breakdown.covered_size, dict(ladder=LAD, buffer_rate=0.005),
     {"ladder": "ladder", "buffer_rate": "rate", "rtol": "pos"}),
    ("remainder_risk", cost_breakdown.remainder_risk,
     dict(engine=Engine(TRADERS, 100.0), volatility=0.8, horizon=0.01),
     {"volatility": "pos", "horizon": "pos"}),
    # stress.mark_to_model
    ("book_is_good", mark_to_model.book_is_good,
     dict(bid=0.05, ask=0.055, bid_size=2.0, ask_size=3.0),
     {"bid": "quote", "ask": "quote", "bid_size": "nonneg", "ask_size": "nonneg",
      "max_spread": "pos", "min_size": "nonneg"}),
    ("VolSurface", mark_to_model.VolSurface, dict(atm_short=0.6),
     {"atm_short": "pos", "atm_long": "pos", "decay": "pos", "skew": "real",
      "curvature": "real"}),
    ("VolSurface.vol", SURF.vol, dict(forward=100.0, strike=110.0, time=0.1),
     {"forward": "pos", "strike": "pos", "time": "pos"}),
    ("VolSurface.price", SURF.price, dict(forward=100.0, strike=110.0, time=0.1),
     {"forward": "pos", "strike": "pos", "time": "pos", "kind": "callput", "settlement": "option"}),
    ("conservative_marks", mark_to_model.conservative_marks,
     dict(bid=0.05, ask=0.055, size=-1.0, fallback=0.052),
     {"bid": "quote", "ask": "quote", "size": "real", "fallback": "nonneg"}),
    ("smooth_marks", mark_to_model.smooth_marks, dict(marks=[1.0, 2.0, 1.5], alpha=0.5),
     {"marks": "series", "alpha": "unit+"}),
    ("synthetic_forward", mark_to_model.synthetic_forward,
     dict(call=0.05, put=0.04, strike=100.0, time=0.1),
     {"call": "nonneg", "put": "nonneg", "strike": "pos", "time": "pos", "rate": "real",
      "settlement": "option"}),
    ("SVISlice", mark_to_model.SVISlice, dict(a=0.01, b=0.1, rho=-0.3, m=0.0, s=0.1, time=0.5),
     {"a": "real", "b": "nonneg", "rho": "real", "m": "real", "s": "pos", "time": "pos"}),
    ("MarkRule", mark_to_model.MarkRule, dict(),
     {"max_spread": "pos", "min_size": "nonneg", "model": "option", "bounds": "option",
      "floor": "pos", "cap": "pos", "no_market": "pos"}),
    ("mark_price", mark_to_model.mark_price,
     dict(bid=0.05, ask=0.055, bid_size=2.0, ask_size=3.0, forward=100.0, strike=110.0,
          time=0.1),
     {"bid": "quote", "ask": "quote", "forward": "pos", "strike": "pos", "time": "pos",
      "kind": "callput", "settlement": "option"}),
    ("margin_check", mark_to_model.margin_check,
     dict(collateral=10.0, portfolio=PORT, forward=100.0, marks=[0.02, 0.03]),
     {"collateral": "real", "forward": "pos", "marks": "series_nonneg", "margin": "option",
      "rate": "real", "reading": "option"}),
    # stress.option_portfolio
    ("OptionPosition", option_portfolio.OptionPosition,
     dict(kind="call", strike=100.0, expiry=0.1, size=1.0),
     {"kind": "callput", "strike": "pos", "expiry": "pos", "size": "real", "settlement": "option"}),
    ("OptionPortfolio.value", PORT.value, dict(forward=100.0, vol=0.6),
     {"forward": "pos", "vol": "pos", "rate": "real"}),
    ("OptionPortfolio.marked_value", PORT.marked_value, dict(marks=[0.02, 0.03]),
     {"marks": "series_nonneg"}),
    ("OptionPortfolio.standard_maintenance", PORT.standard_maintenance,
     dict(forward=100.0, marks=[0.02, 0.03]),
     {"forward": "pos", "marks": "series_nonneg", "reading": "option"}),
    ("chain_quotes", mark_to_model.chain_quotes,
     dict(forward=100.0, strike=[90.0, 100.0, 110.0], time=0.1, vol=0.6, width=0.04),
     {"forward": "pos", "strike": "pos", "vol": "pos", "width": "nonneg"}),
    # stress.gamma
    ("generate_option_accounts", gamma.generate_option_accounts,
     dict(n=5, price=100.0, seed=1),
     {"n": "count", "price": "pos", "vol": "pos", "moneyness_sigma": "nonneg",
      "median_size": "pos", "size_sigma": "nonneg", "cushion": "nonneg", "rule": "option",
      "reading": "option", "initial_factor": "pos"}),
    ("SpotVolRule", gamma.SpotVolRule, dict(), {"name": "option", "beta": "real", "skew": "real"}),
    ("feedback_multiplier", gamma.feedback_multiplier,
     dict(impact=1e-4, contracts=10.0, gamma=0.01, price=100.0),
     {"impact": "nonneg", "contracts": "nonneg", "gamma": "real", "price": "pos"}),
    ("breach_price", gamma.breach_price,
     dict(accounts=gamma.generate_option_accounts(5, 100.0, seed=1), price=100.0),
     {"price": "pos", "direction": "side", "within": "pos", "rule": "option",
      "reading": "option"}),
    ("gamma_cascade", gamma.gamma_cascade,
     dict(accounts=ACC, price=100.0, shock=-0.05, book=LAD, futures=POP, hedged_book=ACC),
     {"accounts": "accounts?", "price": "pos", "shock": "shock", "book": "ladder",
      "futures": "population?", "rule": "option", "parameters": "parameters",
      "hedged_book": "accounts?", "reading": "option", "spot_vol": "spot_vol?", "hedge": "option",
      "holder": "option", "hedge_fraction": "unit+", "max_order": "order", "priority": "option",
      "dt": "pos", "max_steps": "count", "tol": "pos"}),
    ("account_margin", gamma.account_margin, dict(accounts=ACC, price=100.0, rule="portfolio"),
     {"accounts": "accounts", "price": "pos", "rule": "option", "parameters": "parameters",
      "legs": "legs", "reading": "option", "initial_factor": "factor", "vol_shift": "real"}),
    ("stress_pnl", gamma.stress_pnl, dict(accounts=ACC, price=100.0, new_price=90.0),
     {"accounts": "accounts", "price": "pos", "new_price": "pos", "vol_shift": "real"}),
    ("PortfolioMarginParameters", deribit.PortfolioMarginParameters, dict(price_move=0.1),
     {"price_move": "rate+", "buckets": "odd", "vol_shock": "nonneg", "vol_power": "nonneg",
      "vol_shock_mode": "option", "vol_floor": "pos", "net_short_option_contingency": "nonneg",
      "option_contingency": "nonneg", "futures_contingency": "nonneg",
      "vega_contingency": "nonneg", "extended_moves": "moves", "extended_fraction": "unit"}),
    # venues
    ("binance.leverage_brackets", binance.leverage_brackets,
     dict(notional_floors=[0.0, 5e4, 2.5e5], maint_margin_ratios=[0.004, 0.005, 0.01],
          initial_leverages=[125.0, 100.0, 50.0]),
     {"notional_floors": "series_nonneg", "maint_margin_ratios": "series_pos",
      "initial_leverages": "series_pos"}),
    ("binance.maintenance_amount", binance.maintenance_amount,
     dict(notional_floor=5e4, mmr=0.005, previous_mmr=0.004, previous_cum=0.0),
     {"notional_floor": "nonneg", "mmr": "rate+", "previous_mmr": "rate+",
      "previous_cum": "nonneg"}),
    ("binance.bracket", binance.bracket, dict(position_notional=1e5),
     {"position_notional": "nonneg"}),
    ("binance.position_notional", binance.position_notional,
     dict(position=1.0, mark_price=100.0),
     {"position": "pos", "mark_price": "pos", "kind": "option", "contract_size": "pos"}),
    ("binance.hedge_liquidation_price", binance.hedge_liquidation_price,
     dict(wb=20.0, position1_long=2.0, ep1_long=100.0, mmr_l=0.01, position1_short=1.0,
          ep1_short=110.0, mmr_s=0.01),
     {"wb": "real", "position1_long": "nonneg", "ep1_long": "pos", "mmr_l": "rate+",
      "position1_short": "nonneg", "ep1_short": "pos", "mmr_s": "rate+", "cum_l": "nonneg",
      "cum_s": "nonneg", "tmm1": "nonneg", "upnl1": "real", "kind": "option",
      "contract_size": "pos"}),
    ("binance.moving_average_basis", binance.moving_average_basis,
     dict(bid1=[99.0, 100.0, 99.0], ask1=[101.0, 104.0, 101.0], price_index=[99.5, 101.0, 100.0]),
     {"bid1": "series_pos", "ask1": "series_pos", "price_index": "series_pos", "axis": "axis"}),
    ("binance.brackets_from_api", binance.brackets_from_api,
     dict(brackets=[{"notionalFloor": 0, "maintMarginRatio": 0.004, "initialLeverage": 125,
                     "cum": 0.0}]),
     {"brackets": "api", "check_cum": "bool"}),
    ("binance.maintenance_margin", binance.maintenance_margin,
     dict(position_notional=1e4, mmr=0.004),
     {"position_notional": "nonneg", "mmr": "rate+", "cum": "real"}),
    ("binance.initial_margin", binance.initial_margin,
     dict(position=1.0, price=100.0, leverage=10.0),
     {"position": "pos", "price": "pos", "leverage": "pos", "kind": "option"}),
    ("binance.liquidation_price", binance.liquidation_price,
     dict(side1_both=1, position1_both=1.0, ep1_both=100.0, wb=10.0, mmr_b=0.004),
     {"side1_both": "side", "position1_both": "pos", "ep1_both": "pos", "wb": "real",
      "tmm1": "nonneg", "upnl1": "real", "mmr_b": "rate+", "cum_b": "real",
      "margin_type": "option", "kind": "option"}),
    ("binance.mark_price", binance.mark_price,
     dict(price_index=100.0, last_funding_rate=1e-4, time_until_funding=4.0,
          moving_average_basis=0.1, contract_price=100.1),
     {"price_index": "pos", "last_funding_rate": "real", "time_until_funding": "nonneg",
      "moving_average_basis": "real", "contract_price": "pos", "funding_interval": "pos"}),
    ("binance.premium_index", binance.premium_index,
     dict(impact_bid_price=100.0, impact_ask_price=100.2, price_index=100.1),
     {"impact_bid_price": "pos", "impact_ask_price": "pos", "price_index": "pos"}),
    ("binance.funding_rate", binance.funding_rate, dict(average_premium_index=1e-4),
     {"average_premium_index": "real", "interest_rate": "real", "clamp": "nonneg",
      "funding_interval": "pos"}),
    ("binance.impact_margin_notional", binance.impact_margin_notional,
     dict(initial_margin_rate=0.01), {"initial_margin_rate": "rate+", "margin": "pos"}),
    ("binance.funding_fee", binance.funding_fee,
     dict(side=1, position=1.0, mark_price=100.0, funding_rate=1e-4),
     {"side": "side", "position": "pos", "mark_price": "pos", "funding_rate": "real"}),
    ("binance.leverage_pnl", binance.leverage_pnl,
     dict(unrealized_pnl=10.0, wallet_balance=100.0, maintenance_margin=1.0),
     {"unrealized_pnl": "real", "wallet_balance": "real", "maintenance_margin": "nonneg"}),
    ("bitmex.funding_basis", bitmex.funding_basis,
     dict(funding_rate=1e-4, time_until_funding=4.0),
     {"funding_rate": "real", "time_until_funding": "nonneg", "funding_interval": "pos"}),
    ("bitmex.fair_price", bitmex.fair_price,
     dict(index_price=100.0, funding_rate=1e-4, time_until_funding=4.0),
     {"index_price": "pos", "funding_rate": "real", "time_until_funding": "nonneg"}),
    ("bitmex.impact_margin_notional", bitmex.impact_margin_notional,
     dict(initial_margin=0.01), {"initial_margin": "rate+", "margin": "pos"}),
    ("bitmex.fair_basis_rate", bitmex.fair_basis_rate,
     dict(impact_mid_price=101.0, index_price=100.0, time_to_expiry=30.0),
     {"impact_mid_price": "pos", "index_price": "pos", "time_to_expiry": "pos"}),
    ("bitmex.fair_value", bitmex.fair_value,
     dict(index_price=100.0, fair_basis=0.1, time_to_expiry=30.0),
     {"index_price": "pos", "fair_basis": "real", "time_to_expiry": "nonneg"}),
    ("bitmex.RiskLimits", bitmex.RiskLimits,
     dict(base_risk_limit=200.0, risk_step=100.0, base_maintenance=0.0035, base_initial=0.01),
     {"base_risk_limit": "pos", "risk_step": "pos", "base_maintenance": "rate+",
      "base_initial": "rate+"}),
    ("bitmex.maintenance_rate", bitmex.maintenance_rate, dict(side=1),
     {"side": "side", "maint_margin": "rate+", "taker_fee": "rate", "funding_rate": "real"}),
    ("bitmex.bankruptcy_price", bitmex.bankruptcy_price,
     dict(side=1, size=100.0, entry_price=20_000.0, leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "leverage": "pos",
      "extra_margin": "real", "kind": "option", "contract_value": "pos"}),
    ("bitmex.liquidation_price", bitmex.liquidation_price,
     dict(side=1, size=100.0, entry_price=20_000.0, leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "leverage": "pos",
      "maint_margin": "rate+", "taker_fee": "rate", "funding_rate": "real", "kind": "option"}),
    ("bitmex.liquidation_price_support_formula", bitmex.liquidation_price_support_formula,
     dict(side=1, entry_price=20_000.0, leverage=10.0),
     {"side": "side", "entry_price": "pos", "leverage": "pos", "maint_margin": "rate+",
      "taker_fee": "rate", "funding_rate": "real"}),
    ("bitmex.insurance_fund_delta", bitmex.insurance_fund_delta,
     dict(side=1, size=100.0, bankruptcy_price=19_800.0, fill_price=19_900.0),
     {"side": "side", "size": "pos", "bankruptcy_price": "pos", "fill_price": "pos",
      "kind": "option", "contract_value": "pos"}),
    ("bitmex.position_value", bitmex.position_value, dict(side=1, size=100.0, price=20_000.0),
     {"side": "side", "size": "pos", "price": "pos", "kind": "option"}),
    ("bitmex.adl_ranking", bitmex.adl_ranking,
     dict(side=1, size=100.0, avg_entry_price=20_000.0, mark_price=21_000.0,
          bankruptcy_price=18_000.0),
     {"side": "side", "size": "pos", "avg_entry_price": "pos", "mark_price": "pos",
      "bankruptcy_price": "pos", "kind": "option"}),
    ("bitmex.adl_percentile", bitmex.adl_percentile,
     dict(ranking=[1.0, 3.0, 2.0], size=[1.0, 2.0, 3.0]),
     {"ranking": "series", "size": "series_nonneg"}),
    ("bitmex.adl_allocation", bitmex.adl_allocation,
     dict(ranking=[1.0, 3.0, 2.0], size=[1.0, 2.0, 3.0], quantity=2.0),
     {"ranking": "series", "size": "series_nonneg", "quantity": "nonneg"}),
    ("bybit.round_price", bybit.round_price, dict(price=100.3, side=1, tick_size=0.5),
     {"price": "quote", "side": "side", "tick_size": "pos"}),
    ("bybit.risk_limit_tiers", bybit.risk_limit_tiers,
     dict(risk_limits=[2e6, 4e6, 6e6], mmrs=[0.005, 0.01, 0.015]),
     {"risk_limits": "series_pos", "mmrs": "series_pos"}),
    ("bybit.maintenance_margin", bybit.maintenance_margin, dict(position_value=1e4, mmr=0.005),
     {"position_value": "nonneg", "mmr": "rate+", "mm_deduction": "nonneg"}),
    ("bybit.liquidation_price", bybit.liquidation_price,
     dict(side=1, position_size=1.0, entry_price=100.0, leverage=10.0, mmr=0.005),
     {"side": "side", "position_size": "pos", "entry_price": "pos", "leverage": "pos",
      "mmr": "rate+", "mm_deduction": "nonneg", "extra_margin_added": "real",
      "tick_size": "pos"}),
    ("bybit.bankruptcy_price", bybit.bankruptcy_price,
     dict(side=1, entry_price=100.0, leverage=10.0),
     {"side": "side", "entry_price": "pos", "leverage": "pos", "kind": "option",
      "tick_size": "pos"}),
    ("bybit.inverse_position_value", bybit.inverse_position_value,
     dict(contract_quantity=100.0, price=20_000.0),
     {"contract_quantity": "pos", "price": "pos"}),
    ("bybit.inverse_initial_margin", bybit.inverse_initial_margin,
     dict(contract_quantity=100.0, entry_price=20_000.0, leverage=10.0),
     {"contract_quantity": "pos", "entry_price": "pos", "leverage": "pos"}),
    ("bybit.inverse_unrealized_pnl", bybit.inverse_unrealized_pnl,
     dict(side=1, contract_quantity=100.0, entry_price=20_000.0, mark_price=21_000.0),
     {"side": "side", "contract_quantity": "pos", "entry_price": "pos", "mark_price": "pos"}),
    ("bybit.interest_rate", bybit.interest_rate, dict(),
     {"quote_interest_rate": "real", "base_interest_rate": "real",
      "funding_intervals_per_day": "count"}),
    ("bybit.funding_rate", bybit.funding_rate, dict(average_premium_index=1e-4),
     {"average_premium_index": "real", "interest_rate": "real", "clamp": "nonneg"}),
    ("bybit.funding_fee", bybit.funding_fee,
     dict(side=1, position_value=1e4, funding_rate=1e-4),
     {"side": "side", "position_value": "nonneg", "funding_rate": "real"}),
    ("deribit.futures_margin_rate", deribit.futures_margin_rate, dict(position_size=10.0),
     {"position_size": "nonneg", "currency": "option", "margin": "option", "version": "option"}),
    ("deribit.futures_margin", deribit.futures_margin, dict(position_size=10.0),
     {"position_size": "nonneg", "currency": "option", "margin": "option", "version": "option"}),
    ("deribit.futures_liquidation_price", deribit.futures_liquidation_price,
     dict(side=1, size=1.0, entry_price=20_000.0, leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "leverage": "pos",
      "currency": "option", "version": "option", "kind": "option"}),
    ("deribit.liquidation_fee_rate", deribit.liquidation_fee_rate, dict(),
     {"instrument": "option", "currency": "option", "version": "option"}),
    ("deribit.liquidation_fee", deribit.liquidation_fee, dict(amount=100.0),
     {"amount": "nonneg", "instrument": "option", "currency": "option"}),
    ("deribit.bounded_mark_iv", deribit.bounded_mark_iv, dict(iv=0.5),
     {"iv": "iv", "floor": "pos", "cap": "pos", "no_market": "pos"}),
    ("deribit.option_mark_price", deribit.option_mark_price,
     dict(bid=0.05, ask=0.055, forward=100.0, strike=110.0, time=0.1),
     {"forward": "pos", "strike": "pos", "time": "pos", "kind": "callput", "rate": "real",
      "settlement": "option"}),
    ("deribit.short_option_margin", deribit.short_option_margin,
     dict(kind="call", strike=110.0, underlying_price=100.0, mark_price=0.01),
     {"kind": "callput", "strike": "pos", "underlying_price": "pos", "mark_price": "nonneg"}),
    ("deribit.standard_option_requirement", deribit.standard_option_requirement,
     dict(kind="call", strike=110.0, underlying_price=100.0, mark_price=0.01, size=-1.0),
     {"kind": "callput", "strike": "pos", "underlying_price": "pos", "mark_price": "nonneg",
      "size": "real", "reading": "option"}),
    ("deribit.iv_shock", deribit.iv_shock, dict(days_to_expiration=30.0),
     {"days_to_expiration": "nonneg", "vol_shock": "nonneg", "vol_power": "real"}),
    ("deribit.price_moves", deribit.price_moves, dict(max_move=0.16),
     {"max_move": "rate+", "buckets": "count"}),
    ("deribit.option_contingency", deribit.option_contingency, dict(size=[1.0, -2.0, 3.0]),
     {"size": "series", "rate": "nonneg"}),
    ("deribit.futures_contingency", deribit.futures_contingency, dict(size=[1.0, -2.0, 3.0]),
     {"size": "series", "rate": "nonneg"}),
    ("deribit.vega_contingency", deribit.vega_contingency, dict(vega=[1.0, -2.0, 3.0]),
     {"vega": "series", "rate": "nonneg"}),
    ("dydx.liquidation_price", dydx.liquidation_price,
     dict(e=1000.0, s=1.0, p=3000.0, mmf=0.03),
     {"e": "real", "p": "pos", "mmf": "rate+", "mmr_o": "nonneg"}),
    ("dydx.equity", dydx.equity, dict(e=1000.0, s=1.0, p=3000.0, price=2900.0),
     {"e": "real", "p": "pos", "price": "pos"}),
    ("dydx.adjusted_bankruptcy_rating", dydx.adjusted_bankruptcy_rating,
     dict(total_net_collateral=10.0, total_maintenance_margin=20.0),
     {"total_net_collateral": "real", "total_maintenance_margin": "pos",
      "bankruptcy_adjustment": "pos"}),
    ("dydx.impact_notional", dydx.impact_notional, dict(initial_margin_fraction=0.05),
     {"initial_margin_fraction": "rate+", "margin": "pos"}),
    ("dydx.funding_rate_cap", dydx.funding_rate_cap,
     dict(initial_margin_fraction=0.05, maintenance_margin_fraction=0.03),
     {"initial_margin_fraction": "rate+", "maintenance_margin_fraction": "rate+"}),
    ("dydx.base_to_quote_quantums", dydx.base_to_quote_quantums,
     dict(base_quantums=10, atomic_resolution=-8, price=5, exponent=-5),
     {"base_quantums": "int", "atomic_resolution": "int", "price": "count0", "exponent": "int"}),
    ("dydx.quote_to_base_quantums", dydx.quote_to_base_quantums,
     dict(quote_quantums=10, atomic_resolution=-8, price=5, exponent=-5),
     {"quote_quantums": "int", "atomic_resolution": "int", "price": "count", "exponent": "int"}),
    ("hyperliquid.maintenance_leverage", hyperliquid.maintenance_leverage,
     dict(max_leverage=50.0), {"max_leverage": "pos"}),
    ("hyperliquid.maintenance_margin_rate", hyperliquid.maintenance_margin_rate,
     dict(max_leverage=50.0), {"max_leverage": "pos"}),
    ("hyperliquid.margin_tiers", hyperliquid.margin_tiers,
     dict(lower_bounds=[0.0, 1.5e8], max_leverages=[40.0, 20.0]),
     {"lower_bounds": "series_nonneg", "max_leverages": "series_pos"}),
    ("hyperliquid.maintenance_margin", hyperliquid.maintenance_margin,
     dict(notional_position_value=1e4, max_leverage=50.0),
     {"notional_position_value": "nonneg", "max_leverage": "pos"}),
    ("hyperliquid.liquidation_price", hyperliquid.liquidation_price,
     dict(price=100.0, side=1, position_size=1.0, margin_available=5.0, max_leverage=50.0),
     {"price": "pos", "side": "side", "position_size": "pos", "margin_available": "real",
      "max_leverage": "pos"}),
    ("hyperliquid.liquidation_order_size", hyperliquid.liquidation_order_size,
     dict(position_size=1.0, mark_price=100.0),
     {"position_size": "pos", "mark_price": "pos"}),
    ("hyperliquid.backstop_threshold", hyperliquid.backstop_threshold,
     dict(maintenance_margin=10.0), {"maintenance_margin": "nonneg"}),
    ("hyperliquid.is_backstop_liquidatable", hyperliquid.is_backstop_liquidatable,
     dict(account_equity=5.0, maintenance_margin=10.0),
     {"account_equity": "real", "maintenance_margin": "nonneg"}),
    ("hyperliquid.adl_ranking", hyperliquid.adl_ranking,
     dict(side=1, mark_price=110.0, entry_price=100.0, notional_position=1e3,
          account_value=100.0),
     {"side": "side", "mark_price": "pos", "entry_price": "pos", "notional_position": "nonneg",
      "account_value": "real"}),
    ("hyperliquid.premium", hyperliquid.premium,
     dict(impact_bid_px=100.0, impact_ask_px=100.2, oracle_px=100.1),
     {"impact_bid_px": "pos", "impact_ask_px": "pos", "oracle_px": "pos"}),
    ("hyperliquid.funding_rate", hyperliquid.funding_rate, dict(average_premium_index=1e-4),
     {"average_premium_index": "real", "interest_rate": "real", "clamp": "nonneg"}),
    ("hyperliquid.funding_payment", hyperliquid.funding_payment,
     dict(side=1, position_size=1.0, oracle_price=100.0, funding_rate=1e-4),
     {"side": "side", "position_size": "pos", "oracle_price": "pos", "funding_rate": "real"}),
    ("okx.position_value", okx.position_value, dict(contracts=10.0, ct_val=0.01, mark_px=100.0),
     {"contracts": "pos", "ct_val": "pos", "mark_px": "pos", "kind": "option"}),
    ("okx.maintenance_margin", okx.maintenance_margin,
     dict(contracts=10.0, ct_val=0.01, mark_px=100.0, mmr=0.005),
     {"contracts": "pos", "ct_val": "pos", "mark_px": "pos", "mmr": "rate+", "kind": "option"}),
    ("okx.margin_ratio", okx.margin_ratio,
     dict(margin=10.0, upl=1.0, contracts=10.0, ct_val=0.01, mark_px=100.0, fee_rate=5e-4,
          mmr=0.005),
     {"margin": "real", "upl": "real", "contracts": "pos", "ct_val": "pos", "mark_px": "pos",
      "fee_rate": "rate", "mmr": "rate+"}),
    ("okx.liquidation_price", okx.liquidation_price,
     dict(side=1, contracts=10.0, avg_px=100.0, margin=1.0, ct_val=0.01, fee_rate=5e-4,
          mmr=0.005),
     {"side": "side", "contracts": "pos", "avg_px": "pos", "margin": "real", "ct_val": "pos",
      "fee_rate": "rate", "mmr": "rate+", "kind": "option"}),
    ("okx.partial_liquidation_contracts", okx.partial_liquidation_contracts,
     dict(contracts=5000.0), {"contracts": "pos"}),
    ("adapters.Bybit", adapters.Bybit, dict(),
     {"mmr": "rate+", "maintenance_amount": "nonneg", "kind": "option", "contract_size": "pos",
      "taker_fee_rate": "rate", "tick_size": "pos", "inverse_formula": "option"}),
    ("adapters.OKX", adapters.OKX, dict(),
     {"mmr": "rate+", "taker_fee_rate": "rate", "kind": "option", "contract_size": "pos"}),
    ("adapters.BitMEX", adapters.BitMEX, dict(),
     {"mmr": "rate+", "taker_fee_rate": "rate", "funding_rate": "real", "kind": "option",
      "contract_size": "pos"}),
    ("adapters.DYDX", adapters.DYDX, dict(), {"mmr": "rate+", "imr": "rate+", "kind": "option"}),
    ("adapters.Deribit", adapters.Deribit, dict(),
     {"currency": "option", "version": "option", "mmr": "rate+", "kind": "option",
      "contract_size": "pos"}),
    ("adapters.Hyperliquid", adapters.Hyperliquid, dict(tiers=None, max_leverage=50.0),
     {"max_leverage": "pos", "kind": "option"}),
    ("adapters.Binance", adapters.Binance, dict(tiers=None, mmr=0.004),
     {"mmr": "rate+", "maintenance_amount": "real", "kind": "option", "contract_size": "pos"}),
    ("Venue.liquidation_price", adapters.Bybit().liquidation_price,
     dict(side=1, size=1.0, entry_price=100.0, leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "leverage": "pos"}),
    ("Venue.pnl", adapters.OKX().pnl, dict(side=1, size=1.0, entry_price=100.0, price=101.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "price": "pos"}),
    ("Venue.initial_margin", adapters.BitMEX().initial_margin,
     dict(size=100.0, price=20_000.0, leverage=10.0),
     {"size": "pos", "price": "pos", "leverage": "pos"}),
    ("sources", venue_sources, dict(venue="binance"), {"venue": "option"}),
]

#: Arguments documented as scalars (a single number): tested by the scalar rows only.
_SCALAR_ONLY: set[str] = {
    "depth", "alpha", "half_spread", "reference", "max_distance", "mid", "half_life", "dt",
    "consumed_bids", "consumed_asks", "needed", "amount", "fraction", "min_notional", "cooldown",
    "clip_notional", "max_portion", "max_notional_per_block", "rate", "max_rate", "surplus",
    "notional", "size", "fill_price", "bankruptcy_price", "fee_to_fund", "backstop_ratio",
    "initial", "price", "wallet_balance", "entry_price", "isolated_margin", "mark",
    "maintenance", "insurance_fund", "backstop_capital", "book_mid", "risk_aversion", "shares",
    "horizon", "sigma", "epsilon", "eta", "gamma", "interval", "shock", "fund",
    "mark_pass_through", "long_share", "median_notional", "notional_sigma", "entry_dispersion",
    "leverage_scale", "max_leverage", "mmr", "funding_rate", "mark_time_constant", "probability",
    "capital_cost", "loss_weight", "max_drawdown", "shock_scale", "shock_dof", "max_shock",
    "scale", "tail", "down_share", "max_move", "fee_rate", "step", "beta",
    "hump", "bump", "sump", "supply", "buffer", "buffer_rate", "rtol", "max_spread", "min_size",
    "atm_short", "atm_long", "decay", "skew", "curvature", "time", "a", "b", "rho",
    "m", "s", "floor", "cap", "no_market", "collateral", "forward", "strike", "expiry", "vol",
    "moneyness_sigma", "median_size", "size_sigma", "cushion", "initial_factor",
    "previous_mmr", "previous_cum", "notional_floor", "position_notional", "cum", "mmr_b",
    "cum_b", "clamp", "funding_interval", "margin", "base_risk_limit", "risk_step",
    "base_maintenance", "base_initial", "maint_margin", "taker_fee", "quantity", "tick_size",
    "mm_deduction", "vol_shock", "vol_power", "maintenance_amount", "contract_size",
    "taker_fee_rate", "imr", "leverage", "position_size", "extra_margin_added", "y", "k",
    "kyle_lambda", "daily_volume", "daily_volatility", "token_price", "target", "budget",
    "blocks", "impact", "contracts", "mark_price", "iv", "days_to_expiration",
    "initial_margin_rate", "initial_margin", "interest_rate", "average_premium_index",
    "fund_start", "entry", "volatility", "within", "width",
    "new_price", "price_move", "vol_floor", "net_short_option_contingency", "option_contingency",
    "futures_contingency", "vega_contingency", "extended_fraction", "hedge_fraction", "tol",
    "mmr_l", "mmr_s", "cum_l", "cum_s",
}

# Per-spec exceptions to the "array with a NaN names its index" rule: arguments that broadcast.
_ARRAY_OK: dict[str, tuple[str, ...]] = {}


def _cases() -> list[Any]:
    cases = []
    for name, func, base, args in SPECS:
        for arg, domain in args.items():
            if domain in ARRAY_BAD:
                arr = list(base[arg])
                for bad in ARRAY_BAD[domain]:
                    values = [*arr[:2], bad, *arr[3:]] if len(arr) > 2 else [arr[0], bad]
                    where = "index 2" if len(arr) > 2 else "index 1"
                    cases.append(
                        pytest.param(func, {**base, arg: values}, arg, ValueError, where,
                                     id=f"{name}-{arg}-{bad!r}")
                    )
                cases.append(
                    pytest.param(func, {**base, arg: [*arr[:-1], "x"]}, arg, TypeError, None,
                                 id=f"{name}-{arg}-str-element")
                )
                continue
            type_bad, value_bad = DOMAINS[domain]
            for bad in type_bad:
                cases.append(
                    pytest.param(func, {**base, arg: bad}, arg, TypeError, None,
                                 id=f"{name}-{arg}-{type(bad).__name__}-{bad!r}")
                )
            for bad in value_bad:
                cases.append(
                    pytest.param(func, {**base, arg: bad}, arg, ValueError, None,
                                 id=f"{name}-{arg}-{bad!r}")
                )
            if domain in ("pos", "nonneg", "real", "rate", "rate+", "unit") and (
                arg not in _SCALAR_ONLY or arg in _ARRAY_OK.get(name, ())
            ):
                good = base.get(arg, 0.5)
                cases.append(
                    pytest.param(func, {**base, arg: [good, good, math.nan]}, arg, ValueError,
                                 "index 2", id=f"{name}-{arg}-array-nan")
                )
    return cases


CASES = _cases()


@pytest.mark.parametrize(("name", "func", "base"), [(s[0], s[1], s[2]) for s in SPECS])
def test_the_valid_call_of_each_row_succeeds(
    name: str, func: Callable[..., Any], base: dict[str, Any]
) -> None:
    func(**base)  # the rows' bad cases differ from a call that works in one argument only


@pytest.mark.parametrize(("func", "kwargs", "arg", "exc", "where"), CASES)
def test_bad_input_is_refused_naming_the_argument(
    func: Callable[..., Any], kwargs: dict[str, Any], arg: str, exc: type, where: str | None
) -> None:
    with pytest.raises(exc) as info:
        func(**kwargs)
    message = str(info.value)
    assert names(arg, message), f"message does not name {arg!r}: {message}"
    if where is not None:
        subscript = f"[{where.split()[-1]}]"
        assert where in message or subscript in message, (
            f"message does not give the {where}: {message}"
        )
    assert "could not convert" not in message and "Mismatch is between" not in message


def test_the_table_is_large() -> None:
    assert len(CASES) >= 500


# --- the examples of issue 15 in these layers -----------------------------------------------


def test_a_sell_never_fills_below_price_zero() -> None:
    # a ladder reaching 5x the mid is fine for asks; a sell used to fill at -400 (VWAP -150)
    fill = execute(PowerLawLadder(100, max_distance=5), SELL, 1e6, 100)
    assert fill.vwap >= 0 and fill.worst_price >= 0
    assert fill.quantity == pytest.approx(PowerLawLadder(100).capacity)
    assert fill.unfilled == pytest.approx(1e6 - fill.quantity)


def test_a_ladder_whose_capacity_overflows_is_refused() -> None:
    with pytest.raises(DerivedRangeError, match="capacity"):
        PowerLawLadder(1.0, alpha=81.0, max_distance=64.0)


def test_a_shock_too_small_to_move_the_price_is_refused() -> None:
    with pytest.raises(ValueError, match="shock must move price"):
        cascades.cascade(POP, 100, 1e-300, LAD)  # was ZeroDivisionError


def test_a_population_of_mismatched_lengths_is_refused() -> None:
    with pytest.raises(ValueError, match="one length") as info:
        cascades.Population(np.ones(3), np.ones(2), np.ones(3), np.ones(3), np.ones(3),
                            np.ones(3))  # was IndexError inside cascade
    assert "'size': 2" in str(info.value)


def test_random_queue_counts_in_integers() -> None:
    with pytest.raises(TypeError, match=r"\bn\b"):
        adl.random_queue(2.5)  # type: ignore[arg-type]  (gave float indices)
    with pytest.raises(ValueError, match=r"\bn\b"):
        adl.random_queue(adl.MAX_QUEUE + 1)
    assert adl.random_queue(3, rng=1).dtype.kind == "i"


def test_flat_book_model_blames_periods() -> None:
    with pytest.raises(ValueError, match=r"^periods") as info:
        costs.flat_book_model(LAD, 100.0, 40.0, 10.0, 0, 1.0)
    assert "eta" not in str(info.value)


def test_rounding_down_below_one_tick_is_refused() -> None:
    with pytest.raises(ValueError, match="0 is not a price"):
        round_to_tick(0.3, 0.5, "down")
    assert round_to_tick(0.3, 0.5, "up") == 0.5
    assert round_to_tick(0.5, 0.5, "down") == 0.5


def test_dydx_quantum_conversions_bound_the_exponent() -> None:
    with pytest.raises(ValueError, match="exponent"):
        dydx.base_to_quote_quantums(10, -8, 5, -(10**8))  # ran for ever
    with pytest.raises(ValueError, match="exponent"):
        dydx.quote_to_base_quantums(10, -8, 5, 10**8)


def test_bybit_deduction_above_the_margin_is_refused() -> None:
    with pytest.raises(ValueError, match="mm_deduction"):
        bybit.maintenance_margin(100, mmr=0.005, mm_deduction=1000)  # was -999.5


def test_dydx_other_requirement_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="mmr_o"):
        dydx.liquidation_price(1000, 1, 3000, 0.03, mmr_o=-100)  # returned a price


@pytest.mark.parametrize(
    ("call", "arg"),
    [
        (lambda: bitmex.liquidation_price(1, 100, 20_000, leverage=10, funding_rate=5),
         "funding_rate"),
        (lambda: dydx.liquidation_price(1000, 1, -3000, 0.03), "p"),
        (lambda: bitmex.insurance_fund_delta(1, 100, -19_800, 19_700), "bankruptcy_price"),
        (lambda: binance.funding_rate(math.nan), "average_premium_index"),
        (lambda: costs.flat_book_model(LAD, 100.0, 40.0, 10.0, 0, 1.0), "periods"),
        (lambda: Engine(TRADERS, 100.0, rules="okxx"), "rules"),
        (lambda: binance.bracket([1.0, 2.0]), "position_notional"),
        (lambda: binance.liquidation_price("abc", 1, 100, wb=10, mmr_b=0.004), "side1_both"),
        (lambda: hyperliquid.liquidation_price(100, "long", 1, 10, max_leverage=50), "side"),
        (lambda: okx.liquidation_price(1, 1, 100, margin=10, ct_val=1, fee_rate=5e-4,
                                       mmr=[0.01, 0.02]), "mmr"),
    ],
)
def test_the_issues_wrong_names_are_right(call: Callable[[], Any], arg: str) -> None:
    with pytest.raises(ValueError) as info:  # ArgumentTypeError is a ValueError too
        call()
    assert names(arg, str(info.value)), str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: burn.buyback(1e308, 1e-300),
        lambda: deribit.futures_margin(1e300),
        lambda: costs.almgren_chriss_schedule(MODEL, 1e300),
    ],
)
def test_the_issues_overflows_are_refused_or_finite(call: Callable[[], Any]) -> None:
    try:
        got = call()
    except ValueError as exc:
        assert isinstance(exc, (DerivedRangeError, ValueError)) and str(exc)
        return
    values = [getattr(got, f) for f in ("spent", "tokens")] if hasattr(got, "spent") else [got]
    assert all(np.all(np.isfinite(np.asarray(x, dtype=float))) for x in values)


def test_type_errors_are_argument_type_errors() -> None:
    with pytest.raises(ArgumentTypeError):
        execute(None, SELL, 1.0, 100.0)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError):
        policies.FullLiquidation(fill_or_kill=0)  # type: ignore[arg-type]


# --- binance: inputs the mutation run's review found unchecked --------------------------------


def test_binance_cum_above_the_margin_is_refused() -> None:
    # as bybit's mm_deduction: a bracket's cum holds within its bracket (100 at 1% less 5 was -4)
    with pytest.raises(ValueError, match=r"^cum must not exceed") as info:
        binance.maintenance_margin([1_000.0, 100.0], mmr=0.01, cum=5)
    assert "flat index 1" in str(info.value) and "-4.0" in str(info.value)
    assert binance.maintenance_margin(500.0, mmr=0.01, cum=5) == 0.0  # at the bracket's floor


def test_binance_a_nan_cum_is_not_the_recursions_value() -> None:
    entry = {"notionalFloor": 0, "maintMarginRatio": 0.004, "initialLeverage": 125, "cum": "nan"}
    with pytest.raises(ValueError, match=r"brackets\[0\]\['cum'\]=nan"):
        binance.brackets_from_api([entry])  # passed the check (a comparison with NaN is False)
    assert binance.brackets_from_api([entry], check_cum=False).cums.tolist() == [0.0]


def test_binance_wallet_inputs_that_do_not_broadcast_are_named() -> None:
    with pytest.raises(ShapeError, match=r"upnl1 .* wb"):
        binance.liquidation_price(1, 1, 100, wb=[10.0, 20.0, 30.0], mmr_b=0.01, upnl1=[1.0, 2.0])


def test_binance_hedge_formula_overflow_is_refused() -> None:
    with pytest.raises(DerivedRangeError, match="position1_long"):
        binance.hedge_liquidation_price(wb=1e300, position1_long=1e300, ep1_long=1e300,
                                        mmr_l=0.01, position1_short=1, ep1_short=110, mmr_s=0.01)
