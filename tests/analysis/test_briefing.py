"""The Ethics Sub-Committee briefing: structure, verbatim quotes, ordering, languages, no-comment answers.

Its documents (Word, Markdown, graphic) are tested in test_briefing_documents.py, bad input files in
test_briefing_inputs.py; the ``contributions``, ``questions`` and ``briefing`` fixtures are in conftest.py.
"""

from __future__ import annotations

import io
import json
import re

import docx
import pytest

from analysis.briefing import Contribution, build_briefing, i18n, labels, render_docx, render_markdown
from analysis.briefing.render_md import md_text
from analysis.features import load_codebook
from tests.analysis.briefing_helpers import DATA, all_themes

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")


def test_briefing_demo_data_is_large_multilingual_and_not_the_training_corpus(contributions) -> None:
    assert len(contributions) >= 60
    assert {c.lang for c in contributions if c.lang} == {"en", "fr", "es", "pt"}
    assert len({c.question for c in contributions}) in (4, 5)
    corpus = {json.loads(line)["text"].strip() for path in (DATA.parent.parent / "analysis" / "data").glob("*.jsonl")
              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}  # fmt: skip
    assert not [c.answer for c in contributions if c.answer.strip() in corpus and len(c.answer.split()) >= 5]


def test_briefing_every_quote_is_a_verbatim_substring_of_an_answer_to_its_question(briefing, contributions,
                                                                                  questions) -> None:  # fmt: skip
    by_question: dict[str, list[str]] = {}
    for c in contributions:
        by_question.setdefault(c.question, []).append(c.answer)
    n = 0
    for q, theme in all_themes(briefing):
        for quote in theme.quotes:
            assert quote.text.strip() == quote.text and quote.text
            assert any(quote.text in answer for answer in by_question[q.id]), quote.text
            n += 1
    assert n >= 40


def test_briefing_themes_ordered_by_support_with_two_to_six_quotes(briefing) -> None:
    for q in briefing.questions:
        supports = [t.support for t in q.themes]
        assert supports == sorted(supports, reverse=True), q.id
        for theme in q.themes:
            assert 1 <= theme.support <= q.n_contributions
            assert len(theme.quotes) <= 6
            assert len(theme.quotes) >= min(2, theme.n_points if theme.support > 1 else 1)
            assert len({quote.text for quote in theme.quotes}) == len(theme.quotes)


def test_briefing_sentences_are_templates_with_the_theme_count(briefing) -> None:
    for q in briefing.questions:
        for theme in q.themes:
            if theme.support == 1:
                assert theme.sentence.startswith("Une contribution ")
            else:
                pattern = rf"(Plusieurs|De nombreuses) contributions \({theme.support}( sur {q.n_contributions})?\)"
                assert re.match(pattern, theme.sentence), theme.sentence
            assert theme.factors and theme.factor_names


def test_briefing_each_question_of_the_input_has_a_section(briefing, contributions, questions) -> None:
    assert [q.id for q in briefing.questions] == [q.id for q in questions]
    present = {c.question for c in contributions}
    for section in briefing.questions:
        if section.id in present:
            assert section.themes or section.other or section.n_no_comment
            assert section.heading == next(q for q in questions if q.id == section.id).text["fr"]


def test_briefing_without_questions_file_uses_question_texts_in_order(default_model) -> None:
    items = [Contribution("Where to learn?", "From other administrations through study visits.", lang="en"),
             Contribution("How to engage traders?", "Regular consultation forums with brokers.", lang="en"),
             Contribution("Where to learn?", "Dans les écoles de douane, formation initiale.", lang="fr")]  # fmt: skip
    b = build_briefing(items, lang="en", classifier=default_model)
    assert [q.heading for q in b.questions] == ["Where to learn?", "How to engage traders?"]
    assert [q.n_contributions for q in b.questions] == [2, 1]


@pytest.mark.parametrize(("lang", "first"), [("en", "Question 1"), ("es", "Pregunta 1"), ("pt", "Pergunta 1")])
def test_briefing_questions_given_by_code_are_headed_by_their_number(lang, first, default_model) -> None:
    items = [Contribution("q1", "More training of officers on ethics.", lang="en"),
             Contribution("Q_7", "Rotation of staff at the border.", lang="en"),
             Contribution("How to engage traders?", "Consultation forums with brokers.", lang="en")]  # fmt: skip
    b = build_briefing(items, lang=lang, classifier=default_model)
    assert [q.heading for q in b.questions] == [first, first[:-1] + "2", "How to engage traders?"]
    assert [q.id for q in b.questions] == ["q1", "Q_7", "How to engage traders?"]


