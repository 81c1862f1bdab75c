"""The dashboard's factor indices: the report's figures (weighted, with their CIs, and unweighted on request)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

import analysis
from cips.models import Role
from tests.helpers import OFFICIALS_PIN, PRIVATE_PIN, officials_answers, payload

#: An index and its interval as both pages print them ("62.3<br><span …>58.1–66.0</span>").
CELL = re.compile(r"(\d+\.\d)<br><span class=\"[^\"]*\">(\d+\.\d–\d+\.\d)</span>")


class KeywordClassifier:
    """Stands in for the shipped model: the themes are not what is compared here."""

    def predict_labels(self, texts, langs=None):
        return [["hrm"] for _ in texts]


def _submit(client: FlaskClient, region: str, n: int, level: int) -> None:
    """``n`` officials of ``region`` answering around ``level`` (1–5), so regions differ."""
    for i in range(n):
        answers = dict(officials_answers(), bg_region=region)
        answers |= {k: max(1, min(5, level + (i + len(k)) % 3 - 1)) for k, v in answers.items() if isinstance(v, int)}
        assert client.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201


def _stratified(client_as, loaded: Flask, monkeypatch, north: int, south: int) -> FlaskClient:
    """A manager's client on the test campaign, north (population 50) answering ``north`` times at the top
    of the scale, south (population 450) ``south`` times near the bottom."""
    monkeypatch.setattr(analysis, "load_default_classifier", KeywordClassifier)
    manager = client_as(Role.manager)
    form = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "station",
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"],
            "quotas": "officials: bg_region=north = 6 / 50\nofficials: bg_region=south = 6 / 450"}  # fmt: skip
    assert manager.post("/manage/campaigns/test/edit", data=form).status_code == 302
    device = loaded.test_client()
    _submit(device, "north", north, level=5)
    _submit(device, "south", south, level=2)
    return manager


@pytest.fixture
def weighted_campaign(client_as, loaded: Flask, monkeypatch) -> FlaskClient:
    """North answered 20 times for a population of 50, south 8 times for 450: north over-represented."""
    return _stratified(client_as, loaded, monkeypatch, north=20, south=8)


def _report_cells(manager: FlaskClient, query: str) -> list[tuple[str, str]]:
    response = manager.get(f"/manage/campaigns/test/report/view?lang=en{query}")
    assert response.status_code == 200, response.data[:300]
    return CELL.findall(response.get_data(as_text=True))


def test_dashboard_prints_the_reports_weighted_indices_and_cis(weighted_campaign: FlaskClient) -> None:
    manager = weighted_campaign
    page = manager.get("/manage/campaigns/test/dashboard?lang=en").get_data(as_text=True)
    section = page.split('data-testid="indices"')[1].split("</section>")[0]
    weighted = CELL.findall(section)
    assert len(weighted) == 10  # ten factors, one questionnaire
    assert weighted == _report_cells(manager, "")
    assert "<strong>Weighted figures</strong>" in section and "effective n" in section
    [n_effective] = re.findall(r"effective n (\d+) of 28", section)
    assert int(n_effective) < 28  # unequal weights are worth fewer respondents
    report = manager.get("/manage/campaigns/test/report/view?lang=en").get_data(as_text=True)
    assert f"effective n {n_effective} of 28" in report

    page = manager.get("/manage/campaigns/test/dashboard?lang=en&weights=off").get_data(as_text=True)
    section = page.split('data-testid="indices"')[1].split("</section>")[0]
    unweighted = CELL.findall(section)
    assert "Unweighted figures: every respondent counts the same." in section and "effective n" not in section
    assert "with their weights" not in section  # the interval's note says what was resampled
    assert unweighted == _report_cells(manager, "&weights=off")
    # North (satisfied) answered more than it weighs: weighting lowers every index here.
    assert all(float(w[0]) < float(u[0]) for w, u in zip(weighted, unweighted, strict=True))


def test_dashboard_and_report_say_which_strata_were_over_and_under_represented(weighted_campaign) -> None:
    manager = weighted_campaign
    page = manager.get("/manage/campaigns/test/dashboard?lang=en").get_data(as_text=True)
    summary = page.split('data-testid="representation-summary">')[1].split("</p>")[0]
    # North: 20 of 28 respondents (71 %) for 50 of 500 officials (10 %); south the reverse.
    assert "Over-represented: North (+61 pts)" in summary and "Under-represented: South (-61 pts)" in summary
    table = page.split('data-testid="representation"')[1].split("</table>")[0]
    assert re.search(r"North</td><td class=\"num\">10 %</td>\s*<td class=\"num\">71 %</td>", table)
    report = manager.get("/manage/campaigns/test/report/view?lang=en").get_data(as_text=True)
    assert "Over-represented: North (+61 pts); under-represented: South (-61 pts)." in report
    # French typography: a (non-breaking) space before the colon, as the dashboard writes it.
    report_fr = manager.get("/manage/campaigns/test/report/view?lang=fr").get_data(as_text=True)
    summary_fr = report_fr.split('id="representation-summary">')[1].split("</p>")[0]
    assert summary_fr == "Surreprésentées\u00a0: Nord (+61 pts); sous-représentées\u00a0: Sud (-61 pts)."
    # Unweighted on request: nothing is re-weighted, so no table explains it.
    assert 'data-testid="representation"' not in manager.get("/manage/campaigns/test/dashboard?weights=off").get_data(
        as_text=True
    )


def test_representation_hides_a_share_resting_on_fewer_than_five(client_as, loaded: Flask, monkeypatch) -> None:
    manager = _stratified(client_as, loaded, monkeypatch, north=9, south=3)
    page = manager.get("/manage/campaigns/test/dashboard?lang=en").get_data(as_text=True)
    table = page.split('data-testid="representation"')[1].split("</table>")[0]
    # South's 3 is n<5, and north's share would give it back (9 of 12): both hidden.
    assert "25 %" not in table and "75 %" not in table and table.count("n&lt;5") == 2
    report = manager.get("/manage/campaigns/test/report/view?lang=en").get_data(as_text=True)
    rep = report.split('id="representation"')[1].split("</table>")[0]
    assert "25 %" not in rep and "75 %" not in rep and rep.count("n&lt;5") == 2


def test_dashboard_reads_the_campaign_data_once(weighted_campaign: FlaskClient, monkeypatch) -> None:
    """The quality flags and the indices work on the same data: one read of every answer per page, not one each."""
    from cips.services import datasets

    tables = []
    real = datasets.item_table  # called once per read of the campaign's data (load_campaign_data)
    monkeypatch.setattr(datasets, "item_table", lambda *args: tables.append(args) or real(*args))
    html = weighted_campaign.get("/manage/campaigns/test/dashboard").get_data(as_text=True)
    assert CELL.search(html) and 'data-testid="quality"' in html  # both sections were computed
    assert len(tables) == 1


#: A cell as a French page prints it ("62,3<br><span …>58,1–66,0</span>").
CELL_FR = re.compile(r"(\d+,\d)<br><span class=\"[^\"]*\">(\d+,\d–\d+,\d)</span>")


def test_french_dashboard_writes_indices_intervals_and_differences_the_french_way(weighted_campaign) -> None:
    manager = weighted_campaign
    english = manager.get("/manage/campaigns/test/dashboard?lang=en").get_data(as_text=True)
    french = manager.get("/manage/campaigns/test/dashboard?lang=fr").get_data(as_text=True)
    section = french.split('data-testid="indices"')[1].split("</section>")[0]
    cells = CELL_FR.findall(section)
    assert len(cells) == 10 and not CELL.search(section)
    # The same figures as the English page, only the decimal mark differs.
    assert cells == [(i.replace(".", ","), ci.replace(".", ",")) for i, ci in CELL.findall(english)]
    report = manager.get("/manage/campaigns/test/report/view?lang=fr").get_data(as_text=True)
    assert CELL_FR.findall(report) == cells  # the French report prints the same figures the same way
    [deff] = re.findall(r"design effect (\d+\.\d\d)", english)
    assert deff.replace(".", ",") in section.split('data-testid="effective-n"')[1]
    summary = section.split('data-testid="representation-summary">')[1].split("</p>")[0]
    assert "+61" in summary and "-61" in summary
