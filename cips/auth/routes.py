"""``/login``, ``/logout`` and ``/account`` (language, password); the code step is second_factor."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlmodel import select
from werkzeug.security import check_password_hash, generate_password_hash

from cips.auth import second_factor, throttle
from cips.auth.blueprint import bp
from cips.auth.forms import LoginForm, PasswordForm, PreferencesForm
from cips.auth.principal import Principal, actor, end_sessions, start_session
from cips.extensions import db
from cips.models import Role, User
from cips.services import audit, two_factor

# Checked when the email is unknown, so that a wrong email costs as much time as a
# wrong password and response times do not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not a real password")


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: ``next`` must not turn the sign-in page into an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(role: Role) -> str:
    """Where each role lands after signing in: the first page of its own navigation."""
    if role is Role.admin:
        return url_for("admin.users")
    if role is Role.enumerator:
        return url_for("manage.stations")
    if role is Role.observer:
        return url_for("programme.index")
    if role is Role.reviewer:
        return url_for("manage.review_campaigns")
    return url_for("manage.campaigns")


def _too_many(seconds: int, template: str, status: int = 429, **context) -> tuple[str, int, dict[str, str]]:
    flash(_("Too many password attempts: try again in %(seconds)s seconds.", seconds=seconds), "error")
    return render_template(template, **context), status, {"Retry-After": str(seconds)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        # Counted before the password is checked, for known and unknown emails alike; while
        # delayed, even the right password waits (else the delay would confirm it).
        wait = throttle.attempt(email)
        if wait is not None:
            return _too_many(wait, "auth/login.html", form=form)
        user = db.session.exec(select(User).where(User.email == email)).first()
        stored = user.password_hash if user is not None else _DUMMY_HASH
        if check_password_hash(stored, form.password.data) and user is not None and user.is_active:
            throttle.succeeded(email)
            next_url = _safe_next(request.args.get("next"))
            if two_factor.is_enrolled(user) or current_app.config["REQUIRE_2FA"]:
                return second_factor.begin(user, next_url, home_for(user.role))  # not signed in yet
            start_session(user)
            audit.record(db.session, user.email, "auth.login", user.email)
            db.session.commit()
            return redirect(next_url or home_for(user.role))
        audit.record(db.session, email[:254], "auth.login_failed", email[:254])
        db.session.commit()
        flash(_("Wrong email or password, or the account is deactivated."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    user = db.session.get(User, current_user.id)
    end_sessions(user)  # a copy of this session's cookie must not outlive the sign-out
    db.session.add(user)
    audit.record(db.session, actor(), "auth.logout", actor())
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = db.session.get(User, current_user.id)
    prefs = PreferencesForm(prefix="prefs", locale=user.locale or "")
    password = PasswordForm(prefix="pw")
    if prefs.submit.data and prefs.validate_on_submit():
        user.locale = prefs.locale.data or None
        db.session.add(user)
        audit.record(db.session, actor(), "user.preferences", user.email, locale=user.locale)
        db.session.commit()
        login_user(Principal.of(user))  # refresh the snapshot so the new language applies now
        flash(_("Preferences saved."), "ok")
        return redirect(url_for("auth.account"))
    if password.submit.data and password.validate_on_submit():
        # A stolen session must not become a way to guess the password: same counts as sign-in.
        wait = throttle.attempt(user.email, by_address=False)
        if wait is not None:
            audit.record(db.session, actor(), "user.password_delayed", user.email, retry_after=wait)
            db.session.commit()
            return _too_many(wait, "auth/account.html", prefs=prefs, password=password, user=user)
        if not check_password_hash(user.password_hash, password.current.data):
            audit.record(db.session, actor(), "user.password_wrong", user.email)
            db.session.commit()
            flash(_("The current password is wrong."), "error")
        else:
            throttle.succeeded(user.email)
            user.password_hash = generate_password_hash(password.new.data)
            end_sessions(user)  # other browsers signed in with the old password are signed out
            db.session.add(user)
            audit.record(db.session, actor(), "user.password", user.email)
            db.session.commit()
            login_user(Principal.of(user))  # this browser stays signed in, on the new version
            flash(_("Password changed."), "ok")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", prefs=prefs, password=password, user=user)
