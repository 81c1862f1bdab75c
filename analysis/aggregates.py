"""What an administration may share with the A-CPI programme: suppressed factor aggregates only.

The programme compares administrations and waves on aggregates, never on microdata: this module
turns a campaign's :class:`~analysis.report.model.ReportInput` into rows of (questionnaire,
stratum, factor) -> n, index, 95 % CI and effective n, with the small-cell rule applied as the
report applies it, and *complementary* suppression across the strata of one questionnaire
(their national row is in the same file, so one hidden stratum would be the national n minus
the others). No free text, no item, no respondent, no cell under :data:`MIN_CELL` leaves.

The document is plain JSON (``SCHEMA``, ``SCHEMA_VERSION``); signing it is the app's business
(a key belongs to an administration), :func:`canonical_bytes` is what is signed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from analysis.privacy import MIN_CELL, suppress_group
from analysis.report.build import all_scores
from analysis.report.model import ReportInput
from analysis.scores import factor_indices
from analysis.weights import effective_n  # Kish's formula, written once (re-exported: the tests import it here)

SCHEMA = "cips-aggregates"
SCHEMA_VERSION = 1
#: The level of a row that describes a whole questionnaire (every respondent of it).
NATIONAL = "national"
#: Keys of a shared measure of an action plan (no owner, no evidence: what, status and when).
MEASURE_KEYS = ("factor", "what", "status", "due")
#: Keys of a row, in the order the file writes them.
ROW_KEYS = ("questionnaire", "stratum", "factor", "n", "index", "ci_low", "ci_high", "effective_n")


class AggregateError(ValueError):
    """An aggregate file cannot be made or read; the message names what is wrong."""


@dataclass(frozen=True)
class Source:
    """Who the aggregates describe, as written in the file (no names of people)."""

    administration: str
    campaign: str
    wave: int


def _number(value: Any, digits: int = 2) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), digits)


def _rows_for(scores: pd.DataFrame, groups: pd.Series, weights: pd.Series, questionnaire: str,
              n_boot: int) -> list[dict[str, Any]]:  # fmt: skip
    table = factor_indices(scores, groups=groups, weights=weights, n_boot=n_boot)
    rows = []
    for rec in table.to_dict("records"):
        members = groups[groups == rec["group"]].index
        column = scores.loc[members, rec["factor"]]
        answered = column.dropna().index
        rows.append({
            "questionnaire": questionnaire, "stratum": rec["group"], "factor": rec["factor"], "n": int(rec["n"]),
            "index": _number(rec["index"]), "ci_low": _number(rec["ci_low"]), "ci_high": _number(rec["ci_high"]),
            "effective_n": _number(effective_n(weights.reindex(answered).to_numpy()), 1),
        })  # fmt: skip
    return rows


def _hide(row: dict[str, Any]) -> dict[str, Any]:
    """A suppressed row: it says the cell exists, never how many it holds."""
    return {**row, "n": None, "index": None, "ci_low": None, "ci_high": None, "effective_n": None}


def _suppress_strata(national: list[dict[str, Any]], strata: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per questionnaire and factor, the strata's n form a group whose total (the national row) is
    shown: hide small cells and enough others that no subtraction gives a small one back."""
    out = [row if row["n"] >= MIN_CELL else _hide(row) for row in national]
    by_factor: dict[str, list[int]] = {}
    for i, row in enumerate(strata):
        by_factor.setdefault(row["factor"], []).append(i)
    hidden: set[int] = set()
    for members in by_factor.values():
        shown = suppress_group({i: strata[i]["n"] for i in members})
        hidden.update(i for i, n in shown.items() if n is None)
    out.extend(_hide(row) if i in hidden else row for i, row in enumerate(strata))
    return out


