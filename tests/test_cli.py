"""The command-line calculator, ``python -m liqlib``."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from liqlib import cli
from liqlib.venues import VENUES, binance

# Inputs each venue's conventions make sensible: a 1-unit long at 20,000 with 10x.
LINEAR_ARGS = ["--side", "long", "--entry", "20000", "--qty", "1", "--leverage", "10"]
INVERSE_ARGS = ["--side", "long", "--entry", "20000", "--qty", "20000", "--leverage", "10"]
EXTRA = {
    "binance": ["--mmr", "0.004"],
    "bybit": ["--mmr", "0.005"],
    "okx": ["--mmr", "0.004", "--fee", "0.0005"],
    "hyperliquid": ["--max-leverage", "40"],
    "bitmex": [],
    "dydx": ["--margin", "2000", "--mmr", "0.03"],
    "deribit": [],
}
INVERSE_VENUES = {"bitmex", "deribit"}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(argv) == 0
    return capsys.readouterr().out


def test_bybit_example_1(capsys: pytest.CaptureFixture[str]) -> None:
    # Bybit "Liquidation Price (USDT Contract)", Example 1: 19,700
    out = run(
        [
            "liq-price",
            "--venue",
            "bybit",
            "--side",
            "long",
            "--entry",
            "20000",
            "--qty",
            "1",
            "--leverage",
            "50",
            "--mmr",
            "0.005",
        ],
        capsys,
    )
    assert out.splitlines()[0] == "liquidation price: 19,700.00"
    assert "liqlib.venues.bybit.liquidation_price" in out
    assert "source: https://" in out


@pytest.mark.parametrize("venue", VENUES)
def test_every_venue_answers_in_json(venue: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = INVERSE_ARGS if venue in INVERSE_VENUES else LINEAR_ARGS
    out = run(["liq-price", "--venue", venue, *base, *EXTRA[venue], "--json"], capsys)
    data = json.loads(out)
    assert data["venue"] == venue and data["function"].startswith(f"liqlib.venues.{venue}.")
    assert 16_000 < data["value"] < 20_000, data  # below the entry, above 10x's bankruptcy
    assert data["sources"] and all(u.startswith("https://") for u in data["sources"])


def test_bankruptcy_price_is_below_the_liquidation_price(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--venue", "bybit", *LINEAR_ARGS, "--mmr", "0.005", "--json"]
    liq = json.loads(run(["liq-price", *args], capsys))["value"]
    bankrupt = json.loads(run(["bankruptcy-price", *args], capsys))["value"]
    assert bankrupt == pytest.approx(18_000) and bankrupt < liq


def test_mm_uses_the_published_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(["mm", "--venue", "binance", "--notional", "500000", "--json"], capsys))
    assert data["value"] == pytest.approx(binance.maintenance_margin(500_000, brackets="BTCUSDT"))


def test_a_1x_long_is_not_liquidatable(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(
        [
            "liq-price",
            "--venue",
            "binance",
            "--side",
            "long",
            "--entry",
            "100",
            "--qty",
            "1",
            "--leverage",
            "1",
            "--mmr",
            "0.01",
            "--json",
        ],
        capsys,
    )
    assert math.isnan(json.loads(out)["value"]) or json.loads(out)["liquidatable"] is False


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["liq-price", "--venue", "bybit", *LINEAR_ARGS], "--mmr"),
        (
            [
                "liq-price",
                "--venue",
                "binance",
                "--side",
                "long",
                "--entry",
                "1",
                "--qty",
                "1",
                "--mmr",
                "0.01",
            ],
            "--leverage or --margin",
        ),
        (
            [
                "liq-price",
                "--venue",
                "bybit",
                "--side",
                "long",
                "--entry",
                "-5",
                "--qty",
                "1",
                "--leverage",
                "10",
                "--mmr",
                "0.01",
            ],
            "entry_price",
        ),
        (["liq-price", "--venue", "nowhere", *LINEAR_ARGS], "invalid choice"),
        (
            ["liq-price", "--venue", "bybit", "--side", "up", "--entry", "1", "--qty", "1"],
            "invalid choice",
        ),
        (["mm", "--venue", "hyperliquid", "--notional", "1"], "--tiers"),
    ],
)
def test_bad_input_exits_with_a_clear_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_help_documents_every_venue() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "liqlib", "liq-price", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for venue in VENUES:
        assert venue in out and cli.VENUE_INPUTS[venue].split(";")[0][:20] in out
