"""spaCy pipelines per language: blank tokenizer + lookup lemmas, no model downloads.

Each pipeline is ``spacy.blank(lang)`` with the lookup tables of
``spacy-lookups-data`` and one registered component, ``rad_normaliser``, which
stores on ``doc._.terms`` the lemmas that carry meaning: lower-cased,
accent-stripped, without stop words, punctuation or numbers. Accents are
stripped because respondents often type without them ("decisions motivees").
A few stop words are kept (:data:`KEEP`): negation, "more/fewer/only/same" and
thanks carry meaning that the four languages must share.
A trained pipeline is used instead of the blank one when it happens to be
installed (``CIPS_SPACY_<LANG>``, e.g. ``CIPS_SPACY_FR=fr_core_news_sm``).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import spacy
import srsly
from spacy.attrs import IS_DIGIT, IS_PUNCT, IS_SPACE, LIKE_NUM, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from analysis.errors import Errors
from analysis.factors import CORE_LANGUAGES

#: Languages with lookup lemmas in spacy-lookups-data that CIPS uses.
SUPPORTED = CORE_LANGUAGES
#: Characters of one text that are analysed (spaCy's own limit is 1,000,000).
MAX_CHARS = 100_000
FALLBACK = "en"

#: Stop words kept, with their lemma. spaCy's stop lists drop negation and quantity
#: ("menos documentos" became "documento", "regras pouco claras" "regras claras") and some
#: thanks ("merci", "obrigado"), but keep them in other languages ("fewer", "jamais",
#: "gracias"): the same answer then read differently across languages. Likewise "good"
#: (kept in en and fr, dropped in es and pt: "buenas prácticas" read "práctico") and the
#: number word "zero" ("zero tolerance" read "tolerance"), kept although it is a number.
#: Variants map to one lemma; the lookup tables get some of these wrong (es "no" -> "número",
#: "nada" -> "nadar").
KEEP: dict[str, dict[str, str]] = {
    "en": {"no": "no", "not": "not", "n't": "not", "nt": "not", "never": "never", "nothing": "nothing",
           "nobody": "nobody", "none": "none", "without": "without", "less": "less", "fewer": "fewer",
           "more": "more", "only": "only", "same": "same", "few": "few", "little": "little", "thank": "thank",
           "thanks": "thank", "zero": "zero"},
    "fr": {"pas": "pas", "non": "non", "jamais": "jamais", "rien": "rien", "aucun": "aucun", "aucune": "aucun",
           "sans": "sans", "moins": "moins", "plus": "plus", "seul": "seul", "seule": "seul", "seuls": "seul",
           "seules": "seul", "seulement": "seulement", "même": "meme", "mêmes": "meme", "peu": "peu", "merci": "merci",
           "zéro": "zero"},
    "es": {"no": "no", "nunca": "nunca", "jamás": "jamas", "nada": "nada", "nadie": "nadie", "ningún": "ninguno",
           "ninguno": "ninguno", "ninguna": "ninguno", "sin": "sin", "menos": "menos", "más": "mas", "solo": "solo",
           "sólo": "solo", "solamente": "solamente", "mismo": "mismo", "misma": "mismo", "mismos": "mismo",
           "mismas": "mismo", "poco": "poco", "poca": "poco", "pocos": "poco", "pocas": "poco", "gracias": "gracias",
           "cero": "cero", "buen": "bueno", "bueno": "bueno", "buena": "bueno", "buenos": "bueno", "buenas": "bueno"},
    "pt": {"não": "nao", "nunca": "nunca", "jamais": "jamais", "nada": "nada", "ninguém": "ninguem",
           "nenhum": "nenhum", "nenhuma": "nenhum", "sem": "sem", "menos": "menos", "mais": "mais", "só": "so",
           "somente": "somente", "apenas": "apenas", "mesmo": "mesmo", "mesma": "mesmo", "mesmos": "mesmo",
           "mesmas": "mesmo", "pouco": "pouco", "pouca": "pouco", "poucos": "pouco", "poucas": "pouco",
           "obrigado": "obrigado", "obrigada": "obrigado", "zero": "zero", "bom": "bom", "boa": "bom", "bons": "bom",
           "boas": "bom"},
}  # fmt: skip

#: Content words that spaCy's stop lists contain (the Portuguese list has "sistema",
#: "exemplo", "apoio", "valor"; the English one "top" and "down"). Dropping them made
#: "o sistema cai" read "cair" while "the system goes down" read "system", and
#: "sistemas informáticos" match like "informático" alone. They are lemmatised as usual.
CONTENT_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"top", "down", "move", "serious", "full", "amount", "front", "part", "side", "back"}),
    "fr": frozenset({"retour", "préalable", "prealable", "ouvert", "ouverte", "ouverts", "ouvertes", "bas", "gens",
                     "nouveau", "nombreux"}),
    "es": frozenset({"acuerdo", "cuenta", "día", "dia", "días", "dias", "estado", "estados", "país", "paìs", "uso",
                     "medio", "igual", "nuevo", "nueva", "nuevos", "nuevas"}),
    "pt": frozenset({"sistema", "exemplo", "apoio", "apoia", "conselho", "valor", "grupo", "número", "números",
                     "nível", "falta", "local", "ponto", "pontos", "área", "povo", "relação", "questão", "estado",
                     "geral", "nova", "novas", "novo", "novos", "caminho", "tempo", "lugar"}),
}  # fmt: skip

if not Doc.has_extension("terms"):
    Doc.set_extension("terms", default=None)


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """Every combining code point (912 in Unicode 15), for ``str.translate``: removed in C, not character by
    character in Python (whole answers are stripped for the n-grams; about 10 % faster, timed apart)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def strip_accents(text: str) -> str:
    """``"Réforme à l'État"`` -> ``"Reforme a l'Etat"``."""
    return unicodedata.normalize("NFKD", text).translate(_combining_marks())


