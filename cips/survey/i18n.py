"""Respondent-facing interface strings in the survey languages.

Questionnaire texts come from the YAML files; these are the few words around them.
(The manager side uses Flask-Babel catalogues; respondents' pages must work in
exactly the questionnaire's languages, so they are kept next to the survey.)
"""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "en": {
        "choose_language": "Language", "choose_questionnaire": "Choose your questionnaire",
        "consent_agree": "I have read the above and agree to take part.", "consent_required": "Please confirm your consent to continue.",
        "submit": "Submit my answers", "errors": "Some answers need your attention:", "thanks_title": "Thank you",
        "thanks": "Your answers have been recorded anonymously.", "closed": "This survey is not open.",
        "optional": "optional", "skip_hint": "You may leave any statement unanswered.", "another": "Start a new questionnaire",
        "required": "This question needs an answer.",
    },
    "fr": {
        "choose_language": "Langue", "choose_questionnaire": "Choisissez votre questionnaire",
        "consent_agree": "J'ai lu ce qui précède et j'accepte de participer.", "consent_required": "Veuillez confirmer votre consentement pour continuer.",
        "submit": "Envoyer mes réponses", "errors": "Certaines réponses demandent votre attention :", "thanks_title": "Merci",
        "thanks": "Vos réponses ont été enregistrées de façon anonyme.", "closed": "Cette enquête n'est pas ouverte.",
        "optional": "facultatif", "skip_hint": "Vous pouvez laisser sans réponse toute affirmation.", "another": "Commencer un nouveau questionnaire",
        "required": "Cette question demande une réponse.",
    },
    "es": {
        "choose_language": "Idioma", "choose_questionnaire": "Elija su cuestionario",
        "consent_agree": "He leído lo anterior y acepto participar.", "consent_required": "Confirme su consentimiento para continuar.",
        "submit": "Enviar mis respuestas", "errors": "Algunas respuestas requieren su atención:", "thanks_title": "Gracias",
        "thanks": "Sus respuestas se registraron de forma anónima.", "closed": "Esta encuesta no está abierta.",
        "optional": "opcional", "skip_hint": "Puede dejar sin respuesta cualquier afirmación.", "another": "Iniciar un nuevo cuestionario",
        "required": "Esta pregunta requiere una respuesta.",
    },
    "pt": {
        "choose_language": "Idioma", "choose_questionnaire": "Escolha o seu questionário",
        "consent_agree": "Li o texto acima e aceito participar.", "consent_required": "Confirme o seu consentimento para continuar.",
        "submit": "Enviar as minhas respostas", "errors": "Algumas respostas precisam da sua atenção:", "thanks_title": "Obrigado",
        "thanks": "As suas respostas foram registradas de forma anônima.", "closed": "Esta pesquisa não está aberta.",
        "optional": "opcional", "skip_hint": "Pode deixar qualquer afirmação sem resposta.", "another": "Iniciar um novo questionário",
        "required": "Esta pergunta precisa de uma resposta.",
    },
}  # fmt: skip

#: Scripts written right to left, for the ``dir`` attribute.
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def ui(lang: str) -> dict[str, str]:
    return UI.get(lang, UI["en"])
