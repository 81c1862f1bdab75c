"""Create and list campaigns."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from analysis.privacy import MIN_CELL
from cips import clock
from cips.crypto.seal import KeyFileError, load_public_pem
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of, latest_version
from cips.models import (
    Administration,
    Campaign,
    CampaignCreate,
    CampaignInstrument,
    CampaignMode,
    CampaignStatus,
    EncryptedSubmission,
    Instrument,
    QuarantinedSubmission,
    Submission,
)
from cips.services import audit
from cips.services.messages import N_

#: A campaign slug, matched whole (``fullmatch``): ``$`` in a pattern would also accept a
#: trailing newline, and the slug goes into every survey link.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
#: Largest quota target or population: far above any survey, and within a 32-bit integer.
MAX_TARGET = 1_000_000


class CampaignError(ValueError):
    """A campaign request that cannot be carried out, with a message for the user."""


class UnknownAdministration(CampaignError):
    """The administration named does not exist (and creating one was not asked for)."""


def check_slug(slug: str) -> None:
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise CampaignError(N_("slug %(slug)s: use 1 to 64 lower-case letters, digits and hyphens, "
                               "starting with a letter or digit", slug=repr(slug)))  # fmt: skip


def check_name(label: str, value: str) -> str:
    """A name that must say something: stripped, and refused when blank."""
    value = (value or "").strip()
    if not value:
        # One whole sentence per label: "the %(label)s" could not be translated.
        empty = {"name": N_("the name must not be empty"), "administration": N_("the administration must not be empty")}
        raise CampaignError(empty.get(label) or N_("the %(label)s must not be empty", label=label))
    return value


def check_mode(mode: CampaignMode, invite_only: bool) -> None:
    # Invitation tokens are handed out for online links only: a station campaign that
    # requires one could never receive a single submission.
    if invite_only and mode is not CampaignMode.online:
        raise CampaignError(N_("invitation-only is for campaigns in online mode, not survey stations"))


def check_languages(languages: list[str], instruments: list[Instrument]) -> None:
    """At least one language, none twice, each one offered by every questionnaire."""
    if not languages:
        raise CampaignError(N_("a campaign needs at least one language"))
    repeated = sorted({lang for lang in languages if languages.count(lang) > 1})
    if repeated:
        raise CampaignError(N_("language %(languages)s is listed more than once", languages=", ".join(repeated)))
    for row in instruments:
        missing = set(languages) - set(definition_of(row).languages)
        if missing:
            raise CampaignError(N_("instrument %(key)s v%(version)s has no %(languages)s translation", key=row.key,
                                   version=str(row.version), languages=", ".join(sorted(missing))))  # fmt: skip


def check_populations(populations: dict[str, Any], quotas: dict[str, Any]) -> None:
    for key, sizes in populations.items():
        for stratum, size in sizes.items():
            if stratum not in quotas.get(key, {}):
                raise CampaignError(N_("population for %(key)s:%(stratum)s, which has no target",
                                       key=key, stratum=stratum))  # fmt: skip
            if not isinstance(size, int) or not quotas[key][stratum] <= size <= MAX_TARGET:
                raise CampaignError(N_("population %(key)s:%(stratum)s: a whole number from the target to %(max)s",
                                       key=key, stratum=stratum, max=MAX_TARGET))  # fmt: skip


def check_campaign_encryption(data: CampaignCreate, instruments: list[Instrument]) -> None:
    """Refuse an inconsistent encrypted campaign before it is stored.

    Plaintext strata must be single-choice strata an instrument declares: the one kind of
    answer whose disclosure the design already accepts for quotas.
    """
    strata = list(data.plaintext_strata or [])
    if not data.encrypted:
        if strata:
            raise CampaignError("plaintext strata are for encrypted campaigns (--encrypt)")
        if data.public_key:
            raise CampaignError("a public key is for encrypted campaigns (--encrypt)")
        return
    if not data.public_key:
        raise CampaignError("an encrypted campaign needs a public key")
    try:
        load_public_pem(data.public_key)
    except KeyFileError as exc:
        raise CampaignError(f"public key: {exc}") from exc
    declared = {}
    for row in instruments:
        definition = definition_of(row)
        items = definition.item_map()
        for item_id in definition.strata:
            if item_id in items and items[item_id].type is ItemType.single:
                declared.setdefault(item_id, []).append(row.key)
    for item_id in strata:
        if item_id not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise CampaignError(f"plaintext stratum {item_id!r} is not a stratum of this campaign's questionnaires "
                                f"(strata: {known})")  # fmt: skip


def administration_names(session: Session) -> list[str]:
    """Names of the administrations, sorted: shown when a command creates a new one, so a typo shows."""
    return sorted(session.exec(select(Administration.name)).all())


def check_administration_known(session: Session, name: str) -> None:
    """Refuse a campaign for an administration that does not exist yet, naming the ones that do.

    A mistyped name would otherwise create a second administration whose managers see none of
    the campaigns of the first. The first administration of an empty instance cannot be a typo
    and is created; a further one must be asked for (``new_administration``).
    """
    known = administration_names(session)
    if known and name not in known:
        raise UnknownAdministration(N_("unknown administration %(name)s (existing: %(known)s)", name=repr(name),
                                       known=", ".join(map(repr, known))))  # fmt: skip


def get_or_create_administration(session: Session, name: str, country_code: str | None = None) -> Administration:
    admin = session.exec(select(Administration).where(Administration.name == name)).first()
    if admin is None:
        admin = Administration(name=name, country_code=country_code)
        session.add(admin)
        session.flush()
    return admin


def _resolve_instrument(session: Session, spec: str) -> Instrument:
    key, _, version = spec.partition(":")
    if version:
        if not version.isdigit():
            raise CampaignError(N_("instrument %(spec)s: version must be a number", spec=repr(spec)))
        row = session.exec(select(Instrument).where(Instrument.key == key, Instrument.version == int(version))).first()
    else:
        row = latest_version(session, key)
    if row is None:
        raise CampaignError(N_("instrument %(spec)s is not loaded (run `cips instruments load`)", spec=repr(spec)))
    return row


def _check_quotas(quotas: dict[str, Any], instruments: list[Instrument]) -> None:
    """Quota keys are ``item=value[,item=value]`` over the instrument's declared strata."""
    by_key = {row.key: definition_of(row) for row in instruments}
    for key, targets in quotas.items():
        definition = by_key.get(key)
        if definition is None:
            raise CampaignError(N_("quota for %(key)s, which is not an instrument of this campaign", key=repr(key)))
        items = definition.item_map()
        for stratum, target in targets.items():
            if not isinstance(target, int) or not MIN_CELL <= target <= MAX_TARGET:
                # A smaller target is no sample design, and the dashboard's "reached" mark
                # would then reveal counts that are otherwise shown as n<5.
                raise CampaignError(N_("quota %(key)s:%(stratum)s: target must be a whole number of at least %(min)s "
                                       "and at most %(max)s", key=key, stratum=stratum, min=MIN_CELL,
                                       max=MAX_TARGET))  # fmt: skip
            seen: set[str] = set()
            for part in stratum.split(","):
                item_id, _, value = part.partition("=")
                if item_id in seen:  # "north and south at once": a stratum no respondent can be in
                    raise CampaignError(N_("quota %(key)s:%(stratum)s: %(item)s appears more than once",
                                           key=key, stratum=stratum, item=repr(item_id)))  # fmt: skip
                seen.add(item_id)
                item = items.get(item_id)
                if item_id not in definition.strata or item is None or item.type is not ItemType.single:
                    raise CampaignError(N_("quota %(key)s:%(stratum)s: %(item)s is not a stratum of %(key)s",
                                           key=key, stratum=stratum, item=repr(item_id)))  # fmt: skip
                if value not in {c.value for c in item.choices or []}:
                    raise CampaignError(N_("quota %(key)s:%(stratum)s: %(value)s is not a choice of %(item)s",
                                           key=key, stratum=stratum, value=repr(value), item=item_id))  # fmt: skip
        _check_levels(key, targets)


