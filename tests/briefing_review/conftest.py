"""Saved briefings: a small consultation, and a stand-in classifier where a test is about the app."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from flask import Flask
from sqlmodel import Session

from analysis.factors import FACTOR_IDS
from cips.models import Briefing
from cips.services.campaigns import get_or_create_administration
from cips.services.saved_briefings import save_briefing
from tests.manage.conftest import accounts, client_as  # noqa: F401  (fixtures)

#: Six contributions to two questions, four languages.
CSV = (
    "question,contributor,lang,attributable,answer\n"
    "q1,Norland,en,yes,Training of officers on the code of conduct helped us most.\n"
    "q1,Valmont,fr,no,La formation des agents au code de conduite a été utile.\n"
    "q1,Kessaria,en,no,Managers now publish their decisions on promotions.\n"
    "q2,Norland,en,yes,More support for internal audit would help.\n"
    "q2,Sudria,es,no,Más apoyo a la auditoría interna.\n"
    "q2,Lusia,pt,no,Mais apoio à auditoria interna e à gestão de riscos.\n"
).encode()


class StubModel:
    """Codes every text ``other`` (sure of nothing): whatever factor a briefing shows came from a person."""

    thresholds_ = np.full(11, 0.5)

    def predict_labels(self, texts: Sequence[str], langs=None) -> list[list[str]]:
        return [["other"] for _ in texts]

    def predict_labels_and_proba(self, texts: Sequence[str], langs=None):
        proba = np.zeros((len(texts), len(FACTOR_IDS)))
        for i in range(len(texts)):
            proba[i, 0] = 0.1 + 0.05 * i  # a different certainty per text: the queue's order is defined
        return self.predict_labels(texts), proba

    def explain(self, text: str, lang=None, labels=None) -> dict[str, list[str]]:
        return {}


@pytest.fixture
def saved(loaded: Flask, session: Session) -> Briefing:
    """A briefing of the ``test`` campaign's administration (Test Customs), saved from CSV."""
    admin = get_or_create_administration(session, "Test Customs")
    return save_briefing(session, administration_id=admin.id, actor="manager@example.org", filename="consult.csv",
                         data=CSV, lang="en", title="Consultation 2027")  # fmt: skip
