"""Respondent side: the survey at /s/<campaign>."""

from flask import Blueprint

bp = Blueprint("survey", __name__, url_prefix="/s", template_folder="templates")

from cips.survey import routes  # noqa: E402,F401
