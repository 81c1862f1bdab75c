"""Live fieldwork dashboard: counts, strata, margins of error, suppression, quarantine."""

from __future__ import annotations

import math

from flask.testing import FlaskClient

from cips.models import Role
from cips.services.fieldwork import margin_of_error, suppress
from tests.helpers import officials_answers, payload


def _submit(client: FlaskClient, region: str, n: int, language: str = "fr", text: str | None = None) -> None:
    for _ in range(n):
        answers = dict(officials_answers(), bg_region=region)
        if text is not None:
            answers["open_change_first"] = text
        response = client.post("/api/v1/submissions", json=payload(answers=answers, language=language))
        assert response.status_code == 201, response.json


def test_fieldwork_margin_of_error_and_suppression_rule() -> None:
    assert math.isclose(margin_of_error(100), 0.098, abs_tol=5e-4)  # the textbook ±9.8 points
    assert margin_of_error(100, population=100) == 0  # a census has no sampling error
    assert margin_of_error(100, population=200) < margin_of_error(100)
    assert margin_of_error(0) is None
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]


def test_fieldwork_dashboard_shows_strata_and_suppresses_small_cells(client_as, loaded) -> None:
    manager = client_as(Role.manager)
    form = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "station",
            "instruments": ["officials:1", "private_sector:1"], "languages": ["en", "fr", "es", "pt"],
            "quotas": "officials: bg_region=north = 6 / 50\nofficials: bg_region=south = 10\n"
                      "officials: bg_region=east = 5"}  # fmt: skip
    assert manager.post("/manage/campaigns/test/edit", data=form).status_code == 302
    device = loaded.test_client()
    _submit(device, "north", 7)
    _submit(device, "south", 2, language="en")
    _submit(device, "east", 6)
    device.post("/api/v1/submissions", json=payload(answers=dict(officials_answers(), bg_region="atlantis")))

    data = manager.get("/manage/campaigns/test/fieldwork.json").json
    assert data["total"] == 15
    # 2 English answers: n<5; and French too, or 15 - 13 would give English away
    assert data["per_language"] == {"en": None, "fr": None}
    north, south, east = data["strata"]
    assert north["achieved"] == 7 and north["representative"] is True
    assert math.isclose(north["margin_of_error"], margin_of_error(7, 50))
    assert south["achieved"] is None and south["representative"] is False and south["margin_of_error"] is None
    assert east["achieved"] is None and east["margin_of_error"] is None  # complementary suppression
    assert data["quarantined"] == 1 and sum(data["quarantine_reasons"].values()) == 1
    assert {s["section"] for s in data["sections"]} >= {"background"}
    # Complete questionnaires whose free-text section is left empty: nobody dropped out.
    assert all(s["drop_off"] == 0 for s in data["sections"]), data["sections"]

    page = manager.get("/manage/campaigns/test/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "n&lt;5" in html and "representative" in html and "not yet" in html
    assert 'id="live"' in html and "js/dashboard.js" in html
    fragment = manager.get("/manage/campaigns/test/dashboard/live").get_data(as_text=True)
    assert "<html" not in fragment and "Representativeness per stratum" in fragment


def test_fieldwork_enumerator_sees_devices_not_answers(client_as, loaded) -> None:
    _submit(loaded.test_client(), "north", 3, text="secret words of a respondent")
    page = client_as(Role.enumerator).get("/manage/stations").get_data(as_text=True)
    assert "tablet-07" in page and ">3<" in page
    assert "secret words" not in page


def test_fieldwork_encrypted_campaign_shows_counts_and_declared_strata_only(client_as, loaded, runner,
                                                                            tmp_path) -> None:  # fmt: skip
    from cips.services.encryption import generate_private_key, public_pem, seal_submission

    key = generate_private_key()
    public = tmp_path / "public.pem"
    public.write_text(public_pem(key))
    result = runner.invoke(args=["campaign", "create", "sealed", "--name", "Sealed", "--administration", "Test Customs",
                                 "--instrument", "officials", "--languages", "en,fr", "--encrypt", "--public-key",
                                 str(public), "--plaintext-strata", "bg_region",
                                 "--quota", "officials:bg_region=north:5"])  # fmt: skip
    assert result.exit_code == 0, result.output
    device = loaded.test_client()
    for _ in range(6):
        body = payload(campaign="sealed", answers=dict(officials_answers(), open_change_first="secret words"))
        sealed = seal_submission(body, key.public_key(), ("bg_region",))
        assert device.post("/api/v1/submissions", json=sealed).status_code == 201
    manager = client_as(Role.manager)
    data = manager.get("/manage/campaigns/sealed/fieldwork.json").json
    assert data["total"] == 6 and data["per_instrument"] == {"officials": 6}
    assert data["strata"][0]["achieved"] == 6 and data["strata"][0]["representative"] is True
    assert data["per_language"] == {} and data["sections"] == []
    page = manager.get("/manage/campaigns/sealed/dashboard").get_data(as_text=True)
    assert "encrypted" in page and "secret words" not in page
    report = manager.get("/manage/campaigns/sealed/report/view")
    assert report.status_code == 409 and b"cips decrypt sealed" in report.data
    stations = client_as(Role.enumerator).get("/manage/stations").get_data(as_text=True)
    assert "tablet-07" in stations


def test_fieldwork_complementary_suppression_blocks_subtraction() -> None:
    from cips.services.fieldwork import suppress_group

    # north 4 hidden; the total (34) is shown elsewhere, so the smallest other cell goes too
    assert suppress_group({"hq": 8, "north": 4, "south": 10, "east": 5, "west": 7}) == {
        "hq": 8, "north": None, "south": 10, "east": None, "west": 7}  # fmt: skip
    assert suppress_group({"a": 3, "b": 2, "c": 9}) == {"a": None, "b": None, "c": 9}  # two hidden: enough
    assert suppress_group({"a": 0, "b": 12}) == {"a": 0, "b": 12}


def test_fieldwork_reached_mark_never_reveals_a_small_cell(client_as, loaded) -> None:
    manager = client_as(Role.manager)
    form = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "station",
            "instruments": ["officials:1", "private_sector:1"], "languages": ["en", "fr", "es", "pt"],
            "quotas": "officials: bg_region=north = 5\nofficials: bg_region=south = 5"}  # fmt: skip
    assert manager.post("/manage/campaigns/test/edit", data=form).status_code == 302
    _submit(loaded.test_client(), "north", 3)
    _submit(loaded.test_client(), "south", 9)
    data = manager.get("/manage/campaigns/test/fieldwork.json").json
    north, south = data["strata"]
    assert north["achieved"] is None and north["representative"] is False
    assert south["achieved"] is None  # hidden too: 12 - 9 would give north away
    sections = {s["section"]: s for s in data["sections"]}
    assert sections["background"]["completion"] is not None  # 12 respondents: shown
