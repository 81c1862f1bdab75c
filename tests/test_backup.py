"""cips backup / cips restore: a whole instance out and back in, table for table."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from cips import create_app
from cips.crypto.seal import generate_private_key, public_pem, seal_submission
from tests.helpers import payload

URL = "/api/v1/submissions"


@pytest.fixture
def instance(loaded: Flask, runner, client, tmp_path: Path) -> Flask:
    """A campaign with stored submissions, a quarantined body, an encrypted campaign with an envelope and
    an audit log (campaign creation is audited)."""
    for _ in range(3):
        assert client.post(URL, json=payload()).status_code == 201
    assert client.post(URL, data=b"{not json", content_type="application/json").status_code == 400
    key = generate_private_key()
    (tmp_path / "public.pem").write_text(public_pem(key))
    result = runner.invoke(args=["campaign", "create", "sealed", "--name", "Sealed", "--administration", "Test Customs",
                                 "--instrument", "officials", "--languages", "en,fr", "--encrypt", "--public-key",
                                 str(tmp_path / "public.pem"), "--plaintext-strata", "bg_region"])  # fmt: skip
    assert result.exit_code == 0, result.output
    sealed = seal_submission(payload(campaign="sealed"), key.public_key(), ("bg_region",))
    assert client.post(URL, json=sealed).status_code == 201
    return loaded


@pytest.fixture
def empty_target(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend (PostgreSQL: a scratch database beside the test one)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    source = make_url(database_url)
    name = f"{source.database}_restore"
    admin = create_engine(source, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield source.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _target_app(url: str, tmp_path: Path) -> Flask:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key",
                      "REPORT_CACHE_DIR": str(tmp_path / "cache")})  # fmt: skip
    app.instance_path = str(tmp_path / "restored-instance")
    return app


def _rows(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in SQLModel.metadata.sorted_tables
        }
        tables["alembic_version"] = [tuple(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    engine.dispose()
    return tables


def test_backup_restores_every_table_elsewhere(instance: Flask, runner, database_url, empty_target, tmp_path) -> None:
    out = tmp_path / "cips-backup.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds the instance secret
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert set(tar.getnames()) == {"manifest.json", *manifest["files"]}
    assert manifest["tables"]["submission"] == 3 and manifest["tables"]["encrypted_submission"] == 1
    assert manifest["tables"]["quarantined_submission"] >= 1 and manifest["tables"]["audit_event"] >= 1

    target = _target_app(empty_target, tmp_path)
    result = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    assert "restored" in result.output
    source_rows, restored_rows = _rows(database_url), _rows(empty_target)
    restored_rows["audit_event"] = [r for r in restored_rows["audit_event"] if "backup.restore" not in r]
    for table, rows in source_rows.items():
        assert restored_rows[table] == rows, table
    assert any("backup.restore" in r for r in _rows(empty_target)["audit_event"])  # the restore is audited
    target.extensions["cips_engine"].dispose()


def test_backup_restore_refuses_a_database_that_is_not_empty(instance, runner, tmp_path) -> None:
    out = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    result = runner.invoke(args=["restore", str(out)])  # into the instance's own, full database
    assert result.exit_code == 1
    assert "the target database is not empty" in result.output and "restore into an empty database" in result.output


def _rewritten(archive: Path, out: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of ``archive`` with member ``name`` changed (a tampered or older backup)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == name:
                data = change(data)
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_backup_restore_refuses_another_schema_revision(instance, runner, empty_target, tmp_path) -> None:
    out = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0

    def older_revision(data: bytes) -> bytes:
        return json.dumps({**json.loads(data), "revision": "0003_encryption"}).encode()

    older = _rewritten(out, tmp_path / "older.tar.gz", "manifest.json", older_revision)
    result = _target_app(empty_target, tmp_path).test_cli_runner().invoke(args=["restore", str(older)])
    assert result.exit_code == 1
    assert "the backup's schema is revision 0003_encryption, this CIPS expects" in result.output
    assert "then run `cips db upgrade`" in result.output


def test_backup_restore_refuses_a_damaged_file(instance, runner, empty_target, tmp_path) -> None:
    out = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    damaged = _rewritten(out, tmp_path / "damaged.tar.gz", "secret_key", lambda data: b"x" + data[1:])
    result = _target_app(empty_target, tmp_path).test_cli_runner().invoke(args=["restore", str(damaged)])
    assert result.exit_code == 1 and "secret_key does not match its checksum" in result.output
    assert "not a CIPS backup" in _target_app(empty_target, tmp_path).test_cli_runner().invoke(
        args=["restore", str(tmp_path / "public.pem")]).output  # fmt: skip


def test_backup_restore_installs_the_instance_secret(instance, runner, empty_target, tmp_path, monkeypatch) -> None:
    out = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    monkeypatch.delenv("CIPS_SECRET_KEY")
    target = _target_app(empty_target, tmp_path)
    secret_file = Path(target.instance_path) / "secret_key"
    secret_file.parent.mkdir()
    secret_file.write_text("another instance's secret")
    refused = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert refused.exit_code == 1 and "--replace-secret" in refused.output
    engine = create_engine(empty_target)
    assert inspect(engine).get_table_names() == []  # refused before anything was restored
    engine.dispose()
    result = target.test_cli_runner().invoke(args=["restore", str(out), "--replace-secret"])
    assert result.exit_code == 0, result.output
    assert secret_file.read_text() == "test-secret-key"  # the source instance's secret
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    target.extensions["cips_engine"].dispose()


def test_backup_counts_and_dump_see_the_same_moment(instance, runner, database_url, empty_target, tmp_path,
                                                    monkeypatch) -> None:  # fmt: skip
    """Rows deleted while the backup runs (the counter store's sweep of ended windows, an administrator
    clearing the quarantine) must not make the backup's own restore fail as "incomplete"."""
    from cips.services import backup

    dump = backup._dump

    def dump_after_a_delete(*args, **kwargs):
        deleter = create_engine(database_url)
        with deleter.begin() as conn:
            conn.execute(text("DELETE FROM quarantined_submission"))
        deleter.dispose()
        return dump(*args, **kwargs)

    monkeypatch.setattr(backup, "_dump", dump_after_a_delete)
    out = tmp_path / "cips-backup.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    target = _target_app(empty_target, tmp_path)
    result = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    restored = _rows(empty_target)
    assert len(restored["quarantined_submission"]) == manifest["tables"]["quarantined_submission"]
    target.extensions["cips_engine"].dispose()


