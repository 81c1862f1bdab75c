"""End-to-end encryption commands: campaign keys, ``cips keygen``, ``cips decrypt``.

The passphrase of a key file is prompted (hidden; twice when a key is made) or read
from ``CIPS_KEY_PASSPHRASE`` for scripts and tests. It is never stored, never logged.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.cli import with_appcontext
from tqdm import tqdm

from analysis.files import write_private
from cips.cli.errors import check_output_path, writing
from cips.cli.options import language_option
from cips.crypto.seal import (
    KeyFileError,
    fingerprint,
    generate_private_key,
    load_private_key,
    load_public_pem,
    public_pem,
    weak_protection,
)
from cips.extensions import db
from cips.models.user import PASSWORD_MIN
from cips.services import audit
from cips.services.campaigns import CampaignError, get_campaign
from cips.services.decryption import (
    DecryptionError,
    check_key,
    decrypt_campaign,
    decrypted_report,
    quarantine_failures,
    write_export,
)
from cips.services.encryption import PASSPHRASE_ENV, check_passphrase, write_private_key


def passphrase(confirm: bool) -> str:
    """From ``CIPS_KEY_PASSPHRASE``, else prompted (hidden; twice for a new key)."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given is not None:
        return given

    def valid(value: str) -> str:
        try:
            return check_passphrase(value) if confirm else value
        except KeyFileError as exc:
            raise click.BadParameter(str(exc)) from exc

    label = (f"Passphrase for the key file (at least {PASSWORD_MIN} characters, a few unrelated words)" if confirm
             else "Key file passphrase")  # fmt: skip
    return click.prompt(label, hide_input=True, confirmation_prompt=confirm, value_proc=valid)


@dataclass
class CampaignKey:
    """The encryption part of ``cips campaign create``: fields to store, private key to write."""

    fields: dict[str, Any] = field(default_factory=dict)
    key_out: Path | None = None
    private_key: rsa.RSAPrivateKey | None = None
    secret: str | None = None

    def create(self, make: Callable[[], Any]) -> Any:
        """Write the key file, then store the campaign: never a campaign without its key file.

        If storing fails, the fresh key file is removed (a key for no campaign only confuses).
        """
        if self.private_key is None:
            return make()
        try:
            write_private_key(self.key_out, self.private_key, self.secret or "")
        except KeyFileError as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            return make()
        except BaseException:
            self.key_out.unlink(missing_ok=True)
            raise

    def announce(self, campaign: Any) -> None:
        if not self.fields.get("encrypted"):
            return
        fp = fingerprint(self.fields["public_key"])
        audit.record(db.session, "cli", "campaign.encryption", campaign.slug, key=fp,
                     plaintext_strata=self.fields["plaintext_strata"])  # fmt: skip
        db.session.commit()
        click.echo(f"encrypted: devices seal every finished submission to key {fp}")
        if self.key_out is not None:
            click.echo(
                f"private key written to {self.key_out} (mode 0600, passphrase-protected PKCS#8).\n"
                "Keep this file and its passphrase off the server, with a backup: without them nobody,\n"
                "not even the administrator, can ever read this campaign's answers."
            )
        if self.fields["plaintext_strata"]:
            click.echo(f"sent in clear for live quotas: {', '.join(self.fields['plaintext_strata'])}")


def prepare_campaign_key(slug: str, encrypt: bool, key_out: Path | None, public_key: Path | None,
                         plaintext_strata: str | None) -> CampaignKey:  # fmt: skip
    """Check the options and make (or read) the key pair, before anything is stored."""
    strata = [s.strip() for s in (plaintext_strata or "").split(",") if s.strip()]
    if not encrypt:
        for given, name in ((key_out, "--key-out"), (public_key, "--public-key"), (strata, "--plaintext-strata")):
            if given:
                raise click.UsageError(f"{name} needs --encrypt")
        return CampaignKey()
    fields: dict[str, Any] = {"encrypted": True, "plaintext_strata": strata}
    if public_key is not None:  # made elsewhere (`cips keygen` on the manager's laptop)
        if key_out is not None:
            raise click.UsageError("--key-out and --public-key exclude each other")
        try:
            pem = public_key.read_text(encoding="ascii")
            load_public_pem(pem)
        except (OSError, UnicodeDecodeError, KeyFileError) as exc:
            raise click.BadParameter(f"{public_key}: {exc}", param_hint="--public-key") from exc
        return CampaignKey({**fields, "public_key": pem})
    key_out = key_out or Path(f"{slug}.key.pem")
    if key_out.exists():
        raise click.BadParameter(f"{key_out} already exists (never overwrite a key)", param_hint="--key-out")
    secret = passphrase(confirm=True)
    try:
        check_passphrase(secret)
    except KeyFileError as exc:
        raise click.ClickException(f"{PASSPHRASE_ENV}: {exc}") from exc
    key = generate_private_key()
    return CampaignKey({**fields, "public_key": public_pem(key)}, key_out, key, secret)


@click.command("keygen")
@click.option(
    "--key-out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Private key file to write (passphrase-protected PKCS#8, mode 0600).",
)
@click.option("--public-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Public key file to write (PEM), for `cips campaign create --encrypt --public-key`.")  # fmt: skip
@click.option("--rewrap", "old_key", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Instead of a new pair: write this key file's key again into --key-out, under the current "
                   "protection (scrypt) and a new passphrase. Its campaigns' answers stay readable.")  # fmt: skip
