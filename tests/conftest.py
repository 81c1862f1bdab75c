"""Shared fixtures: every database test runs on SQLite and, when
``CIPS_TEST_DATABASE_URL`` is set (CI), on PostgreSQL too."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import text
from sqlmodel import Session, SQLModel

os.environ.setdefault("CIPS_SECRET_KEY", "test-secret-key")

from cips import create_app
from cips.crypto.seal import generate_private_key, load_public_pem, public_pem
from cips.extensions import make_engine
from cips.migrate import alembic_config
from cips.services.encryption import write_private_key
from tests.sealed import PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent
FORMS_DIR = ROOT / "forms"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("CIPS_TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database per backend, made once per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'cips.sqlite3'}"
    else:
        url = os.environ["CIPS_TEST_DATABASE_URL"]
        engine = make_engine(url)
        with engine.begin() as conn:  # start from nothing, whatever a previous run left
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    command.upgrade(alembic_config(url), "head")
    yield url


def _empty_all_tables(url: str) -> None:
    engine = make_engine(url)
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # Zero what is deleted and empty the WAL: tests that search the database's bytes for a
            # plaintext (sealed campaigns) must not find an earlier test's answers in freed pages.
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
            for table in tables:
                conn.execute(table.delete())
    if not url.startswith("postgresql"):
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "FORMS_DIR": str(FORMS_DIR),
            "WTF_CSRF_ENABLED": False,
            # Files the app writes beside the database stay in the test's directory.
            "DEMO_ACCOUNTS_FILE": str(tmp_path / "demo_accounts.txt"),
            "REPORT_CACHE_DIR": str(tmp_path / "report_cache"),
            "TEXT_JOBS_DIR": str(tmp_path / "text_analysis"),
        }
    )
    yield app
    app.extensions["cips_counters"].clear()  # rate-limit windows do not carry over to the next test
    app.extensions["cips_counters"].dispose()
    app.extensions["cips_engine"].dispose()
    _empty_all_tables(database_url)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with Session(app.extensions["cips_engine"], expire_on_commit=False) as s:
        yield s


@pytest.fixture
def loaded(app: Flask, runner) -> Flask:
    """Both shipped questionnaires loaded and a station campaign ``test`` using them."""
    result = runner.invoke(args=["instruments", "load"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["campaign", "create", "test", "--name", "Test survey", "--administration", "Test Customs",
              "--instrument", "officials", "--instrument", "private_sector", "--languages", "en,fr,es,pt"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return app


class FakeEmbedder:
    """A sentence model for tests: a vector per text from its digest, each text it computed recorded;
    ``gate`` (an Event), when set up, holds every call until it is set."""

    backend = "fake"
    model_id = "fake-1"

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.gate: threading.Event | None = None

    def encode(self, texts):
        import hashlib

        import numpy as np

        if self.gate is not None:
            assert self.gate.wait(60), "the test never opened the gate"
        self.seen.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)[:16] for t in texts]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), 16) + 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def fake_embedder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeEmbedder:
    """The app's sentence model replaced by a :class:`FakeEmbedder` behind a cache of the test's own."""
    from analysis.embeddings import CachedEmbedder, EmbeddingCache
    from cips.services import text_analysis

    fake = FakeEmbedder()
    path = tmp_path / "embeddings.sqlite3"

    def configured(in_memory: bool = False) -> CachedEmbedder:
        return CachedEmbedder(fake, EmbeddingCache(":memory:" if in_memory else path))

    monkeypatch.setattr(text_analysis, "sentence_embedder", configured)
    fake.cache_path = path  # type: ignore[attr-defined]
    return fake


@pytest.fixture(scope="module")
def tfidf_embeddings() -> Iterator[None]:
    """The briefing groups answers by their embeddings: briefing tests use the model-free backend, not e5.

    Module-scoped, so that a module-scoped briefing that asks for it is built with it too.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIPS_EMBEDDINGS", "tfidf")
        yield


# An encrypted campaign (tests.sealed holds its helpers).
@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One RSA-3072 pair for the module (generation is the slow part): key file and public PEM."""
    path = tmp_path_factory.mktemp("keys") / "campaign.key.pem"
    key = generate_private_key()
    write_private_key(path, key, PASSPHRASE)
    return path, public_pem(key)


@pytest.fixture
def sealed(loaded, runner, key_pair, tmp_path) -> dict[str, Any]:
    """Encrypted campaign ``sealed`` (officials, bg_region in clear) on the module's key pair."""
    key_file, pem = key_pair
    public = tmp_path / "public.pem"
    public.write_text(pem)
    result = runner.invoke(args=["campaign", "create", "sealed", "--name", "Sealed", "--administration", "Test Customs",
                                 "--instrument", "officials", "--languages", "en,fr", "--encrypt", "--public-key",
                                 str(public), "--plaintext-strata", "bg_region"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return {"key_file": key_file, "public_key": load_public_pem(pem)}
