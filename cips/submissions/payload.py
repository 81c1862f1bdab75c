"""The submission payload and its validation against a questionnaire version.

Validation collects every error, each naming its field (``answers.lead_3``), so a
device or a person fixing a quarantined record sees everything at once.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid as uuid_lib
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from cips.instruments.schema import LIKERT_MAX, LIKERT_MIN, Instrument, ItemType

#: Most answers one submission may carry (the largest questionnaire has ~75 items).
MAX_ANSWERS = 500

#: Answer values stay as JSON gave them (``Any``): pydantic's lax coercion would
#: turn ``true`` into 1, and each item type checks its own values below.
AnswerValue = Any


class SubmissionCreate(BaseModel):
    """What a tablet or the web form posts to ``/api/v1/submissions``."""

    model_config = ConfigDict(extra="forbid")

    uuid: uuid_lib.UUID
    campaign: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    instrument: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    instrument_version: int = Field(ge=1)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
    device_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    started_at: AwareDatetime | None = None
    submitted_at: AwareDatetime
    answers: dict[Annotated[str, StringConstraints(max_length=64)], AnswerValue] = Field(max_length=MAX_ANSWERS)
    #: One-time invitation of an online campaign (``/s/<slug>?t=<token>``); left out of
    #: :meth:`canonical_hash` like the device id: it says who may answer, not what.
    invite_token: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None

    def canonical_hash(self) -> str:
        """SHA-256 of what the respondent answered, normalised.

        Device id and timestamps are left out: a resend of the same record (a web
        form posted twice, a tablet clock corrected between retries) is the same
        response, whereas a changed answer under the same uuid is a conflict.
        """
        data = self.model_dump(mode="json", include={"campaign", "instrument", "instrument_version", "language"})
        data["answers"] = {k: v for k, v in self.answers.items() if v is not None}
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class AnswerRow:
    item_id: str
    value_num: float | None
    value_text: str | None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def validate_answers(instrument: Instrument, answers: dict[str, Any]) -> tuple[list[AnswerRow], list[FieldError]]:
    """Check each answer against its item; return the rows to store and the errors."""
    items = instrument.item_map()
    rows: list[AnswerRow] = []
    errors: list[FieldError] = []
    for item_id, value in answers.items():
        where = f"answers.{item_id}"
        item = items.get(item_id)
        if item is None:
            errors.append(FieldError(where, "unknown item for this questionnaire version"))
            continue
        if value is None:
            continue  # an explicit skip is the same as no answer
        kind = item.type
        if kind is ItemType.likert5:
            if not (_is_number(value) and value == int(value) and LIKERT_MIN <= value <= LIKERT_MAX):
                errors.append(FieldError(where, f"expected an integer from {LIKERT_MIN} to {LIKERT_MAX}"))
                continue
            rows.append(AnswerRow(item_id, float(value), None))
        elif kind is ItemType.number:
            if not _is_number(value):
                errors.append(FieldError(where, "expected a number"))
            elif (item.min is not None and value < item.min) or (item.max is not None and value > item.max):
                errors.append(FieldError(where, f"out of range [{item.min}, {item.max}]"))
            else:
                rows.append(AnswerRow(item_id, float(value), None))
        elif kind is ItemType.single:
            allowed = {c.value for c in item.choices or []}
            if value not in allowed:
                errors.append(FieldError(where, f"expected one of {sorted(allowed)}"))
                continue
            rows.append(AnswerRow(item_id, None, value))
        elif kind is ItemType.multi:
            allowed = {c.value for c in item.choices or []}
            if not isinstance(value, list) or any(v not in allowed for v in value) or len(set(value)) != len(value):
                errors.append(FieldError(where, f"expected a list of distinct values from {sorted(allowed)}"))
                continue
            rows.append(AnswerRow(item_id, None, json.dumps(value, ensure_ascii=False)))
        else:  # text
            if not isinstance(value, str):
                errors.append(FieldError(where, "expected text"))
            elif len(value) > item.max_length:
                errors.append(FieldError(where, f"text longer than {item.max_length} characters"))
            elif value.strip():
                rows.append(AnswerRow(item_id, None, value))
    answered = {row.item_id for row in rows}
    for item_id, item in items.items():
        if item.required and item_id not in answered and not any(e.field == f"answers.{item_id}" for e in errors):
            errors.append(FieldError(f"answers.{item_id}", "required item not answered"))
    return rows, errors


def pydantic_errors(exc_errors: list[dict[str, Any]]) -> list[FieldError]:
    """Pydantic's error list as field errors: ``("answers", "x")`` becomes ``answers.x``."""
    out = []
    for err in exc_errors:
        loc = [str(p) for p in err["loc"]]
        if len(loc) >= 2 and loc[0] == "answers" and loc[-1] in ("[key]",):
            loc = loc[:2]
        out.append(FieldError(".".join(loc) or "body", err["msg"]))
    return out
