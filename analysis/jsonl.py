"""Read user-supplied text files with messages that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class InputFileError(ValueError):
    """A file that cannot be used; the message names the file, line and field.

    Raised with the whole message, or as a template, ``InputFileError("%(where)s: …", where=…)``: ``str(exc)`` is
    then the English message (whole numbers grouped, 12,000) and ``msgid`` and ``params`` let a web page show it
    in the interface's language (``make translations`` extracts the templates marked ``N_`` or raised as
    ``BriefingInputError``). A parameter quoting a parser (``problem``: "Expecting ',' delimiter") stays as the
    parser wrote it, in English: the file and line, translated around it, say where to look.
    """

    def __init__(self, msgid: str, **params: Any) -> None:
        shown = {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v for k, v in params.items()}
        super().__init__(msgid % shown if params else msgid)
        self.msgid, self.params = msgid, params


def N_(msgid: str) -> str:
    """A message template, left as it is here: translated where it is shown (extracted by ``make translations``)."""
    return msgid


def read_text(path: Path) -> str:
    """The file as UTF-8 text (a BOM is dropped); errors name the file and the line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(f"{path}:{line}: not UTF-8 text") from exc


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line; anything but a JSON object is an error."""
    yield from parse_jsonl(read_text(path), str(path))


def parse_jsonl(text: str, name: str, error: type[InputFileError] = InputFileError,
                ) -> Iterator[tuple[int, dict[str, Any]]]:  # fmt: skip
    """The same for text already read (an upload); errors are ``error`` naming ``name:line``."""
    # Lines end at "\n" only: str.splitlines() would also cut at U+2028, \x0b or \x85, which JSON
    # strings may hold raw (this project's own JSONL output writes U+2028 as it is).
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(N_("%(where)s: invalid JSON (%(problem)s)"), where=where, problem=exc.msg) from exc
        except ValueError as exc:  # an integer of more than 4,300 digits (Python's int conversion limit)
            raise error(N_("%(where)s: invalid JSON (%(problem)s)"), where=where,
                        problem=str(exc).split(":")[0]) from exc  # fmt: skip
        except RecursionError as exc:  # arrays or objects nested thousands deep: the parser's own limit
            raise error(N_("%(where)s: invalid JSON (nested too deeply)"), where=where) from exc
        if not isinstance(obj, dict):
            raise error(N_("%(where)s: expected a JSON object"), where=where)
        if "\\u" in line and _unstorable(obj):  # a lone surrogate escape ("\ud800") is valid JSON, not text
            raise error(N_("%(where)s: a text holds an unpaired surrogate escape (\\ud800-\\udfff)"), where=where)
        yield number, obj


def _unstorable(obj: dict[str, Any]) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
