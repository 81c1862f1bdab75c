"""The dashboard's summary of open answers uses people's codes where they exist and counts the machine-only."""

from __future__ import annotations

from sqlmodel import Session

from cips.models import Campaign, Role
from cips.services.coding import open_answers, record_decision, suggest
from cips.services.review import free_text_summary
from tests.review.conftest import TEXTS, KeywordModel


def test_free_text_summary_counts_decisions_over_the_models_codes(answered: Campaign, session: Session,
                                                                  client_as) -> None:  # fmt: skip
    suggest(session, answered, KeywordModel(), "abc")
    before = free_text_summary(session, answered)
    assert (before.by_label["hrm"], before.by_label["audit"], before.review.machine_only) == (2, 1, len(TEXTS))
    promotions = next(a for a in open_answers(session, answered) if "promotions" in a.text)
    record_decision(session, answered, promotions.answer_id, ["audit"], None, actor="a@example.org")
    after = free_text_summary(session, answered)
    assert (after.by_label["hrm"], after.by_label["audit"]) == (1, 2)  # the person's code, not the model's
    assert (after.review.reviewed, after.review.machine_only, after.uncoded) == (1, len(TEXTS) - 1, 0)

    html = client_as(Role.manager).get("/manage/campaigns/test/dashboard").get_data(as_text=True)
    assert 'id="free-text-factors"' in html
    summary = html[html.index('id="free-text-review"') :]
    # Counts of 1 to 4 are never shown (the small-cell rule); 7 and 6 are.
    assert "n&lt;5</abbr> of 7 open answers reviewed, 6 machine-only" in summary


def test_free_text_summary_says_what_the_model_has_not_coded_yet(answered: Campaign, session: Session) -> None:
    summary = free_text_summary(session, answered)
    assert summary.uncoded == len(TEXTS) and sum(summary.by_label.values()) == 0


def test_excluded_submissions_leave_the_review_queue_and_the_free_text_summary(answered: Campaign,
                                                                               session: Session) -> None:  # fmt: skip
    from cips.models import Answer, Submission
    from cips.services.exclusions import exclude

    suggest(session, answered, KeywordModel(), "abc")
    promotions = next(a for a in open_answers(session, answered) if "promotions" in a.text)
    uuid = session.get(Submission, session.get(Answer, promotions.answer_id).submission_id).uuid
    exclude(session, answered, str(uuid), "test", "a test interview by the trainer", actor="a@example.org")

    left = open_answers(session, answered)
    assert len(left) == len(TEXTS) - 1 and promotions.answer_id not in {a.answer_id for a in left}
    summary = free_text_summary(session, answered)
    # The report and the exports leave the record out: the dashboard's summary and the queue do too.
    assert summary.by_label["hrm"] == 1 and summary.review.open_answers == len(TEXTS) - 1


def test_answers_the_model_has_not_coded_yet_are_not_called_coded_by_it(
    answered: Campaign, session: Session, client_as, small_calibrator
) -> None:  # fmt: skip
    # The shipped model codes (from the cache); its calibrator is the small stand-in.
    waiting = free_text_summary(session, answered)
    assert (waiting.review.machine_only, waiting.review.uncoded, waiting.uncoded) == (0, len(TEXTS), len(TEXTS))
    manager = client_as(Role.manager)
    html = manager.get("/manage/campaigns/test").get_data(as_text=True)
    assert "0 of 7 open answers reviewed; 0 coded by the model only. 7 not coded by the model yet." in html
    # The review page codes the answer it opens first; the rest still wait, and are said to.
    html = manager.get("/manage/campaigns/test/review/answers").get_data(as_text=True)
    assert "1 coded by the model only. 6 not coded by the model yet." in html
    suggest(session, answered, KeywordModel(), "abc")
    coded = free_text_summary(session, answered)
    assert (coded.review.machine_only, coded.review.uncoded) == (len(TEXTS), 0)
    assert "not coded by the model yet" not in manager.get("/manage/campaigns/test").get_data(as_text=True)
