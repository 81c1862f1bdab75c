"""One wide frame per questionnaire (a row per respondent, a column per item) and its codebook.

The frame keeps *logical* values, the same for every format: numbers for Likert, number
items and multiple-choice indicators; the choice value (an identifier such as ``north``)
for single-choice items, as KoboToolbox's "XML values" exports do, because it is stable
across questionnaire versions and readable without the codebook; space-separated choice
values for multiple-choice items, plus one 0/1 column per choice named ``item/choice``.
The .sav writer turns single choices into numeric codes with value labels (SPSS's habit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from cips.instruments.logic import NON_SUBSTANTIVE_LABELS
from cips.instruments.schema import LIKERT_MIN, Choice, Item
from cips.instruments.schema import Instrument as Definition

#: Columns before the items, in this order.
META_COLUMNS = ("submission_uuid", "instrument", "instrument_version", "language", "submitted_at")

_META_LABELS = {
    "en": ("Submission id", "Questionnaire", "Questionnaire version", "Language of the answers",
           "Submitted (UTC)"),
    "fr": ("Identifiant de la réponse", "Questionnaire", "Version du questionnaire", "Langue des réponses",
           "Envoyé (UTC)"),
    "es": ("Identificador de la respuesta", "Cuestionario", "Versión del cuestionario", "Idioma de las respuestas",
           "Enviado (UTC)"),
    "pt": ("Identificador da resposta", "Questionário", "Versão do questionário", "Idioma das respostas",
           "Enviado (UTC)"),
}  # fmt: skip
#: The code columns after each open item: its factors (primary first), its primary, and who coded it
#: (``reviewer``/``import``: a person's decision; ``model``: the model's suggestion only).
CODE_PARTS = ("labels", "primary", "coded_by")
_CODE_LABELS = {
    "en": ("factors (primary first)", "primary factor", "coded by"),
    "fr": ("facteurs (le principal d'abord)", "facteur principal", "codé par"),
    "es": ("factores (el principal primero)", "factor principal", "codificado por"),
    "pt": ("fatores (o principal primeiro)", "fator principal", "codificado por"),
}  # fmt: skip
_SELECTED = {"en": ("not selected", "selected"), "fr": ("non coché", "coché"),
             "es": ("no marcado", "marcado"), "pt": ("não marcado", "marcado")}  # fmt: skip
LANGUAGES = tuple(_META_LABELS)


class Kind(StrEnum):
    """What a column holds; item types plus the export's own columns."""

    meta = "meta"
    likert5 = "likert5"
    single = "single"
    multi = "multi"
    choice = "choice"  # 0/1 indicator of one choice of a multiple-choice item
    code = "code"  # an open answer's codes: ``choice`` names the part (CODE_PARTS)
    text = "text"
    number = "number"


NUMERIC_KINDS = frozenset({Kind.likert5, Kind.number, Kind.choice})


@dataclass(frozen=True)
class Variable:
    """One column of an export, with what the codebook and the .sav labels say about it."""

    name: str  # column header in CSV/XLSX: the item id, a meta name, or ``item/choice``
    kind: Kind
    label: str  # item text (or meta description) in the export's language
    item_id: str | None = None
    factor: str | None = None
    reverse: bool | None = None  # only meaningful for Likert items
    #: Ordered ``(value, label)`` pairs, values as they appear in CSV/XLSX.
    value_labels: tuple[tuple[str, str], ...] = field(default=())
    choice: str | None = None  # for Kind.choice: which choice this indicator is about
    #: Non-substantive answers the item offers ("dont_know", "refused"), listed in value_labels too.
    non_substantive: tuple[str, ...] = ()


#: A non-substantive answer in a Likert column (numbers): a code outside the scale, declared missing
#: in the .sav so that SPSS leaves it out of means, as CIPS scores do. Single-choice columns keep the word.
NON_SUBSTANTIVE_CODES = {"dont_know": 8, "refused": 9}


def _tr(texts: dict[str, str], lang: str) -> str:
    """A text in ``lang``; English, then any language, when a translation is missing."""
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


