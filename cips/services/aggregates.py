"""Aggregate exchange files: what an administration sends the A-CPI programme, signed.

Figures come from :mod:`analysis.aggregates` (the report's own scores, suppressed); this module
finds the campaign, signs with the administration's key and checks files that come back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from analysis.aggregates import (
    NATIONAL,
    AggregateError,
    Source,
    aggregate_rows,
    build_document,
    canonical_bytes,
    check_document,
)
from cips.models import Administration, Campaign
from cips.services import signing
from cips.services.measures import as_records, measures
from cips.services.messages import N_
from cips.services.reports import report_input

__all__ = ["AggregateError", "administration_key", "export_file", "read_file", "verify_file"]


def key_path(instance_path: Path, administration: Administration) -> Path:
    return instance_path / "signing" / f"administration-{administration.id}.pem"


def administration_key(session: Session, instance_path: Path, name: str) -> tuple[Administration, str]:
    """The administration called ``name`` and its public key (the key pair made on first use)."""
    admin = session.exec(select(Administration).where(Administration.name == name)).first()
    if admin is None:
        raise AggregateError(N_("no administration %(name)s", name=repr(name)))
    return admin, signing.public_key_text(signing.load_or_create(key_path(instance_path, admin)))


def _campaign(session: Session, slug: str) -> Campaign:
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None:
        raise AggregateError(N_("no campaign %(slug)s (see `cips campaign list`)", slug=repr(slug)))
    return campaign


def export_file(session: Session, instance_path: Path, slug: str, level: str = NATIONAL,
                n_boot: int = 1000, with_measures: bool = False) -> dict[str, Any]:  # fmt: skip
    """The signed aggregate file of campaign ``slug`` at ``level`` (national or a stratum item),
    with the action plan's measures marked shared when ``with_measures``."""
    campaign = _campaign(session, slug)
    admin = session.get(Administration, campaign.administration_id)
    if admin is None:
        raise AggregateError(N_("campaign %(slug)s has no administration", slug=repr(slug)))
    inp = report_input(session, campaign, "en")
    source = Source(administration=admin.name, campaign=campaign.name, wave=campaign.wave)
    document = build_document(inp, source, level=level, n_boot=n_boot)
    if with_measures:
        document["measures"] = as_records(measures(session, campaign), shared_only=True)
    private = signing.load_or_create(key_path(instance_path, admin))
    return {"document": document, "signature": signing.sign(private, canonical_bytes(document))}


def read_file(data: bytes) -> dict[str, Any]:
    """A file's JSON, with the document's shape checked (not yet its signature)."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AggregateError(f"format: not a JSON aggregate file ({exc})") from exc
    if not isinstance(parsed, dict) or set(parsed) != {"document", "signature"}:
        raise AggregateError("format: expected an object with 'document' and 'signature'")
    check_document(parsed["document"])
    return parsed


def verify_file(parsed: dict[str, Any], public_key: str) -> dict[str, Any]:
    """The document of ``parsed`` if ``public_key`` signed exactly it; else the failed check."""
    try:
        signing.verify(public_key, canonical_bytes(parsed["document"]), parsed["signature"])
    except signing.SignatureError as exc:
        raise AggregateError(str(exc)) from exc
    return parsed["document"]


def read_distribution(data: bytes) -> dict[str, Any]:
    """A distribution file from the programme (``cips aggregates distribution``), shape checked."""
    from analysis.programme import DISTRIBUTION_SCHEMA, DISTRIBUTION_VERSION

    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AggregateError(f"format: not a JSON distribution file ({exc})") from exc
    if not isinstance(parsed, dict) or parsed.get("schema") != DISTRIBUTION_SCHEMA:
        raise AggregateError(f"schema: expected {DISTRIBUTION_SCHEMA!r}")
    if parsed.get("schema_version") != DISTRIBUTION_VERSION:
        raise AggregateError(f"schema_version: this instance reads version {DISTRIBUTION_VERSION}")
    if not isinstance(parsed.get("rows"), list) or not all(isinstance(r, dict) for r in parsed["rows"]):
        raise AggregateError("rows: missing or not a list of objects")
    return parsed


def own_national(session: Session, slug: str) -> dict[str, dict[str, float | None]]:
    """``{questionnaire: {factor: index}}`` of campaign ``slug``, as its aggregate file would send it."""
    campaign = _campaign(session, slug)
    out: dict[str, dict[str, float | None]] = {}
    for row in aggregate_rows(report_input(session, campaign, "en"), NATIONAL, n_boot=200):
        out.setdefault(row["questionnaire"], {})[row["factor"]] = row["index"]
    return out
