"""The no-JavaScript form explains whole-submission refusals in the respondent's language."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlmodel import select

from cips.models import Campaign, QuarantinedSubmission, Submission
from cips.survey.i18n import ui
from cips.survey.notices import ALREADY_SENT
from tests.helpers import officials_answers, payload

FR = ui("fr")


@pytest.fixture
def invite_only(loaded, runner):
    """Online campaign ``web`` (officials) that accepts invited respondents only; returns one token."""
    created = runner.invoke(args=["campaign", "create", "web", "--name", "Web", "--administration", "Test Customs",
                                  "--mode", "online", "--instrument", "officials", "--invite-only"])  # fmt: skip
    assert created.exit_code == 0, created.output
    links = runner.invoke(args=["campaign", "invite", "web", "--count", "1"])
    assert links.exit_code == 0, links.output
    return links.output.strip().split("?t=")[1]


def _form_data(page: str, answers: dict) -> dict:
    hidden = dict(re.findall(r'name="(submission_uuid|started_at|invite_token)"[^>]*value="([^"]*)"', page))
    return {**hidden, "consent": "y", **{k: str(v) for k, v in answers.items()}}


def test_survey_invite_only_form_says_invitation_needed_before_the_questions(invite_only, client) -> None:
    for url in ("/s/web/officials/basic?lang=fr", "/s/web/basic?lang=fr"):
        response = client.get(url)
        assert response.status_code == 403, url
        page = html_lib.unescape(response.get_data(as_text=True))
        assert FR["invite_needed"] in page and 'data-testid="survey-form"' not in page
    with_link = client.get(f"/s/web/officials/basic?lang=fr&t={invite_only}")
    assert with_link.status_code == 200 and 'data-testid="survey-form"' in with_link.get_data(as_text=True)


def test_survey_used_or_unknown_invitation_is_explained_in_french(invite_only, client, session) -> None:
    for token, key, status in ((invite_only, "invite_used", 409), ("not-a-token", "invite_unknown", 422)):
        page = client.get(f"/s/web/officials/basic?lang=fr&t={token}").get_data(as_text=True)
        if key == "invite_used":  # someone else answered with this link in the meantime
            first = client.post("/api/v1/submissions", json=payload(campaign="web", invite_token=token))
            assert first.status_code == 201
        response = client.post("/s/web/officials/basic?lang=fr", data=_form_data(page, officials_answers()))
        assert response.status_code == status
        html = html_lib.unescape(response.get_data(as_text=True))
        assert FR[key] in html
        assert "Invite Token" not in html and "invitation link" not in html  # no raw field name, no English
    assert len(session.exec(select(QuarantinedSubmission)).all()) == 2  # refused, yet kept verbatim


def test_survey_back_and_resubmit_with_changed_answers_is_explained(loaded, client, session) -> None:
    page = client.get("/s/test/officials/basic?lang=fr").get_data(as_text=True)
    answers = officials_answers()
    assert client.post("/s/test/officials/basic?lang=fr", data=_form_data(page, answers)).status_code == 200
    changed = dict(answers, lead_1=1 if answers["lead_1"] != 1 else 2)
    again = client.post("/s/test/officials/basic?lang=fr", data=_form_data(page, changed))
    assert again.status_code == 409
    html = html_lib.unescape(again.get_data(as_text=True))
    assert ALREADY_SENT["fr"] in html and "different content" not in html and "Uuid" not in html
    assert len(session.exec(select(Submission)).all()) == 1


def test_survey_campaign_without_languages_is_not_a_server_error(loaded, client, session) -> None:
    campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
    campaign.languages = []  # as made by `cips campaign create --languages ""` before it was refused
    session.add(campaign)
    session.commit()
    for url in ("/s/test", "/s/test/basic", "/s/test/officials/basic", "/s/test/manifest.webmanifest"):
        assert client.get(url).status_code < 500, url
