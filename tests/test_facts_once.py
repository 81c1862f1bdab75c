"""Each fact written once: a second copy drifts from the first unseen (the survey offered a language the
interface did not, a page read right to left where its document did not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.factors import CORE_LANGUAGES
from cips.i18n import LANGUAGES
from cips.survey.i18n import text_direction

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted(p for folder in ("cips", "analysis") for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".js"))
Q = r"[\"']"


def _files_with(pattern: str) -> list[str]:
    found = re.compile(pattern)
    return [str(p.relative_to(ROOT)) for p in CODE if found.search(p.read_text(encoding="utf-8"))]


FACTS = {
    # The four languages, as a list of codes or a comma-separated default.
    "languages": (rf"{Q}en{Q}\s*,\s*{Q}fr{Q}\s*,\s*{Q}es{Q}\s*,\s*{Q}pt{Q}|en,fr,es,pt", ["analysis/factors.py"]),
    # ... and named in themselves.
    "language names": (rf"{Q}en{Q}:\s*{Q}English{Q},\s*{Q}fr{Q}:\s*{Q}Français{Q}", ["cips/i18n.py"]),
    # Text direction.
    "direction": (rf"{Q}rtl{Q} if", ["cips/survey/i18n.py"]),
    # The newest version of each questionnaire of a campaign.
    "latest version": (r"\.version > \w+\[\w+\.key\]\.version", ["cips/services/campaigns.py"]),
    # An output file whose folder is missing.
    "output folder": (r"folder \{\w+\} does not exist", ["analysis/files.py"]),
}


@pytest.mark.parametrize("fact", FACTS)
def test_fact_is_written_once(fact: str) -> None:
    pattern, where = FACTS[fact]
    assert _files_with(pattern) == where


def test_languages_of_interface_and_questionnaires_are_the_core_languages() -> None:
    assert tuple(LANGUAGES) == CORE_LANGUAGES and LANGUAGES["fr"] == "Français"


def test_text_direction() -> None:
    assert (text_direction("ar"), text_direction("fr")) == ("rtl", "ltr")