def test_briefing_a_question_with_a_single_answer_still_renders(default_model) -> None:
    answer = "Rotation of officers at the border posts every two years."
    b = build_briefing([Contribution("q1", answer, contributor="Norland", lang="en")], lang="fr",
                       classifier=default_model)  # fmt: skip
    [section] = b.questions
    assert section.n_contributions == 1
    quotes = [q for t in section.themes for q in t.quotes] + (section.other.quotes if section.other else [])
    assert [q.text for q in quotes] == [answer]
    md = render_markdown(b)
    assert "## Question 1" in md and md_text(answer) in md and "Norland" not in md
    document = docx.Document(io.BytesIO(render_docx(b)))
    assert answer in "\n".join(p.text for p in document.paragraphs)


def test_briefing_list_answers_are_split_into_points(default_model) -> None:
    answer = "1) more training on ethics for officers; 2) electronic payment of duties; 3) asset declarations"
    b = build_briefing([Contribution("q", answer, lang="en"), Contribution("q", "Training of officers.", lang="en")],
                       lang="en", classifier=default_model, grouping="auto")  # fmt: skip
    quotes = [q.text for t in b.questions[0].themes for q in t.quotes]
    assert answer not in quotes and len(b.questions[0].themes) >= 2
    assert all(q in answer or q == "Training of officers." for q in quotes)


def test_briefing_quotes_in_other_languages_are_marked(briefing) -> None:
    marked = unmarked = 0
    md = render_markdown(briefing)
    for _, theme in all_themes(briefing):
        for quote in theme.quotes:
            if quote.lang and quote.lang != "fr":
                note = f"en {i18n.language_name(quote.lang, 'fr')}"
                assert quote.lang_note == note
                assert md_text(f"{quote.text}\u00a0» ({note})") in md
                marked += 1
            else:
                assert quote.lang_note is None
                unmarked += 1
    assert marked and unmarked


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_briefing_is_written_in_the_requested_language(lang, contributions, questions, default_model) -> None:
    b = build_briefing(contributions[:20], lang=lang, questions=questions, classifier=default_model)
    first = {"en": ("One", "Several", "Many"), "es": ("Una", "Varias", "Numerosas"), "pt": ("Uma", "Várias", "Muitas")}
    assert all(t.sentence.startswith(first[lang]) for q in b.questions for t in q.themes)
    assert b.questions[0].heading == questions[0].text[lang]
    for _, theme in all_themes(b):
        for quote in theme.quotes:
            assert (quote.lang_note is not None) == (bool(quote.lang) and quote.lang != lang)


def test_briefing_topic_grouping_keeps_quotes_verbatim_and_order(contributions, questions, default_model) -> None:
    b = build_briefing(contributions, lang="en", questions=questions, classifier=default_model, grouping="topics")
    assert set(b.grouping.values()) == {"topics"}
    answers = [c.answer for c in contributions]
    for q in b.questions:
        assert [t.support for t in q.themes] == sorted((t.support for t in q.themes), reverse=True)
        assert all(any(quote.text in a for a in answers) for t in q.themes for quote in t.quotes)


def test_briefing_texts_exist_in_every_language_and_concept() -> None:
    keys = set(i18n.TEXT["en"])
    assert all(set(t) == keys for t in i18n.TEXT.values())
    assert set(labels.CONCEPTS) == set(load_codebook().concepts)
    assert labels.short_label("el apoyo y las herramientas de la OMA") == "Apoyo y herramientas de la OMA"


# -- QA regressions: no-comment answers, mixed topic clusters, contributor count --------------------------------------
NO_COMMENT = ["Rien à signaler", "Sans observation", "Nada que señalar", "R.A.S.", "Nothing to add, thank you.",
              "Sem comentários", "N/A"]  # fmt: skip


