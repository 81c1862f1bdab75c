"""One password rule (cips.services.passwords, OWASP ASVS 2.1) wherever a password is set.

12 characters or more and not a common or breached password; applied when a password is set
(CLI create and set-password, the admin's user forms, /account), never at sign-in.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from cips.models import Role, User
from cips.services.passwords import secret_problem
from tests.manage.conftest import PASSWORD, sign_in

#: Refused, each for a reason the person can act on (the reason's words, in English).
WEAK = {
    "short pass": "at least 12 characters",
    "password1234": "one of the most common passwords",
    "1q2w3e4r5t6y": "one of the most common passwords",
    "iloveyou2024": "common password",
    "P@ssw0rd2026!": "common password",
    "Summer2024!!": "common password",
    "Aduana2026!!": "a word of this service",
    "Alfandega2026!": "a word of this service",
    "qwertyuiop[]": "keyboard pattern",
    "abcdefghijklmn": "sequence",
    "zzzzzzzzzzzzzzzz": "repeats",
    "x" * 201: "at most 200 characters",
}


@pytest.mark.parametrize(("secret", "reason"), WEAK.items())
def test_password_rule_refuses_short_common_and_patterned_secrets(secret: str, reason: str) -> None:
    problem = secret_problem(secret)
    assert problem is not None and reason in problem, problem


def test_password_rule_refuses_a_password_built_on_the_account_email() -> None:
    assert secret_problem("ana.lima.2026", ["ana.lima@aduana.example"]) is not None
    assert "email address or name" in secret_problem("aduana.lima.ana", ["ana.lima@aduana.example"])
    assert secret_problem("quiet harbour lantern", ["ana.lima@aduana.example"]) is None


@pytest.mark.parametrize("secret", ["quiet harbour lantern", "correct horse battery", "Tr0ub4dor&3 stapler",
                                    "x7#Lq9!vR2@m", "mi gato duerme en la aduana"])  # fmt: skip
def test_password_rule_accepts_long_unusual_secrets(secret: str) -> None:
    assert secret_problem(secret) is None


def test_password_cli_create_and_set_password_refuse_weak_passwords(runner, session: Session) -> None:
    weak = runner.invoke(args=["user", "create", "a@b.org", "--role", "admin", "--password", "password1234"])
    assert weak.exit_code == 2 and "Invalid value for password" in weak.output
    assert "one of the most common passwords" in weak.output
    assert session.exec(select(User)).first() is None
    short = runner.invoke(args=["user", "create", "a@b.org", "--role", "admin", "--password", "ten chars!"])
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    assert runner.invoke(args=["user", "create", "a@b.org", "--role", "admin", "--password", "quiet harbour lantern"]
                         ).exit_code == 0  # fmt: skip
    refused = runner.invoke(args=["user", "set-password", "a@b.org", "--password", "qwertyuiop[]"])
    assert refused.exit_code == 2 and "keyboard pattern" in refused.output
    user = session.exec(select(User)).one()
    assert check_password_hash(user.password_hash, "quiet harbour lantern")  # unchanged


def test_password_admin_form_refuses_weak_passwords_in_the_admins_language(client_as, session: Session) -> None:
    admin = client_as(Role.admin)
    # An admin account needs no administration, so only the password decides here.
    form = {"email": "new@example.org", "role": "admin", "administration": "0", "password": "iloveyou2024"}
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 200 and "built on a common password" in response.get_data(as_text=True)
    french = admin.post("/admin/users", data=form, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "mot de passe courant" in french, french[:2000]
    assert "12 caractères ou plus" in admin.get("/admin/users", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)  # fmt: skip
    assert session.exec(select(User).where(User.email == "new@example.org")).first() is None
    assert admin.post("/admin/users", data=dict(form, password="quiet harbour lantern")).status_code == 302
    user = session.exec(select(User).where(User.email == "new@example.org")).one()
    edit = {"role": "admin", "administration": "0", "is_active": "y", "password": "new@example.org"}
    refused = admin.post(f"/admin/users/{user.id}", data=edit)
    assert refused.status_code == 200 and "contains the account" in refused.get_data(as_text=True)
    session.refresh(user)
    assert check_password_hash(user.password_hash, "quiet harbour lantern")


def test_password_account_change_refuses_weak_passwords(client_as, accounts, loaded) -> None:
    client = client_as(Role.manager)
    form = {"pw-current": PASSWORD, "pw-new": "manager@example.org1", "pw-confirm": "manager@example.org1",
            "pw-submit": "y"}  # fmt: skip
    refused = client.post("/account", data=form)
    assert refused.status_code == 200 and "email address or name" in refused.get_data(as_text=True)
    assert sign_in(loaded.test_client(), accounts[Role.manager]).status_code == 302  # the old one still works
    spanish = client.post("/account", data=dict(form, **{"pw-new": "abc", "pw-confirm": "abc"}),
                          headers={"Accept-Language": "es"}).get_data(as_text=True)  # fmt: skip
    assert "al menos 12 caracteres" in spanish


def test_password_rule_does_not_lock_out_older_short_passwords(loaded, session: Session) -> None:
    """Set before the rule (10 characters was the minimum): still signs in; the rule applies on change."""
    session.add(User(email="old@example.org", role=Role.manager, password_hash=generate_password_hash("0123456789")))
    session.commit()
    response = sign_in(loaded.test_client(), "old@example.org", "0123456789")
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
