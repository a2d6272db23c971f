"""A Monte Carlo scorecard: the liquidation engine over many seeded paths and several rule sets.

What an exchange's risk team runs before changing its liquidation rules or its insurance fund:
one book of positions, many seeded price paths, and each candidate rule set
(:func:`liqlib.engine.policies.venue_rules`) on the **same** paths, so that the differences
between rule sets are the rules' and not the draws'. For every path and rule set the
:class:`~liqlib.engine.Engine` runs

* once per fund level of the experiment, reporting what the fund paid (**fund draw**), what nobody
  could pay (**bad debt**), what was clawed back from profitable accounts (**socialized**), and
  what was closed against the other side (**ADL volume**);
* once with a fund that never runs out, whose walk gives the **fund needed**: the deepest the fund
  falls below its start, ``D = max(0, max_k(-C_k))`` with ``C_k`` the running sum of what
  liquidations paid into and drew from it (:meth:`liqlib.engine.Ledger.replay_fund`). A run
  starting with ``F >= D`` makes every decision the unlimited run made (the fund always covers
  what it is asked to), so it has no ADL for want of a fund, no clawback and no bad debt; a run
  with ``F < D`` reaches a deficit the fund cannot pay. So the probability of a **fund
  shortfall** is ``P(D > F)``, and the fund sizing of :mod:`liqlib.systemic.insurance` applies to
  the sample of ``D``: its value-at-risk (:func:`~liqlib.systemic.insurance.fund_for_probability`),
  expected shortfall, and the cost-optimal fund
  (:func:`~liqlib.systemic.insurance.optimal_fund`).

The experiment is data: an :class:`Experiment` (frozen: the population, the path generator, the
book, the rule names, the fund levels, the number of paths and the seed) fully determines the
:class:`Scorecard`, which stores it with the results (:meth:`Scorecard.to_json`). Seeds come from
:func:`liqlib.sweep.spawn_seeds`: the population from one child of the seed, each path (and its
random ADL queue, dYdX's) from its own, so path ``k`` is the same whatever the number of paths and
whatever executor runs it (:func:`run_scorecard` runs the paths through
:func:`liqlib.sweep.sweep`).

Modelling choices, each stated: every position is an isolated :class:`~liqlib.engine.Trader` with
margin ``notional / leverage`` (:func:`~liqlib.systemic.cascades.generate_population`, as in
:func:`~liqlib.systemic.cascades.engine_cascade`); the mark is the path (no feedback from the
engine's fills to the path); the book is flat on both sides, holding ``depth_share`` of the
population's quantity per 1% of price, refilling with a half-life; the maintenance rate is flat.

References
----------
.. [1] Chitra, T. (2025). Autodeleveraging: impossibilities and optimization. arXiv:2512.01112
   (the insurance fund as a value-at-risk of the deficit distribution).
.. [2] BitMEX, "Liquidation", https://www.bitmex.com/app/liquidation (read 2026-12-03): "If BitMEX
   is unable to liquidate the position at the bankruptcy price, BitMEX will spend the Insurance
   Funds on aggressing the position in the market ... If this still does not close the
   liquidated order, this will then lead to an Auto-Deleveraging event."
.. [3] Acerbi, C., Tasche, D. (2002). On the coherence of expected shortfall. *Journal of Banking
   & Finance* 26(7), 1487-1503 (the empirical expected shortfall as the mean of the worst
   ``ceil(p n)`` outcomes).
"""

from __future__ import annotations

import json
import math
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core import _validate as v
from ..engine.book import ResilientBook, flat_book
from ..engine.policies import VENUE_RULES, VENUE_VARIANTS
from ..engine.stepper import Engine, Trader
from ..prices.paths import gbm, wick_path
from ..sweep import spawn_seeds, sweep
from .cascades import Population, generate_population, population_traders
from .insurance import adl_probability, fund_for_probability, optimal_fund

#: Path generators of :class:`PathSpec`.
PATH_KINDS = ("gbm", "wick")

#: The fund of the sizing run, in units of the population's notional at the path's highest
#: price: far beyond any deficit a path can produce, so the run never finds the fund short.
UNLIMITED_FUND = 1e6

