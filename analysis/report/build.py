"""Compute everything the thematic report shows; no rendering here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.actions import measures_by_factor
from analysis.factors import FACTOR_IDS, OTHER
from analysis.numbers import number
from analysis.privacy import Hidden, suppress, suppress_group, suppress_strata, why_hidden
from analysis.report.i18n import text
from analysis.report.model import (
    Fieldwork,
    FollowUp,
    Report,
    ReportInput,
    Representation,
    StratumRow,
    TextAnalysis,
    ThemeBlock,
)
from analysis.sampling import margin_of_error
from analysis.scores import MIN_CELL, SUPPRESSED, compare, factor_indices, item_indices, respondent_scores
from analysis.weights import representation as stratum_shares
from analysis.weights import shown_shares

if TYPE_CHECKING:
    from analysis.topics import Theme

#: Bootstrap resamples of every interval and test the report (and the dashboard) prints.
N_BOOT = 1000

GAP_GROUPS = ("officials", "private_sector")
N_ITEMS_SHOWN = 5


def _count(n: int | None) -> str:
    """A count as printed: ``None`` (hidden by :func:`suppress_group`) and 1 to 4 are n<5."""
    return SUPPRESSED if n is None or suppress(n) is None else str(n)


def _counts(counts: dict[Any, int]) -> dict[Any, str]:
    """A group of counts whose total the report prints too: small cells and their complements
    hidden, each as a :class:`Hidden` saying why (the template words it in the report language)."""
    shown = suppress_group(counts)
    why = why_hidden(counts, shown)
    return {key: why.get(key) or _count(n) for key, n in shown.items()}


def _quota_cells(inp: ReportInput) -> list[tuple[str, str, int]]:
    """``(questionnaire, stratum, respondents)`` per quota stratum, in the report's order."""
    r = inp.respondents
    cells = []
    for instrument, targets in sorted(inp.quotas.items()):
        members = r[r["instrument"] == instrument]
        for stratum in sorted(targets):
            mask = pd.Series(True, index=members.index)
            for part in stratum.split(","):
                item, _, value = part.partition("=")
                mask &= members.get(item, pd.Series(index=members.index, dtype=object)) == value
            cells.append((instrument, stratum, int(mask.sum())))
    return cells


