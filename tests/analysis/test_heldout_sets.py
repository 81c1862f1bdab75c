"""Which files are held out: the twenty real-style sets looked at are development data; the twenty-first is out."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import learning_curve, reliability
from analysis.adapt import CALIBRATION_SETS
from analysis.eval_report import DEV_PATHS, HELDOUT_SETS, REALSTYLE_DEV, is_heldout

RETIRED = ("rad_realstyle_heldout.jsonl", "rad_realstyle_heldout2.jsonl", "rad_realstyle_heldout3.jsonl",
           "rad_realstyle_heldout4.jsonl", "rad_realstyle_heldout5.jsonl", "rad_realstyle_heldout6.jsonl",
           "rad_realstyle_heldout7.jsonl", "rad_realstyle_heldout8.jsonl", "rad_realstyle_heldout9.jsonl",
           "rad_realstyle_heldout10.jsonl", "rad_realstyle_heldout11.jsonl",
           "rad_realstyle_heldout12.jsonl", "rad_realstyle_heldout13.jsonl",
           "rad_realstyle_heldout14.jsonl", "rad_realstyle_heldout15.jsonl",
           "rad_realstyle_heldout16.jsonl", "rad_realstyle_heldout17.jsonl",
           "rad_realstyle_heldout18.jsonl", "rad_realstyle_heldout19.jsonl",
           "rad_realstyle_heldout20.jsonl")  # fmt: skip
#: Looked at once and scored as development, not yet trained on.
SCORED_ONLY = {"rad_realstyle_heldout19.jsonl", "rad_realstyle_heldout20.jsonl"}


def test_the_looked_at_real_style_sets_are_development_and_the_twenty_first_is_held_out() -> None:
    assert {p.name for p in HELDOUT_SETS.values()} == {"rad_heldout.jsonl", "rad_realstyle_heldout21.jsonl"}
    dev_names = {p.name for p in DEV_PATHS.values()}
    assert set(RETIRED) <= dev_names and not dev_names & {p.name for p in HELDOUT_SETS.values()}
    assert {DEV_PATHS[name].name for name in REALSTYLE_DEV} == {"rad_realstyle_dev.jsonl", *RETIRED} - SCORED_ONLY
    assert all(is_heldout(Path("/anywhere") / p.name) for p in HELDOUT_SETS.values())
    assert not any(is_heldout(DEV_PATHS[name]) for name in DEV_PATHS)


def test_the_calibrator_reads_no_held_out_set() -> None:
    assert CALIBRATION_SETS and not any(is_heldout(Path(name)) for name in CALIBRATION_SETS)


def test_reliability_accepts_a_retired_set_and_refuses_the_held_out_set(capsys) -> None:
    with pytest.raises(SystemExit):
        reliability.main(["--data", str(DEV_PATHS["real-style set 2 (retired held-out)"]), "--folds", "1"])
    assert "--folds: at least 2" in capsys.readouterr().err  # got past the held-out check
    with pytest.raises(SystemExit):
        reliability.main(["--data", "elsewhere/rad_heldout.jsonl"])
    assert "scored only by make eval" in capsys.readouterr().err


class _Reached(Exception):
    pass


class _Untouchable:
    """A base model that stops the run as soon as it is used: the arguments were accepted."""

    def __getattr__(self, name: str):
        raise _Reached(name)


def test_learning_curve_accepts_a_retired_set_and_refuses_the_held_out_set(capsys) -> None:
    retired = str(DEV_PATHS["real-style set 1 (retired held-out)"])
    with pytest.raises(_Reached):
        learning_curve.main(["--data", retired, "--tune-data", retired], base=_Untouchable())
    with pytest.raises(SystemExit):
        learning_curve.main(["--tune-data", "rad_heldout.jsonl"], base=_Untouchable())
    assert "scored only by make eval" in capsys.readouterr().err


def test_the_shipped_model_trains_on_the_real_style_development_data_and_no_held_out_set() -> None:
    from analysis.default_model import TRAINING_PATHS

    assert {p.name for p in TRAINING_PATHS} == {DEV_PATHS[name].name for name in REALSTYLE_DEV}
    assert not any(is_heldout(path) for path in TRAINING_PATHS)


@pytest.mark.parametrize("tool", ["evaluate", "human_reference"])
def test_the_other_scoring_tools_refuse_the_held_out_set(tool: str, capsys) -> None:
    import importlib

    main = importlib.import_module(f"analysis.{tool}").main
    with pytest.raises(SystemExit):
        main(["--data", "elsewhere/rad_heldout.jsonl"])
    assert "scored only by make eval" in capsys.readouterr().err


def test_make_eval_candidate_refuses_a_candidate_declared_for_a_set_no_longer_held_out(monkeypatch, capsys) -> None:
    from analysis import eval_report

    monkeypatch.setattr(eval_report, "load_default_classifier", lambda: pytest.fail("nothing may be scored"))
    monkeypatch.setattr(eval_report, "CANDIDATE_DECLARED_FOR", "rad_realstyle_heldout7.jsonl")  # looked at, retired
    assert not eval_report.candidate_declared()
    assert eval_report.main(["--candidate"]) == 2
    assert "no longer held out" in capsys.readouterr().err
    assert eval_report.main(["--candidate", "--dev-only"]) == 2
    assert "--dev-only scores no held-out set" in capsys.readouterr().err


def test_the_declared_candidate_is_for_the_twenty_first_set_and_trains_on_no_held_out_set() -> None:
    from analysis import eval_report

    assert eval_report.candidate_declared() and eval_report.CANDIDATE_DECLARED_FOR == "rad_realstyle_heldout21.jsonl"
    # One change measured alone: the shipped setting, trained also on the nineteenth and twentieth sets.
    assert eval_report.CANDIDATE_PARAMS == eval_report.SHIPPED_PARAMS
    assert tuple(eval_report.CANDIDATE_TRAINING) == (
        *REALSTYLE_DEV,
        "real-style set 19 (retired held-out)",
        "real-style set 20 (retired held-out)",
    )
    assert not any(is_heldout(DEV_PATHS[name]) for name in eval_report.CANDIDATE_TRAINING)
