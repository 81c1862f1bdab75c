"""Generate synthetic respondents whose answers look like real fieldwork.

Patterns are deliberate so that the analysis has something to find: each RAD
factor has its own mean, officials and the private sector see some factors
differently (the perception gap), respondents differ in overall tone, sensitive
factors get more item non-response, and open answers lean towards the factors
the respondent rates worst. Everything is driven by one seeded generator, and
uuids derive from the seed, so running the same command twice adds nothing.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cips.instruments.logic import asked_only, logic_of, order_key, orders_for, walk
from cips.instruments.schema import Instrument, ItemType

OPEN_ANSWERS = Path(__file__).with_name("open_answers.jsonl")
DEMO_NAMESPACE = uuid.UUID("6f1c2b1e-0c55-4f5e-9a8e-2f8f4f0f1c5a")

#: Mean agreement (1-5, positively worded) per factor and group.
FACTOR_MEANS: dict[str, dict[str, float]] = {
    "officials": {
        "leadership": 3.6, "regulatory": 3.2, "transparency": 3.3, "automation": 3.9, "reform": 3.4,
        "audit": 2.7, "conduct": 3.5, "hrm": 2.5, "culture": 3.0, "private_sector": 3.4,
    },
    "private_sector": {
        "leadership": 3.0, "regulatory": 2.6, "transparency": 2.5, "automation": 3.5, "reform": 3.0,
        "audit": 2.4, "conduct": 2.3, "hrm": 2.9, "culture": 2.9, "private_sector": 2.6,
    },
}  # fmt: skip
#: Factors people are more reluctant to rate (more skipped items).
SENSITIVE = {"audit": 0.12, "conduct": 0.10}
LANGUAGE_WEIGHTS = {"fr": 0.35, "en": 0.30, "es": 0.20, "pt": 0.15}
OPEN_RATES = {"open_change_first": 0.45, "open_works": 0.30, "open_other": 0.12}
#: Careless interviews the quality flags (``analysis.quality``) must find: respondent 3 finishes
#: in 2 minutes (honest ones take 7 to 28), respondent 5 agrees (4) with every statement.
SPEEDER_INDEX, SPEEDER_MINUTES = 3, 2
#: Headquarters answers more than its share (the first region is the likeliest answer: about 30 %
#: of the officials, against a sixth of the staff in the demo's populations) and rates the
#: administration one point better: the national index then moves when weights are on.
UPBEAT_REGION = "headquarters"
STRAIGHT_LINER_INDEX, STRAIGHT_LINE_VALUE = 5, 4
#: Respondent 9 writes, word for word, the first open answer another respondent gave (an
#: enumerator filling interviews himself): the copied-answer flag must find this pair, and only
#: it, since every other open answer is drawn from the pool at most once.
COPIER_INDEX, COPIED_ITEM = 9, "open_change_first"


@dataclass(frozen=True)
class DemoOpenAnswer:
    lang: str
    instrument: str
    question: str
    factor: str
    text: str


def load_open_answers(path: Path = OPEN_ANSWERS) -> list[DemoOpenAnswer]:
    with path.open(encoding="utf-8") as fh:
        return [DemoOpenAnswer(**json.loads(line)) for line in fh if line.strip()]


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _likert(rng: random.Random, mean: float, reverse: bool) -> int:
    value = min(5, max(1, round(rng.gauss(mean, 0.9))))
    return 6 - value if reverse else value


class DemoRespondents:
    """Iterate over payloads for ``ingest_payload``, one synthetic respondent each."""

    def __init__(self, campaign: str, instruments: dict[str, tuple[int, Instrument]], languages: list[str],
                 seed: int = 1, days: int = 14, now: datetime | None = None,
                 factor_shift: dict[str, float] | None = None) -> None:  # fmt: skip
        self.campaign = campaign
        self.instruments = instruments  # key -> (version, definition)
        self.languages = [lang for lang in LANGUAGE_WEIGHTS if lang in languages] or languages
        self.seed = seed
        self.days = days
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.open_answers = load_open_answers()
        #: Added to every factor mean (Likert points): how an earlier wave differed.
        self.factor_shift = factor_shift or {}

    def payloads(self, n: int) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed)
        #: Open answers given so far, in order: each text of the pool once (see COPIER_INDEX).
        self._given: list[str] = []
        keys = sorted(self.instruments)
        group_weights = {k: (0.55 if k == "officials" else 0.45) for k in keys}
        for index in range(n):
            key = _weighted(rng, group_weights) if len(keys) > 1 else keys[0]
            yield self._respondent(rng, index, key)

    def _respondent(self, rng: random.Random, index: int, key: str) -> dict[str, Any]:
        version, definition = self.instruments[key]
        lang = _weighted(rng, {lang: LANGUAGE_WEIGHTS.get(lang, 0.1) for lang in self.languages})
        tone = rng.gauss(0, 0.45)  # some people rate everything higher or lower
        means = FACTOR_MEANS.get(key, FACTOR_MEANS["officials"])
        factor_view = {f: m + self.factor_shift.get(f, 0.0) + tone + rng.gauss(0, 0.35) for f, m in means.items()}
        answers: dict[str, Any] = {}
        for item in definition.items():
            if item.calculate:  # computed by the server
                continue
            if item.type is ItemType.likert5:
                if rng.random() < 0.03 + SENSITIVE.get(item.factor or "", 0.0):
                    continue
                # Drawn only for items offering it, so questionnaires without it keep their demo data.
                if item.non_substantive and rng.random() < 0.04:
                    answers[item.id] = item.non_substantive[0]
                    continue
                answers[item.id] = _likert(rng, factor_view[item.factor or ""], item.reverse)
            elif item.type is ItemType.single:
                choices = [c.value for c in item.choices or []]
                if item.required or rng.random() < 0.9:
                    # Skewed towards the first choices, as real samples are.
                    answers[item.id] = rng.choices(
                        choices, weights=[len(choices) - i + 1 for i in range(len(choices))]
                    )[0]
            elif item.type is ItemType.multi:
                choices = [c.value for c in item.choices or []]
                answers[item.id] = rng.sample(choices, k=rng.randint(1, max(1, len(choices) // 2)))
            elif item.type is ItemType.number:
                low, high = item.min or 0, item.max or 100
                answers[item.id] = round(rng.uniform(low, high))
            elif item.type is ItemType.text:
                text = self._open_text(rng, key, lang, item.id, factor_view)
                if text:
                    answers[item.id] = text
        # Skip logic: answers to items this respondent would not have been asked are not sent, nor
        # random numbers a constraint refuses (this respondent "skipped" those).
        answers = asked_only(definition, answers)
        for item_id in walk(logic_of(definition), answers).constraint_failed:
            del answers[item_id]
        submitted = self.now - timedelta(days=rng.uniform(0, self.days))
        started = submitted - timedelta(minutes=rng.uniform(7, 28))
        # After every draw of this respondent, so that the others stay what the seed made them.
        if answers.get("bg_region") == UPBEAT_REGION:
            for item in definition.items():
                # Scale points only: a "don't know" or "refused" is no point on the scale.
                if item.type is ItemType.likert5 and isinstance(answers.get(item.id), int):
                    answers[item.id] = min(5, max(1, answers[item.id] + (-1 if item.reverse else 1)))
        if index == SPEEDER_INDEX:
            started = submitted - timedelta(minutes=SPEEDER_MINUTES)
        if index == COPIER_INDEX and self._given and COPIED_ITEM in walk(logic_of(definition), answers).asked:
            answers[COPIED_ITEM] = self._given[0]
        if index == STRAIGHT_LINER_INDEX:
            asked = walk(logic_of(definition), answers).asked
            answers |= {item.id: STRAIGHT_LINE_VALUE for item in definition.items()
                        if item.type is ItemType.likert5 and item.id in asked}  # fmt: skip
        submission_uuid = str(uuid.uuid5(DEMO_NAMESPACE, f"{self.campaign}/{self.seed}/{index}"))
        # The order randomised sections were shown in, as the PWA stores it (seeded by the uuid,
        # like the no-JS form's, so it takes no draw from the respondent's generator).
        answers |= {order_key(sid): order for sid, order in orders_for(definition, submission_uuid).items()}
        return {
            "uuid": submission_uuid,
            "campaign": self.campaign,
            "instrument": key,
            "instrument_version": version,
            "language": lang,
            "device_id": f"demo-tablet-{rng.randint(1, 8):02d}",
            "started_at": started.isoformat(),
            "submitted_at": submitted.isoformat(),
            "answers": answers,
        }

    def _open_text(self, rng: random.Random, key: str, lang: str, question: str,
                   factor_view: dict[str, float]) -> str | None:  # fmt: skip
        if rng.random() >= OPEN_RATES.get(question, 0.2):
            return None
        pool = [a for a in self.open_answers if a.lang == lang and a.question == question]
        pool = [a for a in pool if a.instrument == key] or pool
        if not pool:
            return None
        # Complaints lean to the factors this respondent rates worst, praise to the best.
        sign = -1.0 if question == "open_change_first" else 1.0
        draw = rng.random()  # one draw, given or not, so that the later respondents stay what the seed made them
        fresh = [(a, 2.0 ** (sign * (factor_view.get(a.factor, 3.0) - 3.0) * 2))
                 for a in pool if a.text not in self._given]  # fmt: skip
        if not fresh:  # every answer of the pool given: this respondent writes nothing
            return None
        cumulative = list(itertools.accumulate(w for _, w in fresh))
        text = fresh[bisect.bisect(cumulative, draw * cumulative[-1], 0, len(fresh) - 1)][0].text
        self._given.append(text)
        return text
