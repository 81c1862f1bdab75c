"""The programme's comparison across administrations, drawn in the report's style.

Input is what aggregate files hold (national factor indices per administration, already
suppressed); nothing here sees a respondent.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import median

import numpy as np

from analysis.factors import FACTOR_IDS, factor_name
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
