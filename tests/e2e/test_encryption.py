"""Encrypted campaign: Chromium seals the answers with WebCrypto, only Python with the key reads them."""

from __future__ import annotations

import json
import time
import uuid as uuid_lib

import pandas as pd
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import Session, select

from cips.crypto.seal import load_private_key, open_sealed
from cips.models import Answer, Campaign, EncryptedSubmission, Submission
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.survey import Respondent, expect_counts, read_store, send_now, without_order

SUBMISSIONS = "**/api/v1/submissions"
PASSPHRASE = "e2e passphrase, long enough"
ENVELOPE_KEYS = {"uuid", "campaign", "instrument", "instrument_version", "alg", "key_wrapped", "iv", "ciphertext",
                 "device_id", "strata"}  # fmt: skip


def _envelopes(live, slug: str) -> list[EncryptedSubmission]:
    with Session(live.app.extensions["cips_engine"]) as session:
        return list(session.exec(select(EncryptedSubmission).join(Campaign).where(Campaign.slug == slug)))


def _wait_for_envelopes(live, slug: str, expected: int) -> list[EncryptedSubmission]:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while len(rows := _envelopes(live, slug)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return rows


def test_encrypted_campaign_browser_seals_and_python_decrypts(live, context, tmp_path, monkeypatch) -> None:
    slug = f"e2e-sealed-{uuid_lib.uuid4().hex[:6]}"
    key_file = tmp_path / "campaign.key.pem"
    monkeypatch.setenv("CIPS_KEY_PASSPHRASE", PASSPHRASE)
    live.cli("campaign", "create", slug, "--name", "E2E sealed survey", "--administration", "E2E Customs",
             "--new-administration", "--mode", "online", "--instrument", "private_sector", "--languages", "en,fr,es,pt",
             "--encrypt", "--key-out", str(key_file), "--plaintext-strata", "ps_role")  # fmt: skip

    context.route(SUBMISSIONS, lambda route: route.abort("internetdisconnected"))  # hold the record on the device
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}")
    who = Respondent(page, text_prefix="Secret sealed answer")
    who.start(language="fr")
    who.answer_until_review()
    uuid = who.submit()
    expect_counts(page, waiting=1, sent=0)

    # On the device after "finish": no draft, and the outbox holds only the envelope.
    assert read_store(page, "drafts") == []
    [record] = read_store(page, "outbox")
    envelope = record["payload"]
    assert set(envelope) == ENVELOPE_KEYS and envelope["uuid"] == uuid
    assert envelope["alg"] == "RSA-OAEP-3072-SHA256+A256GCM"
    assert envelope["strata"] == {"ps_role": who.expected["ps_role"]}  # the declared plaintext stratum only
    outbox_text = json.dumps(read_store(page, "outbox"), ensure_ascii=False)
    texts = [v for v in who.expected.values() if isinstance(v, str) and v.startswith("Secret sealed answer")]
    assert texts and not any(text in outbox_text for text in texts)
    assert "answers" not in outbox_text

    context.unroute(SUBMISSIONS)
    send_now(page)
    expect_counts(page, waiting=0, sent=1)
    expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "sent")

    # The server has the envelope as sent, and no answer in clear.
    [row] = _wait_for_envelopes(live, slug, 1)
    assert (row.key_wrapped, row.iv, row.ciphertext) == (envelope["key_wrapped"], envelope["iv"],
                                                         envelope["ciphertext"])  # fmt: skip
    with Session(live.app.extensions["cips_engine"]) as session:
        mine = Submission.campaign_id == row.campaign_id
        assert session.exec(select(func.count()).select_from(Submission).where(mine)).one() == 0
        assert session.exec(select(func.count()).select_from(Answer).join(Submission).where(mine)).one() == 0

    # Python, with the key file and passphrase, reads what the browser entered.
    sealed = json.loads(open_sealed(envelope, load_private_key(key_file, PASSPHRASE)))
    assert sealed["uuid"] == uuid and sealed["language"] == "fr"
    assert without_order({k: v for k, v in sealed["answers"].items() if v is not None}) == who.expected
    out = tmp_path / "answers.csv"
    live.cli("decrypt", slug, "--key", str(key_file), "--out", str(out))
    table = pd.read_csv(out)
    got = {r.item_id: (r.text if isinstance(r.text, str) else int(r.value)) for r in table.itertuples()}
    assert set(table["respondent"]) == {uuid} and without_order(got) == who.expected
