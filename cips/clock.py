"""The current time, as the app sees it.

Code that decides by the clock (session timeouts, sign-in delays) asks :func:`now`
instead of :func:`datetime.now`, so that a test can move time by setting the app's
``CLOCK`` config to a callable returning an aware UTC datetime, instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    clock = current_app.config["CLOCK"] if has_app_context() else None
    return clock() if clock is not None else datetime.now(UTC)
