"""Live fieldwork dashboard: counts, strata, margins of error, suppression, quarantine."""

from __future__ import annotations

import math
import re

from flask.testing import FlaskClient
from sqlmodel import select

from analysis.sampling import margin_of_error
from cips.models import Campaign, Role
from cips.services.fieldwork import suppress
from tests.helpers import OFFICIALS_PIN, OFFICIALS_VERSION, PRIVATE_PIN, officials_answers, payload


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
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"],
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
    # every hidden cell here is hidden with a larger one: none is labelled "n<5"
    assert "hidden to protect a small group" in html and "representative" in html
    # south (2, target 10) and east (hidden with it) get no mark: "not yet" would narrow them down
    assert "not yet" not in html
    assert 'id="live"' in html and "js/dashboard.js" in html
    fragment = manager.get("/manage/campaigns/test/dashboard/live").get_data(as_text=True)
    assert "<html" not in fragment and "Representativeness per stratum" in fragment


def test_fieldwork_enumerator_sees_devices_not_answers(client_as, loaded) -> None:
    _submit(loaded.test_client(), "north", 5, text="secret words of a respondent")
    page = client_as(Role.enumerator).get("/manage/stations").get_data(as_text=True)
    assert "tablet-07" in page and ">5<" in page
    assert "secret words" not in page


def _device_rows(page: str) -> list[str]:
    return re.findall(r"<tr><td>(?:<code>|<em>).*?</tr>", page)


def test_fieldwork_stations_suppress_small_device_counts_and_merge_missing_ids(client_as, loaded) -> None:
    device = loaded.test_client()
    for device_id, n in (("tablet-07", 3), (None, 3), ("", 3), ("tablet-09", 8)):
        for _ in range(n):
            assert device.post("/api/v1/submissions", json=payload(device_id=device_id)).status_code == 201
    page = client_as(Role.enumerator).get("/manage/stations").get_data(as_text=True)
    rows = _device_rows(page)
    assert len(rows) == 3, rows  # no id and an empty id: one line, not two "—"
    by_device = {("no device id" if "no device id" in row else re.search(r"<code>(.*?)</code>", row)[1]): row
                 for row in rows}  # fmt: skip
    assert set(by_device) == {"tablet-07", "tablet-09", "no device id"}
    # tablet-07's 3 records are hidden, and the 6 without id hidden with them (the dashboard shows
    # the total, 14): tablet-09's 8 alone is shown, so 14 - 8 = 6 says nothing of tablet-07. The 6
    # is no "n<5": both read "hidden to protect a small group".
    assert "hidden to protect a small group" in by_device["tablet-07"] and ">3<" not in by_device["tablet-07"]
    assert "hidden to protect a small group" in by_device["no device id"] and ">6<" not in page
    assert "n&lt;5" not in page
    assert ">8<" in by_device["tablet-09"]
    # The minute of the upload of a hidden count is not shown, the day is.
    time = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
    assert not time.search(by_device["tablet-07"]) and re.search(r"\d{4}-\d\d-\d\d", by_device["tablet-07"])
    assert time.search(by_device["tablet-09"])


def test_fieldwork_hidden_days_cannot_be_recovered_from_the_total(client_as, loaded) -> None:
    device = loaded.test_client()
    _submit(device, "north", 10)
    for day in ("2026-11-20", "2026-11-21"):
        body = payload(started_at=f"{day}T09:00:00+00:00", submitted_at=f"{day}T09:20:00+00:00")
        assert device.post("/api/v1/submissions", json=body).status_code == 201
    data = client_as(Role.manager).get("/manage/campaigns/test/fieldwork.json").json
    assert data["total"] == 12
    shown = [d["n"] for d in data["per_day"] if d["n"] is not None]
    hidden_days = [d for d in data["per_day"] if d["n"] is None]
    assert len(data["per_day"]) == 3 and len(hidden_days) >= 2
    # What the days left hidden add up to, by subtraction, is not a small cell.
    assert data["total"] - sum(shown) >= 5


def test_fieldwork_section_stops_cannot_be_recovered_from_reached(client_as, loaded) -> None:
    device = loaded.test_client()
    _submit(device, "north", 10)
    later = ("reg_", "transp_", "auto_", "reform_", "audit_", "conduct_", "hrm_", "culture_", "ps_", "open_")
    for _ in range(4):  # four respondents stop after the leadership section
        answers = {k: v for k, v in officials_answers().items() if not k.startswith(later)}
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201
    data = client_as(Role.manager).get("/manage/campaigns/test/fieldwork.json").json
    sections = [s for s in data["sections"] if s["instrument"] == f"officials v{OFFICIALS_VERSION}"]
    by_id = {s["section"]: s for s in sections}
    assert by_id["leadership"]["reached"] == 14 and by_id["leadership"]["drop_off"] is None
    # 14 - 10 = 4 stopped: the next section's 10 may not be on screen beside the 14.
    shown = [s["reached"] for s in sections if s["reached"] is not None] + [data["per_instrument"]["officials"]]
    assert all(a == b or abs(a - b) >= 5 for a in shown for b in shown), shown
    assert by_id["regulatory"]["reached"] is None
    # Shares are rounded to steps of at least 5 respondents (here 50 %): 10 of 14 is no 71 %.
    assert by_id["regulatory"]["completion"] == 0.5 and by_id["regulatory"]["reached_share"] == 0.5
    assert all(s["drop_off"] is None or s["drop_off"] == 0 or s["drop_off"] >= 5 for s in sections)
    html = client_as(Role.manager).get("/manage/campaigns/test/dashboard/live").get_data(as_text=True)
    assert re.search(r"<td[^>]*>10</td>", html) is None  # no "Reached 10" cell on the page either


