"""Codes of open answers: suggestions, append-only decisions, the queue's order and filters, agreement."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cips.models import AuditEvent, Campaign, Coding, CodingSource
from cips.services.coding import CodingError, CodingIsAppendOnly, decisions, open_answers, record_decision, suggest
from cips.services.review import QueueFilters, agreement_of, in_second_sample, queue, review_stats, set_second_coding
from tests.review.conftest import TEXTS, KeywordModel


def test_suggest_codes_each_open_answer_once_per_model(answered: Campaign, session: Session) -> None:
    assert suggest(session, answered, KeywordModel(), "abc") == len(TEXTS)
    assert suggest(session, answered, KeywordModel(), "abc") == 0  # nothing new to code
    rows = session.exec(select(Coding).where(Coding.source == "model:abc")).all()
    assert len(rows) == len(TEXTS) and all(r.margin is not None and r.coder is None for r in rows)
    assert suggest(session, answered, KeywordModel(), "newer") == len(TEXTS)  # a new model codes everything again


def test_queue_puts_the_least_sure_first_and_filters(answered: Campaign, session: Session) -> None:
    suggest(session, answered, KeywordModel(), "abc")
    order = [e.answer.text for e in queue(session, answered, QueueFilters())]
    # Answers with no keyword are "other" at probability 0: sure; the first keyword answer is the least sure.
    assert order[0] == TEXTS[0][1]
    assert [e.answer.text for e in queue(session, answered, QueueFilters(language="es"))] == [TEXTS[3][1]]
    assert [e.answer.text for e in queue(session, answered, QueueFilters(factor="hrm"))] == [TEXTS[0][1], TEXTS[4][1]]
    assert queue(session, answered, QueueFilters(question="open_works")) == []


def test_decisions_are_appended_the_latest_wins_and_the_suggestion_stays(answered: Campaign, session: Session) -> None:
    suggest(session, answered, KeywordModel(), "abc")
    first = open_answers(session, answered)[0].answer_id
    record_decision(session, answered, first, ["hrm", "culture"], "culture", actor="a@example.org")
    record_decision(session, answered, first, ["leadership"], None, actor="b@example.org")
    decided = decisions(session, answered)[first]
    assert (decided.labels, decided.primary, decided.coder) == (["leadership"], "leadership", "b@example.org")
    assert decided.source == CodingSource.reviewer.value
    assert len(session.exec(select(Coding).where(Coding.answer_id == first)).all()) == 3  # model + two decisions
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "review.decide")).all()
    assert [e.details["primary"] for e in events] == ["culture", "leadership"]
    assert [e.actor for e in events] == ["a@example.org", "b@example.org"]
    assert all(TEXTS[0][1] not in str(e.details) for e in events)  # the audit log never quotes the answer
    unreviewed = queue(session, answered, QueueFilters(unreviewed=True))
    assert first not in {e.answer.answer_id for e in unreviewed} and len(unreviewed) == len(TEXTS) - 1


def test_a_stored_coding_cannot_be_changed_or_deleted(answered: Campaign, session: Session) -> None:
    first = open_answers(session, answered)[0].answer_id
    row = record_decision(session, answered, first, ["hrm"], "hrm", actor="a@example.org")
    row.primary = "audit"
    with pytest.raises(CodingIsAppendOnly):
        session.commit()
    session.rollback()
    session.delete(session.get(Coding, row.id))
    with pytest.raises(CodingIsAppendOnly):
        session.commit()


@pytest.mark.parametrize(
    ("labels", "primary", "field"),
    [(["bribery"], None, "labels"), (["other", "hrm"], None, "labels"), (["hrm"], "audit", "primary")],
)
def test_bad_codes_are_refused_naming_the_field(answered: Campaign, session: Session, labels, primary, field) -> None:
    first = open_answers(session, answered)[0].answer_id
    with pytest.raises(CodingError) as refused:
        record_decision(session, answered, first, labels, primary, actor="a@example.org")
    assert refused.value.field == field
    with pytest.raises(CodingError) as refused:
        record_decision(session, answered, 999_999, ["hrm"], None, actor="a@example.org")
    assert refused.value.field == "answer"


def test_second_coder_sees_the_sample_blind_and_kappa_needs_five_pairs(answered: Campaign, session: Session) -> None:
    suggest(session, answered, KeywordModel(), "abc")
    for a in open_answers(session, answered):
        record_decision(session, answered, a.answer_id, ["hrm"] if "sal" in a.text else ["audit"], None,
                        actor="first@example.org")  # fmt: skip
    set_second_coding(session, answered, 100, actor="manager@example.org")
    assert all(in_second_sample(answered, a.answer_id) for a in open_answers(session, answered))
    assert queue(session, answered, QueueFilters(second=True), coder="first@example.org") == []  # not one's own
    blind = queue(session, answered, QueueFilters(second=True), coder="second@example.org")
    assert len(blind) == len(TEXTS) and all(e.decision is None and e.suggestion is None for e in blind)
    for e in blind[:4]:
        record_decision(session, answered, e.answer.answer_id, ["audit"], None, actor="second@example.org",
                        source=CodingSource.second_coder)  # fmt: skip
    stats = review_stats(session, answered)
    assert (stats.reviewed, stats.second_coded, stats.machine_only) == (len(TEXTS), 4, 0)
    assert stats.coder_kappa is None  # 4 pairs: under the small-cell rule
    assert stats.model_kappa is not None and stats.model_by_factor["hrm"] is not None
    assert stats.coder_by_factor == {}
    # The second coder's code is no decision: the first one's still stands.
    assert all(d.coder == "first@example.org" for d in decisions(session, answered).values())


def test_kappa_per_factor_and_for_the_primary_from_five_pairs() -> None:
    def code(*labels: str) -> Coding:
        return Coding(answer_id=1, campaign_id=1, labels=list(labels), primary=labels[0], source="reviewer")

    first = [code("hrm"), code("audit"), code("hrm", "culture"), code("audit"), code("hrm")]
    same = agreement_of(list(zip(first, first, strict=True)))
    assert same is not None and same.primary.kappa == 1.0 and same.labels["culture"].kappa == 1.0
    assert same.labels["transparency"].kappa is None  # nobody used it: undefined, not 0 or 1
    assert agreement_of(list(zip(first[:4], first[:4], strict=True))) is None  # 4 pairs: not shown


def test_half_sample_draws_about_half(answered: Campaign, session: Session) -> None:
    answered.second_coding_percent = 50
    drawn = [in_second_sample(answered, i) for i in range(1000)]
    assert 400 < sum(drawn) < 600
    answered.second_coding_percent = 60  # a larger share keeps the answers drawn before
    assert all(in_second_sample(answered, i) for i in range(1000) if drawn[i])
