"""Keyword-only baseline: the codebook's concept hits, counted per factor (NVivo-style auto-coding)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from analysis.factors import OTHER
from analysis.features import analyse


class KeywordBaseline:
    """Labels = every factor with a concept hit, most hits first; ``other`` when none."""

    def __init__(self, codebook_path: str | None = None) -> None:
        self.codebook_path = codebook_path

    def predict_labels(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[list[str]]:
        out = []
        for doc in analyse(texts, langs, self.codebook_path):
            counts = Counter(h.factor for h in doc.hits if h.factor != OTHER)
            out.append([f for f, _ in counts.most_common()] or [OTHER])
        return out
