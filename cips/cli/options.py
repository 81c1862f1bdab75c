"""Options several commands share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from analysis.factors import CORE_LANGUAGES  # light import: the commands' --help must stay quick


def language_option(help: str, default: str = "en") -> Callable[[Any], Any]:
    """``--lang``: one of the four languages reports, exports and briefings speak."""
    return click.option("--lang", type=click.Choice(CORE_LANGUAGES), default=default, show_default=True, help=help)
