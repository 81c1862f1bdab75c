"""Benchmark: the review queue's own latency per answer on the keyboard path, in Chromium.

The goal of the review workspace is 200 answers reviewed in under an hour of a person's time,
i.e. 18 s per answer. Reading an answer and deciding is the person's share; this measures the
interface's: from the key that accepts a decision (Enter) to the next answer on screen, ready for
keys, over ``--answers`` answers (default 200) of a campaign served on a free port by the app,
with the model's suggestions computed beforehand by the shipped classifier (as the queue's
background job does). Each answer: one digit toggles a factor, Shift+digit makes one the primary,
Enter accepts. Last line: one JSON object (seconds per answer: median, p95, max; the UI's share of
the hour for 200 answers).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The budget per answer of the goal: 200 answers in one hour.
GOAL_ANSWERS, GOAL_SECONDS = 200, 3600
PASSWORD = "review bench password"


def review_with_keyboard(page: Any, url: str, count: int, keys: list[str], timeout_ms: int = 20_000) -> list[float]:
    """Review ``count`` answers of the queue at ``url`` (already open in ``page``) with ``keys``
    pressed on each (e.g. ``["Digit3", "Shift+Digit3"]``) then Enter; seconds from Enter to the
    next answer ready, one per answer."""
    timings = []
    for _ in range(count):
        form = page.locator("#review-form input[name=answer_id]")
        before = form.get_attribute("value")
        for key in keys:
            page.keyboard.press(key)
        start = time.perf_counter()
        page.keyboard.press("Enter")
        # Ready: a new answer's form (or the end of the queue) is in the page and its script has run.
        page.wait_for_function(
            """before => {
                const done = document.getElementById('review-done');
                const id = document.querySelector('#review-form input[name=answer_id]');
                return document.readyState === 'complete' && (done || (id && id.value !== before));
            }""",
            arg=before,
            timeout=timeout_ms,
        )
        timings.append(time.perf_counter() - start)
    return timings


def _serve(db_file: Path) -> tuple[Any, Any, str]:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):  # one line per request would bury the result
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    from cips import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{db_file}", "SECRET_KEY": "bench-secret",
                      "FORMS_DIR": str(ROOT / "forms"), "RATELIMIT_ENABLED": False})  # fmt: skip
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.server_port}"


def _prepare(app: Any, answers: int) -> str:
    from sqlmodel import Session, select

    from cips.models import Campaign
    from cips.services.coding import suggest
    from tests.helpers import payload

    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["instruments", "load"],
                 ["campaign", "create", "bench", "--name", "Review bench", "--administration", "Bench Customs",
                  "--mode", "online", "--instrument", "officials", "--languages", "en,fr,es,pt"],
                 ["user", "create", "reviewer@example.org", "--role", "reviewer", "--administration", "Bench Customs",
                  "--password", PASSWORD]):  # fmt: skip
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    texts = [json.loads(line) for line in (ROOT / "cips/demo/open_answers.jsonl").read_text().splitlines()]
    client = app.test_client()
    for i in range(answers):
        row = texts[i % len(texts)]
        body = payload(campaign="bench", language=row["lang"])
        body["answers"]["open_change_first"] = row["text"] if i < len(texts) else f"{row['text']} ({i})"
        assert client.post("/api/v1/submissions", json=body).status_code == 201
    with app.app_context(), Session(app.extensions["cips_engine"]) as session:
        campaign = session.exec(select(Campaign).where(Campaign.slug == "bench")).one()
        suggest(session, campaign)
    return "bench"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=GOAL_ANSWERS)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app, server, url = _serve(Path(tmp) / "cips.sqlite3")
        try:
            slug = _prepare(app, args.answers)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=args.chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(f"{url}/login")
                page.fill("input[name=email]", "reviewer@example.org")
                page.fill("input[name=password]", PASSWORD)
                page.click("input[type=submit]")
                page.goto(f"{url}/manage/campaigns/{slug}/review/answers?unreviewed=1")
                timings = review_with_keyboard(page, url, args.answers, ["Digit3", "Shift+Digit3"])
                browser.close()
        finally:
            server.shutdown()
            app.extensions["cips_engine"].dispose()
    ordered = sorted(timings)
    result = {
        "bench": "review_keyboard", "answers": len(timings),
        "ui_seconds_per_answer_median": round(statistics.median(ordered), 3),
        "ui_seconds_per_answer_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "ui_seconds_per_answer_max": round(ordered[-1], 3),
        "ui_seconds_for_200": round(statistics.mean(ordered) * GOAL_ANSWERS, 1),
        "budget_seconds_per_answer": GOAL_SECONDS / GOAL_ANSWERS,
    }  # fmt: skip
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
