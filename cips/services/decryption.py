"""Open an encrypted campaign's envelopes with the manager's private key (``cips decrypt``).

Where the answers go: into a file for analysis (CSV or XLSX, the tidy shape of
``cips.services.datasets.load_campaign_data``), never back into the server database,
whose rule is "encrypted answers stay encrypted at rest". Each decrypted record is
checked exactly as plaintext ingest checks a submission (``SubmissionCreate`` and
``validate_answers``), plus what only decryption can check: the sealed uuid, campaign
and questionnaire match the envelope, and the plaintext strata match the sealed answers.

A record that does not open (GCM tag failure, a key_wrapped for another key, bad JSON
inside) or fails those checks is reported by uuid and copied to the quarantine
(``reason`` "decryption failed: ..."), once: it is never silently skipped.
"""

from __future__ import annotations

import json
import os
import uuid as uuid_lib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

from cips.crypto.seal import DecryptError, fingerprint, open_sealed, public_pem, spki_der
from cips.exports.formats import frame_csv, xlsx_cell
from cips.exports.paradata import PARADATA_SHEET, orders_of, paradata_frame, section_rows
from cips.instruments.service import definition_of
from cips.models import Campaign, EncryptedSubmission, Instrument, QuarantinedSubmission
from cips.services.campaigns import campaign_instruments
from cips.services.datasets import item_table
from cips.submissions.envelope import is_sealed_body
from cips.submissions.paradata import paradata_errors, paradata_json
from cips.submissions.payload import (
    AnswerRow,
    SubmissionCreate,
    language_error,
    pydantic_errors,
    validate_answers,
)

FAILED = "decryption failed"
Progress = Callable[[Iterable[Any], int], Iterable[Any]]


class DecryptionError(ValueError):
    """The whole run cannot start (campaign not encrypted, key of another campaign)."""


@dataclass
class Failure:
    uuid: str
    reason: str


@dataclass
class Decrypted:
    """Decrypted data in ``load_campaign_data``'s shape, and what did not open."""

    campaign: Campaign
    respondents: pd.DataFrame
    answers: pd.DataFrame
    items: pd.DataFrame
    strata: dict[str, list[str]]
    total: int
    failures: list[Failure] = field(default_factory=list)
    #: Bodies refused at ingest and kept sealed in quarantine, opened: ``{id, reason, body}``.
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    #: Sealed paradata, as ``cips export`` writes it (:mod:`cips.exports.paradata`).
    paradata: pd.DataFrame = field(default_factory=lambda: paradata_frame([]))


def check_key(campaign: Campaign, private_key: rsa.RSAPrivateKey, key_name: str) -> None:
    if not campaign.encrypted or not campaign.public_key:
        raise DecryptionError(f"campaign {campaign.slug!r} is not encrypted: its answers are in the database")
    if spki_der(public_pem(private_key)) != spki_der(campaign.public_key):
        raise DecryptionError(
            f"key file {key_name} is not the key of campaign {campaign.slug!r} "
            f"(key {fingerprint(public_pem(private_key))}, campaign {fingerprint(campaign.public_key)})"
        )


