"""Fit the editors' pair model (``analysis.briefing.pairs``) and measure it leaving one question out.

    python -m analysis.learn_themes --data analysis/data/themes --data analysis/data/themes2 \
        --data analysis/data/themes3 --data analysis/data/themes4 --data analysis/data/themes5 [--pair-max 5] \
        [--threshold T | --pooled] [--variant N] [--briefing] [--build [--out F]]

Every figure is **leave one question out** over the development questions of the given folders:
the pair model is fitted on the other questions, its threshold chosen on them (each of them grouped
by a model fitted without it), and the left-out question grouped and scored as
``evaluate_themes`` scores the briefing (no-comment answers left out of the clustering, "other"
one group, a theme whose answers share no concept moved to it, ``meaning.without_grab_bags``);
then the next question. The Ward/concept grouping (``meaning.DEFAULT`` with
``pairs=False``), which learns nothing, is scored on the same questions the same way
(``tune_themes.score_grid``), so the means compare. Held-out questions (``split.yaml``) are never
read. ``--pair-max N``: themes of more than N answers are split along their tree (``meaning.Settings.pair_max``;
``meaning.MAX_THEME`` unless told), in every fold and in the threshold's choice. ``--threshold T`` fixes the
threshold instead (a low one chosen on the data can merge unrelated short answers: the cross-language test);
``--pooled`` chooses it by one ARI over the training questions pooled rather than the mean of theirs;
``--variant N`` (``VARIANTS``) is the one scored through the briefing and built. ``--build`` then fits the model
on every question given, chooses its threshold the same way and writes ``--out`` (a file name under
``analysis/data``; ``pairs.MODEL_FILE`` unless told). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

from analysis.briefing import meaning, pairs
from analysis.embeddings import CachedEmbedder, Embedder, get_embedder

#: Probability thresholds tried for cutting the tree.
THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.10, 0.91, 0.05), 2))
#: The variants measured: (name, number of leading feature columns used, C). ``--variant`` names the one scored
#: through the briefing and built (the first unless told).
VARIANTS = (("pairs, 14 features (C = 0.1)", 14, 0.1), ("pairs, the first 11 features (C = 1)", 11, 1.0),
            ("pairs, 16 features: the 14 and the first and longest points (C = 0.1)", 16, 0.1))  # fmt: skip


@dataclass
class Question:
    """One development question: its contributions' editor themes and its kept answers' pair features."""

    name: str
    truth: list[str]  # the editor's theme of every contribution (no-comment ones included)
    keep: list[bool]  # which contributions the briefing clusters (not no-comment answers)
    n: int
    pairs: np.ndarray
    x: np.ndarray
    y: np.ndarray  # 1 where the editor put both answers under one theme (never for "other")
    concepts: list[set[str]]  # of the kept answers
    folder: Path  # its benchmark folder
    pair_max: int  # the largest theme its pair grouping keeps (``meaning.Settings.pair_max``)


def load_questions(folder: Path, embedder: Embedder | CachedEmbedder, pair_max: int = meaning.MAX_THEME,
                   ) -> list[Question]:  # fmt: skip
    """The development questions of a benchmark folder, embedded (held-out ones are not read), each to be
    grouped with themes of at most ``pair_max`` answers."""
    from analysis.evaluate_themes import load, read_split
    from analysis.tune_themes import question_answers

    rows, gold, _ = load(folder)
    development, _ = read_split(folder, list(dict.fromkeys(r["question"] for r in rows)))
    out = []
    for q in development:
        chosen, keep, kept, concepts = question_answers(rows, q, folder, embedder)
        p, x = pairs.pair_features(pairs.pair_inputs([r["text"] for r in kept], concepts, embedder))
        g = np.array([gold[r["id"]] for r in kept])
        other = np.char.endswith(g.astype(str), "_other")
        y = ((g[p[:, 0]] == g[p[:, 1]]) & ~other[p[:, 0]]).astype(int)
        out.append(Question(f"{folder.name}:{q}", [gold[r["id"]] for r in chosen], keep, len(kept), p, x, y, concepts,
                            folder, pair_max))  # fmt: skip
    return out


def labels_of(q: Question, p: np.ndarray, threshold: float) -> list[str]:
    """Every contribution's theme as ``evaluate_themes`` scores it, named by its question (for pooling)."""
    labels = iter(meaning.without_grab_bags(pairs.cluster_pairs(q.n, q.pairs, p, threshold, q.pair_max),
                                            q.concepts).tolist())  # fmt: skip
    return [f"{q.name}:{next(labels) if k else meaning.OTHER}" for k in q.keep]


