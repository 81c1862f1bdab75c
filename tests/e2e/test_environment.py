"""The e2e tests can run here: playwright importable, system Chromium present (CI: required)."""

from __future__ import annotations

from tests.e2e.conftest import _unavailable, missing_requirement


def test_e2e_environment_is_complete() -> None:
    reason = missing_requirement()
    if reason:
        _unavailable(reason)
