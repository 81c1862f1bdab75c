"""The multilingual RAD codebook: concepts per factor, with terms in each language.

Text in any language is mapped onto shared concept ids (``training``,
``rotation``, ``whistleblowing``…): these are the classifier's cross-lingual
features and the evidence shown by ``explain``. Terms are normalised with the
same spaCy pipeline as answers (lemmas, no accents, no stop words), so
"formations", "formação" and "trained" find their concept whatever the
inflection. A single-word term ending in ``*`` matches by prefix
(``corrupt*``). A phrase matches when its words appear in order within a
small window, so "rotation régulière du personnel" finds "rotation personnel".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from analysis.errors import Errors
from analysis.factors import CORE_LANGUAGES, FACTOR_IDS, OTHER
from analysis.nlp import normalise, phrase_terms, terms

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "rad_codebook.yaml"
#: Extra words allowed inside a phrase match ("rotation [reguliere] personnel").
PHRASE_SLACK = 2


class CodebookError(ValueError):
    """A codebook file that cannot be used; the message names the concept and field."""


@dataclass(frozen=True)
class Concept:
    id: str
    factor: str  # a RAD factor id, or "other"
    terms: dict[str, tuple[str, ...]]

    def label(self, lang: str) -> str:
        """A readable name in ``lang`` (else English): the first whole term, not a ``prefix*`` pattern."""
        terms = self.terms.get(lang) or self.terms.get("en") or next(iter(self.terms.values()), ())
        whole = [t for t in terms if not t.endswith("*")]
        return whole[0] if whole else (terms[0].rstrip("*") if terms else self.id)


@dataclass(frozen=True)
class Hit:
    concept: str
    factor: str
    term: str
    start: int
    end: int


@dataclass
class Codebook:
    concepts: dict[str, Concept]
    path: Path | None = None
    _phrases: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path | str | None = None) -> Codebook:
        path = Path(path) if path else DEFAULT_PATH
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CodebookError(Errors.E201.format(path=path, reason=exc)) from exc
        return cls.from_dict(data, path)

    @classmethod
    def from_dict(cls, data: object, path: Path | None = None) -> Codebook:
        where = str(path or "<codebook>")
        if not isinstance(data, dict) or not isinstance(data.get("factors"), dict):
            raise CodebookError(Errors.E202.format(where=where))
        problems: list[str] = []
        concepts: dict[str, Concept] = {}
        groups = dict(data["factors"])
        if OTHER in data:
            groups[OTHER] = data[OTHER]
        for factor, group in groups.items():
            if factor not in FACTOR_IDS and factor != OTHER:
                problems.append(f"{where}: factor {factor!r}: unknown factor id")
                continue
            for concept_id, by_lang in (group or {}).items():
                if concept_id in concepts:
                    problems.append(f"{where}: concept {concept_id!r}: defined twice")
                    continue
                if not isinstance(by_lang, dict):
                    problems.append(f"{where}: concept {concept_id!r}: expected terms per language")
                    continue
                for lang in CORE_LANGUAGES:
                    if not by_lang.get(lang):
                        problems.append(f"{where}: concept {concept_id!r}: no {lang} terms")
                cleaned = {
                    lang: tuple(str(t).strip() for t in ts if str(t).strip()) for lang, ts in by_lang.items() if ts
                }
                concepts[concept_id] = Concept(concept_id, factor, cleaned)
        for factor in FACTOR_IDS:
            if not any(c.factor == factor for c in concepts.values()):
                problems.append(f"{where}: factor {factor!r}: no concepts")
        if problems:
            raise CodebookError(Errors.E203.format(problems="\n  ".join(problems)))
        return cls(concepts=concepts, path=path)

    def factor_of(self, concept_id: str) -> str:
        return self.concepts[concept_id].factor

    @cached_property
    def _index(
        self,
    ) -> tuple[dict[str, list[tuple[tuple[str, ...], str, str]]], re.Pattern[str] | None, dict[str, tuple[str, str]]]:
        """Phrases by first word, and one regex for all prefix terms."""
        by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        prefixes: dict[str, tuple[str, str]] = {}
        for concept in self.concepts.values():
            for lang, raw_terms in concept.terms.items():
                plain = [t for t in raw_terms if not t.endswith("*")]
                for term in raw_terms:
                    if term.endswith("*"):
                        prefixes.setdefault(normalise(term[:-1]), (concept.id, term))
                for raw, words in zip(plain, phrase_terms(plain, lang), strict=True):
                    entries = by_first.setdefault(words[0], []) if words else None
                    # The same normalised phrase in two languages ("rotation") is indexed once.
                    if entries is not None and not any(e[0] == words and e[1] == concept.id for e in entries):
                        entries.append((words, concept.id, raw))
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        pattern = None
        if prefixes:
            alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
            pattern = re.compile(f"^(?:{alternatives})")
        return by_first, pattern, prefixes

    def match_terms(self, words: Sequence[str]) -> list[Hit]:
        """Concept hits in a sequence of normalised lemmas (see :func:`analysis.nlp.terms`)."""
        by_first, pattern, prefixes = self._index
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()  # one hit per concept and position
        n = len(words)
        for i, word in enumerate(words):
            for phrase, concept_id, raw in by_first.get(word, ()):
                end = _match_phrase(words, i, phrase, n)
                if end is not None and (concept_id, i) not in seen:
                    seen.add((concept_id, i))
                    hits.append(Hit(concept_id, self.concepts[concept_id].factor, raw, i, end))
            found = pattern.match(word) if pattern is not None else None
            if found:
                concept_id, raw = prefixes[found.group(0)]
                if (concept_id, i) not in seen:
                    seen.add((concept_id, i))
                    hits.append(Hit(concept_id, self.concepts[concept_id].factor, raw, i, i + 1))
        return hits

    def match(self, texts: Sequence[str], langs: Sequence[str]) -> list[list[Hit]]:
        return [self.match_terms(words) for words in terms(texts, langs)]


def _match_phrase(words: Sequence[str], start: int, phrase: tuple[str, ...], n: int) -> int | None:
    """End index when ``phrase`` occurs in order from ``start`` with at most PHRASE_SLACK gaps."""
    pos = start + 1
    limit = min(n, start + len(phrase) + PHRASE_SLACK)
    for word in phrase[1:]:
        while pos < limit and words[pos] != word:
            pos += 1
        if pos >= limit:
            return None
        pos += 1
    return pos
