"""The briefing grouped by meaning: theme titles and sentences drawn from the members, one title per theme.

Embedders built by the tests (``_ByGroup``, ``_Fixed``) decide the groups, so that only the titling is under
test; the rest use the ``tfidf`` embedder and the keyword classifier stub (test_briefing_meaning.py).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from analysis.briefing import Contribution, build_briefing, read_contributions, read_questions
from analysis.briefing.model import Briefing
from analysis.embeddings import CachedEmbedder
from tests.analysis.briefing_helpers import DATA, quoted_once_each
from tests.analysis.conftest import StubModel


def test_theme_titles_and_sentences_are_drawn_from_their_members(tfidf: CachedEmbedder) -> None:
    from analysis.briefing import labels
    from analysis.features import analyse

    items = read_contributions(DATA / "contributions.csv")
    b = build_briefing(items, lang="en", questions=read_questions(DATA / "questions.yaml"), classifier=StubModel(),
                       grouping="meaning", embedder=tfidf)  # fmt: skip
    checked = 0
    for section in b.questions:
        for theme in section.themes:
            quotes = [q.text for q in theme.quotes]
            raised = Counter(c for doc in analyse(quotes, [q.lang or "en" for q in theme.quotes])
                             for c in {h.concept for h in doc.hits})  # fmt: skip
            key = theme.key.rstrip("+")
            if key.startswith("factor:"):
                continue
            # The title's concept is raised by at least two of the theme's quoted answers (or its only one).
            assert raised[key] >= min(2, len(quotes)), (theme.label, quotes)
            # Each subject the sentence names is one the quotes raise.
            for concept in theme.concepts:
                phrase = labels.concept_phrase(concept, "en")
                if phrase in theme.sentence:
                    assert raised[concept] >= 1, (phrase, quotes)
            checked += 1
    assert checked >= 3


class _ByGroup:
    """An embedder that puts each text on its group's axis: the test decides the themes, not a model."""

    def __init__(self, groups: list[list[str]]) -> None:
        self.groups = groups

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), len(self.groups)), dtype=np.float32)
        for k, text in enumerate(texts):
            rows[k, next(g for g, answers in enumerate(self.groups) if any(text in a for a in answers))] = 1.0
        return rows


#: Two themes an embedder puts apart, beside a third group of answers under test.
TWO_THEMES = [["Staff training on ethics must continue.", "More integrity training for new officers.",
               "Training of trainers in ethics."],
              ["Publish clearance times on the website.", "Publish all fees and procedures online.",
               "Publish the survey results."]]  # fmt: skip


def _beside_two_themes(answers: list[str]) -> tuple[list[list[str]], list[Contribution], Briefing]:
    """The briefing of ``answers`` grouped as one theme by the embedder, beside :data:`TWO_THEMES`."""
    groups = [answers, *TWO_THEMES]
    items = [Contribution("q1", a, lang="en") for g in groups for a in g]
    return groups, items, build_briefing(items, lang="en", classifier=StubModel(), embedder=_ByGroup(groups))


def test_a_subject_of_one_answer_does_not_head_the_answers_that_do_not_raise_it() -> None:
    groups, _, b = _beside_two_themes(["Help us set up an internal affairs unit.",
                                       "We are still reviewing the results with the ministry.",
                                       "The action plan awaits the minister's signature."])  # fmt: skip
    # Headed "Internal affairs units and other subjects" they would share no main point: "other points".
    assert all("Internal affairs" not in t.label for t in b.questions[0].themes)
    assert groups[0][0] in [q.text for q in b.questions[0].other.quotes]


