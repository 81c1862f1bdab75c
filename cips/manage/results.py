"""Results of a campaign: the thematic report (browsable, PDF), exports and briefings.

Briefings are built in the background (``cips.manage.briefing_jobs``): the upload answers
with a redirect to the job's page, which offers the file when it is ready.

The report is computed by ``analysis`` (imported on first use: the statistics and
topic-modelling stack would otherwise slow every worker's start-up), rendered in the
background and cached per campaign state (``cips.manage.report_cache``).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from analysis.factors import CORE_LANGUAGES
from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.i18n import content_language
from cips.instruments.service import definition_of
from cips.manage.blueprint import bp
from cips.manage.forms import BriefingForm, ExportForm, ReportForm
from cips.manage.report_cache import ReportPending, pending_seconds, rendered
from cips.models import Role
from cips.security import PENDING_CSP, REPORT_CSP
from cips.services import audit
from cips.services.campaigns import campaign_instruments, has_responses
from cips.services.examples import filter_examples
from cips.services.exclusions import excluded_counts
from cips.services.labels import localized_title
from cips.services.messages import localized


def _report_lang() -> str:
    lang = request.args.get("lang") or str(get_locale())
    return lang if lang in CORE_LANGUAGES else "en"


def weights_param() -> str | None:
    """``?weights=off``: the unweighted report, on request; weighted (None) otherwise."""
    return "off" if request.args.get("weights") == "off" else None


@bp.get("/campaigns/<slug>/report")
@role_required(Role.manager)
@content_language
def report(slug: str):
    campaign = campaign_for(slug)
    lang = _report_lang()
    return render_template("manage/report.html", campaign=campaign, report_lang=lang, form=ReportForm(lang=lang),
                           empty=not has_responses(db.session, campaign), weights=weights_param())  # fmt: skip


@bp.get("/campaigns/<slug>/report/view")
@role_required(Role.manager)
@content_language
def report_view(slug: str):
    from cips.services.reports import ReportError

    campaign = campaign_for(slug)
    lang = _report_lang()
    try:
        body = rendered(campaign, lang, "html", weighted=weights_param() is None)
    except ReportError as exc:
        # Framable (the default policy's frame-ancestors 'none' left a broken-page icon in the frame); in the
        # report's language, as the report it stands for would be.
        with force_locale(lang):
            page = render_template("manage/report_frame_message.html", message=localized(exc))
        return _in_report_frame(page, PENDING_CSP, 409)
    except ReportPending:
        # Not sandboxed (a sandbox blocks the meta refresh), and nothing in it comes from answers.
        with force_locale(lang):
            page = render_template("manage/report_pending.html", lang=lang)
        return _in_report_frame(page, PENDING_CSP, 202)
    audit.record(db.session, actor(), "report.view", slug, lang=lang, weighted=weights_param() is None)
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
@content_language
def report_pdf(slug: str):
    from analysis.report import PdfUnavailable
    from cips.services.reports import ReportError

    campaign = campaign_for(slug)
    lang = _report_lang()
    try:
        body = rendered(campaign, lang, "pdf", weighted=weights_param() is None)
    except (ReportError, PdfUnavailable) as exc:
        flash(localized(exc), "error")
        return redirect(url_for("manage.report", slug=slug, lang=lang, weights=weights_param()))
    except ReportPending:
        return redirect(url_for("manage.report_pdf_status", slug=slug, lang=lang, weights=weights_param()))
    audit.record(db.session, actor(), "report.export", slug, lang=lang, format="pdf", weighted=weights_param() is None)
    db.session.commit()
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-report-{lang}.pdf"'})  # fmt: skip


@bp.get("/campaigns/<slug>/report/pdf-status")
@role_required(Role.manager)
@content_language
def report_pdf_status(slug: str):
    """While the PDF is made: how long it has been going, a self-refresh (no script needed), and
    the download link once it is ready."""
    from analysis.report import PdfUnavailable
    from cips.services.reports import ReportError

    campaign = campaign_for(slug)
    lang = _report_lang()
    try:
        rendered(campaign, lang, "pdf", weighted=weights_param() is None)
    except (ReportError, PdfUnavailable) as exc:
        flash(localized(exc), "error")
        return redirect(url_for("manage.report", slug=slug, lang=lang))
    except ReportPending:
        return render_template("manage/report_pdf_status.html", campaign=campaign, report_lang=lang, ready=False,
                               seconds=pending_seconds(campaign, lang, "pdf", weights_param() is None),
                               weights=weights_param())  # fmt: skip
    return render_template("manage/report_pdf_status.html", campaign=campaign, report_lang=lang, ready=True,
                           seconds=None,
                           weights=weights_param())  # fmt: skip


@bp.route("/campaigns/<slug>/export", methods=["GET", "POST"])
@role_required(Role.manager)
def export(slug: str):
    from cips.services.exports import ExportError, build_export

    campaign = campaign_for(slug)
    form = ExportForm(lang=str(get_locale()))
    rows = campaign_instruments(db.session, campaign)  # oldest version first: the newest wins below
    definitions = {row.key: definition_of(row) for row in rows}
    titles = {key: localized_title(d, key, str(get_locale())) for key, d in definitions.items()}
    form.instrument.choices = [("", _("all questionnaires")), *((k, titles[k]) for k in sorted(definitions))]
    examples = filter_examples(definitions)
    if form.validate_on_submit():
        try:
            out = build_export(db.session, campaign, form.format.data, lang=form.lang.data,
                               instrument=form.instrument.data or None, where=form.where.data or None,
                               actor=actor())  # fmt: skip
        except ExportError as exc:  # refused (privacy rule, encrypted campaign) or a bad filter
            db.session.rollback()
            flash(localized(exc), "error")
            return render_template("manage/export.html", campaign=campaign, form=form, examples=examples,
                                   excluded=excluded_counts(db.session, campaign)), 422  # fmt: skip
        return Response(
            out.data,
            mimetype=out.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{out.filename}"', "Cache-Control": "no-store"},
        )
    return render_template("manage/export.html", campaign=campaign, form=form, examples=examples,
                           excluded=excluded_counts(db.session, campaign))  # fmt: skip


@bp.route("/briefing", methods=["GET", "POST"])
@role_required(Role.manager)
def briefing():
    from analysis.briefing.inputs import ENCODINGS, NotUtf8Error
    from cips.manage.briefing_jobs import encoding_message, start_briefing
    from cips.services.briefings import MAX_UPLOAD_BYTES, BriefingError, check_sizes, limits_note
    from cips.services.saved_briefings import briefings_of, save_briefing

    # Above the app-wide body limit (made for submissions): the service then refuses a file
    # over its own limit with a message that says so, instead of a bare 413.
    request.max_content_length = 2 * MAX_UPLOAD_BYTES
    encodings = [("", _("Automatic (UTF-8, or UTF-16 with a byte-order mark)")), *ENCODINGS.items()]
    limits = limits_note().translated()
    saved = briefings_of(db.session, current_user.administration_id)
    try:
        form = BriefingForm(lang=str(get_locale()))
        form.encoding.choices = encodings
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:  # over twice the limit: not even parsed, but said as for a smaller file
        form = BriefingForm(formdata=None, lang=str(get_locale()))
        form.encoding.choices = encodings
        try:
            check_sizes(str(form.contributions.label.text), request.content_length or request.max_content_length + 1)
        except BriefingError as exc:
            flash(localized(exc), "error")
        return render_template("manage/briefing.html", form=form, limits=limits, saved=saved), 413
    if submitted:
        upload, questions = form.contributions.data, form.questions.data
        data = upload.read()
        questions_yaml = questions.read() if questions else None
        questions_name = (questions.filename if questions else None) or "questions.yaml"
        try:
            check_sizes(upload.filename or "contributions.csv", len(data), questions_name, len(questions_yaml or b""))
        except BriefingError as exc:
            flash(localized(exc), "error")
            return render_template("manage/briefing.html", form=form, limits=limits, saved=saved), 422
        if form.save.data:  # reading the file is quick (its limits are small); building it is left for later
            try:
                kept = save_briefing(db.session, administration_id=current_user.administration_id, actor=actor(),
                                     filename=upload.filename or "contributions.csv", data=data, lang=form.lang.data,
                                     title=form.title.data, meeting=form.meeting.data or None,
                                     questions_yaml=questions_yaml, questions_filename=questions_name,
                                     encoding=form.encoding.data or None)  # fmt: skip
            except BriefingError as exc:
                db.session.rollback()
                cause = exc.__cause__
                flash(localized(encoding_message(cause) if isinstance(cause, NotUtf8Error) else exc), "error")
                return render_template("manage/briefing.html", form=form, limits=limits, saved=saved), 422
            return redirect(url_for("manage.saved_briefing", briefing_id=kept.id), 303)
        job_id = start_briefing(current_user.id, upload.filename or "contributions.csv", data,
                                questions=questions_yaml, questions_filename=questions_name, lang=form.lang.data,
                                title=form.title.data, meeting=form.meeting.data or None, fmt=form.format.data,
                                encoding=form.encoding.data or None)  # fmt: skip
        return redirect(url_for("manage.briefing_job", job_id=job_id), 303)
    return render_template("manage/briefing.html", form=form, limits=limits, saved=saved)


def _briefing_job(job_id: str):
    from cips.manage.briefing_jobs import find_briefing

    job = find_briefing(job_id, current_user.id)
    if job is None:
        abort(404)
    return job


@bp.get("/briefing/<job_id>")
@role_required(Role.manager)
def briefing_job(job_id: str):
    job = _briefing_job(job_id)
    state = job.state()
    error = localized(job.error()) if state == "failed" else None
    page = render_template("manage/briefing_job.html", job=job, state=state, error=error,
                           filename=job.params["filename"], progress=job.progress())  # fmt: skip
    return page, {"running": 202, "failed": 422}.get(state, 200), {"Cache-Control": "no-store"}


@bp.get("/briefing/<job_id>/download")
@role_required(Role.manager)
def briefing_download(job_id: str):
    job = _briefing_job(job_id)
    if job.state() != "done":
        return redirect(url_for("manage.briefing_job", job_id=job_id))
    audit.record(db.session, actor(), "briefing.build", str(job.params["filename"]), lang=job.params["lang"],
                 format=job.params["format"])  # fmt: skip
    db.session.commit()
    return Response(
        job.result.read_bytes(),
        content_type=job.mimetype,  # MIMETYPES carry their charset: mimetype= would add a second
        headers={"Content-Disposition": f'attachment; filename="{job.download_name}"', "Cache-Control": "no-store"},
    )
