"""Examples the manager pages show, made from the questionnaires' real items and values.

Hand-written examples ("region=north") drifted from the shipped questionnaires (the item is
``bg_region``) and the pages' own examples were refused; these are built from the strata each
questionnaire declares, so they are always accepted (tests submit every example shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _strata_values(definition: Any) -> list[tuple[str, str]]:
    """``(item, first value)`` of each stratum item of a questionnaire, in its order."""
    items = definition.item_map()
    return [(s, items[s].choices[0].value) for s in definition.strata if s in items and items[s].choices]


def filter_examples(definitions: Mapping[str, Any]) -> list[str]:
    """Export filters over one and two stratum items of the first questionnaire that has strata."""
    for definition in definitions.values():
        pairs = _strata_values(definition)
        if pairs:
            return [",".join(f"{item}={value}" for item, value in pairs[:n]) for n in range(1, min(2, len(pairs)) + 1)]
    return []


def quota_example(definitions: Mapping[str, Any]) -> str | None:
    """A target line for the quota box: ``officials: bg_region=headquarters,bg_function=clearance = 40 / 320``."""
    for key, definition in definitions.items():
        pairs = _strata_values(definition)
        if pairs:
            return f"{key}: {','.join(f'{item}={value}' for item, value in pairs[:2])} = 40 / 320"
    return None
