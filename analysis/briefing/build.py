"""From contributions to a structured briefing: points, factors, themes, sentences, quotes.

Pipeline per question: answers are split into their points (``split_points``);
each point gets its RAD factors from the shipped classifier and its concepts from
the multilingual codebook; points are grouped into themes; each theme gets a
template sentence, its factors and 2–6 verbatim quotes.

Grouping (documented choice). A briefing sentence says "N contributions stressed
X", so every contribution counted must actually be about X. Grouping points by
their main codebook concept guarantees that, in any language, and works from a
single answer up. BERTopic (``ThemeModel``) clusters are not tied to one subject
(a KMeans cluster of 20 short points mixes two or three), and below a few dozen
points they are unstable; they are used only for questions with at least
``MIN_TOPIC_POINTS`` points and ``grouping="auto"`` (or always with
``grouping="topics"``), and then the sentence gives a count per subject
("la formation (5) et les échanges d'expériences (3)") so that it stays true.

Points that fit no theme (no concept, classifier says "other"), and in questions with
at least ``MIN_FOR_RESIDUAL`` contributions every subject raised by a single
contribution, are quoted after the themes as "other points", without a synthesis.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.briefing import i18n, labels
from analysis.briefing.inputs import Contribution, Question, resolve_questions
from analysis.briefing.model import (
    Briefing,
    BriefingQuestion,
    BriefingQuote,
    BriefingTheme,
    KeyMessage,  # fmt: skip
)
from analysis.briefing.quotes import LONG_POINT, MAX_QUOTES, Candidate, choose, excerpt
from analysis.factors import CORE_LANGUAGES, OTHER, factor_name
from analysis.features import load_codebook
from analysis.segment import split_points

Grouping = Literal["auto", "concepts", "topics"]
#: Questions with at least this many points may be grouped by BERTopic (``grouping="auto"``).
MIN_TOPIC_POINTS = 40
#: Key messages shown in the graphic.
N_KEY_MESSAGES = 8
#: "Many contributions (n of total)" from this share of the question's contributions.
MANY_SHARE = 0.5
_NUMBERED = re.compile(r"(?:^|\s)\(?(?:\d{1,2}|[a-h])[).]\s")
#: Questions with this many contributions list subjects raised only once under "other points".
MIN_FOR_RESIDUAL = 5
#: A point this short whose only concept is "no comment" ("RAS", "Sin observaciones.") is not a theme.
NO_COMMENT_WORDS = 4


@dataclass
class Point:
    contribution: int
    text: str  # an exact substring of the contribution's answer
    start: int  # where ``text`` starts in the answer
    lang: str
    factors: list[str]  # from the classifier, most probable first ("other" when none of the ten)
    concepts: list[str]  # codebook concepts that agree with ``factors`` (all found when none does)
    vector_text: str


def _as_contributions(items: Iterable[Contribution | dict[str, Any]]) -> list[Contribution]:
    out = []
    for k, item in enumerate(items, start=1):
        if isinstance(item, Contribution):
            out.append(item)
        else:
            out.append(Contribution(question=str(item["question"]), answer=str(item["answer"]),
                                    contributor=str(item.get("contributor") or ""), lang=str(item.get("lang") or ""),
                                    attributable=bool(item.get("attributable", False)), line=k))  # fmt: skip
    return out


def _points(contributions: list[Contribution], langs: list[str], classifier: Any) -> list[Point]:
    from analysis.features import analyse
    from analysis.topics import concept_document

    owners, texts, starts, point_langs = [], [], [], []
    for i, (c, lang) in enumerate(zip(contributions, langs, strict=True)):
        cursor = 0
        for part in split_points(c.answer) or [c.answer.strip()]:
            # split_points only cuts and strips, so each point is a substring; keep the answer if not.
            at = c.answer.find(part, cursor)
            if at < 0:
                part, at = c.answer.strip(), c.answer.find(c.answer.strip())
            cursor = at + len(part)
            texts.append(part)
            starts.append(at)
            owners.append(i)
            point_langs.append(lang)
    factor_lists = classifier.predict_labels(texts, point_langs)
    docs = analyse(texts, point_langs)
    codebook = load_codebook()
    points = []
    for owner, text, start, lang, fs, doc in zip(owners, texts, starts, point_langs, factor_lists, docs, strict=True):
        found = list(dict.fromkeys(h.concept for h in doc.hits))
        # A codebook term can fire out of context ("en ligne" in "ligne verte"); the classifier, which
        # reads the whole point, arbitrates: concepts of the factors it found come first and alone.
        agreeing = [c for c in found if codebook.factor_of(c) in fs]
        points.append(Point(owner, text, start, lang, list(fs), agreeing or found, concept_document(doc)))
    return points


def _is_no_comment(point: Point) -> bool:
    only_no_comment = bool(point.concepts) and set(point.concepts) <= {"no_comment"}
    return only_no_comment and len(point.text.split()) <= NO_COMMENT_WORDS


def _support(points: Sequence[Point], members: Iterable[int], concept: str | None = None) -> int:
    return len({points[i].contribution for i in members if concept is None or concept in points[i].concepts})


def _group_by_concepts(points: list[Point], members: list[int]) -> dict[str, list[int]]:
    """Each point under its most widely shared concept; points without one under their main factor."""
    shared = Counter(c for i in members for c in dict.fromkeys(points[i].concepts))
    # Count per contribution, not per point: one listed answer must not outvote three answers.
    shared = Counter({c: _support(points, members, c) for c in shared})
    groups: dict[str, list[int]] = {}
    for i in members:
        p = points[i]
        key = max(p.concepts, key=lambda c: (shared[c], -p.concepts.index(c))) if p.concepts else None
        groups.setdefault(key or f"factor:{p.factors[0]}", []).append(i)
    # Lone subjects of the same factor read better together than as a string of one-line themes.
    lone = {k: v for k, v in groups.items() if not k.startswith("factor:") and _support(points, v) == 1}
    by_factor: dict[str, list[str]] = {}
    for key, idx in lone.items():
        by_factor.setdefault(points[idx[0]].factors[0], []).append(key)
    for factor, keys in by_factor.items():
        if len(keys) >= 2 and factor != OTHER:
            merged = groups.pop(keys[0])
            for key in keys[1:]:
                merged += groups.pop(key)
            groups.setdefault(f"factor:{factor}", []).extend(sorted(merged))
    return groups


def _group_by_topics(points: list[Point], members: list[int], lang: str) -> dict[str, list[int]]:
    from analysis.topics import ThemeModel

    model = ThemeModel(label_lang=lang).fit([points[i].text for i in members], [points[i].lang for i in members])
    groups: dict[str, list[int]] = {}
    for topic in sorted(set(model.labels_.tolist())):
        idx = [members[k] for k in np.flatnonzero(model.labels_ == topic)]
        concepts = Counter({c: _support(points, idx, c) for i in idx for c in points[i].concepts})
        factors = Counter(f for i in idx for f in points[i].factors)
        key = concepts.most_common(1)[0][0] if concepts else f"factor:{factors.most_common(1)[0][0]}"
        while key in groups:  # two clusters led by one concept stay two themes
            key += "+"
        groups[key] = idx
    return groups


def _factors(points: list[Point], idx: list[int], support: int) -> list[str]:
    """Factors that most of the theme's contributions carry (else the most frequent one)."""
    counts = Counter({f: len({points[i].contribution for i in idx if f in points[i].factors})
                      for i in idx for f in points[i].factors})  # fmt: skip
    ranked = [f for f, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == OTHER, kv[0]))]
    keep = [f for f in ranked if counts[f] * 2 > support or counts[f] == support] or ranked[:1]
    if len(keep) > 1 and OTHER in keep:  # "other" means none of the ten: it cannot stand beside one
        keep.remove(OTHER)
    return keep[:3]


