"""``make eval``: cross-validation, leave-one-language-out, the development sets and the held-out sets.

    python -m analysis.eval_report [--write-readme README.md] [--allow-dirty] [--look-again]

Development figures can be computed as often as needed. The **held-out sets**
(``HELDOUT_SETS``: ``data/rad_heldout.jsonl``, written for the project by people who never saw
the corpus, the development sets or the codebook; the real-style held-out sets, in the style of real
partner answers to new questions by new writers and coders, are added here one at a time, looked at
once, then retired to development: ``data/rad_realstyle_heldout21.jsonl`` now, after twenty), are scored
only here and only when the file is present: each look is appended to the ledger ``data/EVAL_LOG.md``
(see :mod:`analysis.ledger`) *before* its figures are printed. A dirty tree is refused unless ``--allow-dirty`` (the
run is then logged as dirty), and a set already in the ledger is not scored again unless
``--look-again``: it is looked at once per release. Prints one JSON object (last line);
``--write-readme`` replaces README's table (``<!-- eval:start -->``) and its copy of the
ledger (``<!-- evallog:start -->``).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from analysis import ledger
from analysis.baseline import KeywordBaseline
from analysis.default_model import (
    CORPUS_PATH,
    DATA_DIR,
    SHIPPED_PARAMS,
    TRAINING_PATHS,
    fit_examples,
    load_default_classifier,
)
from analysis.evaluate import Example, consistency, load_examples, scores
from analysis.factors import CORE_LANGUAGES
from analysis.folds import folds_of

#: THE held-out sets. Nothing else reads them; never tune on them.
HELDOUT_PATH = DATA_DIR / "rad_heldout.jsonl"
#: README's name of each held-out set: what it is, so a figure is never read without its set.
HELDOUT_SETS = {
    "held-out set, written for the project": HELDOUT_PATH,
    "twenty-first real-style held-out set": DATA_DIR / "rad_realstyle_heldout21.jsonl",
}
LEDGER_PATH = DATA_DIR / "EVAL_LOG.md"
#: Development sets, scored on every run: the codebook and the decision rule may be tuned on them.
#: The twenty real-style sets "(retired held-out)" were each looked at once as held-out sets (ledger runs
#: 10, 11-12, 13-14, 15, 16, 17-18, 19-20, 21-22, 23-24, 25-26, 27-28, 29-30, 31-32, 33-34, 35-36, 37-38, 39-40,
#: 41-42, 43-44, 45-46) and then retired to development; they keep their file names so the ledger stays readable; the
#: shipped model trains on the first eighteen (the eighteenth joined by its rule at the nineteenth look; the nineteenth
#: did not at the twentieth; the nineteenth and twentieth are scored, not trained on).
DEV_PATHS = {
    "first development set": DATA_DIR / "rad_parallel_dev.jsonl",
    "second development set": DATA_DIR / "rad_parallel_dev2.jsonl",
    "retired blind set": DATA_DIR / "rad_dev_retired_blind.jsonl",
    "real-style development set": DATA_DIR / "rad_realstyle_dev.jsonl",
    "real-style set 1 (retired held-out)": DATA_DIR / "rad_realstyle_heldout.jsonl",
    "real-style set 2 (retired held-out)": DATA_DIR / "rad_realstyle_heldout2.jsonl",
    "real-style set 3 (retired held-out)": DATA_DIR / "rad_realstyle_heldout3.jsonl",
    "real-style set 4 (retired held-out)": DATA_DIR / "rad_realstyle_heldout4.jsonl",
    "real-style set 5 (retired held-out)": DATA_DIR / "rad_realstyle_heldout5.jsonl",
    "real-style set 6 (retired held-out)": DATA_DIR / "rad_realstyle_heldout6.jsonl",
    "real-style set 7 (retired held-out)": DATA_DIR / "rad_realstyle_heldout7.jsonl",
    "real-style set 8 (retired held-out)": DATA_DIR / "rad_realstyle_heldout8.jsonl",
    "real-style set 9 (retired held-out)": DATA_DIR / "rad_realstyle_heldout9.jsonl",
    "real-style set 10 (retired held-out)": DATA_DIR / "rad_realstyle_heldout10.jsonl",
    "real-style set 11 (retired held-out)": DATA_DIR / "rad_realstyle_heldout11.jsonl",
    "real-style set 12 (retired held-out)": DATA_DIR / "rad_realstyle_heldout12.jsonl",
    "real-style set 13 (retired held-out)": DATA_DIR / "rad_realstyle_heldout13.jsonl",
    "real-style set 14 (retired held-out)": DATA_DIR / "rad_realstyle_heldout14.jsonl",
    "real-style set 15 (retired held-out)": DATA_DIR / "rad_realstyle_heldout15.jsonl",
    "real-style set 16 (retired held-out)": DATA_DIR / "rad_realstyle_heldout16.jsonl",
    "real-style set 17 (retired held-out)": DATA_DIR / "rad_realstyle_heldout17.jsonl",
    "real-style set 18 (retired held-out)": DATA_DIR / "rad_realstyle_heldout18.jsonl",
    "real-style set 19 (retired held-out)": DATA_DIR / "rad_realstyle_heldout19.jsonl",
    "real-style set 20 (retired held-out)": DATA_DIR / "rad_realstyle_heldout20.jsonl",
}
#: The real-style development sets the shipped model trains on: what the candidate is chosen on (pooled,
#: 5-fold by group). Written once, as the shipped model's training sets (``default_model.TRAINING_PATHS``),
#: in DEV_PATHS' order.
REALSTYLE_DEV = tuple(name for name, path in DEV_PATHS.items() if path in TRAINING_PATHS)
HEADLINE = ("macro_f1", "micro_f1", "primary_accuracy")
#: ``--candidate``: a setting that is not shipped, declared here before any held-out set scores it,
#: so that one look measures the shipped model and the one candidate side by side (two rows in the
#: ledger) instead of a held-out set being spent on each. Changing it is a new candidate: say so in README.
#: Declared for the twenty-first real-style look (before anything scored that set): the shipped setting trained also
#: on the nineteenth and twentieth sets (looked at once, retired, scored but not trained on), so the look measures
#: that data alone. The rule written before the look (README): both sets join the shipped model's training data if
#: the candidate's macro-F1 and micro-F1 on the twenty-first set, as the ledger prints them, are both at least the
#: shipped model's.
CANDIDATE_NAME = (
    "the shipped setting fitted on the corpus, all real-style development data the shipped model trains on and "
    "real-style sets 19 and 20"
)
CANDIDATE_PARAMS = dict(SHIPPED_PARAMS)
CANDIDATE_TRAINING = (*REALSTYLE_DEV, "real-style set 19 (retired held-out)", "real-style set 20 (retired held-out)")
#: The held-out file the candidate above was declared for, before that file was scored. ``--candidate`` refuses
#: while it names no current held-out set: a candidate is declared anew for each look (README says when).
CANDIDATE_DECLARED_FOR = "rad_realstyle_heldout21.jsonl"


def candidate_declared() -> bool:
    """Whether the candidate was declared for a set still held out (else ``--candidate`` would score a stale one)."""
    return CANDIDATE_DECLARED_FOR in {p.name for p in HELDOUT_SETS.values()}


REPO_ROOT = Path(__file__).resolve().parent.parent


def is_heldout(path: Path) -> bool:
    """A file named as a held-out set (a copy elsewhere too): scored only here, never by other tools."""
    return Path(path).name in {p.name for p in HELDOUT_SETS.values()}


def refuse_heldout(parser: argparse.ArgumentParser, *paths: Path | str, option: str = "--data") -> None:
    """Another tool's command line stops (``parser.error``) on a held-out file: its look would go unlogged."""
    if any(is_heldout(Path(path)) for path in paths):
        parser.error(f"{option}: the held-out set is scored only by make eval" if option else
                     "the held-out set is scored only by make eval")  # fmt: skip


