"""From contributions to a structured briefing: points, factors, themes, sentences, quotes.

Pipeline per question: answers are split into their points (``split_points``);
each point gets its RAD factors from the shipped classifier and its concepts from
the multilingual codebook; answers (or points) are grouped into themes; each theme
gets a template sentence naming what its answers share, its factors (a tag, not its
key) and verbatim quotes.

Grouping (documented choice). By default (``grouping="meaning"``) each question's
answers are grouped as an editor groups them, by their main point:
``analysis.briefing.meaning`` clusters whole answers by their embedding beside their
codebook concepts, choosing the number of themes from the data; it agrees with the
editor of the theme benchmark far more than the concept grouping (README, "Themes by
meaning: measured"). Each theme is named by its most distinctive shared concept
(c-TF-IDF over concepts, ``subjects.distinctive_key``), raised by at least two of its
answers; where none is raised by half of them the heading lists its subjects and the
sentence counts each ("la formation (5) et les échanges d'expériences (3)"), so that it
stays true. Every answer is quoted exactly once, under its theme or under "other
points" (answers sharing their main point with no other, and no-comment answers),
by its span nearest the theme's centre, in maximal-marginal-relevance order.

``grouping="auto"`` is the previous default: points grouped by their most widely shared
concept (true sentences from one answer up), BERTopic (``ThemeModel``) for questions
with at least ``MIN_TOPIC_POINTS`` points; ``"concepts"`` and ``"topics"`` force either.
There, points that fit no theme (no concept, classifier says "other"), and in questions
with at least ``MIN_FOR_RESIDUAL`` contributions every subject raised by a single
contribution, are quoted after the themes as "other points", and 2–6 quotes per theme
are chosen. A cluster can be *mixed*: no concept is shared by more than half of its contributions;
its sentence then names its most shared subjects, each with its own count, its heading
lists them and its factors are theirs; in the key messages a concept counts only the
contributions that raise it. No-comment answers ("RAS", "Nada que señalar") are counted,
not themed: see ``analysis.briefing.no_comment``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

from analysis import numbers
from analysis.briefing import i18n
from analysis.briefing import subjects as subj
from analysis.briefing.grouping import RESIDUAL, by_concepts, by_meaning, by_topics
from analysis.briefing.inputs import Contribution, Question, clean_text, resolve_questions
from analysis.briefing.model import (
    Briefing,
    BriefingQuestion,
    BriefingTheme,
    KeyMessage,  # fmt: skip
)
from analysis.briefing.no_comment import is_no_comment
from analysis.briefing.quotes import MAX_QUOTES, candidates_of, choose, one_quote_each, tfidf_vectors, to_quote
from analysis.briefing.subjects import Point, sentence
from analysis.embeddings import CachedEmbedder
from analysis.factors import CORE_LANGUAGES, factor_name
from analysis.features import load_codebook
from analysis.segment import split_points

Grouping = Literal["auto", "concepts", "topics", "meaning"]
#: Questions with at least this many points may be grouped by BERTopic (``grouping="auto"``).
MIN_TOPIC_POINTS = 40
#: Key messages shown in the graphic.
N_KEY_MESSAGES = 8
#: Questions with this many contributions list subjects raised only once under "other points".
MIN_FOR_RESIDUAL = 5
#: A point this short whose only concept is "no comment" ("RAS", "Sin observaciones.") is not a theme.
NO_COMMENT_WORDS = 4
#: A detected language names a quote's language ("in English") only from this many words ("Formation." is not).
MIN_NOTE_WORDS = 3


def _as_contributions(items: Iterable[Contribution | dict[str, Any]]) -> list[Contribution]:
    out = []
    for k, item in enumerate(items, start=1):
        if isinstance(item, Contribution):
            out.append(item)
        else:
            out.append(Contribution(question=clean_text(str(item["question"])), answer=clean_text(str(item["answer"])),
                                    contributor=clean_text(str(item.get("contributor") or "")),
                                    lang=str(item.get("lang") or ""),
                                    attributable=bool(item.get("attributable", False)), line=k))  # fmt: skip
    return out


def _points(contributions: list[Contribution], langs: list[str], classifier: Any, note_langs: list[str],
            reviewed: Mapping[int, Sequence[str]]) -> list[Point]:  # fmt: skip
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
        # A person's decision codes the whole contribution: each of its points carries it, not the model's guess.
        fs = list(reviewed.get(owner, fs))
        found = list(dict.fromkeys(h.concept for h in doc.hits))
        # A codebook term can fire out of context ("en ligne" in "ligne verte"); the classifier, which
        # reads the whole point, arbitrates: concepts of the factors it found come first and alone.
        agreeing = [c for c in found if codebook.factor_of(c) in fs]
        points.append(Point(owner, text, start, lang, list(fs), agreeing or found, concept_document(doc),
                            note_langs[owner], reviewed=owner in reviewed))  # fmt: skip
    return points


def _is_no_comment(point: Point) -> bool:
    # The phrase list catches what the codebook misses or mistakes ("Rien à signaler": "signaler" is whistle-blowing).
    only_no_comment = bool(point.concepts) and set(point.concepts) <= {"no_comment"}
    return (only_no_comment and len(point.text.split()) <= NO_COMMENT_WORDS) or is_no_comment(point.text)


def _note_lang(contribution: Contribution, detected: str) -> str:
    """The language to name beside a quote: the file's, or a detection on enough words to trust, else none."""
    if contribution.lang:
        return contribution.lang
    if detected not in CORE_LANGUAGES or is_no_comment(contribution.answer):
        return ""
    return detected if len(contribution.answer.split()) >= MIN_NOTE_WORDS else ""


