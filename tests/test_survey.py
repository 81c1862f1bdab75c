"""The server-rendered survey at /s/<campaign> stores through the API's code path."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import select

from cips.instruments import load_file
from cips.instruments.logic import order_key
from cips.models import Answer, Campaign, CampaignStatus, QuarantinedSubmission, Submission
from tests.helpers import FORMS_DIR, officials_answers


def _form_data(page: str, answers: dict) -> dict:
    hidden = dict(re.findall(r'name="(submission_uuid|started_at|csrf_token)"[^>]*value="([^"]*)"', page))
    data = {**hidden, "consent": "y"}
    data.update({k: str(v) for k, v in answers.items()})
    return data


def test_survey_campaign_page_offers_each_questionnaire(loaded, client) -> None:
    resp = client.get("/s/test/basic", headers={"Accept-Language": "es"})
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert '<html lang="es"' in page
    assert 'data-testid="instrument-officials"' in page and 'data-testid="instrument-private_sector"' in page


def test_survey_form_is_in_the_chosen_language(loaded, client) -> None:
    page = client.get("/s/test/officials/basic?lang=fr").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr"' in page
    assert "Envoyer mes réponses" in page
    assert "Tout à fait d" in page or "Pas du tout d" in page  # French Likert labels


def test_survey_form_names_languages_and_says_optional_once(loaded, client) -> None:
    """Languages by their names, not codes; "may be skipped" once per section, not after each statement."""
    import yaml

    from tests.e2e.conftest import FORMS_DIR

    page = client.get("/s/test/officials/basic?lang=fr").get_data(as_text=True)
    nav = page[page.index('<nav class="languages"') : page.index("</nav>")]
    assert [name for name in ("English", "Français", "Español", "Português") if f">{name}</a>" in nav] == [
        "English", "Français", "Español", "Português"]  # fmt: skip
    assert ">FR</a>" not in nav and ">EN</a>" not in nav
    sections = yaml.safe_load((FORMS_DIR / "officials.yaml").read_text(encoding="utf-8"))["sections"]
    items = [item for section in sections for item in section["items"]]
    hinted = [s for s in sections if any(i["type"] == "likert5" and not i.get("required") for i in s["items"])]
    others = [i for i in items if not i.get("required") and i["type"] != "likert5"]
    assert page.count("Vous pouvez laisser sans réponse toute affirmation.") == len(hinted) > 0
    assert page.count("(facultatif)") == len(others)


def test_survey_submission_is_stored_like_the_api(loaded, client, session) -> None:
    page = client.get("/s/test/officials/basic?lang=pt").get_data(as_text=True)
    answers = officials_answers()
    resp = client.post("/s/test/officials/basic?lang=pt", data=_form_data(page, answers))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    assert 'data-testid="thanks"' in resp.get_data(as_text=True)
    sub = session.exec(select(Submission)).one()
    assert sub.language == "pt" and sub.device_id is None
    stored = {a.item_id for a in session.exec(select(Answer))}
    # Plus the order each randomised factor section was shown in (paradata).
    shipped = load_file(FORMS_DIR / "officials.yaml").instrument
    assert stored == set(answers) | {order_key(s.id) for s in shipped.sections if s.randomize}
    # The same form posted twice (double tap, resend) is still one record.
    again = client.post("/s/test/officials/basic?lang=pt", data=_form_data(page, answers))
    assert again.status_code == 200
    assert len(session.exec(select(Submission)).all()) == 1


def test_survey_missing_required_answers_are_shown_not_lost(loaded, client, session) -> None:
    page = client.get("/s/test/officials/basic?lang=en").get_data(as_text=True)
    answers = officials_answers()
    del answers["bg_region"]
    resp = client.post("/s/test/officials/basic?lang=en", data=_form_data(page, answers))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'data-testid="form-errors"' in html and "This question needs an answer." in html
    assert session.exec(select(Submission)).first() is None
    assert session.exec(select(QuarantinedSubmission)).one().field == "answers.bg_region"


def test_survey_requires_consent(loaded, client, session) -> None:
    page = client.get("/s/test/officials/basic?lang=en").get_data(as_text=True)
    data = _form_data(page, officials_answers())
    del data["consent"]
    resp = client.post("/s/test/officials/basic?lang=en", data=data)
    assert resp.status_code == 422
    assert session.exec(select(Submission)).first() is None


def test_survey_closed_campaign_takes_no_answers(loaded, client, session) -> None:
    campaign = session.exec(select(Campaign)).one()
    campaign.status = CampaignStatus.closed
    session.add(campaign)
    session.commit()
    assert client.get("/s/test/officials/basic").status_code == 404  # closed: like an unknown campaign
    campaign.status = CampaignStatus.open
    campaign.closes_at = datetime(2020, 1, 1, tzinfo=UTC)  # open, but past its closing date
    session.add(campaign)
    session.commit()
    assert client.get("/s/test/officials/basic").status_code == 403


def test_survey_unknown_campaign_is_404(loaded, client) -> None:
    assert client.get("/s/nope").status_code == 404
    assert client.get("/s/test/nope/basic").status_code == 404


def test_survey_csrf_is_enforced(loaded, database_url) -> None:
    from cips import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/s/test/officials/basic?lang=en").get_data(as_text=True)
    data = _form_data(page, officials_answers())
    assert data.get("csrf_token")
    forged = {k: v for k, v in data.items() if k != "csrf_token"}
    assert client.post("/s/test/officials/basic?lang=en", data=forged).status_code == 400
    assert client.post("/s/test/officials/basic?lang=en", data=data).status_code == 200
    app.extensions["cips_engine"].dispose()


def test_survey_opening_dates_follow_the_app_clock(loaded, app, client, session) -> None:
    """Dates decided on the app's clock (config CLOCK), not on the day the suite runs."""
    campaign = session.exec(select(Campaign)).one()
    campaign.opens_at, campaign.closes_at = datetime(2031, 3, 1, tzinfo=UTC), datetime(2031, 4, 1, tzinfo=UTC)
    session.add(campaign)
    session.commit()
    days = [
        (datetime(2031, 2, 28, 23, 59, tzinfo=UTC), 403),
        (datetime(2031, 3, 1, tzinfo=UTC), 200),
        (datetime(2031, 3, 31, 23, 59, tzinfo=UTC), 200),
        (datetime(2031, 4, 1, tzinfo=UTC), 403),
    ]
    for day, status in days:
        app.config["CLOCK"] = lambda day=day: day
        assert client.get("/s/test/officials/basic?lang=en").status_code == status, day
    app.config["CLOCK"] = lambda: datetime(2031, 3, 2, 9, 30, tzinfo=UTC)
    page = client.get("/s/test/officials/basic?lang=en").get_data(as_text=True)
    assert 'value="2031-03-02T09:30:00+00:00"' in page  # the form's start time, from the same clock
