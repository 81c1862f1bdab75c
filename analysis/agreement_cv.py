"""Cross-language agreement of a classifier setting on the pooled real-style development data.

    python -m analysis.agreement_cv [--split 5fold|loso] [--with-scored] [--params JSON] [--rule JSON]

The pooled real-style development data the shipped model trains on (``eval_report.REALSTYLE_DEV``: every
meaning written in four languages) is cut by group (the four languages of a meaning stay in one fold),
5-fold or leaving one set out; each part is scored by ``FactorClassifier(**params)`` fitted on the corpus
and the other parts.
Figures: macro-F1 / micro-F1 / primary accuracy / same primary in all 4 languages, pooled and per set.

Each fold's outputs (the test answers' probabilities, developed shares, the chooser's scores and the
neighbours' say, the direct primary's say, and the chooser's scores on the training answers' out-of-fold
probabilities) are kept
in a pickle under the cache dir, keyed by params, split and, with ``--with-scored``, the scored-only sets, so
decision rules (``rule``: see :func:`decide`) are compared on the same fitted models without refitting; a
pickle whose fold no longer matches the pool (a set joined the training data since) is fitted again. Never
reads a held-out set. Prints one JSON object last.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.chooser import decide_labels
from analysis.classify import FactorClassifier, word_count
from analysis.default_model import CORPUS_PATH, cache_dir
from analysis.eval_report import CANDIDATE_PARAMS, DEV_PATHS, REALSTYLE_DEV, candidate_examples, is_heldout
from analysis.evaluate import Example, consistency, load_examples, scores
from analysis.factors import FACTOR_IDS
from analysis.folds import folds_of

_F = len(FACTOR_IDS)
#: The development sets written for the project (short answers), scored beside the pooled real-style data.
WRITTEN = ("first development set", "second development set")
#: The real-style sets retired to development and scored, not yet trained on: pooled too with ``--with-scored``.
SCORED_ONLY = tuple(name for name in DEV_PATHS if name.startswith("real-style set") and name not in REALSTYLE_DEV)


@dataclass
class FoldOutputs:
    """What a decision rule reads for one fold's test answers, and the training answers' chooser scores."""

    test: list[int]  # indices into the pooled examples
    proba: np.ndarray  # (n, 11) blended, list points included
    developed: np.ndarray | None
    rank: np.ndarray  # (n, 11) the chooser's scores, the neighbours' say not added
    say: np.ndarray | None  # (n, 11) the neighbours' say (weight included)
    thresholds: np.ndarray
    train_rank: np.ndarray  # (m, 11) the chooser's scores on the training answers' out-of-fold outputs
    train_langs: list[str]
    train_groups: list[str | None]
    train_primary: np.ndarray  # (m,) index in LABELS, -1 unknown
    train_proba: np.ndarray  # (m, 11) the training answers' out-of-fold probabilities
    direct: np.ndarray | None = None  # (n, 11) the direct primary's say (weight included; None when off)


class _Recorder(FactorClassifier):
    """A FactorClassifier that keeps its out-of-fold outputs (what its thresholds and chooser learnt on)."""

    def _oof_proba(self, texts, langs, docs, targets, groups, vectors=None):  # type: ignore[no-untyped-def]
        oof, developed = super()._oof_proba(texts, langs, docs, targets, groups, vectors)
        self._recorded = (oof, developed, docs)
        return oof, developed


def pooled(with_scored: bool = False) -> tuple[list[Example], list[str]]:
    """The pooled real-style development examples and each one's set name; ``with_scored``: also the retired
    sets not trained on yet (``SCORED_ONLY``)."""
    examples, sets = [], []
    for name in (*REALSTYLE_DEV, *(SCORED_ONLY if with_scored else ())):
        path = DEV_PATHS[name]
        if is_heldout(path):
            raise SystemExit(f"{path.name} is a held-out set")
        part = load_examples(path)
        examples += part
        sets += [name] * len(part)
    return examples, sets


def splits(examples: Sequence[Example], sets: Sequence[str], split: str) -> Iterator[tuple[list[int], list[int]]]:
    if split == "loso":
        for name in dict.fromkeys(sets):
            yield [i for i, s in enumerate(sets) if s != name], [i for i, s in enumerate(sets) if s == name]
    else:
        for train, test in folds_of(len(examples), 5, [e.group for e in examples], 0):
            yield list(train), list(test)


def fold_outputs(params: dict[str, Any], split: str = "5fold", cache: Path | None = None,
                 only: int | None = None, with_scored: bool = False) -> list[FoldOutputs]:  # fmt: skip
    """Each fold's outputs, fitted once per (params, split, pool) and cached (refitted when the pool has changed
    under the same key); ``only``: that fold alone (to fit folds in parallel processes); ``with_scored``: the pool
    holds ``SCORED_ONLY`` too."""
    spec = [params, split, *(["with scored", *SCORED_ONLY] if with_scored else [])]
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    folder = cache or cache_dir() / "agreement_cv"
    folder.mkdir(parents=True, exist_ok=True)
    examples, sets = pooled(with_scored)
    corpus = load_examples(CORPUS_PATH)
    out = []
    for k, (train, test) in enumerate(splits(examples, sets, split)):
        path = folder / f"{key}-{k}.pkl"
        if only is not None and k != only:
            continue
        if path.exists():
            cached = pickle.loads(path.read_bytes())
            if list(cached.test) == list(test) and len(cached.train_langs) == len(corpus) + len(train):
                out.append(cached)
                continue
        fit = corpus + [examples[i] for i in train]
        model = _Recorder(**params).fit([e.text for e in fit], [list(e.labels) for e in fit],
                                        langs=[e.lang for e in fit], primary=[e.primary for e in fit],
                                        groups=[e.group for e in fit], questions=[e.question for e in fit])  # fmt: skip
        texts, langs = [examples[i].text for i in test], [examples[i].lang for i in test]
        proba, docs, developed, say, direct = model._outputs(texts, langs)
        oof, oof_dev, train_docs = model._recorded
        result = FoldOutputs(
            test, proba, developed, model.chooser_scores(proba, docs, developed), say, model.thresholds_,
            model.chooser_.scores(oof, train_docs, model.thresholds_, oof_dev), [e.lang for e in fit],
            [e.group for e in fit], np.array([FACTOR_IDS.index(e.primary) if e.primary in FACTOR_IDS else _F
                                              for e in fit]), oof, direct)  # fmt: skip
        path.write_bytes(pickle.dumps(result))
        print(f"fold {k} of {split} fitted", file=sys.stderr, flush=True)
        out.append(result)
    return out


def language_offsets(rank: np.ndarray, langs: Sequence[str], groups: Sequence[str | None]) -> dict[str, np.ndarray]:
    """Per language, the mean of its answers' scores minus their group's mean (translations only)."""
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        if g is not None:
            by_group.setdefault(g, []).append(i)
    dev = {}
    for members in by_group.values():
        if len({langs[i] for i in members}) < 2:
            continue
        mean = rank[members].mean(axis=0)
        for i in members:
            dev.setdefault(langs[i], []).append(rank[i] - mean)
    return {lang: np.mean(rows, axis=0) for lang, rows in dev.items()}


def decide(fo: FoldOutputs, langs: Sequence[str], rule: dict[str, Any],
           words: Sequence[int] | None = None) -> list[list[str]]:  # fmt: skip
    """FactorClassifier's decision on cached outputs, with the rule's changes:

    ``offsets`` (0-1): that share of each language's mean offset from its translations subtracted from the
    chooser's scores; ``say`` (float): the neighbours' say scaled; ``say_other`` (float): their say on
    ``other`` scaled (0: never added to ``other``); ``say_words`` (int): their say scaled by
    min(1, words / say_words) (``words``: each answer's word count; FactorClassifier's ``neighbours_words``);
    ``direct`` (float): the direct primary's say scaled (FactorClassifier's ``primary_weight``, 0: off);
    ``other_margin`` (float): ``other`` is the primary only when no factor's probability passes its
    threshold by that margin (else the best-scored such factor is); ``other_own`` (float): ``other`` is the
    primary only when its own probability reaches that share of its threshold (else the best-scored factor is);
    ``secondary`` (float): added to the thresholds of labels other than the primary; ``max_labels`` (int): at most
    that many labels; ``other_from_chooser`` (bool, True by default as in FactorClassifier): the cached outputs do not
    record the fitted model's setting, so a model fitted with False is scored as such only when the rule says so."""
    rank = fo.rank.copy()
    if fo.say is not None:
        say = rule.get("say", 1.0) * fo.say
        say[:, _F] *= rule.get("say_other", 1.0)
        if rule.get("say_words") and words is not None:
            say *= np.minimum(1.0, np.asarray(words, dtype=float) / rule["say_words"])[:, None]
        rank += say
    if fo.direct is not None:
        rank += rule.get("direct", 1.0) * fo.direct
    if rule.get("offsets"):
        offsets = language_offsets(fo.train_rank, fo.train_langs, fo.train_groups)
        rank -= rule["offsets"] * np.array([offsets.get(lang, np.zeros(rank.shape[1])) for lang in langs])
    label_thresholds = np.asarray(rule.get("secondary_thresholds", fo.thresholds[:_F])) + rule.get("secondary", 0.0)
    best = np.argmax(rank, axis=1)
    for i in range(len(rank)):
        if best[i] != _F:
            continue
        sure = fo.proba[i, :_F] >= fo.thresholds[:_F] + rule.get("other_margin", np.inf)
        if sure.any():
            best[i] = int(np.flatnonzero(sure)[np.argmax(rank[i, :_F][sure])])
        elif fo.proba[i, -1] < rule.get("other_own", 0.0) * fo.thresholds[-1]:
            best[i] = int(np.argmax(rank[i, :_F]))
    return decide_labels(fo.proba, rank, fo.thresholds, label_thresholds=label_thresholds, best=best,
                         max_labels=rule.get("max_labels", _F),
                         other_from_chooser=rule.get("other_from_chooser", True))  # fmt: skip


