"""Security headers on every response.

The Content-Security-Policy allows scripts and styles from this origin only: no
inline script, no CDN. Pages that must embed a self-contained document (the
thematic report, which carries its own ``<style>`` and SVG charts) set a stricter,
script-free policy of their own through :data:`REPORT_CSP`.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
#: A stored report: its own inline styles and data: images, and nothing that runs.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
#: "Being prepared" page in the report's frame: no script either, but it may refresh itself.
#: A chart served as an SVG image: its own inline styles, nothing else (no script, no fetch).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
PENDING_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if (request.endpoint or "").rpartition(".")[2] != "static" and current_user.is_authenticated:
            # Pages and downloads of a signed-in user hold names, answers and invitation links:
            # no browser or proxy cache may keep them (a shared computer, the back button after
            # sign-out). Replaces any weaker policy a view set.
            response.headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
