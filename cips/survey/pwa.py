"""The PWA at ``/s/<campaign>``: app shell, web app manifest and service worker.

The service worker is served per campaign from ``/s/<slug>/sw.js`` with scope
``/s/<slug>`` (wider than its folder, hence ``Service-Worker-Allowed``). Its
version is a hash of everything it pre-caches: the shell template, every file
under ``static/``, the worker's own source and the campaign document (so every
questionnaire, language, status or PIN change). A new version makes the browser
install a new worker, which re-fetches the whole set atomically; the old cache is
deleted on activation, IndexedDB never is (see ``worker/sw.js``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, render_template, request, url_for

from cips.extensions import db
from cips.models import Campaign
from cips.services.campaigns import public_campaign
from cips.services.invites import mark_opened
from cips.survey.blueprint import bp
from cips.survey.document import campaign_document, document_bytes
from cips.survey.i18n import text_direction, ui

SURVEY_DIR = Path(__file__).resolve().parent
STATIC_DIR = SURVEY_DIR / "static"
WORKER_SOURCE = SURVEY_DIR / "worker" / "sw.js"
SHELL_TEMPLATE = SURVEY_DIR / "templates" / "survey" / "app.html"
THEME_COLOR = "#0b5394"


def _campaign(slug: str) -> Campaign:
    campaign = public_campaign(db.session, slug)
    if campaign is None:  # unknown, draft or closed: the same answer
        abort(404, "No survey with this link.")
    return campaign


def static_files() -> list[Path]:
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file() and not p.name.startswith("."))


def shell_version(document: bytes) -> str:
    """Hash of every byte the worker pre-caches (plus a configurable salt)."""
    digest = hashlib.sha256()
    for path in [SHELL_TEMPLATE, WORKER_SOURCE, *static_files()]:
        digest.update(str(path.relative_to(SURVEY_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(document)
    # CIPS_PWA_VERSION_SALT forces every device to refresh (and lets tests publish a new version).
    digest.update(str(current_app.config["PWA_VERSION_SALT"]).encode())
    return digest.hexdigest()[:16]


def precache_urls(slug: str) -> list[str]:
    shell = url_for("survey.shell", slug=slug)
    assets = [url_for("survey.static", filename=p.relative_to(STATIC_DIR).as_posix()) for p in static_files()]
    return [shell, url_for("survey.manifest", slug=slug), url_for("api.get_campaign", slug=slug), *assets]


def _guess_language(campaign: Campaign) -> str:
    # "en" for a campaign without languages (made before they were checked): the shell
    # must still load; the app then says what the campaign document allows.
    return request.accept_languages.best_match(campaign.languages) or next(iter(campaign.languages), "en")


@bp.get("/<slug>")
def shell(slug: str):
    campaign = _campaign(slug)
    mark_opened(db.session, campaign.id, request.args.get("t"))  # response rates per batch of links
    lang = _guess_language(campaign)
    html = render_template(
        "survey/app.html", campaign=campaign, lang=lang, dir=text_direction(lang),
        t=ui(lang), theme_color=THEME_COLOR,
        sw_url=url_for("survey.service_worker", slug=slug), scope=url_for("survey.shell", slug=slug),
        document_url=url_for("api.get_campaign", slug=slug), submit_url=url_for("api.create_submission"),
    )  # fmt: skip
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<slug>/manifest.webmanifest")
def manifest(slug: str):
    campaign = _campaign(slug)
    scope = url_for("survey.shell", slug=slug)

    def icon(name: str, size: str, kind: str = "image/png", purpose: str = "any") -> dict[str, str]:
        return {"src": url_for("survey.static", filename=f"icons/{name}"), "sizes": size, "type": kind,
                "purpose": purpose}  # fmt: skip

    data: dict[str, Any] = {
        "id": scope,
        "name": campaign.name,
        "short_name": "CIPS",
        "description": "Customs Integrity Perception Survey",
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "lang": next(iter(campaign.languages), "en"),
        "icons": [
            icon("icon-192.png", "192x192"),
            icon("icon-512.png", "512x512"),
            icon("icon-maskable-512.png", "512x512", purpose="maskable"),
            icon("icon.svg", "any", "image/svg+xml"),
        ],
    }
    response = Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<slug>/sw.js")
def service_worker(slug: str):
    campaign = _campaign(slug)
    version = shell_version(document_bytes(campaign_document(db.session, campaign)))
    scope = url_for("survey.shell", slug=slug)
    config = {
        "version": version,
        "slug": slug,
        "cachePrefix": f"cips-{slug}-",
        "shell": scope,
        "precache": precache_urls(slug),
    }
    body = f"self.CIPS_SW = {json.dumps(config)};\n" + WORKER_SOURCE.read_text(encoding="utf-8")
    response = Response(body, mimetype="text/javascript")
    # The browser compares the worker byte for byte to find updates: never cache it.
    response.headers["Cache-Control"] = "no-cache, no-store"
    response.headers["Service-Worker-Allowed"] = scope
    return response
