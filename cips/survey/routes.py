"""No-JavaScript fallback: ``/s/<campaign>/basic`` and ``/s/<campaign>/<instrument>/basic``.

The PWA (``cips.survey.pwa``) owns ``/s/<campaign>``; this server-rendered form stays
for browsers without JavaScript or service workers (the PWA's ``<noscript>`` links
here). It posts through the same ingestion service as the JSON API, so validation,
idempotency and quarantine are identical.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlmodel import select

from cips import clock
from cips.extensions import db
from cips.i18n import LANGUAGE_NAMES
from cips.instruments import logic
from cips.instruments.service import definition_of
from cips.models import Campaign, Instrument
from cips.services.campaigns import current_versions, is_open, public_campaign
from cips.services.invites import mark_opened
from cips.submissions import budget, ingest_payload
from cips.submissions.payload import plausible_time
from cips.survey.blueprint import bp
from cips.survey.forms import answers_from_form, build_form_class
from cips.survey.i18n import text_direction, ui
from cips.survey.notices import notice_for

#: What a browser posts for this form; anything else is refused with 415 before parsing.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _campaign(slug: str) -> Campaign:
    # Pages: unknown, draft or closed give the same answer. A posted form is a submission
    # instead: answers finished before the campaign closed must reach the submission rules
    # (stored, or quarantined with the reason), never be dropped by a 404.
    if request.method == "POST":
        campaign = db.session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    else:
        campaign = public_campaign(db.session, slug)
    if campaign is None:
        abort(404, "No survey with this link.")
    return campaign


def _language(offered: list[str]) -> str:
    asked = request.args.get("lang")
    if asked in offered:
        return asked
    if not offered:  # a campaign without languages (made before they were checked): nothing to show
        abort(404, "This survey is not available in any language yet.")
    return request.accept_languages.best_match(offered) or offered[0]


@bp.get("/<slug>/<key>")
def legacy_answer(slug: str, key: str):
    """Links to the former form address open the PWA with that questionnaire chosen."""
    args = {k: v for k, v in request.args.items() if k in ("lang", "t")}
    return redirect(url_for("survey.shell", slug=slug, i=key, **args))


@bp.get("/<slug>/basic")
def choose(slug: str):
    campaign = _campaign(slug)
    versions = current_versions(db.session, campaign)
    lang = _language(campaign.languages)
    if campaign.encrypted:
        return _needs_app(campaign, lang)
    if campaign.invite_only and not request.args.get("t"):
        return _invite_needed(campaign, lang)
    if len(versions) == 1:
        return redirect(url_for("survey.answer", slug=slug, key=next(iter(versions)), lang=lang,
                                **({"t": request.args["t"]} if request.args.get("t") else {})))  # fmt: skip
    titles = {key: definition_of(row).title.get(lang, row.title) for key, row in versions.items()}
    return render_template(
        "survey/choose.html", campaign=campaign, titles=titles, lang=lang, t=ui(lang),
        dir=text_direction(lang), is_open=is_open(campaign), token=request.args.get("t") or None,
        language_names=LANGUAGE_NAMES,
    )  # fmt: skip


@bp.route("/<slug>/<key>/basic", methods=["GET", "POST"])
def answer(slug: str, key: str):
    campaign = _campaign(slug)
    if campaign.encrypted:  # GET and POST alike: answers must never reach the server in clear
        return _needs_app(campaign, _language(campaign.languages))
    row = current_versions(db.session, campaign).get(key)
    if row is None:
        abort(404, "This questionnaire is not part of the survey.")
    definition = definition_of(row)
    offered = [lang for lang in campaign.languages if lang in definition.languages]
    lang = _language(offered)
    t = ui(lang)
    context = {"campaign": campaign, "definition": definition, "lang": lang, "languages": offered, "t": t,
               "dir": text_direction(lang), "language_names": LANGUAGE_NAMES}  # fmt: skip
    if not is_open(campaign) and request.method == "GET":
        return render_template("survey/closed.html", **context), 403
    if request.method == "POST" and request.mimetype not in FORM_TYPES:
        # Flask-WTF would read a JSON body as form data (and fail on a non-object): devices use the API.
        abort(415, "This form accepts form posts only (application/x-www-form-urlencoded or multipart/form-data).")
    if request.method == "GET" and campaign.invite_only and not request.args.get("t"):
        # Said before the questions, not after the respondent has answered them all.
        return _invite_needed(campaign, lang)

    form = build_form_class(definition, lang)()
    status = 200
    notices: list[str] = []
    if request.method == "GET":
        mark_opened(db.session, campaign.id, request.args.get("t"))  # response rates per batch of links
        form.submission_uuid.data = str(uuid.uuid4())
        form.started_at.data = clock.now().isoformat()
        form.invite_token.data = request.args.get("t", "")
    elif not is_open(campaign) and not (form.validate_on_submit() and form.consent.data):
        return render_template("survey/closed.html", **context), 403  # nothing to keep: no consent or no form
    elif form.validate_on_submit():
        if not form.consent.data:
            form.consent.errors = [t["consent_required"]]
            status = 422
        else:
            outcome = ingest_payload(db.session, _payload(form, campaign, row, lang),
                                     max_bytes=current_app.config["MAX_SUBMISSION_BYTES"],
                                     budget=budget.for_request(request.remote_addr))  # fmt: skip
            if outcome.stored:
                return render_template("survey/thanks.html", **context)
            if any(e["field"] == "campaign" for e in outcome.body.get("errors", [])):
                # Closed (or draft) by the write path's rule, like the API: quarantined with the reason.
                return render_template("survey/closed.html", **context), outcome.status
            status = outcome.status
            for error in outcome.body.get("errors", []):
                notice = notice_for(error["field"], error["message"], t, lang)
                if notice is not None:  # about the whole submission: a notice, not a field's error
                    notices.append(notice)
                    continue
                name = error["field"].removeprefix("answers.")
                target = form[name] if name in form else form.consent  # noqa: SIM401 (WTForms has no .get)
                target.errors = [*target.errors, _field_message(definition, name, error["message"], t, lang)]
    else:
        status = 400
    return render_template("survey/form.html", form=form, notices=notices,
                           items=_shown_items(definition, form), **context), status  # fmt: skip


def _field_message(definition, item_id: str, message: str, t: dict[str, str], lang: str) -> str:
    """An answer's error in the respondent's language where the questionnaire or the UI has it."""
    if "required" in message:
        return t["required"]
    item = definition.item_map().get(item_id)
    if item is not None and item.constraint_message and message in item.constraint_message.values():
        return item.constraint_message.get(lang, message)
    return message


def _shown_items(definition, form) -> dict[str, list]:
    """Each section's items as this respondent sees them: in their order (randomised sections, seeded
    by the submission uuid so a re-shown form keeps it), calculated ones left out, and after a post,
    only those asked given the answers posted (without JavaScript nothing can hide them live)."""
    orders = logic.orders_for(definition, form.submission_uuid.data or "")
    asked = None
    if request.method == "POST":
        asked = logic.walk(logic.logic_of(definition), answers_from_form(form, definition)).asked
    shown = {}
    for section in definition.sections:
        by_id = {item.id: item for item in section.items}
        ordered = [by_id[i] for i in orders.get(section.id, by_id)]
        shown[section.id] = [i for i in ordered if not i.calculate and (asked is None or i.id in asked)]
    return shown


def _invite_needed(campaign: Campaign, lang: str):
    """Invitation-only campaign opened without its ``t``: say so before any question."""
    t = ui(lang)
    return render_template("survey/notice.html", campaign=campaign, lang=lang, t=t, message=t["invite_needed"],
                           dir=text_direction(lang)), 403  # fmt: skip


def _needs_app(campaign: Campaign, lang: str):
    """Encrypted campaigns: this form cannot encrypt in the browser, so it is refused.

    Encrypting on the server instead would put every answer in clear in the server's memory,
    which is what end-to-end encryption promises never happens; the respondent is sent to the
    app (which needs JavaScript) instead.
    """
    return render_template("survey/needs_app.html", campaign=campaign, lang=lang, t=ui(lang),
                           dir=text_direction(lang)), 403  # fmt: skip


def _payload(form, campaign: Campaign, row: Instrument, lang: str) -> dict:
    definition = definition_of(row)
    try:
        submission_uuid = str(uuid.UUID(form.submission_uuid.data))
    except (TypeError, ValueError):
        submission_uuid = str(uuid.uuid4())
    # The start time is the server's own hidden field: an edited one (naive, year 1, year 9999)
    # is dropped like an unreadable one; refusing it would leave the respondent stuck on a
    # field they cannot see or fix.
    try:
        started = datetime.fromisoformat(form.started_at.data)
    except (TypeError, ValueError):
        started = None
    started_at = started.isoformat() if started is not None and plausible_time(started) else None
    return {
        "uuid": submission_uuid,
        "campaign": campaign.slug,
        "instrument": row.key,
        "instrument_version": row.version,
        "language": lang,
        "device_id": None,
        "started_at": started_at,
        "submitted_at": clock.now().isoformat(),
        # Answers to items not asked are dropped (the form shows every item); the order shown is kept.
        "answers": logic.asked_only(definition, answers_from_form(form, definition))
        | {logic.order_key(sid): order for sid, order in logic.orders_for(definition, submission_uuid).items()},
        **({"invite_token": form.invite_token.data} if form.invite_token.data else {}),
    }
