"""Submission limits per device and per client address, counted in the shared store.

Both are counted in :mod:`cips.counters`, so every gunicorn worker and every server on the
same store sees the same counts (in-memory counters gave each worker the whole limit again).

* **Per device** (``API_RATE_LIMIT``, generous): keyed on the payload's ``device_id`` (the
  PWA's random device UUID), so tablets behind one office address each have their own
  budget. A body without a device id is counted under its client address instead.
* **Per client address** (``API_ADDRESS_RATE_LIMIT``): a device id is the sender's choice, so
  rotating it must not multiply the budget. The address comes from ``request.remote_addr``
  (behind a proxy, ``ProxyFix`` with ``TRUSTED_PROXIES`` hops sets it): it is used only as
  an HMAC key of a counter window that lives a minute, never stored in clear nor near answers;
  an IPv6 address counts as its /64.

Both checks are counted together or not at all. Flask-Limiter's switch
(``RATELIMIT_ENABLED=False``, ``limiter.enabled``) turns them off.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from limits import RateLimitItem

from cips.counters import Check, Refusal, client_key, counters, limit_windows
from cips.extensions import limiter


def _checks(key: Callable[[str], str], namespace: str, limit: str) -> list[Check]:
    # One key per window length: two windows may end on the same second and must not share a row.
    return [Check(key(f"{namespace}-{item.get_expiry()}s"), _text(item)) for item in limit_windows(limit)]


def _text(item: RateLimitItem) -> str:
    """One window in the configuration's notation ("5/hour", "10/10 minutes"), for the 429 message."""
    unit = item.GRANULARITY.name
    return f"{item.amount}/{unit}" if item.multiples == 1 else f"{item.amount}/{item.multiples} {unit}s"


def refusal(device_id: str | None, address: str | None) -> tuple[Refusal, str] | None:
    """Count one submission; when over a limit, the refusal and the field it is about."""
    if not limiter.enabled:
        return None
    cfg, store = current_app.config, counters()
    if device_id:
        device = _checks(lambda ns: store.key(ns, device_id), "api-device", cfg["API_RATE_LIMIT"])
    else:
        device = _checks(lambda ns: client_key(store, ns, address), "api-device-addr", cfg["API_RATE_LIMIT"])
    by_address = _checks(lambda ns: client_key(store, ns, address), "api-addr", cfg["API_ADDRESS_RATE_LIMIT"])
    refused = store.hit(*device, *by_address)
    if refused is None:
        return None
    return refused, "device_id" if refused.check in device else "client_address"
