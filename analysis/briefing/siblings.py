"""One title per theme of a question: themes that would share a heading are told apart, merged, or set aside.

The grouping by meaning cuts a large cluster into themes an editor's size (at most ``max_theme``
answers, so that each answer can be quoted once). When the parts' answers share only the question's
own concept ("Whistle-blowing and reporting channels" in a question on whistle-blowing), each part is
keyed by that concept and the reader saw the same heading several times. Here, for each heading worn
by several themes of one question, the largest theme keeps it, and each other one:

1. is titled by the concept that sets it apart from its siblings, when at least two of its answers
   (or its only one) raise it and no other theme of the question is keyed by it;
2. else keeps the shared heading followed by the subjects that set it apart ("Whistle-blowing and
   reporting channels — legal framework, investigations"): the subjects its answers raise beside the
   shared one, those its siblings raise least first, when they tell it from every sibling. The
   heading's first part is what all its answers share, the rest what some of them add: nothing its
   quotes contradict. The grouping, which agrees with the editors more than the codebook can say, is
   kept;
3. else (its answers raise nothing beside the shared subject, or what its siblings raise too) it says
   nothing a heading can name beyond the shared one: it joins the theme that keeps that heading,
   smallest first, while that holds at most ``max_theme`` answers (one heading, one theme), and what
   is left goes to "other points", as the editors list answers whose main point no heading names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from analysis.briefing.subjects import Point, n_supporting

#: At most this many subjects follow a shared heading to tell a theme from its siblings.
MAX_QUALIFIERS = 2


def _base(key: str) -> str:
    return key.rstrip("+")


def _ranked(points: Sequence[Point], idx: list[int], siblings: Sequence[list[int]],
            excluded: set[str]) -> tuple[list[str], Counter[str]]:  # fmt: skip
    """The theme's concepts (not ``excluded``): the most of its answers raising one first, then the fewest of
    its siblings' answers, then the name (a stable order); and how many of its answers raise each."""
    in_theme = Counter({c: n_supporting(points, idx, c) for i in idx for c in points[i].concepts
                        if c not in excluded and c != "no_comment"})  # fmt: skip
    elsewhere = {c: sum(n_supporting(points, s, c) for s in siblings) for c in in_theme}
    return sorted(in_theme, key=lambda c: (-in_theme[c], elsewhere[c], c)), in_theme


def setting_apart(points: Sequence[Point], idx: list[int], siblings: Sequence[list[int]], shared: str,
                  taken: set[str]) -> str | None:  # fmt: skip
    """The concept that best tells the theme ``idx`` from its ``siblings`` (same heading ``shared``), or None:
    raised by at least two of its answers (or its only one), not ``shared``, nor a ``taken`` key."""
    ranked, count = _ranked(points, idx, siblings, taken | {shared})
    support = n_supporting(points, idx)
    return next((c for c in ranked if count[c] >= min(2, support)), None)


def distinct_titles(points: Sequence[Point], groups: dict[str, list[int]], residual: str,
                    max_theme: int) -> tuple[dict[str, list[int]], dict[str, list[str]]]:  # fmt: skip
    """``groups`` (key -> the theme's points) with no two themes of one heading, and the subjects that follow
    the shared heading of the themes that keep it (key -> concepts), as the module docstring says.

    ``residual`` is the key of "other points" (and of no heading); keys starting ``factor:`` (themes that
    share no concept, headed by their subjects) are left as they are.
    """
    out = dict(groups)
    qualifiers: dict[str, list[str]] = {}
    by_base: dict[str, list[str]] = {}
    for key in groups:
        if key != residual and not key.startswith("factor:"):
            by_base.setdefault(_base(key), []).append(key)
    taken = {_base(k) for k in groups}
    for base, keys in by_base.items():
        if len(keys) < 2:
            continue
        keys = sorted(keys, key=lambda k: (-n_supporting(points, groups[k]), k))
        kept, plain, shown = keys[0], [], set()
        for key in keys[1:]:
            siblings = [groups[k] for k in keys if k != key]
            concept = setting_apart(points, groups[key], siblings, base, taken)
            if concept is not None:
                taken.add(concept)
                out[concept] = out.pop(key)
                continue
            ranked, _ = _ranked(points, groups[key], siblings, {base})
            subjects = ranked[:MAX_QUALIFIERS]
            if subjects and tuple(subjects) not in shown:
                shown.add(tuple(subjects))
                qualifiers[key] = subjects
            else:
                plain.append(key)
        for key in sorted(plain, key=lambda k: (n_supporting(points, groups[k]), k)):
            merged = sorted(out[kept] + out[key])
            if n_supporting(points, merged) <= max_theme:
                out[kept] = merged
            else:
                out.setdefault(residual, []).extend(out[key])
            del out[key]
    return out, qualifiers