@pytest.mark.parametrize(
    "manifest",
    [
        [1, 2],  # JSON, not an object
        {"format": 1, "backend": "sqlite", "revision": "x", "tables": {}, "files": {}},  # nothing listed
        {"format": 1, "backend": "sqlite", "revision": "x", "tables": {}, "files": {"secret_key": "0"}, "extra": 1},
        {"format": 1, "backend": "sqlite"},  # fields missing
    ],
)
def test_backup_restore_refuses_an_odd_manifest_with_a_message(instance, empty_target, tmp_path, manifest) -> None:
    odd = tmp_path / "odd.tar.gz"
    body = json.dumps(manifest).encode()
    with tarfile.open(odd, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    result = _target_app(empty_target, tmp_path).test_cli_runner().invoke(args=["restore", str(odd)])
    assert result.exit_code == 1 and "odd.tar.gz: not a CIPS backup" in result.output, result.output


def test_backup_restore_under_another_cips_secret_key_is_refused_first(instance, runner, empty_target, tmp_path,
                                                                        monkeypatch) -> None:  # fmt: skip
    """The instance secret seals every account's second factor: restored under another CIPS_SECRET_KEY, no
    enrolled account could sign in again. It was restored anyway, with a note about sessions."""
    out = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    monkeypatch.setenv("CIPS_SECRET_KEY", "another instance's secret")
    target = _target_app(empty_target, tmp_path)
    refused = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert refused.exit_code == 1 and "CIPS_SECRET_KEY differs" in refused.output, refused.output
    assert "second factors" in refused.output and "--replace-secret" in refused.output
    engine = create_engine(empty_target)
    assert inspect(engine).get_table_names() == []  # refused before anything was restored
    engine.dispose()
    forced = target.test_cli_runner().invoke(args=["restore", str(out), "--replace-secret"])
    assert forced.exit_code == 0 and "second factors" in forced.output, forced.output
    target.extensions["cips_engine"].dispose()
