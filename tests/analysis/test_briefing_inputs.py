"""Briefing input files: control characters pasted from Word, UTF-16 without a byte-order mark, and bad input
(missing columns, encodings, bad values, invalid JSON or YAML) refused with the file, line and field."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import docx
import pytest

from analysis.briefing import (
    BriefingInputError,
    Contribution,
    build_briefing,
    read_contributions,
    read_questions,
    render_docx,
    render_markdown,
)
from tests.analysis.briefing_helpers import QUESTIONS

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")

PASTED = 'question,answer\nq1,"More training\x0bfor officers on ethics."\nq1,"Rotation\x0c of staff\x07\x00."\n'


def test_briefing_inputs_control_characters_become_line_breaks_or_are_removed() -> None:
    from analysis.briefing.inputs import clean_text

    rows = read_contributions(PASTED.encode("utf-8"), "vt.csv")
    assert [r.answer for r in rows] == ["More training\nfor officers on ethics.", "Rotation\n of staff."]
    assert clean_text("a\u2028b\u2029c\r\nd\re\tf\x1bg\x7fh\ufffe") == "a\nb\nc\nd\ne\tfgh"
    jsonl = b'{"question": "q1", "answer": "Plus de formation\\u000bdes agents", "contributor": "A\\u0001B"}\n'
    [row] = read_contributions(jsonl, "vt.jsonl")
    assert (row.answer, row.contributor) == ("Plus de formation\ndes agents", "AB")


def test_briefing_inputs_pasted_control_characters_render_in_docx_and_markdown(default_model) -> None:
    rows = read_contributions(PASTED.encode("utf-8"), "vt.csv")
    b = build_briefing(rows, lang="en", classifier=default_model, title="Brief\x0bing\x01")
    document = docx.Document(io.BytesIO(render_docx(b)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "More training" in text and "Rotation" in text
    md = render_markdown(b)
    assert "More training" in md and not any(ch in md for ch in "\x0b\x0c\x07\x00\x01")


def test_briefing_inputs_docx_never_receives_xml_invalid_characters(default_model) -> None:
    b = build_briefing([{"question": "q1\x02", "answer": "Training of staff\x0b on ethics\x1f."}], lang="fr",
                       classifier=default_model, title="Synthèse\x0b2026", meeting="Réunion\x00")  # fmt: skip
    assert (b.title, b.meeting, b.questions[0].heading) == ("Synthèse\n2026", "Réunion", "Question 1")
    # A briefing that did not go through the reader or build_briefing: the renderer cleans again.
    raw = replace(b, title="Synthèse\x0b2026", context=b.context + "\x0c", meeting="Réunion\x00")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(raw))).paragraphs]
    assert paragraphs[0] == "Synthèse\n2026" and paragraphs[1] == "Réunion" and paragraphs[2] == b.context + "\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_briefing_inputs_ascii_utf16_without_bom_gets_the_utf16_hint(codec) -> None:
    data = "question,answer\nq1,More training for officers\n".encode(codec)
    data.decode("utf-8")  # valid UTF-8: only the NUL bytes give it away
    with pytest.raises(BriefingInputError, match=r"^c\.csv:1: not UTF-8 text \(it looks like UTF-16 without a "
                                                 r"byte-order mark\).*--encoding utf-16-le"):  # fmt: skip
        read_contributions(data, "c.csv")
    assert read_contributions(data, "c.csv", encoding=codec)[0].answer == "More training for officers"


def test_briefing_inputs_a_stray_nul_in_utf8_is_removed_not_refused() -> None:
    [row] = read_contributions(b"question,answer\nq1,Plus de formation\x00 des agents sur l'integrite\n", "c.csv")
    assert row.answer == "Plus de formation des agents sur l'integrite"


def _alias_bomb() -> bytes:
    """The "billion laughs": nine levels of nine aliases, 9**9 strings once expanded, in a few hundred bytes."""
    text, previous = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
    for anchor in "bcdefghi":
        text += f"{anchor}: &{anchor} [{', '.join(['*' + previous] * 9)}]\n"
        previous = anchor
    return (text + "questions:\n- id: q1\n  text: {en: *i, fr: *i, es: *i, pt: *i}\n").encode()


def test_briefing_inputs_yaml_alias_bomb_is_refused_at_its_first_alias() -> None:
    from analysis.briefing import read_questions

    bomb = _alias_bomb()
    assert len(bomb) < 600
    with pytest.raises(BriefingInputError, match=r"^bomb\.yaml:2: invalid YAML \(aliases \(\*name\) are not accepted"):
        read_questions(bomb, "bomb.yaml")
    # One alias is refused too: the format never needs them. Anchors alone are harmless.
    with pytest.raises(BriefingInputError, match=r"bomb\.yaml:3: invalid YAML \(aliases"):
        read_questions(b'questions:\n- {id: q1, text: &t "Why"}\n- {id: q2, text: *t}\n', "bomb.yaml")
    [q] = read_questions(b'questions:\n- {id: q1, text: &t "Why"}\n', "ok.yaml")
    assert q.text == {"en": "Why"}


def test_briefing_inputs_yaml_nested_too_deeply_is_a_located_error() -> None:
    from analysis.briefing import read_questions

    with pytest.raises(BriefingInputError, match=r"^deep\.yaml: invalid YAML \(nested too deeply\)"):
        read_questions(b"questions: " + b"[" * 20_000 + b"]" * 20_000, "deep.yaml")


def test_briefing_inputs_deeply_nested_json_line_is_a_located_error() -> None:
    deep = b'{"question": "q1", "answer": "ok"}\n{"question": "q1", "answer": ' + b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(BriefingInputError, match=r"^deep\.jsonl:2: invalid JSON \(nested too deeply\)"):
        read_contributions(deep + b"}\n", "deep.jsonl")
    nested = b'{"question": {"id": ["q1"]}, "answer": "Training."}\n'
    with pytest.raises(BriefingInputError, match=r"^n\.jsonl:1: field 'question': expected text, got dict"):
        read_contributions(nested, "n.jsonl")


def test_briefing_inputs_answers_questions_and_answer_length_are_limited() -> None:
    from analysis.briefing.limits import MAX_ANSWER_CHARS, MAX_CONTRIBUTIONS, MAX_QUESTIONS

    rows = "".join(f"q{k % 5},Training of officers number {k}.\n" for k in range(MAX_CONTRIBUTIONS))
    assert len(read_contributions(f"question,answer\n{rows}".encode(), "ok.csv")) == MAX_CONTRIBUTIONS
    too_many = f"question,answer\n{rows}q1,One more.\n".encode()
    with pytest.raises(BriefingInputError, match=rf"^big\.csv:{MAX_CONTRIBUTIONS + 2}: more than 2,000 answers"):
        read_contributions(too_many, "big.csv")
    questions = "".join(f"question {k},An answer.\n" for k in range(MAX_QUESTIONS + 1))
    with pytest.raises(BriefingInputError, match=rf"^q\.csv:{MAX_QUESTIONS + 2}: field 'question': more than 50"):
        read_contributions(f"question,answer\n{questions}".encode(), "q.csv")
    long = "x" * (MAX_ANSWER_CHARS + 1)
    with pytest.raises(BriefingInputError, match=r"^long\.jsonl:1: field 'answer': 20,001 characters \(at most"):
        read_contributions(f'{{"question": "q1", "answer": "{long}"}}\n'.encode(), "long.jsonl")


def test_briefing_inputs_values_python_cannot_build_are_located_errors() -> None:
    """An impossible date or an integer of thousands of digits was a bare ValueError (a CLI traceback)."""
    from analysis.briefing import read_questions

    with pytest.raises(BriefingInputError, match=r"^q\.yaml:3: invalid YAML \(.*month must be in 1\.\.12"):
        read_questions(b"questions:\n  - text: {en: Why}\n    id: 2026-13-01\n", "q.yaml")
    with pytest.raises(BriefingInputError, match=r"^q\.yaml:2: invalid YAML \(.*4300 digits"):
        read_questions(b"questions:\n  - id: " + b"9" * 5000 + b"\n    text: {en: Why}\n", "q.yaml")
    line = b'{"question": "q1", "answer": "ok", "contributor": ' + b"9" * 5000 + b"}\n"
    with pytest.raises(BriefingInputError, match=r"^big\.jsonl:2: invalid JSON \(.*4300 digits"):
        read_contributions(b'{"question": "q1", "answer": "ok"}\n' + line, "big.jsonl")


# -- bad input -------------------------------------------------------------------------------------------------------
def test_briefing_input_missing_column_names_file_and_line() -> None:
    with pytest.raises(BriefingInputError, match=r"^c\.csv:1: missing column 'answer'"):
        read_contributions(b"question,text\nq1,hello\n", "c.csv")


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'question,answer\nq1,fine\nq1,"never closed\nq1,third\nq1,fourth\n', 3),  # would swallow the rest
        (b'question,answer\nq1,"quoted"then more\n', 2),
    ],
)
def test_briefing_input_a_quote_left_open_is_refused_at_the_line_it_opens(data: bytes, line: int) -> None:
    with pytest.raises(BriefingInputError, match=rf"^c\.csv:{line}: malformed CSV .*quote left open"):
        read_contributions(data, "c.csv")


def test_briefing_input_doubled_quotes_inside_a_quoted_answer_are_kept() -> None:
    rows = read_contributions(b'question,answer\nq1,"The ""code"" is\nfine"\n', "c.csv")
    assert [r.answer for r in rows] == ['The "code" is\nfine']


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_briefing_input_empty_file(data) -> None:
    with pytest.raises(BriefingInputError, match=r"^c\.csv: the file is empty"):
        read_contributions(data, "c.csv")


def test_briefing_input_header_only_has_no_answers() -> None:
    with pytest.raises(BriefingInputError, match=r"c\.csv: no answers"):
        read_contributions(b"question,answer\nq1,\n", "c.csv")


def test_briefing_input_utf16_without_bom_is_refused_with_a_hint() -> None:
    data = "question,answer\nq1,Formação\n".encode("utf-16-le")
    with pytest.raises(BriefingInputError, match=r"c\.csv:2: not UTF-8 text \(it looks like UTF-16"):
        read_contributions(data, "c.csv")


def test_briefing_input_latin1_is_refused_at_its_line_or_decoded_when_named() -> None:
    data = "question,answer\nq1,ok\nq1,Plus de formation des agents à l'éthique\n".encode("cp1252")
    with pytest.raises(BriefingInputError, match=r"c\.csv:3: not UTF-8 text .*--encoding cp1252"):
        read_contributions(data, "c.csv")
    assert read_contributions(data, "c.csv", encoding="cp1252")[1].answer == "Plus de formation des agents à l'éthique"


def test_briefing_input_utf16_with_bom_semicolons_and_multiline_answers() -> None:
    text = 'question;answer;attributable\nq1;"- formation\n- rotation";oui\nq2;Fin;non\n'
    rows = read_contributions(text.encode("utf-16"), "c.csv")
    assert [(r.question, r.answer, r.attributable, r.line) for r in rows] == [
        ("q1", "- formation\n- rotation", True, 2), ("q2", "Fin", False, 4)]  # fmt: skip


def test_briefing_input_bad_values_name_line_and_field() -> None:
    with pytest.raises(BriefingInputError, match=r"c\.csv:3: field 'attributable': 'maybe'"):
        read_contributions(b"question,answer,attributable\nq1,a,yes\nq1,b,maybe\n", "c.csv")
    with pytest.raises(BriefingInputError, match=r"c\.csv:2: field 'question': empty"):
        read_contributions(b"question,answer\n,an answer\n", "c.csv")
    with pytest.raises(BriefingInputError, match=r"c\.tsv: unknown format|c\.xlsx: unknown format"):
        read_contributions(b"question,answer\nq,a\n", "c.xlsx")


def test_briefing_input_jsonl_bad_line_and_missing_field() -> None:
    good = json.dumps({"question": "q1", "answer": "Formation", "lang": "fr"})
    assert read_contributions(f"{good}\n\n{good}\n".encode(), "c.jsonl")[1].line == 3
    with pytest.raises(BriefingInputError, match=r"^c\.jsonl:2: invalid JSON"):
        read_contributions(f"{good}\n{{oops\n".encode(), "c.jsonl")
    with pytest.raises(BriefingInputError, match=r"^c\.jsonl:1: missing field 'answer'"):
        read_contributions(b'{"question": "q1"}\n', "c.jsonl")
    with pytest.raises(BriefingInputError, match=r"^c\.jsonl:1: expected a JSON object"):
        read_contributions(b'["q1", "a"]\n', "c.jsonl")


def test_briefing_input_unknown_question_and_bad_yaml(default_model) -> None:
    questions = read_questions(QUESTIONS)
    with pytest.raises(BriefingInputError, match=r"c\.csv:7: field 'question': 'q9' is not in the questions file"):
        build_briefing([Contribution("q9", "x", line=7)], questions=questions, classifier=default_model,
                       source_name="c.csv")  # fmt: skip
    with pytest.raises(BriefingInputError, match=r"^q\.yaml:4: invalid YAML"):
        read_questions(b"questions:\n  - id: q1\n    text: {en: [unclosed\n", "q.yaml")
    with pytest.raises(BriefingInputError, match=r"q\.yaml: question 2: field 'id': 'q1' appears twice"):
        read_questions(b"questions:\n  - id: q1\n  - id: q1\n", "q.yaml")
    # a question may be given by its text in any language
    b = build_briefing([Contribution("Autres commentaires ?", "Merci au Secrétariat.", lang="fr")],
                       questions=questions, classifier=default_model)  # fmt: skip
    assert [q.n_contributions for q in b.questions] == [0, 0, 0, 0, 1]
