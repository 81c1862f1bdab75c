"""The admin form and `cips user create` apply one email rule (cips.services.users.EMAIL)."""

from __future__ import annotations

from sqlmodel import Session, select

from cips.models import Role, User


def test_admin_users_form_refuses_an_address_without_a_domain(client_as, session: Session) -> None:
    admin = client_as(Role.admin)
    form = {"email": "a@b", "role": "admin", "administration": "0", "password": "quiet harbour lantern"}
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 200 and b"Enter an email address." in response.data
    assert session.exec(select(User).where(User.email == "a@b")).first() is None
    assert admin.post("/admin/users", data=dict(form, email="a@b.example.org")).status_code == 302
