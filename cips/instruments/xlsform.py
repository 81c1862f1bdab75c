"""XLSForm, the spreadsheet format of ODK, Kobo, SurveyCTO and Enketo, to and from a questionnaire.

Read: the ``survey``, ``choices`` and ``settings`` sheets, labels per language in
``label::French (fr)`` columns, ``relevant`` / ``constraint`` / ``required`` / ``calculation``
translated from XPath (``${x} = 'a'`` becomes ``x == 'a'``); anything CIPS cannot honour is
refused with its cell named (``survey!F12: function 'pulldata' is not supported``), never dropped.

CIPS's own fields ride in extra columns, which XLSForm tools ignore: ``factor``, ``reverse``,
``non_substantive``, ``min``, ``max``, ``max_length`` (survey), ``intro::…``, ``consent::…``,
``survey_title::…`` (``title::`` would clash with pyxform's own title), ``strata`` (settings).
A ``begin group`` is a section (``parameters``:
``randomize=true``); rows outside any group form a section titled with the form's title, which is what
ODK Collect and Enketo show above ungrouped questions. ``form_title`` has one language (pyxform writes it
as the XForm's single ``<h:title>``), so ``form_title::…`` is refused and a title per language goes in
``survey_title::…``. The choice list named ``likert5`` holds the agreement scale, and a
``select_one likert5`` row is a Likert statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from cips.instruments.expressions import KEYWORDS, ExpressionError, parse
from cips.instruments.schema import LIKERT_MAX, LIKERT_MIN, Instrument

LIKERT_LIST = "likert5"
TYPES = {"text": "text", "integer": "number", "decimal": "number", "select_one": "single",
         "select_multiple": "multi", "calculate": "number"}  # fmt: skip
#: Metadata rows devices fill in themselves; CIPS records the start and end of each response on its own.
IGNORED_TYPES = {"start", "end", "today", "deviceid", "username", "audit"}
#: Columns read, beside the translated ones (label, hint, constraint_message); others must stay empty.
SURVEY_COLUMNS = {"type", "name", "required", "relevant", "constraint", "calculation", "parameters", "appearance",
                  "factor", "reverse", "non_substantive", "min", "max", "max_length"}  # fmt: skip
SETTINGS_COLUMNS = {"form_title", "form_id", "version", "default_language", "strata", "style", "instance_name"}
TRANSLATED = {"label", "hint", "constraint_message", "survey_title", "intro", "consent"}

_STRING = re.compile(r"('[^']*'|\"[^\"]*\")")
_HYPHENATED_CALL = re.compile(r"\b([A-Za-z_][\w]*(?:-[A-Za-z0-9_]+)+)\s*\(")
_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*(?:\((?P<code>[a-z]{2,3})\))?$")
_ENGLISH_NAMES = {name.lower(): code for code, name in Locale("en").languages.items() if len(code) in (2, 3)}


class XLSFormError(Exception):
    """An XLSForm that cannot be read at all (not a workbook, no survey sheet)."""


@dataclass
class Imported:
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    #: What the import did that the author may not expect; nothing is refused for these.
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------- expressions


def from_xpath(text: str) -> str:
    """An XLSForm expression in the CIPS language: ``${x}`` -> ``x``, ``=`` -> ``==``, ``count-selected``."""
    match = _HYPHENATED_CALL.search(text)
    if match and match.group(1) != "count-selected":
        raise ExpressionError(f"function '{match.group(1)}' is not supported")
    parts = _STRING.split(text)
    for i in range(0, len(parts), 2):  # outside string literals only
        part = re.sub(r"\$\{([A-Za-z_][\w]*)\}", r"\1", parts[i])
        part = re.sub(r"(?<![<>!=])=(?!=)", "==", part)
        part = re.sub(r"\bcount-selected\s*\(", "count_selected(", part)
        parts[i] = re.sub(r"\b(true|false)\(\)", r"\1", part)
    result = "".join(parts)
    parse(result)  # refused here, with the cell named, rather than later by the schema
    return result


def to_xpath(source: str) -> str:
    """The reverse of :func:`from_xpath`, keeping spacing so that a round trip is exact."""

    def name(match: re.Match[str]) -> str:
        word = match.group(1)
        return word if word in KEYWORDS else f"${{{word}}}"

    parts = _STRING.split(source)
    for i in range(0, len(parts), 2):
        part = re.sub(r"(?<![\w$.])([A-Za-z_]\w*)\b(?!\s*\()", name, parts[i])
        part = re.sub(r"==", "=", part)
        parts[i] = part.replace("count_selected(", "count-selected(")
    return "".join(parts)


# ----------------------------------------------------------------- reading


def _rows(sheet: Any) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = {h: v for h, v in zip(header, row, strict=False) if h and v is not None and str(v).strip() != ""}
        if values:
            out.append((number, values))
    return header, out


def _language(spec: str, where: str, problems: list[str]) -> str | None:
    match = _LANGUAGE.match(spec.strip())
    code = match.group("code") if match else None
    if code is None:
        code = _ENGLISH_NAMES.get(spec.strip().lower())
    if code is None:
        problems.append(f"{where}: cannot tell the language of '{spec}': write it as 'French (fr)'")
    return code


class _Reader:
    def __init__(self, path: Path) -> None:
        try:
            self.book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
            raise XLSFormError(f"{path}: not an .xlsx workbook ({exc})") from exc
        if "survey" not in self.book.sheetnames:
            raise XLSFormError(f"{path}: no 'survey' sheet")
        self.problems: list[str] = []
        self.languages: list[str] = []
        self.default = "en"

    def texts(self, sheet: str, header: list[str], row: int, values: dict[str, Any], column: str) -> dict | None:
        """``{lang: text}`` from ``column::Lang (xx)`` columns (and a plain ``column`` in the default language)."""
        out: dict[str, str] = {}
        for index, name in enumerate(header, start=1):
            base, _, spec = name.partition("::")
            if base != column or name not in values:
                continue
            where = f"{sheet}!{get_column_letter(index)}{row}"
            lang = _language(spec, where, self.problems) if spec else self.default
            if lang:
                out[lang] = str(values[name]).strip()
                if lang not in self.languages:
                    self.languages.append(lang)
        return out or None

    def expression(self, text: Any, where: str) -> str | None:
        try:
            return from_xpath(str(text))
        except ExpressionError as exc:
            self.problems.append(f"{where}: {exc}")
            return None

    def unsupported_columns(self, sheet: str, header: list[str], rows: list, known: set[str]) -> None:
        for index, name in enumerate(header, start=1):
            if name and name.partition("::")[0] not in known and name.partition("::")[0] not in TRANSLATED:
                used = next((n for n, values in rows if name in values), None)
                if used is not None:
                    cell = f"{sheet}!{get_column_letter(index)}{used}"
                    self.problems.append(f"{cell}: column '{name}' is not supported")


def read_xlsform(path: Path | str) -> Imported:
    """The questionnaire data of an XLSForm, and every problem met, each naming its cell."""
    reader = _Reader(Path(path))
    problems = reader.problems
    settings_header, settings = _rows(reader.book["settings"]) if "settings" in reader.book.sheetnames else ([], [])
    setting = settings[0][1] if settings else {}
    reader.default = str(setting.get("default_language", "")).strip() or "en"
    if "::" in reader.default or "(" in reader.default:
        reader.default = _language(reader.default.partition("::")[2] or reader.default, "settings!default_language",
                                   problems) or "en"  # fmt: skip
    survey_header, survey = _rows(reader.book["survey"])
    choices_header, choice_rows = _rows(reader.book["choices"]) if "choices" in reader.book.sheetnames else ([], [])
    reader.unsupported_columns("survey", survey_header, survey, SURVEY_COLUMNS)
    reader.unsupported_columns("choices", choices_header, choice_rows, {"list_name", "name"})
    reader.unsupported_columns("settings", settings_header, settings, SETTINGS_COLUMNS)
    for index, name in enumerate(settings_header, start=1):
        if name.startswith("form_title::") and settings and name in settings[0][1]:
            problems.append(f"settings!{get_column_letter(index)}{settings[0][0]}: '{name}': XLSForm's form_title "
                            f"has one language; put a title per language in 'survey_title::{name[12:]}'")  # fmt: skip

    lists: dict[str, list[dict[str, Any]]] = {}
    for row, values in choice_rows:
        label = reader.texts("choices", choices_header, row, values, "label") or {}
        lists.setdefault(str(values.get("list_name", "")), []).append(
            {"value": _text(values.get("name")), "label": label}
        )

    sections: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    loose: dict[str, Any] | None = None  # items outside any group
    col = {name: get_column_letter(i) for i, name in enumerate(survey_header, start=1)}
    for row, values in survey:
        kind, _, list_name = str(values.get("type", "")).strip().partition(" ")
        list_name = list_name.strip()
        cell = f"survey!{col.get('type', 'A')}{row}"
        if kind in ("begin_group", "begin group") or (kind == "begin" and list_name == "group"):
            if current is not None:
                problems.append(f"{cell}: groups inside groups are not supported")
                continue
            current = {
                "id": _text(values.get("name")),
                "title": reader.texts("survey", survey_header, row, values, "label"),
            }
            if "relevant" in values:
                current["relevant"] = reader.expression(values["relevant"], f"survey!{col['relevant']}{row}")
            if "randomize=true" in str(values.get("parameters", "")).replace(" ", "").lower():
                current["randomize"] = True
            current["items"] = []
            sections.append(current)
            continue
        if kind in ("end_group", "end group") or (kind == "end" and list_name == "group"):
            current = None
            loose = None  # ungrouped rows after a group start a section of their own, keeping the form's order
            continue
        if kind in IGNORED_TYPES:
            continue
        if kind not in TYPES:
            problems.append(f"{cell}: type '{values.get('type')}' is not supported")
            continue
        item = _item(reader, survey_header, row, values, kind, list_name, lists, col)
        if current is None:
            if loose is None:
                number = sum(1 for s in sections if s.get("loose")) + 1
                loose = {"id": "questions" if number == 1 else f"questions_{number}", "title": None, "items": [],
                         "loose": True}  # fmt: skip
                sections.append(loose)
            loose["items"].append(item)
        else:
            current["items"].append(item)

    imported = Imported({}, problems)
    imported.data = _document(reader, settings_header, setting, lists, sections, imported.notes)
    return imported


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _item(reader: _Reader, header: list[str], row: int, values: dict[str, Any], kind: str, list_name: str,
          lists: dict[str, list[dict[str, Any]]], col: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    problems = reader.problems
    item: dict[str, Any] = {"id": _text(values.get("name")), "type": TYPES[kind]}
    if kind == "select_one" and list_name == LIKERT_LIST:
        item["type"] = "likert5"
    elif kind in ("select_one", "select_multiple"):
        if list_name not in lists:
            problems.append(f"survey!{col['type']}{row}: choice list '{list_name}' is not in the choices sheet")
        item["choices"] = lists.get(list_name, [])
    label = reader.texts("survey", header, row, values, "label")
    item["text"] = label if label else dict.fromkeys(reader.languages or [reader.default], item["id"])
    if hint := reader.texts("survey", header, row, values, "hint"):
        item["help"] = hint
    required = str(values.get("required", "")).strip()
    if required.lower() in ("", "no", "false", "false()"):
        item["required"] = False
    elif required.lower() in ("yes", "true", "true()"):
        item["required"] = True
    else:
        item["required"] = reader.expression(required, f"survey!{col['required']}{row}")
    for column, key in (("relevant", "relevant"), ("constraint", "constraint"), ("calculation", "calculate")):
        if column in values:
            item[key] = reader.expression(values[column], f"survey!{col[column]}{row}")
    if message := reader.texts("survey", header, row, values, "constraint_message"):
        item["constraint_message"] = message
    for key in ("factor", "min", "max", "max_length"):
        if key in values:
            item[key] = values[key] if key != "factor" else _text(values[key])
    if str(values.get("reverse", "")).strip().lower() in ("yes", "true", "true()", "1"):
        item["reverse"] = True
    if "non_substantive" in values:
        item["non_substantive"] = str(values["non_substantive"]).split()
    return item


def _document(reader: _Reader, header: list[str], setting: dict[str, Any], lists: dict[str, list],
              sections: list[dict[str, Any]], notes: list[str]) -> dict[str, Any]:  # fmt: skip
    langs = reader.languages or [reader.default]
    scale = lists.get(LIKERT_LIST, [])
    likert_labels = {lang: [c["label"].get(lang, "") for c in scale] for lang in langs} if scale else {}
    title = reader.texts("settings", header, 2, setting, "survey_title")
    if title is None and setting.get("form_title"):
        title = dict.fromkeys(langs, str(setting["form_title"]).strip())
        if len(langs) > 1:
            cell = f"settings!{get_column_letter(header.index('form_title') + 1)}2"
            notes.append(f"{cell}: form_title has one language, so every language ({', '.join(langs)}) gets "
                         f"'{title[langs[0]]}'; add 'survey_title::French (fr)'-style columns for a title per "
                         "language")  # fmt: skip
    for section in sections:
        # A section without a label (ungrouped rows, an unlabelled group) is shown under the form's title, as
        # ODK Collect and Enketo do, rather than under its id.
        fallback = {lang: (title or {}).get(lang) or section["id"] for lang in langs}
        section["title"] = section["title"] or fallback
        section.pop("loose", None)
    version = setting.get("version", 1)
    data: dict[str, Any] = {
        "key": _text(setting.get("form_id")) or "questionnaire",
        "version": int(version) if str(version).strip().isdigit() else version,
        "languages": langs,
        "title": title or {},
        "intro": reader.texts("settings", header, 2, setting, "intro") or {},
        "consent": reader.texts("settings", header, 2, setting, "consent") or {},
        "likert_labels": likert_labels,
        "strata": str(setting.get("strata", "")).split(),
        "sections": sections,
    }
    return data


# ----------------------------------------------------------------- writing


def _language_header(lang: str) -> str:
    try:
        name = Locale.parse(lang).get_display_name("en")
    except (ValueError, LookupError):
        name = lang
    return f"{name} ({lang})"


def write_xlsform(definition: Instrument, path: Path | str) -> None:
    """The questionnaire as an XLSForm that :func:`read_xlsform` reads back to the same definition."""
    langs = definition.languages
    tr = [_language_header(lang) for lang in langs]
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    columns = ["type", "name", *(f"label::{t}" for t in tr), *(f"hint::{t}" for t in tr), "required", "relevant",
               "constraint", *(f"constraint_message::{t}" for t in tr), "calculation", "parameters", "factor",
               "reverse", "non_substantive", "min", "max", "max_length"]  # fmt: skip
    survey.append(columns)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *(f"label::{t}" for t in tr)])
    for value in range(LIKERT_MIN, LIKERT_MAX + 1):
        choices.append([LIKERT_LIST, value, *(definition.likert_labels[lang][value - LIKERT_MIN] for lang in langs)])

    def row(**cells: Any) -> None:
        survey.append([cells.get(c) for c in columns])

    def texts(prefix: str, values: dict[str, str] | None) -> dict[str, str]:
        return {f"{prefix}::{t}": (values or {}).get(lang) for t, lang in zip(tr, langs, strict=True)}

    for section in definition.sections:
        row(**{"type": "begin_group", "name": section.id, **texts("label", section.title),
               "relevant": to_xpath(section.relevant) if section.relevant else None,
               "parameters": "randomize=true" if section.randomize else None})  # fmt: skip
        for item in section.items:
            kinds = {"likert5": f"select_one {LIKERT_LIST}", "single": f"select_one {item.id}",
                     "multi": f"select_multiple {item.id}", "text": "text", "number": "decimal"}  # fmt: skip
            kind = kinds[item.type.value]
            if item.calculate:
                kind = "calculate"
            for choice in item.choices or []:
                choices.append([item.id, choice.value, *(choice.label.get(lang) for lang in langs)])
            required = item.required if isinstance(item.required, str) else ("yes" if item.required else None)
            row(**{"type": kind, "name": item.id, **texts("label", item.text), **texts("hint", item.help),
                   "required": to_xpath(required) if required not in (None, "yes") else required,
                   "relevant": to_xpath(item.relevant) if item.relevant else None,
                   "constraint": to_xpath(item.constraint) if item.constraint else None,
                   **texts("constraint_message", item.constraint_message),
                   "calculation": to_xpath(item.calculate) if item.calculate else None,
                   "factor": item.factor, "reverse": "yes" if item.reverse else None,
                   "non_substantive": " ".join(item.non_substantive) or None,
                   "min": item.min, "max": item.max,
                   "max_length": item.max_length if item.type.value == "text" else None})  # fmt: skip
        row(type="end_group")
    settings = book.create_sheet("settings")
    header = ["form_title", "form_id", "version", "default_language", "strata",
              *(f"{name}::{t}" for name in ("survey_title", "intro", "consent") for t in tr)]  # fmt: skip
    settings.append(header)
    translated = [getattr(definition, name).get(lang) for name in ("title", "intro", "consent") for lang in langs]
    settings.append([definition.title.get(langs[0]), definition.key, definition.version, tr[0],
                     " ".join(definition.strata) or None, *translated])  # fmt: skip
    book.save(path)
