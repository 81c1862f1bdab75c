"""The small-cell rule of analysis.privacy: single cells and groups whose total is shown."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from analysis.privacy import MIN_CELL, suppress, suppress_group, suppress_tables


def _recoverable(counts: dict, shown: dict) -> bool:
    """True when the total minus the shown cells gives away fewer than MIN_CELL hidden respondents."""
    hidden = [n for key, n in counts.items() if shown[key] is None]
    return bool(hidden) and (len(hidden) == 1 or sum(hidden) < MIN_CELL) and sum(counts.values()) >= MIN_CELL


def test_privacy_suppress_single_cells() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]


def test_privacy_group_hidden_days_do_not_add_up_to_a_small_cell() -> None:
    # The tester's case: 10 today, 1 on each of two other days, total 12 shown. Hiding the two
    # days alone leaves 12 - 10 = 2 for them; today must go too.
    counts = {date(2026, 11, 20): 1, date(2026, 11, 21): 1, date(2026, 11, 26): 10}
    shown = suppress_group(counts)
    assert shown == {date(2026, 11, 20): None, date(2026, 11, 21): None, date(2026, 11, 26): None}
    assert not _recoverable(counts, shown)


def test_privacy_group_hides_smallest_cells_first_until_five_hidden() -> None:
    assert suppress_group({"hq": 8, "north": 4, "south": 10, "east": 5, "west": 7}) == {
        "hq": 8, "north": None, "south": 10, "east": None, "west": 7}  # fmt: skip
    # 1 + 2 hidden is 3: one more cell (the smallest shown, 6) must join them.
    assert suppress_group({"a": 1, "b": 2, "c": 6, "d": 9}) == {"a": None, "b": None, "c": None, "d": 9}
    assert suppress_group({"a": 3, "b": 2, "c": 9}) == {"a": None, "b": None, "c": 9}
    assert suppress_group({"a": 0, "b": 12}) == {"a": 0, "b": 12}  # an empty cell describes nobody
    assert suppress_group({"a": 0, "b": 3}) == {"a": 0, "b": None}  # total 3: shown as n<5 by its caller


@given(st.dictionaries(st.integers(0, 9), st.integers(0, 30), max_size=8))
def test_privacy_group_no_small_cell_is_recoverable_by_subtraction(counts: dict[int, int]) -> None:
    shown = suppress_group(counts)
    assert all(n is None or n == 0 or n >= MIN_CELL for n in shown.values())
    assert all(shown[k] in (None, n) for k, n in counts.items())
    assert not _recoverable(counts, shown)
    # What a reader learns by subtraction, total minus shown cells, is 0 or at least MIN_CELL
    # (or the total is itself under MIN_CELL, and shown as n<5).
    hidden = [n for k, n in counts.items() if shown[k] is None]
    assert sum(hidden) == 0 or sum(hidden) >= MIN_CELL or sum(counts.values()) < MIN_CELL


def test_privacy_tables_sharing_margins_hide_together_disjoint_ones_do_not() -> None:
    region, joint, grade = frozenset({"region"}), frozenset({"region", "function"}), frozenset({"grade"})
    tables = {
        region: {"north": 12, "south": 16},
        joint: {("north", "clearance"): 2, ("north", "audit"): 10, ("south", "clearance"): 6, ("south", "audit"): 10},
        grade: {"senior": 8, "junior": 20},
    }
    shown = suppress_tables(tables)
    # Alone, the joint table would hide north×clearance and south×clearance only, and 12 − 10 gives 2.
    assert suppress_group(tables[joint])[("north", "audit")] == 10
    assert all(n is None for n in shown[region].values()) and all(n is None for n in shown[joint].values())
    assert shown[grade] == tables[grade]  # crosses no item of the others: tells nothing about them


def test_privacy_why_hidden_tells_small_cells_from_protecting_ones() -> None:
    from analysis.privacy import SUPPRESSED, Hidden, why_hidden

    # Two small cells that hide each other: both are n<5.
    counts = {"a": 2, "b": 3, "c": 10}
    shown = suppress_group(counts)
    assert why_hidden(counts, shown) == {"a": Hidden.SMALL, "b": Hidden.SMALL} and Hidden.SMALL == SUPPRESSED
    # The stations page's tablet of 43 hidden beside one of 2: no "n<5" on a count of 43; and the
    # small one reads the same, else a hidden pair summing to 45 would be 2 and 43.
    counts = {"tablet-1": 2, "tablet-2": 43, "tablet-3": 50}
    shown = suppress_group(counts)
    assert why_hidden(counts, shown) == {"tablet-1": Hidden.GROUP, "tablet-2": Hidden.GROUP}
    assert why_hidden(counts, shown, ["tablet-3"]) == {}
