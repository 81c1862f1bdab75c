"""Compute everything the thematic report shows; no rendering here."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from analysis.factors import FACTOR_IDS, OTHER
from analysis.report.i18n import text
from analysis.report.model import Fieldwork, Report, ReportInput, StratumRow, ThemeBlock
from analysis.scores import MIN_CELL, SUPPRESSED, compare, factor_indices, item_indices, respondent_scores

GAP_GROUPS = ("officials", "private_sector")
N_ITEMS_SHOWN = 5


def _count(n: int) -> str:
    return SUPPRESSED if n < MIN_CELL else str(n)


def margin_of_error(n: int, population: int | None = None, p: float = 0.5) -> float | None:
    """95 % margin of error of a proportion, with the finite-population correction when known."""
    if n <= 0:
        return None
    moe = 1.96 * math.sqrt(p * (1 - p) / n)
    if population and population > n:
        moe *= math.sqrt((population - n) / (population - 1))
    return moe


def fieldwork(inp: ReportInput) -> Fieldwork:
    r = inp.respondents
    strata = []
    for instrument, targets in sorted(inp.quotas.items()):
        members = r[r["instrument"] == instrument]
        for stratum, target in sorted(targets.items()):
            mask = pd.Series(True, index=members.index)
            for part in stratum.split(","):
                item, _, value = part.partition("=")
                mask &= members.get(item, pd.Series(index=members.index, dtype=object)) == value
            n = int(mask.sum())
            label = stratum.replace("=", ": ").replace(",", " × ")
            moe = margin_of_error(n) if n >= MIN_CELL else None
            strata.append(StratumRow(instrument, label, n, int(target), moe, n >= target, _count(n)))
    return Fieldwork(
        total=len(r),
        by_instrument={k: _count(v) for k, v in r["instrument"].value_counts().sort_index().items()},
        by_language={k: _count(v) for k, v in r["language"].value_counts().sort_index().items()},
        strata=strata,
    )


def all_scores(inp: ReportInput) -> pd.DataFrame:
    """Respondent x factor scores; item ids are per questionnaire, so each is scored on its own items."""
    parts = []
    for instrument, members in inp.respondents.groupby("instrument"):
        answers = inp.answers[inp.answers["respondent"].isin(members["respondent"])]
        parts.append(respondent_scores(answers, inp.items[inp.items["instrument"] == instrument]))
    if not parts:
        return pd.DataFrame(columns=list(FACTOR_IDS))
    combined = pd.concat(parts)
    return combined[[f for f in FACTOR_IDS if f in combined.columns]]


def _items(inp: ReportInput) -> tuple[pd.DataFrame, pd.DataFrame]:
    respondents = inp.respondents.set_index("respondent")["instrument"]
    table = item_indices(inp.answers, inp.items, respondents)
    shown = table[table["display"] != SUPPRESSED].merge(inp.items[["instrument", "item_id", "text"]],
                                                      on=["instrument", "item_id"])  # fmt: skip
    ordered = shown.sort_values(["index", "instrument", "item_id"])
    return ordered.head(N_ITEMS_SHOWN), ordered.iloc[::-1].head(N_ITEMS_SHOWN)


def open_answers(inp: ReportInput) -> pd.DataFrame:
    text_items = inp.items[inp.items["type"] == "text"][["instrument", "item_id"]]
    answers = inp.answers.dropna(subset=["text"]).merge(inp.respondents[["respondent", "instrument"]], on="respondent")
    return answers.merge(text_items, on=["instrument", "item_id"])[["respondent", "instrument", "item_id", "text"]]


def theme_blocks(inp: ReportInput, lang: str, classifier: Any, min_theme: int = MIN_CELL,
                 progress: Callable[[str], None] | None = None) -> list[ThemeBlock]:  # fmt: skip
    from analysis.language import detect_language
    from analysis.topics import ThemeModel

    answers = open_answers(inp)
    texts = answers["text"].tolist()
    if not texts:
        return []
    langs = detect_language(texts)
    if progress:
        progress(f"classifying {len(texts)} open answers")
    labels = classifier.predict_labels(texts, langs)
    blocks = []
    for factor in (*FACTOR_IDS, OTHER):
        idx = [i for i, ls in enumerate(labels) if factor in ls]
        themes = []
        if len(idx) >= min_theme:
            if progress:
                progress(f"themes for {factor} ({len(idx)} answers)")
            model = ThemeModel(label_lang=lang).fit([texts[i] for i in idx], [langs[i] for i in idx])
            themes = model.themes_
        shown = [t for t in themes if t.size >= min_theme]
        blocks.append(ThemeBlock(factor, len(idx), shown, sum(t.size for t in themes) - sum(t.size for t in shown)))
    return blocks


def build_report(inp: ReportInput, lang: str = "en", classifier: Any = None, n_boot: int = 1000,
                 progress: Callable[[str], None] | None = None) -> Report:  # fmt: skip
    """All figures and themes of the report, with suppression applied (n < 5 never shown)."""
    t = text(lang)
    scores = all_scores(inp)
    groups = inp.respondents.set_index("respondent")["instrument"]
    factor_table = factor_indices(scores, groups=groups, weights=inp.weights, n_boot=n_boot)
    present = set(groups)
    gap = compare(scores, groups, *GAP_GROUPS) if set(GAP_GROUPS) <= present else None
    change = None
    if inp.previous is not None:
        previous = all_scores(inp.previous)
        both = pd.concat([scores, previous.set_axis([f"prev:{i}" for i in previous.index])])
        waves = pd.Series(["current"] * len(scores) + ["previous"] * len(previous), index=both.index)
        change = compare(both, waves, "current", "previous")
    weakest, strongest = _items(inp)
    if classifier is None:
        from analysis import load_default_classifier

        classifier = load_default_classifier()
    themes = theme_blocks(inp, lang, classifier, progress=progress)
    return Report(
        lang=lang, title=inp.title or t["report"],
        subtitle=f"{inp.administration} · {t['wave']} {inp.wave} · {len(inp.respondents)} {t['respondents']}",
        generated=datetime.now(UTC), fieldwork=fieldwork(inp), factor_table=factor_table, gap=gap, change=change,
        weakest=weakest, strongest=strongest, themes=themes,
    )  # fmt: skip