def _check_levels(key: str, targets: dict[str, Any]) -> None:
    """One questionnaire's strata cross the same items, or items none of the others use.

    Strata over overlapping items (regions, and regions × functions) share totals: a count the
    dashboard hides as n<5 in one could be computed from figures shown in the other.
    """
    levels = {frozenset(part.partition("=")[0] for part in stratum.split(",")) for stratum in targets}
    for a in levels:
        for b in levels:
            if a != b and a & b:
                raise CampaignError(N_("quotas of %(key)s: strata over %(first)s and over %(second)s overlap; use the "
                                       "same items for every stratum (or items no other stratum uses), so that "
                                       "hidden small counts cannot be worked out by subtraction", key=key,
                                       first=" × ".join(sorted(a)), second=" × ".join(sorted(b))))  # fmt: skip


def create_campaign(
    session: Session, data: CampaignCreate, *, actor: str, new_administration: bool = False
) -> Campaign:
    """Checked here, not in the CLI or the form, so that both refuse the same campaigns.

    ``new_administration``: create ``data.administration`` if it does not exist (else refused
    when other administrations exist, see ``check_administration_known``).
    """
    check_slug(data.slug)
    data.name = check_name("name", data.name)
    data.administration = check_name("administration", data.administration)
    check_mode(CampaignMode(data.mode), data.invite_only)
    if session.exec(select(Campaign).where(Campaign.slug == data.slug)).first():
        raise CampaignError(N_("a campaign with slug %(slug)s already exists", slug=repr(data.slug)))
    if not data.instruments:
        raise CampaignError(N_("a campaign needs at least one instrument"))
    instruments = [_resolve_instrument(session, spec) for spec in data.instruments]
    check_languages(data.languages, instruments)
    if data.opens_at and data.closes_at and data.opens_at >= data.closes_at:
        raise CampaignError(N_("the campaign must open before it closes"))
    _check_quotas(data.quotas, instruments)
    check_populations(data.populations, data.quotas)
    check_campaign_encryption(data, instruments)
    if not new_administration:
        check_administration_known(session, data.administration)
    admin = get_or_create_administration(session, data.administration)
    campaign = Campaign.model_validate(data, update={"administration_id": admin.id})
    if campaign.status is CampaignStatus.closed:  # made closed (an earlier wave): closed at its date, or now
        campaign.closed_at = campaign.closes_at or clock.now()
    session.add(campaign)
    session.flush()
    for row in instruments:
        session.add(CampaignInstrument(campaign_id=campaign.id, instrument_id=row.id))
    audit.record(session, actor, "campaign.create", campaign.slug, instruments=data.instruments)
    session.commit()
    return campaign


