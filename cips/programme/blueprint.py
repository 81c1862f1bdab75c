"""The ``programme`` blueprint, apart from its views so that they import it without importing the package."""

from flask import Blueprint

bp = Blueprint("programme", __name__, url_prefix="/programme")
