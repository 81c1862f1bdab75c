"""Review fixtures: a campaign with open answers, and small stand-ins for the classifier and its calibrator."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from flask import Flask
from sqlmodel import Session, select

from analysis.factors import FACTOR_IDS
from cips.models import Campaign
from tests.helpers import payload
from tests.manage.conftest import accounts, client_as  # noqa: F401  (fixtures)

#: Open answers of the ``test`` campaign: (questionnaire language, text).
TEXTS = [
    ("fr", "Les promotions dépendent des relations, pas du mérite."),
    ("en", "Managers never explain their decisions and nothing is published."),
    ("en", "The new electronic system removed many cash payments at the border."),
    ("es", "Los agentes aceptan regalos de los importadores."),
    ("fr", "Rotation des agents et salaires décents."),
    ("pt", "A auditoria interna nunca investiga os chefes."),
    ("en", "Training on the code of conduct is rare."),
]


class KeywordModel:
    """Stands in for ``FactorClassifier`` where a test is about the app, not the model: one
    factor per keyword, its probability set so that each answer has a different certainty."""

    KEYWORDS = {"promotion": "hrm", "publish": "transparency", "electronic": "automation", "regalo": "private_sector",
                "salaire": "hrm", "auditoria": "audit", "conduct": "conduct"}  # fmt: skip
    thresholds_ = np.full(11, 0.5)

    def predict_labels_and_proba(self, texts: Sequence[str], langs=None):
        labels, proba = [], np.zeros((len(texts), len(FACTOR_IDS)))
        for i, text in enumerate(texts):
            hits = [f for k, f in self.KEYWORDS.items() if k in text.lower()]
            labels.append(hits or ["other"])
            for f in hits:
                proba[i, FACTOR_IDS.index(f)] = 0.55 + 0.06 * i  # answer 0 is the least sure
        return labels, proba

    def explain(self, text: str, lang=None, labels=None) -> dict[str, list[str]]:
        return {f: [f"keyword:{k}"] for k, f in self.KEYWORDS.items() if k in text.lower()}


def submit_open_answers(client, texts=TEXTS) -> None:
    for lang, text in texts:
        body = payload(language=lang)
        body["answers"]["open_change_first"] = text
        response = client.post("/api/v1/submissions", json=body)
        assert response.status_code == 201, response.json


@pytest.fixture
def answered(loaded: Flask, session: Session) -> Campaign:
    """The ``test`` campaign, open, with one open answer per entry of TEXTS."""
    from cips.models import CampaignStatus

    campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
    campaign.status = CampaignStatus.open
    session.add(campaign)
    session.commit()
    submit_open_answers(loaded.test_client())
    return campaign


@pytest.fixture
def small_calibrator(monkeypatch):
    """A small fitted calibrator in place of the shipped one (``adapt.load_default_calibrator``), whose fit is a
    second fit of the shipped setting (minutes); that fit is tested on its own (``test_queue_confidence``,
    ``tests/analysis/test_adapt.py``)."""
    from analysis import adapt

    calibrator = adapt.ConfidenceCalibrator().fit(np.array([[0.1, 0.1], [2.0, 1.0], [0.5, 0.2], [3.0, 2.5]]),
                                                  [False, True, False, True])  # fmt: skip
    monkeypatch.setattr(adapt, "load_default_calibrator", lambda: calibrator)
    return calibrator


@pytest.fixture(scope="session")
def embedding_classifier():
    """A small classifier with the candidate's e5 block, centred, points embedded; fitted once, on a
    fake embedder's vectors (a fixed vector per text), then named ``"e5"`` so that it reads its vectors
    through the caches as the shipped one would (tests replace ``get_embedder`` by that fake)."""
    from analysis.classify import FactorClassifier
    from analysis.default_model import CORPUS_PATH
    from analysis.evaluate import load_examples
    from tests.conftest import FakeEmbedder

    small = load_examples(CORPUS_PATH)[::8]
    model = FactorClassifier(cv=3, embeddings=FakeEmbedder(), embeddings_weight=0.7, embeddings_center=True,
                             embeddings_points=True)  # fmt: skip
    model.fit([e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])
    return model.set_params(embeddings="e5")
