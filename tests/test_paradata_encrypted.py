"""Paradata of an encrypted campaign: sealed with the answers, never in clear at rest, out with ``cips decrypt``."""

from __future__ import annotations

import openpyxl
import pandas as pd
from sqlalchemy import func
from sqlmodel import select

from cips.models import Submission
from tests.sealed import (
    URL,
    assert_nowhere_in_database,
    decrypt,
    envelope,
    submission,
)

PARADATA = {"background": {"seconds": 7919, "changes": 3}, "leadership": {"seconds": 61, "changes": 0}}


def test_paradata_is_sealed_at_rest_and_comes_out_with_decrypt(sealed, app, client, runner, session,
                                                              tmp_path) -> None:  # fmt: skip
    bodies = [submission(paradata=PARADATA), submission()]  # the second from a tablet without paradata
    for body in bodies:
        assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201
    assert session.exec(select(func.count()).select_from(Submission)).one() == 0
    # JSON keys in quotes: base64 ciphertext has no quote, so these can only be paradata in clear.
    assert_nowhere_in_database(app, '"seconds"', '"changes"')

    out = tmp_path / "answers.xlsx"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["paradata"].iter_rows(values_only=True))
    assert list(rows[0]) == ["submission_uuid", "instrument", "section", "seconds", "changes", "item_order"]
    assert sorted(rows[1:]) == [(bodies[0]["uuid"], "officials", "background", 7919, 3, None),
                                (bodies[0]["uuid"], "officials", "leadership", 61, 0, None)]  # fmt: skip

    csv_out = tmp_path / "answers.csv"
    assert decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(csv_out)).exit_code == 0
    table = pd.read_csv(tmp_path / "answers.paradata.csv", encoding="utf-8-sig")
    assert set(zip(table["section"], table["seconds"], strict=True)) == {("background", 7919), ("leadership", 61)}


def test_sealed_paradata_naming_an_unknown_section_is_reported_by_decrypt(sealed, client, runner,
                                                                         tmp_path) -> None:  # fmt: skip
    body = submission(paradata={"nowhere": {"seconds": 1, "changes": 0}})
    assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201  # the server cannot look
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(tmp_path / "a.csv"))
    assert body["uuid"] in result.output and "paradata.nowhere" in result.output
