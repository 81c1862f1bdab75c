"""Keys and envelopes of end-to-end encrypted campaigns.

The scheme is ODK's, with standard primitives only (``cryptography`` here, WebCrypto
in the browser, nothing hand-written): each finished submission is encrypted with a
fresh AES-256-GCM key and a random 12-byte nonce; that key is wrapped with the
campaign's RSA-OAEP-3072 (SHA-256, MGF1-SHA-256) public key. The envelope carries
base64 of the wrapped key (384 bytes), the nonce and the ciphertext (GCM tag at the
end, as WebCrypto and ``AESGCM`` both produce it).

The private key exists only in a passphrase-protected PKCS#8 file the manager keeps
(scrypt, see :mod:`cips.crypto.keyfile`); the server stores the public key and nothing else.
Writing a new key file, with the passphrase rule, is :mod:`cips.services.encryption`'s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cips.crypto.keyfile import protection

ALG = "RSA-OAEP-3072-SHA256+A256GCM"
RSA_BITS = 3072
WRAPPED_KEY_BYTES = RSA_BITS // 8
IV_BYTES = 12
AES_KEY_BYTES = 32
TAG_BYTES = 16
#: Largest ciphertext accepted: a generous bound on the largest questionnaire with every
#: text answer at its maximum length, and base64 of it still fits the 1 MB body limit.
MAX_CIPHERTEXT_BYTES = 700_000


class KeyFileError(ValueError):
    """A key file that cannot be used, with a message for the manager (no traceback)."""


class DecryptError(ValueError):
    """An envelope that does not open: wrong key, or altered on its way or at rest."""


def _oaep() -> padding.OAEP:
    # What WebCrypto's {name: "RSA-OAEP", hash: "SHA-256"} means: MGF1 with the same hash, no label.
    return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Strict standard base64 (what ``btoa`` writes): anything else is an error."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError("not valid base64") from exc


# ---------------------------------------------------------------- keys


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_pem(pem: str) -> rsa.RSAPublicKey:
    """The campaign's public key; refuses anything but an RSA-3072 SPKI key."""
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnsupportedAlgorithm, UnicodeEncodeError) as exc:
        raise KeyFileError("not a PEM public key (-----BEGIN PUBLIC KEY-----)") from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size != RSA_BITS:
        raise KeyFileError(f"the public key must be RSA with {RSA_BITS} bits")
    return key


def spki_der(pem: str) -> bytes:
    der = serialization.Encoding.DER
    return load_public_pem(pem).public_bytes(der, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(pem: str) -> str:
    """SHA-256 of the public key (SPKI DER), shortened: names a key in messages and audits."""
    return hashlib.sha256(spki_der(pem)).hexdigest()[:16]


def load_private_key(path: Path, passphrase: str) -> rsa.RSAPrivateKey:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" not in data:
        raise KeyFileError(f"{path} is not a passphrase-protected PKCS#8 key file (made by `cips campaign create`)")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        # The library says "Bad decrypt. Incorrect password?" or similar: say it plainly.
        raise KeyFileError(f"wrong passphrase for key file {path}") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size != RSA_BITS:
        raise KeyFileError(f"{path} does not hold an RSA-{RSA_BITS} key")
    return key


def weak_protection(path: Path) -> str | None:
    """What is weak about a key file's protection (files made before scrypt: PBKDF2, 2,048 rounds), or None."""
    try:
        kdf = protection(Path(path).read_bytes())
    except OSError:
        return None
    if kdf == "scrypt":
        return None
    return f"{path} is protected with {kdf} (key files made before scrypt: 2,048 PBKDF2 rounds, fast to guess)"


# ---------------------------------------------------------------- envelopes


def seal(plaintext: bytes, public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """Encrypt bytes as the browser does (``crypto.js``): the envelope's crypto fields."""
    aes_key = AESGCM.generate_key(bit_length=AES_KEY_BYTES * 8)
    iv = secrets.token_bytes(IV_BYTES)
    return {
        "alg": ALG,
        "key_wrapped": b64(public_key.encrypt(aes_key, _oaep())),
        "iv": b64(iv),
        "ciphertext": b64(AESGCM(aes_key).encrypt(iv, plaintext, None)),
    }


def seal_submission(
    payload: dict[str, Any], public_key: rsa.RSAPublicKey, strata: Iterable[str] = ()
) -> dict[str, Any]:
    """A whole envelope for a plaintext submission: what the PWA puts in its outbox."""
    envelope: dict[str, Any] = {
        "uuid": payload["uuid"], "campaign": payload["campaign"], "instrument": payload["instrument"],
        "instrument_version": payload["instrument_version"],
        **seal(json.dumps(payload, ensure_ascii=False).encode("utf-8"), public_key),
    }  # fmt: skip
    for key in ("device_id", "invite_token"):
        if payload.get(key):
            envelope[key] = payload[key]
    shown = {item: payload["answers"][item] for item in strata if isinstance(payload["answers"].get(item), str)}
    if shown:
        envelope["strata"] = shown
    return envelope


def open_sealed(fields: dict[str, Any], private_key: rsa.RSAPrivateKey) -> bytes:
    """The plaintext of an envelope; :class:`DecryptError` says why it does not open."""
    if fields.get("alg") != ALG:
        raise DecryptError(f"unknown algorithm {fields.get('alg')!r}")
    try:
        wrapped, iv, ciphertext = (unb64(fields[k]) for k in ("key_wrapped", "iv", "ciphertext"))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise DecryptError("envelope fields missing or not base64") from exc
    try:
        aes_key = private_key.decrypt(wrapped, _oaep())
    except ValueError as exc:
        raise DecryptError("the AES key does not unwrap: wrong private key, or key_wrapped altered") from exc
    if len(aes_key) != AES_KEY_BYTES or len(iv) != IV_BYTES:
        raise DecryptError("wrong AES key or nonce size")
    try:
        return AESGCM(aes_key).decrypt(iv, ciphertext, None)
    except InvalidTag as exc:
        raise DecryptError("authentication tag mismatch: ciphertext or nonce altered") from exc
