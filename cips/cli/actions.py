"""``cips actions``: a campaign's action plan from the command line (list, add, export)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from analysis.actions import MeasureStatus
from analysis.factors import FACTOR_IDS
from analysis.files import write_private
from cips.cli.errors import check_output_path, writing
from cips.cli.options import language_option
from cips.extensions import db
from cips.models import Campaign
from cips.services import audit
from cips.services.campaigns import CampaignError, get_campaign


def _campaign(slug: str) -> Campaign:
    try:
        return get_campaign(db.session, slug)
    except CampaignError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("actions")
def actions_group() -> None:
    """Measures for unfavourable factors, followed to the next wave's report."""


@actions_group.command("list")
@click.argument("campaign")
@with_appcontext
def list_command(campaign: str) -> None:
    """Each factor of CAMPAIGN (unfavourable ones marked) and the measures recorded."""
    from cips.services.actions import campaign_status
    from cips.services.measures import as_records, measures

    row = _campaign(campaign)
    for s in campaign_status(db.session, row):
        shown = ", ".join(f"{k} {v if v is not None else 'n<5'}" for k, v in s.indices.items())
        change = f", change {s.change:+.1f}{'*' if s.significant else ''}" if s.change is not None else ""
        flag = f"  UNFAVOURABLE ({' and '.join(s.reasons)})" if s.weak else ""
        click.echo(f"{s.factor:<16} {shown}{change}{flag}")
    for m in as_records(measures(db.session, row)):
        click.echo(
            f"- [{m['status']}] {m['factor']}: {m['what']} ({m['owner']}{', due ' + m['due'] if m['due'] else ''})"
        )


@actions_group.command("add")
@click.argument("campaign")
@click.option("--factor", type=click.Choice(FACTOR_IDS), required=True)
@click.option("--what", required=True, help="the measure, in a sentence")
@click.option("--owner", required=True, help="the unit in charge")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--status", type=click.Choice([s.value for s in MeasureStatus]), default="planned", show_default=True)
@click.option("--evidence", "evidence_url", help="a link to evidence (http/https)")
@click.option("--shared", is_flag=True, help="may be sent to the programme (what, status, due date)")
@with_appcontext
def add_command(campaign: str, factor: str, what: str, owner: str, due, status: str, evidence_url: str | None,
                shared: bool) -> None:  # fmt: skip
    """Record a measure for FACTOR in CAMPAIGN's action plan."""
    from cips.services.actions import ActionError, MeasureInput, add_measure

    due_date: date | None = due.date() if due else None
    try:
        measure = add_measure(db.session, _campaign(campaign),
                              MeasureInput(factor, what, owner, due_date, MeasureStatus(status), evidence_url, shared),
                              "cli")  # fmt: skip
    except ActionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"measure {measure.id} recorded for {factor}")


@actions_group.command("export")
@click.argument("campaign")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="plan.xlsx or plan.docx")
@language_option("Language of the action plan.")
@with_appcontext
def export_command(campaign: str, out: Path, lang: str) -> None:
    """Write CAMPAIGN's action plan as an Excel or Word file."""
    from flask_babel import force_locale

    from cips.services.actions import campaign_status, plan_docx, plan_labels, plan_xlsx
    from cips.services.measures import measures

    if out.suffix.lower() not in (".xlsx", ".docx"):
        raise click.BadParameter("the plan is written as .xlsx or .docx", param_hint="--out")
    check_output_path(out)
    row = _campaign(campaign)
    rows, statuses = measures(db.session, row), campaign_status(db.session, row)
    if out.suffix.lower() == ".xlsx":
        body = plan_xlsx(rows, statuses, lang)
    else:
        with force_locale(lang):
            body = plan_docx(row, rows, statuses, lang, plan_labels())
    with writing(out):
        write_private(out, body)
    audit.record(db.session, "cli", "actions.export", campaign, format=out.suffix.lower().lstrip("."))
    db.session.commit()
    click.echo(f"action plan written to {out}")
