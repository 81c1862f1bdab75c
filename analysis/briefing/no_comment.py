"""Answers that only say there is nothing to say ("RAS", "Nada que señalar"), in en/fr/es/pt.

The briefing counts these ("2 contributions had no particular comment") instead of making
themes of them. The codebook's ``no_comment`` concept finds most, but a codebook term can
fire inside one ("signaler" is a whistle-blowing term, so "Rien à signaler" would become a
whistle-blowing theme), and the codebook is not changed for the briefing: the classifier's
training and its measured figures depend on it. So the briefing also keeps this list.

A text is a no-comment answer when, normalised (case, accents and punctuation ignored,
"merci"/"thank you" at the end dropped), it *is* one of the phrases: the whole answer or
point, never a phrase found inside a longer text ("None of the officers…" is an answer).
A bare "no", "nothing" or "rien" is not in the list: it can be the answer to the question.
Administrations often say it as a whole sentence ("Nous n'avons pas d'observation particulière
à formuler à ce stade."): ``_SENTENCES`` are those forms, matched on the whole answer too; one
that goes on to say something ("…, as the results are still being analysed") is an answer.
"""

from __future__ import annotations

import re
import unicodedata

_PHRASES = {
    "en": ["nothing to report", "nothing to add", "nothing further", "nothing further to add", "nothing to declare",
           "no comment", "no comments", "no further comment", "no further comments", "no particular comment",
           "no remarks", "no remark", "none", "nil", "n/a", "na", "not applicable"],
    "fr": ["RAS", "R.A.S.", "rien à signaler", "rien à ajouter", "rien à déclarer", "rien de particulier",
           "sans observation", "sans observations", "pas d'observation", "aucune observation",
           "pas de commentaire", "pas de commentaires", "sans commentaire", "aucun commentaire",
           "pas de remarque", "aucune remarque", "néant", "sans objet", "aucun", "aucune"],
    "es": ["nada que señalar", "nada que agregar", "nada que añadir", "nada que comentar", "nada que declarar",
           "nada que informar", "sin comentarios", "sin comentario", "ningún comentario", "sin observaciones",
           "ninguna observación", "ninguno", "ninguna", "no aplica", "no tengo comentarios"],
    "pt": ["nada a declarar", "nada a assinalar", "nada a acrescentar", "nada a referir", "nada a comentar",
           "sem comentários", "sem comentário", "nenhum comentário", "sem observações", "nenhuma observação",
           "nenhum", "nenhuma", "não se aplica"],
}  # fmt: skip
_NOUN = {
    "en": r"(?:comments?|remarks?|observations?)",
    "fr": r"(?:observations?|commentaires?|remarques?)",
    "es": r"(?:comentarios?|observaciones?)",
    "pt": r"(?:comentarios?|observacoes?)",
}
#: The sentence forms, on normalised text (no accents, no punctuation), each optionally closed by "at this stage".
_SENTENCES = [
    rf"(?:we|i) (?:have|do not have|don t have) (?:no|any) (?:particular |further |specific |additional )?{_NOUN['en']}"
    r"(?: to (?:make|add|report|offer))?",
    rf"(?:nous|je) n (?:avons|ai) (?:pas|aucune?) (?:d |de )?{_NOUN['fr']}(?: particulieres?| supplementaires?)?"
    r"(?: a (?:formuler|faire|ajouter|signaler))?",
    rf"no (?:tenemos|tengo|hay) (?:ningun |ninguna )?{_NOUN['es']}(?: adicional(?:es)?| particular(?:es)?)?"
    r"(?: que (?:hacer|formular|agregar|anadir))?",
    rf"(?:nao temos|nao tenho|nao ha) (?:nenhum |nenhuma )?{_NOUN['pt']}(?: adiciona(?:l|is)| particular(?:es)?)?"
    r"(?: a (?:fazer|formular|acrescentar))?",
]
_LATER = (
    r"(?: (?:at this (?:stage|point|time)|for now|at present|for the time being|a ce stade|pour le moment"
    r"|pour l instant|a l heure actuelle|por el momento|por ahora|de momento|en esta etapa|neste momento"
    r"|por agora|nesta fase|de momento))?"
)
_SENTENCE = re.compile(rf"(?:{'|'.join(_SENTENCES)}){_LATER}")
#: Said after the phrase without adding anything ("Rien à signaler, merci.").
_THANKS = ("merci", "thank you", "thanks", "gracias", "obrigado", "obrigada", "muchas gracias", "muito obrigado")


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces ("R.A.S." -> "r a s")."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


_NORMALISED = frozenset(normalise(p) for phrases in _PHRASES.values() for p in phrases)
_THANKS_NORMALISED = tuple(sorted((normalise(t) for t in _THANKS), key=len, reverse=True))


def is_no_comment(text: str) -> bool:
    """Whether ``text`` as a whole only says there is nothing to say (see the module docstring)."""
    norm = normalise(text)
    for thanks in _THANKS_NORMALISED:
        if norm.endswith(" " + thanks):
            norm = norm[: -len(thanks) - 1]
            break
    return norm in _NORMALISED or _SENTENCE.fullmatch(norm) is not None
