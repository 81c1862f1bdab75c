"""Interface language of the manager side (Flask-Babel).

The respondent side keeps its own catalogue (``cips.survey.i18n``): questionnaires
carry their translations in YAML and the PWA works offline, so its strings ship in
the campaign document rather than in gettext catalogues.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, request
from flask_babel import Babel, get_locale
from flask_login import current_user

from analysis import numbers
from analysis.factors import CORE_LANGUAGES

#: Each language's name in itself, for the language choosers (a questionnaire may offer more than the four).
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "pt": "Português", "ar": "العربية"}
#: The languages of the interface, of questionnaires offered in the campaign form, of reports and briefings.
LANGUAGES = {code: LANGUAGE_NAMES[code] for code in CORE_LANGUAGES}

babel = Babel()
P = ParamSpec("P")
R = TypeVar("R")


def content_language(view: Callable[P, R]) -> Callable[P, R]:
    """Marks a view whose ``?lang=`` is the language of what it shows (a report), not of the interface."""
    view.content_language = True  # type: ignore[attr-defined]
    return view


def select_locale() -> str:
    """The user's saved choice, else ``?lang=`` (except where it names a report's language), else the
    browser's best match, else English."""
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    view = current_app.view_functions.get(request.endpoint or "")
    asked = None if getattr(view, "content_language", False) else request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(lambda: {"current_locale": str(get_locale())})
    # Every number of the manager pages in the interface's format ("12,1" beside "0,5" in French).
    app.add_template_filter(number, "number")
    app.add_template_filter(size, "filesize")
    app.add_template_global(colon, "colon")


def colon() -> str:
    """The colon after a label that the template, not the catalogue, puts there ("Modèle :" in French,
    with the space French typography wants, as the catalogue's own sentences have it)."""
    return " :" if get_locale() is not None and get_locale().language == "fr" else ":"


def number(value: float | int | None, decimals: int | None = None, signed: bool = False) -> str:
    """``value`` in the interface locale's number format, with ``decimals`` digits when given; ``signed``
    writes "+" before a positive figure (a difference, "+3,4" in French). The report's formatter
    (:func:`analysis.numbers.number`) in the interface's locale, so the two sides write a figure alike."""
    if value is None:
        return ""
    return numbers.number(value, decimals, str(get_locale()), signed)


def size(n_bytes: float | int | None) -> str:
    """A size in bytes in the interface locale, with its unit ("64,2 ko" in French); Jinja's own
    ``filesizeformat`` writes English only."""
    return "" if n_bytes is None else numbers.size(n_bytes, str(get_locale()))
