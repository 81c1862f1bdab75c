"""Survey weights: post-stratification, raking, trimming, design effect and effective n.

Why here and not a package: of the registry's candidates, ``balance`` brings statsmodels,
scikit-learn's siblings and plotting libraries, ``samplics`` a stack of its own, ``weightipy``
a file-system watcher and an HTTP client, and ``ipfn`` has had no release since 2021. Raking
is a few lines of iterative proportional fitting (Deming & Stephan 1940); the tests check it
against the closed form of a 2 x 2 table (IPF keeps the sample's odds ratio) and Kish's
design effect against his formula.

Conventions: weights are indexed by respondent and scaled to mean 1 within what they were
computed over, so weighted counts read as respondents and ``n`` stays the sample size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.privacy import suppress_strata

#: Trimming: no weight above this many times the mean weight (nor below its inverse). 5 is a
#: common cap (e.g. the ANES and ESS practice of 5 or 6): beyond, one respondent speaks for too many.
TRIM_RATIO = 5.0
#: Raking stops when every margin is met within this share of its total, or after MAX_ITER rounds.
RAKE_TOLERANCE = 1e-6
MAX_ITER = 200


class WeightingError(ValueError):
    """Margins that cannot be met (a population category with no respondent, totals that disagree)."""


def _mean_one(weights: pd.Series) -> pd.Series:
    return weights * (len(weights) / weights.sum()) if len(weights) and weights.sum() > 0 else weights


def poststratify(cells: pd.Series, population: Mapping[str, float]) -> pd.Series:
    """Weight ``N_h / n_h`` per respondent of cell ``h`` (scaled to mean 1).

    ``cells``: the cell of each respondent (index: respondent); ``population``: size per cell.
    Respondents of a cell without a population keep the mean weight of the others (their
    share is left as sampled); a population cell without respondents cannot be represented
    and raises :class:`WeightingError`.
    """
    counts = cells.value_counts()
    empty = [cell for cell, size in population.items() if size > 0 and counts.get(cell, 0) == 0]
    if empty:
        raise WeightingError(f"no respondent in population cell(s) {', '.join(map(str, sorted(empty)))}")
    known = cells.isin(list(population))
    weights = pd.Series(np.nan, index=cells.index)
    weights[known] = cells[known].map(lambda c: population[c] / counts[c]).astype(float)
    return _mean_one(weights.fillna(weights[known].mean() if known.any() else 1.0))


def rake(frame: pd.DataFrame, margins: Mapping[str, Mapping[str, float]], base: pd.Series | None = None,
         tolerance: float = RAKE_TOLERANCE, max_iter: int = MAX_ITER) -> pd.Series:  # fmt: skip
    """Iterative proportional fitting of weights to several margins whose joint cells are unknown.

    ``frame``: one column per margin (a respondent's category); ``margins``: per column, the
    population size per category. Each round scales the weights so that one margin after
    another is met; respondents whose category a margin does not list are left out of that
    margin. Returns weights scaled to mean 1. Raises :class:`WeightingError` when a category
    with a population has no respondent.
    """
    weights = pd.Series(1.0, index=frame.index) if base is None else base.reindex(frame.index).astype(float)
    for column, sizes in margins.items():
        present = set(frame[column].dropna())
        empty = [c for c, n in sizes.items() if n > 0 and c not in present]
        if empty:
            raise WeightingError(f"{column}: no respondent in {', '.join(map(str, sorted(empty)))}")
    for _ in range(max_iter):
        worst = 0.0
        for column, sizes in margins.items():
            known = frame[column].isin(list(sizes))
            current = weights[known].groupby(frame.loc[known, column]).sum()
            # Target shares of the margin, applied to the weight the listed respondents hold now.
            total, listed = float(sum(sizes.values())), float(current.sum())
            target = pd.Series({c: n / total * listed for c, n in sizes.items()})
            factor = (target / current).reindex(frame.loc[known, column]).to_numpy()
            weights[known] = weights[known].to_numpy() * factor
            worst = max(worst, float((abs(current - target) / listed).max()))
        if worst < tolerance:
            break
    return _mean_one(weights)


def trim(weights: pd.Series, ratio: float = TRIM_RATIO, max_iter: int = 100) -> pd.Series:
    """Cap weights at ``ratio`` times the mean (and floor them at mean / ratio), keeping the total.

    Capped weights are fixed at the bound and the others rescaled to keep the total; that can
    push another weight past a bound, so it is repeated until none is.
    """
    w = _mean_one(weights.astype(float)).copy()
    total = float(len(w))
    fixed = pd.Series(False, index=w.index)
    for _ in range(max_iter):
        high, low = w > ratio * (1 + 1e-12), w < (1 - 1e-12) / ratio
        if not (high.any() or low.any()):
            break
        w[high], w[low] = ratio, 1 / ratio
        fixed |= high | low
        free = ~fixed
        if not free.any() or w[free].sum() <= 0:
            break
        w[free] *= (total - w[fixed].sum()) / w[free].sum()
    return w


def kish_deff(weights: pd.Series | np.ndarray) -> float:
    """Kish's design effect of unequal weighting: ``n Σw² / (Σw)²`` (1 + the squared CV of the weights)."""
    w = np.asarray(weights, dtype=float)
    return float(len(w) * np.sum(w**2) / np.sum(w) ** 2) if len(w) else float("nan")


def effective_n(weights: pd.Series | np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``: what the weighted sample is worth unweighted."""
    w = np.asarray(weights, dtype=float)
    return float(np.sum(w) ** 2 / np.sum(w**2)) if len(w) else 0.0


@dataclass
class WeightSummary:
    """How one questionnaire's respondents were weighted, for the report to state."""

    method: str  # "poststratification", "raking" or "none"
    n: int
    deff: float
    n_effective: float
    margins: list[str]  # the stratum items weighted to
    #: Strata with a population but no respondent yet: left out of the weighting (they cannot be
    #: represented), so the weights stand for the rest of the population.
    missing: list[str] = field(default_factory=list)


def _stratum_items(stratum: str) -> tuple[str, ...]:
    return tuple(sorted(part.partition("=")[0] for part in stratum.split(",")))


def _normalised(stratum: str) -> str:
    """A stratum with its parts in item order (managers write them in any order)."""
    return ",".join(sorted(stratum.split(",")))


def _cells(members: pd.DataFrame, items: tuple[str, ...]) -> pd.Series:
    """Each respondent's cell over ``items`` (sorted), spelt as a normalised stratum."""
    values = members.reindex(columns=list(items)).astype(str)
    return values.apply(lambda r: ",".join(f"{i}={r[i]}" for i in items), axis=1)


@dataclass
class StratumShare:
    """One stratum's share of the population and of the respondents: why weighting moves an index."""

    instrument: str
    stratum: str  # as the campaign's populations spell it
    population_share: float
    n: int  # respondents in the stratum (a count: shown only where the page shows the stratum's count)
    sample_share: float

    @property
    def difference(self) -> float:
        """Sample share minus population share, in points: above 0 over-represented."""
        return 100 * (self.sample_share - self.population_share)


def representation(respondents: pd.DataFrame, populations: Mapping[str, Mapping[str, float]]) -> list[StratumShare]:
    """Per questionnaire and stratum with a population: its share of the population and of the sample.

    Strata over the same items are one partition (every region): shares are within it, among the
    respondents whose cell the populations list. The strata a page shows are the ones weighting
    used (:func:`design_weights`), so the table explains the weighted index's move.
    """
    out: list[StratumShare] = []
    for instrument, sizes in sorted(populations.items()):
        members = respondents[respondents["instrument"] == instrument]
        groups: dict[tuple[str, ...], dict[str, float]] = {}
        for stratum, size in (sizes or {}).items():
            if size:
                groups.setdefault(_stratum_items(stratum), {})[stratum] = float(size)
        for items, strata in groups.items():
            cells = _cells(members, items) if len(members) else pd.Series(dtype=str)
            counts = {s: int((cells == _normalised(s)).sum()) for s in strata}
            total_n, total_pop = sum(counts.values()), sum(strata.values())
            for stratum in sorted(strata):
                out.append(StratumShare(str(instrument), stratum, strata[stratum] / total_pop, counts[stratum],
                                        counts[stratum] / total_n if total_n else 0.0))  # fmt: skip
    return out


def shown_shares(rows: list[StratumShare], page_strata: Sequence[tuple[str, str, int]] = ()) -> list[bool]:
    """Whether each row's sample share may be printed: a share times the shown total gives the count
    back, so it is hidden wherever that count would be, by the strata rule among these rows or
    in the page's own strata table ``page_strata`` (``(questionnaire, stratum, count)``)."""
    own = suppress_strata([(r.instrument, r.stratum, r.n) for r in rows])
    page = suppress_strata(list(page_strata))
    hidden = {(q, _normalised(s)) for (q, s, _), shown in zip(page_strata, page, strict=True) if shown is None}
    return [shown is not None and (r.instrument, _normalised(r.stratum)) not in hidden
            for r, shown in zip(rows, own, strict=True)]  # fmt: skip


def design_weights(respondents: pd.DataFrame, populations: Mapping[str, Mapping[str, float]],
                   ratio: float = TRIM_RATIO) -> tuple[pd.Series, dict[str, WeightSummary]]:  # fmt: skip
    """Weights per respondent from the populations stored per questionnaire and quota stratum.

    ``respondents``: ``respondent``, ``instrument`` and one column per stratum item (as
    ``cips.services.datasets`` gives). ``populations``: ``{instrument: {"bg_region=north": N}}``.
    Strata of one questionnaire over the same items are its joint cells: post-stratification.
    Strata over different items (regions, and separately functions) are margins whose joint
    cells are unknown: raking. Weights are trimmed, then scaled to mean 1 within each
    questionnaire (each is its own population). Questionnaires without populations get 1.
    """
    weights = pd.Series(1.0, index=respondents["respondent"].to_numpy())
    summaries: dict[str, WeightSummary] = {}
    for instrument, members in respondents.groupby("instrument"):
        index = members["respondent"].to_numpy()
        sizes = {s: n for s, n in (populations.get(instrument) or {}).items() if n}
        groups: dict[tuple[str, ...], dict[str, float]] = {}
        for stratum, n in sizes.items():
            groups.setdefault(_stratum_items(stratum), {})[stratum] = float(n)
        frame = pd.DataFrame(index=index)
        missing: list[str] = []
        for items, strata in list(groups.items()):
            # Population strata name their items in the order the manager wrote them: normalise.
            frame["|".join(items)] = _cells(members, items).to_numpy()
            normalised = {_normalised(s): n for s, n in strata.items()}
            present = set(frame["|".join(items)])
            missing += [s for s in normalised if s not in present]
            groups[items] = {s: n for s, n in normalised.items() if s in present}
            if not groups[items]:
                del groups[items]
        if not groups:
            summaries[str(instrument)] = WeightSummary("none", len(index), 1.0, float(len(index)), [], missing)
            continue
        if len(groups) == 1:
            [(items, strata)] = groups.items()
            w = poststratify(frame["|".join(items)], strata)
            method = "poststratification"
            w = trim(w, ratio)
        else:
            margins = {"|".join(items): strata for items, strata in groups.items()}
            w, method = rake(frame, margins), "raking"
            for _ in range(20):  # trim, rake again from the trimmed weights, until both hold
                trimmed = trim(w, ratio)
                if np.allclose(trimmed, w, rtol=1e-6):
                    break
                w = rake(frame, margins, base=trimmed)
            w = trim(w, ratio)
        weights[index] = w.to_numpy()
        summaries[str(instrument)] = WeightSummary(method, len(index), kish_deff(w), effective_n(w),
                                                   ["|".join(items) for items in groups], missing)  # fmt: skip
    return weights, summaries
