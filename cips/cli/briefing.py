"""``cips briefing``: an Ethics Sub-Committee briefing (DOCX or Markdown) from a contributions file."""

from __future__ import annotations

from pathlib import Path

import click

from analysis.files import write_private
from cips.cli.errors import check_output_path, writing
from cips.cli.options import language_option


def _write(path: Path, data: bytes | str) -> None:
    with writing(path):
        write_private(path, data)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror}") from exc


@click.command("briefing")
@click.option(
    "--input",
    "input_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="contributions .csv or .jsonl: question, answer [, contributor, lang, attributable]",
)
@click.option(
    "--questions",
    "questions_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="questions .yaml (id, text per language, in briefing order)",
)
@language_option("Language of the briefing.", default="fr")
@click.option("--title", help="document title (default: a generic title in the briefing language)")
@click.option("--meeting", help='the meeting, shown under the title (e.g. "23rd Integrity Sub-Committee")')
@click.option("--encoding", help="encoding of a contributions file that is not UTF-8 (e.g. cp1252)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="briefing.docx or .md")
def briefing_command(input_path: Path, questions_path: Path | None, lang: str, title: str | None,
                     meeting: str | None, encoding: str | None, out: Path) -> None:  # fmt: skip
    """Write a briefing: question by question, themes by support, synthesis sentences and verbatim quotes.

    With --out NAME.md the key-messages graphic is written beside it as NAME-key-messages.svg.
    The classifier and the themes read sentence vectors (multilingual-e5-small): contributions not yet
    in the embeddings cache are embedded here, in this process (some tens a second on a small server).
    """
    from analysis.briefing.chart import key_messages_svg
    from analysis.briefing.render_docx import render_docx
    from analysis.briefing.render_md import render_markdown
    from cips.services.briefings import BriefingError, load_briefing

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("docx", "md"):
        raise click.BadParameter("the output file must end in .docx or .md", param_hint="--out")
    check_output_path(out)  # before the minutes of work, not after
    questions = _read(questions_path) if questions_path else None
    try:
        briefing = load_briefing(str(input_path), _read(input_path), lang=lang, title=title, questions_yaml=questions,
                                 meeting=meeting, encoding=encoding,
                                 questions_filename=str(questions_path), progress=True)  # fmt: skip
    except BriefingError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "docx":
        _write(out, render_docx(briefing))
    else:
        graphic = None
        if briefing.key_messages:  # Markdown cannot hold the image: it goes beside the file, linked
            svg = out.with_name(f"{out.stem}-key-messages.svg")
            _write(svg, key_messages_svg(briefing))
            graphic = svg.name
        _write(out, render_markdown(briefing, graphic=graphic))
    click.echo(f"briefing written to {out}")
