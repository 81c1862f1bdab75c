"""Input limits: answers per submission, text length, and the per-device submission rate."""

from __future__ import annotations

from limits import parse
from sqlalchemy import func
from sqlmodel import select

from cips.api.ratelimit import FixedWindows
from cips.models import QuarantinedSubmission, Submission
from cips.submissions.payload import MAX_ANSWERS
from tests.helpers import officials_answers, payload

URL = "/api/v1/submissions"


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_limits_reconnecting_station_flushing_300_records_is_not_throttled(loaded, client, session) -> None:
    assert loaded.config["API_RATE_LIMIT"] == "600/minute"  # the shipped default
    statuses = [client.post(URL, json=payload(device_id="station-flush")).status_code for _ in range(300)]
    assert statuses == [201] * 300
    assert count(session, Submission) == 300


def test_limits_flood_from_one_device_gets_429_json_and_is_not_quarantined(loaded, client, session) -> None:
    loaded.config["API_RATE_LIMIT"] = "20/minute"
    statuses = [client.post(URL, json=payload(device_id="flooder")).status_code for _ in range(20)]
    assert statuses == [201] * 20
    refused = client.post(URL, json=payload(device_id="flooder"))
    assert refused.status_code == 429
    assert refused.get_json()["field"] == "device_id" and "retry later" in refused.get_json()["error"]
    assert refused.headers["Retry-After"] == "60"
    # The device keeps the record and retries later: nothing to quarantine, nothing stored.
    assert count(session, QuarantinedSubmission) == 0
    assert count(session, Submission) == 20
    # Another tablet of the same station (same address) is not affected.
    assert client.post(URL, json=payload(device_id="neighbour")).status_code == 201


def test_limits_without_device_id_the_address_is_the_transient_key(loaded, client, session) -> None:
    loaded.config["API_RATE_LIMIT"] = "3/minute"
    bodies = [payload() for _ in range(4)]
    for body in bodies:
        del body["device_id"]
    assert [client.post(URL, json=b).status_code for b in bodies] == [201, 201, 201, 429]
    assert all(s.device_id is None for s in session.exec(select(Submission)))


def test_limits_rate_limit_can_be_disabled_with_flask_limiter_switch(loaded, client) -> None:
    loaded.config["API_RATE_LIMIT"] = "1/minute"
    from cips.extensions import limiter

    limiter.enabled = False
    try:
        assert [client.post(URL, json=payload(device_id="d")).status_code for _ in range(3)] == [201] * 3
    finally:
        limiter.enabled = True


def test_limits_fixed_window_resets_after_its_period() -> None:
    windows, item = FixedWindows(), parse("2/minute")
    assert [windows.hit(item, "k", now=600.0 + s) for s in (0, 1, 2)] == [True, True, False]
    assert windows.hit(item, "other", now=602.0)
    assert windows.hit(item, "k", now=660.0)  # the next minute


def test_limits_more_answers_than_allowed_are_refused_by_name(loaded, client, session) -> None:
    body = payload(answers=officials_answers() | {f"extra_{i}": 1 for i in range(MAX_ANSWERS)})
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert response.get_json()["field"] == "answers"
    assert count(session, QuarantinedSubmission) == 1


def test_limits_text_longer_than_the_item_allows_is_refused_by_name(loaded, client) -> None:
    body = payload(answers=officials_answers() | {"open_works": "x" * 3001})  # max_length 3000 in officials.yaml
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert response.get_json()["field"] == "answers.open_works"
    assert "3000" in response.get_json()["errors"][0]["message"]
    assert client.post(URL, json=payload(answers=officials_answers() | {"open_works": "x" * 3000})).status_code == 201
