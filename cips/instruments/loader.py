"""Read questionnaire YAML files and report *every* problem with file, item and field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cips.instruments.schema import Instrument, locate, semantic_errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a questionnaire file."""

    file: str
    item: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: item {self.item}: {self.field}: {self.message}"


@dataclass
class LoadResult:
    path: Path
    instrument: Instrument | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.instrument is not None and not self.problems


#: Fields added after versions were stored (skip logic): left out of the hash while unset, so
#: an unchanged file keeps the hash of the version already in the database.
LATER_DEFAULTS: dict[str, Any] = {"relevant": None, "constraint": None, "constraint_message": None,
                                  "calculate": None, "non_substantive": [], "randomize": False}  # fmt: skip


def _drop_later_defaults(node: Any) -> Any:
    if isinstance(node, list):
        return [_drop_later_defaults(n) for n in node]
    if isinstance(node, dict):
        return {k: _drop_later_defaults(v) for k, v in node.items()
                if not (k in LATER_DEFAULTS and v == LATER_DEFAULTS[k])}  # fmt: skip
    return node


def definition_json(instrument: Instrument) -> dict[str, Any]:
    """The definition as JSON, without the later fields left unset (what devices and the hash see)."""
    return _drop_later_defaults(instrument.model_dump(mode="json"))


def content_hash(instrument: Instrument) -> str:
    """Stable hash of the validated definition (formatting and key order do not count)."""
    data = definition_json(instrument)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _item_lines(text: str) -> dict[str, int]:
    """Line number of each ``id:`` in the file, so messages can point at the line."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().removeprefix("- ").strip()
        if stripped.startswith("id:"):
            value = stripped[3:].strip().strip("'\"")
            lines.setdefault(value, number)
    return lines


def load_file(path: Path | str) -> LoadResult:
    path = Path(path)
    result = LoadResult(path=path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        result.problems.append(Problem(name, "-", "-", "file not found"))
        return result
    except UnicodeDecodeError as exc:
        result.problems.append(Problem(name, "-", "-", f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return result
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        result.problems.append(Problem(name, "-", "-", f"invalid YAML: {getattr(exc, 'problem', exc)}", line))
        return result
    if not isinstance(data, dict):
        result.problems.append(Problem(name, "-", "-", "expected a mapping at the top of the file"))
        return result

    lines = _item_lines(text)
    instrument = None
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            item, where = locate(data, tuple(error["loc"]))
            message = error["msg"].removeprefix("Value error, ")
            result.problems.append(Problem(name, item, where, message, lines.get(item)))
    # Whole-document checks run even after structural errors: report everything at once.
    for item, where, message in semantic_errors(data):
        problem = Problem(name, item, where, message, lines.get(item))
        if problem not in result.problems:
            result.problems.append(problem)
    if not result.problems:
        result.instrument = instrument
    return result


def load_files(paths: list[Path]) -> list[LoadResult]:
    """Load several files; two files defining the same key and version is a problem too."""
    results = [load_file(p) for p in paths]
    seen: dict[tuple[str, int], Path] = {}
    for res in results:
        if res.instrument is None:
            continue
        ident = (res.instrument.key, res.instrument.version)
        if ident in seen:
            res.problems.append(
                Problem(str(res.path), "-", "key", f"{ident[0]} version {ident[1]} is also defined in {seen[ident]}")
            )
            res.instrument = None
        else:
            seen[ident] = res.path
    return results
