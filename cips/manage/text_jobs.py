"""The campaign's text analysis (embedding its open answers) as a background job.

Started by the manager from the campaign page, and by a report request when answers are not
all embedded yet; never run inside the request (``cips.manage.jobs``). The job is named by the
campaign, the model and the campaign's answers (count, last received), so new answers make a new
job; its result file is the status it reached. It can run for hours on a large campaign: each
stored batch keeps its lock fresh, and a job cut short (a worker restarted) resumes from the
cache on the next start.
"""

from __future__ import annotations

import hashlib
import json
from functools import partial
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from analysis.files import private_dir
from cips.extensions import db
from cips.manage import jobs
from cips.models import Campaign, Submission
from cips.services.text_analysis import TextStatus, embed_campaign


def job_path(campaign: Campaign, model: str) -> Path:
    count, latest = db.session.execute(
        select(func.count(), func.max(Submission.received_at)).where(Submission.campaign_id == campaign.id)
    ).one()
    key = hashlib.sha256(f"{campaign.id}|{model}|{count}|{latest}".encode()).hexdigest()[:24]
    folder = Path(current_app.config["TEXT_JOBS_DIR"] or Path(current_app.instance_path) / "text_analysis")
    private_dir(folder)
    return folder / f"{campaign.slug}-{key}.json"


def running(campaign: Campaign, status: TextStatus) -> bool:
    return jobs.running(job_path(campaign, status.model))


def start(campaign: Campaign, status: TextStatus) -> bool:
    """Start embedding what the cache lacks, unless nothing does or it runs already; whether it started."""
    if campaign.encrypted or not status.model or status.complete:
        return False
    path = job_path(campaign, status.model)
    if path.exists():
        path.unlink()  # an earlier run's status: the cache lacks answers again (a model changed back)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return jobs.start(app, path, partial(_embed, campaign.slug, path), name=f"text-{campaign.slug}")


def _embed(slug: str, path: Path) -> bytes:
    status = embed_campaign(db.session, slug, on_batch=lambda _n: jobs.keep_alive(path))
    return json.dumps({"ready": status.ready, "total": status.total, "model": status.model}).encode()
