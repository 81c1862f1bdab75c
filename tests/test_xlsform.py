"""XLSForm import and export: a lossless round trip of the shipped questionnaires, a form written
by hand in a spreadsheet imported and answered, and what CIPS cannot honour refused by cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from cips.instruments import load_file
from cips.instruments.schema import Instrument
from cips.instruments.xlsform import from_xpath, read_xlsform, to_xpath, write_xlsform
from tests.conftest import FORMS_DIR
from tests.test_skip_logic import logic_questionnaire


@pytest.mark.parametrize("name", ["officials", "private_sector"])
def test_shipped_questionnaires_round_trip_losslessly(name: str, tmp_path: Path) -> None:
    definition = load_file(FORMS_DIR / f"{name}.yaml").instrument
    write_xlsform(definition, tmp_path / "form.xlsx")
    imported = read_xlsform(tmp_path / "form.xlsx")
    assert imported.problems == []
    assert Instrument.model_validate(imported.data).model_dump() == definition.model_dump()


def test_skip_logic_round_trips_losslessly(tmp_path: Path) -> None:
    definition = Instrument.model_validate(logic_questionnaire())
    write_xlsform(definition, tmp_path / "form.xlsx")
    imported = read_xlsform(tmp_path / "form.xlsx")
    assert imported.problems == []
    assert Instrument.model_validate(imported.data).model_dump() == definition.model_dump()


@pytest.mark.parametrize(
    ("xpath", "cips"),
    [
        ("${bg_function} = 'broker'", "bg_function == 'broker'"),
        ("selected(${ch}, 'other') and ${age}>=18", "selected(ch, 'other') and age>=18"),
        ("not(${a} != 'x=y')", "not(a != 'x=y')"),
        (". >= 0 and . <= 80", ". >= 0 and . <= 80"),
        ("count-selected(${ch}) <= 2", "count_selected(ch) <= 2"),
    ],
)
def test_expressions_translate_both_ways(xpath: str, cips: str) -> None:
    assert from_xpath(xpath) == cips
    assert from_xpath(to_xpath(cips)) == cips


def _hand_written(path: Path, extra_row: list[Any] | None = None) -> Path:
    """What a survey officer types in a spreadsheet: a plain XLSForm, French and English labels."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    messages = ["constraint_message::English (en)", "constraint_message::French (fr)"]
    survey.append(["type", "name", "label::English (en)", "label::French (fr)", "required", "relevant",
                   "constraint", *messages, "factor"])  # fmt: skip
    survey.append(["start", "start"])
    survey.append(["select_one role", "role", "Your role", "Votre rôle", "yes"])
    survey.append(["select_multiple channel", "channels", "Channels", "Canaux", "no"])
    survey.append(["text", "channels_other", "Which other?", "Lequel ?", "yes", "selected(${channels}, 'other')"])
    survey.append(["integer", "years", "Years", "Années", "yes", "${role} = 'broker'", ". >= 0 and . <= 60",
                   "0 to 60", "De 0 à 60"])  # fmt: skip
    if extra_row:
        survey.append(extra_row)
    factors = ["leadership", "regulatory", "transparency", "automation", "reform", "audit", "conduct", "hrm",
               "culture", "private_sector"]  # fmt: skip
    survey.append(["begin group", "statements", "Statements", "Affirmations"])
    for factor in factors:
        for n in range(1, 4):
            survey.append(["select_one likert5", f"{factor[:5]}_{n}", f"{factor} {n}", f"{factor} {n} (fr)", "no",
                           None, None, None, None, factor])  # fmt: skip
    survey.append(["end group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::French (fr)"])
    for value, (en, fr) in enumerate([("Strongly disagree", "Pas du tout d'accord"), ("Disagree", "Pas d'accord"),
                                      ("Neutral", "Neutre"), ("Agree", "D'accord"),
                                      ("Strongly agree", "Tout à fait d'accord")], start=1):  # fmt: skip
        choices.append(["likert5", value, en, fr])
    for name, en, fr in [("broker", "Broker", "Commissionnaire"), ("importer", "Importer", "Importateur")]:
        choices.append(["role", name, en, fr])
    for name, en, fr in [("online", "Online", "En ligne"), ("other", "Other", "Autre")]:
        choices.append(["channel", name, en, fr])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "intro::English (en)", "intro::French (fr)",
                     "consent::English (en)", "consent::French (fr)"])  # fmt: skip
    settings.append(["Partners survey", "partners", 3, "Welcome.", "Bienvenue.", "I agree.", "J'accepte."])
    book.save(path)
    return path


