"""Append an event to the audit log (the app never updates or deletes one)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from cips.models import AuditEvent


def record(session: Session, actor: str, action: str, target: str | None = None, **details: Any) -> None:
    """Add an audit event to the session; it commits with the change it describes."""
    session.add(AuditEvent(actor=actor, action=action, target=target, details=details))
