"""A new campaign key file: the passphrase rule, then the file written once (see :mod:`cips.crypto`).

The cryptography itself (keys, envelopes, the scrypt-protected PKCS#8 file) is :mod:`cips.crypto`'s;
the rules a manager meets when making a key file are here, beside the password rule they share.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from cips.crypto.keyfile import encrypted_pem
from cips.crypto.seal import KeyFileError
from cips.services.passwords import WeakSecret, check_secret

PASSPHRASE_ENV = "CIPS_KEY_PASSPHRASE"


def check_passphrase(passphrase: str) -> str:
    """A new key file's passphrase, rated like an account password (``cips.services.passwords``).

    Stricter reasons to than for a password: a stolen key file meets an offline attacker with
    no rate limit, and its answers cannot be re-encrypted once the passphrase is guessed.
    """
    try:
        return check_secret(passphrase)
    except WeakSecret as exc:
        raise KeyFileError(f"passphrase refused: {exc}") from exc


def write_private_key(path: Path, key: rsa.RSAPrivateKey, passphrase: str) -> None:
    """PKCS#8 PEM encrypted with the passphrase (PBES2: scrypt and AES-256-CBC).

    Created with mode 0600 and never over an existing file: overwriting the only copy
    of a campaign's key would make its answers unreadable forever.
    """
    data = encrypted_pem(key, check_passphrase(passphrase).encode("utf-8"))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} already exists: choose another --key-out (never overwrite a key)") from exc
    except OSError as exc:
        raise KeyFileError(f"cannot write {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(data)
