"""Helpers of the export tests: the questionnaires, a valid private-sector answer set, posting."""

from __future__ import annotations

import csv
import io
from typing import Any

from cips.instruments import load_files
from cips.instruments.logic import asked_only
from tests.conftest import FORMS_DIR
from tests.helpers import payload

URL = "/api/v1/submissions"
META = ["submission_uuid", "instrument", "instrument_version", "language", "submitted_at"]
FORMULAS = {"open_works": '=HYPERLINK("http://evil.example","click")', "open_change_first": "+1",
            "open_other": "-2+3"}  # fmt: skip
FORMULAS_2 = {"open_works": "@SUM(A1:A9)", "open_change_first": "\tx", "open_other": "\rcmd"}


def definition(name: str):
    [result] = load_files([FORMS_DIR / f"{name}.yaml"])
    return result.instrument


OFFICIALS, PRIVATE = definition("officials"), definition("private_sector")


def private_answers() -> dict[str, Any]:
    """A valid answer set for forms/private_sector.yaml: Likert 4, first choice of every choice item
    that is asked (an importer: no broker or transporter block)."""
    answers: dict[str, Any] = {}
    for item in PRIVATE.items():
        if item.type.value == "likert5":
            answers[item.id] = 4
        elif item.type.value == "single":
            answers[item.id] = item.choices[0].value
    return asked_only(PRIVATE, answers)


def post(client, **changes: Any) -> dict[str, Any]:
    body = payload(**changes)
    resp = client.post(URL, json=body)
    assert resp.status_code == 201, resp.get_json()
    return body


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8 accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def item_ids(definition_) -> list[str]:
    """The item columns of an export: each item, and after an open one its three code columns."""
    out = []
    for item in definition_.items():
        out.append(item.id)
        if item.type.value == "text":
            out.extend(f"{item.id}_{part}" for part in ("labels", "primary", "coded_by"))
    return out
