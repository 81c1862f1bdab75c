"""Answers with the same text are reviewed once: the queue shows the text once, the decision codes each of them."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from cips.models import AuditEvent, Campaign, Coding, CodingSource, Role
from cips.services.coding import (
    current_model_digest,
    decisions,
    open_answers,
    record_text_decision,
    same_text,
    suggest,
)
from cips.services.review import QueueFilters, queue, review_page
from tests.review.conftest import TEXTS, KeywordModel, submit_open_answers

SAME = TEXTS[0][1]
#: The first text again from two more respondents, once with other spacing and case.
COPIES = [("fr", SAME), ("fr", "  " + SAME.upper().replace(" ", "  ") + " ")]


def _with_copies(client, session: Session, campaign: Campaign) -> list[int]:
    submit_open_answers(client, COPIES)
    suggest(session, campaign, KeywordModel(), current_model_digest())
    return [a.answer_id for a in open_answers(session, campaign) if same_text(a.text) == same_text(SAME)]


def test_queue_shows_a_text_given_by_several_respondents_once(answered, session, client) -> None:
    same = _with_copies(client, session, answered)
    assert len(same) == 3
    rows = queue(session, answered, QueueFilters())
    assert len(rows) == len(TEXTS)  # 9 answers, 7 distinct texts
    [entry] = [e for e in rows if e.answer.answer_id in same]
    assert {entry.answer.answer_id, *entry.same} == set(same)
    # A link to a copy opens the entry it is shown under.
    assert review_page(session, answered, QueueFilters(), same[-1]).entry.answer.answer_id == entry.answer.answer_id


def test_one_decision_codes_every_answer_with_the_same_text_each_audited(answered, session, client,
                                                                         client_as) -> None:  # fmt: skip
    same = _with_copies(client, session, answered)
    reviewer = client_as(Role.reviewer)
    page = reviewer.get("/manage/campaigns/test/review/answers").get_data(as_text=True)
    shown = int(re.search(r'name="answer_id" value="(\d+)"', page).group(1))
    assert shown in same  # the least sure text, first
    assert "This text was given 3 times, word for word: the decision applies to each of these answers." in page
    response = reviewer.post("/manage/campaigns/test/review/answers",
                             data={"answer_id": shown, "labels": ["culture"], "primary": "culture"})  # fmt: skip
    after = reviewer.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Saved for the previous answer and the other answers with the same text (3 in all): "
            "Morale and Organizational Culture (primary).") in after  # fmt: skip
    decided = decisions(session, answered)
    assert set(decided) == set(same) and all(decided[i].labels == ["culture"] for i in same)
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "review.decide")).all()
    assert sorted(e.target for e in audited) == sorted(f"test#{i}" for i in same)  # one event per answer
    unreviewed = queue(session, answered, QueueFilters(unreviewed=True))
    assert not {e.answer.answer_id for e in unreviewed} & set(same)


def test_a_second_coders_code_stays_with_its_answer(answered, session, client) -> None:
    same = _with_copies(client, session, answered)
    record_text_decision(session, answered, same[0], ["hrm"], None, actor="a@example.org")
    record_text_decision(session, answered, same[1], ["audit"], None, actor="b@example.org",
                         source=CodingSource.second_coder)  # fmt: skip
    assert all(decisions(session, answered)[i].labels == ["hrm"] for i in same)  # the text's code, on every copy
    seconds = session.exec(select(Coding).where(Coding.source == CodingSource.second_coder.value)).all()
    assert [(row.answer_id, row.labels) for row in seconds] == [(same[1], ["audit"])]  # on its answer only


def test_a_text_decision_reads_the_campaigns_answers_once(answered, session, client, monkeypatch) -> None:
    from cips.services import coding

    same = _with_copies(client, session, answered)
    reads = []
    real = coding.open_answers
    monkeypatch.setattr(coding, "open_answers", lambda *a, **k: reads.append(k.get("only")) or real(*a, **k))
    record_text_decision(session, answered, same[0], ["culture"], None, actor="a@example.org")
    assert reads == [None]  # one read serves to find the copies and to check them
    assert all(decisions(session, answered)[i].labels == ["culture"] for i in same)
