"""``cips instruments``: check and load questionnaires from ``forms/*.yaml``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cips.extensions import db
from cips.instruments import load_files
from cips.instruments.service import InstrumentConflict, store_definition
from cips.services import audit


def _paths(files: tuple[str, ...]) -> list[Path]:
    if files:
        return [Path(f) for f in files]
    found = sorted(Path(current_app.config["FORMS_DIR"]).glob("*.yaml"))
    if not found:
        raise click.ClickException(f"no questionnaire files in {current_app.config['FORMS_DIR']}")
    return found


def _check(files: tuple[str, ...]) -> list:
    results = load_files(_paths(files))
    problems = [p for r in results for p in r.problems]
    for problem in problems:
        click.echo(str(problem), err=True)
    for res in results:
        if res.ok:
            inst = res.instrument
            click.echo(f"{res.path}: OK ({inst.key} v{inst.version}, {len(inst.items())} items)")
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {sum(1 for r in results if r.problems)} file(s)")
    return results


@click.group("instruments")
def instruments_group() -> None:
    """Questionnaires (forms/*.yaml)."""


@instruments_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@with_appcontext
def check(files: tuple[str, ...]) -> None:
    """Validate FILES (default: every forms/*.yaml); list every problem found."""
    _check(files)


@instruments_group.command("load")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@with_appcontext
def load(files: tuple[str, ...]) -> None:
    """Validate and store FILES as instrument versions (unchanged versions are skipped)."""
    results = _check(files)
    session = db.session
    try:
        for res in results:
            outcome = store_definition(session, res.instrument)
            if outcome.created:
                audit.record(session, "cli", "instrument.load", f"{outcome.key}:{outcome.version}")
            state = "loaded" if outcome.created else "already loaded"
            click.echo(f"{outcome.key} v{outcome.version}: {state}")
        session.commit()
    except InstrumentConflict as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
