"""Key files of encrypted campaigns: scrypt-protected PKCS#8, old files still open, passphrases rated."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat import asn1
from cryptography.hazmat.primitives import serialization
from sqlmodel import Session, select

from cips.crypto.keyfile import PBES2, SCRYPT, EncryptedPrivateKeyInfo, protection
from cips.crypto.seal import (
    KeyFileError,
    generate_private_key,
    load_private_key,
    load_public_pem,
    public_pem,
    seal_submission,
    spki_der,
)
from cips.models import Campaign
from tests.helpers import payload

PASSPHRASE = "a long campaign passphrase"
CREATE = ["campaign", "create", "enc", "--name", "Enc", "--administration", "Test Customs", "--instrument", "officials",
          "--encrypt"]  # fmt: skip


def der_of(pem: bytes) -> bytes:
    lines = pem.decode("ascii").strip().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED PRIVATE KEY-----" and lines[-1] == "-----END ENCRYPTED PRIVATE KEY-----"
    return base64.b64decode("".join(lines[1:-1]))


def test_keyfile_new_files_are_pkcs8_with_scrypt(loaded, runner, session: Session, tmp_path: Path) -> None:
    key_file = tmp_path / "enc.key.pem"
    result = runner.invoke(args=[*CREATE, "--key-out", str(key_file)], env={"CIPS_KEY_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0, result.output
    info = asn1.decode_der(EncryptedPrivateKeyInfo, der_of(key_file.read_bytes()))
    assert info.encryptionAlgorithm.algorithm == PBES2
    kdf = info.encryptionAlgorithm.parameters.keyDerivationFunc
    assert kdf.algorithm == SCRYPT
    params = kdf.parameters  # OWASP's scrypt minimum: N=2^17, r=8, p=1 (128 MiB per guess)
    assert params.costParameter >= 2**17 and params.blockSize == 8 and params.parallelizationParameter >= 1
    assert len(params.salt) == 16 and len(info.encryptionAlgorithm.parameters.encryptionScheme.parameters) == 16
    # Read by the library's own PKCS#8 reader, the one `cips decrypt` uses.
    key = load_private_key(key_file, PASSPHRASE)
    campaign = session.exec(select(Campaign).where(Campaign.slug == "enc")).one()
    assert spki_der(public_pem(key)) == spki_der(campaign.public_key)
    try:
        load_private_key(key_file, "not the passphrase at all")
    except KeyFileError as exc:
        assert "wrong passphrase" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a wrong passphrase opened the key file")


def test_keyfile_old_pbkdf2_files_still_decrypt_and_can_be_protected_again(loaded, runner, client, tmp_path) -> None:
    """A file written the old way (BestAvailableEncryption: PBKDF2, 2,048 rounds) opens, with a note."""
    key = generate_private_key()
    old = tmp_path / "old.key.pem"
    old.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(PASSPHRASE.encode())))  # fmt: skip
    assert protection(old.read_bytes()) == "PBKDF2"
    (tmp_path / "public.pem").write_text(public_pem(key))
    created = runner.invoke(args=[*CREATE, "--public-key", str(tmp_path / "public.pem")])
    assert created.exit_code == 0, created.output
    body = payload(campaign="enc")
    envelope = seal_submission(body, load_public_pem(public_pem(key)))
    assert client.post("/api/v1/submissions", json=envelope).status_code == 201
    env = {"CIPS_KEY_PASSPHRASE": PASSPHRASE}
    result = runner.invoke(args=["decrypt", "enc", "--key", str(old), "--out", str(tmp_path / "a.csv")], env=env)
    assert result.exit_code == 0, result.output
    assert "1 of 1 submissions decrypted" in result.output
    assert f"note: {old} is protected with PBKDF2" in result.output and "cips keygen --rewrap" in result.output

    new = tmp_path / "new.key.pem"
    rewrapped = runner.invoke(args=["keygen", "--rewrap", str(old), "--key-out", str(new)], env=env)
    assert rewrapped.exit_code == 0, rewrapped.output
    assert protection(new.read_bytes()) == "scrypt"
    assert load_private_key(new, PASSPHRASE).private_numbers() == key.private_numbers()
    again = runner.invoke(args=["decrypt", "enc", "--key", str(new), "--out", str(tmp_path / "b.csv")], env=env)
    assert again.exit_code == 0 and "note:" not in again.output, again.output


def test_keyfile_weak_passphrases_are_refused_with_the_reason(loaded, runner, session: Session, tmp_path) -> None:
    key_file = tmp_path / "enc.key.pem"
    common = runner.invoke(args=[*CREATE, "--key-out", str(key_file)], env={"CIPS_KEY_PASSPHRASE": "password1234"})
    assert common.exit_code == 1
    assert "passphrase refused: too easy to guess: it is one of the most common passwords" in common.output
    short = runner.invoke(args=[*CREATE, "--key-out", str(key_file)], env={"CIPS_KEY_PASSPHRASE": "tall tree"})
    assert short.exit_code == 1 and "passphrase refused: too short: at least 12 characters" in short.output
    assert not key_file.exists() and session.exec(select(Campaign).where(Campaign.slug == "enc")).first() is None
    # Prompted: the reason is shown and the question asked again.
    prompted = runner.invoke(args=["keygen", "--key-out", str(key_file), "--public-out", str(tmp_path / "pub.pem")],
                             input=f"Summer2024!!\n{PASSPHRASE}\n{PASSPHRASE}\n")  # fmt: skip
    assert prompted.exit_code == 0, prompted.output
    assert "passphrase refused: too easy to guess: it is built on a common password" in prompted.output
    assert load_private_key(key_file, PASSPHRASE).key_size == 3072
