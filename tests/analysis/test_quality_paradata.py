"""Speeders measured on the paradata's active time when every record of a questionnaire has it."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from analysis import quality
from tests.analysis.test_quality_flags import _campaign


def test_speeder_by_active_time_when_every_record_carries_paradata() -> None:
    """A tablet left on the consent page for an hour hides a 2-minute interview from elapsed time."""
    records, _ = _campaign()
    records["active_seconds"] = [600.0 + 30 * k for k in range(len(records))]
    records.loc[4, "started_at"] = records.loc[4, "submitted_at"] - timedelta(hours=1)
    records.loc[4, "active_seconds"] = 120.0
    assert quality.speeders(records) == {"r04"}


def test_elapsed_time_when_some_records_lack_paradata() -> None:
    """Active time is shorter than elapsed time: a record measured one way is never held to a median of
    the other (one new tablet's active 200 s against others' elapsed 10-19 minutes is no speeder)."""
    records, _ = _campaign()
    records["active_seconds"] = np.nan
    records.loc[5, "active_seconds"] = 200.0  # its elapsed time is 15 minutes, like the others
    assert quality.speeders(records) == set()
    assert quality.speed_durations(records).equals(quality.durations(records))
