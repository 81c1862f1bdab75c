"""The one rule for a secret a person chooses: account passwords and key-file passphrases.

OWASP ASVS 2.1: at least ``PASSWORD_MIN`` characters (12), long passphrases welcome (up to
``PASSWORD_MAX``), no composition rules, and no common or breached password. The check is
zxcvbn's (``zxcvbn`` on PyPI, MIT): its dictionaries ship in the package (30,000 most common
passwords from breach corpora, English words, names, TV and film) and it sees through what
people do to them (l33t, reversal, a year or digits added, keyboard walks, repeats and
sequences); nothing is downloaded at run time. A secret whose estimated number of guesses is
below ``MIN_GUESSES`` is refused, with the reason.

Applied when a secret is *set* (user create, set-password, the admin form, ``/account``, a new
key file), never at sign-in: an account whose older password is shorter keeps signing in.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from cips.models.user import PASSWORD_MAX, PASSWORD_MIN
from cips.services.messages import N_, Message

#: zxcvbn's top score (4, "very unguessable"): 10^10 guesses. Its score 3 (10^8) lets through
#: "Summer2024!!" or "Customs2024!", a word, a year and a symbol: what cracking rules try first,
#: and a key file meets an offline attacker with no rate limit.
MIN_GUESSES = 10**10
#: Words an attacker of a customs survey service tries first, in the four interface languages:
#: zxcvbn's lists are English and general, so "Aduana2026!!" would pass without them.
SERVICE_WORDS = ("customs", "douane", "douanes", "aduana", "aduanas", "alfandega", "alfândega", "receita",
                 "integrity", "integrite", "intégrité", "integridad", "integridade", "survey", "enquete", "enquête",
                 "encuesta", "pesquisa", "inquerito", "inquérito", "cips", "wco", "omd", "oma")  # fmt: skip
#: zxcvbn's cost grows quickly with length; the first characters carry the verdict (a long
#: secret whose first 72 characters are strong is strong).
RATED_CHARS = 72

#: Why the weakest part of a secret is easy to guess, by zxcvbn's pattern name.
_REASONS = {
    "repeat": N_("it repeats characters or words (aaa, abcabc)"),
    "sequence": N_("it is built on a sequence (abcd, 1234)"),
    "spatial": N_("it follows a keyboard pattern (qwerty, 1q2w3e)"),
    "date": N_("it is built on a date or a year"),
    "regex": N_("it is built on a date or a year"),
}
_COMMON = N_("it is one of the most common passwords")
_CONTAINS_COMMON = N_("it is built on a common password")
_CONTAINS_NAME = N_("it contains the account's email address or name")
_CONTAINS_SERVICE = N_("it is built on a word of this service (customs, survey, integrity)")
_WORDS = N_("it is made of a few common words or names")


class WeakSecret(ValueError):
    """A password or passphrase refused, with the reason as a translatable :class:`Message`."""


def secret_problem(secret: str, context: Iterable[str] = ()) -> Message | None:
    """Why ``secret`` may not be chosen, or None; ``context`` holds words it must not lean on (the email)."""
    if len(secret) < PASSWORD_MIN:
        return N_("too short: at least %(min)s characters (a few unrelated words make a good one)", min=PASSWORD_MIN)
    if len(secret) > PASSWORD_MAX:
        return N_("too long: at most %(max)s characters", max=PASSWORD_MAX)
    words = [part for value in context for part in _parts(value)]
    result = zxcvbn(secret[:RATED_CHARS], user_inputs=[*words, *SERVICE_WORDS])
    if result["guesses"] >= MIN_GUESSES:
        return None
    return N_("too easy to guess: %(reason)s. Choose a longer phrase of unrelated words", reason=_reason(result))


def check_secret(secret: str, context: Iterable[str] = ()) -> str:
    """``secret`` itself, or :class:`WeakSecret` saying why it is refused."""
    problem = secret_problem(secret, context)
    if problem is not None:
        raise WeakSecret(problem)
    return secret


def _parts(value: str) -> list[str]:
    """An email address and its pieces: "ana.lima@aduana.example" -> itself, ana.lima, ana, lima, aduana..."""
    value = (value or "").strip().lower()
    local, _, domain = value.partition("@")
    pieces = [value, local, *local.replace("_", ".").replace("-", ".").split("."), *domain.split(".")[:-1]]
    return [p for p in dict.fromkeys(pieces) if len(p) >= 3]


def _reason(result: dict) -> Message:
    sequence = result["sequence"]
    dictionary = [m for m in sequence if m["pattern"] == "dictionary"]
    mine = [m["matched_word"] for m in dictionary if m.get("dictionary_name") == "user_inputs"]
    if mine:
        return _CONTAINS_SERVICE if all(word in SERVICE_WORDS for word in mine) else _CONTAINS_NAME
    if any(m.get("dictionary_name") == "passwords" for m in dictionary):
        return _COMMON if len(sequence) == 1 else _CONTAINS_COMMON
    for match in sequence:
        if match["pattern"] in _REASONS:
            return _REASONS[match["pattern"]]
    return _WORDS