def _open_record(row: Any, key: rsa.RSAPrivateKey, campaign: Campaign, instrument: Instrument | None,
                 ) -> tuple[SubmissionCreate, list[AnswerRow]]:  # fmt: skip
    """One envelope to a validated submission; :class:`DecryptError` says what is wrong."""
    if instrument is None:
        raise DecryptError(f"instrument id {row.instrument_id} no longer exists")
    plain = open_sealed({"alg": row.alg, "key_wrapped": row.key_wrapped, "iv": row.iv, "ciphertext": row.ciphertext},
                        key)  # fmt: skip
    try:
        data = json.loads(plain.decode("utf-8"))
    except RecursionError as exc:  # "[[[[…": anyone holding the public key can seal this
        raise DecryptError("the decrypted content is JSON nested too deeply") from exc
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError also: an integer of more than 4,300 digits
        raise DecryptError(f"the decrypted content is not UTF-8 JSON ({exc})"[:300]) from exc
    if not isinstance(data, dict):
        raise DecryptError("the decrypted content is not a JSON object")
    try:
        payload = SubmissionCreate.model_validate(data)
    except ValidationError as exc:
        errors = pydantic_errors(exc.errors())
        raise DecryptError("sealed submission invalid: " + "; ".join(f"{e.field}: {e.message}" for e in errors[:10])) \
            from exc  # fmt: skip
    sealed = (payload.uuid, payload.campaign, payload.instrument, payload.instrument_version)
    if sealed != (row.uuid, campaign.slug, instrument.key, instrument.version):
        # Only someone able to write the database could move a ciphertext to another envelope.
        raise DecryptError("the sealed uuid, campaign or questionnaire differs from the envelope's")
    definition = definition_of(instrument)
    problems = []
    if (wrong_language := language_error(payload.language, campaign.languages, definition)) is not None:
        problems.append(f"{wrong_language.field}: {wrong_language.message}")
    rows, errors = validate_answers(definition, payload.answers)
    errors += paradata_errors(definition, payload.paradata)
    problems += [f"{e.field}: {e.message}" for e in errors]
    for item_id, value in (row.strata or {}).items():
        if payload.answers.get(item_id) != value:
            problems.append(f"strata.{item_id}: the plaintext stratum differs from the sealed answer")
    if problems:
        raise DecryptError("sealed answers refused: " + "; ".join(problems[:20]))
    return payload, rows


def _isolated(row: Any, key: rsa.RSAPrivateKey, campaign: Campaign, instrument: Instrument | None,
              ) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[Any, ...]]]:  # fmt: skip
    """One envelope to its respondent row, answer rows and paradata rows, or :class:`DecryptError`,
    whatever went wrong.

    Anyone with the campaign's public key (every device has it) can seal any bytes, so the
    content is hostile until checked; one bad envelope must never stop the others. An error
    nobody foresaw is reported by its class, for this record only.
    """
    try:
        payload, rows = _open_record(row, key, campaign, instrument)
        respondent = str(payload.uuid)
        return (
            {"respondent": respondent, "language": payload.language,
             "submitted_at": payload.submitted_at.astimezone(UTC), "instrument": instrument.key,
             "version": instrument.version},
            [{"respondent": respondent, "item_id": r.item_id, "value": r.value_num, "text": r.value_text}
             for r in rows],
            section_rows(respondent, instrument.key, definition_of(instrument), paradata_json(payload.paradata),
                         orders_of(payload.answers)),
        )  # fmt: skip
    except DecryptError:
        raise
    except RecursionError as exc:
        raise DecryptError("the sealed submission is nested too deeply") from exc
    except Exception as exc:
        raise DecryptError(f"the sealed submission cannot be read ({type(exc).__name__})") from exc


def _open_quarantine(session: Session, campaign: Campaign, key: rsa.RSAPrivateKey) -> list[dict[str, Any]]:
    out = []
    for qid, reason, raw in session.exec(
        select(QuarantinedSubmission.id, QuarantinedSubmission.reason, QuarantinedSubmission.raw_body)
        .where(QuarantinedSubmission.claimed_campaign == campaign.slug)
        .order_by(QuarantinedSubmission.id)
    ):
        sealed = is_sealed_body(raw)
        if sealed is None:
            continue
        try:
            body = open_sealed(sealed, key).decode("utf-8", "replace")
        except Exception as exc:  # DecryptError, or fields of any JSON type: this body only
            body = None
            reason = f"{reason} [{FAILED}: {exc if isinstance(exc, DecryptError) else type(exc).__name__}]"
        out.append({"quarantine_id": qid, "reason": reason, "body": body})
    return out


