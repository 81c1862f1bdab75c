"""The PWA's server side: shell, manifest, service worker versioning, campaign document."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime

from sqlmodel import select

from cips.instruments import load_file
from cips.models import Campaign, CampaignStatus
from tests.helpers import FORMS_DIR, OFFICIALS_VERSION, PRIVATE_VERSION

SHELL = "/s/test"
SW = "/s/test/sw.js"


def sw_config(client) -> dict:
    body = client.get(SW).get_data(as_text=True)
    match = re.match(r"self\.CIPS_SW = (\{.*?\});\n", body)
    assert match, body[:200]
    return json.loads(match.group(1))


def test_pwa_shell_replaces_the_plain_form(loaded, client) -> None:
    resp = client.get(SHELL, headers={"Accept-Language": "fr"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    assert 'rel="manifest" href="/s/test/manifest.webmanifest"' in html
    assert 'type="module" src="/s/_static/js/app.js"' in html
    assert 'data-sw="/s/test/sw.js"' in html and 'data-document="/api/v1/campaigns/test"' in html
    assert 'href="/s/test/basic"' in html  # <noscript> fallback
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    assert client.get("/s/nope").status_code == 404


def test_pwa_old_form_address_opens_the_pwa_with_that_questionnaire(loaded, client) -> None:
    resp = client.get("/s/test/officials?lang=pt&t=abc")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/s/test?i=officials&lang=pt&t=abc"


def test_pwa_manifest_is_installable(loaded, client) -> None:
    resp = client.get("/s/test/manifest.webmanifest")
    assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
    manifest = resp.get_json(force=True)
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == manifest["scope"] == SHELL
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_pwa_service_worker_scope_headers_and_precache(loaded, client) -> None:
    resp = client.get(SW)
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Service-Worker-Allowed"] == SHELL
    assert "no-cache" in resp.headers["Cache-Control"]
    config = sw_config(client)
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert config["cachePrefix"] == "cips-test-" and config["shell"] == SHELL
    precache = config["precache"]
    assert {SHELL, "/s/test/manifest.webmanifest", "/api/v1/campaigns/test"} <= set(precache)
    assert {"/s/_static/js/app.js", "/s/_static/js/db.js", "/s/_static/js/sync.js", "/s/_static/js/form.js",
            "/s/_static/css/app.css", "/s/_static/icons/icon-192.png"} <= set(precache)  # fmt: skip
    for url in precache:  # install fails as a whole if any is missing: all must answer 200
        assert client.get(url).status_code == 200, url


def test_pwa_version_follows_content(loaded, app, client, runner, session) -> None:
    first = sw_config(client)["version"]
    assert sw_config(client)["version"] == first  # stable: same content, same version
    app.config["PWA_VERSION_SALT"] = "release 2"
    salted = sw_config(client)["version"]
    assert salted != first
    result = runner.invoke(args=["campaign", "set-pin", "test"], input="1234\n1234\n")
    assert result.exit_code == 0, result.output
    with_pin = sw_config(client)["version"]
    assert with_pin != salted  # a new PIN reaches devices through a new version
    campaign = session.exec(select(Campaign)).one()
    campaign.closes_at = datetime(2031, 1, 1, tzinfo=UTC)
    session.add(campaign)
    session.commit()
    assert sw_config(client)["version"] != with_pin  # new dates reach devices too
    campaign.status = CampaignStatus.closed
    session.add(campaign)
    session.commit()
    assert client.get("/s/test/sw.js").status_code == 404  # closed: no longer served (tests/test_public_campaign.py)


def test_campaign_document_has_what_the_device_needs(loaded, client) -> None:
    resp = client.get("/api/v1/campaigns/test")
    assert resp.status_code == 200 and resp.is_json
    doc = resp.get_json()
    assert doc["slug"] == "test" and doc["mode"] == "station" and doc["status"] == "open"
    assert doc["languages"] == ["en", "fr", "es", "pt"]
    assert doc["directions"] == {"en": "ltr", "fr": "ltr", "es": "ltr", "pt": "ltr"}
    assert doc["invite_only"] is False and doc["station"] == {"pin": None}
    assert set(doc["ui"]) == {"en", "fr", "es", "pt"}
    assert doc["ui"]["pt"]["next"] == "Seguinte" and doc["ui"]["fr"]["language_name"] == "Français"
    keys = {(i["key"], i["version"], i["current"]) for i in doc["instruments"]}
    assert keys == {("officials", OFFICIALS_VERSION, True), ("private_sector", PRIVATE_VERSION, True)}
    officials = next(i for i in doc["instruments"] if i["key"] == "officials")["definition"]
    shipped = load_file(FORMS_DIR / "officials.yaml").instrument
    assert len([item for s in officials["sections"] for item in s["items"]]) == len(shipped.items())
    assert set(officials["likert_labels"]) == {"en", "fr", "es", "pt"}
    assert client.get("/api/v1/campaigns/nope").status_code == 404


def test_campaign_document_pin_verifier_is_pbkdf2_sha256(loaded, client, runner) -> None:
    result = runner.invoke(args=["campaign", "set-pin", "test"], input="482913\n482913\n")
    assert result.exit_code == 0, result.output
    pin = client.get("/api/v1/campaigns/test").get_json()["station"]["pin"]
    assert pin["algorithm"] == "PBKDF2-SHA256" and pin["iterations"] >= 100_000
    # Exactly what WebCrypto computes in station.js: PBKDF2-HMAC-SHA256(pin, salt as UTF-8, iterations), 32 bytes.
    expected = hashlib.pbkdf2_hmac("sha256", b"482913", pin["salt"].encode(), pin["iterations"]).hex()
    assert pin["hash"] == expected
    wrong = hashlib.pbkdf2_hmac("sha256", b"482914", pin["salt"].encode(), pin["iterations"]).hex()
    assert pin["hash"] != wrong


def test_pwa_static_assets_are_served_from_the_app(loaded, client) -> None:
    for name in ("js/app.js", "js/db.js", "js/drafts.js", "js/sync.js", "js/form.js", "js/station.js", "js/ui.js",
                 "js/view.js"):  # fmt: skip
        resp = client.get(f"/s/_static/{name}")
        assert resp.status_code == 200 and "javascript" in resp.mimetype, name
        source = resp.get_data(as_text=True)
        assert not re.search(r"""(?:from|import)\s*\(?\s*["']https?://""", source), name  # no CDN import
