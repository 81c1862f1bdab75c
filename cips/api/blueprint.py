"""The ``api`` blueprint, apart from its views so that they import it without importing the package."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
