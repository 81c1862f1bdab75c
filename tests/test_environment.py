"""CI runs every backend: without PostgreSQL the database tests would silently run on SQLite only."""

from __future__ import annotations

import os

import pytest

from tests.conftest import BACKENDS


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def test_environment_ci_runs_postgresql_too() -> None:
    if not _in_ci():
        pytest.skip("outside CI, PostgreSQL runs only when CIPS_TEST_DATABASE_URL is set")
    assert "postgresql" in BACKENDS, "CI=true but CIPS_TEST_DATABASE_URL is unset: the PostgreSQL half would not run"


def test_environment_uploaded_workbooks_are_parsed_with_defusedxml() -> None:
    """Managers upload XLSX files (review workbooks, XLSForms): openpyxl hardens its XML parsing
    against entity expansion only when defusedxml is installed, silently otherwise."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
