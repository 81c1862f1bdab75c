"""Regenerate docs/screenshots/: what a respondent and a manager see, in English and French.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--responses 200]

(``make screenshots``). Everything runs on a temporary demo database made with the
commands an operator runs (``cips db upgrade``, ``cips instruments load``, ``cips demo``),
served by werkzeug in a thread on a free port, as in tests/e2e/conftest.py, and driven by
Playwright with the system Chromium (``/usr/bin/chromium``, or ``CIPS_CHROMIUM``).

Respondent (tablet, 800×1280): start, a question page, the review page, the thank-you page.
Manager (laptop, 1366×768): fieldwork dashboard, thematic report, survey stations.
PNGs are reduced to a 256-colour palette so that the repository stays small.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from cips import create_app  # noqa: E402

CHROMIUM = Path(os.environ.get("CIPS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--hide-scrollbars"]  # fmt: skip
TABLET = {"width": 800, "height": 1280}
LAPTOP = {"width": 1366, "height": 768}
LANGUAGES = ("en", "fr")
#: The first report of a campaign is made in the background (topics, classifier): allow it time.
REPORT_TIMEOUT_MS = 300_000
TIMEOUT_MS = 30_000


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def demo_server(workdir: Path, responses: int) -> Iterator[tuple[str, dict[str, str]]]:
    """The app on a free port with the demo campaign; yields its URL and the printed demo secrets."""
    config = {"DATABASE_URL": f"sqlite:///{workdir / 'cips.sqlite3'}", "SECRET_KEY": "screenshots",
              "FORMS_DIR": str(ROOT / "forms"), "DEMO_ACCOUNTS_FILE": str(workdir / "accounts.txt")}  # fmt: skip
    app = create_app(config)
    runner = app.test_cli_runner()
    output = ""
    for args in (["db", "upgrade"], ["instruments", "load"], ["demo", "--responses", str(responses), "--seed", "1"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"cips {' '.join(args)} failed:\n{result.output}")
        output += result.output
    secrets = {"pin": re.search(r"Enumerator PIN of the demo survey station .*: (\d+)", output).group(1)}
    for line in output.splitlines():
        if m := re.match(r"\s+manager\s+(\S+)\s+(\S+)$", line):
            secrets["email"], secrets["password"] = m.groups()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", secrets
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["cips_engine"].dispose()


def save(page: Page, out: Path, name: str) -> None:
    """Viewport only (what a person sees without scrolling), as a palette PNG."""
    path = out / f"{name}.png"
    page.screenshot(path=str(path))
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({path.stat().st_size // 1024} KB)")


def screen(page: Page, name: str) -> None:
    expect(page.locator(f'main[data-screen="{name}"]')).to_be_visible()


def answer_page(page: Page) -> None:
    """Answer every question of the page the same way each run (no randomness in the pictures)."""
    items = page.locator('[data-testid="page"] > .item')
    for index in range(items.count()):
        item = items.nth(index)
        kind = item.get_attribute("class") or ""
        if "item-text" in kind:
            item.locator("textarea").fill("Rotation of staff and published waiting times have helped.")
        elif "item-number" in kind:
            item.locator("input").fill("12")
        else:
            inputs = item.locator("input")
            inputs.nth((index * 3 + 1) % inputs.count()).check()


def respondent(browser: Any, url: str, pin: str, lang: str, out: Path) -> None:
    ctx = browser.new_context(viewport=TABLET, has_touch=True, locale=lang, device_scale_factor=1)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.goto(f"{url}/s/demo")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()
    # The station's default language is the enumerator's choice, in the PIN-locked menu.
    page.get_by_test_id("open-menu").click()
    page.get_by_test_id("pin-input").fill(pin)
    page.get_by_test_id("pin-submit").click()
    page.get_by_test_id(f"default-lang-{lang}").click()
    page.get_by_test_id("close-menu").click()
    screen(page, "start")
    save(page, out, f"{lang}-respondent-1-start")

    page.get_by_test_id("start-officials").click()
    page.get_by_test_id("consent").check()
    page.get_by_test_id("continue").click()
    shot = False
    while not page.locator('main[data-screen="review"]').count():
        if not shot and page.locator('[data-testid="page"] .item-likert5').count():
            page.locator('[data-testid="page"] .item-likert5 input').nth(3).check()
            save(page, out, f"{lang}-respondent-2-question")
            shot = True
        answer_page(page)
        page.get_by_test_id("next").click()
        expect(page.locator('main[data-screen="section"], main[data-screen="review"]')).to_be_visible()
    screen(page, "review")
    save(page, out, f"{lang}-respondent-3-review")
    page.get_by_test_id("submit").click()
    screen(page, "thanks")
    expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "sent")
    save(page, out, f"{lang}-respondent-4-thanks")
    ctx.close()


def manager(browser: Any, url: str, secrets: dict[str, str], lang: str, out: Path) -> None:
    ctx = browser.new_context(viewport=LAPTOP, locale=lang, device_scale_factor=1)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=email]", secrets["email"])
    page.fill("input[name=password]", secrets["password"])
    page.click("input[type=submit]")
    expect(page.locator("input[name=password]")).to_have_count(0)

    page.goto(f"{url}/manage/campaigns/demo/dashboard")
    expect(page.locator("#live .big-number").first).to_be_visible()
    save(page, out, f"{lang}-manager-1-dashboard")

    page.goto(f"{url}/manage/campaigns/demo/report?lang={lang}")
    frame = page.frame_locator("iframe.report")
    expect(frame.locator("svg").first).to_be_attached(timeout=REPORT_TIMEOUT_MS)  # charts: the report is there
    save(page, out, f"{lang}-manager-2-report")

    page.goto(f"{url}/manage/stations")
    save(page, out, f"{lang}-manager-3-stations")
    ctx.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--responses", type=int, default=200, help="demo respondents per wave")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found (apt-get install chromium, or set CIPS_CHROMIUM)")
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="cips-screenshots-") as tmp,
        demo_server(Path(tmp), args.responses) as (
            url,
            secrets,
        ),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for lang in LANGUAGES:
                respondent(browser, url, secrets["pin"], lang, args.out)
                manager(browser, url, secrets, lang, args.out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
