"""Manager side: campaigns, live fieldwork, results, exports, briefings, survey stations."""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")

from cips.manage import campaigns, dashboard, results, stations  # noqa: E402,F401
