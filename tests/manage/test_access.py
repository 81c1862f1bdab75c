"""Every non-public route refuses anonymous users and the wrong roles (walks the URL map)."""

from __future__ import annotations

import pytest
from flask import Flask

from cips.models import Role
from tests.manage.conftest import sign_in

#: Reachable without signing in: respondents' side, device API, sign-in itself.
PUBLIC_ENDPOINTS = {"static", "healthz", "index", "auth.login", "auth.code"}
PUBLIC_BLUEPRINTS = ("survey.", "api.", "bench.")
#: Any signed-in user (their own account).
ANY_ROLE = {"auth.logout", "auth.account", "auth.two_factor"}
SAMPLE_ARGS = {"slug": "test", "user_id": 1, "instrument": "officials", "filename": "x", "job_id": "x", "fmt": "xlsx",
               "questionnaire": "officials", "briefing_id": 1}  # fmt: skip


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith(PUBLIC_BLUEPRINTS):
            continue
        url = rule.build({arg: SAMPLE_ARGS[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_access_every_manager_route_declares_its_roles(app: Flask) -> None:
    undeclared = [
        endpoint for endpoint, _, _ in _routes(app)
        if endpoint not in ANY_ROLE and not hasattr(app.view_functions[endpoint], "required_roles")
    ]  # fmt: skip
    assert undeclared == []
    assert len(_routes(app)) > 15  # the walk really covers the manager side


def test_access_anonymous_users_are_sent_to_sign_in(loaded: Flask) -> None:
    client = loaded.test_client()
    for endpoint, method, url in _routes(loaded):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/login"), endpoint
        json_response = client.open(url, method=method, headers={"Accept": "application/json"})
        assert json_response.status_code == 401, endpoint
        assert json_response.json["error"] == "sign in required"


@pytest.mark.parametrize("role", list(Role))
def test_access_wrong_roles_get_403_and_right_roles_get_in(loaded: Flask, accounts, role: Role) -> None:
    client = loaded.test_client()
    assert sign_in(client, accounts[role]).status_code == 302
    checked = 0
    for endpoint, method, url in _routes(loaded):
        if endpoint == "auth.logout":
            continue  # would end the session under test
        allowed = ANY_ROLE | {e for e, _, _ in _routes(loaded)
                              if role in getattr(loaded.view_functions[e], "required_roles", ())}  # fmt: skip
        response = client.open(url, method=method)
        if endpoint in allowed:
            assert response.status_code not in (401, 403), (role, endpoint, method)
            assert not response.headers.get("Location", "").startswith("/login"), (role, endpoint)
        else:
            assert response.status_code == 403, (role, endpoint, method, response.status_code)
        checked += 1
    assert checked > 15


def test_access_matrix_matches_the_roles_of_the_issue(app: Flask) -> None:
    roles = {e: getattr(app.view_functions[e], "required_roles", None) for e, _, _ in _routes(app)}
    assert roles["admin.users"] == {Role.admin}
    assert roles["admin.audit_log"] == {Role.admin}
    assert roles["manage.export"] == {Role.manager}
    assert roles["manage.dashboard"] == {Role.manager}
    assert Role.enumerator in roles["manage.campaign_pin"]
    assert Role.enumerator in roles["manage.stations"]
    assert Role.enumerator not in roles["manage.new_campaign"]
    assert roles["programme.index"] == {Role.observer}
    assert all(Role.observer not in r for e, r in roles.items() if r and not e.startswith("programme."))
    # A reviewer codes open answers, and reaches nothing else: no settings, no exports.
    reviewer = {e for e, r in roles.items() if r and Role.reviewer in r}
    assert reviewer == {"manage.review_campaigns", "manage.review_answers", "manage.review_answers_decide",
                        "manage.saved_briefing", "manage.briefing_review", "manage.briefing_review_decide"}  # fmt: skip
    assert roles["manage.saved_briefing_build"] == {Role.manager}  # building is an output: managers only
    assert roles["manage.review_second_coding"] == {Role.manager}
