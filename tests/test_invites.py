"""Invitation tokens (online mode) and station PINs: services, CLI and the single write path."""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func
from sqlmodel import select
from werkzeug.security import check_password_hash

from cips.models import Answer, AuditEvent, Campaign, InviteToken, QuarantinedSubmission, Submission
from cips.submissions import direct, service
from cips.submissions.service import _TARGET
from tests.helpers import payload

URL = "/api/v1/submissions"


@pytest.fixture
def online(loaded, runner):
    """Campaign ``web`` in online mode (officials), open to anyone with the link."""
    result = runner.invoke(args=["campaign", "create", "web", "--name", "Web", "--administration", "Test Customs",
                                 "--mode", "online", "--instrument", "officials"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return loaded


def invite(runner, slug: str = "web", count: int = 1, *extra: str) -> list[str]:
    result = runner.invoke(args=["campaign", "invite", slug, "--count", str(count), *extra])
    assert result.exit_code == 0, result.output
    links = result.output.split()
    assert all(link.startswith(f"/s/{slug}?t=") for link in links)
    return [parse_qs(urlparse(link).query)["t"][0] for link in links]


def web(**overrides) -> dict:
    return payload(campaign="web", **overrides)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_invite_cli_prints_links_and_stores_only_hashes(online, runner, session) -> None:
    tokens = invite(runner, "web", 3)
    assert len(set(tokens)) == 3 and all(len(t) >= 20 for t in tokens)
    stored = {row.token_hash for row in session.exec(select(InviteToken))}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not any(t in stored for t in tokens)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "campaign.invite")).one()
    assert event.details == {"count": 3, "invite_only": False}
    base = runner.invoke(args=["campaign", "invite", "web", "--base-url", "https://survey.example.org/"])
    assert base.output.startswith("https://survey.example.org/s/web?t=")


def test_invite_cli_refuses_station_campaigns_and_bad_counts(online, runner) -> None:
    station = runner.invoke(args=["campaign", "invite", "test"])
    assert station.exit_code != 0 and "online mode" in station.output
    assert runner.invoke(args=["campaign", "invite", "web", "--count", "0"]).exit_code != 0
    unknown = runner.invoke(args=["campaign", "invite", "nope"])
    assert unknown.exit_code != 0 and "no campaign" in unknown.output


def test_token_lets_one_submission_in(online, runner, client, session) -> None:
    [token] = invite(runner)
    body = web(invite_token=token)
    assert client.post(URL, json=body).status_code == 201
    row = session.exec(select(InviteToken)).one()
    assert str(row.used_by_uuid) == body["uuid"] and row.used_at is not None
    # A retry of the same record (lost acknowledgement) is still the same record.
    again = client.post(URL, json=body)
    assert again.status_code == 200 and again.get_json()["status"] == "stored"
    # Another respondent with the same link: refused clearly, kept in quarantine.
    other = web(invite_token=token)
    resp = client.post(URL, json=other)
    assert resp.status_code == 409
    data = resp.get_json()
    assert data["field"] == "invite_token" and data["error"] == "this invitation link has already been used"
    assert count(session, Submission) == 1
    [kept] = session.exec(select(QuarantinedSubmission)).all()
    assert json.loads(kept.raw_body) == other and kept.status_code == 409 and kept.field == "invite_token"


def test_unknown_token_is_422_and_quarantined(online, runner, client, session) -> None:
    invite(runner)
    resp = client.post(URL, json=web(invite_token="not-a-real-token"))
    assert resp.status_code == 422
    assert resp.get_json()["field"] == "invite_token"
    assert count(session, QuarantinedSubmission) == 1 and count(session, Submission) == 0
    # A token of another campaign is unknown here too.
    runner.invoke(args=["campaign", "create", "web2", "--name", "W2", "--administration", "Test Customs",
                        "--mode", "online", "--instrument", "officials"])  # fmt: skip
    [elsewhere] = invite(runner, "web2")
    assert client.post(URL, json=web(invite_token=elsewhere)).status_code == 422


def test_invite_only_campaign_refuses_submissions_without_token(online, runner, client, session) -> None:
    assert client.post(URL, json=web()).status_code == 201  # open link: anyone may answer
    [token] = invite(runner, "web", 1, "--require")
    assert session.exec(select(Campaign).where(Campaign.slug == "web")).one().invite_only
    resp = client.post(URL, json=web())
    assert resp.status_code == 422 and resp.get_json()["field"] == "invite_token"
    assert client.post(URL, json=web(invite_token=token)).status_code == 201


def test_invite_only_flag_at_creation_is_for_online_mode(loaded, runner) -> None:
    base = ["campaign", "create", "x1", "--name", "X", "--administration", "Test Customs", "--instrument", "officials"]
    refused = runner.invoke(args=[*base, "--invite-only"])
    assert refused.exit_code != 0 and "online mode" in refused.output
    ok = runner.invoke(args=[*base, "--invite-only", "--mode", "online"])
    assert ok.exit_code == 0, ok.output


