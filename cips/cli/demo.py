"""``cips demo``: a demo administration and campaign with synthetic respondents."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select
from tqdm import tqdm

from cips.extensions import db
from cips.instruments.service import definition_of, latest_version
from cips.models import Campaign, CampaignCreate, CampaignMode, CampaignStatus, Role, User, UserCreate
from cips.services.campaigns import campaign_instruments, create_campaign, get_or_create_administration
from cips.services.users import create_user
from cips.submissions import ingest_payload

DEMO_SLUG = "demo"
PREVIOUS_SLUG = "demo-wave1"
#: How the previous wave differed, in Likert points: since then automation, transparency
#: and audit improved, while human resource management slipped.
PREVIOUS_SHIFT = {"automation": -0.6, "transparency": -0.45, "audit": -0.35, "hrm": 0.3}
DEMO_ADMINISTRATION = "Demo Customs Administration"
DEMO_QUOTAS = {
    "officials": {f"bg_region={r}": 40 for r in ("headquarters", "north", "south", "east", "west")},
    "private_sector": {f"ps_role={r}": 30 for r in ("importer", "exporter", "broker", "transport")},
}


DEMO_ACCOUNTS = {Role.admin: "admin@demo.cips", Role.manager: "manager@demo.cips",
                 Role.enumerator: "enumerator@demo.cips"}  # fmt: skip


def demo_accounts_file() -> Path:
    return Path(current_app.config.get("DEMO_ACCOUNTS_FILE") or Path(current_app.instance_path) / "demo_accounts.txt")


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """One account per role for the demo, with random passwords kept in ``instance/``.

    Random rather than fixed passwords: a demo database put on a network by mistake
    must not open with a password printed in the README.
    """
    session = db.session
    path = demo_accounts_file()
    known = {}
    if path.exists():
        for line in path.read_text().splitlines():
            role, email, password = line.split()
            known[email] = (role, email, password)
    admin_id = get_or_create_administration(session, DEMO_ADMINISTRATION).id
    for role, email in DEMO_ACCOUNTS.items():
        if session.exec(select(User).where(User.email == email)).first() is not None:
            continue
        password = secrets.token_urlsafe(12)
        data = UserCreate(email=email, role=role, password=password,
                          administration_id=None if role is Role.admin else admin_id)  # fmt: skip
        create_user(session, data, actor="cli")
        known[email] = (role.value, email, password)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.writelines(f"{r} {e} {p}\n" for r, e, p in known.values())
    return list(known.values())


def print_demo_accounts(accounts: list[tuple[str, str, str]]) -> None:
    click.echo("Demo sign-in (http://127.0.0.1:5000/login) — deactivate these accounts before real fieldwork:")
    for role, email, password in accounts:
        click.echo(f"  {role:<10} {email:<22} {password}")


def ensure_demo_campaign(slug: str = DEMO_SLUG, wave: int = 2, closed_days_ago: int | None = None) -> Campaign:
    session = db.session
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is not None:
        return campaign
    keys = [k for k in ("officials", "private_sector") if latest_version(session, k) is not None]
    if not keys:
        raise click.ClickException("no questionnaires loaded: run `cips instruments load` first")
    status, closes_at = CampaignStatus.open, None
    if closed_days_ago is not None:
        status, closes_at = CampaignStatus.closed, datetime.now(UTC) - timedelta(days=closed_days_ago)
    data = CampaignCreate(
        slug=slug, name=f"Demo integrity perception survey — wave {wave}", administration=DEMO_ADMINISTRATION,
        wave=wave, mode=CampaignMode.station, languages=["en", "fr", "es", "pt"], instruments=keys,
        quotas={k: v for k, v in DEMO_QUOTAS.items() if k in keys}, status=status, closes_at=closes_at,
    )  # fmt: skip
    return create_campaign(session, data, actor="cli")


def add_respondents(campaign: Campaign, n: int, seed: int, days_back: int = 0,
                    shift: dict[str, float] | None = None) -> dict[int, int]:  # fmt: skip
    """N synthetic respondents through the real write path; returns counts by HTTP status."""
    from cips.demo.generator import DemoRespondents

    session = db.session
    instruments = {row.key: (row.version, definition_of(row)) for row in campaign_instruments(session, campaign)}
    # Anchored on the campaign's creation, so that the same seed gives the same records.
    anchor = campaign.created_at.replace(minute=0, second=0, microsecond=0) - timedelta(days=days_back)
    generator = DemoRespondents(campaign.slug, instruments, campaign.languages, seed=seed, now=anchor,
                                factor_shift=shift)  # fmt: skip
    counts = {201: 0, 200: 0}
    max_bytes = current_app.config["MAX_SUBMISSION_BYTES"]
    for payload in tqdm(generator.payloads(n), total=n, desc=f"{campaign.slug} respondents", unit="resp"):
        outcome = ingest_payload(session, payload, max_bytes=max_bytes)
        if not outcome.stored:
            raise click.ClickException(f"demo respondent refused: {outcome.body}")
        counts[outcome.status] += 1
    return counts


@click.command("demo")
@click.option("--responses", "n", type=click.IntRange(0, 200_000), default=300, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when any campaign already exists.")
@with_appcontext
def demo_command(n: int, seed: int, if_empty: bool) -> None:
    """Create the demo campaign `demo` (wave 2) and its previous wave `demo-wave1`, N respondents each."""
    session = db.session
    if if_empty and session.exec(select(Campaign)).first() is not None:
        click.echo("database not empty: demo skipped")
        if session.exec(select(Campaign).where(Campaign.slug == DEMO_SLUG)).first() is not None:
            print_demo_accounts(ensure_demo_accounts())
        return
    previous = ensure_demo_campaign(PREVIOUS_SLUG, wave=1, closed_days_ago=700)
    prev_counts = add_respondents(previous, n, seed + 1000, days_back=730, shift=PREVIOUS_SHIFT)
    click.echo(f"campaign {previous.slug} (wave 1): {prev_counts[201]} respondents added")
    campaign = ensure_demo_campaign(DEMO_SLUG, wave=2)
    counts = add_respondents(campaign, n, seed)
    click.echo(f"campaign {campaign.slug}: {counts[201]} respondents added, {counts[200]} already there")
    print_demo_accounts(ensure_demo_accounts())
