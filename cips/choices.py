"""Select options for WTForms fields, in the form WTForms 3.4 will require (no bare tuples)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """``[(value, label), …]`` → ``SelectChoice`` list (labels may be lazy translations)."""
    return [SelectChoice(value, label) for value, label in pairs]
