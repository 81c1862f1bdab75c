"""The shipped questionnaires' own logic (forms/officials.yaml, forms/private_sector.yaml): role blocks,
"other, please specify", "don't know" on every statement, randomised factor sections; what the
server, the exports, the scores and the demo make of them. The campaign ``test`` uses the shipped versions."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from sqlmodel import select

from analysis.scores import item_indices, respondent_scores
from cips.instruments import load_file
from cips.instruments.logic import ORDER_PREFIX, logic_of, order_key, walk
from cips.models import Campaign, QuarantinedSubmission, Submission
from cips.services.datasets import load_campaign_data
from cips.services.exports import build_export
from cips.submissions.payload import NOT_ASKED, validate_answers
from tests.conftest import FORMS_DIR
from tests.exports.support import PRIVATE, private_answers
from tests.helpers import PRIVATE_VERSION, officials_answers, payload

URL = "/api/v1/submissions"
OFFICIALS = load_file(FORMS_DIR / "officials.yaml").instrument


def private(**changes: Any) -> dict[str, Any]:
    answers = {k: v for k, v in (private_answers() | changes).items() if v is not None}
    return payload(instrument="private_sector", instrument_version=PRIVATE_VERSION, language="en", answers=answers)


def test_private_sector_asks_each_role_its_own_block_and_refuses_the_others(loaded, client, session) -> None:
    broker_asked = client.post(URL, json=private(ps_role="broker", br_declarations="d10_100"))
    assert broker_asked.status_code == 201, broker_asked.get_json()
    body = private(ps_role="broker", tr_border_wait="h6_24")  # the transporters' block, hidden from a broker
    resp = client.post(URL, json=body)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [{"field": "answers.tr_border_wait", "message": NOT_ASKED}]
    assert json.loads(session.exec(select(QuarantinedSubmission)).one().raw_body) == body
    assert client.post(URL, json=private(ps_role="transport", tr_border_wait="h6_24")).status_code == 201
    assert client.post(URL, json=private(ps_role="importer", br_declarations="over_100")).status_code == 422
    # "Other, please specify" only after "other".
    specify = client.post(URL, json=private(ps_role="importer", ps_role_other="Freight forwarder"))
    assert specify.get_json()["field"] == "answers.ps_role_other"
    assert client.post(URL, json=private(ps_role="other", ps_role_other="Freight forwarder")).status_code == 201
    officials = payload(answers=officials_answers() | {"bg_function_other": "Canine unit"})  # function: clearance
    assert client.post(URL, json=officials).get_json()["field"] == "answers.bg_function_other"
    other = payload(answers=officials_answers() | {"bg_function": "other", "bg_function_other": "Canine unit"})
    assert client.post(URL, json=other).status_code == 201
    assert len(session.exec(select(Submission)).all()) == 4


def test_shipped_statements_offer_dont_know_in_random_order(loaded, client, session) -> None:
    sections = [s.id for s in OFFICIALS.sections if s.randomize]
    assert len(sections) == 10  # one per RAD factor
    leadership = [i.id for i in OFFICIALS.sections[1].items]
    order = list(reversed(leadership))
    body = payload(answers=officials_answers() | {"lead_1": "dont_know", "lead_2": "refused",
                                                  order_key("leadership"): order})  # fmt: skip
    assert client.post(URL, json=body).status_code == 201
    for _ in range(4):  # exports need five respondents
        assert client.post(URL, json=payload()).status_code == 201
    export = build_export(session, "test", "xlsx", lang="en", instrument="officials", actor="t@example.org")
    book = openpyxl.load_workbook(io.BytesIO(export.data), read_only=True)
    codebook = list(book["codebook"].iter_rows(values_only=True))
    labels = {row[1]: row[codebook[0].index("value_labels")] for row in codebook[1:]}
    # Every statement of the shipped form lists its non-substantive codes.
    for item in OFFICIALS.items():
        if item.type.value == "likert5":
            assert labels[item.id].endswith("8=Don't know; 9=Prefer not to say"), (item.id, labels[item.id])
    rows = list(book["officials"].iter_rows(values_only=True))
    stored = next(dict(zip(rows[0], row, strict=False)) for row in rows[1:] if row[0] == body["uuid"])
    assert (stored["lead_1"], stored["lead_2"]) == (8, 9)


def test_scores_ignore_dont_know_and_report_its_share(loaded, client, session) -> None:
    """Five respondents don't know lead_1, five rate it 5: its index rests on the five points only,
    and a "don't know" respondent's leadership score is the mean of the statements they rated."""
    rated = {"lead_1": 5, "lead_2": 5, "lead_3": 5, "lead_4": 5, "lead_5": 1, "lead_6": 5}  # lead_5 is reversed
    for lead_1 in ["dont_know"] * 5 + [5] * 5:
        answers = officials_answers() | rated | {"lead_1": lead_1}
        assert client.post(URL, json=payload(answers=answers)).status_code == 201
    data = load_campaign_data(session, session.exec(select(Campaign).where(Campaign.slug == "test")).one())
    items = data.items[data.items["instrument"] == "officials"]
    scores = respondent_scores(data.answers, items)
    assert sorted(scores["leadership"]) == [100.0] * 10
    respondents = data.respondents.set_index("respondent")["instrument"]
    table = item_indices(data.answers, items, respondents)
    lead_1 = table[table["item_id"] == "lead_1"].iloc[0]
    assert (lead_1["n"], lead_1["index"], lead_1["non_substantive"]) == (5, 100.0, 5)
    assert lead_1["non_substantive_share"] == pytest.approx(0.5)


def test_demo_answers_the_shipped_questionnaires_as_their_logic_asks() -> None:
    """Only items the respondent was asked, "don't know" now and then, the order each randomised
    section was shown in; every payload valid for the shipped versions."""
    from cips.demo.generator import DemoRespondents

    forms = {"officials": (OFFICIALS.version, OFFICIALS), "private_sector": (PRIVATE.version, PRIVATE)}
    payloads = list(DemoRespondents("demo", forms, ["en", "fr", "es", "pt"], seed=5).payloads(160))
    roles: set[str] = set()
    for body in payloads:
        definition = forms[body["instrument"]][1]
        answers = body["answers"]
        assert validate_answers(definition, answers)[1] == [], body["uuid"]
        assert walk(logic_of(definition), answers).not_asked_answered == []
        randomized = {s.id: sorted(i.id for i in s.items) for s in definition.sections if s.randomize}
        orders = {k.removeprefix(ORDER_PREFIX): sorted(v) for k, v in answers.items() if k.startswith(ORDER_PREFIX)}
        assert orders == randomized
        roles.add(answers.get("ps_role", ""))
        if answers.get("ps_role") == "broker":
            assert "tr_border_wait" not in answers
    assert {"broker", "transport"} <= roles
    assert any("dont_know" in p["answers"].values() for p in payloads)
    assert any("br_declarations" in p["answers"] for p in payloads)
    # Orders differ between respondents (a per-respondent shuffle, not one fixed order).
    assert len({tuple(p["answers"][order_key("leadership")]) for p in payloads}) > 10
