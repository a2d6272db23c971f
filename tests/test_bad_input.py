"""Bad input to every public function of ``liqlib.core`` and ``liqlib.prices`` (averages, index,
mark, funding, paths): each case asserts the exception type and that the message names the
argument as the caller wrote it (and, for one bad element of an array, its index).

The cases are generated from one table: for each function, a valid call and the domain of each
argument; every domain has its own list of bad values (wrong types -> TypeError, wrong values ->
ValueError). Hand-written cases below cover shapes, overflow and the secondary inputs (tier
tables, root finders, grids, counts) named in issue 15.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import liqlib.core as core
from liqlib.core import (
    Account,
    ArgumentTypeError,
    DerivedRangeError,
    Position,
    ShapeError,
    Side,
    Tier,
    TierTable,
)
from liqlib.core import _validate as v
from liqlib.prices import averages, funding, index, mark, options, paths

TABLE = TierTable([0, 50_000, 250_000], [0.004, 0.005, 0.01], [125, 100, 50], name="T")
POS = Position(Side.LONG, 1.0, 100.0, 0.01)
ACCT = Account(100.0, [Position(Side.LONG, 2, 100, 0.01), Position(Side.SHORT, 1, 110, 0.01)])
SERIES = [100.0, 101.0, 102.0, 101.5, 100.5]
MIDS5 = [100.1, 100.0, 99.9, 100.2, 100.0]

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
    "side": (["long", True, 1j, None], [0, 2, 0.5, math.nan]),
    "count": ([1.5, "3", True, None], [0, -1]),
    "option": ([3, None, 1.0], ["bogus", ""]),
    # an option's kind: a non-string is the wrong type, an unknown string a wrong value
    "callput": ([3, None, 1.0, True], ["bogus", "", ["call", "straddle"]]),
}

# Array arguments: one bad element at index 2 must be named with its index.
ARRAY_BAD: dict[str, list[Any]] = {
    "series": [math.nan, math.inf],
    "series_pos": [math.nan, 0.0, -5.0],
    "series_nonneg": [math.nan, -1.0],
}


def names(arg: str, message: str) -> bool:
    """``arg`` appears in ``message`` as a word of its own (not inside another name)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", message) is not None


