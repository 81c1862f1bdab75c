"""``cips report``: the thematic report of a campaign as HTML or PDF."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from analysis.files import write_private
from cips.cli.errors import check_output_path, writing
from cips.cli.options import language_option
from cips.extensions import db
from cips.services import audit


@click.command("report")
@click.argument("campaign")
@language_option("Language of the report.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="report.html or report.pdf")
@click.option("--no-embed", is_flag=True, help="Do not embed missing answers first (themes by shared words "
              "unless `cips text embed` ran)")  # fmt: skip
@click.option("--unweighted", is_flag=True,
              help="Every respondent counts 1 (default: weighted to the stored population sizes).")  # fmt: skip
@with_appcontext
def report_command(campaign: str, lang: str, out: Path, no_embed: bool, unweighted: bool) -> None:
    """Write the thematic report of CAMPAIGN (scores, gaps, wave change, themes with quotes).

    Open answers not yet embedded are embedded first (progress bar), so themes group them by
    meaning across languages; see `cips text embed`."""
    from analysis.report import PdfUnavailable, render_html, render_pdf  # heavy: loaded when used
    from cips.services.reports import ReportError, campaign_report

    if out.suffix.lower() not in (".html", ".pdf"):
        raise click.BadParameter("the output file must end in .html or .pdf", param_hint="--out")
    check_output_path(out)  # before the (long) computation of the report
    session = db.session
    try:
        report = campaign_report(session, campaign, lang, progress=lambda msg: click.echo(f"… {msg}", err=True),
                                 embed_missing=not no_embed, weighted=not unweighted)  # fmt: skip
        body = render_pdf(report) if out.suffix.lower() == ".pdf" else render_html(report).encode("utf-8")
    except (ReportError, PdfUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    with writing(out):
        write_private(out, body)
    audit.record(session, "cli", "report.export", campaign, lang=lang, format=out.suffix.lower().lstrip("."),
                 weighted=not unweighted)  # fmt: skip
    session.commit()
    click.echo(f"report written to {out}")