def _merged_items(definitions: list[Definition]) -> tuple[list[Item], dict[str, list[Choice]]]:
    """Items of every version (newest wording and order first, then items only older versions
    had), and for each choice item the union of its choices (newest first)."""
    items: dict[str, Item] = {}
    choices: dict[str, list[Choice]] = {}
    for definition in sorted(definitions, key=lambda d: d.version, reverse=True):
        for item in definition.items():
            items.setdefault(item.id, item)
            known = choices.setdefault(item.id, [])
            seen = {c.value for c in known}
            known.extend(c for c in item.choices or [] if c.value not in seen)
    return list(items.values()), choices


def variables_for(definitions: list[Definition], lang: str) -> list[Variable]:
    """The columns of one questionnaire's export, over all the versions a campaign accepts."""
    newest = max(definitions, key=lambda d: d.version)
    scales = newest.likert_labels
    scale = scales.get(lang) or scales.get("en") or next(iter(scales.values()))
    meta_labels = _META_LABELS.get(lang, _META_LABELS["en"])
    out = [Variable(name, Kind.meta, label) for name, label in zip(META_COLUMNS, meta_labels, strict=True)]
    items, choices = _merged_items(definitions)
    for item in items:
        text = _tr(item.text, lang)
        kind = Kind(item.type.value)
        offered = tuple(item.non_substantive)
        words = NON_SUBSTANTIVE_LABELS.get(lang, NON_SUBSTANTIVE_LABELS["en"])
        if kind is Kind.likert5:
            labels = tuple((str(LIKERT_MIN + i), label) for i, label in enumerate(scale))
            labels += tuple((str(NON_SUBSTANTIVE_CODES[w]), words[w]) for w in offered)
            out.append(Variable(item.id, kind, text, item.id, item.factor, item.reverse, labels,
                                non_substantive=offered))  # fmt: skip
        elif kind in (Kind.single, Kind.multi):
            labels = tuple((c.value, _tr(c.label, lang)) for c in choices[item.id])
            labels += tuple((w, words[w]) for w in offered)
            out.append(Variable(item.id, kind, text, item.id, value_labels=labels, non_substantive=offered))
            if kind is Kind.multi:
                no, yes = _SELECTED.get(lang, _SELECTED["en"])
                out.extend(
                    Variable(f"{item.id}/{value}", Kind.choice, f"{text} — {label}", item.id,
                             value_labels=(("0", no), ("1", yes)), choice=value)
                    for value, label in labels
                )  # fmt: skip
        else:
            out.append(Variable(item.id, kind, text, item.id))
            if kind is Kind.text:
                names = _CODE_LABELS.get(lang, _CODE_LABELS["en"])
                out.extend(Variable(f"{item.id}_{part}", Kind.code, f"{text} — {name}", item.id, choice=part)
                           for part, name in zip(CODE_PARTS, names, strict=True))  # fmt: skip
    return out


def _multi_values(raw: object) -> list[str] | None:
    """A stored multiple-choice answer (a JSON list) as a list; None when skipped."""
    if not isinstance(raw, str):
        return None
    try:
        values = json.loads(raw)
    except ValueError:
        return [raw]  # never lose an answer, even one stored by hand
    return [str(v) for v in values] if isinstance(values, list) else [str(values)]


