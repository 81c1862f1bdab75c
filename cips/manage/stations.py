"""Survey stations for enumerators: the PIN of each station campaign, and each tablet's uploads.

A device is known only by the random id its app generated; the page lets an
enumerator check that a tablet's records arrived before handing it back (its
fingerprint, see ``cips.services.devices``), without showing any answer.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from cips.auth import role_required
from cips.extensions import db
from cips.manage.blueprint import bp
from cips.manage.forms import PinForm
from cips.models import Campaign, CampaignMode, QuarantinedSubmission, Role
from cips.services.devices import station_devices


@bp.get("/stations")
@role_required(Role.manager, Role.enumerator)
def stations():
    campaigns = [c for c in db.session.execute(
        select(Campaign).where(Campaign.mode == CampaignMode.station).order_by(Campaign.slug)).scalars()
        if current_user.may_see(c)]  # fmt: skip
    devices: dict[int, list[dict]] = {}
    quarantined: dict[str, int] = {}
    for campaign in campaigns:
        devices[campaign.id] = station_devices(db.session, campaign)
        quarantined[campaign.slug] = db.session.execute(
            select(func.count()).where(QuarantinedSubmission.claimed_campaign == campaign.slug)
        ).scalar_one()
    return render_template("manage/stations.html", campaigns=campaigns, devices=devices, quarantined=quarantined,
                           pin_form=PinForm())  # fmt: skip
