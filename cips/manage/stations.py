"""Survey stations for enumerators: the PIN of each station campaign, and each tablet's uploads.

A device is known only by the random id its app generated; the page lets an
enumerator check that a tablet's records arrived before handing it back, without
showing any answer.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from analysis.privacy import suppress_group
from cips.auth import role_required
from cips.extensions import db
from cips.manage import bp
from cips.manage.forms import PinForm
from cips.models import Campaign, CampaignMode, EncryptedSubmission, QuarantinedSubmission, Role, Submission


def _devices(rows: list) -> list[dict]:
    """One line per tablet, with the small-cell rule of every other page.

    Records without a device id (``None`` or ``""``: older apps, uploads by hand) are one
    line. Counts of 1 to 4 are n<5, with complementary suppression since the manager's
    dashboard shows the campaign's total. A hidden count's last upload is given as a date
    only: the minute of the upload of one of a few records points at the person who answered.
    """
    merged: dict[str, list] = {}
    for device, n, last in rows:
        entry = merged.setdefault(device or "", [0, last])
        entry[0] += n
        entry[1] = max(entry[1], last)
    shown = suppress_group({device: n for device, (n, _) in merged.items()})
    lines = [{"device": device or None, "count": shown[device],
              "last": last.strftime("%Y-%m-%d %H:%M") if shown[device] is not None else last.strftime("%Y-%m-%d"),
              "at": last} for device, (n, last) in merged.items()]  # fmt: skip
    return sorted(lines, key=lambda line: line["at"], reverse=True)


@bp.get("/stations")
@role_required(Role.manager, Role.enumerator)
def stations():
    campaigns = [c for c in db.session.execute(
        select(Campaign).where(Campaign.mode == CampaignMode.station).order_by(Campaign.slug)).scalars()
        if current_user.may_see(c)]  # fmt: skip
    devices: dict[int, list[dict]] = {}
    quarantined: dict[str, int] = {}
    for campaign in campaigns:
        stored = EncryptedSubmission if campaign.encrypted else Submission
        rows = db.session.execute(
            select(stored.device_id, func.count(), func.max(stored.received_at))
            .where(stored.campaign_id == campaign.id)
            .group_by(stored.device_id)
            .order_by(func.max(stored.received_at).desc())
        ).all()
        devices[campaign.id] = _devices(rows)
        quarantined[campaign.slug] = db.session.execute(
            select(func.count()).where(QuarantinedSubmission.claimed_campaign == campaign.slug)
        ).scalar_one()
    return render_template("manage/stations.html", campaigns=campaigns, devices=devices, quarantined=quarantined,
                           pin_form=PinForm())  # fmt: skip