def instrument_frame(respondents: pd.DataFrame, answers: pd.DataFrame, key: str,
                     variables: list[Variable], codes: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per respondent of questionnaire ``key`` (oldest submission first), one column per variable.

    ``respondents`` and ``answers`` are the frames of :func:`cips.services.datasets.load_campaign_data`;
    ``codes`` (``respondent``, ``item_id`` and one column per CODE_PARTS) the open answers' codes.
    Missing answers are NaN (numbers) or None (text).
    """
    resp = respondents[respondents["instrument"] == key].sort_values(["submitted_at", "respondent"])
    index = pd.Index(resp["respondent"].astype(str), name="respondent")
    ans = answers[answers["respondent"].isin(index)]
    numbers = ans.pivot(index="respondent", columns="item_id", values="value").reindex(index)
    texts = ans.pivot(index="respondent", columns="item_id", values="text").reindex(index)
    submitted = pd.to_datetime(resp["submitted_at"], utc=True).dt.tz_convert(None).dt.floor("s")
    columns: dict[str, object] = {
        "submission_uuid": list(index),
        "instrument": [key] * len(index),
        "instrument_version": resp["version"].astype(int).to_numpy(),
        "language": resp["language"].astype(str).to_numpy(),
        "submitted_at": submitted.to_numpy(),
    }
    multi: dict[str, list[list[str] | None]] = {}
    for var in variables:
        if var.kind is Kind.meta:
            continue
        if var.kind in (Kind.likert5, Kind.number):
            values = (numbers[var.name] if var.name in numbers else pd.Series(index=index, dtype=float)).astype(float)
            if var.non_substantive and var.name in texts:  # "don't know" is stored as the word, shown as its code
                values = values.fillna(texts[var.name].map(NON_SUBSTANTIVE_CODES).astype(float))
            columns[var.name] = values.to_numpy()
        elif var.kind in (Kind.single, Kind.text):
            raw = texts[var.name] if var.name in texts else pd.Series(index=index, dtype=object)
            columns[var.name] = [v if isinstance(v, str) else None for v in raw]
        elif var.kind is Kind.multi:
            raw = texts[var.name] if var.name in texts else pd.Series(index=index, dtype=object)
            multi[var.name] = [_multi_values(v) for v in raw]
            columns[var.name] = [" ".join(v) if v is not None else None for v in multi[var.name]]
        elif var.kind is Kind.code:
            columns[var.name] = _code_column(codes, index, var)
        else:  # Kind.choice: 1 selected, 0 answered without it, NaN item skipped
            picked = multi[var.item_id or ""]
            columns[var.name] = [float("nan") if v is None else float(var.choice in v) for v in picked]
    return pd.DataFrame(columns, index=range(len(index)))


#: The weight column exports carry when the campaign has population sizes (``analysis.weights``).
WEIGHT_COLUMN = "weight"
_WEIGHT_LABELS = {
    "en": "Survey weight (to the population sizes of the strata; SPSS: WEIGHT BY weight.)",
    "fr": "Poids de sondage (selon la taille des strates dans la population ; SPSS : WEIGHT BY weight.)",
    "es": "Peso muestral (según el tamaño de los estratos en la población; SPSS: WEIGHT BY weight.)",
    "pt": "Peso amostral (segundo o tamanho dos estratos na população; SPSS: WEIGHT BY weight.)",
}


def weight_variable(lang: str) -> Variable:
    """The ``weight`` column: a number, mean 1 per questionnaire, ready for SPSS's WEIGHT BY."""
    return Variable(WEIGHT_COLUMN, Kind.number, _WEIGHT_LABELS.get(lang, _WEIGHT_LABELS["en"]))


def _code_column(codes: pd.DataFrame | None, index: pd.Index, var: Variable) -> list[str | None]:
    if codes is None or codes.empty:
        return [None] * len(index)
    mine = codes[codes["item_id"] == var.item_id].set_index("respondent")[var.choice]
    return [v if isinstance(v, str) else None for v in mine.reindex(index)]


CODEBOOK_COLUMNS = ("instrument", "variable", "spss_variable", "item_id", "type", "text", "factor", "reverse",
                    "value_labels", "spss_codes")  # fmt: skip


def format_labels(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """``value=label; value=label``, the codebook's way of listing value labels."""
    return "; ".join(f"{value}={label}" for value, label in pairs)


def codebook_rows(key: str, variables: list[Variable], spss_names: dict[str, str]) -> list[dict[str, object]]:
    """One row per column of ``key``'s data, in data order (see ``CODEBOOK_COLUMNS``).

    ``spss_codes`` gives, for single-choice items, the numeric code each value has in the .sav.
    """
    rows = []
    for var in variables:
        codes = ""
        if var.kind is Kind.single:
            codes = format_labels([(str(n), value) for n, (value, _) in enumerate(var.value_labels, start=1)])
        rows.append({
            "instrument": key, "variable": var.name, "spss_variable": spss_names[var.name],
            "item_id": var.item_id or "", "type": var.kind.value, "text": var.label, "factor": var.factor or "",
            "reverse": var.reverse if var.kind is Kind.likert5 else None,
            "value_labels": format_labels(var.value_labels), "spss_codes": codes,
        })  # fmt: skip
    return rows
