"""Bad input to the CLI gives a message naming what is wrong and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select
from werkzeug.security import check_password_hash

from cips import create_app
from cips.models import Administration, AuditEvent, Campaign, User
from tests.conftest import FORMS_DIR
from tests.helpers import payload

BASE = ["campaign", "create", "x2", "--name", "X", "--administration", "Test Customs", "--instrument", "officials"]


def _refused(result, message: str) -> None:
    """Exit code 1 from a ClickException (or 2 from a usage error) with the message; no traceback."""
    assert result.exit_code in (1, 2), result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert message in result.output, result.output


def test_cli_campaign_create_refuses_slugs_that_are_not_link_safe(loaded, runner, session) -> None:
    for slug in ("Bad Slug", "café", "s/../x", "nl\n", "x_y", "a" * 65):
        _refused(runner.invoke(args=["campaign", "create", slug, *BASE[3:]]), "lower-case letters, digits and hyphens")
    assert [c.slug for c in session.exec(select(Campaign))] == ["test"]


def test_cli_campaign_create_refuses_missing_or_repeated_languages_and_blank_names(loaded, runner, session) -> None:
    cases = {
        ("--languages", ""): "at least one language",
        ("--languages", " , "): "at least one language",
        ("--languages", "fr,fr"): "fr is listed more than once",
    }
    for extra, message in cases.items():
        _refused(runner.invoke(args=[*BASE, *extra]), message)
    blank_name = ["campaign", "create", "x2", "--name", " ", "--administration", "A", "--instrument", "officials"]
    _refused(runner.invoke(args=blank_name), "name must not be empty")
    blank_admin = ["campaign", "create", "x2", "--name", "X", "--administration", "", "--instrument", "officials"]
    _refused(runner.invoke(args=blank_admin), "administration must not be empty")
    assert session.exec(select(Campaign).where(Campaign.slug == "x2")).first() is None
    assert all(a.name.strip() for a in session.exec(select(Administration)))


def test_cli_campaign_create_refuses_impossible_strata_and_huge_targets(loaded, runner) -> None:
    both = runner.invoke(args=[*BASE, "--quota", "officials:bg_region=north,bg_region=south:10"])
    _refused(both, "'bg_region' appears more than once")
    huge = runner.invoke(args=[*BASE, "--quota", "officials:bg_region=north:99999999999999999999999"])
    _refused(huge, "1,000,000")
    north = "officials:bg_region=north"
    twice = runner.invoke(args=[*BASE, "--quota", f"{north}:10", "--quota", f"{north}:20"])
    _refused(twice, "has a target already")
    assert runner.invoke(args=[*BASE, "--quota", "officials:bg_region=north:1000000"]).exit_code == 0


def test_cli_campaign_create_refuses_strata_levels_that_share_totals(loaded, runner) -> None:
    # Regions and regions × functions: a region's hidden joint cell = its shown total − the others.
    region, joint = "officials:bg_region=north:10", "officials:bg_region=north,bg_function=clearance:5"
    _refused(runner.invoke(args=[*BASE, "--quota", region, "--quota", joint]), "overlap")


def test_cli_user_create_refuses_addresses_nobody_can_sign_in_with(runner, session) -> None:
    for email in ("bad", "a@b", "a b@example.org", "a@@example.org"):
        result = runner.invoke(
            args=["user", "create", email, "--role", "manager", "--password", "quiet harbour lantern"]
        )
        _refused(result, "not an email address")
    blank = runner.invoke(args=["user", "create", "a@b.org", "--role", "manager", "--administration", " ",
                                "--password", "quiet harbour lantern"])  # fmt: skip
    _refused(blank, "administration name must not be empty")
    assert session.exec(select(User)).first() is None
    assert session.exec(select(Administration)).first() is None


def test_cli_user_set_password_replaces_the_hash(runner, session) -> None:
    created = runner.invoke(
        args=["user", "create", "a@b.org", "--role", "admin", "--password", "quiet harbour lantern"]
    )
    assert created.exit_code == 0, created.output
    result = runner.invoke(args=["user", "set-password", "A@b.org"], input="another passphrase\nanother passphrase\n")
    assert result.exit_code == 0, result.output
    user = session.exec(select(User)).one()
    session.refresh(user)
    assert check_password_hash(user.password_hash, "another passphrase")
    _refused(
        runner.invoke(args=["user", "set-password", "nobody@b.org", "--password", "quiet harbour lantern"]), "no user"
    )


def test_cli_db_unknown_revision_is_a_message(runner) -> None:
    _refused(runner.invoke(args=["db", "upgrade", "nonsense"]), "'nonsense'")
    _refused(runner.invoke(args=["db", "downgrade", "nonsense"]), "'nonsense'")


def test_cli_export_and_report_to_a_missing_folder_are_refused_first(loaded, runner, client, session,
                                                                      tmp_path: Path) -> None:  # fmt: skip
    for _ in range(5):
        assert client.post("/api/v1/submissions", json=payload()).status_code == 201
    out = tmp_path / "missing" / "x.csv"
    export = runner.invoke(args=["export", "test", "--format", "csv", "--instrument", "officials", "--out", str(out)])
    _refused(export, "does not exist")
    # Checked before building: nothing audited as exported that was not written.
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "campaign.export")).first() is None
    _refused(runner.invoke(args=["report", "test", "--out", str(tmp_path / "missing" / "r.html")]), "does not exist")


@pytest.mark.parametrize("kind", ["unreachable", "not migrated"])
def test_cli_database_that_cannot_be_used_is_a_message(kind: str, tmp_path: Path) -> None:
    if kind == "unreachable":  # a port of this helper's range where nothing listens
        url, message = "postgresql+psycopg://cips:s3cret@127.0.0.1:5459/none", "cips:***@127.0.0.1:5459"
    else:
        url, message = f"sqlite:///{tmp_path / 'empty.sqlite3'}", "cips db upgrade"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", "FORMS_DIR": str(FORMS_DIR)})
    try:
        result = app.test_cli_runner().invoke(args=["campaign", "list"])
    finally:
        app.extensions["cips_engine"].dispose()
    _refused(result, "cannot use the database")
    assert message in result.output and "s3cret" not in result.output


def test_cli_garbage_database_url_is_a_message() -> None:
    # The app cannot even be made here, so this goes through the `cips` entry point itself.
    from cips.cli import main

    result = CliRunner().invoke(main, ["campaign", "list"], env={"CIPS_DATABASE_URL": "garbage"})
    _refused(result, "CIPS_DATABASE_URL is not a database URL")


def test_cli_demo_accounts_whose_password_is_unknown_are_named(runner, app) -> None:
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    first = runner.invoke(args=["demo", "--responses", "0", "--base-url", "https://survey.example.org/"])
    assert first.exit_code == 0, first.output
    assert "https://survey.example.org/login" in first.output and "127.0.0.1" not in first.output
    Path(app.config["DEMO_ACCOUNTS_FILE"]).unlink()  # e.g. made by another instance folder
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0, again.output
    for email in ("admin@demo.cips", "manager@demo.cips", "enumerator@demo.cips"):
        line = next(line for line in again.output.splitlines() if email in line)
        assert "password not known" in line
    assert "cips user set-password" in again.output


def test_cli_demo_accounts_file_belongs_to_its_database(app, tmp_path: Path) -> None:
    from cips.cli.demo import demo_accounts_file

    app.config["DEMO_ACCOUNTS_FILE"] = None
    with app.app_context():
        app.config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'a' / 'one.sqlite3'}"
        assert demo_accounts_file() == tmp_path / "a" / "one.sqlite3.demo_accounts.txt"
        names = set()
        for db_name in ("cips", "cips_other"):
            app.config["DATABASE_URL"] = f"postgresql+psycopg://u:pw@db.example.org/{db_name}"
            path = demo_accounts_file()
            assert path.parent == Path(app.instance_path) and db_name in path.name and "pw" not in path.name
            names.add(path.name)
        assert len(names) == 2


def test_cli_failing_statement_is_not_taken_for_an_unusable_database(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from cips.cli.errors import database_unusable

    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (a INTEGER)"))
        with pytest.raises(OperationalError) as bug:  # a coding mistake: it must keep its traceback
            conn.execute(text("SELECT nosuchcol FROM t"))
        with pytest.raises(OperationalError) as unmigrated:
            conn.execute(text("SELECT * FROM campaign"))
    engine.dispose()
    assert not database_unusable(bug.value)
    assert database_unusable(unmigrated.value)
