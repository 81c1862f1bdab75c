"""``cips briefing`` and the upload service the manager UI calls."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import docx
import pytest

from cips.services.briefings import BriefingError, briefing_from_upload, download_name

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")

DATA = Path(__file__).resolve().parent / "data"
CSV = DATA / "contributions.csv"
QUESTIONS = DATA / "questions.yaml"


def test_cli_briefing_writes_docx_with_question_headings(runner, tmp_path) -> None:
    out = tmp_path / "briefing.docx"
    result = runner.invoke(args=["briefing", "--input", str(CSV), "--questions", str(QUESTIONS), "--lang", "fr",
                                 "--title", "Synthèse", "--meeting", "Réunion", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = docx.Document(io.BytesIO(out.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[1:] == ["Qu'est-ce que le programme SPID a apporté à votre administration ?",
                            "Comment l'OMD devrait-elle accompagner ses Membres en matière d'intégrité ?",
                            "Où les douanes pourraient-elles en apprendre davantage sur l'intégrité ?",
                            "Comment les douanes peuvent-elles associer les parties prenantes (secteur privé, société "
                            "civile) ?", "Autres commentaires ?"]  # fmt: skip
    assert document.paragraphs[0].text == "Synthèse"


def test_cli_briefing_markdown_links_the_svg_written_beside_it(runner, tmp_path) -> None:
    out = tmp_path / "b.md"
    result = runner.invoke(args=["briefing", "--input", str(CSV), "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    assert "![Key messages](b-key-messages.svg)" in md
    assert (tmp_path / "b-key-messages.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert md.startswith("# ") and "\n## Question 1\n" in md  # no questions file: "q1" is a code, not a text


def test_cli_briefing_bad_file_names_file_and_line_and_fails(runner, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("question,reply\nq1,hello\n", encoding="utf-8")
    result = runner.invoke(args=["briefing", "--input", str(bad), "--out", str(tmp_path / "b.docx")])
    assert result.exit_code != 0
    assert f"{bad}:1: missing column 'answer'" in result.output
    assert not (tmp_path / "b.docx").exists()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("question,answer\nq1,Réponse\n".encode("latin-1"))
    result = runner.invoke(args=["briefing", "--input", str(latin), "--out", str(tmp_path / "b.docx")])
    assert result.exit_code != 0 and f"{latin}:2: not UTF-8 text" in result.output
    result = runner.invoke(args=["briefing", "--input", str(CSV), "--out", str(tmp_path / "b.pdf")])
    assert result.exit_code != 0 and ".docx or .md" in result.output
    result = runner.invoke(args=["briefing", "--input", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "b.md")])
    assert result.exit_code != 0 and "missing.csv: cannot read" in result.output


def test_cli_briefing_service_returns_document_mimetype_and_name() -> None:
    body, mimetype, name = briefing_from_upload("contributions.csv", CSV.read_bytes(), lang="es", title="Síntesis 2026",
                                                fmt="md", questions_yaml=QUESTIONS.read_bytes())  # fmt: skip
    assert mimetype.startswith("text/markdown") and name == "sintesis-2026.md"
    assert body.decode("utf-8").startswith("# Síntesis 2026\n")
    with pytest.raises(BriefingError, match=r"^up\.jsonl:1: invalid JSON"):
        briefing_from_upload("up.jsonl", b"{nope\n", lang="fr", title=None, fmt="docx")
    with pytest.raises(BriefingError, match="unknown format"):
        briefing_from_upload("up.csv", b"question,answer\nq,a\n", lang="fr", title=None, fmt="pdf")
    assert download_name(None, "docx") == "briefing.docx"


@pytest.mark.parametrize("suffix", ["docx", "md"])
def test_cli_briefing_word_line_breaks_and_control_characters_are_written(runner, tmp_path, suffix) -> None:
    pasted = tmp_path / "vt.csv"
    pasted.write_bytes(b'question,answer\nq1,"More training\x0bfor officers on ethics.\x07"\n')
    out = tmp_path / f"vt.{suffix}"
    result = runner.invoke(args=["briefing", "--input", str(pasted), "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    if suffix == "docx":
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    else:
        text = out.read_text(encoding="utf-8")
    assert "More training" in text and "\x0b" not in text and "\x07" not in text


@pytest.mark.parametrize("suffix", ["docx", "md"])
def test_cli_briefing_missing_output_folder_fails_early_with_one_line(runner, tmp_path, suffix, monkeypatch) -> None:
    import cips.services.briefings as service

    def no_work(*args, **kwargs):
        raise AssertionError("the briefing was built before the output folder was checked")

    monkeypatch.setattr(service, "load_briefing", no_work)
    out = tmp_path / "nonexistent" / "dir" / f"o.{suffix}"
    result = runner.invoke(args=["briefing", "--input", str(CSV), "--out", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.strip() == f"Error: {out}: cannot write: folder {out.parent} does not exist"


def test_cli_briefing_write_error_is_one_line_naming_the_file(runner, tmp_path) -> None:
    svg = tmp_path / "b-key-messages.svg"
    svg.mkdir()  # a folder where the graphic beside b.md should go: the write itself fails
    result = runner.invoke(args=["briefing", "--input", str(CSV), "--lang", "en", "--out", str(tmp_path / "b.md")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.strip().startswith(f"Error: {svg}: cannot write: ") and "Traceback" not in result.output


def test_cli_briefing_limits_and_hostile_files_name_the_file(runner, tmp_path) -> None:
    from analysis.briefing.limits import MAX_UPLOAD_BYTES
    from tests.analysis.test_briefing_inputs import _alias_bomb

    big = tmp_path / "big.csv"
    big.write_bytes(b"question,answer\n" + b"q1,More training of officers on ethics.\n" * (MAX_UPLOAD_BYTES // 40 + 10))
    result = runner.invoke(args=["briefing", "--input", str(big), "--out", str(tmp_path / "b.md")])
    assert result.exit_code != 0 and f"{big}: file too large" in result.output and "at most 1,024 kB" in result.output
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(_alias_bomb())
    result = runner.invoke(args=["briefing", "--input", str(CSV), "--questions", str(bomb), "--out",
                                 str(tmp_path / "b.md")])  # fmt: skip
    assert result.exit_code != 0 and f"{bomb}:2: invalid YAML (aliases (*name) are not accepted" in result.output
    deep = tmp_path / "deep.jsonl"
    deep.write_bytes(b'{"question": "q1", "answer": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n")
    result = runner.invoke(args=["briefing", "--input", str(deep), "--out", str(tmp_path / "b.md")])
    assert result.exit_code != 0 and f"{deep}:1: invalid JSON (nested too deeply)" in result.output


def test_cli_briefing_shows_a_progress_bar_while_embedding_every_question(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path / "cache"))  # an empty cache: every answer is embedded
    result = runner.invoke(args=["briefing", "--input", str(CSV), "--questions", str(QUESTIONS), "--lang", "en",
                                 "--out", str(tmp_path / "b.md")])  # fmt: skip
    assert result.exit_code == 0, result.output
    bar = result.stderr.replace("\r", "\n").splitlines()
    finished = [line for line in bar if line.startswith("embedding answers: 100%")]
    assert finished, result.stderr
    done, total = re.search(r"\| (\d+)/(\d+) ", finished[-1]).groups()  # one bar over all five questions
    answers = {row["answer"] for row in csv.DictReader(CSV.open(encoding="utf-8"))}
    assert int(done) == int(total) >= len(answers)
    assert "embedding" not in result.stdout
