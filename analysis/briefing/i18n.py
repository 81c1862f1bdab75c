"""Words and sentence templates of the briefing in its four languages.

Kept like ``analysis.report.i18n``: one dict per language, same keys in each (a test
checks it). Templates take ``{n}``, ``{total}``, ``{topics}`` and ``{verb}``; verbs rotate
from theme to theme so a page of synthesis sentences does not read as one sentence
repeated.
"""

from __future__ import annotations

from analysis.numbers import number

TEXT: dict[str, dict[str, object]] = {
    "en": {
        "title": "Partner administrations' contributions: summary",
        "one": "One contribution {verb} {topics}.",
        "several": "Several contributions ({n}) {verb} {topics}.",
        "many": "Many contributions ({n} of {total}) {verb} {topics}.",
        "verbs_one": ["raised", "mentioned", "pointed to"],
        "verbs_several": ["stressed", "highlighted", "pointed to"],
        "and": "and",
        "context": (
            "This document compiles, question by question, the {n} contributions received "
            "{contributors} in {languages}. Themes are ordered by the number of contributions that "
            "support them; quotes are reproduced verbatim in their original language and are "
            "anonymous unless the administration agreed to be named."
        ),
        "context_1": (
            "This document presents, question by question, the one contribution received {contributors}, in "
            "{languages}. Quotes are reproduced verbatim in their original language and are anonymous unless "
            "the administration agreed to be named."
        ),
        "contributors": "from {n} administrations",
        "contributors_1": "from one administration",
        "contributors_unknown": "from partner administrations",
        "key_messages": "Key messages",
        "key_messages_note": "Main themes across all questions; bar length: number of contributions.",
        "axis": "Number of contributions",
        "factor": "Arusha factor",
        "factors": "Arusha factors",
        "in_lang": "in {language}",
        "no_contribution": "No contribution was received on this question.",
        "no_comment": "{n} contributions had no particular comment.",
        "no_comment_1": "One contribution had no particular comment.",
        "other_points": "Other points raised by {n} contributions:",
        "other_points_1": "Another point was raised by one contribution:",
        "other_subjects": "other subjects",
        "other_subjects_label": "Other subjects",
        "answers_to": "{n} contributions on this question.",
        "answers_to_1": "One contribution on this question.",
        "method": "Method",
        "question_n": "Question {n}",
        "reviewed": "Contributions coded by a person: {reviewed} of {n}; by the model only: {machine}.",
        "method_text": (
            "First draft prepared automatically by CIPS: answers are split into their separate points, "
            "coded against the ten key factors of the Revised Arusha Declaration and grouped into "
            "themes; each synthesis sentence is built only from a theme's topics and its number of "
            "contributions. To be reviewed before circulation."
        ),
        "languages": {"en": "English", "fr": "French", "es": "Spanish", "pt": "Portuguese"},
    },
    "fr": {
        "title": "Contributions des administrations partenaires : synthèse",
        "one": "Une contribution {verb} {topics}.",
        "several": "Plusieurs contributions ({n}) {verb} {topics}.",
        "many": "De nombreuses contributions ({n} sur {total}) {verb} {topics}.",
        "verbs_one": ["a évoqué", "a mentionné", "a mis en avant"],
        "verbs_several": ["ont souligné", "ont mis en avant", "ont évoqué"],
        "and": "et",
        "context": (
            "Ce document rassemble, question par question, les {n} contributions reçues "
            "{contributors}, rédigées en {languages}. Les thèmes sont présentés selon le nombre de "
            "contributions qui les portent ; les citations sont reproduites telles qu'écrites, dans leur "
            "langue d'origine, et restent anonymes sauf accord de l'administration concernée."
        ),
        "context_1": (
            "Ce document présente, question par question, l'unique contribution reçue {contributors}, rédigée "
            "en {languages}. Les citations sont reproduites telles qu'écrites, dans leur langue d'origine, et "
            "restent anonymes sauf accord de l'administration concernée."
        ),
        "contributors": "de {n} administrations",
        "contributors_1": "d'une administration",
        "contributors_unknown": "d'administrations partenaires",
        "key_messages": "Messages clés",
        "key_messages_note": (
            "Principaux thèmes, toutes questions confondues ; longueur des barres : nombre de contributions."
        ),
        "axis": "Nombre de contributions",
        "factor": "Facteur d'Arusha",
        "factors": "Facteurs d'Arusha",
        "in_lang": "en {language}",
        "no_contribution": "Aucune contribution n'a été reçue sur cette question.",
        "no_comment": "{n} contributions sans commentaire particulier.",
        "no_comment_1": "Une contribution sans commentaire particulier.",
        "other_points": "Autres points soulevés par {n} contributions :",
        "other_points_1": "Autre point soulevé par une contribution :",
        "other_subjects": "d'autres sujets",
        "other_subjects_label": "Autres sujets",
        "answers_to": "{n} contributions sur cette question.",
        "answers_to_1": "Une contribution sur cette question.",
        "method": "Note de méthode",
        "question_n": "Question {n}",
        "reviewed": "Contributions codées par une personne : {reviewed} sur {n} ; par le modèle seul : {machine}.",
        "method_text": (
            "Premier projet établi automatiquement par CIPS : les réponses sont découpées en points, "
            "classées selon les dix facteurs clés de la Déclaration d'Arusha révisée et regroupées en "
            "thèmes ; chaque phrase de synthèse est construite uniquement à partir des sujets du thème "
            "et du nombre de contributions. À relire avant diffusion."
        ),
        "languages": {"en": "anglais", "fr": "français", "es": "espagnol", "pt": "portugais"},
    },
    "es": {
        "title": "Contribuciones de las administraciones asociadas: síntesis",
        "one": "Una contribución {verb} {topics}.",
        "several": "Varias contribuciones ({n}) {verb} {topics}.",
        "many": "Numerosas contribuciones ({n} de {total}) {verb} {topics}.",
        "verbs_one": ["mencionó", "señaló", "planteó"],
        "verbs_several": ["destacaron", "subrayaron", "mencionaron"],
        "and": "y",
        "context": (
            "Este documento reúne, pregunta por pregunta, las {n} contribuciones recibidas "
            "{contributors}, redactadas en {languages}. Los temas se ordenan según el número de "
            "contribuciones que los respaldan; las citas se reproducen textualmente en su idioma original "
            "y son anónimas salvo que la administración haya aceptado ser nombrada."
        ),
        "context_1": (
            "Este documento presenta, pregunta por pregunta, la única contribución recibida {contributors}, "
            "redactada en {languages}. Las citas se reproducen textualmente en su idioma original y son "
            "anónimas salvo que la administración haya aceptado ser nombrada."
        ),
        "contributors": "de {n} administraciones",
        "contributors_1": "de una administración",
        "contributors_unknown": "de administraciones asociadas",
        "key_messages": "Mensajes clave",
        "key_messages_note": (
            "Principales temas de todas las preguntas; longitud de las barras: número de contribuciones."
        ),
        "axis": "Número de contribuciones",
        "factor": "Factor de Arusha",
        "factors": "Factores de Arusha",
        "in_lang": "en {language}",
        "no_contribution": "No se recibió ninguna contribución sobre esta pregunta.",
        "no_comment": "{n} contribuciones sin comentario particular.",
        "no_comment_1": "Una contribución sin comentario particular.",
        "other_points": "Otros puntos planteados por {n} contribuciones:",
        "other_points_1": "Otro punto planteado por una contribución:",
        "other_subjects": "otros temas",
        "other_subjects_label": "Otros temas",
        "answers_to": "{n} contribuciones sobre esta pregunta.",
        "answers_to_1": "Una contribución sobre esta pregunta.",
        "method": "Nota metodológica",
        "question_n": "Pregunta {n}",
        "reviewed": "Contribuciones codificadas por una persona: {reviewed} de {n}; solo por el modelo: {machine}.",
        "method_text": (
            "Primer borrador elaborado automáticamente por CIPS: las respuestas se dividen en puntos, "
            "se clasifican según los diez factores clave de la Declaración de Arusha revisada y se "
            "agrupan en temas; cada frase de síntesis se construye solo a partir de los temas y del "
            "número de contribuciones. Debe revisarse antes de su difusión."
        ),
        "languages": {"en": "inglés", "fr": "francés", "es": "español", "pt": "portugués"},
    },
    "pt": {
        "title": "Contribuições das administrações parceiras: síntese",
        "one": "Uma contribuição {verb} {topics}.",
        "several": "Várias contribuições ({n}) {verb} {topics}.",
        "many": "Muitas contribuições ({n} de {total}) {verb} {topics}.",
        "verbs_one": ["mencionou", "referiu", "destacou"],
        "verbs_several": ["destacaram", "sublinharam", "referiram"],
        "and": "e",
        "context": (
            "Este documento reúne, pergunta a pergunta, as {n} contribuições recebidas "
            "{contributors}, redigidas em {languages}. Os temas são ordenados pelo número de "
            "contribuições que os sustentam; as citações são reproduzidas textualmente na língua original "
            "e são anónimas, salvo acordo da administração em ser identificada."
        ),
        "context_1": (
            "Este documento apresenta, pergunta a pergunta, a única contribuição recebida {contributors}, "
            "redigida em {languages}. As citações são reproduzidas textualmente na língua original e são "
            "anónimas, salvo acordo da administração em ser identificada."
        ),
        "contributors": "de {n} administrações",
        "contributors_1": "de uma administração",
        "contributors_unknown": "de administrações parceiras",
        "key_messages": "Mensagens-chave",
        "key_messages_note": "Principais temas de todas as perguntas; comprimento das barras: número de contribuições.",
        "axis": "Número de contribuições",
        "factor": "Fator de Arusha",
        "factors": "Fatores de Arusha",
        "in_lang": "em {language}",
        "no_contribution": "Não foi recebida nenhuma contribuição sobre esta pergunta.",
        "no_comment": "{n} contribuições sem comentário particular.",
        "no_comment_1": "Uma contribuição sem comentário particular.",
        "other_points": "Outros pontos levantados por {n} contribuições:",
        "other_points_1": "Outro ponto levantado por uma contribuição:",
        "other_subjects": "outros temas",
        "other_subjects_label": "Outros temas",
        "answers_to": "{n} contribuições sobre esta pergunta.",
        "answers_to_1": "Uma contribuição sobre esta pergunta.",
        "method": "Nota metodológica",
        "question_n": "Pergunta {n}",
        "reviewed": "Contribuições codificadas por uma pessoa: {reviewed} de {n}; apenas pelo modelo: {machine}.",
        "method_text": (
            "Primeiro rascunho preparado automaticamente pelo CIPS: as respostas são divididas em "
            "pontos, classificadas segundo os dez fatores-chave da Declaração de Arusha revista e "
            "agrupadas em temas; cada frase de síntese é construída apenas a partir dos temas e do "
            "número de contribuições. A rever antes da divulgação."
        ),
        "languages": {"en": "inglês", "fr": "francês", "es": "espanhol", "pt": "português"},
    },
}
LANGUAGES = tuple(TEXT)


def text(lang: str) -> dict[str, object]:
    if lang not in TEXT:
        raise ValueError(f"no briefing text for language {lang!r} (available: {', '.join(LANGUAGES)})")
    return TEXT[lang]


def s(lang: str, key: str) -> str:
    """One string of the briefing's language."""
    value = text(lang)[key]
    assert isinstance(value, str), key
    return value


def count(lang: str, key: str, n: int) -> str:
    """``key`` for ``n`` contributions: the ``_1`` variant (singular, no figure) when n is 1."""
    return s(lang, f"{key}_1") if n == 1 else s(lang, key).format(n=number(n, 0, lang))


def join(items: list[str], lang: str) -> str:
    """ "a, b and c" in the briefing's language."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {s(lang, 'and')} {items[-1]}"


def language_name(code: str, lang: str) -> str:
    names = text(lang)["languages"]
    assert isinstance(names, dict)
    return names.get(code, code)
