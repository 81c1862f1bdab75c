"""Split list answers into their points ("1) training 2) e-payment; 3) rotation").

Respondents often list several things; coding each point separately lets a
short point ("rotation") count for its factor instead of being drowned in the
whole answer.

What is *not* a list: a dash inside a sentence ("the survey – anonymous – was trusted")
is a parenthesis, so a dash starts a point only at the start of a line or after a colon;
and "(a)" or "2." alone ("Article 5 (a) of the Code", "in 2. The") is a reference, so an
enumeration marker starts a point only when the same list has its neighbour ("(b)" after
"(a)", "1." before "2.").
"""

from __future__ import annotations

import re

# A point starts at a line break or a semicolon, a bullet, a dash opening a line, or an enumeration marker.
_SEPARATOR = re.compile(r"[\n;]+")
_BULLET = re.compile(r"(?:^|\s)[•*·]\s+|^\s*[-–—]\s+")
#: A dash list inside a line is announced by a colon ("Two things: - training - rotation").
_DASH_LIST = re.compile(r":\s*[-–—]\s")
_DASH = re.compile(r"(?:^|\s)[-–—]\s+")
#: "1)", "(1)", "1.", "a)", "(a)" after a space or at the start: (opening paren, number or letter, closing mark).
_MARKER = re.compile(r"(?:^|(?<=\s))(\(?)(\d{1,2}|[a-h])([).])(?=\s)")
_STRIP = " ,.;:\t-–—•*·"


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


def _split_chunk(chunk: str, present: set[tuple[tuple[str, bool, str], int]]) -> list[str]:
    """``chunk`` cut at its list markers: those whose neighbour in the list is ``present`` in the answer."""
    parts, cursor = [], 0
    for style, rank, start, end in _markers(chunk):
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


def split_points(text: str) -> list[str]:
    """The points of a list answer; a plain answer gives a one-element list."""
    if not isinstance(text, str) or not text.strip():
        return []
    text_n = text.replace("\r", "\n")
    present = {(style, rank) for style, rank, _, _ in _markers(text_n)}
    points = []
    for chunk in _SEPARATOR.split(text_n):
        points.extend(p.strip(_STRIP) for p in _split_chunk(chunk, present))
    points = [p for p in points if len(p) >= 2]
    return points if len(points) > 1 else [text.strip()]
