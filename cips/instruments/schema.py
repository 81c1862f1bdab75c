"""Pydantic schema of a questionnaire (an *instrument*) written as YAML in ``forms/``.

Structural checks (types, enums, required keys) live in the models; checks that need
the whole document (duplicate ids, translations in every declared language, at least
three items per RAD factor) live in :func:`semantic_errors` so that *every* problem is
reported at once instead of stopping at the first.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from analysis.factors import FACTOR_IDS
from cips.instruments.logic import logic_errors

#: Minimum number of Likert items per RAD factor in a questionnaire.
MIN_ITEMS_PER_FACTOR = 3
LIKERT_MIN, LIKERT_MAX = 1, 5

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
#: Text in several languages: ``{"en": "...", "fr": "..."}``.
Translations = dict[LangCode, Annotated[str, StringConstraints(min_length=1)]]


class ItemType(StrEnum):
    likert5 = "likert5"
    single = "single"
    multi = "multi"
    text = "text"
    number = "number"


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Identifier
    label: Translations


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    id: Identifier
    type: ItemType
    text: Translations
    #: True, false, or an expression over earlier answers (cips.instruments.expressions).
    required: bool | str = True
    #: Asked only when this expression over earlier answers holds.
    relevant: str | None = None
    #: An answer must make this hold ("." is the answer itself); else constraint_message is shown.
    constraint: str | None = None
    constraint_message: Translations | None = None
    #: A number item computed from earlier answers, not asked; stored with the submission.
    calculate: str | None = None
    #: Answers outside the scale ("don't know", "prefer not to say"), stored as these words.
    non_substantive: list[Literal["dont_know", "refused"]] = Field(default_factory=list)
    factor: str | None = None
    reverse: bool = False
    choices: list[Choice] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int = Field(default=5000, ge=1, le=20000)
    help: Translations | None = None

    @field_validator("factor")
    @classmethod
    def _known_factor(cls, value: str | None) -> str | None:
        if value is not None and value not in FACTOR_IDS:
            raise ValueError(f"unknown factor {value!r} (expected one of {', '.join(FACTOR_IDS)})")
        return value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier
    title: Translations
    items: list[Item] = Field(min_length=1)
    #: The whole section is asked only when this expression over earlier answers holds.
    relevant: str | None = None
    #: Statements shown in a per-respondent random order, stored with the submission.
    randomize: bool = False


class Instrument(BaseModel):
    """A validated questionnaire definition."""

    model_config = ConfigDict(extra="forbid")

    key: Identifier
    version: int = Field(ge=1)
    languages: list[LangCode] = Field(min_length=1)
    title: Translations
    intro: Translations
    consent: Translations
    likert_labels: dict[LangCode, list[str]]
    strata: list[Identifier] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def item_map(self) -> dict[str, Item]:
        return {item.id: item for item in self.items()}

    def factor_items(self) -> dict[str, list[Item]]:
        grouped: dict[str, list[Item]] = {f: [] for f in FACTOR_IDS}
        for item in self.items():
            if item.type is ItemType.likert5 and item.factor:
                grouped[item.factor].append(item)
        return grouped


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def semantic_errors(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Whole-document problems as ``(item id or "-", field, message)`` triples.

    Works on the raw YAML data, leniently, so that it runs even when the
    structural validation failed: the author sees every problem in one pass.
    """
    errors: list[tuple[str, str, str]] = []
    langs = [lang for lang in _as_list(data.get("languages")) if isinstance(lang, str)]

    def missing(where: str, field: str, texts: Any) -> None:
        texts = _as_dict(texts)
        for lang in langs:
            if not texts.get(lang):
                errors.append((where, f"{field}.{lang}", f"missing translation ({lang})"))

    for field in ("title", "intro", "consent"):
        missing("-", field, data.get(field))
    labels_by_lang = _as_dict(data.get("likert_labels"))
    for lang in langs:
        labels = labels_by_lang.get(lang)
        if labels is None:
            errors.append(("-", f"likert_labels.{lang}", f"missing translation ({lang})"))
        elif len(_as_list(labels)) != LIKERT_MAX - LIKERT_MIN + 1:
            errors.append(("-", f"likert_labels.{lang}", f"expected {LIKERT_MAX} labels, got {len(_as_list(labels))}"))

    seen_items: set[str] = set()
    seen_sections: set[str] = set()
    per_factor: dict[str, int] = dict.fromkeys(FACTOR_IDS, 0)
    items: dict[str, dict[str, Any]] = {}
    for section in map(_as_dict, _as_list(data.get("sections"))):
        sid = str(section.get("id", "-"))
        if sid in seen_sections:
            errors.append((sid, "id", "duplicate section id"))
        seen_sections.add(sid)
        missing(sid, "title", section.get("title"))
        for item in map(_as_dict, _as_list(section.get("items"))):
            iid = str(item.get("id", "-"))
            if iid in seen_items:
                errors.append((iid, "id", "duplicate item id"))
            seen_items.add(iid)
            items.setdefault(iid, item)
            errors.extend(
                (iid, field, msg) for field, msg in _item_errors(item, missing_for=lambda f, t, i=iid: missing(i, f, t))
            )
            if item.get("type") == "likert5" and item.get("factor") in per_factor:
                per_factor[item["factor"]] += 1

    for factor, n in per_factor.items():
        if n < MIN_ITEMS_PER_FACTOR:
            errors.append(
                ("-", "factor", f"factor {factor!r} has {n} likert5 item(s), needs at least {MIN_ITEMS_PER_FACTOR}")
            )
    for stratum in _as_list(data.get("strata")):
        item = items.get(str(stratum))
        if item is None:
            errors.append(("-", "strata", f"stratum {stratum!r} is not an item id"))
        elif item.get("type") != "single":
            errors.append((str(stratum), "strata", "a stratum must be a single-choice item"))
    errors.extend(logic_errors(data))
    return errors