def fieldwork(inp: ReportInput) -> Fieldwork:
    r = inp.respondents
    strata: list[StratumRow] = []
    quota_cells = _quota_cells(inp)
    for instrument, stratum, n in quota_cells:
        target = inp.quotas[instrument][stratum]
        words = inp.stratum_labels.get(instrument, {}).get(stratum)
        label = words or stratum.replace("=", ": ").replace(",", " × ")
        population = (inp.populations.get(instrument) or {}).get(stratum)
        moe = margin_of_error(n, population)
        strata.append(StratumRow(instrument, label, n, int(target), moe, n >= target, str(n)))
    # Strata over the same or overlapping items share the questionnaire's printed count:
    # suppressed together. A hidden count hides its margin of error (it gives n back) and its
    # status too ("not yet" beside target 3 says fewer than 3).
    shown = suppress_strata(quota_cells)
    counts = [n for _, _, n in quota_cells]
    for instrument in {row.instrument for row in strata}:
        mine = [i for i, row in enumerate(strata) if row.instrument == instrument]
        for i, why in why_hidden(counts, shown, mine).items():
            strata[i].display, strata[i].margin_of_error, strata[i].reached = why, None, None
    return Fieldwork(
        total=len(r),
        by_instrument=_counts(dict(r["instrument"].value_counts().sort_index().items())),
        by_language=_counts(dict(r["language"].value_counts().sort_index().items())),
        strata=strata,
        excluded=dict(inp.excluded),
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
    share = shown["non_substantive_share"]  # "don't know" / "prefer not to say": a share apart, never scored
    shown = shown.assign(non_substantive_display=[SUPPRESSED if pd.isna(x) else f"{100 * x:.0f} %" for x in share])
    ordered = shown.sort_values(["index", "instrument", "item_id"])
    return ordered.head(N_ITEMS_SHOWN), ordered.iloc[::-1].head(N_ITEMS_SHOWN)


def open_answers(inp: ReportInput) -> pd.DataFrame:
    text_items = inp.items[inp.items["type"] == "text"][["instrument", "item_id"]]
    answers = inp.answers.dropna(subset=["text"]).merge(inp.respondents[["respondent", "instrument"]], on="respondent")
    return answers.merge(text_items, on=["instrument", "item_id"])[["respondent", "instrument", "item_id", "text"]]


def themes_embedder(inp: ReportInput, embedder: Any, embed_missing: bool = False) -> tuple[Any, TextAnalysis]:
    """The embedder the themes use, and what the report says about it.

    ``embedder`` (a ``CachedEmbedder``, or ``None``: no sentence model) is used only when every
    open answer is in its cache; ``embed_missing`` computes the missing ones first (the command
    line, with a progress bar). Otherwise themes fall back to shared words and codebook concepts
    for the whole report: vectors of two groupings cannot be clustered together.
    """
    if embedder is None:
        return None, TextAnalysis(by_meaning=False)
    texts = open_answers(inp)["text"].tolist()
    if embed_missing:
        embedder.encode(texts, progress=True)
    ready, total = embedder.ready(texts)
    return (embedder if ready == total else None), TextAnalysis(ready == total, embedder.key, ready, total)


def coding_vectors(inp: ReportInput, classifier: Any, embed_missing: bool = False) -> dict[str, Any]:
    """What an embedding classifier needs to code the open answers, as ``TextAnalysis``'s ``coding_*``.

    Its vectors (each answer's, and its points') are read from the cache that the campaign's text
    analysis fills ahead (``cips text embed``, the background job); ``embed_missing`` computes the
    missing ones first (the command line). A classifier without embeddings needs none.
    """
    backend = getattr(classifier, "embeddings", None)
    if backend is None or not hasattr(classifier, "embedded_texts"):
        return {}
    from analysis.embedding_block import cached_embedder, missing_vectors

    needed = classifier.embedded_texts(open_answers(inp)["text"].tolist())
    key, missing = missing_vectors(needed, backend)
    if missing and embed_missing:  # only a cached embedder can miss any
        cached_embedder(backend).encode(missing, progress=True)
        key, missing = missing_vectors(needed, backend)
    return {"coding_model": key, "coding_ready": len(needed) - len(missing), "coding_total": len(needed)}


def theme_blocks(inp: ReportInput, lang: str, classifier: Any, min_theme: int = MIN_CELL,
                 progress: Callable[[str], None] | None = None, embedder: Any = None) -> list[ThemeBlock]:  # fmt: skip
    from analysis.code_cache import code_answers
    from analysis.topics import ThemeModel

    answers = open_answers(inp)
    texts = answers["text"].tolist()
    if not texts:
        return []
    if progress:
        progress(f"classifying {len(texts)} open answers")
    # Coded once per model and answer: a report run again (or a larger one later) reads the codes kept.
    langs, labels = code_answers(classifier, texts)
    # What people decided in the review replaces the model's codes; the rest stays machine-coded.
    keys = zip(answers["respondent"].astype(str), answers["item_id"], strict=True)
    labels = [inp.codes.get(key, machine) for key, machine in zip(keys, labels, strict=True)]
    # Every count of the themes section is of respondents, not answers: one person's answers to three
    # open questions are three answers, and a theme resting on fewer than 5 people must not be shown.
    # Each person counts once per factor, in one theme and one language, so that the printed counts add
    # up (themes and smaller themes to the factor's count, languages to a theme's size) and the small-cell
    # rule's complementary suppression holds: overlapping counts would give a small cell away by subtraction.
    people = answers["respondent"].astype(str).tolist()
    blocks = []
    for factor in (*FACTOR_IDS, OTHER):
        idx = [i for i, ls in enumerate(labels) if factor in ls]
        reach = len({people[i] for i in idx})
        themes: list[Theme] = []
        if reach >= min_theme:
            if progress:
                progress(f"themes for {factor} ({len(idx)} answers)")
            model = ThemeModel(label_lang=lang, embedder=embedder).fit([texts[i] for i in idx], [langs[i] for i in idx])
            themes = in_respondents(model.themes_, model.labels_.tolist(), [people[i] for i in idx],
                                    [langs[i] for i in idx])  # fmt: skip
        shown = [t for t in themes if t.size >= min_theme]
        small = sum(t.size for t in themes if t.size < min_theme)
        blocks.append(_theme_block(factor, reach, shown, small))
    return blocks


def in_respondents(themes: list[Theme], topic_of: list[int], people: list[str], langs: list[str]) -> list[Theme]:
    """``themes`` (of answers: ``topic_of`` each answer's theme id, ``people`` its respondent, ``langs`` its
    language) counted in respondents, largest first: each person in the theme holding most of their answers
    (ties: the larger theme, then the first), in the language most of their answers are in (ties: the first
    in alphabetical order). A theme left with nobody is dropped."""
    answers_in = Counter(topic_of)
    home: dict[str, Counter[int]] = {}
    spoken: dict[str, Counter[str]] = {}
    for topic, person, lang in zip(topic_of, people, langs, strict=True):
        home.setdefault(person, Counter())[topic] += 1
        spoken.setdefault(person, Counter())[lang] += 1
    theme_of = {p: max(c, key=lambda t: (c[t], answers_in[t], -t)) for p, c in home.items()}
    lang_of = {p: max(sorted(c), key=lambda lg: c[lg]) for p, c in spoken.items()}
    members: dict[int, list[str]] = {}
    for person, topic in theme_of.items():
        members.setdefault(topic, []).append(person)
    out = []
    for theme in themes:
        if who := members.get(theme.id):
            by_lang = Counter(lang_of[p] for p in who)
            languages = dict(sorted(by_lang.items(), key=lambda kv: (-kv[1], kv[0])))
            out.append(replace(theme, size=len(who), languages=languages))
    return sorted(out, key=lambda t: (-t.size, t.id))


def _theme_block(factor: str, n_respondents: int, themes: list[Any], hidden_small: int) -> ThemeBlock:
    """A factor's themes as printed, every count in respondents. The block's count is printed, so its
    themes and the respondents in smaller themes are one group (a hidden "2 in smaller themes" would be
    the count minus the theme sizes); each theme's size is printed, so its languages are another."""
    sizes = _counts({i: t.size for i, t in enumerate(themes)} | {"small": hidden_small})
    languages = []
    for i, theme in enumerate(themes):
        if isinstance(sizes[i], Hidden):  # the languages' counts would add up to the hidden size
            languages.append([(lang, "") for lang in sorted(theme.languages)])
            continue
        languages.append(list(_counts(dict(sorted(theme.languages.items()))).items()))
    return ThemeBlock(factor, n_respondents, themes, hidden_small, [sizes[i] for i in range(len(themes))], languages,
                      sizes["small"] if hidden_small else "")  # fmt: skip


def follow_up(inp: ReportInput, change: pd.DataFrame | None) -> list[FollowUp]:
    """Each factor with measures recorded in the previous wave, in RAD order, beside its change."""
    grouped = measures_by_factor(inp.measures)
    rows = {} if change is None else {r["factor"]: r for r in change.to_dict("records")}
    out = []
    for factor in [f for f in (*FACTOR_IDS, OTHER) if f in grouped]:
        row = rows.get(factor)
        shown = "" if row is None else SUPPRESSED if row["display"] == SUPPRESSED else float(row["difference"])
        out.append(FollowUp(factor, shown, bool(row and row["significant"]),
                            grouped[factor]))  # fmt: skip
    return out


def index_table(inp: ReportInput, n_boot: int = N_BOOT) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondent scores and the factor index table per questionnaire, weighted when ``inp.weights``
    is set, with the bootstrap CIs over that design: what the report and the dashboard both print."""
    scores = all_scores(inp)
    groups = inp.respondents.set_index("respondent")["instrument"]
    return scores, factor_indices(scores, groups=groups, weights=inp.weights, n_boot=n_boot)


def _prefixed(series: pd.Series | None, prefix: str) -> pd.Series | None:
    return None if series is None else series.set_axis([f"{prefix}{i}" for i in series.index])


def wave_change(inp: ReportInput, scores: pd.DataFrame, n_boot: int = N_BOOT) -> pd.DataFrame | None:
    """This wave minus the previous one per factor (:func:`analysis.scores.compare`), if there was one,
    each wave weighted with its own weights (when the report is weighted)."""
    if inp.previous is None:
        return None
    previous = all_scores(inp.previous)
    both = pd.concat([scores, _prefixed(previous, "prev:")])
    waves = pd.Series(["current"] * len(scores) + ["previous"] * len(previous), index=both.index)
    weights = None
    if inp.weights is not None or inp.previous.weights is not None:
        mine = inp.weights if inp.weights is not None else pd.Series(1.0, index=scores.index)
        theirs = _prefixed(inp.previous.weights, "prev:")
        weights = pd.concat([mine, theirs if theirs is not None else pd.Series(1.0, index=both.index[len(scores) :])])
    return compare(both, waves, "current", "previous", weights=weights, n_boot=n_boot)


def representation(inp: ReportInput) -> list[Representation]:
    """Each weighted stratum's share of the population and of the respondents, as printed."""
    rows = stratum_shares(inp.respondents, inp.populations)
    out = []
    for row, shown in zip(rows, shown_shares(rows, _quota_cells(inp)), strict=True):
        label = inp.stratum_labels.get(row.instrument, {}).get(row.stratum)
        out.append(Representation(row.instrument, label or row.stratum.replace("=", ": ").replace(",", " × "),
                                  row.population_share, row.sample_share if shown else None,
                                  row.difference if shown else None))  # fmt: skip
    return out


def build_report(inp: ReportInput, lang: str = "en", classifier: Any = None, n_boot: int = N_BOOT,
                 progress: Callable[[str], None] | None = None, embedder: Any = None,
                 embed_missing: bool = False) -> Report:  # fmt: skip
    """All figures and themes of the report, with suppression applied (n < 5 never shown).

    Themes group answers by meaning with ``embedder`` when all are embedded (see :func:`themes_embedder`).
    """
    t = text(lang)
    scores, factor_table = index_table(inp, n_boot)
    groups = inp.respondents.set_index("respondent")["instrument"]
    gap = None
    if set(GAP_GROUPS) <= set(groups):
        gap = compare(scores, groups, *GAP_GROUPS, weights=inp.weights, n_boot=n_boot)
    change = wave_change(inp, scores, n_boot)
    weakest, strongest = _items(inp)
    if classifier is None:
        from analysis import load_default_classifier

        classifier = load_default_classifier()
    embedder, analysis = themes_embedder(inp, embedder, embed_missing)
    analysis = replace(analysis, **coding_vectors(inp, classifier, embed_missing))
    themes = theme_blocks(inp, lang, classifier, progress=progress, embedder=embedder) if analysis.coded else []
    n_respondents = number(len(inp.respondents), 0, lang)
    return Report(
        lang=lang, title=inp.title or t["report"],
        subtitle=f"{inp.administration} · {t['wave']} {inp.wave} · {n_respondents} {t['respondents']}",
        generated=datetime.now(UTC), fieldwork=fieldwork(inp), factor_table=factor_table, gap=gap, change=change,
        weakest=weakest, strongest=strongest, themes=themes, follow_up=follow_up(inp, change),
        text_analysis=analysis,
        weighting=dict(inp.weighting), review=dict(inp.review),
        representation=representation(inp) if inp.weighting else [],
    )  # fmt: skip
