"""Auto-deleveraging (ADL): who on the opposite side is closed when the insurance fund cannot pay.

When a liquidated position cannot be closed in the book without a loss the insurance fund can
cover, venues close it instead against traders on the **opposite side**, at a price they choose
(the bankruptcy price of the liquidated order, or the mark), in an order they choose:

* **BitMEX** (also Bybit, in the words "highest profit and effective leverage") ranks by
  ``PnL% * effective leverage`` for a profit and ``PnL% / effective leverage`` for a loss [1]_ [2]_;
* **Binance** ranks by ``LeveragePnl = PnL/collateral * margin ratio`` [3]_;
* **Hyperliquid** ranks "by unrealized pnl and leverage used", with the index ``(mark / entry) *
  (notional / account value)`` "to determine the affected users in profit" [4]_. Read for a short
  as printed, a *losing* short outranks a winning one (two 2x shorts at mark 80: from 100 the
  index is 1.6, from 70 it is 2.29). The default, :func:`hyperliquid_score`, applies the index to
  the side's profit ratio (``entry / mark`` for a short) and queues accounts in profit before the
  others, as the page's words say; the index as printed is :func:`hyperliquid_literal_score`
  (rule ``"hyperliquid_literal"``);
* **dYdX v4** does not rank: it walks the opposite side from a pseudo-random start [5]_;
* **OKX** matches the liquidated position "with opposing profitable or highly leveraged
  positions" [7]_ and **Deribit** documents no ranking we could retrieve: neither has a rule
  of its own here.

Under every rule that says it ranks by profit (:data:`RANKS_BY_PROFIT`), an account that is
losing or underwater (equity <= 0) never queues before one in profit.

Each venue closes whole positions down its queue until the liquidated size is matched; BitMEX shows
the top of the queue as quintile "lights". The **pro-rata** rule, which closes the same fraction of
every opposite position, is the fairness benchmark of the ADL literature [6]_: queue rules
concentrate the loss on a few traders.

This module is venue-neutral: scores from arrays, queues, allocations. :mod:`liqlib.engine` applies
them to accounts.

References
----------
.. [1] BitMEX, "Auto-Deleveraging", https://www.bitmex.com/app/autoDeleveraging: "Ranking = PNL
   Percentage * Effective Leverage (if PNL percentage > 0) = PNL Percentage / Effective Leverage
   (if PNL percentage < 0)"; "Effective Leverage = abs(Mark Value) / (Mark Value - Bankrupt
   Value)"; "PNL percentage = (Mark Value - Avg Entry Value) / abs(Avg Entry Value)".
.. [2] Bybit, "Auto-Deleveraging (ADL)" (legacy): "ranking is derived in order of highest profit
   and effective leverage use".
.. [3] Binance, "What Is Auto-Deleveraging (ADL) and How Does It Work",
   https://www.binance.com/zh-CN/support/announcement/360033525471: "'LeveragePnL', which is defined
   as unrealized PnL/collateral multiplied by the margin ratio"; the exact form (``max(0, uPnL) /
   max(1, WB)`` times ``MM / (WB + uPnL)``) is a user's quote on dev.binance.vision (third party).
.. [4] Hyperliquid docs, "Auto-deleveraging",
   https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging (read 2026-12-03):
   "If a user's account value or isolated position value becomes negative, the users on the
   opposite side of the position are ranked by unrealized pnl and leverage used. [...] The
   specific sorting index to determine the affected users in profit is ``(mark_price /
   entry_price) * (notional_position / account_value)``."
.. [5] dYdX v4-chain @ 84d4664, ``protocol/x/clob/keeper/deleveraging.go``
   (``OffsetSubaccountPerpetualPosition``): opposite-side subaccounts iterated from a pseudo-random
   index, no ranking.
.. [6] Chitra, T. (2025). Autodeleveraging: impossibilities and optimization. arXiv:2512.01112.
.. [7] OKX, "Automatic-Deleveraging: what it is and how it affects your positions",
   https://www.okx.com/help/iv-introduction-to-auto-deleveraging-adl (read 2026-12-03): "loss-making
   positions are matched with opposing profitable or highly leveraged positions"; the ranking
   formula is not on the page.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import _validate as v

#: Names of the ADL rules: the ranked queues :func:`adl_scores` scores, ``"dydx"`` (an unranked
#: queue, :func:`random_queue`) and ``"pro_rata"`` (no queue).
ADL_RULES = ("bitmex", "binance", "hyperliquid", "hyperliquid_literal", "dydx", "pro_rata")

#: The ranked rules, whose queue :func:`adl_scores` scores.
RANKED_RULES = ("bitmex", "binance", "hyperliquid", "hyperliquid_literal")

#: The rules whose venue says they rank by profit: under them an account in profit always queues
#: before a losing or underwater one. ``"hyperliquid_literal"`` (the index as printed) does not.
RANKS_BY_PROFIT = ("bitmex", "binance", "hyperliquid")

#: ADL fill prices: the liquidated slice's bankruptcy price (BitMEX, Binance, Bybit, dYdX), the
#: current mark (OKX) or the previous mark (Hyperliquid).
ADL_PRICES = ("bankruptcy", "mark", "previous_mark")


def bitmex_score(
    side: ArrayLike, entry_price: ArrayLike, mark_price: ArrayLike, equity: ArrayLike,
    notional: ArrayLike,
) -> Any:
    """BitMEX ADL ranking: PnL% times effective leverage in profit, divided by it in loss.

    For a linear position ``PnL% = side * (mark - entry) / entry`` and, because the position value
    at the bankruptcy price differs from the mark value by exactly the equity, ``effective leverage
    = notional / equity``. At equity <= 0 the page's leverage divides by zero or turns negative;
    such an account is past its bankruptcy price, not in profit, and scores ``-inf`` (last).

    Parameters
    ----------
    side : +1, -1 or array
    entry_price, mark_price : float or array
        Quote per base (> 0).
    equity : float or array
        Collateral plus unrealized PnL, quote currency.
    notional : float or array
        Position value at the mark (>= 0), quote currency.

    Returns
    -------
    float or ndarray
        The score; the highest is deleveraged first.

    References
    ----------
    BitMEX, "Auto-Deleveraging", https://www.bitmex.com/app/autoDeleveraging.

    Examples
    --------
    A long from 100 at 110 with 10x effective leverage scores 10% x 10 = 1; the same loss scores
    -10% / 10:

    >>> round(bitmex_score(1, 100, 110, 110, 1_100), 12)
    1.0
    >>> round(bitmex_score(1, 100, 90, 90, 900), 12)
    -0.01
    >>> float(bitmex_score(1, 100, 110, -5, 1_100))
    -inf
    """
    s = v.side("side", side)
    e = v.positive("entry_price", entry_price)
    m = v.positive("mark_price", mark_price)
    eq = v.as_float("equity", equity)
    n = v.nonnegative("notional", notional)
    return v.scalar_or_array(_bitmex(s, e, m, eq, n))


def _bitmex(s: Any, e: Any, m: Any, eq: Any, n: Any) -> Any:
    pnl_pct = s * (m - e) / e
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        leverage = n / np.where(eq > 0, eq, 1.0)
        score = np.where(pnl_pct > 0, pnl_pct * leverage, pnl_pct / leverage)
    return np.where(eq > 0, score, -np.inf)


def binance_score(upnl: ArrayLike, wallet_balance: ArrayLike, maintenance: ArrayLike) -> Any:
    """Binance ``LeveragePnl = PnlPct * MarginRatio``.

    ``PnlPct = max(0, uPnL) / max(1, WB)`` and ``MarginRatio = MM / (WB + uPnL)`` while equity is
    positive (0 otherwise): only profitable positions score above zero, and among them the more
    leveraged (higher margin ratio) first.

    Parameters
    ----------
    upnl : float or array
        Unrealized PnL, quote currency.
    wallet_balance : float or array
        Wallet balance (collateral), quote currency.
    maintenance : float or array
        Maintenance margin (>= 0), quote currency.

    References
    ----------
    Binance, "What Is Auto-Deleveraging (ADL) and How Does It Work" (definition quoted); the
    ``max`` guards are a user's quote of the page's formula on dev.binance.vision [third party].

    Examples
    --------
    >>> binance_score(upnl=100, wallet_balance=1_000, maintenance=55)
    0.005
    >>> binance_score(upnl=-100, wallet_balance=1_000, maintenance=55)
    0.0
    """
    u = v.as_float("upnl", upnl)
    wb = v.as_float("wallet_balance", wallet_balance)
    mm = v.nonnegative("maintenance", maintenance)
    return v.scalar_or_array(_binance(u, wb, mm))


def _binance(u: Any, wb: Any, mm: Any) -> Any:
    pnl_pct = np.maximum(0.0, u) / np.maximum(1.0, wb)
    eq = wb + u
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(eq > 0, mm / np.where(eq > 0, eq, 1.0), 0.0)
        # no profit scores 0 even where a vanishing equity makes the ratio overflow
        return np.where(pnl_pct > 0, pnl_pct * ratio, 0.0)


def hyperliquid_score(
    side: ArrayLike,
    mark_price: ArrayLike,
    entry_price: ArrayLike,
    notional: ArrayLike,
    account_value: ArrayLike,
) -> Any:
    """Hyperliquid's ADL ranking "by unrealized pnl and leverage used", side-adjusted (the default).

    The page gives one index, ``(mark / entry) * (notional / account value)``, "to determine the
    affected users in profit". Here its price ratio is the side's profit ratio ``r = (mark /
    entry) ** side`` (``entry / mark`` for a short), so that ``r > 1`` means a profit on either
    side, and

    * in profit (``r > 1``): ``r * leverage``, the page's index (> 0);
    * not in profit: ``(r - 1) / leverage`` (<= 0), behind every account in profit; the page does
      not rank these, so their order among themselves (the less-losing and more-leveraged first,
      as BitMEX's loss branch) is our reading;
    * account value <= 0 (underwater): ``-inf``, last.

    ``leverage = notional / account value``. The index as printed, without a side, is
    :func:`hyperliquid_literal_score`.

    Parameters
    ----------
    side : +1, -1 or array
    mark_price, entry_price : float or array
        Quote per base (> 0).
    notional : float or array
        Position value at the mark (>= 0), quote currency.
    account_value : float or array
        Account value (equity), quote currency.

    Returns
    -------
    float or ndarray
        The score; the highest is deleveraged first.

    Raises
    ------
    ValueError
        For a side other than +-1, non-positive prices, a negative notional.

    References
    ----------
    Hyperliquid docs, "Auto-deleveraging",
    https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging (read 2026-12-03):
    "the users on the opposite side of the position are ranked by unrealized pnl and leverage used
    [...] The specific sorting index to determine the affected users in profit is (mark_price /
    entry_price) * (notional_position / account_value)".

    Examples
    --------
    Two 2x shorts at mark 80, one sold at 100 (in profit), one at 70 (losing): the winner first.

    >>> hyperliquid_score(-1, 80, [100, 70], 800, 400).round(4).tolist()
    [2.5, -0.0625]
    >>> hyperliquid_score(1, 110, 100, 1_100, 220)
    5.5
    """
    s = v.side("side", side)
    m = v.positive("mark_price", mark_price)
    e = v.positive("entry_price", entry_price)
    n = v.nonnegative("notional", notional)
    av = v.as_float("account_value", account_value)
    return v.scalar_or_array(_hyperliquid(s, m, e, n, av))


def _hyperliquid(s: Any, m: Any, e: Any, n: Any, av: Any) -> Any:
    ratio = np.where(s > 0, m / e, e / m)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        leverage = n / np.where(av > 0, av, 1.0)
        loss = np.where(leverage > 0, (ratio - 1.0) / np.where(leverage > 0, leverage, 1.0), 0.0)
        score = np.where(ratio > 1.0, ratio * leverage, loss)
    return np.where(av > 0, score, -np.inf)


def hyperliquid_literal_score(
    mark_price: ArrayLike, entry_price: ArrayLike, notional: ArrayLike, account_value: ArrayLike
) -> Any:
    """Hyperliquid's index as printed: ``(mark / entry) * (notional / account value)``, any side.

    The named variant of :func:`hyperliquid_score` (rule ``"hyperliquid_literal"``). With no side
    adjustment a short's ratio rises as it *loses*, so a losing short outranks a winning one, and
    an underwater account (account value <= 0) scores ``+inf`` and is deleveraged first.

    Parameters
    ----------
    mark_price, entry_price : float or array
        Quote per base (> 0).
    notional : float or array
        Position value at the mark (>= 0), quote currency.
    account_value : float or array
        Account value (equity), quote currency.

    Returns
    -------
    float or ndarray
        The index; ``inf`` where the account value is not positive.

    Raises
    ------
    ValueError
        For non-positive prices or a negative notional.

    References
    ----------
    Hyperliquid docs, "Auto-deleveraging" (as :func:`hyperliquid_score`).

    Examples
    --------
    The two 2x shorts at mark 80: the loser (sold at 70) ranks first.

    >>> hyperliquid_literal_score(80, [100, 70], 800, 400).round(4).tolist()
    [1.6, 2.2857]
    >>> hyperliquid_literal_score(110, 100, 1_100, -1.0)
    inf
    """
    m = v.positive("mark_price", mark_price)
    e = v.positive("entry_price", entry_price)
    n = v.nonnegative("notional", notional)
    av = v.as_float("account_value", account_value)
    return v.scalar_or_array(_hyperliquid_literal(m, e, n, av))


def _hyperliquid_literal(m: Any, e: Any, n: Any, av: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(av > 0, (m / e) * n / np.where(av > 0, av, 1.0), np.inf)


def adl_scores(
    rule: str,
    side: ArrayLike,
    entry_price: ArrayLike,
    mark_price: ArrayLike,
    size: ArrayLike,
    collateral: ArrayLike,
    maintenance: ArrayLike | None = None,
) -> Any:
    """The ADL scores of opposite-side positions under a ranked ``rule``, from account arrays.

    One place maps the engine's account state onto each venue's score: ``upnl = side * size *
    (mark - entry)``, ``equity = collateral + upnl``, ``notional = size * mark``.

    Parameters
    ----------
    rule : str
        One of ``"bitmex"``, ``"binance"``, ``"hyperliquid"``, ``"hyperliquid_literal"`` (the
        ranked rules of :data:`ADL_RULES`).
    side : +1, -1 or array
    entry_price : float or array
        Quote per base (> 0).
    mark_price : float or array
        Quote per base (> 0).
    size : float or array
        Position size (>= 0), base units.
    collateral : float or array
        Wallet balance (collateral), quote currency.
    maintenance : float or array, optional
        Maintenance margin (>= 0), quote currency; required by ``"binance"`` (its margin ratio),
        unused by the others.

    Returns
    -------
    float or ndarray
        The scores; the highest is deleveraged first.

    Raises
    ------
    ValueError
        For an unknown or unranked rule, ``"binance"`` without ``maintenance``, or bad arrays
        (named by the score functions).

    Examples
    --------
    >>> adl_scores("hyperliquid", -1, [100, 70], 80, 10, [200, 500], 4).round(4).tolist()
    [2.5, -0.0625]
    >>> adl_scores("hyperliquid_literal", -1, [100, 70], 80, 10, [200, 500], 4).round(4).tolist()
    [1.6, 2.2857]
    """
    v.choice("rule", rule, RANKED_RULES)
    s = v.side("side", side)
    e = v.positive("entry_price", entry_price)
    m = v.positive("mark_price", mark_price)
    q = v.nonnegative("size", size)
    c = v.as_float("collateral", collateral)
    if rule == "binance":
        if maintenance is None:
            raise ValueError("maintenance is required by rule 'binance' (its margin ratio)")
        maintenance = v.nonnegative("maintenance", maintenance)
    return v.scalar_or_array(account_scores(rule, s, e, m, q, c, maintenance))


def account_scores(
    rule: str, side: Any, entry: Any, mark: Any, size: Any, collateral: Any,
    maintenance: Any = None,
) -> Any:
    """:func:`adl_scores` on the engine's own (already checked) float arrays, as an array."""
    notional = size * mark
    upnl = side * size * (mark - entry)
    equity = collateral + upnl
    if rule == "bitmex":
        return _bitmex(side, entry, mark, equity, notional)
    if rule == "binance":
        return _binance(upnl, collateral, maintenance)
    if rule == "hyperliquid":
        return _hyperliquid(side, mark, entry, notional, equity)
    return _hyperliquid_literal(mark, entry, notional, equity)


def adl_queue(scores: ArrayLike) -> np.ndarray:
    """Indices in deleveraging order: highest score first, ties in index order.

    Examples
    --------
    BitMEX's example ranks six longs 3, 6, 1, 4, 5, 2: account 2 (index 1) goes first.

    >>> adl_queue([3, 6, 1, 4, 5, 2]).tolist()
    [1, 4, 3, 0, 5, 2]
    """
    s = _scores(scores)
    return np.argsort(-s, kind="stable")


def _scores(scores: ArrayLike) -> np.ndarray:
    """Scores as a 1-d float array; +-inf allowed (an account at or past bankruptcy), NaN not."""
    return v.not_nan("scores", scores).reshape(-1)


#: Most accounts :func:`random_queue` orders: its array of indices then takes 0.8 GB.
MAX_QUEUE = 10**8


def random_queue(n: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """dYdX's unranked order: ``0 .. n-1`` walked from a pseudo-random start, wrapping around.

    Parameters
    ----------
    n : int
        Number of opposite-side accounts (an integer in [0, :data:`MAX_QUEUE`]).
    rng : numpy.random.Generator or int seed
        Source of the start index (the chain uses block data; here it is seeded).

    Raises
    ------
    TypeError
        For an ``n`` that is not an integer (``2.5``, ``True``).
    ValueError
        For a negative ``n`` or one above :data:`MAX_QUEUE`.

    Examples
    --------
    >>> sorted(random_queue(5, rng=7).tolist())
    [0, 1, 2, 3, 4]
    """
    # 2.5 accounts is not a count (it gave float indices); 10**8 indices already take 0.8 GB
    n = v.integer("n", n, low=0, high=MAX_QUEUE)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    start = int(np.random.default_rng(rng).integers(n))
    return np.roll(np.arange(n), -start)


#: Size of the first ADL queue front the engine sorts (:class:`liqlib.engine.accounts.AdlQueue`;
#: it grows fourfold as needed).
QUEUE_FRONT_START = 64


def quintile_lights(scores: ArrayLike, sizes: ArrayLike | None = None) -> np.ndarray:
    """BitMEX's ADL indicator: 1 to 5 lights, 5 for the front 20% of the queue.

    With ``sizes``, a position's place is the share of the side's total size queued up to and
    including it, rounded up to a 20% step: this reproduces BitMEX's example table (accounts 2,
    5, 4, 1, 6, 3 of sizes 10, 20, 30, 10, 10, 20 at 20%, 40%, 60%, 80%, 80%, 100%; our reading,
    the page gives the table, not the rule). Without sizes the rule is by count: ``p`` places
    from the front of ``n`` (``p = 0`` first) shows ``ceil(5 * (n - p) / n)`` lights, so the
    front always shows 5.

    Examples
    --------
    >>> quintile_lights([3, 6, 1, 4, 5, 2]).tolist()
    [3, 5, 1, 4, 5, 2]
    >>> quintile_lights([3, 6, 1, 4, 5, 2], sizes=[10, 10, 20, 30, 20, 10]).tolist()
    [2, 5, 1, 3, 4, 2]
    """
    s = _scores(scores)
    n = s.size
    order = adl_queue(s)  # ties keep input order
    lights = np.empty(n, dtype=np.int64)
    if sizes is None:
        lights[order] = np.ceil(5 * (n - np.arange(n)) / max(n, 1)).astype(np.int64)
        return lights
    weights = v.positive("sizes", sizes).reshape(-1)
    if weights.size != n:
        raise ValueError(
            f"scores and sizes must have one entry per position, got {n} and {weights.size}"
        )
    share = np.cumsum(weights[order]) / weights.sum()
    step = np.ceil(np.round(share * 5.0, 12))  # round first: 0.6 * 5 is not exactly 3
    lights[order] = 6 - np.maximum(step, 1).astype(np.int64)
    return lights


def queue_allocation(sizes: ArrayLike, needed: float) -> np.ndarray:
    """Close whole positions in queue order until ``needed`` is matched.

    Parameters
    ----------
    sizes : array
        Position sizes (>= 0) **in queue order**.
    needed : float
        Size (>= 0) to deleverage.

    Returns
    -------
    ndarray
        Size closed from each position (same order); sums to ``min(needed, sum(sizes))``.

    Examples
    --------
    BitMEX's example: a 20-contract short is matched against the queue of longs. Account 2 (rank 6,
    10 contracts) is closed entirely and account 5 (rank 5, 20 contracts) gives the other 10.

    >>> ranks, sizes = np.array([3, 6, 1, 4, 5, 2]), np.array([10, 10, 20, 30, 20, 10])
    >>> order = adl_queue(ranks)
    >>> taken = np.zeros(6); taken[order] = queue_allocation(sizes[order], 20)
    >>> taken.tolist()
    [0.0, 10.0, 0.0, 0.0, 10.0, 0.0]
    """
    q = v.nonnegative("sizes", sizes).reshape(-1)
    need = v.number("needed", needed, "nonneg")
    return allocate_down_queue(q, need)


def allocate_down_queue(sizes: np.ndarray, needed: float) -> np.ndarray:
    """:func:`queue_allocation` on the engine's own (checked) float array and float."""
    before = np.concatenate(([0.0], np.cumsum(sizes)[:-1]))
    return np.clip(needed - before, 0.0, sizes)


def pro_rata_allocation(capacities: ArrayLike, amount: float) -> np.ndarray:
    """Share ``amount`` in proportion to ``capacities``, none beyond its capacity.

    The fairness benchmark: every opposite position gives up the same fraction. The shares sum to
    ``min(amount, sum(capacities))``.

    Examples
    --------
    >>> pro_rata_allocation([10, 10, 20, 30, 20, 10], 20).tolist()
    [2.0, 2.0, 4.0, 6.0, 4.0, 2.0]
    """
    c = v.nonnegative("capacities", capacities).reshape(-1)
    need = v.number("amount", amount, "nonneg")
    total = float(c.sum())
    if total == 0.0:
        return np.zeros_like(c)
    return c * min(1.0, need / total)
