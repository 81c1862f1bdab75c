"""Each role lands on its own home, and every page (a 403 too) keeps its navigation."""

from __future__ import annotations

import pytest
from flask import Flask

from cips.models import Role
from tests.manage.conftest import sign_in

HOMES = {Role.admin: "/admin/users", Role.manager: "/manage/", Role.enumerator: "/manage/stations",
         Role.observer: "/programme/", Role.reviewer: "/manage/review"}  # fmt: skip
#: Links of each role's navigation (and only those).
NAV = {
    Role.admin: ["/admin/users", "/admin/administrations", "/admin/audit"],
    Role.manager: ["/manage/", "/manage/briefing", "/manage/stations"],
    Role.enumerator: ["/manage/stations"],
    Role.observer: ["/programme/"],
    Role.reviewer: ["/manage/review"],
}


@pytest.mark.parametrize("role", list(Role))
def test_landing_sign_in_and_bare_address_lead_to_the_role_home(loaded: Flask, accounts, role: Role) -> None:
    client = loaded.test_client()
    response = sign_in(client, accounts[role])
    assert response.headers["Location"] == HOMES[role]
    assert client.get("/").headers["Location"] == HOMES[role]
    home = client.get(HOMES[role])
    assert home.status_code == 200
    for link in NAV[role]:
        assert f'href="{link}"' in home.text


def test_landing_anonymous_bare_address_goes_to_sign_in(loaded: Flask) -> None:
    response = loaded.test_client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", [Role.admin, Role.enumerator])
def test_landing_a_refused_page_keeps_navigation_and_sign_out(loaded: Flask, accounts, role: Role) -> None:
    client = loaded.test_client()
    sign_in(client, accounts[role])
    response = client.get("/manage/")
    assert response.status_code == 403
    assert "Your role does not give access to this page." in response.text
    assert 'action="/logout"' in response.text
    for link in NAV[role]:
        assert f'href="{link}"' in response.text
    other = {link for r, links in NAV.items() if r is not role for link in links} - set(NAV[role])
    for link in other:
        assert f'href="{link}"' not in response.text