#: The per-run quantities of a :class:`Scorecard`, each an array (rules, funds, paths).
SCORECARD_METRICS = (
    "fund_draw", "fund_income", "bad_debt", "socialized", "adl_volume", "triggers"
)


@dataclass(frozen=True)
class PopulationSpec:
    """The book of positions: :func:`~liqlib.systemic.cascades.generate_population`'s arguments.

    Attributes
    ----------
    positions : int
        Number of positions (>= 1).
    price : float
        Price (> 0) the positions are opened around and every path starts at.
    long_share, median_notional, notional_sigma, entry_dispersion, leverage_scale, max_leverage
        As :func:`~liqlib.systemic.cascades.generate_population`.
    mmr : float
        Flat maintenance margin rate, in (0, 1): the population's liquidation prices and the
        engine's.
    """

    positions: int = 500
    price: float = 60_000.0
    long_share: float = 0.6
    median_notional: float = 5_000.0
    notional_sigma: float = 1.5
    entry_dispersion: float = 0.03
    leverage_scale: float = 1.0
    max_leverage: float = 100.0
    mmr: float = 0.005

    def __post_init__(self) -> None:
        v.integer("positions", self.positions, low=1)
        v.positive("price", self.price)
        v.rate("mmr", self.mmr, allow_zero=False)

    def draw(self, seed: int) -> Population:
        """The population for ``seed``."""
        kw = {f.name: getattr(self, f.name) for f in fields(self)}
        return generate_population(kw.pop("positions"), kw.pop("price"), seed=seed, **kw)


@dataclass(frozen=True)
class PathSpec:
    """The seeded mark paths: a GBM (:func:`~liqlib.prices.paths.gbm`) or a wick.

    Attributes
    ----------
    kind : {"gbm", "wick"}
        ``"gbm"``: a geometric Brownian motion, times ``1 - gap`` from the step at ``gap_at`` of
        the path on (a crash that stays). ``"wick"``: the venue's mid of
        :func:`~liqlib.prices.paths.wick_path`, a V-shaped drop of ``wick_depth`` over
        ``wick_duration`` seconds, a third of the way in, on a GBM.
    steps : int
        Marks the engine steps through (>= 1), after the start.
    dt : float
        Seconds between marks (> 0).
    sigma : float
        Annualized volatility (>= 0).
    drift : float
        Annualized drift (GBM only).
    gap : float
        Size of the GBM's crash, in [0, 1).
    gap_at : float
        Where it happens, a share of the path in [0, 1].
    wick_depth, wick_duration : float
        The wick's depth in [0, 1) and duration in seconds (> 0).
    """

    kind: str = "gbm"
    steps: int = 240
    dt: float = 60.0
    sigma: float = 1.0
    drift: float = 0.0
    gap: float = 0.1
    gap_at: float = 0.5
    wick_depth: float = 0.1
    wick_duration: float = 600.0

    def __post_init__(self) -> None:
        v.choice("kind", self.kind, PATH_KINDS)
        v.integer("steps", self.steps, low=1)
        v.positive("dt", self.dt)
        v.nonnegative("sigma", self.sigma)
        if not 0 <= self.gap < 1:
            raise ValueError(f"gap must be in [0, 1), got {self.gap!r}")
        if not 0 <= self.gap_at <= 1:
            raise ValueError(f"gap_at must be in [0, 1], got {self.gap_at!r}")
        if not 0 <= self.wick_depth < 1:
            raise ValueError(f"wick_depth must be in [0, 1), got {self.wick_depth!r}")
        v.positive("wick_duration", self.wick_duration)
        if self.kind == "wick" and self.wick_duration > 2 / 3 * self.steps * self.dt:
            raise ValueError(
                f"wick_duration must fit in the two thirds of the path after the wick starts "
                f"({2 / 3 * self.steps * self.dt!r} s), got {self.wick_duration!r}"
            )

    def draw(self, price: float, seed: int) -> NDArray[np.float64]:
        """The ``steps`` marks after ``price`` for ``seed``."""
        if self.kind == "wick":
            return wick_path(seconds=self.steps * self.dt, dt=self.dt, price=price,
                             sigma=self.sigma, depth=self.wick_depth,
                             duration=self.wick_duration, seed=seed).mid[1:]
        path = gbm(price, sigma=self.sigma, n=self.steps + 1, dt=self.dt, drift=self.drift,
                   seed=seed)[1:]
        crash = np.arange(self.steps) >= round(self.gap_at * self.steps)
        return path * np.where(crash, 1 - self.gap, 1.0)


