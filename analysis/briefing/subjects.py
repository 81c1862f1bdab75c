"""What a theme is about: the subjects its synthesis sentence names, its heading and its factors.

Split from ``build`` (which groups points into themes) to keep modules small; see the
``build`` module docstring for the rules, including *mixed* topic clusters.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.briefing import i18n, labels
from analysis.factors import OTHER, factor_name
from analysis.features import load_codebook
from analysis.numbers import number

#: "Many contributions (n of total)" from this share of the question's contributions.
MANY_SHARE = 0.5


@dataclass
class Point:
    contribution: int
    text: str  # an exact substring of the contribution's answer
    start: int  # where ``text`` starts in the answer
    lang: str
    factors: list[str]  # from the classifier, most probable first ("other" when none of the ten)
    concepts: list[str]  # codebook concepts that agree with ``factors`` (all found when none does)
    vector_text: str
    note_lang: str = ""  # the language a quote's "(in English)" note names: "" when not reliably known
    reviewed: bool = False  # ``factors`` are a person's decision on the whole contribution, not the classifier's


def n_supporting(points: Sequence[Point], members: Iterable[int], concept: str | None = None) -> int:
    return len({points[i].contribution for i in members if concept is None or concept in points[i].concepts})


def distinctive_key(points: list[Point], idx: list[int], question: list[int], taken: dict[str, list[int]],
                    raised: Mapping[int, Iterable[str]] | None = None) -> str:  # fmt: skip
    """The concept that best tells this theme from the question's others (c-TF-IDF over concepts), else its factor.

    Score: share of the theme's answers raising the concept times log(1 + answers to the question / answers
    raising it anywhere in the question), as BERTopic's class-based TF-IDF; only concepts raised by at
    least two of the theme's answers (or its only one) can name it, so no title rests on a single quote.
    Between concepts raised by as many of the theme's answers as the best-scored one, what the answers share
    most decides: the concept more of them raise anywhere in their text (``raised``: contribution -> every
    concept its whole answer raises, where a point keeps only those of its factors), then the one more of
    them make their main point (their longest point in the theme), c-TF-IDF only after. The IDF alone
    would always pick the rarer of two tied concepts, a side remark over the point the answers share
    ("Code de conduite" over answers about peer visits).
    """
    support = n_supporting(points, idx)
    total = n_supporting(points, question)
    in_theme = Counter({c: n_supporting(points, idx, c) for i in idx for c in points[i].concepts})
    shared = [c for c, n in in_theme.items() if n >= min(2, support) and c != "no_comment"]
    if shared:
        score = {c: in_theme[c] / support * np.log1p(total / n_supporting(points, question, c)) for c in shared}
        best = max(sorted(shared), key=lambda c: (round(score[c], 9), in_theme[c]))
        main: dict[int, int] = {}  # each answer's longest point in the theme
        for i in idx:
            owner = points[i].contribution
            if owner not in main or len(points[i].text) > len(points[main[owner]].text):
                main[owner] = i
        in_main = Counter(c for i in main.values() for c in set(points[i].concepts))
        whole = Counter(c for owner in main for c in set((raised or {}).get(owner, ())))
        tied = [c for c in sorted(shared) if in_theme[c] == in_theme[best]]
        key = max(tied, key=lambda c: (whole[c], in_main[c], round(score[c], 9)))
    else:
        factors = Counter(f for i in idx for f in points[i].factors)
        key = f"factor:{sorted(factors.items(), key=lambda kv: (-kv[1], kv[0] == OTHER, kv[0]))[0][0]}"
    while key in taken or key == f"factor:{OTHER}":  # two themes led by one concept stay two; "other" is the residual
        key += "+"
    return key


def theme_factors(points: list[Point], idx: list[int], support: int) -> list[str]:
    """Factors that most of the theme's contributions carry (else the most frequent one)."""
    counts = Counter({f: len({points[i].contribution for i in idx if f in points[i].factors})
                      for i in idx for f in points[i].factors})  # fmt: skip
    ranked = [f for f, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == OTHER, kv[0]))]
    keep = [f for f in ranked if counts[f] * 2 > support or counts[f] == support] or ranked[:1]
    if len(keep) > 1 and OTHER in keep:  # "other" means none of the ten: it cannot stand beside one
        keep.remove(OTHER)
    return keep[:3]


def is_mixed(points: list[Point], idx: list[int], key: str, support: int) -> bool:
    """A topic cluster whose leading concept is raised by half of its contributions or fewer.

    Half is mixed too: a heading over four quotes, two of which do not raise it, claims what its quotes do not say.
    """
    base = key.rstrip("+")
    return not base.startswith("factor:") and n_supporting(points, idx, base) * 2 <= support


