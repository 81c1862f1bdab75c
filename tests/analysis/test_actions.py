"""analysis.actions and analysis.report.status: which factors are unfavourable; measures in plan order."""

from __future__ import annotations

import pandas as pd

from analysis.actions import WEAK_INDEX, measures_by_factor
from analysis.report.build import all_scores, follow_up, wave_change
from analysis.report.model import ReportInput
from analysis.report.status import factor_status


def _wave(hrm: float, auto: float, n: int = 30, wave: int = 2) -> ReportInput:
    people = [{"respondent": f"w{wave}-{i}", "instrument": "officials", "language": "en"} for i in range(n)]
    answers = []
    for i in range(n):
        jitter = (i % 3) - 1  # values around the mean, so that the test has variance
        answers += [
            {"respondent": f"w{wave}-{i}", "item_id": "hrm_1", "value": hrm + jitter * 0.5, "text": None},
            {"respondent": f"w{wave}-{i}", "item_id": "auto_1", "value": auto + jitter * 0.5, "text": None},
        ]
    items = pd.DataFrame([
        {"instrument": "officials", "item_id": "hrm_1", "type": "likert5", "factor": "hrm", "reverse": False,
         "text": ""},
        {"instrument": "officials", "item_id": "auto_1", "type": "likert5", "factor": "automation", "reverse": False,
         "text": ""},
    ])  # fmt: skip
    return ReportInput(title="t", administration="A", wave=wave, respondents=pd.DataFrame(people),
                       answers=pd.DataFrame(answers), items=items)  # fmt: skip


def test_actions_low_index_and_significant_decline_are_unfavourable() -> None:
    current = _wave(hrm=2.0, auto=3.6)  # hrm index 25: below 50; automation 65 but down from 90
    current.previous = _wave(hrm=2.0, auto=4.6, wave=1)
    status = {s.factor: s for s in factor_status(current)}
    assert status["hrm"].reasons == ["below"] and status["hrm"].indices["officials"] < WEAK_INDEX
    assert status["automation"].reasons == ["worse"] and status["automation"].change < 0
    assert status["automation"].significant and status["automation"].weak


def test_actions_favourable_factor_without_previous_wave_is_not_flagged() -> None:
    status = factor_status(_wave(hrm=4.0, auto=4.0))
    assert all(not s.weak and s.change is None for s in status)


def test_actions_measures_sorted_by_status_then_due_and_shown_beside_change() -> None:
    measures = [
        {"factor": "hrm", "what": "b", "owner": "HR", "due": "2027-03-01", "status": "done"},
        {"factor": "hrm", "what": "a", "owner": "HR", "due": "2027-06-01", "status": "planned"},
        {"factor": "hrm", "what": "c", "owner": "HR", "due": "2027-01-01", "status": "planned"},
    ]
    assert [m["what"] for m in measures_by_factor(measures)["hrm"]] == ["c", "a", "b"]
    current = _wave(hrm=3.0, auto=3.0)
    current.previous = _wave(hrm=2.0, auto=3.0, wave=1)
    current.measures = measures
    rows = follow_up(current, wave_change(current, all_scores(current)))
    assert [(r.factor, r.change) for r in rows] == [("hrm", 25.0)] and rows[0].significant