@lru_cache(maxsize=262144)
def normalise(text: str) -> str:
    """Lower case without accents (cached: the same words recur in every answer)."""
    return strip_accents(text.lower())


_UNSEEN = object()
_MEMO_SIZE = 262144
_TOKEN_ATTRS = [LOWER, IS_PUNCT, IS_SPACE, IS_DIGIT, LIKE_NUM]


class RadNormaliser:
    """Write the meaningful, normalised lemmas of a doc to ``doc._.terms``."""

    def __init__(self, lemmas: dict[str, str] | None, stop_words: set[str], keep: dict[str, str] | None = None,
                 content_words: frozenset[str] = frozenset()) -> None:  # fmt: skip
        self.lemmas = lemmas
        # Kept words are looked up with and without accents ("nao", "mas" typed plainly).
        self.keep = {**{normalise(w): lemma for w, lemma in (keep or {}).items()}, **(keep or {})}
        # Stop words compared without accents too, since the terms are.
        stop_words = stop_words - content_words
        self.stop_words = (stop_words | {normalise(w) for w in stop_words}) - set(self.keep) - set(self.keep.values())
        # Answers repeat the same words: each word's term is worked out once (the vocabulary
        # met stays in the tens of thousands even for a large campaign; capped all the same).
        self._terms: dict[int, str | None] = {}  # by the word's lower-case string-store id

    def lemma(self, lower: str) -> str:
        if self.lemmas is None:
            return lower
        found = self.lemmas.get(lower)
        if found is not None:
            return found
        # The accent-free key is for answers typed without accents. A word typed *with*
        # accents that the table lacks is usually a lemma already ("público", "alfândega"),
        # and its accent-free spelling is often another word's form ("publico" -> "publicar").
        stripped = normalise(lower)  # ``lower`` is lower case already: this is its cached accent-free form
        return self.lemmas.get(stripped, lower) if stripped == lower else lower

    def __call__(self, doc: Doc) -> Doc:
        # Read as one array of each token's lower-case form (a string-store id) and flags, no Token object per word;
        # words are memoised by that id, so a known word costs a dict lookup (1-5 % faster on the terms, timed apart).
        strings, memo, terms = doc.vocab.strings, self._terms, []
        for lower_id, punct, space, digit, like_num in doc.to_array(_TOKEN_ATTRS).tolist():
            if punct or space or digit or (like_num and strings[lower_id] not in self.keep):
                continue
            term = memo.get(lower_id, _UNSEEN)
            if term is _UNSEEN:
                if len(memo) >= _MEMO_SIZE:  # a long-lived process meeting endless typos
                    memo.clear()
                term = memo[lower_id] = self._term(strings[lower_id])
            if term is not None:
                terms.append(term)
        doc._.terms = terms
        return doc

    def _term(self, lower: str) -> str | None:
        """The term a lower-case word gives, or None (stop word, too short); memoised per word."""
        kept = self.keep.get(lower)
        if kept is not None:
            return kept
        if lower in self.stop_words or len(lower) < 2:
            return None
        lemma = normalise(self.lemma(lower))
        return lemma if lemma and lemma not in self.stop_words else None


