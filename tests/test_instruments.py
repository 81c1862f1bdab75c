"""Questionnaires as data: the shipped forms are complete; broken files list every error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.factors import CORE_LANGUAGES, FACTOR_IDS
from cips.instruments import ItemType, load_file

FORMS = Path(__file__).resolve().parent.parent / "forms"


@pytest.mark.parametrize("name", ["officials", "private_sector"])
def test_instruments_shipped_forms_are_valid_and_complete(name: str) -> None:
    result = load_file(FORMS / f"{name}.yaml")
    assert result.problems == []
    inst = result.instrument
    assert inst.key == name and set(CORE_LANGUAGES) <= set(inst.languages)
    per_factor = inst.factor_items()
    assert set(per_factor) == set(FACTOR_IDS)
    assert all(len(items) >= 3 for items in per_factor.values())
    assert any(item.reverse for item in inst.items())
    assert sum(1 for item in inst.items() if item.type is ItemType.text) >= 3
    assert inst.strata and all(s in inst.item_map() for s in inst.strata)


def test_instruments_titles_name_one_survey_the_same_way() -> None:
    """Both questionnaires read as parts of one survey in every language: the same survey name
    before the dash, the audience after it in sentence case ("Private sector", not "Private Sector";
    Portuguese "Pesquisa…" for both, not "Pesquisa…" and "Questionário…")."""
    titles = [load_file(FORMS / f"{name}.yaml").instrument.title for name in ("officials", "private_sector")]
    for lang in CORE_LANGUAGES:
        survey, audience = zip(*(title[lang].split(" — ") for title in titles), strict=True)
        assert len(set(survey)) == 1, (lang, survey)
        assert all(part[0].isupper() and part[1:] == part[1:].lower() for part in audience), (lang, audience)


def test_instruments_background_items_match_the_audience() -> None:
    officials = load_file(FORMS / "officials.yaml").instrument.item_map()
    assert {"bg_years", "bg_function", "bg_grade", "bg_region"} <= set(officials)
    private = load_file(FORMS / "private_sector.yaml").instrument.item_map()
    roles = {c.value for c in private["ps_role"].choices}
    assert roles == {"importer", "exporter", "broker", "transport", "other"}
    assert {"ps_frequency", "ps_region"} <= set(private)


def _broken_copy(tmp_path: Path) -> Path:
    data = yaml.safe_load((FORMS / "officials.yaml").read_text(encoding="utf-8"))
    sections = {s["id"]: s for s in data["sections"]}
    del sections["leadership"]["items"][0]["text"]["pt"]  # missing translation
    sections["audit"]["items"][1]["factor"] = "bribery"  # unknown factor
    sections["hrm"]["items"][2]["id"] = sections["hrm"]["items"][1]["id"]  # duplicate id
    sections["culture"]["items"] = sections["culture"]["items"][:2]  # < 3 items for a factor
    for item in sections["culture"]["items"]:
        item["factor"] = "culture"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_instruments_check_lists_every_error_with_file_item_and_field(runner, tmp_path) -> None:
    path = _broken_copy(tmp_path)
    result = runner.invoke(args=["instruments", "check", str(path)])
    assert result.exit_code != 0
    out = result.output
    assert "Traceback" not in out
    lead_1 = "lead_1"
    assert f"{path}" in out
    assert f"item {lead_1}: text.pt: missing translation (pt)" in out
    assert "item audit_2: factor" in out and "unknown factor 'bribery'" in out
    assert "item hrm_2: id: duplicate item id" in out
    assert "factor 'culture' has 2 likert5 item(s), needs at least 3" in out


def test_instruments_check_reports_yaml_syntax_with_line(runner, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("key: officials\nversion: 1\nsections: [\n  - id: x\n", encoding="utf-8")
    result = runner.invoke(args=["instruments", "check", str(path)])
    assert result.exit_code != 0
    assert f"{path}:" in result.output and "invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_instruments_check_reports_structural_errors_per_item(runner, tmp_path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(
        """
key: small
version: 1
languages: [en]
title: {en: Small}
intro: {en: Hi}
consent: {en: OK}
likert_labels: {en: [a, b, c, d]}
sections:
  - id: s1
    title: {en: S}
    items:
      - {id: q1, type: likert7, text: {en: Q}}
      - {id: q2, type: single, text: {en: Q}}
      - {id: Q3, type: text, text: {en: Q}}
""",
        encoding="utf-8",
    )
    result = runner.invoke(args=["instruments", "check", str(path)])
    out = result.output
    assert result.exit_code != 0
    assert "item q1: type:" in out
    assert "item q2: " in out and "needs at least one choice" in out
    assert "id: String should match pattern" in out


def test_instruments_check_all_shipped_files_by_default(runner) -> None:
    result = runner.invoke(args=["instruments", "check"])
    assert result.exit_code == 0, result.output
    assert "officials.yaml: OK" in result.output and "private_sector.yaml: OK" in result.output


def test_instruments_load_is_idempotent_and_versions_are_immutable(runner, tmp_path) -> None:
    first = runner.invoke(args=["instruments", "load"])
    assert first.exit_code == 0 and "officials v1: loaded" in first.output
    second = runner.invoke(args=["instruments", "load"])
    assert second.exit_code == 0 and "officials v1: already loaded" in second.output
    data = yaml.safe_load((FORMS / "officials.yaml").read_text(encoding="utf-8"))
    data["title"]["en"] = "Changed title, same version"
    changed = tmp_path / "officials.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    third = runner.invoke(args=["instruments", "load", str(changed)])
    assert third.exit_code != 0 and "new version number" in third.output
