"""``cips decrypt`` and ``cips keygen``: what an encrypted campaign's records become once decrypted."""

from __future__ import annotations

import base64
import json
import stat
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import select

from cips.crypto.seal import (
    generate_private_key,
    load_private_key,
    public_pem,
    spki_der,
)
from cips.models import Campaign, EncryptedSubmission, QuarantinedSubmission
from cips.services.encryption import write_private_key
from tests.sealed import (
    PASSPHRASE,
    SECRET_TEXT,
    URL,
    decrypt,
    envelope,
    hostile_envelope,
    payload_uuid,
    submission,
)


def test_encryption_tampered_record_is_reported_and_quarantined(sealed, client, runner, session, tmp_path) -> None:
    bodies = [submission() for _ in range(3)]
    for body in bodies:
        assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201
    victim = session.exec(select(EncryptedSubmission).where(EncryptedSubmission.uuid == payload_uuid(bodies[1]))).one()
    data = bytearray(base64.b64decode(victim.ciphertext))
    data[len(data) // 2] ^= 0x01  # one bit of one byte, at rest
    victim.ciphertext = base64.b64encode(bytes(data)).decode()
    session.add(victim)
    session.commit()
    out = tmp_path / "answers.xlsx"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out))
    assert result.exit_code == 1
    assert f"{bodies[1]['uuid']}: authentication tag mismatch" in result.output
    assert "2 of 3 submissions decrypted" in result.output and "Traceback" not in result.output
    respondents = pd.read_excel(out, sheet_name="respondents")
    assert set(respondents["respondent"]) == {bodies[0]["uuid"], bodies[2]["uuid"]}
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.claimed_uuid == bodies[1]["uuid"] and row.reason.startswith("decryption failed: authentication tag")
    assert decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out)).exit_code == 1
    assert session.exec(select(func.count()).select_from(QuarantinedSubmission)).one() == 1  # reported, not re-added


def test_encryption_sealed_answers_are_validated_like_plaintext(sealed, client, runner, session, tmp_path) -> None:
    good, bad, moved = submission(), submission(), submission()
    bad["answers"]["lead_1"] = 7  # the server cannot see this until decryption
    forged = envelope(moved, sealed["public_key"])
    forged["strata"] = {"bg_region": "south" if moved["answers"]["bg_region"] != "south" else "north"}
    for item in (envelope(good, sealed["public_key"]), envelope(bad, sealed["public_key"]), forged):
        assert client.post(URL, json=item).status_code == 201
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(tmp_path / "a.csv"))
    assert result.exit_code == 1
    assert f"{bad['uuid']}: sealed answers refused: answers.lead_1: expected an integer from 1 to 5" in result.output
    assert f"{moved['uuid']}: sealed answers refused: strata.bg_region" in result.output
    assert set(pd.read_csv(tmp_path / "a.csv")["respondent"]) == {good["uuid"]}


def test_encryption_wrong_passphrase_is_a_clear_error(sealed, runner, tmp_path) -> None:
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), passphrase="not the passphrase at all")
    assert result.exit_code == 1
    assert f"wrong passphrase for key file {sealed['key_file']}" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_encryption_key_of_another_campaign_is_refused(sealed, runner, tmp_path) -> None:
    other = tmp_path / "other.key.pem"
    write_private_key(other, generate_private_key(), PASSPHRASE)
    result = decrypt(runner, "sealed", "--key", str(other))
    assert result.exit_code == 1 and "is not the key of campaign 'sealed'" in result.output
    plain = decrypt(runner, "test", "--key", str(sealed["key_file"]))
    assert plain.exit_code == 1 and "is not encrypted" in plain.output


def test_encryption_decrypt_feeds_the_thematic_report(sealed, client, runner, tmp_path) -> None:
    for _ in range(6):
        assert client.post(URL, json=envelope(submission(), sealed["public_key"])).status_code == 201
    report = tmp_path / "report.html"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(tmp_path / "a.csv"),
                     "--report", str(report), "--lang", "fr")  # fmt: skip
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    assert "Sealed" in html and 'lang="fr"' in html
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_encryption_export_neutralises_spreadsheet_formulas(sealed, client, runner, tmp_path) -> None:
    body = submission()
    body["answers"]["open_change_first"] = '=HYPERLINK("http://example.org","click")'
    assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201
    out = tmp_path / "a.csv"
    assert decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out)).exit_code == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    [text] = table.loc[table["item_id"] == "open_change_first", "text"]
    assert text == "'" + body["answers"]["open_change_first"]


