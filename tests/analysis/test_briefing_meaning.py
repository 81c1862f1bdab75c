"""The briefing grouped by meaning: every answer quoted once, verbatim; quotes central and varied.

These use the ``tfidf`` embedder (no model to load) and the keyword classifier stub, except the one
test with the real default backend (e5) on about twenty texts. Theme titles and sentences are tested
in test_briefing_meaning_titles.py.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from analysis.briefing import Contribution, build_briefing, read_contributions, read_questions, render_markdown
from analysis.briefing.meaning import MAX_THEME, NAMED, OTHER, TWO_PASS, cluster_answers, without_grab_bags
from analysis.briefing.quotes import Candidate, one_per_answer
from analysis.briefing.render_md import md_text
from analysis.embeddings import CachedEmbedder, EmbeddingCache, get_embedder
from tests.analysis.briefing_helpers import DATA, quoted_once_each
from tests.analysis.conftest import StubModel

THEMES = Path(__file__).resolve().parents[2] / "analysis" / "data" / "themes"


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


def test_meaning_a_theme_whose_answers_share_no_concept_is_other_points() -> None:
    labels = np.array([0, 0, 1, 1, 2, 2])
    concepts = [{"training"}, {"rotation"}, {"publication", "training"}, {"publication"}, set(), {"no_comment"}]
    # Theme 0 raises two subjects once each: an editor lists its answers under "other points". Theme 2 raises
    # none (a no-comment phrase is no subject): the embedding alone put it together, and nothing says it differs.
    assert without_grab_bags(labels, concepts).tolist() == [OTHER, OTHER, 1, 1, 2, 2]


#: Three answers to q1 of the example that raise the leadership subject but whose points (as the stub
#: classifier codes them) share none: one theme without the second grab-bag pass, "other points" with it.
NO_SHARED_POINT = {
    "Le programme a permis de créer une cellule d'intégrité rattachée directement au Directeur général et de "
    "relancer les déclarations de patrimoine des agents des postes frontières.",
    "Le programme nous a apporté une méthode et un langage commun ; nous souhaitons qu'il soit poursuivi dans une "
    "deuxième phase",
    "Grâce au diagnostic, la direction a lancé la rotation systématique des chefs de bureau tous les trois ans et un "
    "nouveau système d'évaluation des agents.",
}


def test_a_theme_whose_points_share_no_subject_is_headed_by_them(tfidf: CachedEmbedder) -> None:
    items = read_contributions(DATA / "contributions.csv")
    questions = read_questions(DATA / "questions.yaml")
    b = build_briefing(items, lang="en", questions=questions, classifier=StubModel(), embedder=tfidf)
    # The answers share a subject, but their points (the concepts the classifier agrees with) share none: the
    # editors of the theme benchmarks kept such answers together, so the theme stays, headed by its subjects,
    # each counted in its sentence (nothing in the heading claims more than one answer says it).
    [theme] = [t for s in b.questions for t in s.themes if t.key.startswith("factor:") and t.concepts]
    assert {q.text for q in theme.quotes} == NO_SHARED_POINT
    subjects = re.split(r", | and ", theme.label)  # "a, b and other subjects"
    assert len(subjects) >= 2 and all(f"{x.lower()} (1)" in theme.sentence.lower() for x in subjects), theme.sentence
    assert theme.label not in {m.label for m in b.key_messages}
    quoted_once_each(b, items)
    # With the second grab-bag pass (the default until the seventh theme benchmark) they are "other points".
    two = build_briefing(items, lang="en", questions=questions, classifier=StubModel(), embedder=tfidf,
                         settings=TWO_PASS)  # fmt: skip
    assert not [t.label for s in two.questions for t in s.themes if t.key.startswith("factor:") and t.concepts]
    others = [q.text for q in two.questions[0].other.quotes]  # quoted whole there: a quoted point is inside
    assert all(any(text in quote for quote in others) for text in NO_SHARED_POINT), others
    quoted_once_each(two, items)


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
