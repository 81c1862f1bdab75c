"""Measure theme groupings against an editor's: adjusted Rand index on the theme benchmark.

    python -m analysis.evaluate_themes --data analysis/data/themes [--questions q1,q2] [--embeddings e5|tfidf]
        [--settings ward]

``--data`` is a folder holding ``contributions.csv`` (``id,question,lang,text``, optionally
``administration``), ``gold.csv`` (``id,question,theme``: editor A) and optionally
``gold_B.csv`` (the same, by a second editor working independently), ``questions.yaml`` and
``split.yaml`` (``development: [q1, ...]``, ``held_out: [q3, ...]``; without it, or without a
``held_out`` list, every question of the folder is development). Per question, and overall
(mean over questions), it prints the adjusted Rand index (``sklearn.metrics.adjusted_rand_score``)
against editor A's themes of:

- ``briefing``: the grouping before themes by meaning, ``build_briefing(..., grouping="auto")``
  (codebook concepts, or BERTopic for a question with 40 points or more; ``cips briefing`` groups by
  meaning since). Each contribution goes to the theme that counts it; a contribution
  split into points in several themes goes to the theme of its **largest point**;
  contributions under "other points" (or counted as no comment) form one group;
- ``meaning``: ``analysis.briefing.meaning.group_by_meaning`` on whole answers (texts alone in
  their cluster form one "other" group);
- ``random``: each contribution drawn uniformly into as many groups as the gold has for that
  question, mean over ``N_RANDOM`` seeded draws.

With ``gold_B.csv`` it also prints the **editors' agreement** (ARI of A against B: the ceiling a
grouping can be expected to reach) and the meaning grouping's ARI against B.

The last line is one JSON object. Held-out questions (``split.yaml``) are scored only with
``--held-out``, and each such run is appended to the ledger (``EVAL_LOG.md`` beside the data
folder) before its figures are printed. ``--tune`` chooses the meaning grouping's settings
on development questions only, leaving one question out (``analysis.tune_themes``). ``--settings NAME``
(``meaning.NAMED``) also scores the meaning grouping with those settings, after the default, on the same
questions: on held-out ones each is its own ledger row (the default's first), and the last line carries
the named one's figures under ``settings_NAME``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.metrics import adjusted_rand_score

from analysis.briefing import meaning
from analysis.briefing.build import Grouping
from analysis.embeddings import CachedEmbedder, Embedder, get_embedder
from analysis.ledger import GitState, file_digest, git_state

#: The benchmark folder's split of its questions, and the second editor's themes (both optional).
SPLIT_FILE = "split.yaml"
GOLD_B_FILE = "gold_B.csv"
N_RANDOM = 20
OTHER_GROUP = "other"
LEDGER_NEW = "# Evaluation ledger\n\nEvery look at a held-out set, in order.\n"
LEDGER_TITLE = "## Theme benchmark (`python -m analysis.evaluate_themes --held-out`)"
LEDGER_HEADER = ("| date (UTC) | commit | tree | questions | briefing ARI | meaning ARI | random ARI | settings |\n"
                 "|---|---|---|---|---|---|---|---|")  # fmt: skip


class ThemeDataError(ValueError):
    """A benchmark folder that cannot be used; the message names the file, line and field."""


def _read_csv(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise ThemeDataError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ThemeDataError(f"{path}:1: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        for column in required:
            if not (row.get(column) or "").strip():
                raise ThemeDataError(f"{path}:{line}: field {column!r} is empty")
    return rows


def _gold(data: Path, name: str, rows: list[dict[str, str]]) -> dict[str, str]:
    """The theme of each contribution in ``name``, which must give exactly one to every contribution."""
    path = data / name
    gold: dict[str, str] = {}
    known = {r["id"] for r in rows}
    for line, row in enumerate(_read_csv(path, ("id", "theme")), start=2):
        if row["id"] in gold or row["id"] not in known:
            problem = "given twice" if row["id"] in gold else "is not in contributions.csv"
            raise ThemeDataError(f"{path}:{line}: field 'id': {row['id']!r} {problem}")
        gold[row["id"]] = row["theme"]
    for line, row in enumerate(rows, start=2):
        if row["id"] not in gold:
            raise ThemeDataError(f"{data / 'contributions.csv'}:{line}: field 'id': {row['id']!r} is not in {name}")
    return gold


def load(data: Path) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str] | None]:
    """The contributions (file order), editor A's theme of each id and editor B's (``None`` without ``gold_B.csv``)."""
    rows = _read_csv(data / "contributions.csv", ("id", "question", "text"))
    gold_b = _gold(data, GOLD_B_FILE, rows) if (data / GOLD_B_FILE).is_file() else None
    return rows, _gold(data, "gold.csv", rows), gold_b


def read_split(data: Path, present: Sequence[str]) -> tuple[list[str], list[str]]:
    """The folder's development and held-out questions (``split.yaml``; without it all are development)."""
    path = data / SPLIT_FILE
    if not path.is_file():
        return list(present), []
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ThemeDataError(f"{path}: not YAML ({exc})") from exc
    if not isinstance(spec, dict) or set(spec) - {"development", "held_out"}:
        raise ThemeDataError(f"{path}: expected only the keys 'development' and 'held_out'")
    lists = {key: spec.get(key) or [] for key in ("development", "held_out")}
    for key, ids in lists.items():
        if not isinstance(ids, list) or not all(isinstance(q, str) for q in ids):
            raise ThemeDataError(f"{path}: field {key!r}: expected a list of question ids")
    held_out = lists["held_out"]
    both = sorted(set(held_out) & set(lists["development"]))
    if both:
        raise ThemeDataError(f"{path}: field 'held_out': {', '.join(both)} also under 'development'")
    stray = [q for q in present if q not in held_out and q not in lists["development"]]
    if stray and "development" in spec:  # with a development list, every question must be placed
        raise ThemeDataError(f"{path}: field 'development': {', '.join(stray)} in neither list")
    return [q for q in present if q not in held_out], [q for q in present if q in held_out]