def test_fieldwork_encrypted_campaign_shows_counts_and_declared_strata_only(client_as, loaded, runner,
                                                                            tmp_path) -> None:  # fmt: skip
    from cips.crypto.seal import generate_private_key, public_pem, seal_submission

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
    # Not "No response yet" beside 6 responses: the server cannot read what was answered.
    assert "No response yet" not in page and "completion per section cannot be computed on the server" in page
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
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"],
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


def test_fieldwork_stations_fingerprint_needs_no_count(client_as, loaded) -> None:
    from cips.services.devices import format_fingerprint, uuid_fingerprint

    device = loaded.test_client()
    sent: dict[str, list[str]] = {"tablet-a": [], "tablet-b": [], "tablet-c": []}
    for device_id, n in (("tablet-a", 2), ("tablet-b", 6), ("tablet-c", 8)):
        for _ in range(n):
            body = payload(device_id=device_id)
            assert device.post("/api/v1/submissions", json=body).status_code == 201
            sent[device_id].append(body["uuid"])
    page = client_as(Role.enumerator).get("/manage/stations").get_data(as_text=True)
    rows = {re.search(r"<code>(.*?)</code>", row)[1]: row for row in _device_rows(page)}
    for device_id, uuids in sent.items():
        expected = 0
        for uuid in uuids:
            expected ^= uuid_fingerprint(uuid)
        assert f'<code data-testid="fingerprint">{format_fingerprint(expected)}</code>' in rows[device_id]
    # tablet-b's 6 are hidden with tablet-a's 2 (the total is on the dashboard): not "n<5".
    assert "hidden to protect a small group" in rows["tablet-b"] and "n&lt;5" not in page
    assert ">8<" in rows["tablet-c"]


def test_fieldwork_dashboard_labels_cells_hidden_to_protect_others(client_as, loaded) -> None:
    device = loaded.test_client()
    _submit(device, "north", 7, language="fr")
    _submit(device, "north", 2, language="en")
    fragment = client_as(Role.manager).get("/manage/campaigns/test/dashboard/live").get_data(as_text=True)
    languages = fragment.split("Languages")[1].split("</table>")[0]
    # French (7) is hidden so that 9 - 7 does not give English (2) away: it is no "n<5".
    assert languages.count("hidden to protect a small group") == 2 and "n&lt;5" not in languages


def test_fieldwork_dashboard_and_report_print_one_margin_of_error(client_as, loaded, session) -> None:
    """One formula, with the finite population correction, for both pages (the report ignored populations)."""
    from analysis.report import build_report, render_html
    from cips.services.reports import report_input

    manager = client_as(Role.manager)
    form = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "station",
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"],
            "quotas": "officials: bg_region=north = 6 / 20\nofficials: bg_region=south = 6 / 400"}  # fmt: skip
    assert manager.post("/manage/campaigns/test/edit", data=form).status_code == 302
    device = loaded.test_client()
    _submit(device, "north", 12, language="en")
    _submit(device, "south", 8, language="en")

    expected = {f"{100 * margin_of_error(12, 20):.1f}", f"{100 * margin_of_error(8, 400):.1f}"}
    dashboard = manager.get("/manage/campaigns/test/dashboard?lang=en").get_data(as_text=True)
    assert set(re.findall(r"±\s*([\d.]+)", dashboard)) == expected
    campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
    report = render_html(build_report(report_input(session, campaign, "en"), lang="en"))
    assert set(re.findall(r"±\s*([\d.]+)", report)) == expected


def test_fieldwork_quarantine_sizes_follow_the_interface_locale(client_as, loaded) -> None:
    """The bytes of a quarantined upload (over a thousand) are written "1 234" in French, "1,234" in English."""
    manager = client_as(Role.manager)
    loaded.test_client().post(
        "/api/v1/submissions", json=payload(answers=dict(officials_answers(), bg_region="atlantis"))
    )
    sizes = {}
    for lang in ("fr", "en"):
        page = manager.get(f"/manage/campaigns/test/dashboard/live?lang={lang}").get_data(as_text=True)
        latest = page.split("<details>")[1].split("</details>")[0]
        [sizes[lang]] = re.findall(r'<td class="num">([^<]+)</td>\s*</tr>', latest)
    assert re.fullmatch(r"\d{1,3}(\u202f\d{3})+", sizes["fr"]), sizes
    assert sizes["en"] == sizes["fr"].replace("\u202f", ",")
