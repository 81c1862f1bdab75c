"""JSON API used by tablets and the PWA: submissions in, campaign documents out."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from cips.api import campaigns, routes  # noqa: E402,F401  (routes attach themselves to bp)
