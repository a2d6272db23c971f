"""Tests that pin what mutation testing of ``liqlib/venues/binance.py`` found unchecked.

Each asserts a fact Binance's pages state (quoted in the module's docstrings) or the module
documents, on numbers small enough to check by hand.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from liqlib.core import DerivedRangeError, ShapeError
from liqlib.venues import binance


def test_moving_average_basis_is_the_mean_of_mid_minus_index() -> None:
    # "Moving Average (Basis) = sum of [(Bid1_i + Ask1_i)/2 - PI_i] / n" (mark price FAQ)
    bid = np.array([[99.0, 100.0, 101.0], [10.0, 10.0, 10.0]])
    ask = np.array([[101.0, 104.0, 101.0], [12.0, 12.0, 12.0]])
    index = np.array([[99.5, 101.0, 100.0], [11.5, 11.0, 10.5]])
    # mids 100, 102, 101 less the index: 0.5, 1.0, 1.0 -> 2.5 / 3; second row 11 less the index
    got = binance.moving_average_basis(bid, ask, index)
    assert got == pytest.approx([2.5 / 3, 0.0], rel=1e-12)
    # along the other axis: one basis per sample time, averaged over the two rows
    across = binance.moving_average_basis(bid, ask, index, axis=0)
    assert across == pytest.approx([(0.5 - 0.5) / 2, (1.0 + 0.0) / 2, (1.0 + 0.5) / 2])
    # a locked book (bid equal to ask) is a sample; only a bid above its ask is refused
    assert binance.moving_average_basis([100.0], [100.0], [99.0]) == 1.0


def test_moving_average_basis_needs_samples() -> None:
    with pytest.raises(ValueError, match="need at least one sample along axis -1"):
        binance.moving_average_basis(np.ones((2, 0)), np.ones((2, 0)), np.ones((2, 0)))
    with pytest.raises(ValueError, match=r"^bid1, ask1 and price_index must hold samples along "
                       r"an axis, got single numbers$"):
        binance.moving_average_basis(99.0, 101.0, 100.0)
    # one sample is enough
    assert binance.moving_average_basis([99.0], [101.0], [100.0]) == 0.0
    with pytest.raises(ValueError, match=r"^bid1 must not exceed ask1 at any sample$"):
        binance.moving_average_basis([99.0, 102.0], [101.0, 101.0], [100.0, 100.0])


def test_a_single_bracket_line_is_tier_one_and_the_mark_only_flags_maintenance() -> None:
    # 1 long at 100 with 10 USDT at 1%: (10 + 0 - 100) / (0.01 - 1) = 90.909...
    r = binance.liquidation_price(1, 1.0, 100.0, wb=10.0, mmr_b=0.01)
    assert r.price == pytest.approx(90 / 0.99, rel=1e-12) and r.tier == 1
    assert r.bankruptcy_price == pytest.approx(90.0)
    below = binance.liquidation_price(1, 1.0, 100.0, wb=10.0, mmr_b=0.01, mark_price=90.0)
    above = binance.liquidation_price(1, 1.0, 100.0, wb=10.0, mmr_b=0.01, mark_price=95.0)
    assert bool(below.below_maintenance) and not bool(above.below_maintenance)
    assert below.price == above.price == r.price  # the mark does not move the price
    # "If it is an isolated margin mode, then TMM=0, UPNL=0": the same price from the same wallet
    iso = binance.liquidation_price(1, 1.0, 100.0, wb=10.0, mmr_b=0.01, margin_type="isolated")
    assert iso.price == r.price
    # TMM1 is taken from the wallet, UPNL1 added to it: 10 - 4 + 2 = 8 USDT of collateral
    other = binance.liquidation_price(1, 1.0, 100.0, wb=10.0, tmm1=4.0, upnl1=2.0, mmr_b=0.01,
                                      cum_b=0.5)
    assert other.price == pytest.approx((8.0 + 0.5 - 100.0) / (0.01 - 1.0), rel=1e-12)


def test_a_bracket_table_or_symbol_is_read_as_such() -> None:
    t = binance.leverage_brackets([0, 50_000, 250_000], [0.004, 0.005, 0.01], [125, 100, 50],
                                  symbol="BTCUSDT", unit="USDT")
    assert t.name == "BTCUSDT" and t.unit == "USDT"
    assert t.max_leverages.tolist() == [125.0, 100.0, 50.0]
    assert binance.bracket(264_000, t).mmr == 0.01 and binance.bracket(49_999, t).level == 1
    assert binance.bracket(264_000, "BTCUSDT") == binance.BTCUSDT_BRACKETS.tier(264_000)
    known = re.escape(str(sorted(binance.BRACKETS)))
    with pytest.raises(ValueError, match=rf"brackets must be a TierTable or one of {known}"
                       ) as info:
        binance.bracket(1.0, "ETHUSDT")
    assert not isinstance(info.value, TypeError)  # an unknown symbol is a wrong value
    with pytest.raises(TypeError, match="brackets must be a TierTable"):
        binance.bracket(1.0, 3)  # type: ignore[arg-type]
    assert binance.maintenance_margin(500_000, brackets=t) == pytest.approx(500_000 * 0.01 - 1_300)


def test_maintenance_amount_needs_rising_rates() -> None:
    with pytest.raises(ValueError, match=r"^mmr must exceed previous_mmr=0.005 \(rates rise\), "
                       r"got 0.005$"):
        binance.maintenance_amount(1_000, 0.005, 0.005, 0)
    # the step adds the previous amount: 1,000 * (1% - 0.5%) + 2 = 7
    assert binance.maintenance_amount(1_000, 0.01, 0.005, 2) == pytest.approx(7.0)


def test_mark_price_time_until_funding_runs_to_the_interval() -> None:
    # Price 1 = 100 * (1 + 0.001 * 4 / 4) = 100.1 with a 4 h interval; the basis and the last price
    # put it in the middle
    assert binance.mark_price(100, 0.001, 4, 0.5, 100.05, funding_interval=4) == pytest.approx(
        100.1, rel=1e-12)
    assert binance.mark_price(100, 0.001, 8, 0.5, 100.05) == pytest.approx(100.1, rel=1e-12)
    with pytest.raises(ValueError, match=r"time_until_funding must be in \[0, 4.0\] hours"):
        binance.mark_price(100, 0.001, 4.5, 0.5, 100.05, funding_interval=4)


def test_funding_rate_cap_clips_both_ways() -> None:
    assert binance.funding_rate(0.01, cap=0.003) == 0.003
    assert binance.funding_rate(-0.01, cap=0.003) == -0.003
    assert type(binance.funding_rate(0.0003)) is float
    # 8 h rate P - clamp = 0.0007 over a 1 h interval: / (8 / 1)
    assert binance.funding_rate(0.0012, funding_interval=1) == pytest.approx(0.0007 / 8)


def test_notional_and_initial_margin() -> None:
    assert binance.position_notional(2, 100) == 200.0
    with pytest.raises(ValueError, match="contract_size"):
        binance.position_notional(2, 100, contract_size=0)  # checked for linear contracts too
    assert binance.initial_margin(2, 100, 10) == pytest.approx(20.0)
    assert binance.initial_margin(10, 10_000, 20, kind="inverse", contract_size=100) == (
        pytest.approx(10 * 100 / 10_000 / 20))


def test_maintenance_amount_takes_single_rates_in_the_open_unit_interval() -> None:
    for name, kwargs in (("mmr", dict(mmr=[0.01, 0.02])),
                         ("previous_mmr", dict(previous_mmr=[0.001, 0.002]))):
        args = {"notional_floor": 1_000, "mmr": 0.01, "previous_mmr": 0.005, "previous_cum": 0,
                **kwargs}
        with pytest.raises(TypeError, match=rf"^{name} must be a single number"):
            binance.maintenance_amount(**args)
    # rates are fractions in (0, 1): a bracket has a positive rate, and so has the one before
    with pytest.raises(ValueError, match=r"^mmr must be a fraction in \(0, 1\)"):
        binance.maintenance_amount(1_000, 0.0, 0.005, 0)
    with pytest.raises(ValueError, match=r"^previous_mmr must be a fraction in \(0, 1\)"):
        binance.maintenance_amount(1_000, 0.01, 0.0, 0)


def test_a_negative_margin_names_the_first_negative_element() -> None:
    with pytest.raises(ValueError, match=r"^give exactly one of mmr \(with cum\) or brackets$"):
        binance.maintenance_margin(100.0)
    # 500 sits at the line's floor (margin 0, allowed); 100 is below it (-4)
    with pytest.raises(ValueError, match=r"of -4\.0 at flat index 1$"):
        binance.maintenance_margin([500.0, 100.0], mmr=0.01, cum=5)
    with pytest.raises(ValueError, match=r"of -4\.0 at flat index 2$"):
        binance.maintenance_margin([[500.0, 1_000.0], [100.0, 100.0]], mmr=0.01, cum=5)
    with pytest.raises(ValueError, match=r"a maintenance margin of -4\.0$"):
        binance.maintenance_margin(100.0, mmr=0.01, cum=5)  # a scalar has no index


def test_contract_size_defaults_to_one() -> None:
    assert binance.initial_margin(10, 10_000, 20, kind="inverse") == pytest.approx(
        10 / 10_000 / 20)
    assert binance.position_notional(10, 10_000, kind="inverse") == pytest.approx(10 / 10_000)


def test_default_interest_is_a_hundredth_of_a_percent_per_8h() -> None:
    # "I per 8 h: 0.01%": a premium within 0.05% of it gives F = I
    assert binance.funding_rate(0.0003) == pytest.approx(0.0001, abs=1e-15)
    assert binance.funding_rate(-0.0003) == pytest.approx(0.0001, abs=1e-15)  # I - P = 0.04%
    # outside the band: P + 0.05% (I - P = 0.07% clamped)
    assert binance.funding_rate(-0.0006) == pytest.approx(-0.0001, abs=1e-15)


def test_funding_fee_contract_size_defaults_to_one() -> None:
    assert binance.funding_fee(1, 100, 25_000, 0.0001, kind="inverse") == pytest.approx(
        100 / 25_000 * 0.0001)


def test_average_premium_index_weights_later_samples_linearly() -> None:
    # "(1*P_1 + 2*P_2 + ... + n*P_n) / (1 + 2 + ... + n)"
    samples = np.array([[0.0003, 0.0, 0.0], [0.0, 0.0, 0.0006]])
    assert binance.average_premium_index(samples) == pytest.approx([0.0003 / 6, 0.0018 / 6])
    # along the first axis: two samples per column, weights 1 and 2
    assert binance.average_premium_index(samples, axis=0) == pytest.approx(
        [0.0003 / 3, 0.0, 0.0012 / 3])


def test_bracket_table_labels_default_to_no_symbol_in_usdt() -> None:
    t = binance.leverage_brackets([0, 50_000], [0.004, 0.005], [125, 100])
    assert t.name == "" and t.unit == "USDT"


def test_a_bracket_line_takes_one_rate() -> None:
    for call in (lambda: binance.liquidation_price(1, 1.0, 100.0, wb=10.0, mmr_b=[0.01, 0.02]),
                 lambda: binance.maintenance_margin(100.0, mmr=[0.01, 0.02])):
        with pytest.raises(TypeError, match=r"^mmr(_b)? must be a single number"):
            call()


def test_isolated_mode_refuses_other_contracts_and_wallet_arrays_broadcast() -> None:
    # "If it is an isolated margin mode, then TMM=0, UPNL=0": either one non-zero is refused
    for other in (dict(tmm1=1.0), dict(upnl1=-1.0)):
        with pytest.raises(ValueError, match=r"^tmm1 and upnl1 must be 0 in isolated margin mode "
                           r"\(Binance: TMM=0, UPNL=0\), got "):
            binance.liquidation_price(1, 1.0, 100.0, wb=10.0, mmr_b=0.01,
                                      margin_type="isolated", **other)
    with pytest.raises(ValueError, match=r"^give exactly one of mmr_b \(with cum_b\) or brackets$"):
        binance.liquidation_price(1, 1.0, 100.0, wb=10.0)
    with pytest.raises(ValueError, match=r"^tmm1 of shape \(2,\) does not broadcast with wb"):
        binance.liquidation_price(1, 1.0, 100.0, wb=[10.0, 20.0, 30.0], tmm1=[1.0, 2.0],
                                  mmr_b=0.01)


@pytest.mark.parametrize(
    ("bad", "named"),
    [("bid1", r"^ask1 of shape \(2,\) does not broadcast with bid1 of shape \(3,\)"),
     ("ask1", r"^ask1 of shape \(3,\) does not broadcast with bid1"),
     ("price_index", r"^price_index of shape \(3,\) does not broadcast with bid1")],
)
def test_moving_average_basis_samples_of_unequal_lengths_are_named(bad: str, named: str) -> None:
    samples = {"bid1": [99.0, 100.0], "ask1": [101.0, 104.0], "price_index": [99.5, 101.0]}
    samples[bad] = [*samples[bad], 100.0]
    with pytest.raises(ShapeError, match=named):
        binance.moving_average_basis(**samples)


def _api(*rows: tuple[float, float, float, float | None, float | None],
         floor_key: str = "notionalFloor", cap_key: str = "notionalCap") -> list[dict]:
    out = []
    for floor, mmr, lev, cum, cap in rows:
        entry = {floor_key: floor, "maintMarginRatio": mmr, "initialLeverage": lev}
        if cum is not None:
            entry["cum"] = cum
        if cap is not None:
            entry[cap_key] = cap
        out.append(entry)
    return out


def test_brackets_from_api_labels_from_the_response() -> None:
    rows = _api((0, 0.004, 125, 0.0, None))
    # USDⓈ-M responses carry "symbol", COIN-M ones "pair"; neither: no label
    assert binance.brackets_from_api({"pair": "BTCUSD", "brackets": rows}).name == "BTCUSD"
    assert binance.brackets_from_api({"brackets": rows}).name == ""
    assert binance.brackets_from_api(rows).unit == "USDT"
    assert binance.brackets_from_api(rows, unit="USDC").unit == "USDC"


def test_brackets_from_api_messages_name_the_entry() -> None:
    with pytest.raises(TypeError, match=r"got int 3$"):
        binance.brackets_from_api(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^brackets\[1\] must be a dict of the API's fields, got "
                       r"str 'a'$"):
        binance.brackets_from_api([*_api((0, 0.004, 125, 0.0, None)), "a"])  # type: ignore[list-item]
    rows = _api((0, 0.004, 125, 0.0, 50_000), (50_000, 0.005, 100, 50.0, None))
    for field, value in (("initialLeverage", "x"), ("cum", "x"), ("notionalCap", "x")):
        broken = [dict(r) for r in rows]
        broken[1 if field != "notionalCap" else 0][field] = value
        at = 1 if field != "notionalCap" else 0
        with pytest.raises(ValueError, match=rf"^brackets\[{at}\]\['{field}'\] must be a number"):
            binance.brackets_from_api(broken)


def test_brackets_from_api_checks_cum_to_a_tolerance() -> None:
    # one bracket from 0: the recursion's cum is 0 and the tolerance 1e-9 (scale 1)
    assert binance.brackets_from_api(_api((0, 0.004, 125, 1e-9, None))).cums.tolist() == [0.0]
    with pytest.raises(ValueError, match=r"brackets\[0\]\['cum'\]"):
        binance.brackets_from_api(_api((0, 0.004, 125, 1.5e-9, None)))
    # floors to 100 at 0.5%: 100 * 0.005 < 1, so the scale stays 1
    with pytest.raises(ValueError, match=r"brackets\[1\]\['cum'\]"):
        binance.brackets_from_api(_api((0, 0.004, 125, 0.0, None),
                                       (100, 0.005, 100, 0.1 + 1.5e-9, None)))
    # floors to 50,000 at 0.5%: scale 250, tolerance 2.5e-7
    ok = _api((0, 0.004, 125, 0.0, None), (50_000, 0.005, 100, 50.0 + 2e-7, None))
    assert binance.brackets_from_api(ok).cums[1] == pytest.approx(50.0)
    with pytest.raises(ValueError, match=r"brackets\[1\]\['cum'\]"):
        binance.brackets_from_api(_api((0, 0.004, 125, 0.0, None),
                                       (50_000, 0.005, 100, 50.0 + 3e-7, None)))


def test_brackets_from_api_caps_are_the_next_floor() -> None:
    rows = _api((0, 0.004, 125, 0.0, 50_000), (50_000, 0.005, 100, 50.0, 250_000),
                (250_000, 0.01, 50, 1_300.0, 1_000_000))
    assert binance.brackets_from_api(rows).floors.tolist() == [0.0, 50_000.0, 250_000.0]
    rows[1]["notionalCap"] = 200_000
    with pytest.raises(ValueError, match=r"^brackets\[1\]\['notionalCap'\]=200000.0 must equal "
                       r"the next bracket's floor 250000.0$"):
        binance.brackets_from_api(rows)
    # COIN-M brackets are in coins: qtyFloor and qtyCap
    coin = _api((0, 0.004, 125, 0.0, 5), (5, 0.005, 100, 0.005, 10),
                floor_key="qtyFloor", cap_key="qtyCap")
    assert binance.brackets_from_api(coin).unit == "coin"
    coin[0]["qtyCap"] = 6
    with pytest.raises(ValueError, match=r"^brackets\[0\]\['qtyCap'\]=6.0 must equal"):
        binance.brackets_from_api(coin)


def _hedge(**kw: object) -> float:
    args: dict = dict(wb=20, position1_long=2, ep1_long=100, mmr_l=0.01, position1_short=1,
                      ep1_short=110, mmr_s=0.01)
    return binance.hedge_liquidation_price(**{**args, **kw})


def test_hedge_formula_adds_both_maintenance_amounts() -> None:
    # LP = (WB - TMM1 + UPNL1 + cumL + cumS - 2*100 + 1*110) / (2*0.01 + 1*0.01 - 2 + 1)
    assert _hedge() == pytest.approx(70 / 0.97, rel=1e-12)
    assert _hedge(cum_s=0.5) == pytest.approx(69.5 / 0.97, rel=1e-12)
    assert _hedge(cum_l=0.5) == pytest.approx(69.5 / 0.97, rel=1e-12)
    assert _hedge(tmm1=1.0, upnl1=-2.0) == pytest.approx(73 / 0.97, rel=1e-12)


def test_hedge_inputs_are_checked_by_name() -> None:
    with pytest.raises(ValueError, match=r"^position1_long and position1_short must not both "
                       r"be 0$"):
        _hedge(position1_long=0, position1_short=0)
    for name in ("mmr_l", "mmr_s"):
        with pytest.raises(TypeError, match=rf"^{name} must be a single number"):
            _hedge(**{name: [0.01, 0.02]})
    # COIN-M contract size defaults to 1 (USD per contract)
    assert _hedge(kind="inverse") == pytest.approx(_hedge(kind="inverse", contract_size=1.0))
    assert _hedge(kind="inverse", contract_size=100.0) != pytest.approx(_hedge(kind="inverse"))


@pytest.mark.parametrize("name", ["wb", "position1_long", "ep1_long", "position1_short",
                                  "ep1_short", "tmm1", "upnl1", "contract_size"])
def test_hedge_arrays_that_do_not_broadcast_are_named(name: str) -> None:
    base = {"wb": 20.0, "position1_long": 2.0, "ep1_long": 100.0, "position1_short": 1.0,
            "ep1_short": 110.0, "tmm1": 0.0, "upnl1": 0.0, "contract_size": 1.0}
    other = "ep1_short" if name != "ep1_short" else "wb"
    args = {**base, other: [base[other]] * 2, name: [base[name]] * 3}
    with pytest.raises(ShapeError, match=rf"\b{name}\b"):
        binance.hedge_liquidation_price(mmr_l=0.01, mmr_s=0.01, **args)


def test_hedge_price_is_nan_where_the_formula_divides_by_zero() -> None:
    # 3 long and 1 short at 50%: 3 * 0.5 + 1 * 0.5 - 3 + 1 = 0, so no price liquidates ("--")
    legs = dict(position1_long=3, ep1_long=100, mmr_l=0.5, position1_short=1, ep1_short=100,
                mmr_s=0.5)
    assert np.isnan(binance.hedge_liquidation_price(wb=20, **legs))  # x / 0
    assert np.isnan(binance.hedge_liquidation_price(wb=200, **legs))  # 0 / 0


def test_hedge_coin_margined_formula_adds_the_amounts_to_the_wallet() -> None:
    # LP = CS*(QL*(MMRL + 1) + QS*(MMRS - 1)) / (WB + cumL + cumS + CS*QL/EPL - CS*QS/EPS)
    cs, ql, qs, el, es = 100.0, 2.0, 1.0, 100.0, 110.0
    num = cs * (ql * 1.01 + qs * (0.01 - 1))
    expected = num / (0.2 + 0.001 + 0.002 + cs * ql / el - cs * qs / es)
    got = _hedge(kind="inverse", contract_size=cs, wb=0.2, cum_l=0.001, cum_s=0.002)
    assert got == pytest.approx(expected, rel=1e-12)


def test_hedge_overflow_names_the_part_of_the_formula() -> None:
    with pytest.raises(DerivedRangeError, match=r"^the formula's numerator overflows floating "
                       r"point \(-inf\): wb, position1_long, "):
        _hedge(wb=1e300, position1_long=1e300, ep1_long=1e300)
    # a coin-margined long entered at 1e-300 USD is 1e302 coins per contract: the denominator
    with pytest.raises(DerivedRangeError, match=r"^the formula's denominator overflows floating "
                       r"point \(inf\): wb, "):
        _hedge(kind="inverse", position1_long=1e10, ep1_long=1e-300)


def test_hedge_price_zero_is_no_price() -> None:
    # 90 USDT exactly covers the legs' loss at price 0: LP = 0 / -0.97, not a price ("--")
    assert np.isnan(_hedge(wb=90))
