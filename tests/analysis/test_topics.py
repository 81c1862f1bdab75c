from __future__ import annotations

import numpy as np
import pytest

from analysis.topics import ThemeModel, themes_by_factor

ANSWERS = [
    ("More training for officers on ethics and integrity.", "en"),
    ("Officers need regular training courses.", "en"),
    ("Plus de formation pour les agents, surtout sur l'éthique.", "fr"),
    ("Les agents doivent suivre des formations régulières.", "fr"),
    ("Más capacitación para los funcionarios.", "es"),
    ("Mais formação para os servidores da alfândega.", "pt"),
    ("Everything is still on paper; we need electronic declarations and e-payment.", "en"),
    ("Tout est encore sur papier, il faut la déclaration électronique et le paiement en ligne.", "fr"),
    ("Todo sigue en papel, falta la declaración electrónica.", "es"),
    ("Tudo continua em papel, precisamos de declaração eletrônica.", "pt"),
    ("The paper files must go: electronic processing now.", "en"),
    ("Nobody is punished when a complaint is filed against an officer.", "en"),
    ("Les plaintes contre les agents restent sans suite, aucune sanction.", "fr"),
    ("Las denuncias nunca terminan en sanción.", "es"),
    ("As denúncias nunca resultam em punição.", "pt"),
    ("Complaints go nowhere, corrupt officers are never sanctioned.", "en"),
    ("Thank you to the WCO for the programme.", "en"),
    ("Merci à l'OMD pour ce programme.", "fr"),
    ("Gracias a la OMA por el programa.", "es"),
    ("Obrigado à OMA pelo programa.", "pt"),
]
TEXTS = [t for t, _ in ANSWERS]
LANGS = [lang for _, lang in ANSWERS]


@pytest.fixture(scope="module")
def model() -> ThemeModel:
    return ThemeModel(n_themes=4, label_lang="fr").fit(TEXTS, LANGS)


def test_topics_twenty_answers_give_described_themes(model) -> None:
    assert sum(t.size for t in model.themes_) == len(TEXTS)
    assert [t.size for t in model.themes_] == sorted((t.size for t in model.themes_), reverse=True)
    for theme in model.themes_:
        assert theme.label and theme.factors and sum(theme.languages.values()) == theme.size
        assert 1 <= len(theme.quotes) <= 4
        assert all(q.text in TEXTS for q in theme.quotes)  # verbatim
        assert len({q.text for q in theme.quotes}) == len(theme.quotes)


def test_topics_french_and_english_paraphrases_share_a_theme(model) -> None:
    labels = dict(zip(TEXTS, model.labels_, strict=True))
    assert (
        labels["More training for officers on ethics and integrity."]
        == labels["Plus de formation pour les agents, surtout sur l'éthique."]
    )
    assert (
        labels["Nobody is punished when a complaint is filed against an officer."]
        == labels["Les plaintes contre les agents restent sans suite, aucune sanction."]
    )


def test_topics_are_deterministic() -> None:
    a = ThemeModel(n_themes=4).fit(TEXTS, LANGS)
    b = ThemeModel(n_themes=4).fit(TEXTS, LANGS)
    assert (a.labels_ == b.labels_).all()
    assert [(t.label, t.size, [q.text for q in t.quotes]) for t in a.themes_] == [
        (t.label, t.size, [q.text for q in t.quotes]) for t in b.themes_
    ]


def test_topics_labels_follow_the_report_language(model) -> None:
    english = ThemeModel(n_themes=4, label_lang="en").fit(TEXTS, LANGS)
    assert {t.label for t in english.themes_} != {t.label for t in model.themes_}


def test_topics_by_factor_and_overall() -> None:
    labels = [["hrm"]] * 6 + [["automation"]] * 5 + [["audit"]] * 5 + [["other"]] * 4
    result = themes_by_factor(TEXTS, labels, LANGS, min_answers=5, n_themes=2)
    assert set(result) == {"all", "hrm", "automation", "audit"}
    assert sum(t.size for t in result["hrm"]) == 6


def test_topics_too_few_answers_is_a_coded_error() -> None:
    with pytest.raises(ValueError, match="E401"):
        ThemeModel().fit(["only one"])


def test_topics_identical_answers_make_one_theme() -> None:
    texts = ["Rotation des agents tous les deux ans."] * 6
    model = ThemeModel(label_lang="fr").fit(texts, ["fr"] * 6)
    assert len(model.themes_) == 1 and model.themes_[0].size == 6
    assert [q.text for q in model.themes_[0].quotes] == [texts[0]]  # verbatim, not repeated
    assert model.predict(texts[:2]).tolist() == [0, 0]


def test_topics_predict_assigns_new_answers_to_fitted_themes(model) -> None:
    fitted = model.labels_[:4].tolist()
    assert model.predict(TEXTS[:4], LANGS[:4]).tolist() == fitted


def test_topics_transform_is_a_deprecated_alias_of_predict(model) -> None:
    with pytest.warns(DeprecationWarning, match="use ThemeModel.predict"):
        labels = model.transform(TEXTS[:4], LANGS[:4])
    assert labels.tolist() == model.predict(TEXTS[:4], LANGS[:4]).tolist()