# (id, function, valid keyword arguments, {argument: domain})
SPECS: list[tuple[str, Callable[..., Any], dict[str, Any], dict[str, str]]] = [
    # core.contracts
    ("notional", core.notional, dict(size=2.0, price=100.0), {"size": "pos", "price": "pos"}),
    ("notional_inverse", core.notional,
     dict(size=2.0, price=100.0, kind="inverse", contract_value=100.0),
     {"size": "pos", "price": "pos", "contract_value": "pos", "kind": "option"}),
    ("pnl", core.pnl, dict(side=1, size=2.0, entry_price=100.0, price=110.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "price": "pos", "kind": "option"}),
    ("pnl_inverse", core.pnl,
     dict(side=1, size=2.0, entry_price=100.0, price=110.0, kind="inverse", contract_value=10.0),
     {"contract_value": "pos", "size": "pos", "entry_price": "pos", "price": "pos"}),
    ("average_entry_price", core.average_entry_price, dict(sizes=[1.0, 2.0], prices=[100.0, 110.0]),
     {"sizes": "series_pos", "prices": "series_pos", "kind": "option"}),
    ("round_to_tick", core.round_to_tick, dict(price=100.3, tick=0.5, direction="up"),
     {"price": "pos", "tick": "pos", "direction": "option"}),
    # core.tiers
    ("Tier", Tier, dict(level=1, floor=0.0, cap=math.inf, mmr=0.01, max_leverage=50.0, cum=0.0),
     {"mmr": "rate+", "level": "count_or_zero", "cum": "real", "floor": "known_nonneg",
      "max_leverage": "known_pos", "cap": "known_cap"}),
    ("count_at_or_below", core.count_at_or_below,
     dict(thresholds=np.array([1.0, 2.0, 3.0]), x=[0.0, 2.5]),
     {"thresholds": "thresholds", "x": "real"}),
    ("count_at_or_above", core.count_at_or_above,
     dict(thresholds=np.array([1.0, 2.0, 3.0]), x=[0.0, 2.5]),
     {"thresholds": "thresholds", "x": "real"}),
    ("TierTable", TierTable,
     dict(floors=[0.0, 100.0, 200.0], mmrs=[0.01, 0.02, 0.03], max_leverages=[50, 25, 10]),
     {"floors": "series_nonneg", "mmrs": "series_pos", "max_leverages": "series_pos"}),
    ("TierTable.flat", TierTable.flat, dict(mmr=0.01, max_leverage=50.0),
     {"mmr": "rate+", "max_leverage": "pos"}),
    ("TierTable.from_max_leverage", TierTable.from_max_leverage,
     dict(floors=[0.0, 100.0, 200.0], max_leverages=[50.0, 25.0, 10.0]),
     {"floors": "series_nonneg", "max_leverages": "series_pos"}),
    ("maintenance_amounts", core.maintenance_amounts,
     dict(floors=[0.0, 100.0, 200.0], mmrs=[0.01, 0.02, 0.03]),
     {"floors": "series_nonneg", "mmrs": "series_pos"}),
    ("table.maintenance_margin", TABLE.maintenance_margin, dict(notional=1e5),
     {"notional": "nonneg"}),
    ("table.effective_mmr", TABLE.effective_mmr, dict(notional=1e5), {"notional": "pos"}),
    ("table.max_leverage", TABLE.max_leverage, dict(notional=1e5), {"notional": "nonneg"}),
    ("table.tier", TABLE.tier, dict(notional=1e5), {"notional": "nonneg"}),
    ("table.check_leverage", TABLE.check_leverage, dict(leverage=10.0, notional=1e5),
     {"leverage": "pos"}),
    # core.margin
    ("initial_margin", core.initial_margin, dict(notional_value=1e4, leverage=10.0),
     {"notional_value": "pos", "leverage": "pos"}),
    ("maintenance_margin", core.maintenance_margin, dict(notional_value=1e4, mmr=0.01),
     {"notional_value": "nonneg", "mmr": "rate+"}),
    ("margin_ratio", core.margin_ratio, dict(maintenance=10.0, equity=100.0),
     {"maintenance": "nonneg", "equity": "real"}),
    ("effective_leverage", core.effective_leverage, dict(notional_value=1e4, equity=100.0),
     {"notional_value": "nonneg", "equity": "real"}),
    ("Position", Position, dict(side=1, size=1.0, entry_price=100.0, mmr=0.01),
     {"side": "side", "size": "pos", "entry_price": "pos", "mmr": "rate+",
      "contract_value": "pos", "kind": "option"}),
    ("isolated_state", core.isolated_state, dict(position=POS, collateral=10.0, price=99.0),
     {"collateral": "real", "price": "pos"}),
    ("Account", Account, dict(wallet_balance=100.0, positions=[POS]), {"wallet_balance": "real"}),
    ("account.state", ACCT.state, dict(prices=[100.0, 100.0]), {"prices": "series_pos"}),
    ("account.others", ACCT.others, dict(index=0, prices=[100.0, 100.0]),
     {"prices": "series_pos", "index": "index"}),
    # core.liquidation
    ("liquidation_price", core.liquidation_price,
     dict(side=1, size=1.0, entry_price=100.0, leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "leverage": "pos", "mmr": "rate+",
      "fee_rate": "rate", "contract_value": "pos", "extra_margin": "real", "mark_price": "pos",
      "kind": "option", "maintenance_at": "option", "fee_at": "option", "method": "option",
      "errors": "option"}),
    ("liquidation_price_collateral", core.liquidation_price,
     dict(side=-1, size=1.0, entry_price=100.0, collateral=10.0, mmr=TABLE),
     {"collateral": "real", "size": "pos", "entry_price": "pos"}),
    ("liquidation_price_array", core.liquidation_price,
     dict(side=[1.0, -1.0, 1.0], size=[1.0, 2.0, 3.0], entry_price=[100.0, 101.0, 102.0],
          leverage=10.0),
     {"size": "series_pos", "entry_price": "series_pos"}),
    ("bankruptcy_price", core.bankruptcy_price,
     dict(side=1, size=1.0, entry_price=100.0, leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "leverage": "pos", "fee_rate": "rate",
      "kind": "option"}),
    ("cross_liquidation_price", core.cross_liquidation_price,
     dict(account=ACCT, index=0, prices=[100.0, 100.0]),
     {"prices": "series_pos", "fee_rate": "rate", "method": "option", "index": "index"}),
    ("bracketed_root", core.bracketed_root, dict(func=lambda x: x - 1.0, lo=0.0, hi=2.0),
     {"lo": "real", "hi": "real", "xtol": "pos", "maxiter": "count"}),
    ("account_liquidation_prices", core.account_liquidation_prices,
     dict(account=ACCT, prices=[100.0, 100.0], moving=[True, True]),
     {"prices": "series_pos", "fee_rate": "rate", "grid": "count3"}),
    # prices.averages
    ("weighted_median", averages.weighted_median,
     dict(values=SERIES, weights=[3.0, 2.0, 2.0, 1.0, 1.0]),
     {"values": "series", "weights": "series_nonneg"}),
    ("ema", averages.ema, dict(samples=SERIES, dt=1.0, time_constant=150.0),
     {"samples": "series", "dt": "pos", "time_constant": "pos"}),
    ("ema_reference", averages.ema_reference, dict(samples=SERIES, dt=1.0, time_constant=150.0),
     {"samples": "series", "dt": "pos", "time_constant": "pos"}),
    ("moving_average", averages.moving_average, dict(samples=SERIES, window=2),
     {"samples": "series", "window": "count"}),
    ("sample_and_hold", averages.sample_and_hold, dict(series=SERIES, dt=1.0, interval=2.0),
     {"series": "series", "dt": "pos", "interval": "pos"}),
    ("time_weighted_average", averages.time_weighted_average,
     dict(samples=SERIES, durations=[1.0, 1.0, 2.0, 1.0, 1.0]),
     {"samples": "series", "durations": "series_nonneg"}),
    ("linearly_weighted_average", averages.linearly_weighted_average, dict(samples=SERIES),
     {"samples": "series"}),
    # prices.index
    ("stale_sources", index.stale_sources, dict(last_update=[95.0, 99.0, 80.0], now=100.0),
     {"last_update": "series", "now": "real", "max_age": "pos"}),
    ("index_price", index.index_price, dict(prices=MIDS5, weights=[0.3, 0.25, 0.2, 0.15, 0.1]),
     {"prices": "series_pos", "weights": "series_nonneg", "threshold": "rate+", "rule": "option",
      "all_stale": "option"}),
    # prices.mark
    ("time_to_funding", mark.time_to_funding, dict(times=[0.0, 1.0, 2.0]),
     {"times": "series", "funding_interval": "pos", "offset": "real"}),
    ("funding_basis", mark.funding_basis, dict(funding_rate=0.0003, time_to_funding=7200.0),
     {"funding_rate": "real", "time_to_funding": "nonneg", "funding_interval": "pos"}),
    ("fair_price", mark.fair_price, dict(index=100.0, funding_rate=0.0003, time_to_funding=7200.0),
     {"index": "pos", "funding_rate": "real", "time_to_funding": "nonneg"}),
    ("median_of_three", mark.median_of_three, dict(a=1.0, b=2.0, c=3.0),
     {"a": "real", "b": "real", "c": "real"}),
    ("basis_moving_average", mark.basis_moving_average,
     dict(mid=SERIES, index=SERIES, window=2.0, interval=1.0),
     {"mid": "series_pos", "index": "series_pos", "window": "pos", "dt": "pos"}),
    ("ema_basis", mark.ema_basis, dict(mid=SERIES, oracle=SERIES),
     {"mid": "series_pos", "oracle": "series_pos", "dt": "pos", "time_constant": "pos"}),
    ("median_mark_price", mark.median_mark_price,
     dict(index=100.0, last_funding_rate=0.0001, time_to_funding=3600.0, basis_average=0.1,
          last_price=100.2),
     {"index": "pos", "last_funding_rate": "real", "time_to_funding": "nonneg",
      "basis_average": "real", "last_price": "pos"}),
    ("basis_rate_mark_price", mark.basis_rate_mark_price, dict(index=100.0, basis_rate=0.001),
     {"index": "pos", "basis_rate": "real"}),
    ("hyperliquid_mark_price", mark.hyperliquid_mark_price,
     dict(oracle=100.0, ema_of_basis=-0.4, best_bid=99.9, best_ask=100.1, last_price=100.0,
          external_mids=MIDS5),
     {"oracle": "pos", "ema_of_basis": "real", "best_bid": "pos", "best_ask": "pos",
      "last_price": "pos", "external_mids": "series_pos"}),
    ("breached", mark.breached,
     dict(trigger_prices=[100.0, 93.0, 99.0, 98.0], liquidation_prices=[95.0, 90.0], side=1),
     {"trigger_prices": "series_pos", "side": "side"}),
    # prices.funding
    ("impact_notional", funding.impact_notional, dict(margin=200.0, initial_margin_rate=0.05),
     {"margin": "pos", "initial_margin_rate": "rate+"}),
    ("impact_price", funding.impact_price,
     dict(prices=[100.0, 99.0, 98.0], sizes=[10.0, 20.0, 50.0], notional_value=2_000.0),
     {"prices": "series_pos", "sizes": "series_pos", "notional_value": "pos"}),
    ("premium_index", funding.premium_index,
     dict(impact_bid=30_030.0, impact_ask=30_060.0, index=30_000.0),
     {"impact_bid": "pos", "impact_ask": "pos", "index": "pos"}),
    ("funding_rate", funding.funding_rate, dict(premium=0.01),
     {"premium": "real", "interest": "real", "clamp": "nonneg", "cap": "pos"}),
    ("interest_rate", funding.interest_rate, dict(quote_rate=0.0006, base_rate=0.0003),
     {"quote_rate": "real", "base_rate": "real", "fundings_per_day": "count"}),
    ("margin_funding_cap", funding.margin_funding_cap,
     dict(initial_margin_fraction=0.05, maintenance_margin_fraction=0.03),
     {"initial_margin_fraction": "rate+", "maintenance_margin_fraction": "rate+",
      "multiplier": "pos"}),
    ("dydx_funding_rate", funding.dydx_funding_rate, dict(premium=0.004),
     {"premium": "real", "interest": "real", "cap": "pos"}),
    ("rate_per_payment", funding.rate_per_payment, dict(rate=0.0095),
     {"rate": "real", "payment_interval": "pos", "rate_period": "pos"}),
    ("funding_payment", funding.funding_payment, dict(side=1, size=10.0, price=100.0, rate=1e-4),
     {"side": "side", "size": "pos", "price": "pos", "rate": "real", "kind": "option"}),
    ("cumulative_funding", funding.cumulative_funding,
     dict(side=1, size=1.0, times=[0.0, 3600.0], rate=1e-4, price=100.0),
     {"side": "side", "size": "pos", "times": "series", "rate": "real", "price": "pos",
      "payment_interval": "pos", "rate_period": "pos", "start": "real"}),
    ("funding_drift", funding.funding_drift,
     dict(side=1, size=1.0, entry_price=100.0, times=[0.0, 28_800.0], rate=1e-3, price=100.0,
          leverage=10.0),
     {"side": "side", "size": "pos", "entry_price": "pos", "times": "series", "rate": "real",
      "price": "pos", "leverage": "pos", "mmr": "rate+", "fee_rate": "rate"}),
    # prices.options
    ("normal_cdf", options.normal_cdf, dict(x=0.5), {"x": "real"}),
    ("option_sign", options.option_sign, dict(kind="put"), {"kind": "callput"}),
    ("black76_price", options.black76_price,
     dict(forward=100.0, strike=110.0, time=0.5, rate=0.01, vol=0.6),
     {"forward": "pos", "strike": "pos", "time": "pos", "rate": "real", "vol": "pos",
      "kind": "callput", "settlement": "option"}),
    ("black76_greeks", options.black76_greeks,
     dict(forward=100.0, strike=110.0, time=0.5, rate=0.01, vol=0.6),
     {"forward": "pos", "strike": "pos", "time": "pos", "rate": "real", "vol": "pos",
      "kind": "callput", "settlement": "option"}),
    ("black_scholes_price", options.black_scholes_price,
     dict(spot=100.0, strike=110.0, time=0.5, rate=0.01, vol=0.6),
     {"spot": "pos", "strike": "pos", "time": "pos", "rate": "real", "vol": "pos",
      "kind": "callput", "dividend_yield": "real", "settlement": "option"}),
    ("black_scholes_greeks", options.black_scholes_greeks,
     dict(spot=100.0, strike=110.0, time=0.5, rate=0.01, vol=0.6),
     {"spot": "pos", "strike": "pos", "time": "pos", "rate": "real", "vol": "pos",
      "kind": "callput", "dividend_yield": "real", "settlement": "option"}),
    # prices.paths
    ("gbm", paths.gbm, dict(s0=100.0, sigma=0.5, n=5),
     {"s0": "pos", "sigma": "nonneg", "n": "count", "dt": "pos", "drift": "real"}),
    ("wick_profile", paths.wick_profile,
     dict(times=[0.0, 1.0, 2.0], start=0.0, duration=2.0, depth=0.1),
     {"times": "series", "start": "real", "duration": "pos", "depth": "rate", "shape": "option"}),
    ("wick_path", paths.wick_path, dict(seconds=60.0),
     {"seconds": "pos", "dt": "pos", "price": "pos", "sigma": "nonneg", "depth": "rate",
      "duration": "pos", "spread": "rate", "n_other": "count", "source_noise": "nonneg",
      "other_noise": "nonneg", "shape": "option"}),
]

