"""Absolute links handed to people outside the app: invitation links, printed addresses.

They start with ``CIPS_BASE_URL`` (``BASE_URL``), never with the request's ``Host`` header:
a client chooses that header, and a forged one (or a misrouted proxy) would make the
invitation links a manager downloads point at someone else's site. Unset, links stay
relative to the site root (``/s/demo?t=…``), to be prefixed with the address respondents
use; ``make run`` sets it to its own address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def check_base_url(value: str) -> str:
    """``value`` without its trailing slash; ValueError unless it is http(s)://host[/path]."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("must look like https://survey.example.org")
    return value.rstrip("/")


def external(path: str) -> str:
    """``path`` (from the site root, e.g. ``/s/demo?t=…``) as the link to hand out."""
    return current_app.config["BASE_URL"] + path
