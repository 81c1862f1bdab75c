"""Paradata (time and answer changes per section): validated by the API, stored, optional."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from cips.models import QuarantinedSubmission, Submission
from cips.submissions.paradata import MAX_SECTION_CHANGES, MAX_SECTION_SECONDS
from tests.helpers import payload

URL = "/api/v1/submissions"
PARADATA = {"background": {"seconds": 31, "changes": 0}, "leadership": {"seconds": 58, "changes": 2}}


def test_paradata_is_stored_with_the_submission(loaded, client, session) -> None:
    body = payload(paradata=PARADATA)
    resp = client.post(URL, json=body)
    assert resp.status_code == 201, resp.get_json()
    sub = session.exec(select(Submission)).one()
    assert sub.paradata == PARADATA


def test_submission_without_paradata_stays_valid_and_stores_sql_null(loaded, client, session) -> None:
    """An older tablet, or the no-JS form, sends none: the record is stored, its paradata column NULL."""
    body = payload()
    assert client.post(URL, json=body).status_code == 201
    sub = session.exec(select(Submission)).one()
    assert sub.paradata is None
    raw = session.connection().exec_driver_sql("SELECT paradata IS NULL FROM submission").scalar()
    assert raw in (True, 1)  # SQL NULL, not the JSON text 'null'


def test_paradata_is_not_part_of_same_answers(loaded, client, session) -> None:
    """A retry is recognised by its answers; paradata says how they were given, not what they are."""
    body = payload(paradata=PARADATA)
    assert client.post(URL, json=body).status_code == 201
    again = dict(body, paradata={"background": {"seconds": 32, "changes": 0}})
    assert client.post(URL, json=again).status_code == 200
    assert session.exec(select(Submission)).one().paradata == PARADATA


@pytest.mark.parametrize(
    ("paradata", "field"),
    [
        ({"background": {"seconds": -1, "changes": 0}}, "paradata.background.seconds"),
        ({"background": {"seconds": MAX_SECTION_SECONDS + 1, "changes": 0}}, "paradata.background.seconds"),
        ({"background": {"seconds": 2.5, "changes": 0}}, "paradata.background.seconds"),
        ({"background": {"seconds": "12", "changes": 0}}, "paradata.background.seconds"),
        ({"background": {"seconds": 12, "changes": MAX_SECTION_CHANGES + 1}}, "paradata.background.changes"),
        ({"background": {"seconds": 12, "changes": True}}, "paradata.background.changes"),
        ({"background": {"seconds": 12}}, "paradata.background.changes"),
        ({"background": {"seconds": 12, "changes": 0, "clock": "09:14"}}, "paradata.background.clock"),
        ({"nowhere": {"seconds": 12, "changes": 0}}, "paradata.nowhere"),
        ([{"seconds": 12}], "paradata"),
    ],
)
def test_bad_paradata_is_422_naming_the_field_and_quarantined_with_its_answers(loaded, client, session, paradata,
                                                                               field) -> None:  # fmt: skip
    body = payload(paradata=paradata)
    resp = client.post(URL, json=body)
    assert resp.status_code == 422
    assert field in [e["field"] for e in resp.get_json()["errors"]]
    assert session.exec(select(Submission)).first() is None
    kept = session.exec(select(QuarantinedSubmission)).one()
    assert json.loads(kept.raw_body)["answers"] == body["answers"]  # nothing of the respondent's is dropped


def test_paradata_of_a_batch_mixed_with_records_without(loaded, app, session) -> None:
    """The write path's batched insert (one statement on PostgreSQL) takes NULL and JSON side by side."""
    from concurrent.futures import ThreadPoolExecutor

    bodies = [payload(paradata=PARADATA) if n % 2 else payload() for n in range(8)]

    def post(body):
        return app.test_client().post(URL, json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(post, bodies)) == [201] * 8
    stored = {str(s.uuid): s.paradata for s in session.exec(select(Submission))}
    assert stored == {b["uuid"]: b.get("paradata") for b in bodies}


def test_campaign_document_gives_the_app_the_servers_paradata_bounds(loaded, client) -> None:
    """The PWA caps what it sends at the bounds the server checks: one copy of them, the server's."""
    document = client.get("/api/v1/campaigns/test").get_json()
    assert document["paradata_limits"] == {"seconds": MAX_SECTION_SECONDS, "changes": MAX_SECTION_CHANGES}


def test_quality_flags_read_the_stored_active_time(loaded, client, session) -> None:
    """Every record of the questionnaire carries paradata: the speeder flag compares active seconds."""
    from cips.models import Campaign
    from cips.services.quality import campaign_quality

    bodies = [payload(paradata={"background": {"seconds": 100, "changes": 0},
                                "leadership": {"seconds": 500 + 10 * n, "changes": 0}}) for n in range(5)]  # fmt: skip
    bodies.append(payload(paradata={"leadership": {"seconds": 90, "changes": 0}}))  # elapsed 14 minutes like all
    for body in bodies:
        assert client.post(URL, json=body).status_code == 201
    campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
    assert campaign_quality(session, campaign).flags.flagged["speeder"] == {bodies[-1]["uuid"]}
