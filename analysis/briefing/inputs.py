"""Read a contributions file (CSV or JSONL) and an optional questions YAML, with located errors.

A contribution is one partner administration's answer to one open question. Files
come from spreadsheets and mailboxes, so the reader is strict about what it cannot
guess (a missing column, a bad JSON line, a file that is not text) and says where:
``contributions.csv:14: field 'attributable': …``.

Encoding: UTF-8 (with or without BOM), or UTF-16/UTF-32 *with* a BOM (Excel's
"Unicode text"). Anything else is refused with the line of the first bad byte,
unless the caller names the encoding (``encoding="cp1252"``): quotes are reproduced
verbatim, so a silent wrong guess (mojibake in a quote) is worse than an error.
UTF-16 without a BOM is refused too, with a hint: ASCII UTF-16 is valid UTF-8 full of
NUL bytes, so it is recognised by them (the hint, not a guess: the user re-saves).

Control characters (``clean_text``): text pasted from Word carries invisible ones
(``\v`` is Word's manual line break) that XML, hence DOCX, cannot hold. At read time
``\v``, ``\f``, U+2028, U+2029 and ``\r``/``\r\n`` become ``\n``, and every other C0
control character except ``\t`` and ``\n`` is removed (with DEL and U+FFFE/U+FFFF).
Quotes are verbatim apart from these invisible characters.

Limits (``analysis.briefing.limits``): answers per file, characters per answer, distinct
questions; a JSON line nested too deeply for the parser is a located error, not a crash.
The questions YAML is read with aliases refused (``*name``): the format never needs
them (each question is written out), and a few hundred bytes of nested aliases expand to
billions of nodes ("billion laughs"). Anchors alone (``&name``) are harmless and ignored.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.briefing.limits import MAX_ANSWER_CHARS, MAX_CONTRIBUTIONS, MAX_QUESTIONS
from analysis.factors import CORE_LANGUAGES
from analysis.jsonl import InputFileError, parse_jsonl
from analysis.tabular import MalformedCSV, csv_records

REQUIRED = ("question", "answer")
OPTIONAL = ("contributor", "lang", "attributable")
_TRUE = {"1", "true", "yes", "y", "oui", "o", "sí", "si", "s", "sim", "x"}
_FALSE = {"", "0", "false", "no", "n", "non", "não", "nao"}
#: Encodings offered for a file that is not UTF-8 (the web form's choices; the CLI takes any codec name).
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "iso-8859-1": "Latin-1 (ISO-8859-1)",
             "mac_roman": "Mac OS Roman", "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE"}  # fmt: skip
UTF16_HINT = "it looks like UTF-16 without a byte-order mark"
LATIN_HINT = "perhaps Windows-1252/Latin-1"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


_LINE_BREAKS = re.compile("\r\n|[\r\v\f\u2028\u2029]")
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
#: Share of NUL bytes from which UTF-8-valid bytes are taken for UTF-16 without a BOM (ASCII UTF-16: 50%).
_NUL_SHARE = 0.1


def clean_text(text: str) -> str:
    """``text`` without the invisible control characters XML cannot hold (see the module docstring)."""
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


class BriefingInputError(InputFileError):
    """A contributions or questions file that cannot be used; the message names the file and line.

    Raised as ``BriefingInputError("%(where)s: …", where=…)``: ``str(exc)`` is the English message (whole
    numbers grouped, 12,000), and ``msgid`` and ``params`` let the web app show it in the interface's
    language (``make translations`` extracts these messages; ``cips.services.briefings`` translates them).
    """


@dataclass(frozen=True)
class Contribution:
    """One answer as given. ``answer`` is kept exactly (but for ``clean_text``): quotes are cut from it."""

    question: str
    answer: str
    contributor: str = ""
    lang: str = ""  # en/fr/es/pt when the file says so, else detected later
    attributable: bool = False
    line: int = 0  # where it came from, for messages


@dataclass(frozen=True)
class Question:
    id: str
    text: dict[str, str] = field(default_factory=dict)  # per language

    def heading(self, lang: str) -> str:
        return self.text.get(lang) or self.text.get("en") or next(iter(self.text.values()), self.id)


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """The bytes as text; see the module docstring for the rules."""
    if not data.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise BriefingInputError("%(where)s: the file is empty", where=name)
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            if isinstance(exc, LookupError):
                raise BriefingInputError("%(where)s: unknown encoding %(encoding)s", where=name,
                                         encoding=encoding) from exc  # fmt: skip
            line = data[: exc.start].count(b"\n") + 1
            raise BriefingInputError("%(where)s: not %(encoding)s text (byte %(byte)s); choose the file's encoding or "
                                     "save it as UTF-8", where=f"{name}:{line}", encoding=encoding,
                                     byte=f"0x{data[exc.start]:02x}") from exc  # fmt: skip
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise BriefingInputError("%(where)s: invalid %(encoding)s text after its byte-order mark", where=name,
                                         encoding=codec) from exc  # fmt: skip
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if b"\x00" in data[:200]:
            raise NotUtf8Error(name, line, UTF16_HINT, "utf-16-le") from exc
        raise NotUtf8Error(name, line, LATIN_HINT, "cp1252") from exc
    if data.count(b"\x00") >= _NUL_SHARE * len(data):  # ASCII in UTF-16 decodes as UTF-8 with a NUL per character
        raise NotUtf8Error(name, data[: data.index(b"\x00")].count(b"\n") + 1, UTF16_HINT, "utf-16-le")
    return text


class NotUtf8Error(BriefingInputError):
    """A file that is not UTF-8 and names no encoding: where, the likely encoding, and a hint.

    The message speaks to the command line (``--encoding``); the web form names its own field
    with ``name``, ``line``, ``hint`` and ``encoding`` (one of :data:`ENCODINGS`).
    """

    def __init__(self, name: str, line: int, hint: str, encoding: str) -> None:
        super().__init__(f"{name}:{line}: not UTF-8 text ({hint}); save the file as UTF-8 (Excel: 'CSV UTF-8') "
                         f"or give its encoding (--encoding {encoding})")  # fmt: skip
        self.name, self.line, self.hint, self.encoding = name, line, hint, encoding


def _flag(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    norm = str(value).strip().lower()
    if norm in _TRUE:
        return True
    if norm in _FALSE:
        return False
    raise BriefingInputError("%(where)s: field 'attributable': %(value)s is not yes/no (use yes, no, true, false, "
                             "1, 0)", where=where, value=repr(value))  # fmt: skip


def _lang(value: object, where: str) -> str:
    norm = str(value or "").strip().lower()[:2]
    if norm and norm not in CORE_LANGUAGES:
        # Not an error: the language is detected instead (an "ar" answer would be marked "und").
        return ""
    return norm


def _make(record: dict[str, object], where: str) -> Contribution | None:
    for key in (*REQUIRED, *OPTIONAL):
        if isinstance(record.get(key), dict | list):
            raise BriefingInputError("%(where)s: field %(field)s: expected text, got %(got)s", where=where,
                                     field=repr(key), got=type(record[key]).__name__)  # fmt: skip
    question = clean_text(str(record.get("question") or "")).strip()
    answer = record.get("answer")
    if answer is not None and not isinstance(answer, str):
        raise BriefingInputError("%(where)s: field %(field)s: expected text, got %(got)s", where=where,
                                 field="'answer'", got=type(answer).__name__)  # fmt: skip
    answer = clean_text(answer) if answer else answer
    if not answer or not answer.strip():
        return None  # a blank answer says nothing; it is not a contribution
    if len(answer) > MAX_ANSWER_CHARS:
        raise BriefingInputError("%(where)s: field 'answer': %(n)s characters (at most %(most)s per answer)",
                                 where=where, n=len(answer), most=MAX_ANSWER_CHARS)  # fmt: skip
    if not question:
        raise BriefingInputError("%(where)s: field 'question': empty (give the question id or text)", where=where)
    line = int(where.rsplit(":", 1)[1])
    contributor = clean_text(str(record.get("contributor") or "")).strip()
    return Contribution(question=question, answer=answer, contributor=contributor,
                        lang=_lang(record.get("lang"), where),
                        attributable=_flag(record.get("attributable"), where), line=line)  # fmt: skip


def _read_csv(text: str, name: str) -> list[Contribution]:
    header: list[str] | None = None
    out: list[Contribution] = []
    try:
        for start, row in csv_records(text):
            if header is None:
                if not any(cell.strip() for cell in row):
                    continue
                header = [cell.strip().lstrip("\ufeff").lower() for cell in row]
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise BriefingInputError(
                        "%(where)s: missing column %(missing)s (columns found: %(found)s; needed: question, answer; "
                        "optional: %(optional)s)", where=f"{name}:{start}", missing=", ".join(repr(m) for m in missing),
                        found=", ".join(header) or "—", optional=", ".join(OPTIONAL),
                    )  # fmt: skip
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise BriefingInputError("%(where)s: %(cells)s cells but %(columns)s columns (an unquoted separator "
                                         "inside an answer?)", where=f"{name}:{start}", cells=len(row),
                                         columns=len(header))  # fmt: skip
            record = dict(zip(header, row, strict=False))
            _add(out, _make(record, f"{name}:{start}"), f"{name}:{start}")
    except MalformedCSV as exc:
        raise BriefingInputError("%(where)s: malformed CSV (%(problem)s; is a quote left open?)",
                                 where=f"{name}:{exc.line}", problem=exc.problem) from exc  # fmt: skip
    if header is None:
        raise BriefingInputError("%(where)s: the file is empty", where=name)
    return out


def _read_jsonl(text: str, name: str) -> list[Contribution]:
    out: list[Contribution] = []
    for number, obj in parse_jsonl(text, name, BriefingInputError):
        missing = [c for c in REQUIRED if c not in obj]
        if missing:
            raise BriefingInputError("%(where)s: missing field %(missing)s", where=f"{name}:{number}",
                                     missing=", ".join(repr(m) for m in missing))  # fmt: skip
        _add(out, _make(obj, f"{name}:{number}"), f"{name}:{number}")
    return out


def _add(out: list[Contribution], contribution: Contribution | None, where: str) -> None:
    """Append ``contribution`` unless it is blank; past a limit, say which and where."""
    if contribution is None:
        return
    if len(out) >= MAX_CONTRIBUTIONS:
        raise BriefingInputError("%(where)s: more than %(most)s answers (the limit of one briefing; split the file "
                                 "by question)", where=where, most=MAX_CONTRIBUTIONS)  # fmt: skip
    out.append(contribution)


def _check_questions(rows: Sequence[Contribution], name: str) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        first_line.setdefault(row.question, row.line)
    if len(first_line) > MAX_QUESTIONS:
        line = list(first_line.values())[MAX_QUESTIONS]
        raise BriefingInputError("%(where)s: field 'question': more than %(most)s different questions (the limit of "
                                 "one briefing)", where=f"{name}:{line}", most=MAX_QUESTIONS)  # fmt: skip


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BriefingInputError("%(where)s: cannot read: %(why)s", where=name, why=str(exc.strerror)) from exc


def read_contributions(data: bytes | Path, name: str | None = None, encoding: str | None = None) -> list[Contribution]:
    """Contributions from a CSV (``,``/``;``/tab separated) or JSONL file, by name suffix (or by content)."""
    if isinstance(data, Path):
        name = name or str(data)
        data = _read_bytes(data, name)
    name = name or "<upload>"
    text = decode(data, name, encoding)
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        rows = _read_jsonl(text, name)
    elif suffix in (".csv", ".tsv", ".txt"):
        rows = _read_csv(text, name)
    elif suffix:
        raise BriefingInputError("%(where)s: unknown format %(suffix)s (use .csv or .jsonl)", where=name,
                                 suffix=repr(suffix))  # fmt: skip
    else:
        rows = _read_jsonl(text, name) if text.lstrip().startswith("{") else _read_csv(text, name)
    if not rows:
        raise BriefingInputError("%(where)s: no answers (every 'answer' is empty)", where=name)
    _check_questions(rows, name)
    return rows


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases (``*name``): see the module docstring."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted: write each question "
                                              "and text out in full", mark)  # fmt: skip
        return super().compose_node(parent, index)  # type: ignore[misc]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        """A value Python cannot build (``2026-13-01``, an integer of thousands of digits) is a
        ValueError with no position: made a located YAML error like the others."""
        try:
            return super().construct_object(node, deep)
        except ValueError as exc:
            problem = f"cannot read this value: {str(exc).split(':')[0]}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from exc


def read_questions(data: bytes | Path, name: str | None = None) -> list[Question]:
    """Questions in briefing order from YAML: ``questions: [{id, text: {en, fr, …}}]`` (``order`` optional)."""
    if isinstance(data, Path):
        name = name or str(data)
        data = _read_bytes(data, name)
    name = name or "<questions>"
    try:
        doc = yaml.load(decode(data, name), Loader=_NoAliasLoader)  # a SafeLoader, aliases refused
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise BriefingInputError("%(where)s: invalid YAML (%(problem)s)", where=where,
                                 problem=str(getattr(exc, "problem", exc))) from exc  # fmt: skip
    except RecursionError as exc:
        raise BriefingInputError("%(where)s: invalid YAML (nested too deeply)", where=name) from exc
    items = doc.get("questions") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise BriefingInputError("%(where)s: expected a list 'questions:' of {id, text}", where=name)
    if len(items) > MAX_QUESTIONS:
        raise BriefingInputError("%(where)s: %(n)s questions (at most %(most)s in one briefing)", where=name,
                                 n=len(items), most=MAX_QUESTIONS)  # fmt: skip
    questions: list[tuple[float, int, Question]] = []
    seen: set[str] = set()
    for k, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not str(item.get("id") or "").strip():
            raise BriefingInputError("%(where)s: question %(k)s: field 'id': missing", where=name, k=k)
        qid = str(item["id"]).strip()
        if qid in seen:
            raise BriefingInputError("%(where)s: question %(k)s: field 'id': %(id)s appears twice", where=name, k=k,
                                     id=repr(qid))  # fmt: skip
        seen.add(qid)
        text = item.get("text") or {}
        if isinstance(text, str):
            text = {"en": text}
        if not isinstance(text, dict):
            raise BriefingInputError("%(where)s: question %(k)s (%(id)s): field 'text': expected text per language "
                                     "(en: …, fr: …)", where=name, k=k, id=qid)  # fmt: skip
        order = item.get("order", k)
        if not isinstance(order, int | float):
            raise BriefingInputError("%(where)s: question %(k)s (%(id)s): field 'order': expected a number",
                                     where=name, k=k, id=qid)  # fmt: skip
        questions.append((float(order), k, Question(qid, {str(lg): str(t).strip() for lg, t in text.items() if t})))
    return [q for _, _, q in sorted(questions, key=lambda x: (x[0], x[1]))]


def _key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(" ?¿.")


def resolve_questions(contributions: Sequence[Contribution], questions: Sequence[Question] | None,
                      name: str = "<contributions>") -> tuple[list[Question], dict[str, str]]:  # fmt: skip
    """The questions to report, in order, and each contribution's ``question`` value -> question id.

    With a questions file a contribution may give the id or any language's text; an unknown
    question is an error (a typo would otherwise become a section of its own). Without one,
    questions are taken as written, in order of first appearance.
    """
    if not questions:
        order = list(dict.fromkeys(c.question for c in contributions))
        return [Question(q, {}) for q in order], {q: q for q in order}
    lookup: dict[str, str] = {}
    for q in questions:
        lookup[_key(q.id)] = q.id
        for t in q.text.values():
            lookup.setdefault(_key(t), q.id)
    mapping: dict[str, str] = {}
    for c in contributions:
        if c.question in mapping:
            continue
        qid = lookup.get(_key(c.question))
        if qid is None:
            ids = ", ".join(q.id for q in questions)
            raise BriefingInputError("%(where)s: field 'question': %(question)s is not in the questions file (ids: "
                                     "%(ids)s)", where=f"{name}:{c.line}", question=repr(c.question),
                                     ids=ids)  # fmt: skip
        mapping[c.question] = qid
    return list(questions), mapping