EXTRA_DOMAINS: dict[str, tuple[list[Any], list[Any]]] = {
    # Tier fields that may be nan (unknown) but not negative, infinite or below the floor
    "known_nonneg": (["abc", True, 1j, None, [1.0, 2.0]], [-1.0, math.inf, -math.inf]),
    "known_pos": (["abc", True, 1j, None, [1.0, 2.0]], [0.0, -1.0, math.inf]),
    "known_cap": (["abc", True, 1j, None, [1.0, 2.0]], [-1.0, -math.inf]),
    "thresholds": (["abc", [1.0, "x"], None],
                   [np.array([3.0, 1.0]), [3.0, 2.0, 1.0], [[1.0, 2.0]], [1.0, math.nan]]),
    "count_or_zero": ([1.5, "3", True, None], [-1]),
    "count3": ([1.5, "3", True, None], [0, 1, 2, -5]),
    "index": ([0.5, "0", True, None], [-1, 2]),
}


def _cases() -> list[Any]:
    cases = []
    for label, func, base, args in SPECS:
        for arg, domain in args.items():
            if domain in ARRAY_BAD:
                arr = list(base[arg])
                for bad in ARRAY_BAD[domain]:
                    values = [*arr[:2], bad, *arr[3:]] if len(arr) > 2 else [arr[0], bad]
                    where = "index 2" if len(arr) > 2 else "index 1"
                    cases.append(
                        pytest.param(func, {**base, arg: values}, arg, ValueError, where,
                                     id=f"{label}-{arg}-{bad!r}")
                    )
                cases.append(
                    pytest.param(func, {**base, arg: [*arr[:-1], "x"]}, arg, TypeError, None,
                                 id=f"{label}-{arg}-str-element")
                )
                continue
            type_bad, value_bad = {**DOMAINS, **EXTRA_DOMAINS}[domain]
            for bad in type_bad:
                cases.append(
                    pytest.param(func, {**base, arg: bad}, arg, TypeError, None,
                                 id=f"{label}-{arg}-{type(bad).__name__}-{bad!r}")
                )
            for bad in value_bad:
                cases.append(
                    pytest.param(func, {**base, arg: bad}, arg, ValueError, None,
                                 id=f"{label}-{arg}-{bad!r}")
                )
            if domain in ("pos", "nonneg", "real", "rate", "rate+") and arg not in _SCALAR_ONLY.get(
                label, ()
            ):
                # The same bad value inside an array: named by its index.
                good = base.get(arg, _DEFAULTS.get(arg, 0.5))
                bad = math.nan
                cases.append(
                    pytest.param(func, {**base, arg: [good, good, bad]}, arg, ValueError,
                                 "index 2", id=f"{label}-{arg}-array-nan")
                )
    return cases


