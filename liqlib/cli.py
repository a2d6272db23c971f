"""``liqlib`` (or ``python -m liqlib``): venue liquidation rules from the command line.

Commands::

    compare           one position through every venue's rules, side by side
    liq-price         liquidation price of an isolated position at one venue
    bankruptcy-price  the price at which the position's margin is exhausted
    mm                maintenance margin of a position at one venue
    pnl               profit and loss, and return on margin, at a price

Every command takes the same options for the same things (--side, --size, --entry, --leverage or
--margin, --mmr, ...), runs them through the library's own checks and the venue interface
(:mod:`liqlib.venues.interface`), and prints the answer, the venue function that computed it and
the pages it implements; ``--json`` prints one JSON object (``null`` with a reason where there
is no number). Bad input exits with status 2 and a one-line message naming the option.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from . import __version__
from .core import _validate as v
from .core.contracts import INVERSE, LINEAR
from .venues import VENUES, get, sources, venue_size
from .venues.interface import Venue

SIDES = {"long": 1, "short": -1}

#: Library argument -> the option that sets it (messages are re-worded in the CLI's words).
OPTIONS = {
    "side": "--side",
    "size": "--size",
    "entry_price": "--entry",
    "price": "--price",
    "leverage": "--leverage",
    "margin": "--margin",
    "mmr": "--mmr",
    "maintenance_amount": "--maintenance-amount",
    "tiers": "--tiers",
    "max_leverage": "--max-leverage",
    "taker_fee_rate": "--taker-fee-rate",
    "funding_rate": "--funding-rate",
    "tick_size": "--tick-size",
    "kind": "--kind",
    "contract_size": "--contract-size",
    "currency": "--currency",
}

#: Rule options, in the order ``--help`` lists them: (option, help).
RULES = {
    "mmr": "maintenance margin rate, a fraction (replaces the venue's default rate or table)",
    "maintenance_amount": "the bracket's maintenance amount (Binance cum, Bybit MM deduction)",
    "tiers": "a published tier table by name (binance BTCUSDT; okx BTC-USD-SWAP-2019; "
    "hyperliquid BTC, ETH, SOL, XRP)",
    "max_leverage": "the asset's maximum leverage (hyperliquid: maintenance rate 1/(2 x it))",
    "taker_fee_rate": "taker fee rate, a fraction (okx, bitmex; bybit inverse)",
    "funding_rate": "funding rate due at the next interval, a fraction (bitmex)",
    "tick_size": "round prices to this tick as the venue displays them (bybit)",
    "contract_size": "quote units per inverse contract (default 1)",
    "currency": "the margin schedule's currency (deribit: BTC or ETH)",
}


class InputError(ValueError):
    """Bad command-line input; the message names the option."""


def _in_cli_words(message: str) -> str:
    """A library message with its leading argument name replaced by the option that sets it."""
    match = re.match(r"(\w+)(?=[\s=\[])", message)
    if match and match.group(1) in OPTIONS:
        return OPTIONS[match.group(1)] + message[match.end() :]
    return message


def _plain(text: str) -> str:
    """Docstring text without reStructuredText markup (for terminals and JSON)."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text)
    text = text.replace("``", "").replace("`", "")
    text = re.sub(r"\s*\[\w+\]_", "", text)
    return " ".join(text.split())


def summary(function: Callable[..., Any]) -> str:
    """The first paragraph of a function's docstring (for venue functions, the formula)."""
    doc = inspect.getdoc(function) or ""
    return _plain(doc.split("\n\n")[0])


def _qualified(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__name__}"


# --- reading the options --------------------------------------------------------------------


