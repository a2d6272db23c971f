"""The gamma feedback loop: a liquidation engine that inherits short options must hedge them.

An option seller is **short gamma**: as the underlying falls, a short put's delta (its exposure
to the underlying) grows. While the seller is solvent that is the seller's problem. Once the
account breaches maintenance margin the venue's liquidation engine takes the options over, and an
engine that does not want to bet the insurance fund on the direction of the market **hedges their
delta in the underlying**: it sells as the price falls and buys as it rises, which is exactly the
trading that moves a price further the way it is already going. The sales move the price through
the book (:mod:`liqlib.engine.book`), more sellers breach, the engine inherits more gamma, and so
on.

The model here, on top of :mod:`liqlib.systemic.cascades` and :mod:`liqlib.engine.book`:

* :class:`OptionAccounts`: accounts that sold European options (short puts, calls or straddles)
  on one underlying, coin-settled as on Deribit, with coin collateral. Their maintenance margin
  is Deribit's standard short-option rule or the portfolio-margin scenario grid
  (:mod:`liqlib.venues.deribit`); :func:`account_margin` evaluates either, vectorized over every
  account (the grid is checked against :func:`liqlib.venues.deribit.portfolio_margin` in the
  tests).
* :func:`gamma_cascade`: a shock moves the price; each step the engine takes over the accounts
  in breach, re-hedges its whole option book to delta-neutral (or a fraction of the gap, for a
  slower hedger), liquidates crossed futures positions (a
  :class:`liqlib.systemic.cascades.Population`) as :func:`liqlib.systemic.cascades.simulate` does,
  and sends the orders into a
  :class:`~liqlib.engine.book.ResilientBook` that may refill between steps. With a book that does
  not refill and instant hedging the steps converge to the fixed point of "price → breaches → hedge
  → price", and with no options at all the run is the futures cascade
  (:func:`liqlib.systemic.cascades.cascade`).
* :func:`feedback_multiplier`: the small-move closed form. An engine (or a dealer) short ``N``
  options of gamma ``Γ``, delta-hedged, trades ``N Γ dS`` in the direction of a move ``dS``; with
  a price impact of ``λ`` (price fraction per unit traded) that trade adds ``λ S N Γ dS`` to the
  move, so ``dS_total = dS + λ S N Γ dS_total`` and

      dS_total / dS = 1 / (1 - λ N Γ S),

  which explodes as ``λ N Γ S → 1``. A flat ladder with depth ``K`` per 1% has ``λ = 0.01 / K``.

Units: prices in USD per coin; option sizes in contracts of one coin (the underlying units the
hedge trades); collateral, equity and margin in coin, as Deribit's BTC and ETH options. The hedge
is the Black-76 delta of the options' USD value (underlying units), so a delta-neutral engine
holds ``-delta`` of the underlying. Implied volatility is held fixed during the cascade.

References
----------
.. [1] Hull, J. C., *Options, Futures, and Other Derivatives*, 9th ed., Pearson (2015), ch. 19
   (delta hedging; the P&L of a delta-hedged position over a small move is ``Γ dS² / 2``).
.. [2] Deribit, legacy "Auto liquidation" page (deribit.com/docs/auto-liquidation): "The system
   would first liquidate future positions and after that liquidate any option positions ...
   striving for a 'delta neutral' position"; current "Liquidations" page (support.deribit.com,
   article 25944769313309): incremental, "1 round per second".
.. [3] Frey, R., Stremme, A. (1997). Market volatility and feedback effects from dynamic hedging.
   *Mathematical Finance* 7(4), 351-374 (a pointer: the feedback of hedging on prices; not
   checked against this model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..core.liquidation import bracketed_root
from ..engine.book import BUY, SELL, Ladder, ResilientBook, check_ladder
from ..prices.options import black76_greeks, black76_price, black76_vol_greeks, option_sign
from ..systemic.cascades import Population
from ..venues.deribit import (
    LEGACY_PM,
    MARK_READINGS,
    PM_INITIAL_FACTOR,
    PortfolioMarginParameters,
    iv_shock,
    price_moves,
    standard_option_requirement,
)

FloatArray = NDArray[np.float64]

#: Margin rules :func:`account_margin` knows.
RULES = ("standard", "portfolio")
#: Strategies the generator draws: one short put, one short call, a short straddle (both, one
#: strike).
STRATEGIES = ("put", "call", "straddle")
#: Which queue the engine serves first when its order budget per step is limited.
PRIORITIES = ("options", "futures")


@dataclass(frozen=True)
class OptionAccounts:
    """Accounts holding short European options on one underlying (coin-settled, coin collateral).

    One row per option *leg*; ``account`` says whose it is. Legs are sorted by account and every
    account has at least one.

    Attributes
    ----------
    account : ndarray of int
        Account index of each leg, ``0 .. n_accounts - 1``, non-decreasing.
    kind : ndarray of str
        ``"call"`` or ``"put"``.
    strike : ndarray
        USD (> 0).
    expiry : ndarray
        Years to expiry (> 0).
    size : ndarray
        Contracts sold (> 0), each on one coin.
    vol : ndarray
        Implied volatility of the mark (> 0), held fixed.
    collateral : ndarray
        Coin collateral of each account (>= 0).
    """

    account: NDArray[np.intp]
    kind: NDArray[np.str_]
    strike: FloatArray
    expiry: FloatArray
    size: FloatArray
    vol: FloatArray
    collateral: FloatArray

    def __post_init__(self) -> None:
        acct = np.asarray(self.account).reshape(-1)
        if acct.size == 0:
            raise ValueError("account must hold at least one leg, got none")
        if acct.dtype.kind not in "iu":
            raise v.ArgumentTypeError(
                f"account must hold integer account indices, got dtype {acct.dtype}")
        legs = acct.size
        arrays = {
            "strike": v.positive("strike", self.strike),
            "expiry": v.positive("expiry", self.expiry),
            "size": v.positive("size", self.size),
            "vol": v.positive("vol", self.vol),
        }
        for name, arr in arrays.items():
            if arr.size != legs:
                raise ValueError(f"{name} must have one entry per leg ({legs}), got {arr.size}")
        kind = np.asarray(self.kind).reshape(-1)
        if kind.size != legs:
            raise ValueError(f"kind must have one entry per leg ({legs}), got {kind.size}")
        option_sign(kind)  # validates call/put
        collateral = v.nonnegative("collateral", self.collateral).reshape(-1)
        if acct[0] != 0 or np.any(np.diff(acct) < 0) or np.any(np.diff(acct) > 1):
            raise ValueError("account must run 0, 1, 2, ... non-decreasing, every account used")
        if collateral.size != acct[-1] + 1:
            raise ValueError(
                f"collateral must have one entry per account ({acct[-1] + 1}), got "
                f"{collateral.size}"
            )
        object.__setattr__(self, "account", acct.astype(np.intp))
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "collateral", collateral)
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr.reshape(-1))

    @property
    def n_accounts(self) -> int:
        """Number of accounts."""
        return int(self.collateral.size)

    @property
    def open_interest(self) -> float:
        """Contracts sold in total (coins of underlying)."""
        return float(self.size.sum())

    def scaled(self, factor: float) -> OptionAccounts:
        """The same accounts with every size and every collateral times ``factor`` (> 0)."""
        f = v.number("factor", factor, "pos")
        return replace(self, size=self.size * f, collateral=self.collateral * f)

    def _greeks(self, price: float, mask: NDArray[np.bool_], vol_shift: Any) -> Any:
        vol = self.vol[mask] + np.broadcast_to(np.asarray(vol_shift, float), self.vol.shape)[mask]
        return black76_greeks(price, self.strike[mask], self.expiry[mask], 0.0, vol,
                              self.kind[mask])

    def delta(self, price: float, legs: NDArray[np.bool_] | None = None, *,
              vol_shift: ArrayLike = 0.0, premium_adjusted: bool = False) -> float:
        """Delta of the short options (underlying units): ``-sum(size * Black-76 delta)``.

        ``legs`` selects legs (all by default); ``vol_shift`` is added to each leg's volatility
        (a number or one per leg). A short put has positive delta (it gains when the price
        rises), so a delta-neutral holder of it is short ``delta`` of the underlying.
        ``premium_adjusted=True`` gives the delta of the options' *coin* value times the price,
        ``-sum(size * (Delta - V/F))``: what a holder who counts in coin must hedge.
        """
        mask = np.ones(self.size.size, bool) if legs is None else legs
        if not mask.any():
            return 0.0
        g = self._greeks(price, mask, vol_shift)
        d = np.asarray(g.delta) - (np.asarray(g.price) / price if premium_adjusted else 0.0)
        return float(-(self.size[mask] * d).sum())

    def gamma(self, price: float, legs: NDArray[np.bool_] | None = None, *,
              vol_shift: ArrayLike = 0.0, premium_adjusted: bool = False) -> float:
        """Gamma of the short options (underlying units per USD): ``-sum(size * gamma)``.

        ``premium_adjusted=True`` gives the derivative of the premium-adjusted delta instead,
        ``-sum(size * (Gamma - Delta/F + V/F^2))``: the gamma a coin-value hedger trades, which
        :func:`feedback_multiplier` takes for that hedge.
        """
        mask = np.ones(self.size.size, bool) if legs is None else legs
        if not mask.any():
            return 0.0
        g = self._greeks(price, mask, vol_shift)
        gam = np.asarray(g.gamma)
        if premium_adjusted:
            gam = gam - np.asarray(g.delta) / price + np.asarray(g.price) / price**2
        return float(-(self.size[mask] * gam).sum())

    def coin_value(self, price: float, legs: NDArray[np.bool_] | None = None, *,
                   vol_shift: ArrayLike = 0.0) -> float:
        """What the selected options are worth in coin (Black-76, inverse), summed."""
        mask = np.ones(self.size.size, bool) if legs is None else legs
        if not mask.any():
            return 0.0
        vol = self.vol[mask] + np.broadcast_to(np.asarray(vol_shift, float), self.vol.shape)[mask]
        v_ = black76_price(price, self.strike[mask], self.expiry[mask], 0.0, vol,
                           self.kind[mask], settlement="inverse")
        return float((self.size[mask] * np.asarray(v_)).sum())


#: Spot-vol rules :class:`SpotVolRule` knows.
SPOT_VOL_RULES = ("sticky_strike", "steepening")
#: What the engine keeps delta-neutral: its coin value (premium-adjusted delta, the collateral
#: already coin) or its USD value (the coin collateral it took over counted as a long).
HEDGE_NUMERAIRES = ("coin", "usd")
#: Who ends up holding the liquidated options: the engine (takes them over and hedges) or the
#: market makers it buys them back from (Deribit's practice).
HOLDERS = ("market_makers", "engine")


@dataclass(frozen=True)
class SpotVolRule:
    """How implied volatility moves with the underlying during a stress.

    ``"sticky_strike"``: each option keeps its volatility (the engine's old assumption).
    ``"steepening"``: as the price falls from ``reference`` to ``P``, with
    ``fall = max(0, ln(reference / P))``, each leg's volatility rises by

        beta * fall * (1 + skew * max(0, ln(reference / K))),

    so a crash raises volatility (``beta`` vol points per unit of log fall, e.g. 1.0: a 10%
    fall adds about 10.5 points at the money) and more so for low strikes (``skew``): the put
    skew steepens. A rise leaves volatility alone. A teaching rule, named so the chapter can vary
    it; not a venue's.

    Examples
    --------
    >>> rule = SpotVolRule("steepening", beta=1.0, skew=2.0)
    >>> rule.shift(45_000, 50_000, np.array([40_000.0, 50_000.0, 60_000.0])).round(4).tolist()
    [0.1525, 0.1054, 0.1054]
    >>> SpotVolRule().shift(45_000, 50_000, 40_000.0)
    0.0
    """

    name: str = "sticky_strike"
    beta: float = 0.0
    skew: float = 0.0

    def __post_init__(self) -> None:
        v.choice("name", self.name, SPOT_VOL_RULES)
        v.nonnegative("beta", self.beta)
        v.nonnegative("skew", self.skew)

    def shift(self, price: float, reference: float, strike: ArrayLike) -> Any:
        """Volatility added to each strike's at ``price`` (reference: the pre-shock price)."""
        k = v.positive("strike", strike)
        if self.name == "sticky_strike":
            return v.scalar_or_array(np.zeros_like(k))
        fall = max(0.0, math.log(float(reference) / float(price)))
        wing = 1.0 + self.skew * np.maximum(0.0, np.log(float(reference) / k))
        return v.scalar_or_array(self.beta * fall * wing)


@dataclass(frozen=True)
class StressPnL:
    """A short option book's P&L over a move, split along the Taylor expansion (USD, Black-76).

    ``delta + gamma + vega + vanna + volga + residual == total``: ``delta = -N Delta dF``,
    ``gamma = -N Gamma dF^2 / 2``, ``vega = -N vega dsigma``, ``vanna = -N vanna dF dsigma``,
    ``volga = -N volga dsigma^2 / 2`` (signed for the seller), ``residual`` the higher orders.
    """

    delta: float
    gamma: float
    vega: float
    vanna: float
    volga: float
    residual: float
    total: float


def stress_pnl(accounts: OptionAccounts, price: float, new_price: float,
               vol_shift: ArrayLike = 0.0) -> StressPnL:
    """The sellers' P&L when the underlying moves to ``new_price`` and vols by ``vol_shift``.

    Parameters
    ----------
    accounts : OptionAccounts
    price, new_price : float
        Underlying before and after (> 0), USD.
    vol_shift : float or array
        Change of each leg's volatility (e.g. :meth:`SpotVolRule.shift`).

    Returns
    -------
    StressPnL
        In USD, for the sellers (a loss is negative).

    Examples
    --------
    A short 30-day 50,000 put on 60,000 (out of the money), a 10% fall with volatility up 10
    points: the gamma, vega and vanna parts are all losses (vanna because the put's vega grows
    as the price falls toward its strike):

    >>> acc = OptionAccounts(np.array([0]), np.array(["put"]), np.array([50_000.0]),
    ...                      np.array([30 / 365]), np.array([1.0]), np.array([0.6]),
    ...                      np.array([0.0]))
    >>> p = stress_pnl(acc, 60_000, 54_000, 0.10)
    >>> p.gamma < 0, p.vega < 0, p.vanna < 0
    (True, True, True)
    >>> abs(p.delta + p.gamma + p.vega + p.vanna + p.volga + p.residual - p.total) < 1e-9
    True
    """
    s0 = v.number("price", price, "pos")
    s1 = v.number("new_price", new_price, "pos")
    v.instance("accounts", accounts, OptionAccounts, "an OptionAccounts")
    shift = _per_leg("vol_shift", vol_shift, accounts)
    k, t, q, kind, vol = (accounts.strike, accounts.expiry, accounts.size, accounts.kind,
                          accounts.vol)
    g = black76_greeks(s0, k, t, 0.0, vol, kind)
    vg = black76_vol_greeks(s0, k, t, 0.0, vol, kind)
    new = black76_price(s1, k, t, 0.0, np.maximum(vol + shift, 1e-6), kind)
    ds = s1 - s0
    parts = {
        "delta": np.asarray(g.delta) * ds,
        "gamma": 0.5 * np.asarray(g.gamma) * ds * ds,
        "vega": np.asarray(g.vega) * shift,
        "vanna": np.asarray(vg.vanna) * ds * shift,
        "volga": 0.5 * np.asarray(vg.volga) * shift * shift,
    }
    out = {name: float(-(q * x).sum()) for name, x in parts.items()}
    total = float(-(q * (np.asarray(new) - np.asarray(g.price))).sum())
    return StressPnL(**out, residual=total - sum(out.values()), total=total)


def _by_account(account: NDArray[np.intp], values: Any, minlength: int) -> FloatArray:
    """Sum ``values`` per account index."""
    return np.bincount(account, np.asarray(values, dtype=float), minlength=minlength).astype(float)


def _parameters(parameters: PortfolioMarginParameters | str) -> PortfolioMarginParameters:
    if isinstance(parameters, str):
        return LEGACY_PM[v.choice("parameters", parameters, tuple(LEGACY_PM))]
    return v.instance("parameters", parameters, PortfolioMarginParameters,
                      f"a PortfolioMarginParameters or one of the keys {tuple(LEGACY_PM)}")


def _per_leg(name: str, value: ArrayLike, accounts: OptionAccounts) -> FloatArray:
    """``value`` (one number or one per leg) as one float per leg, else a named error."""
    arr = v.as_float(name, value)
    n = accounts.size.size
    if arr.ndim > 1 or arr.size not in (1, n):
        raise v.ShapeError(f"{name} must be one number or one per leg ({n}), got shape "
                           f"{arr.shape}")
    return np.broadcast_to(arr.reshape(-1), (n,))


def _legs(accounts: OptionAccounts, legs: ArrayLike | None) -> NDArray[np.bool_]:
    """The leg mask: all legs by default, else booleans, one per leg (1/0 are not read as
    True/False: an index array would be)."""
    if legs is None:
        return np.ones(accounts.size.size, bool)
    mask = np.asarray(legs)
    if mask.dtype != np.bool_:
        raise v.ArgumentTypeError(f"legs must be an array of booleans (one per leg) or None, got "
                                  f"dtype {mask.dtype}")
    if mask.shape != accounts.size.shape:
        raise v.ShapeError(f"legs must have one entry per leg ({accounts.size.size}), got shape "
                           f"{mask.shape}")
    return mask


@dataclass(frozen=True)
class AccountMargin:
    """Equity and requirement of every account, in coin.

    Attributes
    ----------
    equity : ndarray
        Collateral minus the coin value of the options sold.
    maintenance : ndarray
        What the equity must cover. Standard rule:
        :func:`liqlib.venues.deribit.standard_option_requirement` under its ``reading`` (the
        documented "buffer + mark" by default, the mark then counted in the equity and in the
        requirement; ``"net"`` charges the buffer only). Portfolio rule: the grid's margin
        (worst scenario loss plus contingencies).
    initial : ndarray
        The same for initial margin; for the portfolio rule ``initial_factor`` times the
        maintenance margin (Deribit's portfolio initial margin was not found in the pages read:
        :data:`liqlib.venues.deribit.PM_INITIAL_FACTOR` is a stated assumption).
    """

    equity: FloatArray
    maintenance: FloatArray
    initial: FloatArray

    @property
    def breached(self) -> NDArray[np.bool_]:
        """Accounts whose equity is below maintenance."""
        return self.equity < self.maintenance


def account_margin(
    accounts: OptionAccounts,
    price: float,
    *,
    rule: str = "standard",
    parameters: PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
    legs: NDArray[np.bool_] | None = None,
    reading: str = "documented",
    initial_factor: float = PM_INITIAL_FACTOR,
    vol_shift: ArrayLike = 0.0,
) -> AccountMargin:
    """Equity and margin of every account at an underlying ``price`` (vectorized over legs).

    ``rule="standard"`` applies :func:`liqlib.venues.deribit.standard_option_requirement` (the
    one convention :mod:`liqlib.stress.mark_to_model` uses too) leg by leg and adds the legs of
    each account. ``rule="portfolio"`` revalues every leg (Black-76, coin) on
    the scenario grid of ``parameters`` (price moves × volatility down/same/up, plus extended
    moves with volatility up, scaled by ``extended_fraction``), adds the P&L of each account's
    legs scenario by scenario, and charges the worst loss plus the contingencies (net short
    options per strike and all options: every leg is short, so each is ``rate * contracts``), as
    :func:`liqlib.venues.deribit.portfolio_margin` does for one account.

    Parameters
    ----------
    accounts : OptionAccounts
    price : float
        Underlying (futures) price in USD (> 0); options are valued with zero rates.
    rule : {"standard", "portfolio"}
    parameters : PortfolioMarginParameters or str
        For the portfolio rule: a parameter set or a key of
        :data:`liqlib.venues.deribit.LEGACY_PM`.
    legs : ndarray of bool, optional
        Count only these legs (accounts with none get zero requirement and their whole
        collateral as equity).
    reading : {"documented", "net"}
        How the standard rule's "+ mark" meets the equity
        (:func:`liqlib.venues.deribit.standard_option_requirement`).
    initial_factor : float
        Portfolio initial margin over portfolio maintenance margin (>= 1).
    vol_shift : float or array
        Added to every leg's volatility (one number or one per leg), e.g. a
        :class:`SpotVolRule`'s shift in a crash.

    Returns
    -------
    AccountMargin

    Raises
    ------
    TypeError
        For ``parameters`` neither a :class:`~liqlib.venues.deribit.PortfolioMarginParameters`
        nor a string.
    ValueError
        For a non-positive price, an unknown rule or parameter key.

    References
    ----------
    :mod:`liqlib.venues.deribit`, references [3], [4] and [6].

    Examples
    --------
    One account short a 50,000 put, 30 days, 60% vol, at 50,000, holding 0.1 BTC; the put is
    worth 0.0685 BTC, so its equity is 0.0315 BTC, below the standard rule's 0.075 + 0.0685 BTC
    (and below the 0.075 BTC buffer alone) and below the legacy grid's worst loss (a 10% fall
    with volatility up) plus 0.01 BTC:

    >>> acc = OptionAccounts(np.array([0]), np.array(["put"]), np.array([50_000.0]),
    ...                      np.array([30 / 365]), np.array([1.0]), np.array([0.6]),
    ...                      np.array([0.1]))
    >>> m = account_margin(acc, 50_000)
    >>> float(m.equity[0].round(4)), float(m.maintenance[0].round(4)), bool(m.breached[0])
    (0.0315, 0.1435, True)
    >>> float(account_margin(acc, 50_000, reading="net").maintenance[0].round(4))
    0.075
    >>> pm = account_margin(acc, 50_000, rule="portfolio")
    >>> float(pm.maintenance[0].round(4)), float(pm.initial[0].round(4))
    (0.1064, 0.1596)
    """
    v.instance("accounts", accounts, OptionAccounts, "an OptionAccounts")
    s = v.number("price", price, "pos")
    v.choice("rule", rule, RULES)
    p = _parameters(parameters)
    v.choice("reading", reading, MARK_READINGS)
    factor = v.number("initial_factor", initial_factor)
    if not factor >= 1:
        raise ValueError(f"initial_factor must be >= 1 (initial margin at least maintenance), "
                         f"got {initial_factor!r}")
    mask = _legs(accounts, legs)
    n_acc = accounts.n_accounts
    acct, k, t = accounts.account[mask], accounts.strike[mask], accounts.expiry[mask]
    shift = _per_leg("vol_shift", vol_shift, accounts)[mask]
    q, vol, kind = accounts.size[mask], accounts.vol[mask] + shift, accounts.kind[mask]
    if np.any(vol <= 0):
        raise ValueError("vol_shift must leave every volatility > 0")
    if not mask.any():
        zero = np.zeros(n_acc)
        return AccountMargin(accounts.collateral.copy(), zero, zero.copy())
    mark = np.asarray(black76_price(s, k, t, 0.0, vol, kind, settlement="inverse"))
    equity = accounts.collateral - _by_account(acct, q * mark, minlength=n_acc)
    if rule == "standard":
        m = standard_option_requirement(kind, k, s, mark, -q, reading=reading)
        maintenance = _by_account(acct, m.maintenance, minlength=n_acc)
        initial = _by_account(acct, m.initial, minlength=n_acc)
        return AccountMargin(equity, maintenance, initial)
    moves = price_moves(p.price_move, p.buckets)
    shock = np.asarray(iv_shock(t * 365.0, p.vol_shock, p.vol_power))
    direction = np.array([-1.0, 0.0, 1.0])
    if p.vol_shock_mode == "relative":
        vols = vol[:, None] * (1.0 + shock[:, None] * direction)
    else:
        vols = vol[:, None] + shock[:, None] * direction
    vols = np.maximum(vols, p.vol_floor)  # (legs, 3)
    shocked = np.asarray(black76_price(
        s * (1.0 + moves)[:, None, None], k[:, None], t[:, None], 0.0, vols[None],
        kind[:, None], settlement="inverse",
    ))  # (moves, legs, 3)
    pnl = -q[None, :, None] * (shocked - mark[None, :, None])
    columns = [pnl[i, :, j] for i in range(moves.size) for j in range(3)]
    if p.extended_moves:
        ext = np.asarray(p.extended_moves, dtype=float)
        ext_values = np.asarray(black76_price(
            s * (1.0 + ext)[:, None], k, t, 0.0, vols[:, 2], kind, settlement="inverse"
        ))  # (extended, legs)
        columns += [-q * (ext_values[i] - mark) * p.extended_fraction for i in range(ext.size)]
    per_account = np.stack([_by_account(acct, c, minlength=n_acc) for c in columns], axis=1)
    worst = np.maximum(0.0, -per_account.min(axis=1))
    contracts = _by_account(acct, q, minlength=n_acc)
    contingency = (p.net_short_option_contingency + p.option_contingency) * contracts
    maintenance = worst + contingency
    return AccountMargin(equity, maintenance, factor * maintenance)


def generate_option_accounts(
    n: int,
    price: float,
    *,
    seed: int | np.random.Generator,
    weights: tuple[float, float, float] = (0.5, 0.2, 0.3),
    vol: float = 0.6,
    moneyness_sigma: float = 0.08,
    expiry_days: tuple[float, ...] = (7, 14, 30, 60, 90),
    median_size: float = 1.0,
    size_sigma: float = 1.0,
    cushion: float = 0.5,
    rule: str = "standard",
    parameters: PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
    reading: str = "documented",
    initial_factor: float = PM_INITIAL_FACTOR,
) -> OptionAccounts:
    """A seeded population of ``n`` option sellers around ``price``.

    Each account sells one of :data:`STRATEGIES` (``weights``: put, call, straddle) with a
    strike ``price * exp(z)``, ``z ~ N(0, moneyness_sigma)`` (puts mostly below the price and
    calls above: ``z`` is taken with the sign that puts the strike out of the money), an expiry
    drawn evenly from ``expiry_days``, a log-normal size (``median_size`` contracts, log s.d.
    ``size_sigma``) and implied volatility ``vol``. Its collateral is the rule's initial margin
    at ``price`` times ``1 + c`` on top of the options' value (the premium it would cost to buy
    them back), ``c`` exponential with mean ``cushion``: a few accounts sit near the
    requirement, most well above it. ``reading`` and ``initial_factor`` are those of
    :func:`account_margin` (the portfolio rule's initial margin sets the headroom its accounts
    start with).

    Raises
    ------
    ValueError
        For a bad argument (naming it).

    Examples
    --------
    >>> acc = generate_option_accounts(1_000, 60_000, seed=1)
    >>> acc.n_accounts, bool(account_margin(acc, 60_000).breached.any())
    (1000, False)
    """
    count = v.integer("n", n, low=1)
    s = v.number("price", price, "pos")
    w = v.nonnegative("weights", weights).reshape(-1)
    if w.size != 3 or not w.sum() > 0:
        raise ValueError(f"weights must be three numbers >= 0 (put, call, straddle), got {weights}")
    sigma = v.number("vol", vol, "pos")
    spread = v.number("moneyness_sigma", moneyness_sigma, "nonneg")
    days = v.positive("expiry_days", expiry_days).reshape(-1)
    if days.size == 0:
        raise ValueError("expiry_days must hold at least one expiry")
    v.positive("median_size", median_size)
    v.nonnegative("size_sigma", size_sigma)
    v.nonnegative("cushion", cushion)
    v.choice("rule", rule, RULES)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    strategy = rng.choice(3, size=count, p=w / w.sum())
    z = np.abs(rng.normal(0.0, spread, count))
    tenor = rng.choice(days, size=count) / 365.0
    size = median_size * np.exp(rng.normal(0.0, size_sigma, count))
    extra = rng.exponential(cushion, count) if cushion > 0 else np.zeros(count)
    legs_per = np.where(strategy == 2, 2, 1)
    account = np.repeat(np.arange(count), legs_per)
    first = np.concatenate([[0], np.cumsum(legs_per)[:-1]])
    kind = np.where(strategy[account] == 1, "call", "put")
    kind[first[strategy == 2] + 1] = "call"  # a straddle's second leg
    # out of the money: puts below the price, calls above; a straddle's strike sits below or above
    sign = np.where(strategy == 0, -1.0, np.where(strategy == 1, 1.0, rng.choice([-1.0, 1.0],
                                                                                  size=count)))
    strike = s * np.exp(sign * z)[account]
    accounts = OptionAccounts(account, kind, strike, tenor[account], size[account],
                              np.full(account.size, sigma), np.zeros(count))
    need = account_margin(accounts, s, rule=rule, parameters=parameters, reading=reading,
                          initial_factor=initial_factor)
    value = -need.equity  # with zero collateral, equity is minus the options' value
    return replace(accounts, collateral=value + need.initial * (1.0 + extra))


def feedback_multiplier(impact: ArrayLike, contracts: ArrayLike, gamma: ArrayLike,
                        price: ArrayLike) -> Any:
    """Small-move multiplier of a delta-hedged short-gamma book: ``1 / (1 - λ N Γ S)``.

    Parameters
    ----------
    impact : float or array
        ``λ``: price fraction moved per unit of underlying traded (>= 0); ``0.01 / K`` for a flat
        ladder with ``K`` units per 1%.
    contracts : float or array
        ``N``: options held short (>= 0).
    gamma : float or array
        ``Γ``: gamma of one option, per USD (>= 0).
    price : float or array
        ``S`` (> 0).

    Returns
    -------
    float or ndarray
        The multiplier, ``inf`` where ``λ N Γ S >= 1`` (no small-move equilibrium: the hedge of a
        move moves the price by more than the move).

    Examples
    --------
    A book of 100 coin per 1% (``λ = 1e-4``), 1,000 options short of gamma 2e-5 at 50,000:
    ``λNΓS = 0.1``, so moves are 1/0.9 = 1.11 times larger.

    >>> round(feedback_multiplier(1e-4, 1_000, 2e-5, 50_000), 4)
    1.1111
    >>> feedback_multiplier(1e-4, 10_000, 2e-5, 50_000)
    inf
    """
    lam = v.nonnegative("impact", impact)
    n = v.nonnegative("contracts", contracts)
    g = v.nonnegative("gamma", gamma)
    s = v.positive("price", price)
    loop = lam * n * g * s
    with np.errstate(divide="ignore"):
        out = np.where(loop < 1, 1.0 / np.where(loop < 1, 1.0 - loop, 1.0), np.inf)
    return v.scalar_or_array(np.asarray(out, dtype=float))


@dataclass(frozen=True)
class GammaCascadeResult:
    """Where a gamma cascade stopped.

    Attributes
    ----------
    price : float
        Traded price at the end.
    trough : float
        The traded price furthest in the direction of the shock.
    amplification : float
        ``(trough - price0) / (shocked - price0)``: the worst move over the shock (1: nothing
        happened beyond the shock).
    steps : int
        Steps run.
    converged : bool
        False if ``max_steps`` ran out while orders were still being sent.
    count : int
        Option accounts taken over by the engine.
    hedge_volume : float
        Underlying units the engine traded to hedge (sum of absolute trades).
    hedge_position : float
        The engine's underlying position at the end (negative: short).
    futures_count : int
        Futures positions liquidated.
    futures_quantity : float
        Base units of futures liquidated into the book.
    liquidated : ndarray of int
        Option accounts taken over, in order.
    path : ndarray
        Traded price after each step.
    deficit : float
        Coin: the negative equity of the accounts at takeover, ``sum(max(0, -equity))``, which
        the insurance fund absorbs (their positive equity is returned to them).
    fund_pnl : float
        Coin: the insurance fund's result at the end. With ``holder="market_makers"`` the options
        are bought back at their mark and the fund loses the deficit (``-deficit``); with
        ``holder="engine"`` it keeps the options and the collateral less the equity returned,
        hedges, and ends with that book's value at the final price plus its hedge's P&L.
    short_gamma : float
        Gamma (underlying units per USD, negative: short) of the liquidated options at the end,
        held by whoever holds them: the market makers who sold them back, or the engine.
    """

    price: float
    trough: float
    amplification: float
    steps: int
    converged: bool
    count: int
    hedge_volume: float
    hedge_position: float
    futures_count: int
    futures_quantity: float
    liquidated: NDArray[np.intp]
    path: FloatArray
    deficit: float = 0.0
    fund_pnl: float = 0.0
    short_gamma: float = 0.0


def _touch(fundamental: float, book: ResilientBook) -> float:
    """The fundamental moved by the holes in both sides of the book."""
    move = 0.0
    if book.consumed_bids > 0:
        move -= float(book.bids.distance(np.asarray(min(book.consumed_bids,
                                                        book.bids.capacity))))
    if book.consumed_asks > 0:
        move += float(book.asks.distance(np.asarray(min(book.consumed_asks,
                                                        book.asks.capacity))))
    return fundamental * (1.0 + move)


def gamma_cascade(
    accounts: OptionAccounts | None,
    price: float,
    shock: float,
    book: ResilientBook | Ladder,
    *,
    futures: Population | None = None,
    rule: str = "standard",
    parameters: PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
    hedged_book: OptionAccounts | None = None,
    reading: str = "documented",
    spot_vol: SpotVolRule | None = None,
    hedge: str = "coin",
    holder: str = "market_makers",
    hedge_fraction: float = 1.0,
    max_order: float = math.inf,
    priority: str = "options",
    dt: float = 1.0,
    max_steps: int = 5_000,
    tol: float = 1e-10,
) -> GammaCascadeResult:
    """Run a shock through option sellers, the engine's delta hedge, futures and the book.

    The underlying's fundamental price jumps from ``price`` to ``price * (1 + shock)`` and stays
    there; the traded price is the fundamental moved by the depth the engine's orders have taken
    from ``book`` (what has not refilled). Each step:

    1. ``dt`` passes and the book refills by its half-life (not before the first step);
    2. every option account still open whose equity is below maintenance at the traded price
       (:func:`account_margin` under ``rule``) is taken over by the engine, options and
       collateral, and every futures position whose liquidation price the traded price has
       crossed joins the engine's futures queue;
    3. the engine's hedge order is ``hedge_fraction`` of the gap between its underlying position
       and minus the delta of every option it holds (``hedged_book``, hedged at ``price`` before
       the shock, and the accounts taken over); the futures queue is closed by market orders;
    4. up to ``max_order`` units per step are sent, the queue named by ``priority`` first; what is
       not sent waits (futures) or is recomputed (the hedge) at the next step.

    The run stops when a step takes over nothing and sends less than ``tol`` times the open
    interest (options plus futures), or after ``max_steps``. With a book that never refills,
    ``hedge_fraction = 1`` and no order limit, the steps are the iterations of the fixed point
    ``P = F (1 - x(Q(P)))``, ``Q(P)`` the engine's hedge sales plus the futures liquidated at
    ``P``; with no options that is :func:`liqlib.systemic.cascades.cascade`'s fixed point.

    Parameters
    ----------
    accounts : OptionAccounts or None
        The option sellers (None: futures only).
    price : float
        Underlying price before the shock (> 0).
    shock : float
        Exogenous move as a fraction in (-1, 1), nonzero (-0.05 is a 5% fall).
    book : ResilientBook or Ladder
        Depth around the fundamental price; a ladder is used for both sides and never refills.
        The book passed is not modified (the run works on a copy).
    futures : Population, optional
        Leveraged futures positions, liquidated in full when crossed.
    rule : {"standard", "portfolio"}
        Margin rule of the option accounts (:func:`account_margin`).
    parameters : PortfolioMarginParameters or str
        Scenario grid for the portfolio rule.
    hedged_book : OptionAccounts, optional
        Short options the engine already holds, delta-hedged at ``price`` (collateral ignored).
    reading : {"documented", "net"}
        The standard rule's reading (:func:`account_margin`).
    spot_vol : SpotVolRule, optional
        How implied volatility moves with the traded price (sticky strike by default). It enters
        the margin checks and the hedge ratios.
    hedge : {"coin", "usd"}
        What the hedger keeps flat. ``"coin"`` (default): the coin value of the options, so the
        hedge is the premium-adjusted delta ``-sum(size * (Delta - V/F))`` (Deribit's books and
        insurance fund are in coin; the coin collateral is coin already). ``"usd"``: the USD
        value of the options *and* of the coin collateral taken over, which counts as a long of
        that many coins.
    holder : {"market_makers", "engine"}
        Who ends up short the liquidated options. ``"market_makers"`` (default, Deribit's
        practice: "a small part of the position will be closed in the market at market prices",
        legacy auto-liquidation page): the engine buys them back in the option book and the
        market makers who sold them hedge them; the flow in the underlying is the same hedge
        (the market makers are assumed to hedge as this engine would), the fund pays the
        deficit at the mark. ``"engine"``: the engine takes the options and the collateral over
        and hedges them itself, and the fund carries that book (``fund_pnl``).
    hedge_fraction : float
        Share of the hedge gap traded per step, in (0, 1]: 1 hedges at once, 0.1 spreads it.
    max_order : float
        Units of underlying the engine may send per step (> 0; ``inf`` for no limit).
    priority : {"options", "futures"}
        Which queue the budget serves first.
    dt : float
        Time per step (> 0), in the unit of the book's half-life.
    max_steps : int
        Upper bound on steps (>= 1).
    tol : float
        Convergence tolerance (> 0), relative to the open interest.

    Returns
    -------
    GammaCascadeResult

    Raises
    ------
    TypeError
        For an argument of the wrong type (``accounts``, ``book``, ``futures``, ``hedged_book``,
        ``spot_vol``, ``parameters`` or a number given as a string), naming it.
    ValueError
        For a bad argument, naming it.
    RuntimeError
        If the book runs out (the traded price reaches zero).

    Examples
    --------
    The engine holds 5,000 at-the-money 30-day puts short, hedged in USD terms (the closed form's
    hedge), on a flat book of 400 coin per 1%; a 0.1% fall moves the price by about
    ``1 / (1 - λNΓS)`` times that:

    >>> from liqlib.engine.book import flat_ladder
    >>> puts = OptionAccounts(np.array([0]), np.array(["put"]), np.array([50_000.0]),
    ...                       np.array([30 / 365]), np.array([5_000.0]), np.array([0.6]),
    ...                       np.array([0.0]))
    >>> run = gamma_cascade(None, 50_000, -0.001, flat_ladder(400), hedged_book=puts,
    ...                     hedge="usd")
    >>> loop = 0.01 / 400 * -puts.gamma(50_000) * 50_000
    >>> round(run.amplification, 4), round(float(feedback_multiplier(0.01 / 400, 5_000,
    ...     -puts.gamma(50_000) / 5_000, 50_000)), 4)
    (1.4062, 1.4061)
    """
    v.instance("accounts", accounts, (OptionAccounts, type(None)), "an OptionAccounts or None")
    start = v.number("price", price, "pos")
    s = v.number("shock", shock)
    if not -1 < s < 1 or s == 0:
        raise ValueError(f"shock must be a nonzero fraction in (-1, 1), got {shock!r}")
    if not isinstance(book, ResilientBook):
        check_ladder("book", book)
    v.instance("futures", futures, (Population, type(None)), "a Population or None")
    v.choice("rule", rule, RULES)
    v.choice("reading", reading, MARK_READINGS)
    v.choice("hedge", hedge, HEDGE_NUMERAIRES)
    v.choice("holder", holder, HOLDERS)
    v.instance("hedged_book", hedged_book, (OptionAccounts, type(None)),
               "an OptionAccounts or None")
    rule_vol = SpotVolRule() if spot_vol is None else spot_vol
    v.instance("spot_vol", rule_vol, SpotVolRule, "a SpotVolRule or None")
    _parameters(parameters)
    fraction = v.number("hedge_fraction", hedge_fraction)
    if not 0 < fraction <= 1:
        raise ValueError(f"hedge_fraction must be in (0, 1], got {hedge_fraction!r}")
    # inf is meaningful here (no limit), so the finite-only number() check does not apply
    budget = v.one("max_order", v.numbers("max_order", max_order))
    if not budget > 0:
        raise ValueError(f"max_order must be > 0 (inf for no limit), got {max_order!r}")
    v.choice("priority", priority, PRIORITIES)
    step_dt = v.number("dt", dt, "pos")
    steps_cap = v.integer("max_steps", max_steps, low=1)
    tolerance = v.number("tol", tol, "pos")
    if isinstance(book, ResilientBook):
        live = replace(book)
    else:
        live = ResilientBook(book, book, half_life=math.inf)

    fundamental = start * (1.0 + s)
    direction = 1 if s > 0 else -1
    n_legs = 0 if accounts is None else accounts.size.size
    held_legs = np.zeros(n_legs, bool)
    open_accounts = np.ones(0 if accounts is None else accounts.n_accounts, bool)
    coin = hedge == "coin"

    def shift_of(book: OptionAccounts, at: float) -> Any:
        return rule_vol.shift(at, start, book.strike)

    def book_delta(book: OptionAccounts, at: float, legs: NDArray[np.bool_] | None) -> float:
        return book.delta(at, legs, vol_shift=shift_of(book, at), premium_adjusted=coin)

    position = 0.0 if hedged_book is None else -book_delta(hedged_book, start, None)
    hedge_cash = position * start  # USD paid for the hedge (negative: received)
    kept_collateral = 0.0  # coin the holder of the options keeps from the accounts taken over
    deficit = 0.0
    if futures is not None:
        fut_open = (futures.side == -direction) & np.isfinite(futures.liquidation)
        fut_size = futures.size * futures.side  # a long is closed by selling its size
    scale = (0.0 if accounts is None else accounts.open_interest) + (
        0.0 if hedged_book is None else hedged_book.open_interest) + (
        0.0 if futures is None else float(futures.size.sum()))
    threshold = tolerance * max(scale, 1.0)

    taken: list[NDArray[np.intp]] = []
    path: list[float] = []
    backlog = 0.0  # signed futures quantity waiting to be closed (negative: to sell)
    hedge_volume = futures_quantity = 0.0
    futures_count = 0
    current = _touch(fundamental, live)
    converged = False
    step = 0
    for step in range(1, steps_cap + 1):  # noqa: B007 - the count is reported
        if step > 1:
            live.advance(step_dt)
            current = _touch(fundamental, live)
        new = 0
        if accounts is not None and open_accounts.any():
            legs_open = open_accounts[accounts.account]
            m = account_margin(accounts, current, rule=rule, parameters=parameters,
                               legs=legs_open, reading=reading,
                               vol_shift=shift_of(accounts, current))
            breach = open_accounts & m.breached
            if breach.any():
                ids = np.flatnonzero(breach)
                deficit += float(np.maximum(0.0, -m.equity[ids]).sum())
                # the accounts keep their positive equity; the rest comes with the options
                kept_collateral += float((accounts.collateral[ids]
                                          - np.maximum(0.0, m.equity[ids])).sum())
                taken.append(ids)
                open_accounts[ids] = False
                held_legs |= breach[accounts.account]
                new += ids.size
        if futures is not None and fut_open.any():
            crossed = fut_open & (direction * (current - futures.liquidation) >= 0)
            if crossed.any():
                idx = np.flatnonzero(crossed)
                fut_open[idx] = False
                backlog -= float(fut_size[idx].sum())
                futures_count += idx.size
                new += idx.size
        target = 0.0
        if accounts is not None and held_legs.any():
            target -= book_delta(accounts, current, held_legs)
            if not coin:
                target -= kept_collateral  # the coins taken over are a long in USD terms
        if hedged_book is not None:
            target -= book_delta(hedged_book, current, None)
        orders = {"options": fraction * (target - position), "futures": backlog}
        sent = 0.0
        left = budget
        for queue in (("options", "futures") if priority == "options"
                       else ("futures", "options")):
            want = orders[queue]
            q = math.copysign(min(abs(want), left), want)
            if q == 0:
                continue
            fill = live.execute(BUY if q > 0 else SELL, abs(q), mid=fundamental)
            left -= abs(q)
            sent += abs(q)
            if queue == "options":
                position += q
                hedge_volume += abs(q)
                hedge_cash += q * float(fill.vwap)
            else:
                backlog -= q
                futures_quantity += abs(q)
        current = _touch(fundamental, live)
        if not current > 0:
            raise RuntimeError(f"the book ran out: the traded price reached {current!r} at "
                               f"step {step}")
        path.append(current)
        if new == 0 and sent <= threshold:
            converged = True
            break
    trace = np.asarray(path)
    trough = float(trace.max() if direction > 0 else trace.min())
    liquidated = np.concatenate(taken) if taken else np.zeros(0, dtype=np.intp)
    end = float(trace[-1])
    short_gamma = 0.0
    fund_pnl = -deficit
    if accounts is not None and held_legs.any():
        short_gamma = accounts.gamma(end, held_legs, vol_shift=shift_of(accounts, end))
        if holder == "engine":
            options_value = accounts.coin_value(end, held_legs,
                                                vol_shift=shift_of(accounts, end))
            # The hedge's coin P&L: its USD value at the end less its cost, in coin at the end.
            fund_pnl = kept_collateral - options_value + (position * end - hedge_cash) / end
    return GammaCascadeResult(
        price=float(trace[-1]),
        trough=trough,
        amplification=(trough - start) / (fundamental - start),
        steps=step,
        converged=converged,
        count=int(liquidated.size),
        hedge_volume=hedge_volume,
        hedge_position=position,
        futures_count=futures_count,
        futures_quantity=futures_quantity,
        liquidated=liquidated.astype(np.intp),
        path=trace,
        deficit=deficit,
        fund_pnl=fund_pnl,
        short_gamma=short_gamma,
    )


def breach_price(
    accounts: OptionAccounts,
    price: float,
    *,
    direction: int = -1,
    within: float = 0.5,
    rule: str = "standard",
    reading: str = "documented",
    parameters: PortfolioMarginParameters | str = "pages/docs/portfoliomargin",
) -> float:
    """The underlying price, moving from ``price``, at which the book's first account breaches.

    Equity less maintenance (:func:`account_margin`) of every account is continuous in the
    underlying price; this bisects for the nearest price in ``direction`` at which the smallest
    of them reaches zero. For a book of one account it is that account's breach price: how far
    the futures may move before the engine takes the account over.

    Parameters
    ----------
    accounts : OptionAccounts
        Every account must be sound (equity at least maintenance) at ``price``.
    price : float
        Underlying (futures) price in USD now (> 0).
    direction : {-1, +1}
        -1 searches below ``price`` (a fall), +1 above (a rise).
    within : float
        How far to search, as a fraction of ``price`` (in (0, 1) for a fall, > 0 for a rise).
    rule, reading, parameters
        As in :func:`account_margin`.

    Returns
    -------
    float
        The price (USD) at which the first account's equity equals its maintenance margin.

    Raises
    ------
    ValueError
        Naming the argument: an account already in breach at ``price``, no breach within
        ``within`` of it, a direction other than -1 or +1, a bad price, rule or reading.

    References
    ----------
    :mod:`liqlib.venues.deribit` for the margin rules (references [3], [4] and [6]).

    Examples
    --------
    A trader sells one 30-day at-the-money put (60% volatility) at 60,000 and posts exactly the
    standard initial margin. As documented, the put's mark counts against the equity and in the
    requirement, so a fall of only 0.59% breaches; net of the mark, the account survives 10.3%:

    >>> one = OptionAccounts(np.array([0]), np.array(["put"]), np.array([60_000.0]),
    ...                      np.array([30 / 365]), np.array([1.0]), np.array([0.6]),
    ...                      np.array([0.0]))
    >>> one = replace(one, collateral=account_margin(one, 60_000).initial)
    >>> round(1 - breach_price(one, 60_000) / 60_000, 4)
    0.0059
    >>> round(1 - breach_price(one, 60_000, reading="net") / 60_000, 3)
    0.103
    """
    if not isinstance(accounts, OptionAccounts):
        raise v.ArgumentTypeError(
            f"accounts must be an OptionAccounts, got {type(accounts).__name__}")
    start = v.number("price", price, "pos")
    d = int(v.one("direction", v.side("direction", direction)))
    span = v.number("within", within, "pos")
    if d < 0 and span >= 1:
        raise ValueError(f"within must be < 1 for a fall (a price stays > 0), got {within!r}")
    v.choice("rule", rule, RULES)
    v.choice("reading", reading, MARK_READINGS)

    def slack(at: float) -> float:
        m = account_margin(accounts, at, rule=rule, reading=reading, parameters=parameters)
        return float(np.min(m.equity - m.maintenance))

    if not slack(start) >= 0:
        raise ValueError(f"accounts must be sound at price={start!r}: an account is already below "
                         "maintenance")
    end = start * (1 + d * span)
    if slack(end) >= 0:
        raise ValueError(f"no account breaches within within={within!r} of price={start!r}: "
                         "search further")
    lo, hi = (end, start) if d < 0 else (start, end)
    root = bracketed_root(lambda x: np.array([slack(float(p)) for p in np.ravel(x)]).reshape(
        np.shape(x)), lo, hi, xtol=1e-15)
    return float(root)
