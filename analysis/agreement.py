"""Agreement between two codings of the same answers: Cohen's kappa per label and for the primary.

Two coders (a reviewer and a second coder), or the model and the reviewers, code the same
answers. Per label (the ten RAD factors and ``other``) the question is binary: did each
mark it? For the primary it is nominal: which one label did each pick? Kappa corrects the
observed agreement for the agreement expected by chance (scikit-learn's
``cohen_kappa_score``).

Kappa is undefined, not 0 or 1, when chance agreement is already total: both codings used a
single class for every answer (e.g. nobody marked ``audit``), or there are fewer than
:data:`MIN_ITEMS` answers. Such cells carry ``kappa=None`` and a ``reason`` to show instead
of a number; ``n`` is always the number of answers compared.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from analysis.errors import Errors
from analysis.factors import FACTOR_IDS, OTHER

#: Labels with a kappa of their own: the ten factors, then ``other``.
LABELS: tuple[str, ...] = (*FACTOR_IDS, OTHER)
#: Fewer answers than this give no kappa (one answer always agrees or disagrees entirely).
MIN_ITEMS = 2
#: Fewer answers coded by both than this and a kappa, still shown with its count, is marked too few to
#: rely on: with 90 % observed and 50 % chance agreement, its 95 % interval is about ±0.2 on 30
#: answers and about ±0.5 on 5 (a 10 % second coding of 50 reviewed answers).
RELIABLE_PAIRS = 30
#: Reasons a kappa is undefined (stable strings: the web app translates them).
TOO_FEW = "fewer than 2 answers coded by both"
ONE_CLASS = "both codings used one class only (chance agreement is total)"


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa of ``n`` paired codes; ``kappa`` is None when undefined (see ``reason``).

    ``observed`` is the raw share of answers on which both agree (None when ``n`` is 0).
    """

    kappa: float | None
    n: int
    observed: float | None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Agreement:
    """Kappa for the primary (nominal) and per label (binary present/absent) over ``n`` answers."""

    n: int
    primary: Kappa
    labels: dict[str, Kappa]

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "primary": self.primary.as_dict(),
                "labels": {k: v.as_dict() for k, v in self.labels.items()}}  # fmt: skip


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Kappa:
    """Cohen's kappa of two paired sequences of codes (any hashable values: labels, 0/1)."""
    if len(a) != len(b):
        raise ValueError(Errors.E601.format(n_a=len(a), n_b=len(b)))
    n = len(a)
    observed = round(sum(x == y for x, y in zip(a, b, strict=True)) / n, 4) if n else None
    if n < MIN_ITEMS:
        return Kappa(None, n, observed, TOO_FEW)
    if len(set(a) | set(b)) < 2:
        return Kappa(None, n, observed, ONE_CLASS)
    from sklearn.metrics import cohen_kappa_score  # heavy: only when a kappa is computed

    # Codes as strings: scikit-learn sorts the classes, and mixed types (None, "hrm") would not sort.
    value = float(cohen_kappa_score([str(x) for x in a], [str(y) for y in b]))
    return Kappa(round(value, 4), n, observed)


def agreement(labels_a: Sequence[Sequence[str]], primary_a: Sequence[str],
              labels_b: Sequence[Sequence[str]], primary_b: Sequence[str]) -> Agreement:  # fmt: skip
    """Agreement of coding A and coding B of the same answers, in the same order.

    ``labels_*``: each answer's label list (factor ids, or ``["other"]``); an empty list is
    read as ``["other"]``. ``primary_*``: each answer's primary label.
    """
    n = len(labels_a)
    if not (len(primary_a) == len(labels_b) == len(primary_b) == n):
        raise ValueError(Errors.E601.format(n_a=n, n_b=f"{len(labels_b)} (primaries: {len(primary_a)}, "
                                                      f"{len(primary_b)})"))  # fmt: skip
    sets_a, sets_b = [_label_set(ls) for ls in labels_a], [_label_set(ls) for ls in labels_b]
    for primary in (*primary_a, *primary_b):
        if primary not in LABELS:
            raise ValueError(Errors.E602.format(label=primary))
    per_label = {label: cohen_kappa([label in s for s in sets_a], [label in s for s in sets_b]) for label in LABELS}
    return Agreement(n, cohen_kappa(list(primary_a), list(primary_b)), per_label)


def _label_set(labels: Sequence[str]) -> frozenset[str]:
    if isinstance(labels, str):  # "hrm" would otherwise be read as the letters h, r, m
        raise ValueError(Errors.E603.format(value=labels))
    unknown = [x for x in labels if x not in LABELS]
    if unknown:
        raise ValueError(Errors.E602.format(label=unknown[0]))
    return frozenset(labels) or frozenset({OTHER})
