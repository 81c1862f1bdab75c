"""The review workbook in the manager's browser: download, upload with a diff preview, import."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlmodel import Session, select

from cips.models import AuditEvent, Campaign, CodingSource, Role
from cips.services.coding import current_model_digest, decisions, suggest
from tests.review.conftest import KeywordModel


def edited_workbook(data: bytes, changes: dict[tuple[int, str], object]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    for (row, column), value in changes.items():
        sheet.cell(row=row + 2, column=header.index(column) + 1).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes):
    return client.post("/manage/campaigns/test/review/workbook", data={"workbook": (io.BytesIO(data), "review.xlsx")},
                       content_type="multipart/form-data")  # fmt: skip


def test_workbook_download_preview_and_import(answered: Campaign, session: Session, client_as) -> None:
    suggest(session, answered, KeywordModel(), current_model_digest())
    manager = client_as(Role.manager)
    download = manager.get("/manage/campaigns/test/review/workbook.xlsx")
    assert download.status_code == 200 and download.headers["Content-Disposition"].endswith('-review.xlsx"')
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "review.export")).one().actor
        == "manager@example.org"
    )
    first_id = int(load_workbook(io.BytesIO(download.data))["review"]["A2"].value)
    data = edited_workbook(download.data, {(0, "hrm"): None, (0, "conduct"): 1, (0, "primary"): "conduct"})

    preview = upload(manager, data)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "1 answers change" in html and "<strong>Code of Conduct</strong>" in html
    assert decisions(session, answered) == {}  # nothing stored before the import is confirmed
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)

    applied = manager.post("/manage/campaigns/test/review/workbook/apply", data={"token": token})
    assert applied.status_code == 303
    decided = decisions(session, answered)
    assert (decided[first_id].labels, decided[first_id].source) == (["conduct"], CodingSource.imported.value)
    again = manager.post("/manage/campaigns/test/review/workbook/apply", data={"token": token})
    assert again.status_code == 404  # one import per preview


def test_workbook_with_bad_cells_lists_them_and_offers_no_import(answered: Campaign, session: Session,
                                                                 client_as) -> None:  # fmt: skip
    suggest(session, answered, KeywordModel(), current_model_digest())
    manager = client_as(Role.manager)
    data = edited_workbook(manager.get("/manage/campaigns/test/review/workbook.xlsx").data,
                           {(0, "audit"): "yes", (2, "primary"): "bribery"})  # fmt: skip
    preview = upload(manager, data)
    assert preview.status_code == 422
    html = preview.get_data(as_text=True)
    assert "2 cells need correcting" in html and "review!" in html and "bribery" in html
    assert 'name="token"' not in html
    assert client_as(Role.reviewer).get("/manage/campaigns/test/review/workbook.xlsx").status_code == 403
