"""Store validated questionnaires and read them back (cached: versions are immutable)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from cips.instruments.loader import content_hash
from cips.instruments.schema import Instrument as Definition
from cips.models import Instrument


class InstrumentConflict(Exception):
    """A version already stored with different content: versions never change."""


@dataclass(frozen=True)
class LoadOutcome:
    key: str
    version: int
    created: bool


def store_definition(session: Session, definition: Definition) -> LoadOutcome:
    digest = content_hash(definition)
    existing = session.exec(
        select(Instrument).where(Instrument.key == definition.key, Instrument.version == definition.version)
    ).first()
    if existing is not None:
        if existing.content_hash != digest:
            raise InstrumentConflict(
                f"{definition.key} version {definition.version} is already loaded with different content; "
                "give the changed questionnaire a new version number"
            )
        return LoadOutcome(definition.key, definition.version, created=False)
    title = definition.title.get("en") or next(iter(definition.title.values()))
    session.add(
        Instrument(
            key=definition.key,
            version=definition.version,
            title=title,
            content_hash=digest,
            definition=definition.model_dump(mode="json"),
        )
    )
    return LoadOutcome(definition.key, definition.version, created=True)


#: Parsed definitions by content hash: a stored version never changes, so each is
#: validated once per process instead of on every submission.
_parsed: dict[str, Definition] = {}


def definition_of(row: Instrument) -> Definition:
    """The parsed definition of a stored instrument."""
    parsed = _parsed.get(row.content_hash)
    if parsed is None:
        parsed = _parsed[row.content_hash] = Definition.model_validate(row.definition)
    return parsed


def cached_definition(content_hash: str) -> Definition | None:
    """The parsed definition with this content hash, if this process has parsed it already."""
    return _parsed.get(content_hash)


def latest_version(session: Session, key: str) -> Instrument | None:
    return session.exec(select(Instrument).where(Instrument.key == key).order_by(Instrument.version.desc())).first()