def score(q: Question, p: np.ndarray, threshold: float) -> float:
    """ARI against the editor over all the question's contributions, as ``evaluate_themes`` scores the briefing."""
    return float(adjusted_rand_score(q.truth, labels_of(q, p, threshold)))


def fit(questions: Sequence[Question], cols: int | None, C: float) -> pairs.PairSimilarity:
    x = np.vstack([q.x[:, :cols] for q in questions])
    return pairs.PairSimilarity(C=C).fit(x, np.concatenate([q.y for q in questions]))


def choose_threshold(train: Sequence[Question], cols: int | None, C: float, pooled_ari: bool = False) -> float:
    """The threshold with the best mean ARI on ``train`` (with ``pooled_ari``, one ARI over them pooled: larger
    questions weigh more), each question grouped by a model fitted without it."""
    scores = np.zeros((len(THRESHOLDS), len(train)))
    pooled: list[list[str]] = [[] for _ in THRESHOLDS]
    for k, q in enumerate(train):
        p = fit([o for o in train if o is not q], cols, C).predict_proba(q.x[:, :cols])[:, 1]
        for t, threshold in enumerate(THRESHOLDS):
            labels = labels_of(q, p, threshold)
            scores[t, k] = adjusted_rand_score(q.truth, labels)
            pooled[t] += labels
    if pooled_ari:
        truth = [f"{q.name}:{t}" for q in train for t in q.truth]
        return THRESHOLDS[int(np.argmax([adjusted_rand_score(truth, labels) for labels in pooled]))]
    return THRESHOLDS[int(np.argmax(scores.mean(axis=1)))]


