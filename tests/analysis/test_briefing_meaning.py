"""The briefing grouped by meaning: every answer quoted once, verbatim; titles from members; quotes central and varied.

These use the ``tfidf`` embedder (no model to load) and the keyword classifier stub, except the one
test with the real default backend (e5) on about twenty texts.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from analysis.briefing import Contribution, build_briefing, read_contributions, read_questions, render_markdown
from analysis.briefing.meaning import MAX_THEME, NAMED, OTHER, cluster_answers
from analysis.briefing.quotes import Candidate, one_per_answer
from analysis.briefing.render_md import md_text
from analysis.embeddings import CachedEmbedder, EmbeddingCache, get_embedder
from tests.analysis.conftest import StubModel

DATA = Path(__file__).resolve().parent.parent / "data"
THEMES = Path(__file__).resolve().parents[2] / "analysis" / "data" / "themes"


@pytest.fixture
def tfidf(tmp_path: Path) -> CachedEmbedder:
    return CachedEmbedder(get_embedder("tfidf"), EmbeddingCache(tmp_path / "embeddings.sqlite3"))


def quoted_once_each(b, items: list[Contribution]) -> None:
    """Every contribution is quoted exactly once, under a theme or "other points", by a substring of its answer."""
    for section in b.questions:
        answers = [c.answer for c in items if c.question in (section.id, section.heading)]
        quotes = [q.text for t in [*section.themes, *([section.other] if section.other else [])] for q in t.quotes]
        quotes += [q.text for q in section.no_comment_quotes]
        owner = []
        for quote in quotes:
            found = [k for k, a in enumerate(answers) if quote in a]
            assert found, f"{quote!r} is not verbatim from an answer to {section.id}"
            owner.append(found[0] if len(found) == 1 else tuple(found))
        # Same answer given twice (two administrations): each copy is quoted, so the count matches.
        assert len(quotes) == len(answers), (section.id, len(quotes), len(answers))
        single = Counter(o for o in owner if isinstance(o, int))
        assert all(n == 1 for n in single.values()), section.id
        for theme in section.themes:
            assert 1 <= len(theme.quotes) <= MAX_THEME


def test_every_contribution_of_the_example_is_quoted_once_verbatim(tfidf: CachedEmbedder) -> None:
    items = read_contributions(DATA / "contributions.csv")
    questions = read_questions(DATA / "questions.yaml")
    b = build_briefing(items, lang="fr", questions=questions, classifier=StubModel(), grouping="meaning",
                       embedder=tfidf)  # fmt: skip
    assert set(b.grouping.values()) == {"meaning"}
    by_id = {q.id: q for q in questions}
    for c in items:  # the file names questions by id; sections are by id too
        assert c.question in by_id
    quoted_once_each(b, items)


def test_every_contribution_of_the_theme_benchmark_is_quoted_once_verbatim(tfidf: CachedEmbedder) -> None:
    with (THEMES / "contributions.csv").open(encoding="utf-8") as f:  # the development questions only
        rows = [r for r in csv.DictReader(f) if r["question"] in ("q1", "q2")]
    items = [Contribution(question=r["question"], answer=r["text"], lang=r["lang"]) for r in rows]
    b = build_briefing(items, lang="en", classifier=StubModel(), grouping="meaning", embedder=tfidf)
    quoted_once_each(b, items)
    assert sum(len(t.quotes) for s in b.questions for t in s.themes) > len(items) / 2  # most are in a theme


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


def test_one_quote_per_answer_central_then_different() -> None:
    # Unit vectors at these angles (degrees): answers 0-2 say one thing, answers 3-4 another; answer 0 also has a
    # second, less central candidate (-30 degrees).
    angles = [0, 1, 2, 40, 41, -30]
    owners = [0, 1, 2, 3, 4, 0]
    rad = np.radians(angles)
    vectors = np.column_stack([np.cos(rad), np.sin(rad)])
    candidates = [Candidate(k, owner, str(a), "en") for k, (owner, a) in enumerate(zip(owners, angles, strict=True))]
    order = [candidates[k].text for k in one_per_answer(candidates, vectors)]
    assert sorted(order) == ["0", "1", "2", "40", "41"]  # one quote per answer, answer 0 by its central candidate
    # Central first (2 is nearest the centre), then different: 40 or 41 before 1 and 0, which say what 2 says;
    # by centrality alone the order would be 2, 1, 0, 40, 41.
    assert order[0] == "2" and order[1] in {"40", "41"}


def test_no_theme_larger_than_its_quotes_and_lone_answers_are_other_points() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2, 8))
    vectors = np.vstack([centres[0] + 0.01 * rng.normal(size=(9, 8)), centres[1] + 0.01 * rng.normal(size=(2, 8)),
                         rng.normal(size=(1, 8)) * 5])  # fmt: skip
    labels = cluster_answers(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    sizes = Counter(labels[labels != OTHER].tolist())
    assert max(sizes.values()) <= MAX_THEME
    assert set(labels[:9].tolist()).isdisjoint(labels[9:11].tolist())
    assert labels[11] == OTHER


def test_markdown_shows_each_theme_factor_as_a_tag(tfidf: CachedEmbedder) -> None:
    items = read_contributions(DATA / "contributions.csv")
    b = build_briefing(items, lang="en", classifier=StubModel(), grouping="meaning", embedder=tfidf)
    md = render_markdown(b)
    themes = [t for section in b.questions for t in section.themes]
    # Themes are keyed by what their answers share (a concept), the factor is only shown beside them.
    assert sum(not t.key.startswith("factor:") for t in themes) > len(themes) / 2
    for theme in themes:
        assert theme.factor_names and md_text(", ".join(theme.factor_names)) in md


@pytest.mark.parametrize("named", ["default", "ward", "pairs16"])
def test_same_answer_in_four_languages_is_one_theme_of_the_briefing(tmp_path: Path, named: str) -> None:
    """multilingual-e5-small, the default backend, on 20 answers: up to a minute on a loaded machine.

    The default is the shipped pair model, which groups e5 embeddings by its learned p(same); the Ward
    grouping (``--settings ward``) too.
    """
    same = [
        ("en", "The survey helped us convince senior management to adopt a new code of conduct for all officers."),
        ("fr", "L'enquête nous a aidés à convaincre la direction d'adopter un nouveau code de conduite pour tous "
               "les agents."),
        ("es", "La encuesta nos ayudó a convencer a la dirección de adoptar un nuevo código de conducta para todos "
               "los funcionarios."),
        ("pt", "O inquérito ajudou-nos a convencer a direção a adotar um novo código de conduta para todos os "
               "funcionários."),
    ]  # fmt: skip
    others = [
        ("en", "We would like more funding for translating the WCO tools into Portuguese."),
        ("en", "Translation of the guides into Portuguese would help our regional offices."),
        ("fr", "Nous souhaitons que les réunions régionales d'échange entre pairs soient organisées chaque année."),
        ("fr", "Un échange d'expériences entre administrations voisines serait très utile."),
        ("es", "Los resultados se publicaron en el sitio web de la aduana para los operadores económicos."),
        ("es", "Publicamos un resumen de los resultados para el sector privado."),
        ("pt", "A formação dos jovens funcionários em ética deveria começar na escola aduaneira."),
        ("pt", "Formação em integridade para todos os novos funcionários."),
        ("en", "Our staff appreciated the anonymity of the survey and answered frankly."),
        ("fr", "L'anonymat de l'enquête a permis aux agents de s'exprimer librement."),
        ("en", "The rotation of officers at border posts should be regular and transparent."),
        ("es", "La rotación del personal en las fronteras debe ser periódica."),
        ("en", "Thanks to the WCO Secretariat for its support."),
        ("fr", "Nous remercions le Secrétariat de l'OMD pour son appui."),
        ("en", "Electronic payment of duties removed most cash handling at our offices."),
        ("pt", "O pagamento eletrónico dos direitos reduziu o manuseamento de dinheiro."),
    ]
    items = [Contribution(question="q", answer=text, lang=lang) for lang, text in same + others]
    embedder = CachedEmbedder(get_embedder("e5"), EmbeddingCache(tmp_path / "cache.sqlite3"))
    settings = NAMED[named]
    assert settings.pairs == settings.describe("e5").startswith("learned pairs")  # the shipped model is used
    b = build_briefing(items, lang="fr", classifier=StubModel(), grouping="meaning", embedder=embedder,
                       settings=settings)  # fmt: skip
    home = [t for t in b.questions[0].themes if any(q.text == same[0][1] for q in t.quotes)]
    assert len(home) == 1, "the English answer is quoted under one theme"
    assert {q.text for q in home[0].quotes} >= {text for _, text in same}  # its translations beside it
    quoted_once_each(b, items)


def test_no_comment_answers_are_counted_and_quoted_once_after_their_count_not_as_points(tfidf: CachedEmbedder) -> None:
    texts = ["La formation du personnel à l'éthique doit être renforcée.",
             "Il faut plus de formation sur l'intégrité pour les agents.",
             "1) Rotation des agents; 2) paiement électronique", "Rien à signaler", "R.A.S."]  # fmt: skip
    items = [Contribution("q1", t, lang="fr") for t in texts]
    b = build_briefing(items, lang="fr", classifier=StubModel(), embedder=tfidf)  # grouping by meaning: the default
    [q] = b.questions
    assert b.grouping == {"q1": "meaning"} and q.n_no_comment == 2
    assert [quote.text for quote in q.no_comment_quotes] == ["Rien à signaler", "R.A.S."]
    # "Other points" are points raised: "R.A.S." there read as "another point was raised: R.A.S."
    assert q.other is not None and {quote.text for quote in q.other.quotes} == set(texts[:3])  # whole answers
    assert q.other.support == 3 and q.other.sentence == "Autres points soulevés par 3 contributions :"
    md = render_markdown(b)
    assert md.index("Rotation des agents") < md.index("2 contributions sans commentaire") < md.index("Rien à signaler")
    quoted_once_each(b, items)


def test_a_theme_sharing_no_concept_is_no_theme(tfidf: CachedEmbedder) -> None:
    items = read_contributions(DATA / "contributions.csv")
    b = build_briefing(items, lang="en", questions=read_questions(DATA / "questions.yaml"), classifier=StubModel(),
                       embedder=tfidf)  # fmt: skip
    # Answers that raise subjects but share none were headed by their factor's name, then by the list of their
    # subjects each raised once: they share no main point, and are "other points".
    assert not [t.label for s in b.questions for t in s.themes if t.key.startswith("factor:") and t.concepts]
    assert any(s.other for s in b.questions)
    quoted_once_each(b, items)


def test_every_key_message_is_a_theme_the_briefing_shows(tfidf: CachedEmbedder) -> None:
    items = read_contributions(DATA / "contributions.csv")
    b = build_briefing(items, lang="en", questions=read_questions(DATA / "questions.yaml"), classifier=StubModel(),
                       embedder=tfidf)  # fmt: skip
    headings = {t.label for s in b.questions for t in s.themes}
    assert b.key_messages
    # Answers that share no subject (a theme headed by its subjects) are no message: counted under their factor's
    # name they made "Audit and Investigation" the first key message of a briefing with no such theme.
    for message in b.key_messages:
        assert message.label in headings, (message.label, sorted(headings))


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


def test_a_subject_of_one_answer_does_not_head_the_answers_that_do_not_raise_it() -> None:
    groups = [
        [
            "Help us set up an internal affairs unit.",
            "We are still reviewing the results with the ministry.",
            "The action plan awaits the minister's signature.",
        ],
        *TWO_THEMES,
    ]
    items = [Contribution("q1", a, lang="en") for g in groups for a in g]
    b = build_briefing(items, lang="en", classifier=StubModel(), embedder=_ByGroup(groups))
    # Headed "Internal affairs units, other subjects" they would share no main point: "other points".
    assert all("Internal affairs" not in t.label for t in b.questions[0].themes)
    assert groups[0][0] in [q.text for q in b.questions[0].other.quotes]


def test_a_theme_of_subjects_each_raised_once_goes_to_other_points() -> None:
    # Three answers put together by their embedding, each on a subject of its own: headed by the list of their
    # subjects, each raised once ("Right of appeal (1), staff appraisal (1), asset declarations (1)"), they share
    # no main point; an editor lists them under "other points".
    groups = [
        [
            "Publish the procedures for appeals against customs decisions.",
            "A new appraisal system for staff performance.",
            "Asset declarations for officers at border posts.",
        ],
        *TWO_THEMES,
    ]
    items = [Contribution("q1", a, lang="en") for g in groups for a in g]
    b = build_briefing(items, lang="en", classifier=StubModel(), embedder=_ByGroup(groups))
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


@pytest.fixture
def hang_guard():
    """Fails the test, rather than hanging the suite, when grouping does not end within 60 s."""
    import signal

    def stop(signum, frame):
        raise TimeoutError("grouping did not end")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_identical_answers_more_than_a_theme_holds_are_split_in_order(hang_guard) -> None:
    vectors = np.zeros((MAX_THEME + 4, 8))
    vectors[:, 0] = 1.0  # the same answer given by ten administrations: Ward has no tree to split
    vectors[-2:, 1] = 1.0
    labels = cluster_answers(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    sizes = Counter(labels[labels != OTHER].tolist())
    assert max(sizes.values()) <= MAX_THEME and OTHER not in labels[: MAX_THEME + 2].tolist()


def test_briefing_of_many_identical_answers_quotes_each_once(tfidf: CachedEmbedder, hang_guard) -> None:
    texts = ["Formation des agents à l'éthique."] * 9 + ["Rotation des agents aux postes sensibles.",
                                                         "Rotation régulière des chefs de bureau."]  # fmt: skip
    items = [Contribution("q1", t, lang="fr") for t in texts]
    b = build_briefing(items, lang="fr", classifier=StubModel(), embedder=tfidf)
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