def _theme(points: list[Point], idx: list[int], key: str, total: int, lang: str, position: int,
           contributions: list[Contribution], embedder: Any = None) -> BriefingTheme:  # fmt: skip
    """A theme and its quotes; with ``embedder`` (grouping by meaning) every answer of the theme is quoted once."""
    support = subj.n_supporting(points, idx)
    # A theme by meaning that shares no concept (a "factor:" key) is headed by its subjects, not its factor's name.
    unnamed = embedder is not None and key != RESIDUAL and key.startswith("factor:")
    mixed = subj.is_mixed(points, idx, key, support) or (unnamed and bool(subj.named_subjects(points, idx, key, 1)))
    named = subj.named_subjects(points, idx, key, support) if mixed else []
    n_other = subj.n_unnamed(points, idx, named) if mixed and named and key != RESIDUAL else 0
    # A mixed theme is tagged with its subjects' factors, unless people coded most of its contributions:
    # their decisions then tag it, as they tag every other theme.
    decided = len({points[i].contribution for i in idx if points[i].reviewed}) * 2 >= support
    factors = subj.subject_factors(named) if mixed and not decided else subj.theme_factors(points, idx, support)
    candidates, vector_texts = candidates_of(points, idx, contributions)
    concepts = [c for c, _ in Counter(c for i in idx for c in points[i].concepts).most_common()]
    residual = key == RESIDUAL
    # The residual gathers unrelated points: each is its own subject, so quote as many as allowed.
    picked = choose(
        list(range(len(candidates))),
        candidates,
        tfidf_vectors(vector_texts),
        support,
        wanted=min(MAX_QUOTES, len(candidates)) if residual else None,
    )
    members = [(points[i].contribution, len(points[i].text)) for i in idx]
    spans = ([(candidates[k].point, candidates[k].text) for k in picked] if embedder is None
             else one_quote_each(points, idx, contributions, concepts, embedder, whole=residual,
                                  heading=[c for c, _ in named] if mixed else [key.rstrip("+")]))  # fmt: skip
    quotes = [to_quote(points[i], text, contributions[points[i].contribution], lang, concepts) for i, text in spans]
    if residual:  # what fits no theme: listed after the themes, without a synthesis
        text = i18n.count(lang, "other_points", support)
    else:
        topics = subj.topics(points, idx, key, support, lang, factors)
        if n_other:
            topics.append(f"{i18n.s(lang, 'other_subjects')} ({numbers.number(n_other, 0, lang)})")
        text = sentence(lang, support, total, topics, position)
    label = subj.mixed_label(named, lang, n_other) if mixed else subj.label(key, lang)
    return BriefingTheme(key=key, label=label, support=support, n_points=len(idx), sentence=text,
                         factors=factors, factor_names=[factor_name(f, lang) for f in factors], concepts=concepts,
                         quotes=quotes, members=members)  # fmt: skip


