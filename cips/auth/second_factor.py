"""The second sign-in step (``/login/code``) and enrolment (``/account/two-factor``).

After the right password, an account with a second factor (or any account, when
``REQUIRE_2FA`` is on) is only *pending*: the session holds its id under ``pending``, not
Flask-Login's user id, so ``current_user`` stays anonymous and every other page still sends it
to sign-in. Only the code step, or enrolment for an account without a factor, read it; a
pending state lasts ``PENDING_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from cips import clock
from cips.auth import throttle
from cips.auth.blueprint import bp
from cips.auth.forms import CodeForm
from cips.auth.principal import Principal, login_manager, start_session
from cips.extensions import db
from cips.models import User
from cips.services import audit, two_factor

#: Time between the password and the code (or the end of enrolment) before starting again.
PENDING_SECONDS = 600


def _private(body: str, status: int = 200, headers: dict[str, str] | None = None) -> tuple[str, int, dict]:
    # A secret, a QR code or recovery codes: no cache may keep these pages (the signed-in
    # user's no-store does not cover a pending sign-in).
    return body, status, {"Cache-Control": "no-store", **(headers or {})}


def begin(user: User, next_url: str | None, home: str) -> Any:
    """The password was right: hold ``user`` as pending and send them to the next step."""
    session.clear()
    g.pop("csrf_token", None)
    now = int(clock.now().timestamp())
    session["pending"] = {"user": user.id, "version": user.session_version, "at": now, "next": next_url or home}
    audit.record(db.session, user.email, "auth.password_ok", user.email)
    db.session.commit()
    return redirect(url_for("auth.code" if two_factor.is_enrolled(user) else "auth.two_factor"))


def _pending_user() -> User | None:
    pending = session.get("pending")
    # Signed by the server, but checked as if not: a non-number or out-of-range id is no database key.
    if not isinstance(pending, dict) or not all(type(pending.get(key)) is int for key in ("at", "user")):
        return None
    if not 0 < pending["user"] < 2**63:
        return None
    if int(clock.now().timestamp()) - pending["at"] > PENDING_SECONDS:
        session.pop("pending", None)
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_version != pending.get("version"):
        return None
    return user


def _finish(user: User, factor: str) -> Any:
    target = session["pending"]["next"]
    start_session(user)  # a new session: the pending one is gone
    audit.record(db.session, user.email, "auth.login", user.email, factor=factor)
    db.session.commit()
    return target


def _too_many(seconds: int, template: str, **context: Any) -> Any:
    flash(_("Too many codes tried: try again in %(seconds)s seconds.", seconds=seconds), "error")
    return _private(render_template(template, **context), 429, {"Retry-After": str(seconds)})


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    user = _pending_user()
    if user is None or not two_factor.is_enrolled(user):
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        wait = throttle.code_attempt(user.email)
        if wait is not None:
            return _too_many(wait, "auth/code.html", form=form)
        factor = two_factor.verify(db.session, user, form.code.data, actor=user.email)
        if factor is not None:
            throttle.code_succeeded(user.email)
            if factor == "recovery":
                flash(_("You signed in with a recovery code; it cannot be used again."), "ok")
            return redirect(_finish(user, factor))
        flash(_("Wrong code."), "error")
        return _private(render_template("auth/code.html", form=form), 401)
    return _private(render_template("auth/code.html", form=form))


@bp.route("/account/two-factor", methods=["GET", "POST"], endpoint="two_factor")
def two_factor_page():
    """Enrol (a signed-in user, or a pending one who must), or see and remove the factor."""
    pending = not current_user.is_authenticated
    user = _pending_user() if pending else db.session.get(User, current_user.id)
    if user is None:
        return login_manager.unauthorized()
    if two_factor.is_enrolled(user):
        return _enrolled(user) if not pending else redirect(url_for("auth.code"))
    form = CodeForm(prefix="enrol")
    sealed = session.get("enrol_secret")
    secret = two_factor.unseal(sealed) if isinstance(sealed, str) else None
    if form.validate_on_submit() and secret is not None:
        wait = throttle.code_attempt(user.email)
        if wait is not None:
            return _too_many(wait, "auth/two_factor.html", form=form, **_enrol_context(secret, user))
        codes = two_factor.enrol(db.session, user, secret, form.code.data, actor=user.email)
        if codes is None:
            flash(_("Wrong code: enter the code your app shows now."), "error")
            return _private(render_template("auth/two_factor.html", form=form, **_enrol_context(secret, user)), 400)
        throttle.code_succeeded(user.email)
        session.pop("enrol_secret", None)
        target = _finish(user, "enrolment") if pending else url_for("auth.account")
        return _private(render_template("auth/recovery_codes.html", codes=codes, target=target))
    # A new secret for each fresh page: one shown earlier and not confirmed is never switched on.
    secret = two_factor.new_secret()
    session["enrol_secret"] = two_factor.seal(secret)  # the cookie is signed, not secret: seal it
    return _private(render_template("auth/two_factor.html", form=form, **_enrol_context(secret, user)))


def _enrol_context(secret: str, user: User) -> dict[str, Any]:
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"secret": grouped, "qr": two_factor.qr_data_uri(secret, user.email), "user": user, "enrolled": False}


def _enrolled(user: User) -> Any:
    form = CodeForm(prefix="remove")
    required = current_app.config["REQUIRE_2FA"]
    if form.validate_on_submit() and not required:
        wait = throttle.code_attempt(user.email)
        if wait is not None:
            return _too_many(wait, "auth/two_factor.html", form=form, user=user, enrolled=True)
        # Removing the factor asks for it: a session left open must not be enough.
        if two_factor.verify(db.session, user, form.code.data, actor=user.email) is not None:
            throttle.code_succeeded(user.email)
            two_factor.remove(db.session, user, actor=user.email)
            login_user(Principal.of(user))  # this browser stays signed in; other sessions end
            flash(_("Second factor removed."), "ok")
            return redirect(url_for("auth.account"))
        flash(_("Wrong code."), "error")
    left = two_factor.recovery_codes_left(db.session, user)
    return _private(render_template("auth/two_factor.html", form=form, user=user, enrolled=True, left=left,
                                    required=required))  # fmt: skip
