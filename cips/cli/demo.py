"""``cips demo``: a demo administration and campaign with synthetic respondents."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select
from tqdm import tqdm

from cips.extensions import db
from cips.instruments.service import definition_of, latest_version
from cips.models import Campaign, CampaignCreate, CampaignMode
from cips.services.campaigns import campaign_instruments, create_campaign
from cips.submissions import ingest_payload

DEMO_SLUG = "demo"
DEMO_ADMINISTRATION = "Demo Customs Administration"
DEMO_QUOTAS = {
    "officials": {f"bg_region={r}": 40 for r in ("headquarters", "north", "south", "east", "west")},
    "private_sector": {f"ps_role={r}": 30 for r in ("importer", "exporter", "broker", "transport")},
}


def ensure_demo_campaign() -> Campaign:
    session = db.session
    campaign = session.exec(select(Campaign).where(Campaign.slug == DEMO_SLUG)).first()
    if campaign is not None:
        return campaign
    keys = [k for k in ("officials", "private_sector") if latest_version(session, k) is not None]
    if not keys:
        raise click.ClickException("no questionnaires loaded: run `cips instruments load` first")
    data = CampaignCreate(
        slug=DEMO_SLUG, name="Demo integrity perception survey", administration=DEMO_ADMINISTRATION, wave=1,
        mode=CampaignMode.station, languages=["en", "fr", "es", "pt"], instruments=keys,
        quotas={k: v for k, v in DEMO_QUOTAS.items() if k in keys},
    )  # fmt: skip
    return create_campaign(session, data, actor="cli")


@click.command("demo")
@click.option("--responses", "n", type=click.IntRange(0, 200_000), default=300, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when any campaign already exists.")
@with_appcontext
def demo_command(n: int, seed: int, if_empty: bool) -> None:
    """Create the demo campaign (slug `demo`) and N synthetic respondents."""
    from cips.demo.generator import DemoRespondents

    session = db.session
    if if_empty and session.exec(select(Campaign)).first() is not None:
        click.echo("database not empty: demo skipped")
        return
    campaign = ensure_demo_campaign()
    instruments = {row.key: (row.version, definition_of(row)) for row in campaign_instruments(session, campaign)}
    # Anchored on the campaign's creation, so that the same seed gives the same records.
    anchor = campaign.created_at.replace(minute=0, second=0, microsecond=0)
    generator = DemoRespondents(campaign.slug, instruments, campaign.languages, seed=seed, now=anchor)
    counts = {201: 0, 200: 0}
    max_bytes = current_app.config["MAX_SUBMISSION_BYTES"]
    for payload in tqdm(generator.payloads(n), total=n, desc="demo respondents", unit="resp"):
        outcome = ingest_payload(session, payload, max_bytes=max_bytes)
        if not outcome.stored:
            raise click.ClickException(f"demo respondent refused: {outcome.body}")
        counts[outcome.status] += 1
    click.echo(f"campaign {campaign.slug}: {counts[201]} respondents added, {counts[200]} already there")
