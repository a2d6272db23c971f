"""The command line, ``liqlib`` / ``python -m liqlib``: every sub-command, every venue, bad input.

Numbers are checked against the library (the venue interface), not typed in, except the published
ones (Bybit's Example 1, its 312% / 624% P&L) and the book's comparison table (chapter "How venues
differ"), which the CLI must reproduce.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import liqlib
from liqlib import cli
from liqlib.venues import VENUES, get

ENTRY = 20_000.0
#: A 1-unit position at 20,000 with 10x; inverse venues hold the same notional in 1 USD contracts.
LINEAR = ["--side", "long", "--entry", "20000", "--size", "1", "--leverage", "10"]
INVERSE = ["--side", "long", "--entry", "20000", "--size", "20000", "--leverage", "10"]


def position(venue: str) -> tuple[list[str], float]:
    inverse = get(venue).kind.value == "inverse"
    return (INVERSE, 20_000.0) if inverse else (LINEAR, 1.0)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(argv) == 0
    return capsys.readouterr().out


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    # parse_constant refuses NaN and Infinity, which are not JSON
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    return json.loads(run([*argv, "--json"], capsys), parse_constant=refuse)


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one-line error of a refused command (exit status 2, no traceback)."""
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# --- each sub-command ---------------------------------------------------------------------------


def test_bybit_example_1(capsys: pytest.CaptureFixture[str]) -> None:
    # Bybit "Liquidation Price (USDT Contract)", Example 1: 1 BTC at 20,000, 50x, MMR 0.5%: 19,700
    argv = ["liq-price", "--venue", "bybit", "--side", "long", "--entry", "20000", "--size", "1",
            "--leverage", "50", "--mmr", "0.005"]
    out = run(argv, capsys)
    assert out.splitlines()[0] == "liquidation price: 19,700.00"
    assert "computed by liqlib.venues.bybit.liquidation_price" in out
    assert "inputs: --side long --size 1 --entry 20000 --leverage 50" in out
    assert "source: https://testnet.bybit.com/" in out


