"""``cips text embed``: prepare a campaign's text analysis ahead of its report."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cips.extensions import db


@click.group("text")
def text_group() -> None:
    """Text analysis of open answers (sentence embeddings, CIPS_EMBEDDINGS)."""


@text_group.command("embed")
@click.argument("campaign")
@with_appcontext
def embed_command(campaign: str) -> None:
    """Embed CAMPAIGN's open answers the cache lacks, with a progress bar (resumable: Ctrl-C keeps
    what is done). Reports and the manager's pages then group answers by meaning."""
    from cips.services.text_analysis import TextAnalysisError, embed_campaign

    try:
        status = embed_campaign(db.session, campaign, progress=True)
    except TextAnalysisError as exc:
        raise click.ClickException(str(exc)) from exc
    if not status.model:
        click.echo(f"{campaign}: no sentence model configured (CIPS_EMBEDDINGS=tfidf); nothing to embed")
        return
    counts = f"{status.ready:,} / {status.total:,}"
    click.echo(f"text analysis of {campaign}: {counts} distinct answers ready ({status.model})")
