"""The review queue of open answers: people confirm or correct the model's codes of open answers, one at a time.

Managers and reviewers of the campaign's administration code; only managers set the second-coding
share. The model's suggestions are computed in the background (``cips.manage.jobs``) the first
time a queue is opened after new answers or a new model: the queue works meanwhile, in answer order.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from analysis.factors import FACTOR_IDS, OTHER, factor_name
from cips.auth import role_required
from cips.auth.principal import actor, campaign_for
from cips.extensions import db
from cips.manage import jobs
from cips.manage.blueprint import bp
from cips.manage.forms import ReviewForm, SecondCodingForm
from cips.models import Briefing, Campaign, Coding, CodingSource, Role
from cips.services.campaigns import campaign_summaries
from cips.services.coding import (
    CodingError,
    current_model_digest,
    open_items,
    record_text_decision,
    suggest,
    unsuggested,
)
from cips.services.messages import localized
from cips.services.review import QueueFilters, ReviewError, review_page, review_stats, set_second_coding
from cips.services.saved_briefings import briefings_of
from cips.services.text_analysis import coding_model

CODERS = (Role.manager, Role.reviewer)
#: Keys of the factors in the queue: 1-9 then 0, in the order of ``analysis.factors``.
KEYS = [str((i + 1) % 10) for i in range(len(FACTOR_IDS))]


@bp.app_template_global()
def factor_label(factor: str) -> str:
    """A factor id (``hrm``) as its name in the interface language."""
    return factor_name(factor, str(get_locale()))


def _filters() -> QueueFilters:
    args = request.values
    return QueueFilters(question=args.get("question") or None, language=args.get("language") or None,
                        factor=args.get("factor") or None, unreviewed=args.get("unreviewed") == "1",
                        second=args.get("second") == "1")  # fmt: skip


def confirm_saved(stored: list[Coding]) -> None:
    """Say what was stored: Enter opens the next answer at once, and under "not reviewed yet" the
    position stays "Answer 1 of n", so without this line nothing shows that the decision was kept.
    ``stored``: the decision of the answer shown, then those of the answers with the same text."""
    decision = stored[0]
    names = [_("%(factor)s (primary)", factor=factor_label(label)) if label == decision.primary else factor_label(label)
             for label in decision.labels if label != OTHER] or [factor_label(OTHER)]  # fmt: skip
    if len(stored) > 1:
        flash(_("Saved for the previous answer and the other answers with the same text (%(n)s in all): "
                "%(factors)s.", n=len(stored), factors=", ".join(names)), "ok")  # fmt: skip
    else:
        flash(_("Saved for the previous answer: %(factors)s.", factors=", ".join(names)), "ok")


def _suggestions_pending(campaign: Campaign | Briefing) -> int:
    """Start the model on the answers it has not coded yet; how many are still waiting."""
    digest = current_model_digest()
    missing = unsuggested(db.session, campaign, digest)
    if missing:
        folder = Path(current_app.config.get("REPORT_CACHE_DIR") or Path(current_app.instance_path) / "report_cache")
        folder.mkdir(parents=True, exist_ok=True)
        kind = type(campaign).__name__.lower()  # a campaign's and a briefing's ids may be equal
        # An embedding model codes an answer once the text analysis has its vectors: more vectors, a new run.
        coding = coding_model()
        vectors = f"-{coding[1].cache.count(coding[1].key)}" if coding else ""
        path = folder / f"suggest-{'' if kind == 'campaign' else kind}{campaign.id}-{digest}-{missing}{vectors}.done"
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if jobs.failure(path) is None:  # a failed run is logged; it is not retried at every page
            jobs.start(app, path, partial(_suggest, type(campaign), campaign.id), name=f"suggest-{kind}-{campaign.id}")
        missing = unsuggested(db.session, campaign, digest)  # none left when it ran within the request
    return missing


def _suggest(model: type[Campaign | Briefing], owner_id: int) -> bytes:
    campaign = db.session.get(model, owner_id)
    return str(suggest(db.session, campaign)).encode()


#: Feature blocks of the classifier that mean nothing to a reader: character n-grams ("nctio").
UNREADABLE_BLOCKS = {"chars"}


@bp.app_template_filter()
def readable_evidence(features: list[str]) -> list[str]:
    """The model's evidence as words a reviewer can find in the answer: a codebook concept by the
    phrase that matched (``concept:sanctions (sanctioned)`` -> ``sanctioned``), a term without its
    block prefix (``lemmas:sanction`` -> ``sanction``); character n-grams are left out."""
    words: dict[str, str] = {}
    for feature in features:
        block, _sep, rest = feature.partition(":")
        if not rest or block in UNREADABLE_BLOCKS:
            continue
        matched = re.fullmatch(r"[^(]*\((.+)\)", rest) if block == "concept" else None
        word = (matched.group(1) if matched else rest).strip()
        if word:
            words.setdefault(word.casefold(), word)
    return list(words.values())


@bp.get("/review")
@role_required(*CODERS)
def review_campaigns():
    rows = campaign_summaries(db.session, visible=current_user.may_see)
    briefings = briefings_of(db.session, current_user.administration_id)
    return render_template("manage/review_campaigns.html", campaigns=rows, briefings=briefings)


@bp.get("/campaigns/<slug>/review/answers")
@role_required(*CODERS)
def review_answers(slug: str):
    campaign = campaign_for(slug)
    filters = _filters()
    pending = 0 if campaign.encrypted else _suggestions_pending(campaign)
    page = review_page(db.session, campaign, filters, request.args.get("answer", type=int), current_user.email)
    lang = str(get_locale())
    # One wording per questionnaire and item; the filter is by item, so one option per item with
    # the wordings of every questionnaire that asks it (two options would filter the same answers).
    items = open_items(db.session, campaign)
    wording = {(instrument, item_id): texts.get(lang) or texts.get("en") or item_id
               for instrument, per in items.items() for item_id, texts in per.items()}  # fmt: skip
    by_item: dict[str, list[str]] = {}
    for (_instrument, item_id), text in sorted(wording.items()):
        if text not in by_item.setdefault(item_id, []):
            by_item[item_id].append(text)
    questions = sorted((item_id, " / ".join(texts)) for item_id, texts in by_item.items())
    factors = [(key, factor, factor_name(factor, lang)) for key, factor in zip(KEYS, FACTOR_IDS, strict=True)]
    form = ReviewForm()
    return render_template("manage/review_answers.html", campaign=campaign, page=page, filters=filters, pending=pending,
                           factors=factors, other=(OTHER, factor_name(OTHER, lang)), questions=questions, form=form,
                           stats=review_stats(db.session, campaign), languages=campaign.languages,
                           source_name=campaign.name, wording=wording,
                           queue_url=partial(url_for, "manage.review_answers", slug=slug),
                           decide_url=partial(url_for, "manage.review_answers_decide", slug=slug))  # fmt: skip


@bp.post("/campaigns/<slug>/review/answers")
@role_required(*CODERS)
def review_answers_decide(slug: str):
    campaign = campaign_for(slug)
    filters = _filters()
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("The decision was not saved: the form was incomplete or expired; please try again."), "error")
        return redirect(url_for("manage.review_answers", slug=slug, **filters.as_args()))
    answer_id = form.answer_id.data
    # The next answer is taken before saving: under "unreviewed", this one then leaves the queue.
    following = review_page(db.session, campaign, filters, answer_id, current_user.email).next
    source = CodingSource.second_coder if filters.second else CodingSource.reviewer
    try:
        stored = record_text_decision(db.session, campaign, answer_id, form.labels.data or [],
                                      form.primary.data or None, actor=actor(), source=source)  # fmt: skip
    except CodingError as exc:
        db.session.rollback()
        flash(localized(exc), "error")
        return redirect(url_for("manage.review_answers", slug=slug, answer=answer_id, **filters.as_args()))
    confirm_saved(stored)
    return redirect(url_for("manage.review_answers", slug=slug, answer=following, **filters.as_args()), 303)


@bp.post("/campaigns/<slug>/review/second-coding")
@role_required(Role.manager)
def review_second_coding(slug: str):
    campaign = campaign_for(slug)
    form = SecondCodingForm()
    if form.validate_on_submit():
        try:
            set_second_coding(db.session, campaign, form.percent.data, actor=actor())
        except ReviewError as exc:
            db.session.rollback()
            flash(localized(exc), "error")
        else:
            flash(_("Second coding: %(n)s %% of the reviewed answers.", n=form.percent.data), "ok")
    else:
        flash("; ".join(str(e) for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("manage.campaign", slug=slug))
