"""The small-cell rule, in one place: every figure about fewer than ``MIN_CELL`` respondents is hidden.

A light module (no pandas, no scipy) so that the web app can apply the rule without
loading the statistics stack.
"""

from __future__ import annotations

#: Smallest number of respondents a published figure may describe.
MIN_CELL = 5
#: What is shown instead of a suppressed figure.
SUPPRESSED = f"n<{MIN_CELL}"


def suppress(n: int) -> int | None:
    """A respondent count as it may be shown: 0, or at least ``MIN_CELL``, else ``None`` (n<5)."""
    return n if n == 0 or n >= MIN_CELL else None
