"""Split list answers into their points ("1) training 2) e-payment; 3) rotation").

Respondents often list several things; coding each point separately lets a
short point ("rotation") count for its factor instead of being drowned in the
whole answer.

What is *not* a list: a dash inside a sentence ("the survey – anonymous – was trusted")
is a parenthesis, so a dash starts a point only at the start of a line or after a colon;
and "(a)" or "2." alone ("Article 5 (a) of the Code", "in 2. The") is a reference, so an
enumeration marker starts a point only when the same list has its neighbour ("(b)" after
"(a)", "1." before "2."), and two neighbours joined by nothing but "and", "or" or a number
("Article 5 (a) and (b)", "paragraphe 2 a) et 2 b)") are a reference to two items, not a list.

Long formal answers chain their points as sentences ("We trained the staff. The main change
was the code of conduct."): ``sentences=True`` also cuts after a full stop, question or
exclamation mark followed by a capital, so each developed point can be weighed on its own.
"""

from __future__ import annotations

import re
from itertools import pairwise

# A point starts at a line break or a semicolon, a bullet, a dash opening a line, or an enumeration marker.
_SEPARATOR = re.compile(r"[\n;]+")
_BULLET = re.compile(r"(?:^|\s)[•*·]\s+|^\s*[-–—]\s+")
#: A dash list inside a line is announced by a colon ("Two things: - training - rotation").
_DASH_LIST = re.compile(r":\s*[-–—]\s")
_DASH = re.compile(r"(?:^|\s)[-–—]\s+")
#: "1)", "(1)", "1.", "a)", "(a)" after a space or at the start: (opening paren, number or letter, closing mark).
_MARKER = re.compile(r"(?:^|(?<=\s))(\(?)(\d{1,2}|[a-h])([).])(?=\s)")
#: What joins two referenced items ("(a) and (b)", "(a), (b)"): no point between them.
_JOINER = re.compile(r"[\s,&/]*(?:(?:and|or|et|ou|y|o|e|u|ni)[\s,&/]+)*", re.IGNORECASE)
#: The number a reference's marker hangs on ("paragraphe 2 a) et 2 b)"), repeated before the second marker.
_NUMBER_BEFORE = re.compile(r"(\d{1,3})\s*$")
_STRIP = " ,.;:\t-–—•*·"
#: A sentence end: . ! or ? then space(s) and a capital (or an opening quote / inverted mark).
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"«¿¡(]?[A-ZÀ-Ý])")
#: "e.g. The", "Dr. Silva", "art. 5": a full stop after these short words ends no sentence.
_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]{1,3}|e\.g|i\.e|etc)\.$")


def _markers(text: str) -> list[tuple[tuple[str, bool, str], int, int, int]]:
    """(style, rank, start, end) of each possible enumeration marker in ``text``."""
    found = []
    for m in _MARKER.finditer(text):
        opening, value, closing = m.groups()
        if value.isalpha() and closing == ".":  # "a." ends words ("etc. a."), never a list marker here
            continue
        rank = int(value) if value.isdigit() else ord(value) - ord("a") + 1
        found.append(((opening, value.isdigit(), closing), rank, m.start(), m.end()))
    return found


def _references(markers: list[tuple[tuple[str, bool, str], int, int, int]], chunk: str) -> set[int]:
    """Starts of the markers that name items of a reference ("Article 5 (a) and (b)"), not points of a list."""
    out: set[int] = set()
    for (style, rank, start, end), (style2, rank2, start2, _) in pairwise(markers):
        if style != style2 or rank2 != rank + 1:
            continue
        between = chunk[end:start2]
        number, repeated = _NUMBER_BEFORE.search(chunk[:start]), _NUMBER_BEFORE.search(between)
        if number and repeated and number.group(1) == repeated.group(1):
            between = between[: repeated.start()] + " "
        if _JOINER.fullmatch(between):
            out.update((start, start2))
    return out


def _split_chunk(chunk: str, present: set[tuple[tuple[str, bool, str], int]]) -> list[str]:
    """``chunk`` cut at its list markers: those whose neighbour in the list is ``present`` in the answer."""
    parts, cursor = [], 0
    markers = _markers(chunk)
    references = _references(markers, chunk)
    for style, rank, start, end in markers:
        if start in references:
            continue
        if (style, rank - 1) in present or (style, rank + 1) in present:
            parts.append(chunk[cursor:start])
            cursor = end
    parts.append(chunk[cursor:])
    out = []
    for part in parts:
        colon = _DASH_LIST.search(part)
        if colon:  # the announced dash list: every dash after the colon opens a point
            out.append(part[: colon.start()])
            part = part[colon.start() + 1 :]
        out.extend(p for piece in _BULLET.split(part) for p in (_DASH.split(piece) if colon else [piece]))
    return out


def _sentences(part: str) -> list[str]:
    """``part`` cut at its sentence ends (not after an abbreviation such as "e.g." or "Art.")."""
    out, cursor = [], 0
    for m in _SENTENCE.finditer(part):
        if not _ABBREVIATION.search(part[cursor : m.start()]):
            out.append(part[cursor : m.start()])
            cursor = m.end()
    out.append(part[cursor:])
    return out


def split_points(text: str, sentences: bool = False) -> list[str]:
    """The points of a list answer; a plain answer gives a one-element list.

    ``sentences``: a point also ends with its sentence (chained points in long answers).
    """
    if not isinstance(text, str) or not text.strip():
        return []
    text_n = text.replace("\r", "\n")
    present = {(style, rank) for style, rank, _, _ in _markers(text_n)}
    points = []
    for chunk in _SEPARATOR.split(text_n):
        for part in _split_chunk(chunk, present):
            points.extend(p.strip(_STRIP) for p in (_sentences(part) if sentences else [part]))
    points = [p for p in points if len(p) >= 2]
    return points if len(points) > 1 else [text.strip()]
