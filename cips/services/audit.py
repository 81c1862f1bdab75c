"""Append an event to the audit log (the app never updates or deletes one)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from cips.models import AuditEvent


def record(session: Session, actor: str, action: str, target: str | None = None, **details: Any) -> None:
    """Add an audit event to the session; it commits with the change it describes."""
    session.add(AuditEvent(actor=actor, action=action, target=target, details=details))


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: object, _instances: object) -> None:
    """The app may add audit events, never change or remove one (whatever the code path)."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("the audit log is append-only: events cannot be changed or deleted")
