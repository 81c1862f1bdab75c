"""How the briefing groups one question's points into themes: by meaning (the default), by concept, by topic.

Each function returns theme key -> the indices of its points (``RESIDUAL``, "other points", for what fits no
theme); ``analysis.briefing.build`` (its module docstring says when each is used) turns them into themes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from analysis.briefing import subjects as subj
from analysis.briefing.inputs import Contribution
from analysis.briefing.siblings import distinct_titles
from analysis.briefing.subjects import Point
from analysis.factors import OTHER

#: The key of "other points", the group of what fits no theme.
RESIDUAL = f"factor:{OTHER}"


def by_concepts(points: list[Point], members: list[int]) -> dict[str, list[int]]:
    """Each point under its most widely shared concept; points without one under their main factor."""
    shared = Counter(c for i in members for c in dict.fromkeys(points[i].concepts))
    # Count per contribution, not per point: one listed answer must not outvote three answers.
    shared = Counter({c: subj.n_supporting(points, members, c) for c in shared})
    groups: dict[str, list[int]] = {}
    for i in members:
        p = points[i]
        key = max(p.concepts, key=lambda c: (shared[c], -p.concepts.index(c))) if p.concepts else None
        groups.setdefault(key or f"factor:{p.factors[0]}", []).append(i)
    # Lone subjects of the same factor read better together than as a string of one-line themes.
    lone = {k: v for k, v in groups.items() if not k.startswith("factor:") and subj.n_supporting(points, v) == 1}
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


def by_topics(points: list[Point], members: list[int], lang: str) -> dict[str, list[int]]:
    from analysis.topics import ThemeModel

    model = ThemeModel(label_lang=lang).fit([points[i].text for i in members], [points[i].lang for i in members])
    groups: dict[str, list[int]] = {}
    for topic in sorted(set(model.labels_.tolist())):
        _add_cluster(groups, points, [members[k] for k in np.flatnonzero(model.labels_ == topic)])
    return groups


def _add_cluster(groups: dict[str, list[int]], points: list[Point], idx: list[int]) -> None:
    """A cluster of points becomes a theme keyed by its most supported concept (else its factor)."""
    concepts = Counter({c: subj.n_supporting(points, idx, c) for i in idx for c in points[i].concepts})
    factors = Counter(f for i in idx for f in points[i].factors)
    key = concepts.most_common(1)[0][0] if concepts else f"factor:{factors.most_common(1)[0][0]}"
    while key in groups:  # two clusters led by one concept stay two themes
        key += "+"
    groups[key] = idx


def by_meaning(points: list[Point], members: list[int], contributions: list[Contribution],
               embedder: Any, settings: Any = None,
               ) -> tuple[dict[str, list[int]], dict[str, list[str]]]:  # fmt: skip
    """Whole answers clustered by meaning (``analysis.briefing.meaning``), each theme keyed by its distinctive concept.

    An answer is grouped as a whole, by its main point, as an editor does: all its points go to its
    theme. An answer alone in its cluster, or in a theme whose answers share no subject (their own concepts;
    with ``settings.points_grab_bags`` also their points'), goes to "other points".
    Themes that would wear one heading are told apart, merged or set aside (``siblings.distinct_titles``),
    which also returns the subjects that follow a shared heading (theme key -> concepts).
    """
    from analysis.briefing.meaning import DEFAULT, answer_concepts, group_answers, without_grab_bags
    from analysis.briefing.meaning import OTHER as ALONE

    settings = settings or DEFAULT
    owners = list(dict.fromkeys(points[i].contribution for i in members))
    texts = [contributions[o].answer for o in owners]
    lang_of = {points[i].contribution: points[i].lang for i in reversed(members)}  # each answer's first point's
    langs = [lang_of[o] for o in owners]
    whole = answer_concepts(texts, langs)
    labels = group_answers(texts, langs, embedder, settings, concepts=whole)
    # Optionally again with the concepts the headings name (the points'): off by default, since editors keep
    # answers together whose points the classifier tags with no shared subject (``Settings.points_grab_bags``).
    if settings.points_grab_bags:
        raised = {o: set() for o in owners}
        for i in members:
            raised[points[i].contribution].update(points[i].concepts)
        labels = without_grab_bags(labels, [raised[o] for o in owners])
    theme_of = dict(zip(owners, labels.tolist(), strict=True))
    groups: dict[str, list[int]] = {}
    for cluster in sorted(set(labels.tolist())):
        idx = [i for i in members if theme_of[points[i].contribution] == cluster]
        if cluster == ALONE:
            groups.setdefault(RESIDUAL, []).extend(idx)
        else:
            groups[subj.distinctive_key(points, idx, members, groups, dict(zip(owners, whole, strict=True)))] = idx
    return distinct_titles(points, groups, RESIDUAL, settings.pair_max)
