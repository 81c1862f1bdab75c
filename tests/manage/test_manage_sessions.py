"""Sessions: idle and absolute timeouts, a new session (and CSRF secret) at sign-in, no caching."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cips.models import Role
from tests.helpers import payload
from tests.manage.conftest import PASSWORD, sign_in

START = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(loaded: Flask) -> Callable[..., datetime]:
    """The app's clock, moved by ``clock(minutes=…)``; no test sleeps."""
    now = [START]

    def move(**delta: float) -> datetime:
        now[0] += timedelta(**delta)
        return now[0]

    loaded.config["CLOCK"] = lambda: now[0]
    return move


def _signed_in(loaded: Flask, accounts) -> FlaskClient:
    client = loaded.test_client()
    assert sign_in(client, accounts[Role.manager]).status_code == 302
    return client


def test_session_ends_after_idle_minutes(loaded: Flask, accounts, clock) -> None:
    loaded.config["SESSION_IDLE_MINUTES"] = 30
    client = _signed_in(loaded, accounts)
    clock(minutes=29)
    assert client.get("/manage/").status_code == 200
    clock(minutes=29)  # 58 minutes after sign-in, 29 after the last request: still alive
    assert client.get("/manage/").status_code == 200
    clock(minutes=31)
    gone = client.get("/manage/")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    clock(minutes=1)  # and it does not come back
    assert client.get("/manage/").status_code == 302


def test_session_ends_after_max_hours_however_active(loaded: Flask, accounts, clock) -> None:
    loaded.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=12)
    client = _signed_in(loaded, accounts)
    for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 h 40
        clock(minutes=20)
        assert client.get("/manage/").status_code == 200
    clock(minutes=21)
    assert client.get("/manage/").status_code == 302
    assert sign_in(client, accounts[Role.manager]).status_code == 302  # signing in again starts over
    assert client.get("/manage/").status_code == 200


def test_session_live_dashboard_refresh_is_not_activity(loaded: Flask, accounts, clock) -> None:
    loaded.config["SESSION_IDLE_MINUTES"] = 30
    client = _signed_in(loaded, accounts)
    for _ in range(3):  # the open dashboard refreshing itself while nobody is there
        clock(minutes=10)
        assert client.get("/manage/campaigns/test/dashboard/live").status_code == 200
    clock(minutes=1)
    assert client.get("/manage/campaigns/test/dashboard/live").status_code == 302


def test_session_from_before_the_timeouts_is_refused(loaded: Flask, accounts) -> None:
    client = _signed_in(loaded, accounts)
    with client.session_transaction() as stored:
        del stored["auth_at"], stored["seen_at"]  # a cookie signed before sign-in times were kept
    assert client.get("/manage/").status_code == 302


def test_session_sign_in_starts_a_new_session(loaded: Flask, accounts) -> None:
    client = loaded.test_client()
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"  # e.g. a cookie fixed before the manager signs in
    assert sign_in(client, accounts[Role.manager]).status_code == 302
    with client.session_transaction() as after:
        assert "planted" not in after and after["_user_id"]


def test_session_csrf_token_from_before_sign_in_is_refused_after(database_url: str, loaded: Flask, accounts) -> None:
    from cips import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k", "WTF_CSRF_ENABLED": True,
                      "FORMS_DIR": loaded.config["FORMS_DIR"]})  # fmt: skip
    token_of = re.compile(rb'csrf_token" type="hidden" value="([^"]+)"')
    try:
        client = app.test_client()
        old = token_of.search(client.get("/login").data).group(1).decode()
        signed = client.post("/login", data={"email": accounts[Role.manager], "password": PASSWORD, "csrf_token": old})
        assert signed.status_code == 302
        refused = client.post("/account", data={"prefs-locale": "fr", "prefs-submit": "y", "csrf_token": old})
        assert refused.status_code == 400 and b"CSRF" in refused.data
        new = token_of.search(client.get("/account").data).group(1).decode()
        assert new != old
        saved = client.post("/account", data={"prefs-locale": "fr", "prefs-submit": "y", "prefs-csrf_token": new})
        assert saved.status_code == 302
    finally:
        app.extensions["cips_engine"].dispose()


def test_session_pages_and_downloads_of_signed_in_users_are_never_cached(client_as, loaded: Flask) -> None:
    device = loaded.test_client()
    for _ in range(6):
        assert device.post("/api/v1/submissions", json=payload()).status_code == 201
    manager = client_as(Role.manager)
    responses = {url: manager.get(url) for url in (
        "/manage/", "/account", "/manage/campaigns/test", "/manage/campaigns/test/dashboard",
        "/manage/campaigns/test/dashboard/live", "/manage/campaigns/test/fieldwork.json",
        "/manage/campaigns/test/report/view?lang=en", "/manage/campaigns/test/report.pdf?lang=en",
        "/manage/stations", "/s/test")}  # fmt: skip
    form = {"format": "csv", "lang": "en", "instrument": "", "where": ""}
    responses["export"] = manager.post("/manage/campaigns/test/export", data=form)
    responses["/admin/users"] = client_as(Role.admin).get("/admin/users")
    for url, response in responses.items():
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in manager.get("/s/_static/css/app.css").headers.get("Cache-Control", "")
