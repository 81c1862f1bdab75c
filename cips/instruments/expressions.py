"""The questionnaire expression language of ``relevant:``, ``constraint:``, ``required:`` and ``calculate:``.

One small language, parsed once into a tree and evaluated by walking it (never ``eval``).
The PWA has the same parser and evaluator in ``cips/survey/static/js/expr.js``; the table
``tests/data/expressions.json`` is run against both, so a respondent's tablet and the
server always agree on what is shown, required and valid.

Grammar (lowest precedence first)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | STRING | "true" | "false" | "null" | "." | NAME
             | FUNCTION "(" [expr ("," expr)*] ")" | "(" expr ")"

``NAME`` is an item id (its answer, ``null`` when unanswered); ``.`` is the item's own
answer (in ``constraint:``); strings are quoted with ``'`` or ``"`` (no escapes).

Values are JSON's: null, booleans, numbers, strings, lists (a multiple-choice answer).
Rules chosen so that both languages compute the same thing:

- ``==``/``!=``: null equals only null; a boolean never equals a number;
- ``<``, ``<=``, ``>``, ``>=``: two numbers or two strings, else false;
- ``x in y``: ``y`` a list holding ``x``, or ``y`` equal to ``x`` (a single choice);
- arithmetic on anything but two numbers, or division by zero, gives null;
- ``and``/``or``/``not`` give booleans; null, false, 0, "" and [] count as false.

Functions: ``selected(item, 'value')`` (same as ``'value' in item``), ``count_selected(item)``,
``mean(a, b, ...)`` (of the numeric arguments, null if none: a "don't know" is text, so it
does not count).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Function name -> (fewest arguments, most arguments or None for any).
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count_selected": (1, 1),
    "mean": (1, None),
}
KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">", "in")
#: Longest expression accepted: questionnaire rules are one line.
MAX_LENGTH = 1000
#: Deepest nesting of brackets, calls, "not" and "-": keeps parsing and evaluation far from the stack's end.
MAX_DEPTH = 50

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>'[^']*'|\"[^\"]*\")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|[<>+\-*/(),.])|(?P<bad>\S))"
)


class ExpressionError(ValueError):
    """An expression that cannot be read; the message says where."""


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its source, tree and the item ids it reads."""

    source: str
    tree: tuple[Any, ...]
    names: frozenset[str]
    uses_self: bool

    def evaluate(self, answers: Mapping[str, Any], current: Any = None) -> Any:
        return _eval(self.tree, answers, current)

    def holds(self, answers: Mapping[str, Any], current: Any = None) -> bool:
        return truth(self.evaluate(answers, current))