def test_hand_written_xlsform_imports_loads_and_runs(runner, loaded, client, tmp_path: Path) -> None:
    source = _hand_written(tmp_path / "partners.xlsx")
    result = runner.invoke(args=["instruments", "import-xlsform", str(source)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((tmp_path / "partners.yaml").read_text(encoding="utf-8"))
    items = {i["id"]: i for s in data["sections"] for i in s["items"]}
    assert items["years"]["relevant"] == "role == 'broker'"
    assert items["years"]["constraint_message"]["fr"] == "De 0 à 60"
    assert items["channels_other"]["relevant"] == "selected(channels, 'other')"
    assert data["languages"] == ["en", "fr"] and data["title"] == {"en": "Partners survey", "fr": "Partners survey"}

    assert runner.invoke(args=["instruments", "load", str(tmp_path / "partners.yaml")]).exit_code == 0
    created = runner.invoke(args=["campaign", "create", "partners", "--name", "Partners", "--administration",
                                  "Test Customs", "--instrument", "partners:3", "--languages", "fr"])  # fmt: skip
    assert created.exit_code == 0, created.output
    page = client.get("/s/partners/partners/basic?lang=fr")
    assert page.status_code == 200 and "Votre rôle" in page.get_data(as_text=True)
    body = {"uuid": "7b0c4f0e-8f55-4a55-9a38-0e1f6f6f0a01", "campaign": "partners", "instrument": "partners",
            "instrument_version": 3, "language": "fr", "submitted_at": "2026-11-25T09:16:40+00:00",
            "answers": {"role": "importer", "years": 4}}  # fmt: skip
    resp = client.post("/api/v1/submissions", json=body)
    assert resp.status_code == 422 and resp.get_json()["field"] == "answers.years"  # only brokers are asked
    body["answers"] = {"role": "broker", "years": 4, "channels": ["other"], "channels_other": "Courrier"}
    assert client.post("/api/v1/submissions", json=body).status_code == 201


def test_unsupported_things_are_refused_naming_the_cell(runner, tmp_path: Path) -> None:
    source = _hand_written(tmp_path / "bad.xlsx", ["calculate", "rate", "Rate", "Taux", None, None, None, None,
                                                   None, None])  # fmt: skip
    book_path = tmp_path / "bad.xlsx"
    from openpyxl import load_workbook

    book = load_workbook(book_path)
    sheet = book["survey"]
    sheet["K1"] = "calculation"
    sheet["K7"] = "pulldata('rates', 'rate', 'id', ${role})"
    sheet.append(["note", "thanks", "Thank you", "Merci"])
    sheet.append(["text", "comment", "Comment", "Commentaire", None, "string-length(${role}) > 3"])
    sheet["L1"] = "choice_filter"
    sheet["L3"] = "${role} = 'x'"
    book.save(book_path)
    result = runner.invoke(args=["instruments", "import-xlsform", str(source)])
    assert result.exit_code == 1
    out = result.output
    for expected in [
        "survey!K7: function 'pulldata' is not supported",
        "survey!A40: type 'note' is not supported",
        "survey!F41: function 'string-length' is not supported",
        "survey!L3: column 'choice_filter' is not supported",
    ]:
        assert expected in out, (expected, out)
    assert not (tmp_path / "bad.yaml").exists()  # nothing written while the form has problems


def test_export_writes_a_loaded_questionnaire(runner, loaded, tmp_path: Path) -> None:
    out = tmp_path / "ps.xlsx"
    result = runner.invoke(args=["instruments", "export-xlsform", "private_sector", "--out", str(out)])
    assert result.exit_code == 0, result.output
    back = read_xlsform(out)
    assert back.problems == [] and back.data["key"] == "private_sector"
    assert runner.invoke(args=["instruments", "export-xlsform", "nope"]).exit_code == 1


def test_ungrouped_rows_are_titled_with_the_forms_title_in_each_language(tmp_path: Path) -> None:
    """A survey officer's ungrouped rows are shown under the form's title (as ODK Collect and Enketo show
    them), translated, never under a raw section id; rows after a group keep their place in the form."""
    source = _hand_written(tmp_path / "partners.xlsx", ["text", "early", "Early", "Tôt"])
    from openpyxl import load_workbook

    book = load_workbook(source)
    book["survey"].append(["text", "closing", "Anything else?", "Autre chose ?"])
    settings = book["settings"]
    settings["H1"], settings["I1"] = "survey_title::English (en)", "survey_title::French (fr)"
    settings["H2"], settings["I2"] = "Partners survey", "Enquête partenaires"
    book.save(source)
    imported = read_xlsform(source)
    assert imported.problems == []
    sections = imported.data["sections"]
    assert [s["id"] for s in sections] == ["questions", "statements", "questions_2"]
    assert sections[0]["title"] == {"en": "Partners survey", "fr": "Enquête partenaires"}
    assert [i["id"] for i in sections[0]["items"]][-1] == "early"
    assert [i["id"] for i in sections[2]["items"]] == ["closing"] and sections[2]["title"] == sections[0]["title"]
    assert Instrument.model_validate(imported.data).sections[0].title["fr"] == "Enquête partenaires"
    assert imported.notes == []  # the title is translated: nothing to say


def test_one_language_form_title_is_said_and_a_translated_one_refused(runner, tmp_path: Path) -> None:
    """XLSForm's form_title has one language (pyxform writes it as the single <h:title>): the import says
    every language gets it, and a form_title::… column, which ODK tools would not read, is refused by cell."""
    source = _hand_written(tmp_path / "partners.xlsx")
    result = runner.invoke(args=["instruments", "import-xlsform", str(source)])
    assert result.exit_code == 0, result.output
    assert "note: settings!A2: form_title has one language, so every language (en, fr) gets 'Partners survey'" in (
        result.output
    )
    from openpyxl import load_workbook

    book = load_workbook(source)
    book["settings"]["H1"], book["settings"]["H2"] = "form_title::French (fr)", "Enquête partenaires"
    book.save(source)
    imported = read_xlsform(source)
    assert imported.problems == [
        "settings!H2: 'form_title::French (fr)': XLSForm's form_title has one language; "
        "put a title per language in 'survey_title::French (fr)'"
    ]
