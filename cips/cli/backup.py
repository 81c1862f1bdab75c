"""``cips backup`` and ``cips restore``: the whole instance in one file, and back."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cips.cli.errors import check_output_path, writing
from cips.extensions import db
from cips.services.audit import record
from cips.services.backup import BackupError, backup_secret, create_backup, restore_backup


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="backup file to write (.tar.gz)")
@with_appcontext
def backup_command(out: Path) -> None:
    """Back up the database and the instance secret to one file (mode 600)."""
    check_output_path(out)
    try:
        with writing(out):
            manifest = create_backup(db.engine, current_app.config["DATABASE_URL"],
                                     current_app.config["SECRET_KEY"], out)  # fmt: skip
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest.tables.values())
    click.echo(f"{out}: {manifest.backend} database at revision {manifest.revision}, {rows} rows in "
               f"{len(manifest.tables)} tables, and the instance secret")  # fmt: skip
    click.echo("Keep it as safe as the server: it holds every answer stored in clear and the secret.")
    click.echo("Key files of encrypted campaigns are not in it: keep them with their holders, offline.")


def _install_secret(secret: str, replace: bool) -> str:
    """Make the restored instance use the backup's secret; say what was done."""
    from_env = os.environ.get("CIPS_SECRET_KEY")
    if from_env is not None:
        if from_env == secret:
            return "CIPS_SECRET_KEY already holds the backup's secret"
        return ("CIPS_SECRET_KEY differs from the backup's secret (restored anyway, --replace-secret): "
                "second factors, sessions and rate-limit keys of the old instance do not carry over")  # fmt: skip
    path = Path(current_app.instance_path) / "secret_key"
    if path.exists() and path.read_text().strip() == secret:
        return f"{path} already holds the backup's secret"
    if path.exists() and not replace:
        raise click.ClickException(f"{path} holds another secret; give --replace-secret to use the backup's")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.unlink(missing_ok=True)  # a new file, so that it gets mode 600 whatever the old one had
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return f"instance secret written to {path}"


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace-secret",
    is_flag=True,
    help="overwrite a different instance/secret_key with the backup's "
    "(with CIPS_SECRET_KEY set to another secret: restore anyway, second factors then lost)",
)
@with_appcontext
def restore_command(archive: Path, replace_secret: bool) -> None:
    """Restore ARCHIVE (from `cips backup`) into an empty database of the same schema."""
    url = current_app.config["DATABASE_URL"]
    try:
        secret = backup_secret(archive)
        from_env = os.environ.get("CIPS_SECRET_KEY")
        if not replace_secret and from_env is not None and from_env != secret:
            # The secret seals each account's second factor (TOTP): under another one, no enrolled
            # account could sign in again.
            raise click.ClickException("CIPS_SECRET_KEY differs from the backup's secret: the restored accounts' "
                                       "second factors and sessions would not open. Set CIPS_SECRET_KEY to the "
                                       "backup's secret, or give --replace-secret to restore anyway (checked before "
                                       "anything is restored)")  # fmt: skip
        if not replace_secret and from_env is None:
            existing = Path(current_app.instance_path) / "secret_key"
            if existing.exists() and existing.read_text().strip() != secret:
                raise click.ClickException(f"{existing} holds another secret; give --replace-secret to use the "
                                           "backup's (checked before anything is restored)")  # fmt: skip
        manifest, secret = restore_backup(archive, db.engine, url)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    note = _install_secret(secret, replace_secret)
    record(db.session, "cli", "backup.restore", archive.name, revision=manifest.revision, made=manifest.created_at)
    db.session.commit()
    click.echo(f"restored {sum(manifest.tables.values())} rows in {len(manifest.tables)} tables from {archive} "
               f"(made {manifest.created_at}); {note}")  # fmt: skip
