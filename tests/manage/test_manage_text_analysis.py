"""A campaign's text analysis: embedded ahead (command line, background job), counted from the
cache on the campaign page, and used by the report only once complete."""

from __future__ import annotations

import threading
import time

from flask import Flask
from sqlmodel import Session

from analysis.embeddings import EmbeddingCache
from analysis.report import render_html
from cips.models import Role
from cips.services.reports import campaign_report
from tests.helpers import officials_answers, payload

TEXTS = [
    "Rotation des agents tous les trois ans.",
    "Officers should rotate every three years.",
    "Mettez la déclaration en ligne.",
    "Put the declaration online.",
    "Un canal sûr pour signaler la corruption.",
    "A safe channel to report bribes.",
]


def _submit(app: Flask, texts: list[str]) -> None:
    device = app.test_client()
    for text in texts:
        answers = dict(officials_answers(), open_change_first=text)
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201


def _line(page: str) -> str:
    start = page.index('id="text-analysis"')
    return page[start : page.index("</p>", start)]


def test_text_analysis_status_is_counted_from_the_cache_and_computed_in_the_background(
    client_as, loaded: Flask, fake_embedder
) -> None:
    from analysis import load_default_classifier

    load_default_classifier()  # trained first if this version has no cached model: minutes, not what is timed here
    _submit(loaded, [*TEXTS, TEXTS[0]])  # a repeated answer is embedded once
    loaded.config["JOBS_SYNC"] = False
    manager = client_as(Role.manager)
    page = manager.get("/manage/campaigns/test").get_data(as_text=True)
    assert "Text analysis: 0 / 6 distinct answers ready." in _line(page) and "Prepare the text analysis" in page
    assert fake_embedder.seen == []  # the page counts, it computes nothing
    fake_embedder.gate = threading.Event()
    started = manager.post("/manage/campaigns/test/text-analysis")
    # The request answered while the model was still held: the work is not inside it.
    assert started.status_code == 302 and fake_embedder.seen == []
    page = manager.get("/manage/campaigns/test").get_data(as_text=True)
    assert "In progress in the background" in page and "Prepare the text analysis" not in page
    fake_embedder.gate.set()
    deadline = time.monotonic() + 60
    # Done once every answer is embedded and then coded (the job codes after embedding).
    campaign_page = "/manage/campaigns/test"
    while "groups open answers by meaning" not in (page := manager.get(campaign_page).get_data(as_text=True)):
        assert time.monotonic() < deadline, _line(page)
        time.sleep(0.1)
    assert sorted(fake_embedder.seen) == sorted(TEXTS) and "6 / 6 distinct answers ready" in _line(page)
    assert "Prepare the text analysis" not in page


def test_text_analysis_report_groups_by_meaning_only_once_complete(loaded: Flask, session: Session,
                                                                   fake_embedder) -> None:  # fmt: skip
    from cips.services.text_analysis import embed_campaign

    _submit(loaded, TEXTS)
    with loaded.app_context():
        before = campaign_report(session, "test", "en")
        assert fake_embedder.seen == []  # a report built in the background computes no embedding
        assert not before.text_analysis.by_meaning
        assert (before.text_analysis.ready, before.text_analysis.total) == (0, 6)
        assert "not finished when this report was built (0 of 6 distinct answers ready)" in render_html(before)
        embed_campaign(session, "test")
        after = campaign_report(session, "test", "fr")
        assert after.text_analysis.by_meaning and after.text_analysis.model == "fake:fake-1"
        assert "regroupées par sens" in render_html(after)
    assert sorted(fake_embedder.seen) == sorted(TEXTS)


def test_text_analysis_web_report_is_rebuilt_by_meaning_when_complete(client_as, loaded: Flask,
                                                                      fake_embedder) -> None:  # fmt: skip
    _submit(loaded, TEXTS)
    manager = client_as(Role.manager)
    # A report request starts the text analysis (here, JOBS_SYNC, within the request) and the
    # rendering is keyed by it: the report that follows groups by meaning.
    view = manager.get("/manage/campaigns/test/report/view?lang=en")
    assert view.status_code == 200 and b"grouped by meaning" in view.data
    assert sorted(fake_embedder.seen) == sorted(TEXTS)


def test_text_analysis_cli_embeds_with_a_status_and_resumes(loaded: Flask, runner, fake_embedder) -> None:
    _submit(loaded, TEXTS[:4])
    result = runner.invoke(args=["text", "embed", "test"])
    assert result.exit_code == 0, result.output
    from cips.services.text_analysis import coding_model

    # Both models that read the answers: the themes' (the fake) and the shipped classifier's.
    models = "+".join(dict.fromkeys(["fake:fake-1", *([coding_model()[1].key] if coding_model() else [])]))
    assert f"text analysis of test: 4 / 4 distinct answers ready ({models})" in result.output
    if coding_model():  # and coded ahead by the shipped classifier: the report reads its codes
        from analysis import load_default_classifier
        from analysis.code_cache import CodeCache
        from analysis.default_model import cache_dir

        digests = [EmbeddingCache.digest(t) for t in TEXTS[:4]]
        codes = CodeCache(cache_dir() / "codes.sqlite3").get(load_default_classifier().cache_key_, digests)
        assert len(codes) == 4 and all(labels for _, labels in codes.values())
    _submit(loaded, TEXTS[4:])
    again = runner.invoke(args=["text", "embed", "test"])
    assert "6 / 6 distinct answers ready" in again.output
    assert sorted(fake_embedder.seen) == sorted(TEXTS)  # the first four were not embedded again
    unknown = runner.invoke(args=["text", "embed", "nope"])
    assert unknown.exit_code != 0 and "no campaign 'nope'" in unknown.output


def test_text_analysis_cli_report_embeds_missing_answers_unless_told_not_to(loaded: Flask, runner, tmp_path,
                                                                          fake_embedder) -> None:  # fmt: skip
    _submit(loaded, TEXTS)
    out = tmp_path / "r.html"
    quick = runner.invoke(args=["report", "test", "--no-embed", "--out", str(out)])
    assert quick.exit_code == 0 and fake_embedder.seen == []
    assert "0 of 6 distinct answers ready" in out.read_text(encoding="utf-8")
    full = runner.invoke(args=["report", "test", "--out", str(out)])
    assert full.exit_code == 0, full.output
    assert sorted(fake_embedder.seen) == sorted(TEXTS) and "grouped by meaning" in out.read_text(encoding="utf-8")
    assert EmbeddingCache(fake_embedder.cache_path).count("fake:fake-1") == 6
