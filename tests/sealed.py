"""Encrypted campaigns in tests: envelopes, submissions, decryption and what the database holds (the key pair
and the sealed campaign are fixtures of conftest.py)."""

from __future__ import annotations

import uuid as uuid_lib
from pathlib import Path
from typing import Any

from sqlalchemy import text

from cips.crypto.seal import (
    seal,
    seal_submission,
)
from tests.helpers import payload

URL = "/api/v1/submissions"


PASSPHRASE = "a long campaign passphrase"


SECRET_TEXT = "Le chef de bureau exige un paiement pour chaque déclaration"


SECRET_WORDS = "exige un paiement pour chaque"  # ASCII: also found where JSON escaped the "é"


def envelope(body: dict[str, Any], public_key: Any, strata: tuple[str, ...] = ("bg_region",)) -> dict[str, Any]:
    return seal_submission(body, public_key, strata)


def submission(**overrides: Any) -> dict[str, Any]:
    body = payload(campaign="sealed", **overrides)
    body["answers"]["open_change_first"] = f"{SECRET_TEXT} ({body['uuid'][:8]})"
    return body


def decrypt(runner, *args: str, passphrase: str = PASSPHRASE):
    return runner.invoke(args=["decrypt", *args], env={"CIPS_KEY_PASSPHRASE": passphrase})


def database_bytes(app) -> bytes:
    """What the database holds. SQLite: its files (main and WAL), byte for byte. PostgreSQL: every
    value of every column of every table of the schema, bytea as stored and the rest as text."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    chunks: list[bytes] = []
    with app.extensions["cips_engine"].connect() as conn:
        columns = conn.execute(text("SELECT table_name, column_name, data_type FROM information_schema.columns "
                                    "WHERE table_schema = current_schema()")).all()  # fmt: skip
        assert {"encrypted_submission", "quarantined_submission", "audit_event"} <= {t for t, _, _ in columns}
        for table, column, kind in columns:
            value = f'"{column}"' if kind == "bytea" else f'"{column}"::text'
            for (v,) in conn.execute(text(f'SELECT {value} FROM "{table}" WHERE "{column}" IS NOT NULL')):
                chunks.append(bytes(v) if isinstance(v, (bytes, memoryview)) else v.encode("utf-8"))
    return b"\n".join(chunks)


def assert_nowhere_in_database(app, *needles: str) -> None:
    """None of ``needles`` in the database, as UTF-8 or UTF-16 (an ASCII needle also finds JSON-escaped text)."""
    raw = database_bytes(app)
    for needle in needles:
        assert needle.encode("utf-8") not in raw and needle.encode("utf-16-le") not in raw, needle


def payload_uuid(body: dict[str, Any]) -> uuid_lib.UUID:
    return uuid_lib.UUID(body["uuid"])


def hostile_envelope(plaintext: bytes, public_key: Any, body: dict[str, Any]) -> dict[str, Any]:
    """What any respondent can send: any bytes sealed with the campaign's public key (it is in the app)."""
    outer = {k: body[k] for k in ("uuid", "campaign", "instrument", "instrument_version")}
    return {**outer, **seal(plaintext, public_key), "strata": {"bg_region": "north"}}
