"""What the programme would receive from a campaign: the aggregate file, previewed then downloaded.

The figures and their suppression are ``analysis.aggregates``'; the signing ``cips.services.aggregates``'.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Response, current_app, render_template, request
from flask_babel import get_locale

from analysis.aggregates import NATIONAL
from analysis.factors import factor_name
from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.instruments.service import definition_of
from cips.manage.blueprint import bp
from cips.models import Role
from cips.services import audit
from cips.services.aggregates import AggregateError, export_file
from cips.services.campaigns import campaign_instruments
from cips.services.labels import stratum_label
from cips.services.messages import localized


def _signed(slug: str):
    campaign = campaign_for(slug)
    # The stratum items the questionnaires declare: no need to load the answers to list them.
    strata = {item for row in campaign_instruments(db.session, campaign) for item in definition_of(row).strata}
    levels = [NATIONAL, *sorted(strata)]
    level = request.args.get("level", NATIONAL)
    level = level if level in levels else NATIONAL
    with_measures = request.args.get("measures") == "1"
    signed = export_file(db.session, Path(current_app.instance_path), slug, level, with_measures=with_measures)
    return campaign, levels, level, with_measures, signed


@bp.get("/campaigns/<slug>/aggregates")
@role_required(Role.manager)
def aggregates(slug: str):
    campaign = campaign_for(slug)
    try:
        campaign, levels, level, with_measures, signed = _signed(slug)
    except AggregateError as exc:  # no submissions yet
        return render_template("manage/message.html", campaign=campaign, message=localized(exc)), 422
    lang = str(get_locale() or "en")[:2]
    # Stratum items and their values by their names in the interface language (codes stay in the file).
    definitions = {d.key: d for d in (definition_of(row) for row in campaign_instruments(db.session, campaign))}
    items = {item_id: item for d in definitions.values() for item_id, item in d.item_map().items()}

    def level_name(item_id: str) -> str:
        item = items.get(item_id)
        return (item.text.get(lang) or item.text.get("en") or item_id) if item else item_id

    def stratum_name(questionnaire: str, value: str) -> str:
        definition = definitions.get(questionnaire)
        return stratum_label(definition, value, lang) if definition else value

    return render_template("manage/aggregates.html", campaign=campaign, levels=levels, level=level,
                           with_measures=with_measures, document=signed["document"],
                           key_id=signed["signature"]["key_id"], level_name=level_name, stratum_name=stratum_name,
                           factor_name=lambda f: factor_name(f, lang))  # fmt: skip


@bp.get("/campaigns/<slug>/aggregates.json")
@role_required(Role.manager)
def aggregates_download(slug: str):
    try:
        campaign, _levels, level, _with_measures, signed = _signed(slug)
    except AggregateError as exc:
        return {"error": localized(exc)}, 422
    audit.record(db.session, actor(), "aggregates.export", campaign.slug, level=level,
                 key_id=signed["signature"]["key_id"], rows=len(signed["document"]["rows"]))  # fmt: skip
    db.session.commit()
    body = json.dumps(signed, ensure_ascii=False, indent=1) + "\n"
    disposition = f'attachment; filename="{campaign.slug}-aggregates.json"'
    return Response(body, mimetype="application/json", headers={"Content-Disposition": disposition})
