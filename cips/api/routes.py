"""``POST /api/v1/submissions``: idempotent on the client's uuid, quarantines what it refuses."""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import ClientDisconnected

from cips.api import bp
from cips.extensions import csrf, db
from cips.submissions import ingest_body


def _read_body(limit: int) -> tuple[bytes, int, bool]:
    """Read at most ``limit`` bytes of the body; report the full size and truncation.

    Flask's own limit would refuse a large body before we could keep it, so it is
    lifted here and the API applies its own (see ``MAX_SUBMISSION_BYTES``).
    """
    request.max_content_length = None
    declared = request.content_length
    raw = request.stream.read(limit + 1)
    truncated = len(raw) > limit
    if truncated:
        raw = raw[:limit]
    return raw, max(declared or 0, len(raw) + (1 if truncated else 0)), truncated


@bp.post("/submissions")
@csrf.exempt  # devices authenticate records by uuid, not by a browser session
def create_submission():
    cfg = current_app.config
    try:
        raw, size, truncated = _read_body(cfg["QUARANTINE_MAX_BYTES"])
    except ClientDisconnected:
        # Nothing complete arrived: the device still holds the record and will retry.
        return jsonify(error="incomplete body", field="body"), 400
    outcome = ingest_body(
        db.session, raw, request.content_type, max_bytes=cfg["MAX_SUBMISSION_BYTES"],
        body_size=size, truncated=truncated,
    )  # fmt: skip
    return jsonify(outcome.body), outcome.status


@bp.errorhandler(405)
def method_not_allowed(_exc: Exception):
    return jsonify(error="method not allowed", field=None), 405
