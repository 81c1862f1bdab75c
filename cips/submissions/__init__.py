"""The write path for answers, shared by the API, the web form and the demo."""

from cips.submissions.payload import Outcome, SubmissionCreate
from cips.submissions.service import ingest_body, ingest_payload, quarantine

__all__ = ["Outcome", "SubmissionCreate", "ingest_body", "ingest_payload", "quarantine"]
