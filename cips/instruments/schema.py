"""Pydantic schema of a questionnaire (an *instrument*) written as YAML in ``forms/``.

Structural checks (types, enums, required keys) live in the models; checks that need
the whole document (duplicate ids, translations in every declared language, at least
three items per RAD factor) live in :func:`semantic_errors` so that *every* problem is
reported at once instead of stopping at the first.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from analysis.factors import FACTOR_IDS

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
    required: bool = True
    factor: str | None = None
    reverse: bool = False
    choices: list[Choice] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int = Field(default=5000, ge=1, le=20000)
    help: Translations | None = None

    @model_validator(mode="after")
    def _type_specific(self) -> Item:
        problems: list[str] = []
        if self.factor is not None and self.factor not in FACTOR_IDS:
            problems.append(f"factor: unknown factor {self.factor!r} (expected one of {', '.join(FACTOR_IDS)})")
        if self.type is ItemType.likert5 and self.factor is None:
            problems.append("factor: a likert5 item must name its RAD factor")
        if self.reverse and self.type is not ItemType.likert5:
            problems.append("reverse: only likert5 items can be reverse-worded")
        needs_choices = self.type in (ItemType.single, ItemType.multi)
        if needs_choices and not self.choices:
            problems.append(f"choices: a {self.type.value} item needs at least one choice")
        if not needs_choices and self.choices:
            problems.append(f"choices: a {self.type.value} item takes no choices")
        if self.min is not None and self.max is not None and self.min > self.max:
            problems.append("min: greater than max")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def translated_texts(self) -> list[tuple[str, Translations]]:
        """Every translatable field of the item as (field path, translations)."""
        fields: list[tuple[str, Translations]] = [("text", self.text)]
        if self.help:
            fields.append(("help", self.help))
        for choice in self.choices or []:
            fields.append((f"choices.{choice.value}.label", choice.label))
        return fields


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier
    title: Translations
    items: list[Item] = Field(min_length=1)


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


def semantic_errors(instrument: Instrument) -> list[tuple[str, str, str]]:
    """Whole-document problems as ``(item id or "-", field, message)`` triples."""
    errors: list[tuple[str, str, str]] = []
    langs = instrument.languages

    def missing(where: str, field: str, texts: dict[str, Any]) -> None:
        for lang in langs:
            if lang not in texts:
                errors.append((where, f"{field}.{lang}", f"missing translation ({lang})"))

    for field in ("title", "intro", "consent"):
        missing("-", field, getattr(instrument, field))
    for lang in langs:
        labels = instrument.likert_labels.get(lang)
        if labels is None:
            errors.append(("-", f"likert_labels.{lang}", f"missing translation ({lang})"))
        elif len(labels) != LIKERT_MAX - LIKERT_MIN + 1:
            errors.append(("-", f"likert_labels.{lang}", f"expected {LIKERT_MAX} labels, got {len(labels)}"))

    seen_items: set[str] = set()
    seen_sections: set[str] = set()
    for section in instrument.sections:
        if section.id in seen_sections:
            errors.append((section.id, "id", "duplicate section id"))
        seen_sections.add(section.id)
        missing(section.id, "title", section.title)
        for item in section.items:
            if item.id in seen_items:
                errors.append((item.id, "id", "duplicate item id"))
            seen_items.add(item.id)
            for field, texts in item.translated_texts():
                missing(item.id, field, texts)
            values = [c.value for c in item.choices or []]
            for dup in sorted({v for v in values if values.count(v) > 1}):
                errors.append((item.id, f"choices.{dup}", "duplicate choice value"))

    for factor, items in instrument.factor_items().items():
        if len(items) < MIN_ITEMS_PER_FACTOR:
            errors.append(
                (
                    "-",
                    "factor",
                    f"factor {factor!r} has {len(items)} likert5 item(s), needs at least {MIN_ITEMS_PER_FACTOR}",
                )
            )
    items = instrument.item_map()
    for stratum in instrument.strata:
        item = items.get(stratum)
        if item is None:
            errors.append(("-", "strata", f"stratum {stratum!r} is not an item id"))
        elif item.type is not ItemType.single:
            errors.append((stratum, "strata", "a stratum must be a single-choice item"))
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