def named_subjects(points: list[Point], idx: list[int], key: str, support: int) -> list[tuple[str, int]]:
    """The concepts the sentence names, each with the number of the theme's contributions raising it."""
    base = key.rstrip("+")
    counts = Counter({c: n_supporting(points, idx, c) for i in idx for c in points[i].concepts
                      if c != "no_comment" or c == base})  # fmt: skip
    ranked = sorted(counts, key=lambda c: (c != base, -counts[c], c))
    if key.startswith("factor:"):  # lone subjects gathered under their factor: name each
        floor, most = 1, 3
    elif support == 1:
        floor, most = 1, 2
    else:  # a subject shared by a few contributions of the theme, beside the one all share
        floor, most = max(2, math.ceil(support / 3)), 3
    chosen = [c for c in ranked if counts[c] >= floor][:most]
    if not chosen and counts:  # a mixed cluster: none reaches the floor, so the most shared ones, with their counts
        floor = 2 if max(counts.values()) >= 2 else 1
        chosen = [c for c in sorted(counts, key=lambda c: (-counts[c], c)) if counts[c] >= floor][:most]
    return [(c, counts[c]) for c in chosen]


def topics(points: list[Point], idx: list[int], key: str, support: int, lang: str,
            factors: list[str]) -> list[str]:  # fmt: skip
    """Noun phrases the sentence names, each with its own count when it is not the whole theme's.

    Never empty: a theme without concepts is named by its factor (the key's, else its first).
    """
    subjects = named_subjects(points, idx, key, support)
    if not subjects:
        base = key.rstrip("+")
        factor = base.split(":", 1)[1] if base.startswith("factor:") else factors[0]
        subjects = [(f"factor:{factor}", len({points[i].contribution for i in idx if factor in points[i].factors}))]
    phrases = []
    for c, n in subjects:
        phrase = labels.factor_phrase(c[7:], lang) if c.startswith("factor:") else labels.concept_phrase(c, lang)
        # Only the count of the whole theme is implied by the template: any other gets its own.
        phrases.append(f"{phrase} ({n})" if n != support else phrase)
    return phrases


def subject_factors(subjects: list[tuple[str, int]]) -> list[str]:
    """A mixed cluster's factors: those of the subjects its sentence names ("other" only if nothing else)."""
    codebook = load_codebook()
    found = list(dict.fromkeys(codebook.factor_of(c) or OTHER for c, _ in subjects))
    return ([f for f in found if f != OTHER] or [OTHER])[:3]


def n_unnamed(points: list[Point], idx: list[int], subjects: list[tuple[str, int]]) -> int:
    """The theme's contributions that raise none of ``subjects``: its heading and sentence say "other subjects"."""
    named = {c for c, _ in subjects}
    return len({points[i].contribution for i in idx} - {points[i].contribution for i in idx
                                                        if named & set(points[i].concepts)})  # fmt: skip


def mixed_label(subjects: list[tuple[str, int]], lang: str, n_other: int = 0) -> str:
    """A mixed cluster's heading lists its subjects rather than claim one for all of it.

    With ``n_other`` answers raising none of them it ends with "other subjects": a lone subject of
    one answer in two must not head both ("Internal affairs units" over a no-comment answer).
    """
    parts = [labels.bare_phrase(labels.concept_phrase(c, lang)) for c, _ in subjects]
    heading = ", ".join(parts)  # commas only: subjects' own "and" ("support and tools") stay readable
    if n_other and parts:
        heading += f" {i18n.s(lang, 'and')} {i18n.s(lang, 'other_subjects_label').lower()}"
    return heading[:1].upper() + heading[1:]


def qualified_label(heading: str, subjects: list[str], lang: str) -> str:
    """A heading that sibling themes share, followed by the subjects that tell this one apart ("… — x, y")."""
    return f"{heading} — {', '.join(labels.bare_phrase(labels.concept_phrase(c, lang)) for c in subjects)}"


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
    return template.format(
        n=number(support, 0, lang), total=number(total, 0, lang), verb=verb, topics=i18n.join(topics, lang)
    )


def label(key: str, lang: str) -> str:
    base = key.rstrip("+")
    if base.startswith("factor:"):
        factor = base.split(":", 1)[1]
        return factor_name(factor, lang)
    return labels.short_label(labels.concept_phrase(base, lang))
