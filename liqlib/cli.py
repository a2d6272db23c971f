"""``python -m liqlib``: a liquidation-price calculator that follows each venue's own rules.

Commands::

    liq-price         liquidation price of an isolated position
    bankruptcy-price  the price at which the position's margin is exhausted
    mm                maintenance margin of a position size under a venue's tier table

Every command prints the answer, the venue function that computed it, its formula and the
pages it cites; ``--json`` prints the same as one JSON object. Run ``python -m liqlib liq-price
--help`` for the inputs each venue takes.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .core.contracts import INVERSE, LINEAR, notional
from .core.liquidation import LiquidationResult
from .venues import VENUES

SIDES = {"long": 1, "short": -1}

#: What each venue needs beyond side, size and entry (shown in ``--help``).
VENUE_INPUTS = {
    "binance": "--leverage or --margin; --mmr (and --cum) or --tiers BTCUSDT; --kind; "
    "--contract-value (COIN-M, 100 for BTCUSD)",
    "bybit": "--leverage; --mmr (and --cum, the MM deduction); --tick (rounding); --kind "
    "(inverse takes --fee, the taker fee)",
    "okx": "--margin or --leverage; --contract-value; --fee; --mmr; --kind",
    "hyperliquid": "--leverage or --margin; --max-leverage or --tiers BTC|ETH|SOL|XRP (MM rate "
    "1/(2 max leverage)); --entry is the current mark",
    "bitmex": "--leverage or --margin; --mmr (0.5%); --fee (taker 0.075%); --funding; --kind "
    "(inverse by default)",
    "dydx": "--margin (equity); --mmr (maintenance margin fraction); --entry is the oracle price",
    "deribit": "--leverage or --margin; --currency; --kind (inverse by default)",
}


@dataclass(frozen=True)
class Answer:
    """A computed number and how it was computed."""

    quantity: str
    value: float
    venue: str
    function: Callable[..., Any]
    inputs: dict[str, Any]
    details: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "value": self.value,
            "venue": self.venue,
            "function": f"liqlib.venues.{self.venue}.{self.function.__name__}",
            "formula": summary(self.function),
            "sources": sources(self.function),
            "inputs": self.inputs,
            **self.details,
        }


def summary(function: Callable[..., Any]) -> str:
    """The first paragraph of a function's docstring (for venue functions, the formula)."""
    doc = inspect.getdoc(function) or ""
    return " ".join(doc.split("\n\n")[0].split())


def sources(function: Callable[..., Any]) -> list[str]:
    """URLs of the module references (``[n]_``) a function's docstring cites, else all of them."""
    module = sys.modules[function.__module__]
    entries = re.split(r"\n\.\. \[", inspect.getdoc(module) or "")
    urls = {}
    for entry in entries[1:]:
        label, _, text = entry.partition("]")
        found = re.findall(r"https://\S+?(?=[\s,;)]|$)", text)
        if found:
            urls[label] = found[0].rstrip(".")
    cited = re.findall(r"\[(\w+)\]_", inspect.getdoc(function) or "")
    chosen = [urls[c] for c in dict.fromkeys(cited) if c in urls]
    return chosen or list(dict.fromkeys(urls.values()))


def _venue(name: str) -> ModuleType:
    return importlib.import_module(f".venues.{name}", __package__)


def _kind(args: argparse.Namespace, default: str) -> str:
    return args.kind or default


def _margin(args: argparse.Namespace, kind: str) -> float:
    """Posted margin: ``--margin``, or the initial margin ``notional / --leverage`` at entry."""
    if args.margin is not None:
        return float(args.margin)
    if args.leverage is None:
        raise ValueError("give --leverage or --margin (the margin posted for the position)")
    value = notional(args.qty, args.entry, kind, args.contract_value)
    return float(value) / float(args.leverage)


def _require(args: argparse.Namespace, *names: str) -> None:
    missing = [f"--{n.replace('_', '-')}" for n in names if getattr(args, n) is None]
    if missing:
        raise ValueError(f"{args.venue} needs {' and '.join(missing)}")