def _topics(points: list[Point], idx: list[int], key: str, support: int, lang: str) -> list[str]:
    """Noun phrases the sentence names, each with its own count when it is not the whole theme's."""
    base = key.rstrip("+")
    counts = Counter({c: _support(points, idx, c) for i in idx for c in points[i].concepts
                      if c != "no_comment" or c == base})  # fmt: skip
    ranked = sorted(counts, key=lambda c: (c != base, -counts[c], c))
    if key.startswith("factor:"):  # lone subjects gathered under their factor: name each
        floor, most = 1, 3
    elif support == 1:
        floor, most = 1, 2
    else:  # a subject shared by a few contributions of the theme, beside the one all share
        floor, most = max(2, math.ceil(support / 3)), 3
    chosen = [c for c in ranked if counts[c] >= floor][:most]
    if not chosen:
        return [labels.factor_phrase(base.split(":", 1)[1], lang)] if base.startswith("factor:") else []
    phrases = []
    for c in chosen:
        phrase = labels.concept_phrase(c, lang)
        # Only the count of the whole theme is implied by the template: any other gets its own.
        phrases.append(f"{phrase} ({counts[c]})" if counts[c] != support else phrase)
    return phrases


def sentence(lang: str, support: int, total: int, topics: list[str], position: int) -> str:
    """The synthesis sentence: a template, a count and the theme's subjects, nothing else."""
    t = i18n.text(lang)
    if support == 1:
        template, verbs = i18n.s(lang, "one"), t["verbs_one"]
    elif total >= 4 and support >= MANY_SHARE * total:
        template, verbs = i18n.s(lang, "many"), t["verbs_several"]
    else:
        template, verbs = i18n.s(lang, "several"), t["verbs_several"]
    assert isinstance(verbs, list)
    verb = verbs[position % len(verbs)]
    return template.format(n=support, total=total, verb=verb, topics=i18n.join(topics, lang))


