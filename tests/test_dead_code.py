"""No dead code: every public function, class and model is used somewhere other than where it is written.

A definition nobody calls still costs every reader, and drifts unseen (it is never run). Decorated
definitions (routes, CLI commands, event listeners, spaCy factories) are called through their
decorator and are left out.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import cips.models

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SOURCES = (".py", ".js", ".html", ".ipynb")
#: Written ahead of its first caller, in work landing in slices: each entry says which slice uses it.
NOT_YET_CALLED: set[str] = set()


def _words(folders: tuple[str, ...], *, skip: Path | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SOURCES and path.is_file() and (skip is None or not path.is_relative_to(skip)):
                counts.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return counts


def test_every_public_definition_is_used() -> None:
    """A public top-level function or class of ``cips/`` or ``analysis/`` (or an exported function of
    the survey app's JavaScript) is named at least once beside its own definition, tests included."""
    everywhere = _words(("cips", "analysis", "tests", "tools", "bench", "migrations", "notebooks", "deploy"))
    unused = []
    for path in [*(ROOT / "cips").rglob("*.py"), *(ROOT / "analysis").rglob("*.py")]:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            public = isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
            if public and not node.decorator_list and everywhere[node.name] <= 1 and node.name not in NOT_YET_CALLED:
                unused.append(f"{path.relative_to(ROOT)}: {node.name}")
    for path in (ROOT / "cips" / "survey" / "static" / "js").glob("*.js"):
        for name in re.findall(r"^export (?:async )?function (\w+)", path.read_text(encoding="utf-8"), re.M):
            if everywhere[name] <= 1 and name not in NOT_YET_CALLED:
                unused.append(f"{path.relative_to(ROOT)}: {name}")
    assert unused == []


def test_every_model_is_used_by_the_app() -> None:
    """What ``cips.models`` exports is used by the app or its migrations, not only by tests: a
    schema family (``*Public``, ``*Create``) that no route, service or command builds is dead."""
    outside = _words(("cips", "migrations"), skip=ROOT / "cips" / "models")
    assert [name for name in cips.models.__all__ if not outside[name]] == []