def keygen_command(key_out: Path, public_out: Path | None, old_key: Path | None) -> None:
    """Make a campaign key pair here (e.g. on the manager's laptop), away from the server."""
    if old_key is not None:
        _rewrap(old_key, key_out)
        return
    if public_out is None:
        raise click.UsageError("--public-out is needed to make a key pair")
    if public_out.exists():
        raise click.BadParameter(f"{public_out} already exists", param_hint="--public-out")
    key = generate_private_key()
    try:
        write_private_key(key_out, key, check_passphrase(passphrase(confirm=True)))
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    public_out.write_text(public_pem(key), encoding="ascii")
    click.echo(f"key {fingerprint(public_pem(key))}: private key {key_out} (keep it), public key {public_out}")


def _rewrap(old_key: Path, key_out: Path) -> None:
    """The same private key, protected again: for files made before scrypt, or a new passphrase."""
    try:
        key = load_private_key(old_key, passphrase(confirm=False))
        click.echo(f"key {fingerprint(public_pem(key))} read from {old_key}; now the passphrase of {key_out}",
                   err=True)  # fmt: skip
        write_private_key(key_out, key, check_passphrase(passphrase(confirm=True)))
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"key {fingerprint(public_pem(key))} written to {key_out} (scrypt); check that it opens "
               f"(cips decrypt --key {key_out}), then destroy {old_key} and its copies")  # fmt: skip


def _progress(rows: Iterable[Any], total: int) -> Iterable[Any]:
    return tqdm(rows, total=total, desc="decrypting", unit="record", file=sys.stderr, leave=True)


@click.command("decrypt")
@click.argument("campaign")
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The campaign's private key file (from `cips campaign create --encrypt`).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Export file, .csv (one row per answer) or .xlsx  [default: CAMPAIGN-decrypted.csv]",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the thematic report (.html or .pdf) from the decrypted answers, in memory.",
)
@click.option(
    "--review",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the review workbook (.xlsx) of the decrypted open answers, as `cips review export` does; "
    "`cips review import` brings its codes back (codes only).",
)
@language_option("Language of the report and of the item texts in .xlsx exports.")
@with_appcontext
def decrypt_command(campaign: str, key_file: Path, out: Path | None, report: Path | None, review: Path | None,
                    lang: str) -> None:  # fmt: skip
    """Decrypt every submission of CAMPAIGN into an export file (the database stays encrypted).

    Records that do not open or do not validate are listed by uuid, kept in quarantine,
    and make the command exit with status 1.
    """
    out = out or Path(f"{campaign}-decrypted.csv")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter("the export must end in .csv or .xlsx", param_hint="--out")
    if report is not None and report.suffix.lower() not in (".html", ".pdf"):
        raise click.BadParameter("the report must end in .html or .pdf", param_hint="--report")
    if review is not None:
        check_output_path(review)
        if review.suffix.lower() != ".xlsx":
            raise click.BadParameter(f"{review}: a review workbook is an .xlsx file", param_hint="--review")
    session = db.session
    try:
        row = get_campaign(session, campaign)
        key = load_private_key(key_file, passphrase(confirm=False))
        check_key(row, key, str(key_file))
        if (weak := weak_protection(key_file)) is not None:
            click.echo(f"note: {weak}; protect it again: cips keygen --rewrap {key_file} --key-out NEW", err=True)
        result = decrypt_campaign(session, row, key, lang=lang, progress=_progress)
        write_export(result, out)
    except (CampaignError, KeyFileError, DecryptionError) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
    new = quarantine_failures(session, row, result.failures)
    audit.record(session, "cli", "campaign.decrypt", campaign, key=fingerprint(public_pem(key)), records=result.total,
                 decrypted=len(result.respondents), failed=len(result.failures), out=out.name)  # fmt: skip
    session.commit()
    click.echo(f"{len(result.respondents)} of {result.total} submissions decrypted into {out} "
               f"({len(result.answers)} answers; the file holds answers in clear: mode 0600)")  # fmt: skip
    if review is not None:
        _write_review(session, result, review, lang)
    if report is not None:
        _write_report(session, result, report, lang)
    if result.quarantined:
        click.echo(f"{len(result.quarantined)} sealed quarantined bodies opened into "
                   f"{out.with_suffix('.quarantined.jsonl')}")  # fmt: skip
    if result.failures:
        click.echo(f"{len(result.failures)} submissions could not be decrypted ({new} newly quarantined):", err=True)
        for failure in result.failures:
            click.echo(f"  {failure.uuid}: {failure.reason}", err=True)
        raise SystemExit(1)


def _write_review(session: Any, result: Any, path: Path, lang: str) -> None:
    from analysis.review_xlsx import write_review_xlsx
    from cips.services.sealed_codes import decrypted_review_records

    records = decrypted_review_records(session, result)
    with writing(path):
        write_private(path, write_review_xlsx(records, lang=lang))  # it holds the answers' text
    audit.record(session, "cli", "review.export", result.campaign.slug, answers=len(records), lang=lang,
                 out=path.name)  # fmt: skip
    session.commit()
    click.echo(f"review workbook of {len(records)} open answers written to {path} (mode 0600); "
               f"`cips review import {result.campaign.slug} {path.name}` brings back its codes only")  # fmt: skip


def _write_report(session: Any, result: Any, path: Path, lang: str) -> None:
    from analysis.report import PdfUnavailable, render_html, render_pdf

    if result.respondents.empty:
        click.echo("no report: no submission could be decrypted", err=True)
        return
    try:
        # Decrypted answers are embedded in memory only: their vectors never reach the shared cache.
        built = decrypted_report(session, result, lang, progress=lambda msg: click.echo(f"… {msg}", err=True))
        data = render_pdf(built) if path.suffix.lower() == ".pdf" else render_html(built).encode("utf-8")
    except PdfUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # quotes answers verbatim
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    click.echo(f"report written to {path}")


def register(app: Any) -> None:
    app.cli.add_command(keygen_command)
    app.cli.add_command(decrypt_command)
