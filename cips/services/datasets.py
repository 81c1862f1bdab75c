"""Campaign data as tidy pandas frames, the plain data ``analysis`` works on.

The app queries; the library computes. Nothing here knows about scores or themes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from cips.instruments.logic import ORDER_PREFIX
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of
from cips.models import Answer, Campaign, Instrument, Submission
from cips.services.campaigns import campaign_instruments
from cips.services.exclusions import counted, excluded_counts


@dataclass
class CampaignData:
    """Respondents, answers and items of one campaign.

    ``respondents``: one row per submission (``respondent`` = uuid, ``instrument``,
    ``version``, ``language``, ``submitted_at`` and one column per stratum item).
    ``answers``: ``respondent``, ``item_id``, ``value`` (numbers), ``text``.
    ``items``: ``instrument``, ``item_id``, ``type``, ``factor``, ``reverse``, ``text`` (in ``lang``).
    Submissions a manager excluded are in none of the frames; ``excluded`` counts them per category.
    """

    campaign: Campaign
    respondents: pd.DataFrame
    answers: pd.DataFrame
    items: pd.DataFrame
    strata: dict[str, list[str]]
    excluded: dict[str, int] = field(default_factory=dict)


def item_table(instruments: list[Instrument], lang: str) -> pd.DataFrame:
    rows = []
    for row in instruments:
        definition = definition_of(row)
        for item in definition.items():
            rows.append({
                "instrument": row.key, "version": row.version, "item_id": item.id, "type": item.type.value,
                "factor": item.factor if item.type is ItemType.likert5 else None, "reverse": item.reverse,
                "text": item.text.get(lang) or item.text.get("en") or next(iter(item.text.values())),
            })  # fmt: skip
    items = pd.DataFrame(rows)
    # Several versions of one questionnaire: describe each item once, by its newest wording.
    return items.sort_values("version").drop_duplicates(["instrument", "item_id"], keep="last").reset_index(drop=True)


def load_campaign_data(session: Session, campaign: Campaign, lang: str = "en") -> CampaignData:
    instruments = campaign_instruments(session, campaign)
    by_id = {row.id: row for row in instruments}
    conn = session.connection()
    subs = pd.DataFrame(
        conn.execute(
            select(Submission.id, Submission.uuid, Submission.instrument_id, Submission.language,
                   Submission.submitted_at).where(counted(campaign.id))
        ).all(),
        columns=["submission_id", "respondent", "instrument_id", "language", "submitted_at"],
    )  # fmt: skip
    subs["respondent"] = subs["respondent"].astype(str)
    subs["instrument"] = subs["instrument_id"].map(lambda i: by_id[i].key)
    subs["version"] = subs["instrument_id"].map(lambda i: by_id[i].version)
    answers = pd.DataFrame(
        conn.execute(
            select(Answer.submission_id, Answer.item_id, Answer.value_num, Answer.value_text)
            .join(Submission, Submission.id == Answer.submission_id)
            .where(counted(campaign.id))
        ).all(),
        columns=["submission_id", "item_id", "value", "text"],
    )
    answers = answers.merge(subs[["submission_id", "respondent"]], on="submission_id").drop(columns="submission_id")
    # The order a randomised section was shown in is paradata, not an answer to analyse.
    answers = answers[~answers["item_id"].str.startswith(ORDER_PREFIX)]
    strata = {row.key: list(definition_of(row).strata) for row in instruments}
    stratum_items = sorted({s for items in strata.values() for s in items})
    if stratum_items:
        wide = (answers[answers["item_id"].isin(stratum_items)]
                .pivot_table(index="respondent", columns="item_id", values="text", aggfunc="first"))  # fmt: skip
        subs = subs.merge(wide, left_on="respondent", right_index=True, how="left")
    respondents = subs.drop(columns=["submission_id", "instrument_id"]).reset_index(drop=True)
    return CampaignData(campaign, respondents, answers[["respondent", "item_id", "value", "text"]],
                        item_table(instruments, lang), strata, excluded_counts(session, campaign))  # fmt: skip
