from __future__ import annotations

import pytest
import yaml

from analysis.codebook import DEFAULT_PATH, Codebook, CodebookError
from analysis.factors import CORE_LANGUAGES, FACTOR_IDS, OTHER


def test_codebook_covers_every_factor_in_every_language() -> None:
    codebook = Codebook.load()
    for factor in FACTOR_IDS:
        concepts = [c for c in codebook.concepts.values() if c.factor == factor]
        assert len(concepts) >= 3, factor
        for concept in concepts:
            assert all(concept.terms.get(lang) for lang in CORE_LANGUAGES), concept.id
    assert any(c.factor == OTHER for c in codebook.concepts.values())


def test_codebook_maps_four_languages_onto_one_concept() -> None:
    codebook = Codebook.load()
    texts = [
        ("Staff must be trained regularly", "en"),
        ("Le personnel doit recevoir des formations régulières", "fr"),
        ("El personal debe recibir capacitación periódica", "es"),
        ("Os servidores devem receber capacitação regular", "pt"),
    ]
    hits = codebook.match([t for t, _ in texts], [lang for _, lang in texts])
    concept_sets = [{h.concept for h in hs if h.factor == "hrm"} for hs in hits]
    assert all(concept_sets), concept_sets
    assert set.intersection(*concept_sets), concept_sets


def test_codebook_invalid_file_names_the_problem(tmp_path) -> None:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    first_factor = next(iter(data["factors"]))
    concept = next(iter(data["factors"][first_factor]))
    del data["factors"][first_factor][concept]["pt"]
    data["factors"]["bribery"] = {}
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        Codebook.load(path)
    message = str(err.value)
    assert "E203" in message and f"concept {concept!r}: no pt terms" in message and "'bribery': unknown" in message


def test_codebook_phrase_matches_with_words_in_between() -> None:
    codebook = Codebook.from_dict(
        {"factors": {f: {f"{f}_c": {lang: [f"zz{f}"] for lang in CORE_LANGUAGES}} for f in FACTOR_IDS}
         | {"hrm": {"rotation": {lang: ["rotation du personnel"] for lang in CORE_LANGUAGES}}}}
    )  # fmt: skip
    [hits] = codebook.match(["La rotation régulière du personnel"], ["fr"])
    assert [h.concept for h in hits] == ["rotation"]
    [none] = codebook.match(
        ["La rotation des pneus du camion se fait chaque mois au garage central; le personnel attend"], ["fr"]
    )
    assert none == []


def test_codebook_negated_quantity_phrase_matches_in_four_languages() -> None:
    codebook = Codebook.load()
    texts = [("Fewer documents please", "en"), ("Moins de documents", "fr"), ("Que pidan menos documentos", "es"),
             ("menos documentos", "pt")]  # fmt: skip
    hits = codebook.match([t for t, _ in texts], [lang for _, lang in texts])
    assert all("documents_required" in {h.concept for h in hs} for hs in hits), hits
    # Before stop-word exceptions "menos documentos" read as "documento" and matched anything with documents.
    [plain] = codebook.match(["Os documentos chegaram"], ["pt"])
    assert "documents_required" not in {h.concept for h in plain}


def test_codebook_multiword_terms_do_not_collapse_to_a_generic_word() -> None:
    # A phrase whose other words are all stop words matches its one remaining word anywhere
    # ("make public" -> "public" hit "public service"); such terms must not be in the codebook.
    codebook = Codebook.load()
    for text, lang in [("public service", "en"), ("concurso público", "pt"), ("la fonction publique", "fr"),
                       ("political pressure", "en"), ("apoio financeiro ao programa", "pt")]:  # fmt: skip
        [hits] = codebook.match([text], [lang])
        assert not {h.concept for h in hits} & {"publication", "commitment_will", "programme_continuation_funding"}, (
            text,
            hits,
        )


#: Multi-word terms allowed to normalise to one word, each with the reason it was reviewed and kept.
#: Empty: every such term was rewritten, made a single word or dropped (a single-word term is
#: written as one, so that what it matches is plain to read).
COLLAPSE_ALLOWED: dict[tuple[str, str, str], str] = {}


def test_codebook_every_multiword_term_keeps_two_words_once_normalised() -> None:
    from analysis.nlp import phrase_terms

    codebook = Codebook.load()
    collapsed, checked = {}, 0
    for concept in codebook.concepts.values():
        for lang, terms in concept.terms.items():
            multi = [t for t in terms if not t.endswith("*") and len(t.split()) > 1]
            checked += len(multi)
            for term, words in zip(multi, phrase_terms(multi, lang), strict=True):
                if len(words) < 2:
                    collapsed[(concept.id, lang, term)] = words
    assert checked > 4000  # every multi-word term, not a sample
    unexpected = {k: v for k, v in collapsed.items() if k not in COLLAPSE_ALLOWED}
    assert not unexpected, f"{len(unexpected)} multi-word terms collapse to one word: {unexpected}"
    assert set(COLLAPSE_ALLOWED) <= set(collapsed), "allow-list entries that no longer collapse: remove them"


def test_codebook_good_and_zero_survive_normalisation_in_four_languages() -> None:
    from analysis.nlp import phrase_terms

    assert phrase_terms(["buenas prácticas"], "es") == [("bueno", "practico")]
    assert phrase_terms(["boas práticas"], "pt") == [("bom", "pratico")]
    for lang, term in [("en", "zero tolerance"), ("fr", "tolérance zéro"), ("es", "tolerancia cero"),
                       ("pt", "tolerância zero")]:  # fmt: skip
        assert len(phrase_terms([term], lang)[0]) == 2, term
    # "por ejemplo" (for example) is not leadership by example any more.
    [hits] = codebook_hits("Por ejemplo, los documentos de importación", "es")
    assert "lead_by_example" not in hits


def codebook_hits(text: str, lang: str) -> list[set[str]]:
    return [{h.concept for h in hs} for hs in Codebook.load().match([text], [lang])]