def _float(option: str, check: Callable[[str, float], Any]) -> Callable[[str], float]:
    """An argparse type: a number checked by the library's validation, named as the option."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        try:
            check(option, value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error).removeprefix(option + " ")) from None
        return value

    return parse


POSITIVE = v.positive
FINITE = v.as_float


def _rate(name: str, value: float) -> Any:
    return v.rate(name, value, allow_zero=False)


def _fee(name: str, value: float) -> Any:
    return v.rate(name, value)


def _rules(args: argparse.Namespace, venue: str, *, strict: bool = True) -> dict[str, Any]:
    """The adapter's keyword arguments from the rule options given.

    ``strict``: an option the venue does not take is an error (one venue); else it is skipped
    (``compare`` applies each option to the venues that take it).
    """
    accepted = set(inspect.signature(VENUES[venue]).parameters)
    rules: dict[str, Any] = {}
    for name in (*RULES, "kind"):
        value = getattr(args, name, None)
        if value is None:
            continue
        if name not in accepted:
            if strict:
                raise InputError(f"{OPTIONS[name]} does not apply to {venue}")
            continue
        rules[name] = value
    return rules


def _venue(args: argparse.Namespace, name: str, *, strict: bool = True) -> Venue:
    try:
        return get(name, **_rules(args, name, strict=strict))
    except InputError:
        raise
    except ValueError as error:
        raise InputError(_in_cli_words(str(error))) from None


def _sizing(args: argparse.Namespace) -> dict[str, Any]:
    if (args.leverage is None) == (args.margin is None):
        raise InputError("give exactly one of --leverage or --margin")
    if args.leverage is not None:
        return {"leverage": args.leverage}
    return {"margin": args.margin}


def _echo(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """The inputs as the user gave them, keyed by option."""
    out = {}
    for name in names:
        value = getattr(args, name, None)
        if value is not None and value is not False:
            out[OPTIONS.get(name, "--" + name.replace("_", "-"))] = value
    return out


def _call(function: Callable[..., Any], *a: Any, **kw: Any) -> Any:
    """Run a library call, re-wording its ValueError in the CLI's words."""
    try:
        return function(*a, **kw)
    except ValueError as error:
        raise InputError(_in_cli_words(str(error))) from None


def _number(value: Any) -> float | None:
    """A finite float, or None (JSON has no NaN)."""
    out = float(value)
    return out if math.isfinite(out) else None


POSITION = ("side", "size", "entry_price", "leverage", "margin")


# --- commands -------------------------------------------------------------------------------


def price_answer(args: argparse.Namespace, quantity: str) -> dict[str, Any]:
    """``liq-price`` / ``bankruptcy-price`` at one venue."""
    venue = _venue(args, args.venue)
    side, sizing = SIDES[args.side], _sizing(args)
    result = _call(venue.liquidation_price, side, args.size, args.entry_price, **sizing)
    answer: dict[str, Any] = {"quantity": quantity, "venue": args.venue}
    if quantity == "liquidation_price":
        answer["value"] = _number(result.price)
        answer["bankruptcy_price"] = _number(result.bankruptcy_price)
        answer["tier"] = int(result.tier)
        if not result.liquidatable:
            answer["reason"] = _unliquidatable(args.side, venue)
        function = venue.formula("liquidation_price")
    else:
        value = _call(venue.bankruptcy_price, side, args.size, args.entry_price, **sizing)
        answer["value"] = _number(value)
        answer["liquidation_price"] = _number(result.price)
        if answer["value"] is None:
            answer["reason"] = "no positive price exhausts the margin (the loss is bounded)"
        function = venue.formula("bankruptcy_price")
    return _provenance(answer, args, venue, function, quantity)


def _unliquidatable(side: str, venue: Venue) -> str:
    kind = venue.kind.value
    return (
        f"cannot be liquidated: no positive, finite price brings this {kind} {side}'s equity "
        "down to its maintenance margin (its margin covers the largest possible loss)"
    )


def _provenance(
    answer: dict[str, Any],
    args: argparse.Namespace,
    venue: Venue,
    function: Callable[..., Any],
    entry_point: str,
) -> dict[str, Any]:
    answer["function"] = _qualified(function)
    answer["formula"] = summary(function)
    answer["inputs"] = _echo(args, (*POSITION, "price"))
    answer["rules"] = venue.rules()
    answer["sources"] = [s.url for s in sources(venue.name, entry_point)]
    return answer