#: Arguments documented as scalars (a single number): an array is a TypeError or ValueError,
#: tested by the scalar rows only.
_SCALAR_ONLY: dict[str, tuple[str, ...]] = {
    "Tier": ("mmr", "cum"),
    "count_at_or_below": ("x",),
    "count_at_or_above": ("x",),
    "TierTable.flat": ("mmr", "max_leverage"),
    "table.tier": ("notional",),
    "Position": ("size", "entry_price", "mmr", "contract_value"),
    "Account": ("wallet_balance",),
    "bracketed_root": ("xtol",),
    "account_liquidation_prices": ("fee_rate",),
    "cross_liquidation_price": ("fee_rate",),
    "ema": ("time_constant", "dt"),
    "ema_reference": ("time_constant", "dt"),
    "sample_and_hold": ("dt", "interval"),
    "stale_sources": ("max_age", "now"),
    "index_price": ("threshold",),
    "time_to_funding": ("funding_interval", "offset"),
    "funding_basis": ("funding_interval",),
    "fair_price": (),
    "basis_moving_average": ("window", "dt"),
    "ema_basis": ("dt", "time_constant"),
    "impact_price": ("notional_value",),
    "funding_rate": ("clamp", "cap"),
    "margin_funding_cap": ("multiplier",),
    "dydx_funding_rate": ("cap",),
    "rate_per_payment": ("payment_interval", "rate_period"),
    "cumulative_funding": ("side", "size", "payment_interval", "rate_period", "start", "rate",
                           "price"),
    "funding_drift": ("side", "size", "entry_price", "leverage", "mmr", "fee_rate", "rate",
                      "price"),
    "gbm": ("s0", "sigma", "dt", "drift"),
    "wick_profile": ("start", "duration", "depth"),
    "wick_path": ("seconds", "dt", "price", "sigma", "depth", "duration", "spread",
                  "source_noise", "other_noise"),
    "liquidation_price": ("fee_rate",),
    "bankruptcy_price": ("fee_rate",),
    "funding_payment": (),
    "initial_margin": (),
    "isolated_state": (),
}
_DEFAULTS: dict[str, Any] = {
    "mmr": 0.01, "fee_rate": 0.001, "contract_value": 1.0, "extra_margin": 0.0,
    "mark_price": 100.0, "interest": 0.0001, "clamp": 0.0005, "cap": 0.1, "max_age": 10.0,
    "threshold": 0.05, "funding_interval": 28_800.0, "offset": 0.0, "dt": 1.0,
    "time_constant": 150.0, "payment_interval": 3600.0, "rate_period": 28_800.0, "start": 0.0,
    "multiplier": 6.0, "xtol": 1e-12, "drift": 0.0, "sigma": 0.5, "depth": 0.1, "spread": 0.0002,
    "source_noise": 0.0002, "other_noise": 0.0002, "price": 100.0, "duration": 30.0,
}

