"""Backup and restore of a whole CIPS instance: database, instance secret, manifest.

A backup is one tar file, written 0600 because it holds the instance secret:

- ``manifest.json`` — format, creation time, backend, Alembic revision, rows per table and
  the SHA-256 of every other member, so a restore can prove it got back what was saved;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app keeps
  writing) or ``database.pgdump`` (``pg_dump --format=custom`` of the whole database);
- ``secret_key`` — the key that signs sessions, CSRF tokens and counter keys.

A restore goes only into an EMPTY database and only when the backup's schema revision is
the one this code expects: restoring an older schema and migrating afterwards is done with
the CIPS version that wrote it, then ``cips db upgrade``. The key file of an encrypted
campaign is never on the server, so it is never in a backup.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from analysis.files import private_open
from cips.migrate import alembic_config

FORMAT = 1
MANIFEST = "manifest.json"
SECRET = "secret_key"
DUMP_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Manifest:
    backend: str
    revision: str
    tables: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    format: int = FORMAT


def _backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in DUMP_MEMBER:
        raise BackupError(f"backups support SQLite and PostgreSQL databases, not {name}")
    return name


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per application table (the Alembic bookkeeping table is checked as the revision)."""
    with engine.connect() as conn:
        return _counts(conn)


def _counts(conn: Connection) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for t in SQLModel.metadata.sorted_tables
        if t.name in present
    }


def database_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def code_revision(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (it goes in PGPASSWORD, not on a command line)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{what} needs {args[0]} (PostgreSQL client tools) on the PATH") from exc
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def _dump(engine: Engine, url: str, backend: str, target: Path, snapshot: str | None = None) -> None:
    if backend == "sqlite":
        source = sqlite3.connect(make_url(url).database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # page by page, consistent even while the app writes
        finally:
            copy.close()
            source.close()
        return
    uri, env = _libpq(url)
    at = [f"--snapshot={snapshot}"] if snapshot else []
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *at, f"--file={target}", f"--dbname={uri}"],
         env, "a PostgreSQL backup")  # fmt: skip


def create_backup(engine: Engine, url: str, secret_key: str, out: Path) -> Manifest:
    """Write the backup of the database at ``url`` (and the instance secret) to ``out``."""
    backend = _backend(url)
    revision = database_revision(engine)
    if revision is None:
        raise BackupError("the database has no schema yet (run `cips db upgrade`): nothing to back up")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dump = folder / DUMP_MEMBER[backend]
        # PostgreSQL: counted in the snapshot pg_dump then dumps (exported from this open
        # transaction), so the counts are the dump's even while the app writes and deletes (the
        # counter store sweeps its ended windows every minute); SQLite: the copy itself is counted.
        live = None
        if backend == "postgresql":
            with engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                    live = _counts(conn)
                    _dump(engine, url, backend, dump, snapshot)
        else:
            _dump(engine, url, backend, dump)
        (folder / SECRET).write_text(secret_key)
        manifest = Manifest(backend=backend, revision=revision, tables=live or _sqlite_counts(dump))
        manifest.files = {name: _sha256(folder / name) for name in (dump.name, SECRET)}
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            body = json.dumps(asdict(manifest), indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(body), 0o600
            tar.addfile(info, io.BytesIO(body))
            for name in manifest.files:
                tar.add(folder / name, arcname=name)
    os.chmod(out, 0o600)
    return manifest


def _sqlite_counts(dump: Path) -> dict[str, int]:
    conn = sqlite3.connect(dump)
    try:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {
            t.name: conn.execute(f'SELECT COUNT(*) FROM "{t.name}"').fetchone()[0]
            for t in SQLModel.metadata.sorted_tables
            if t.name in present
        }
    finally:
        conn.close()


def read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            data = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive}: not a CIPS backup ({exc})") from exc
    if not isinstance(data, dict):
        raise BackupError(f"{archive}: not a CIPS backup (its manifest is not a JSON object)")
    if data.get("format") != FORMAT:
        raise BackupError(f"{archive}: backup format {data.get('format')!r}, this CIPS reads format {FORMAT}")
    try:
        manifest = Manifest(**data)
    except TypeError as exc:  # a field missing or one this format does not have
        raise BackupError(f"{archive}: not a CIPS backup (manifest: {exc})") from exc
    expected = {SECRET, DUMP_MEMBER.get(manifest.backend)}
    if not isinstance(manifest.files, dict) or set(manifest.files) != expected:
        raise BackupError(f"{archive}: not a CIPS backup (its manifest does not list the database and the secret)")
    return manifest


def backup_secret(archive: Path) -> str:
    """The instance secret saved in ``archive`` (checked against the manifest)."""
    manifest = read_manifest(archive)
    with tempfile.TemporaryDirectory() as tmp:
        _unpack(archive, Manifest(**{**asdict(manifest), "files": {SECRET: manifest.files[SECRET]}}), Path(tmp))
        return (Path(tmp) / SECRET).read_text()


def _unpack(archive: Path, manifest: Manifest, folder: Path) -> None:
    with tarfile.open(archive, mode="r:*") as tar:
        for name in manifest.files:
            tar.extract(name, folder, filter="data")
    for name, expected in manifest.files.items():
        if _sha256(folder / name) != expected:
            raise BackupError(f"{archive}: {name} does not match its checksum: the file is damaged")


def restore_backup(archive: Path, engine: Engine, url: str) -> tuple[Manifest, str]:
    """Restore ``archive`` into the empty database at ``url``; return the manifest and the secret."""
    manifest = read_manifest(archive)
    backend = _backend(url)
    if manifest.backend != backend:
        raise BackupError(f"{archive} is a {manifest.backend} backup; the target database is {backend}")
    expected = code_revision(url)
    if manifest.revision != expected:
        raise BackupError(
            f"{archive}: the backup's schema is revision {manifest.revision}, this CIPS expects {expected}: "
            "restore it with the CIPS version that wrote it, then run `cips db upgrade`"
        )
    tables = inspect(engine).get_table_names()
    if tables:
        raise BackupError(f"the target database is not empty ({len(tables)} tables): restore into an empty database")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _unpack(archive, manifest, folder)
        dump = folder / DUMP_MEMBER[backend]
        engine.dispose()
        if backend == "sqlite":
            target = Path(make_url(url).database)
            for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
                leftover.unlink(missing_ok=True)
            with dump.open("rb") as src, private_open(target, "wb") as dst:  # 0600 from the first byte
                shutil.copyfileobj(src, dst)
        else:
            uri, env = _libpq(url)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={uri}", str(dump)],
                 env, "a PostgreSQL restore")  # fmt: skip
        secret = (folder / SECRET).read_text()
    restored = table_counts(engine)
    short = {t: (n, restored.get(t, 0)) for t, n in manifest.tables.items() if restored.get(t, 0) < n}
    if short:
        raise BackupError(f"restore incomplete: rows (expected, found) {short}")
    return manifest, secret
