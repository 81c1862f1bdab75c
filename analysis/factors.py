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

#: What each factor covers, from the coding guide (shown to reviewers beside the ids).
FACTOR_DEFINITIONS: dict[str, str] = {
    "leadership": "Head of customs / top management responsibility, commitment, setting the example, political "
                  "will, integrity as strategic priority, integrity in the strategic plan.",
    "regulatory": "Laws, regulations, procedures simplified and harmonized, red tape, formalities, duty "
                  "rates/exemptions, standards/guidelines/regulatory texts, international conventions.",
    "transparency": "Publishing rules/procedures/decisions, clients' right to appeal/complain, service standards, "
                    "openness of clearance actions, disclosure of results/survey reports to the public.",
    "automation": "IT systems, computerisation, electronic processing, reducing face-to-face contact and discretion "
                  "through technology.",
    "reform": "Modernising systems and procedures, reform programmes, Revised Kyoto Convention, removing incentives "
              "to bypass procedures.",
    "audit": "Internal control, internal audit, internal affairs, complaints handling and administrative "
             "investigations, asset declarations, monitoring/detection, sanctions, whistle-blowing channels and "
             "confidential reporting mechanisms.",
    "conduct": "Code of conduct/ethics, clear rules of behaviour, conflict of interest, gifts, ethics guidance "
               "documents.",
    "hrm": "Recruitment, selection, training/capacity building of staff, professionalism, rotation, remuneration, "
           "promotion, performance appraisal, certification of practitioners.",
    "culture": "Staff morale, esprit de corps, ownership/involvement of staff at all levels, organisational culture, "
               "values, recognition of staff, integrity committees/networks inside the administration.",
    "private_sector": "Engagement with traders, brokers, private-sector associations, MoUs with business, "
                      "public-private dialogue, awareness campaigns for users/society, consultation of stakeholders, "
                      "complaint desks for users.",
    "other": "None of the ten: generic praise of the programme, the WCO's role, sharing of experiences between "
             "administrations, international cooperation/information exchange between customs, self-assessment "
             "in general. Only when no factor applies (then it is the only label).",
}  # fmt: skip

#: Label for text about none of the ten factors.
OTHER = "other"

FACTOR_IDS: tuple[str, ...] = tuple(FACTORS)

#: Languages every questionnaire and codebook entry must cover.
CORE_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt")

#: Non-substantive answers a statement may offer ("don't know", "prefer not to say"): stored as these
#: words, never as a scale point, so scores leave them out and reports show their share apart.
NON_SUBSTANTIVE: tuple[str, ...] = ("dont_know", "refused")

#: Factor names in the report languages.
FACTOR_NAMES: dict[str, dict[str, str]] = {
    "en": FACTORS,
    "fr": {
        "leadership": "Leadership et engagement", "regulatory": "Cadre réglementaire", "transparency": "Transparence",
        "automation": "Automatisation", "reform": "Réforme et modernisation", "audit": "Audit et enquêtes",
        "conduct": "Code de conduite", "hrm": "Gestion des ressources humaines",
        "culture": "Moral et culture organisationnelle", "private_sector": "Relations avec le secteur privé",
    },
    "es": {
        "leadership": "Liderazgo y compromiso", "regulatory": "Marco normativo", "transparency": "Transparencia",
        "automation": "Automatización", "reform": "Reforma y modernización", "audit": "Auditoría e investigación",
        "conduct": "Código de conducta", "hrm": "Gestión de recursos humanos",
        "culture": "Moral y cultura organizacional", "private_sector": "Relación con el sector privado",
    },
    "pt": {
        "leadership": "Liderança e compromisso", "regulatory": "Quadro regulatório", "transparency": "Transparência",
        "automation": "Automação", "reform": "Reforma e modernização", "audit": "Auditoria e investigação",
        "conduct": "Código de conduta", "hrm": "Gestão de recursos humanos",
        "culture": "Moral e cultura organizacional", "private_sector": "Relação com o setor privado",
    },
}  # fmt: skip
OTHER_NAMES = {"en": "Other topics", "fr": "Autres sujets", "es": "Otros temas", "pt": "Outros temas"}


def factor_name(factor: str, lang: str = "en") -> str:
    if factor == OTHER:
        return OTHER_NAMES.get(lang, OTHER_NAMES["en"])
    return FACTOR_NAMES.get(lang, FACTORS).get(factor, factor)
