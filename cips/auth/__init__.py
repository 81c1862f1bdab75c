"""Sign-in for the manager side: Flask-Login sessions, roles, rate-limited login form."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from cips.auth import routes  # noqa: E402,F401
from cips.auth.principal import init_app, role_required  # noqa: E402

__all__ = ["bp", "init_app", "role_required"]
