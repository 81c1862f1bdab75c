"""All tables, imported here so that ``SQLModel.metadata`` knows every one of them."""

from cips.models.administration import Administration, AdministrationCreate, AdministrationPublic
from cips.models.audit import AuditEvent
from cips.models.base import UTCDateTime, utcnow
from cips.models.campaign import (
    Campaign,
    CampaignCreate,
    CampaignInstrument,
    CampaignMode,
    CampaignPublic,
    CampaignStatus,
)
from cips.models.counter import CounterWindow
from cips.models.encrypted import EncryptedSubmission
from cips.models.exclusion import ExclusionCategory, SubmissionExclusion
from cips.models.instrument import Instrument, InstrumentPublic
from cips.models.invite import InviteToken
from cips.models.submission import Answer, QuarantinedSubmission, Submission, SubmissionPublic, SubmissionStatus
from cips.models.user import RecoveryCode, Role, User, UserCreate, UserPublic

__all__ = [
    "Administration",
    "AdministrationCreate",
    "AdministrationPublic",
    "Answer",
    "AuditEvent",
    "Campaign",
    "CampaignCreate",
    "CampaignInstrument",
    "CampaignMode",
    "CampaignPublic",
    "CampaignStatus",
    "CounterWindow",
    "EncryptedSubmission",
    "ExclusionCategory",
    "Instrument",
    "InstrumentPublic",
    "InviteToken",
    "QuarantinedSubmission",
    "RecoveryCode",
    "Role",
    "Submission",
    "SubmissionExclusion",
    "SubmissionPublic",
    "SubmissionStatus",
    "UTCDateTime",
    "User",
    "UserCreate",
    "UserPublic",
    "utcnow",
]
