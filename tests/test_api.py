"""POST /api/v1/submissions: stored once, refused with a named field, never lost."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import select

from cips import create_app
from cips.models import Answer, QuarantinedSubmission, Submission
from tests.conftest import FORMS_DIR
from tests.helpers import OFFICIALS_VERSION, officials_answers, payload

URL = "/api/v1/submissions"


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def quarantined(session) -> list[QuarantinedSubmission]:
    return list(session.exec(select(QuarantinedSubmission).order_by(QuarantinedSubmission.id)))


def test_api_valid_submission_is_stored_with_its_answers(loaded, client, session) -> None:
    body = payload()
    resp = client.post(URL, json=body)
    assert resp.status_code == 201
    assert resp.get_json() == {"uuid": body["uuid"], "status": "stored"}
    sub = session.exec(select(Submission)).one()
    assert str(sub.uuid) == body["uuid"] and sub.language == "fr" and sub.device_id == "tablet-07"
    assert sub.received_at.tzinfo is not None and sub.submitted_at.tzinfo is not None
    answers = {a.item_id: a for a in session.exec(select(Answer).where(Answer.submission_id == sub.id))}
    assert len(answers) == len(body["answers"])
    assert answers["lead_1"].value_num == body["answers"]["lead_1"]
    assert answers["bg_region"].value_text == "north"
    assert answers["open_change_first"].value_text == body["answers"]["open_change_first"]


def test_api_same_uuid_same_content_is_acknowledged_once(loaded, client, session) -> None:
    body = payload()
    assert client.post(URL, json=body).status_code == 201
    again = client.post(URL, data=json.dumps(body, indent=2), content_type="application/json")
    assert again.status_code == 200
    assert again.get_json()["status"] == "stored"
    assert count(session, Submission) == 1
    assert count(session, QuarantinedSubmission) == 0


def test_api_same_uuid_different_content_is_409_and_quarantined(loaded, client, session) -> None:
    body = payload()
    client.post(URL, json=body)
    changed = dict(body, answers=dict(body["answers"], lead_1=1 if body["answers"]["lead_1"] != 1 else 2))
    resp = client.post(URL, json=changed)
    assert resp.status_code == 409
    assert resp.get_json()["field"] == "uuid"
    assert count(session, Submission) == 1
    [row] = quarantined(session)
    assert json.loads(row.raw_body) == changed and row.status_code == 409 and row.claimed_uuid == body["uuid"]


def test_api_concurrent_retries_of_one_uuid_make_one_row(loaded, app, session) -> None:
    body = payload()

    def post(_: int) -> int:
        return app.test_client().post(URL, json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(16)))
    assert statuses.count(201) == 1 and all(s in (200, 201) for s in statuses)
    assert count(session, Submission) == 1
    assert count(session, QuarantinedSubmission) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"campaign": "nope"}, "campaign"),
        ({"instrument_version": 9}, "instrument_version"),
        ({"language": "de"}, "language"),
        ({"uuid": "not-a-uuid"}, "uuid"),
        ({"submitted_at": "2026-01-01T10:00:00"}, "submitted_at"),  # naive: whose local time?
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_api_invalid_envelope_names_the_field(loaded, client, session, change, field) -> None:
    body = payload(**change)
    resp = client.post(URL, json=body)
    assert resp.status_code == 422
    data = resp.get_json()
    assert data["field"] == field
    assert any(e["field"] == field for e in data["errors"])
    [row] = quarantined(session)
    assert json.loads(row.raw_body) == body and row.field == field and row.id == data["quarantine_id"]
    assert count(session, Submission) == 0


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        ("lead_1", 6, "integer from 1 to 5"),
        ("lead_1", 0, "integer from 1 to 5"),
        ("lead_1", 2.5, "integer from 1 to 5"),
        ("lead_1", True, "integer from 1 to 5"),
        ("lead_1", "4", "integer from 1 to 5"),
        ("bg_region", "mars", "expected one of"),
        ("open_works", 42, "expected text"),
        ("open_works", "x" * 3001, "longer than 3000"),
        ("no_such_item", 3, "unknown item"),
    ],
)
def test_api_invalid_answer_names_the_item(loaded, client, session, item, value, message) -> None:
    body = payload()
    body["answers"][item] = value
    resp = client.post(URL, json=body)
    assert resp.status_code == 422
    data = resp.get_json()
    assert data["field"] == f"answers.{item}"
    assert message in data["errors"][0]["message"]
    assert len(quarantined(session)) == 1


def test_api_missing_required_item_is_refused(loaded, client) -> None:
    body = payload()
    del body["answers"]["bg_region"]
    resp = client.post(URL, json=body)
    assert resp.status_code == 422
    assert resp.get_json()["field"] == "answers.bg_region"


def test_api_skipped_optional_items_are_fine(loaded, client, session) -> None:
    body = payload()
    body["answers"] = {k: v for k, v in body["answers"].items() if k.startswith("bg_")} | {"lead_1": None}
    assert client.post(URL, json=body).status_code == 201
    assert count(session, Answer) == 5


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "field"),
    [
        (b'{"uuid": "abc", ', "application/json", 400, "body"),
        (b"\xff\xfe{}", "application/json", 400, "body"),
        (b"[1, 2, 3]", "application/json", 422, "body"),
        (b"uuid=1&campaign=test", "application/x-www-form-urlencoded", 415, "content_type"),
        (b"", "application/json", 400, "body"),
    ],
)
def test_api_unreadable_body_is_quarantined_verbatim(loaded, client, session, raw, content_type, status, field) -> None:
    resp = client.post(URL, data=raw, content_type=content_type)
    assert resp.status_code == status
    assert resp.is_json and resp.get_json()["field"] == field
    [row] = quarantined(session)
    assert row.raw_body == raw and row.status_code == status


def test_api_oversized_body_is_413_and_its_prefix_kept(loaded, client, session, app) -> None:
    body = payload()
    body["answers"]["open_other"] = "é" * (app.config["MAX_SUBMISSION_BYTES"] // 2 + 10)
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert len(raw) > app.config["MAX_SUBMISSION_BYTES"]
    resp = client.post(URL, data=raw, content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["field"] == "body"
    [row] = quarantined(session)
    prefix = app.config["QUARANTINE_PREFIX_BYTES"]
    assert row.raw_body == raw[:prefix] and row.truncated and row.body_size == len(raw)


def test_api_body_over_the_limit_without_content_length_keeps_its_prefix(loaded, app, session) -> None:
    app.config.update(MAX_SUBMISSION_BYTES=1024, QUARANTINE_PREFIX_BYTES=100)
    raw = b'{"x": "' + b"a" * 5000 + b'"}'
    chunked = {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""}  # a chunked upload: no declared size
    resp = app.test_client().post(URL, data=raw, content_type="application/json", environ_overrides=chunked)
    assert resp.status_code == 413
    [row] = quarantined(session)
    assert row.truncated and row.raw_body == raw[:100] and row.body_size == 1025  # what was read: at least that


def test_api_get_is_405_json(client) -> None:
    resp = client.get(URL)
    assert resp.status_code == 405 and resp.is_json


def test_api_stores_no_ip_or_user_agent(loaded, app, database_url, caplog) -> None:
    """A unique client address, forwarded address and user agent appear in no column of any table
    (reflected, so a table added later is searched too), nor in the counter store, nor in the log."""
    from sqlalchemy import MetaData, create_engine
    from sqlalchemy import select as select_all

    marker = uuid.uuid4()
    addresses = [f"10.{marker.int % 250 + 1}.{marker.int // 250 % 250}.{marker.int // 62500 % 250 + 1}",
                 f"2001:db8:{marker.hex[:4]}:{marker.hex[4:8]}::{marker.hex[8:12]}"]  # fmt: skip
    forwarded = f"198.18.{marker.int % 250}.{marker.int // 250 % 250 + 1}"
    agent = f"CipsProbe/{marker.hex}"
    app.config.update(TRUSTED_PROXIES=0, API_ADDRESS_RATE_LIMIT="3/minute")
    caplog.set_level("DEBUG")
    client = app.test_client()
    headers = {"User-Agent": agent, "X-Forwarded-For": forwarded}
    for address in addresses:
        env = {"REMOTE_ADDR": address}
        client.post(URL, json=payload(), headers=headers, environ_base=env)  # stored
        client.post(URL, data=b"{", content_type="application/json", headers=headers, environ_base=env)  # quarantined
        client.post(URL, json=payload(language="xx"), headers=headers, environ_base=env)  # quarantined
        assert client.post(URL, json=payload(), headers=headers, environ_base=env).status_code == 429  # counted
        page = client.get("/s/test/officials/basic?lang=en", headers=headers, environ_base=env).get_data(as_text=True)
        client.post(
            "/s/test/officials/basic?lang=en", data={"consent": "y", **_hidden(page)}, headers=headers, environ_base=env
        )  # the no-JS form: quarantined (required answers missing)
    # Behind a trusted proxy the forwarded address becomes the client's: counted, never stored either.
    proxied = create_app(dict(app.config, TRUSTED_PROXIES=1))
    proxied.test_client().post(URL, data=b"[", content_type="application/json", headers=headers,
                               environ_base={"REMOTE_ADDR": addresses[0]})  # fmt: skip
    proxied.extensions["cips_counters"].dispose()
    proxied.extensions["cips_engine"].dispose()

    needles = [*addresses, forwarded, agent, "CipsProbe"]
    stores = {database_url}
    counter_url = app.extensions["cips_counters"].url
    stores.add(counter_url)
    searched = 0
    for url in stores:
        engine = create_engine(url)
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(select_all(table)):
                    for column, value in zip(table.columns, row, strict=True):
                        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                        searched += 1
                        for needle in needles:
                            assert needle not in text, f"{needle!r} stored in {table.name}.{column.name}"
        engine.dispose()
    assert searched > 100  # rows were there to search: stored answers, quarantine rows, counter windows
    for needle in needles:
        assert needle not in caplog.text, f"{needle!r} in the application log"


def _hidden(page: str) -> dict[str, str]:
    """The hidden fields of the no-JS form (uuid, start time, invitation)."""
    import re

    return dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))


def test_api_resend_with_other_timestamps_is_the_same_record(loaded, client, session) -> None:
    body = payload()
    client.post(URL, json=body)
    resent = dict(body, submitted_at="2026-11-25T10:00:00+01:00", device_id="tablet-07-after-reset")
    assert client.post(URL, json=resent).status_code == 200
    assert count(session, Submission) == 1


# --------------------------------------------------------------------------- input the database cannot take


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"submitted_at": "0001-01-01T00:00:00+14:00"}, "submitted_at"),  # before year 1 once in UTC
        ({"submitted_at": "9999-12-31T23:59:59-14:00"}, "submitted_at"),  # after year 9999 once in UTC
        ({"started_at": "0001-01-01T00:00:00+01:00"}, "started_at"),
        ({"submitted_at": "2262-04-12T00:00:00+00:00"}, "submitted_at"),  # representable, beyond exports (pandas)
        ({"started_at": "1969-12-31T23:59:59+00:00"}, "started_at"),
    ],
)
def test_api_timestamp_out_of_range_is_422_naming_it_and_quarantined(loaded, client, session, change, field) -> None:
    raw = json.dumps(payload(**change)).encode()
    resp = client.post(URL, data=raw, content_type="application/json")
    assert resp.status_code == 422, resp.get_data()[:300]
    assert resp.get_json()["field"] == field and "out of range" in resp.get_json()["errors"][0]["message"]
    [row] = quarantined(session)
    assert row.raw_body == raw and row.id == resp.get_json()["quarantine_id"]
    assert count(session, Submission) == 0


def test_api_tablet_clock_reset_to_the_epoch_is_still_stored(loaded, client, session) -> None:
    body = payload(started_at="1970-01-01T00:00:00+00:00", submitted_at="1970-01-01T00:14:00+00:00")
    assert client.post(URL, json=body).status_code == 201
    assert session.exec(select(Submission)).one().started_at.year == 1970


@pytest.mark.parametrize(
    ("body", "field", "claimed_uuid"),
    [
        (payload(answers={"open_change_first": "bon\udc80jour"}), "answers.open_change_first", None),
        (payload(campaign="a\udc80"), "campaign", None),
        ({"uuid": "\ud800"}, "uuid", "\ufffd"),
        (payload(uuid="\udfff-x"), "uuid", "\ufffd-x"),
        (payload(device_id="tab\ud800"), "device_id", None),
        (payload(answers={"lead\udc80": 3}), "answers.lead\ufffd", None),
        (payload(answers={"bg_years": ["\ud800"]}), "answers.bg_years", None),
        ({"\udc80": 1}, "\ufffd", None),
    ],
)
def test_api_lone_surrogate_is_422_naming_the_field_and_quarantined(loaded, client, session, body, field,
                                                                    claimed_uuid) -> None:  # fmt: skip
    """``"\\udc80"`` is valid JSON but no UTF-8 text: refused by name, the body kept byte for byte."""
    if "answers" in body:  # the rest of a complete answer set, so only the surrogate is wrong
        body = dict(body, answers=officials_answers() | body["answers"])
    raw = json.dumps(body).encode()  # ensure_ascii: the surrogate travels as an escape, as a device sends it
    resp = client.post(URL, data=raw, content_type="application/json")
    assert resp.status_code == 422, resp.get_data()[:300]
    data = resp.get_json()
    assert data["field"] == field and "UTF-8" in data["errors"][0]["message"]
    [row] = quarantined(session)
    assert row.raw_body == raw and row.id == data["quarantine_id"] and row.field == field
    if claimed_uuid is not None:
        assert row.claimed_uuid == claimed_uuid
    assert count(session, Submission) == 0


def test_api_surrogate_pairs_are_ordinary_text(loaded, client, session) -> None:
    body = payload()
    body["answers"]["open_change_first"] = "Rotation 😀"  # json.dumps sends it as the pair \ud83d\ude00
    assert client.post(URL, data=json.dumps(body), content_type="application/json").status_code == 201
    stored = session.exec(select(Answer).where(Answer.item_id == "open_change_first")).one()
    assert stored.value_text == "Rotation 😀"


@pytest.mark.parametrize("version", [True, "1", 1.0])
def test_api_instrument_version_must_be_a_json_integer(loaded, client, session, version) -> None:
    resp = client.post(URL, json=payload(instrument_version=version))
    assert resp.status_code == 422 and resp.get_json()["field"] == "instrument_version"
    assert count(session, Submission) == 0 and len(quarantined(session)) == 1
    assert client.post(URL, json=payload(instrument_version=OFFICIALS_VERSION)).status_code == 201


# --------------------------------------------------------------------------- bodies beyond Flask's own limit


@pytest.mark.parametrize("server", [{}, {"wsgi.input_terminated": True}])  # the second: as gunicorn says
@pytest.mark.parametrize(("size", "truncated"), [(5_000, False), (20_000, True)])
def test_api_body_beyond_flask_max_content_length_is_still_quarantined(loaded, app, session, server, size,
                                                                       truncated) -> None:  # fmt: skip
    """Flask's MAX_CONTENT_LENGTH (2× the submission limit) must not refuse a body before the API keeps it.

    The limits are shrunk so the test is quick; the relation between them is the shipped one.
    """
    assert app.config["MAX_SUBMISSION_BYTES"] < app.config["MAX_CONTENT_LENGTH"]
    app.config.update(MAX_SUBMISSION_BYTES=1024, MAX_CONTENT_LENGTH=2048, QUARANTINE_PREFIX_BYTES=8192)
    raw = b'{"x": "' + b"a" * (size - 10) + b'"}'
    resp = app.test_client().post(URL, data=raw, content_type="application/json", environ_overrides=server)
    assert resp.status_code == 413
    assert resp.get_json()["field"] == "body" and resp.get_json()["quarantine_id"]
    [row] = quarantined(session)
    assert row.body_size == len(raw) and row.truncated is truncated
    assert row.raw_body == raw[:8192]


# --------------------------------------------------------------------------- multiple choice


@pytest.fixture
def with_multi(loaded, runner, tmp_path):
    """Campaign ``multi`` on officials v90: the shipped version plus a required and an optional
    multiple-choice item."""
    data = yaml.safe_load((FORMS_DIR / "officials.yaml").read_text(encoding="utf-8"))
    data["version"] = 90
    langs = ("en", "fr", "es", "pt")
    choices = [{"value": v, "label": dict.fromkeys(langs, v.title())} for v in ("email", "phone", "visit")]
    data["sections"].append({"id": "extra", "title": dict.fromkeys(langs, "Extra"), "items": [
        {"id": "channels", "type": "multi", "required": True, "text": dict.fromkeys(langs, "Channels"),
         "choices": choices},
        {"id": "tools", "type": "multi", "required": False, "text": dict.fromkeys(langs, "Tools"), "choices": choices},
    ]})  # fmt: skip
    path = tmp_path / "officials_v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(args=["instruments", "load", str(path)]).exit_code == 0
    result = runner.invoke(args=["campaign", "create", "multi", "--name", "Multi", "--administration", "Test Customs",
                                 "--instrument", "officials:90", "--languages", "fr"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return loaded


def test_api_empty_multiple_choice_is_no_answer(with_multi, client, session) -> None:
    """``[]`` is what an untouched set of checkboxes gives: unanswered, as the PWA and the no-JS form count it."""

    def body(**answers):
        return payload(campaign="multi", instrument_version=90, answers=officials_answers() | answers)

    resp = client.post(URL, json=body(channels=[]))
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [{"field": "answers.channels", "message": "required item not answered"}]
    assert len(quarantined(session)) == 1 and count(session, Submission) == 0

    stored = body(channels=["phone", "email"], tools=[])
    assert client.post(URL, json=stored).status_code == 201
    answers = {a.item_id: a.value_text for a in session.exec(select(Answer))}
    assert answers["channels"] == '["phone", "email"]' and "tools" not in answers  # an empty list is not stored
