"""Language detection for answers in en, fr, es, pt (``und`` when unsure or too short).

Reference: langdetect. Three changes make it several times faster without
losing accuracy on survey answers (figures in README):

1. only the four survey languages' profiles are loaded, so each n-gram update
   touches 4 probabilities instead of 55;
2. a short-circuit on function words: when an answer's very common words
   ("the", "les", "los", "não"…) point clearly at one language, langdetect
   is not called at all;
3. results are cached per normalised text ("n/a", "RAS", repeated answers).

Everything is deterministic: langdetect runs with a fixed seed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from analysis.errors import Errors
from analysis.factors import CORE_LANGUAGES

LANGUAGES = CORE_LANGUAGES
UNDETERMINED = "und"
SEED = 0
#: Fewer letters than this cannot be told apart reliably ("ok", "n/a").
MIN_LETTERS = 4
#: langdetect's top probability below this gives ``und``.
MIN_PROBABILITY = 0.5
#: langdetect reads at most this many characters: the first lines of an answer tell its language.
MAX_CHARS = 400
#: langdetect's random trials per text (its default, 7, is for telling 55 languages apart). Among our four, on the
#: 3,895 texts of the corpus, the development sets and the text pipeline's bench that function words leave to it,
#: 3 trials changed 6 decisions (as many right as before) in half the time: it was a fifth of the text pipeline.
TRIALS = 3

# Frequent words found in one of the four languages only. A word two of them share ("para", "por", "como" in
# Spanish and Portuguese; "mais" in French and Portuguese; "nos", "da" Spanish forms too) would vote for the wrong
# one: with them the shortcut misread 15 of 24,688 texts (corpus, development sets, the bench's answers); without
# them, and with the words added here, none, while settling 92 % of those texts instead of 83 %.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to is are with for not this that be have was were by we our they should more it from which has "
        "their been would there at will can".split()
    ),
    "fr": frozenset(
        "le les des et est une du au aux avec pour pas sont nous ce cette il qui dans sur plus ne être leur leurs ces "
        "sa ses été très aussi sans chez".split()
    ),
    "es": frozenset(
        "el los las y del una es con son muy hay pero más al su sus también cuando sin ya lo donde".split()
    ),
    # Not "as", "do", "no": English words too ("No gifts, no favours, no exceptions" is not Portuguese).
    "pt": frozenset(
        "os dos das uma com não são em na nas é ao pelo pela muito também foi isso quando sem já pelos pelas às seu "
        "sua seus suas".split()
    ),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    import langdetect

    profiles_dir = Path(langdetect.__file__).parent / "profiles"
    factory = DetectorFactory()
    factory.load_json_profile([(profiles_dir / lang).read_text(encoding="utf-8") for lang in LANGUAGES])
    factory.set_seed(SEED)
    return factory


def _by_function_words(words: list[str]) -> str | None:
    """A language when its function words clearly dominate, else None."""
    counts = {lang: sum(1 for w in words if w in vocab) for lang, vocab in FUNCTION_WORDS.items()}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    (best, n1), (_, n2) = ranked[0], ranked[1]
    # Three times the runner-up's count, and at least two words: two of one language with none of another settle
    # short answers ("Les nouveaux l'apprennent le premier mois."), a fifth of the texts once left to langdetect.
    if n1 >= 2 and n1 >= 3 * n2:
        return best
    return None


def _langdetect(text: str) -> str:
    detector = _factory().create()
    detector.set_max_text_length(MAX_CHARS)
    detector.n_trial = TRIALS
    detector.append(text)
    try:
        probabilities = detector.get_probabilities()
    except LangDetectException:
        return UNDETERMINED
    if not probabilities or probabilities[0].prob < MIN_PROBABILITY:
        return UNDETERMINED
    return probabilities[0].lang


@lru_cache(maxsize=65536)
def _detect_one(text: str) -> str:
    words = _WORD.findall(text.lower())
    if sum(len(w) for w in words) < MIN_LETTERS:
        return UNDETERMINED
    return _by_function_words(words) or _langdetect(text)


def detect_language(texts: Iterable[str]) -> list[str]:
    """Language code per text: one of ``en fr es pt``, or ``und``."""
    if isinstance(texts, str | bytes):  # iterating would detect one language per character
        raise TypeError(Errors.E102)
    return [_detect_one(" ".join(t.split())) if isinstance(t, str) else UNDETERMINED for t in texts]


@lru_cache(maxsize=256)
def _code(value: str) -> str:
    base = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return base if base in LANGUAGES else UNDETERMINED


def language_code(value: object) -> str:
    """A language as given by a user or a file ("FR", "fr-FR", "pt_BR") as ``en fr es pt`` or ``und``."""
    return _code(value) if isinstance(value, str) else UNDETERMINED


def given_or_detected(texts: Sequence[str], langs: Sequence[object] | None) -> list[str]:
    """Each text's language: as given, read as a code (``language_code``: "FR", "fr-FR" -> "fr"), or detected.

    Every step keyed by language (lemmas, codebook terms, the embedding block's per-language centre, the
    cross-lingual neighbours) must see the same code for "FR" and "fr", or one answer is read two ways."""
    return [language_code(lang) for lang in langs] if langs is not None else detect_language(texts)


def detect_one(text: str) -> str:
    return detect_language([text])[0]


def stock_langdetect(texts: Sequence[str]) -> list[str]:
    """The baseline: stock ``langdetect.detect`` per text (all 55 profiles), seeded."""
    import langdetect
    from langdetect import DetectorFactory as GlobalFactory

    GlobalFactory.seed = SEED
    out = []
    for text in texts:
        try:
            out.append(langdetect.detect(text))
        except LangDetectException:
            out.append(UNDETERMINED)
    return out
