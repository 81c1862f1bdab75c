"""The review queue's pages: one answer at a time, decisions saved, roles kept apart."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from cips.models import AuditEvent, Campaign, Coding, Role, UserCreate
from cips.services.campaigns import get_or_create_administration
from cips.services.coding import current_model_digest, decisions, open_answers, suggest
from cips.services.users import create_user
from tests.manage.conftest import PASSWORD, sign_in
from tests.review.conftest import TEXTS, KeywordModel


def _suggested(session: Session, campaign: Campaign) -> None:
    # Suggestions of the current model's name, so that the page starts no model run of its own.
    suggest(session, campaign, KeywordModel(), current_model_digest())


def test_queue_shows_the_least_sure_answer_with_the_models_codes(answered, session, client_as) -> None:
    _suggested(session, answered)
    page = client_as(Role.reviewer).get("/manage/campaigns/test/review/answers")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert TEXTS[0][1].replace("'", "&#39;") in html  # least sure first
    assert "Human Resource Management (primary)" in html and "Human Resource Management: promotion" in html
    assert f"Answer 1 of {len(TEXTS)}" in html
    assert re.search(r'value="hrm" data-key="8" checked', html)  # the suggestion is the starting point


class FeatureModel(KeywordModel):
    """Evidence as the shipped classifier gives it: codebook concepts, lemmas and character n-grams."""

    def explain(self, text: str, lang=None, labels=None) -> dict[str, list[str]]:
        return {f: ["concept:promotion (promotions)", "lemmas:promotion", "lemmas:Promotions", "chars:otio",
                    "chars: mé"] for k, f in self.KEYWORDS.items() if k in text.lower()}  # fmt: skip


def test_the_evidence_is_shown_as_words_of_the_answer_not_feature_names(answered, session, client_as) -> None:
    suggest(session, answered, FeatureModel(), current_model_digest())
    html = client_as(Role.reviewer).get("/manage/campaigns/test/review/answers").get_data(as_text=True)
    evidence = re.search(r'<ul class="help" id="review-evidence">(.*?)</ul>', html, re.S).group(1)
    # The matched phrase and the lemma once each; no block prefix, no character n-gram.
    assert re.findall(r"<li>(.*?)</li>", evidence) == ["Human Resource Management: promotions, promotion"]


def test_the_question_is_named_by_its_wording_and_offered_once_in_the_filter(answered, session, client_as) -> None:
    _suggested(session, answered)
    html = client_as(Role.reviewer).get("/manage/campaigns/test/review/answers").get_data(as_text=True)
    # Both questionnaires ask open_change_first, in two wordings: one filter option, not two that do the same.
    options = re.findall(r'<option value="(open_[a-z_]+)"', html)
    assert options and len(options) == len(set(options))
    heading = re.search(r'<p class="help" id="review-question">(.*?)</p>', html, re.S).group(1)
    assert "change first" in heading and "open_change_first" not in heading


def test_a_decision_is_saved_audited_and_the_next_answer_follows(answered, session, client_as) -> None:
    _suggested(session, answered)
    client = client_as(Role.reviewer)
    first = client.get("/manage/campaigns/test/review/answers?unreviewed=1").get_data(as_text=True)
    answer_id = int(re.search(r'name="answer_id" value="(\d+)"', first).group(1))
    decision = {"answer_id": answer_id, "labels": ["culture", "hrm"], "primary": "culture"}
    response = client.post("/manage/campaigns/test/review/answers?unreviewed=1", data=decision)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "unreviewed=1" in location and f"answer={answer_id}" not in location
    decided = decisions(session, answered)[answer_id]
    assert (decided.labels, decided.primary, decided.coder) == (["culture", "hrm"], "culture", "reviewer@example.org")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "review.decide")).one()
    assert event.actor == "reviewer@example.org" and event.target == f"test#{answer_id}"
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Answer 1 of {len(TEXTS) - 1}" in after


def test_the_next_answer_says_what_was_saved_for_the_previous_one(answered, session, client_as) -> None:
    # Under "not reviewed yet" the position stays "Answer 1 of n": the saved codes are the confirmation.
    _suggested(session, answered)
    client = client_as(Role.reviewer)
    for labels, primary, said in ((["culture", "hrm"], "hrm", "Human Resource Management (primary), Morale and "
                                   "Organizational Culture"), ([], "", "Other topics")):  # fmt: skip
        first = client.get("/manage/campaigns/test/review/answers?unreviewed=1").get_data(as_text=True)
        assert "Saved for the previous answer" not in first
        answer_id = int(re.search(r'name="answer_id" value="(\d+)"', first).group(1))
        response = client.post("/manage/campaigns/test/review/answers?unreviewed=1",
                               data={"answer_id": answer_id, "labels": labels, "primary": primary})  # fmt: skip
        after = client.get(response.headers["Location"]).get_data(as_text=True)
        assert f'<p class="flash ok" role="status">Saved for the previous answer: {said}.</p>' in after


def test_a_bad_decision_is_refused_with_its_reason(answered, session, client_as) -> None:
    _suggested(session, answered)
    client = client_as(Role.manager)
    answer_id = open_answers(session, answered)[0].answer_id
    response = client.post("/manage/campaigns/test/review/answers",
                           data={"answer_id": answer_id, "labels": ["hrm"], "primary": "audit"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is not among the chosen factors" in page
    assert decisions(session, answered) == {}


def test_reviewer_reaches_the_queue_and_nothing_else(answered, session, client_as) -> None:
    client = client_as(Role.reviewer)
    assert client.get("/manage/review").status_code == 200
    for url in ("/manage/", "/manage/campaigns/test", "/manage/campaigns/test/export", "/manage/campaigns/test/report",
                "/manage/campaigns/test/dashboard", "/manage/campaigns/test/edit", "/manage/briefing",
                "/manage/stations", "/admin/users", "/admin/audit"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post("/manage/campaigns/test/review/second-coding", data={"percent": 50}).status_code == 403


def test_another_administrations_reviewer_does_not_see_the_campaign(answered, session, loaded) -> None:
    other = get_or_create_administration(session, "Other Customs").id
    create_user(session, UserCreate(email="r2@example.org", role=Role.reviewer, password=PASSWORD,
                                    administration_id=other), actor="test")  # fmt: skip
    client = loaded.test_client()
    assert sign_in(client, "r2@example.org").status_code == 302
    assert client.get("/manage/campaigns/test/review/answers").status_code == 404
    answer_id = open_answers(session, answered)[0].answer_id
    refused = client.post("/manage/campaigns/test/review/answers", data={"answer_id": answer_id, "labels": ["hrm"]})
    assert refused.status_code == 404
    assert session.exec(select(Coding)).all() == []


def test_second_coding_share_and_agreement_on_the_campaign_page(answered, session, client_as) -> None:
    _suggested(session, answered)
    manager = client_as(Role.manager)
    assert manager.post("/manage/campaigns/test/review/second-coding", data={"percent": 100}).status_code == 302
    session.refresh(answered)
    assert answered.second_coding_percent == 100
    for a in open_answers(session, answered):
        manager.post("/manage/campaigns/test/review/answers", data={"answer_id": a.answer_id, "labels": ["hrm"]})
    reviewer = client_as(Role.reviewer)
    blind = reviewer.get("/manage/campaigns/test/review/answers?second=1").get_data(as_text=True)
    assert "Decided by" not in blind and "review-suggestion" not in blind  # blind to the first code
    assert f"Answer 1 of {len(TEXTS)}" in blind
    for a in open_answers(session, answered):
        labels = ["hrm"] if a.answer_id % 2 else ["audit"]
        second = {"answer_id": a.answer_id, "labels": labels}
        reviewer.post("/manage/campaigns/test/review/answers?second=1", data=second)
    page = manager.get("/manage/campaigns/test").get_data(as_text=True)
    assert f"{len(TEXTS)} of {len(TEXTS)} open answers reviewed; 0 coded by the model only" in page
    assert f"(n = {len(TEXTS)} answers coded twice)" in page
    assert "Coder–coder agreement: not enough" not in page
    assert 'id="review-kappa"' in page and "Human Resource Management" in page  # kappa per factor


def test_kappa_dash_note_only_when_a_dash_is_shown(answered, session, client_as, monkeypatch) -> None:
    from cips.manage import campaigns as campaign_pages
    from cips.services.review import ReviewStats

    note = "– : not defined (nobody used the factor)"
    defined = ReviewStats(open_answers=40, reviewed=40, suggested=40, second_coded=40, model_kappa=0.8,
                          coder_kappa=0.7, model_by_factor={"hrm": 0.8}, coder_by_factor={"hrm": 0.7})  # fmt: skip
    monkeypatch.setattr(campaign_pages, "review_stats", lambda *a, **k: defined)
    page = client_as(Role.manager).get("/manage/campaigns/test").get_data(as_text=True)
    assert 'id="review-kappa"' in page and "Kappa per factor" in page and note not in page
    gap = ReviewStats(open_answers=40, reviewed=40, suggested=40, second_coded=40, model_kappa=0.8,
                      coder_kappa=0.7, model_by_factor={"hrm": 0.8}, coder_by_factor={"hrm": None})  # fmt: skip
    monkeypatch.setattr(campaign_pages, "review_stats", lambda *a, **k: gap)
    assert note in client_as(Role.manager).get("/manage/campaigns/test").get_data(as_text=True)


def test_french_review_pages_space_the_colon_and_write_kappa_with_a_comma(answered, session, client_as,
                                                                          monkeypatch) -> None:  # fmt: skip
    from cips.manage import campaigns as campaign_pages
    from cips.services.review import ReviewStats

    fr = {"Accept-Language": "fr"}
    stats = ReviewStats(open_answers=40, reviewed=40, suggested=40, second_coded=40, model_kappa=0.83,
                        coder_kappa=0.71, model_by_factor={"hrm": 0.83}, coder_by_factor={"hrm": 0.71})  # fmt: skip
    monkeypatch.setattr(campaign_pages, "review_stats", lambda *a, **k: stats)
    page = client_as(Role.manager).get("/manage/campaigns/test", headers=fr).get_data(as_text=True)
    assert "0,83" in page and "0,71" in page and "0.83" not in page and "0.71" not in page
    assert "(XLSX)</a> :" in page
    _suggested(session, answered)
    queue = client_as(Role.reviewer).get("/manage/campaigns/test/review/answers", headers=fr).get_data(as_text=True)
    assert 'id="review-suggestion">Modèle :' in queue
    english = client_as(Role.reviewer).get("/manage/campaigns/test/review/answers").get_data(as_text=True)
    assert 'id="review-suggestion">Model:' in english


def test_campaign_page_marks_a_coder_kappa_on_few_pairs(answered, client_as, monkeypatch) -> None:
    from cips.manage import campaigns as campaign_pages
    from cips.services.review import ReviewStats

    def page(pairs: int) -> str:
        stats = ReviewStats(open_answers=80, reviewed=60, suggested=80, second_coded=pairs, model_kappa=0.8,
                            coder_kappa=0.71, model_pairs=60)  # fmt: skip
        monkeypatch.setattr(campaign_pages, "review_stats", lambda *a, **k: stats)
        return client_as(Role.manager).get("/manage/campaigns/test").get_data(as_text=True)

    few = page(5)
    assert "Coder–coder agreement: 0.71 (n = 5 answers coded twice)." in few
    assert "Too few to rely on: under 30 answers coded twice." in few
    assert "Too few to rely on" not in page(30)


def test_campaign_page_prints_the_model_kappa_with_its_n(answered, client_as, monkeypatch) -> None:
    from cips.manage import campaigns as campaign_pages
    from cips.services.review import ReviewStats

    def page(pairs: int, kappa: float | None, lang: str = "en") -> str:
        stats = ReviewStats(open_answers=2000, reviewed=pairs, suggested=2000, second_coded=3, model_kappa=kappa,
                            coder_kappa=None, model_pairs=pairs, model_by_factor={"hrm": kappa},
                            coder_by_factor={"hrm": None})  # fmt: skip
        monkeypatch.setattr(campaign_pages, "review_stats", lambda *a, **k: stats)
        manager = client_as(Role.manager)
        return manager.get("/manage/campaigns/test", headers={"Accept-Language": lang}).get_data(as_text=True)

    many = page(1200, 0.72)
    assert "Model–reviewer agreement (kappa, primary factor): 0.72 (n = 1,200 answers compared)." in many
    assert 'id="model-kappa-few"' not in many
    assert "kappa model–reviewers (n = 1,200)" in many
    # 3 answers coded twice: the coder kappa is not computed, and its count of 1 to 4 not printed.
    assert "Coder–coder agreement: not computed, fewer than 5 answers coded twice." in many
    assert "n = 3" not in many and "kappa coder–coder (<abbr" in many
    few = page(12, 0.72)
    assert "0.72 (n = 12 answers compared)." in few and 'id="model-kappa-few"' in few
    none = page(4, None)
    assert "agreement (kappa, primary factor): not computed, fewer than 5 reviewed answers compared." in none
    assert "n = 4" not in none
    french = page(1200, 0.72, "fr")
    assert "0,72 (n = 1\u202f200 " in french