def mm_answer(args: argparse.Namespace) -> dict[str, Any]:
    """``mm``: maintenance margin of ``--size`` marked at ``--entry`` (and the leverage cap)."""
    venue = _venue(args, args.venue)
    value = _call(venue.maintenance_margin, args.size, args.entry_price)
    cap = _call(venue.max_leverage, args.size, args.entry_price)
    answer = {
        "quantity": "maintenance_margin",
        "venue": args.venue,
        "value": _number(value),
        "max_leverage": _number(cap),
    }
    if answer["max_leverage"] is None:
        answer["max_leverage_reason"] = "no published leverage table in the library"
    function = venue.formula("maintenance_margin")
    return _provenance(answer, args, venue, function, "maintenance_margin")


def pnl_answer(args: argparse.Namespace) -> dict[str, Any]:
    """``pnl``: profit and loss at ``--price`` and the return on the margin posted."""
    venue = _venue(args, args.venue)
    side, sizing = SIDES[args.side], _sizing(args)
    gain = _call(venue.pnl, side, args.size, args.entry_price, args.price)
    roe = _call(venue.roe, side, args.size, args.entry_price, args.price, **sizing)
    answer = {"quantity": "pnl", "venue": args.venue, "value": _number(gain), "roe": _number(roe)}
    return _provenance(answer, args, venue, venue.formula("roe"), "roe")


def compare_answer(args: argparse.Namespace) -> dict[str, Any]:
    """``compare``: the same position through every venue's rules."""
    side, sizing = SIDES[args.side], _sizing(args)
    rows, refusals = [], []
    for name in VENUES:
        row: dict[str, Any] = {"venue": name}
        try:
            venue = _venue(args, name, strict=False)
        except InputError as error:
            row.update(_empty(), reason=str(error))
            rows.append(row)
            refusals.append(str(error))
            continue
        inverse = venue.kind is INVERSE
        # one position for all: --size base units at --entry, in each venue's units; an inverse
        # venue holds its margin in coin
        size = venue_size(venue, args.size, args.entry_price)
        venue_sizing = dict(sizing)
        if "margin" in sizing and inverse:
            venue_sizing["margin"] = sizing["margin"] / args.entry_price
        row.update(
            kind=venue.kind.value,
            size=size,
            size_unit=f"contracts of {venue.contract_size:g} quote" if inverse else "base",
            margin_unit="coin" if inverse else "quote",
            convention=venue.convention,
            rules=venue.rules(),
            function=_qualified(venue.formula("liquidation_price")),
            sources=[s.url for s in sources(name, "liquidation_price")],
        )
        try:
            result = venue.liquidation_price(side, size, args.entry_price, **venue_sizing)
        except ValueError as error:
            message = _in_cli_words(str(error))
            row.update(_empty(), reason=message)
            rows.append(row)
            refusals.append(message)
            continue
        mm = venue.maintenance_margin(size, args.entry_price)
        row.update(
            liquidation_price=_number(result.price),
            bankruptcy_price=_number(result.bankruptcy_price),
            maintenance_margin=_number(mm),
            tier=int(result.tier),
        )
        if not result.liquidatable:
            row["reason"] = _unliquidatable(args.side, venue)
        rows.append(row)
    if len(refusals) == len(rows):
        # the position itself is refused everywhere: bad input, not a venue difference
        raise InputError(refusals[0])
    return {
        "quantity": "compare",
        "inputs": _echo(args, (*POSITION, "mmr", "taker_fee_rate", "funding_rate", "kind")),
        "venues": rows,
    }


def _empty() -> dict[str, Any]:
    return {"liquidation_price": None, "bankruptcy_price": None, "maintenance_margin": None,
            "tier": None}


# --- output ---------------------------------------------------------------------------------


def _money(value: float | None) -> str:
    """Prices to the cent (venues quote them so); amounts below 1 to 8 significant digits."""
    if value is None:
        return "n/a"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.8g}"


def _inputs_line(inputs: dict[str, Any]) -> str:
    return " ".join(f"{k} {val:g}" if isinstance(val, float) else f"{k} {val}"
                    for k, val in inputs.items())