def test_a_theme_of_subjects_each_raised_once_goes_to_other_points() -> None:
    # Three answers put together by their embedding, each on a subject of its own: headed by the list of their
    # subjects, each raised once ("Right of appeal (1), staff appraisal (1), asset declarations (1)"), they share
    # no main point; an editor lists them under "other points".
    groups, items, b = _beside_two_themes(["Publish the procedures for appeals against customs decisions.",
                                           "A new appraisal system for staff performance.",
                                           "Asset declarations for officers at border posts."])  # fmt: skip
    section = b.questions[0]
    assert all(q.text not in groups[0] for t in section.themes for q in t.quotes), [t.label for t in section.themes]
    other = {q.text.rstrip(".") for q in section.other.quotes} if section.other else set()
    assert other >= {a.rstrip(".") for a in groups[0]}, other
    assert all(" (1)" not in t.sentence for t in section.themes), [t.sentence for t in section.themes]
    quoted_once_each(b, items)


def test_a_title_is_the_point_its_answers_share_not_the_rarer_of_two_tied_concepts() -> None:
    # Each answer of the first theme develops staff training and adds a line on the code of conduct: both are
    # raised by its three answers, and the code of conduct, rarer in the question, scores higher by c-TF-IDF
    # alone. The title must be what the answers make their main point.
    groups = [["Training of trainers in ethics for every regional office.\nRevise the code of conduct.",
               "Staff training on ethics must continue for all officers.\nAdopt a new code of conduct.",
               "Integrity training for the new officers of the border posts.\nUpdate the code of conduct."],
              ["Training in risk analysis for the officers.", "Risk analysis training for the new staff."],
              ["Publish clearance times on the website.", "Publish all fees and procedures online.",
               "Publish the survey results."]]  # fmt: skip
    items = [Contribution("q1", a, lang="en") for g in groups for a in g]
    b = build_briefing(items, lang="en", classifier=StubModel(), embedder=_ByGroup(groups))
    [theme] = [t for t in b.questions[0].themes if any(q.text in groups[0][0] for q in t.quotes)]
    # Its three answers together (the two on risk-analysis training, which no other subject sets apart, may join
    # them: one heading is one theme).
    assert {c for c, _ in theme.members} >= {0, 1, 2} and theme.support in (3, 5)
    assert theme.label == "Staff training", (theme.label, theme.sentence)
    assert [t.label for t in b.questions[0].themes].count("Staff training") == 1
    quoted_once_each(b, items)


class _Fixed:
    """An embedder with a given vector per text (an answer, or one of its points)."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        # A point is its text without the full stop that ends its answer's line.
        return np.array([self.vectors.get(t) or self.vectors[t + "."] for t in texts], dtype=np.float32)


def test_an_answer_is_quoted_by_its_point_that_names_the_theme_s_subject() -> None:
    listed = "Training of trainers in ethics.\nThe report was presented to the minister."
    answers = [listed, "Staff training on ethics must continue.", "More integrity training for new officers.",
               "Publish clearance times on the website.", "Publish all fees and procedures online.",
               "Publish the survey results.", "We need a hotline.", "A hotline for traders is needed.",
               "Set up a telephone hotline."]  # fmt: skip
    axis = {0: [1.0, 0, 0], 1: [0, 1.0, 0], 2: [0, 0, 1.0]}
    vectors = {a: axis[k // 3] for k, a in enumerate(answers)}
    # The point off the theme's subject sits nearest its centre: the quote must still be the one on training.
    vectors |= {"Training of trainers in ethics.": [0.9, 0.43, 0], "The report was presented to the minister.": axis[0]}
    items = [Contribution("q1", a, lang="en") for a in answers]
    b = build_briefing(items, lang="en", classifier=StubModel(), embedder=_Fixed(vectors))
    [theme] = [t for t in b.questions[0].themes if t.label == "Staff training"]
    assert "Training of trainers in ethics" in [q.text for q in theme.quotes], [q.text for q in theme.quotes]
    quoted_once_each(b, items)


def _titles_from_quotes(section) -> None:
    """Each theme's title concept is raised by at least two of its quotes (or its only one)."""
    from analysis.features import analyse

    for theme in section.themes:
        key = theme.key.rstrip("+")
        if key.startswith("factor:"):
            continue
        raised = sum(key in {h.concept for h in doc.hits}
                     for doc in analyse([q.text for q in theme.quotes], ["en"] * len(theme.quotes)))  # fmt: skip
        assert raised >= min(2, len(theme.quotes)), (theme.label, [q.text for q in theme.quotes])


