"""``cips demo``: a demo administration and campaign with synthetic respondents."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url
from sqlmodel import select
from tqdm import tqdm
from werkzeug.security import check_password_hash

from analysis.factors import CORE_LANGUAGES
from cips.extensions import db
from cips.instruments.service import definition_of, latest_version
from cips.models import Campaign, CampaignCreate, CampaignMode, CampaignStatus, Role, User, UserCreate
from cips.services.campaigns import campaign_instruments, create_campaign, get_or_create_administration
from cips.services.station import check_station_pin, set_station_pin
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
#: Staff and partners per stratum: headquarters is a sixth of the officials, yet the generator
#: over-represents it (see cips.demo.generator), so weighting moves the national index.
DEMO_POPULATIONS = {
    "officials": {"bg_region=headquarters": 300, "bg_region=north": 450, "bg_region=south": 450,
                  "bg_region=east": 350, "bg_region=west": 250},
    "private_sector": {"ps_role=importer": 600, "ps_role=exporter": 300, "ps_role=broker": 150,
                       "ps_role=transport": 250},
}  # fmt: skip


DEMO_ACCOUNTS = {Role.admin: "admin@demo.cips", Role.manager: "manager@demo.cips",
                 Role.enumerator: "enumerator@demo.cips", Role.reviewer: "reviewer@demo.cips"}  # fmt: skip
#: First word of the line of the demo accounts file that keeps the demo station's PIN.
PIN_LINE = "station-pin"


def demo_accounts_file() -> Path:
    """Where the demo passwords of *this* database are kept.

    Beside a SQLite file (``cips.sqlite3.demo_accounts.txt``); for a server database, in the
    instance folder under a name made from the database's address. One file per database:
    running the demo against another database must not overwrite the passwords of the first.
    """
    configured = current_app.config["DEMO_ACCOUNTS_FILE"]
    if configured:
        return Path(configured)
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).with_name(Path(url.database).name + ".demo_accounts.txt")
    where = url.render_as_string(hide_password=True)
    digest = hashlib.sha256(where.encode()).hexdigest()[:10]
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", url.database or "database")[:40]
    return Path(current_app.instance_path) / f"demo_accounts-{name}-{digest}.txt"


def _read_accounts(path: Path) -> dict[str, tuple[str, str, str]]:
    known: dict[str, tuple[str, str, str]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3:
                known[parts[1]] = (parts[0], parts[1], parts[2])
    return known


def ensure_demo_accounts() -> list[tuple[str, str, str | None]]:
    """One account per role for the demo, with random passwords kept in :func:`demo_accounts_file`.

    Random rather than fixed passwords: a demo database put on a network by mistake
    must not open with a password printed in the README. A password from the file is
    shown only if it still opens the account (it may have been changed, or the file may
    belong to another database); otherwise the password is ``None``: unknown.
    """
    session = db.session
    path = demo_accounts_file()
    # The former, shared file too: its passwords are shown only where they still open the account.
    known = {**_read_accounts(Path(current_app.instance_path) / "demo_accounts.txt"), **_read_accounts(path)}
    admin_id = get_or_create_administration(session, DEMO_ADMINISTRATION).id
    accounts: list[tuple[str, str, str | None]] = []
    for role, email in DEMO_ACCOUNTS.items():
        user = session.exec(select(User).where(User.email == email)).first()
        if user is not None:
            entry = known.get(email)
            password = entry[2] if entry and check_password_hash(user.password_hash, entry[2]) else None
            accounts.append((role.value, email, password))
            continue
        password = secrets.token_urlsafe(12)
        data = UserCreate(email=email, role=role, password=password,
                          administration_id=None if role is Role.admin else admin_id)  # fmt: skip
        create_user(session, data, actor="cli")
        accounts.append((role.value, email, password))
    _write_private(path, [f"{r} {e} {p}" for r, e, p in accounts if p is not None]
                   + [line for line in _lines(path) if line.startswith(f"{PIN_LINE} ")])  # fmt: skip
    return accounts


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _write_private(path: Path, lines: list[str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.writelines(f"{line}\n" for line in lines)


def ensure_demo_pin(campaign: Campaign) -> str | None:
    """The enumerator PIN of the demo station, set at random once and kept beside the passwords.

    A station without a PIN does not open on tablets, so the demo gets one; like the demo
    passwords it is random, and shown only while the file's PIN still opens the station
    (``None`` when it was changed since, or the file belongs to another database).
    """
    path = demo_accounts_file()
    lines = _lines(path)
    mine = [line for line in lines if line.split()[:2] == [PIN_LINE, campaign.slug]]
    known = mine[-1].split()[-1] if mine else None
    if campaign.station_pin_hash is not None:
        return known if known and check_station_pin(campaign, known) else None
    pin = f"{secrets.randbelow(10**6):06d}"
    set_station_pin(db.session, campaign.slug, pin, actor="cli")
    _write_private(path, [line for line in lines if line not in mine] + [f"{PIN_LINE} {campaign.slug} {pin}"])
    return pin


def print_demo_accounts(
    accounts: list[tuple[str, str, str | None]], base_url: str = "", pin: str | None = None
) -> None:
    where = f"{base_url.rstrip('/')}/login" if base_url else "/login on the address the app is served at"
    click.echo(f"Demo sign-in ({where}) — deactivate these accounts before real fieldwork:")
    for role, email, password in accounts:
        click.echo(f"  {role:<10} {email:<22} {password or '(password not known here)'}")
    if any(password is None for _, _, password in accounts):
        click.echo(f"A password not known here is not in {demo_accounts_file()} (deleted, changed, or made with "
                   "another database); set a new one with `cips user set-password EMAIL`.")  # fmt: skip
    survey = f"{base_url.rstrip('/')}/s/{DEMO_SLUG}" if base_url else f"/s/{DEMO_SLUG}"
    click.echo(f"Enumerator PIN of the demo survey station ({survey}, station menu): "
               f"{pin or f'not known here; set a new one with `cips campaign set-pin {DEMO_SLUG}`'}")  # fmt: skip


def ensure_demo_campaign(slug: str = DEMO_SLUG, wave: int = 2) -> Campaign:
    session = db.session
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is not None:
        return campaign
    keys = [k for k in ("officials", "private_sector") if latest_version(session, k) is not None]
    if not keys:
        raise click.ClickException("no questionnaires loaded: run `cips instruments load` first")
    data = CampaignCreate(
        slug=slug, name=f"Demo integrity perception survey — wave {wave}", administration=DEMO_ADMINISTRATION,
        wave=wave, mode=CampaignMode.station, languages=list(CORE_LANGUAGES), instruments=keys,
        quotas={k: v for k, v in DEMO_QUOTAS.items() if k in keys},
        populations={k: v for k, v in DEMO_POPULATIONS.items() if k in keys},
    )  # fmt: skip
    return create_campaign(session, data, actor="cli", new_administration=True)


def close_demo_wave(campaign: Campaign, closed_days_ago: int) -> None:
    """Close a previous wave once its synthetic respondents are in (a closed campaign takes no new ones).

    Its closing date lies in the past; ``closed_at``, from which late uploads are counted, is now,
    when the demo finished backfilling it, so its records are not counted as late.
    """
    if campaign.status is CampaignStatus.closed:
        return
    now = datetime.now(UTC)
    campaign.status, campaign.closes_at, campaign.closed_at = (
        CampaignStatus.closed,
        now - timedelta(days=closed_days_ago),
        now,
    )
    db.session.add(campaign)
    db.session.commit()


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
@click.option("--base-url", default="", help="Address of the app for the printed links (default: CIPS_BASE_URL).")
@with_appcontext
def demo_command(n: int, seed: int, if_empty: bool, base_url: str) -> None:
    """Create the demo campaign `demo` (wave 2) and its previous wave `demo-wave1`, N respondents each."""
    session = db.session
    base_url = base_url or current_app.config["BASE_URL"]
    if if_empty and session.exec(select(Campaign)).first() is not None:
        click.echo("database not empty: demo skipped")
        campaign = session.exec(select(Campaign).where(Campaign.slug == DEMO_SLUG)).first()
        if campaign is not None:
            print_demo_accounts(ensure_demo_accounts(), base_url, ensure_demo_pin(campaign))
        return
    previous = ensure_demo_campaign(PREVIOUS_SLUG, wave=1)
    prev_counts = add_respondents(previous, n, seed + 1000, days_back=730, shift=PREVIOUS_SHIFT)
    close_demo_wave(previous, closed_days_ago=700)
    click.echo(f"campaign {previous.slug} (wave 1): {prev_counts[201]} respondents added")
    campaign = ensure_demo_campaign(DEMO_SLUG, wave=2)
    counts = add_respondents(campaign, n, seed)
    click.echo(f"campaign {campaign.slug}: {counts[201]} respondents added, {counts[200]} already there")
    print_demo_accounts(ensure_demo_accounts(), base_url, ensure_demo_pin(campaign))
