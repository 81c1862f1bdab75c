"""The campaign the export tests read."""

from __future__ import annotations

from typing import Any

import pytest

from tests.exports.support import (
    FORMULAS,
    FORMULAS_2,
    post,
    private_answers,
)
from tests.helpers import PRIVATE_VERSION, officials_answers


@pytest.fixture
def answered(loaded, client) -> dict[str, list[dict[str, Any]]]:
    """Campaign ``test``: 3 officials in the north, 5 in the south (two with formula-like answers),
    and 5 private-sector respondents."""
    north = [post(client, answers=dict(officials_answers(), bg_region="north", lead_1=1 + i)) for i in range(3)]
    south = [post(client, language="en", answers=dict(officials_answers(), bg_region="south", **extra))
             for extra in (FORMULAS, FORMULAS_2, {}, {}, {})]  # fmt: skip
    private = [post(client, instrument="private_sector", instrument_version=PRIVATE_VERSION, language="es",
                    answers=private_answers()) for _ in range(5)]  # fmt: skip
    return {"north": north, "south": south, "private": private}
