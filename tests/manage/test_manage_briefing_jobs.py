"""The briefing upload: built off the request, limits stated and enforced, hostile files refused with a message."""

from __future__ import annotations

import io
import re
import threading
import time
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from cips.models import Role, UserCreate
from cips.services.campaigns import get_or_create_administration
from cips.services.users import create_user
from tests.analysis.test_briefing_inputs import _alias_bomb
from tests.manage.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")

DATA = Path(__file__).parents[1] / "data"


def _post(client, contributions: bytes, name: str = "contributions.csv", **fields):
    data = {"contributions": (io.BytesIO(contributions), name), "title": "Briefing", "lang": "en", "format": "md",
            "meeting": "", **fields}  # fmt: skip
    return client.post("/manage/briefing", content_type="multipart/form-data", data=data)


def _job_page(client, response):
    assert response.status_code == 303, response.data[:500]
    return client.get(response.headers["Location"])


def test_briefing_jobs_form_states_the_limits(client_as) -> None:
    page = client_as(Role.manager).get("/manage/briefing").get_data(as_text=True)
    assert "At most 1,024 kB, 2,000 answers, 50 questions and 20,000 characters per answer" in page
    assert 'name="encoding"' in page and "Windows-1252" in page


def test_briefing_jobs_big_csv_is_refused_before_any_work(client_as) -> None:
    manager = client_as(Role.manager)
    big = b"question,answer\n" + b"q1,More training of officers on ethics and integrity.\n" * 36_000  # 1.9 MB
    assert 1_800_000 < len(big) < 2_000_000
    response = _post(manager, big, "big.csv")
    assert response.status_code == 422
    assert "big.csv: file too large (1,899 kB; at most 1,024 kB)" in response.get_data(as_text=True)


def test_briefing_jobs_file_far_over_the_limit_is_refused_with_the_same_message(client_as) -> None:
    """A file over twice the limit is not parsed at all (the request's own limit); the shipped proxy lets
    up to 3 MB through, and the manager must read which limit it broke, not a bare 413 page."""
    manager = client_as(Role.manager)
    big = b"question,answer\n" + b"q1,More training of officers on ethics and integrity.\n" * 50_000  # 2.7 MB
    response = _post(manager, big, "big.csv")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "file too large (" in page and "at most 1,024 kB)" in page and 'name="contributions"' in page


def test_briefing_jobs_yaml_alias_bomb_is_refused(client_as) -> None:
    manager = client_as(Role.manager)
    csv = (DATA / "contributions.csv").read_bytes()
    page = _job_page(manager, _post(manager, csv, questions=(io.BytesIO(_alias_bomb()), "bomb.yaml")))
    assert page.status_code == 422
    assert "bomb.yaml:2: invalid YAML (aliases (*name) are not accepted" in page.get_data(as_text=True)


def test_briefing_jobs_deeply_nested_json_line_is_refused_with_its_line(client_as) -> None:
    manager = client_as(Role.manager)
    deep = b'{"question": "q1", "answer": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n"
    page = _job_page(manager, _post(manager, deep, "deep.jsonl"))
    assert page.status_code == 422
    assert "deep.jsonl:1: invalid JSON (nested too deeply)" in page.get_data(as_text=True)


