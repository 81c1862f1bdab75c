"""``cips aggregates``: suppressed, signed factor aggregates for the A-CPI programme."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from analysis.aggregates import NATIONAL
from analysis.files import write_private
from cips.cli.errors import check_output_path, writing
from cips.extensions import db
from cips.services import audit


@click.group("aggregates")
def aggregates_group() -> None:
    """Share suppressed factor aggregates with the programme (no microdata, no free text)."""


def _preview(document: dict) -> str:
    lines = [f"{document['administration']} · {document['campaign']} · wave {document['wave']} · "
             f"level {document['level']}", f"{'questionnaire':<16} {'stratum':<28} {'factor':<16} "
             f"{'n':>6} {'index':>6} {'95% CI':>13} {'eff. n':>7}"]  # fmt: skip
    for row in document["rows"]:
        if row["n"] is None:
            figures = f"{'n<5':>6} {'':>6} {'':>13} {'':>7}"
        else:
            ci = f"{row['ci_low']}–{row['ci_high']}" if row["ci_low"] is not None else ""
            figures = f"{row['n']:>6} {row['index']:>6} {ci:>13} {row['effective_n']:>7}"
        lines.append(f"{row['questionnaire']:<16} {row['stratum']:<28} {row['factor']:<16} {figures}")
    for m in document.get("measures", []):
        lines.append(f"measure [{m['status']}] {m['factor']}: {m['what']}" + (f" (due {m['due']})" if m["due"] else ""))
    return "\n".join(lines)


@aggregates_group.command("export")
@click.argument("campaign")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="agg.json (omit with --preview)")
@click.option("--level", default=NATIONAL, show_default=True,
              help="'national' (each questionnaire) or a stratum item, e.g. bg_region")  # fmt: skip
@click.option("--preview", is_flag=True, help="print exactly what the file would hold, write nothing")
@click.option("--with-measures", is_flag=True, help="add the action plan's measures marked shared (what, status, due)")
@with_appcontext
def export_command(campaign: str, out: Path | None, level: str, preview: bool, with_measures: bool) -> None:
    """Write CAMPAIGN's suppressed factor aggregates, signed with its administration's key."""
    from cips.services.aggregates import AggregateError, export_file

    if not preview and out is None:
        raise click.UsageError("give --out FILE, or --preview to see what would leave")
    if out is not None:
        check_output_path(out)
    session = db.session
    try:
        signed = export_file(session, Path(current_app.instance_path), campaign, level, with_measures=with_measures)
    except AggregateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_preview(signed["document"]))
    if preview:
        return
    with writing(out):
        write_private(out, json.dumps(signed, ensure_ascii=False, indent=1) + "\n")
    audit.record(session, "cli", "aggregates.export", campaign, level=level,
                 key_id=signed["signature"]["key_id"], rows=len(signed["document"]["rows"]))  # fmt: skip
    session.commit()
    click.echo(f"aggregates written to {out} (signed by key {signed['signature']['key_id']})")


@aggregates_group.command("key")
@click.argument("administration")
@with_appcontext
def key_command(administration: str) -> None:
    """Print ADMINISTRATION's public key, for the programme to register (made on first use)."""
    from cips.services.aggregates import AggregateError, administration_key

    try:
        _, public = administration_key(db.session, Path(current_app.instance_path), administration)
    except AggregateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(public)


@aggregates_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", required=True, help="the sender's key as printed by `cips aggregates key`")
def verify_command(file: Path, public_key: str) -> None:
    """Check that FILE is intact and signed by PUBLIC_KEY, and print what it holds."""
    from cips.services.aggregates import AggregateError, read_file, verify_file
    from cips.services.signing import SignatureError, parse_public_key

    try:
        document = verify_file(read_file(file.read_bytes()), parse_public_key(public_key))
    except (AggregateError, SignatureError) as exc:
        raise click.ClickException(f"{file}: refused: {exc}") from exc
    click.echo(_preview(document))
    click.echo(f"{file}: signature valid")


# -- the programme instance ------------------------------------------------------------
@aggregates_group.command("register")
@click.argument("name")
@click.option("--public-key", required=True, help="the administration's key as printed by `cips aggregates key`")
@click.option("--named", is_flag=True, help="the administration agreed to be named in comparisons")
@with_appcontext
def register_command(name: str, public_key: str, named: bool) -> None:
    """Accept aggregate files signed by PUBLIC_KEY as coming from administration NAME."""
    from cips.services.programme import AggregateError, register_member

    try:
        member = register_member(db.session, "cli", name, public_key, named=named)
    except AggregateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"registered {name} as {member.label} (key {member.key_id})")


@aggregates_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(files: tuple[Path, ...]) -> None:
    """Verify and store aggregate FILES from registered administrations (each checked on its own)."""
    from cips.services.programme import AggregateError, import_file

    refused = 0
    for file in files:
        try:
            row = import_file(db.session, "cli", file.read_bytes())
        except AggregateError as exc:
            db.session.rollback()
            click.echo(f"{file}: refused: {exc}", err=True)
            refused += 1
            continue
        click.echo(f"{file}: imported ({row.campaign}, wave {row.wave}, {len(row.document['rows'])} rows)")
    if refused:
        raise click.ClickException(f"{refused} of {len(files)} file(s) refused")