def decrypt_campaign(session: Session, campaign: Campaign, key: rsa.RSAPrivateKey, *, lang: str = "en",
                     progress: Progress = lambda rows, total: rows) -> Decrypted:  # fmt: skip
    """Decrypt and validate every envelope of ``campaign`` (``progress`` wraps the record loop)."""
    instruments = campaign_instruments(session, campaign)
    by_id = {row.id: row for row in instruments}
    used = session.exec(select(EncryptedSubmission.instrument_id).where(
        EncryptedSubmission.campaign_id == campaign.id).distinct()).all()  # fmt: skip
    for instrument_id in used:  # a version since removed from the campaign still decrypts
        if instrument_id not in by_id and (row := session.get(Instrument, instrument_id)) is not None:
            by_id[instrument_id] = row
    mine = EncryptedSubmission.campaign_id == campaign.id
    total = session.exec(select(func.count()).select_from(EncryptedSubmission).where(mine)).one()
    query = (
        select(EncryptedSubmission.uuid, EncryptedSubmission.instrument_id, EncryptedSubmission.alg,
               EncryptedSubmission.key_wrapped, EncryptedSubmission.iv, EncryptedSubmission.ciphertext,
               EncryptedSubmission.strata)
        .where(mine).order_by(EncryptedSubmission.id).execution_options(yield_per=200)
    )  # fmt: skip
    respondents: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    failures: list[Failure] = []
    paradata: list[tuple[Any, ...]] = []
    for row in progress(session.exec(query), total):
        try:
            respondent, rows, sections = _isolated(row, key, campaign, by_id.get(row.instrument_id))
        except DecryptError as exc:
            failures.append(Failure(str(row.uuid), str(exc)))
            continue
        respondents.append(respondent)
        answers += rows
        paradata += sections
    resp = pd.DataFrame(respondents, columns=["respondent", "language", "submitted_at", "instrument", "version"])
    ans = pd.DataFrame(answers, columns=["respondent", "item_id", "value", "text"])
    strata = {row.key: list(definition_of(row).strata) for row in instruments}
    stratum_items = sorted({s for items in strata.values() for s in items})
    if stratum_items and not ans.empty:  # one column per stratum item, as load_campaign_data gives
        wide = (ans[ans["item_id"].isin(stratum_items)]
                .pivot_table(index="respondent", columns="item_id", values="text", aggfunc="first"))  # fmt: skip
        resp = resp.merge(wide, left_on="respondent", right_index=True, how="left")
    return Decrypted(campaign, resp, ans, item_table(instruments, lang) if instruments else pd.DataFrame(), strata,
                     total, failures, _open_quarantine(session, campaign, key), paradata_frame(paradata))  # fmt: skip


def quarantine_failures(session: Session, campaign: Campaign, failures: list[Failure]) -> int:
    """Copy each failed envelope (still sealed) to the quarantine once; return how many are new."""
    if not failures:
        return 0
    uuids = [f.uuid for f in failures]
    already = set(session.exec(
        select(QuarantinedSubmission.claimed_uuid).where(
            QuarantinedSubmission.claimed_uuid.in_(uuids), QuarantinedSubmission.reason.startswith(FAILED))
    ).all())  # fmt: skip
    wanted = [uuid_lib.UUID(u) for u in uuids]
    envelopes = {
        str(row.uuid): row
        for row in session.exec(select(EncryptedSubmission).where(
            EncryptedSubmission.campaign_id == campaign.id, EncryptedSubmission.uuid.in_(wanted)))
    }  # fmt: skip
    added = 0
    for failure in failures:
        row = envelopes.get(failure.uuid)
        if failure.uuid in already or row is None:
            continue
        body = json.dumps({
            "uuid": failure.uuid, "campaign": campaign.slug, "instrument_id": row.instrument_id, "alg": row.alg,
            "key_wrapped": row.key_wrapped, "iv": row.iv, "ciphertext": row.ciphertext, "strata": row.strata,
        }).encode("utf-8")  # fmt: skip
        session.add(QuarantinedSubmission(
            reason=f"{FAILED}: {failure.reason}"[:2000], field="ciphertext", status_code=422,
            claimed_uuid=failure.uuid, claimed_campaign=campaign.slug, content_type="application/json",
            body_size=len(body), raw_body=body,
        ))  # fmt: skip
        added += 1
    return added


# ---------------------------------------------------------------- output