def figures(examples: Sequence[Example], pred: Sequence[Sequence[str]]) -> dict[str, Any]:
    r = scores([list(e.labels) for e in examples], pred, [e.primary for e in examples], [p[0] for p in pred])
    c = consistency(examples, pred) or {"same_primary": 0, "groups": 0, "same_labels": 0}
    return {k: r[k] for k in ("n", "macro_f1", "micro_f1", "primary_accuracy")} | {
        "same_primary": c["same_primary"], "groups": c["groups"], "same_labels": c["same_labels"]}  # fmt: skip


def evaluate_rule(outputs: list[FoldOutputs], rule: dict[str, Any], with_scored: bool = False) -> dict[str, Any]:
    """Pooled and per-set figures of a decision rule on cached fold outputs (of the same pool)."""
    examples, sets = pooled(with_scored)
    pred: list[list[str]] = [[] for _ in examples]
    for fo in outputs:
        chosen = decide(fo, [examples[i].lang for i in fo.test], rule, [word_count(examples[i].text) for i in fo.test])
        for i, labels in zip(fo.test, chosen, strict=True):
            pred[i] = labels
    result = {"pooled": figures(examples, pred)}
    for name in dict.fromkeys(sets):
        idx = [i for i, s in enumerate(sets) if s == name]
        result[name] = figures([examples[i] for i in idx], [pred[i] for i in idx])
    return result


