"""The paradata sheet of an export: one row per submission and section.

How a respondent went through each section (active seconds on its page, answers changed after
they were first given: see README "Paradata") and the order a randomised section's statements
were shown in. That order is stored once, as the ``order:<section>`` answer; it is read from there.
Used by ``cips export`` and ``cips decrypt`` alike, so both write the same columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cips.exports.table import Kind, Variable
from cips.instruments.logic import ORDER_PREFIX
from cips.instruments.schema import Instrument as Definition

PARADATA_SHEET = "paradata"
COLUMNS = ("submission_uuid", "instrument", "section", "seconds", "changes", "item_order")
_LABELS = {
    "en": ("Submission uuid", "Questionnaire", "Section", "Active seconds on the section's page (all visits)",
           "Answers changed after first given", "Order the statements were shown in (randomised sections)"),
    "fr": ("Identifiant de la réponse", "Questionnaire", "Partie", "Secondes actives sur la page de la partie "
           "(toutes visites)", "Réponses modifiées après avoir été données",
           "Ordre d'affichage des énoncés (parties en ordre aléatoire)"),
    "es": ("Identificador de la respuesta", "Cuestionario", "Sección", "Segundos activos en la página de la sección "
           "(todas las visitas)", "Respuestas cambiadas después de darlas",
           "Orden en que se mostraron los enunciados (secciones aleatorias)"),
    "pt": ("Identificador da resposta", "Questionário", "Secção", "Segundos ativos na página da secção "
           "(todas as visitas)", "Respostas alteradas depois de dadas",
           "Ordem em que os enunciados foram mostrados (secções aleatórias)"),
}  # fmt: skip


def paradata_variables(lang: str) -> list[Variable]:
    """The sheet's columns, for the .sav's labels: counts are numbers, the rest text."""
    labels = _LABELS.get(lang, _LABELS["en"])
    kinds = (Kind.meta, Kind.meta, Kind.meta, Kind.number, Kind.number, Kind.meta)
    return [Variable(name, kind, label) for name, kind, label in zip(COLUMNS, kinds, labels, strict=True)]


def orders_of(answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{section: [item ids]}`` from a submission's ``order:<section>`` answers (lists or their JSON text)."""
    out = {}
    for key, value in answers.items():
        if key.startswith(ORDER_PREFIX) and value is not None:
            out[key.removeprefix(ORDER_PREFIX)] = json.loads(value) if isinstance(value, str) else list(value)
    return out


def section_rows(uuid: str, instrument: str, definition: Definition, paradata: Mapping[str, Any] | None,
                 orders: Mapping[str, list[str]]) -> list[tuple[Any, ...]]:  # fmt: skip
    """One submission's rows, sections in questionnaire order; a section with neither paradata nor
    an order (never visited, or a record without paradata) has no row."""
    rows = []
    for section in definition.sections:
        entry = (paradata or {}).get(section.id)
        order = orders.get(section.id)
        if entry is None and order is None:
            continue
        rows.append((uuid, instrument, section.id, None if entry is None else entry["seconds"],
                     None if entry is None else entry["changes"], " ".join(order) if order else None))  # fmt: skip
    return rows


def paradata_frame(rows: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    for column in ("seconds", "changes"):
        frame[column] = frame[column].astype("Int64")  # whole numbers; empty where the record sent none
    return frame
