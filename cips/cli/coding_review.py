"""``cips review export|import|stats``: the review queue of open answers on the command line."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from flask.cli import with_appcontext

from analysis.files import write_private
from cips.cli.errors import check_output_path, writing
from cips.cli.options import language_option
from cips.extensions import db
from cips.models import Campaign
from cips.services.exclusions import ExclusionError, find_campaign
from cips.services.review import MIN_PAIRS, RELIABLE_PAIRS, review_stats
from cips.services.review_files import ReviewImportError, apply_import, export_workbook, preview_import


@click.group("review")
def review_group() -> None:
    """Review of the open answers' codes: workbook out and back in, and where the review stands."""


def _campaign(slug: str) -> Campaign:
    try:
        return find_campaign(db.session, slug)
    except ExclusionError as exc:
        raise click.ClickException(str(exc)) from exc


@review_group.command("export")
@click.argument("slug")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .xlsx to write.")
@language_option("Language of the factor names on the codebook sheet.")
@with_appcontext
def export_command(slug: str, out: Path, lang: str) -> None:
    """Write the review workbook of campaign SLUG: one row per open answer, a column per factor."""
    check_output_path(out)
    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{out}: a review workbook is an .xlsx file", param_hint="--out")
    try:
        data = export_workbook(db.session, _campaign(slug), lang, actor="cli")
    except ReviewImportError as exc:
        raise click.ClickException(str(exc)) from exc
    with writing(out):
        write_private(out, data)  # it holds the answers' text
    click.echo(f"campaign {slug}: review workbook written to {out}")


@review_group.command("import")
@click.argument("slug")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Store the changes (without it: only show them).")
@with_appcontext
def import_command(slug: str, workbook: Path, apply_: bool) -> None:
    """Show (or with --apply store) the codes a filled-in review WORKBOOK changes in campaign SLUG."""
    campaign = _campaign(slug)
    data = workbook.read_bytes()
    try:
        preview = preview_import(db.session, campaign, data)
    except ReviewImportError as exc:
        raise click.ClickException(f"{workbook}: {exc}") from exc
    for change in preview.diff.changes:
        click.echo(f"answer {change.id}: {', '.join(change.before_labels)} ({change.before_source}) -> "
                   f"{', '.join(change.labels)} [primary {change.primary}, {change.kind}]")  # fmt: skip
    if not preview.diff.ok:
        for error in preview.diff.errors:
            click.echo(f"{workbook}: {error}", err=True)
        raise click.ClickException(f"{workbook}: {len(preview.diff.errors)} errors; nothing imported")
    if not apply_:
        click.echo(f"{len(preview.diff.changes)} changes; run again with --apply to store them")
        return
    stored = apply_import(db.session, campaign, data, actor="cli")
    click.echo(f"campaign {slug}: {stored} decisions imported")


@review_group.command("stats")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@with_appcontext
def stats_command(slug: str, as_json: bool) -> None:
    """Where the review of campaign SLUG stands: reviewed, machine-only, agreement (kappa)."""
    stats = review_stats(db.session, _campaign(slug))
    if as_json:
        derived = {"uncoded": stats.uncoded, "coder_too_few": stats.coder_too_few,
                   "model_too_few": stats.model_too_few}  # fmt: skip
        click.echo(json.dumps(asdict(stats) | derived))
        return
    waiting = f"; {stats.uncoded} not coded by the model yet" if stats.uncoded else ""
    click.echo(
        f"{stats.reviewed} of {stats.open_answers} open answers reviewed; {stats.machine_only} machine-only{waiting}"
    )
    model = _kappa(stats.model_kappa, stats.model_pairs, stats.model_too_few, "answers compared")
    coder = _kappa(stats.coder_kappa, stats.second_coded, stats.coder_too_few, "answers coded twice")
    click.echo(f"model-reviewer kappa (primary): {model}")
    click.echo(f"coder-coder kappa (primary): {coder}")


def _kappa(kappa: float | None, n: int, too_few: bool, what: str) -> str:
    """A kappa with its n; under MIN_PAIRS not computed, and its n (1 to 4) not printed: the small-cell rule."""
    if kappa is None:
        return f"not computed: fewer than {MIN_PAIRS} {what}" if n < MIN_PAIRS else f"not defined (n = {n} {what})"
    few = f"; too few to rely on, under {RELIABLE_PAIRS}" if too_few else ""
    return f"{kappa} (n = {n} {what}{few})"
