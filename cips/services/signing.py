"""Ed25519 signatures of an administration's aggregate files: crypto only (a leaf).

One key pair per administration, kept in the instance folder (0600): the private key signs what
leaves, the public key (printed by ``cips aggregates key``) is what the programme registers to
tell a genuine file from a tampered or forged one. The key id is a digest of the public key, so
a file names the key that signed it without anyone trusting the key it carries.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from analysis.files import private_dir, private_open

ALGORITHM = "Ed25519"


class SignatureError(ValueError):
    """A key or a signature that cannot be used; the message says which check failed."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key_b64: str) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def public_key_text(private: Ed25519PrivateKey) -> str:
    """The public half, base64 of its 32 raw bytes (what a programme officer copies)."""
    return base64.b64encode(_raw(private.public_key())).decode("ascii")


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, made (0600, in a 0700 folder) the first time it is asked for."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SignatureError(f"{path} does not hold an Ed25519 private key")
        return key
    private_dir(path.parent)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    with private_open(path, "xb") as fh:
        fh.write(pem)
    return key


def sign(private: Ed25519PrivateKey, message: bytes) -> dict[str, str]:
    """The signature block a file carries beside the document it signs."""
    public = public_key_text(private)
    value = base64.b64encode(private.sign(message)).decode("ascii")
    return {"algorithm": ALGORITHM, "key_id": key_id(public), "public_key": public, "value": value}


def parse_public_key(text: str) -> str:
    """A public key as pasted by a person (base64 of 32 bytes), checked and normalised."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise SignatureError("public key: expected the base64 text printed by `cips aggregates key`") from exc
    return base64.b64encode(raw).decode("ascii")


def verify(public_key_b64: str, message: bytes, signature: object) -> None:
    """Raise :class:`SignatureError` naming the failed check unless ``signature`` is a valid
    Ed25519 signature of ``message`` by ``public_key_b64``."""
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        raise SignatureError("signature: missing")
    if signature.get("algorithm") != ALGORITHM:
        raise SignatureError(f"signature: algorithm {signature.get('algorithm')!r} is not {ALGORITHM}")
    if signature.get("key_id") != key_id(public_key_b64):
        raise SignatureError("signature: signed by another key than the one registered")
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    try:
        public.verify(base64.b64decode(signature["value"]), message)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("signature: does not match the content (the file was changed after signing)") from exc
