"""Numbers as a reader of the report or the briefing writes them: the one formatter of the analysis side.

CLDR conventions through Babel (installed with Flask-Babel, imported here without Flask): 66.6 is "66,6" in
French, Spanish and Portuguese, 1200 is "1 200" in French (narrow no-break space). Machine outputs (CSV, XLSX,
JSON, aggregates files) never come through here: they keep Python's own numbers.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal
from babel.units import format_unit


def number(value: float | int, decimals: int | None = 0, lang: str = "en", signed: bool = False) -> str:
    """``value`` with ``decimals`` digits (None: as many as it has, up to three) in ``lang``'s format;
    ``signed`` writes "+" before a positive figure (a difference). NaN is "–" (never "NaN")."""
    if isinstance(value, float) and math.isnan(value):
        return "–"
    pattern = None if decimals is None else f"#,##0.{'0' * decimals}" if decimals else "#,##0"
    if signed:
        pattern = f"+{pattern or '#,##0.###'};-{pattern or '#,##0.###'}"
    return format_decimal(value, format=pattern, locale=lang)


def percent(share: float, lang: str = "en") -> str:
    """A share (0.3) as a whole percentage the way the pages print it ("30 %", a space before the sign)."""
    return f"{number(100 * share, 0, lang)} %"


#: Decimal multiples, as Jinja's filesizeformat counts them (1 kB = 1,000 bytes).
_SIZE_UNITS = ("digital-byte", "digital-kilobyte", "digital-megabyte", "digital-gigabyte", "digital-terabyte")


def size(n_bytes: float, lang: str = "en") -> str:
    """A size in bytes the way ``lang`` writes it, with its unit ("64,2 ko" in French, "64.2 kB" in English)."""
    value, unit = float(n_bytes), 0
    while abs(value) >= 1000 and unit < len(_SIZE_UNITS) - 1:
        value, unit = value / 1000, unit + 1
    return format_unit(value, _SIZE_UNITS[unit], length="short", locale=lang, format="#,##0.#" if unit else "#,##0")
