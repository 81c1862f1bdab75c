"""The station menu's fingerprint of acknowledged records equals the stations page's for that tablet."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import Session, select

from cips.models import Campaign
from cips.services.devices import station_devices
from tests.e2e.conftest import STATION_PIN
from tests.e2e.survey import Respondent, expect_counts, read_store, wait_offline_ready


def _server_line(live, slug: str, device: str) -> dict:
    with Session(live.app.extensions["cips_engine"]) as session:
        campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).one()
        [line] = [d for d in station_devices(session, campaign) if d["device"] == device]
    return line


def test_station_fingerprint_of_the_tablet_matches_the_server(live, context) -> None:
    slug = live.campaign("station", pin=STATION_PIN)
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}")
    wait_offline_ready(page)
    [device] = [m["value"] for m in read_store(page, "meta") if m["key"] == "device_id"]
    fingerprints = []
    for n in (1, 2):
        respondent = Respondent(page)
        respondent.start()
        respondent.answer_until_review()
        respondent.submit()
        expect_counts(page, waiting=0, sent=n)
        page.get_by_test_id("open-menu").click()
        page.get_by_test_id("pin-input").fill(STATION_PIN)
        page.get_by_test_id("pin-submit").click()
        shown = page.get_by_test_id("acked-fingerprint")
        line = _server_line(live, slug, device)
        # One record is n<5 on the page, yet the fingerprints say it arrived.
        expect(shown).to_have_text(line["fingerprint"])
        fingerprints.append(line["fingerprint"])
        page.get_by_test_id("close-menu").click()
        page.get_by_test_id("next-respondent").click()
    assert fingerprints[0] != fingerprints[1]  # each record changes it
