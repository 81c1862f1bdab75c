"""How much the quarantine may grow: a global budget per hour and in all, and a share per client.

The quarantine keeps what the API refuses so that nothing is lost, which also means that
anyone can write to it. Its growth is therefore bounded:

* **per hour** (``QUARANTINE_BYTES_PER_HOUR``), counted in the shared counter store, so all
  workers and servers spend one budget;
* **per client address**: one address may spend at most ``1/ADDRESS_SHARE`` of the hourly
  budget, so a single client cannot exhaust it for everyone;
* **in all** (``QUARANTINE_MAX_TOTAL_BYTES``): what the table holds.

Each row costs its kept bytes plus ``ROW_OVERHEAD`` (columns, indexes), so a flood of
one-byte bodies is bounded too. When a budget is spent the refusal is answered ``503`` with
``Retry-After`` and **nothing is stored**: a real device keeps its record and sends it again
later (5xx means "retry" to the PWA), so nothing is lost, it is only kept by the device longer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import Session, select

from cips.models import QuarantinedSubmission

if TYPE_CHECKING:
    from cips.counters import CounterStore

#: What a quarantine row costs beyond its kept body (reason, columns, index entries), in bytes.
ROW_OVERHEAD = 512
#: One client address may spend at most this fraction (1/N) of the hourly budget.
ADDRESS_SHARE = 8
#: Retry-After when the quarantine is full in all: an operator must look at it first.
FULL_RETRY_AFTER_S = 3600
#: The table's total is read again at most this often per process (a SUM over every row).
TOTAL_CACHE_S = 10.0
HOUR_KEY = "quarantine-bytes"
QUARANTINE_FULL = "the server keeps no more refused submissions for now: keep this record and retry later"


def quarantined_bytes(session: Session) -> int:
    """Bytes the quarantine holds, counted as the budget counts them."""
    size = func.coalesce(func.sum(func.length(QuarantinedSubmission.raw_body) + ROW_OVERHEAD), 0)
    return int(session.exec(select(size)).one())


class HeldBytes:
    """The quarantine's size as last read (one per app), plus what this process added since."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._read_at: float | None = None
        self._bytes = 0

    def get(self, session: Session, now: float) -> int:
        with self._guard:
            if self._read_at is not None and 0 <= now - self._read_at < TOTAL_CACHE_S:
                return self._bytes
        held = quarantined_bytes(session)
        with self._guard:
            self._read_at, self._bytes = now, held
        return held

    def add(self, cost: int) -> None:
        with self._guard:
            self._bytes += cost


@dataclass
class QuarantineBudget:
    """The budgets one request may spend; ``client_key`` is the counter key of its client address."""

    store: CounterStore
    per_hour: int
    total: int
    held: HeldBytes
    client_key: str | None = None

    def admit(self, session: Session, kept_bytes: int) -> int | None:
        """Count a body about to be quarantined: None when it may be kept, else seconds to wait."""
        from cips.counters import Check  # late: cips.counters is a Flask-side module

        cost = kept_bytes + ROW_OVERHEAD
        # The total first: a body refused because the table is full is not kept, so it must not
        # spend the hour's budget either (else, once an operator clears the quarantine, the
        # clients refused meanwhile would find their hourly share used up by nothing).
        if self.held.get(session, self.store.clock()) + cost > self.total:
            return FULL_RETRY_AFTER_S
        checks = [Check(HOUR_KEY, f"{self.per_hour}/hour", cost=cost)]
        if self.client_key is not None:
            checks.append(Check(self.client_key, f"{max(1, self.per_hour // ADDRESS_SHARE)}/hour", cost=cost))
        refused = self.store.hit(*checks)
        if refused is not None:
            return refused.retry_after
        self.held.add(cost)
        return None


def for_request(client_address: str | None) -> QuarantineBudget:
    """The current app's budget for a request from ``client_address`` (routes call this)."""
    from flask import current_app

    from cips.counters import client_key, counters

    cfg, store = current_app.config, counters()
    held = current_app.extensions.setdefault("cips_quarantine_held", HeldBytes())
    return QuarantineBudget(store, int(cfg["QUARANTINE_BYTES_PER_HOUR"]), int(cfg["QUARANTINE_MAX_TOTAL_BYTES"]),
                            held, client_key(store, "quarantine-addr", client_address))  # fmt: skip