def test_briefing_no_comment_phrases_are_counted_not_themed_nor_noted(default_model) -> None:
    items = [Contribution("q1", "La formation du personnel à l'éthique doit être renforcée."),
             Contribution("q1", "Il faut plus de formation sur l'intégrité pour les agents.")]  # fmt: skip
    b = build_briefing(
        items + [Contribution("q1", text) for text in NO_COMMENT], lang="fr", classifier=default_model, grouping="auto"
    )  # grouping by meaning quotes them too, under "other points"
    [q] = b.questions
    assert q.n_no_comment == len(NO_COMMENT) and q.other is None
    assert [t.label for t in q.themes] == ["Formation du personnel"]
    assert "anglais" not in b.context and "signalement" not in render_markdown(b)


def test_briefing_short_detected_quotes_get_no_language_note(default_model) -> None:
    b = build_briefing([Contribution("q1", "Formation."), Contribution("q1", "More training for officers on ethics.")],
                       lang="fr", classifier=default_model)  # fmt: skip
    notes = {quote.text: quote.lang_note for _, t in all_themes(b) for quote in t.quotes}
    assert notes == {"Formation.": None, "More training for officers on ethics.": "en anglais"}


def test_briefing_mixed_topic_cluster_sentence_names_its_subjects(contributions, default_model) -> None:
    # 47 answers to one question: BERTopic grouping, with clusters where no subject is shared by a third.
    items = [Contribution("q", c.answer, lang=c.lang) for c in contributions[:47]]
    for lang in ("fr", "en"):
        b = build_briefing(items, lang=lang, classifier=default_model, grouping="auto")
        assert b.grouping == {"q": "topics"}
        themes = b.questions[0].themes
        assert themes and all(not re.search(r"\s\.$", t.sentence) for t in themes), [t.sentence for t in themes]
    by_label = {m.label: m.support for m in b.key_messages}
    mixed = 0
    for t in themes:  # en: a heading that is not every contribution's subject lists the subjects the sentence counts
        parts = re.split(r", | and ", t.label)  # "a, b and other subjects", as the sentence lists them
        first = parts[0]
        if re.search(re.escape(first.lower()) + r" \(\d+\)", t.sentence.lower()):
            mixed += 1
            assert all(part.lower() in t.sentence.lower() for part in parts), (t.label, t.sentence)
            assert by_label.get(first, 0) < t.support  # the key message counts who raised it, not the cluster
    assert mixed


@pytest.mark.parametrize(("lang", "one", "unknown"), [
    ("en", "from one administration", "from partner administrations"),
    ("fr", "d'une administration", "d'administrations partenaires"),
    ("es", "de una administración", "de administraciones asociadas"),
    ("pt", "de uma administração", "de administrações parceiras")])  # fmt: skip
def test_briefing_contributor_count_only_when_all_are_named(lang, one, unknown, default_model) -> None:
    answers = ["Training of officers on ethics.", "Rotation of staff at borders.", "Electronic payment of duties.",
               "Asset declarations for managers.", "A code of conduct signed by all."]  # fmt: skip
    some = [Contribution("q", a, contributor="Norland" if k == 0 else "", lang="en") for k, a in enumerate(answers)]
    b = build_briefing(some, lang=lang, classifier=default_model)
    assert unknown in b.context and " 1 " not in b.context and b.n_contributors is None
    b = build_briefing([Contribution("q", a, contributor="Norland", lang="en") for a in answers], lang=lang,
                       classifier=default_model)  # fmt: skip
    assert one in b.context and b.n_contributors == 1
    b = build_briefing(some[1:2], lang=lang, classifier=default_model)
    assert one in b.context and " 1 " not in b.context


@pytest.mark.parametrize("text", [
    "Nous n'avons pas d'observation particulière à formuler à ce stade.",
    "We have no particular comments at this stage.",
    "No tenemos observaciones adicionales por el momento.", "Não temos comentários a fazer neste momento.",
    "Je n'ai aucune remarque.", "We do not have any further comments to make, thank you."])  # fmt: skip
def test_a_no_comment_said_as_a_sentence_is_no_comment(text: str) -> None:
    from analysis.briefing.no_comment import is_no_comment

    assert is_no_comment(text)


@pytest.mark.parametrize("text", [
    "We have no particular comment at this stage, as the survey results were only delivered recently.",
    "Nous n'avons pas d'observation sur le questionnaire, mais le rapport est arrivé trop tard.",
    "We have no internal affairs unit yet."])  # fmt: skip
def test_a_sentence_that_goes_on_to_say_something_is_an_answer(text: str) -> None:
    from analysis.briefing.no_comment import is_no_comment

    assert not is_no_comment(text)