def _briefing(rows: list[dict[str, str]], data: Path, classifier: Any, grouping: Grouping, embedder: Any,
              settings: meaning.Settings = meaning.DEFAULT) -> Any:  # fmt: skip
    """The briefing of these contributions, built as ``cips briefing`` builds it."""
    from analysis.briefing import Contribution, build_briefing, read_questions

    items = [Contribution(question=r["question"], answer=r["text"], lang=r.get("lang") or "",
                          contributor=r.get("administration") or "", line=k)
             for k, r in enumerate(rows, start=2)]  # fmt: skip
    questions_file = data / "questions.yaml"
    questions = read_questions(questions_file) if questions_file.is_file() else None
    if questions:  # only the questions scored: a question without answers would be an empty section
        questions = [q for q in questions if q.id in {r["question"] for r in rows}]
    return build_briefing(items, lang="en", questions=questions or None, classifier=classifier, grouping=grouping,
                          embedder=embedder, settings=settings)  # fmt: skip


def briefing_groups(rows: list[dict[str, str]], data: Path, classifier: Any = None, grouping: Grouping = "auto",
                    embedder: Any = None, settings: meaning.Settings = meaning.DEFAULT,
                    ) -> tuple[list[str], dict[str, str]]:  # fmt: skip
    """Today's briefing theme of each contribution (see the module docstring) and the grouping used per question."""
    briefing = _briefing(rows, data, classifier, grouping, embedder, settings)
    best: dict[int, tuple[int, str]] = {}  # contribution -> (length of its largest point, theme)
    for section in briefing.questions:
        for theme in section.themes:
            for owner, length in theme.members:
                if length > best.get(owner, (-1, ""))[0]:
                    best[owner] = (length, f"{section.id}:{theme.key}")
    return [best.get(k, (0, OTHER_GROUP))[1] for k in range(len(rows))], briefing.grouping


def grouped(rows: list[dict[str, str]], data: Path, embedder: Any, classifier: Any = None) -> list[bool]:
    """Whether the briefing groups each contribution by meaning (no: counted as a no-comment answer)."""
    briefing = _briefing(rows, data, classifier, "meaning", embedder)
    owners = {owner for section in briefing.questions for theme in [*section.themes, section.other] if theme
              for owner, _ in theme.members}  # fmt: skip
    return [k in owners for k in range(len(rows))]


