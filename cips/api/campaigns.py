"""``GET /api/v1/campaigns/<slug>``: the campaign document a device runs offline."""

from __future__ import annotations

from flask import Response, jsonify

from cips.api.blueprint import bp
from cips.extensions import db
from cips.services.campaigns import public_campaign
from cips.survey.document import campaign_document, document_bytes


@bp.get("/campaigns/<slug>")
def get_campaign(slug: str):
    campaign = public_campaign(db.session, slug)
    if campaign is None:  # unknown, draft or closed: the same answer
        return jsonify(error="unknown campaign", field="slug"), 404
    response = Response(document_bytes(campaign_document(db.session, campaign)), mimetype="application/json")
    # Devices read it through their service worker's versioned cache; a direct read
    # must still revalidate, never serve yesterday's questionnaire from a proxy.
    response.headers["Cache-Control"] = "no-cache"
    return response