def leave_one_question_out(questions: Sequence[Question], cols: int | None, C: float, pooled_ari: bool = False,
                           fixed: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Per question: the threshold chosen on the others (or ``fixed``) and the ARI of the model fitted on the others."""
    folds = {}
    for q in questions:
        train = [o for o in questions if o is not q]
        threshold = fixed if fixed is not None else choose_threshold(train, cols, C, pooled_ari)
        p = fit(train, cols, C).predict_proba(q.x[:, :cols])[:, 1]
        folds[q.name] = {"ari": round(score(q, p, threshold), 4), "threshold": threshold}
    return {"per_question": folds, "mean": round(float(np.mean([f["ari"] for f in folds.values()])), 4)}


def as_briefing(folds: dict[str, Any], questions: Sequence[Question], embedder: Embedder | CachedEmbedder,
                cols: int | None, C: float) -> dict[str, Any]:  # fmt: skip
    """The same folds scored through the briefing, as ``evaluate_themes`` scores a look with the default.

    Each question is grouped by ``build_briefing`` with the model fitted on the other questions and the
    threshold its fold chose (``folds``), and the briefing's default settings otherwise: since the seventh
    theme look the grab-bag rule is applied once, with the answers' concepts, as ``score`` applies it (before,
    a second time with the concepts of the points, which the classifier filters: README, "The second grab-bag
    pass on twenty-four development questions"; the "through the briefing" rows before that used it).
    """
    from unittest import mock

    from analysis.evaluate_themes import evaluate, load

    out: dict[str, float] = {}
    dim = int(embedder.encode(["dimension"]).shape[1])
    backend = getattr(embedder, "embedder", embedder).backend
    for q in questions:
        question = q.name.split(":")[1]
        model = fit([o for o in questions if o is not q], cols, C)
        fold = pairs.Shipped(model, folds[q.name]["threshold"], backend, dim, cols or len(pairs.FEATURES))
        rows, gold, gold_b = load(q.folder)
        settings = meaning.Settings(pairs=True, pair_max=q.pair_max)
        with mock.patch.object(pairs, "shipped", lambda path=None, fold=fold: fold):  # this fold's model
            result = evaluate(rows, gold, [question], q.folder, embedder, gold_b=gold_b, settings=settings)
        out[q.name] = result["per_question"][question]["meaning"]
    return {"per_question": out, "mean": round(float(np.mean(list(out.values()))), 4)}


def ward_scores(folders: Sequence[Path], embedder: Embedder | CachedEmbedder) -> dict[str, float]:
    """The Ward/concept grouping's ARI per development question (it learns nothing: its figure is its fold's)."""
    from analysis.evaluate_themes import load, read_split
    from analysis.tune_themes import score_grid

    ward = meaning.WARD
    out: dict[str, float] = {}
    for folder in folders:
        rows, gold, _ = load(folder)
        development, _ = read_split(folder, list(dict.fromkeys(r["question"] for r in rows)))
        row = score_grid(rows, gold, development, folder, embedder, [ward])[0]
        out.update({f"{folder.name}:{q}": round(float(s), 4) for q, s in zip(development, row, strict=True)})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.learn_themes", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, action="append", required=True, help="benchmark folder (repeatable)")
    parser.add_argument("--build", action="store_true", help=f"fit on every question and write {pairs.MODEL_FILE.name}")
    parser.add_argument("--no-measure", action="store_true", help="with --build: skip the figures")
    parser.add_argument("--pair-max", type=int, default=meaning.MAX_THEME,
                        help=f"largest theme before it is split along its tree (2-{meaning.MAX_THEME})")  # fmt: skip
    parser.add_argument("--out", default=pairs.MODEL_FILE.name,
                        help="with --build: the model's file name under analysis/data")  # fmt: skip
    parser.add_argument("--variant", type=int, default=0, choices=range(len(VARIANTS)),
                        help="the variant scored through the briefing and built: " + "; ".join(
                            f"{k}: {v[0]}" for k, v in enumerate(VARIANTS)))  # fmt: skip
    parser.add_argument("--pooled", action="store_true",
                        help="a threshold by one ARI over the training questions pooled, not their mean")  # fmt: skip
    parser.add_argument("--threshold", type=float, choices=THRESHOLDS,
                        help="a fixed threshold on p(same theme) instead of one chosen in each fold")  # fmt: skip
    parser.add_argument(
        "--briefing",
        action="store_true",
        help="also score --variant's folds through the briefing (as evaluate_themes does)",
    )
    args = parser.parse_args(argv)
    if not 2 <= args.pair_max <= meaning.MAX_THEME:
        parser.error(f"--pair-max: {args.pair_max} is not between 2 and {meaning.MAX_THEME}")
    embedder = CachedEmbedder(get_embedder("e5"))  # the model holds for the embedder it was fitted with
    questions = [q for folder in args.data for q in load_questions(folder, embedder, args.pair_max)]
    result: dict[str, Any] = {"questions": [q.name for q in questions]}
    if not args.no_measure:
        ward = ward_scores(args.data, embedder)
        result["ward (default)"] = {"per_question": ward, "mean": round(float(np.mean(list(ward.values()))), 4)}
        for name, cols, C in VARIANTS:
            result[name] = leave_one_question_out(questions, cols, C, args.pooled, args.threshold)
            print(name, json.dumps(result[name]), flush=True)
        if args.briefing:
            name, cols, C = VARIANTS[args.variant]
            result[f"{name}, through the briefing"] = as_briefing(result[name]["per_question"], questions, embedder,
                                                                  cols, C)  # fmt: skip
    if args.build:
        _, cols, C = VARIANTS[args.variant]
        model = fit(questions, cols, C)
        threshold = args.threshold if args.threshold is not None else choose_threshold(questions, cols, C, args.pooled)
        dim = int(embedder.encode(["dimension"]).shape[1])
        spec = {"backend": embedder.embedder.backend, "dim": dim, "features": list(pairs.FEATURES[:cols]),
                "threshold": threshold, "pair_max": args.pair_max, "trained_on": result["questions"],
                "model": model.to_dict()}  # fmt: skip
        out = pairs.MODEL_FILE.parent / Path(args.out).name
        out.write_text(json.dumps(spec) + "\n", encoding="utf-8")
        result["built"] = {"file": str(out), "threshold": threshold}
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
