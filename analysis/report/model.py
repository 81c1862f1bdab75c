"""The thematic report as plain data: built by ``build``, drawn by ``charts``, written by ``render``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # analysis.topics imports BERTopic (seconds, hundreds of MB): only build_report's themes need it
    from analysis.topics import Theme


@dataclass
class ReportInput:
    """What a campaign provides (see ``cips.services.datasets.CampaignData``)."""

    title: str
    administration: str
    wave: int
    respondents: pd.DataFrame  # respondent, instrument, language, stratum columns
    answers: pd.DataFrame  # respondent, item_id, value, text
    items: pd.DataFrame  # instrument, item_id, type, factor, reverse, text
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)
    populations: dict[str, dict[str, int]] = field(default_factory=dict)  # per quota stratum, when known
    weights: pd.Series | None = None  # design weight per respondent
    #: Stratum in words per questionnaire (``{"officials": {"bg_region=east": "East"}}``), in
    #: the report language; a stratum missing here is printed as ``item: value``.
    stratum_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    previous: ReportInput | None = None
    #: Measures recorded against the previous wave (``factor``, ``what``, ``owner``, ``due``, ``status``):
    #: the report shows them beside each factor's change since then.
    measures: list[dict[str, Any]] = field(default_factory=list)
    #: Records the survey manager excluded (left out of ``respondents`` and ``answers``), per category.
    excluded: dict[str, int] = field(default_factory=dict)
    #: How ``weights`` were made, per questionnaire (``analysis.weights.WeightSummary``); empty: unweighted.
    weighting: dict[str, Any] = field(default_factory=dict)
    #: Open answers' codes that people decided, by (respondent, item_id): they replace the model's.
    codes: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: Where the review stands (``reviewed``, ``open_answers``, ``model_kappa``, ``coder_kappa``), for
    #: the method note; empty when nothing was reviewed.
    review: dict[str, Any] = field(default_factory=dict)


@dataclass
class StratumRow:
    instrument: str
    stratum: str
    achieved: int
    target: int
    margin_of_error: float | None
    reached: bool | None  # None when the count is hidden: "not yet" would narrow it down
    display: str  # the achieved count, or why it is hidden (an ``analysis.privacy.Hidden``)


@dataclass
class Representation:
    """A weighted stratum's share of the population and of the respondents (``None``: hidden, n<5)."""

    instrument: str
    stratum: str  # in words
    population_share: float
    sample_share: float | None
    difference: float | None  # points, sample minus population: above 0 over-represented


@dataclass
class Fieldwork:
    total: int
    by_instrument: dict[str, str]
    by_language: dict[str, str]
    strata: list[StratumRow]
    excluded: dict[str, int] = field(default_factory=dict)  # see ReportInput.excluded


@dataclass
class ThemeBlock:
    factor: str
    #: Respondents with an answer coded with the factor: every count of a block is of respondents.
    n_respondents: int
    themes: list[Theme]  # their ``size`` and ``languages`` count respondents too
    hidden_small: int  # respondents in themes of fewer than 5, not shown (true count: shown as ``hidden_display``)
    #: What the report prints, with the small-cell rule applied to the block as a group whose
    #: total (``n_respondents``) is shown: each theme's size, its languages, the smaller themes.
    sizes: list[str] = field(default_factory=list)
    #: Per theme, ``(language, count as printed)``; the count is "" when the theme's size is hidden.
    languages: list[list[tuple[str, str]]] = field(default_factory=list)
    hidden_display: str = ""


@dataclass
class FactorStatus:
    factor: str
    #: Index per questionnaire, None where suppressed (n<5).
    indices: dict[str, float | None]
    #: This wave minus the previous one (None: no previous wave, or suppressed).
    change: float | None = None
    significant: bool = False
    reasons: list[str] = field(default_factory=list)  # "below", "worse"

    @property
    def weak(self) -> bool:
        return bool(self.reasons)


@dataclass
class FollowUp:
    factor: str
    change: float | str  # the change in points (the template writes it), "n<5", or "" without a previous wave
    significant: bool
    measures: list[dict[str, Any]]


@dataclass
class TextAnalysis:
    """How the report's themes grouped the open answers, said under their heading.

    ``by_meaning``: with sentence embeddings (``model``), so translations share a theme. Otherwise
    by shared words and codebook concepts: no sentence model is configured (``model`` empty), or
    the campaign's answers were not all embedded when the report was built (``ready`` of ``total``
    distinct answers were): the report never mixes the two groupings.
    """

    by_meaning: bool
    model: str = ""
    ready: int = 0
    total: int = 0
    #: An embedding classifier (``coding_model``) codes the open answers only when the vectors of
    #: all of them and their points are cached (``coding_ready`` of ``coding_total`` texts were):
    #: otherwise no factor or theme of open answers is shown, never another model's in their place.
    coding_model: str = ""
    coding_ready: int = 0
    coding_total: int = 0

    @property
    def coded(self) -> bool:
        return self.coding_ready == self.coding_total


@dataclass
class Report:
    lang: str
    title: str
    subtitle: str
    generated: datetime
    fieldwork: Fieldwork
    factor_table: pd.DataFrame  # group, factor, n, index, ci_low, ci_high, display
    gap: pd.DataFrame | None
    change: pd.DataFrame | None
    weakest: pd.DataFrame
    strongest: pd.DataFrame
    themes: list[ThemeBlock]
    charts: dict[str, str] = field(default_factory=dict)  # name -> SVG markup
    #: Per factor with measures: its change since the previous wave (as printed) and the measures.
    follow_up: list[FollowUp] = field(default_factory=list)
    text_analysis: TextAnalysis | None = None
    weighting: dict[str, Any] = field(default_factory=dict)  # see ReportInput.weighting
    review: dict[str, Any] = field(default_factory=dict)  # see ReportInput.review
    #: Weighted reports: each weighted stratum's population and sample shares (why the index moved).
    representation: list[Representation] = field(default_factory=list)
