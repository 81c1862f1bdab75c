"""A questionnaire's logic: which items are asked (``relevant:``), required, valid
(``constraint:``) and calculated (``calculate:``), and its randomised sections.

Used by the server (``cips.submissions.payload``) and the no-JavaScript form; the PWA
walks the same rules with ``expr.js``. Expressions read only *earlier* items, so one walk
in questionnaire order decides everything: an item is asked when its section's and its
own ``relevant:`` hold over the answers given so far to items that were themselves asked.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis.factors import NON_SUBSTANTIVE as ANALYSIS_NON_SUBSTANTIVE
from cips.instruments.expressions import Expression, ExpressionError, parse

if TYPE_CHECKING:
    from cips.instruments.schema import Instrument

#: Non-substantive answers an item may offer (``non_substantive: [dont_know, refused]``).
NON_SUBSTANTIVE = ANALYSIS_NON_SUBSTANTIVE
#: How they read, for respondents (the PWA's and the form's options) and in exports' codebooks.
NON_SUBSTANTIVE_LABELS = {
    "en": {"dont_know": "Don't know", "refused": "Prefer not to say"},
    "fr": {"dont_know": "Ne sait pas", "refused": "Préfère ne pas répondre"},
    "es": {"dont_know": "No sabe", "refused": "Prefiere no responder"},
    "pt": {"dont_know": "Não sei", "refused": "Prefiro não responder"},
}
#: Item types that may offer them (a multiple-choice answer is a list: "don't know" is one of its choices).
NON_SUBSTANTIVE_TYPES = ("likert5", "single")
#: ``answers["order:<section id>"]``: the order a randomised section's statements were shown in
#: (paradata, stored as an answer row; ``:`` never occurs in an item id, so it cannot clash).
ORDER_PREFIX = "order:"
#: The answer table's item_id holds 64 characters: a randomised section's id leaves room for the prefix.
MAX_RANDOMIZED_SECTION_ID = 64 - len(ORDER_PREFIX)
EXPRESSION_FIELDS = ("relevant", "required", "constraint", "calculate")


def order_key(section_id: str) -> str:
    return f"{ORDER_PREFIX}{section_id}"


def shown_order(item_ids: list[str], seed: str) -> list[str]:
    """A respondent's order of a randomised section, fixed by a seed (the no-JS form uses the submission uuid)."""
    order = list(item_ids)
    random.Random(seed).shuffle(order)  # the order of statements, not a secret
    return order


