"""Configuration is one checked list: every CIPS_* variable declared in cips.config.SETTINGS, with its type
and default, malformed values refused at start naming the variable, README's table the same list."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from flask import Flask

from cips import create_app
from cips.cli import main
from cips.config import SETTINGS, Config, ConfigError, setting

ROOT = Path(__file__).resolve().parents[1]
VARIABLE = re.compile(r"CIPS_[A-Z0-9_]*[A-Z0-9]_?")
#: ``self.CIPS_SW`` is the service worker's global (cips/survey/pwa.py), not an environment variable.
NOT_VARIABLES = {"CIPS_SW"}


def _declared() -> set[str]:
    return {s.variable for s in SETTINGS}


def test_settings_declare_every_variable_the_code_reads() -> None:
    """A CIPS_ name anywhere in cips/, analysis/, deploy/ or the Makefile is declared (a name built at run
    time, ``f"CIPS_SPACY_{lang}"``, is found as its prefix)."""
    files = [*(ROOT / "cips").rglob("*.py"), *(ROOT / "analysis").rglob("*.py"), *(ROOT / "deploy").rglob("*"),
             ROOT / "Makefile"]  # fmt: skip
    found = {name for path in files if path.is_file() for name in VARIABLE.findall(path.read_text(encoding="utf-8"))}
    declared = _declared()
    undeclared = {n for n in found - NOT_VARIABLES if n not in declared and not any(d.startswith(n) for d in declared)}
    assert undeclared == set()


def test_settings_declare_every_config_key_the_app_reads(tmp_path) -> None:
    """Every ``config["KEY"]`` or ``config.get("KEY")`` in cips/ is set by Config (or is Flask's own), so
    that no reader keeps a default of its own."""
    read = re.compile(r"config(?:\[|\.get\()\s*[\"']([A-Z0-9_]+)[\"']")
    keys = {k for path in (ROOT / "cips").rglob("*.py") for k in read.findall(path.read_text(encoding="utf-8"))}
    known = set(Config(tmp_path).as_dict()) | set(Flask.default_config)
    assert keys - known == set()


def test_settings_json_sort_keys_is_gone(tmp_path) -> None:
    # A no-op since Flask 2.3 (the JSON provider's sort_keys is what counts).
    assert "JSON_SORT_KEYS" not in Config(tmp_path).as_dict()


MALFORMED = [
    ("CIPS_MAX_SUBMISSION_BYTES", "1MB"),
    ("CIPS_QUARANTINE_BYTES_PER_HOUR", "-1"),
    ("CIPS_TRUSTED_PROXIES", "yes"),
    ("CIPS_SECURE_COOKIES", "true"),
    ("CIPS_REQUIRE_2FA", "on"),
    ("CIPS_SESSION_IDLE_MINUTES", "0"),
    ("CIPS_SESSION_MAX_HOURS", "twelve"),
    ("CIPS_LOGIN_RATE_LIMIT", "ten a minute"),
    ("CIPS_TOTP_ACCOUNT_RATE_LIMIT", "5/fortnight"),
    ("CIPS_BASE_URL", "survey.example.org"),
    ("CIPS_EMBEDDINGS", "bert"),
    ("CIPS_WEB_WORKERS", "0"),
]


@pytest.mark.parametrize(("variable", "value"), MALFORMED)
def test_settings_malformed_value_is_refused_at_start(monkeypatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=rf"^{variable} .*\(got {re.escape(repr(value))}\)$"):
        create_app()


@pytest.mark.parametrize(("variable", "value"), MALFORMED[:4])
def test_settings_malformed_value_is_refused_by_the_cli(variable: str, value: str) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["campaign", "list"], env={variable: value})
    assert result.exit_code != 0
    assert f"Error: {variable} " in result.output and repr(value) in result.output, result.output
    assert "Traceback" not in result.output


def test_settings_secret_values_are_not_echoed(monkeypatch) -> None:
    monkeypatch.setenv("CIPS_COUNTER_STORE_URL", "pass word@host")
    with pytest.raises(ConfigError, match=r"^CIPS_COUNTER_STORE_URL is not a database URL") as refused:
        create_app()
    assert "pass word" not in str(refused.value)


def test_settings_gunicorn_reads_them_too(monkeypatch) -> None:
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    monkeypatch.setenv("CIPS_WEB_THREADS", "4")
    assert runpy.run_path(str(conf))["threads"] == 4
    monkeypatch.setenv("CIPS_WEB_WORKERS", "two")
    with pytest.raises(ConfigError, match=r"^CIPS_WEB_WORKERS must be a whole number"):
        runpy.run_path(str(conf))


def test_settings_defaults_apply_when_unset_or_empty(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CIPS_SESSION_IDLE_MINUTES", "")
    monkeypatch.delenv("CIPS_REQUIRE_2FA", raising=False)
    config = Config(tmp_path)
    assert setting("CIPS_SESSION_IDLE_MINUTES").default == config.SESSION_IDLE_MINUTES
    assert config.REQUIRE_2FA is False
    monkeypatch.setenv("CIPS_REQUIRE_2FA", "1")
    assert Config(tmp_path).REQUIRE_2FA is True


def _readme_table() -> dict[str, str]:
    """README's configuration table: each variable named in a row's first cell, with that row's default."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("| `CIPS_"):
            names, default = (cell.strip() for cell in line.split("|")[1:3])
            rows.update(dict.fromkeys(re.findall(r"`(CIPS_[A-Z0-9_]+)`", names), default))
    return rows


def _as_written(default: object) -> str:
    if isinstance(default, bool):
        return "1" if default else "0"
    return str(default)


def test_settings_readme_table_is_the_same_list() -> None:
    rows = _readme_table()
    assert set(rows) == _declared()
    for s in SETTINGS:
        if s.default is None:
            continue
        written = _as_written(s.default)
        expected = "empty" if written == "" else f"`{written}`"
        assert rows[s.variable].startswith(expected), (s.variable, rows[s.variable], expected)
