"""Manager-side fixtures: one account per role, and test clients signed in as each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from cips.models import Role, UserCreate
from cips.services.campaigns import get_or_create_administration
from cips.services.users import create_user

PASSWORD = "correct horse battery"
EMAILS = {Role.admin: "admin@example.org", Role.manager: "manager@example.org", Role.enumerator: "enum@example.org",
          Role.observer: "observer@example.org",
          Role.reviewer: "reviewer@example.org"}  # fmt: skip


@pytest.fixture
def accounts(loaded: Flask, session: Session, tmp_path) -> dict[Role, str]:
    """An admin, a programme observer, and a manager and an enumerator of the ``test`` campaign's administration."""
    loaded.config["REPORT_CACHE_DIR"] = str(tmp_path / "report_cache")
    # Background jobs (report, briefing) run within the request; tests of the background turn it off.
    loaded.config["JOBS_SYNC"] = True
    admin_id = get_or_create_administration(session, "Test Customs").id
    for role, email in EMAILS.items():
        data = UserCreate(email=email, role=role, password=PASSWORD,
                          administration_id=None if role in (Role.admin, Role.observer) else admin_id)  # fmt: skip
        create_user(session, data, actor="test")
    return EMAILS


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def client_as(loaded: Flask, accounts: dict[Role, str]) -> Callable[[Role], FlaskClient]:
    def make(role: Role) -> FlaskClient:
        client = loaded.test_client()
        response = sign_in(client, accounts[role])
        assert response.status_code == 302, response.data
        return client

    return make