def aggregate_rows(inp: ReportInput, level: str = NATIONAL, n_boot: int = 1000) -> list[dict[str, Any]]:
    """Suppressed factor aggregates of one campaign: one row per questionnaire x factor (``stratum``
    :data:`NATIONAL`), plus, when ``level`` names a stratum item (``bg_region``), one per value of it."""
    if inp.respondents.empty:
        raise AggregateError("the campaign has no submissions")
    if level != NATIONAL and level not in inp.respondents.columns:
        known = sorted(c for c in inp.respondents.columns
                       if c not in {"respondent", "instrument", "version", "language", "submitted_at"})  # fmt: skip
        raise AggregateError(f"no stratum item {level!r} in this campaign (known: {', '.join(known) or 'none'})")
    scores = all_scores(inp)
    people = inp.respondents.set_index("respondent")
    weights = (inp.weights.reindex(scores.index).fillna(1.0) if inp.weights is not None
               else pd.Series(1.0, index=scores.index))  # fmt: skip
    rows: list[dict[str, Any]] = []
    for questionnaire in sorted(people["instrument"].unique()):
        mine = scores.loc[scores.index.intersection(people.index[people["instrument"] == questionnaire])]
        mine = mine.dropna(axis=1, how="all")
        if mine.empty:
            continue
        national = _rows_for(mine, pd.Series(NATIONAL, index=mine.index), weights, questionnaire, n_boot)
        strata: list[dict[str, Any]] = []
        if level != NATIONAL:
            values = people.loc[mine.index, level].dropna()
            groups = values.map(lambda v: f"{level}={v}")
            strata = [] if values.empty else _rows_for(mine.loc[values.index], groups, weights, questionnaire, n_boot)
        rows.extend(_suppress_strata(national, strata))
    return rows


def build_document(inp: ReportInput, source: Source, level: str = NATIONAL, n_boot: int = 1000,
                   generated: datetime | None = None) -> dict[str, Any]:  # fmt: skip
    """The aggregate file's content (before signing)."""
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
        "administration": source.administration, "campaign": source.campaign, "wave": source.wave,
        "level": level, "generated": (generated or datetime.now(UTC)).isoformat(timespec="seconds"),
        "min_cell": MIN_CELL, "rows": aggregate_rows(inp, level, n_boot),
    }  # fmt: skip


def canonical_bytes(document: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8 (same on every machine)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")  # fmt: skip


def check_document(document: Any) -> dict[str, Any]:
    """A received document checked for shape and the small-cell rule; the first failure is named."""
    if not isinstance(document, dict):
        raise AggregateError("schema: the document is not a JSON object")
    if document.get("schema") != SCHEMA:
        raise AggregateError(f"schema: expected {SCHEMA!r}, found {document.get('schema')!r}")
    if document.get("schema_version") != SCHEMA_VERSION:
        raise AggregateError(f"schema_version: this instance reads version {SCHEMA_VERSION}, "
                             f"the file is version {document.get('schema_version')!r}")  # fmt: skip
    for key in ("administration", "campaign", "level", "generated"):
        if not isinstance(document.get(key), str) or not document[key]:
            raise AggregateError(f"{key}: missing or not a text")
    if not isinstance(document.get("wave"), int):
        raise AggregateError("wave: missing or not a whole number")
    rows = document.get("rows")
    if not isinstance(rows, list):
        raise AggregateError("rows: missing or not a list")
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) != set(ROW_KEYS):
            raise AggregateError(f"rows[{i}]: expected the keys {', '.join(ROW_KEYS)}")
        if row["n"] is not None and (not isinstance(row["n"], int) or row["n"] < MIN_CELL):
            raise AggregateError(f"rows[{i}]: n={row['n']!r} breaks the small-cell rule (at least {MIN_CELL})")
    measures = document.get("measures", [])
    if not isinstance(measures, list):
        raise AggregateError("measures: not a list")
    for i, measure in enumerate(measures):
        if not isinstance(measure, dict) or set(measure) != set(MEASURE_KEYS):
            raise AggregateError(f"measures[{i}]: expected the keys {', '.join(MEASURE_KEYS)}")
    return document