def _private_file(path: Path) -> Any:
    """Open ``path`` for writing with mode 0600: it holds answers in clear."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT
    return os.fdopen(fd, "wb")


def tidy_table(result: Decrypted) -> pd.DataFrame:
    """One row per answer with its respondent's columns: the CSV export."""
    table = result.answers.merge(result.respondents, on="respondent", how="left")
    first = ["respondent", "instrument", "version", "language", "submitted_at"]
    rest = [c for c in result.respondents.columns if c not in first]
    return table[first + rest + ["item_id", "value", "text"]]


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """XLSX cell values as ``cips export`` writes them: text neutralised, datetimes naive UTC."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]) or column == "submitted_at":
            out[column] = pd.to_datetime(out[column], utc=True).dt.tz_convert(None)
        elif out[column].dtype == object:
            out[column] = out[column].map(xlsx_cell)
    return out


def write_export(result: Decrypted, path: Path) -> None:
    """``.csv``: the tidy answer table (and ``NAME.paradata.csv`` beside it when records carry
    paradata); ``.xlsx``: sheets respondents, answers, items (and paradata).

    Cells are written as ``cips export`` writes them (UTF-8 with BOM, ISO 8601 UTC, and a
    respondent's text that a spreadsheet would run as a formula prefixed with ``'``).
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = frame_csv(tidy_table(result))
        with _private_file(path) as out:
            out.write(data)
        if not result.paradata.empty:
            with _private_file(path.with_suffix(f".{PARADATA_SHEET}.csv")) as out:
                out.write(frame_csv(result.paradata))
    elif suffix == ".xlsx":
        with _private_file(path) as out, pd.ExcelWriter(out, engine="openpyxl") as book:
            _cells(result.respondents).to_excel(book, sheet_name="respondents", index=False)
            _cells(result.answers).to_excel(book, sheet_name="answers", index=False)
            _cells(result.items).to_excel(book, sheet_name="items", index=False)
            if not result.paradata.empty:
                _cells(result.paradata).to_excel(book, sheet_name=PARADATA_SHEET, index=False)
    else:
        raise DecryptionError(f"{path}: the export must end in .csv or .xlsx")
    if result.quarantined:
        with _private_file(path.with_suffix(".quarantined.jsonl")) as out:
            out.write("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in result.quarantined).encode("utf-8"))


def report_input(session: Session, result: Decrypted, lang: str, classifier: Any = None) -> Any:
    """The thematic report's input from decrypted data, in memory: ``analysis`` works unchanged.

    The previous wave is compared when it is a plaintext campaign (an encrypted one would
    need its own key: decrypt it and compare the exports instead). Codes people decided on a
    review workbook (``cips decrypt --review``, imported back) replace the model's (``classifier``, else
    the shipped one).
    """
    from analysis import load_default_classifier
    from analysis.report import ReportInput
    from cips.models import Administration
    from cips.services.reports import previous_wave
    from cips.services.reports import report_input as plaintext_input
    from cips.services.sealed_codes import decrypted_review

    campaign = result.campaign
    admin = session.get(Administration, campaign.administration_id)
    previous = previous_wave(session, campaign)
    prev_input = None
    if previous is not None and not previous.encrypted:
        prev_input = plaintext_input(session, previous, lang)
        prev_input.previous = None
    machine = (
        classifier.predict_labels
        if classifier is not None
        else lambda texts: load_default_classifier().predict_labels(texts)
    )  # loaded only if it must code
    reviewed = decrypted_review(session, result, machine)
    return ReportInput(title=campaign.name, administration=admin.name if admin else "", wave=campaign.wave,
                       respondents=result.respondents, answers=result.answers, items=result.items,
                       quotas=campaign.quotas, previous=prev_input, **reviewed)  # fmt: skip


def decrypted_report(session: Session, result: Decrypted, lang: str,
                     progress: Callable[[str], None] | None = None) -> Any:  # fmt: skip
    """The thematic report of decrypted data. Every vector of a decrypted answer (the themes' and an
    embedding classifier's) is computed in this process's memory and never reaches the shared cache."""
    from analysis import load_default_classifier
    from analysis.embedding_block import private_vectors
    from analysis.report import build_report
    from cips.services.text_analysis import sentence_embedder

    classifier = load_default_classifier()  # trained (if it must be) outside: its training vectors are shared
    themes = sentence_embedder(in_memory=True)
    with private_vectors(themes.cache if themes is not None else None):
        return build_report(report_input(session, result, lang, classifier), lang=lang, classifier=classifier,
                            progress=progress, embedder=themes, embed_missing=True)  # fmt: skip