def campaign_instruments(session: Session, campaign: Campaign) -> list[Instrument]:
    return list(
        session.exec(
            select(Instrument)
            .join(CampaignInstrument, CampaignInstrument.instrument_id == Instrument.id)
            .where(CampaignInstrument.campaign_id == campaign.id)
            .order_by(Instrument.key, Instrument.version)
        )
    )


def current_versions(session: Session, campaign: Campaign) -> dict[str, Instrument]:
    """Newest version of each instrument the campaign accepts (new respondents get it)."""
    latest: dict[str, Instrument] = {}
    for row in campaign_instruments(session, campaign):
        if row.key not in latest or row.version > latest[row.key].version:
            latest[row.key] = row
    return latest


def has_responses(session: Session, campaign: Campaign) -> bool:
    """Whether any answer arrived (sealed ones count: they are responses too)."""
    stored = EncryptedSubmission if campaign.encrypted else Submission
    return session.exec(select(stored.id).where(stored.campaign_id == campaign.id).limit(1)).first() is not None


def get_campaign(session: Session, slug: str) -> Campaign:
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None:
        raise CampaignError(N_("no campaign with slug %(slug)s", slug=repr(slug)))
    return campaign


def public_campaign(session: Session, slug: str) -> Campaign | None:
    """The campaign ``slug`` as anonymous clients may see it: only while its status is open.

    Drafts, closed campaigns and unknown slugs all give None, so the survey pages and the
    campaign document (404 alike) tell no one which campaigns exist, are being prepared
    or have ended. Submissions do not go through this: a tablet that synchronises after
    the campaign closed must still deliver its records.
    """
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    return campaign if campaign is not None and campaign.status is CampaignStatus.open else None


def is_open(campaign: Campaign, now: datetime | None = None) -> bool:
    """Open for new respondents: status open and inside the opening dates, if any.

    Uploads follow their own rule (``cips.submissions.window``): a tablet that comes back online
    after the campaign closed still delivers records finished before closing, within the grace period.
    """
    now = now or clock.now()  # the app's clock: tests move it instead of depending on today
    return (
        campaign.status is CampaignStatus.open
        and (campaign.opens_at is None or campaign.opens_at <= now)
        and (campaign.closes_at is None or now < campaign.closes_at)
    )


def campaign_summaries(session: Session, visible: Callable[[Campaign], bool] | None = None) -> list[dict[str, Any]]:
    """One dict per campaign (only those ``visible`` accepts): slug, mode, instruments with versions, counts."""
    stored: dict[int, int] = {}
    for table in (Submission, EncryptedSubmission):  # envelopes are counted without decrypting
        for campaign_id, n in session.exec(select(table.campaign_id, func.count()).group_by(table.campaign_id)):
            stored[campaign_id] = stored.get(campaign_id, 0) + n
    quarantined = dict(
        session.exec(
            select(QuarantinedSubmission.claimed_campaign, func.count()).group_by(
                QuarantinedSubmission.claimed_campaign
            )
        ).all()
    )
    out = []
    for campaign in session.exec(select(Campaign).order_by(Campaign.slug)):
        if visible is not None and not visible(campaign):
            continue
        admin = session.get(Administration, campaign.administration_id)
        out.append(
            {
                "slug": campaign.slug,
                "name": campaign.name,
                "administration": admin.name if admin else None,
                "wave": campaign.wave,
                "mode": campaign.mode.value,
                "status": campaign.status.value,
                "languages": campaign.languages,
                "invite_only": campaign.invite_only,
                "encrypted": campaign.encrypted,
                "station_pin": campaign.station_pin_hash is not None,
                "instruments": [
                    {"key": row.key, "version": row.version} for row in campaign_instruments(session, campaign)
                ],
                "submissions": stored.get(campaign.id, 0),
                "quarantined": quarantined.get(campaign.slug, 0),
            }
        )
    return out
