"""Exports carry each open answer's codes: labels, primary, and who coded it (a person or the model)."""

from __future__ import annotations

import io

import pandas as pd
from sqlmodel import Session

from cips.models import Campaign
from cips.services.coding import current_model_digest, open_answers, record_decision, suggest
from cips.services.exports import build_export
from tests.review.conftest import TEXTS, KeywordModel


def test_export_has_the_reviewed_codes_and_says_which_are_machine_only(answered: Campaign, session: Session) -> None:
    suggest(session, answered, KeywordModel(), current_model_digest())
    first = open_answers(session, answered)[0]
    record_decision(session, answered, first.answer_id, ["culture", "hrm"], "culture", actor="r@example.org")
    out = build_export(session, answered, "csv", instrument="officials", actor="test")
    frame = pd.read_csv(io.BytesIO(out.data), dtype=str, keep_default_na=False)
    assert {"open_change_first_labels", "open_change_first_primary", "open_change_first_coded_by"} <= set(frame.columns)
    reviewed = frame[frame["open_change_first"] == first.text].iloc[0]
    assert (reviewed["open_change_first_labels"], reviewed["open_change_first_primary"],
            reviewed["open_change_first_coded_by"]) == ("culture hrm", "culture", "reviewer")  # fmt: skip
    machine = frame[frame["open_change_first"] == TEXTS[2][1]].iloc[0]
    assert (machine["open_change_first_labels"], machine["open_change_first_coded_by"]) == ("automation", "model")
    assert (frame["open_works_coded_by"] == "").all()  # nobody answered it: nothing coded
    assert (frame["open_change_first_coded_by"] == "model").sum() == len(TEXTS) - 1
