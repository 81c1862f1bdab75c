"""Admin forms: accounts that can work, country codes as people type them, audit search by part."""

from __future__ import annotations

from sqlmodel import Session, select

from cips.models import Administration, Role, User


def test_admin_forms_manager_without_administration_is_refused(client_as, session: Session) -> None:
    admin = client_as(Role.admin)
    for role in ("manager", "enumerator"):
        form = {
            "email": f"{role}2@example.org",
            "role": role,
            "administration": "0",
            "password": "quiet harbour lantern",
        }
        response = admin.post("/admin/users", data=form)
        assert response.status_code == 200
        assert f"a {role} account needs an administration" in response.get_data(as_text=True)
        assert session.exec(select(User).where(User.email == f"{role}2@example.org")).first() is None
    # An admin needs none; an existing manager cannot be moved out of theirs either.
    ok = admin.post("/admin/users", data={"email": "admin2@example.org", "role": "admin", "administration": "0",
                                          "password": "quiet harbour lantern"})  # fmt: skip
    assert ok.status_code == 302
    manager = session.exec(select(User).where(User.email == "manager@example.org")).one()
    response = admin.post(f"/admin/users/{manager.id}", data={"role": "manager", "administration": "0",
                                                              "is_active": "y"})  # fmt: skip
    assert "a manager account needs an administration" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, manager.id).administration_id is not None


def test_admin_forms_country_code_in_lower_case_is_stored_in_capitals(client_as, session: Session) -> None:
    response = client_as(Role.admin).post("/admin/administrations", data={"name": "Aduana AR", "country_code": " ar"})
    assert response.status_code == 302
    assert session.exec(select(Administration).where(Administration.name == "Aduana AR")).one().country_code == "AR"
    bad = client_as(Role.admin).post("/admin/administrations", data={"name": "X", "country_code": "arg"})
    assert "Two letters, e.g. AR." in bad.get_data(as_text=True)


def test_admin_forms_audit_who_matches_part_of_the_address(client_as) -> None:
    client_as(Role.manager)  # signs in: an auth.login event by manager@example.org
    admin = client_as(Role.admin)
    for who in ("manager", "MANAGER@", "example.org"):
        page = admin.get("/admin/audit", query_string={"actor": who}).get_data(as_text=True)
        assert "<td>manager@example.org</td>" in page, who
    page = admin.get("/admin/audit", query_string={"actor": "%"}).get_data(as_text=True)
    assert "<td>manager@example.org</td>" not in page  # literal, not a LIKE pattern
