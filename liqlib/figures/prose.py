"""Numbers and tables for a chapter's prose, the same in JupyterLab and on the site.

A chapter states its numbers with MyST inline expressions, ``{eval}`money(price, 2)```, evaluated in
the chapter's kernel: by jupyterlab-myst when a reader runs the chapter in JupyterLab, and by
myst-nb's inline execution when the site is built. Both show a string result without its quotes,
so these helpers return plain strings, formatted the way the book prints money, rates and counts.
Tables are Markdown (``IPython.display.Markdown``), which both surfaces render; MyST roles inside
them are not parsed on the site, so table cells hold plain text and math only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: What a table or a sentence prints for a value that does not exist (no liquidation price, a
#: bankrupt account's leverage): a dash, never "nan" or "inf".
MISSING = "—"


def _real(x: Any) -> float | None:
    # None, NaN and infinities print as MISSING; anything else must be a real number.
    if x is None:
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def money(x: Any, digits: int = 0) -> str:
    """An amount with thousands separators: ``money(1234.5, 2) == "1,234.50"``.

    ``None``, NaN and infinities print as an em dash.

    >>> money(45681.8214, 2), money(-1500), money(float("nan"))
    ('45,681.82', '-1,500', '—')
    """
    value = _real(x)
    return MISSING if value is None else f"{value:,.{digits}f}"


def num(x: Any, digits: int = 2) -> str:
    """A plain number with ``digits`` decimals and no separators: ``num(0.12345, 3) == "0.123"``.

    >>> num(2.0 / 3.0), num(12, 0)
    ('0.67', '12')
    """
    value = _real(x)
    return MISSING if value is None else f"{value:.{digits}f}"


def pct(x: Any, digits: int = 1) -> str:
    """A fraction as a percentage: ``pct(0.0125, 2) == "1.25%"``.

    >>> pct(0.005), pct(0.0125, 2)
    ('0.5%', '1.25%')
    """
    value = _real(x)
    return MISSING if value is None else f"{value:.{digits}%}"


def bps(x: Any, digits: int = 1) -> str:
    """A fraction in basis points: ``bps(0.00125) == "12.5 bp"``.

    >>> bps(0.00125), bps(-0.0003, 0)
    ('12.5 bp', '-3 bp')
    """
    value = _real(x)
    return MISSING if value is None else f"{value * 1e4:.{digits}f} bp"


def markdown_table(
    head: Sequence[str], rows: Sequence[Sequence[Any]], align: Sequence[str] | None = None
) -> Any:
    """A Markdown table (``IPython.display.Markdown``) from a header and rows of cells.

    ``align`` holds one Markdown alignment marker per column (``"---"`` left, ``"--:"`` right,
    ``":-:"`` centred); by default every column is left-aligned. Cells are printed with ``str``.

    >>> markdown_table(["venue", "rate"], [["Binance", pct(0.004)]]).data.splitlines()
    ['| venue | rate |', '|---|---|', '| Binance | 0.4% |']
    """
    from IPython.display import Markdown

    align = list(align) if align is not None else ["---"] * len(head)
    if len(align) != len(head):
        raise ValueError(f"align must hold one marker per column ({len(head)}), got {len(align)}")
    for number, row in enumerate(rows):
        if len(row) != len(head):
            raise ValueError(
                f"rows[{number}] has {len(row)} cells, the header {len(head)} columns"
            )
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return Markdown("\n".join(lines))
