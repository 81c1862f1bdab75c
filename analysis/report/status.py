"""Each factor of a campaign, favourable or not (see ``analysis.actions``), from the report's own figures."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.actions import WEAK_INDEX
from analysis.factors import FACTOR_IDS
from analysis.report.build import all_scores, wave_change
from analysis.report.model import FactorStatus, ReportInput
from analysis.scores import factor_indices


def _value(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 1)


def factor_status(inp: ReportInput, n_boot: int = 200) -> list[FactorStatus]:
    """Every scored factor of the campaign, in RAD order, with why it is unfavourable (if it is)."""
    scores = all_scores(inp)
    groups = inp.respondents.set_index("respondent")["instrument"]
    table = factor_indices(scores, groups=groups, weights=inp.weights, n_boot=n_boot)
    change = wave_change(inp, scores)
    by_factor = {} if change is None else {row["factor"]: row for row in change.to_dict("records")}
    out = []
    for factor in [f for f in FACTOR_IDS if f in set(table["factor"])]:
        rows = table[table["factor"] == factor]
        status = FactorStatus(factor, {r["group"]: _value(r["index"]) for r in rows.to_dict("records")})
        row = by_factor.get(factor)
        if row is not None and not np.isnan(row["difference"]):
            status.change, status.significant = _value(row["difference"]), bool(row["significant"])
        if any(v is not None and v < WEAK_INDEX for v in status.indices.values()):
            status.reasons.append("below")
        if status.significant and status.change is not None and status.change < 0:
            status.reasons.append("worse")
        out.append(status)
    return out
