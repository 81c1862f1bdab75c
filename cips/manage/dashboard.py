"""Live fieldwork dashboard: a page, and the fragment its script refreshes without reloading."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask_babel import get_locale

from analysis.factors import factor_name
from analysis.sampling import ci_text
from cips.auth import role_required
from cips.auth.principal import campaign_for, not_activity
from cips.extensions import db
from cips.i18n import number
from cips.manage.blueprint import bp
from cips.manage.results import weights_param
from cips.models import Role
from cips.services.fieldwork import fieldwork, suppress


def _progress(slug: str):
    campaign = campaign_for(slug)
    return campaign, fieldwork(db.session, campaign, lang=str(get_locale()))


@bp.get("/campaigns/<slug>/dashboard")
@role_required(Role.manager)
def dashboard(slug: str):
    from cips.services.dashboard import dashboard_figures

    campaign, progress = _progress(slug)
    refresh = current_app.config["DASHBOARD_REFRESH_SECONDS"]
    # Flags, indices and codes read every answer: computed with the page, not in the fragment refreshed every few
    # seconds.
    weights = weights_param()
    figures = dashboard_figures(db.session, campaign, str(get_locale()), weighted=weights is None)
    return render_template("manage/dashboard.html", campaign=campaign, fw=progress, refresh=refresh,
                           quality=figures.quality, indices=figures.indices, weights=weights,
                           ci_text=lambda low, high: ci_text(low, high, number),
                           free_text=figures.free_text,
                           factor_name=lambda f: factor_name(f, str(get_locale())))  # fmt: skip


@bp.get("/campaigns/<slug>/dashboard/live")
@role_required(Role.manager)
@not_activity  # the page's own refresh: an open dashboard is not someone at the screen
def dashboard_live(slug: str):
    campaign, progress = _progress(slug)
    return render_template("manage/_fieldwork.html", campaign=campaign, fw=progress)


@bp.get("/campaigns/<slug>/fieldwork.json")
@role_required(Role.manager)
def fieldwork_json(slug: str):
    campaign, fw = _progress(slug)
    return jsonify(
        campaign=campaign.slug, total=suppress(fw.total),
        per_day=[{"date": d.isoformat(), "n": n} for d, n in fw.per_day],
        per_instrument=fw.per_instrument, per_language=fw.per_language,
        strata=[{"instrument": s.instrument, "stratum": s.stratum, "target": s.target, "population": s.population,
                 "achieved": s.shown, "margin_of_error": s.moe, "representative": s.representative}
                for s in fw.strata],
        sections=[{"instrument": s.instrument, "section": s.section, "reached": s.reached_shown,
                   "reached_share": s.share_shown, "completion": s.completion_shown,
                   "step": s.step if s.anchor_shown else None, "drop_off": s.drop_off_shown} for s in fw.sections],
        late=None if fw.late is None else suppress(fw.late), excluded=fw.excluded,
        quarantined=fw.quarantined, quarantine_reasons=dict(fw.quarantine_reasons),
    )  # fmt: skip
