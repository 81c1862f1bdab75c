"""The programme's view (observer role): imported aggregates of many administrations, nothing else."""

from flask import Blueprint

bp = Blueprint("programme", __name__, url_prefix="/programme")

from cips.programme import routes  # noqa: E402,F401
