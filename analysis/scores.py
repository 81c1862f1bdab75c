"""Factor scores: 0–100 indices, bootstrap CIs, group and wave comparisons, suppression.

Input is a tidy answers table (one row per respondent and item) and the item
metadata of the questionnaire; output is plain pandas frames. Every cell with
fewer than :data:`MIN_CELL` respondents is suppressed: its figures are NaN
and its ``display`` column says ``"n<5"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.factors import FACTOR_IDS, NON_SUBSTANTIVE
from analysis.privacy import MIN_CELL, SUPPRESSED  # the rule lives in privacy.py; re-exported here

LIKERT_MIN, LIKERT_MAX = 1, 5


def to_index(values: pd.Series | np.ndarray, reverse: pd.Series | np.ndarray | bool = False) -> np.ndarray:
    """Likert 1–5 mapped linearly to 0–100; reverse-worded items flipped (5 -> 0)."""
    v = np.asarray(values, dtype=float)
    index = (v - LIKERT_MIN) / (LIKERT_MAX - LIKERT_MIN) * 100.0
    return np.where(np.asarray(reverse, dtype=bool), 100.0 - index, index)


def respondent_scores(answers: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, one column per factor: the mean index of the items answered.

    ``answers``: columns ``respondent``, ``item_id``, ``value`` (Likert 1–5).
    ``items``: columns ``item_id``, ``factor``, ``reverse``. Items without a factor are ignored.
    """
    meta = items.dropna(subset=["factor"]).set_index("item_id")
    likert = answers[answers["item_id"].isin(meta.index)].dropna(subset=["value"])
    reverse = meta.loc[likert["item_id"], "reverse"].to_numpy()
    scored = likert.assign(index=to_index(likert["value"], reverse),
                           factor=meta.loc[likert["item_id"], "factor"].to_numpy())  # fmt: skip
    table = scored.pivot_table(index="respondent", columns="factor", values="index", aggfunc="mean")
    return table.reindex(columns=[f for f in FACTOR_IDS if f in set(meta["factor"])])


def _weighted_mean(x: np.ndarray, w: np.ndarray) -> float:
    mask = ~np.isnan(x)
    return float(np.sum(x[mask] * w[mask]) / np.sum(w[mask])) if mask.any() and np.sum(w[mask]) > 0 else np.nan


