"""Thematic reports for the manager pages: rendered once per campaign state, in the background.

A large campaign's report takes tens of seconds (scores, themes, charts). Rendering it in
the request would hold a gunicorn worker (one of two) that long, so a missing rendering is
started in a background thread (``cips.manage.jobs``) and the page says it is being
prepared and refreshes itself. Renderings are kept in ``instance/report_cache`` keyed by the
campaign's data, settings and the report code: the next manager gets it at once, and new
answers make a fresh one.
"""

from __future__ import annotations

import hashlib
import json
import time
from functools import cache, partial
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from analysis.files import private_dir
from cips.extensions import db
from cips.manage import jobs, text_jobs
from cips.models import DECIDING_SOURCES, ActionMeasure, Campaign, Coding, CodingSource, Submission, SubmissionExclusion
from cips.services.messages import N_
from cips.services.text_analysis import text_status


class ReportPending(Exception):
    """The rendering is under way; ask again in a few seconds."""


@cache
def code_fingerprint() -> str:
    """Changes when the report's code or templates change, or the model that codes its open answers (its
    training data, codebook and libraries: ``model_digest``): an upgrade must not serve old renderings."""
    import analysis
    from analysis.default_model import model_digest

    root = Path(analysis.__file__).parent
    digest = hashlib.sha256(model_digest().encode())
    for path in sorted([*root.glob("*.py"), *(root / "report").rglob("*")]):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def themes_key(campaign: Campaign, start: bool = False) -> str:
    """How the report's themes can be grouped now (part of the rendering's key): a rendering by
    shared words is replaced once the text analysis is complete. ``start``: start that analysis
    in the background if answers are missing."""
    status = text_status(db.session, campaign)
    if status is None or not status.model:
        return "words"
    if not status.complete and start and text_jobs.start(campaign, status):
        status = text_status(db.session, campaign)  # JOBS_SYNC: it is done already
    return f"meaning:{status.model}" if status.complete else "words"


def _latest_coding(campaign: Campaign) -> tuple[int | None, int | None]:
    """What of the codes the report reads: people's rows (decisions, second codings) and the model's rows on
    answers people decided (the review note's model-reviewer kappa). The model's other suggestions are not
    read (the report codes the rest itself), so its background coding does not make a new report each batch."""
    mine = Coding.campaign_id == campaign.id
    people = select(func.max(Coding.id)).where(mine, Coding.source.not_like(f"{CodingSource.model.value}%"))
    decided = select(Coding.answer_id).where(mine, Coding.source.in_(DECIDING_SOURCES))
    compared = select(func.max(Coding.id)).where(mine, Coding.source.like(f"{CodingSource.model.value}%"),
                                                 Coding.answer_id.in_(decided))  # fmt: skip
    return db.session.execute(people).scalar(), db.session.execute(compared).scalar()


def cache_path(
    campaign: Campaign, lang: str, kind: str, count: int, latest: object, themes: str, weighted: bool = True
) -> Path:
    # Which records are excluded changes the figures without changing count or latest (those of the
    # administration's other campaigns too: the previous wave is compared with this one).
    excluded = sorted(db.session.execute(
        select(SubmissionExclusion.submission_id).join(Campaign, Campaign.id == SubmissionExclusion.campaign_id)
        .where(Campaign.administration_id == campaign.administration_id)
    ).scalars())  # fmt: skip
    # The report shows the measures recorded in the previous wave, so a change to them is a new report.
    measures = db.session.execute(
        select(ActionMeasure.id, ActionMeasure.updated_at).join(Campaign, Campaign.id == ActionMeasure.campaign_id)
        .where(Campaign.administration_id == campaign.administration_id).order_by(ActionMeasure.id)
    ).all()  # fmt: skip
    settings = json.dumps([campaign.name, campaign.wave, campaign.quotas, campaign.populations, excluded,
                           [(m.id, m.updated_at.isoformat()) for m in measures]], sort_keys=True)  # fmt: skip
    parts = f"{code_fingerprint()}|{campaign.id}|{settings}|{lang}|{count}|{latest}|{themes}|{weighted}"
    key = hashlib.sha256(parts.encode()).hexdigest()[:24]
    folder = Path(current_app.config["REPORT_CACHE_DIR"] or Path(current_app.instance_path) / "report_cache")
    private_dir(folder)  # reports quote answers: the owner's eyes only
    return folder / f"{campaign.slug}-{lang}{'' if weighted else '-unweighted'}-{key}.{kind}"


def rendered(campaign: Campaign, lang: str, kind: str, weighted: bool = True) -> bytes:
    """The report as ``kind`` (html or pdf), ``weighted`` to the stored populations or not;
    raises ReportPending while it is being made."""
    from cips.services.reports import ReportError

    if campaign.encrypted:
        raise ReportError(
            N_(
                "The answers of this campaign are encrypted: only the key holder can build its report, "
                "with `cips decrypt %(slug)s --key FILE --report report.html`.",
                slug=campaign.slug,
            )
        )
    count, latest = db.session.execute(
        select(func.count(), func.max(Submission.received_at)).where(Submission.campaign_id == campaign.id)
    ).one()
    latest = (latest, _latest_coding(campaign))  # a new review decision changes the themes and the note
    if not count:  # said now: a background thread could only write it to a log
        raise ReportError(N_("campaign %(slug)s has no submissions yet", slug=repr(campaign.slug)))
    path = cache_path(campaign, lang, kind, count, latest, themes_key(campaign, start=True), weighted)
    if path.exists():
        return path.read_bytes()
    failed = jobs.failure(path, forget=True)
    if failed is not None:  # the last attempt failed: say why once, then let the next request retry
        raise ReportError(failed)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs.start(app, path, partial(_render, campaign.slug, lang, kind, weighted),
               name=f"report-{campaign.slug}-{lang}-{kind}")  # fmt: skip
    if path.exists():  # done within the request (JOBS_SYNC)
        return path.read_bytes()
    failed = jobs.failure(path, forget=True)
    if failed is not None:
        raise ReportError(failed)
    raise ReportPending


def pending_seconds(campaign: Campaign, lang: str, kind: str, weighted: bool = True) -> int | None:
    """Seconds since the rendering of ``kind`` now under way began (``None``: none is)."""
    count, latest = db.session.execute(
        select(func.count(), func.max(Submission.received_at)).where(Submission.campaign_id == campaign.id)
    ).one()
    latest = (latest, _latest_coding(campaign))  # a new review decision changes the themes and the note
    path = cache_path(campaign, lang, kind, count, latest, themes_key(campaign), weighted)
    lock = Path(f"{path}.lock")  # jobs.start's
    try:
        return max(0, int(time.time() - lock.stat().st_mtime))
    except FileNotFoundError:
        return None


def _render(slug: str, lang: str, kind: str, weighted: bool = True) -> bytes:
    from analysis.report import render_html, render_pdf
    from cips.services.reports import campaign_report

    report = campaign_report(db.session, slug, lang, weighted=weighted)
    return render_pdf(report) if kind == "pdf" else render_html(report).encode("utf-8")
