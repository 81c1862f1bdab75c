"""analysis.agreement: Cohen's kappa against hand-computed textbook tables, and its undefined cases."""

from __future__ import annotations

import pytest

from analysis.agreement import LABELS, ONE_CLASS, TOO_FEW, agreement, cohen_kappa


def _table(cells: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    """Paired codes from a contingency table {(code of A, code of B): count}."""
    a: list[str] = []
    b: list[str] = []
    for (x, y), count in cells.items():
        a += [x] * count
        b += [y] * count
    return a, b


def test_binary_kappa_matches_the_textbook_table() -> None:
    # 50 answers: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    # p_o = 35/50 = 0.7; A says yes 0.5, B 0.6: p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4.
    a, b = _table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    result = cohen_kappa(a, b)
    assert result.kappa == pytest.approx(0.4)
    assert (result.n, result.observed, result.reason) == (50, 0.7, None)


def test_nominal_kappa_matches_a_hand_computed_three_by_three_table() -> None:
    # Rows A, columns B over (x, y, z): [3 1 0 / 0 3 1 / 1 0 1]; p_o = 7/10; margins 4, 4, 2 on
    # both sides: p_e = (16 + 16 + 4)/100 = 0.36; kappa = (0.7 - 0.36)/0.64 = 0.53125.
    a, b = _table({("x", "x"): 3, ("x", "y"): 1, ("y", "y"): 3, ("y", "z"): 1, ("z", "x"): 1, ("z", "z"): 1})
    assert cohen_kappa(a, b).kappa == pytest.approx(0.5312, abs=1e-4)


def test_undefined_kappas_say_why_and_keep_n() -> None:
    assert cohen_kappa([], []).as_dict() == {"kappa": None, "n": 0, "observed": None, "reason": TOO_FEW}
    assert cohen_kappa(["hrm"], ["hrm"]).reason == TOO_FEW
    same = cohen_kappa([False] * 7, [False] * 7)  # nobody marked the factor: kappa is 0/0
    assert (same.kappa, same.n, same.observed, same.reason) == (None, 7, 1.0, ONE_CLASS)
    # One coder used one class, the other did not: chance agreement is not total, kappa is 0.
    assert cohen_kappa([False] * 4, [False, False, False, True]).kappa == pytest.approx(0.0)
    with pytest.raises(ValueError, match="E601"):
        cohen_kappa(["a"], ["a", "b"])


def test_agreement_per_factor_and_primary() -> None:
    # The 3x3 table above as primaries hrm / audit / other, each answer's labels = its primary,
    # plus "culture" added by both coders on the first two answers.
    names = {"x": "hrm", "y": "audit", "z": "other"}
    a, b = _table({("x", "x"): 3, ("x", "y"): 1, ("y", "y"): 3, ("y", "z"): 1, ("z", "x"): 1, ("z", "z"): 1})
    primary_a, primary_b = [names[x] for x in a], [names[y] for y in b]
    labels_a = [[p, "culture"] if i < 2 and p != "other" else [p] for i, p in enumerate(primary_a)]
    labels_b = [[p, "culture"] if i < 2 and p != "other" else [p] for i, p in enumerate(primary_b)]
    result = agreement(labels_a, primary_a, labels_b, primary_b)
    assert result.n == 10 and set(result.labels) == set(LABELS)
    assert result.primary.kappa == pytest.approx(0.5312, abs=1e-4)
    # hrm present: A 4 (rows x), B 4 (cols x); both on 3 answers, neither on 5: p_o 0.8,
    # p_e 0.4*0.4 + 0.6*0.6 = 0.52, kappa = 0.28/0.48 = 0.5833.
    assert result.labels["hrm"].kappa == pytest.approx(0.5833, abs=1e-4)
    assert result.labels["culture"].kappa == pytest.approx(1.0)
    assert result.labels["leadership"].kappa is None and result.labels["leadership"].reason == ONE_CLASS
    assert result.as_dict()["labels"]["culture"]["n"] == 10


def test_agreement_reads_empty_as_other_and_refuses_bad_input() -> None:
    result = agreement([[], ["hrm"]], ["other", "hrm"], [["other"], ["hrm"]], ["other", "hrm"])
    assert result.labels["other"].kappa == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"E602.*'bribery'"):
        agreement([["bribery"]], ["hrm"], [["hrm"]], ["hrm"])
    with pytest.raises(ValueError, match="E603"):
        agreement(["hrm"], ["hrm"], [["hrm"]], ["hrm"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="E601"):
        agreement([["hrm"]], ["hrm"], [], [])
