"""100 records queued offline on one tablet, then uploaded by the real sync.js through a flaky network.

The outbox is filled with the app's own ``db.js`` (``Store.finish``, what submitting a
questionnaire does) rather than by answering 100 questionnaires through the UI; the upload
is the app's: ``online`` event, one record at a time, backoff on failure. A route handler
fails 30 % of the POSTs, deterministically: half of the failures never reach the server,
the other half reach it, are stored, and lose their answer on the way back.
"""

from __future__ import annotations

import random
import uuid as uuid_lib
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Route, expect

from tests.e2e.survey import expect_counts, read_store, wait_offline_ready
from tests.helpers import OFFICIALS_VERSION, officials_answers

SUBMISSIONS = "**/api/v1/submissions"
RECORDS = 100
FAILURE_RATE = 0.30
#: Upper bound for the whole upload; backoff after a failure is 0.5-1 s, doubling on repeats.
UPLOAD_TIMEOUT_MS = 240_000

QUEUE_JS = """async ([records]) => {
  const { openDatabase, Store } = await import("/s/_static/js/db.js");
  const db = await openDatabase();
  const store = new Store(db);
  for (const record of records) await store.finish(record);  // exactly what "Submit" does
  db.close();
}"""


def _records(slug: str) -> list[dict]:
    now = datetime.now(UTC).replace(microsecond=0)
    out = []
    for n in range(RECORDS):
        answers = officials_answers() | {"lead_1": n % 5 + 1, "open_works": f"Record {n}: la rotation fonctionne."}
        record_uuid = str(uuid_lib.uuid4())
        started = (now - timedelta(minutes=20)).isoformat()
        payload = {"uuid": record_uuid, "campaign": slug, "instrument": "officials",
                   "instrument_version": OFFICIALS_VERSION, "language": "fr", "device_id": "flaky-tablet",
                   "started_at": started,
                   "submitted_at": (now + timedelta(seconds=n)).isoformat(), "answers": answers}  # fmt: skip
        out.append({"uuid": record_uuid, "campaign": slug, "payload": payload})
    return out


def test_flaky_network_100_queued_records_stored_once_outbox_empty(live, context) -> None:
    slug = live.campaign("online", instrument="officials")
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}")
    wait_offline_ready(page)
    context.set_offline(True)
    records = _records(slug)
    page.evaluate(QUEUE_JS, [records])
    assert len(read_store(page, "outbox")) == RECORDS
    assert live.count(slug) == 0

    rng = random.Random(30)  # deterministic: the same failures on every run
    seen: dict[str, int] = {"before_server": 0, "after_server": 0, "through": 0}

    def flaky(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        draw = rng.random()
        if draw < FAILURE_RATE / 2:
            seen["before_server"] += 1
            route.abort("connectionreset")  # never reached the server
        elif draw < FAILURE_RATE:
            seen["after_server"] += 1
            route.fetch()  # the server stores it...
            route.abort("connectionreset")  # ...and the answer is lost on the way back
        else:
            seen["through"] += 1
            route.continue_()

    context.route(SUBMISSIONS, flaky)
    context.set_offline(False)  # the `online` event starts the upload
    expect_counts(page, waiting=0, failed=0, timeout_ms=UPLOAD_TIMEOUT_MS)

    assert live.wait_for_count(slug, RECORDS) == RECORDS
    stored = live.submissions(slug)
    assert sorted(str(s.uuid) for s in stored) == sorted(r["uuid"] for r in records)  # each once, none extra
    for record in records:
        assert live.answers(record["uuid"]) == record["payload"]["answers"]
    assert read_store(page, "outbox") == [] and read_store(page, "attention") == []
    # The network really was flaky, both ways: records stored while their acknowledgement was lost.
    assert seen["before_server"] > 0 and seen["after_server"] > 0 and seen["through"] == RECORDS
    page.get_by_test_id("open-menu").click()  # what the enumerator reads
    expect(page.get_by_test_id("menu-waiting")).to_have_text("0")