def _tokens(source: str) -> list[tuple[str, Any, int]]:
    tokens: list[tuple[str, Any, int]] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup
        text = match.group(kind)
        start = match.start(kind) + 1
        position = match.end()
        if kind == "bad":
            hint = " (use == to compare)" if text == "=" else ""
            raise ExpressionError(f"unexpected character '{text}' at position {start}{hint}")
        if kind == "number":
            tokens.append(("num", float(text) if "." in text else int(text), start))
        elif kind == "string":
            tokens.append(("str", text[1:-1], start))
        elif kind == "name" and text in KEYWORDS:
            tokens.append(("op", text, start))
        else:
            tokens.append((kind, text, start))
    tokens.append(("end", None, len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.at = 0
        self.names: set[str] = set()
        self.uses_self = False
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"nested deeper than {MAX_DEPTH} levels at position {self.peek()[2]}")

    def peek(self) -> tuple[str, Any, int]:
        return self.tokens[self.at]

    def take(self, value: str | None = None) -> bool:
        kind, text, _ = self.peek()
        if kind == "op" and text == value:
            self.at += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.take(value):
            self.fail(f"expected {value!r}")

    def fail(self, what: str) -> None:
        kind, text, position = self.peek()
        found = "the end" if kind == "end" else f"'{text}'"
        raise ExpressionError(f"{what} at position {position}, found {found}")

    def parse(self) -> tuple[Any, ...]:
        tree = self.or_()
        if self.peek()[0] != "end":
            self.fail("expected an operator or the end")
        return tree

    def or_(self) -> tuple[Any, ...]:
        tree = self.and_()
        while self.take("or"):
            tree = ("or", tree, self.and_())
        return tree

    def and_(self) -> tuple[Any, ...]:
        tree = self.not_()
        while self.take("and"):
            tree = ("and", tree, self.not_())
        return tree

    def not_(self) -> tuple[Any, ...]:
        if self.take("not"):
            self.deeper()
            tree = ("not", self.not_())
            self.depth -= 1
            return tree
        return self.compare()

    def compare(self) -> tuple[Any, ...]:
        tree = self.sum()
        for op in COMPARISONS:
            if self.take(op):
                return (op, tree, self.sum())
        return tree

    def sum(self) -> tuple[Any, ...]:
        tree = self.product()
        while True:
            op = next((o for o in ("+", "-") if self.take(o)), None)
            if op is None:
                return tree
            tree = (op, tree, self.product())

    def product(self) -> tuple[Any, ...]:
        tree = self.unary()
        while True:
            op = next((o for o in ("*", "/") if self.take(o)), None)
            if op is None:
                return tree
            tree = (op, tree, self.unary())

    def unary(self) -> tuple[Any, ...]:
        if self.take("-"):
            self.deeper()
            tree = ("neg", self.unary())
            self.depth -= 1
            return tree
        return self.atom()

    def atom(self) -> tuple[Any, ...]:
        kind, text, _ = self.peek()
        if kind in ("num", "str"):
            self.at += 1
            return ("lit", text)
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.take(word):
                return ("lit", value)
        if self.take("."):
            self.uses_self = True
            return ("self",)
        if self.take("("):
            self.deeper()
            tree = self.or_()
            self.expect(")")
            self.depth -= 1
            return tree
        if kind == "name":
            self.at += 1
            if self.take("("):
                self.deeper()
                tree = self.call(text)
                self.depth -= 1
                return tree
            self.names.add(text)
            return ("name", text)
        self.fail("expected a value")
        raise AssertionError  # fail always raises

    def call(self, name: str) -> tuple[Any, ...]:
        if name not in FUNCTIONS:
            raise ExpressionError(f"function '{name}' is not supported")
        args: list[tuple[Any, ...]] = []
        if not self.take(")"):
            args.append(self.or_())
            while self.take(","):
                args.append(self.or_())
            self.expect(")")
        low, high = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = f"{low}" if low == high else f"at least {low}"
            raise ExpressionError(f"function '{name}' takes {expected} argument(s), got {len(args)}")
        return ("call", name, *args)


def parse(source: str) -> Expression:
    """Parse an expression, or raise :class:`ExpressionError` saying where it is wrong."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("empty expression")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    parser = _Parser(source)
    tree = parser.parse()
    return Expression(source, tree, frozenset(parser.names), parser.uses_self)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _answer(value: Any) -> Any:
    """An answer as the language sees it: blank text and an empty list are no answer."""
    if (isinstance(value, str) and not value.strip()) or value == []:
        return None
    return value


def truth(value: Any) -> bool:
    if value is None or value is False:
        return False
    if value is True:
        return True
    if _is_number(value):
        return value != 0
    return len(value) > 0 if isinstance(value, str | list) else False


def equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    return False


def _contains(container: Any, value: Any) -> bool:
    if isinstance(container, list):
        return any(equal(value, element) for element in container)
    return container is not None and equal(value, container)


def _order(op: str, a: Any, b: Any) -> bool:
    if not ((_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str))):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    if not (_is_number(a) and _is_number(b)):
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return None if b == 0 else a / b


def _call(name: str, args: list[Any]) -> Any:
    if name == "selected":
        return _contains(args[0], args[1])
    if name == "count_selected":
        value = args[0]
        return len(value) if isinstance(value, list) else (0 if value is None else 1)
    numbers = [a for a in args if _is_number(a)]  # mean
    return sum(numbers) / len(numbers) if numbers else None


def _eval(tree: tuple[Any, ...], answers: Mapping[str, Any], current: Any) -> Any:
    op = tree[0]
    if op == "lit":
        return tree[1]
    if op == "name":
        return _answer(answers.get(tree[1]))
    if op == "self":
        return _answer(current)
    if op == "not":
        return not truth(_eval(tree[1], answers, current))
    if op == "neg":
        value = _eval(tree[1], answers, current)
        return -value if _is_number(value) else None
    if op == "call":
        return _call(tree[1], [_eval(arg, answers, current) for arg in tree[2:]])
    a = _eval(tree[1], answers, current)
    if op == "and":
        return truth(a) and truth(_eval(tree[2], answers, current))
    if op == "or":
        return truth(a) or truth(_eval(tree[2], answers, current))
    b = _eval(tree[2], answers, current)
    if op == "==":
        return equal(a, b)
    if op == "!=":
        return not equal(a, b)
    if op == "in":
        return _contains(b, a)
    if op in ("<", "<=", ">", ">="):
        return _order(op, a, b)
    return _arithmetic(op, a, b)
