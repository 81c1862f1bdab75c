"""Passphrase protection of a campaign's private key file: PKCS#8, PBES2 with scrypt and AES-256-CBC.

``cryptography`` reads PBES2 with scrypt or PBKDF2 (``load_pem_private_key``) but writes PKCS#8
only with its ``BestAvailableEncryption``: PBKDF2-SHA256 at 2,048 iterations, a few hundred
guesses per second per core against a stolen file. Its PKCS#12 writer takes more KDF rounds but
keeps its integrity MAC at 2,048 PKCS#12-KDF iterations under the same passphrase, so an
attacker would guess against the MAC instead. Hence this module: the same PKCS#8 PEM
(``-----BEGIN ENCRYPTED PRIVATE KEY-----``, RFC 5958 / RFC 8018 PBES2) with the key derived by
scrypt (RFC 7914; OWASP's parameters: N = 2^17, r = 8, p = 1, 128 MiB per guess), built only
from the library's primitives (``Scrypt``, AES-CBC, PKCS#7 padding, its declarative DER
encoder). Reading stays the library's, so a file is proved readable by the reader that matters,
and files written the old way still open.
"""

from __future__ import annotations

import base64
import os
import textwrap

from cryptography import x509
from cryptography.hazmat import asn1
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

#: scrypt's cost: OWASP's first choice (128 MiB and about a second per guess here).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SALT_BYTES = 16
PEM_LABEL = "ENCRYPTED PRIVATE KEY"

PBES2 = x509.ObjectIdentifier("1.2.840.113549.1.5.13")
SCRYPT = x509.ObjectIdentifier("1.3.6.1.4.1.11591.4.11")
PBKDF2 = x509.ObjectIdentifier("1.2.840.113549.1.5.12")
AES256_CBC = x509.ObjectIdentifier("2.16.840.1.101.3.4.1.42")


@asn1.sequence
class ScryptParams:  # RFC 7914 section 7.1 (keyLength left out, as OpenSSL writes it)
    salt: bytes
    costParameter: int
    blockSize: int
    parallelizationParameter: int


@asn1.sequence
class ScryptAlgorithm:
    algorithm: x509.ObjectIdentifier
    parameters: ScryptParams


@asn1.sequence
class CbcAlgorithm:  # the parameters of aes256-CBC are the IV
    algorithm: x509.ObjectIdentifier
    parameters: bytes


@asn1.sequence
class Pbes2Params:
    keyDerivationFunc: ScryptAlgorithm
    encryptionScheme: CbcAlgorithm


@asn1.sequence
class Pbes2Algorithm:
    algorithm: x509.ObjectIdentifier
    parameters: Pbes2Params


@asn1.sequence
class EncryptedPrivateKeyInfo:
    encryptionAlgorithm: Pbes2Algorithm
    encryptedData: bytes


# To read the protection of any file, old or new: the parameters as they come.
@asn1.sequence
class AnyAlgorithm:
    algorithm: x509.ObjectIdentifier
    parameters: asn1.TLV


@asn1.sequence
class AnyEncryptedPrivateKeyInfo:
    encryptionAlgorithm: AnyAlgorithm
    encryptedData: bytes


@asn1.sequence
class AnyPbes2Params:
    keyDerivationFunc: AnyAlgorithm
    encryptionScheme: AnyAlgorithm


def encrypted_pem(key: rsa.RSAPrivateKey, passphrase: bytes) -> bytes:
    """``key`` as PKCS#8 PEM, encrypted with PBES2 (scrypt, AES-256-CBC) under ``passphrase``."""
    plain = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())  # fmt: skip
    salt, iv = os.urandom(SALT_BYTES), os.urandom(16)
    aes_key = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase)
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    data = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    info = EncryptedPrivateKeyInfo(
        encryptionAlgorithm=Pbes2Algorithm(algorithm=PBES2, parameters=Pbes2Params(
            keyDerivationFunc=ScryptAlgorithm(algorithm=SCRYPT, parameters=ScryptParams(
                salt=salt, costParameter=SCRYPT_N, blockSize=SCRYPT_R, parallelizationParameter=SCRYPT_P)),
            encryptionScheme=CbcAlgorithm(algorithm=AES256_CBC, parameters=iv))),
        encryptedData=data,
    )  # fmt: skip
    body = "\n".join(textwrap.wrap(base64.b64encode(asn1.encode_der(info)).decode("ascii"), 64))
    return f"-----BEGIN {PEM_LABEL}-----\n{body}\n-----END {PEM_LABEL}-----\n".encode("ascii")


def protection(pem: bytes) -> str:
    """How a PKCS#8 PEM file is protected: "scrypt", "PBKDF2" or another KDF's OID ("unknown" if unreadable).

    Read from the file's header, without the passphrase: ``cips decrypt`` tells the key holder
    when a file still has the old, weak protection.
    """
    try:
        lines = pem.decode("ascii").strip().splitlines()
        der = base64.b64decode("".join(line for line in lines if not line.startswith("-----")), validate=True)
        info = asn1.decode_der(AnyEncryptedPrivateKeyInfo, der)
        if info.encryptionAlgorithm.algorithm != PBES2:
            return info.encryptionAlgorithm.algorithm.dotted_string
        kdf = info.encryptionAlgorithm.parameters.parse(AnyPbes2Params).keyDerivationFunc.algorithm
    except (ValueError, UnicodeDecodeError):
        return "unknown"
    return {SCRYPT: "scrypt", PBKDF2: "PBKDF2"}.get(kdf, kdf.dotted_string)
