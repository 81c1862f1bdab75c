"""The programme instance: register administrations' keys, import their signed aggregate files,
and compare what they hold (anonymised unless an administration opted in to be named).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, func, select

from analysis.aggregates import NATIONAL, AggregateError, canonical_bytes
from analysis.programme import distribution_document
from cips.models import AggregateImport, ProgrammeMember
from cips.services import audit, signing
from cips.services.aggregates import read_file, verify_file


def _next_label(session: Session) -> str:
    count = session.exec(select(func.count()).select_from(ProgrammeMember)).one()
    return f"Administration {count + 1:02d}"


def register_member(
    session: Session, actor: str, name: str, public_key: str, *, named: bool = False
) -> ProgrammeMember:
    """Accept files signed by ``public_key`` as coming from the administration ``name``."""
    name = name.strip()
    if not name:
        raise AggregateError("name: an administration needs a name")
    try:
        key = signing.parse_public_key(public_key)
    except signing.SignatureError as exc:
        raise AggregateError(str(exc)) from exc
    if session.exec(select(ProgrammeMember).where(ProgrammeMember.name == name)).first() is not None:
        raise AggregateError(f"name: {name!r} is already registered")
    if session.exec(select(ProgrammeMember).where(ProgrammeMember.public_key == key)).first() is not None:
        raise AggregateError("public key: already registered for another administration")
    member = ProgrammeMember(name=name, label=_next_label(session), named=named, public_key=key,
                             key_id=signing.key_id(key))  # fmt: skip
    session.add(member)
    audit.record(session, actor, "programme.register", name, label=member.label, key_id=member.key_id, named=named)
    session.commit()
    return member


def import_file(session: Session, actor: str, data: bytes) -> AggregateImport:
    """Verify a file against the registered key it names and store its document; the failed
    check is named otherwise (format, schema, small cells, unknown key, signature, already imported)."""
    parsed = read_file(data)
    key = parsed["signature"].get("key_id") if isinstance(parsed["signature"], dict) else None
    member = session.exec(select(ProgrammeMember).where(ProgrammeMember.key_id == str(key))).first()
    if member is None:
        raise AggregateError("signature: signed by a key no administration registered here "
                             "(`cips aggregates register NAME --public-key KEY`)")  # fmt: skip
    document = verify_file(parsed, member.public_key)
    digest = hashlib.sha256(canonical_bytes(document)).hexdigest()
    if session.exec(select(AggregateImport).where(AggregateImport.digest == digest)).first() is not None:
        raise AggregateError("duplicate: this file was already imported")
    row = AggregateImport(member_id=member.id, campaign=document["campaign"], wave=document["wave"],
                          level=document["level"], digest=digest, document=document)  # fmt: skip
    session.add(row)
    audit.record(session, actor, "programme.import", member.label, campaign=document["campaign"],
                 wave=document["wave"], rows=len(document["rows"]))  # fmt: skip
    session.commit()
    return row


@dataclass
class Comparison:
    """National factor indices of every member's latest wave, per questionnaire."""

    #: Column heading per member, in registration order: its label, or its name if it opted in.
    members: list[str]
    #: ``{questionnaire: {factor: {member heading: index or None (suppressed)}}}``
    latest: dict[str, dict[str, dict[str, float | None]]] = field(default_factory=dict)
    #: ``{questionnaire: {factor: {member heading: change since its previous wave}}}``
    change: dict[str, dict[str, dict[str, float | None]]] = field(default_factory=dict)
    #: Waves per member heading.
    waves: dict[str, list[int]] = field(default_factory=dict)
    #: Measures each member shared with its latest file (factor, what, status, due).
    measures: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: ``{questionnaire: {factor: {wave: [index of each member that sent that wave]}}}``
    by_wave: dict[str, dict[str, dict[int, list[float]]]] = field(default_factory=dict)

    def trend(self, questionnaire: str, factor: str) -> dict[str, int]:
        """How many administrations improved, declined or held (within 1 point) since their previous wave."""
        changes = [c for c in self.change.get(questionnaire, {}).get(factor, {}).values() if c is not None]
        return {"up": sum(c >= 1 for c in changes), "down": sum(c <= -1 for c in changes),
                "same": sum(-1 < c < 1 for c in changes)}  # fmt: skip


def heading(member: ProgrammeMember) -> str:
    return member.name if member.named else member.label


def _national(document: dict[str, Any]) -> dict[tuple[str, str], float | None]:
    return {(r["questionnaire"], r["factor"]): r["index"] for r in document["rows"] if r["stratum"] == NATIONAL}


def comparison(session: Session) -> Comparison:
    members = session.exec(select(ProgrammeMember).order_by(ProgrammeMember.id)).all()
    out = Comparison(members=[heading(m) for m in members])
    for member in members:
        imports = session.exec(select(AggregateImport).where(AggregateImport.member_id == member.id)
                               .order_by(AggregateImport.wave, AggregateImport.imported_at)).all()  # fmt: skip
        by_wave = {row.wave: _national(row.document) for row in imports}  # a re-sent wave: the newest file
        if imports:
            newest = max(imports, key=lambda row: (row.wave, row.imported_at))
            out.measures[heading(member)] = list(newest.document.get("measures", []))
        out.waves[heading(member)] = sorted(by_wave)
        if not by_wave:
            continue
        waves = sorted(by_wave)
        for wave, values in by_wave.items():
            for (questionnaire, factor), value in values.items():
                if value is not None:
                    slot = out.by_wave.setdefault(questionnaire, {}).setdefault(factor, {})
                    slot.setdefault(wave, []).append(value)
        latest, previous = by_wave[waves[-1]], by_wave[waves[-2]] if len(waves) > 1 else {}
        for (questionnaire, factor), value in latest.items():
            out.latest.setdefault(questionnaire, {}).setdefault(factor, {})[heading(member)] = value
            before = previous.get((questionnaire, factor))
            if value is not None and before is not None:
                delta = round(value - before, 1)
                out.change.setdefault(questionnaire, {}).setdefault(factor, {})[heading(member)] = delta
    return out


def distribution_file(session: Session) -> dict[str, Any]:
    """The spread of the latest waves across administrations, for every administration to compare
    itself with (``analysis.programme.distribution_document``: no administration's own value)."""
    return distribution_document(comparison(session).latest)
