"""The ten key factors of the Revised Arusha Declaration, with the ids used everywhere.

This module is the single source of truth for factor ids: the questionnaires, the
codebook, the classifier and the reports all refer to these strings.
"""

from __future__ import annotations

FACTORS: dict[str, str] = {
    "leadership": "Leadership and Commitment",
    "regulatory": "Regulatory Framework",
    "transparency": "Transparency",
    "automation": "Automation",
    "reform": "Reform and Modernization",
    "audit": "Audit and Investigation",
    "conduct": "Code of Conduct",
    "hrm": "Human Resource Management",
    "culture": "Morale and Organizational Culture",
    "private_sector": "Relationship with the Private Sector",
}

#: Label for text about none of the ten factors.
OTHER = "other"

FACTOR_IDS: tuple[str, ...] = tuple(FACTORS)

#: Languages every questionnaire and codebook entry must cover.
CORE_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt")
