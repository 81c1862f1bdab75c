"""The submission payload and its validation against a questionnaire version.

Validation collects every error, each naming its field (``answers.lead_3``), so a
device or a person fixing a quarantined record sees everything at once.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid as uuid_lib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from cips.instruments import logic as skip_logic
from cips.instruments.schema import LIKERT_MAX, LIKERT_MIN, Instrument, ItemType
from cips.submissions.field_error import FieldError
from cips.submissions.paradata import Paradata

#: Most answers one submission may carry (the largest questionnaire has ~75 items).
MAX_ANSWERS = 500

#: Largest instrument version a payload may name (the database column is a 32-bit integer).
MAX_VERSION = 2**31 - 1

#: Timestamps a payload may carry, in UTC. Wide enough for a tablet whose clock fell back to the
#: Unix epoch (its answers are stored, not quarantined), narrow enough for every later step:
#: a year-1 or year-9999 time overflows when converted to UTC, and exports (pandas) stop at 2262.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive

#: A UTF-16 surrogate on its own: valid in JSON (``"\udc80"``) and in a Python str, but not
#: encodable as UTF-8, so no database column, hash or log line can take it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: The escape that can produce one; bodies without it (nearly all) skip the search for one.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SURROGATE_MESSAGE = "text that cannot be stored as UTF-8 (a lone surrogate escape such as \\udc80)"

#: Answer values stay as JSON gave them (``Any``): pydantic's lax coercion would
#: turn ``true`` into 1, and each item type checks its own values below.
AnswerValue = Any


class SubmissionCreate(BaseModel):
    """What a tablet or the web form posts to ``/api/v1/submissions``."""

    model_config = ConfigDict(extra="forbid")

    uuid: uuid_lib.UUID
    campaign: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    instrument: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    #: Strict: JSON ``true`` is not version 1, nor is ``"1"`` (the PWA and the form send a number).
    instrument_version: int = Field(strict=True, ge=1, le=MAX_VERSION)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
    device_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    started_at: AwareDatetime | None = None
    submitted_at: AwareDatetime
    answers: dict[Annotated[str, StringConstraints(max_length=64)], AnswerValue] = Field(max_length=MAX_ANSWERS)
    #: One-time invitation of an online campaign (``/s/<slug>?t=<token>``); left out of
    #: :meth:`canonical_hash` like the device id: it says who may answer, not what.
    invite_token: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    #: Per section id: time and changes (:class:`SectionParadata`). Optional: the no-JS form and
    #: tablets with an older app send none. Left out of :meth:`canonical_hash`: it says how, not what.
    paradata: Paradata | None = Field(default=None, max_length=MAX_ANSWERS)

    @field_validator("campaign", "instrument", "device_id", "invite_token")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        if value is not None and LONE_SURROGATE.search(value):  # also checked on the body (a sealed one is not)
            raise ValueError(SURROGATE_MESSAGE)
        return value

    @field_validator("started_at", "submitted_at")
    @classmethod
    def _plausible_time(cls, value: datetime | None) -> datetime | None:
        if value is not None and not plausible_time(value):
            raise ValueError(f"out of range: expected a time in the years {EARLIEST.year} to {LATEST.year - 1} (UTC)")
        return value

    @field_validator("answers")
    @classmethod
    def _no_nul_in_item_ids(cls, value: dict[str, Any]) -> dict[str, Any]:
        if any("\x00" in key for key in value):
            raise ValueError("item ids must not contain NUL characters")
        if any(LONE_SURROGATE.search(key) for key in value):
            raise ValueError(f"item ids: {SURROGATE_MESSAGE}")
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


def plausible_time(value: datetime) -> bool:
    """True for an aware time within [EARLIEST, LATEST) once in UTC (the conversion itself may overflow)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return False
    try:
        return EARLIEST <= value.astimezone(UTC) < LATEST
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        return False


def surrogate_field(text: str, data: Any) -> str | None:
    """The field of the first string (key or value) holding a lone surrogate, or None.

    ``text`` is the body ``data`` was parsed from: a lone surrogate can only come from a
    ``\\uD8xx``-``\\uDFxx`` escape (the body was strictly UTF-8), so most bodies are not walked.
    The field is the top-level key, and the item (``answers.x``, ``strata.x``) below it.
    """
    if not SURROGATE_ESCAPE.search(text):
        return None

    def bad(value: Any) -> bool:
        stack = [value]  # not recursive: the parser accepts nesting deeper than the stack left here
        while stack:
            value = stack.pop()
            if isinstance(value, str):
                if LONE_SURROGATE.search(value):
                    return True
            elif isinstance(value, list):
                stack.extend(value)
            elif isinstance(value, dict):
                stack.extend(value)
                stack.extend(value.values())
        return False

    def name(key: str) -> str:  # a field name must be storable itself: U+FFFD stands for the surrogate
        return LONE_SURROGATE.sub("\ufffd", key)

    if not isinstance(data, dict):
        return "body" if bad(data) else None
    for key, value in data.items():
        if bad(key):
            return name(key)
        if isinstance(value, dict):
            inner = next((k for k, v in value.items() if bad(k) or bad(v)), None)
            if inner is not None:
                return f"{name(key)}.{name(inner)}"
        elif bad(value):
            return key or "body"  # a field named "" is no name a person can act on
    return None


#: Refusals of a whole submission, not of one answer. Named once: the no-JavaScript form
#: (``cips.survey.notices``) recognises them to show the respondent's own-language text.
INVITE_USED = "this invitation link has already been used"
INVITE_NEEDED = "this survey can only be answered with an invitation link"
INVITE_UNKNOWN = "unknown invitation link"
UUID_CONFLICT = "already stored with different content"


