"""What the manager pages show instead of internal codes: questionnaire titles, language and
role names, in the interface language (codes stay in exports, the CLI and the JSON)."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from sqlmodel import Session, select

from cips.instruments.service import definition_of
from cips.models import Instrument


def localized_title(definition: Any, fallback: str, lang: str = "en") -> str:
    """A questionnaire's title in ``lang``, else in English, else ``fallback`` (its key)."""
    return definition.title.get(lang) or definition.title.get("en") or fallback


def questionnaire_titles(session: Session, lang: str) -> dict[str, str]:
    """Every loaded questionnaire key → the title of its newest version in ``lang``."""
    rows = session.exec(select(Instrument).order_by(Instrument.key, Instrument.version)).all()
    return {row.key: localized_title(definition_of(row), row.key, lang) for row in rows}


def language_name(code: str, lang: str) -> str:
    """``fr`` in an English page is "French", in a French one "Français" (CLDR names, Babel)."""
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(lang))
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def stratum_label(definition: Any, stratum: str, lang: str) -> str:
    """``bg_region=north,bg_function=clearance`` as "North × Clearance" in ``lang``."""
    items = definition.item_map()
    words = []
    for part in stratum.split(","):
        item_id, _, value = part.partition("=")
        item = items.get(item_id)
        choice = next((c for c in (item.choices or []) if c.value == value), None) if item else None
        words.append(choice.label.get(lang) or choice.label.get("en") or value if choice else value)
    return " × ".join(words)
