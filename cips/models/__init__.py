"""All tables, imported here so that ``SQLModel.metadata`` knows every one of them."""

from cips.models.action import ActionMeasure
from cips.models.administration import Administration
from cips.models.audit import AuditEvent
from cips.models.base import UTCDateTime, utcnow
from cips.models.briefing import Briefing, BriefingRow
from cips.models.campaign import (
    Campaign,
    CampaignCreate,
    CampaignInstrument,
    CampaignMode,
    CampaignStatus,
)
from cips.models.coding import DECIDING_SOURCES, Coding, CodingSource
from cips.models.counter import CounterWindow
from cips.models.encrypted import EncryptedSubmission
from cips.models.exclusion import ExclusionCategory, SubmissionExclusion
from cips.models.instrument import Instrument
from cips.models.invite import InviteToken
from cips.models.programme import AggregateImport, ProgrammeMember
from cips.models.submission import Answer, QuarantinedSubmission, Submission, SubmissionStatus
from cips.models.user import RecoveryCode, Role, User, UserCreate

__all__ = [
    "DECIDING_SOURCES",
    "ActionMeasure",
    "Administration",
    "AggregateImport",
    "Answer",
    "AuditEvent",
    "Briefing",
    "BriefingRow",
    "Campaign",
    "CampaignCreate",
    "CampaignInstrument",
    "CampaignMode",
    "CampaignStatus",
    "Coding",
    "CodingSource",
    "CounterWindow",
    "EncryptedSubmission",
    "ExclusionCategory",
    "Instrument",
    "InviteToken",
    "ProgrammeMember",
    "QuarantinedSubmission",
    "RecoveryCode",
    "Role",
    "Submission",
    "SubmissionExclusion",
    "SubmissionStatus",
    "UTCDateTime",
    "User",
    "UserCreate",
    "utcnow",
]
