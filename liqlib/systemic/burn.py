"""Liquidation-fee burns: a share of the fees buys back a token and destroys it.

A venue that charges a liquidation fee can send part of it, the **burn share** ``b``, to buy its
own token on the market and burn what it bought; the rest of the fee goes to the insurance fund.
Three pieces, each usable alone:

* :func:`buyback`: a quote-currency budget buys tokens from the token's ask ladder (a
  :mod:`liqlib.engine.book` ladder, so a large buyback pays its own impact) or at a flat price;
* :func:`fee_flow`: the liquidation fees a seeded series of price shocks produces along one market
  price path, each shock run through :func:`liqlib.systemic.cascades.cascade` on a population of
  leveraged positions reopened at the period's open. The fee of a liquidated position is
  ``fee_rate`` times its notional, capped by the margin it has left at the fill (a fee cannot be
  paid from margin that is gone; dYdX's rule, :class:`liqlib.engine.policies.CappedBySurplus`);
  the rest of that margin goes to the fund, and a fill beyond the bankruptcy price draws on it, as
  in :mod:`liqlib.systemic.cascades`. None of this depends on the burn share, so one fee flow
  serves every burn share;
* :func:`run_burns`: the supply and the fund over the periods for one burn share. The fund is one
  reflected walk over every liquidation of every period, in fill order, carried from period to
  period: each liquidation adds its surplus less ``b`` times its fee, or draws its loss; what the
  fund cannot pay is passed to auto-deleveraging (ADL). So burning more leaves a smaller fund and
  more ADL in the next crash. Each period's burned fees buy tokens at that period's token price,
  and the supply falls by what they bought: ``S[t+1] = S[t] - Q_t`` with ``Q_t`` tokens bought
  for ``b * fees[t]``.

The canonical protocol burn, Ethereum's EIP-1559 base fee [1]_, is :func:`eip1559_base_fee` and
:func:`eip1559_path` (exact integer arithmetic, reproducing go-ethereum's test vectors [2]_);
BNB's quarterly Auto-Burn formula [3]_ is :func:`bnb_auto_burn`. A token that backs the venue
instead of only being burned by it (MakerDAO's surplus buffer and debt auctions) is in
:mod:`liqlib.systemic.backstop`.

References
----------
.. [1] Buterin, V., Conner, E., Dudley, R., Slipper, M., Norden, I., Bakhta, A. (2019). EIP-1559:
   Fee market change for ETH 1.0 chain. https://eips.ethereum.org/EIPS/eip-1559 (the
   ``validate_block`` reference code: ``BASE_FEE_MAX_CHANGE_DENOMINATOR = 8``,
   ``ELASTICITY_MULTIPLIER = 2``, increases of at least 1).
.. [2] go-ethereum, ``consensus/misc/eip1559/eip1559_test.go``, ``TestCalcBaseFee``: from
   1 gwei with a 20,000,000 gas limit, 10,000,000 gas used keeps 1,000,000,000 wei, 9,000,000
   gives 987,500,000 and 11,000,000 gives 1,012,500,000.
.. [3] Binance, "Introducing BNB Auto-Burn: A New Protocol for Quarterly BNB Burns" (2021-12-22),
   https://www.binance.com/en/support/announcement/introducing-bnb-auto-burn-a-new-protocol-for-quarterly-bnb-burns-611c8f41f49e4cd2a02a7c7d66fdf3c0:
   ``B = N * 1000 / (P + K)``, ``K`` initially 1,000; halted below 100 million BNB.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..engine.book import Ladder, check_ladder
from ..sweep import sweep
from .cascades import Population, _seed, cascade

#: EIP-1559's constants [1]_: the base fee moves by at most 1/8 a block around a gas target of
#: half the gas limit.
EIP1559_DENOMINATOR = 8
EIP1559_ELASTICITY = 2


def _share(name: str, value: float) -> float:
    """A fraction in [0, 1] (1 is meaningful here: burn every fee)."""
    x = v.number(name, value)
    if not 0 <= x <= 1:
        raise ValueError(f"{name} must be a fraction in [0, 1] (0.25 means 25%), got {value!r}")
    return x


# --------------------------------------------------------------------------------------------
# The buyback


@dataclass(frozen=True)
class Buyback:
    """What a buyback bought. Fields are floats, or arrays for an array of budgets.

    Attributes
    ----------
    budget : float or ndarray
        Quote currency available.
    spent : float or ndarray
        Quote currency paid (``<= budget``).
    tokens : float or ndarray
        Tokens bought, and burned.
    vwap : float or ndarray
        ``spent / tokens``, the average price paid (``nan`` where nothing was bought).
    unspent : float or ndarray
        ``budget - spent``: left over when the ladder ran out of tokens.
    """

    budget: Any
    spent: Any
    tokens: Any
    vwap: Any
    unspent: Any


def buyback(budget: ArrayLike, token_price: ArrayLike, ladder: Ladder | None = None) -> Buyback:
    """Buy as many tokens as ``budget`` pays for, at ``token_price`` or up ``ladder``.

    With a ladder (the token's asks, measured from ``token_price``; see :mod:`liqlib.engine.book`)
    the ``Q`` tokens bought cost ``P * (Q + A(Q))``, where ``A`` is the ladder's area: the buyback
    pays its own impact. ``Q`` is the largest quantity whose cost is within the budget, found by
    bisection (the cost rises with ``Q``), to the last bit. Without a ladder every token costs
    ``token_price``.

    Parameters
    ----------
    budget : float or array
        Quote currency to spend (>= 0).
    token_price : float or array
        Token price before the buyback (> 0), quote per token.
    ladder : Ladder, optional
        The token's ask side; ``None`` buys at ``token_price`` with no impact.

    Returns
    -------
    Buyback

    Raises
    ------
    ValueError
        If ``budget`` is negative or not finite, or ``token_price`` is not positive.

    Examples
    --------
    10,000 USDT buys 1,000 tokens at 10. With 5,000 tokens per 1% on the asks (a flat book) it
    buys fewer, at an average price 0.1% higher (the book's linear impact, Kyle's lambda):

    >>> from liqlib.engine.book import flat_ladder
    >>> buyback(10_000, 10.0).tokens
    1000.0
    >>> b = buyback(10_000, 10.0, flat_ladder(5_000))
    >>> round(b.tokens, 3), round(b.vwap, 4), b.spent <= b.budget
    (999.002, 10.01, True)
    """
    budget_arr = v.nonnegative("budget", budget)
    price_arr = v.positive("token_price", token_price)
    v.shapes(budget=budget_arr, token_price=price_arr)
    b, p = np.broadcast_arrays(budget_arr, price_arr)
    b, p = b.astype(float), p.astype(float)
    if ladder is not None:
        check_ladder("ladder", ladder)
    if ladder is None:
        with np.errstate(over="ignore"):  # refused just below, naming the inputs
            tokens = b / p
        v.finite_result("the tokens bought", tokens, parts={"budget": b, "token_price": p})
        spent = b.copy()
    else:
        tokens = _tokens_within(b, p, ladder)
        spent = p * (tokens + ladder.area(tokens))
    with np.errstate(invalid="ignore", divide="ignore"):
        vwap = np.where(tokens > 0, spent / tokens, np.nan)
    return Buyback(
        budget=v.scalar_or_array(b),
        spent=v.scalar_or_array(spent),
        tokens=v.scalar_or_array(tokens),
        vwap=v.scalar_or_array(vwap),
        unspent=v.scalar_or_array(b - spent),
    )


def _boundary(
    ok: Callable[[NDArray[np.float64]], NDArray[np.bool_]],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Bisect, element by element, a predicate true at ``lo`` and false at ``hi``, to the last bit.

    ``ok`` must be monotone on ``[lo, hi]`` (true below some point, false above). Returns the
    last ``lo`` (where ``ok`` holds) and the first ``hi`` (where it does not).
    """
    for _ in range(2_000):
        mid = 0.5 * (lo + hi)
        if not np.any((mid > lo) & (mid < hi)):
            break
        good = ok(mid)
        lo = np.where(good, mid, lo)
        hi = np.where(good, hi, mid)
    return lo, hi


def _tokens_within(budget: NDArray[np.float64], price: NDArray[np.float64], ladder: Ladder
                   ) -> NDArray[np.float64]:
    """The largest ``Q`` with ``price * (Q + A(Q)) <= budget`` and ``Q <= capacity``."""

    def affordable(q: NDArray[np.float64]) -> NDArray[np.bool_]:
        return np.asarray(price * (q + ladder.area(q)) <= budget)

    # Every token costs at least `price`, so Q <= budget / price; and the ladder holds capacity.
    hi = np.minimum(budget / price, ladder.capacity)
    whole = affordable(hi)
    lo, _ = _boundary(affordable, np.zeros_like(hi), hi)
    return np.where(whole, hi, lo)


# --------------------------------------------------------------------------------------------
# Shocks and the fee flow they produce


def generate_shocks(
    n_periods: int,
    *,
    seed: int | np.random.Generator,
    scale: float = 0.01,
    tail: float = 3.0,
    down_share: float = 0.5,
    max_move: float = 0.5,
) -> NDArray[np.float64]:
    """A seeded series of period price moves with fat tails: many calm periods, a few crashes.

    Each move is ``scale * |t|`` with ``t`` Student-t with ``tail`` degrees of freedom (the lower,
    the fatter the tails), cut at ``max_move``, downward with probability ``down_share``.

    Parameters
    ----------
    n_periods : int
        Number of periods (>= 1).
    seed : int or numpy.random.Generator
    scale : float
        Typical size of a move (> 0), a fraction of price.
    tail : float
        Degrees of freedom of the Student-t (> 0).
    down_share : float
        Probability that a move is down, in [0, 1].
    max_move : float
        Largest move, a fraction in (0, 1).

    Returns
    -------
    ndarray
        Moves as fractions of price: ``-0.05`` a 5% fall.

    Examples
    --------
    >>> shocks = generate_shocks(1_000, seed=1)
    >>> bool(np.all(np.abs(shocks) <= 0.5)), bool(np.array_equal(shocks,
    ...                                                  generate_shocks(1_000, seed=1)))
    (True, True)
    """
    count = v.integer("n_periods", n_periods, low=1)
    v.positive("scale", scale)
    v.positive("tail", tail)
    down = _share("down_share", down_share)
    cap = v.number("max_move", max_move, "pos")
    if cap >= 1:
        raise ValueError(f"max_move must be a fraction in (0, 1), got {max_move!r}")
    rng = np.random.default_rng(_seed("seed", seed))
    size = np.minimum(scale * np.abs(rng.standard_t(tail, count)), cap)
    sign = np.where(rng.random(count) < down, -1.0, 1.0)
    return sign * size


@dataclass(frozen=True)
class FeeFlow:
    """Liquidations, fees and fund flows of a series of periods, before any burn.

    ``market`` (``T + 1`` entries) is the market price path: ``market[t]`` opens period ``t``
    and ``market[t + 1]`` closes it (see ``path`` in :func:`fee_flow`). Per period ``t`` (arrays
    of length ``T``): ``shocks`` (the exogenous move), ``moves`` (the move from the open to where
    the period's cascades stopped, their own impact included), ``count`` (positions liquidated),
    ``notional`` (quote value of their fills), ``fees`` (liquidation fees), ``fund_income``
    (surplus over bankruptcy, fees included) and ``fund_draw`` (losses beyond bankruptcy).

    Per liquidation, in fill order over all periods (arrays of length ``M``): ``surplus`` (margin
    left at the fill, negative when the fill is beyond bankruptcy), ``fill_notional`` and ``fee``
    (``min(fee_rate * fill_notional, max(surplus, 0))``). Period ``t``'s liquidations are
    ``slice(offsets[t], offsets[t + 1])``.
    """

    market: NDArray[np.float64]
    path: str
    shocks: NDArray[np.float64]
    moves: NDArray[np.float64]
    count: NDArray[np.intp]
    notional: NDArray[np.float64]
    fees: NDArray[np.float64]
    fund_income: NDArray[np.float64]
    fund_draw: NDArray[np.float64]
    surplus: NDArray[np.float64]
    fill_notional: NDArray[np.float64]
    fee: NDArray[np.float64]
    offsets: NDArray[np.intp]
    fee_rate: float

    def __len__(self) -> int:
        return int(self.shocks.size)

    @property
    def returns(self) -> NDArray[np.float64]:
        """The market's close-to-close move of each period, ``market[t+1] / market[t] - 1``.

        The move that :func:`token_price_path` should follow, so that one price path drives both
        the fees and the token.
        """
        return np.asarray(self.market[1:] / self.market[:-1] - 1, dtype=np.float64)

    def with_fee_rate(self, fee_rate: float) -> FeeFlow:
        """The same liquidations charged another fee rate.

        The cascades do not depend on the fee (it is paid from the margin left, after the fill),
        so a fee flow can be recharged without running them again: the result equals
        :func:`fee_flow` with ``fee_rate``, field for field.

        Parameters
        ----------
        fee_rate : float
            Liquidation fee as a fraction of notional, in [0, 1).

        Returns
        -------
        FeeFlow

        Raises
        ------
        ValueError
            For a negative, non-finite or unit fee rate.

        Examples
        --------
        The three longs of :func:`fee_flow` (maintenance rate 0.5%): at 0.3% no fee is capped; at
        0.6% every fee is the whole margin left.

        >>> pop = Population.from_positions(1, [1, 1, 1], 100, 10)
        >>> from liqlib.engine.book import flat_ladder
        >>> flow = fee_flow(pop, 100, [-0.10], flat_ladder(100), fee_rate=0.003, step=0.001)
        >>> richer = flow.with_fee_rate(0.006)
        >>> round(float(richer.fees[0]), 4), bool(flow.capped.any()), bool(richer.capped.all())
        (1.1593, False, True)
        """
        rate = v.one("fee_rate", v.rate("fee_rate", fee_rate))
        fee = _capped_fee(rate, self.fill_notional, self.surplus)
        return replace(self, fee=fee, fees=_per_period(fee, self.offsets), fee_rate=rate)

    @property
    def capped(self) -> NDArray[np.bool_]:
        """Per liquidation: the fee is the margin left, less than ``fee_rate`` times notional.

        The cap of :func:`fee_flow` binds where a fill leaves less margin than the fee would
        take (a gap or a runaway cascade); a fill at or near the liquidation price with a fee
        rate below the maintenance rate leaves more, and the fee is the full rate.
        """
        return np.asarray(self.fee < self.fee_rate * self.fill_notional, dtype=np.bool_)


_FIELDS = ("side", "size", "entry_price", "leverage", "liquidation", "bankruptcy")


def _subset(population: Population, keep: NDArray[np.intp]) -> Population:
    return Population(*(getattr(population, f)[keep] for f in _FIELDS))


def _rescaled(population: Population, factor: float) -> Population:
    """The same positions reopened at ``factor`` times the prices: sizes and leverage kept."""
    if factor == 1:
        return population
    return Population(population.side, population.size, population.entry_price * factor,
                      population.leverage, population.liquidation * factor,
                      population.bankruptcy * factor)


#: How :func:`fee_flow` carries the market from one period to the next.
PATHS = ("shock", "cascade", "reset")


def _period(
    population: Population, price: float, shock: float, ladder: Ladder, step: float
) -> tuple[float, NDArray[np.float64], NDArray[np.float64], float]:
    """One period: the move walked in sub-steps of at most ``step``, each a cascade.

    Returns the final price, each liquidation's surplus and notional (fill order), and the
    liquidated notional.
    """
    if shock == 0:
        return price, np.zeros(0), np.zeros(0), 0.0
    direction = 1 if shock > 0 else -1
    n_steps = max(1, math.ceil(abs(shock) / step - 1e-12))
    alive = np.arange(len(population))
    part = population  # the positions still open; rebuilt only when a sub-step closes some
    current = price
    surplus: list[NDArray[np.float64]] = []
    notional: list[NDArray[np.float64]] = []
    for j in range(1, n_steps + 1):
        target = price * (1 + shock * j / n_steps)
        if direction * (target - current) <= 0:  # the cascade already carried the price past it
            continue
        result = cascade(part, current, target / current - 1, ladder)
        current = result.price
        index = result.liquidated
        size = part.size[index]
        surplus.append(part.side[index] * (result.fills - part.bankruptcy[index]) * size)
        notional.append(result.fills * size)
        if index.size:
            alive = np.delete(alive, index)
            part = _subset(population, alive)
    s = np.concatenate(surplus) if surplus else np.zeros(0)
    n = np.concatenate(notional) if notional else np.zeros(0)
    return current, s, n, float(n.sum())


def _period_at(
    task: tuple[Population, float, float, float, Ladder, float],
) -> tuple[float, NDArray[np.float64], NDArray[np.float64], float]:
    """One period of :func:`fee_flow` opening at ``open_``: the population reopened there."""
    population, start, open_, shock, ladder, step = task
    return _period(_rescaled(population, open_ / start), open_, shock, ladder, step)


def fee_flow(
    population: Population,
    price: float,
    shocks: ArrayLike,
    ladder: Ladder,
    *,
    fee_rate: float,
    step: float | None = None,
    path: str = "shock",
    executor: Executor | None = None,
) -> FeeFlow:
    """Run every period's shock through the cascade model and collect the liquidation fees.

    One market price path runs through the periods. Period ``t`` opens at ``market[t]`` with
    the whole ``population`` reopened there (the positions ``population`` holds around
    ``price``, every price scaled by ``market[t] / price``, sizes in base units kept: traders
    reopen the same book of positions at the day's price) and a fresh ``ladder``. The period's
    move is walked from the open to ``open * (1 + shock)`` in equal sub-steps of at most
    ``step``, each a :func:`~liqlib.systemic.cascades.cascade` of the positions still open,
    starting where the previous one stopped, with the book refilled between sub-steps; a sub-step
    target the cascade has already passed is skipped. ``step=None`` applies the whole shock at
    once, a gap through every liquidation price it crosses, which leaves most of them past their
    bankruptcy price.

    ``path`` says where the next period opens:

    * ``"shock"`` (default): at ``open * (1 + shock)``. The exogenous moves make the path; the
      cascade's own overshoot is intraday and reverts as the book refills (the same refilling
      the sub-steps assume). Fees and a token that follows :attr:`FeeFlow.returns` then see one
      path;
    * ``"cascade"``: where the period's cascades stopped, the overshoot permanent. Liquidations
      amplify falls more than rises (more longs than shorts, and a runaway only one way), so this
      path drifts down;
    * ``"reset"``: every period opens at ``price``; periods differ only by their shocks.

    A liquidation of notional ``N`` whose fill leaves ``surplus`` above its bankruptcy price pays
    the fee ``min(fee_rate * N, max(surplus, 0))``: with a fee rate below the maintenance rate
    the cap binds only where the fill is well past the liquidation price
    (:attr:`FeeFlow.capped`).

    Parameters
    ----------
    population : Population
        Leveraged positions around ``price`` (see
        :func:`~liqlib.systemic.cascades.generate_population`).
    price : float
        Price (> 0) at the open of the first period, the price ``population`` was built at.
    shocks : array
        Exogenous move of each period, fractions in (-1, 1); 0 is a period without a move.
    ladder : Ladder
        The book side liquidations take, fresh each sub-step.
    fee_rate : float
        Liquidation fee as a fraction of notional, in [0, 1).
    step : float, optional
        Largest sub-step (> 0) as a fraction of price; ``None`` for one cascade per period.
    path : {"shock", "cascade", "reset"}
        How the market carries from one period to the next (above).
    executor : concurrent.futures.Executor, optional
        Runs the periods (:func:`liqlib.sweep.sweep`): ``None`` (the default) serially, or a
        process pool or Dask's ``Client.get_executor()``. With ``path="shock"`` or ``"reset"``
        every period's open is known before any runs, so the periods run independently and the
        flow is the same on any executor; with ``"cascade"`` each period opens where the last one
        stopped, so they run one after another here whatever the executor.

    Returns
    -------
    FeeFlow

    Raises
    ------
    ValueError
        For a shock outside (-1, 1), a negative or non-finite fee rate, a non-positive step, an
        unknown path; with ``path="cascade"``, for a ``ladder`` so thin that a period's cascades
        take the price to 0 (with ``"shock"`` or ``"reset"`` such a period is a move of -100%
        and the next opens on the exogenous path).

    Examples
    --------
    Three longs at 100 with 10x (liquidation price 90.45, bankruptcy price 90) and a book of 100
    units per 1%. A fall to 90 walked in steps of 0.1% liquidates them near their liquidation
    price, and each pays the full 0.3% fee out of the margin it has left; the same fall as one gap
    fills them below 90, past bankruptcy: no fee, and a draw on the fund.

    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, 10)
    >>> walked = fee_flow(pop, 100, [-0.10], flat_ladder(100), fee_rate=0.003, step=0.001)
    >>> int(walked.count[0]), round(float(walked.fees[0]), 4), float(walked.fund_draw[0])
    (3, 0.8135, 0.0)
    >>> gap = fee_flow(pop, 100, [-0.10], flat_ladder(100), fee_rate=0.003)
    >>> float(gap.fees[0]), round(float(gap.fund_draw[0]), 4)
    (0.0, 0.0405)

    The market path: the second period opens at 95, where the first shock took it, with the
    positions reopened there (liquidation price 85.93), so its own 10% fall liquidates them and
    their fees are 95% of the first example's:

    >>> two = fee_flow(pop, 100, [-0.05, -0.10], flat_ladder(100), fee_rate=0.003, step=0.001)
    >>> two.market.round(6).tolist(), two.count.tolist(), round(float(two.fees[1]), 4)
    ([100.0, 95.0, 85.5], [0, 3], 0.7728)
    """
    v.instance("population", population, Population, "a Population")
    check_ladder("ladder", ladder)
    start = v.number("price", price, "pos")
    moves = v.as_float("shocks", shocks).reshape(-1)
    bad = (moves <= -1) | (moves >= 1)
    if bad.any():
        raise ValueError(f"shocks must be fractions in (-1, 1), got {moves[bad][0]!r}")
    rate = v.one("fee_rate", v.rate("fee_rate", fee_rate))
    sub_step = math.inf if step is None else v.number("step", step, "pos")
    carry = v.choice("path", path, PATHS)
    market = [start]
    if carry == "cascade":  # each open is where the previous period's cascades stopped
        periods = []
        for t, shock in enumerate(moves.tolist()):
            periods.append(_period_at((population, start, market[-1], shock, ladder, sub_step)))
            if not periods[-1][0] > 0:  # a market at 0 has no next open (and no return)
                raise ValueError(
                    f"ladder is too thin for path='cascade': period {t}'s cascades ran through "
                    f"its whole depth and took the price to {periods[-1][0]!r}, where no period "
                    "can open; use a deeper ladder, or path='shock', where the overshoot reverts"
                )
            market.append(periods[-1][0])
    else:  # the opens are exogenous: every period can run at once
        for shock in moves.tolist():
            market.append(market[-1] * (1 + shock) if carry == "shock" else start)
        tasks = [(population, start, open_, shock, ladder, sub_step)
                 for open_, shock in zip(market, moves.tolist(), strict=False)]
        periods = sweep(_period_at, tasks, executor=executor)
    finals, surpluses, notionals, per_notional, counts = [], [], [], [], []
    for open_, (final, surplus, notional, total) in zip(market, periods, strict=False):
        finals.append(final / open_ - 1)
        surpluses.append(surplus)
        notionals.append(notional)
        per_notional.append(total)
        counts.append(surplus.size)
    surplus_all = np.concatenate(surpluses) if surpluses else np.zeros(0)
    notional_all = np.concatenate(notionals) if notionals else np.zeros(0)
    fee = _capped_fee(rate, notional_all, surplus_all)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)
    return FeeFlow(
        market=np.asarray(market, dtype=float),
        path=carry,
        shocks=moves,
        moves=np.asarray(finals, dtype=float),
        count=np.asarray(counts, dtype=np.intp),
        notional=np.asarray(per_notional, dtype=float),
        fees=_per_period(fee, offsets),
        fund_income=_per_period(np.maximum(surplus_all, 0.0), offsets),
        fund_draw=_per_period(np.maximum(-surplus_all, 0.0), offsets),
        surplus=surplus_all,
        fill_notional=notional_all,
        fee=fee,
        offsets=offsets,
        fee_rate=rate,
    )