def written_outputs(params: dict[str, Any], cache: Path | None = None, model: Any = None) -> dict[str, FoldOutputs]:
    """Outputs on the sets written for the project (``WRITTEN``) of ``params`` fitted as the candidate is (the
    corpus and the real-style sets the shipped model trains on), cached; ``model``: that model already fitted."""
    key = hashlib.sha256(json.dumps([params, "written"], sort_keys=True).encode()).hexdigest()[:16]
    path = (cache or cache_dir() / "agreement_cv") / f"{key}-written.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    if model is None:
        fit = candidate_examples()
        model = FactorClassifier(**params).fit([e.text for e in fit], [list(e.labels) for e in fit],
                                               langs=[e.lang for e in fit], primary=[e.primary for e in fit],
                                               groups=[e.group for e in fit],
                                               questions=[e.question for e in fit])  # fmt: skip
    out = {}
    for name in WRITTEN:
        examples = load_examples(DEV_PATHS[name])
        texts, langs = [e.text for e in examples], [e.lang for e in examples]
        proba, docs, developed, say, direct = model._outputs(texts, langs)
        rank = model.chooser_scores(proba, docs, developed)
        out[name] = FoldOutputs(list(range(len(examples))), proba, developed, rank, say, model.thresholds_,
                                np.zeros((0, _F + 1)), [], [], np.zeros(0, int), np.zeros((0, _F + 1)),
                                direct)  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out


def evaluate_written(outputs: dict[str, FoldOutputs], rule: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for name, fo in outputs.items():
        examples = load_examples(DEV_PATHS[name])
        pred = decide(fo, [e.lang for e in examples], rule, [word_count(e.text) for e in examples])
        result[name] = figures(examples, pred)
    return result


def row(result: dict[str, Any]) -> str:
    return " | ".join(f"{r['macro_f1']:.3f} / {r['micro_f1']:.3f} / {r['primary_accuracy']:.3f} / "
                      f"{r['same_primary']} of {r['groups']}" for r in result.values())  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.agreement_cv", description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("5fold", "loso"), default="5fold")
    parser.add_argument("--params", type=json.loads, default=CANDIDATE_PARAMS, help="FactorClassifier params")
    parser.add_argument("--rule", type=json.loads, default={}, help="decision rule changes (see decide)")
    parser.add_argument("--fold", type=int, help="fit and cache this fold only (folds in parallel processes)")
    parser.add_argument(
        "--written",
        action="store_true",
        help="score the sets written for the project instead, fitted as the candidate is",
    )
    parser.add_argument("--model", type=Path, help="with --written: that fitted model (joblib) of --params")
    scored = ", ".join(SCORED_ONLY)
    parser.add_argument("--with-scored", action="store_true", help=f"pool also the sets scored only: {scored}")
    args = parser.parse_args(argv)
    if args.fold is not None:
        fold_outputs(args.params, args.split, only=args.fold, with_scored=args.with_scored)
        return 0
    if args.written:
        import joblib

        model = joblib.load(args.model) if args.model else None
        result = evaluate_written(written_outputs(args.params, model=model), args.rule)
    else:
        result = evaluate_rule(fold_outputs(args.params, args.split, with_scored=args.with_scored), args.rule,
                               args.with_scored)  # fmt: skip
    print(row(result), file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    from analysis.agreement_cv import main as _main  # pickles name the module, not __main__

    sys.exit(_main())
