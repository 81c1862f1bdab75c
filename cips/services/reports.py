"""Build the thematic report of a campaign: data from the database, computation in ``analysis``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from analysis.report import Report, ReportInput, build_report
from cips.instruments.service import definition_of
from cips.models import Administration, Campaign
from cips.services.campaigns import current_versions
from cips.services.datasets import CampaignData, load_campaign_data
from cips.services.labels import stratum_label
from cips.services.measures import as_records, measures
from cips.services.messages import N_


class ReportError(ValueError):
    pass


def previous_wave(session: Session, campaign: Campaign) -> Campaign | None:
    """The same administration's campaign of the wave before, if any."""
    query = select(Campaign).where(
        Campaign.administration_id == campaign.administration_id, Campaign.wave == campaign.wave - 1
    )
    return session.exec(query).first()


def report_input(session: Session, campaign: Campaign, lang: str, weighted: bool = True,
                 context: bool = True, data: CampaignData | None = None) -> ReportInput:  # fmt: skip
    """What the report of ``campaign`` reads; ``weighted``: respondents weighted to the stored
    populations (``analysis.weights.design_weights``), else every respondent counts 1.
    ``context`` False: without the previous wave and the review (the dashboard's indices).
    ``data``: the campaign's data in ``lang``, when the caller read it already."""
    from analysis.weights import design_weights

    data = data if data is not None else load_campaign_data(session, campaign, lang)
    admin = session.get(Administration, campaign.administration_id)
    previous = previous_wave(session, campaign) if context else None
    prev_input = report_input(session, previous, lang, weighted) if previous is not None else None
    if prev_input is not None:
        prev_input.previous = None  # one step back is what the report compares
    definitions = {key: definition_of(row) for key, row in current_versions(session, campaign).items()}
    labels = {key: {stratum: stratum_label(definitions[key], stratum, lang) for stratum in targets}
              for key, targets in (campaign.quotas or {}).items() if key in definitions}  # fmt: skip
    weights, weighting = None, {}
    if weighted and campaign.populations and not data.respondents.empty:
        weights, weighting = design_weights(data.respondents, campaign.populations)
    return ReportInput(title=campaign.name, administration=admin.name if admin else "", wave=campaign.wave,
                       respondents=data.respondents, answers=data.answers, items=data.items,
                       quotas=campaign.quotas, populations=campaign.populations or {}, previous=prev_input,
                       measures=as_records(measures(session, previous)) if previous is not None else [],
                       stratum_labels=labels, excluded=data.excluded, weights=weights,
                       weighting=weighting,
                       **(reviewed_codes(session, campaign) if context else {}))  # fmt: skip


def reviewed_codes(session: Session, campaign: Campaign) -> dict[str, Any]:
    """The report's ``codes`` (people's decisions, by respondent and item) and ``review`` (the method note)."""
    from cips.services.coding import answer_codes
    from cips.services.review import review_stats

    frame = answer_codes(session, campaign)
    decided = frame[frame["coded_by"] != "model"] if not frame.empty else frame
    codes = {(str(r.respondent), str(r.item_id)): str(r.labels).split() for r in decided.itertuples()}
    if not codes:
        return {"codes": {}, "review": {}}
    stats = review_stats(session, campaign)
    review = {"reviewed": stats.reviewed, "open_answers": stats.open_answers, "model_kappa": stats.model_kappa,
              "model_pairs": stats.model_pairs, "coder_kappa": stats.coder_kappa,
              "second_coded": stats.second_coded}  # fmt: skip
    return {"codes": codes, "review": review}


def campaign_report(session: Session, slug: str, lang: str, progress: Callable[[str], None] | None = None,
                    embed_missing: bool = False, weighted: bool = True) -> Report:  # fmt: skip
    """The report; themes by meaning when the campaign's answers are all embedded (``embed_missing``:
    embed the rest first, for the command line; see ``cips.services.text_analysis``)."""
    from cips.services.text_analysis import sentence_embedder

    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None:
        raise ReportError(N_("no campaign %(slug)s (see `cips campaign list`)", slug=repr(slug)))
    inp = report_input(session, campaign, lang, weighted)
    if inp.respondents.empty:
        raise ReportError(N_("campaign %(slug)s has no submissions yet", slug=repr(slug)))
    return build_report(inp, lang=lang, progress=progress, embedder=sentence_embedder(), embed_missing=embed_missing)
