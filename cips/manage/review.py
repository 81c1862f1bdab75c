"""Review of a campaign's records: the records quality flags point at (``cips.services.quality``),
and excluding one with a category and a reason, or counting it again.

The decisions are made by ``cips.services.exclusions`` (the CLI's too); this page only
collects them. Nothing here shows answers.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.manage.blueprint import bp
from cips.manage.forms import EXCLUSION_LABELS, FLAG_LABELS, ExcludeForm, ReinstateForm
from cips.models import ExclusionCategory, Role
from cips.services.exclusions import ExclusionError, exclude, excluded_counts, exclusions, reinstate
from cips.services.messages import localized
from cips.services.quality import campaign_quality


@bp.app_template_global()
def exclusion_label(category: str) -> str:
    """An exclusion category (``test``) in words, in the interface language."""
    return str(EXCLUSION_LABELS.get(category, category))


@bp.app_template_global()
def flag_label(flag: str) -> str:
    """A quality flag (``speeder``) in words, in the interface language."""
    return str(FLAG_LABELS.get(flag, flag))


def _exclude_form() -> ExcludeForm:
    form = ExcludeForm()
    form.category.choices = [(c.value, exclusion_label(c.value)) for c in ExclusionCategory]
    return form


def _page(slug: str, form: ExcludeForm, status: int = 200):
    campaign = campaign_for(slug)
    return render_template("manage/review.html", campaign=campaign, form=form, reinstate_form=ReinstateForm(),
                           rows=exclusions(db.session, campaign), excluded=excluded_counts(db.session, campaign),
                           quality=campaign_quality(db.session, campaign)), status  # fmt: skip


@bp.get("/campaigns/<slug>/review")
@role_required(Role.manager)
def review(slug: str):
    return _page(slug, _exclude_form())


@bp.post("/campaigns/<slug>/review/exclude")
@role_required(Role.manager)
def review_exclude(slug: str):
    campaign = campaign_for(slug)
    form = _exclude_form()
    if not form.validate_on_submit():
        return _page(slug, form, 422)
    try:
        exclude(db.session, campaign, form.uuid.data, form.category.data, form.reason.data, actor=actor())
    except ExclusionError as exc:
        db.session.rollback()
        flash(localized(exc), "error")
        return _page(slug, form, 422)
    flash(_("Submission %(uuid)s excluded: it no longer counts in exports, scores, the report or the dashboard.",
            uuid=form.uuid.data.strip()), "ok")  # fmt: skip
    return redirect(url_for("manage.review", slug=slug), 303)


@bp.post("/campaigns/<slug>/review/reinstate")
@role_required(Role.manager)
def review_reinstate(slug: str):
    campaign = campaign_for(slug)
    form = ReinstateForm()
    if form.validate_on_submit():
        try:
            reinstate(db.session, campaign, form.uuid.data, actor=actor())
            flash(_("Submission %(uuid)s counts again.", uuid=form.uuid.data), "ok")
        except ExclusionError as exc:
            db.session.rollback()
            flash(localized(exc), "error")
    return redirect(url_for("manage.review", slug=slug), 303)