def test_a_cluster_larger_than_a_theme_gives_themes_of_distinct_titles() -> None:
    # Eleven answers the embedder cannot tell apart, all on staff training, the last four also on rotation: cut
    # into themes of at most six answers, every part was headed "Staff training", the same title twice.
    training = [f"Staff training on ethics for the officers of post {k}." for k in range(7)]
    rotation = [f"Training and rotation of the officers of border post {k}." for k in range(4)]
    groups = [training + rotation, TWO_THEMES[1], ["Asset declarations for every officer.",
                                                   "Asset declarations checked each year."]]  # fmt: skip
    items = [Contribution("q1", a, lang="en") for g in groups for a in g]
    b = build_briefing(items, lang="en", classifier=StubModel(), embedder=_ByGroup(groups))
    section = b.questions[0]
    titles = [t.label for t in section.themes]
    assert len(titles) == len(set(titles)), titles
    assert "Staff training" in titles
    _titles_from_quotes(section)
    quoted_once_each(b, items)


def test_identical_answers_beyond_a_theme_are_one_heading_then_other_points(tfidf: CachedEmbedder) -> None:
    # Nine copies of one answer: no concept tells a part from another, so one theme keeps the heading (at most
    # six answers, each quoted) and the copies it cannot hold are "other points", never a second "Formation".
    texts = ["Formation des agents à l'éthique."] * 9 + ["Rotation des agents aux postes sensibles.",
                                                         "Rotation régulière des chefs de bureau."]  # fmt: skip
    items = [Contribution("q1", t, lang="fr") for t in texts]
    b = build_briefing(items, lang="fr", classifier=StubModel(), embedder=tfidf)
    titles = [t.label for t in b.questions[0].themes]
    assert len(titles) == len(set(titles)), titles
    quoted_once_each(b, items)


def test_parts_of_one_heading_are_told_apart_by_what_they_add_else_merged_or_other_points() -> None:
    from analysis.briefing.siblings import distinct_titles
    from analysis.briefing.subjects import Point, qualified_label

    concepts = [["training"]] * 6 + [["training", "rotation"], ["training", "recruitment"], ["training"]]
    concepts += [["training", "rotation"], ["training", "rotation"], ["training"]] + [["training"]] * 2
    points = [Point(k, f"answer {k}", 0, "en", ["hrm"], list(c), "") for k, c in enumerate(concepts)]
    groups = {"training": list(range(6)), "training+": [6, 7, 8], "training++": [9, 10, 11], "training+++": [12, 13],
              "factor:other": []}  # fmt: skip
    out, qualifiers = distinct_titles(points, groups, "factor:other", max_theme=6)
    # The largest keeps the heading; a part two of whose answers raise another subject is titled by it; one whose
    # answers add subjects once each keeps the heading followed by them; one that adds nothing cannot join the
    # first (seven answers) and is "other points".
    assert out["training"] == list(range(6)) and out["rotation"] == [9, 10, 11]
    assert out["training+"] == [6, 7, 8] and qualifiers == {"training+": ["recruitment", "rotation"]}
    assert out["factor:other"] == [12, 13] and "training+++" not in out
    label = qualified_label("Staff training", qualifiers["training+"], "en")
    assert label == "Staff training — recruitment, staff rotation"
    # With room in the theme that keeps the heading, a part that adds nothing joins it: one heading, one theme.
    out, _ = distinct_titles(points, {"training": [0, 1, 2], "training+": [12, 13]}, "factor:other", max_theme=6)
    assert out == {"training": [0, 1, 2, 12, 13]}
