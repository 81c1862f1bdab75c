"""Fixtures for the analysis library (no Flask app needed)."""

from __future__ import annotations

import pytest

from analysis.default_model import CORPUS_PATH
from analysis.evaluate import load_examples


@pytest.fixture(scope="session")
def corpus():
    return load_examples(CORPUS_PATH)


@pytest.fixture(scope="session")
def default_model():
    from analysis import load_default_classifier

    return load_default_classifier()
