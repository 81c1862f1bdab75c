"""Paradata of a submission: how each section page was answered, its limits and its checks.

No clock times, nothing about the device or the person: see README "Paradata".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cips.instruments.schema import Instrument
from cips.submissions.field_error import FieldError

#: Paradata limits: a day of active time on one section page, and answer changes per section
#: far beyond any honest respondent. The PWA caps its counts at these (paradata.js), so a
#: value above them is a forged or broken record, refused like any other bad field.
MAX_SECTION_SECONDS = 86_400
MAX_SECTION_CHANGES = 10_000


class SectionParadata(BaseModel):
    """How one section page was answered: active seconds on it (summed over visits), answers changed.

    No clock times, nothing about the device or the person: see README "Paradata".
    """

    model_config = ConfigDict(extra="forbid")

    seconds: int = Field(strict=True, ge=0, le=MAX_SECTION_SECONDS)
    changes: int = Field(strict=True, ge=0, le=MAX_SECTION_CHANGES)


Paradata = dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], SectionParadata]


def paradata_errors(definition: Instrument, paradata: Paradata | None) -> list[FieldError]:
    """Paradata may only name sections of its questionnaire version."""
    if not paradata:
        return []
    known = {section.id for section in definition.sections}
    return [FieldError(f"paradata.{sid}", "unknown section for this questionnaire version")
            for sid in paradata if sid not in known]  # fmt: skip


def paradata_json(paradata: Paradata | None) -> dict[str, dict[str, int]] | None:
    """What the ``submission.paradata`` column stores (None: the record carried none)."""
    if not paradata:
        return None
    return {sid: entry.model_dump() for sid, entry in paradata.items()}