def _isolated(args: argparse.Namespace) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The venue function for an isolated position, and its keyword arguments."""
    side, qty, entry = SIDES[args.side], args.qty, args.entry
    venue = _venue(args.venue)
    if args.venue == "binance":
        kind = _kind(args, LINEAR)
        kw: dict[str, Any] = {
            "wb": _margin(args, kind),
            "margin_type": "isolated",
            "kind": kind,
            "contract_size": args.contract_value,
        }
        if args.tiers:
            kw["brackets"] = args.tiers
        else:
            _require(args, "mmr")
            kw.update(mmr_b=args.mmr, cum_b=args.cum or 0.0)
        return venue.liquidation_price, {
            "side1_both": side,
            "position1_both": qty,
            "ep1_both": entry,
            **kw,
        }
    if args.venue == "bybit":
        _require(args, "leverage", "mmr")
        kw = {
            "leverage": args.leverage,
            "mmr": args.mmr,
            "mm_deduction": args.cum or 0.0,
            "tick_size": args.tick,
        }
        if _kind(args, LINEAR) == INVERSE:
            return venue.inverse_liquidation_price, {
                "side": side,
                "position_size": qty,
                "entry_price": entry,
                "taker_fee_rate": args.fee or 0.0,
                **kw,
            }
        return venue.liquidation_price, {
            "side": side,
            "position_size": qty,
            "entry_price": entry,
            **kw,
        }
    if args.venue == "okx":
        _require(args, "mmr")
        kind = _kind(args, LINEAR)
        return venue.liquidation_price, {
            "side": side,
            "contracts": qty,
            "avg_px": entry,
            "margin": _margin(args, kind),
            "ct_val": args.contract_value,
            "fee_rate": args.fee or 0.0,
            "mmr": args.mmr,
            "kind": kind,
        }
    if args.venue == "hyperliquid":
        schedule: dict[str, Any] = {"tiers": args.tiers} if args.tiers else {}
        if not args.tiers:
            if args.max_leverage is None and args.mmr is None:
                raise ValueError("hyperliquid needs --max-leverage, --mmr or --tiers")
            max_lev = args.max_leverage or 1 / (2 * args.mmr)
            schedule = {"max_leverage": max_lev}
        margin = _margin(args, LINEAR)
        mm = float(venue.maintenance_margin(qty * entry, **schedule))
        return venue.liquidation_price, {
            "price": entry,
            "side": side,
            "position_size": qty,
            "margin_available": margin - mm,
            **schedule,
        }
    if args.venue == "bitmex":
        kind = _kind(args, INVERSE)
        kw = {
            "collateral": _margin(args, kind),
            "kind": kind,
            "contract_value": args.contract_value,
            "funding_rate": args.funding or 0.0,
        }
        if args.mmr is not None:
            kw["maint_margin"] = args.mmr
        if args.fee is not None:
            kw["taker_fee"] = args.fee
        return venue.liquidation_price, {"side": side, "size": qty, "entry_price": entry, **kw}
    if args.venue == "dydx":
        _require(args, "margin", "mmr")
        return venue.liquidation_price, {
            "e": args.margin,
            "s": side * qty,
            "p": entry,
            "mmf": args.mmr,
        }
    if args.venue == "deribit":
        kind = _kind(args, INVERSE)
        kw = {
            "collateral": _margin(args, kind),
            "kind": kind,
            "contract_value": args.contract_value,
        }
        if args.currency:
            kw["currency"] = args.currency
        return venue.futures_liquidation_price, {
            "side": side,
            "size": qty,
            "entry_price": entry,
            **kw,
        }
    raise ValueError(f"unknown venue {args.venue!r}; choose one of {', '.join(VENUES)}")


def price_answer(args: argparse.Namespace, quantity: str) -> Answer:
    function, kwargs = _isolated(args)
    result = function(**kwargs)
    details: dict[str, Any] = {}
    if isinstance(result, LiquidationResult):
        liq, bankrupt = result.price, result.bankruptcy_price
        value = liq if quantity == "liquidation_price" else bankrupt
        other = (
            ("bankruptcy_price", bankrupt)
            if quantity == "liquidation_price"
            else ("liquidation_price", liq)
        )
        details = {other[0]: other[1], "tier": result.tier, "liquidatable": result.liquidatable}
    elif quantity == "liquidation_price":
        value = float(result)
    else:
        raise ValueError(f"{args.venue} gives only the liquidation price from these inputs")
    return Answer(quantity, float(value), args.venue, function, kwargs, details)


def mm_answer(args: argparse.Namespace) -> Answer:
    venue = _venue(args.venue)
    if args.venue == "binance":
        function: Callable[..., Any] = venue.maintenance_margin
        kwargs: dict[str, Any] = {"brackets": args.tiers or "BTCUSDT"}
    elif args.venue == "hyperliquid":
        _require(args, "tiers")
        function, kwargs = venue.maintenance_margin, {"tiers": args.tiers}
    else:
        raise ValueError("mm knows the published tier tables of binance and hyperliquid")
    parameters = list(inspect.signature(function).parameters)
    value = function(args.notional, **kwargs)
    return Answer(
        "maintenance_margin",
        float(value),
        args.venue,
        function,
        {parameters[0]: args.notional, **kwargs},
        {},
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m liqlib",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True)
    venues_help = "inputs by venue:\n" + "\n".join(f"  {v:<12} {VENUE_INPUTS[v]}" for v in VENUES)
    for name, text in (
        ("liq-price", "liquidation price"),
        ("bankruptcy-price", "bankruptcy price"),
    ):
        cmd = commands.add_parser(
            name,
            help=text,
            epilog=venues_help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        cmd.add_argument("--venue", required=True, choices=VENUES)
        cmd.add_argument("--side", required=True, choices=SIDES)
        cmd.add_argument("--entry", required=True, type=float, help="entry (or current) price")
        cmd.add_argument(
            "--qty",
            required=True,
            type=float,
            help="size: base units (linear) or contracts (inverse)",
        )
        cmd.add_argument("--leverage", type=float)
        cmd.add_argument("--margin", type=float, help="margin posted (settlement currency)")
        cmd.add_argument("--mmr", type=float, help="maintenance margin rate, a fraction")
        cmd.add_argument("--cum", type=float, help="maintenance amount / MM deduction")
        cmd.add_argument("--tiers", help="a published tier table by name (e.g. BTCUSDT, BTC)")
        cmd.add_argument("--max-leverage", type=float)
        cmd.add_argument("--fee", type=float, help="taker / liquidation fee rate, a fraction")
        cmd.add_argument("--funding", type=float, help="funding rate (BitMEX), a fraction")
        cmd.add_argument("--tick", type=float, help="tick size for rounding (Bybit)")
        cmd.add_argument("--kind", choices=[LINEAR.value, INVERSE.value])
        cmd.add_argument(
            "--contract-value",
            type=float,
            default=1.0,
            help="quote value of one inverse contract (default 1)",
        )
        cmd.add_argument("--currency", help="Deribit currency, e.g. BTC")
        cmd.add_argument("--json", action="store_true", help="machine-readable output")
    mm = commands.add_parser("mm", help="maintenance margin under a venue's tier table")
    mm.add_argument("--venue", required=True, choices=["binance", "hyperliquid"])
    mm.add_argument("--notional", required=True, type=float, help="position value")
    mm.add_argument("--tiers", help="table name (binance: BTCUSDT; hyperliquid: BTC, ETH, ...)")
    mm.add_argument("--json", action="store_true", help="machine-readable output")
    return top


def render(answer: Answer) -> str:
    data = answer.as_dict()
    lines = [f"{answer.quantity.replace('_', ' ')}: {_number(answer.value)}"]
    lines.append(f"computed by {data['function']}")
    lines.append(f"  {data['formula']}")
    lines.append(
        "  inputs: " + ", ".join(f"{k}={v}" for k, v in answer.inputs.items() if v is not None)
    )
    for key, value in answer.details.items():
        lines.append(f"  {key.replace('_', ' ')}: {_number(value)}")
    lines += [f"  source: {url}" for url in data["sources"]]
    return "\n".join(lines)


def _number(value: Any) -> str:
    """Prices to the cent (venues quote them so); coin amounts below 1 to 8 significant digits."""
    if isinstance(value, float):
        if math.isnan(value):
            return "not liquidatable (no positive price)"
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.8g}"
    return str(value)


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    try:
        if args.command == "mm":
            answer = mm_answer(args)
        else:
            quantity = "liquidation_price" if args.command == "liq-price" else "bankruptcy_price"
            answer = price_answer(args, quantity)
    except ValueError as error:
        cli.exit(2, f"{cli.prog} {args.command}: error: {error}\n")
    print(json.dumps(answer.as_dict(), default=str) if args.json else render(answer))
    return 0
