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
from cips.cli.options import language_option
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


@aggregates_group.command("distribution")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="distribution.json")
@with_appcontext
def distribution_command(out: Path) -> None:
    """Programme instance: write the spread of the latest waves (quartiles per factor, no administration's
    own value, factors reported by fewer than 5 administrations left out) for administrations to compare with."""
    from cips.services.programme import distribution_file

    check_output_path(out)
    document = distribution_file(db.session)
    with writing(out):
        write_private(out, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    shown = sum(1 for r in document["rows"] if r["administrations"])
    click.echo(f"distribution written to {out} ({shown} of {len(document['rows'])} factor rows shown)")


@aggregates_group.command("standing")
@click.argument("campaign")
@click.option("--distribution", "dist_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="the programme's distribution.json")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="a folder for the charts")
@language_option("Language of the labels.")
@with_appcontext
def standing_command(campaign: str, dist_file: Path, out: Path, lang: str) -> None:
    """Where CAMPAIGN stands: its national indices against the programme's spread, one SVG per questionnaire."""
    from analysis.files import private_dir
    from analysis.programme import position_chart
    from cips.services.aggregates import AggregateError, own_national, read_distribution

    try:
        distribution = read_distribution(dist_file.read_bytes())
    except AggregateError as exc:
        raise click.ClickException(f"{dist_file}: refused: {exc}") from exc
    try:
        own = own_national(db.session, campaign)
    except AggregateError as exc:
        raise click.ClickException(str(exc)) from exc
    private_dir(out)
    for questionnaire, values in sorted(own.items()):
        rows = [r for r in distribution["rows"] if r.get("questionnaire") == questionnaire]
        if not any(r.get("administrations") for r in rows):
            click.echo(f"{questionnaire}: the programme shows no factor for it (fewer than 5 administrations)")
            continue
        path = out / f"standing-{questionnaire}.svg"
        with writing(path):
            write_private(path, position_chart(rows, values, questionnaire, lang, own_label=campaign))
        for r in rows:
            mine = values.get(r["factor"])
            if r.get("administrations") and mine is not None:
                where = "above" if mine > r["q3"] else "below" if mine < r["q1"] else "within"
                click.echo(
                    f"{questionnaire} {r['factor']:<16} {mine:>6} {where} the middle half "
                    f"({r['q1']}–{r['q3']}, median {r['median']}, {r['administrations']} administrations)"
                )
        click.echo(f"chart written to {path}")
