"""Review of an encrypted campaign: the workbook is written where the data is decrypted, and comes
back as codes only (named by envelope uuid and item), never with the answers' text."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from cips.crypto.seal import load_private_key
from cips.models import AuditEvent, Campaign, Coding, CodingSource, Role
from cips.services import sealed_codes
from cips.services.decryption import decrypt_campaign, report_input
from cips.services.sealed_codes import sealed_decisions
from tests.review.conftest import KeywordModel
from tests.sealed import (
    PASSPHRASE,
    SECRET_WORDS,
    URL,
    assert_nowhere_in_database,
    decrypt,
    envelope,
    submission,
)

EDITED = "A reviewer typed this sentence into the text column"


def keyword_scorer() -> sealed_codes.Scorer:
    """The shipped model's stand-in: KeywordModel's labels, and a confidence that differs per answer."""

    def score(texts: list[str]):
        labels, _ = KeywordModel().predict_labels_and_proba(texts)
        return labels, np.linspace(0.9, 0.3, len(texts))

    return score


@pytest.fixture
def sent(sealed, client, monkeypatch) -> list[str]:
    """Six sealed submissions, each with an open answer; the model stood in for by keywords."""
    monkeypatch.setattr(sealed_codes, "default_scorer", keyword_scorer)
    uuids = []
    for _ in range(6):
        body = submission()
        body["answers"]["open_change_first"] += " Les promotions dépendent des relations."
        assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201
        uuids.append(body["uuid"])
    return uuids


def _edit(path: Path, out: Path, changes: dict[tuple[int, str], object]) -> None:
    book = load_workbook(path)
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    for (row, column), value in changes.items():
        sheet.cell(row=row + 2, column=header.index(column) + 1).value = value
    book.save(out)


def _workbook(runner, sealed, tmp_path: Path) -> Path:
    review = tmp_path / "review.xlsx"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(tmp_path / "a.csv"),
                     "--review", str(review))  # fmt: skip
    assert result.exit_code == 0, result.output
    return review


def test_decrypt_review_writes_the_workbook_and_import_stores_codes_only(
    sent, sealed, runner, session: Session, loaded, tmp_path: Path
) -> None:  # fmt: skip
    review = _workbook(runner, sealed, tmp_path)
    assert stat.S_IMODE(review.stat().st_mode) == 0o600  # it holds the answers in clear
    book = load_workbook(review)
    assert {"review", "codebook"} <= set(book.sheetnames)
    rows = list(book["review"].iter_rows(min_row=2, values_only=True))
    header = [c.value for c in book["review"][1]]
    ids = [row[0] for row in rows]
    assert sorted(ids) == sorted(f"{u}/open_change_first" for u in sent)  # one row per open answer
    assert all(SECRET_WORDS in row[header.index("text")] for row in rows)  # decrypted text, for the reviewer
    assert all(row[header.index("model_primary")] == "hrm" for row in rows)  # the model's suggestion
    confidence = [row[header.index("model_confidence")] for row in rows]
    assert confidence == sorted(confidence)  # least sure first

    edited = tmp_path / "edited.xlsx"
    _edit(review, edited, {(0, "hrm"): None, (0, "audit"): 1, (0, "primary"): "audit", (1, "text"): EDITED,
                           (2, "confirmed"): 1})  # fmt: skip
    preview = runner.invoke(args=["review", "import", "sealed", str(edited)])
    assert preview.exit_code == 0, preview.output
    assert f"answer {ids[0]}: hrm (model) -> audit [primary audit, correct]" in preview.output
    assert f"answer {ids[2]}: hrm (model) -> hrm [primary hrm, confirm]" in preview.output
    applied = runner.invoke(args=["review", "import", "sealed", str(edited), "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "2 decisions imported" in applied.output

    campaign = session.exec(select(Campaign).where(Campaign.slug == "sealed")).one()
    decided = sealed_decisions(session, campaign)
    first_uuid, item = ids[0].split("/")
    assert set(decided) == {(first_uuid, item), tuple(ids[2].split("/"))}
    row = decided[(first_uuid, item)]
    assert (row.labels, row.source, row.answer_id) == (["audit"], CodingSource.imported.value, None)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "review.decide")).all()
    assert {e.target for e in events} == {f"sealed#{ids[0]}", f"sealed#{ids[2]}"}
    # Codes only: neither the answers' text nor what the reviewer typed over it reached the database.
    assert_nowhere_in_database(loaded, SECRET_WORDS, "promotions dépendent", EDITED)

    # A second workbook starts from the decisions stored on the server.
    (tmp_path / "again").mkdir()
    again = load_workbook(_workbook(runner, sealed, tmp_path / "again"))["review"]
    coded_by = {r[0]: r[header.index("coded_by")] for r in again.iter_rows(min_row=2, values_only=True)}
    assert coded_by[ids[0]] == "reviewer" and coded_by[ids[1]] == "model"


def test_decrypt_report_uses_the_imported_decisions(sent, sealed, runner, session: Session, tmp_path: Path,
                                                    ) -> None:  # fmt: skip
    review = _workbook(runner, sealed, tmp_path)
    ids = [r[0] for r in load_workbook(review)["review"].iter_rows(min_row=2, values_only=True)]
    edited = tmp_path / "edited.xlsx"
    _edit(review, edited, {(0, "hrm"): None, (0, "audit"): 1, (0, "primary"): "audit"})
    assert runner.invoke(args=["review", "import", "sealed", str(edited), "--apply"]).exit_code == 0

    campaign = session.exec(select(Campaign).where(Campaign.slug == "sealed")).one()
    result = decrypt_campaign(session, campaign, load_private_key(sealed["key_file"], PASSPHRASE))
    inp = report_input(session, result, "en")
    assert inp.codes == {tuple(ids[0].split("/")): ["audit"]}  # replaces the model's code in the themes
    assert inp.review == {"reviewed": 1, "open_answers": 6, "model_kappa": None, "model_pairs": 1, "coder_kappa": None}


def test_a_bad_id_in_an_encrypted_campaigns_workbook_is_named(sent, sealed, runner, session: Session,
                                                              tmp_path: Path) -> None:  # fmt: skip
    review = _workbook(runner, sealed, tmp_path)
    edited = tmp_path / "edited.xlsx"
    _edit(review, edited, {(0, "id"): "00000000-0000-4000-8000-000000000000/open_change_first",
                           (1, "id"): "not an answer", (2, "hrm"): "yes"})  # fmt: skip
    result = runner.invoke(args=["review", "import", "sealed", str(edited), "--apply"])
    assert result.exit_code != 0
    assert f"{edited}: review!A2: " in result.output and f"{edited}: review!A3: " in result.output
    hrm = chr(ord("A") + [c.value for c in load_workbook(review)["review"][1]].index("hrm"))
    assert f"{edited}: review!{hrm}4: " in result.output
    assert session.exec(select(Coding)).all() == []  # nothing imported


def test_the_web_import_takes_an_encrypted_campaigns_codes(sent, sealed, runner, session: Session, client_as,
                                                           tmp_path: Path, loaded) -> None:  # fmt: skip
    review = _workbook(runner, sealed, tmp_path)
    ids = [r[0] for r in load_workbook(review)["review"].iter_rows(min_row=2, values_only=True)]
    edited = tmp_path / "edited.xlsx"
    _edit(review, edited, {(0, "hrm"): None, (0, "conduct"): 1, (0, "primary"): "conduct"})
    manager = client_as(Role.manager)
    page = manager.get("/manage/campaigns/sealed").get_data(as_text=True)
    assert "cips decrypt --review" in page and 'id="review-workbook"' not in page
    preview = manager.post("/manage/campaigns/sealed/review/workbook", content_type="multipart/form-data",
                           data={"workbook": (io.BytesIO(edited.read_bytes()), "review.xlsx")})  # fmt: skip
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "1 answers change" in html and ids[0] in html and SECRET_WORDS not in html
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    assert manager.post("/manage/campaigns/sealed/review/workbook/apply", data={"token": token}).status_code == 303
    campaign = session.exec(select(Campaign).where(Campaign.slug == "sealed")).one()
    assert sealed_decisions(session, campaign)[tuple(ids[0].split("/"))].labels == ["conduct"]
    assert_nowhere_in_database(loaded, SECRET_WORDS)


def test_the_server_refuses_to_export_an_encrypted_campaigns_workbook(sealed, runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["review", "export", "sealed", "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code != 0 and "cips decrypt --review" in result.output
    assert not (tmp_path / "r.xlsx").exists()
