"""Gettext catalogues of the manager interface (cips/translations): complete, consistent, compiled, current.

A string added to a template or a form without running ``make translations`` (extract, update,
translate, compile) fails here, with a message saying what to do.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "cips" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("fr", "es", "pt")
FIX = "run `make translations`, translate the new entries in cips/translations/*/LC_MESSAGES/messages.po, and commit"
RECOMPILE = "run `make translations` (or `pybabel compile -d cips/translations`) and commit the .mo files"

NAMED = re.compile(r"%\(\w+\)s")
PERCENT = re.compile(r"%\(\w+\)s|%%")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _po(lang: str) -> Catalog:
    return _read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", locale=lang)


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _pairs(catalog: Catalog) -> list[tuple[str, str]]:
    """``(source, translation)`` of every entry; a plural entry (ngettext) gives its singular with
    the first form and its plural with each other form."""
    out = []
    for m in catalog:
        if not m.id or not m.string:
            continue
        if isinstance(m.id, str):
            out.append((m.id, m.string))
        else:
            out += [(m.id[0], m.string[0])] + [(m.id[1], form) for form in m.string[1:]]
    return out


def _forms(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return (string,) if isinstance(string, str) else tuple(string)


@pytest.fixture(scope="module")
def template_ids() -> set[str]:
    return _ids(_read(POT))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_every_template_string_is_translated(lang: str, template_ids: set[str]) -> None:
    po = _po(lang)
    missing = sorted(i for i in template_ids if i not in po or not all(_forms(po[i].string)))
    assert not missing, f"{lang}: {len(missing)} untranslated string(s), e.g. {missing[:5]}; {FIX}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_have_no_fuzzy_entries(lang: str) -> None:
    fuzzy = sorted(m.id for m in _po(lang) if m.id and m.fuzzy)
    assert not fuzzy, f"{lang}: fuzzy entries are not used at run time; review them and remove the flag: {fuzzy[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    pairs = _pairs(_po(lang))
    wrong = [(source, text) for source, text in pairs if set(NAMED.findall(source)) != set(NAMED.findall(text))]
    assert not wrong, f"{lang}: %(name)s placeholders differ between msgid and msgstr: {wrong}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_percent_signs_escaped(lang: str) -> None:
    # Templates format every string (Jinja new-style gettext), so a lone % breaks the page.
    wrong = [
        (source, text)
        for source, text in _pairs(_po(lang))
        if "%" in PERCENT.sub("", text) or source.count("%%") != text.count("%%")
    ]
    assert not wrong, f"{lang}: write a literal percent sign as %% where the source has %%: {wrong}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_compiled_catalogue_matches_the_po(lang: str) -> None:
    mo_path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"
    assert mo_path.exists(), f"{lang}: {mo_path.relative_to(ROOT)} is missing; {RECOMPILE}"
    with mo_path.open("rb") as f:
        compiled = {k: v for k, v in gettext.GNUTranslations(f)._catalog.items() if k}
    expected: dict[object, str] = {}
    for m in _po(lang):
        if m.id and m.string and not m.fuzzy:  # gettext keys plural forms as (singular, index)
            expected |= {m.id: m.string} if isinstance(m.id, str) else {(m.id[0], i): f for i, f in enumerate(m.string)}
    stale = sorted((i for i in expected.keys() | compiled.keys() if expected.get(i) != compiled.get(i)), key=str)
    assert not stale, f"{lang}: messages.mo differs from messages.po for {stale[:5]}; {RECOMPILE}"


def test_translations_template_is_up_to_date_with_the_sources(tmp_path: Path, template_ids: set[str]) -> None:
    pybabel = Path(sys.executable).parent / "pybabel"
    command = [str(pybabel)] if pybabel.exists() else [sys.executable, "-m", "babel.messages.frontend"]
    out = tmp_path / "messages.pot"
    subprocess.run(
        [*command, "extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", str(out), "."],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    new = sorted(_ids(_read(out)) - template_ids)
    assert not new, f"{len(new)} string(s) in the sources are not in messages.pot, e.g. {new[:5]}; {FIX}"
