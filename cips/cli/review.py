"""``cips campaign exclude|reinstate|exclusions``: set records aside with a reason, bring them back, list them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cips.extensions import db
from cips.models import ExclusionCategory
from cips.services.exclusions import ExclusionError, exclude, exclusions, find_campaign, reinstate

CATEGORIES = [c.value for c in ExclusionCategory]


@click.command("exclude")
@click.argument("slug")
@click.argument("uuid")
@click.option("--category", type=click.Choice(CATEGORIES), required=True, help="Why, as the report counts it.")
@click.option("--reason", required=True, help="Why, in a sentence (kept in the audit log).")
@with_appcontext
def exclude_command(slug: str, uuid: str, category: str, reason: str) -> None:
    """Leave submission UUID of campaign SLUG out of every export, score and report (the record is kept)."""
    session = db.session
    try:
        exclude(session, find_campaign(session, slug), uuid, category, reason, actor="cli")
    except ExclusionError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"campaign {slug}: submission {uuid} excluded ({category})")


@click.command("reinstate")
@click.argument("slug")
@click.argument("uuid")
@click.option("--reason", default="", help="Why it counts again (kept in the audit log).")
@with_appcontext
def reinstate_command(slug: str, uuid: str, reason: str) -> None:
    """Count an excluded submission UUID of campaign SLUG again."""
    session = db.session
    try:
        reinstate(session, find_campaign(session, slug), uuid, actor="cli", reason=reason)
    except ExclusionError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"campaign {slug}: submission {uuid} counts again")


@click.command("exclusions")
@click.argument("slug")
@with_appcontext
def exclusions_command(slug: str) -> None:
    """List the excluded submissions of campaign SLUG: uuid, category, when, by whom, reason."""
    session = db.session
    try:
        rows = exclusions(session, find_campaign(session, slug))
    except ExclusionError as exc:
        raise click.ClickException(str(exc)) from exc
    if not rows:
        click.echo("no excluded submissions")
    for row in rows:
        click.echo(f"{row['uuid']}  {row['category']:<10} {row['at']:%Y-%m-%d %H:%M} {row['by']}  {row['reason']}")


def register(group: click.Group) -> None:
    for command in (exclude_command, reinstate_command, exclusions_command):
        group.add_command(command)
