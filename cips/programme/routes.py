"""``/programme``: comparison of imported aggregates across administrations and waves (observer only)."""

from __future__ import annotations

import statistics

from flask import Response, abort, render_template, request
from flask_babel import get_locale

from analysis.factors import FACTOR_IDS, factor_name
from analysis.programme import distribution, standing_chart
from cips.auth import role_required
from cips.extensions import db
from cips.models import Role
from cips.programme.blueprint import bp
from cips.security import SVG_CSP
from cips.services.actions import STATUS_WORDS
from cips.services.programme import comparison


@bp.get("/chart-<questionnaire>.svg")
@role_required(Role.observer)
def chart(questionnaire: str):
    """One questionnaire's chart: shown by the page as an image, and a file for the programme's reports
    (``?download=1``). matplotlib styles its SVG inline, which the pages' policy forbids; this response
    is an image with no script and gets a policy of its own that allows them."""
    lang = str(get_locale() or "en")[:2]
    data = comparison(db.session)
    if questionnaire not in data.latest:
        abort(404)
    highlight = request.args.get("highlight") if request.args.get("highlight") in data.members else None
    svg = '<?xml version="1.0" encoding="utf-8"?>\n' + standing_chart(data.latest[questionnaire], highlight, lang)
    response = Response(svg, mimetype="image/svg+xml", headers={"Content-Security-Policy": SVG_CSP})
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="programme-{questionnaire}.svg"'
    return response


@bp.route("/")
@role_required(Role.observer)
def index():
    lang = str(get_locale() or "en")[:2]
    data = comparison(db.session)
    highlight = request.args.get("highlight") if request.args.get("highlight") in data.members else None
    questionnaires = {
        key: {
            "factors": [f for f in FACTOR_IDS if f in values],
            "distribution": distribution(values),
        }
        for key, values in sorted(data.latest.items())
    }
    return render_template("programme/index.html", data=data, questionnaires=questionnaires, highlight=highlight,
                           factor_name=lambda f: factor_name(f, lang), status_word=_status_word,
                           median=lambda values: round(statistics.median(values), 1))  # fmt: skip


def _status_word(status: str) -> str:
    word = STATUS_WORDS.get(status)  # keyed by MeasureStatus, a StrEnum: its plain value finds it
    return word.translated() if word is not None else status
