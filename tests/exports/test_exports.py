"""Exports (CSV, XLSX, SPSS .sav): contents, codebook, labels, CSV injection, CLI."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest
import yaml
from sqlmodel import select

from cips.models import AuditEvent
from cips.services.exports import build_export
from tests.conftest import FORMS_DIR
from tests.exports.support import (
    FORMULAS,
    FORMULAS_2,
    META,
    OFFICIALS,
    PRIVATE,
    item_ids,
    post,
    read_csv,
)
from tests.helpers import OFFICIALS_VERSION, officials_answers

# --------------------------------------------------------------------------- formula neutralisation


def test_exports_formula_answers_are_neutralised_in_csv_and_xlsx(answered, session) -> None:
    export = build_export(session, "test", "csv", instrument="officials", actor="t@example.org")
    rows = read_csv(export.data)
    header, by_uuid = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:5] == META
    for body, answers in ((answered["south"][0], FORMULAS), (answered["south"][1], FORMULAS_2)):
        row = by_uuid[body["uuid"]]
        for item_id, text in answers.items():
            assert row[item_id] == "'" + text
    assert by_uuid[answered["north"][0]["uuid"]]["lead_1"] == "1"  # numbers are not touched

    book = openpyxl.load_workbook(io.BytesIO(
        build_export(session, "test", "xlsx", instrument="officials", actor="t@example.org").data))  # fmt: skip
    sheet = book["officials"]
    cols = {cell.value: cell.column for cell in sheet[1]}
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for body, answers in ((answered["south"][0], FORMULAS), (answered["south"][1], FORMULAS_2)):
        for item_id, text in answers.items():
            cell = cells[body["uuid"]][cols[item_id] - 1]
            assert cell.value == "'" + text and cell.data_type == "s"  # a string, never a formula
    lead = cells[answered["north"][0]["uuid"]][cols["lead_1"] - 1]
    assert lead.value == 1 and lead.data_type == "n"


# --------------------------------------------------------------------------- CSV


def test_exports_csv_has_one_row_per_respondent_with_their_values(answered, session) -> None:
    export = build_export(session, "test", "csv", instrument="officials", actor="t@example.org")
    assert export.mimetype.startswith("text/csv") and export.filename.endswith(".csv")
    assert export.filename.startswith("test_officials_")
    rows = read_csv(export.data)
    assert rows[0] == META + item_ids(OFFICIALS)
    assert len(rows) - 1 == 8 == export.rows["officials"]
    by_uuid = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    first = answered["north"][0]
    row = by_uuid[first["uuid"]]
    assert row["instrument"] == "officials" and row["language"] == "fr"
    assert row["instrument_version"] == str(OFFICIALS_VERSION)
    assert row["submitted_at"] == first["submitted_at"].replace("+00:00", "Z")
    assert row["bg_region"] == "north" and row["bg_function"] == "clearance"
    for item_id in ("lead_1", "reg_3", "ps_6"):
        assert row[item_id] == str(first["answers"][item_id])
    assert row["open_change_first"] == first["answers"]["open_change_first"]
    assert row["open_works"] == ""  # skipped


def test_exports_csv_of_two_questionnaires_is_a_zip_with_a_codebook(answered, session) -> None:
    export = build_export(session, "test", "csv", actor="t@example.org")
    assert export.mimetype == "application/zip" and export.filename.endswith(".zip")
    # The SPSS export of the same campaign downloads under another name (both were test_DATE.zip).
    sav = build_export(session, "test", "sav", actor="t@example.org")
    assert export.filename.startswith("test_csv_") and sav.filename.startswith("test_sav_")
    with zipfile.ZipFile(io.BytesIO(sav.data)) as archive:
        assert sorted(archive.namelist()) == ["codebook.csv", "test_officials.sav", "test_private_sector.sav"]
    assert export.rows == {"officials": 8, "private_sector": 5}
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        assert sorted(archive.namelist()) == ["codebook.csv", "test_officials.csv", "test_private_sector.csv"]
        private = read_csv(archive.read("test_private_sector.csv"))
        codebook = read_csv(archive.read("codebook.csv"))
    assert private[0] == META + item_ids(PRIVATE) and len(private) == 6
    assert {row[1] for row in private[1:]} == {"private_sector"} and {row[3] for row in private[1:]} == {"es"}
    listed = {(row[0], row[3]) for row in codebook[1:] if row[3]}
    # Each item once, its code columns (open items) under the item they code.
    expected = {("officials", i.id) for i in OFFICIALS.items()} | {("private_sector", i.id) for i in PRIVATE.items()}
    assert listed == expected


# --------------------------------------------------------------------------- XLSX


def test_exports_xlsx_has_a_sheet_per_questionnaire_and_a_codebook(answered, session) -> None:
    export = build_export(session, "test", "xlsx", lang="fr", actor="t@example.org")
    assert export.filename.endswith(".xlsx") and "spreadsheetml" in export.mimetype
    book = openpyxl.load_workbook(io.BytesIO(export.data))
    assert book.sheetnames == ["officials", "private_sector", "codebook"]
    officials = list(book["officials"].iter_rows(values_only=True))
    assert list(officials[0]) == META + item_ids(OFFICIALS) and len(officials) == 9
    row = next(r for r in officials[1:] if r[0] == answered["north"][2]["uuid"])
    values = dict(zip(officials[0], row, strict=True))
    assert values["lead_1"] == 3 and values["bg_region"] == "north"
    assert values["instrument_version"] == OFFICIALS_VERSION
    assert values["submitted_at"].isoformat() == answered["north"][2]["submitted_at"].replace("+00:00", "")

    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert list(codebook[0]) == ["instrument", "variable", "spss_variable", "item_id", "type", "text", "factor",
                                 "reverse", "value_labels", "spss_codes"]  # fmt: skip
    entries = {(r[0], r[3]): dict(zip(codebook[0], r, strict=True)) for r in codebook[1:] if r[3]}
    assert set(entries) == {("officials", i.id) for i in OFFICIALS.items()} | {
        ("private_sector", i.id) for i in PRIVATE.items()}  # fmt: skip
    lead_5 = entries[("officials", "lead_5")]
    assert lead_5["factor"] == "leadership" and lead_5["reverse"] is True and lead_5["type"] == "likert5"
    assert lead_5["text"] == OFFICIALS.item_map()["lead_5"].text["fr"]
    assert lead_5["value_labels"].startswith("1=Pas du tout d'accord; 2=Pas d'accord;")
    assert entries[("officials", "lead_1")]["reverse"] is False
    region = entries[("officials", "bg_region")]
    assert "north=Nord" in region["value_labels"] and "2=north" in region["spss_codes"]


# --------------------------------------------------------------------------- SPSS


def test_exports_sav_round_trips_with_variable_and_value_labels(answered, session, tmp_path: Path) -> None:
    export = build_export(session, "test", "sav", lang="pt", instrument="officials", actor="t@example.org")
    path = export.write(tmp_path / export.filename)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame.columns) == META + item_ids(OFFICIALS) and len(frame) == 8
    assert meta.column_names_to_labels["lead_1"] == OFFICIALS.item_map()["lead_1"].text["pt"]
    assert meta.column_names_to_labels["submitted_at"] == "Enviado (UTC)"
    assert meta.variable_value_labels["lead_1"] == {
        float(n): label for n, label in enumerate(OFFICIALS.likert_labels["pt"], start=1)} | {
        8.0: "Não sei", 9.0: "Prefiro não responder"}  # fmt: skip
    regions = meta.variable_value_labels["bg_region"]
    assert regions[2.0] == "Norte"
    assert meta.variable_measure["lead_1"] == "ordinal" and meta.variable_measure["bg_region"] == "nominal"
    row = frame.set_index("submission_uuid").loc[answered["north"][1]["uuid"]]
    assert row["lead_1"] == 2.0 and regions[row["bg_region"]] == "Norte"
    assert row["open_change_first"] == answered["north"][1]["answers"]["open_change_first"]
    assert row["submitted_at"].isoformat() == answered["north"][1]["submitted_at"].replace("+00:00", "")
    south = frame.set_index("submission_uuid").loc[answered["south"][0]["uuid"]]
    assert south["open_works"] == FORMULAS["open_works"]  # SPSS runs no formulas: kept verbatim


def test_exports_sav_of_two_questionnaires_is_a_zip(answered, session, tmp_path: Path) -> None:
    export = build_export(session, "test", "sav", actor="t@example.org")
    assert export.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        assert sorted(archive.namelist()) == ["codebook.csv", "test_officials.sav", "test_private_sector.sav"]
        archive.extractall(tmp_path)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "test_private_sector.sav"))
    assert list(frame.columns) == META + item_ids(PRIVATE) and len(frame) == 5
    assert meta.column_names_to_labels["ps_role"] == PRIVATE.item_map()["ps_role"].text["en"]


# --------------------------------------------------------------------------- several versions, number, multi


@pytest.fixture
def two_versions(loaded, runner, client, tmp_path: Path) -> list[dict[str, Any]]:
    """Campaign ``mixed`` accepting the shipped officials version and a v90 that adds a number, a
    multiple-choice item, an item named like an SPSS reserved word, and a text too long for an SPSS label."""
    data = yaml.safe_load((FORMS_DIR / "officials.yaml").read_text(encoding="utf-8"))
    data["version"] = 90
    langs = ("en", "fr", "es", "pt")
    data["sections"].append({"id": "extra", "title": dict.fromkeys(langs, "Extra"), "items": [
        {"id": "years_exact", "type": "number", "min": -10, "max": 60, "required": False,
         "text": dict.fromkeys(langs, "Années " + "é" * 200)},
        {"id": "channels", "type": "multi", "required": False, "text": dict.fromkeys(langs, "Channels"),
         "choices": [{"value": v, "label": dict.fromkeys(langs, v.title())} for v in ("email", "phone", "visit")]},
        {"id": "with", "type": "text", "required": False, "text": dict.fromkeys(langs, "With")},
    ]})  # fmt: skip
    path = tmp_path / "officials_v90.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(args=["instruments", "load", str(path)]).exit_code == 0
    result = runner.invoke(
        args=[
            "campaign",
            "create",
            "mixed",
            "--name",
            "Mixed",
            "--administration",
            "Test Customs",
            "--instrument",
            f"officials:{OFFICIALS_VERSION}",
            "--instrument",
            "officials:90",
            "--languages",
            "en",
        ]
    )
    assert result.exit_code == 0, result.output
    old = [post(client, campaign="mixed", language="en") for _ in range(2)]
    extras = [
        {"years_exact": -1, "channels": ["email", "visit"], "with": "=cmd"},
        {"years_exact": 12.5, "channels": []},
        {"channels": ["phone"]},
        {},
    ]
    new = [post(client, campaign="mixed", language="en", instrument_version=90,
                answers=dict(officials_answers(), **extra)) for extra in extras]  # fmt: skip
    return old + new


def test_exports_several_versions_number_and_multi_choice(two_versions, session, tmp_path: Path) -> None:
    export = build_export(session, "mixed", "csv", actor="t@example.org")
    assert export.filename.endswith(".csv")  # one questionnaire, two versions: one file
    rows = read_csv(export.data)
    header = rows[0]
    assert header == META + item_ids(OFFICIALS) + ["years_exact", "channels", "channels/email", "channels/phone",
                                                   "channels/visit", "with", "with_labels", "with_primary",
                                                   "with_coded_by"]  # fmt: skip
    by_uuid = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    first, second, third, old = (by_uuid[b["uuid"]] for b in (two_versions[2], two_versions[3], two_versions[4],
                                                               two_versions[0]))  # fmt: skip
    assert first["instrument_version"] == "90" and old["instrument_version"] == str(OFFICIALS_VERSION)
    assert first["years_exact"] == "-1"  # a real negative number stays a number
    assert first["channels"] == "email visit" and first["with"] == "'=cmd"
    assert (first["channels/email"], first["channels/phone"], first["channels/visit"]) == ("1", "0", "1")
    assert second["years_exact"] == "12.5" and second["channels"] == second["channels/email"] == ""  # [] is no answer
    assert third["channels/phone"] == "1" and old["channels"] == "" and old["channels/email"] == ""

    book = openpyxl.load_workbook(io.BytesIO(build_export(session, "mixed", "xlsx", actor="t@example.org").data))
    sheet = list(book["officials"].iter_rows())
    cols = {cell.value: i for i, cell in enumerate(sheet[0])}
    cell = next(r for r in sheet[1:] if r[0].value == two_versions[2]["uuid"])[cols["years_exact"]]
    assert cell.value == -1 and cell.data_type == "n"
    spss = {r[1]: r[2] for r in book["codebook"].iter_rows(min_row=2, values_only=True)}
    assert spss["with"] == "v_with" and spss["channels/email"] == "channels_email"

    sav = build_export(session, "mixed", "sav", actor="t@example.org").write(tmp_path / "mixed.sav")
    frame, meta = pyreadstat.read_sav(str(sav))
    assert {"v_with", "channels_email", "years_exact"} <= set(frame.columns)
    label = meta.column_names_to_labels["years_exact"]
    assert len(label.encode()) <= 256 and label.endswith("…")
    assert meta.variable_value_labels["channels_email"] == {0.0: "not selected", 1.0: "selected"}
    assert meta.variable_measure["years_exact"] == "scale"
    row = frame.set_index("submission_uuid").loc[two_versions[2]["uuid"]]
    assert row["years_exact"] == -1 and row["channels"] == "email visit" and row["v_with"] == "=cmd"


# --------------------------------------------------------------------------- CLI


def test_cli_export_writes_each_format(answered, runner, session, tmp_path: Path) -> None:
    out = tmp_path / "off.csv"
    result = runner.invoke(args=["export", "test", "--format", "csv", "--out", str(out), "--instrument", "officials"])
    assert result.exit_code == 0, result.output
    assert "officials: 8" in result.output and len(read_csv(out.read_bytes())) == 9

    out = tmp_path / "all.xlsx"
    result = runner.invoke(args=["export", "test", "--format", "xlsx", "--out", str(out), "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames == ["officials", "private_sector", "codebook"]

    out = tmp_path / "south.sav"
    result = runner.invoke(args=["export", "test", "--format", "sav", "--out", str(out), "--instrument", "officials",
                                 "--where", "bg_region=south"])  # fmt: skip
    assert result.exit_code == 0, result.output
    frame, _ = pyreadstat.read_sav(str(out))
    assert len(frame) == 5

    out = tmp_path / "all.zip"
    result = runner.invoke(args=["export", "test", "--format", "sav", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "codebook.csv" in zipfile.ZipFile(out).namelist()
    actors = {e.actor for e in session.exec(select(AuditEvent).where(AuditEvent.action == "campaign.export"))}
    assert actors == {"cli"}


def test_cli_export_explains_bad_arguments(answered, runner, tmp_path: Path) -> None:
    def run(*args: str) -> Any:
        return runner.invoke(args=["export", *args])

    out = str(tmp_path / "x.csv")
    cases = [
        (run("nope", "--format", "csv", "--out", out), "no campaign 'nope'"),
        (run("test", "--format", "pdf", "--out", out), "Invalid value for '--format'"),
        (run("test", "--format", "csv", "--out", out, "--instrument", "officials", "--where", "bg_region"),
         "expected item=value"),
        (run("test", "--format", "csv", "--out", out, "--instrument", "officials", "--where", "bg_region=north"),
         "Refused: fewer than 5 respondents match bg_region=north"),
        (run("test", "--format", "csv", "--out", out), "use --out ending in .zip (or --instrument KEY"),
        (run("test", "--format", "xlsx", "--out", out), "use --out ending in .xlsx"),
    ]  # fmt: skip
    for result, message in cases:
        assert result.exit_code != 0
        assert message in result.output
    assert not Path(out).exists()