def bootstrap_ci(x: np.ndarray, w: np.ndarray | None = None, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:  # fmt: skip
    """Percentile bootstrap CI of the (weighted) mean, resampling respondents, fixed seed.

    The interval always contains the estimate of :func:`_weighted_mean`: the bootstrap means
    are summed in another order, so when every answer is the same (no variance) they can land
    a rounding error (1e-14) beside it, and a chart's error bar would then be negative.
    """
    x = np.asarray(x, dtype=float)
    w = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    keep = ~np.isnan(x)
    x, w = x[keep], w[keep]
    if len(x) == 0:
        return np.nan, np.nan
    means = _bootstrap_means(x, w, n_boot, np.random.default_rng(seed))
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    estimate = _weighted_mean(x, w)
    return min(float(low), estimate), max(float(high), estimate)


def _bootstrap_means(x: np.ndarray, w: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` weighted means of respondents resampled with replacement (x without NaN).

    Resampling respondents only ever draws from the distinct (score, weight) pairs, and
    Likert means take few distinct values: drawing counts per distinct pair is the same
    bootstrap at a fraction of the cost (20,000 respondents -> a few dozen categories).
    """
    pairs, counts = np.unique(np.column_stack([x, w]), axis=0, return_counts=True)
    draws = rng.multinomial(len(x), counts / len(x), size=n_boot).astype(float)
    return (draws @ (pairs[:, 0] * pairs[:, 1])) / (draws @ pairs[:, 1])


def _suppress(frame: pd.DataFrame, value_cols: Sequence[str]) -> pd.DataFrame:
    small = frame["n"] < MIN_CELL
    frame.loc[small, list(value_cols)] = np.nan
    frame["display"] = np.where(small, SUPPRESSED, frame["index"].round(1).astype(str))
    return frame


def factor_indices(scores: pd.DataFrame, groups: pd.Series | None = None, weights: pd.Series | None = None,
                   n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """Per group and factor: n, weighted mean index, 95 % bootstrap CI (cells n<5 suppressed).

    ``scores`` from :func:`respondent_scores`; ``groups`` and ``weights`` indexed by respondent.
    """
    groups = groups.reindex(scores.index) if groups is not None else pd.Series("all", index=scores.index)
    weights = weights.reindex(scores.index).fillna(1.0) if weights is not None else pd.Series(1.0, index=scores.index)
    rows = []
    for group, members in scores.groupby(groups, sort=True):
        w = weights.loc[members.index].to_numpy()
        for factor in members.columns:
            x = members[factor].to_numpy(dtype=float)
            n = int(np.sum(~np.isnan(x)))
            low, high = bootstrap_ci(x, w, n_boot, seed) if n >= MIN_CELL else (np.nan, np.nan)
            rows.append({"group": group, "factor": factor, "n": n, "index": _weighted_mean(x, w),
                         "ci_low": low, "ci_high": high})  # fmt: skip
    return _suppress(pd.DataFrame(rows), ["index", "ci_low", "ci_high"])


def item_indices(answers: pd.DataFrame, items: pd.DataFrame, respondents: pd.Series,
                 groups: pd.Series | None = None) -> pd.DataFrame:  # fmt: skip
    """Per item (and group): n, mean index, non-response among respondents who were asked, and the
    share of non-substantive answers ("don't know", "prefer not to say": never in the index).

    ``respondents``: instrument key per respondent, so non-response counts only those
    who saw the item. ``items`` needs ``item_id``, ``instrument``, ``factor``, ``reverse``.
    A share resting on fewer than MIN_CELL such answers is suppressed (NaN), like any small cell.
    """
    groups = groups if groups is not None else pd.Series("all", index=respondents.index)
    meta = items.dropna(subset=["factor"])
    answered = answers.dropna(subset=["value"]).merge(meta, on="item_id")
    answered = answered[answered["instrument"] == respondents.reindex(answered["respondent"]).to_numpy()]
    answered = answered.assign(index=to_index(answered["value"], answered["reverse"]),
                               group=groups.reindex(answered["respondent"]).to_numpy())  # fmt: skip
    stats_ = answered.groupby(["group", "instrument", "item_id"]).agg(n=("index", "size"), index=("index", "mean"))
    asked = (pd.DataFrame({"instrument": respondents, "group": groups.reindex(respondents.index)})
             .groupby(["group", "instrument"]).size().rename("asked"))  # fmt: skip
    out = stats_.reset_index().merge(asked.reset_index(), on=["group", "instrument"])
    out = out.merge(meta[["item_id", "instrument", "factor", "reverse"]], on=["item_id", "instrument"])
    words = answers[answers["text"].isin(NON_SUBSTANTIVE)] if "text" in answers else answers.iloc[:0]
    words = words.merge(meta, on="item_id")
    words = words[words["instrument"] == respondents.reindex(words["respondent"]).to_numpy()]
    counts = (words.assign(group=groups.reindex(words["respondent"]).to_numpy())
              .groupby(["group", "instrument", "item_id"]).size().rename("non_substantive").reset_index())  # fmt: skip
    out = out.merge(counts, on=["group", "instrument", "item_id"], how="left")
    out["non_substantive"] = out["non_substantive"].fillna(0).astype(int)
    out["nonresponse"] = 1 - (out["n"] + out["non_substantive"]) / out["asked"]
    out["non_substantive_share"] = (out["non_substantive"] / out["asked"]).where(
        (out["non_substantive"] == 0) | (out["non_substantive"] >= MIN_CELL)
    )
    return _suppress(out, ["index", "nonresponse", "non_substantive_share"])


def _adjust(pvalues: np.ndarray, method: str) -> np.ndarray:
    """Holm or Benjamini–Hochberg adjusted p-values (NaN kept)."""
    p = np.asarray(pvalues, dtype=float)
    ok = ~np.isnan(p)
    adjusted = np.full_like(p, np.nan)
    if ok.any():
        adjusted[ok] = stats.false_discovery_control(p[ok], method="bh") if method == "bh" else _holm(p[ok])
    return adjusted


def _holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    m = len(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def _weighted_sd(x: np.ndarray, w: np.ndarray) -> float:
    mean = np.sum(w * x) / np.sum(w)
    return float(np.sqrt(np.sum(w * (x - mean) ** 2) / np.sum(w)))


def _bootstrap_p(xa: np.ndarray, wa: np.ndarray, xb: np.ndarray, wb: np.ndarray, n_boot: int, seed: int) -> float:
    """Two-sided p of a difference of weighted means: how often the bootstrap difference (each group
    resampled with its weights, as :func:`bootstrap_ci` does) falls on the other side of 0."""
    rng = np.random.default_rng(seed)
    diff = _bootstrap_means(xa, wa, n_boot, rng) - _bootstrap_means(xb, wb, n_boot, rng)
    tail = min(np.sum(diff <= 0), np.sum(diff >= 0))
    return float(min(1.0, 2 * (tail + 1) / (n_boot + 1)))


def compare(scores: pd.DataFrame, groups: pd.Series, a: str, b: str, correction: str = "holm",
            alpha: float = 0.05, weights: pd.Series | None = None, n_boot: int = 1000,
            seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """Group ``a`` minus group ``b`` per factor: difference, Cohen's d, p, adjusted p.

    Use for the perception gap (officials vs private sector) and for wave change
    (this wave vs the previous one). Factors where either side has n<5 are suppressed.
    Unweighted (``weights`` None): means, pooled-SD Cohen's d and a Mann–Whitney p. Weighted
    (by respondent, as :func:`factor_indices` takes them): weighted means, d over weighted SDs,
    and p from the bootstrap over the weighted design (a rank test cannot carry weights).
    """
    groups = groups.reindex(scores.index)
    w = None if weights is None else weights.reindex(scores.index).fillna(1.0)
    rows = []
    for factor in scores.columns:
        column_a, column_b = scores.loc[groups == a, factor].dropna(), scores.loc[groups == b, factor].dropna()
        xa, xb = column_a.to_numpy(), column_b.to_numpy()
        row = {"factor": factor, "n_a": len(xa), "n_b": len(xb), "mean_a": np.nan, "mean_b": np.nan,
               "difference": np.nan, "cohens_d": np.nan, "p": np.nan}  # fmt: skip
        if min(len(xa), len(xb)) >= MIN_CELL and w is not None:
            wa, wb = w.loc[column_a.index].to_numpy(), w.loc[column_b.index].to_numpy()
            mean_a, mean_b = _weighted_mean(xa, wa), _weighted_mean(xb, wb)
            pooled = np.sqrt((_weighted_sd(xa, wa) ** 2 + _weighted_sd(xb, wb) ** 2) / 2)
            row |= {"mean_a": mean_a, "mean_b": mean_b, "difference": mean_a - mean_b,
                    "cohens_d": (mean_a - mean_b) / pooled if pooled > 0 else 0.0,
                    "p": _bootstrap_p(xa, wa, xb, wb, n_boot, seed)}  # fmt: skip
        elif min(len(xa), len(xb)) >= MIN_CELL:
            pooled = np.sqrt(
                ((len(xa) - 1) * xa.var(ddof=1) + (len(xb) - 1) * xb.var(ddof=1)) / (len(xa) + len(xb) - 2)
            )
            row |= {"mean_a": xa.mean(), "mean_b": xb.mean(), "difference": xa.mean() - xb.mean(),
                    "cohens_d": (xa.mean() - xb.mean()) / pooled if pooled > 0 else 0.0,
                    "p": stats.mannwhitneyu(xa, xb, alternative="two-sided").pvalue}  # fmt: skip
        rows.append(row)
    out = pd.DataFrame(rows)
    out["p_adjusted"] = _adjust(out["p"].to_numpy(), correction)
    out["significant"] = out["p_adjusted"] < alpha
    out["display"] = np.where(
        out[["n_a", "n_b"]].min(axis=1) < MIN_CELL, SUPPRESSED, out["difference"].round(1).astype(str)
    )
    return out
