"""Action plans' rules: when a factor is unfavourable, what a measure's status can be.

A factor is *unfavourable* when a questionnaire's index for it is below :data:`WEAK_INDEX`
(the scale's midpoint: more disagreement than agreement with the favourable statements), or
when it is significantly worse than the previous wave (Holm-corrected, as the report prints);
``analysis.report.build.factor_status`` applies it to the report's own figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

#: An index (0-100) below this is unfavourable.
WEAK_INDEX = 50.0


class MeasureStatus(StrEnum):
    """Where a measure stands; a plan lists its measures in this order."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


def measures_by_factor(measures: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Measures grouped per factor, each group in status order then due date."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for m in measures:
        grouped.setdefault(m["factor"], []).append(m)
    rank = {status.value: i for i, status in enumerate(MeasureStatus)}
    for rows in grouped.values():
        rows.sort(key=lambda m: (rank.get(m["status"], len(rank)), str(m.get("due") or "")))
    return grouped
