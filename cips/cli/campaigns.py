"""``cips campaign``: create and list campaigns, station PINs, invitation links."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from pydantic import ValidationError

from analysis.factors import CORE_LANGUAGES
from cips.cli.crypto import prepare_campaign_key
from cips.extensions import db
from cips.links import external
from cips.models import CampaignCreate
from cips.models.campaign import LATE_GRACE_DAYS, MAX_LATE_GRACE_DAYS
from cips.services.campaigns import (
    CampaignError,
    UnknownAdministration,
    administration_names,
    campaign_summaries,
    check_slug,
    create_campaign,
)
from cips.services.invites import create_invites
from cips.services.station import PIN_PATTERN, set_station_pin


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD[THH:MM])") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_quotas(specs: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """``officials:bg_region=north:120`` -> ``{"officials": {"bg_region=north": 120}}``."""
    quotas: dict[str, dict[str, int]] = {}
    for spec in specs:
        parts = spec.split(":")
        if len(parts) != 3 or not parts[2].isdigit():
            raise click.BadParameter(
                f"{spec!r}: expected INSTRUMENT:ITEM=VALUE[,ITEM=VALUE]:TARGET", param_hint="--quota"
            )
        if parts[1] in quotas.get(parts[0], {}):
            raise click.BadParameter(f"{spec!r}: {parts[0]}:{parts[1]} has a target already", param_hint="--quota")
        quotas.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return quotas


@click.group("campaign")
def campaign_group() -> None:
    """Survey campaigns."""


@campaign_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Human-readable name.")
@click.option("--administration", required=True, help="An existing administration's name (or --new-administration).")
@click.option(
    "--new-administration",
    is_flag=True,
    help="Create --administration if it does not exist (without it, an unknown name is refused unless the "
    "instance has no administration yet).",
)
@click.option("--wave", type=int, default=1, show_default=True, help="Iteration of the survey (1, 2, ...).")
@click.option("--mode", type=click.Choice(["station", "online"]), default="station", show_default=True)
@click.option("--instrument", "instruments", multiple=True, required=True, help="KEY or KEY:VERSION; repeatable.")
@click.option("--languages", default=",".join(CORE_LANGUAGES), show_default=True, help="Comma-separated codes.")
@click.option("--opens", help="Opening date, ISO format (UTC).")
@click.option("--closes", help="Closing date, ISO format (UTC).")
@click.option(
    "--late-grace-days",
    type=click.IntRange(0, MAX_LATE_GRACE_DAYS),
    default=LATE_GRACE_DAYS,
    show_default=True,
    help="Days after closing during which records finished before are still accepted.",
)
@click.option("--quota", "quotas", multiple=True, help="INSTRUMENT:ITEM=VALUE[,ITEM=VALUE]:TARGET; repeatable.")
@click.option("--invite-only", is_flag=True, help="Online mode: accept only submissions with an invitation token.")
@click.option("--encrypt", is_flag=True, help="End-to-end encryption: only the key file holder reads answers.")
@click.option("--key-out", type=click.Path(dir_okay=False, path_type=Path), help="--encrypt: key file [SLUG.key.pem].")
@click.option("--public-key", type=click.Path(dir_okay=False, path_type=Path), help="--encrypt: from `cips keygen`.")
@click.option("--plaintext-strata", help="--encrypt: strata items sent in clear for live quotas, e.g. bg_region.")
@with_appcontext
def create(slug: str, name: str, administration: str, new_administration: bool, wave: int, mode: str,
           instruments: tuple[str, ...], languages: str, opens: str | None, closes: str | None, late_grace_days: int,
           quotas: tuple[str, ...], invite_only: bool, encrypt: bool, key_out: Path | None, public_key: Path | None,
           plaintext_strata: str | None) -> None:  # fmt: skip
    """Create campaign SLUG (used in the survey link /s/SLUG)."""
    try:
        check_slug(slug)  # before the key file, whose default name is made from the slug
    except CampaignError as exc:
        raise click.BadParameter(str(exc), param_hint="SLUG") from exc
    key = prepare_campaign_key(slug, encrypt, key_out, public_key, plaintext_strata)  # prompts for a passphrase
    session = db.session
    known = administration_names(session)
    try:
        data = CampaignCreate.model_validate(
            {
                "slug": slug, "name": name, "administration": administration, "wave": wave, "mode": mode,
                "instruments": list(instruments), "languages": [x.strip() for x in languages.split(",") if x.strip()],
                "opens_at": _date(opens), "closes_at": _date(closes), "quotas": parse_quotas(quotas),
                "invite_only": invite_only, "late_grace_days": late_grace_days, **key.fields,
            }
        )  # fmt: skip
        campaign = key.create(  # key file first
            lambda: create_campaign(session, data, actor="cli", new_administration=new_administration)
        )
    except ValidationError as exc:
        session.rollback()
        msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(msgs) from exc
    except UnknownAdministration as exc:
        session.rollback()
        raise click.ClickException(f"{exc}; check the name, or add --new-administration to create it") from exc
    except CampaignError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    if data.administration not in known:  # said aloud, so that a mistyped name does not pass unseen
        existing = ", ".join(map(repr, known)) or "none"
        click.echo(f"administration {data.administration!r} created (existing: {existing})")
    click.echo(f"created campaign {campaign.slug} ({campaign.mode.value}); survey link: /s/{campaign.slug}")
    key.announce(campaign)


@campaign_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def list_campaigns(as_json: bool) -> None:
    """List campaigns with their instruments and counts."""
    rows = campaign_summaries(db.session)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no campaigns")
    for row in rows:
        instruments = ", ".join(f"{i['key']} v{i['version']}" for i in row["instruments"])
        click.echo(
            f"{row['slug']:<20} {row['mode']:<8} {row['status']:<7} {instruments:<40} "
            f"{row['submissions']:>6} stored {row['quarantined']:>4} quarantined"
        )


def _pin(value: str) -> str:
    if not PIN_PATTERN.match(value):
        raise click.BadParameter("the PIN must be 4 to 8 digits")
    return value


@campaign_group.command("set-pin")
@click.argument("slug")
@click.option("--clear", is_flag=True, help="Remove the PIN (the station menu then opens without one).")
@with_appcontext
def set_pin(slug: str, clear: bool) -> None:
    """Set the enumerator PIN of station campaign SLUG (prompted, hidden, twice; 4-8 digits).

    Devices pick the new PIN up with their next update of the app, when online.
    """
    pin = None
    if not clear:
        pin = click.prompt("Enumerator PIN (4-8 digits)", hide_input=True, confirmation_prompt=True, value_proc=_pin)
    session = db.session
    try:
        set_station_pin(session, slug, pin, actor="cli")
    except CampaignError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"campaign {slug}: enumerator PIN {'removed' if clear else 'set'}")


@campaign_group.command("invite")
@click.argument("slug")
@click.option("--count", type=click.IntRange(1, 100_000), default=1, show_default=True)
@click.option("--require", is_flag=True, help="Also make the campaign invite-only from now on.")
@click.option(
    "--base-url",
    default="",
    help="Prefix for the printed links (default: CIPS_BASE_URL), e.g. https://survey.example.org",
)
@with_appcontext
def invite(slug: str, count: int, require: bool, base_url: str) -> None:
    """Print COUNT one-time invitation links /s/SLUG?t=TOKEN for online campaign SLUG.

    Tokens are shown once and stored only as hashes: save the output. Do not keep a
    record of who received which link (it would identify respondents).
    """
    session = db.session
    try:
        tokens = create_invites(session, slug, count, actor="cli", require=require)
    except CampaignError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    for token in tokens:
        path = f"/s/{slug}?t={token}"
        click.echo(f"{base_url.rstrip('/')}{path}" if base_url else external(path))
