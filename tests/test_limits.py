"""Input limits: answers per submission, text length, and the submission rate per device and per
client address (counted in the shared store, on an injected clock: no test waits or reads the time)."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from cips import create_app
from cips.models import QuarantinedSubmission, Submission
from cips.submissions.payload import MAX_ANSWERS
from tests.helpers import Clock, officials_answers, payload

URL = "/api/v1/submissions"


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def clock(app) -> Clock:
    """The app's counters on a hand-moved clock, at the first second of a minute."""
    clock = Clock()
    app.extensions["cips_counters"].clock = clock
    return clock


def test_limits_reconnecting_station_flushing_300_records_is_not_throttled(loaded, client, session, clock) -> None:
    assert loaded.config["API_RATE_LIMIT"] == "600/minute"  # the shipped default
    statuses = [client.post(URL, json=payload(device_id="station-flush")).status_code for _ in range(300)]
    assert statuses == [201] * 300
    assert count(session, Submission) == 300


def test_limits_flood_from_one_device_gets_429_json_and_is_not_quarantined(loaded, client, session, clock) -> None:
    loaded.config["API_RATE_LIMIT"] = "20/minute"
    statuses = [client.post(URL, json=payload(device_id="flooder")).status_code for _ in range(20)]
    assert statuses == [201] * 20
    clock.now += 15
    refused = client.post(URL, json=payload(device_id="flooder"))
    assert refused.status_code == 429
    assert refused.get_json()["field"] == "device_id" and "retry later" in refused.get_json()["error"]
    assert refused.headers["Retry-After"] == "45"  # the end of this minute's window
    # The device keeps the record and retries later: nothing to quarantine, nothing stored.
    assert count(session, QuarantinedSubmission) == 0
    assert count(session, Submission) == 20
    # Another tablet of the same station (same address) is not affected.
    assert client.post(URL, json=payload(device_id="neighbour")).status_code == 201
    clock.now += 45  # the next minute: the device's records go through again
    assert client.post(URL, json=payload(device_id="flooder")).status_code == 201


def test_limits_every_window_of_a_limit_counts(loaded, client, clock) -> None:
    """``limits`` syntax allows several windows ("600/minute;10000/hour", as the login limits use):
    only the first was counted, so the hour's bound was silently never applied."""
    loaded.config["API_RATE_LIMIT"] = "3/minute;5/hour"
    send = lambda: client.post(URL, json=payload(device_id="tablet-h")).status_code  # noqa: E731
    assert [send() for _ in range(4)] == [201, 201, 201, 429]
    clock.now += 60
    assert [send() for _ in range(3)] == [201, 201, 429]  # five in this hour
    refused = client.post(URL, json=payload(device_id="tablet-h"))
    assert refused.get_json()["field"] == "device_id" and "5/hour" in refused.get_json()["error"]
    loaded.config["API_ADDRESS_RATE_LIMIT"] = "100/minute;2/hour"  # the address's windows too
    clock.now += 3600
    statuses = [client.post(URL, json=payload(device_id=f"rotated-{n}")) for n in range(3)]
    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert statuses[-1].get_json()["field"] == "client_address"


def test_limits_without_device_id_the_address_is_the_transient_key(loaded, client, session, clock) -> None:
    loaded.config["API_RATE_LIMIT"] = "3/minute"
    bodies = [payload() for _ in range(4)]
    for body in bodies:
        del body["device_id"]
    assert [client.post(URL, json=b).status_code for b in bodies] == [201, 201, 201, 429]
    assert all(s.device_id is None for s in session.exec(select(Submission)))


def test_limits_rate_limit_can_be_disabled_with_flask_limiter_switch(loaded, client, clock) -> None:
    loaded.config["API_RATE_LIMIT"] = "1/minute"
    from cips.extensions import limiter

    limiter.enabled = False
    try:
        assert [client.post(URL, json=payload(device_id="d")).status_code for _ in range(3)] == [201] * 3
    finally:
        limiter.enabled = True


def test_limits_rotating_device_ids_from_one_address_meet_the_address_limit(loaded, client, session, clock) -> None:
    loaded.config["API_ADDRESS_RATE_LIMIT"] = "5/minute"
    sent = [client.post(URL, json=payload(device_id=f"forged-{n}"), environ_base={"REMOTE_ADDR": "203.0.113.9"})
            for n in range(7)]  # fmt: skip
    assert [r.status_code for r in sent] == [201] * 5 + [429] * 2
    assert sent[-1].get_json()["field"] == "client_address" and sent[-1].headers["Retry-After"] == "60"
    assert count(session, Submission) == 5 and count(session, QuarantinedSubmission) == 0
    # Another address (another office) has its own budget.
    assert client.post(URL, json=payload(), environ_base={"REMOTE_ADDR": "203.0.113.10"}).status_code == 201


def test_limits_counters_are_shared_by_two_app_instances_on_one_store(loaded, client, clock) -> None:
    """Two app instances (two gunicorn workers, two servers) on one database share one budget."""
    loaded.config["API_RATE_LIMIT"] = "4/minute"
    other = create_app(dict(loaded.config))
    other.extensions["cips_counters"].clock = clock
    try:
        second = other.test_client()
        codes = [(client if n % 2 else second).post(URL, json=payload(device_id="shared")).status_code
                 for n in range(6)]  # fmt: skip
        assert codes == [201] * 4 + [429] * 2
    finally:
        other.extensions["cips_counters"].dispose()
        other.extensions["cips_engine"].dispose()


def test_limits_behind_trusted_proxies_the_forwarded_address_is_the_key(database_url, tmp_path, clock) -> None:
    """With CIPS_TRUSTED_PROXIES=1 the proxy's X-Forwarded-For names the client; without it, a client
    cannot pick its own key by sending that header."""
    base = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k", "API_ADDRESS_RATE_LIMIT": "1/minute",
            "COUNTER_STORE_URL": f"sqlite:///{tmp_path / 'counters.sqlite3'}"}  # fmt: skip
    for proxies, expected in ((1, [422, 422]), (0, [422, 429])):
        app = create_app(base | {"TRUSTED_PROXIES": proxies})
        app.extensions["cips_counters"].clock = clock
        client = app.test_client()
        codes = [client.post(URL, json={}, headers={"X-Forwarded-For": f"198.51.100.{n}"},
                             environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for n in range(2)]  # fmt: skip
        app.extensions["cips_counters"].clear()
        app.extensions["cips_counters"].dispose()
        app.extensions["cips_engine"].dispose()
        assert codes == expected, proxies


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


@pytest.mark.parametrize("variable", ["CIPS_API_RATE_LIMIT", "CIPS_API_ADDRESS_RATE_LIMIT"])
def test_limits_an_unreadable_limit_stops_the_app_at_start_up(database_url, tmp_path, monkeypatch, variable) -> None:
    """Read at each submission, '600 per minit' made every submission a 500; it is refused at start-up."""
    monkeypatch.setenv(variable, "600 per minit")
    with pytest.raises(ValueError, match=f"{variable} must look like 600/minute"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k"})
