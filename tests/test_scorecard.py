"""The Monte Carlo scorecard: the engine over seeded paths and rule sets, stored with its data."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from liqlib.engine import Engine, Trader, flat_book
from liqlib.prices import gbm
from liqlib.sweep import spawn_seeds
from liqlib.systemic import (
    SCORECARD_METRICS,
    BookSpec,
    Experiment,
    PathSpec,
    PopulationSpec,
    Scorecard,
    fund_for_probability,
    generate_population,
    optimal_fund,
    run_scorecard,
)

#: A crowded long book (90% long) hit by a 20% crash: ADL runs out of shorts, so bad debt appears.
CROWDED = Experiment(
    rules=("bitmex", "dydx"),
    n_paths=4,
    seed=3,
    funds=(0.0, 5e3, 2e4),
    population=PopulationSpec(positions=60, long_share=0.9),
    paths=PathSpec(steps=24, sigma=0.6, gap=0.2),
    book=BookSpec(depth_share=0.02),
)
#: The default 60/40 book and a 10% crash.
SMALL = Experiment(
    rules=("bitmex", "binance_market"),
    n_paths=6,
    seed=11,
    funds=(0.0, 1e4, 3e4),
    population=PopulationSpec(positions=60),
    paths=PathSpec(steps=24, sigma=0.6),
    book=BookSpec(depth_share=0.02),
)


@pytest.fixture(scope="module")
def crowded() -> Scorecard:
    return run_scorecard(CROWDED)


@pytest.fixture(scope="module")
def small() -> Scorecard:
    return run_scorecard(SMALL)


def test_shapes(small):
    rules, funds, paths = len(SMALL.rules), len(SMALL.funds), SMALL.n_paths
    for name in SCORECARD_METRICS:
        assert getattr(small, name).shape == (rules, funds, paths), name
    assert small.needed.shape == (rules, paths)
    rows = small.summary(0.2)
    assert len(rows) == rules * funds
    assert {r["rules"] for r in rows} == set(SMALL.rules)


def test_the_same_on_every_executor(small):
    with ThreadPoolExecutor(2) as threads:
        assert run_scorecard(SMALL, executor=threads, chunksize=1) == small
    with ProcessPoolExecutor(2) as processes:
        assert run_scorecard(SMALL, executor=processes) == small


def test_path_k_does_not_depend_on_the_number_of_paths():
    fewer = Experiment(**{**CROWDED.__dict__, "n_paths": 2})
    assert fewer.seeds()[0] == CROWDED.seeds()[0]
    for k in range(2):
        assert np.array_equal(fewer.draw_path(k), CROWDED.draw_path(k))
    assert not np.array_equal(CROWDED.draw_path(0), CROWDED.draw_path(1))


def _hand_run(experiment: Experiment, k: int, rule: str, fund: float) -> Engine:
    """The engine run by hand from the experiment's description (not through the scorecard)."""
    root_population, root_paths = spawn_seeds(experiment.seed, 2)
    pop_seed = int(root_population.generate_state(1, np.uint64)[0])
    path_seed = int(spawn_seeds(root_paths, k + 1)[k].generate_state(1, np.uint64)[0])
    spec = experiment.population
    pop = generate_population(spec.positions, spec.price, seed=pop_seed,
                              long_share=spec.long_share, mmr=spec.mmr)
    steps = experiment.paths.steps
    marks = gbm(spec.price, sigma=experiment.paths.sigma, n=steps + 1, dt=experiment.paths.dt,
                seed=path_seed)[1:]
    marks[steps // 2:] *= 1 - experiment.paths.gap
    accounts = [Trader(q * e / lev, int(s), q, e, isolated_margin=q * e / lev)
                for s, q, e, lev in zip(pop.side, pop.size, pop.entry_price, pop.leverage,
                                        strict=True)]
    depth = experiment.book.depth_share * pop.size.sum()
    book = flat_book(depth, half_life=experiment.book.half_life)
    engine = Engine(accounts, spec.price, rules=rule, maintenance=spec.mmr, book=book,
                    insurance_fund=fund, rng=path_seed)
    for mark in marks:
        engine.step(float(mark), experiment.paths.dt)
    return engine


@pytest.mark.parametrize("k, r, f", [(0, 0, 0), (2, 0, 1), (1, 1, 2)])
def test_agrees_with_the_engine_run_by_hand(crowded, k, r, f):
    rule, fund = CROWDED.rules[r], CROWDED.funds[f]
    engine = _hand_run(CROWDED, k, rule, fund)
    out = sum(e.amount for e in engine.ledger if e.kind.value == "fund_out")
    assert crowded.fund_draw[r, f, k] == pytest.approx(out, rel=1e-12)
    assert crowded.bad_debt[r, f, k] == pytest.approx(engine.bad_debt, rel=1e-12)
    assert crowded.adl_volume[r, f, k] == pytest.approx(
        sum(e.size for e in engine.ledger if e.kind.value == "adl"), rel=1e-12)
    triggered = sum(rec.triggered for rec in engine.history)
    assert crowded.triggers[r, f, k] == triggered
    # the fund needed: a fund that never runs out, and the deepest its walk fell below the start
    big = 1e12
    sizing = _hand_run(CROWDED, k, rule, big)
    lowest = min([big] + [e.fund for e in sizing.ledger if e.kind.value == "fund_out"])
    assert crowded.needed[r, k] == pytest.approx(big - lowest, rel=1e-6)


def test_the_crowded_book_has_bad_debt(crowded):
    """The sanity test below would be empty on a book without bad debt."""
    assert np.all(crowded.bad_debt[:, 0] > 0)


@pytest.mark.parametrize("card_name", ["crowded", "small"])
def test_more_fund_never_more_bad_debt_on_the_same_paths(card_name, request):
    card = request.getfixturevalue(card_name)
    funds = np.array(card.experiment.funds)
    assert np.all(np.diff(funds) > 0)
    debt = card.bad_debt  # (rules, funds, paths), funds increasing
    assert np.all(np.diff(debt, axis=1) <= 1e-9 * (1 + debt[:, :-1])), debt


@pytest.mark.parametrize("card_name", ["crowded", "small"])
def test_a_fund_falls_short_exactly_when_it_is_below_the_fund_needed(card_name, request):
    """F >= D: the run is the unlimited run's (no shortfall); F < D: something nobody paid."""
    card = request.getfixturevalue(card_name)
    for f, fund in enumerate(card.experiment.funds):
        short = card.needed > fund
        net = card.fund_draw[:, f] - card.fund_income[:, f]
        covered = (net <= fund + 1e-6) & (card.bad_debt[:, f] == 0) & (card.socialized[:, f] == 0)
        assert np.all(covered[~short])
        # a fund below the need is spent to the last unit, or the loss went elsewhere
        spent = net >= fund - 1e-6
        elsewhere = (card.bad_debt[:, f] > 0) | (card.socialized[:, f] > 0) \
            | (card.adl_volume[:, f] > 0)
        assert np.all((spent | elsewhere)[short])
        assert card.shortfall_probability(card.experiment.rules[0], fund) == np.mean(short[0])


def test_feeds_the_fund_sizing_functions(small):
    needed = small.needed[0]
    for p in (0.0, 1 / 6, 0.5):
        assert small.fund_var("bitmex", p) == fund_for_probability(needed, p)
        if p > 0:
            assert small.fund_expected_shortfall("bitmex", p) >= small.fund_var("bitmex", p)
    assert small.fund_expected_shortfall("bitmex", 1.0) == pytest.approx(needed.mean())
    assert small.fund_expected_shortfall("bitmex", 1e-9) == needed.max()
    assert small.optimal_fund("bitmex", 1.0, 4.0) == optimal_fund(needed, 1.0, 4.0)
    probabilities = [small.shortfall_probability("bitmex", f) for f in sorted(needed)]
    assert probabilities == sorted(probabilities, reverse=True)


def test_json_round_trip(small):
    text = small.to_json()
    back = Scorecard.from_json(text)
    assert back == small and back.experiment == SMALL
    for name in (*SCORECARD_METRICS, "needed"):
        assert np.array_equal(getattr(back, name), getattr(small, name))  # every bit
    data = json.loads(text)
    assert data["experiment"]["rules"] == list(SMALL.rules)
    data["needed"] = data["needed"][:1]
    with pytest.raises(ValueError, match="needed must have shape"):
        Scorecard.from_json(json.dumps(data))


def test_a_wick_path_runs():
    wick = Experiment(rules=("bybit",), n_paths=2, seed=5, population=PopulationSpec(positions=40),
                      paths=PathSpec(kind="wick", steps=30, dt=10.0, wick_depth=0.15,
                                     wick_duration=60.0))
    card = run_scorecard(wick)
    assert card.needed.shape == (1, 2)
    path = wick.draw_path(0)
    assert path.size == 30 and path.min() < 0.9 * wick.population.price


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Experiment(rules=()), ValueError, "rules must name at least one"),
        (lambda: Experiment(rules=("kraken",)), ValueError, "rules must hold venue_rules names"),
        (lambda: Experiment(funds=()), ValueError, "funds must hold at least one"),
        (lambda: Experiment(funds=(-1.0,)), ValueError, "funds must be >= 0"),
        (lambda: Experiment(n_paths=0), ValueError, "n_paths"),
        (lambda: Experiment(seed=-2), ValueError, "seed"),
        (lambda: Experiment(paths=3), TypeError, "paths must be a PathSpec"),
        (lambda: PathSpec(kind="levy"), ValueError, "kind must be one of"),
        (lambda: PathSpec(gap=1.0), ValueError, "gap must be in"),
        (lambda: PathSpec(kind="wick", steps=10, dt=1.0, wick_duration=8.0), ValueError,
         "wick_duration must fit"),
        (lambda: PopulationSpec(positions=0), ValueError, "positions"),
        (lambda: BookSpec(depth_share=0.0), ValueError, "depth_share"),
        (lambda: run_scorecard({"rules": ["bitmex"]}), TypeError, "experiment must be"),
        (lambda: run_scorecard(Experiment(n_paths=1), executor=1), TypeError, "executor"),
        (lambda: Experiment(n_paths=2).draw_path(2), ValueError, "k"),
    ],
)
def test_bad_input_names_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_unknown_rule_in_a_query(small):
    with pytest.raises(ValueError, match="rule must be one of"):
        small.shortfall_probability("okx", 0.0)
    with pytest.raises(ValueError, match="probability must be in"):
        small.fund_expected_shortfall("bitmex", 0.0)
