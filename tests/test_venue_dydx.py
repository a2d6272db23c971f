"""dYdX v4 module: protocol properties, the docs-vs-code fillable price, and bad input.

The unit-test tables of ``liquidations_test.go`` are run as data (tests/data/venue_vectors/
dydx.csv); this file checks what holds for *every* input and the errors for inputs the protocol
rejects.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqlib.venues import dydx

settings.register_profile("liqlib", max_examples=150, deadline=None)
settings.load_profile("liqlib")

BTC = "BtcUsd_20PercentInitial_10PercentMaintenance"
ETH = "EthUsd_20PercentInitial_10PercentMaintenance"
PERP = dydx.TEST_PERPETUALS[BTC]
sides = st.sampled_from([1, -1])


def _account(side: int, size: int, health: float) -> tuple[list, int]:
    """A one-position BTC subaccount with TNC = health * TMMR."""
    ps = side * size
    mmr = dydx.margin_requirements(PERP, ps)[1]
    return [(PERP, ps)], int(health * mmr) - dydx.net_notional(PERP, ps)


class TestInsuranceFundDelta:
    @given(
        side=sides,
        size=st.integers(10**5, 10**9),
        health=st.floats(-1.0, 1.0),
        fill=st.floats(0.8, 1.2),
        fee_ppm=st.integers(1, 1_000_000),
    )
    def test_fee_is_capped_and_never_exceeds_leftover(self, side, size, health, fill, fee_ppm):
        positions, qb = _account(side, size, health)
        subticks = int(fill * 50_000 * 10**6)  # $/BTC * 1e6 subticks on the BTC test pair
        amount = size
        delta = dydx.liquidation_insurance_fund_delta(
            positions, qb, 0, side < 0, amount, subticks, quantum_conversion_exponent=-8,
            max_liquidation_fee_ppm=fee_ppm,
        )
        quote = dydx.fill_amount_to_quote_quantums(subticks, amount, -8)
        received = quote if side > 0 else -quote
        leftover = received - dydx.bankruptcy_price_in_quote_quantums(
            positions, qb, 0, -side * size
        )
        if leftover <= 0:
            assert delta == leftover  # the fund covers the whole shortfall
        else:
            assert 0 <= delta <= leftover
            assert delta <= quote * fee_ppm // 1_000_000
            assert delta in (leftover, quote * fee_ppm // 1_000_000)

    def test_docs_cap_versus_code_default(self) -> None:
        # Mainnet (docs: "Maximum Liquidation Penalty of 1.5%") takes three times the default.
        args = ([(BTC, 10_000_000)], -5_100_000_000, 0, False, 10_000_000, 56_100_000_000)
        default = dydx.liquidation_insurance_fund_delta(*args, quantum_conversion_exponent=-8)
        mainnet = dydx.liquidation_insurance_fund_delta(
            *args,
            quantum_conversion_exponent=-8,
            max_liquidation_fee_ppm=dydx.MAINNET_GENESIS.max_liquidation_fee_ppm,
        )
        assert (default, mainnet) == (28_050_000, 84_150_000)


class TestFillablePrice:
    @given(
        side=sides,
        size=st.integers(10**5, 10**9),
        health=st.floats(-1.0, 1.5),
        smmr=st.integers(1, 2_000_000),
    )
    def test_between_oracle_and_maximum_spread(self, side, size, health, smmr):
        positions, qb = _account(side, size, health)
        fp = dydx.fillable_price(positions, qb, 0, spread_to_maintenance_margin_ratio_ppm=smmr)
        oracle = Fraction(dydx.net_notional(PERP, side * size), side * size)
        mmf = Fraction(
            dydx.margin_requirements(PERP, side * size)[1],
            abs(dydx.net_notional(PERP, side * size)),
        )
        widest = oracle * (1 - side * Fraction(smmr, 10**6) * mmf)
        assert min(oracle, widest) <= fp <= max(oracle, widest)
        # Against the liquidated position: a long sells below the oracle, a short buys above.
        assert side * (fp - oracle) <= 0

    @given(side=sides, x=st.floats(0.0, 1.0), smmr=st.floats(0.01, 2.0), mmf=st.floats(0.005, 0.5))
    def test_beyond_bankruptcy_exactly_when_tnc_share_is_small(self, side, x, smmr, mmf):
        # One position: bankruptcy per coin is P - side * TNC / |S| = P (1 - side x MMF) with
        # x = TNC / TMMR. The fillable price is no worse than bankruptcy iff x >= SMMR/(1+SMMR):
        # "the fillable price lies between bankruptcy and oracle" holds only then.
        p = 50_000.0
        fp = dydx.fillable_oracle_price(
            p, side, mmf, x, 1.0, spread_to_maintenance_margin_ratio=smmr
        )
        bankrupt = p * (1 - side * x * mmf)
        threshold = smmr / (1 + smmr)
        if x >= threshold + 1e-9:
            assert side * (fp - bankrupt) >= -1e-9 * p
        elif x <= threshold - 1e-9:
            assert side * (fp - bankrupt) < 0

    @given(side=sides, tnc=st.floats(-2.0, 2.0), ba=st.floats(1.0, 3.0), smmr=st.floats(0.01, 2.0))
    def test_docs_variant_agrees_for_longs_and_mirrors_for_shorts(self, side, tnc, ba, smmr):
        p, mmf = 3_000.0, 0.05
        code = dydx.fillable_oracle_price(
            p,
            side,
            mmf,
            tnc,
            1.0,
            bankruptcy_adjustment=ba,
            spread_to_maintenance_margin_ratio=smmr,
        )
        docs = dydx.fillable_oracle_price(
            p,
            side,
            mmf,
            tnc,
            1.0,
            bankruptcy_adjustment=ba,
            spread_to_maintenance_margin_ratio=smmr,
            variant="docs",
        )
        unclamped = ba * (1 - tnc)
        if 0 <= unclamped <= 1:
            expected = docs if side > 0 else 2 * p - docs  # the short is the mirror image
            assert code == pytest.approx(expected, rel=1e-12)
        elif unclamped < -1e-6 or unclamped > 1 + 1e-6:  # clearly clamped by the code
            assert code != pytest.approx(docs if side > 0 else 2 * p - docs, rel=1e-12)

    def test_exact_docs_variant_on_the_unit_test_short(self) -> None:
        args = ([(BTC, -10_000_000)], 5_499_000_000, 0)
        assert dydx.fillable_price(*args) == Fraction(50_001, 100)
        assert dydx.fillable_price_docs(*args) == Fraction(49_999, 100)
        long_args = ([(BTC, 10_000_000)], -4_501_000_000, 0)
        assert dydx.fillable_price_docs(*long_args) == dydx.fillable_price(*long_args)

    def test_subticks_round_against_the_liquidated_trader(self) -> None:
        fp = Fraction(12_345_678_901, 10**9)  # 1,234,567,890.1 subticks: not on a tick
        up = dydx.convert_fillable_price_to_subticks(
            fp, True, subticks_per_tick=5, quantum_conversion_exponent=-8
        )
        down = dydx.convert_fillable_price_to_subticks(
            fp, False, subticks_per_tick=5, quantum_conversion_exponent=-8
        )
        assert up - down == 5 and up % 5 == 0 and down <= fp * 10**8 <= up

    def test_vectorized_price_space(self) -> None:
        out = dydx.fillable_oracle_price(50_000, np.array([1, -1]), 0.1, [0.0, 0.0], 500.0)
        np.testing.assert_allclose(out, [49_500.0, 50_500.0])
        docs = dydx.fillable_oracle_price(
            50_000, np.array([1, -1]), 0.1, 0.0, 500.0, variant="docs"
        )
        assert docs.shape == (2,)


class TestPartialLiquidation:
    @given(
        side=sides,
        size=st.integers(1, 10**12),
        step=st.integers(1, 10**6),
        min_notional=st.integers(0, 10**10),
        portion=st.integers(1, 1_000_000),
        block=st.integers(1, 10**12),
        done=st.floats(0.0, 1.0),
    )
    def test_size_delta_respects_the_limits(
        self, side, size, step, min_notional, portion, block, done
    ):
        q = side * size
        already = int(done * block)
        delta = dydx.liquidatable_position_size_delta(
            PERP,
            q,
            step_base_quantums=step,
            notional_liquidated=already,
            min_position_notional_liquidated=min_notional,
            max_position_portion_liquidated_ppm=portion,
            max_notional_liquidated=block,
        )
        assert delta * q < 0 and abs(delta) <= size
        if abs(delta) == size:
            return  # the whole position (it fits, or it is at most one step)
        assert abs(delta) % step == 0 or abs(delta) == step
        limit = min(
            dydx.position_notional_limits(
                PERP,
                q,
                min_position_notional_liquidated=min_notional,
                max_position_portion_liquidated_ppm=portion,
            ).max,
            dydx.subaccount_max_notional_liquidatable(already, max_notional_liquidated=block),
        )
        if abs(delta) > step:
            assert abs(dydx.net_notional(PERP, delta)) <= limit

    def test_mainnet_limits_take_ten_percent_a_block(self) -> None:
        cfg = dydx.MAINNET_GENESIS
        kwargs = dict(
            step_base_quantums=5,
            min_position_notional_liquidated=cfg.min_position_notional_liquidated,
            max_position_portion_liquidated_ppm=cfg.max_position_portion_liquidated_ppm,
            max_notional_liquidated=cfg.max_notional_liquidated,
        )
        # 20 BTC ($1,000,000): 10% is $100,000, which is also the subaccount's block limit.
        assert dydx.liquidatable_position_size_delta(PERP, 2_000_000_000, **kwargs) == -200_000_000
        # 0.01 BTC ($500) is below the $1,000 minimum: closed in one go.
        assert dydx.liquidatable_position_size_delta(PERP, -1_000_000, **kwargs) == 1_000_000


class TestArithmetic:
    def test_short_notional_truncates_toward_zero(self) -> None:
        # 3 base quantums of ETH at $3,000 (resolution -9) are worth 9 quote quantums.
        assert dydx.net_notional(ETH, 3) == 9 and dydx.net_notional(ETH, -3) == -9
        # 7 * 3 * 10^(-7 + 0 + 6) = 2.1: truncated toward zero on both sides (Go's Quo).
        assert dydx.base_to_quote_quantums(7, 0, 3, -7) == 2
        assert dydx.base_to_quote_quantums(-7, 0, 3, -7) == -2
        assert dydx.quote_to_base_quantums(-5, 0, 3, -7) == -16  # -16.67 toward zero

    def test_margin_rounds_up(self) -> None:
        # 9 quote quantums of ETH: IMR ceil(9 * 20%) = 2, MMR ceil(2 * 50%) = 1.
        assert dydx.margin_requirements(ETH, -3) == (2, 1)

    def test_abr_clamps(self) -> None:
        assert dydx.adjusted_bankruptcy_rating(600, 500) == 0
        assert dydx.adjusted_bankruptcy_rating(-1, 500) == 1
        assert dydx.adjusted_bankruptcy_rating(250, 500, Fraction(3, 2)) == Fraction(3, 4)
        np.testing.assert_allclose(
            dydx.adjusted_bankruptcy_rating([600.0, 250.0], 500.0), [0.0, 0.5]
        )

    def test_liquidatable_at_maintenance_boundary(self) -> None:
        positions = [(BTC, 10_000_000)]  # TMMR $500
        assert not dydx.is_liquidatable(positions, -4_500_000_000)  # TNC = TMMR: not yet
        assert dydx.is_liquidatable(positions, -4_500_000_001)
        assert not dydx.is_liquidatable([], 0)  # no requirement, never liquidatable

    def test_config_constants(self) -> None:
        assert dydx.CODE_DEFAULT.max_liquidation_fee_ppm == 5_000
        assert dydx.MAINNET_GENESIS.spread_to_maintenance_margin_ratio_ppm == 1_500_000


class TestBadInput:
    ONE = [(BTC, 10_000_000)]

    @pytest.mark.parametrize(
        ("delta", "message"),
        [
            (0, "delta_quantums must have the opposite sign"),
            (10_000_000, "delta_quantums must have the opposite sign"),
            (-10_000_001, "absolute value of at most 10000000"),
        ],
    )
    def test_bad_delta(self, delta: int, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            dydx.bankruptcy_price_in_quote_quantums(self.ONE, -4_501_000_000, 0, delta)

    def test_no_position_for_id(self) -> None:
        with pytest.raises(ValueError, match="perpetual_id 1 has no open position"):
            dydx.bankruptcy_price_in_quote_quantums(self.ONE, 0, 1, -1)

    def test_floats_are_refused(self) -> None:
        with pytest.raises(ValueError, match="quote_balance must be an integer"):
            dydx.risk(self.ONE, -4501.0)
        with pytest.raises(ValueError, match="quantums must be an integer"):
            dydx.risk([(BTC, 0.1)], 0)
        with pytest.raises(ValueError, match="delta_quantums must be an integer"):
            dydx.bankruptcy_price_in_quote_quantums(self.ONE, 0, 0, -1e7)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            (
                {"bankruptcy_adjustment_ppm": 999_999},
                "bankruptcy_adjustment_ppm must be an integer in",
            ),
            (
                {"spread_to_maintenance_margin_ratio_ppm": 0},
                "spread_to_maintenance_margin_ratio_ppm",
            ),
            ({"bankruptcy_adjustment_ppm": 2**32}, "bankruptcy_adjustment_ppm"),
        ],
    )
    def test_config_ranges(self, kwargs: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            dydx.fillable_price(self.ONE, -4_501_000_000, 0, **kwargs)

    def test_fee_and_fill_amount(self) -> None:
        with pytest.raises(ValueError, match="max_liquidation_fee_ppm"):
            dydx.liquidation_insurance_fund_delta(
                self.ONE, 0, 0, False, 1, 1, quantum_conversion_exponent=-8,
                max_liquidation_fee_ppm=0,
            )
        with pytest.raises(ValueError, match="fill_amount must be an integer in \\[1"):
            dydx.liquidation_insurance_fund_delta(
                self.ONE, 0, 0, False, 0, 1, quantum_conversion_exponent=-8
            )
        with pytest.raises(ValueError, match="is_buy must be True or False"):
            dydx.liquidation_insurance_fund_delta(
                self.ONE, 0, 0, "sell", 1, 1, quantum_conversion_exponent=-8
            )

    def test_perpetual_specs(self) -> None:
        with pytest.raises(ValueError, match="perpetual must be"):
            dydx.net_notional("BTC-USD", 1)
        with pytest.raises(ValueError, match="market_price must be an integer in \\[1"):
            dydx.Perpetual(0, "X", -8, 0, -5, 200_000, 500_000)
        with pytest.raises(ValueError, match="initial_margin_ppm"):
            dydx.net_notional(
                {
                    "id": 0,
                    "ticker": "X",
                    "atomic_resolution": -8,
                    "market_price": 1,
                    "market_exponent": 0,
                    "initial_margin_ppm": 2_000_000,
                    "maintenance_fraction_ppm": 1,
                },
                1,
            )
        with pytest.raises(ValueError, match="one position per perpetual id"):
            dydx.risk([(BTC, 1), (BTC, 2)], 0)

    def test_block_limits_exceeded(self) -> None:
        with pytest.raises(ValueError, match="notional_liquidated must be an integer in"):
            dydx.subaccount_max_notional_liquidatable(200, max_notional_liquidated=150)
        with pytest.raises(ValueError, match="quantums_insurance_lost"):
            dydx.subaccount_max_insurance_lost(-1)

    def test_negative_fillable_price_for_subticks(self) -> None:
        with pytest.raises(ValueError, match="fillable_price must be >= 0"):
            dydx.convert_fillable_price_to_subticks(
                -1, False, subticks_per_tick=5, quantum_conversion_exponent=-8
            )

    def test_price_space_errors(self) -> None:
        with pytest.raises(ValueError, match="s must be a non-zero"):
            dydx.liquidation_price(1_000, 0, 3_000, 0.05)
        with pytest.raises(ValueError, match="mmf must be a fraction"):
            dydx.liquidation_price(1_000, -3, 3_000, 1.5)
        with pytest.raises(ValueError, match="variant must be one of"):
            dydx.fillable_oracle_price(1.0, 1, 0.1, 0.0, 1.0, variant="website")
        with pytest.raises(ValueError, match="bankruptcy_adjustment must be >= 1"):
            dydx.fillable_oracle_price(1.0, 1, 0.1, 0.0, 1.0, bankruptcy_adjustment=0.5)
        with pytest.raises(ValueError, match="maintenance_margin_fraction must be below"):
            dydx.funding_rate_cap(0.03, 0.05)


class TestConverters:
    """Float USD prices and coin sizes to the protocol's integers and back, bounded exponents."""

    def test_btc_test_market_round_trip(self) -> None:
        # the BTC test market: $50,000 is 5,000,000,000 x 10^-5; 0.1 BTC is 10^7 quantums at -8
        assert dydx.usd_to_price(50_000.0, -5) == PERP.market_price
        assert dydx.price_to_usd(PERP.market_price, PERP.market_exponent) == 50_000
        assert dydx.size_to_quantums(0.1, PERP.atomic_resolution) == 10_000_000
        assert dydx.quantums_to_size(-10_000_000, -8) == Fraction(-1, 10)
        # and the integers feed the protocol's own conversion: 0.1 BTC is $5,000
        q = dydx.size_to_quantums(0.1, -8)
        assert dydx.base_to_quote_quantums(q, -8, dydx.usd_to_price(50_000.0, -5), -5) == 5 * 10**9

    @given(price=st.floats(1.0, 1e7), exponent=st.integers(-12, -2))
    def test_price_round_trip_within_half_a_unit(self, price: float, exponent: int) -> None:
        back = dydx.price_to_usd(dydx.usd_to_price(price, exponent), exponent)
        assert abs(Fraction(price) - back) <= Fraction(1, 2) * Fraction(10) ** exponent

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda: dydx.base_to_quote_quantums(10, -8, 5, -(10**8)), "exponent must be an "
             "integer in \\[-30, 30\\]"),
            (lambda: dydx.quote_to_base_quantums(10, -8, 5, 10**8), "exponent must be an "
             "integer in \\[-30, 30\\]"),
            (lambda: dydx.base_to_quote_quantums(10, 10**6, 5, -5), "atomic_resolution"),
            (lambda: dydx.usd_to_price(-1.0, -5), "price_usd must be > 0"),
            (lambda: dydx.usd_to_price(float("nan"), -5), "price_usd must be finite"),
            (lambda: dydx.usd_to_price(1e-9, -5), "rounds to 0"),
            (lambda: dydx.usd_to_price(100.0, 31), "exponent must be an integer"),
            (lambda: dydx.price_to_usd(1.5, -5), "price must be an integer"),
            (lambda: dydx.size_to_quantums(float("inf"), -8), "size must be finite"),
            (lambda: dydx.size_to_quantums(1.0, -31), "atomic_resolution"),
            (lambda: dydx.quantums_to_size(0.5, -8), "quantums must be an integer"),
        ],
    )
    def test_bad_input_is_refused_at_once(self, call, message: str) -> None:
        # the two exponent cases ran for ever before the bounds (issue 15)
        with pytest.raises(ValueError, match=message):
            call()
