"""Review of an encrypted campaign's open answers: done where the data was decrypted, stored as codes only.

The server holds sealed envelopes, no answer rows and no text. ``cips decrypt --review`` writes
the review workbook on the key holder's machine from the decrypted answers (the model's
suggestion and its calibrated confidence computed there); the workbook comes back through
``cips review import`` or the web import, and only its codes are stored: ``Coding`` rows that
name the answer by its envelope's uuid and item (``UUID/ITEM``, the workbook's ``id``). The
text column of such a workbook is never read, compared or stored. ``cips decrypt --report``
then uses these decisions in place of the model's codes.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, select

from analysis.review_xlsx import ReviewRecord
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of
from cips.models import DECIDING_SOURCES, Campaign, Coding, CodingSource, EncryptedSubmission, Instrument
from cips.services.coding import CodingError, check_codes, store_decisions
from cips.services.messages import N_

if TYPE_CHECKING:
    from cips.services.decryption import Decrypted

#: Codes a list of texts: labels (primary first) and the calibrated confidence (``analysis.adapt.confidence``).
Scorer = Callable[[list[str]], tuple[list[list[str]], np.ndarray]]
SealedKey = tuple[str, str]  # (envelope uuid, item id)


def ref(uuid: Any, item_id: str) -> str:
    """The workbook id of an encrypted campaign's answer."""
    return f"{uuid}/{item_id}"


def parse_ref(value: str) -> SealedKey | None:
    """``UUID/ITEM`` to its parts (the uuid normalised), None when it is not one."""
    uuid, _, item_id = value.partition("/")
    try:
        return str(uuid_lib.UUID(uuid)), item_id
    except ValueError:
        return None


def sealed_items(session: Session, campaign: Campaign) -> dict[str, set[str]]:
    """Per envelope uuid of ``campaign``, the open (free-text) items its questionnaire asks."""
    rows = session.exec(select(EncryptedSubmission.uuid, EncryptedSubmission.instrument_id)
                        .where(EncryptedSubmission.campaign_id == campaign.id)).all()  # fmt: skip
    open_by_instrument: dict[int, set[str]] = {}
    for instrument_id in {i for _, i in rows}:
        instrument = session.get(Instrument, instrument_id)
        items = definition_of(instrument).items() if instrument is not None else []
        open_by_instrument[instrument_id] = {item.id for item in items if item.type is ItemType.text}
    return {str(uuid): open_by_instrument[instrument_id] for uuid, instrument_id in rows}


def sealed_latest(session: Session, campaign: Campaign, sources: Iterable[str]) -> dict[SealedKey, Coding]:
    """The newest coding among ``sources`` of each encrypted answer of ``campaign``."""
    where = [Coding.campaign_id == campaign.id, Coding.answer_id.is_(None), Coding.source.in_(list(sources))]
    newest = select(func.max(Coding.id)).where(*where).group_by(Coding.submission_uuid, Coding.item_id)
    rows = session.exec(select(Coding).where(Coding.id.in_(newest.scalar_subquery()))).all()
    return {(str(row.submission_uuid), str(row.item_id)): row for row in rows}


def sealed_decisions(session: Session, campaign: Campaign) -> dict[SealedKey, Coding]:
    """Each reviewed encrypted answer's code: its latest reviewer (or imported) decision."""
    return sealed_latest(session, campaign, DECIDING_SOURCES)


SealedCode = tuple[str, Sequence[str], str | None]  # (UUID/ITEM, labels, primary)


def record_sealed_decisions(session: Session, campaign: Campaign, codes: Sequence[SealedCode], *, actor: str,
                            source: CodingSource = CodingSource.imported) -> list[Coding]:  # fmt: skip
    """Add people's codes ``(UUID/ITEM, labels, primary)`` of encrypted answers: all stored, or none."""
    if source is CodingSource.model:
        raise CodingError(N_("people's decisions cannot be stored as the model's"), "source")
    known = sealed_items(session, campaign)
    rows = []
    for answer, labels, primary in codes:
        key = parse_ref(answer)
        if key is None or key[1] not in known.get(key[0], ()):
            raise CodingError(N_("no open answer %(id)s in campaign %(slug)s", id=answer, slug=repr(campaign.slug)),
                              "answer")  # fmt: skip
        stored, chosen = check_codes(labels, primary)
        rows.append(Coding(submission_uuid=uuid_lib.UUID(key[0]), item_id=key[1], campaign_id=campaign.id,
                           labels=stored, primary=chosen, source=source.value, coder=actor))  # fmt: skip
    return store_decisions(session, campaign, rows, actor=actor, source=source)


