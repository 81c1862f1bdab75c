"""Benchmark-only ceiling: the HTTP and JSON work of a submission, with no storage.

Registered only when ``CIPS_BENCH_ENDPOINTS=1`` (``bench/ingest.py`` sets it), so a
production app has no such route. It reads and parses the body exactly as the real
endpoint does, so the ratio real / ceiling measures the write path alone.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify

from cips.api.routes import _read_body
from cips.extensions import csrf

bp = Blueprint("bench", __name__, url_prefix="/api/v1/bench")


@bp.post("/ceiling")
@csrf.exempt
def ceiling():
    cfg = current_app.config
    raw, _size, _truncated = _read_body(cfg["MAX_SUBMISSION_BYTES"], cfg["QUARANTINE_PREFIX_BYTES"])
    data = json.loads(raw.decode("utf-8"))
    return jsonify(uuid=data.get("uuid"), status="accepted"), 201
