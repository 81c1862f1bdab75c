"""Campaign list, creation, settings, status, invitation links and station PIN."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from wtforms.fields.choices import SelectChoice

from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.choices import options
from cips.extensions import db
from cips.i18n import LANGUAGE_NAMES, LANGUAGES
from cips.instruments.service import definition_of
from cips.links import external
from cips.manage import text_jobs
from cips.manage.blueprint import bp
from cips.manage.forms import (
    CampaignForm,
    InviteForm,
    PinForm,
    ReviewWorkbookForm,
    SecondCodingForm,
    StatusForm,
    TextAnalysisForm,
    format_quotas,
)
from cips.models import Administration, CampaignCreate, CampaignMode, CampaignStatus, Instrument, Role
from cips.services.campaign_edit import set_status, update_campaign
from cips.services.campaigns import CampaignError, campaign_instruments, campaign_summaries, create_campaign
from cips.services.examples import quota_example
from cips.services.invites import create_invites, invite_batches, invite_counts
from cips.services.labels import localized_title
from cips.services.messages import localized
from cips.services.review import review_stats
from cips.services.sealed_codes import sealed_decisions
from cips.services.station import set_station_pin
from cips.services.text_analysis import text_status

MANAGERS = (Role.manager,)


def _instrument_choices() -> list[SelectChoice]:
    """Each loaded questionnaire version, titled in the interface language."""
    rows = db.session.exec(select(Instrument).order_by(Instrument.key, Instrument.version)).all()
    lang = str(get_locale())
    return options((f"{r.key}:{r.version}",
                    f"{localized_title(definition_of(r), r.key, lang)} ({_('version')} {r.version})")
                   for r in rows)  # fmt: skip


def _language_choices() -> list[SelectChoice]:
    """Languages some loaded questionnaire is written in: offering others would only give
    a form error (no questionnaire has them). Before any is loaded, the four defaults."""
    offered: set[str] = set()
    for row in db.session.exec(select(Instrument)).all():
        offered.update(definition_of(row).languages)
    ordered = [code for code in LANGUAGE_NAMES if code in offered] + sorted(offered - set(LANGUAGE_NAMES))
    return options((code, LANGUAGE_NAMES.get(code, code)) for code in ordered or LANGUAGES)


def _latest_definitions() -> dict[str, Any]:
    """The newest version of every loaded questionnaire, by key."""
    rows = db.session.exec(select(Instrument).order_by(Instrument.key, Instrument.version)).all()
    return {row.key: definition_of(row) for row in rows}


def _strata_help() -> dict[str, Any]:
    """Per instrument key, its strata items and their choice values (the quota vocabulary), and an
    example line made of them."""
    out: dict[str, dict[str, list[str]]] = {}
    definitions = _latest_definitions()
    for key, definition in definitions.items():
        items = definition.item_map()
        out[key] = {s: [c.value for c in items[s].choices or []] for s in definition.strata if s in items}
    return {"items": out, "example": quota_example(definitions)}


def _as_datetime(day) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


@bp.get("/")
@role_required(*MANAGERS)
def campaigns():
    rows = campaign_summaries(db.session, visible=current_user.may_see)
    return render_template("manage/campaigns.html", campaigns=rows)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_campaign():
    if current_user.administration_id is None:
        abort(403, _("Your account belongs to no administration; ask an administrator to set one."))
    form = CampaignForm()
    form.instruments.choices = _instrument_choices()
    form.languages.choices = _language_choices()
    if request.method == "GET":
        form.languages.data = ["en", "fr"]
    if form.validate_on_submit():
        quotas, populations = form.parsed_quotas
        admin = db.session.get(Administration, current_user.administration_id)
        try:
            data = CampaignCreate(
                slug=form.slug.data, name=form.name.data, wave=form.wave.data, mode=CampaignMode(form.mode.data),
                languages=form.languages.data, opens_at=_as_datetime(form.opens_at.data),
                closes_at=_as_datetime(form.closes_at.data), quotas=quotas, populations=populations,
                invite_only=form.invite_only.data, administration=admin.name, instruments=form.instruments.data,
                status=CampaignStatus.draft, late_grace_days=form.grace_days,
            )  # fmt: skip
            campaign = create_campaign(db.session, data, actor=actor())
        except (CampaignError, ValueError) as exc:
            db.session.rollback()
            flash(localized(exc), "error")
        else:
            flash(_("Campaign created as a draft: open it when fieldwork starts."), "ok")
            return redirect(url_for("manage.campaign", slug=campaign.slug))
    return render_template("manage/campaign_form.html", form=form, campaign=None, strata=_strata_help())


@bp.get("/campaigns/<slug>")
@role_required(*MANAGERS)
def campaign(slug: str):
    campaign = campaign_for(slug)
    text = text_status(db.session, campaign)  # counted from the embeddings cache: nothing is computed here
    return render_template(
        "manage/campaign.html", campaign=campaign, instruments=campaign_instruments(db.session, campaign),
        status_form=StatusForm(status=campaign.status.value), invite_form=InviteForm(), pin_form=PinForm(),
        invites=invite_counts(db.session, campaign.id), batches=invite_batches(db.session, campaign.id),
        survey_url=external(url_for("survey.shell", slug=slug)),
        text=text, text_running=text is not None and bool(text.model) and text_jobs.running(campaign, text),
        text_form=TextAnalysisForm(), review=review_stats(db.session, campaign),
        sealed_reviewed=len(sealed_decisions(db.session, campaign)) if campaign.encrypted else 0,
        second_form=SecondCodingForm(percent=campaign.second_coding_percent), workbook_form=ReviewWorkbookForm(),
    )  # fmt: skip


@bp.post("/campaigns/<slug>/text-analysis")
@role_required(*MANAGERS)
def campaign_text_analysis(slug: str):
    """Start embedding the campaign's open answers in the background (never in this request)."""
    campaign = campaign_for(slug)
    if TextAnalysisForm().validate_on_submit():
        text = text_status(db.session, campaign)
        if text is not None and text_jobs.start(campaign, text):
            flash(_("The text analysis runs in the background; its progress shows on this page."), "ok")
    return redirect(url_for("manage.campaign", slug=slug))


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_campaign(slug: str):
    campaign = campaign_for(slug)
    form = CampaignForm(obj=campaign)
    form.instruments.choices = _instrument_choices()
    form.languages.choices = _language_choices()
    form.slug.render_kw = {"readonly": True}
    if request.method == "GET":
        form.instruments.data = [f"{r.key}:{r.version}" for r in campaign_instruments(db.session, campaign)]
        form.mode.data = campaign.mode.value
        form.opens_at.data = campaign.opens_at.date() if campaign.opens_at else None
        form.closes_at.data = campaign.closes_at.date() if campaign.closes_at else None
        form.late_grace_days.data = campaign.late_grace_days
        form.quotas.data = format_quotas(campaign.quotas, campaign.populations)
    form.slug.data = campaign.slug  # the slug is in every link already handed out: never changes
    if form.validate_on_submit():
        quotas, populations = form.parsed_quotas
        changes = {
            "name": form.name.data, "wave": form.wave.data, "mode": CampaignMode(form.mode.data),
            "languages": form.languages.data, "opens_at": _as_datetime(form.opens_at.data),
            "closes_at": _as_datetime(form.closes_at.data), "quotas": quotas, "populations": populations,
            "invite_only": form.invite_only.data, "late_grace_days": form.grace_days,
        }  # fmt: skip
        try:
            changed = update_campaign(db.session, campaign, changes, instruments=form.instruments.data, actor=actor())
        except CampaignError as exc:
            db.session.rollback()
            flash(localized(exc), "error")
        else:
            flash(_("Saved (%(n)s changes).", n=len(changed)), "ok")
            return redirect(url_for("manage.campaign", slug=slug))
    return render_template("manage/campaign_form.html", form=form, campaign=campaign, strata=_strata_help())


