"""``POST /api/v1/submissions``: idempotent on the client's uuid, quarantines what it refuses."""

from __future__ import annotations

import re
import sys

from flask import current_app, jsonify, request
from werkzeug.exceptions import ClientDisconnected

from cips.api import bp, ratelimit
from cips.extensions import csrf, db
from cips.submissions import ingest_body

#: The payload's device id, found without parsing the JSON (the write path parses it once,
#: later). An escaped ``\"device_id\"`` inside an answer cannot match: the quote must be bare.
DEVICE_ID = re.compile(rb'"device_id"\s*:\s*"([^"\\]{1,64})"')


def _read_body(limit: int) -> tuple[bytes, int, bool]:
    """Read at most ``limit`` bytes of the body; report the full size and truncation.

    Flask's own limit (``MAX_CONTENT_LENGTH``) would refuse a large body before we could keep
    it, so it is lifted here and the API applies its own (see ``MAX_SUBMISSION_BYTES``). Lifted
    with a number, not None: since Flask 3.1 None means "use the config value". No more than
    ``limit + 1`` bytes are read whatever the declared size, so this limit is not needed here.
    """
    request.max_content_length = sys.maxsize
    declared = request.content_length
    raw = request.stream.read(limit + 1)
    truncated = len(raw) > limit
    if truncated:
        raw = raw[:limit]
    return raw, max(declared or 0, len(raw) + (1 if truncated else 0)), truncated


def _over_rate_limit(raw: bytes):
    """Count this submission against its device and its client address (see :mod:`cips.api.ratelimit`)."""
    found = DEVICE_ID.search(raw)
    return ratelimit.refusal(found.group(1).decode("utf-8", "replace") if found else None, request.remote_addr)


@bp.post("/submissions")
@csrf.exempt  # devices authenticate records by uuid, not by a browser session
def create_submission():
    cfg = current_app.config
    try:
        raw, size, truncated = _read_body(cfg["QUARANTINE_MAX_BYTES"])
    except ClientDisconnected:
        # Nothing complete arrived: the device still holds the record and will retry.
        return jsonify(error="incomplete body", field="body"), 400
    over = _over_rate_limit(raw)
    if over is not None:
        # Not quarantined: 429 tells the device to keep the record and retry later (sync.js
        # backs off), so the body is not lost, and a flood must not fill the quarantine.
        refused, field = over
        source = "device" if field == "device_id" else "network address"
        message = f"too many submissions from this {source} (limit {refused.check.limit}), retry later"
        return jsonify(error=message, field=field), 429, {"Retry-After": str(refused.retry_after)}
    outcome = ingest_body(
        db.session, raw, request.content_type, max_bytes=cfg["MAX_SUBMISSION_BYTES"],
        body_size=size, truncated=truncated,
    )  # fmt: skip
    return jsonify(outcome.body), outcome.status


@bp.errorhandler(405)
def method_not_allowed(_exc: Exception):
    return jsonify(error="method not allowed", field=None), 405