# The same four answers in four languages, with one distractor meaning per answer: an embedder
# that maps translations close (as a multilingual sentence model does) must make one theme of
# each meaning, although the four versions share no word.
MEANINGS = [
    ("Officers should change posts every three years.",
     "Les agents devraient changer de poste tous les trois ans.",
     "Los funcionarios deberían cambiar de puesto cada tres años.",
     "Os funcionários deveriam mudar de posto a cada três anos."),
    ("Put the declaration and the payment online.",
     "Mettez la déclaration et le paiement en ligne.",
     "Pongan la declaración y el pago en línea.",
     "Coloquem a declaração e o pagamento online."),
    ("We need a safe channel to report bribes.",
     "Il faut un canal sûr pour signaler les pots-de-vin.",
     "Necesitamos un canal seguro para denunciar sobornos.",
     "Precisamos de um canal seguro para denunciar propinas."),
    ("Thank you to the WCO experts for the mission.",
     "Merci aux experts de l'OMD pour la mission.",
     "Gracias a los expertos de la OMA por la misión.",
     "Obrigado aos especialistas da OMA pela missão."),
    ("The director general must set the example.",
     "Le directeur général doit montrer l'exemple.",
     "El director general debe dar el ejemplo.",
     "O diretor-geral deve dar o exemplo."),
]  # fmt: skip
MEANING_TEXTS = [t for group in MEANINGS for t in group]
MEANING_LANGS = ["en", "fr", "es", "pt"] * len(MEANINGS)


class TranslationEmbedder:
    """A fake sentence model: each meaning has a direction, its translations a little noise around it,
    plus (``accent``) a direction per language, as a real multilingual model keeps one."""

    backend = "fake"
    model_id = "translations"

    def __init__(self, accent: float = 0.0) -> None:
        self.calls: list[list[str]] = []
        self.accent = accent

    def encode(self, texts):
        self.calls.append(list(texts))
        rng = np.random.default_rng(0)
        centres = rng.normal(size=(len(MEANINGS), 16))
        rows = []
        for text in texts:
            meaning = next(i for i, group in enumerate(MEANINGS) if text in group)
            index = MEANING_TEXTS.index(text)
            noise = np.random.default_rng(index + 1).normal(scale=0.05, size=16)
            language = np.random.default_rng(100 + index % 4).normal(size=16)
            rows.append(centres[meaning] + self.accent * language + noise)
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _groups(labels) -> set[frozenset[int]]:
    by_theme: dict[int, set[int]] = {}
    for i, label in enumerate(labels):
        by_theme.setdefault(int(label), set()).add(i)
    return {frozenset(members) for members in by_theme.values()}


EXPECTED = {frozenset(range(4 * m, 4 * m + 4)) for m in range(len(MEANINGS))}


def test_topics_with_an_embedder_merge_the_four_languages_of_each_answer() -> None:
    embedder = TranslationEmbedder()
    model = ThemeModel(n_themes=len(MEANINGS), label_lang="fr", embedder=embedder).fit(MEANING_TEXTS, MEANING_LANGS)
    assert embedder.calls == [MEANING_TEXTS]  # the raw answers are embedded, not concept documents
    assert _groups(model.labels_) == EXPECTED
    for theme in model.themes_:
        assert theme.languages == {"en": 1, "fr": 1, "es": 1, "pt": 1}
        assert theme.label and all(q.text in MEANING_TEXTS for q in theme.quotes)
    assert model.predict(MEANING_TEXTS[::4]).tolist() == model.labels_[::4].tolist()


def test_topics_with_the_real_e5_embedder_merge_languages(tmp_path) -> None:
    """The bundled multilingual-e5-small on 16 texts (a few seconds): the same grouping."""
    from analysis.embeddings import CachedEmbedder, EmbeddingCache, get_embedder

    embedder = CachedEmbedder(get_embedder("e5"), EmbeddingCache(tmp_path / "e.sqlite3"))
    model = ThemeModel(n_themes=len(MEANINGS), embedder=embedder).fit(MEANING_TEXTS, MEANING_LANGS)
    assert _groups(model.labels_) == EXPECTED


def test_topics_remove_the_language_a_sentence_model_keeps() -> None:
    """Vectors that carry their language more strongly than their meaning: without centring each
    language on its mean, the themes are the languages; with it (the default), the meanings."""
    tinted = TranslationEmbedder(accent=1.5)
    model = ThemeModel(n_themes=len(MEANINGS), embedder=tinted).fit(MEANING_TEXTS, MEANING_LANGS)
    assert _groups(model.labels_) == EXPECTED
    assert model.predict(MEANING_TEXTS[1::4], MEANING_LANGS[1::4]).tolist() == model.labels_[1::4].tolist()
    raw = ThemeModel(n_themes=4, embedder=tinted, language_centring=False).fit(MEANING_TEXTS, MEANING_LANGS)
    by_language = {frozenset(range(lang, len(MEANING_TEXTS), 4)) for lang in range(4)}
    assert _groups(raw.labels_) == by_language


def test_topics_labels_never_show_prefix_patterns() -> None:
    from analysis.features import load_codebook

    codebook = load_codebook()
    for concept in codebook.concepts.values():
        for lang in ("en", "fr", "es", "pt"):
            assert "*" not in concept.label(lang), (concept.id, lang)
    model = ThemeModel(label_lang="fr").fit(TEXTS, LANGS)
    assert all("*" not in theme.label for theme in model.themes_)