@pytest.mark.parametrize("venue", VENUES)
def test_liq_price_every_venue(venue: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv, size = position(venue)
    data = run_json(["liq-price", "--venue", venue, *argv], capsys)
    expected = get(venue).liquidation_price(1, size, ENTRY, leverage=10)
    assert data["value"] == pytest.approx(expected.price, rel=1e-12)
    assert data["bankruptcy_price"] == pytest.approx(expected.bankruptcy_price, rel=1e-12)
    assert data["bankruptcy_price"] < data["value"] < ENTRY
    assert data["function"].startswith(f"liqlib.venues.{venue}.")
    assert data["sources"] and all(u.startswith("https://") for u in data["sources"])
    assert data["inputs"]["--leverage"] == 10 and "--entry" in data["inputs"]


@pytest.mark.parametrize("venue", VENUES)
def test_bankruptcy_price_every_venue(venue: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv, size = position(venue)
    data = run_json(["bankruptcy-price", "--venue", venue, *argv], capsys)
    assert data["value"] == pytest.approx(get(venue).bankruptcy_price(1, size, ENTRY, leverage=10))
    assert data["value"] < data["liquidation_price"]


@pytest.mark.parametrize("venue", VENUES)
def test_mm_every_venue(venue: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, size = position(venue)
    data = run_json(["mm", "--venue", venue, "--size", str(size), "--entry", "20000"], capsys)
    assert data["value"] == pytest.approx(get(venue).maintenance_margin(size, ENTRY))
    cap = get(venue).max_leverage(size, ENTRY)
    assert data["max_leverage"] == (None if cap == float("inf") else pytest.approx(cap))
    assert data["max_leverage"] is not None or data["max_leverage_reason"]


@pytest.mark.parametrize("venue", VENUES)
def test_pnl_every_venue(venue: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv, size = position(venue)
    data = run_json(["pnl", "--venue", venue, *argv, "--price", "21000"], capsys)
    assert data["value"] > 0
    assert data["roe"] == pytest.approx(get(venue).roe(1, size, ENTRY, 21_000, leverage=10))


def test_pnl_bybit_printed_312_and_624_percent(capsys: pytest.CaptureFixture[str]) -> None:
    # help.bybit.com/hc/en-us/articles/360027239453: 800 contracts at 10,500, last 12,000
    base = ["pnl", "--venue", "bybit", "--kind", "inverse", "--side", "long", "--size", "800",
            "--entry", "10500", "--price", "12000"]
    at_25 = run_json([*base, "--leverage", "25"], capsys)
    at_50 = run_json([*base, "--leverage", "50"], capsys)
    assert at_25["value"] == at_50["value"] == pytest.approx(0.00952381, abs=5e-9)
    assert (int(100 * round(at_25["roe"], 4)), int(100 * round(at_50["roe"], 4))) == (312, 625)
    assert "312.50% of the margin posted" in run([*base, "--leverage", "25"], capsys)


def test_the_chapter_calls_still_run(capsys: pytest.CaptureFixture[str]) -> None:
    # book/how_venues_differ.ipynb calls the calculator with these (older) option names
    out = run(["liq-price", "--venue", "binance", "--side", "long", "--entry", "45000",
               "--qty", "100000", "--kind", "inverse", "--contract-value", "100", "--margin",
               "101", "--mmr", "0.125", "--cum", "11.605"], capsys)
    expected = get("binance", mmr=0.125, maintenance_amount=11.605, kind="inverse",
                   contract_size=100).liquidation_price(1, 100_000, 45_000, margin=101)
    assert out.splitlines()[0] == f"liquidation price: {expected.price:,.2f}"


# --- compare ------------------------------------------------------------------------------------


CHAPTER = ["compare", "--side", "long", "--size", "1", "--entry", "100000", "--leverage", "20"]


def test_compare_reproduces_the_books_table(capsys: pytest.CaptureFixture[str]) -> None:
    # "How venues differ": 100,000 USD of BTC at 100,000 with 20x, BitMEX with funding 0.01%
    data = run_json([*CHAPTER, "--funding-rate", "0.0001"], capsys)
    assert [r["venue"] for r in data["venues"]] == list(VENUES)
    prices = {r["venue"]: round(r["liquidation_price"], 2) for r in data["venues"]}
    assert prices == {"binance": 95_427.14, "bybit": 95_500.00, "okx": 95_525.39,
                      "hyperliquid": 96_202.53, "dydx": 97_938.14, "bitmex": 95_771.68,
                      "deribit": 96_195.43, "gmx": 96_060.00, "synthetix": 96_938.82}
    rows = {r["venue"]: r for r in data["venues"]}
    assert rows["bitmex"]["kind"] == "inverse" and rows["bitmex"]["size"] == 100_000
    assert rows["binance"]["tier"] == 2 and rows["binance"]["maintenance_margin"] == 450
    assert all(r["convention"] and r["sources"] for r in data["venues"])


def test_compare_each_row_is_the_venue_interface(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(["compare", "--side", "short", "--size", "2", "--entry", "3000",
                     "--margin", "600"], capsys)
    for row in data["venues"]:
        venue = get(row["venue"])
        inverse = venue.kind.value == "inverse"
        size, margin = (6_000, 600 / 3_000) if inverse else (2, 600)
        result = venue.liquidation_price(-1, size, 3_000, margin=margin)
        assert row["size"] == size
        assert row["liquidation_price"] == pytest.approx(result.price, rel=1e-12)
        assert row["bankruptcy_price"] == pytest.approx(result.bankruptcy_price, rel=1e-12)
        assert row["maintenance_margin"] == pytest.approx(venue.maintenance_margin(size, 3_000))


def test_compare_text_and_a_common_rate(capsys: pytest.CaptureFixture[str]) -> None:
    out = run([*CHAPTER, "--mmr", "0.005"], capsys)
    for name in VENUES:
        assert name in out
    data = run_json([*CHAPTER, "--mmr", "0.005"], capsys)
    # every venue with a flat maintenance rate takes it (GMX's minimum collateral factor and
    # Synthetix's skew-scaled ratio are other rules)
    assert all(r["rules"].get("mmr") == 0.005 or r["venue"] in ("hyperliquid", "gmx", "synthetix")
               for r in data["venues"])


def test_compare_inverse_says_which_venues_do_not_offer_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json([*CHAPTER, "--kind", "inverse"], capsys)
    rows = {r["venue"]: r for r in data["venues"]}
    for name in ("hyperliquid", "dydx"):
        assert rows[name]["liquidation_price"] is None and "--kind" in rows[name]["reason"]
    assert rows["bybit"]["kind"] == "inverse" and rows["bybit"]["liquidation_price"] > 0
    # Binance's published table is USDⓈ-M: a COIN-M position needs its own rate
    assert "COIN-M" in rows["binance"]["reason"]


def test_compare_above_one_venues_maximum_is_a_row_not_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json(["compare", "--side", "long", "--size", "1", "--entry", "100000",
                     "--leverage", "30"], capsys)
    rows = {r["venue"]: r for r in data["venues"]}
    assert rows["dydx"]["liquidation_price"] is None
    assert rows["dydx"]["reason"].startswith("--leverage must be at most 20")
    assert rows["binance"]["liquidation_price"] is not None


# --- words, JSON, version, help -----------------------------------------------------------------


def test_cannot_be_liquidated_in_words_and_null(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["liq-price", "--venue", "binance", "--side", "long", "--entry", "100", "--size", "1",
            "--leverage", "1", "--mmr", "0.01"]
    data = run_json(argv, capsys)
    assert data["value"] is None and data["reason"].startswith("cannot be liquidated")
    assert "cannot be liquidated" in run(argv, capsys)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"liqlib {liqlib.__version__}"


@pytest.mark.parametrize("command", [[], ["compare"], ["liq-price"], ["bankruptcy-price"],
                                     ["mm"], ["pnl"]])
def test_help_has_no_raw_markup(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    out = capsys.readouterr().out
    assert "usage: liqlib" in out
    for markup in ("``", ":func:", ":mod:", ".. ["):
        assert markup not in out


def test_formula_lines_have_no_raw_markup(capsys: pytest.CaptureFixture[str]) -> None:
    for venue in VENUES:
        argv, _ = position(venue)
        data = run_json(["liq-price", "--venue", venue, *argv], capsys)
        assert "``" not in data["formula"] and ":func:" not in data["formula"]


def test_python_m_and_the_console_script_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "liqlib", "--version"], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == f"liqlib {liqlib.__version__}"
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert project["project"]["scripts"] == {"liqlib": "liqlib.cli:main"}


# --- bad input: exit status 2 and the option named ----------------------------------------------


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize(
    ("change", "option"),
    [
        (["--leverage", "0"], "--leverage must be > 0"),
        (["--leverage", "-5"], "--leverage must be > 0"),
        (["--leverage", "nan"], "--leverage must be finite"),
        (["--mmr", "0"], "--mmr must be a fraction"),
        (["--mmr", "1.5"], "--mmr must be a fraction"),
        (["--entry", "-5"], "--entry must be > 0"),
        (["--size", "0"], "--size must be > 0"),
        (["--size", "abc"], "--size must be a number"),
    ],
)
def test_bad_value_names_the_option(
    venue: str, change: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, _ = position(venue)
    argv = list(argv)
    flag = change[0]
    if flag in argv:
        argv[argv.index(flag) + 1] = change[1]
    else:
        argv += change
    assert option in refused(["liq-price", "--venue", venue, *argv], capsys)


#: ``--mmr 0.4 --leverage 10`` is below maintenance at entry; where the venue's rules refuse it
#: earlier (Hyperliquid's 1.25x cap from that rate, dYdX's initial fraction), they say so.
BELOW = {"hyperliquid": "--leverage must be at most 1.25", "dydx": "--mmr must be below",
         # no flat maintenance rate: a minimum collateral factor, a skew-scaled ratio
         "gmx": "--mmr does not apply to gmx", "synthetix": "--mmr does not apply to synthetix"}


@pytest.mark.parametrize("venue", VENUES)
def test_below_maintenance_at_entry_is_refused_in_words(
    venue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, _ = position(venue)
    err = refused(["liq-price", "--venue", venue, *argv, "--mmr", "0.4"], capsys)
    assert BELOW.get(venue, "--leverage 10 posts a margin") in err
    if venue not in BELOW:
        assert "below maintenance" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["liq-price", "--venue", "binance", *LINEAR[:-2], "--leverage", "500"],
         "--leverage must be at most 125"),
        (["liq-price", "--venue", "binance", *LINEAR, "--tiers", "BTCUSDT", "--leverage", "500"],
         "--leverage must be at most 125"),
        (["liq-price", "--venue", "hyperliquid", *LINEAR, "--max-leverage", "0"],
         "--max-leverage must be > 0"),
        (["liq-price", "--venue", "hyperliquid", *LINEAR, "--mmr", "0"], "--mmr must be"),
        (["liq-price", "--venue", "okx", *LINEAR, "--taker-fee-rate", "-0.1"],
         "--taker-fee-rate must be"),
        (["liq-price", "--venue", "binance", *LINEAR, "--taker-fee-rate", "0.001"],
         "--taker-fee-rate does not apply to binance"),
        (["liq-price", "--venue", "binance", *LINEAR, "--tiers", "NOWHERE"], "--tiers must be"),
        (["liq-price", "--venue", "bybit", *LINEAR, "--tiers", "BTCUSDT"],
         "--tiers must be a TierTable"),
        (["liq-price", "--venue", "hyperliquid", *LINEAR, "--kind", "inverse"], "--kind must be"),
        (["liq-price", "--venue", "okx", *LINEAR, "--contract-size", "100"],
         "--contract-size applies to inverse"),
        (["liq-price", "--venue", "deribit", *INVERSE, "--currency", "DOGE"], "--currency"),
        (["liq-price", "--venue", "bybit", *LINEAR[:-2]], "give exactly one of --leverage or"),
        (["liq-price", "--venue", "bybit", *LINEAR, "--margin", "5"], "--margin not allowed"),
        (["liq-price", "--venue", "nowhere", *LINEAR], "--venue invalid choice"),
        (["liq-price", "--venue", "bybit", "--side", "up", *LINEAR[2:]], "--side invalid choice"),
        (["mm", "--venue", "binance", "--size", "1"], "--entry"),
        (["mm", "--venue", "binance", "--size", "-1", "--entry", "1"], "--size must be > 0"),
        (["pnl", "--venue", "bybit", *LINEAR, "--price", "0"], "--price must be > 0"),
        (["compare", *LINEAR[:-1], "0"], "--leverage must be > 0"),
        # refused everywhere: --mmr 0.4 where a venue takes it, above the leverage cap where not
        (["compare", *LINEAR[:-1], "150", "--mmr", "0.4"], "below maintenance"),
        (["compare", *LINEAR, "--funding-rate", "inf"], "--funding-rate must be finite"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert message in refused(argv, capsys)
