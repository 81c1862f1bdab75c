"""The no-JS form's hidden start time: an edited value never fails the server nor blocks the respondent."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from cips.models import QuarantinedSubmission, Submission
from tests.helpers import officials_answers

FORM = "/s/test/officials/basic?lang=en"


@pytest.mark.parametrize(
    "started_at",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", "1900-01-01T00:00:00+00:00", "2026-01-01T10:00:00"],
)
def test_survey_edited_started_at_is_dropped_and_the_answers_stored(loaded, client, session, started_at) -> None:
    page = client.get(FORM).get_data(as_text=True)
    hidden = dict(re.findall(r'name="(submission_uuid|started_at)"[^>]*value="([^"]*)"', page))
    assert hidden["started_at"]  # the server fills it in
    data = {**hidden, "started_at": started_at, "consent": "y"} | {k: str(v) for k, v in officials_answers().items()}
    resp = client.post(FORM, data=data)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:1000]
    assert 'data-testid="thanks"' in resp.get_data(as_text=True)
    sub = session.exec(select(Submission)).one()
    assert sub.started_at is None and str(sub.uuid) == hidden["submission_uuid"]
    assert session.exec(select(QuarantinedSubmission)).first() is None


def test_survey_started_at_from_the_form_is_kept(loaded, client, session) -> None:
    page = client.get(FORM).get_data(as_text=True)
    hidden = dict(re.findall(r'name="(submission_uuid|started_at)"[^>]*value="([^"]*)"', page))
    data = {**hidden, "consent": "y"} | {k: str(v) for k, v in officials_answers().items()}
    assert client.post(FORM, data=data).status_code == 200
    assert session.exec(select(Submission)).one().started_at.isoformat() == hidden["started_at"]
