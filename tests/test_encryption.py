"""End-to-end encryption at intake: keys, the campaign document, envelopes through the API."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pandas as pd
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func
from sqlmodel import select

from cips.crypto.seal import (
    load_private_key,
    load_public_pem,
    public_pem,
    spki_der,
)
from cips.instruments.service import definition_of
from cips.models import Answer, AuditEvent, Campaign, EncryptedSubmission, Instrument, QuarantinedSubmission, Submission
from cips.submissions.payload import language_error
from tests.helpers import payload
from tests.sealed import (
    PASSPHRASE,
    SECRET_TEXT,
    SECRET_WORDS,
    URL,
    assert_nowhere_in_database,
    decrypt,
    envelope,
    submission,
)


def test_encryption_campaign_create_writes_a_protected_key_file_only(loaded, runner, session, tmp_path) -> None:
    key_file = tmp_path / "demo.key.pem"
    result = runner.invoke(args=["campaign", "create", "enc", "--name", "Enc", "--administration", "Test Customs",
                                 "--instrument", "officials", "--encrypt", "--key-out", str(key_file)],
                           env={"CIPS_KEY_PASSPHRASE": PASSPHRASE})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = load_private_key(key_file, PASSPHRASE)
    campaign = session.exec(select(Campaign).where(Campaign.slug == "enc")).one()
    assert campaign.encrypted and campaign.plaintext_strata == []
    assert spki_der(campaign.public_key) == spki_der(public_pem(key))
    assert_nowhere_in_database(loaded, "PRIVATE KEY", PASSPHRASE)  # neither the key nor its passphrase


def test_encryption_campaign_create_prompts_twice_and_checks_options(loaded, runner, tmp_path) -> None:
    key_file = tmp_path / "k.pem"
    base = ["campaign", "create", "enc", "--name", "Enc", "--administration", "Test Customs", "--instrument",
            "officials", "--encrypt", "--key-out", str(key_file)]  # fmt: skip
    mismatch = runner.invoke(args=base, input=f"{PASSPHRASE}\nsomething else entirely\n")
    assert mismatch.exit_code != 0 and not key_file.exists()
    bad = runner.invoke(args=[*base, "--plaintext-strata", "lead_1"], input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert bad.exit_code == 1 and "'lead_1' is not a stratum" in bad.output
    assert not key_file.exists()  # the campaign was refused: no orphan key file
    plain = runner.invoke(args=["campaign", "create", "p", "--name", "P", "--administration", "T", "--instrument",
                                "officials", "--plaintext-strata", "bg_region"])  # fmt: skip
    assert plain.exit_code == 2 and "--plaintext-strata needs --encrypt" in plain.output
    ok = runner.invoke(args=base, input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(args=[*base[:2], "enc2", *base[3:]], input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert again.exit_code == 2 and "already exists" in again.output  # never overwrite a key


def test_encryption_document_carries_the_public_key(sealed, client) -> None:
    doc = client.get("/api/v1/campaigns/sealed").get_json()
    assert doc["encryption"]["alg"] == "RSA-OAEP-3072-SHA256+A256GCM"
    assert doc["encryption"]["plaintext_strata"] == ["bg_region"]
    der = sealed["public_key"].public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert base64.b64decode(doc["encryption"]["public_key"]) == der
    assert client.get("/api/v1/campaigns/test").get_json()["encryption"] is None


def test_encryption_round_trip_through_api_and_decrypt(sealed, app, client, runner, session, tmp_path) -> None:
    bodies = [submission(language=lang) for lang in ("fr", "en", "fr")]
    for body in bodies:
        resp = client.post(URL, json=envelope(body, sealed["public_key"]))
        assert resp.status_code == 201, resp.get_json()
    listed = json.loads(runner.invoke(args=["campaign", "list", "--json"]).output)
    assert next(c for c in listed if c["slug"] == "sealed")["submissions"] == 3  # counted without decrypting
    out = tmp_path / "answers.csv"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 of 3 submissions decrypted" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    table = pd.read_csv(out)
    for body in bodies:
        mine = table[table["respondent"] == body["uuid"]]
        assert set(mine["language"]) == {body["language"]} and set(mine["instrument"]) == {"officials"}
        got = {r.item_id: (r.text if isinstance(r.text, str) else int(r.value)) for r in mine.itertuples()}
        assert got == body["answers"]
        assert set(mine["bg_region"]) == {body["answers"]["bg_region"]}  # strata columns as in load_campaign_data
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "campaign.decrypt")).all()
    assert event.target == "sealed" and event.details["decrypted"] == 3 and event.details["failed"] == 0


def test_encryption_database_holds_no_plaintext_answers(sealed, app, client, session) -> None:
    body = submission()
    assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201
    assert session.exec(select(func.count()).select_from(Submission)).one() == 0
    assert session.exec(select(func.count()).select_from(Answer)).one() == 0
    row = session.exec(select(EncryptedSubmission)).one()
    assert row.strata == {"bg_region": body["answers"]["bg_region"]}  # the one declared plaintext stratum
    stored = " ".join(str(v) for v in row.model_dump().values())
    assert SECRET_TEXT not in stored and "clearance" not in stored  # bg_function: not declared, sealed
    assert_nowhere_in_database(app, SECRET_TEXT, SECRET_WORDS)


def test_encryption_envelope_is_idempotent_on_uuid(sealed, client, session) -> None:
    body = submission()
    sealed_body = envelope(body, sealed["public_key"])
    assert client.post(URL, json=sealed_body).status_code == 201
    again = client.post(URL, json=dict(sealed_body, device_id="another-tablet"))
    assert again.status_code == 200 and again.get_json() == {"uuid": body["uuid"], "status": "stored"}
    other = envelope(body, sealed["public_key"])  # same answers, sealed again: new key, new bytes
    conflict = client.post(URL, json=other)
    assert conflict.status_code == 409 and conflict.get_json()["field"] == "uuid"
    assert session.exec(select(func.count()).select_from(EncryptedSubmission)).one() == 1
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.claimed_uuid == body["uuid"] and row.status_code == 409


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"key_wrapped": "not base64!"}, 400, "key_wrapped"),
        ({"key_wrapped": base64.b64encode(b"x" * 256).decode()}, 400, "key_wrapped"),
        ({"iv": base64.b64encode(b"x" * 16).decode()}, 400, "iv"),
        ({"ciphertext": base64.b64encode(b"x" * 8).decode()}, 400, "ciphertext"),
        ({"alg": "RSA1_5+A128CBC"}, 400, "alg"),
        ({"strata": {"bg_function": "clearance"}}, 400, "strata.bg_function"),
        ({"strata": {"bg_region": "atlantis"}}, 422, "strata.bg_region"),
        ({"answers": {"lead_1": 3}}, 400, "answers"),
        ({"instrument_version": 9}, 422, "instrument_version"),
        ({"campaign": "test"}, 400, "campaign"),
        ({"strata": {"bg_region": ["north"]}}, 422, "strata.bg_region"),  # unhashable: was a 500
        ({"strata": {"bg_region": {"north": 1}}}, 422, "strata.bg_region"),
        ({"instrument_version": 2**70}, 400, "instrument_version"),  # beyond the INTEGER column: was a 500
        ({"instrument_version": True}, 400, "instrument_version"),
        ({"campaign": "a\udc80"}, 422, "campaign"),  # a lone surrogate: no UTF-8 text, was a 500
        ({"strata": {"bg_region": "no\udc80rth"}}, 422, "strata.bg_region"),
    ],
)
def test_encryption_envelope_shape_is_checked(sealed, client, session, change, status, field) -> None:
    bad = dict(envelope(submission(), sealed["public_key"]), **change)
    resp = client.post(URL, json=bad)
    assert resp.status_code == status and resp.get_json()["field"] == field, resp.get_json()
    assert session.exec(select(func.count()).select_from(EncryptedSubmission)).one() == 0
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.status_code == status and row.body_size > 0


def test_encryption_plaintext_to_encrypted_campaign_is_refused_and_sealed(sealed, app, client, runner, session,
                                                                         tmp_path) -> None:  # fmt: skip
    body = submission()
    resp = client.post(URL, json=body)
    assert resp.status_code == 400 and resp.get_json()["field"] == "answers"
    assert session.exec(select(func.count()).select_from(Submission)).one() == 0
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.claimed_uuid == body["uuid"] and row.claimed_campaign == "sealed"
    assert SECRET_TEXT.encode() not in row.raw_body and json.loads(row.raw_body)["sealed"] == "quarantined body"
    assert_nowhere_in_database(app, SECRET_TEXT, SECRET_WORDS)
    # Kept whole all the same: the key holder opens it.
    out = tmp_path / "x.csv"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out))
    assert result.exit_code == 0, result.output
    [opened] = [json.loads(line) for line in out.with_suffix(".quarantined.jsonl").read_text().splitlines()]
    assert json.loads(opened["body"]) == body and opened["reason"].startswith("plaintext submission refused")


def test_encryption_broken_plaintext_body_for_encrypted_campaign_is_sealed(sealed, client, runner, session,
                                                                          tmp_path) -> None:  # fmt: skip
    """A plaintext body cut short on its way to an encrypted campaign: not JSON, still not kept readable."""
    raw = json.dumps(submission(), ensure_ascii=False).encode("utf-8")
    cut = raw[: raw.index(SECRET_TEXT.encode()) + len(SECRET_TEXT)]  # the secret is in, the closing braces are not
    resp = client.post(URL, data=cut, content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["error"] == "malformed JSON"
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert SECRET_TEXT.encode() not in row.raw_body and json.loads(row.raw_body)["campaign"] == "sealed"
    out = tmp_path / "x.csv"
    assert decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out)).exit_code == 0
    [opened] = [json.loads(line) for line in out.with_suffix(".quarantined.jsonl").read_text().splitlines()]
    assert opened["body"].encode("utf-8") == cut  # whole, byte for byte, for the key holder


def test_encryption_broken_body_naming_a_plain_campaign_stays_plain(sealed, client, session) -> None:
    cut = json.dumps(payload(campaign="test")).encode("utf-8")[:-20]
    assert client.post(URL, data=cut, content_type="application/json").status_code == 400
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.raw_body == cut


def test_encryption_basic_form_is_refused_for_encrypted_campaigns(sealed, client, session) -> None:
    page = client.get("/s/sealed/basic?lang=fr")
    assert page.status_code == 403 and 'data-testid="needs-app"' in page.get_data(as_text=True)
    assert "JavaScript" in page.get_data(as_text=True)
    post = client.post("/s/sealed/officials/basic", data={"consent": "y", "lead_1": "4"})
    assert post.status_code == 403
    assert session.exec(select(func.count()).select_from(Answer)).one() == 0


def test_encryption_invitation_tokens_work_with_envelopes(loaded, runner, client, key_pair, tmp_path) -> None:
    public = tmp_path / "public.pem"
    public.write_text(key_pair[1])
    result = runner.invoke(args=["campaign", "create", "inv", "--name", "I", "--administration", "Test Customs",
                                 "--instrument", "officials", "--languages", "fr", "--mode", "online", "--invite-only",
                                 "--encrypt", "--public-key", str(public)])  # fmt: skip
    assert result.exit_code == 0, result.output
    token = runner.invoke(args=["campaign", "invite", "inv"]).output.strip().rsplit("t=", 1)[1]
    key = load_public_pem(key_pair[1])
    first, second = payload(campaign="inv"), payload(campaign="inv")
    assert client.post(URL, json=envelope(first, key, ())).get_json()["field"] == "invite_token"
    assert client.post(URL, json=envelope(dict(first, invite_token=token), key, ())).status_code == 201
    used = client.post(URL, json=envelope(dict(second, invite_token=token), key, ()))
    assert used.status_code == 409 and used.get_json()["field"] == "invite_token"


def test_encryption_unstorable_text_for_encrypted_campaign_is_refused_and_sealed(sealed, client, session) -> None:
    """A lone surrogate in a plaintext answer to an encrypted campaign: refused by name, kept sealed, not in clear."""
    body = submission()
    body["answers"]["open_works"] = "bad \udc80 text"
    raw = json.dumps(body).encode()
    resp = client.post(URL, data=raw, content_type="application/json")
    assert resp.status_code == 422 and resp.get_json()["field"] == "answers.open_works"
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.claimed_campaign == "sealed" and json.loads(row.raw_body)["sealed"] == "quarantined body"
    assert SECRET_TEXT.encode() not in row.raw_body and row.body_size == len(raw)


@pytest.mark.parametrize("field", ["uuid", "campaign", "instrument", "instrument_version", "alg", "key_wrapped", "iv",
                                   "ciphertext", "strata", "device_id", "invite_token", "extra"])  # fmt: skip
@pytest.mark.parametrize("depth", [900, 100_000])  # just under the parser's recursion limit, and far over it
def test_encryption_deeply_nested_envelope_fields_get_a_clear_refusal(sealed, client, session, field, depth) -> None:
    """The outer envelope is parsed before anything else: deep nesting in any field is a 400 naming it, kept."""
    body = envelope(submission(), sealed["public_key"])
    nested = "[" * depth + "]" * depth
    raw = json.dumps(dict(body, **{field: "@@"})).replace('"@@"', nested)
    if field == "strata":
        raw = raw.replace('"strata": ' + nested, '"strata": {"bg_region": ' + nested + "}")
    resp = client.post(URL, data=raw.encode(), content_type="application/json")
    assert resp.status_code in (400, 422), (resp.status_code, resp.get_data()[:300])
    answer = resp.get_json()
    assert answer["field"] in ("strata.bg_region" if field == "strata" else field, "body"), answer
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.id == answer["quarantine_id"] and row.claimed_campaign == (None if field == "campaign" else "sealed")


def test_encryption_language_offered_is_one_rule_sealed_or_not(sealed, client, runner, session, tmp_path) -> None:
    """A language the campaign does not offer: refused at the API in clear, at decryption when sealed,
    in the same words, from the one rule (``language_error``) that both paths call."""
    officials = session.exec(select(Instrument).where(Instrument.key == "officials")).first()
    definition = definition_of(officials)
    plain = client.post(URL, json=payload(language="ar"))  # neither campaign "test" nor the questionnaire has it
    test_languages = session.exec(select(Campaign).where(Campaign.slug == "test")).one().languages
    assert plain.status_code == 422
    assert {"field": "language", "message": language_error("ar", test_languages, definition).message} in \
        plain.get_json()["errors"]  # fmt: skip
    body = submission(language="pt")  # "sealed" offers en and fr; the questionnaire has pt
    assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(tmp_path / "a.csv"))
    expected = language_error("pt", ["en", "fr"], definition)
    assert f"{body['uuid']}: sealed answers refused: language: {expected.message}" in result.output
    sources = [p.read_text(encoding="utf-8") for p in (Path(__file__).parents[1] / "cips").rglob("*.py")]
    assert sum(text.count("not offered by this campaign") for text in sources) == 1
