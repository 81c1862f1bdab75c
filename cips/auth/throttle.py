"""Password guesses, counted per account and per client address in the shared counter store.

Sign-in and the *current password* check of ``/account`` are both guesses at an account's
password: they share the per-account counters, which live in :mod:`cips.counters` so every
gunicorn worker (and every server on the same store) sees the same counts.

A growing delay rather than a hard lock: each limit (``LOGIN_ACCOUNT_RATE_LIMIT`` per account,
``LOGIN_RATE_LIMIT`` per address, see :mod:`cips.config`) is a list of windows
(``"5/minute;10/10 minutes;30/hour"``); while one is used up, attempts are refused without
checking the password and told to try again when it ends (under a minute after a few wrong
guesses, longer as they go on, never more than the longest window). A successful sign-in
clears its account's counts. Unknown emails are counted exactly like known ones, so neither
the answer nor its timing tells which accounts exist. The address and email are only HMAC
keys of counter windows (:meth:`cips.counters.CounterStore.key`), never stored in clear.
"""

from __future__ import annotations

from flask import current_app, request

from cips.counters import Check, address_group, counters, limit_windows
from cips.extensions import limiter


def _checks(namespace: str, value: str, limit: str) -> list[Check]:
    # One key per window length: two windows may end on the same second and must not share a row.
    store = counters()
    return [Check(store.key(f"{namespace}-{item.get_expiry()}s", value), item) for item in limit_windows(limit)]


def _account(email: str) -> list[Check]:
    return _checks("password-guess", email.strip().lower(), current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def attempt(email: str, *, by_address: bool = True) -> int | None:
    """Count one guess at ``email``'s password; seconds to wait when over a limit (not counted then)."""
    if not limiter.enabled:  # RATELIMIT_ENABLED=False turns every limit off (tests of other things)
        return None
    checks = _account(email)
    if by_address:
        checks += _checks("login-addr", address_group(request.remote_addr), current_app.config["LOGIN_RATE_LIMIT"])
    checks.sort(key=lambda check: -check.item.get_expiry())
    refused = counters().hit(*checks)
    return None if refused is None else refused.retry_after


def succeeded(email: str) -> None:
    """The right password: the account's earlier wrong guesses no longer delay it."""
    if limiter.enabled:
        counters().forget(*(check.key for check in _account(email)))


def _codes(email: str) -> list[Check]:
    return _checks("code-guess", email.strip().lower(), current_app.config["TOTP_ACCOUNT_RATE_LIMIT"])


def code_attempt(email: str) -> int | None:
    """Count one second-factor code tried for ``email``; seconds to wait when over the limit."""
    if not limiter.enabled:
        return None
    refused = counters().hit(*_codes(email))
    return None if refused is None else refused.retry_after


def code_succeeded(email: str) -> None:
    if limiter.enabled:
        counters().forget(*(check.key for check in _codes(email)))
