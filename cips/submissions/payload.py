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
from typing import Annotated, Any, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from cips.instruments.schema import LIKERT_MAX, LIKERT_MIN, Instrument, ItemType

#: Most answers one submission may carry (the largest questionnaire has ~75 items).
MAX_ANSWERS = 500

#: Largest instrument version a payload may name (the database column is a 32-bit integer).
MAX_VERSION = 2**31 - 1

#: Answer values stay as JSON gave them (``Any``): pydantic's lax coercion would
#: turn ``true`` into 1, and each item type checks its own values below.
AnswerValue = Any


class SubmissionCreate(BaseModel):
    """What a tablet or the web form posts to ``/api/v1/submissions``."""

    model_config = ConfigDict(extra="forbid")

    uuid: uuid_lib.UUID
    campaign: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    instrument: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    instrument_version: int = Field(ge=1, le=MAX_VERSION)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
    device_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    started_at: AwareDatetime | None = None
    submitted_at: AwareDatetime
    answers: dict[Annotated[str, StringConstraints(max_length=64)], AnswerValue] = Field(max_length=MAX_ANSWERS)
    #: One-time invitation of an online campaign (``/s/<slug>?t=<token>``); left out of
    #: :meth:`canonical_hash` like the device id: it says who may answer, not what.
    invite_token: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None

    @field_validator("campaign", "instrument", "device_id", "invite_token")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("answers")
    @classmethod
    def _no_nul_in_item_ids(cls, value: dict[str, Any]) -> dict[str, Any]:
        if any("\x00" in key for key in value):
            raise ValueError("item ids must not contain NUL characters")
        return value

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


class AnswerRow(NamedTuple):
    """One answer to store, in the column order of the ``answer`` table after ``submission_id``."""

    item_id: str
    value_num: float | None
    value_text: str | None


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond the float range (JSON allows any length)
        return False


@dataclass(frozen=True)
class _Check:
    """One item's rule, prepared once per questionnaire version (not per submission)."""

    kind: ItemType
    allowed: frozenset[Any] = frozenset()
    allowed_sorted: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    max_length: int = 0


#: Prepared checks per parsed definition (definitions are cached and immutable per process).
_CHECKS: dict[int, tuple[Instrument, dict[str, _Check], tuple[str, ...]]] = {}


def _checks(instrument: Instrument) -> tuple[dict[str, _Check], tuple[str, ...]]:
    """Item checks and required item ids of a definition, built on first use."""
    cached = _CHECKS.get(id(instrument))
    if cached is not None and cached[0] is instrument:
        return cached[1], cached[2]
    checks: dict[str, _Check] = {}
    for item in instrument.items():
        choices = frozenset(c.value for c in item.choices or [])
        checks[item.id] = _Check(item.type, choices, tuple(sorted(choices)), item.min, item.max, item.max_length)
    required = tuple(item.id for item in instrument.items() if item.required)
    _CHECKS[id(instrument)] = (instrument, checks, required)  # keeps the definition alive: the id stays its own
    return checks, required


def validate_answers(instrument: Instrument, answers: dict[str, Any]) -> tuple[list[AnswerRow], list[FieldError]]:
    """Check each answer against its item; return the rows to store and the errors."""
    checks, required = _checks(instrument)
    rows: list[AnswerRow] = []
    errors: list[FieldError] = []
    likert = ItemType.likert5
    for item_id, value in answers.items():
        check = checks.get(item_id)
        # Most answers are Likert integers: accepted here without the general checks below.
        if check is not None and check.kind is likert and type(value) is int and LIKERT_MIN <= value <= LIKERT_MAX:
            rows.append(AnswerRow(item_id, float(value), None))
            continue
        where = f"answers.{item_id}"
        if check is None:
            errors.append(FieldError(where, "unknown item for this questionnaire version"))
            continue
        if value is None:
            continue  # an explicit skip is the same as no answer
        kind = check.kind
        if kind is ItemType.likert5:
            if not (_is_number(value) and value == int(value) and LIKERT_MIN <= value <= LIKERT_MAX):
                errors.append(FieldError(where, f"expected an integer from {LIKERT_MIN} to {LIKERT_MAX}"))
                continue
            rows.append(AnswerRow(item_id, float(value), None))
        elif kind is ItemType.number:
            if not _is_number(value):
                errors.append(FieldError(where, "expected a number"))
            elif (check.low is not None and value < check.low) or (check.high is not None and value > check.high):
                errors.append(FieldError(where, f"out of range [{check.low}, {check.high}]"))
            else:
                rows.append(AnswerRow(item_id, float(value), None))
        elif kind is ItemType.single:
            if not isinstance(value, str) or value not in check.allowed:
                errors.append(FieldError(where, f"expected one of {list(check.allowed_sorted)}"))
                continue
            rows.append(AnswerRow(item_id, None, value))
        elif kind is ItemType.multi:
            if (not isinstance(value, list) or any(not isinstance(v, str) or v not in check.allowed for v in value)
                    or len(set(value)) != len(value)):  # fmt: skip
                errors.append(
                    FieldError(where, f"expected a list of distinct values from {list(check.allowed_sorted)}")
                )
                continue
            rows.append(AnswerRow(item_id, None, json.dumps(value, ensure_ascii=False)))
        else:  # text
            if not isinstance(value, str):
                errors.append(FieldError(where, "expected text"))
            elif "\x00" in value:  # no database text type takes it everywhere (PostgreSQL refuses NUL)
                errors.append(FieldError(where, "text must not contain NUL characters"))
            elif len(value) > check.max_length:
                errors.append(FieldError(where, f"text longer than {check.max_length} characters"))
            elif value.strip():
                rows.append(AnswerRow(item_id, None, value))
    answered = {row.item_id for row in rows}
    flagged = {e.field for e in errors}
    errors.extend(FieldError(f"answers.{i}", "required item not answered")
                  for i in required if i not in answered and f"answers.{i}" not in flagged)  # fmt: skip
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