def _key_messages(questions: list[BriefingQuestion], theme_members: dict[tuple[str, str], set[int]],
                  lang: str, used: dict[str, str]) -> list[KeyMessage]:  # fmt: skip
    merged: dict[str, set[int]] = {}
    factor_of: dict[str, Counter[str]] = {}
    for q in questions:
        for theme in q.themes:
            key = theme.key.rstrip("+")
            if key == RESIDUAL or key == "no_comment":
                continue
            if used.get(q.id) == "meaning" and key.startswith("factor:"):
                continue  # answers sharing no subject: headed by their subjects, they are no message of their factor
            if theme.label != subj.label(key, lang):
                continue  # a theme headed by several subjects is no message of the one it is keyed by
            merged.setdefault(key, set()).update(theme_members[(q.id, theme.key)])
            factor_of.setdefault(key, Counter()).update({theme.factors[0]: theme.support})
    ranked = sorted(merged, key=lambda k: (-len(merged[k]), subj.label(k, lang)))
    return [KeyMessage(key=k, label=subj.label(k, lang), support=len(merged[k]),
                       factor=sorted(factor_of[k].items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
            for k in ranked[:N_KEY_MESSAGES]]  # fmt: skip


def _context(lang: str, n: int, contributors: int | None, languages: dict[str, int]) -> str:
    if n == 1:  # one contribution comes from one administration, named or not
        contributors = 1
    who = i18n.count(lang, "contributors", contributors) if contributors else i18n.s(lang, "contributors_unknown")
    names = [i18n.language_name(code, lang) for code in languages if code in CORE_LANGUAGES]
    template = i18n.s(lang, "context_1" if n == 1 else "context")
    return template.format(n=numbers.number(n, 0, lang), contributors=who, languages=i18n.join(names, lang) or "—")


#: A question given by a code ("q1", "Q2", "question_3"), not its wording: headed "Question 1".
_CODE = re.compile(r"[A-Za-z][A-Za-z_.-]{0,15}\d{0,4}")


def _heading(question: Question, lang: str, number: int) -> str:
    """The question's text in ``lang``; a bare code (no questions file) becomes "Question <number>"."""
    heading = question.heading(lang) or question.id
    if heading == question.id and _CODE.fullmatch(heading) and any(ch.isdigit() for ch in heading):
        return i18n.s(lang, "question_n").format(n=number)
    return heading


def build_briefing(contributions: Iterable[Contribution | dict[str, Any]], lang: str = "fr", meeting: str | None = None,
                   title: str | None = None, questions: Sequence[Question] | None = None, classifier: Any = None,
                   grouping: Grouping = "meaning", source_name: str = "<contributions>",
                   embedder: Any = None, reviewed: Mapping[int, Sequence[str]] | None = None, progress: bool = False,
                   on_progress: Callable[[int, int], None] | None = None,
                   settings: Any = None) -> Briefing:  # fmt: skip
    """The briefing, question by question, themes ordered by support (see the module docstring).

    ``reviewed`` (a saved briefing's review): contribution index -> the factors a person decided
    (primary first); they replace the classifier's for that contribution, and the method note
    says how many contributions were coded by a person and how many by the model only.

    ``embedder`` (grouping by meaning only) defaults to the configured one behind the shared cache;
    the texts it must compute are shown on a bar (``progress``) and reported to ``on_progress(done, total)``;
    ``settings`` (a ``meaning.Settings``, default ``meaning.DEFAULT``) how it groups.
    """
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
    note_langs = [_note_lang(c, d) for c, d in zip(items, detected, strict=True)]
    points = _points(items, langs, classifier, note_langs, reviewed or {})
    by_question: dict[str, list[int]] = {}
    for k, p in enumerate(points):
        by_question.setdefault(question_of[items[p.contribution].question], []).append(k)
    sections, theme_members, used = [], {}, {}
    tracker: Any = None  # the embedder that shows progress, once made
    for number, q in enumerate(ordered, start=1):
        members = by_question.get(q.id, [])
        total = len({points[i].contribution for i in members})
        silent = {points[i].contribution for i in members} - {points[i].contribution for i in members
                                                              if not _is_no_comment(points[i])}  # fmt: skip
        members = [i for i in members if not _is_no_comment(points[i])]
        use_topics = grouping == "topics" or (grouping == "auto" and len(members) >= MIN_TOPIC_POINTS)
        use_topics = use_topics and len(members) >= 2
        quoting = None  # the embedder when every answer is quoted once (grouping by meaning)
        qualifiers: dict[str, list[str]] = {}  # subjects after a heading that sibling themes share
        if grouping == "meaning" and members:
            if embedder is None:
                from analysis.briefing.meaning import default_embedder

                embedder = default_embedder()
            if (progress or on_progress) and isinstance(embedder, CachedEmbedder):
                from analysis.briefing.meaning import ProgressEmbedder

                embedder = tracker = ProgressEmbedder(embedder, progress, on_progress)
            quoting = embedder
            used[q.id], (groups, qualifiers) = "meaning", by_meaning(points, members, items, embedder, settings)
        elif use_topics:
            used[q.id], groups = "topics", by_topics(points, members, lang)
        else:
            used[q.id], groups = "concepts", by_concepts(points, members)
        if total >= MIN_FOR_RESIDUAL:  # a subject raised once joins "other points" rather than stand as a theme
            # (not "other points" itself: popped into itself, a lone residual point was lost)
            for key in [k for k, idx in groups.items() if subj.n_supporting(points, idx) == 1 and k != RESIDUAL]:
                groups.setdefault(RESIDUAL, []).extend(groups.pop(key))
        residual = sorted(groups.pop(RESIDUAL, []))
        ranked = sorted(
            groups.items(), key=lambda kv: (-subj.n_supporting(points, kv[1]), -len(kv[1]), subj.label(kv[0], lang))
        )
        themes = [_theme(points, idx, key, total, lang, pos, items, quoting) for pos, (key, idx) in enumerate(ranked)]
        for theme in themes:
            if theme.key in qualifiers:
                theme.label = subj.qualified_label(theme.label, qualifiers[theme.key], lang)
        for key, idx in ranked:  # a key message counts the contributions that raise its subject (mixed clusters)
            base = key.rstrip("+")
            theme_members[(q.id, key)] = {points[i].contribution for i in idx
                                          if base.startswith("factor:") or base in points[i].concepts}  # fmt: skip
        other = _theme(points, residual, RESIDUAL, total, lang, 0, items, quoting) if residual else None
        # A no-comment answer is counted as such and, like every answer, quoted once (grouping by meaning): after
        # the count, not under "other points", whose sentence says how many answers raised a point.
        firsts = {points[i].contribution: i for i in reversed(by_question.get(q.id, []))}
        quiet = [to_quote(points[firsts[c]], items[c].answer.strip(), items[c], lang, []) for c in sorted(silent)
                 if quoting is not None]  # fmt: skip
        sections.append(BriefingQuestion(id=q.id, heading=_heading(q, lang, number), n_contributions=total,
                                         themes=themes, other=other, n_no_comment=len(silent),
                                         no_comment_quotes=quiet))  # fmt: skip
    if tracker is not None:
        tracker.close()
    # Named administrations are counted only when every contribution names one: "from 1 administration" would
    # be false of 5 contributions of which 4 are unnamed (they may come from 4 others).
    named = [c.contributor for c in items]
    by_lang = Counter(lg for lg in note_langs if lg in CORE_LANGUAGES)
    languages = dict(sorted(by_lang.items(), key=lambda kv: (-kv[1], kv[0])))
    n_contributors = len(set(named)) if all(named) else None
    title, meeting = clean_text(title or i18n.s(lang, "title")), clean_text(meeting or "") or None
    return Briefing(lang=lang, title=title, meeting=meeting,
                    context=_context(lang, len(items), n_contributors, languages), n_contributions=len(items),
                    n_contributors=n_contributors, languages=languages, questions=sections,
                    key_messages=_key_messages(sections, theme_members, lang, used),
                    method_note=_method_note(lang, len(items), reviewed), grouping=used,
                    n_reviewed=None if reviewed is None else len(reviewed))  # fmt: skip


def _method_note(lang: str, n: int, reviewed: Mapping[int, Sequence[str]] | None) -> str:
    note = i18n.s(lang, "method_text")
    if reviewed is None:
        return note
    # Contributions of administrations, counted as everywhere in the briefing (not respondents: no n<5).
    figures = {"reviewed": len(reviewed), "n": n, "machine": n - len(reviewed)}
    return f"{note} {i18n.s(lang, 'reviewed').format(**{k: numbers.number(v, 0, lang) for k, v in figures.items()})}"
