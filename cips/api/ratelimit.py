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

from flask import current_app

from cips.counters import Check, Refusal, client_key, counters
from cips.extensions import limiter


def refusal(device_id: str | None, address: str | None) -> tuple[Refusal, str] | None:
    """Count one submission; when over a limit, the refusal and the field it is about."""
    if not limiter.enabled:
        return None
    cfg, store = current_app.config, counters()
    device = store.key("api-device", device_id) if device_id else client_key(store, "api-device-addr", address)
    by_address = client_key(store, "api-addr", address)
    checks = (Check(device, cfg["API_RATE_LIMIT"]), Check(by_address, cfg["API_ADDRESS_RATE_LIMIT"]))
    refused = store.hit(*checks)
    if refused is None:
        return None
    return refused, "device_id" if refused.check is checks[0] else "client_address"
