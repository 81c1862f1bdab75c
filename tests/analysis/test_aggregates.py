"""analysis.aggregates: what leaves for the programme is suppressed, complete and stable to sign."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.aggregates import (
    NATIONAL,
    AggregateError,
    Source,
    aggregate_rows,
    build_document,
    canonical_bytes,
    check_document,
    effective_n,
)
from analysis.report.model import ReportInput


def _input(region_sizes: dict[str, int], weights: pd.Series | None = None) -> ReportInput:
    rng = np.random.default_rng(1)
    people, answers = [], []
    for region, size in region_sizes.items():
        for k in range(size):
            rid = f"{region}-{k}"
            people.append({"respondent": rid, "instrument": "officials", "language": "en", "bg_region": region})
            for item in ("hrm_1", "auto_1"):
                answers.append({"respondent": rid, "item_id": item, "value": float(rng.integers(1, 6)), "text": None})
    items = pd.DataFrame([
        {"instrument": "officials", "item_id": "hrm_1", "type": "likert5", "factor": "hrm", "reverse": False,
         "text": "Promotions are fair"},
        {"instrument": "officials", "item_id": "auto_1", "type": "likert5", "factor": "automation", "reverse": False,
         "text": "Automation helps"},
    ])  # fmt: skip
    return ReportInput(title="t", administration="A", wave=1, respondents=pd.DataFrame(people),
                       answers=pd.DataFrame(answers), items=items, weights=weights)  # fmt: skip


def test_aggregates_national_rows_per_questionnaire_and_factor() -> None:
    rows = aggregate_rows(_input({"north": 12, "south": 9}), n_boot=50)
    assert {(r["stratum"], r["factor"], r["n"]) for r in rows} == {(NATIONAL, "hrm", 21), (NATIONAL, "automation", 21)}
    assert all(0 <= r["index"] <= 100 and r["ci_low"] <= r["index"] <= r["ci_high"] for r in rows)
    assert all(r["effective_n"] == 21.0 for r in rows)  # no weights: every respondent counts fully


def test_aggregates_small_stratum_hidden_with_a_complement() -> None:
    rows = aggregate_rows(_input({"north": 12, "south": 9, "east": 3}), level="bg_region", n_boot=50)
    strata = {(r["stratum"], r["factor"]): r for r in rows if r["stratum"] != NATIONAL}
    assert strata[("bg_region=east", "hrm")]["n"] is None and strata[("bg_region=east", "hrm")]["index"] is None
    # The national n (24) is in the file: east alone hidden would be 24 - 12 - 9; south goes too.
    assert strata[("bg_region=south", "hrm")]["n"] is None
    assert strata[("bg_region=north", "hrm")]["n"] == 12
    assert all(r["n"] is None or r["n"] >= 5 for r in rows)


def test_aggregates_effective_n_is_kish() -> None:
    assert effective_n(np.array([1.0, 1.0, 1.0, 1.0])) == 4.0
    assert effective_n(np.array([2.0, 1.0, 1.0])) == pytest.approx(16 / 6)
    inp = _input({"north": 10, "south": 10})
    inp.weights = pd.Series([3.0 if r.startswith("north") else 1.0 for r in inp.respondents["respondent"]],
                            index=inp.respondents["respondent"])  # fmt: skip
    row = next(r for r in aggregate_rows(inp, n_boot=50) if r["factor"] == "hrm")
    assert row["n"] == 20 and row["effective_n"] == pytest.approx(round(effective_n(inp.weights.to_numpy()), 1))


def test_aggregates_unknown_level_names_the_known_items() -> None:
    with pytest.raises(AggregateError, match=r"bg_office.*known: bg_region"):
        aggregate_rows(_input({"north": 6}), level="bg_office")


def test_aggregates_document_checks_shape_and_small_cells() -> None:
    doc = build_document(_input({"north": 12}), Source("A", "Survey", 1), n_boot=20)
    assert check_document(doc) is doc
    assert canonical_bytes(doc) == canonical_bytes(dict(reversed(list(doc.items()))))  # key order does not matter
    doc["rows"][0]["n"] = 3
    with pytest.raises(AggregateError, match=r"rows\[0\]: n=3 breaks the small-cell rule"):
        check_document(doc)
    with pytest.raises(AggregateError, match="schema_version"):
        check_document({**doc, "schema_version": 99})