def test_briefing_jobs_latin1_file_names_the_form_field_and_builds_with_the_encoding_chosen(client_as) -> None:
    manager = client_as(Role.manager)
    latin = "question,answer\nWhat should change?,Réponse: formation des agents à l'éthique.\n".encode("cp1252")
    location = _post(manager, latin, "latin.csv").headers["Location"]
    page = manager.get(location).get_data(as_text=True)
    assert "latin.csv:2: not UTF-8 text" in page
    assert "“Encoding of the file”" in page and "Windows-1252" in page and "--encoding" not in page
    french = manager.get(location, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "latin.csv:2\u00a0: ce n’est pas du texte UTF-8" in french and "« Encodage du fichier »" in french
    done = _post(manager, latin, "latin.csv", encoding="cp1252")
    document = manager.get(done.headers["Location"] + "/download")
    assert document.status_code == 200 and "Réponse: formation des agents" in document.get_data(as_text=True)


def test_briefing_jobs_are_built_in_the_background_and_offered_when_ready(client_as, loaded: Flask) -> None:
    loaded.config["JOBS_SYNC"] = False
    manager = client_as(Role.manager)
    response = _post(manager, (DATA / "contributions.csv").read_bytes())
    assert response.status_code == 303  # answered at once: the work happens after the request
    location = response.headers["Location"]
    deadline = time.monotonic() + 180
    while (page := manager.get(location)).status_code == 202:
        assert b'http-equiv="refresh"' in page.data
        assert time.monotonic() < deadline, "the briefing was never built"
        time.sleep(0.5)
    assert page.status_code == 200 and b"/download" in page.data
    assert manager.get(location + "/download").data.startswith(b"# Briefing")
    folder = Path(loaded.instance_path) / "briefing_jobs" / location.rsplit("/", 1)[1]
    assert not (folder / "contributions").exists()  # the upload is not kept once read
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_briefing_jobs_page_shows_the_answers_embedded_while_it_runs(client_as, loaded: Flask, monkeypatch) -> None:
    """The job stops at its first embedding step: its page (and in French) says how many answers are done."""
    from cips.manage import briefing_jobs

    loaded.config["JOBS_SYNC"] = False
    reached, release = threading.Event(), threading.Event()
    keep_alive = briefing_jobs.jobs.keep_alive

    def pause(path: Path) -> None:  # called by the job right after it recorded its progress
        keep_alive(path)
        if not reached.is_set():
            reached.set()
            release.wait(120)

    monkeypatch.setattr(briefing_jobs.jobs, "keep_alive", pause)
    fresh = uuid.uuid4().hex  # answers never embedded before, so none comes from the shared cache
    rows = (DATA / "contributions.csv").read_text(encoding="utf-8").splitlines()
    data = "\n".join([rows[0], *(f"{row[:-1]} {fresh}{n}." + row[-1] if row.endswith('"') else f"{row} {fresh}{n}."
                                  for n, row in enumerate(rows[1:]))]).encode()  # fmt: skip
    manager = client_as(Role.manager)
    location = _post(manager, data).headers["Location"]
    try:
        deadline = time.monotonic() + 180
        while not reached.wait(0.5):
            running = manager.get(location)
            assert running.status_code == 202, running.get_data(as_text=True)
            assert time.monotonic() < deadline, "the job never reported its progress"
        page = manager.get(location)
        french = manager.get(location, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    finally:
        release.set()
    text = page.get_data(as_text=True)
    assert page.status_code == 202
    found = re.search(r"Embedding answers: (\d+) / (\d+)", text)
    assert found, text
    done, total = map(int, found.groups())
    assert 0 < done <= total
    assert f"Analyse du sens des réponses : {done} / {total}" in french
    deadline = time.monotonic() + 180
    while (page := manager.get(location)).status_code == 202:
        assert time.monotonic() < deadline, "the briefing was never built"
        time.sleep(0.5)
    assert page.status_code == 200 and b"Embedding answers" not in page.data


def test_briefing_jobs_belong_to_the_manager_who_made_them(client_as, loaded: Flask, session: Session) -> None:
    manager = client_as(Role.manager)
    location = _post(manager, (DATA / "contributions.csv").read_bytes()).headers["Location"]
    same = get_or_create_administration(session, "Test Customs").id  # same administration, other person
    create_user(session, UserCreate(email="other@example.org", role=Role.manager, password=PASSWORD,
                                    administration_id=same), actor="test")  # fmt: skip
    other = loaded.test_client()
    assert sign_in(other, "other@example.org").status_code == 302
    assert other.get(location).status_code == 404
    assert other.get(location + "/download").status_code == 404
    assert manager.get("/manage/briefing/not-a-job").status_code == 404


@pytest.mark.parametrize("name", ["../etc", "a b"])
def test_briefing_jobs_odd_ids_are_not_found(client_as, name: str) -> None:
    assert client_as(Role.manager).get(f"/manage/briefing/{name}").status_code == 404
