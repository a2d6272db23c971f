"""The token as the backstop: a surplus buffer that burns, and a deficit that mints.

A venue's own token can sit on both sides of its balance sheet. MakerDAO's is the reference
design [1]_ [2]_: liquidation penalties and stability fees accrue to a **surplus buffer**; once it
holds more than ``hump + bump`` a **surplus (flap) auction** sells ``bump`` of it for MKR, which is
burned; and when bad debt leaves the buffer ``sump`` or more short, a **debt (flop) auction**
*mints* MKR and sells it for ``sump``. Burns in good times, dilution in bad: the token's holders
are the backstop. Two pieces:

* :func:`token_sale`: mint (or sell) the fewest tokens that raise a quote-currency target from the
  token's bids (a :mod:`liqlib.engine.book` ladder): the sale pays its own impact, and a thin book
  may not raise the target at all, whatever the number of tokens;
* :func:`surplus_buffer`: the buffer through a series of periods of income and losses, with the
  flap and flop rules and the token supply they move.

The wrong-way loop follows from the two: the deficit is largest after the largest fall, when the
token, if it falls with the market, is cheapest, so each unit of deficit mints more tokens, and
the sale itself pushes the price further down. FTX's FTT, an exchange token that also collateralised
the exchange's affiliate, is the case where that loop ran to the end.

References
----------
.. [1] MakerDAO, "Vow - Detailed Documentation",
   https://docs.makerdao.com/smart-contract-modules/system-stabilizer-module/vow-detailed-documentation
   (read 2026-12-03): "sump: debt auction bid size, i.e. the fixed debt quantity to be covered by
   any one debt auction", "bump: surplus auction lot size, i.e. the fixed surplus quantity to be
   sold by any one surplus auction", "hump: surplus buffer, must be exceeded before surplus
   auctions are possible".
.. [2] MakerDAO governance manual, "System Surplus Buffer" (parameter ``hump``),
   https://github.com/makerdao/governance-manual/blob/main/parameter-index/core/param-system-surplus-buffer.md
   (read 2026-12-03): "As revenue comes in, the total amount of DAI inside the System Surplus
   Buffer increases until it reaches: Maximum System Surplus (hump) + Surplus Lot Size (bump). At
   that point, a FLAP auction can be triggered and DAI is auctioned off for MKR. This purchased
   MKR is then burned." and "every time the system loses money (bad debt), it mints MKR, sells
   it, and buys DAI."
.. [3] MakerDAO, "Flopper - Detailed Documentation",
   https://docs.makerdao.com/smart-contract-modules/system-stabilizer-module/flop-detailed-documentation
   (read 2026-12-03): "Debt Auctions are used to recapitalize the system by auctioning off MKR for
   a fixed amount of DAI."
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..core import _validate as v
from ..engine.book import Ladder, check_ladder
from .burn import _boundary, buyback


@dataclass(frozen=True)
class TokenSale:
    """What a sale of tokens raised. Fields are floats, or arrays for an array of targets.

    Attributes
    ----------
    target : float or ndarray
        Quote currency wanted.
    tokens : float or ndarray
        Tokens sold (minted, for a debt auction).
    proceeds : float or ndarray
        Quote currency raised (``<= target``; less only when the bids ran out).
    vwap : float or ndarray
        ``proceeds / tokens``, the average price received (``nan`` where nothing was sold).
    shortfall : float or ndarray
        ``target - proceeds``: what the book could not raise.
    """

    target: Any
    tokens: Any
    proceeds: Any
    vwap: Any
    shortfall: Any


def token_sale(target: ArrayLike, token_price: ArrayLike, ladder: Ladder | None = None
               ) -> TokenSale:
    """Sell the fewest tokens whose proceeds reach ``target``, at a price or down a ladder.

    With a ladder (the token's bids, measured from ``token_price``; see :mod:`liqlib.engine.book`)
    ``Q`` tokens raise ``P * (Q - A(Q))``, where ``A`` is the ladder's area: the sale pays its own
    impact. The proceeds rise with ``Q`` up to the ladder's capacity, so the most a sale can raise
    is ``P * (C - A(C))``; a larger target sells the whole ladder and leaves a ``shortfall``.
    Otherwise ``Q`` is the smallest quantity that raises the target, found by bisection to the
    last bit. Without a ladder every token fetches ``token_price``.

    Parameters
    ----------
    target : float or array
        Quote currency to raise (>= 0).
    token_price : float or array
        Token price before the sale (> 0), quote per token.
    ladder : Ladder, optional
        The token's bid side; ``None`` sells at ``token_price`` with no impact.

    Returns
    -------
    TokenSale

    Raises
    ------
    ValueError
        If ``target`` is negative or not finite, or ``token_price`` is not positive.

    References
    ----------
    MakerDAO's debt auction, module references [2]_ [3]_.

    Examples
    --------
    The published outcome of MakerDAO's debt auctions after Black Thursday, 5.3 million DAI
    raised for 20,980 newly minted MKR, is an average of 252.6 DAI per MKR. At that price, with
    no impact:

    >>> sale = token_sale(5_300_000, 5_300_000 / 20_980)
    >>> round(sale.tokens), sale.shortfall
    (20980, 0.0)

    With 2,000 MKR per 1% on the bids the same sale needs more tokens, and a book of 20 MKR per
    1% (2,000 MKR down to zero) cannot raise it at all:

    >>> from liqlib.engine.book import flat_ladder
    >>> round(token_sale(5_300_000, 252.6, flat_ladder(2_000)).tokens)
    22216
    >>> thin = token_sale(5_300_000, 252.6, flat_ladder(20))
    >>> round(thin.tokens), round(thin.proceeds), round(thin.shortfall)
    (2000, 252600, 5047400)
    """
    target_arr = v.nonnegative("target", target)
    price_arr = v.positive("token_price", token_price)
    v.shapes(target=target_arr, token_price=price_arr)
    t, p = np.broadcast_arrays(target_arr, price_arr)
    t, p = t.astype(float), p.astype(float)
    if ladder is not None:
        check_ladder("ladder", ladder)
    if ladder is None:
        tokens = t / p
        proceeds = t.copy()
    else:
        def raised(q: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.asarray(p * (q - ladder.area(q)), dtype=float)

        cap = np.full_like(t, float(ladder.capacity))
        most = raised(cap)
        enough = most >= t
        # Each token fetches at most P, so at least target / P are needed.
        lo = np.where(enough, np.minimum(t / p, cap), cap)

        def short(q: NDArray[np.float64]) -> NDArray[np.bool_]:
            return np.asarray(raised(q) < t)

        _, hi = _boundary(short, lo, cap)
        at_lo = ~short(lo)
        tokens = np.where(enough, np.where(at_lo, lo, hi), cap)
        tokens = np.where(t > 0, tokens, 0.0)
        proceeds = np.where(enough, t, most)
        proceeds = np.where(t > 0, proceeds, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        vwap = np.where(tokens > 0, proceeds / tokens, np.nan)
    return TokenSale(
        target=v.scalar_or_array(t),
        tokens=v.scalar_or_array(tokens),
        proceeds=v.scalar_or_array(proceeds),
        vwap=v.scalar_or_array(vwap),
        shortfall=v.scalar_or_array(t - proceeds),
    )


@dataclass(frozen=True)
class SurplusBufferRun:
    """The surplus buffer, its auctions and the token supply over the periods.

    Arrays of length ``T`` are per period; ``buffer`` and ``supply`` have ``T + 1`` entries, the
    value before the first period and after each. Quote amounts are in the buffer's currency.

    Attributes
    ----------
    buffer : ndarray
        Surplus net of bad debt (negative: a deficit not yet covered).
    flaps, flops : ndarray of int
        Surplus and debt auctions run in each period.
    burned : ndarray
        Tokens bought by the flap auctions and burned.
    minted : ndarray
        Tokens minted and sold by the flop auctions.
    raised : ndarray
        Quote currency the flop auctions raised.
    shortfall : ndarray
        What the flop auctions of a period wanted and the token's bids could not pay.
    supply : ndarray
        Token supply.
    token_price : ndarray
        Token price each period's auctions traded at (before their own impact).
    """

    buffer: NDArray[np.float64]
    flaps: NDArray[np.intp]
    flops: NDArray[np.intp]
    burned: NDArray[np.float64]
    minted: NDArray[np.float64]
    raised: NDArray[np.float64]
    shortfall: NDArray[np.float64]
    supply: NDArray[np.float64]
    token_price: NDArray[np.float64]

    @property
    def net_burned(self) -> float:
        """Tokens burned less tokens minted over all periods (negative: net dilution)."""
        return float(self.burned.sum() - self.minted.sum())


def surplus_buffer(
    income: ArrayLike,
    losses: ArrayLike,
    *,
    hump: float,
    bump: float,
    sump: float,
    supply: float,
    token_price: ArrayLike,
    buffer: float = 0.0,
    asks: Ladder | None = None,
    bids: Ladder | None = None,
) -> SurplusBufferRun:
    """MakerDAO's surplus buffer: flap auctions burn the token, flop auctions mint it.

    Each period the buffer ``B`` (surplus net of bad debt) takes the period's income (liquidation
    penalties, fees) and its losses (bad debt). Then, as the Vow does [1]_ [2]_:

    * if ``B >= hump + bump``, ``n = floor((B - hump) / bump)`` flap auctions each sell ``bump``
      for the token, which is burned (:func:`~liqlib.systemic.burn.buyback` on ``asks``);
    * if ``B <= -sump``, ``m = floor(-B / sump)`` flop auctions each mint tokens and sell them
      for ``sump`` (:func:`token_sale` on ``bids``); a deficit smaller than ``sump`` waits.

    All the auctions of a period trade in one go against the period's book, which refills
    between periods. Simplifications: the Vow's debt queue (``wait``) is left out, so bad debt
    can be auctioned in the period it appears; the auctions clear at the token's market price
    through its book (a real auction can clear below it).

    Parameters
    ----------
    income, losses : array
        Per period (>= 0), quote currency, of one length ``T``.
    hump : float
        Surplus buffer (>= 0) to keep before any flap.
    bump, sump : float
        Flap lot and flop bid sizes (> 0), quote currency.
    supply : float
        Token supply before the first period (> 0).
    token_price : float or array
        Token price (> 0), one value or one per period.
    buffer : float
        Buffer before the first period (any sign).
    asks, bids : Ladder, optional
        The token's book for the flaps' buybacks and the flops' sales; ``None`` trades without
        impact.

    Returns
    -------
    SurplusBufferRun

    Raises
    ------
    ValueError
        For negative income or losses, arrays of different lengths, non-positive lot sizes,
        supply or token price.

    References
    ----------
    Module references [1]_ [2]_ [3]_.

    Examples
    --------
    A buffer of 1,000 that keeps 1,000 and sells lots of 100: income of 250 runs two flaps that
    burn 2 tokens at 100 (the buffer keeps 1,050); a loss of 1,200 leaves it 150 short, which
    waits (less than one flop bid of 200); a further loss of 250 makes it 400 short, and two flops
    mint 4 tokens to cover it:

    >>> run = surplus_buffer([250, 0, 0], [0, 1_200, 250], hump=1_000, bump=100, sump=200,
    ...                      supply=1_000, token_price=100, buffer=1_000)
    >>> run.buffer.tolist(), run.flaps.tolist(), run.flops.tolist()
    ([1000.0, 1050.0, -150.0, 0.0], [2, 0, 0], [0, 0, 2])
    >>> run.supply.tolist()
    [1000.0, 998.0, 998.0, 1002.0]
    """
    inc = v.nonnegative("income", income).reshape(-1)
    loss = v.nonnegative("losses", losses).reshape(-1)
    if inc.shape != loss.shape:
        raise ValueError(
            f"income and losses must have one value per period each, got {inc.size} and "
            f"{loss.size}"
        )
    keep = v.number("hump", hump, "nonneg")
    lot = v.number("bump", bump, "pos")
    bid = v.number("sump", sump, "pos")
    s0 = v.number("supply", supply, "pos")
    b = v.number("buffer", buffer)
    periods = inc.size
    prices = v.positive("token_price", token_price)
    if prices.ndim == 0:
        prices = np.full(periods, float(prices))
    elif prices.shape != (periods,):
        raise ValueError(
            f"token_price must be one price or one per period ({periods}), got shape "
            f"{prices.shape}"
        )
    buffers, supplies = [b], [s0]
    flaps, flops = np.zeros(periods, np.intp), np.zeros(periods, np.intp)
    burned, minted = np.zeros(periods), np.zeros(periods)
    raised, shortfall = np.zeros(periods), np.zeros(periods)
    for t in range(periods):
        b += float(inc[t] - loss[t])
        price = float(prices[t])
        if b >= keep + lot:
            n = math.floor((b - keep) / lot)
            bought = buyback(n * lot, price, asks)
            flaps[t], burned[t] = n, float(bought.tokens)
            b -= float(bought.spent)
        elif b <= -bid:
            m = math.floor(-b / bid)
            sale = token_sale(m * bid, price, bids)
            flops[t], minted[t] = m, float(sale.tokens)
            raised[t], shortfall[t] = float(sale.proceeds), float(sale.shortfall)
            b += float(sale.proceeds)
        buffers.append(b)
        supplies.append(supplies[-1] + minted[t] - burned[t])
    return SurplusBufferRun(
        buffer=np.asarray(buffers), flaps=flaps, flops=flops, burned=burned, minted=minted,
        raised=raised, shortfall=shortfall, supply=np.asarray(supplies),
        token_price=prices.astype(float),
    )
