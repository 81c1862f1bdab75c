"""Action plan of a campaign: unfavourable factors, the measures recorded for them, their export.

The rules and the writes are ``cips.services.actions`` (the CLI's too); this page collects them.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from analysis.factors import FACTOR_IDS, factor_name
from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.manage.blueprint import bp
from cips.manage.forms import MeasureForm, MeasureStatusForm
from cips.models import Role
from cips.services import audit
from cips.services.actions import (
    STATUS_WORDS,
    ActionError,
    MeasureInput,
    add_measure,
    campaign_status,
    plan_docx,
    plan_labels,
    plan_xlsx,
)
from cips.services.actions import set_status as set_measure_status
from cips.services.measures import measures
from cips.services.messages import localized


def _lang() -> str:
    return str(get_locale() or "en")[:2]


def _status_choices() -> list[tuple[str, str]]:
    return [(status.value, word.translated()) for status, word in STATUS_WORDS.items()]


def _measure_form() -> MeasureForm:
    form = MeasureForm()
    form.factor.choices = [(f, factor_name(f, _lang())) for f in FACTOR_IDS]
    form.status.choices = _status_choices()
    return form


def _status_form() -> MeasureStatusForm:
    form = MeasureStatusForm()
    form.status.choices = _status_choices()
    return form


def _page(slug: str, form: MeasureForm, status: int = 200):
    campaign = campaign_for(slug)
    statuses = campaign_status(db.session, campaign)
    return render_template("manage/actions.html", campaign=campaign, form=form, status_form=_status_form(),
                           statuses=statuses, measures=measures(db.session, campaign),
                           status_labels=dict(_status_choices()),
                           factor_name=lambda f: factor_name(f, _lang())), status  # fmt: skip


@bp.get("/campaigns/<slug>/actions")
@role_required(Role.manager)
def actions(slug: str):
    return _page(slug, _measure_form())


@bp.post("/campaigns/<slug>/actions")
@role_required(Role.manager)
def actions_add(slug: str):
    campaign = campaign_for(slug)
    form = _measure_form()
    if not form.validate_on_submit():
        return _page(slug, form, 422)
    data = MeasureInput(form.factor.data, form.what.data, form.owner.data, form.due.data, form.status.data,
                        form.evidence_url.data, form.shared.data)  # fmt: skip
    try:
        add_measure(db.session, campaign, data, actor())
    except ActionError as exc:
        db.session.rollback()
        flash(localized(exc), "error")
        return _page(slug, form, 422)
    flash(_("Measure recorded."), "ok")
    return redirect(url_for("manage.actions", slug=slug), 303)


@bp.post("/campaigns/<slug>/actions/status")
@role_required(Role.manager)
def actions_status(slug: str):
    campaign = campaign_for(slug)
    form = _status_form()
    if form.validate_on_submit() and form.measure_id.data.isdigit():
        try:
            set_measure_status(db.session, campaign, int(form.measure_id.data), form.status.data, actor(),
                               form.evidence_url.data or None)  # fmt: skip
            flash(_("Measure updated."), "ok")
        except ActionError as exc:
            db.session.rollback()
            flash(localized(exc), "error")
    else:
        flash(_("The measure could not be updated: reload the page and try again."), "error")
    return redirect(url_for("manage.actions", slug=slug), 303)


@bp.get("/campaigns/<slug>/actions/plan.<fmt>")
@role_required(Role.manager)
def actions_plan(slug: str, fmt: str):
    campaign = campaign_for(slug)
    if fmt not in ("xlsx", "docx"):
        return {"error": "the plan is exported as plan.xlsx or plan.docx"}, 404
    rows, statuses = measures(db.session, campaign), campaign_status(db.session, campaign)
    if fmt == "xlsx":
        body = plan_xlsx(rows, statuses, _lang())
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = plan_docx(campaign, rows, statuses, _lang(), plan_labels())
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    audit.record(db.session, actor(), "actions.export", campaign.slug, format=fmt)
    db.session.commit()
    disposition = f'attachment; filename="{campaign.slug}-action-plan.{fmt}"'
    return Response(body, mimetype=mime, headers={"Content-Disposition": disposition})