CASES = _cases()


@pytest.mark.parametrize(("func", "kwargs", "arg", "exc", "where"), CASES)
def test_bad_input_is_refused_naming_the_argument(
    func: Callable[..., Any], kwargs: dict[str, Any], arg: str, exc: type, where: str | None
) -> None:
    with pytest.raises(exc) as info:
        func(**kwargs)
    message = str(info.value)
    assert names(arg, message), f"{func.__name__}: message does not name {arg!r}: {message}"
    if where is not None:
        subscript = f"[{where.split()[-1]}]"  # "floors[2]=..." names the element too
        assert where in message or subscript in message, (
            f"{func.__name__}: message does not give the {where}: {message}"
        )
    assert "could not convert" not in message and "Mismatch is between" not in message


def test_the_table_is_large() -> None:
    assert len(CASES) >= 500


# --- shapes ---------------------------------------------------------------------------------------

SHAPE_CASES = [
    (core.notional, dict(size=[1.0, 2.0, 3.0], price=[1.0, 2.0]), ("size", "price")),
    (core.notional, dict(size=[1.0, 2.0, 3.0], price=[1.0, 2.0], kind="inverse"),
     ("size", "price")),
    (core.notional, dict(size=1.0, price=[1.0, 2.0], kind="inverse", contract_value=[1.0] * 3),
     ("price", "contract_value")),
    (core.notional, dict(size=[1.0, 2.0], price=1.0, kind="inverse", contract_value=[1.0] * 3),
     ("size", "contract_value")),
    (core.pnl, dict(side=[1, -1, 1], size=[1.0, 2.0], entry_price=1.0, price=1.0),
     ("side", "size")),
    (core.pnl, dict(side=1, size=[1.0, 2.0], entry_price=1.0, price=[1.0, 2.0, 3.0]),
     ("size", "price")),
    (core.pnl, dict(side=1, size=[1.0, 2.0], entry_price=1.0, price=1.0, kind="inverse",
                    contract_value=[1.0, 2.0, 3.0]), ("size", "contract_value")),
    (core.pnl, dict(side=1, size=[1.0, 2.0], entry_price=[1.0, 2.0, 3.0], price=1.0),
     ("size", "entry_price")),
    (core.average_entry_price, dict(sizes=[1.0, 2.0], prices=[1.0, 2.0, 3.0]), ("sizes", "prices")),
    (core.round_to_tick, dict(price=[1.0, 2.0], tick=[0.5, 0.1, 1.0], direction="up"),
     ("price", "tick")),
    (core.initial_margin, dict(notional_value=[1.0, 2.0], leverage=[1.0, 2.0, 3.0]),
     ("notional_value", "leverage")),
    (core.maintenance_margin, dict(notional_value=[1.0, 2.0], mmr=[0.01, 0.02, 0.03]),
     ("notional_value", "mmr")),
    (core.margin_ratio, dict(maintenance=[1.0, 2.0], equity=[1.0, 2.0, 3.0]),
     ("maintenance", "equity")),
    (core.effective_leverage, dict(notional_value=[1.0, 2.0], equity=[1.0, 2.0, 3.0]),
     ("notional_value", "equity")),
    (core.liquidation_price, dict(side=1, size=[1.0, 2.0, 3.0], entry_price=[1.0, 2.0],
                                  leverage=10), ("size", "entry_price")),
    (core.liquidation_price, dict(side=[1, -1, 1], size=[1.0, 2.0], entry_price=1.0,
                                  leverage=10), ("side", "size")),
    (core.liquidation_price, dict(side=1, size=[1.0, 2.0], entry_price=1.0, leverage=[5, 6, 7]),
     ("size", "leverage")),
    (core.liquidation_price, dict(side=1, size=[1.0, 2.0], entry_price=1.0, leverage=5,
                                  mmr=[0.01, 0.02, 0.03]), ("size", "mmr")),
    (core.liquidation_price, dict(side=1, size=[1.0, 2.0], entry_price=1.0, leverage=5,
                                  mark_price=[1.0, 2.0, 3.0]), ("size", "mark_price")),
    (core.bracketed_root, dict(func=lambda x: x, lo=[-1.0, -2.0], hi=[1.0, 2.0, 3.0]),
     ("lo", "hi")),
    (core.maintenance_amounts, dict(floors=[0.0, 1.0], mmrs=[0.01, 0.02, 0.03]),
     ("floors", "mmrs")),
    (mark.median_of_three, dict(a=[1.0, 2.0], b=[1.0, 2.0, 3.0], c=1.0), ("a", "b")),
    (mark.funding_basis, dict(funding_rate=[0.1, 0.2], time_to_funding=[1.0, 2.0, 3.0]),
     ("funding_rate", "time_to_funding")),
    (mark.hyperliquid_mark_price, dict(oracle=[100.0, 101.0], ema_of_basis=0.0,
                                       best_bid=[99.0, 99.0, 99.0], best_ask=101.0,
                                       last_price=100.0, external_mids=MIDS5),
     ("oracle", "best_bid")),
    (funding.premium_index, dict(impact_bid=[1.0, 2.0], impact_ask=[3.0, 4.0, 5.0], index=1.0),
     ("impact_bid", "impact_ask")),
    (funding.funding_rate, dict(premium=[0.1, 0.2], interest=[0.1, 0.2, 0.3]),
     ("premium", "interest")),
    (funding.dydx_funding_rate, dict(premium=[0.1, 0.2], interest=[0.1, 0.2, 0.3]),
     ("premium", "interest")),
    (funding.interest_rate, dict(quote_rate=[0.1, 0.2], base_rate=[0.1, 0.2, 0.3]),
     ("quote_rate", "base_rate")),
    (funding.impact_notional, dict(margin=[1.0, 2.0], initial_margin_rate=[0.1, 0.2, 0.3]),
     ("margin", "initial_margin_rate")),
    (funding.funding_payment, dict(side=1, size=[1.0, 2.0], price=1.0, rate=[0.1, 0.2, 0.3]),
     ("size", "rate")),
    (averages.ema_reference, dict(samples=[1.0, 2.0], dt=[1.0, 2.0, 3.0], time_constant=1.0),
     ("samples", "dt")),
]


