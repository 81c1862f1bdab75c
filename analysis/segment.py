"""Split list answers into their points ("1) training 2) e-payment; 3) rotation").

Respondents often list several things; coding each point separately lets a
short point ("rotation") count for its factor instead of being drowned in the
whole answer.
"""

from __future__ import annotations

import re

# A point starts at a line break, a semicolon, a bullet, "1)", "2.", or "a)".
_SEPARATOR = re.compile(r"[\n;]+")
_BULLET = re.compile(r"(?:^|\s)(?:[-–•*·]|\(?\d{1,2}[).]|\(?[a-h]\))\s+")
_STRIP = " ,.;:\t-–•*·"


def split_points(text: str) -> list[str]:
    """The points of a list answer; a plain answer gives a one-element list."""
    if not isinstance(text, str) or not text.strip():
        return []
    points = []
    for chunk in _SEPARATOR.split(text.replace("\r", "\n")):
        points.extend(p.strip(_STRIP) for p in _BULLET.split(chunk))
    points = [p for p in points if len(p) >= 2]
    return points if len(points) > 1 else [text.strip()]
