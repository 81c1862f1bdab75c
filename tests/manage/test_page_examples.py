"""Every example a manager page shows is accepted when submitted as shown."""

from __future__ import annotations

import html
import re

from flask import Flask

from cips.models import Role
from tests.helpers import OFFICIALS_PIN, PRIVATE_PIN, officials_answers, payload


def _examples(page: str, testid: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(rf'<code data-testid="{testid}">(.*?)</code>', page)]


def test_examples_export_filters_shown_are_accepted_with_all_questionnaires(client_as, loaded: Flask) -> None:
    device = loaded.test_client()
    for _ in range(5):  # the examples' values (each stratum's first choice), 5 times: exportable
        answers = dict(officials_answers(), bg_region="headquarters", bg_function="clearance")
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201
    manager = client_as(Role.manager)
    page = manager.get("/manage/campaigns/test/export").get_data(as_text=True)
    examples = _examples(page, "filter-example")
    assert len(examples) == 2 and "region=north" not in page
    for example in examples:
        response = manager.post("/manage/campaigns/test/export",
                                data={"format": "csv", "lang": "en", "instrument": "", "where": example})  # fmt: skip
        assert response.status_code == 200, (example, response.get_data(as_text=True)[-2000:])
        assert response.headers["Content-Disposition"].startswith('attachment; filename="test_officials_')


def test_examples_quota_example_shown_is_accepted(client_as, loaded: Flask) -> None:
    manager = client_as(Role.manager)
    for url in ("/manage/campaigns/new", "/manage/campaigns/test/edit"):
        [example] = _examples(manager.get(url).get_data(as_text=True), "quota-example")
        assert "region=capital" not in example
    form = {"slug": "examples", "name": "Example survey", "wave": "1", "mode": "station",
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr"],
            "quotas": example}  # fmt: skip
    response = manager.post("/manage/campaigns/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = manager.get("/manage/campaigns/examples/edit").get_data(as_text=True)
    assert html.escape(example.split(" = ")[0]) in page
