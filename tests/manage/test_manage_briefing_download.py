"""The briefing built from an upload downloads with a well-formed Content-Type."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cips.models import Role

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")


def test_results_briefing_markdown_names_its_charset_once(client_as) -> None:
    data = (Path(__file__).parents[1] / "data" / "contributions.csv").read_bytes()
    response = client_as(Role.manager).post("/manage/briefing", content_type="multipart/form-data", data={
        "contributions": (io.BytesIO(data), "contributions.csv"), "title": "Briefing", "lang": "fr",
        "format": "md", "meeting": ""})  # fmt: skip
    assert response.status_code == 303, response.data[:300]
    response = client_as(Role.manager).get(response.headers["Location"] + "/download")
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
