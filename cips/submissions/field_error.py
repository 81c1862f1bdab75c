"""A refused field of a submission and why: the unit of every 4xx answer and quarantine reason.

A leaf (it imports nothing of ``cips``), so that the payload, paradata, window and invitation
checks can all name it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str  # as the client named it: ``answers.lead_3``, ``paradata.s2``, ``language``
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}