def random_ari(gold: Sequence[str], n_draws: int = N_RANDOM) -> float:
    """Mean ARI of uniform random groupings into as many groups as ``gold`` has (seeds 0…n_draws-1)."""
    k = len(set(gold))
    draws = [np.random.default_rng(seed).integers(0, k, len(gold)) for seed in range(n_draws)]
    return float(np.mean([adjusted_rand_score(gold, d) for d in draws]))


def _labels(groups: np.ndarray) -> list[str]:
    return [OTHER_GROUP if g == meaning.OTHER else f"t{g}" for g in groups]


def evaluate(rows: list[dict[str, str]], gold: dict[str, str], questions: Sequence[str], data: Path,
             embedder: Embedder | CachedEmbedder, classifier: Any = None,
             gold_b: dict[str, str] | None = None, settings: meaning.Settings = meaning.DEFAULT,
             ) -> dict[str, Any]:  # fmt: skip
    """ARI per question and overall (mean over questions) of the briefing, meaning and random groupings.

    ``settings``: how the meaning grouping groups (``meaning.NAMED``; the default unless told).

    With ``gold_b`` (a second editor), also the editors' agreement (``editors``: A against B) and the
    meaning grouping against B (``meaning_B``).
    """
    chosen = [r for r in rows if r["question"] in questions]
    briefing, used = briefing_groups(chosen, data, classifier)
    by_meaning, _ = briefing_groups(chosen, data, classifier, grouping="meaning", embedder=embedder, settings=settings)
    per_question: dict[str, dict[str, Any]] = {}
    for q in questions:
        idx = [k for k, r in enumerate(chosen) if r["question"] == q]
        truth = [gold[chosen[k]["id"]] for k in idx]
        groups = [by_meaning[k] for k in idx]
        per_question[q] = {
            "n": len(idx),
            "gold_groups": len(set(truth)),
            "briefing": round(adjusted_rand_score(truth, [briefing[k] for k in idx]), 4),
            "briefing_grouping": used.get(q, ""),
            "meaning": round(adjusted_rand_score(truth, groups), 4),
            "meaning_groups": len(set(groups)),
            "random": round(random_ari(truth), 4),
        }
        if gold_b is not None:
            truth_b = [gold_b[chosen[k]["id"]] for k in idx]
            per_question[q]["editors"] = round(adjusted_rand_score(truth, truth_b), 4)
            per_question[q]["meaning_B"] = round(adjusted_rand_score(truth_b, groups), 4)
    measures = ("briefing", "meaning", "random") + (("editors", "meaning_B") if gold_b is not None else ())
    overall = {m: round(float(np.mean([per_question[q][m] for q in questions])), 4) for m in measures}
    backend = getattr(embedder, "embedder", embedder).backend
    return {"questions": list(questions), "per_question": per_question, "overall": overall,
            "embeddings": backend, "settings": settings.describe(backend),
            "note": "a contribution split into points takes the theme of its largest point; "
                    "'other points' and singletons form one group each"}  # fmt: skip