def _label(key: str, lang: str) -> str:
    base = key.rstrip("+")
    if base.startswith("factor:"):
        factor = base.split(":", 1)[1]
        return factor_name(factor, lang)
    return labels.short_label(labels.concept_phrase(base, lang))


def _candidates(points: list[Point], idx: list[int],
                contributions: list[Contribution]) -> tuple[list[Candidate], list[str]]:  # fmt: skip
    """One quote candidate per run of consecutive points of an answer in the theme (the span that covers them)."""
    runs: list[list[int]] = []
    for i in idx:
        if runs and runs[-1][-1] == i - 1 and points[i - 1].contribution == points[i].contribution:
            runs[-1].append(i)
        else:
            runs.append([i])
    candidates, texts = [], []
    for run in runs:
        first, last = points[run[0]], points[run[-1]]
        span = contributions[first.contribution].answer[first.start : last.start + len(last.text)]
        # One line, no list numbering inside: a quote reads as one statement, not "…; 2) …".
        one_statement = "\n" not in span and not _NUMBERED.search(span)
        if len(run) > 1 and len(span) <= LONG_POINT and one_statement:  # one line: a quote is one paragraph
            candidates.append(Candidate(run[0], first.contribution, span, first.lang))
            texts.append(" ".join(points[i].vector_text for i in run))
        else:
            for i in run:
                candidates.append(Candidate(i, points[i].contribution, points[i].text, points[i].lang))
                texts.append(points[i].vector_text)
    return candidates, texts


def _quote(point: Point, text: str, contribution: Contribution, lang: str, concepts: list[str]) -> BriefingQuote:
    quote_lang = point.lang if point.lang in CORE_LANGUAGES else ""
    note = (i18n.s(lang, "in_lang").format(language=i18n.language_name(quote_lang, lang))
            if quote_lang and quote_lang != lang else None)  # fmt: skip
    attributed = contribution.contributor if contribution.attributable and contribution.contributor else None
    return BriefingQuote(text=excerpt(text, point.lang, concepts[:3], _concepts_of), lang=quote_lang, lang_note=note,
                         contributor=attributed)  # fmt: skip


def _theme(points: list[Point], idx: list[int], key: str, total: int, lang: str, position: int,
           contributions: list[Contribution]) -> BriefingTheme:  # fmt: skip
    support = _support(points, idx)
    factors = _factors(points, idx, support)
    candidates, vector_texts = _candidates(points, idx, contributions)
    concepts = [c for c, _ in Counter(c for i in idx for c in points[i].concepts).most_common()]
    residual = key == f"factor:{OTHER}"
    # The residual gathers unrelated points: each is its own subject, so quote as many as allowed.
    picked = choose(
        list(range(len(candidates))),
        candidates,
        _vectors(vector_texts),
        support,
        wanted=min(MAX_QUOTES, len(candidates)) if residual else None,
    )
    quotes = [_quote(points[candidates[k].point], candidates[k].text, contributions[candidates[k].contribution], lang,
                     concepts) for k in picked]  # fmt: skip
    if residual:  # what fits no theme: listed after the themes, without a synthesis
        text = i18n.count(lang, "other_points", support)
    else:
        text = sentence(lang, support, total, _topics(points, idx, key, support, lang), position)
    return BriefingTheme(key=key, label=_label(key, lang), support=support, n_points=len(idx), sentence=text,
                         factors=factors, factor_names=[factor_name(f, lang) for f in factors], concepts=concepts,
                         quotes=quotes)  # fmt: skip


def _vectors(docs: list[str]) -> np.ndarray:
    if len(docs) == 1:
        return np.ones((1, 1))
    matrix = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True).fit_transform(docs)
    return normalize(matrix).toarray()


def _concepts_of(texts: list[str], langs: list[str]) -> list[set[str]]:
    from analysis.features import analyse

    return [{h.concept for h in doc.hits} for doc in analyse(texts, langs)]