@lru_cache(maxsize=8)
def lemma_table(lang: str) -> dict[str, str] | None:
    """The lookup lemmas of spacy-lookups-data, also keyed without accents.

    Read from the package's JSON rather than spaCy's hashed ``Table`` so that the
    accent-free spellings can be added: "decisions motivees" still finds
    "décision motiver".
    """
    try:
        import spacy_lookups_data
    except ImportError:
        return None
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    if not path.exists():
        return None
    raw: dict[str, str | list[str]] = srsly.read_gzip_json(path)
    table: dict[str, str] = {}
    for form, lemma in raw.items():
        # Some tables list several candidate lemmas; the first is the most frequent.
        lemma = lemma[0] if isinstance(lemma, list) else lemma
        table[form.lower()] = lemma.lower()
    for form, lemma in list(table.items()):
        table.setdefault(strip_accents(form), lemma)
    return table


@Language.factory("rad_normaliser", default_config={})
def make_rad_normaliser(nlp: Language, name: str) -> RadNormaliser:
    return RadNormaliser(lemma_table(nlp.lang), set(nlp.Defaults.stop_words), KEEP.get(nlp.lang),
                         CONTENT_WORDS.get(nlp.lang, frozenset()))  # fmt: skip


@lru_cache(maxsize=16)
def get_pipeline(lang: str) -> Language:
    """The cached pipeline for ``lang`` (unknown languages fall back to English)."""
    lang = lang if lang in SUPPORTED else FALLBACK
    trained = os.environ.get(f"CIPS_SPACY_{lang.upper()}")
    nlp = None
    if trained:
        try:
            nlp = spacy.load(trained, exclude=["ner", "parser"])
        except OSError:
            nlp = None  # not installed: never download, use the blank pipeline
    if nlp is None:
        nlp = spacy.blank(lang)
    nlp.add_pipe("rad_normaliser", last=True)
    return nlp


def terms(texts: Sequence[str], langs: Sequence[str], batch_size: int = 256) -> list[list[str]]:
    """Normalised lemmas of each text, each processed with the pipeline of its language."""
    if len(texts) != len(langs):
        raise ValueError(Errors.E101.format(n_texts=len(texts), n_langs=len(langs)))
    out: list[list[str]] = [[] for _ in texts]
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        by_lang.setdefault(lang if lang in SUPPORTED else FALLBACK, []).append(i)
    for lang, indices in by_lang.items():
        nlp = get_pipeline(lang)
        # spaCy refuses texts over nlp.max_length (E088, 1,000,000 characters); an answer that
        # long is pasted data, and its first MAX_CHARS say what it is about.
        docs = nlp.pipe((texts[i][:MAX_CHARS] for i in indices), batch_size=batch_size)
        for i, doc in zip(indices, docs, strict=True):
            out[i] = doc._.terms
    return out


def phrase_terms(phrases: Iterable[str], lang: str) -> list[tuple[str, ...]]:
    """Normalise codebook phrases exactly as answers are, so both sides compare equal."""
    phrases = list(phrases)
    return [tuple(t) for t in terms(phrases, [lang] * len(phrases))]
