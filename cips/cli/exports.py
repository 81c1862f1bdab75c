"""``cips export``: a campaign's submissions as CSV, XLSX or SPSS .sav, with a codebook."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from cips.cli.errors import check_output_path, writing
from cips.cli.options import language_option
from cips.extensions import db
from cips.services.exports import FORMATS, ExportError, build_export, exported_instruments, extension_for


@click.command("export")
@click.argument("campaign")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    required=True,
    help="csv, xlsx (with a codebook sheet) or sav (SPSS, with variable and value labels).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="File to write. Several questionnaires give a .zip for csv and sav (one file each + codebook).",
)
@language_option("Language of item texts and value labels.")
@click.option("--instrument", help="Export one questionnaire only (e.g. officials).")
@click.option("--where", help="Only respondents with ITEM=VALUE[,ITEM=VALUE] (single-choice items, e.g. "
              "bg_region=north). Refused when fewer than 5 respondents match.")  # fmt: skip
@with_appcontext
def export_command(campaign: str, fmt: str, out: Path, lang: str, instrument: str | None, where: str | None) -> None:
    """Export the submissions of CAMPAIGN: one row per respondent, one column per item."""
    check_output_path(out)  # before the export is built and audited
    session = db.session
    try:
        # Check the file name first: a .csv path that would receive a zip opens as garbage,
        # and nothing should be exported (or audited as exported) that is not written.
        expected = extension_for(fmt.lower(), exported_instruments(session, campaign, instrument))
        if out.suffix.lower().lstrip(".") != expected:
            hint = " (or --instrument KEY for one questionnaire)" if expected == "zip" else ""
            raise ExportError(f"campaign {campaign} gives a .{expected} file for --format {fmt}: "
                              f"use --out ending in .{expected}{hint}")  # fmt: skip
        export = build_export(session, campaign, fmt, lang=lang, instrument=instrument, where=where, actor="cli")
    except ExportError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    with writing(out):
        export.write(out)
    counts = ", ".join(f"{key}: {n}" for key, n in export.rows.items())
    click.echo(f"{export.extension} export written to {out} ({counts} respondents)")
    if export.excluded:
        why = ", ".join(f"{category}: {n}" for category, n in export.excluded.items())
        click.echo(f"left out: {sum(export.excluded.values())} excluded records ({why}; `cips campaign exclusions`)")
    if export.paradata_rows and not export.paradata_included:
        click.echo(
            f"left out: {export.paradata_rows} paradata rows (time and changes per section): a plain "
            f".{export.extension} has no room for them; --format xlsx, or all questionnaires (a zip)"
        )