@bp.post("/campaigns/<slug>/status")
@role_required(*MANAGERS)
def campaign_status(slug: str):
    campaign = campaign_for(slug)
    form = StatusForm()
    if form.validate_on_submit():
        new = CampaignStatus(form.status.data)
        if campaign.status is CampaignStatus.open and new is not CampaignStatus.open and form.confirm.data != "yes":
            # A page, not a script's confirm(): the step holds with JavaScript off too.
            form.confirm.data = "yes"
            return render_template("manage/status_confirm.html", campaign=campaign, form=form, new=new.value)
        set_status(db.session, campaign, new, actor=actor())
        label = next((c.label for c in form.status.choices if c.value == form.status.data), form.status.data)
        flash(_("Status: %(status)s.", status=str(label)), "ok")
    return redirect(url_for("manage.campaign", slug=slug))


@bp.post("/campaigns/<slug>/invites")
@role_required(*MANAGERS)
def campaign_invites(slug: str):
    campaign = campaign_for(slug)
    form = InviteForm()
    if not form.validate_on_submit():
        flash("; ".join(str(e) for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("manage.campaign", slug=slug))
    try:
        tokens = create_invites(db.session, slug, form.count.data, actor=actor(), require=form.require.data)
    except CampaignError as exc:
        db.session.rollback()
        flash(localized(exc), "error")
        return redirect(url_for("manage.campaign", slug=slug))
    base = external(url_for("survey.shell", slug=campaign.slug))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["link"])
    writer.writerows([f"{base}?t={token}"] for token in tokens)
    # Shown once, never stored in clear: the download is the only copy.
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-invitations.csv"', "Cache-Control": "no-store"},
    )


@bp.post("/campaigns/<slug>/pin")
@role_required(Role.manager, Role.enumerator)
def campaign_pin(slug: str):
    campaign_for(slug)
    form = PinForm()
    back = request.form.get("back") == "stations"
    if form.validate_on_submit():
        try:
            set_station_pin(db.session, slug, form.pin.data, actor=actor())
            flash(_("Station PIN changed. Tablets pick it up at their next connection."), "ok")
        except CampaignError as exc:
            db.session.rollback()
            flash(localized(exc), "error")
    else:
        flash("; ".join(str(e) for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("manage.stations") if back else url_for("manage.campaign", slug=slug))
