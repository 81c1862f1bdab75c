"""The programme's comparison across administrations, drawn in the report's style.

Input is what aggregate files hold (national factor indices per administration, already
suppressed); nothing here sees a respondent.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import median

import numpy as np

from analysis.factors import FACTOR_IDS, factor_name
from analysis.privacy import MIN_CELL
from analysis.report.charts import BLUE, GREY, STYLE, _svg, plt

#: ``{factor: {administration heading: index or None}}`` for one questionnaire.
FactorValues = Mapping[str, Mapping[str, float | None]]


def distribution(values: FactorValues) -> dict[str, dict[str, float | int]]:
    """Per factor, over the administrations whose index is shown: how many, min, median, max."""
    out = {}
    for factor, by_member in values.items():
        shown = sorted(v for v in by_member.values() if v is not None)
        if shown:
            out[factor] = {"n": len(shown), "min": shown[0], "median": round(median(shown), 1), "max": shown[-1]}
    return out


def standing_chart(values: FactorValues, highlight: str | None = None, lang: str = "en") -> str:
    """Each factor's indices across administrations (grey), the median (bar) and, when given, one
    administration (blue): "where does my administration stand"."""
    factors = [f for f in FACTOR_IDS if f in values]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(factors) + 1.2))
        for y, factor in enumerate(factors):
            shown = {m: v for m, v in values[factor].items() if v is not None}
            others = [v for m, v in shown.items() if m != highlight]
            ax.scatter(others, np.full(len(others), y), color=GREY, s=18, alpha=0.7, zorder=2)
            if shown:
                ax.plot([median(shown.values())] * 2, [y - 0.3, y + 0.3], color="black", lw=1.5, zorder=3)
            if highlight in shown:
                ax.scatter([shown[highlight]], [y], color=BLUE, s=60, zorder=4, label=highlight if y == 0 else None)
        ax.set_yticks(range(len(factors)), [factor_name(f, lang) for f in factors])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        if highlight is not None:
            ax.legend(loc="lower right", frameon=False)
        return _svg(fig)


DISTRIBUTION_SCHEMA = "cips-distribution"
DISTRIBUTION_VERSION = 1


def distribution_document(latest: Mapping[str, FactorValues], waves_note: str = "latest") -> dict:
    """What the programme may send back to every administration: per questionnaire and factor, the
    spread of the administrations' indices (quartiles), never one administration's value. A factor
    reported by fewer than ``MIN_CELL`` administrations is left out (a small group of countries)."""
    rows = []
    for questionnaire, values in sorted(latest.items()):
        for factor in [f for f in FACTOR_IDS if f in values]:
            shown = sorted(v for v in values[factor].values() if v is not None)
            if len(shown) < MIN_CELL:
                rows.append({"questionnaire": questionnaire, "factor": factor, "administrations": None})
                continue
            q1, med, q3 = (round(float(x), 1) for x in np.percentile(shown, [25, 50, 75]))
            rows.append({"questionnaire": questionnaire, "factor": factor, "administrations": len(shown),
                         "min": shown[0], "q1": q1, "median": med, "q3": q3, "max": shown[-1]})  # fmt: skip
    return {"schema": DISTRIBUTION_SCHEMA, "schema_version": DISTRIBUTION_VERSION, "waves": waves_note, "rows": rows}


def position_chart(rows: list[dict], own: Mapping[str, float | None], questionnaire: str, lang: str = "en",
                   own_label: str = "") -> str:  # fmt: skip
    """One administration's indices (blue) against the programme's spread for one questionnaire:
    whiskers min-max, box the middle half, bar the median."""
    mine = [r for r in rows if r["questionnaire"] == questionnaire and r.get("administrations")]
    factors = [f for f in FACTOR_IDS if any(r["factor"] == f for r in mine)]
    by_factor = {r["factor"]: r for r in mine}
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(factors) + 1.2))
        for y, factor in enumerate(factors):
            r = by_factor[factor]
            ax.plot([r["min"], r["max"]], [y, y], color=GREY, lw=1, zorder=1)
            ax.add_patch(plt.Rectangle((r["q1"], y - 0.2), r["q3"] - r["q1"], 0.4, color=GREY, alpha=0.35, zorder=2))
            ax.plot([r["median"]] * 2, [y - 0.25, y + 0.25], color="black", lw=1.5, zorder=3)
            if own.get(factor) is not None:
                ax.scatter([own[factor]], [y], color=BLUE, s=60, zorder=4, label=own_label if y == 0 else None)
        ax.set_yticks(range(len(factors)), [factor_name(f, lang) for f in factors])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        if own_label:
            ax.legend(loc="lower right", frameon=False)
        return _svg(fig)
