"""Sign-in for the manager side: Flask-Login sessions, roles, rate-limited login form."""

from cips.auth import routes, second_factor  # noqa: F401  (their views attach themselves to bp)
from cips.auth.blueprint import bp
from cips.auth.principal import init_app, role_required

__all__ = ["bp", "init_app", "role_required"]