def render(answer: dict[str, Any]) -> str:
    """Plain-text form of an answer."""
    if answer["quantity"] == "compare":
        return _render_compare(answer)
    label = answer["quantity"].replace("_", " ")
    value = answer["value"]
    lines = [f"{label}: {_money(value)}" if value is not None else f"{label}: none"]
    if answer.get("reason"):
        lines.append(f"  {answer['reason']}")
    for key in ("bankruptcy_price", "liquidation_price", "tier", "roe", "max_leverage"):
        if key in answer:
            shown = answer[key]
            if key == "roe" and shown is not None:
                text = f"{100 * shown:,.2f}% of the margin posted"
            elif key == "tier" or shown is None:
                text = "none" if shown is None else str(shown)
            else:
                text = _money(shown) if key != "max_leverage" else f"{shown:g}x"
            lines.append(f"  {key.replace('_', ' ')}: {text}")
    lines.append(f"computed by {answer['function']}")
    lines.append(f"  {answer['formula']}")
    lines.append(f"  inputs: {_inputs_line(answer['inputs'])}")
    rules = ", ".join(f"{k}={val}" for k, val in answer["rules"].items() if val is not None)
    lines.append(f"  {answer['venue']} rules: {rules}")
    lines += [f"  source: {url}" for url in answer["sources"]]
    return "\n".join(lines)


def _render_compare(answer: dict[str, Any]) -> str:
    head = ("venue", "contract", "liquidation", "bankruptcy", "MM at entry", "tier", "convention")
    table = [head]
    notes = []
    for row in answer["venues"]:
        if row.get("liquidation_price") is None and "kind" not in row:
            table.append((row["venue"], "", "n/a", "n/a", "n/a", "", "refused"))
            notes.append(f"{row['venue']}: {row['reason']}")
            continue
        unit = "coin" if row["kind"] == INVERSE.value else "quote"
        mm = row["maintenance_margin"]
        table.append((
            row["venue"],
            f"{row['kind']}, {row['size']:,.6g} {'contracts' if unit == 'coin' else 'base'}",
            _money(row["liquidation_price"]),
            _money(row["bankruptcy_price"]),
            "n/a" if mm is None else f"{_money(mm)} {unit}",
            "" if row["tier"] is None else str(row["tier"]),
            row["convention"],
        ))
        if row.get("reason"):
            notes.append(f"{row['venue']}: {row['reason']}")
    widths = [max(len(str(r[i])) for r in table) for i in range(len(head) - 1)]
    lines = [f"position: {_inputs_line(answer['inputs'])}"]
    for r in table:
        cells = [str(c).rjust(w) if 2 <= i <= 4 else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(r[:-1], widths, strict=True))]
        lines.append("  ".join(cells) + "  " + r[-1])
    lines += notes
    lines.append("sources: liqlib.venues.sources (--json lists each venue's pages)")
    return "\n".join(lines)


# --- the parser -----------------------------------------------------------------------------


def _position_options(cmd: argparse.ArgumentParser, *, price: bool = False) -> None:
    cmd.add_argument("--side", required=True, choices=SIDES)
    cmd.add_argument(
        "--size", "--qty", dest="size", required=True, type=_float("--size", POSITIVE),
        help="position size: base units (linear) or contracts (inverse)",
    )
    cmd.add_argument(
        "--entry", dest="entry_price", required=True, type=_float("--entry", POSITIVE),
        help="entry price, quote per base unit",
    )
    sizing = cmd.add_mutually_exclusive_group()
    sizing.add_argument("--leverage", type=_float("--leverage", POSITIVE),
                        help="leverage: margin is the initial margin notional/leverage")
    sizing.add_argument("--margin", type=_float("--margin", POSITIVE),
                        help="margin posted for the position (settlement currency)")
    if price:
        cmd.add_argument("--price", required=True, type=_float("--price", POSITIVE),
                         help="the price to mark the position at")


