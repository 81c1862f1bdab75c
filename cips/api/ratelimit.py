"""Per-device submission limit: generous for a station flushing its outbox, firm on a flood.

Limits are written in the ``limits`` syntax (``600/minute``) and counted with the app's
Flask-Limiter configuration: a shared storage (``CIPS_RATELIMIT_STORAGE_URI=redis://…``)
goes through ``limiter.limiter``. The default ``memory://`` storage of ``limits`` starts a
timer thread every 10 ms to expire keys, and measured in the ingest benchmark that cost
more than storing the submission; so in-process counting uses the fixed windows below
instead (same semantics as ``limits``' fixed window, per gunicorn worker like memory://).
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache

from flask import current_app
from limits import RateLimitItem, parse

from cips.extensions import limiter

#: Finished windows are dropped at most this often (seconds).
_SWEEP_EVERY_S = 60.0


class FixedWindows:
    """Thread-safe fixed-window counters keyed by string; no background thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (end of its window, hits)
        self._swept = time.monotonic()

    def hit(self, item: RateLimitItem, key: str, now: float | None = None) -> bool:
        """Count one hit; False when ``key`` already used its ``item.amount`` in this window."""
        now = time.time() if now is None else now
        expiry = item.get_expiry()
        with self._lock:
            end, count = self._windows.get(key, (0.0, 0))
            if now >= end:
                end, count = (now // expiry + 1) * expiry, 0
            if count >= item.amount:
                return False
            self._windows[key] = (end, count + 1)
            if time.monotonic() - self._swept > _SWEEP_EVERY_S:
                # Finished windows cannot matter any more: drop them so keys do not pile up.
                self._swept = time.monotonic()
                self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        return True

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


@lru_cache(maxsize=8)
def _rate(limit: str) -> RateLimitItem:
    return parse(limit)


def allow(key: str) -> bool:
    """Count one submission for ``key``; False when over ``API_RATE_LIMIT``."""
    if not limiter.enabled:
        return True
    item = _rate(current_app.config["API_RATE_LIMIT"])
    if current_app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        # One set of counters per app (and so per gunicorn worker), created on first use.
        windows = current_app.extensions.setdefault("cips_api_rate_windows", FixedWindows())
        return windows.hit(item, f"{item.key_for()}/{key}")
    return limiter.limiter.hit(item, "api-submissions", key)
