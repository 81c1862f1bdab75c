"""The ``auth`` blueprint, apart from its views so that they import it without importing the package."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
