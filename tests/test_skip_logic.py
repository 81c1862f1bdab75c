"""Skip logic in questionnaires: the schema's checks and the server's truth (relevance, required
expressions, constraints, calculated values, randomised order, non-substantive answers)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from cips.instruments import load_file
from cips.instruments.schema import Instrument
from cips.models import Answer, QuarantinedSubmission, Submission
from tests.conftest import FORMS_DIR
from tests.helpers import payload

URL = "/api/v1/submissions"
LANGS = ("en", "fr", "es", "pt")


def tr(text: str) -> dict[str, str]:
    return dict.fromkeys(LANGS, text)


def choices(*values: str) -> list[dict[str, Any]]:
    return [{"value": v, "label": tr(v.title())} for v in values]


def logic_questionnaire() -> dict[str, Any]:
    """private_sector as version 90, with a role block, "other, specify", a constraint, a calculated
    index, "don't know" and a randomised section."""
    data = yaml.safe_load((FORMS_DIR / "archive" / "private_sector-v2.yaml").read_text(encoding="utf-8"))
    data["version"] = 90
    sections = {s["id"]: s for s in data["sections"]}
    background = sections["background"]["items"]
    background.insert(1, {"id": "ps_channels", "type": "multi", "required": False, "text": tr("Channels"),
                          "choices": choices("online", "office", "other")})  # fmt: skip
    background.insert(2, {"id": "ps_channels_other", "type": "text", "relevant": "'other' in ps_channels",
                          "text": tr("Which other channel?")})  # fmt: skip
    background.insert(3, {"id": "ps_years", "type": "number", "required": "ps_role != 'other'",
                          "constraint": ". >= 0 and . <= 80",
                          "constraint_message": tr("Between 0 and 80 years.") | {"fr": "Entre 0 et 80 ans."},
                          "text": tr("Years dealing with customs")})  # fmt: skip
    broker = {"id": "broker_block", "title": tr("Brokers"), "relevant": "ps_role == 'broker'", "items": [
        {"id": "br_licence", "type": "single", "text": tr("Licensed?"), "choices": choices("yes", "no")},
    ]}  # fmt: skip
    data["sections"].insert(1, broker)
    lead = sections["leadership"]
    lead["randomize"] = True
    for item in lead["items"]:
        item["non_substantive"] = ["dont_know", "refused"]
    lead["items"].append({"id": "lead_index", "type": "number", "text": tr("Leadership index"),
                          "calculate": "mean(lead_1, lead_2, lead_3, lead_4)"})  # fmt: skip
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str = "logic.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_questionnaire_with_logic_is_valid(tmp_path) -> None:
    result = load_file(write(tmp_path, logic_questionnaire()))
    assert result.problems == []
    leadership = next(s for s in result.instrument.sections if s.id == "leadership")
    assert leadership.randomize and leadership.items[0].non_substantive == ["dont_know", "refused"]


def test_check_lists_every_logic_error(runner, tmp_path) -> None:
    data = logic_questionnaire()
    items = {i["id"]: i for s in data["sections"] for i in s["items"]}
    items["ps_channels_other"]["relevant"] = "'other' in ps_chanels"  # typo: unknown item
    items["ps_role"]["relevant"] = "ps_years > 3"  # a later item
    items["ps_years"]["constraint"] = ". >= 0 and . <= 80 and pulldata('x', 'y')"
    del items["ps_years"]["constraint_message"]["fr"]
    items["br_licence"]["required"] = "ps_role = 'broker'"
    items["lead_index"]["calculate"] = "mean(lead_1, .)"
    items["ps_frequency"]["non_substantive"] = ["dont_know"]
    items["ps_size"]["non_substantive"] = ["maybe"]
    items["open_works"]["non_substantive"] = ["dont_know"]
    items["ps_region"]["choices"].append({"value": "refused", "label": tr("Refused")})
    result = runner.invoke(args=["instruments", "check", str(write(tmp_path, data))])
    assert result.exit_code == 1
    out = result.output
    for expected in [
        "item ps_channels_other: relevant: unknown item 'ps_chanels'",
        "item ps_role: relevant: 'ps_years' is a later item: an expression may only read earlier answers",
        "item ps_years: constraint: function 'pulldata' is not supported",
        "item ps_years: constraint_message.fr: missing translation (fr)",
        "item br_licence: required: unexpected character '=' at position 9 (use == to compare)",
        "item lead_index: calculate: '.' (the item's own answer) is only for constraint",
        "item ps_size: non_substantive.0: Input should be 'dont_know' or 'refused'",
        "item open_works: non_substantive: only likert5 and single items offer non-substantive answers",
        "item ps_region: choices.refused: 'refused' is a non-substantive answer: declare it in non_substantive",
    ]:
        assert expected in out, (expected, out)
    assert "item ps_frequency" not in out  # a single item may offer "don't know"


def test_randomised_section_id_leaves_room_for_the_order_key(tmp_path) -> None:
    data = logic_questionnaire()
    data["sections"][2]["id"] = "l" * 60
    problems = [str(p) for p in load_file(write(tmp_path, data)).problems]
    assert any("randomize: a randomised section's id has at most 58 characters" in p for p in problems)


def test_unchanged_shipped_files_keep_their_stored_hash() -> None:
    """The new optional fields are left out of the hash while unset: loading an unchanged file again
    must not be refused as "already loaded with different content"."""
    from cips.instruments.loader import content_hash

    definition = load_file(FORMS_DIR / "archive" / "officials-v1.yaml").instrument
    dumped = definition.model_dump(mode="json")
    for section in dumped["sections"]:
        section.pop("relevant"), section.pop("randomize")
        for item in section["items"]:
            for name in ("relevant", "constraint", "constraint_message", "calculate", "non_substantive"):
                item.pop(name)
    import hashlib

    before = hashlib.sha256(json.dumps(dumped, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert content_hash(definition) == before


# --------------------------------------------------------------------------- server truth


@pytest.fixture
def logic_campaign(loaded, runner, tmp_path):
    assert runner.invoke(args=["instruments", "load", str(write(tmp_path, logic_questionnaire()))]).exit_code == 0
    result = runner.invoke(args=["campaign", "create", "logic", "--name", "Logic", "--administration", "Test Customs",
                                 "--instrument", "private_sector:90", "--languages", "en,fr"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return loaded


def answers(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"ps_role": "importer", "ps_frequency": "weekly", "ps_region": "headquarters",
                            "ps_years": 12, "lead_1": 4, "lead_2": 2}  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def post(client, **changes: Any):
    body = payload(campaign="logic", instrument="private_sector", instrument_version=90, answers=answers(**changes))
    return client.post(URL, json=body), body


def stored_answers(session) -> dict[str, Any]:
    return {a.item_id: (a.value_num, a.value_text) for a in session.exec(select(Answer))}


def test_answer_to_an_item_not_asked_is_422_naming_it_and_quarantined(logic_campaign, client, session) -> None:
    resp, body = post(client, br_licence="yes")  # an importer is not asked the brokers' block
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [{"field": "answers.br_licence", "message":
                                          "answered, but not asked: its condition (relevant) is false for the "
                                          "answers before it"}]  # fmt: skip
    row = session.exec(select(QuarantinedSubmission)).one()
    assert json.loads(row.raw_body) == body and session.exec(select(Submission)).first() is None

    resp, _ = post(client, ps_channels=["online"], ps_channels_other="fax")  # "specify" without "other"
    assert resp.status_code == 422 and resp.get_json()["field"] == "answers.ps_channels_other"


def test_relevant_items_are_accepted_and_required_when_asked(logic_campaign, client, session) -> None:
    resp, _ = post(client, ps_role="broker")  # the brokers' block is asked, and its item is required
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [{"field": "answers.br_licence", "message": "required item not answered"}]
    resp, _ = post(client, ps_role="broker", br_licence="no", ps_channels=["other", "online"],
                   ps_channels_other="Courier")  # fmt: skip
    assert resp.status_code == 201
    assert stored_answers(session)["ps_channels_other"] == (None, "Courier")


def test_required_expression(logic_campaign, client) -> None:
    resp, _ = post(client, ps_years=None)
    assert resp.status_code == 422 and resp.get_json()["field"] == "answers.ps_years"
    resp, _ = post(client, ps_role="other", ps_years=None)  # required only when the role is not "other"
    assert resp.status_code == 201


def test_constraint_refuses_with_its_message(logic_campaign, client) -> None:
    resp, _ = post(client, ps_years=95)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == [{"field": "answers.ps_years", "message": "Between 0 and 80 years."}]


def test_calculated_value_is_stored_and_cannot_be_sent(logic_campaign, client, session) -> None:
    resp, _ = post(client, lead_3="dont_know")  # "don't know" is stored as such and left out of the mean
    assert resp.status_code == 201
    stored = stored_answers(session)
    assert stored["lead_index"] == (3.0, None)
    assert stored["lead_3"] == (None, "dont_know")
    resp, _ = post(client, lead_index=5)
    assert resp.status_code == 422 and resp.get_json()["field"] == "answers.lead_index"


def test_non_substantive_only_where_offered(logic_campaign, client) -> None:
    resp, _ = post(client, ps_frequency="dont_know")  # not offered by this item
    assert resp.status_code == 422 and resp.get_json()["field"] == "answers.ps_frequency"


def test_randomised_order_is_stored_with_the_submission(logic_campaign, client, session) -> None:
    order = ["lead_3", "lead_1", "lead_index", "lead_4", "lead_2"]
    resp, _ = post(client, **{"order:leadership": order})
    assert resp.status_code == 201
    assert json.loads(stored_answers(session)["order:leadership"][1]) == order
    for wrong, field in [(["lead_1"], "answers.order:leadership"), (order, "answers.order:regulatory")]:
        resp, _ = post(client, **{field.removeprefix("answers."): wrong})
        assert resp.status_code == 422 and resp.get_json()["field"] == field


def test_versions_without_logic_keep_working(logic_campaign, client) -> None:
    """An old tablet still submits the version it has: its rules are its own."""
    assert client.post(URL, json=payload()).status_code == 201


def test_logic_of_a_definition_is_independent_copies(tmp_path) -> None:
    data = logic_questionnaire()
    other = copy.deepcopy(data)
    other["sections"][1]["relevant"] = "ps_role == 'exporter'"
    from cips.instruments.logic import logic_of, walk

    first, second = (load_file(write(tmp_path, d, n)).instrument for d, n in ((data, "a.yaml"), (other, "b.yaml")))
    broker = {"ps_role": "broker"}
    assert "br_licence" in walk(logic_of(first), broker).asked
    assert "br_licence" not in walk(logic_of(second), broker).asked


# --------------------------------------------------------------------------- the no-JavaScript form


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(submission_uuid|started_at|csrf_token)"[^>]*value="([^"]*)"', page))


def _item_order(page: str, section: str) -> list[str]:
    part = page.split(f'id="s-{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'id="f-([a-z0-9_]+)"', part)


def test_basic_form_offers_dont_know_keeps_its_order_and_drops_answers_not_asked(logic_campaign, client,
                                                                                 session) -> None:  # fmt: skip
    url = "/s/logic/private_sector/basic?lang=fr"
    page = client.get(url).get_data(as_text=True)
    assert 'value="dont_know"' in page and "Ne sait pas" in page and "Préfère ne pas répondre" in page
    assert 'id="f-lead_index"' not in page  # calculated, never asked
    order = _item_order(page, "leadership")
    assert sorted(order) == ["lead_1", "lead_2", "lead_3", "lead_4"]
    data = {**_hidden(page), "consent": "y", "ps_role": "importer", "ps_frequency": "weekly",
            "ps_region": "headquarters", "ps_years": "95", "lead_1": "dont_know", "lead_2": "2",
            "br_licence": "yes"}  # fmt: skip
    resp = client.post(url, data=data)
    assert resp.status_code == 422
    again = resp.get_data(as_text=True)
    assert "Entre 0 et 80 ans." in again  # the constraint's message, in the respondent's language
    assert 'id="f-br_licence"' not in again  # an importer is not asked the brokers' block
    assert _item_order(again, "leadership") == order  # the same uuid, the same order
    data["ps_years"] = "12"
    assert client.post(url, data=data).status_code == 200
    stored = stored_answers(session)
    assert "br_licence" not in stored  # shown to all without JavaScript, dropped as not asked
    assert stored["lead_1"] == (None, "dont_know") and stored["lead_index"] == (2.0, None)
    shown = [i for i in json.loads(stored["order:leadership"][1]) if i != "lead_index"]
    assert shown == order


# --------------------------------------------------------------------------- exports


def test_exports_code_non_substantive_answers_and_codebook_lists_them(logic_campaign, client, session,
                                                                      tmp_path) -> None:  # fmt: skip
    import openpyxl
    import pyreadstat

    from cips.services.exports import build_export

    uuids = {}
    for n, lead_1 in enumerate(["dont_know", "refused", 3, 4, 5]):
        resp, body = post(client, lead_1=lead_1, lead_2=n % 5 + 1)
        assert resp.status_code == 201
        uuids[body["uuid"]] = lead_1
    export = build_export(session, "logic", "xlsx", lang="fr", instrument="private_sector", actor="t@example.org")
    book = openpyxl.load_workbook(export.write(tmp_path / export.filename), read_only=True)
    rows = list(book["private_sector"].iter_rows(values_only=True))
    lead_1 = {row[0]: row[rows[0].index("lead_1")] for row in rows[1:]}
    assert {uuids[u]: v for u, v in lead_1.items()} == {"dont_know": 8, "refused": 9, 3: 3, 4: 4, 5: 5}
    codebook = list(book["codebook"].iter_rows(values_only=True))
    row = next(r for r in codebook if r[1] == "lead_1")
    labels = row[codebook[0].index("value_labels")]
    assert labels.endswith("8=Ne sait pas; 9=Préfère ne pas répondre")

    sav = build_export(session, "logic", "sav", instrument="private_sector", actor="t@example.org")
    _, meta = pyreadstat.read_sav(str(sav.write(tmp_path / sav.filename)), user_missing=True)
    assert meta.missing_ranges["lead_1"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert meta.variable_value_labels["lead_1"][8.0] == "Don't know"
    plain, _ = pyreadstat.read_sav(str(tmp_path / sav.filename))  # SPSS's default: user-missing as missing
    assert sorted(plain["lead_1"].dropna()) == [3.0, 4.0, 5.0]


def test_demo_respondents_follow_the_skip_logic() -> None:
    """Demo data for a questionnaire with logic is valid: no answers to items not asked, no calculated
    values sent, some "don't know" where offered."""
    from cips.demo.generator import DemoRespondents
    from cips.submissions.payload import validate_answers

    definition = Instrument.model_validate(logic_questionnaire())
    payloads = list(DemoRespondents("demo", {"private_sector": (90, definition)}, ["en", "fr"], seed=3).payloads(80))
    problems = [e for p in payloads for e in validate_answers(definition, p["answers"])[1]
                if e.message != "required item not answered"]  # fmt: skip
    assert problems == []
    assert any("dont_know" in p["answers"].values() for p in payloads)
    assert not any("lead_index" in p["answers"] for p in payloads)


def test_demo_upbeat_region_leaves_non_substantive_answers_alone() -> None:
    """The demo's upbeat headquarters moves Likert points only: a "don't know" stays what it is
    (it used to be added to, which stopped `cips demo` once a shipped form offered it)."""
    from cips.demo.generator import UPBEAT_REGION, DemoRespondents
    from cips.submissions.payload import validate_answers

    definition = load_file(FORMS_DIR / "officials.yaml").instrument  # every statement offers "don't know"
    payloads = list(DemoRespondents("demo", {"officials": (definition.version, definition)}, ["en"],
                                    seed=3).payloads(200))  # fmt: skip
    upbeat = [p["answers"] for p in payloads if p["answers"].get("bg_region") == UPBEAT_REGION]
    assert any("dont_know" in answers.values() for answers in upbeat)
    assert [e for p in payloads for e in validate_answers(definition, p["answers"])[1]
            if e.message != "required item not answered"] == []  # fmt: skip


def test_campaign_data_leaves_the_order_paradata_out(logic_campaign, client, session) -> None:
    from cips.models import Campaign
    from cips.services.datasets import load_campaign_data

    order = ["lead_3", "lead_1", "lead_index", "lead_4", "lead_2"]
    assert post(client, **{"order:leadership": order})[0].status_code == 201
    campaign = session.exec(select(Campaign).where(Campaign.slug == "logic")).one()
    data = load_campaign_data(session, campaign)
    assert set(data.answers["item_id"]) == {"ps_role", "ps_frequency", "ps_region", "ps_years", "lead_1", "lead_2",
                                            "lead_index"}  # fmt: skip