def _item_errors(item: dict[str, Any], missing_for: Any) -> list[tuple[str, str]]:
    """Checks that depend on an item's type, plus its translations."""
    errors: list[tuple[str, str]] = []
    kind = item.get("type")
    if kind == "likert5" and item.get("factor") is None:
        errors.append(("factor", "a likert5 item must name its RAD factor"))
    if item.get("reverse") and kind != "likert5":
        errors.append(("reverse", "only likert5 items can be reverse-worded"))
    choices = [_as_dict(c) for c in _as_list(item.get("choices"))]
    if kind in ("single", "multi") and not choices:
        errors.append(("choices", f"a {kind} item needs at least one choice"))
    if kind not in ("single", "multi") and choices:
        errors.append(("choices", f"a {kind} item takes no choices"))
    lo, hi = item.get("min"), item.get("max")
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        errors.append(("min", "greater than max"))
    missing_for("text", item.get("text"))
    if item.get("help") is not None:
        missing_for("help", item.get("help"))
    values = [str(c.get("value")) for c in choices]
    for choice in choices:
        missing_for(f"choices.{choice.get('value')}.label", choice.get("label"))
    for dup in sorted({v for v in values if values.count(v) > 1}):
        errors.append((f"choices.{dup}", "duplicate choice value"))
    return errors


_INDEX = re.compile(r"^\d+$")


def locate(instrument_data: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """Turn a pydantic error location into ``(item id, field path)`` for humans.

    ``("sections", 2, "items", 4, "text", "fr")`` becomes ``("lead_2", "text.fr")``.
    """
    where, node, path = "-", instrument_data, []
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(node, dict) and isinstance(node.get("id"), str) and _INDEX.match(str(part)):
            where, path = node["id"], []
            continue
        path.append(str(part))
    return where, ".".join(p for p in path if p not in ("sections", "items")) or "-"
