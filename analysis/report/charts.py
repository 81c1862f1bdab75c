"""Report charts with matplotlib: one consistent, colour-blind-safe style, labels in the report language."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from analysis.factors import FACTOR_IDS, factor_name
from analysis.numbers import number
from analysis.report.i18n import text

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, VERMILION, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999"
GROUP_COLOURS = {"officials": BLUE, "private_sector": ORANGE, "all": GREEN}
STYLE = {
    "font.size": 10, "axes.titlesize": 12, "axes.labelsize": 10, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
}  # fmt: skip


def _svg(fig: plt.Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog: the SVG is inlined in HTML


def _axis_numbers(ax: plt.Axes, lang: str) -> None:
    """The x axis's ticks written the report language's way ("7,5" in French), as the tables write them."""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(round(value, 3), None, lang)))


def factor_chart(table: pd.DataFrame, lang: str) -> str:
    """Index per factor and group, with 95 % CIs (suppressed cells are left out)."""
    t = text(lang)
    factors = [f for f in FACTOR_IDS if f in set(table["factor"])]
    groups = list(dict.fromkeys(table["group"]))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(factors) + 1.2))
        y = np.arange(len(factors))
        offset = 0.18 if len(groups) > 1 else 0.0
        for k, group in enumerate(groups):
            rows = table[table["group"] == group].set_index("factor").reindex(factors)
            pos = y + (k - (len(groups) - 1) / 2) * 2 * offset
            # Never negative: bootstrap_ci's intervals contain the index, this guards other tables.
            err = np.clip(np.vstack([rows["index"] - rows["ci_low"], rows["ci_high"] - rows["index"]]), 0, None)
            ax.errorbar(rows["index"], pos, xerr=err, fmt="o", color=GROUP_COLOURS.get(group, GREY), capsize=3,
                        label=t.get(group, group))  # fmt: skip
        ax.set_yticks(y, [factor_name(f, lang) for f in factors])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        _axis_numbers(ax, lang)
        ax.set_xlabel(t["index"])
        ax.legend(loc="lower right", frameon=False)
        return _svg(fig)


def difference_chart(table: pd.DataFrame, lang: str) -> str:
    """Signed difference per factor (gap or wave change); * marks significance after correction."""
    t = text(lang)
    rows = (
        table.dropna(subset=["difference"])
        .set_index("factor")
        .reindex([f for f in FACTOR_IDS if f in set(table["factor"])])
    )
    rows = rows.dropna(subset=["difference"])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(rows), 1) + 1.2))
        y = np.arange(len(rows))
        colours = [BLUE if d >= 0 else VERMILION for d in rows["difference"]]
        ax.barh(y, rows["difference"], color=colours)
        for yi, (d, sig) in enumerate(zip(rows["difference"], rows["significant"], strict=True)):
            label = f"{number(d, 1, lang, signed=True)}{' *' if sig else ''}"
            ax.text(d + (1 if d >= 0 else -1), yi, label, va="center", ha="left" if d >= 0 else "right", fontsize=9)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, [factor_name(f, lang) for f in rows.index])
        ax.invert_yaxis()
        limit = max(10.0, float(np.nanmax(np.abs(rows["difference"]))) * 1.35) if len(rows) else 10.0
        ax.set_xlim(-limit, limit)
        _axis_numbers(ax, lang)
        ax.set_xlabel(t["difference"])
        return _svg(fig)


def theme_chart(sizes: dict[str, int], lang: str) -> str:
    """Respondents per factor with an open answer coded with it (how many people wrote about each)."""
    t = text(lang)
    items = [(factor_name(f, lang), n) for f, n in sizes.items() if n > 0]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.4 * max(len(items), 1) + 1))
        ax.barh(range(len(items)), [n for _, n in items], color=GREEN)
        ax.set_yticks(range(len(items)), [name for name, _ in items])
        ax.invert_yaxis()
        _axis_numbers(ax, lang)
        ax.set_xlabel(t["respondents"])
        return _svg(fig)
