"""Codes of open answers: the model's suggestions and people's decisions (``Coding`` rows).

What is coded belongs to an *owner*: a campaign (its open answers) or a saved briefing (its
contributions, each seen here as an ``OpenAnswer`` whose id is the row's). Every function takes
either, so storing, "the latest decision wins" and the audit are one implementation for both.

Rows are only ever added: a new decision is a new row, and the latest ``reviewer`` or
``import`` row of an answer is its code. The model's suggestion stays beside it, so that
outputs can say how many codes are machine-only and agreement can be measured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import event, func
from sqlmodel import Session, select

from analysis.factors import FACTOR_IDS, OTHER
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of
from cips.models import DECIDING_SOURCES, Answer, Briefing, BriefingRow, Campaign, Coding, CodingSource, Submission
from cips.services import audit
from cips.services.campaigns import campaign_instruments
from cips.services.exclusions import counted
from cips.services.messages import N_

if TYPE_CHECKING:
    import pandas as pd

#: Answers classified per call of the model: bounds memory, and lets progress be stored as it goes.
SUGGEST_BATCH = 200
MODEL_PREFIX = f"{CodingSource.model.value}:"
LABELS = (*FACTOR_IDS, OTHER)
#: The ``OpenAnswer.instrument`` of a briefing's contributions (they answer no questionnaire).
BRIEFING_SOURCE = "briefing"

#: What codes belong to: a campaign's open answers, or a saved briefing's contributions.
Owner = Campaign | Briefing


def _owned(owner: Owner) -> Any:
    """The condition selecting the owner's codings."""
    return Coding.briefing_id == owner.id if isinstance(owner, Briefing) else Coding.campaign_id == owner.id


def _target(owner: Owner) -> Any:
    """The column naming what a coding codes (the answer, or the briefing row)."""
    return Coding.briefing_row_id if isinstance(owner, Briefing) else Coding.answer_id


def new_coding(owner: Owner, target_id: int, **values: Any) -> Coding:
    if isinstance(owner, Briefing):
        return Coding(briefing_row_id=target_id, briefing_id=owner.id, **values)
    return Coding(answer_id=target_id, campaign_id=owner.id, **values)


def target_of(row: Coding) -> int:
    """The id of what ``row`` codes: its answer, or its briefing row."""
    return row.answer_id if row.answer_id is not None else row.briefing_row_id  # type: ignore[return-value]


def audit_target(owner: Owner, target_id: int | str) -> str:
    return f"briefing:{owner.id}#{target_id}" if isinstance(owner, Briefing) else f"{owner.slug}#{target_id}"


class CodingError(ValueError):
    """A decision that cannot be stored; ``field`` names what was wrong."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class CodingIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_coding_changes(session: Session, _context: object, _instances: object) -> None:
    """Codes are a history: a decision is corrected by a newer one, never by editing the old."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Coding) and (obj in session.deleted or session.is_modified(obj)):
            raise CodingIsAppendOnly("codings are append-only: add a new decision instead")


@dataclass(frozen=True)
class OpenAnswer:
    answer_id: int
    instrument: str
    item_id: str
    language: str  # the language the respondent answered the questionnaire in
    text: str