def test_one_token_two_concurrent_respondents_one_row(online, runner, app, session) -> None:
    [token] = invite(runner)
    bodies = [web(invite_token=token) for _ in range(6)]

    def post(body: dict) -> int:
        return app.test_client().post(URL, json=body).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, bodies))
    # One gets in; the others are refused (409), or asked to retry (503) if the database was busy.
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409, 503}
    assert count(session, Submission) == 1
    row = session.exec(select(InviteToken)).one()
    assert str(row.used_by_uuid) == str(session.exec(select(Submission)).one().uuid)


def test_set_pin_cli_hashes_a_4_to_8_digit_pin(loaded, runner, session) -> None:
    result = runner.invoke(args=["campaign", "set-pin", "test"], input="12a4\n5678\n5678\n")
    assert result.exit_code == 0, result.output
    assert "4 to 8 digits" in result.output  # the bad entry was refused and asked again
    campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
    assert campaign.station_pin_hash.startswith("pbkdf2:sha256:")
    assert "5678" not in campaign.station_pin_hash and check_password_hash(campaign.station_pin_hash, "5678")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "campaign.set_pin")).one().details == {}
    cleared = runner.invoke(args=["campaign", "set-pin", "test", "--clear"])
    assert cleared.exit_code == 0
    session.expire_all()
    assert session.exec(select(Campaign).where(Campaign.slug == "test")).one().station_pin_hash is None


def test_set_pin_is_for_station_campaigns(online, runner) -> None:
    result = runner.invoke(args=["campaign", "set-pin", "web"], input="1234\n1234\n")
    assert result.exit_code != 0 and "station mode" in result.output
    mismatch = runner.invoke(args=["campaign", "set-pin", "test"], input="1234\n4321\n")
    assert mismatch.exit_code != 0  # confirmation differs: nothing set


def test_basic_form_carries_the_invitation_token(online, runner, client, session) -> None:
    from tests.helpers import officials_answers

    [token] = invite(runner, "web", 1, "--require")
    page = client.get(f"/s/web/officials/basic?lang=en&t={token}").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(submission_uuid|started_at|invite_token)"[^>]*value="([^"]*)"', page))
    assert hidden["invite_token"] == token
    form = {**hidden, "consent": "y", **{k: str(v) for k, v in officials_answers().items()}}
    assert client.post("/s/web/officials/basic?lang=en", data=form).status_code == 200
    assert str(session.exec(select(InviteToken)).one().used_by_uuid) == hidden["submission_uuid"]
    # The same link on a new form: refused with the clear message, nothing stored twice.
    page = client.get(f"/s/web/officials/basic?lang=en&t={token}").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(submission_uuid|started_at|invite_token)"[^>]*value="([^"]*)"', page))
    resp = client.post("/s/web/officials/basic?lang=en", data={**form, **hidden})
    assert resp.status_code == 409 and "already been used" in resp.get_data(as_text=True)
    assert count(session, Submission) == 1


def test_invitation_claim_is_written_by_the_direct_writer_in_its_transaction(online, runner, app, client, session,
                                                                             monkeypatch) -> None:  # fmt: skip
    """A submission with an invitation goes through the one plaintext writer, claim included; a claim
    lost between the check and the write rolls its rows back, and the respondent is told why."""
    [token] = invite(runner)
    writer = direct.writer_for(app.extensions["cips_engine"], _TARGET)
    works: list = []
    submit = writer.group.submit
    monkeypatch.setattr(writer.group, "submit", lambda work: works.append(work) or submit(work))
    first = web(invite_token=token)
    assert client.post(URL, json=first).status_code == 201
    assert len(works) == 1 and works[0][2] is not None  # the claim travels with the rows it lets in
    answers = count(session, Answer)

    # Another respondent whose check saw the token free (the race): the writer's claim finds it taken.
    stale = InviteToken.model_validate(session.exec(select(InviteToken)).one().model_dump())
    stale.used_by_uuid = None
    monkeypatch.setattr(service, "find_invite", lambda *_args: (stale, None))
    second = web(invite_token=token)
    resp = client.post(URL, json=second)
    assert resp.status_code == 409 and resp.get_json()["field"] == "invite_token"
    assert count(session, Submission) == 1 and count(session, Answer) == answers  # its rows rolled back
    session.expire_all()
    assert str(session.exec(select(InviteToken)).one().used_by_uuid) == first["uuid"]
    [kept] = session.exec(select(QuarantinedSubmission)).all()
    assert json.loads(kept.raw_body) == second and kept.status_code == 409