def import_records(session: Session, campaign: Campaign, suggested: dict[str, tuple[list[str], str]],
                   ) -> list[ReviewRecord]:  # fmt: skip
    """What an encrypted campaign's workbook is compared with: each of its ids that names an open
    answer of the campaign, with the model's suggestion as the file gives it (it was computed where
    the data was decrypted) and the decision stored here. No text: the server has none to compare."""
    known, decided = sealed_items(session, campaign), sealed_decisions(session, campaign)
    out = []
    for answer, (labels, primary) in suggested.items():
        key = parse_ref(answer)
        if key is None or key[1] not in known.get(key[0], ()):
            continue  # read_review_xlsx names the cell of an unknown id
        decision = decided.get(key)
        out.append(ReviewRecord(
            id=answer, question=key[1], language="", text=None, model_labels=labels, model_primary=primary,
            decision_labels=decision.labels if decision else None,
            decision_primary=decision.primary if decision else None,
        ))  # fmt: skip
    return out


def default_scorer() -> Scorer:
    """The shipped model and its confidence calibrator (``analysis.adapt``), as the queue uses them."""
    from analysis import load_default_classifier
    from analysis.adapt import confidence, load_default_calibrator

    model, calibrator = load_default_classifier(), load_default_calibrator()
    return lambda texts: confidence(model, calibrator, texts)  # languages detected, as the queue's suggestions


def decrypted_open_answers(session: Session, result: Decrypted) -> list[tuple[str, str, str, str]]:
    """The decrypted non-empty answers to open items: ``(UUID/ITEM, item, language, text)``."""
    known = sealed_items(session, result.campaign)
    language = dict(zip(result.respondents["respondent"], result.respondents["language"], strict=True))
    out = []
    for row in result.answers.itertuples():
        text = row.text if isinstance(row.text, str) else ""
        if row.item_id in known.get(str(row.respondent), ()) and text.strip():
            out.append((ref(row.respondent, row.item_id), str(row.item_id), str(language.get(row.respondent, "")),
                        text))  # fmt: skip
    return out


def decrypted_review_records(session: Session, result: Decrypted, scorer: Scorer | None = None) -> list[ReviewRecord]:
    """The review workbook's rows from decrypted answers, least sure first: the model's suggestion
    and confidence computed here, in memory, and the decisions already stored on the server."""
    from analysis.adapt import least_sure_first
    from analysis.embedding_block import private_vectors

    answers = decrypted_open_answers(session, result)
    if not answers:
        return []
    score = scorer or default_scorer()  # loaded (trained, if it must be) outside: its training vectors are shared
    with private_vectors():  # an embedding model's vectors of these answers stay in memory
        labels, sure = score([a[3] for a in answers])
    decided = sealed_decisions(session, result.campaign)
    records = []
    for (answer, item_id, language, text), codes, conf in zip(answers, labels, sure, strict=True):
        decision = decided.get(parse_ref(answer))  # type: ignore[arg-type]
        records.append(ReviewRecord(
            id=answer, question=item_id, language=language, text=text, model_labels=list(codes),
            model_primary=codes[0], model_confidence=float(conf),
            decision_labels=decision.labels if decision else None,
            decision_primary=decision.primary if decision else None,
        ))  # fmt: skip
    return [records[i] for i in least_sure_first([r.model_confidence for r in records])]


def decrypted_review(session: Session, result: Decrypted, machine: Callable[[list[str]], list[list[str]]] | None = None,
                     ) -> dict[str, Any]:  # fmt: skip
    """The report's ``codes`` and ``review`` for decrypted data (``cips.services.reports.reviewed_codes``'s twin).

    ``machine`` codes texts as the model does (for the model–reviewer kappa on the reviewed answers).
    """
    from analysis.agreement import agreement
    from analysis.embedding_block import private_vectors
    from cips.services.review import MIN_PAIRS

    decided = sealed_decisions(session, result.campaign)
    answers = decrypted_open_answers(session, result)
    reviewed = [(a, decided[key]) for a in answers if (key := parse_ref(a[0])) in decided]
    if not reviewed:
        return {"codes": {}, "review": {}}
    codes = {parse_ref(a[0]): row.labels for a, row in reviewed}
    model_kappa = None
    if machine is not None and len(reviewed) >= MIN_PAIRS:  # the small-cell rule, as for plaintext campaigns
        with private_vectors():
            suggested = machine([a[3] for a, _ in reviewed])
        found = agreement(suggested, [s[0] for s in suggested], [row.labels for _, row in reviewed],
                          [row.primary for _, row in reviewed]).primary.kappa  # fmt: skip
        model_kappa = None if found is None else round(found, 2)
    review = {"reviewed": len(reviewed), "open_answers": len(answers), "model_kappa": model_kappa,
              "model_pairs": len(reviewed) if machine is not None else 0, "coder_kappa": None}  # fmt: skip
    return {"codes": codes, "review": review}