def language_error(language: str, offered: list[str], definition: Instrument) -> FieldError | None:
    """A submission's language must be one its campaign offers (``offered``) and its questionnaire version has."""
    if language in offered and language in definition.languages:
        return None
    return FieldError("language", f"not offered by this campaign ({', '.join(offered)})")


@dataclass(frozen=True)
class Refusal:
    """Why a body is refused: the HTTP status, the reason and the errors. Quarantined by the caller."""

    status: int
    reason: str
    errors: list[FieldError]


@dataclass
class Outcome:
    """What the caller answers: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    #: Seconds the client should wait before sending again (a spent quarantine budget: 503).
    retry_after: int | None = None

    @property
    def stored(self) -> bool:
        return self.status in (200, 201)

    @property
    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}

    @classmethod
    def stored_as(cls, uuid: uuid_lib.UUID, first_time: bool) -> Outcome:
        """201 when stored now; 200 for a retry of a stored record (acknowledged again, stored once)."""
        return cls(201 if first_time else 200, {"uuid": str(uuid), "status": "stored"})


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
    #: "dont_know" / "refused", when the item offers them.
    non_substantive: frozenset[str] = frozenset()


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
        checks[item.id] = _Check(item.type, choices, tuple(sorted(choices)), item.min, item.max, item.max_length,
                                 frozenset(item.non_substantive))  # fmt: skip
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
            if item_id.startswith(skip_logic.ORDER_PREFIX):
                problem = skip_logic.order_error(skip_logic.logic_of(instrument), item_id, value)
                if problem is None:
                    rows.append(AnswerRow(item_id, None, skip_logic.order_text(value)))
                else:
                    errors.append(FieldError(where, problem))
                continue
            errors.append(FieldError(where, "unknown item for this questionnaire version"))
            continue
        if value is None:
            continue  # an explicit skip is the same as no answer
        if isinstance(value, str) and value in check.non_substantive:  # "don't know": a word, never a scale point
            rows.append(AnswerRow(item_id, None, value))
            continue
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
            if not value:  # nothing ticked: no answer, as in the PWA and the no-JS form (not stored)
                continue
            rows.append(AnswerRow(item_id, None, json.dumps(value, ensure_ascii=False)))
        else:  # text
            if not isinstance(value, str):
                errors.append(FieldError(where, "expected text"))
            elif "\x00" in value:  # no database text type takes it everywhere (PostgreSQL refuses NUL)
                errors.append(FieldError(where, "text must not contain NUL characters"))
            elif LONE_SURROGATE.search(value):  # a decrypted payload is not checked as a body is (service.py)
                errors.append(FieldError(where, SURROGATE_MESSAGE))
            elif len(value) > check.max_length:
                errors.append(FieldError(where, f"text longer than {check.max_length} characters"))
            elif value.strip():
                rows.append(AnswerRow(item_id, None, value))
    logic = skip_logic.logic_of(instrument)
    if logic.active:
        _apply_logic(instrument, logic, answers, rows, errors)
        return rows, errors
    answered = {row.item_id for row in rows}
    flagged = {e.field for e in errors}
    errors.extend(FieldError(f"answers.{i}", REQUIRED_MISSING)
                  for i in required if i not in answered and f"answers.{i}" not in flagged)  # fmt: skip
    return rows, errors


REQUIRED_MISSING = "required item not answered"
NOT_ASKED = "answered, but not asked: its condition (relevant) is false for the answers before it"
CALCULATED = "calculated by the questionnaire, not answered: leave it out"


def _apply_logic(instrument: Instrument, logic: skip_logic.Logic, answers: dict[str, Any],
                 rows: list[AnswerRow], errors: list[FieldError]) -> None:  # fmt: skip
    """Relevance, required expressions, constraints and calculated values (server truth)."""
    flagged = {e.field for e in errors}
    stored = {row.item_id for row in rows}
    valid = {item_id: answers[item_id] for item_id in stored if item_id in answers}
    result = skip_logic.walk(logic, valid)
    items = instrument.item_map()
    for item_id in result.not_asked_answered:
        errors.append(FieldError(f"answers.{item_id}", NOT_ASKED))
    for item_id in result.required_missing:
        if f"answers.{item_id}" not in flagged:
            errors.append(FieldError(f"answers.{item_id}", REQUIRED_MISSING))
    for item_id in result.constraint_failed:
        messages = items[item_id].constraint_message or {}
        errors.append(FieldError(f"answers.{item_id}", messages.get("en") or next(iter(messages.values()), "")
                                 or f"does not meet the constraint {items[item_id].constraint}"))  # fmt: skip
    for rule in logic.rules:
        if rule.calculate is not None and answers.get(rule.id) is not None:
            errors.append(FieldError(f"answers.{rule.id}", CALCULATED))
    rows.extend(AnswerRow(item_id, float(value), None) for item_id, value in result.calculated.items()
                if item_id not in stored and math.isfinite(value))  # fmt: skip


def pydantic_errors(exc_errors: list[dict[str, Any]]) -> list[FieldError]:
    """Pydantic's error list as field errors: ``("answers", "x")`` becomes ``answers.x``."""
    out = []
    for err in exc_errors:
        loc = [str(p) for p in err["loc"]]
        if len(loc) >= 2 and loc[0] == "answers" and loc[-1] in ("[key]",):
            loc = loc[:2]
        out.append(FieldError(".".join(loc) or "body", err["msg"]))
    return out
