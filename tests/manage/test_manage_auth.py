"""Sign-in, rate limit, CSRF, security headers, audit log, translations, escaping."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlmodel import Session, select

from cips.models import Administration, AuditEvent, Role, User
from cips.services.audit import AuditLogIsAppendOnly
from tests.helpers import Clock, officials_answers, payload
from tests.manage.conftest import PASSWORD, sign_in


def test_auth_sign_in_and_failures_are_audited(loaded: Flask, accounts, session: Session) -> None:
    client = loaded.test_client()
    bad = sign_in(client, accounts[Role.manager], "wrong password!")
    assert bad.status_code == 401 and b"Wrong email or password" in bad.data
    assert sign_in(client, "nobody@example.org").status_code == 401
    ok = sign_in(client, accounts[Role.manager])
    assert ok.status_code == 302 and ok.headers["Location"] == "/manage/"
    actions = [(e.action, e.target) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert ("auth.login_failed", "manager@example.org") in actions
    assert ("auth.login_failed", "nobody@example.org") in actions
    assert ("auth.login", "manager@example.org") in actions


def test_auth_next_parameter_cannot_redirect_elsewhere(loaded: Flask, accounts) -> None:
    client = loaded.test_client()
    response = client.post("/login?next=//evil.example/x", data={"email": accounts[Role.manager],
                                                                   "password": PASSWORD})  # fmt: skip
    assert response.headers["Location"] == "/manage/"
    client = loaded.test_client()
    response = client.post("/login?next=/manage/stations", data={"email": accounts[Role.manager],
                                                                   "password": PASSWORD})  # fmt: skip
    assert response.headers["Location"] == "/manage/stations"


def test_auth_login_is_rate_limited(loaded: Flask, accounts) -> None:
    loaded.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    loaded.extensions["cips_counters"].clock = Clock()  # all four in the same minute
    client = loaded.test_client()
    codes = [sign_in(client, accounts[Role.manager], "wrong password!").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert client.get("/login").status_code == 200  # only attempts are limited, not the page


def test_auth_deactivated_user_loses_access_at_next_request(client_as, session: Session) -> None:
    client = client_as(Role.manager)
    assert client.get("/manage/").status_code == 200
    user = session.exec(select(User).where(User.email == "manager@example.org")).one()
    user.is_active = False
    session.add(user)
    session.commit()
    assert client.get("/manage/").status_code == 302


def test_auth_admin_manages_users_and_changes_are_audited(client_as, session: Session) -> None:
    admin = client_as(Role.admin)
    office = str(session.exec(select(Administration.id)).first())  # enumerators and managers need one
    response = admin.post("/admin/users", data={"email": "New@Example.org", "role": "enumerator",
                                                 "administration": office, "password": "long enough pw"})  # fmt: skip
    assert response.status_code == 302
    user = session.exec(select(User).where(User.email == "new@example.org")).one()
    response = admin.post(f"/admin/users/{user.id}", data={"role": "manager", "administration": office,
                                                           "is_active": "", "password": ""})  # fmt: skip
    assert response.status_code == 302
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.details == {"role": "manager", "is_active": False} and event.actor == "admin@example.org"
    log = admin.get("/admin/audit?action=user.").get_data(as_text=True)
    assert "<code>user.update</code>" in log and "<code>user.create</code>" in log
    assert "<code>auth.login</code>" not in log


def test_auth_audit_log_is_append_only(loaded: Flask, accounts, session: Session) -> None:
    event = session.exec(select(AuditEvent)).first()
    event.action = "tampered"
    session.add(event)
    with pytest.raises(AuditLogIsAppendOnly):
        session.commit()
    session.rollback()
    session.delete(session.exec(select(AuditEvent)).first())
    with pytest.raises(AuditLogIsAppendOnly):
        session.commit()
    session.rollback()
    delete_routes = [r for r in loaded.url_map.iter_rules() if "audit" in r.rule and r.methods & {"POST", "DELETE"}]
    assert delete_routes == []


def test_auth_csrf_token_is_required(database_url: str, loaded: Flask, accounts) -> None:
    from cips import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k", "WTF_CSRF_ENABLED": True,
                      "FORMS_DIR": loaded.config["FORMS_DIR"]})  # fmt: skip
    try:
        client = app.test_client()
        refused = client.post("/login", data={"email": accounts[Role.manager], "password": PASSWORD})
        assert refused.status_code == 400 and b"CSRF" in refused.data
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data).group(1)
        signed = client.post("/login", data={"email": accounts[Role.manager], "password": PASSWORD,
                                             "csrf_token": token.decode()})  # fmt: skip
        assert signed.status_code == 302
        assert client.post("/manage/campaigns/test/status", data={"status": "closed"}).status_code == 400
        assert client.post("/logout").status_code == 400
        # The device API is exempt: tablets authenticate records by uuid, not by a browser session.
        assert client.post("/api/v1/submissions", json=payload()).status_code == 201
    finally:
        app.extensions["cips_engine"].dispose()


def test_auth_security_headers_and_cookie_flags(loaded: Flask, accounts) -> None:
    client = loaded.test_client()
    response = sign_in(client, accounts[Role.manager])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for url in ("/manage/", "/login", "/s/test"):
        page = client.get(url)
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["X-Frame-Options"] == "DENY"


def test_auth_interface_language_follows_browser_then_preference(client_as, loaded: Flask) -> None:
    anonymous = loaded.test_client()
    assert "Se connecter" in anonymous.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Iniciar sesión" in anonymous.get("/login", headers={"Accept-Language": "es-AR"}).get_data(as_text=True)
    client = client_as(Role.manager)
    assert client.post("/account", data={"prefs-locale": "pt", "prefs-submit": "y"}).status_code == 302
    page = client.get("/manage/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Campanhas" in page and 'lang="pt"' in page


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_auth_stored_text_is_escaped_in_every_page(client_as, loaded: Flask, session: Session) -> None:
    device = loaded.test_client()
    for _ in range(6):
        answers = dict(officials_answers(), open_change_first=f"Rotation {XSS}")
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201
    device.post("/api/v1/submissions", json=dict(payload(), campaign="test", language=XSS))  # quarantined
    sign_in(loaded.test_client(), "<script>alert(1)</script>@x.org")  # a failed sign-in, in the audit log
    manager = client_as(Role.manager)
    pages = {url: manager.get(url).get_data(as_text=True) for url in (
        "/manage/", "/manage/campaigns/test", "/manage/campaigns/test/dashboard", "/manage/stations",
        "/manage/campaigns/test/report/view?lang=en")}  # fmt: skip
    pages["/admin/audit"] = client_as(Role.admin).get("/admin/audit").get_data(as_text=True)
    for url, html in pages.items():
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
    assert "&lt;script&gt;alert" in pages["/manage/campaigns/test/report/view?lang=en"]
    assert "&lt;script&gt;alert" in pages["/admin/audit"]


def test_auth_demo_prints_working_accounts_once_per_role(app: Flask, runner) -> None:
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "--responses", "5", "--seed", "3"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line.split()[2] for line in result.output.splitlines() if "@demo.cips" in line}
    assert set(lines) == {"admin@demo.cips", "manager@demo.cips", "enumerator@demo.cips", "reviewer@demo.cips"}
    again = runner.invoke(args=["demo", "--if-empty"])  # `make run` on the next start: same accounts
    assert "manager@demo.cips" in again.output and lines["manager@demo.cips"] in again.output
    client = app.test_client()
    assert sign_in(client, "manager@demo.cips", lines["manager@demo.cips"]).headers["Location"] == "/manage/"
    assert b"/manage/campaigns/demo" in client.get("/manage/").data
    reviewer = app.test_client()
    assert sign_in(reviewer, "reviewer@demo.cips", lines["reviewer@demo.cips"]).headers["Location"] == "/manage/review"
    assert b"/manage/campaigns/demo/review/answers" in reviewer.get("/manage/review").data


def test_auth_sign_out_and_password_change_end_copied_sessions(client_as, loaded: Flask) -> None:
    client = client_as(Role.manager)
    copy = loaded.test_client()  # the same session cookie, replayed by someone else
    cookie = client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/manage/").status_code == 200
    changed = client.post("/account", data={"pw-current": PASSWORD, "pw-new": "another long password",
                                            "pw-confirm": "another long password", "pw-submit": "y"})  # fmt: skip
    assert changed.status_code == 302
    assert client.get("/manage/").status_code == 200  # this browser stays signed in
    assert copy.get("/manage/").status_code == 302  # the copy is signed out
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/manage/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert copy.get("/manage/").status_code == 302  # signing out ends every copy of the session