@dataclass(frozen=True)
class BookSpec:
    """The order book liquidations fill against: flat on both sides, refilling.

    Attributes
    ----------
    depth_share : float
        Base units per 1% of price on each side (> 0), as a share of the population's total
        quantity (0.002: 0.2%, the engine benchmark's thin book).
    half_life : float
        Seconds (>= 0; ``inf`` never) for a hole in the book to half refill.
    """

    depth_share: float = 0.002
    half_life: float = 30.0

    def __post_init__(self) -> None:
        v.positive("depth_share", self.depth_share)
        v.nonnegative("half_life", self.half_life)

    def build(self, population: Population) -> ResilientBook:
        """A fresh book for ``population``."""
        depth = self.depth_share * float(population.size.sum())
        return flat_book(depth, half_life=self.half_life)


@dataclass(frozen=True)
class Experiment:
    """A scorecard experiment, as data: everything :func:`run_scorecard` needs.

    Attributes
    ----------
    rules : tuple of str
        Rule sets to compare, names of :func:`~liqlib.engine.policies.venue_rules` (venues or
        their named variants).
    n_paths : int
        Number of seeded paths (>= 1).
    seed : int
        Seed (>= 0) of the population and the paths.
    funds : tuple of float
        Insurance fund levels at the start (>= 0, quote currency); every rule set runs with each.
    population, paths, book : PopulationSpec, PathSpec, BookSpec

    Examples
    --------
    >>> e = Experiment(rules=("bitmex", "bybit"), n_paths=4, seed=1)
    >>> Experiment.from_dict(json.loads(json.dumps(e.to_dict()))) == e
    True
    >>> Experiment(rules=("kraken",))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: rules must hold venue_rules names, one of ('binance', ...), got 'kraken'
    """

    rules: tuple[str, ...] = ("bitmex", "binance", "bybit")
    n_paths: int = 100
    seed: int = 0
    funds: tuple[float, ...] = (0.0,)
    population: PopulationSpec = field(default_factory=PopulationSpec)
    paths: PathSpec = field(default_factory=PathSpec)
    book: BookSpec = field(default_factory=BookSpec)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        object.__setattr__(self, "funds", tuple(float(f) for f in self.funds))
        known = (*VENUE_RULES, *VENUE_VARIANTS)
        if not self.rules:
            raise ValueError("rules must name at least one rule set, got none")
        for name in self.rules:
            if name not in known:
                raise ValueError(
                    f"rules must hold venue_rules names, one of {known}, got {name!r}"
                )
        if not self.funds:
            raise ValueError("funds must hold at least one fund level, got none")
        v.nonnegative("funds", self.funds)
        v.integer("n_paths", self.n_paths, low=1)
        v.integer("seed", self.seed, low=0)
        for name, kind in (("population", PopulationSpec), ("paths", PathSpec),
                           ("book", BookSpec)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be a {kind.__name__}, got {getattr(self, name)!r}")

    def seeds(self) -> tuple[int, tuple[int, ...]]:
        """The population's seed and each path's, as ints (``SeedSequence.spawn`` children)."""
        population, paths = spawn_seeds(self.seed, 2)
        return _int_seed(population), tuple(_int_seed(s) for s in spawn_seeds(paths,
                                                                                self.n_paths))

    def draw_population(self) -> Population:
        """The experiment's book of positions."""
        return self.population.draw(self.seeds()[0])

    def draw_path(self, k: int) -> NDArray[np.float64]:
        """The marks of path ``k`` (after the start price)."""
        index = v.integer("k", k, low=0, high=self.n_paths - 1)
        return self.paths.draw(self.population.price, self.seeds()[1][index])

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        out = asdict(self)
        out["rules"], out["funds"] = list(self.rules), list(self.funds)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Experiment:
        """The experiment :meth:`to_dict` describes."""
        return cls(
            rules=tuple(data["rules"]),
            n_paths=data["n_paths"],
            seed=data["seed"],
            funds=tuple(data["funds"]),
            population=PopulationSpec(**data["population"]),
            paths=PathSpec(**data["paths"]),
            book=BookSpec(**data["book"]),
        )


def _int_seed(seed: np.random.SeedSequence) -> int:
    return int(seed.generate_state(1, np.uint64)[0])


def _run(experiment: Experiment, accounts: list[Trader], population: Population,
         marks: NDArray[np.float64], rule: str, fund: float, seed: int) -> Engine:
    engine = Engine(accounts, experiment.population.price, rules=rule,
                    maintenance=experiment.population.mmr,
                    book=experiment.book.build(population), insurance_fund=fund, rng=seed)
    engine.run(marks, dt=experiment.paths.dt)
    return engine


def _metrics(engine: Engine) -> list[float]:
    """:data:`SCORECARD_METRICS` of one run, from the engine's public results."""
    return [
        engine.ledger.total("fund_out"),
        engine.ledger.total("fund_in"),
        float(engine.bad_debt),
        engine.ledger.total("clawback"),
        float(sum(r.deleveraged for r in engine.history)),
        float(len(engine.ledger.of_kind("trigger"))),
    ]


def _score_path(
    task: tuple[Experiment, Population, int, int],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Every rule set and fund on path ``k`` (its seed given, not re-derived in every task):
    (metrics (rules, funds, metrics), needed (rules,))."""
    experiment, population, k, seed = task
    marks = experiment.paths.draw(experiment.population.price, seed)
    accounts = population_traders(population)
    unlimited = UNLIMITED_FUND * float(population.size.sum()) * max(
        float(marks.max()), experiment.population.price)
    out = np.zeros((len(experiment.rules), len(experiment.funds), len(SCORECARD_METRICS)))
    needed = np.zeros(len(experiment.rules))
    for r, rule in enumerate(experiment.rules):
        for f, fund in enumerate(experiment.funds):
            out[r, f] = _metrics(_run(experiment, accounts, population, marks, rule, fund, seed))
        sizing = _run(experiment, accounts, population, marks, rule, unlimited, seed)
        walk = sizing.ledger.replay_fund(0.0)
        needed[r] = max(0.0, -float(walk.min())) if walk.size else 0.0
        if needed[r] >= 0.5 * unlimited:  # cannot happen with a bound this wide; never hide it
            raise RuntimeError(f"the sizing run of {rule!r} on path {k} nearly emptied its fund")
    return out, needed


@dataclass(frozen=True, eq=False)
class Scorecard:
    """The results of an :class:`Experiment`, stored with it.

    Attributes
    ----------
    experiment : Experiment
    fund_draw, fund_income, bad_debt, socialized, adl_volume, triggers : ndarray
        Shape (rules, funds, paths): what the fund paid out and took in, bad debt written off,
        loss clawed back from profitable accounts (quote currency), base units closed by ADL, and
        liquidation triggers (an account that enters liquidation at several steps, because the
        book and ADL could not close it at once, counts at each), per rule set, fund level and
        path.
    needed : ndarray, shape (rules, paths)
        Fund needed on each path (quote currency): the smallest starting fund with no shortfall.
    """

    experiment: Experiment
    fund_draw: NDArray[np.float64]
    fund_income: NDArray[np.float64]
    bad_debt: NDArray[np.float64]
    socialized: NDArray[np.float64]
    adl_volume: NDArray[np.float64]
    triggers: NDArray[np.float64]
    needed: NDArray[np.float64]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scorecard):
            return NotImplemented
        return self.experiment == other.experiment and all(
            np.array_equal(getattr(self, n), getattr(other, n))
            for n in (*SCORECARD_METRICS, "needed")
        )

    __hash__ = None  # type: ignore[assignment]  # arrays inside: equal but not hashable

    def _rule(self, rule: str) -> int:
        return self.experiment.rules.index(v.choice("rule", rule, self.experiment.rules))

    def shortfall_probability(self, rule: str, fund: float) -> float:
        """Share of paths on which ``fund`` falls short under ``rule``: ``P(D > fund)``.

        Parameters
        ----------
        rule : str
            One of the experiment's rule sets.
        fund : float
            Fund at the start (>= 0), quote currency; any level, not only the experiment's.

        Returns
        -------
        float
            :func:`~liqlib.systemic.insurance.adl_probability` of the fund needed.

        Raises
        ------
        ValueError
            For a rule set the experiment did not run, or a negative fund.

        Examples
        --------
        See :func:`run_scorecard`.
        """
        return float(adl_probability(self.needed[self._rule(rule)], fund))

    def fund_var(self, rule: str, probability: float) -> float:
        """The fund whose shortfall probability is at most ``probability``: the value-at-risk
        of the fund needed (:func:`~liqlib.systemic.insurance.fund_for_probability`).

        Parameters
        ----------
        rule : str
            One of the experiment's rule sets.
        probability : float
            Shortfall probability allowed, in [0, 1].

        Returns
        -------
        float
            Quote currency.
        """
        return fund_for_probability(self.needed[self._rule(rule)], probability)

    def fund_expected_shortfall(self, rule: str, probability: float) -> float:
        """Mean fund needed on the worst ``ceil(probability * n)`` of the ``n`` paths.

        The empirical expected shortfall (Acerbi and Tasche, module references [3]_): at least
        :meth:`fund_var` at the same probability, and the mean fund needed at probability 1.

        Parameters
        ----------
        rule : str
            One of the experiment's rule sets.
        probability : float
            Tail probability, in (0, 1].

        Returns
        -------
        float
            Quote currency.

        Raises
        ------
        ValueError
            For a probability outside (0, 1].
        """
        p = float(v.as_float("probability", probability))
        if not 0 < p <= 1:
            raise ValueError(f"probability must be in (0, 1], got {p!r}")
        d = np.sort(self.needed[self._rule(rule)])
        worst = max(1, math.ceil(p * d.size - 1e-9))  # 0.1 * 30 is 3.0000000000000004
        return float(d[-worst:].mean())

    def optimal_fund(self, rule: str, capital_cost: float, loss_weight: float) -> float:
        """The fund minimising ``capital_cost * F + loss_weight * E[max(0, D - F)]`` under
        ``rule`` (:func:`~liqlib.systemic.insurance.optimal_fund` of the fund needed).

        Parameters
        ----------
        rule : str
            One of the experiment's rule sets.
        capital_cost, loss_weight : float
            Cost (> 0) of holding a unit of fund over a path, and of a unit of shortfall.

        Returns
        -------
        float
            Quote currency.
        """
        return optimal_fund(self.needed[self._rule(rule)], capital_cost, loss_weight)

    def summary(self, probability: float = 0.01) -> list[dict[str, Any]]:
        """One row per rule set and fund level, ready for a table.

        Parameters
        ----------
        probability : float
            Tail probability, in (0, 1], of the VaR and expected shortfall columns.

        Returns
        -------
        list of dict
            ``rules``, ``fund``, ``mean_<metric>`` over the paths for each of
            :data:`SCORECARD_METRICS`, ``shortfall_probability`` at the row's fund, and
            ``fund_var`` and ``fund_expected_shortfall`` of the rule set at ``probability``.
        """
        rows = []
        for r, rule in enumerate(self.experiment.rules):
            for f, fund in enumerate(self.experiment.funds):
                rows.append({
                    "rules": rule,
                    "fund": fund,
                    **{f"mean_{m}": float(getattr(self, m)[r, f].mean())
                       for m in SCORECARD_METRICS},
                    "shortfall_probability": self.shortfall_probability(rule, fund),
                    "fund_var": self.fund_var(rule, probability),
                    "fund_expected_shortfall": self.fund_expected_shortfall(rule, probability),
                })
        return rows

    def to_json(self) -> str:
        """The experiment and every result, as one JSON document.

        Returns
        -------
        str
            ``{"experiment": {...}, "<metric>": [[[...]]], "needed": [[...]]}``; floats are
            written by ``repr``, so :meth:`from_json` gives back every bit.
        """
        data = {"experiment": self.experiment.to_dict()}
        data.update({n: getattr(self, n).tolist() for n in (*SCORECARD_METRICS, "needed")})
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Scorecard:
        """The scorecard :meth:`to_json` wrote.

        Parameters
        ----------
        text : str
            The JSON document.

        Returns
        -------
        Scorecard

        Raises
        ------
        ValueError
            For JSON whose arrays do not fit its experiment.
        """
        data = json.loads(text)
        experiment = Experiment.from_dict(data["experiment"])
        shape = (len(experiment.rules), len(experiment.funds), experiment.n_paths)
        arrays = {n: np.asarray(data[n], dtype=float) for n in (*SCORECARD_METRICS, "needed")}
        for n, a in arrays.items():
            want = shape[::2] if n == "needed" else shape
            if a.shape != want:
                raise ValueError(f"{n} must have shape {want} for its experiment, got {a.shape}")
        return cls(experiment=experiment, **arrays)


def run_scorecard(
    experiment: Experiment,
    *,
    executor: Executor | None = None,
    chunksize: int | None = None,
) -> Scorecard:
    """Run an :class:`Experiment`: every rule set and fund level on the same seeded paths.

    Parameters
    ----------
    experiment : Experiment
    executor : concurrent.futures.Executor, optional
        Runs the paths (:func:`liqlib.sweep.sweep`): ``None`` (the default) serially, or a process
        pool or Dask's ``Client.get_executor()``; the scorecard is the same on any.
    chunksize : int, optional
        Paths per submission to the executor.

    Returns
    -------
    Scorecard

    Raises
    ------
    TypeError
        For an ``experiment`` that is not an :class:`Experiment`, or a bad executor.

    References
    ----------
    Chitra (2025), arXiv:2512.01112; BitMEX, "Liquidation" (module references).

    Examples
    --------
    Eight paths of half an hour (one-minute marks, 60% a year, a 10% crash halfway), 80
    positions, a book holding 2% of their quantity per 1%, BitMEX against its market-order
    variant, funds of 0 and 20,000 USDT. An empty fund always falls short (the crash takes
    positions past their bankruptcy price); 20,000 USDT covers six paths of eight:

    >>> e = Experiment(rules=("bitmex", "bitmex_market"), n_paths=8, seed=3, funds=(0.0, 2e4),
    ...                population=PopulationSpec(positions=80),
    ...                paths=PathSpec(steps=30, sigma=0.6), book=BookSpec(depth_share=0.02))
    >>> card = run_scorecard(e)
    >>> card.needed.shape, card.bad_debt.shape
    ((2, 8), (2, 2, 8))
    >>> card.shortfall_probability("bitmex", 0.0), card.shortfall_probability("bitmex", 2e4)
    (1.0, 0.25)
    >>> round(card.fund_var("bitmex", 0.25)), round(card.fund_expected_shortfall("bitmex", 0.25))
    (17154, 20384)
    >>> Scorecard.from_json(card.to_json()) == card
    True
    """
    if not isinstance(experiment, Experiment):
        raise TypeError(f"experiment must be an Experiment, got {experiment!r}")
    population_seed, path_seeds = experiment.seeds()
    population = experiment.population.draw(population_seed)
    tasks = [(experiment, population, k, seed) for k, seed in enumerate(path_seeds)]
    results = sweep(_score_path, tasks, executor=executor, chunksize=chunksize)
    per_run = np.stack([m for m, _ in results], axis=-1)  # (rules, funds, metrics, paths)
    return Scorecard(
        experiment=experiment,
        **{name: per_run[:, :, i, :] for i, name in enumerate(SCORECARD_METRICS)},
        needed=np.stack([n for _, n in results], axis=-1),
    )


__all__ = [
    "SCORECARD_METRICS",
    "PATH_KINDS",
    "UNLIMITED_FUND",
    "BookSpec",
    "Experiment",
    "PathSpec",
    "PopulationSpec",
    "Scorecard",
    "run_scorecard",
]