def _capped_fee(rate: float, notional: NDArray[np.float64], surplus: NDArray[np.float64]
                ) -> NDArray[np.float64]:
    """``min(rate * N, max(surplus, 0))``: the fee a liquidation can pay from its margin left.

    Never negative: a book run through to price 0 can leave a fill a rounding error below 0
    (``-5e-12``), and with it a notional below 0.
    """
    fee = np.minimum(rate * notional, np.maximum(surplus, 0.0))
    return np.asarray(np.maximum(fee, 0.0), dtype=np.float64)


def _per_period(x: NDArray[np.float64], offsets: NDArray[np.intp]) -> NDArray[np.float64]:
    """Sums of a per-liquidation array over each period's slice."""
    sums = np.concatenate([[0.0], np.cumsum(x)])
    return np.asarray(np.diff(sums[offsets]), dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Supply and fund over the periods


@dataclass(frozen=True)
class BurnRun:
    """Supply, fund and ADL over the periods of a :class:`FeeFlow` for one burn share.

    Arrays of length ``T`` are per period; ``supply`` and ``fund`` have ``T + 1`` entries, the
    value before the first period and after each. Quote-currency amounts are in the fee's
    currency; ``tokens_burned`` and ``supply`` are in tokens.

    Attributes
    ----------
    burn_share : float
    fees : ndarray
        Liquidation fees of each period.
    budget : ndarray
        ``burn_share * fees``: the fees sent to the buyback.
    spent : ndarray
        Quote paid for tokens (``<= budget``; less only when the token's book ran out).
    tokens_burned : ndarray
    token_price : ndarray
        Token price at each period's buyback.
    supply : ndarray
    fund : ndarray
        Insurance fund balance (>= 0).
    adl_loss : ndarray
        Losses the fund could not pay, passed to auto-deleveraging.
    adl_count : ndarray of int
        Liquidations whose loss was (at least partly) passed to ADL.
    """

    burn_share: float
    fees: NDArray[np.float64]
    budget: NDArray[np.float64]
    spent: NDArray[np.float64]
    tokens_burned: NDArray[np.float64]
    token_price: NDArray[np.float64]
    supply: NDArray[np.float64]
    fund: NDArray[np.float64]
    adl_loss: NDArray[np.float64]
    adl_count: NDArray[np.intp]

    @property
    def adl_frequency(self) -> float:
        """Share of periods with some ADL."""
        return float(np.mean(self.adl_loss > 0)) if self.adl_loss.size else 0.0

    @property
    def adl_volume(self) -> float:
        """Total losses passed to ADL over all periods."""
        return float(self.adl_loss.sum())

    @property
    def burned_fraction(self) -> float:
        """Share of the initial supply burned over all periods."""
        return float(1 - self.supply[-1] / self.supply[0])


def fund_path(
    flow: FeeFlow, burn_share: float, fund: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """The insurance fund through every liquidation when ``burn_share`` of each fee is burned.

    Liquidation ``k`` (fill order, all periods) changes the fund by
    ``x_k = surplus_k - burn_share * fee_k``: its margin left, less the burned part of its fee,
    or minus its loss beyond bankruptcy. The fund cannot go below zero; what it cannot pay is
    passed to ADL. With ``F_0 = fund`` and ``S_k = x_1 + ... + x_k``, the cumulative ADL is
    ``D_k = max(0, max_{j <= k} -(F_0 + S_j))`` and the fund ``F_k = F_0 + S_k + D_k`` (a walk
    reflected at zero), as in :func:`liqlib.systemic.cascades.cascade` with ``burn_share = 0``.

    Returns
    -------
    fund : ndarray
        Fund after each period, ``T + 1`` entries starting with ``fund``.
    adl_loss : ndarray
        ADL of each period.
    adl_count : ndarray of int
        Liquidations passed (partly) to ADL in each period.
    """
    b = _share("burn_share", burn_share)
    f0 = v.number("fund", fund, "nonneg")
    x = flow.surplus - b * flow.fee
    level = np.concatenate([[0.0], np.cumsum(x)])
    adl = np.maximum.accumulate(np.maximum(-(f0 + level), 0.0))
    at = flow.offsets
    funds = f0 + level[at] + adl[at]
    hit = np.concatenate([[0], np.cumsum(np.diff(adl) > 0)])
    return funds, np.diff(adl[at]), np.diff(hit[at]).astype(np.intp)


def largest_safe_share(flow: FeeFlow, fund: float = 0.0, tol: float = 1e-3) -> float:
    """The largest burn share whose fund passes nothing to ADL over ``flow``, to within ``tol``.

    Burning more leaves the fund less at every liquidation (each step of :func:`fund_path` falls
    by ``burn_share * fee``, fees >= 0), so the ADL volume never falls as the share grows and the
    shares that pass nothing to ADL form an interval ``[0, b*]``. A bisection on that volume,
    measured by :func:`fund_path` itself, returns a share within ``tol`` below ``b*`` (never above
    it: the returned share is always safe).

    Parameters
    ----------
    flow : FeeFlow
        The liquidations and their fees (:func:`fee_flow`).
    fund : float
        Insurance fund before the first liquidation (>= 0), quote currency.
    tol : float
        Width of the final bracket, in (0, 1).

    Returns
    -------
    float
        1.0 when burning every fee is safe; otherwise a share in ``[0, 1)`` at most ``tol`` below
        ``b*``; NaN when even burning nothing passes a loss to ADL (the fund cannot cover a
        deficit whatever the burn).

    Raises
    ------
    TypeError
        For a ``flow`` that is not a :class:`FeeFlow`.
    ValueError
        For a negative fund or ``tol`` outside (0, 1).

    Examples
    --------
    Three longs at 5x: a fall of 10% liquidates none, the next of 55% all three, walked in steps of
    2% into a book of 5 units per 1%. The first two leave margin and pay fees, the last draws
    0.04 on the fund: burning every fee would leave nothing to pay it, burning up to about 97.6%
    of them leaves enough (``b* = (0.2491 + 0.1045 - 0.0402) / (0.2167 + 0.1045)``).

    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, 5)
    >>> flow = fee_flow(pop, 100, [-0.10, -0.55], flat_ladder(5), fee_rate=0.003, step=0.02)
    >>> flow.surplus.round(4).tolist(), flow.fee.round(4).tolist()
    ([0.2491, 0.1045, -0.0402], [0.2167, 0.1045, 0.0])
    >>> share = largest_safe_share(flow)
    >>> round(share, 3), float(fund_path(flow, share)[1].sum())
    (0.976, 0.0)
    >>> largest_safe_share(flow, fund=0.1)
    1.0
    """
    v.instance("flow", flow, FeeFlow, "a FeeFlow")
    f0 = v.number("fund", fund, "nonneg")
    width = v.number("tol", tol, "pos")
    if not width < 1:
        raise ValueError(f"tol must be in (0, 1), got {tol!r}")

    def safe(share: float) -> bool:
        return bool(fund_path(flow, share, f0)[1].sum() == 0)

    if safe(1.0):
        return 1.0
    if not safe(0.0):
        return math.nan
    lo, hi = 0.0, 1.0
    while hi - lo > width:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if safe(mid) else (lo, mid)
    return lo


def run_burns(
    flow: FeeFlow,
    burn_share: float,
    *,
    supply: float,
    token_price: ArrayLike,
    fund: float = 0.0,
    ladder: Ladder | None = None,
) -> BurnRun:
    """Burn ``burn_share`` of every period's liquidation fees; track supply, fund and ADL.

    Each period's burned fees, ``b * fees[t]``, buy tokens at the period's token price
    (:func:`buyback`, through ``ladder`` if given; the token's book refills between periods)
    and the supply falls by what they bought:

    ``S[t+1] = S[t] - Q_t``, ``Q_t = buyback(b * fees[t], P_t).tokens``.

    The rest of each fee, and the rest of each liquidated position's margin, stays with the
    fund (:func:`fund_path`).

    Parameters
    ----------
    flow : FeeFlow
        From :func:`fee_flow`.
    burn_share : float
        Share of the fees burned, in [0, 1].
    supply : float
        Token supply before the first period (> 0).
    token_price : float or array
        Token price at each period's buyback (> 0): one value, or one per period (see
        :func:`token_price_path`).
    fund : float
        Insurance fund before the first period (>= 0).
    ladder : Ladder, optional
        The token's ask side for the buybacks; ``None`` buys without impact.

    Returns
    -------
    BurnRun

    Raises
    ------
    ValueError
        For a burn share outside [0, 1], a non-positive supply or token price, a negative fund,
        a token-price array of the wrong length, or burns that would take more tokens than the
        supply holds.

    Examples
    --------
    >>> from liqlib.engine.book import flat_ladder
    >>> pop = Population.from_positions(1, [1, 1, 1], 100, 10)
    >>> flow = fee_flow(pop, 100, [-0.10], flat_ladder(100), fee_rate=0.003, step=0.001)
    >>> run = run_burns(flow, 0.5, supply=1_000, token_price=2.0)
    >>> round(float(run.budget[0]), 5), round(float(run.tokens_burned[0]), 5)
    (0.40674, 0.20337)
    >>> round(float(run.fund[-1]), 5), run.adl_volume
    (0.75258, 0.0)
    """
    b = _share("burn_share", burn_share)
    s0 = v.number("supply", supply, "pos")
    periods = len(flow)
    prices = v.positive("token_price", token_price)
    if prices.ndim == 0:
        prices = np.full(periods, float(prices))
    elif prices.shape != (periods,):
        raise ValueError(
            f"token_price must be one price or one per period ({periods}), got shape "
            f"{prices.shape}"
        )
    funds, adl_loss, adl_count = fund_path(flow, b, fund)
    budget = b * flow.fees
    bought = buyback(budget, prices, ladder)
    tokens = np.asarray(bought.tokens, dtype=float).reshape(-1)
    supply_path = s0 - np.concatenate([[0.0], np.cumsum(tokens)])
    if np.any(supply_path < 0):
        first = int(np.flatnonzero(supply_path < 0)[0]) - 1
        raise ValueError(
            f"supply={s0!r} is exhausted by the burns in period {first}; the fee flow buys more "
            "tokens than exist at these token prices"
        )
    return BurnRun(
        burn_share=b,
        fees=flow.fees,
        budget=budget,
        spent=np.asarray(bought.spent, dtype=float).reshape(-1),
        tokens_burned=tokens,
        token_price=prices.astype(float),
        supply=supply_path,
        fund=funds,
        adl_loss=adl_loss,
        adl_count=adl_count,
    )


def token_price_path(moves: ArrayLike, price: float, beta: float = 1.0) -> NDArray[np.float64]:
    """A token price that moves ``beta`` times the market: ``P_t = P_{t-1} (1 + beta m_t)``.

    Parameters
    ----------
    moves : array
        The market's move in each period: :attr:`FeeFlow.returns`, so that the token follows
        the same price path as the fees.
    price : float
        Token price before the first period (> 0).
    beta : float
        Sensitivity of the token to the market (>= 0).

    Returns
    -------
    ndarray
        The token price after each period's move: the price its buyback pays.

    Examples
    --------
    >>> token_price_path([-0.1, 0.05], 10.0, beta=2).round(6).tolist()
    [8.0, 8.8]
    """
    m = v.as_float("moves", moves).reshape(-1)
    p0 = v.number("price", price, "pos")
    k = v.number("beta", beta, "nonneg")
    factor = 1 + k * m
    if np.any(factor <= 0):
        raise ValueError(
            f"beta * moves must stay above -1 (a token price cannot fall to zero), got beta={k!r} "
            f"and a move of {m[factor <= 0][0]!r}"
        )
    return np.asarray(p0 * np.cumprod(factor), dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Protocol burn rules


def eip1559_base_fee(
    parent_base_fee: int,
    gas_used: int,
    gas_limit: int,
    *,
    elasticity: int = EIP1559_ELASTICITY,
    denominator: int = EIP1559_DENOMINATOR,
) -> int:
    """The next block's base fee (wei per gas) under EIP-1559, in exact integer arithmetic.

    With the gas target ``T = gas_limit // elasticity`` and the parent's ``b``, ``u`` gas used:

    * ``u == T``: the base fee stays ``b``;
    * ``u > T``: it rises by ``max(b * (u - T) // T // denominator, 1)``;
    * ``u < T``: it falls by ``b * (T - u) // T // denominator``.

    So ``b' ~ b * (1 + (u - T) / (denominator * T))``: at most 1/8 up or down a block.

    Parameters
    ----------
    parent_base_fee : int
        The parent block's base fee (>= 0), wei per gas.
    gas_used, gas_limit : int
        The parent block's gas used (``0 <= gas_used <= gas_limit``) and limit.
    elasticity, denominator : int
        EIP-1559's ``ELASTICITY_MULTIPLIER`` (2) and ``BASE_FEE_MAX_CHANGE_DENOMINATOR`` (8).

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For non-integers, a negative base fee, gas used outside ``[0, gas_limit]``, or a gas
        limit below ``elasticity`` (no gas target).

    References
    ----------
    EIP-1559, ``validate_block``; go-ethereum's ``TestCalcBaseFee`` (module references).

    Examples
    --------
    go-ethereum's test vectors, from 1 gwei with a 20,000,000 gas limit:

    >>> [eip1559_base_fee(10**9, used, 20_000_000)
    ...  for used in (10_000_000, 9_000_000, 11_000_000, 20_000_000, 0)]
    [1000000000, 987500000, 1012500000, 1125000000, 875000000]
    """
    mult = v.integer("elasticity", elasticity, low=1)
    denom = v.integer("denominator", denominator, low=1)
    limit = v.integer("gas_limit", gas_limit, low=mult)
    base = v.integer("parent_base_fee", parent_base_fee, low=0)
    used = v.integer("gas_used", gas_used, low=0, high=limit)
    target = limit // mult
    if used == target:
        return base
    if used > target:
        return base + max(base * (used - target) // target // denom, 1)
    return base - base * (target - used) // target // denom


@dataclass(frozen=True)
class BaseFeePath:
    """Base fees and burns of a run of blocks under EIP-1559 (exact integers, wei).

    ``base_fee[i]`` is block ``i``'s base fee (``len(gas_used) + 1`` entries, the last for the
    block after the run); ``burned[i] = base_fee[i] * gas_used[i]``.
    """

    base_fee: tuple[int, ...]
    burned: tuple[int, ...]

    @property
    def total_burned(self) -> int:
        return sum(self.burned)


def eip1559_path(
    initial_base_fee: int, gas_used: Sequence[int], gas_limit: int
) -> BaseFeePath:
    """Chain :func:`eip1559_base_fee` over blocks with a fixed gas limit and record the burns.

    Examples
    --------
    Five full blocks from 1 gwei raise the base fee by 1/8 each; five empty ones would lower it:

    >>> path = eip1559_path(10**9, [30_000_000] * 5, 30_000_000)
    >>> path.base_fee[-1], round(path.base_fee[-1] / 10**9, 4)
    (1802032470, 1.802)
    """
    fees = [v.integer("initial_base_fee", initial_base_fee, low=0)]
    burned = []
    for used in gas_used:
        burned.append(fees[-1] * v.integer("gas_used", used, low=0))
        fees.append(eip1559_base_fee(fees[-1], used, gas_limit))
    return BaseFeePath(tuple(fees), tuple(burned))


def bnb_auto_burn(blocks: ArrayLike, price: ArrayLike, k: ArrayLike = 1_000.0) -> Any:
    """BNB Auto-Burn: ``B = N * 1000 / (P + K)`` BNB burned for a quarter.

    Parameters
    ----------
    blocks : float or array
        ``N``, BNB Smart Chain blocks produced in the quarter (>= 0).
    price : float or array
        ``P``, the quarter's average BNB price in USD (> 0).
    k : float or array
        ``K``, the price anchor (> 0), initially 1,000.

    Returns
    -------
    float or ndarray
        BNB to burn. (The announcement halts the burn once fewer than 100 million BNB
        circulate; that stop is the caller's.)

    References
    ----------
    Binance, "Introducing BNB Auto-Burn" (2021-12-22), module reference [3]_.

    Examples
    --------
    With the announcement's own estimate of 2,592,000 blocks a quarter (3-second blocks, 90
    days), at 500 USD a BNB:

    >>> bnb_auto_burn(2_592_000, 500)
    1728000.0
    """
    n = v.nonnegative("blocks", blocks)
    p = v.positive("price", price)
    anchor = v.positive("k", k)
    return v.scalar_or_array(n * 1_000 / (p + anchor))
