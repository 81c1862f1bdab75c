"""``cips instruments``: check and load questionnaires from ``forms/*.yaml``."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select

from cips.extensions import db
from cips.instruments import load_file, load_files
from cips.instruments.service import InstrumentConflict, definition_of, store_definition
from cips.instruments.xlsform import XLSFormError, read_xlsform, write_xlsform
from cips.models import Instrument
from cips.services import audit


def _paths(files: tuple[str, ...]) -> list[Path]:
    if files:
        return [Path(f) for f in files]
    # forms/archive/ keeps earlier versions: tablets in the field still submit them.
    forms = Path(current_app.config["FORMS_DIR"])
    found = sorted(forms.glob("*.yaml")) + sorted((forms / "archive").glob("*.yaml"))
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
    """Validate FILES (default: every forms/*.yaml and forms/archive/*.yaml); list every problem found."""
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


@instruments_group.command("import-xlsform")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--out", type=click.Path(dir_okay=False), help="YAML file to write (default: FILE with .yaml)")
def import_xlsform(file: str, out: str | None) -> None:
    """Turn an XLSForm (.xlsx) into a questionnaire YAML, checked like `instruments check`."""
    imported = _read_xlsform(file)
    for note in imported.notes:
        click.echo(f"note: {note}", err=True)
    for problem in imported.problems:
        click.echo(problem, err=True)
    if imported.problems:
        raise click.ClickException(f"{len(imported.problems)} problem(s) in {file}: nothing written")
    target = Path(out) if out else Path(file).with_suffix(".yaml")
    target.write_text(yaml.safe_dump(imported.data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    result = load_file(target)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        raise click.ClickException(f"{len(result.problems)} problem(s) in {target} (written so that you can fix them)")
    inst = result.instrument
    click.echo(f"{target}: OK ({inst.key} v{inst.version}, {len(inst.items())} items); load it with "
               f"`cips instruments load {target}`")  # fmt: skip


def _read_xlsform(file: str):
    try:
        return read_xlsform(file)
    except XLSFormError as exc:
        raise click.ClickException(str(exc)) from exc


@instruments_group.command("export-xlsform")
@click.argument("key")
@click.option("--version", "version", type=int, help="version to export (default: the newest loaded)")
@click.option("--out", type=click.Path(dir_okay=False), help="file to write (default: KEY-vN.xlsx)")
@with_appcontext
def export_xlsform(key: str, version: int | None, out: str | None) -> None:
    """Write a loaded questionnaire as an XLSForm (survey, choices and settings sheets)."""
    query = select(Instrument).where(Instrument.key == key)
    if version is not None:
        query = query.where(Instrument.version == version)
    row = db.session.exec(query.order_by(Instrument.version.desc())).first()
    if row is None:
        raise click.ClickException(f"no loaded questionnaire {key}" + (f" version {version}" if version else ""))
    target = Path(out or f"{key}-v{row.version}.xlsx")
    write_xlsform(definition_of(row), target)
    click.echo(f"{target}: {key} v{row.version}")
