"""Saved briefings: the list, one briefing's contributions, its review queue, and building it from the decisions.

A briefing is saved from the briefing form (``cips.manage.results.briefing``, "keep it to review"):
its contributions are stored row by row and coded in the same queue as a campaign's open answers
(same template, script and keyboard; a different source of answers). Managers and reviewers of the
briefing's administration review it; only managers save and build (a reviewer has no outputs).
Another administration's briefing is not found (404).
"""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from analysis.factors import FACTOR_IDS, OTHER, factor_name
from cips.auth import role_required
from cips.auth.principal import actor
from cips.extensions import db
from cips.manage.blueprint import bp
from cips.manage.coding_review import CODERS, KEYS, _filters, _suggestions_pending, confirm_saved
from cips.manage.forms import BuildBriefingForm, ReviewForm
from cips.models import Briefing, CodingSource, Role
from cips.services.coding import CodingError, decisions, record_text_decision, suggestions
from cips.services.messages import localized
from cips.services.review import review_page, review_stats
from cips.services.saved_briefings import contributions_of, get_briefing


def briefing_for(briefing_id: int) -> Briefing:
    """The saved briefing if it belongs to the signed-in user's administration; 404 otherwise."""
    found = get_briefing(db.session, briefing_id, current_user.administration_id)
    if found is None:
        abort(404)
    return found


def question_titles(briefing: Briefing) -> dict[str, str]:
    """Question id -> its wording in the interface language (the questions file's), else the id as written."""
    lang = str(get_locale())
    return {q["id"]: q["text"].get(lang) or q["text"].get("en") or q["id"] for q in briefing.questions or []}


@bp.get("/briefings/<int:briefing_id>")
@role_required(*CODERS)
def saved_briefing(briefing_id: int):
    briefing = briefing_for(briefing_id)
    rows = contributions_of(db.session, briefing)
    decided, suggested = decisions(db.session, briefing), suggestions(db.session, briefing)
    return render_template("manage/saved_briefing.html", briefing=briefing, rows=rows, decided=decided,
                           suggested=suggested, stats=review_stats(db.session, briefing),
                           titles=question_titles(briefing), form=BuildBriefingForm())  # fmt: skip


@bp.get("/briefings/<int:briefing_id>/review")
@role_required(*CODERS)
def briefing_review(briefing_id: int):
    briefing = briefing_for(briefing_id)
    filters = _filters()
    pending = _suggestions_pending(briefing)
    page = review_page(db.session, briefing, filters, request.args.get("answer", type=int), current_user.email)
    lang = str(get_locale())
    rows = contributions_of(db.session, briefing)
    titles = {row.question: row.question for row in rows} | question_titles(briefing)
    questions = sorted({(row.question, titles[row.question]) for row in rows})
    factors = [(key, factor, factor_name(factor, lang)) for key, factor in zip(KEYS, FACTOR_IDS, strict=True)]
    return render_template("manage/review_answers.html", campaign=None, briefing=briefing, page=page, filters=filters,
                           pending=pending, factors=factors, other=(OTHER, factor_name(OTHER, lang)),
                           questions=questions, form=ReviewForm(), stats=review_stats(db.session, briefing),
                           languages=sorted({row.lang for row in rows if row.lang}), source_name=briefing.title,
                           question_titles=titles,
                           queue_url=partial(url_for, "manage.briefing_review", briefing_id=briefing_id),
                           decide_url=partial(url_for, "manage.briefing_review_decide",
                                              briefing_id=briefing_id))  # fmt: skip


@bp.post("/briefings/<int:briefing_id>/review")
@role_required(*CODERS)
def briefing_review_decide(briefing_id: int):
    briefing = briefing_for(briefing_id)
    filters = _filters()
    args = filters.as_args()
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("The decision was not saved: the form was incomplete or expired; please try again."), "error")
        return redirect(url_for("manage.briefing_review", briefing_id=briefing_id, **args))
    row_id = form.answer_id.data
    following = review_page(db.session, briefing, filters, row_id, current_user.email).next
    try:
        stored = record_text_decision(db.session, briefing, row_id, form.labels.data or [], form.primary.data or None,
                                      actor=actor(), source=CodingSource.reviewer)  # fmt: skip
    except CodingError as exc:
        db.session.rollback()
        flash(localized(exc), "error")
        return redirect(url_for("manage.briefing_review", briefing_id=briefing_id, answer=row_id, **args))
    confirm_saved(stored)
    return redirect(url_for("manage.briefing_review", briefing_id=briefing_id, answer=following, **args), 303)


@bp.post("/briefings/<int:briefing_id>/build")
@role_required(Role.manager)
def saved_briefing_build(briefing_id: int):
    from cips.manage.briefing_jobs import start_saved_briefing

    briefing = briefing_for(briefing_id)
    form = BuildBriefingForm()
    if not form.validate_on_submit():
        flash("; ".join(str(e) for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("manage.saved_briefing", briefing_id=briefing_id))
    job_id = start_saved_briefing(current_user.id, briefing, form.format.data)
    return redirect(url_for("manage.briefing_job", job_id=job_id), 303)
