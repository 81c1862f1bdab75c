"""Manager side: campaigns, live fieldwork, results, exports, briefings, survey stations."""

from flask import Blueprint

from analysis.privacy import suppress

bp = Blueprint("manage", __name__, url_prefix="/manage")
# Templates apply the small-cell rule through the same function as the code (macro ``count``).
bp.add_app_template_global(suppress, "suppress")

from cips.manage import campaigns, dashboard, results, stations  # noqa: E402,F401
