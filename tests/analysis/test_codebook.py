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
