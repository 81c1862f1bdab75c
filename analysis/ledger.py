"""The evaluation ledger, ``analysis/data/EVAL_LOG.md``: every look at a held-out set, in order.

A held-out figure can be trusted only if one knows how often the set was looked at and
on what code. ``make eval`` appends one row per held-out run (UTC date, commit, clean or
dirty tree, which set and its SHA-256, figures) before it prints the figures, and README
lists the same rows (:func:`table`). The table sits between ``<!-- ledger:start -->`` and
``<!-- ledger:end -->``; its rows are plain Markdown, so past runs can be written by hand.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

START, END = "<!-- ledger:start -->", "<!-- ledger:end -->"
COLUMNS = ("#", "date (UTC)", "commit", "tree", "set", "n", "macro-F1", "micro-F1", "primary accuracy",
           "same primary in 4 languages", "baseline macro-F1", "note")  # fmt: skip


class LedgerError(ValueError):
    """A ledger that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class GitState:
    commit: str  # full hash, or "unknown" outside a git checkout
    dirty: bool  # tracked changes anywhere, or untracked files under analysis/ (data, code)


def git_state(root: Path) -> GitState:
    """The checkout's commit and whether the tree differs from it (unknown counts as dirty)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        # Untracked files matter only where they can change the model or the data (a new
        # module, a data file): elsewhere (a .venv symlink, notes) they change no figure.
        changes = git("status", "--porcelain", "--untracked-files=no") + git(
            "status", "--porcelain", "--untracked-files=all", "--", "analysis"
        )
    except (OSError, subprocess.CalledProcessError):
        return GitState("unknown", True)
    return GitState(commit, bool(changes.strip()))


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def set_name(path: Path) -> str:
    """How a set is named in the ledger: file name and digest (a changed file is another set)."""
    return f"{path.name} sha256:{file_digest(path)}"


def _block(text: str, path: Path) -> tuple[str, str, str]:
    if START not in text or END not in text:
        raise LedgerError(f"{path}: markers {START} / {END} not found")
    head, rest = text.split(START, 1)
    body, tail = rest.split(END, 1)
    return head, body, tail


def read_rows(path: Path) -> list[dict[str, str]]:
    """The ledger's rows as column -> cell."""
    _, body, _ = _block(path.read_text(encoding="utf-8"), path)
    rows = []
    for number, line in enumerate(body.strip().splitlines()[2:], start=3):  # after header and rule
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != len(COLUMNS):
            raise LedgerError(f"{path}: table line {number}: {len(cells)} cells, expected {len(COLUMNS)}")
        rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows


def table(rows: list[dict[str, str]]) -> str:
    """The rows as the Markdown table written in the ledger and copied into README."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row[c] for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def append(path: Path, row: dict[str, str]) -> dict[str, str]:
    """Append ``row`` (numbered next) to the ledger file; returns the row as written."""
    text = path.read_text(encoding="utf-8")
    head, _, tail = _block(text, path)
    rows = read_rows(path)
    row = {"#": str(len(rows) + 1), **{c: str(row.get(c, "")).replace("|", "/") for c in COLUMNS[1:]}}
    path.write_text(f"{head}{START}\n{table([*rows, row])}\n{END}{tail}", encoding="utf-8")
    return row


def looks_at(path: Path, name: str) -> list[dict[str, str]]:
    """Earlier rows for the set named ``name`` (see :func:`set_name`)."""
    return [row for row in read_rows(path) if row["set"].startswith(name)]


def replace_block(path: Path, start: str, end: str, content: str) -> None:
    """Rewrite the text between two markers of a file (README's generated parts)."""
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise LedgerError(f"{path}: markers {start} / {end} not found")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{content}\n{end}{tail}", encoding="utf-8")
