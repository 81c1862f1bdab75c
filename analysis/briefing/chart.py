"""The key-messages graphic: main themes across all questions, by support, coloured by RAD factor.

Same style as the thematic report's charts (``analysis.report.charts.STYLE``). Horizontal
bars rather than bubbles: a reader compares lengths more exactly than areas, and the
labels stay horizontal and legible in every language. Output is byte-stable: no date in
the SVG metadata, a fixed hash salt for its ids.
"""

from __future__ import annotations

import io
import textwrap

from analysis.briefing import i18n
from analysis.briefing.model import Briefing
from analysis.factors import FACTOR_IDS, OTHER, factor_name
from analysis.numbers import number
from analysis.report.charts import BLUE, GREEN, GREY, ORANGE, STYLE, VERMILION, plt

# Okabe–Ito first (as in the report), then Paul Tol's muted colours for the last three factors:
# both palettes stay distinguishable with the common colour-vision deficiencies.
FACTOR_COLOURS = {
    "leadership": BLUE, "regulatory": "#56B4E9", "transparency": "#F0E442", "automation": GREEN,
    "reform": ORANGE, "audit": VERMILION, "conduct": "#CC79A7", "hrm": "#882255", "culture": "#44AA99",
    "private_sector": "#332288", OTHER: GREY,
}  # fmt: skip
_STABLE = {**STYLE, "svg.hashsalt": "cips-briefing"}
_LABEL_WIDTH = 38


def _figure(briefing: Briefing) -> plt.Figure:
    messages = briefing.key_messages
    lang = briefing.lang
    with plt.rc_context(_STABLE):
        fig, ax = plt.subplots(figsize=(8, 0.55 * max(len(messages), 1) + 1.6))
        y = range(len(messages))
        ax.barh(list(y), [m.support for m in messages], color=[FACTOR_COLOURS.get(m.factor, GREY) for m in messages],
                edgecolor="white", height=0.7)  # fmt: skip
        for yi, m in zip(y, messages, strict=True):
            ax.text(
                m.support + 0.1, yi, number(m.support, 0, lang), va="center", ha="left", fontsize=10, fontweight="bold"
            )
        ax.set_yticks(list(y), [textwrap.fill(m.label, _LABEL_WIDTH) for m in messages])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_axisbelow(True)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlim(0, max((m.support for m in messages), default=1) * 1.12 + 0.5)
        ax.set_xlabel(i18n.s(lang, "axis"))
        present = [f for f in (*FACTOR_IDS, OTHER) if any(m.factor == f for m in messages)]
        handles = [plt.Rectangle((0, 0), 1, 1, color=FACTOR_COLOURS[f]) for f in present]
        ax.legend(handles, [factor_name(f, lang) for f in present], loc="upper center", bbox_to_anchor=(0.4, -0.12),
                  ncol=2, frameon=False, fontsize=9)  # fmt: skip
        fig.tight_layout()
    return fig


def key_messages_png(briefing: Briefing, dpi: int = 200) -> bytes:
    fig = _figure(briefing)
    buffer = io.BytesIO()
    with plt.rc_context(_STABLE):
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def key_messages_svg(briefing: Briefing) -> str:
    fig = _figure(briefing)
    buffer = io.StringIO()
    with plt.rc_context(_STABLE):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()
