"""``POST /api/v1/submissions``: idempotent on the client's uuid, quarantines what it refuses."""

from __future__ import annotations

import re
import sys

from flask import current_app, jsonify, request
from werkzeug.exceptions import ClientDisconnected

from cips.api import ratelimit
from cips.api.blueprint import bp
from cips.extensions import csrf, db
from cips.submissions import budget, ingest_body

#: The payload's device id, found without parsing the JSON (the write path parses it once,
#: later). An escaped ``\"device_id\"`` inside an answer cannot match: the quote must be bare.
DEVICE_ID = re.compile(rb'"device_id"\s*:\s*"([^"\\]{1,64})"')


def _read_body(max_bytes: int, prefix: int) -> tuple[bytes, int, bool]:
    """The body, or only the first ``prefix`` bytes of one over ``max_bytes``; its full size; truncated or not.

    A body over the limit can never be a valid record, so only a prefix is kept for the
    quarantine (enough to tell which device and campaign sent it): a large upload must not
    fill the disk. What lies beyond is not read when the declared size says it is over.
    Flask's own limit (``MAX_CONTENT_LENGTH``) would refuse a large body before it could be
    quarantined, so it is lifted here (with a number: since Flask 3.1 None means "use the
    config value"); no more than ``max_bytes + 1`` bytes are ever read.
    """
    request.max_content_length = sys.maxsize
    declared = request.content_length or 0
    if declared > max_bytes:
        raw = request.stream.read(prefix)
        return raw, declared, declared > len(raw)
    raw = request.stream.read(max_bytes + 1)
    if len(raw) > max_bytes:  # sent without (or with a false) Content-Length
        return raw[:prefix], max(declared, len(raw)), len(raw) > prefix
    return raw, len(raw), False


def _over_rate_limit(raw: bytes):
    """Count this submission against its device and its client address (see :mod:`cips.api.ratelimit`)."""
    found = DEVICE_ID.search(raw)
    return ratelimit.refusal(found.group(1).decode("utf-8", "replace") if found else None, request.remote_addr)


@bp.post("/submissions")
@csrf.exempt  # devices authenticate records by uuid, not by a browser session
def create_submission():
    cfg = current_app.config
    try:
        raw, size, truncated = _read_body(cfg["MAX_SUBMISSION_BYTES"], cfg["QUARANTINE_PREFIX_BYTES"])
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
        body_size=size, truncated=truncated, budget=budget.for_request(request.remote_addr),
    )  # fmt: skip
    return jsonify(outcome.body), outcome.status, outcome.headers


@bp.errorhandler(405)
def method_not_allowed(_exc: Exception):
    return jsonify(error="method not allowed", field=None), 405