@pytest.mark.parametrize(("func", "kwargs", "arg_names"), SHAPE_CASES)
def test_shape_mismatch_names_both_arguments(
    func: Callable[..., Any], kwargs: dict[str, Any], arg_names: tuple[str, str]
) -> None:
    with pytest.raises(ValueError) as info:
        func(**kwargs)
    message = str(info.value)
    for name in arg_names:
        assert names(name, message), message
    assert "Mismatch is between" not in message and "could not be broadcast" not in message


def test_shape_errors_are_a_named_subclass() -> None:
    with pytest.raises(ShapeError, match=r"entry_price of shape \(2,\).*size of shape \(3,\)"):
        core.liquidation_price(1, [1.0, 2.0, 3.0], [1.0, 2.0], leverage=10)


# --- overflow and underflow of derived quantities -------------------------------------------------

DERIVED_CASES = [
    (core.liquidation_price, dict(side=1, size=1, entry_price=1e300, leverage=10), "entry_price"),
    (core.liquidation_price, dict(side=1, size=1e300, entry_price=1e300, leverage=10), "size"),
    (core.liquidation_price, dict(side=1, size=1, entry_price=1e-300, leverage=10), "entry_price"),
    (core.liquidation_price, dict(side=1, size=1, entry_price=100, leverage=1e-300), "leverage"),
    (core.liquidation_price, dict(side=1, size=1, entry_price=100, collateral=1e300), "collateral"),
    (core.liquidation_price, dict(side=1, size=1, entry_price=100, leverage=10, mark_price=1e300),
     "mark_price"),
    (core.liquidation_price, dict(side=1, size=1, entry_price=1e-300, leverage=10,
                                  kind="inverse"), "entry_price"),
    (core.notional, dict(size=1e300, price=1e300), "size"),
    (core.notional, dict(size=1e-300, price=1e-300), "price"),
    (core.notional, dict(size=1.0, price=1e-300, kind="inverse"), "price"),
    (core.pnl, dict(side=1, size=1e300, entry_price=1e300, price=1.0), "entry_price"),
    (core.round_to_tick, dict(price=1e300, tick=1e-300, direction="up"), "tick"),
    (core.initial_margin, dict(notional_value=1e300, leverage=1e-300), "leverage"),
    (core.average_entry_price, dict(sizes=[1e300, 1e300], prices=[1e10, 1e10]), "sizes"),
    (averages.moving_average, dict(samples=[1e308, -1e308, 1e308], window=3), "samples"),
    (averages.time_weighted_average, dict(samples=[1e308, 1e308]), "samples"),
]