def _score(model: Any, test: Sequence[Example]) -> tuple[list[list[str]], dict[str, Any]]:
    texts, langs = [e.text for e in test], [e.lang for e in test]
    pred = model.predict_labels(texts, langs)
    return pred, scores([list(e.labels) for e in test], pred, [e.primary for e in test], [p[0] for p in pred])


def _pooled(parts: list[tuple[Sequence[Example], list[list[str]]]]) -> dict[str, Any]:
    gold = [list(e.labels) for test, _ in parts for e in test]
    prim = [e.primary for test, _ in parts for e in test]
    pred = [p for _, preds in parts for p in preds]
    return scores(gold, pred, prim, [p[0] for p in pred])


def cross_validation(corpus: list[Example], folds: int = 5) -> dict[str, Any]:
    parts = []
    # Translations of one answer stay in one fold (see analysis.folds.folds_of).
    for train_idx, test_idx in folds_of(len(corpus), folds, [e.group for e in corpus], 0):
        test = [corpus[i] for i in test_idx]
        parts.append((test, _score(fit_examples([corpus[i] for i in train_idx]), test)[0]))
    return _pooled(parts)


def leave_one_language_out(corpus: list[Example]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lang in CORE_LANGUAGES:
        test = [e for e in corpus if e.lang == lang]
        # Not trained on another language's version of a test answer: that would be no test of transfer.
        held = {e.group for e in test if e.group is not None}
        result = _score(fit_examples([e for e in corpus if e.lang != lang and e.group not in held]), test)[1]
        out[lang] = {k: result[k] for k in ("n", *HEADLINE)}
    out["mean_macro_f1"] = round(float(np.mean([out[lang]["macro_f1"] for lang in CORE_LANGUAGES])), 3)
    return out


def scored(model: Any, examples: list[Example], gain_ci: bool = False) -> dict[str, Any]:
    """Classifier and keyword baseline on one labelled set, with cross-language consistency."""
    gold, primary = [list(e.labels) for e in examples], [e.primary for e in examples]
    pred, result = _score(model, examples)
    base = KeywordBaseline().predict_labels([e.text for e in examples], [e.lang for e in examples])
    result["baseline"] = scores(gold, base, primary, [b[0] for b in base])
    if gain_ci:
        result["gain_ci"] = paired_gain_ci(gold, primary, pred, base)
    c = consistency(examples, pred) or {"groups": 0, "same_primary": 0, "same_labels": 0, "rate": 0.0,
                                        "label_set_rate": 0.0}  # fmt: skip
    # Group ids are not reported: on the held-out set they would point at its answers.
    result["consistency"] = {"groups": c["groups"], "same_primary_in_all_languages": c["same_primary"],
                             "same_labels_in_all_languages": c["same_labels"], "rate": c["rate"],
                             "label_set_rate": c["label_set_rate"]}  # fmt: skip
    return result


def paired_gain_ci(gold: list[list[str]], primary: list[str], pred: list[list[str]], base: list[list[str]],
                   n_boot: int = 1000, seed: int = 0) -> dict[str, list[float]]:  # fmt: skip
    """95 % paired bootstrap interval of (classifier − baseline) for each headline figure.

    "Clearly above the baseline" is then a statement with an error bar: the same answers are
    resampled for both systems, so the interval reflects the blind set's size, not luck.
    """
    rng = np.random.default_rng(seed)
    n = len(gold)
    gains: dict[str, list[float]] = {k: [] for k in HEADLINE}
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        g, prim = [gold[i] for i in idx], [primary[i] for i in idx]
        p, b = [pred[i] for i in idx], [base[i] for i in idx]
        ours, theirs = scores(g, p, prim, [x[0] for x in p]), scores(g, b, prim, [x[0] for x in b])
        for k in HEADLINE:
            gains[k].append(ours[k] - theirs[k])
    return {k: [round(float(np.percentile(v, 2.5)), 3), round(float(np.percentile(v, 97.5)), 3)]
            for k, v in gains.items()}  # fmt: skip


def _row(name: str, r: dict[str, Any], bold: bool = False) -> str:
    cells = [str(r[k]) for k in HEADLINE]
    if bold:
        cells = [f"**{c}**" for c in cells]
    return f"| {name} | {r['n']} | " + " | ".join(cells) + " |"


def _consistency(c: dict[str, Any]) -> str:
    return f"{c['same_primary_in_all_languages']}/{c['groups']}" if c["groups"] else "-"


def is_candidate(row: dict[str, str]) -> bool:
    """A ledger row of ``--candidate`` (a setting not shipped), not of the shipped classifier."""
    return "--candidate" in row.get("note", "")


def markdown(report: dict[str, Any], looks: dict[str, list[dict[str, str]]]) -> str:
    """README's table: development figures of this run, and each held-out set's last logged look."""
    cv, lolo = report["cv"], report["lolo"]
    rows = [
        "| evaluation | n | macro-F1 | micro-F1 | primary accuracy | same primary in 4 languages |",
        "|---|---|---|---|---|---|",
    ]
    for name, set_looks in looks.items():
        shipped = [row for row in set_looks if not is_candidate(row)]
        if not shipped:
            continue
        last = shipped[-1]
        rows.append(f"| **{name}**, classifier (ledger run {last['#']}, {last['date (UTC)']}) | {last['n']} | "
                    f"**{last['macro-F1']}** | **{last['micro-F1']}** | **{last['primary accuracy']}** | "
                    f"{last['same primary in 4 languages']} |")  # fmt: skip
        for row in set_looks[set_looks.index(last) + 1 :]:  # the candidate scored on that same look
            rows.append(f"| {name}, candidate not shipped (ledger run {row['#']}) | {row['n']} | "
                        f"{row['macro-F1']} | {row['micro-F1']} | {row['primary accuracy']} | "
                        f"{row['same primary in 4 languages']} |")  # fmt: skip
        rows.append(f"| {name}, keyword-only baseline | {last['n']} | {last['baseline macro-F1']} | | | |")
    for name, r in report["dev"].items():
        # A set the shipped model trains on scores it in-sample: printed, but not as an estimate.
        kind = "trained on: in-sample, not an estimate" if name in REALSTYLE_DEV else "development"
        rows.append(_row(f"{name} ({kind})", r) + f" {_consistency(r['consistency'])} |")
        rows.append(_row(f"{name}, keyword-only baseline", r["baseline"] | {"n": r["n"]}) + " |")
    rows.append(_row("corpus, 5-fold cross-validation", cv) + " |")
    rows += [_row(f"corpus, leave-one-language-out: test on {lang}", lolo[lang]) + " |"
             for lang in CORE_LANGUAGES]  # fmt: skip
    held = ("A held-out set's figure is its last look in the ledger (below); development figures are "
            "optimistic: the codebook and the decision rule were tuned on them." if any(looks.values()) else
            "No held-out figure yet: no held-out set has been looked at.")  # fmt: skip
    rows += ["", held, f"Measured {report['date']} by `make eval`."]
    return "\n".join(rows)


def candidate_examples() -> list[Example]:
    """What the candidate is fitted on: the corpus and ``CANDIDATE_TRAINING`` (never a held-out set)."""
    return load_examples(CORPUS_PATH) + [e for name in CANDIDATE_TRAINING for e in load_examples(DEV_PATHS[name])]


def candidate_model() -> Any:
    """The declared candidate (``CANDIDATE_PARAMS``) fitted on the corpus and ``CANDIDATE_TRAINING``."""
    from analysis.classify import FactorClassifier

    examples = candidate_examples()
    return FactorClassifier(**CANDIDATE_PARAMS).fit(
        [e.text for e in examples], [list(e.labels) for e in examples], langs=[e.lang for e in examples],
        primary=[e.primary for e in examples], groups=[e.group for e in examples],
        questions=[e.question for e in examples])  # fmt: skip


def heldout_run(model: Any, path: Path, allow_dirty: bool, look_again: bool,
                candidate: Any = None, state: Any = None) -> dict[str, Any] | None:  # fmt: skip
    """Score the held-out set and log the look, or None (absent, or already looked at); refuses a dirty tree.

    ``candidate`` (a fitted model, or a function returning one, called only when the set is scored):
    scored on the same look and logged as a second row. ``state``: the checkout's state taken before this
    run's first look (``ledger.git_state``); the look at one set writes the ledger, which must not make the
    next set of the same run look dirty."""
    if not path.exists():
        print(f"held-out set {path.name}: not present, development figures only", file=sys.stderr)
        return None
    name = ledger.set_name(path)
    earlier = ledger.looks_at(LEDGER_PATH, name)
    if earlier and not look_again:
        runs = ", ".join(row["#"] for row in earlier)
        print(f"held-out set {name}: already looked at (ledger run {runs}); not scored again "
              "(--look-again to look once more, logged)", file=sys.stderr)  # fmt: skip
        return None
    state = state or ledger.git_state(REPO_ROOT)
    if state.dirty and not allow_dirty:
        raise SystemExit("error: the working tree differs from its commit: commit first, or --allow-dirty "
                         "(the run is then logged as dirty)")  # fmt: skip
    examples = load_examples(path)
    result = scored(model, examples, gain_ci=True)
    again = ", looked at again" if earlier else ""
    _log(state, name, result, "make eval" + again)
    if candidate is not None:
        fitted = candidate() if callable(candidate) else candidate
        result["candidate"] = scored(fitted, examples)
        _log(state, name, result["candidate"], f"make eval --candidate ({CANDIDATE_NAME}; not shipped){again}")
    return result


def _log(state: Any, name: str, result: dict[str, Any], note: str) -> None:
    ledger.append(LEDGER_PATH, {
        "date (UTC)": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"), "commit": state.commit[:10],
        "tree": "dirty" if state.dirty else "clean", "set": name, "n": result["n"],
        "macro-F1": result["macro_f1"], "micro-F1": result["micro_f1"], "primary accuracy": result["primary_accuracy"],
        "same primary in 4 languages": _consistency(result["consistency"]),
        "baseline macro-F1": result["baseline"]["macro_f1"], "note": note,
    })  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.eval_report")
    parser.add_argument("--write-readme", type=Path)
    parser.add_argument("--allow-dirty", action="store_true", help="score the held-out set on a dirty tree (logged)")
    parser.add_argument("--look-again", action="store_true", help="score a held-out set already in the ledger")
    parser.add_argument(
        "--candidate",
        action="store_true",
        help="also score the declared candidate (CANDIDATE_PARAMS) on each held-out set scored",
    )
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="score the development sets only: no held-out set is scored or logged (README's held-out rows "
        "stay those of the ledger)",
    )
    args = parser.parse_args(argv)
    if args.candidate and (args.dev_only or not candidate_declared()):
        why = "--dev-only scores no held-out set" if args.dev_only else (
            f"the candidate was declared for {CANDIDATE_DECLARED_FOR}, which is no longer held out: declare one for "
            "the current held-out set first (CANDIDATE_PARAMS, CANDIDATE_DECLARED_FOR, README)")  # fmt: skip
        print(f"error: --candidate: {why}", file=sys.stderr)
        return 2
    model = load_default_classifier()  # the shipped model: trained on the whole corpus
    candidate = functools.cache(candidate_model) if args.candidate else None  # fitted on first use only
    state = None if args.dev_only else ledger.git_state(REPO_ROOT)  # once: each look writes the ledger
    held = {name: None if args.dev_only else heldout_run(model, path, args.allow_dirty, args.look_again, candidate,
                                                         state)
            for name, path in HELDOUT_SETS.items()}  # fmt: skip
    corpus = load_examples(CORPUS_PATH)
    report = {"date": datetime.now(UTC).date().isoformat(), "cv": cross_validation(corpus),
              "lolo": leave_one_language_out(corpus),
              "dev": {name: scored(model, load_examples(path)) for name, path in DEV_PATHS.items()}}  # fmt: skip
    looks = {name: ledger.looks_at(LEDGER_PATH, ledger.set_name(path)) if path.exists() else []
             for name, path in HELDOUT_SETS.items()}  # fmt: skip
    table = markdown(report, looks)
    print(table, file=sys.stderr)
    if args.write_readme:
        ledger.replace_block(args.write_readme, "<!-- eval:start -->", "<!-- eval:end -->", table)
        ledger.replace_block(args.write_readme, "<!-- evallog:start -->", "<!-- evallog:end -->",
                             ledger.table(ledger.read_rows(LEDGER_PATH)))  # fmt: skip
    summary: dict[str, Any] = {"cv_macro_f1": report["cv"]["macro_f1"],
                               "lolo_mean_macro_f1": report["lolo"]["mean_macro_f1"]}  # fmt: skip
    for name, r in report["dev"].items():
        key = name.replace(" ", "_")
        summary |= {f"{key}_{k}": r[k] for k in HEADLINE} | {f"{key}_consistency": r["consistency"]["rate"]}
    for path, result in zip(HELDOUT_SETS.values(), held.values(), strict=True):
        if result is None:
            continue
        key = path.stem.removeprefix("rad_")  # heldout, realstyle_heldout6
        summary |= {f"{key}_{k}": result[k] for k in HEADLINE}
        summary |= {f"{key}_baseline_{k}": result["baseline"][k] for k in HEADLINE}
        summary |= {f"{key}_gain_ci": result["gain_ci"], f"{key}_consistency": result["consistency"]["rate"]}
        if "candidate" in result:
            cand = result["candidate"]
            summary |= {f"{key}_candidate_{k}": cand[k] for k in HEADLINE}
            summary |= {f"{key}_candidate_consistency": cand["consistency"]["rate"]}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
