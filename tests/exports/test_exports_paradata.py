"""The paradata sheet (XLSX) and file (CSV and SAV zips): one row per submission and section."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pyreadstat

from cips.services.exports import build_export
from tests.exports.support import post, private_answers, read_csv
from tests.helpers import PRIVATE_VERSION, officials_answers

HEADER = ["submission_uuid", "instrument", "section", "seconds", "changes", "item_order"]


def _campaign(client) -> tuple[list[str], str]:
    """Six officials, three with paradata; five private-sector respondents without (an old tablet)."""
    with_paradata = [post(client, answers=dict(officials_answers(), lead_1=1 + i),
                          paradata={"leadership": {"seconds": 40 + i, "changes": i}, "background": {"seconds": 9,
                                                                                                   "changes": 0}})
                     for i in range(3)]  # fmt: skip
    for _ in range(3):
        post(client, answers=officials_answers())
    for _ in range(5):
        post(
            client,
            instrument="private_sector",
            instrument_version=PRIVATE_VERSION,
            language="es",
            answers=private_answers(),
        )
    return [b["uuid"] for b in with_paradata], with_paradata[0]["uuid"]


def test_xlsx_has_a_paradata_sheet_with_a_row_per_submission_and_section(loaded, client, session) -> None:
    uuids, first = _campaign(client)
    export = build_export(session, "test", "xlsx", actor="t@example.org")
    book = openpyxl.load_workbook(io.BytesIO(export.data))
    assert book.sheetnames == ["officials", "private_sector", "codebook", "paradata"]
    rows = list(book["paradata"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    by_key = {(r[0], r[2]): r for r in rows[1:]}
    assert set(by_key) == {(u, s) for u in uuids for s in ("background", "leadership")}  # sections in form order
    assert by_key[(first, "leadership")] == (first, "officials", "leadership", 40, 0, None)
    assert [r[2] for r in rows[1:3]] == ["background", "leadership"]


def test_csv_and_sav_zips_carry_a_paradata_file(loaded, client, session, tmp_path: Path) -> None:
    uuids, _ = _campaign(client)
    csv_zip = build_export(session, "test", "csv", actor="t@example.org")
    with zipfile.ZipFile(io.BytesIO(csv_zip.data)) as archive:
        assert "paradata.csv" in archive.namelist()
        rows = read_csv(archive.read("paradata.csv"))
    assert rows[0] == HEADER and len(rows) == 1 + 2 * len(uuids)
    assert {(r[0], r[2], r[3], r[4]) for r in rows[1:] if r[2] == "leadership"} == {
        (u, "leadership", str(40 + i), str(i)) for i, u in enumerate(uuids)
    }
    sav_zip = build_export(session, "test", "sav", actor="t@example.org")
    with zipfile.ZipFile(io.BytesIO(sav_zip.data)) as archive:
        (tmp_path / "p.sav").write_bytes(archive.read("paradata.sav"))
    frame, _meta = pyreadstat.read_sav(tmp_path / "p.sav")
    assert list(frame.columns) == HEADER and len(frame) == 2 * len(uuids)
    assert sorted(frame.loc[frame["section"] == "leadership", "seconds"]) == [40.0, 41.0, 42.0]


def test_paradata_follows_the_export_filter(loaded, client, session) -> None:
    """A filtered export's paradata covers the filtered records only (the data sheet's n>=5 rule decides)."""
    uuids, _ = _campaign(client)
    for _ in range(5):
        post(client, answers=dict(officials_answers(), bg_region="south"),
             paradata={"open": {"seconds": 5, "changes": 1}})  # fmt: skip
    export = build_export(session, "test", "xlsx", instrument="officials", where="bg_region=south",
                          actor="t@example.org")  # fmt: skip
    rows = list(openpyxl.load_workbook(io.BytesIO(export.data))["paradata"].iter_rows(values_only=True))[1:]
    assert len(rows) == 5 and {r[2] for r in rows} == {"open"} and not {r[0] for r in rows} & set(uuids)


def test_item_order_is_read_from_the_stored_order_answer() -> None:
    """No second copy of a randomised section's order: the row reads the ``order:<section>`` answer."""
    from cips.exports.paradata import orders_of, section_rows
    from tests.exports.support import OFFICIALS

    ids = [item.id for item in OFFICIALS.sections[1].items]
    section = OFFICIALS.sections[1].id
    stored = {f"order:{section}": json.dumps(ids[::-1]), "lead_1": 4}
    rows = section_rows("u", "officials", OFFICIALS, None, orders_of(stored))
    assert rows == [("u", "officials", section, None, None, " ".join(ids[::-1]))]


def test_cli_says_when_a_plain_file_leaves_the_paradata_out(loaded, client, runner, tmp_path: Path) -> None:
    _campaign(client)
    plain = runner.invoke(args=["export", "test", "--format", "csv", "--instrument", "officials",
                                "--out", str(tmp_path / "o.csv")])  # fmt: skip
    assert plain.exit_code == 0, plain.output
    assert "left out: 6 paradata rows" in plain.output and "--format xlsx" in plain.output
    book = runner.invoke(args=["export", "test", "--format", "xlsx", "--out", str(tmp_path / "all.xlsx")])
    assert book.exit_code == 0 and "paradata" not in book.output