def open_items(session: Session, campaign: Campaign) -> dict[str, dict[str, dict[str, str]]]:
    """Per questionnaire key, its open (free-text) items and their wording per language (newest version)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for row in campaign_instruments(session, campaign):  # oldest first: the newest wording wins
        for item in definition_of(row).items():
            if item.type is ItemType.text:
                out.setdefault(row.key, {})[item.id] = dict(item.text)
    return out


def open_answers(session: Session, campaign: Owner, only: int | None = None) -> list[OpenAnswer]:
    """The campaign's non-empty answers to open items, oldest first (``only``: that answer, if it is one);
    a briefing's contributions in file order. An excluded submission's answers are left out, as every
    figure leaves them out (:func:`cips.services.exclusions.counted`)."""
    if isinstance(campaign, Briefing):
        return briefing_answers(session, campaign, only)
    items = open_items(session, campaign)
    keys = {row.id: row.key for row in campaign_instruments(session, campaign)}
    wanted = {item for per in items.values() for item in per}
    if not wanted:
        return []
    query = (
        select(Answer.id, Answer.item_id, Answer.value_text, Submission.language, Submission.instrument_id)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(counted(campaign.id), Answer.item_id.in_(wanted), Answer.value_text.is_not(None))
        .order_by(Answer.id)
    )
    rows = session.exec(query if only is None else query.where(Answer.id == only)).all()
    return [OpenAnswer(answer_id, keys[instrument_id], item_id, language, text)
            for answer_id, item_id, text, language, instrument_id in rows
            if item_id in items.get(keys[instrument_id], {}) and text.strip()]  # fmt: skip


def same_text(text: str) -> str:
    """What makes two open answers the same text to code: their words, whatever the spacing and case."""
    return " ".join(text.split()).casefold()


def identical_answers(answers: Sequence[OpenAnswer], answer_id: int) -> list[int]:
    """The ids of the open answers whose text is the same as answer ``answer_id``'s, it first (``[]`` when
    it is not one of ``answers``)."""
    text = next((same_text(a.text) for a in answers if a.answer_id == answer_id), None)
    if text is None:
        return []
    return [answer_id, *(a.answer_id for a in answers if a.answer_id != answer_id and same_text(a.text) == text)]


def briefing_answers(session: Session, briefing: Briefing, only: int | None = None) -> list[OpenAnswer]:
    query = select(BriefingRow).where(BriefingRow.briefing_id == briefing.id).order_by(BriefingRow.line, BriefingRow.id)
    rows = session.exec(query if only is None else query.where(BriefingRow.id == only)).all()
    return [OpenAnswer(row.id, BRIEFING_SOURCE, row.question, row.lang, row.answer)  # type: ignore[arg-type]
            for row in rows if row.answer.strip()]  # fmt: skip


def latest(session: Session, campaign: Owner, sources: Iterable[str] | None = None,
           model: bool = False) -> dict[int, Coding]:  # fmt: skip
    """The newest coding of each answer among ``sources`` (or the model's rows when ``model``)."""
    where = [_owned(campaign), _target(campaign).is_not(None)]  # an encrypted campaign's answers: sealed_codes
    if model:
        where.append(Coding.source.startswith(MODEL_PREFIX))
    elif sources is not None:
        where.append(Coding.source.in_(list(sources)))
    newest = select(func.max(Coding.id)).where(*where).group_by(_target(campaign))
    rows = session.exec(select(Coding).where(Coding.id.in_(newest.scalar_subquery()))).all()
    return {target_of(row): row for row in rows}


def decisions(session: Session, campaign: Owner) -> dict[int, Coding]:
    """Each reviewed answer's code: its latest reviewer (or imported) decision."""
    return latest(session, campaign, DECIDING_SOURCES)


def suggestions(session: Session, campaign: Owner) -> dict[int, Coding]:
    return latest(session, campaign, model=True)


def margins(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How sure the model is of each answer: the distance of the factor probability nearest to
    its decision threshold (0 = a coin toss on some factor)."""
    return np.abs(proba - thresholds[: proba.shape[1]]).min(axis=1)


def current_model_digest() -> str:
    from analysis.default_model import model_digest

    return model_digest()


def _coded_by(session: Session, owner: Owner, source: str) -> set[int]:
    return set(session.exec(select(_target(owner)).where(_owned(owner), Coding.source == source)).all())


def unsuggested(session: Session, campaign: Owner, digest: str) -> int:
    """How many open answers the model ``digest`` has not coded yet."""
    done = _coded_by(session, campaign, f"{MODEL_PREFIX}{digest}")
    return sum(a.answer_id not in done for a in open_answers(session, campaign))


#: Texts -> the calibrated chance that the model's coding of each needs no correction.
Sureness = Callable[[list[str]], np.ndarray]
#: Texts -> each one's labels (primary first), (n, 10) factor probabilities and calibrated
#: confidence (None: not known), from one pass of the model.
Reading = Callable[[list[str]], tuple[list[list[str]], np.ndarray, Sequence[float | None]]]


def default_reading(model: Any) -> Reading:
    """The shipped model's labels and probabilities with ``analysis.adapt.confidence``'s calibrated
    chance, from one pass over the texts (``analysis.adapt.read``): asking for the labels and then
    for the confidence ran the model twice. The calibrator is fitted on a development set, never a
    held-out one, and cached beside the model (``load_default_calibrator``)."""
    from analysis.adapt import load_default_calibrator, read

    calibrator = load_default_calibrator()

    def reading(texts: list[str]) -> tuple[list[list[str]], np.ndarray, Sequence[float | None]]:
        labels, proba, m = read(model, texts)
        return labels, proba, calibrator.predict(m)

    return reading


def _reading(classifier: Any, sureness: Sureness | None) -> Reading:
    """A given classifier's labels and probabilities, with ``sureness``'s confidence if given."""

    def reading(texts: list[str]) -> tuple[list[list[str]], np.ndarray, Sequence[float | None]]:
        labels, proba = classifier.predict_labels_and_proba(texts)
        return labels, proba, sureness(texts) if sureness is not None else [None] * len(texts)

    return reading


def with_vectors(classifier: Any, answers: list[Any]) -> list[Any]:
    """The campaign's answers ``classifier`` can code now. An embedding classifier reads the vectors of
    an answer and its points from the cache the campaign's text analysis fills
    (``text_analysis.embed_campaign``): an answer still lacking one waits for it; nothing is embedded
    here. (A saved briefing's contributions, a few hundred, are embedded by its suggestion job.)"""
    backend = getattr(classifier, "embeddings", None)
    if backend is None or not hasattr(classifier, "embedded_texts"):
        return answers
    from analysis.embedding_block import missing_vectors

    reads = [classifier.embedded_texts([a.text]) for a in answers]  # each answer and its points
    lacking = set(missing_vectors([t for texts in reads for t in texts], backend)[1])
    return [a for a, texts in zip(answers, reads, strict=True) if lacking.isdisjoint(texts)]


def suggest(session: Session, campaign: Owner, classifier: Any = None, digest: str | None = None,
            sureness: Sureness | None = None) -> int:  # fmt: skip
    """Store the model's codes of the open answers it has not coded yet; returns how many.

    ``digest`` names the fitted model (``analysis.default_model.model_digest``): a new model
    codes every answer again, and its suggestion becomes the one shown. ``sureness`` gives each
    suggestion its calibrated confidence (the queue's order); the shipped model's by default.
    """
    if classifier is None:
        from analysis import load_default_classifier

        classifier, digest = load_default_classifier(), current_model_digest()
        reading = _reading(classifier, sureness) if sureness is not None else default_reading(classifier)
    else:
        reading = _reading(classifier, sureness)
    source = f"{MODEL_PREFIX}{digest}"
    done = _coded_by(session, campaign, source)
    todo = [a for a in open_answers(session, campaign) if a.answer_id not in done]
    if isinstance(campaign, Campaign):  # a saved briefing has no text analysis job: its own job embeds
        todo = with_vectors(classifier, todo)
    for start in range(0, len(todo), SUGGEST_BATCH):
        batch = todo[start : start + SUGGEST_BATCH]
        labels, proba, sure = reading([a.text for a in batch])
        for answer, codes, margin, conf in zip(batch, labels, margins(proba, classifier.thresholds_), sure,
                                               strict=True):  # fmt: skip
            # Kept with the suggestion: the reviewer sees why at once, with no model in the request
            # (given the labels, explain does not run the model on the text again).
            evidence = classifier.explain(answer.text, labels=codes) if codes != [OTHER] else {}
            session.add(new_coding(campaign, answer.answer_id, labels=list(codes), primary=codes[0], source=source,
                                   margin=float(margin), confidence=None if conf is None else float(conf),
                                   evidence=evidence))  # fmt: skip
        session.commit()  # each batch kept: a long run that stops keeps what it did
    return len(todo)


def check_codes(labels: Sequence[str], primary: str | None) -> tuple[list[str], str]:
    """Labels as stored (primary first, no repeats, ``other`` alone), or CodingError naming the field."""
    unknown = [label for label in labels if label not in LABELS]
    if unknown:
        raise CodingError(N_("unknown factor %(label)s (one of %(known)s)", label=repr(unknown[0]),
                             known=", ".join(LABELS)), "labels")  # fmt: skip
    chosen = list(dict.fromkeys(labels)) or [OTHER]
    if OTHER in chosen and len(chosen) > 1:
        raise CodingError(N_("'other' means no factor applies: it cannot go with a factor"), "labels")
    primary = primary or chosen[0]
    if primary not in chosen:
        raise CodingError(N_("the primary factor %(primary)s is not among the chosen factors",
                             primary=repr(primary)), "primary")  # fmt: skip
    return [primary, *(label for label in chosen if label != primary)], primary


def record_decision(
    session: Session, campaign: Owner, answer_id: int, labels: Sequence[str], primary: str | None, *,
    actor: str, source: CodingSource = CodingSource.reviewer,
) -> Coding:  # fmt: skip
    """Add a person's code of one open answer of ``campaign`` and its audit event (committed)."""
    return record_decisions(session, campaign, [(answer_id, labels, primary)], actor=actor, source=source)[0]


def record_text_decision(
    session: Session, owner: Owner, answer_id: int, labels: Sequence[str], primary: str | None, *,
    actor: str, source: CodingSource = CodingSource.reviewer,
) -> list[Coding]:  # fmt: skip
    """A person's code of one open answer, applied to every answer of ``owner`` with the same text
    (:func:`same_text`): a reviewer codes a text once, not once per respondent who wrote it. Each
    answer gets its own decision row and audit event, in one commit; the answer shown comes first.
    A second coder's code stays with its answer: agreement is measured answer by answer."""
    if source is CodingSource.second_coder:
        return record_decisions(session, owner, [(answer_id, labels, primary)], actor=actor, source=source)
    answers = open_answers(session, owner)  # read once: to find the copies and to check them
    same = identical_answers(answers, answer_id) or [answer_id]
    return record_decisions(session, owner, [(i, labels, primary) for i in same], actor=actor, source=source,
                            answers=answers)  # fmt: skip


def record_decisions(
    session: Session, campaign: Owner, codes: Sequence[tuple[int, Sequence[str], str | None]], *,
    actor: str, source: CodingSource = CodingSource.reviewer, answers: Sequence[OpenAnswer] | None = None,
) -> list[Coding]:  # fmt: skip
    """Add people's codes ``(answer id, labels, primary)``, each with its audit event, in one
    commit: all stored, or (a bad code, an unknown answer) none. ``answers``: the owner's open
    answers when the caller has just read them."""
    if source is CodingSource.model:
        raise CodingError(N_("people's decisions cannot be stored as the model's"), "source")
    if answers is None:
        only = codes[0][0] if len(codes) == 1 else None  # one answer (the queue): no need to read them all
        answers = open_answers(session, campaign, only=only)
    known = {a.answer_id for a in answers}
    rows = []
    for answer_id, labels, primary in codes:  # every code checked before anything is added
        if answer_id not in known:
            if isinstance(campaign, Briefing):
                raise CodingError(N_("no contribution %(id)s in this briefing", id=str(answer_id)), "answer")
            raise CodingError(N_("no open answer %(id)s in campaign %(slug)s", id=str(answer_id),
                                 slug=repr(campaign.slug)), "answer")  # fmt: skip
        stored, chosen = check_codes(labels, primary)
        rows.append(new_coding(campaign, answer_id, labels=stored, primary=chosen, source=source.value, coder=actor))
    return store_decisions(session, campaign, rows, actor=actor, source=source)


def store_decisions(session: Session, owner: Owner, rows: list[Coding], *, actor: str,
                    source: CodingSource) -> list[Coding]:  # fmt: skip
    """Add checked decision rows, each with its audit event, in one commit."""
    for row in rows:
        session.add(row)
        # The audit log names the answer (an encrypted one by ``UUID/ITEM``) and the codes, never the answer's text.
        target = target_of(row) if row.submission_uuid is None else f"{row.submission_uuid}/{row.item_id}"
        audit.record(session, actor, "review.decide", audit_target(owner, target), labels=row.labels,
                     primary=row.primary, source=source.value)  # fmt: skip
    session.commit()
    return rows


def answer_codes(session: Session, campaign: Campaign) -> pd.DataFrame:
    """Each coded open answer's codes, as exports show them: ``respondent`` (the submission's uuid),
    ``item_id``, ``labels`` (space-separated, primary first), ``primary`` and ``coded_by``: the
    decision's source where a person decided, else ``model``."""
    import pandas as pd

    suggested, decided = suggestions(session, campaign), decisions(session, campaign)
    ids = set(suggested) | set(decided)
    if not ids:
        return pd.DataFrame(columns=["respondent", "item_id", "labels", "primary", "coded_by"])
    where = session.exec(
        select(Answer.id, Answer.item_id, Submission.uuid).join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.campaign_id == campaign.id, Answer.id.in_(ids))
    ).all()  # fmt: skip
    rows = []
    for answer_id, item_id, uuid in where:
        code = decided.get(answer_id) or suggested[answer_id]
        source = code.source if answer_id in decided else CodingSource.model.value
        rows.append({"respondent": str(uuid), "item_id": item_id, "labels": " ".join(code.labels),
                     "primary": code.primary, "coded_by": source})  # fmt: skip
    return pd.DataFrame(rows)
