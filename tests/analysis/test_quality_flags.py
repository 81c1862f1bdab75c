"""Quality flags (analysis.quality): each rule flags what it describes and leaves honest records alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from analysis import quality

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
FACTORS = ["leadership", "audit", "hrm", "conduct", "reform"]
ITEMS = pd.DataFrame(
    [("officials", f"{f}_{i}", "likert5", f) for f in FACTORS for i in range(1, 5)]
    + [("officials", "open_1", "text", None), ("officials", "bg_region", "single", None)],
    columns=["instrument", "item_id", "type", "factor"],
)


def _campaign(n: int = 12, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` honest interviews of 10 to 20 minutes on 4 tablets, a few hours apart, varied answers."""
    rng = np.random.default_rng(seed)
    records, answers = [], []
    for k in range(n):
        who = f"r{k:02d}"
        end = T0 + timedelta(hours=3 * k)
        records.append({"respondent": who, "instrument": "officials", "device_id": f"tab-{k % 4}",
                        "started_at": end - timedelta(minutes=10 + k % 10), "submitted_at": end})  # fmt: skip
        for item in ITEMS.itertuples():
            if item.type == "likert5":
                answers.append({"respondent": who, "item_id": item.item_id, "value": float(rng.integers(1, 6)),
                                "text": None})  # fmt: skip
        answers.append({"respondent": who, "item_id": "bg_region", "value": None, "text": "north"})
        answers.append({"respondent": who, "item_id": "open_1", "value": None, "text": f"My own view number {k}."})
    return pd.DataFrame(records), pd.DataFrame(answers)


def test_honest_fieldwork_raises_no_flag() -> None:
    records, answers = _campaign()
    flags = quality.quality_flags(records, answers, ITEMS)
    assert flags.counts() == dict.fromkeys(quality.FLAGS, 0)


def test_speeder_is_below_a_share_of_the_median_duration() -> None:
    records, _ = _campaign()
    records.loc[2, "started_at"] = records.loc[2, "submitted_at"] - timedelta(minutes=4)  # median ~15: < 6 min
    records.loc[3, "started_at"] = records.loc[3, "submitted_at"] - timedelta(minutes=7)  # above the share
    assert quality.speeders(records) == {"r02"}
    assert quality.speeders(records.head(quality.SPEED_MIN_RECORDS - 1)) == set()  # too few for a median


def test_straight_liner_gives_one_value_in_most_likert_blocks() -> None:
    records, answers = _campaign()
    likert = answers["item_id"].str.contains("_") & answers["value"].notna()
    answers.loc[likert & (answers["respondent"] == "r05"), "value"] = 3.0
    # One flat block is not straight-lining.
    answers.loc[likert & (answers["respondent"] == "r06") & answers["item_id"].str.startswith("audit"), "value"] = 2.0
    assert quality.straight_liners(answers, ITEMS, records) == {"r05"}


def test_near_duplicates_are_pairs_of_one_device() -> None:
    records, answers = _campaign()
    copy = answers[answers["respondent"] == "r01"].assign(respondent="r99")
    records = pd.concat([records, records[records["respondent"] == "r01"].assign(respondent="r99")])
    answers = pd.concat([answers, copy], ignore_index=True)
    answers.loc[(answers["respondent"] == "r99") & (answers["item_id"] == "open_1"), "text"] = "changed"
    assert quality.near_duplicates(answers, records) == {"r01", "r99"}
    other_device = records.assign(device_id=np.where(records["respondent"] == "r99", "tab-x", records["device_id"]))
    assert quality.near_duplicates(answers, other_device) == set()


def test_burst_is_more_interviews_than_one_tablet_holds() -> None:
    records, answers = _campaign()
    for k, who in enumerate(["r00", "r04", "r08"]):  # tablet 0, three interviews finished within 10 minutes
        at = T0 + timedelta(days=5, minutes=5 * k)
        records.loc[records["respondent"] == who, ["started_at", "submitted_at"]] = [at - timedelta(minutes=15), at]
    assert quality.bursts(records) == {"r00", "r04", "r08"}
    assert quality.quality_flags(records, answers, ITEMS, station=False).flagged["burst"] == set()


def test_copied_open_answers_ignore_case_punctuation_and_short_answers() -> None:
    records, answers = _campaign()
    text = answers["item_id"] == "open_1"
    answers.loc[text & (answers["respondent"] == "r03"), "text"] = "Les chefs acceptent des cadeaux, partout!"
    answers.loc[text & (answers["respondent"] == "r07"), "text"] = "les chefs  acceptent des cadeaux partout"
    answers.loc[text & answers["respondent"].isin(["r08", "r09"]), "text"] = "Rien."
    assert quality.copied_texts(answers, ITEMS, records) == {"r03", "r07"}
    # The same choice value ("north") from everyone is not copied text.
    assert "r00" not in quality.copied_texts(answers, ITEMS, records)
