"""What the no-JavaScript form says when the server refuses a whole submission.

Invitation and conflict refusals are about the submission, not about one question: they are
shown as a notice in the respondent's language (the PWA's texts, ``cips.survey.i18n``), never
as the API's English message under a form field's name.
"""

from __future__ import annotations

from cips.submissions.payload import INVITE_NEEDED, INVITE_USED, UUID_CONFLICT

#: A Back + resubmit with changed answers: the first answers are kept (409 from the service).
ALREADY_SENT: dict[str, str] = {
    "en": "These answers were already sent from this page, and the answers recorded then are kept. "
          "To answer again, start a new questionnaire.",
    "fr": "Ces réponses ont déjà été envoyées depuis cette page, et les réponses enregistrées alors sont conservées. "
          "Pour répondre à nouveau, commencez un nouveau questionnaire.",
    "es": "Estas respuestas ya se enviaron desde esta página y se conservan las respuestas registradas entonces. "
          "Para responder de nuevo, inicie un nuevo cuestionario.",
    "pt": "Estas respostas já foram enviadas a partir desta página e as respostas registadas nessa altura "
          "são mantidas. Para responder novamente, inicie um novo questionário.",
}  # fmt: skip


def notice_for(field: str, message: str, t: dict[str, str], lang: str) -> str | None:
    """The respondent's text for a refusal of the whole submission, or None for a question's error."""
    if field == "invite_token":
        return {INVITE_USED: t["invite_used"], INVITE_NEEDED: t["invite_needed"]}.get(message, t["invite_unknown"])
    if field == "uuid" and message == UUID_CONFLICT:
        return ALREADY_SENT.get(lang, ALREADY_SENT["en"])
    return None