def is_missing(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


# ----------------------------------------------------------------- checks of the YAML


def logic_errors(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Problems with expressions, constraint messages, randomisation and non-substantive answers."""
    errors: list[tuple[str, str, str]] = []
    langs = [lang for lang in data.get("languages") or [] if isinstance(lang, str)]
    sections = [s for s in data.get("sections") or [] if isinstance(s, dict)]
    all_ids = {str(i.get("id")) for s in sections for i in s.get("items") or [] if isinstance(i, dict)}
    earlier: set[str] = set()

    def check(where: str, field_name: str, source: Any, own_id: str | None) -> None:
        if source is None or isinstance(source, bool) or not isinstance(source, str):
            return  # absent, a plain required flag, or a type error the schema reports
        try:
            parsed = parse(source)
        except ExpressionError as exc:
            errors.append((where, field_name, str(exc)))
            return
        if parsed.uses_self and field_name != "constraint":
            errors.append((where, field_name, "'.' (the item's own answer) is only for constraint"))
        for name in sorted(parsed.names - earlier):
            if name == own_id:
                why = "refers to the item itself (use '.' in a constraint)"
            elif name in all_ids:
                why = f"'{name}' is a later item: an expression may only read earlier answers"
            else:
                why = f"unknown item '{name}'"
            errors.append((where, field_name, why))

    for section in sections:
        sid = str(section.get("id", "-"))
        check(sid, "relevant", section.get("relevant"), None)
        if section.get("randomize") is True and len(sid) > MAX_RANDOMIZED_SECTION_ID:
            errors.append(
                (sid, "randomize", f"a randomised section's id has at most {MAX_RANDOMIZED_SECTION_ID} characters")
            )
        for item in (i for i in section.get("items") or [] if isinstance(i, dict)):
            iid = str(item.get("id", "-"))
            for name in EXPRESSION_FIELDS:
                check(iid, name, item.get(name), iid)
            errors.extend((iid, f, m) for f, m in _item_logic_errors(item, langs))
            earlier.add(iid)
    return errors


def _item_logic_errors(item: dict[str, Any], langs: list[str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    kind = item.get("type")
    messages = item.get("constraint_message")
    if item.get("constraint") is not None:
        texts = messages if isinstance(messages, dict) else {}
        errors.extend(
            (f"constraint_message.{lang}", f"missing translation ({lang})") for lang in langs if not texts.get(lang)
        )
    elif messages is not None:
        errors.append(("constraint_message", "a constraint_message needs a constraint"))
    if item.get("calculate") is not None:
        if kind != "number":
            errors.append(("calculate", "only a number item can be calculated"))
        if item.get("constraint") is not None:
            errors.append(("constraint", "a calculated item is not answered: it takes no constraint"))
    offered = item.get("non_substantive") or []
    if offered and kind not in NON_SUBSTANTIVE_TYPES:
        errors.append(
            ("non_substantive", f"only {' and '.join(NON_SUBSTANTIVE_TYPES)} items offer non-substantive answers")
        )
    choice_values = {c.get("value") for c in item.get("choices") or [] if isinstance(c, dict)}
    for word in NON_SUBSTANTIVE:
        if word in choice_values:
            errors.append((f"choices.{word}", f"'{word}' is a non-substantive answer: declare it in non_substantive"))
    return errors


# ----------------------------------------------------------------- the walk


@dataclass(frozen=True)
class Rule:
    """One item's logic, parsed once per questionnaire version."""

    id: str
    section: str
    relevant: tuple[Expression, ...]
    required: bool | Expression
    constraint: Expression | None
    calculate: Expression | None


@dataclass(frozen=True)
class Logic:
    rules: tuple[Rule, ...]
    #: Randomised section id -> its item ids in questionnaire order.
    randomized: dict[str, tuple[str, ...]]
    #: Item ids offering non-substantive answers -> the words they offer.
    non_substantive: dict[str, frozenset[str]]
    #: Anything beyond "every item asked, required as flagged".
    active: bool


@dataclass
class Walk:
    """What one set of answers means under a questionnaire's logic."""

    asked: set[str] = field(default_factory=set)
    not_asked_answered: list[str] = field(default_factory=list)
    required_missing: list[str] = field(default_factory=list)
    constraint_failed: list[str] = field(default_factory=list)
    calculated: dict[str, Any] = field(default_factory=dict)


_LOGIC: dict[int, tuple[Instrument, Logic]] = {}


def logic_of(instrument: Instrument) -> Logic:
    """The parsed logic of a definition (definitions are cached and immutable per process)."""
    cached = _LOGIC.get(id(instrument))
    if cached is not None and cached[0] is instrument:
        return cached[1]
    rules = []
    active = False
    for section in instrument.sections:
        section_relevant = (parse(section.relevant),) if section.relevant else ()
        for item in section.items:
            own = (parse(item.relevant),) if item.relevant else ()
            required = parse(item.required) if isinstance(item.required, str) else item.required
            rule = Rule(item.id, section.id, section_relevant + own, required,
                        parse(item.constraint) if item.constraint else None,
                        parse(item.calculate) if item.calculate else None)  # fmt: skip
            active = (
                active
                or bool(rule.relevant)
                or isinstance(required, Expression)
                or bool(rule.constraint or rule.calculate)
            )
            rules.append(rule)
    randomized = {s.id: tuple(i.id for i in s.items) for s in instrument.sections if s.randomize}
    offered = {i.id: frozenset(i.non_substantive) for i in instrument.items() if i.non_substantive}
    logic = Logic(tuple(rules), randomized, offered, active or bool(randomized) or bool(offered))
    _LOGIC[id(instrument)] = (instrument, logic)  # keeps the definition alive: the id stays its own
    return logic


def walk(logic: Logic, answers: Mapping[str, Any]) -> Walk:
    """Decide, in questionnaire order, what was asked, what is missing or invalid, and calculate.

    ``answers`` holds the answers that are valid for their item (type, range); an answer to
    an item that was not asked does not count for later conditions.
    """
    result = Walk()
    known: dict[str, Any] = {}
    for rule in logic.rules:
        value = answers.get(rule.id)
        if not all(condition.holds(known) for condition in rule.relevant):
            if not is_missing(value) and rule.calculate is None:
                result.not_asked_answered.append(rule.id)
            continue
        result.asked.add(rule.id)
        if rule.calculate is not None:
            computed = rule.calculate.evaluate(known)
            if isinstance(computed, bool):
                computed = int(computed)
            if isinstance(computed, int | float):
                result.calculated[rule.id] = known[rule.id] = computed
            continue
        if is_missing(value):
            required = rule.required if isinstance(rule.required, bool) else rule.required.holds(known)
            if required:
                result.required_missing.append(rule.id)
            continue
        known[rule.id] = value
        if rule.constraint is not None and value not in NON_SUBSTANTIVE and not rule.constraint.holds(known, value):
            result.constraint_failed.append(rule.id)
    return result


def asked_only(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to items that were asked: a form that shows every item (no JavaScript) drops the
    others, as the PWA clears an answer when a change hides its item."""
    logic = logic_of(instrument)
    if not logic.active:
        return answers
    asked = walk(logic, answers).asked
    return {k: v for k, v in answers.items() if k in asked or k.startswith(ORDER_PREFIX)}


def orders_for(instrument: Instrument, seed: str) -> dict[str, list[str]]:
    """Each randomised section's order for one respondent (the no-JS form seeds it with the submission uuid)."""
    return {s.id: shown_order([i.id for i in s.items], f"{seed}:{s.id}") for s in instrument.sections if s.randomize}


def order_error(logic: Logic, key: str, value: Any) -> str | None:
    """Why an ``order:<section>`` answer is not the order of a randomised section, or None if it is."""
    items = logic.randomized.get(key.removeprefix(ORDER_PREFIX))
    if items is None:
        return "not a randomised section of this questionnaire version"
    if not isinstance(value, list) or sorted(map(str, value)) != sorted(items) or len(value) != len(items):
        return "expected the section's item ids, each once, in the order they were shown"
    return None


def order_text(value: list[str]) -> str:
    return json.dumps(value, ensure_ascii=False)
