"""An embedding classifier as the shipped model: a campaign's answers are embedded ahead, by the
text analysis job; the report and the review queue read the vectors from the cache, never compute
one, and say so when they are not all there (no other model's codes in their place)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

import analysis
from analysis import default_model, embedding_block, embeddings
from analysis.report import render_html
from cips.models import Campaign
from cips.services.coding import suggest
from cips.services.reports import campaign_report
from cips.services.text_analysis import embed_campaign, text_status
from tests.conftest import FakeEmbedder
from tests.helpers import officials_answers, payload

PARAMS = {"embeddings": "e5", "embeddings_weight": 0.7, "embeddings_center": True, "embeddings_points": True}
LISTED = "Two measures: 1. rotate officers every three years; 2. put the declaration and payment online."
TEXTS = ["Rotation des agents tous les trois ans.", "Officers should rotate every three years.",
         "Mettez la déclaration en ligne.", "Put the declaration online.", "A safe channel to report bribes.",
         LISTED]  # fmt: skip


@pytest.fixture
def embedding_default(monkeypatch, tmp_path: Path, embedding_classifier, loaded: Flask,
                      small_calibrator) -> FakeEmbedder:  # fmt: skip
    """The shipped settings read e5 embeddings (a fake behind a shared cache of the test's own), the
    shipped model is such a classifier, and the campaign has six open answers, one a list of two points."""
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CIPS_EMBEDDINGS", "tfidf")  # themes by words: only the classifier reads vectors
    fake = FakeEmbedder()
    monkeypatch.setattr(embeddings, "get_embedder", lambda name=None: fake)
    monkeypatch.setattr(embedding_block, "_EMBEDDERS", {})
    monkeypatch.setattr(embedding_block, "_SEEDED", set())
    monkeypatch.setattr(default_model, "SHIPPED_PARAMS", PARAMS, raising=False)
    model = embedding_classifier
    monkeypatch.setattr(analysis, "load_default_classifier", lambda: model)
    device = loaded.test_client()
    for text in TEXTS:
        answers = dict(officials_answers(), open_change_first=text)
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201
    fake.seen.clear()
    return fake


def test_report_codes_open_answers_only_from_vectors_embedded_ahead(embedding_default, loaded: Flask,
                                                                    session: Session) -> None:  # fmt: skip
    fake = embedding_default
    with loaded.app_context():
        campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
        assert text_status(session, campaign).ready == 0  # counted: the classifier's vectors are missing
        before = campaign_report(session, "test", "en")
        assert fake.seen == []  # the report computed no vector
        ta = before.text_analysis
        assert not ta.coded and (ta.coding_ready, ta.coding_total) == (0, len(TEXTS) + 3)  # + LISTED's points
        assert before.themes == []  # no factor of open answers rather than another model's
        html = render_html(before)
        assert 'id="coding-incomplete"' in html and "0 of 9 texts" in html

        status = embed_campaign(session, "test")  # the background job's work
        assert (status.ready, status.total) == (6, 6)
        assert set(fake.seen) == {*TEXTS, "Two measures", "rotate officers every three years",
                                  "put the declaration and payment online"}  # fmt: skip
        fake.seen.clear()
        after = campaign_report(session, "test", "en")
        assert fake.seen == [] and after.text_analysis.coded
        assert sum(block.n_respondents for block in after.themes) >= len(TEXTS)  # one respondent per text here
        assert 'id="coding-incomplete"' not in render_html(after)


def test_review_suggestions_wait_for_the_text_analysis(embedding_default, loaded: Flask, session: Session) -> None:
    fake = embedding_default
    with loaded.app_context():
        campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
        assert suggest(session, campaign) == 0 and fake.seen == []
        embed_campaign(session, "test")
        fake.seen.clear()
        assert suggest(session, campaign) == len(TEXTS) and fake.seen == []


def test_a_saved_briefings_suggestions_embed_in_their_own_job(embedding_default, loaded: Flask,
                                                              session: Session) -> None:  # fmt: skip
    """A briefing has no campaign text analysis to wait for: its suggestion job (in the background)
    embeds its few contributions itself, so they are coded rather than left waiting forever."""
    from cips.services.campaigns import get_or_create_administration
    from cips.services.saved_briefings import save_briefing
    from tests.briefing_review.conftest import CSV

    fake = embedding_default
    with loaded.app_context():
        admin = get_or_create_administration(session, "Test Customs")
        briefing = save_briefing(session, administration_id=admin.id, actor="manager@example.org",
                                 filename="consult.csv", data=CSV, lang="en", title="Consultation")  # fmt: skip
        assert suggest(session, briefing) == 6
    assert any("internal audit" in t for t in fake.seen)


def test_cips_report_embeds_what_the_classifier_lacks_first(embedding_default, loaded: Flask, session: Session) -> None:
    """The command line (``embed_missing``) computes the missing vectors, answers and points, then codes."""
    with loaded.app_context():
        report = campaign_report(session, "test", "en", embed_missing=True)
    assert report.text_analysis.coded and report.themes
    assert {*TEXTS, "rotate officers every three years"} <= set(embedding_default.seen)