def test_encryption_keygen_makes_a_pair_for_public_key_campaigns(loaded, runner, session, tmp_path) -> None:
    key_file, public = tmp_path / "laptop.key.pem", tmp_path / "laptop.pub.pem"
    result = runner.invoke(args=["keygen", "--key-out", str(key_file), "--public-out", str(public)],
                           input=f"{PASSPHRASE}\n{PASSPHRASE}\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert spki_der(public.read_text()) == spki_der(public_pem(load_private_key(key_file, PASSPHRASE)))
    both = runner.invoke(args=["campaign", "create", "x", "--name", "X", "--administration", "T", "--instrument",
                               "officials", "--encrypt", "--public-key", str(public),
                               "--key-out", str(tmp_path / "k.pem")])  # fmt: skip
    assert both.exit_code == 2 and "exclude each other" in both.output


def test_encryption_one_hostile_envelope_does_not_stop_the_campaign(sealed, client, runner, session,
                                                                    tmp_path) -> None:  # fmt: skip
    """Every envelope is opened on its own: a bad one is listed and quarantined, the good ones written."""
    key = sealed["public_key"]
    good = [submission(), submission()]
    deep = submission()
    hostile: dict[str, tuple[dict[str, Any], str]] = {}  # uuid -> (envelope, expected reason)

    def add(body: dict[str, Any], plaintext: bytes, reason: str) -> None:
        hostile[body["uuid"]] = (hostile_envelope(plaintext, key, body), reason)

    nested = json.dumps(deep).replace('"answers": {', '"answers": {"lead_1": ' + "[" * 100_000 + "]" * 100_000 + ", ")
    add(deep, nested.encode(), "nested too deeply")
    moderate = submission()
    moderate["answers"]["lead_1"] = json.loads("[" * 500 + "]" * 500)
    add(moderate, json.dumps(moderate).encode(), "answers.lead_1")
    not_utf8 = submission()
    add(not_utf8, json.dumps(not_utf8).encode().replace(b"Le chef", b"\xff\xfe chef"), "not UTF-8 JSON")
    huge = submission()
    add(huge, json.dumps(huge).replace('"lead_2": ', '"lead_2": ' + "7" * 5000 + ', "x": ').encode(), "4300 digits")
    array = submission()
    add(array, json.dumps([array]).encode(), "not a JSON object")
    nan = submission()
    add(nan, json.dumps(nan).replace('"lead_3": ', '"lead_3": NaN, "y": ').encode(), "answers.lead_3")
    surrogate = submission()
    surrogate["answers"]["open_change_first"] = "bad \udc80 text"
    add(surrogate, json.dumps(surrogate).encode(), "answers.open_change_first")
    for body in good:
        assert client.post(URL, json=envelope(body, key)).status_code == 201
    for sent, _ in hostile.values():  # the server cannot read them: stored as any envelope
        assert client.post(URL, json=sent).status_code == 201, sent["uuid"]
    wrong_wrap = submission()  # a key_wrapped that no private key opens
    forged = dict(envelope(wrong_wrap, key), key_wrapped=base64.b64encode(b"\x01" * 384).decode())
    assert client.post(URL, json=forged).status_code == 201
    hostile[wrong_wrap["uuid"]] = (forged, "does not unwrap")

    out = tmp_path / "a.csv"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    total = len(good) + len(hostile)
    assert f"{len(good)} of {total} submissions decrypted" in result.output
    assert f"{len(hostile)} submissions could not be decrypted ({len(hostile)} newly quarantined)" in result.output
    listed = {line.split(": ", 1)[0].strip(): line.split(": ", 1)[1] for line in result.output.splitlines()
              if line.startswith("  ")}  # fmt: skip
    assert set(listed) == set(hostile)
    for uuid, (_, reason) in hostile.items():
        assert reason in listed[uuid], (uuid, listed[uuid])
    assert set(pd.read_csv(out)["respondent"]) == {body["uuid"] for body in good}
    kept = session.exec(select(QuarantinedSubmission)).all()
    assert {row.claimed_uuid for row in kept} == set(hostile)
    assert all(row.reason.startswith("decryption failed: ") for row in kept)
    for row in kept:  # kept as stored: still sealed, the same ciphertext
        assert json.loads(row.raw_body)["ciphertext"] == hostile[row.claimed_uuid][0]["ciphertext"]


def test_encryption_unforeseen_error_in_one_record_is_reported_for_it_alone(sealed, client, runner, session,
                                                                           monkeypatch, tmp_path) -> None:  # fmt: skip
    """Whatever a record's checks raise, that record is listed and quarantined; the run goes on."""
    from cips.services import decryption

    good, cursed = submission(), submission()
    for body in (good, cursed):
        assert client.post(URL, json=envelope(body, sealed["public_key"])).status_code == 201
    checks = decryption.validate_answers

    def validate(definition: Any, answers: dict[str, Any]) -> Any:
        if answers["open_change_first"] == cursed["answers"]["open_change_first"]:
            raise TypeError("an error nobody foresaw")
        return checks(definition, answers)

    monkeypatch.setattr(decryption, "validate_answers", validate)
    out = tmp_path / "a.csv"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(out))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"{cursed['uuid']}: the sealed submission cannot be read (TypeError)" in result.output
    assert set(pd.read_csv(out)["respondent"]) == {good["uuid"]}
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.claimed_uuid == cursed["uuid"]


def test_encryption_report_embeds_decrypted_answers_in_memory_only(sealed, client, runner, session, tmp_path,
                                                                  fake_embedder) -> None:  # fmt: skip
    """Vectors of decrypted answers are never written to the shared embeddings cache; the server
    has nothing to embed (no status, the command refuses)."""
    from analysis.embeddings import EmbeddingCache
    from cips.services.text_analysis import text_status

    for _ in range(6):
        assert client.post(URL, json=envelope(submission(), sealed["public_key"])).status_code == 201
    report = tmp_path / "report.html"
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(tmp_path / "a.csv"),
                     "--report", str(report))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(fake_embedder.seen) == 6 and all(SECRET_TEXT in t for t in fake_embedder.seen)
    assert "grouped by meaning" in report.read_text(encoding="utf-8")
    assert EmbeddingCache(fake_embedder.cache_path).count("fake:fake-1") == 0
    campaign = session.exec(select(Campaign).where(Campaign.slug == "sealed")).one()
    assert text_status(session, campaign) is None
    refused = runner.invoke(args=["text", "embed", "sealed"])
    assert refused.exit_code != 0 and "encrypted" in refused.output