def _rule_options(cmd: argparse.ArgumentParser, names: Sequence[str]) -> None:
    checks: dict[str, Callable[[str, float], Any]] = {
        "mmr": _rate, "maintenance_amount": v.nonnegative, "max_leverage": POSITIVE,
        "taker_fee_rate": _fee, "funding_rate": FINITE, "tick_size": POSITIVE,
        "contract_size": POSITIVE,
    }
    aliases = {"maintenance_amount": ["--cum"], "taker_fee_rate": ["--fee"],
               "funding_rate": ["--funding"], "tick_size": ["--tick"],
               "contract_size": ["--contract-value"]}
    for name in names:
        flags = [OPTIONS[name], *aliases.get(name, [])]
        if name in checks:
            cmd.add_argument(*flags, dest=name, type=_float(OPTIONS[name], checks[name]),
                             help=RULES[name])
        else:
            cmd.add_argument(*flags, dest=name, help=RULES[name])
    cmd.add_argument("--kind", choices=[LINEAR.value, INVERSE.value],
                     help="contract kind (default: the venue's own)")


def parser() -> argparse.ArgumentParser:
    top = _Parser(
        prog="liqlib",
        description="Liquidation and margin rules of derivatives venues, as documented.",
        epilog="Run 'liqlib COMMAND --help' for a command's options.",
    )
    top.add_argument("--version", action="version", version=f"liqlib {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    compare = commands.add_parser(
        "compare", help="one position through every venue's rules, side by side",
        description="Put one position (--size in base units at --entry) through every venue's "
        "rules. Inverse venues hold the same notional in contracts; --margin is in quote "
        "currency. Each venue keeps its own defaults unless an option replaces them.",
    )
    _position_options(compare)
    _rule_options(compare, ("mmr", "taker_fee_rate", "funding_rate"))
    compare.add_argument("--json", action="store_true", help="print one JSON object")
    venue_help = "rule options each venue takes:\n" + "\n".join(
        f"  {n:<12} {' '.join(_rule_names(n))}" for n in VENUES
    )
    for name, text, extra in (
        ("liq-price", "liquidation price of an isolated position", False),
        ("bankruptcy-price", "the price at which the position's margin is exhausted", False),
        ("pnl", "profit and loss at --price, and the return on the margin posted", True),
    ):
        cmd = commands.add_parser(name, help=text, description=text, epilog=venue_help,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.add_argument("--venue", required=True, choices=list(VENUES))
        _position_options(cmd, price=extra)
        _rule_options(cmd, list(RULES))
        cmd.add_argument("--json", action="store_true", help="print one JSON object")
    mm = commands.add_parser(
        "mm", help="maintenance margin of a position at one venue (and its leverage cap)",
        description="Maintenance margin of --size marked at --entry under a venue's rules.",
        epilog=venue_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mm.add_argument("--venue", required=True, choices=list(VENUES))
    mm.add_argument("--size", "--qty", dest="size", required=True,
                    type=_float("--size", POSITIVE), help="position size")
    mm.add_argument("--entry", "--price", dest="entry_price", required=True,
                    type=_float("--entry", POSITIVE), help="price to mark the position at")
    _rule_options(mm, list(RULES))
    mm.add_argument("--json", action="store_true", help="print one JSON object")
    return top


def _rule_names(venue: str) -> list[str]:
    accepted = inspect.signature(VENUES[venue]).parameters
    return [OPTIONS[n] for n in (*RULES, "kind") if n in accepted]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block): ``liqlib CMD: error: --option ...``."""

    def error(self, message: str) -> NoReturn:
        message = re.sub(r"^argument ([-\w/]+): ", lambda m: m.group(1).split("/")[0] + " ",
                         message)
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _fail(cli: argparse.ArgumentParser, command: str, message: str) -> NoReturn:
    cli.exit(2, f"{cli.prog} {command}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns 0, or exits with status 2 on bad input."""
    cli = parser()
    args = cli.parse_args(argv)
    try:
        if args.command == "compare":
            answer = compare_answer(args)
        elif args.command == "mm":
            answer = mm_answer(args)
        elif args.command == "pnl":
            answer = pnl_answer(args)
        else:
            quantity = "liquidation_price" if args.command == "liq-price" else "bankruptcy_price"
            answer = price_answer(args, quantity)
    except ValueError as error:  # InputError, and any library refusal not yet re-worded
        _fail(cli, args.command, _in_cli_words(str(error)))
    try:
        print(json.dumps(answer, allow_nan=False) if args.json else render(answer), flush=True)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
