"""Saved briefings in the manager's interface: save, re-open, review with the campaign's queue, build, access."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import Session, select

from cips.models import AuditEvent, Briefing, Role, UserCreate
from cips.services.campaigns import get_or_create_administration
from cips.services.coding import current_model_digest, decisions, open_answers, suggest
from cips.services.users import create_user
from tests.briefing_review.conftest import CSV, StubModel
from tests.manage.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")


def _upload(client, save: bool = True, data: bytes = CSV):
    form = {"contributions": (io.BytesIO(data), "consult.csv"), "title": "Consultation 2027", "lang": "en",
            "format": "md", "meeting": ""}  # fmt: skip
    if save:
        form["save"] = "y"
    return client.post("/manage/briefing", content_type="multipart/form-data", data=form)


def test_a_manager_saves_a_briefing_and_reopens_it(client_as, session: Session) -> None:
    manager = client_as(Role.manager)
    response = _upload(manager)
    assert response.status_code == 303
    [briefing] = session.exec(select(Briefing)).all()
    assert response.headers["Location"].endswith(f"/manage/briefings/{briefing.id}")
    page = manager.get(f"/manage/briefings/{briefing.id}").get_data(as_text=True)
    assert "Consultation 2027" in page and "Training of officers on the code of conduct" in page
    # Each contribution is either coded by the model already or said to wait for it, never both.
    waiting = r"(?: (\d) not coded by the model yet\.)?"
    stats = re.search(r"0 of 6 contributions reviewed; (\d) coded by the model only\." + waiting, page)
    assert stats and int(stats[1]) + int(stats[2] or 0) == 6
    listing = manager.get("/manage/briefing").get_data(as_text=True)
    assert f'href="/manage/briefings/{briefing.id}"' in listing and "saved-briefings" in listing


def test_a_bad_file_is_not_saved_and_names_its_line(client_as, session: Session) -> None:
    response = _upload(client_as(Role.manager), data=CSV.replace(b"q2,Lusia,pt,no,", b"q2,Lusia,pt,maybe,"))
    assert response.status_code == 422 and "consult.csv:7" in response.get_data(as_text=True)
    assert session.exec(select(Briefing)).all() == []


def _saved(client_as, session: Session) -> Briefing:
    assert _upload(client_as(Role.manager)).status_code == 303
    briefing = session.exec(select(Briefing)).one()
    suggest(session, briefing, StubModel(), current_model_digest())  # no model run in the page
    return briefing


def test_a_reviewer_of_the_administration_reviews_a_briefing_in_the_queue(client_as, session: Session) -> None:
    briefing = _saved(client_as, session)
    reviewer = client_as(Role.reviewer)
    assert f"/manage/briefings/{briefing.id}/review" in reviewer.get("/manage/review").get_data(as_text=True)
    page = reviewer.get(f"/manage/briefings/{briefing.id}/review?unreviewed=1").get_data(as_text=True)
    assert "Answer 1 of 6" in page and 'id="review-form"' in page and "js/review.js" in page
    first = open_answers(session, briefing)[-1].answer_id  # the stub is least sure of the last contribution
    assert f'name="answer_id" value="{first}"' in page
    response = reviewer.post(f"/manage/briefings/{briefing.id}/review?unreviewed=1",
                             data={"answer_id": first, "labels": ["audit", "hrm"], "primary": "audit"})  # fmt: skip
    assert response.status_code == 303 and "unreviewed=1" in response.headers["Location"]
    decided = decisions(session, briefing)[first]
    assert (decided.labels, decided.coder) == (["audit", "hrm"], "reviewer@example.org")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "review.decide")).one()
    assert event.actor == "reviewer@example.org" and event.target == f"briefing:{briefing.id}#{first}"
    again = reviewer.get(f"/manage/briefings/{briefing.id}/review?unreviewed=1").get_data(as_text=True)
    assert "Answer 1 of 5" in again
    assert "Saved for the previous answer: Audit and Investigation (primary), Human Resource Management." in again
    bad = reviewer.post(f"/manage/briefings/{briefing.id}/review", data={"answer_id": first, "labels": ["nope"]})
    assert bad.status_code == 302 and len(decisions(session, briefing)) == 1
    assert reviewer.post(f"/manage/briefings/{briefing.id}/build", data={"format": "md"}).status_code == 403
    shown = reviewer.get(f"/manage/briefings/{briefing.id}").get_data(as_text=True)
    assert "Training of officers" in shown and "1 of 6 contributions reviewed" in shown
    assert "/build" not in shown  # a reviewer codes; building the briefing is a manager's output


def test_another_administrations_briefing_is_not_found(client_as, loaded, session: Session) -> None:
    briefing = _saved(client_as, session)
    other = get_or_create_administration(session, "Other Customs").id
    for role, email in ((Role.manager, "m2@example.org"), (Role.reviewer, "r2@example.org")):
        create_user(session, UserCreate(email=email, role=role, password=PASSWORD, administration_id=other),
                    actor="test")  # fmt: skip
        client = loaded.test_client()
        assert sign_in(client, email).status_code == 302
        base = f"/manage/briefings/{briefing.id}"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/review").status_code == 404
        row = open_answers(session, briefing)[0].answer_id
        assert client.post(f"{base}/review", data={"answer_id": row, "labels": ["hrm"]}).status_code == 404
        assert client.post(f"{base}/build", data={"format": "md"}).status_code in (403, 404)
        assert "Consultation 2027" not in client.get("/manage/review").get_data(as_text=True)
    assert decisions(session, briefing) == {}


def test_the_built_briefing_counts_the_reviewed_contributions(client_as, session: Session, monkeypatch) -> None:
    import analysis

    monkeypatch.setattr(analysis, "load_default_classifier", StubModel)  # the app's path, without a model run
    briefing = _saved(client_as, session)
    manager = client_as(Role.manager)
    row = open_answers(session, briefing)[0].answer_id
    manager.post(f"/manage/briefings/{briefing.id}/review", data={"answer_id": row, "labels": ["conduct"]})
    response = manager.post(f"/manage/briefings/{briefing.id}/build", data={"format": "md"})
    assert response.status_code == 303
    job = manager.get(response.headers["Location"])
    assert job.status_code == 200, job.get_data(as_text=True)
    download = manager.get(response.headers["Location"] + "/download")
    text = download.get_data(as_text=True)
    assert "Contributions coded by a person: 1 of 6; by the model only: 5." in text
    assert 'filename="consultation-2027.md"' in download.headers["Content-Disposition"]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "briefing.build")).one().target == "consult.csv"
