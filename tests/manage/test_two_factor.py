"""Second factor: TOTP enrolment, the code step of sign-in, recovery codes, limits, audit, reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from cips.models import AuditEvent, RecoveryCode, Role, User
from cips.services import two_factor
from tests.helpers import Clock
from tests.manage.conftest import sign_in
from tests.manage.test_access import _routes

STEP = 30


class AppClock:
    """The app's clock (cips.clock), moved by hand: codes of a given step, no sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2027, 3, 1, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, steps: int = 1) -> None:
        self.now += timedelta(seconds=STEP * steps)


@pytest.fixture
def clock(loaded: Flask) -> AppClock:
    clock = AppClock()
    loaded.config["CLOCK"] = clock
    return clock


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def enrol(client: FlaskClient, clock: AppClock) -> tuple[str, list[str]]:
    """Enrol the client's user through the page; the key and the recovery codes it showed."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = client.post("/account/two-factor", data={"enrol-code": code_at(secret, clock.now)})
    assert done.status_code == 200, done.data
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == two_factor.RECOVERY_CODES
    clock.tick()  # the enrolment's step is spent
    return secret, codes


def actions(session: Session) -> list[str]:
    session.expire_all()
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_2fa_enrolment_shows_a_local_qr_code_and_stores_the_key_sealed(
    loaded: Flask, client_as, clock, session: Session
) -> None:
    client = client_as(Role.manager)
    page = client.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in html and "<script" not in html.split("</nav>")[-1]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    wrong = client.post("/account/two-factor", data={"enrol-code": "000000"})
    assert wrong.status_code == 400  # not switched on without a current code
    user = session.exec(select(User).where(User.email == "manager@example.org")).one()
    assert user.totp_secret is None
    secret, codes = enrol(client, clock)
    session.refresh(user)
    with loaded.app_context():
        assert secret not in user.totp_secret and two_factor.unseal(user.totp_secret) == secret
    rows = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(rows) == 10 and all(code not in row.code_hash for row in rows for code in codes)
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert secret not in again and "totp-secret" not in again  # never shown again
    assert {"auth.2fa_failed", "auth.2fa_enrolled"} <= set(actions(session))


def test_2fa_sign_in_asks_for_the_code_after_the_password(loaded: Flask, client_as, clock, session) -> None:
    secret, _ = enrol(client_as(Role.manager), clock)
    client = loaded.test_client()
    first = sign_in(client, "manager@example.org")
    assert first.status_code == 302 and first.headers["Location"] == "/login/code"
    assert client.get("/manage/").headers["Location"].startswith("/login")
    assert client.post("/login/code", data={"code": "123456"}).status_code == 401
    ok = client.post("/login/code", data={"code": code_at(secret, clock.now)})
    assert ok.status_code == 302 and ok.headers["Location"] == "/manage/"
    assert client.get("/manage/").status_code == 200
    assert actions(session)[-2:] == ["auth.2fa_failed", "auth.login"]


def test_2fa_half_signed_in_session_reaches_nothing(loaded: Flask, client_as, clock) -> None:
    enrol(client_as(Role.admin), clock)
    client = loaded.test_client()
    assert sign_in(client, "admin@example.org").headers["Location"] == "/login/code"
    walked = 0
    for endpoint, method, url in _routes(loaded):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/login"), endpoint
        walked += 1
    assert walked > 15


def test_2fa_code_is_not_replayed_and_drift_is_one_step(loaded: Flask, client_as, clock) -> None:
    secret, _ = enrol(client_as(Role.manager), clock)

    def attempt(code: str) -> int:
        client = loaded.test_client()
        sign_in(client, "manager@example.org")
        return client.post("/login/code", data={"code": code}).status_code

    clock.tick()  # one step before now is after the enrolment's
    now = clock.now
    assert attempt(code_at(secret, now - timedelta(seconds=2 * STEP))) == 401  # two steps late
    assert attempt(code_at(secret, now + timedelta(seconds=2 * STEP))) == 401  # two steps early
    assert attempt(code_at(secret, now - timedelta(seconds=STEP))) == 302  # a slow phone
    assert attempt(code_at(secret, now - timedelta(seconds=STEP))) == 401  # the same code again
    assert attempt(code_at(secret, now)) == 302
    assert attempt(code_at(secret, now)) == 401  # replay within its step
    clock.tick()
    assert attempt(code_at(secret, clock.now)) == 302


def test_2fa_recovery_code_works_once(loaded: Flask, client_as, clock, session) -> None:
    _, codes = enrol(client_as(Role.enumerator), clock)
    for expected in (302, 401):
        client = loaded.test_client()
        sign_in(client, "enum@example.org")
        assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == expected
    assert actions(session).count("auth.2fa_recovery_used") == 1
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.2fa_recovery_used")).one()
    assert event.details == {"left": 9}


def test_2fa_codes_are_rate_limited_per_account(loaded: Flask, client_as, clock) -> None:
    secret, _ = enrol(client_as(Role.manager), clock)
    loaded.config["TOTP_ACCOUNT_RATE_LIMIT"] = "3/minute"
    loaded.extensions["cips_counters"].clock = Clock()
    client = loaded.test_client()
    sign_in(client, "manager@example.org")
    statuses = [client.post("/login/code", data={"code": "000000"}).status_code for _ in range(3)]
    refused = client.post("/login/code", data={"code": code_at(secret, clock.now)})
    assert statuses == [401, 401, 401] and refused.status_code == 429 and "Retry-After" in refused.headers


def test_2fa_required_sends_staff_to_enrolment_first(loaded: Flask, accounts, clock, session) -> None:
    loaded.config["REQUIRE_2FA"] = True
    client = loaded.test_client()
    response = sign_in(client, "manager@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    for endpoint, method, url in _routes(loaded):
        if endpoint != "auth.two_factor":
            assert client.open(url, method=method).headers.get("Location", "").startswith("/login"), endpoint
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = client.post("/account/two-factor", data={"enrol-code": code_at(secret, clock.now)})
    assert 'href="/manage/"' in done.get_data(as_text=True)
    assert client.get("/manage/").status_code == 200
    assert "auth.2fa_enrolled" in actions(session) and actions(session)[-1] == "auth.login"


def test_2fa_removal_needs_a_code_and_is_audited(client_as, clock, session) -> None:
    client = client_as(Role.manager)
    secret, _ = enrol(client, clock)
    assert client.post("/account/two-factor", data={"remove-code": "000000"}).status_code == 200
    response = client.post("/account/two-factor", data={"remove-code": code_at(secret, clock.now)})
    assert response.headers["Location"] == "/account"
    assert client.get("/manage/").status_code == 200  # this browser stays signed in
    user = session.exec(select(User).where(User.email == "manager@example.org")).one()
    session.refresh(user)
    assert user.totp_secret is None
    assert "auth.2fa_removed" in actions(session)


def test_2fa_reset_from_the_command_line(loaded: Flask, client_as, clock, session) -> None:
    enrol(client_as(Role.manager), clock)
    runner = loaded.test_cli_runner()
    result = runner.invoke(args=["user", "reset-2fa", "Manager@example.org"])
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    client = loaded.test_client()
    assert sign_in(client, "manager@example.org").headers["Location"] == "/manage/"
    again = runner.invoke(args=["user", "reset-2fa", "manager@example.org"])
    assert again.exit_code == 1 and "has no second factor" in again.output
    missing = runner.invoke(args=["user", "reset-2fa", "nobody@example.org"])
    assert missing.exit_code == 1 and "no user with email nobody@example.org" in missing.output
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.2fa_reset")).one()
    assert event.actor == "cli" and event.target == "manager@example.org"


def test_2fa_admin_resets_a_users_factor(loaded: Flask, client_as, clock, session) -> None:
    manager = client_as(Role.manager)
    enrol(manager, clock)
    user = session.exec(select(User).where(User.email == "manager@example.org")).one()
    admin = client_as(Role.admin)
    assert "Reset the second factor" in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    response = admin.post(f"/admin/users/{user.id}/reset-2fa")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user.id}"
    session.refresh(user)
    assert user.totp_secret is None
    assert manager.get("/manage/").headers["Location"].startswith("/login")  # their sessions ended
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.2fa_reset")).one()
    assert event.actor == "admin@example.org" and event.target == "manager@example.org"
    assert admin.post("/admin/users/999999/reset-2fa").status_code == 404
