"""Builders of valid payloads for tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

FORMS_DIR = Path(__file__).parents[1] / "forms"


def shipped_version(key: str) -> int:
    """The version of a shipped questionnaire in forms/ (the one a campaign without a pin uses)."""
    return int(yaml.safe_load((FORMS_DIR / f"{key}.yaml").read_text(encoding="utf-8"))["version"])


#: Shipped versions, read from the files so that bumping a questionnaire needs no test edit.
OFFICIALS_VERSION, PRIVATE_VERSION = shipped_version("officials"), shipped_version("private_sector")
#: The same as ``--instrument`` / form values (``officials:2``).
OFFICIALS_PIN, PRIVATE_PIN = f"officials:{OFFICIALS_VERSION}", f"private_sector:{PRIVATE_VERSION}"


def officials_answers() -> dict[str, Any]:
    """A complete, valid answer set for forms/officials.yaml (and its archived version 1)."""
    answers: dict[str, Any] = {"bg_years": "y6_10", "bg_function": "clearance", "bg_grade": "middle",
                               "bg_region": "north", "bg_office": "seaport"}  # fmt: skip
    prefixes = ["lead", "reg", "transp", "auto", "reform", "audit", "conduct", "hrm", "culture", "ps"]
    for n, prefix in enumerate(prefixes):
        for i in range(1, 7):
            answers[f"{prefix}_{i}"] = (n + i) % 5 + 1
    answers["open_change_first"] = "Rotation des agents et salaires décents."
    return answers


def payload(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    data: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "campaign": "test",
        "instrument": "officials",
        "instrument_version": OFFICIALS_VERSION,
        "language": "fr",
        "device_id": "tablet-07",
        "started_at": (now - timedelta(minutes=14)).isoformat(),
        "submitted_at": now.isoformat(),
        "answers": officials_answers(),
    }
    data.update(overrides)
    return data


class Clock:
    """A clock a test moves by hand (counter stores take it as ``store.clock``): no sleeping."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:  # the first second of a minute and of an hour
        self.now = now

    def __call__(self) -> float:
        return self.now
