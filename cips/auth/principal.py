"""Who is signed in, and what their role lets them reach.

Flask-Login keeps only the user id in the (signed, HttpOnly) session cookie; each
request loads a small :class:`Principal` snapshot of the row, so templates and views
never hold a database object beyond the request. A session ends after
``SESSION_IDLE_MINUTES`` without a request and ``SESSION_MAX_HOURS`` after sign-in,
timed by :func:`cips.clock.now` and stamped in the cookie by :func:`start_session`. Every manager-side view declares
its roles with :func:`role_required`; ``tests/test_access.py`` walks the URL map and
fails for any non-public view that does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import LoginManager, UserMixin, current_user, login_user
from sqlmodel import select

from cips import clock
from cips.extensions import db
from cips.models import Campaign, Role, User

login_manager = LoginManager()
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal(UserMixin):
    """The signed-in user, as the views need them."""

    id: int
    email: str
    role: Role
    administration_id: int | None
    locale: str | None
    session_version: int = 0

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            user.id,
            user.email,
            user.role,
            user.administration_id,
            user.locale,  # type: ignore[arg-type]
            user.session_version,
        )

    def get_id(self) -> str:
        # What the session cookie holds: a copied cookie dies when the version is raised.
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def may_see(self, campaign: Campaign) -> bool:
        """Admins see every campaign; others only their administration's."""
        return self.is_admin or (
            self.administration_id is not None and campaign.administration_id == self.administration_id
        )


def start_session(user: User) -> None:
    """Sign ``user`` in on a new session: nothing of the anonymous one survives, its CSRF
    secret included (a token planted before sign-in must not work after it)."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's per-request copy of the old token
    login_user(Principal.of(user))
    session["auth_at"] = session["seen_at"] = int(clock.now().timestamp())


def not_activity(view: F) -> F:
    """Mark a view that pages call by themselves (a live refresh): it does not keep the
    session from expiring while nobody is at the screen."""
    view.not_activity = True  # type: ignore[attr-defined]
    return view


def _session_alive() -> bool:
    """Within both timeouts; counts this request as activity unless its view says otherwise."""
    config, now = current_app.config, int(clock.now().timestamp())
    started, seen = session.get("auth_at"), session.get("seen_at")
    if not isinstance(started, int) or not isinstance(seen, int):
        return False  # a session from before the timeouts: sign in again
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60 or now - started > config["SESSION_MAX_HOURS"] * 3600:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "not_activity", False):
        session["seen_at"] = now
    return True


def _load_user(session_id: str) -> Principal | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    if not _session_alive():
        session.clear()
        return None
    user = db.session.get(User, int(user_id))
    # A deactivated account, or a session ended by sign-out or a password change, loses
    # access at its next request, not at its next sign-in.
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return Principal.of(user)


def end_sessions(user: User) -> None:
    """Invalidate every existing session of ``user`` (committed with the caller's change)."""
    user.session_version = (user.session_version or 0) + 1


def _unauthorized() -> Any:
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error="sign in required", field=None), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    # "strong": a session cookie replayed from another browser fingerprint is dropped.
    login_manager.session_protection = "strong"


def role_required(*roles: Role) -> Callable[[F], F]:
    """Refuse anonymous users (sign-in page / 401) and other roles (403)."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403, gettext("Your role does not give access to this page."))
            return view(*args, **kwargs)

        wrapper.required_roles = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def actor() -> str:
    """How the audit log names the person acting in this request."""
    return current_user.email if current_user.is_authenticated else "anonymous"


def campaign_for(slug: str) -> Campaign:
    """The campaign ``slug`` if the signed-in user may see it; 404 otherwise.

    404 rather than 403 for another administration's campaign: a manager should not
    learn which campaigns other administrations run.
    """
    campaign = db.session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None or not current_user.may_see(campaign):
        abort(404, gettext("No such campaign."))
    return campaign
