"""The quarantine cannot be used to fill the disk: oversized bodies keep a prefix only, and what
refused bodies may add is bounded per hour, per client address and in all (503 + Retry-After,
nothing stored, the device keeps its record). Counters run on an injected clock."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlmodel import select

from cips.config import QUARANTINE_PREFIX_BYTES
from cips.models import QuarantinedSubmission, Submission
from cips.submissions.budget import ADDRESS_SHARE, ROW_OVERHEAD, quarantined_bytes
from tests.helpers import Clock, payload

URL = "/api/v1/submissions"
ROW = QUARANTINE_PREFIX_BYTES + ROW_OVERHEAD  # what one oversized body costs the budget


@pytest.fixture
def clock(app) -> Clock:
    clock = Clock()
    app.extensions["cips_counters"].clock = clock
    return clock


def oversized(app, device: str) -> bytes:
    body = payload(device_id=device)
    body["answers"]["open_other"] = "x" * (2 * app.config["MAX_SUBMISSION_BYTES"])
    return json.dumps(body).encode()


def post(client, raw: bytes, address: str = "203.0.113.5"):
    return client.post(URL, data=raw, content_type="application/json", environ_base={"REMOTE_ADDR": address})


def rows(session) -> int:
    return session.exec(select(func.count()).select_from(QuarantinedSubmission)).one()


def test_quarantine_keeps_only_a_prefix_of_an_oversized_body(loaded, client, session, clock) -> None:
    raw = oversized(loaded, "tablet-1")
    response = post(client, raw)
    assert response.status_code == 413 and response.get_json()["field"] == "body"
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.truncated and row.raw_body == raw[:QUARANTINE_PREFIX_BYTES] and row.body_size == len(raw)
    assert row.claimed_campaign is None  # the prefix is not JSON: nothing claimed, nothing parsed


def test_quarantine_flood_with_rotating_device_ids_is_bounded(loaded, client, session, clock) -> None:
    """The attack: one anonymous client, oversized bodies, a new device id each time."""
    loaded.config["QUARANTINE_BYTES_PER_HOUR"] = 16 * ROW
    share = 16 * ROW // ADDRESS_SHARE // ROW  # rows one address may add per hour: 2
    codes = [post(client, oversized(loaded, f"forged-{n}")).status_code for n in range(10)]
    assert codes == [413] * share + [503] * (10 - share)
    assert rows(session) == share
    refused = post(client, oversized(loaded, "forged-x"))
    assert refused.headers["Retry-After"] == "3600" and refused.get_json()["field"] == "body"
    assert "retry later" in refused.get_json()["error"] and refused.get_json()["refusal"] == "body too large"
    # Many addresses together still spend one global budget per hour, shared by every worker.
    for n in range(30):
        post(client, oversized(loaded, f"botnet-{n}"), address=f"198.51.100.{n}")
    assert rows(session) == 16
    assert quarantined_bytes(session) <= 16 * ROW
    clock.now += 3600  # the next hour: refused bodies are kept again
    assert post(client, oversized(loaded, "forged-y"), address="192.0.2.1").status_code == 413


def test_quarantine_total_budget_answers_503_and_a_device_loses_nothing(loaded, client, session, clock) -> None:
    invalid = payload(device_id="tablet-9", language="xx")  # refused: language not offered
    loaded.config["QUARANTINE_MAX_TOTAL_BYTES"] = 3 * (ROW_OVERHEAD + len(json.dumps(invalid)) + 10)
    for n in range(3):
        assert post(client, json.dumps(payload(language="xx")).encode(), f"192.0.2.{n}").status_code == 422
    full = post(client, json.dumps(invalid).encode(), "192.0.2.77")
    assert full.status_code == 503 and full.headers["Retry-After"] == "3600"
    assert full.get_json()["errors"][0]["field"] == "language"  # why it was refused, even though not kept
    assert rows(session) == 3
    # A valid record is never refused for want of quarantine space.
    assert post(client, json.dumps(payload()).encode(), "192.0.2.77").status_code == 201
    # An operator clears the quarantine: the device's retry of the same record is now kept.
    for row in session.exec(select(QuarantinedSubmission)).all():
        session.delete(row)
    session.commit()
    clock.now += 60  # the total is read again (cached a few seconds per process)
    retry = post(client, json.dumps(invalid).encode(), "192.0.2.77")
    assert retry.status_code == 422 and retry.get_json()["quarantine_id"]
    assert session.exec(select(func.count()).select_from(Submission)).one() == 1


def test_quarantine_budget_applies_to_the_no_js_form(loaded, client, session, clock) -> None:
    loaded.config["QUARANTINE_MAX_TOTAL_BYTES"] = 0
    form = {"submission_uuid": "7f8e8d52-2f36-4a55-9f5e-0f3e9d1b1a11", "consent": "y", "started_at": ""}
    response = client.post("/s/test/officials/basic?lang=en", data=form)
    assert response.status_code == 503  # a required answer missing, and no room to keep the refusal
    assert rows(session) == 0


def test_quarantine_refused_for_want_of_room_spends_no_hourly_budget(loaded, client, session, clock) -> None:
    """Bodies answered 503 because the quarantine is full are not kept: they must not use up the
    hour's budget, or once an operator frees room the client would still be refused for the hour."""
    loaded.config["QUARANTINE_BYTES_PER_HOUR"] = 16 * ROW  # one address: 2 rows an hour
    loaded.config["QUARANTINE_MAX_TOTAL_BYTES"] = 0
    assert [post(client, oversized(loaded, f"tablet-{n}")).status_code for n in range(5)] == [503] * 5
    loaded.config["QUARANTINE_MAX_TOTAL_BYTES"] = 100 * ROW  # room again, within the same hour
    clock.now += 60  # the total is read again
    assert [post(client, oversized(loaded, f"later-{n}")).status_code for n in range(3)] == [413, 413, 503]
    assert rows(session) == 2
