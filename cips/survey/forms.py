"""A WTForms form built from a questionnaire definition, and its answers as a payload."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from cips.instruments.logic import NON_SUBSTANTIVE
from cips.instruments.schema import LIKERT_MAX, LIKERT_MIN, Instrument, ItemType
from cips.survey.i18n import ui


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyFormBase(FlaskForm):
    submission_uuid = HiddenField()
    started_at = HiddenField()
    invite_token = HiddenField()  # online campaigns: the ``t`` of an invitation link
    consent = BooleanField()


def build_form_class(definition: Instrument, lang: str) -> type[SurveyFormBase]:
    """One field per item, named by item id. Checks beyond types are the service's job,
    so the form and the API can never disagree on what is valid."""
    fields: dict[str, Any] = {}
    scale = definition.likert_labels[lang]
    words = ui(lang)
    for item in definition.items():
        if item.calculate:  # computed by the server, never asked
            continue
        label = item.text[lang]
        extra = [SelectChoice(word, words[word]) for word in item.non_substantive]
        if item.type is ItemType.likert5:
            choices = [SelectChoice(str(v), scale[v - LIKERT_MIN]) for v in range(LIKERT_MIN, LIKERT_MAX + 1)]
            fields[item.id] = RadioField(label, choices=choices + extra, validators=[Optional()])
        elif item.type is ItemType.single:
            choices = [SelectChoice(c.value, c.label[lang]) for c in item.choices or []]
            fields[item.id] = RadioField(label, choices=choices + extra, validators=[Optional()])
        elif item.type is ItemType.multi:
            choices = [SelectChoice(c.value, c.label[lang]) for c in item.choices or []]
            fields[item.id] = MultiCheckboxField(label, choices=choices, validators=[Optional()])
        elif item.type is ItemType.number:
            fields[item.id] = FloatField(label, validators=[Optional()])
        else:
            fields[item.id] = TextAreaField(label, validators=[Optional(), Length(max=item.max_length)])
    return type(f"SurveyForm_{definition.key}_{lang}", (SurveyFormBase,), fields)


def answers_from_form(form: SurveyFormBase, definition: Instrument) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in definition.items():
        if item.calculate:
            continue
        value = form[item.id].data
        if value in (None, "", []) or value == "None":
            continue
        if value in NON_SUBSTANTIVE:
            answers[item.id] = value
        elif item.type is ItemType.likert5:
            # An edited post may carry anything: passed on as it is, the service refuses it by name
            # ("²" is a digit to str.isdigit, not to int).
            answers[item.id] = int(value) if str(value).isascii() and str(value).isdigit() else value
        elif item.type is ItemType.number:
            answers[item.id] = int(value) if float(value).is_integer() else float(value)
        elif item.type is ItemType.text:
            if value.strip():
                answers[item.id] = value
        else:
            answers[item.id] = value
    return answers
