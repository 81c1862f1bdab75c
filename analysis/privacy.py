"""The small-cell rule, in one place: every figure about fewer than ``MIN_CELL`` respondents is hidden.

Hiding a cell is not enough when other figures on the same page let a reader compute it:
:func:`suppress_group` hides more cells of a group whose total is shown, so that no
subtraction recovers a small count.

A light module (no pandas, no scipy) so that the web app can apply the rule without
loading the statistics stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

K = TypeVar("K")

#: Smallest number of respondents a published figure may describe.
MIN_CELL = 5
#: What is shown instead of a suppressed figure.
SUPPRESSED = f"n<{MIN_CELL}"


class Hidden(StrEnum):
    """Why a figure is not shown; each interface words the two cases in its own language.

    ``SMALL`` (its value is :data:`SUPPRESSED`, so ``== SUPPRESSED`` still holds): a count of
    1 to 4. ``GROUP``: hidden with a group in which complementary suppression hid counts of 5
    or more beside small ones; then *every* hidden cell of that group carries ``GROUP``
    ("hidden to protect a small group"), the small ones too. Labelling each cell by its own
    size would undo the protection: beside a shown total, "n<5" on one hidden cell and
    "5 or more" on the other of a hidden pair summing to 6 says 1 and 5.
    """

    SMALL = SUPPRESSED
    GROUP = "hidden"


def why_hidden(
    counts: Mapping[K, int], shown: Mapping[K, int | None], keys: Iterable[K] | None = None
) -> dict[K, Hidden]:
    """Why each hidden cell (``shown[key] is None``) of one group is hidden (see :class:`Hidden`).

    ``counts`` are the true counts, ``shown`` what :func:`suppress_group` (or
    :func:`suppress_tables`, :func:`suppress_strata`) made of them; ``keys`` limits the
    group to some cells (the strata of one questionnaire), by default all of ``shown``.
    """
    hidden = [key for key in (shown if keys is None else keys) if shown[key] is None]
    reason = Hidden.GROUP if any(counts[key] >= MIN_CELL for key in hidden) else Hidden.SMALL
    return {key: reason for key in hidden}


def suppress(n: int) -> int | None:
    """A respondent count as it may be shown: 0, or at least ``MIN_CELL``, else ``None`` (n<5)."""
    return n if n == 0 or n >= MIN_CELL else None


#: Steps a share of respondents may be rounded to, finest first.
SHARE_STEPS = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0)


def share_step(n: int) -> float:
    """The finest step (a fraction) at which a share of ``n`` respondents may be shown: one step
    is at least ``MIN_CELL`` respondents, so shares of one group that differ by a step or less
    (where 1 to 4 respondents stopped, or skipped an item) cannot be told apart exactly."""
    return next((step for step in SHARE_STEPS if step * n >= MIN_CELL), 1.0)


def round_share(value: float, n: int) -> float:
    """``value`` (a share of ``n`` respondents) rounded half up to :func:`share_step` of ``n``."""
    step = share_step(n)
    return round(int(value / step + 0.5) * step, 4)


def suppress_group(counts: Mapping[K, int]) -> dict[K, int | None]:
    """The cells of a group whose total is shown elsewhere, with the small-cell rule applied.

    Cells of 1 to 4 are hidden (*primary* suppression). With the total on screen the hidden
    cells add up to the total minus the shown ones, so that sum must not be a small cell
    either: further cells are hidden (*complementary* suppression, as statistical offices do
    for published tables), smallest first, until

    - at least two cells are hidden (one hidden cell is the total minus the others), and
    - the hidden cells together hold at least ``MIN_CELL`` respondents (``{day1: 1, day2: 1}``
      hidden beside a shown total says "2 on those days", so 1 each).

    Zero cells stay shown: an empty cell describes nobody. When even hiding every non-empty
    cell leaves fewer than ``MIN_CELL`` hidden, the whole group holds fewer than ``MIN_CELL``
    respondents and its total must itself be shown suppressed (``suppress(total)``): every
    caller shows totals that way.
    """
    shown: dict[K, int | None] = {key: suppress(n) for key, n in counts.items()}
    hidden = [key for key, n in shown.items() if n is None]
    if not hidden:
        return shown
    hidden_sum = sum(counts[key] for key in hidden)
    # Smallest first: the least information lost; ties by key, so the page does not flicker.
    candidates = sorted(((n, key) for key, n in shown.items() if n), key=lambda c: (c[0], str(c[1])))
    for n, key in candidates:
        if len(hidden) >= 2 and hidden_sum >= MIN_CELL:
            break
        shown[key] = None
        hidden.append(key)
        hidden_sum += n
    return shown


def suppress_tables(tables: Mapping[frozenset[str], Mapping[K, int]]) -> dict[frozenset[str], dict[K, int | None]]:
    """Several tables of one population, each keyed by the items it crosses (``{region}``,
    ``{region, function}``), with the small-cell rule applied so that no table gives another away.

    Tables over the same items are one group (:func:`suppress_group`). Tables over disjoint items
    split the population in unrelated ways: none tells anything about another's hidden cells.
    Tables whose items overlap without being equal share margins (regions × functions, summed
    over functions, are the regions): a hidden cell of one could be the difference of figures of
    the other. Campaigns are refused such quotas (``cips.services.campaigns``); for one made
    before, every non-empty cell of the linked tables is hidden as soon as any of them hides one.
    """
    shown = {items: suppress_group(cells) for items, cells in tables.items()}
    for component in _linked(list(tables)):
        if len(component) > 1 and any(n is None for items in component for n in shown[items].values()):
            for items in component:
                shown[items] = {key: (0 if n == 0 else None) for key, n in tables[items].items()}
    return shown


def _linked(keys: list[frozenset[str]]) -> list[list[frozenset[str]]]:
    """Tables connected by overlapping (not equal) item sets, as groups (a graph's components)."""
    components: list[list[frozenset[str]]] = []
    left = list(keys)
    while left:
        component, todo = [], [left.pop(0)]
        while todo:
            current = todo.pop()
            component.append(current)
            for other in [k for k in left if k & current and k != current]:
                left.remove(other)
                todo.append(other)
        components.append(component)
    return components


def suppress_strata(rows: Sequence[tuple[str, str, int]]) -> list[int | None]:
    """Quota strata ``(questionnaire, "item=value[,item=value]", count)`` as they may be shown, in order.

    A questionnaire's strata over the same items (every region) add up to its shown count: one
    group; strata over overlapping items are linked tables (:func:`suppress_tables`).
    """
    tables: dict[str, dict[frozenset[str], dict[int, int]]] = {}
    for i, (instrument, stratum, n) in enumerate(rows):
        items = frozenset(part.partition("=")[0] for part in stratum.split(","))
        tables.setdefault(instrument, {}).setdefault(items, {})[i] = n
    shown: dict[int, int | None] = {}
    for by_items in tables.values():
        for cells in suppress_tables(by_items).values():
            shown.update(cells)
    return [shown[i] for i in range(len(rows))]