def log_run(ledger: Path, result: dict[str, Any], data: Path, named: str = "default",
            state: GitState | None = None) -> None:  # fmt: skip
    """Append one held-out run to the ledger (created with a header if it does not exist); ``named``: the
    ``--settings`` scored (a setting other than the default says so in its row); ``state``: the checkout
    as it was when the look began (a look's second row must not call the tree dirty because of its first)."""
    state = state or git_state(Path(__file__).resolve().parent)
    tree = "unknown" if state.commit == "unknown" else ("dirty" if state.dirty else "clean")
    names = [name for name in ("gold.csv", GOLD_B_FILE) if (data / name).is_file()]
    files = [f"{name} sha256:{file_digest(data / name)}" for name in names]
    scored = f"{data.name}: {','.join(result['questions'])} ({', '.join(files)})"
    text = ledger.read_text(encoding="utf-8") if ledger.is_file() else LEDGER_NEW
    if LEDGER_TITLE not in text:
        text = text.rstrip("\n") + f"\n\n{LEDGER_TITLE}\n\n{LEDGER_HEADER}\n"
    o = result["overall"]
    settings = f"{result['embeddings']}, {result['settings']}"
    if named != "default":  # the declared setting, scored on the same look after the default
        settings = f"--settings {named} (declared, not the default): {settings}"
    if "editors" in o:  # the second editor's figures ride in the settings cell: the table keeps its columns
        settings += f"; editors' ARI {o['editors']}, meaning vs B {o['meaning_B']}"
    row = (f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {state.commit[:7]} | {tree} | {scored} "
           f"| {o['briefing']} | {o['meaning']} | {o['random']} | {settings} |\n")  # fmt: skip
    ledger.write_text(text + row, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.evaluate_themes", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with contributions.csv and gold.csv")
    parser.add_argument("--questions", help=f"comma-separated ids (default: the development ones, {SPLIT_FILE})")
    parser.add_argument("--embeddings", default=None, help="e5 | tfidf | st:/path (default: $CIPS_EMBEDDINGS, else e5)")
    parser.add_argument("--held-out", action="store_true", help="score the held-out questions (logged in the ledger)")
    parser.add_argument("--ledger", type=Path, help="held-out ledger (default: EVAL_LOG.md beside the data folder)")
    parser.add_argument("--tune", action="store_true", help="choose the meaning settings (leave one question out)")
    parser.add_argument("--settings", choices=sorted(meaning.NAMED), default="default",
                        help="also score these meaning settings after the default, each look its own ledger row",
                        )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        rows, gold, gold_b = load(args.data)
        development, held = read_split(args.data, list(dict.fromkeys(r["question"] for r in rows)))
    except ThemeDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.held_out and not held and not args.questions:
        print(f"error: --held-out: {args.data} holds no held-out questions (list them under 'held_out' "
              f"in {args.data / SPLIT_FILE})", file=sys.stderr)  # fmt: skip
        return 2
    if not args.held_out and not development and not args.questions:
        print(f"error: {args.data} holds no development questions (all held out in {args.data / SPLIT_FILE}); "
              "add --held-out to score them (the run is logged)", file=sys.stderr)  # fmt: skip
        return 2
    default = held if args.held_out else development
    questions = [q.strip() for q in args.questions.split(",") if q.strip()] if args.questions else default
    unknown = [q for q in questions if q not in development + held]
    held_out = [q for q in questions if q in held]
    if not questions or unknown:
        print(f"error: --questions: no contributions for {', '.join(unknown) or 'any question'}", file=sys.stderr)
        return 2
    if held_out and not args.held_out:
        print(f"error: --questions: {', '.join(held_out)} held out (development: {', '.join(development) or 'none'}"
              "); add --held-out to score them (the run is logged)", file=sys.stderr)  # fmt: skip
        return 2
    if args.tune and held_out:
        print("error: --tune runs on development questions only", file=sys.stderr)
        return 2
    embedder = CachedEmbedder(get_embedder(args.embeddings))
    if args.tune:
        from analysis.tune_themes import tune

        tuned = tune(rows, gold, questions, args.data, embedder)
        for line in tuned["top"]:
            print(json.dumps(line, ensure_ascii=False))
        print(json.dumps({**tuned, "embeddings": embedder.embedder.backend}, ensure_ascii=False))
        return 0
    names = ["default"] + ([args.settings] if args.settings != "default" else [])
    results = {}
    state = git_state(Path(__file__).resolve().parent) if held_out else None
    for name in names:  # the default first: the declared setting's row follows it on the same look
        result = results[name] = evaluate(rows, gold, questions, args.data, embedder, gold_b=gold_b,
                                          settings=meaning.NAMED[name])  # fmt: skip
        if held_out:  # logged before anyone sees the figures
            log_run(args.ledger or args.data.parent / "EVAL_LOG.md", result, args.data, name, state)
    extra = ("editors", "meaning_B") if gold_b is not None else ()
    for name, result in results.items():
        if len(results) > 1:
            print(f"meaning settings: {name} ({result['settings']})")
        head = f"{'question':<10} {'n':>4} {'briefing':>9} {'meaning':>8} {'random':>7}"
        print(head + "".join(f" {m:>9}" for m in extra))
        for q, r in [*result["per_question"].items(), ("overall", {"n": "", **result["overall"]})]:
            print(f"{q:<10} {r['n']:>4} {r['briefing']:>9.3f} {r['meaning']:>8.3f} {r['random']:>7.3f}"
                  + "".join(f" {r[m]:>9.3f}" for m in extra))  # fmt: skip
    print("(" + results["default"]["note"] + ")")
    final = dict(results["default"])
    if args.settings != "default":
        final[f"settings_{args.settings}"] = results[args.settings]
    print(json.dumps(final, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
