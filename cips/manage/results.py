"""Results of a campaign: the thematic report (browsable, PDF), exports and briefings.

The report is computed by ``analysis`` (imported on first use: the statistics and
topic-modelling stack would otherwise slow every worker's start-up) (scores, themes, charts) and can take tens of
seconds on a large campaign, so each rendering is kept in ``instance/report_cache``
keyed by the campaign's data (number and latest arrival of submissions): the next
manager to open it gets it at once, and a new submission makes a fresh one.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.manage import bp
from cips.manage.forms import BriefingForm, ExportForm, ReportForm
from cips.models import Campaign, Role, Submission
from cips.security import REPORT_CSP
from cips.services import audit
from cips.services.campaigns import campaign_instruments


@cache
def _code_fingerprint() -> str:
    """Changes when the report's code or templates change: an upgrade must not serve old renderings."""
    import analysis

    root = Path(analysis.__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("*.py"), *(root / "report").rglob("*")]):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]



def _report_lang() -> str:
    lang = request.args.get("lang") or str(get_locale())
    return lang if lang in ("en", "fr", "es", "pt") else "en"


def _cache_path(campaign: Campaign, lang: str, kind: str) -> Path:
    count, latest = db.session.execute(
        select(func.count(), func.max(Submission.received_at)).where(Submission.campaign_id == campaign.id)
    ).one()
    settings = json.dumps([campaign.name, campaign.wave, campaign.quotas, campaign.populations], sort_keys=True)
    parts = f"{_code_fingerprint()}|{campaign.id}|{settings}|{lang}|{count}|{latest}"
    key = hashlib.sha256(parts.encode()).hexdigest()[:24]
    folder = Path(current_app.config.get("REPORT_CACHE_DIR") or Path(current_app.instance_path) / "report_cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{campaign.slug}-{lang}-{key}.{kind}"


def _rendered(campaign: Campaign, lang: str, kind: str) -> bytes:
    from analysis.report import render_html, render_pdf
    from cips.services.reports import ReportError, campaign_report

    if campaign.encrypted:
        raise ReportError(_("The answers of this campaign are encrypted: only the key holder can build its report, "
                            "with `cips decrypt %(slug)s --key FILE --report report.html`.", slug=campaign.slug))
    path = _cache_path(campaign, lang, kind)
    if not path.exists():
        report = campaign_report(db.session, campaign.slug, lang)
        data = render_pdf(report) if kind == "pdf" else render_html(report).encode("utf-8")
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a second worker never reads half a file
    return path.read_bytes()


@bp.get("/campaigns/<slug>/report")
@role_required(Role.manager)
def report(slug: str):
    campaign = campaign_for(slug)
    lang = _report_lang()
    return render_template("manage/report.html", campaign=campaign, lang=lang, form=ReportForm(lang=lang))


@bp.get("/campaigns/<slug>/report/view")
@role_required(Role.manager)
def report_view(slug: str):
    from cips.services.reports import ReportError

    campaign = campaign_for(slug)
    lang = _report_lang()
    try:
        body = _rendered(campaign, lang, "html")
    except ReportError as exc:
        return render_template("manage/message.html", campaign=campaign, message=str(exc)), 409
    audit.record(db.session, actor(), "report.view", slug, lang=lang)
    db.session.commit()
    response = Response(body, mimetype="text/html")
    # The report is self-contained (inline styles, embedded SVG): its own policy, nothing that runs.
    response.headers["Content-Security-Policy"] = REPORT_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/campaigns/<slug>/report.pdf")
@role_required(Role.manager)
def report_pdf(slug: str):
    from analysis.report import PdfUnavailable
    from cips.services.reports import ReportError

    campaign = campaign_for(slug)
    lang = _report_lang()
    try:
        body = _rendered(campaign, lang, "pdf")
    except (ReportError, PdfUnavailable) as exc:
        flash(str(exc), "error")
        return redirect(url_for("manage.report", slug=slug, lang=lang))
    audit.record(db.session, actor(), "report.export", slug, lang=lang, format="pdf")
    db.session.commit()
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-report-{lang}.pdf"'})  # fmt: skip


@bp.route("/campaigns/<slug>/export", methods=["GET", "POST"])
@role_required(Role.manager)
def export(slug: str):
    from cips.services.exports import ExportError, build_export

    campaign = campaign_for(slug)
    form = ExportForm(lang=str(get_locale()))
    keys = sorted({row.key for row in campaign_instruments(db.session, campaign)})
    form.instrument.choices = [("", "—"), *((k, k) for k in keys)]
    if form.validate_on_submit():
        try:
            out = build_export(db.session, campaign, form.format.data, lang=form.lang.data,
                               instrument=form.instrument.data or None, where=form.where.data or None,
                               actor=actor())  # fmt: skip
        except ExportError as exc:  # refused (privacy rule, encrypted campaign) or a bad filter
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("manage/export.html", campaign=campaign, form=form), 422
        return Response(out.data, mimetype=out.mimetype, headers={
            "Content-Disposition": f'attachment; filename="{out.filename}"', "Cache-Control": "no-store"})
    return render_template("manage/export.html", campaign=campaign, form=form)


@bp.route("/briefing", methods=["GET", "POST"])
@role_required(Role.manager)
def briefing():
    from cips.services.briefings import MAX_UPLOAD_BYTES, BriefingError, briefing_from_upload

    # Above the app-wide body limit (made for submissions): the service then refuses a file
    # over its own limit with a message that says so, instead of a bare 413.
    request.max_content_length = 2 * MAX_UPLOAD_BYTES
    form = BriefingForm(lang=str(get_locale()))
    if form.validate_on_submit():
        upload = form.contributions.data
        questions = form.questions.data.read() if form.questions.data else None
        try:
            data, mimetype, filename = briefing_from_upload(
                upload.filename or "contributions.csv", upload.read(), lang=form.lang.data, title=form.title.data,
                meeting=form.meeting.data or None, fmt=form.format.data, questions_yaml=questions,
            )  # fmt: skip
        except BriefingError as exc:
            flash(str(exc), "error")
            return render_template("manage/briefing.html", form=form), 422
        audit.record(db.session, actor(), "briefing.build", upload.filename, lang=form.lang.data,
                     format=form.format.data)  # fmt: skip
        db.session.commit()
        return Response(data, mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
    return render_template("manage/briefing.html", form=form)
