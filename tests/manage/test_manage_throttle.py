"""Password guesses: per account and per address, shared by every worker, a growing delay."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from cips import create_app
from cips.models import AuditEvent, Role
from tests.helpers import Clock
from tests.manage.conftest import PASSWORD, sign_in

WRONG = "wrong password!"


@pytest.fixture
def clock(loaded: Flask) -> Clock:
    """The shared counters on a hand-moved clock, at the first second of an hour."""
    clock = Clock()
    loaded.extensions["cips_counters"].clock = clock
    loaded.config.update(LOGIN_ACCOUNT_RATE_LIMIT="5/minute;10/10 minutes;30/hour", LOGIN_RATE_LIMIT="10/minute")
    return clock


@pytest.fixture
def second_worker(loaded: Flask, clock: Clock) -> Iterator[Flask]:
    """Another app on the same database, as another gunicorn worker (or server) would be."""
    other = create_app({key: loaded.config[key] for key in (
        "TESTING", "DATABASE_URL", "SECRET_KEY", "FORMS_DIR", "WTF_CSRF_ENABLED", "LOGIN_ACCOUNT_RATE_LIMIT",
        "LOGIN_RATE_LIMIT")})  # fmt: skip
    other.extensions["cips_counters"].clock = clock
    yield other
    other.extensions["cips_counters"].dispose()
    other.extensions["cips_engine"].dispose()


def _from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_throttle_counts_are_shared_by_workers(loaded: Flask, accounts, second_worker: Flask) -> None:
    first, second = _from(loaded, "10.0.0.1"), _from(second_worker, "10.0.0.1")
    codes = [sign_in(client, accounts[Role.manager], WRONG).status_code for client in (first, second) * 3]
    assert codes == [401, 401, 401, 401, 401, 429]


def test_throttle_counts_per_account_whatever_the_address(loaded: Flask, accounts, clock: Clock) -> None:
    codes = [sign_in(_from(loaded, f"10.0.1.{n}"), accounts[Role.manager], WRONG).status_code for n in range(6)]
    assert codes == [401] * 5 + [429]
    late = sign_in(_from(loaded, "10.0.1.99"), accounts[Role.manager])  # the right password waits too
    assert late.status_code == 429 and late.headers["Retry-After"] == "60"
    assert b"try again in 60 seconds" in late.data
    assert sign_in(_from(loaded, "10.0.1.100"), accounts[Role.admin], WRONG).status_code == 401  # others unaffected


def test_throttle_counts_per_address_whatever_the_account(loaded: Flask, accounts, clock: Clock) -> None:
    client = _from(loaded, "10.0.2.1")
    codes = [sign_in(client, f"user{n}@example.org", WRONG).status_code for n in range(11)]
    assert codes == [401] * 10 + [429]
    assert sign_in(_from(loaded, "10.0.2.2"), "user0@example.org", WRONG).status_code == 401


def test_throttle_ipv6_addresses_of_one_network_share_the_address_limit(loaded: Flask, accounts, clock: Clock) -> None:
    """Rotating addresses within one's own /64 (2^64 of them) gets no new budget."""
    codes = [sign_in(_from(loaded, f"2001:db8:1:2::{n:x}"), f"user{n}@example.org", WRONG).status_code
             for n in range(11)]  # fmt: skip
    assert codes == [401] * 10 + [429]
    assert sign_in(_from(loaded, "2001:db8:1:3::1"), "user0@example.org", WRONG).status_code == 401


def test_throttle_delay_grows_and_ends(loaded: Flask, accounts, clock: Clock) -> None:
    def attempt(password: str = WRONG):
        clock.now += 1
        return sign_in(_from(loaded, f"10.0.3.{int(clock.now) % 200}"), accounts[Role.manager], password)

    assert [attempt().status_code for _ in range(5)] == [401] * 5
    first = attempt()
    assert first.status_code == 429 and int(first.headers["Retry-After"]) == 60 - 6  # the end of this minute
    clock.now += int(first.headers["Retry-After"])  # no lock: after the wait, guesses are checked again
    assert [attempt().status_code for _ in range(5)] == [401] * 5
    longer = attempt()
    assert longer.status_code == 429 and int(longer.headers["Retry-After"]) > 8 * 60  # the 10-minute window
    clock.now += int(longer.headers["Retry-After"])
    assert attempt(PASSWORD).status_code == 302  # the right password, once the delay is over


def test_throttle_unknown_email_costs_the_same(loaded: Flask, accounts, clock: Clock) -> None:
    def replies(email: str, prefix: str) -> list[tuple[int, str | None]]:
        return [(r.status_code, r.headers.get("Retry-After"))
                for r in (sign_in(_from(loaded, f"{prefix}.{n}"), email, WRONG) for n in range(7))]  # fmt: skip

    assert replies(accounts[Role.manager], "10.0.4") == replies("nobody@example.org", "10.0.5")


def test_throttle_right_password_clears_the_account_count(loaded: Flask, accounts, clock: Clock) -> None:
    client = _from(loaded, "10.0.6.1")
    assert [sign_in(client, accounts[Role.manager], WRONG).status_code for _ in range(4)] == [401] * 4
    assert sign_in(client, accounts[Role.manager]).status_code == 302
    other = _from(loaded, "10.0.6.2")
    assert [sign_in(other, accounts[Role.manager], WRONG).status_code for _ in range(5)] == [401] * 5


def test_throttle_current_password_on_account_page_is_limited_and_audited(
    loaded: Flask, accounts, clock: Clock, session: Session
) -> None:
    client = _from(loaded, "10.0.7.1")
    assert sign_in(client, accounts[Role.manager]).status_code == 302

    def change(current: str):
        new = "a fresh long passphrase 7"
        return client.post("/account", data={"pw-current": current, "pw-new": new, "pw-confirm": new,
                                             "pw-submit": "y"})  # fmt: skip

    assert [change(f"guess {n}").status_code for n in range(5)] == [200] * 5
    refused = change(PASSWORD)  # even the right one now waits: the delay must not confirm a guess
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.action.like("user.password%")))]
    assert actions == ["user.password_wrong"] * 5 + ["user.password_delayed"]
    # Sign-in shares the account's count: guessing through /account does not reset the budget there.
    assert sign_in(_from(loaded, "10.0.7.2"), accounts[Role.manager]).status_code == 429
    clock.now += 60
    assert change(PASSWORD).status_code == 302
