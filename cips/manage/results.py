"""Results of a campaign: the thematic report (browsable, PDF), exports and briefings.

The report is computed by ``analysis`` (imported on first use: the statistics and
topic-modelling stack would otherwise slow every worker's start-up), rendered in the
background and cached per campaign state (``cips.manage.report_cache``).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.manage import bp
from cips.manage.forms import BriefingForm, ExportForm, ReportForm
from cips.manage.report_cache import ReportPending, rendered
from cips.models import Role
from cips.security import PENDING_CSP, REPORT_CSP
from cips.services import audit
from cips.services.campaigns import campaign_instruments
from cips.services.messages import localized


def _report_lang() -> str:
    lang = request.args.get("lang") or str(get_locale())
    return lang if lang in ("en", "fr", "es", "pt") else "en"


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
        body = rendered(campaign, lang, "html")
    except ReportError as exc:
        return render_template("manage/message.html", campaign=campaign, message=localized(exc)), 409
    except ReportPending:
        # Not sandboxed (a sandbox blocks the meta refresh), and nothing in it comes from answers.
        return _in_report_frame(render_template("manage/report_pending.html", lang=lang), PENDING_CSP, 202)
    audit.record(db.session, actor(), "report.view", slug, lang=lang)
    db.session.commit()
    # The report is self-contained (inline styles, embedded SVG): its own policy, nothing that runs.
    return _in_report_frame(body, REPORT_CSP)


def _in_report_frame(body: str | bytes, csp: str, status: int = 200) -> Response:
    """A page shown in the report page's frame: its own policy, framable by this site only."""
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = csp
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
        body = rendered(campaign, lang, "pdf")
    except (ReportError, PdfUnavailable) as exc:
        flash(localized(exc), "error")
        return redirect(url_for("manage.report", slug=slug, lang=lang))
    except ReportPending:
        flash(_("The PDF is being prepared: try again in a minute."), "ok")
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
            flash(localized(exc), "error")
            return render_template("manage/export.html", campaign=campaign, form=form), 422
        return Response(
            out.data,
            mimetype=out.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{out.filename}"', "Cache-Control": "no-store"},
        )
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
            flash(localized(exc), "error")
            return render_template("manage/briefing.html", form=form), 422
        audit.record(db.session, actor(), "briefing.build", upload.filename, lang=form.lang.data,
                     format=form.format.data)  # fmt: skip
        db.session.commit()
        return Response(
            data,
            content_type=mimetype,  # MIMETYPES carry their charset: mimetype= would add a second
            headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
        )
    return render_template("manage/briefing.html", form=form)