@pytest.mark.parametrize(("func", "kwargs", "arg"), DERIVED_CASES)
def test_overflow_is_refused_naming_the_input(
    func: Callable[..., Any], kwargs: dict[str, Any], arg: str
) -> None:
    with pytest.raises(DerivedRangeError) as info:
        func(**kwargs)
    assert names(arg, str(info.value))


def test_the_issue_examples_of_overflow_no_longer_give_nan() -> None:
    # Before: NaN with liquidatable=False; 1e-300: NaN, "not liquidatable" and "below maintenance".
    for entry in (1e300, 1e-300):
        with pytest.raises(ValueError, match="entry_price"):
            core.liquidation_price(1, 1e300 if entry > 1 else 1, entry, leverage=10)


# --- types ----------------------------------------------------------------------------------------


def test_type_errors_are_also_value_errors_for_old_callers() -> None:
    with pytest.raises(ArgumentTypeError):
        core.liquidation_price(1, 1, "abc", leverage=10)
    with pytest.raises(ValueError, match="entry_price must be a real number"):
        core.liquidation_price(1, 1, "abc", leverage=10)
    with pytest.raises(TypeError, match="side must be"):
        core.liquidation_price("long", 1, 100, leverage=10)


def test_ragged_input_is_named() -> None:
    with pytest.raises(ValueError, match="size must be a rectangular array"):
        core.notional([[1.0, 2.0], [3.0]], 100.0)


def test_huge_python_int_is_out_of_float_range() -> None:
    with pytest.raises(ValueError, match="size must fit in a float"):
        core.notional(10**400, 1.0)


# --- secondary inputs named in issue 15 -----------------------------------------------------------


class TestTiers:
    def test_tier_mmr_zero_is_a_value_error_not_zero_division(self) -> None:
        with pytest.raises(ValueError, match="mmr"):
            Tier(1, 0.0, math.inf, 0.0, 50.0, 0.0)

    def test_tier_mmr_above_one_refused(self) -> None:
        with pytest.raises(ValueError, match="mmr"):
            Tier(1, 0.0, math.inf, 2.0, 50.0, 0.0)

    def test_tier_cum_nan_refused(self) -> None:
        with pytest.raises(ValueError, match="cum must be finite"):
            Tier(1, 0.0, math.inf, 0.01, 50.0, math.nan)

    def test_tier_with_unknown_bounds_is_allowed(self) -> None:
        tier = Tier(0, math.nan, math.nan, 0.01, math.nan, 5.0)
        assert tier.maintenance_margin(1_000.0) == 5.0

    @pytest.mark.parametrize(
        ("floors", "mmrs", "arg"),
        [
            ([0.0, [1.0, 2.0]], [0.01, 0.02], "floors"),
            ([0.0, 200.0, 100.0], [0.01, 0.02, 0.03], "floors"),
            ([0.0, 100.0], [0.02, 0.01], "mmrs"),
            ([], [], "floors"),
            ([0.0, 100.0], [0.01], "mmrs"),
            ([5.0, 100.0], [0.01, 0.02], "floors"),
            ([[0.0, 100.0]], [[0.01, 0.02]], "floors"),
        ],
    )
    def test_maintenance_amounts_refuses_ragged_falling_and_empty(self, floors, mmrs, arg) -> None:
        with pytest.raises(ValueError, match=arg):
            core.maintenance_amounts(floors, mmrs)

    def test_check_leverage_names_leverage(self) -> None:
        with pytest.raises(ValueError, match="leverage must be at most"):
            TABLE.check_leverage(200.0, 1_000.0)

    def test_tier_index_must_be_integer(self) -> None:
        with pytest.raises(TypeError, match="tier index"):
            TABLE[0.5]  # type: ignore[index]

    def test_table_name_must_be_string(self) -> None:
        with pytest.raises(TypeError, match="name"):
            TierTable([0.0], [0.01], [50.0], name=3)  # type: ignore[arg-type]


