"""Sampling error, written once for every page that prints it (dashboard, report, exports).

Light on purpose (``math`` only): the web app imports it for the live dashboard.
"""

from __future__ import annotations

import math
from collections.abc import Callable

#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054


def margin_of_error(n: int, population: int | None = None, p: float = 0.5) -> float | None:
    """Half-width of the 95 % interval of a proportion estimated from ``n`` answers.

    ``p = 0.5`` is the worst case, the figure survey practice quotes. With a known
    population the finite population correction shrinks it (to 0 for a census).
    """
    if n <= 0:
        return None
    moe = Z95 * math.sqrt(p * (1 - p) / n)
    if population and population > 1 and n <= population:
        moe *= math.sqrt((population - n) / (population - 1))
    return moe


def ci_text(low: float | None, high: float | None, write: Callable[[float, int], str]) -> str:
    """A 95 % interval of an index as every page prints it ("58.1–66.0", "58,1–66,0" in French), "" when
    suppressed (NaN). ``write(value, decimals)`` is the page's number formatter (the report's or the app's):
    the reader's language decides the decimal mark."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return ""
    return f"{write(low, 1)}–{write(high, 1)}"