def _key_messages(questions: list[BriefingQuestion], theme_members: dict[tuple[str, str], set[int]],
                  lang: str) -> list[KeyMessage]:  # fmt: skip
    merged: dict[str, set[int]] = {}
    factor_of: dict[str, Counter[str]] = {}
    for q in questions:
        for theme in q.themes:
            key = theme.key.rstrip("+")
            if key == f"factor:{OTHER}" or key == "no_comment":
                continue
            merged.setdefault(key, set()).update(theme_members[(q.id, theme.key)])
            factor_of.setdefault(key, Counter()).update({theme.factors[0]: theme.support})
    ranked = sorted(merged, key=lambda k: (-len(merged[k]), _label(k, lang)))
    return [KeyMessage(key=k, label=_label(k, lang), support=len(merged[k]),
                       factor=sorted(factor_of[k].items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
            for k in ranked[:N_KEY_MESSAGES]]  # fmt: skip


def _context(lang: str, n: int, contributors: int | None, languages: dict[str, int]) -> str:
    who = (i18n.s(lang, "contributors").format(m=contributors) if contributors
           else i18n.s(lang, "contributors_unknown"))  # fmt: skip
    names = [i18n.language_name(code, lang) for code in languages if code in CORE_LANGUAGES]
    return i18n.s(lang, "context").format(n=n, contributors=who, languages=i18n.join(names, lang) or "—")


def build_briefing(contributions: Iterable[Contribution | dict[str, Any]], lang: str = "fr", meeting: str | None = None,
                   title: str | None = None, questions: Sequence[Question] | None = None, classifier: Any = None,
                   grouping: Grouping = "auto", source_name: str = "<contributions>") -> Briefing:  # fmt: skip
    """The briefing, question by question, themes ordered by support (see the module docstring)."""
    from analysis.language import detect_language

    i18n.text(lang)  # refuse an unknown language before any work
    items = _as_contributions(contributions)
    if not items:
        raise ValueError("no contributions to brief on")
    ordered, question_of = resolve_questions(items, questions, source_name)
    detected = detect_language([c.answer for c in items])
    langs = [c.lang or d for c, d in zip(items, detected, strict=True)]
    if classifier is None:
        from analysis import load_default_classifier

        classifier = load_default_classifier()
    points = _points(items, langs, classifier)
    by_question: dict[str, list[int]] = {}
    for k, p in enumerate(points):
        by_question.setdefault(question_of[items[p.contribution].question], []).append(k)
    sections, theme_members, used = [], {}, {}
    for q in ordered:
        members = by_question.get(q.id, [])
        total = len({points[i].contribution for i in members})
        silent = {points[i].contribution for i in members} - {points[i].contribution for i in members
                                                              if not _is_no_comment(points[i])}  # fmt: skip
        members = [i for i in members if not _is_no_comment(points[i])]
        use_topics = grouping == "topics" or (grouping == "auto" and len(members) >= MIN_TOPIC_POINTS)
        use_topics = use_topics and len(members) >= 2
        used[q.id] = "topics" if use_topics else "concepts"
        groups = _group_by_topics(points, members, lang) if use_topics else _group_by_concepts(points, members)
        if total >= MIN_FOR_RESIDUAL:  # a subject raised once joins "other points" rather than stand as a theme
            for key in [k for k, idx in groups.items() if _support(points, idx) == 1]:
                groups.setdefault(f"factor:{OTHER}", []).extend(groups.pop(key))
        residual = sorted(groups.pop(f"factor:{OTHER}", []))
        ranked = sorted(groups.items(), key=lambda kv: (-_support(points, kv[1]), -len(kv[1]), _label(kv[0], lang)))
        themes = [_theme(points, idx, key, total, lang, pos, items) for pos, (key, idx) in enumerate(ranked)]
        for key, idx in ranked:
            theme_members[(q.id, key)] = {points[i].contribution for i in idx}
        other = _theme(points, residual, f"factor:{OTHER}", total, lang, 0, items) if residual else None
        sections.append(BriefingQuestion(id=q.id, heading=q.heading(lang) or q.id, n_contributions=total,
                                         themes=themes, other=other, n_no_comment=len(silent)))  # fmt: skip
    named = {c.contributor for c in items if c.contributor}
    by_lang = Counter(lg for lg in langs if lg in CORE_LANGUAGES)
    languages = dict(sorted(by_lang.items(), key=lambda kv: (-kv[1], kv[0])))
    n_contributors = len(named) if named else None
    return Briefing(lang=lang, title=title or i18n.s(lang, "title"), meeting=meeting,
                    context=_context(lang, len(items), n_contributors, languages), n_contributions=len(items),
                    n_contributors=n_contributors, languages=languages, questions=sections,
                    key_messages=_key_messages(sections, theme_members, lang),
                    method_note=i18n.s(lang, "method_text"), grouping=used)  # fmt: skip