class TestRootFinders:
    def test_nan_function_is_refused(self) -> None:
        with pytest.raises(ValueError, match="func must return finite values"):
            core.bracketed_root(lambda x: np.full_like(x, np.nan), 0.0, 1.0)

    def test_nan_in_the_middle_is_refused(self) -> None:
        with pytest.raises(ValueError, match="func must return finite values"):
            core.bracketed_root(lambda x: np.where(np.abs(x - 0.5) < 0.3, np.nan, x - 0.5), 0, 1)

    def test_maxiter_negative(self) -> None:
        with pytest.raises(ValueError, match="maxiter"):
            core.bracketed_root(lambda x: x - 0.3, 0.0, 1.0, maxiter=-1)

    def test_unconverged_is_refused_not_a_midpoint(self) -> None:
        with pytest.raises(ValueError, match="maxiter=3"):
            core.bracketed_root(lambda x: x - 0.3, 0.0, 1.0, maxiter=3)

    def test_no_sign_change_names_the_bracket(self) -> None:
        with pytest.raises(ValueError, match="flat index 1"):
            core.bracketed_root(lambda x: x - 0.5, [0.0, 0.6], [1.0, 1.0])

    def test_inverted_bracket(self) -> None:
        with pytest.raises(ValueError, match="lo must be <= hi"):
            core.bracketed_root(lambda x: x, 1.0, -1.0)

    def test_func_not_callable(self) -> None:
        with pytest.raises(TypeError, match="func must be callable"):
            core.bracketed_root(3.0, 0.0, 1.0)  # type: ignore[arg-type]

    def test_func_wrong_shape(self) -> None:
        with pytest.raises(ValueError, match="func must return one value per point"):
            core.bracketed_root(lambda x: np.array([1.0, -1.0, 3.0]), [0.0, 0.0], [1.0, 1.0])


class TestGridsAndAccounts:
    @pytest.mark.parametrize("grid", [0, 1, 2, -4])
    def test_grid_too_small(self, grid) -> None:
        with pytest.raises(ValueError, match="grid"):
            core.account_liquidation_prices(ACCT, [100, 100], [True, True], grid=grid)

    @pytest.mark.parametrize("span", [1.0, 0.5, -3.0, math.nan, math.inf])
    def test_span(self, span) -> None:
        with pytest.raises(ValueError, match="span"):
            core.account_liquidation_prices(ACCT, [100, 100], [True, True], span=span)

    def test_moving_must_be_bool(self) -> None:
        with pytest.raises(TypeError, match="moving"):
            core.account_liquidation_prices(ACCT, [100, 100], [1, 1])

    def test_account_needs_positions(self) -> None:
        with pytest.raises(TypeError, match="positions"):
            Account(100.0, [1.0])  # type: ignore[list-item]

    def test_account_must_be_account(self) -> None:
        with pytest.raises(TypeError, match="account"):
            core.cross_liquidation_price("acct", 0, [1.0])  # type: ignore[arg-type]

    def test_isolated_state_needs_position(self) -> None:
        with pytest.raises(TypeError, match="position"):
            core.isolated_state("pos", 1.0, 1.0)  # type: ignore[arg-type]

    def test_position_size_array_refused(self) -> None:
        with pytest.raises(TypeError, match="size must be a single number"):
            Position(Side.LONG, [1.0, 2.0], 100.0)  # type: ignore[arg-type]


class TestLiquidationOptions:
    def test_requirement_at_or_above_notional(self) -> None:
        with pytest.raises(ValueError, match="mmr \\+ fee_rate must be < 1"):
            core.liquidation_price(1, 1, 100, leverage=10, mmr=0.6, fee_rate=0.5)

    def test_both_leverage_and_collateral(self) -> None:
        with pytest.raises(ValueError, match="leverage"):
            core.liquidation_price(1, 1, 100, leverage=10, collateral=10)

    def test_leverage_above_bracket_names_leverage(self) -> None:
        with pytest.raises(ValueError, match="leverage must be at most the bracket's max"):
            core.liquidation_price(1, 1, 100, leverage=500, mmr=TABLE)


class TestPrices:
    def test_crossed_book_refused(self) -> None:
        with pytest.raises(ValueError, match="best_bid must not exceed best_ask"):
            mark.hyperliquid_mark_price(100.0, 0.0, 101.0, 99.0, 100.0, MIDS5)

    def test_opened_must_be_integers(self) -> None:
        with pytest.raises(TypeError, match="opened"):
            mark.breached([100.0, 90.0], [95.0], 1, opened=[0.5])

    def test_axis_out_of_range(self) -> None:
        with pytest.raises(ValueError, match="axis"):
            averages.moving_average(SERIES, 2, axis=3)

    def test_axis_not_integer(self) -> None:
        with pytest.raises(TypeError, match="axis"):
            averages.moving_average(SERIES, 2, axis=0.5)  # type: ignore[arg-type]

    def test_seed_negative_and_wrong_type(self) -> None:
        with pytest.raises(ValueError, match="seed"):
            paths.gbm(100.0, sigma=0.5, n=3, seed=-1)
        with pytest.raises(TypeError, match="seed"):
            paths.gbm(100.0, sigma=0.5, n=3, seed=1.5)  # type: ignore[arg-type]

    def test_count_far_too_large(self) -> None:
        with pytest.raises(ValueError, match="n must be an integer in"):
            paths.gbm(100.0, sigma=0.5, n=10**12)


# --- the renaming hook for wrappers ---------------------------------------------------------------


def test_renamed_puts_the_wrappers_name_in_messages() -> None:
    # binance.funding_rate(average_premium_index) calls funding.funding_rate(premium): a wrapper
    # that wraps the call in v.renamed(...) gets its own argument named.
    with v.renamed(premium="average_premium_index"):
        with pytest.raises(ValueError, match="^average_premium_index must be finite"):
            funding.funding_rate(math.nan)
    with pytest.raises(ValueError, match="^premium must be finite"):
        funding.funding_rate(math.nan)
