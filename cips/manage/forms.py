"""Forms of the manager side; quotas are edited as text, one stratum per line."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from cips.auth.forms import StrongPassword
from cips.choices import options
from cips.i18n import LANGUAGES
from cips.models import CampaignMode, Role
from cips.models.campaign import LATE_GRACE_DAYS, MAX_LATE_GRACE_DAYS, NAME_MAX
from cips.models.user import PASSWORD_MIN
from cips.services.actions import MAX_WHAT_CHARS
from cips.services.campaigns import CampaignError, check_slug
from cips.services.exclusions import MAX_REASON_CHARS
from cips.services.messages import N_, localized
from cips.services.users import is_email

#: ``officials: region=north,function=clearance = 40`` with an optional ``/ 320`` population.
QUOTA_LINE = re.compile(r"^\s*(?P<inst>[a-z0-9_]+)\s*:\s*(?P<stratum>[^=\s]+=[^=\s]+(?:\s*,\s*[^=\s]+=[^=\s]+)*)"
                        r"\s*=\s*(?P<target>\d+)\s*(?:/\s*(?P<population>\d+))?\s*$")  # fmt: skip


#: Role names in the page language (lazy), values as stored.
ROLE_NAMES = {Role.admin: _l("administrator"), Role.manager: _l("manager"), Role.enumerator: _l("enumerator"),
              Role.observer: _l("programme observer"),
              Role.reviewer: _l("reviewer")}  # fmt: skip


class AtLeastOne:
    """Like DataRequired for a list of checkboxes, without the HTML ``required`` flag: on a
    checkbox that flag would make the browser demand that *every* box be ticked."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if not field.data:
            raise ValidationError(self.message or _l("Choose at least one."))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def campaign_slug(form: FlaskForm, field: Any) -> None:
    """The service's rule (``cips.services.campaigns.check_slug``): one rule for the CLI and the web."""
    try:
        check_slug(field.data or "")
    except CampaignError as exc:
        raise ValidationError(_l("Lower-case letters, digits and hyphens only.")) from exc


def parse_quotas(text: str) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Quota text → ``(quotas, populations)``; a ValueError names the line that is wrong."""
    quotas: dict[str, dict[str, int]] = {}
    populations: dict[str, dict[str, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = QUOTA_LINE.match(line)
        if match is None:
            raise ValueError(N_("line %(line)s: expected 'instrument: item=value[,item=value] = target [/ population]'",
                                line=number))  # fmt: skip
        stratum = ",".join(part.strip() for part in match["stratum"].split(","))
        if stratum in quotas.get(match["inst"], {}):
            raise ValueError(N_("line %(line)s: %(key)s: %(stratum)s has a target already", line=number,
                                key=match["inst"], stratum=stratum))  # fmt: skip
        quotas.setdefault(match["inst"], {})[stratum] = int(match["target"])
        if match["population"]:
            population = int(match["population"])
            if population < int(match["target"]):
                raise ValueError(N_("line %(line)s: the population is smaller than the target", line=number))
            populations.setdefault(match["inst"], {})[stratum] = population
    return quotas, populations


def format_quotas(quotas: dict[str, Any], populations: dict[str, Any]) -> str:
    lines = []
    for inst, targets in quotas.items():
        for stratum, target in targets.items():
            population = (populations.get(inst) or {}).get(stratum)
            lines.append(f"{inst}: {stratum} = {target}" + (f" / {population}" if population else ""))
    return "\n".join(lines)


class CampaignForm(FlaskForm):
    slug = StringField(_l("Short name in links"), validators=[DataRequired(), Length(max=64), campaign_slug])
    # No maxlength attribute: the browser would cut a pasted name silently; the server says why.
    name = StringField(_l("Name"), render_kw={"maxlength": False}, validators=[
        DataRequired(), Length(max=NAME_MAX, message=_l("At most %(n)s characters.", n=NAME_MAX))])  # fmt: skip
    name_max = NAME_MAX
    wave = IntegerField(_l("Wave"), default=1, validators=[DataRequired(), NumberRange(min=1, max=100)])
    mode = SelectField(_l("Mode"), choices=options([(CampaignMode.station.value, _l("Survey station (tablets)")),
                                                    (CampaignMode.online.value, _l("Online, by link"))]))  # fmt: skip
    instruments = MultiCheckboxField(_l("Questionnaires"), validators=[AtLeastOne()])
    languages = MultiCheckboxField(_l("Languages"), choices=options(LANGUAGES.items()),
                                   validators=[AtLeastOne()])  # fmt: skip
    opens_at = DateField(_l("Opens on"), validators=[Optional()])
    closes_at = DateField(_l("Closes on (exclusive)"), validators=[Optional()])
    late_grace_days = IntegerField(
        _l("Days after closing for late uploads (records finished before closing, from tablets that sync late)"),
        default=LATE_GRACE_DAYS, validators=[Optional(), NumberRange(min=0, max=MAX_LATE_GRACE_DAYS)],
    )  # fmt: skip
    invite_only = BooleanField(_l("Only respondents with an invitation link may answer (online mode)"))
    quotas = TextAreaField(_l("Target sample per stratum"), render_kw={"rows": 8, "spellcheck": "false"})
    submit = SubmitField(_l("Save"))

    @property
    def grace_days(self) -> int:
        """The grace period asked for; left blank, the default."""
        return LATE_GRACE_DAYS if self.late_grace_days.data is None else self.late_grace_days.data

    def validate_quotas(self, field: Any) -> None:
        try:
            self.parsed_quotas = parse_quotas(field.data or "")
        except ValueError as exc:
            raise ValidationError(localized(exc)) from exc


class StatusForm(FlaskForm):
    status = SelectField(choices=options([("open", _l("Open")), ("closed", _l("Closed")), ("draft", _l("Draft"))]))
    #: Set by the confirmation page: closing a live campaign takes a second, deliberate step.
    confirm = HiddenField()
    submit = SubmitField(_l("Change status"))


class TextAnalysisForm(FlaskForm):
    submit = SubmitField(_l("Prepare the text analysis"))


class InviteForm(FlaskForm):
    count = IntegerField(_l("Number of invitation links"), default=50,
                         validators=[DataRequired(), NumberRange(min=1, max=10_000)])  # fmt: skip
    require = BooleanField(_l("Make the campaign invitation-only"))
    submit = SubmitField(_l("Generate and download"))


class PinForm(FlaskForm):
    pin = PasswordField(_l("New station PIN (4 to 8 digits)"),
                        validators=[DataRequired(), Regexp(r"^[0-9]{4,8}$", message=_l("4 to 8 digits."))])  # fmt: skip
    submit = SubmitField(_l("Set PIN"))


#: Exclusion categories (``cips.models.ExclusionCategory``) in words, in the interface language.
EXCLUSION_LABELS = {
    "test": _l("test or training record"),
    "duplicate": _l("duplicate of another record"),
    "fabricated": _l("suspected fabrication"),
    "careless": _l("careless answering (speeding, straight-lining)"),
    "ineligible": _l("respondent outside the surveyed population"),
    "other": _l("other reason"),
}


#: Quality flags (``analysis.quality.FLAGS``) in words, in the interface language.
FLAG_LABELS = {
    "speeder": _l("finished much faster than most"),
    "straight_lining": _l("same answer to every statement of most blocks"),
    "near_duplicate": _l("nearly the same answers as another record of the tablet"),
    "burst": _l("more interviews finished on one tablet than fit in the time"),
    "copied_text": _l("open answer identical to another respondent's"),
}


class ExcludeForm(FlaskForm):
    uuid = StringField(_l("Submission uuid"), validators=[DataRequired(), Length(max=64)])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=MAX_REASON_CHARS)])
    submit = SubmitField(_l("Exclude"))


class ReinstateForm(FlaskForm):
    uuid = HiddenField(validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Count again"))


class ExportForm(FlaskForm):
    format = SelectField(
        _l("Format"), choices=options([("xlsx", "Excel (.xlsx)"), ("csv", "CSV"), ("sav", "SPSS (.sav)")])
    )
    lang = SelectField(_l("Language of labels"), choices=options(LANGUAGES.items()))
    instrument = SelectField(_l("Questionnaire"), validators=[Optional()])
    where = StringField(_l("Only respondents where"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Download"))


class ReportForm(FlaskForm):
    lang = SelectField(_l("Language"), choices=options(LANGUAGES.items()))
    submit = SubmitField(_l("Show report"))


BRIEFING_FORMATS = [("docx", "Word (.docx)"), ("md", "Markdown (.md)")]


class BriefingForm(FlaskForm):
    contributions = FileField(_l("Contributions (CSV or JSONL)"), validators=[
        FileRequired(),
        FileAllowed(["csv", "tsv", "txt", "jsonl", "ndjson", "json"], _l("A .csv or .jsonl file."))])  # fmt: skip
    # Choices set by the view (analysis.briefing.inputs.ENCODINGS): importing the briefing
    # package here would load its scikit-learn stack in every worker at start-up.
    encoding = SelectField(_l("Encoding of the file"), default="")
    questions = FileField(_l("Questions (YAML, optional)"), validators=[
        Optional(), FileAllowed(["yaml", "yml"], _l("A .yaml file."))])  # fmt: skip
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    meeting = StringField(_l("Meeting"), validators=[Optional(), Length(max=200)])
    lang = SelectField(_l("Language of the briefing"), choices=options(LANGUAGES.items()))
    format = SelectField(_l("Format"), choices=options(BRIEFING_FORMATS))
    #: Saved, its contributions can be reviewed before the briefing is built (``cips.manage.briefing_review``).
    save = BooleanField(_l("Keep it, to review the factors of its contributions before building it"))
    submit = SubmitField(_l("Build the briefing"))


class BuildBriefingForm(FlaskForm):
    format = SelectField(_l("Format"), choices=options(BRIEFING_FORMATS))
    submit = SubmitField(_l("Build the briefing with the current decisions"))


def account_email(form: FlaskForm, field: Any) -> None:
    """The service's rule (``cips.services.users.EMAIL``), so the form and ``cips user create`` agree."""
    if not is_email((field.data or "").strip().lower()):
        raise ValidationError(_l("Enter an email address."))


class UserForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254), account_email])
    role = SelectField(_l("Role"), choices=options((role.value, ROLE_NAMES[role]) for role in Role))
    administration = SelectField(_l("Administration"), coerce=int)
    password = PasswordField(_l("Initial password (%(min)s characters or more, not a common one)", min=PASSWORD_MIN),
                             validators=[DataRequired(), StrongPassword()])  # fmt: skip
    submit = SubmitField(_l("Create user"))


class UserEditForm(FlaskForm):
    role = SelectField(_l("Role"), choices=options((role.value, ROLE_NAMES[role]) for role in Role))
    administration = SelectField(_l("Administration"), coerce=int)
    is_active = BooleanField(_l("Active"))
    password = PasswordField(_l("New password (leave empty to keep)"), validators=[Optional(), StrongPassword()])
    submit = SubmitField(_l("Save"))


class AdministrationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # "ar" is what people type: taken as "AR" (the stored form) rather than refused.
    country_code = StringField(_l("Country code (ISO 3166 alpha-2)"), filters=[lambda v: v.strip().upper() if v else v],
                               validators=[Optional(), Regexp(r"^[A-Z]{2}$", message=_l("Two letters, e.g. AR."))],
                               )  # fmt: skip
    submit = SubmitField(_l("Add administration"))


class MeasureForm(FlaskForm):
    factor = SelectField(_l("Factor"), validators=[DataRequired()])
    what = TextAreaField(_l("Measure"), validators=[DataRequired(), Length(max=MAX_WHAT_CHARS)])
    owner = StringField(_l("Unit in charge"), validators=[DataRequired(), Length(max=200)])
    due = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(_l("Status"))  # choices in the page language: set by the view
    evidence_url = StringField(_l("Evidence (link)"), validators=[Optional(), Length(max=500)])
    shared = BooleanField(_l("May be shared with the programme (what, status and due date only)"))
    submit = SubmitField(_l("Record the measure"))


class MeasureStatusForm(FlaskForm):
    measure_id = HiddenField(validators=[DataRequired()])
    status = SelectField(_l("Status"))  # choices in the page language: set by the view
    evidence_url = StringField(_l("Evidence (link)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Update"))


class ReviewForm(FlaskForm):
    """One decision of the review queue; the codes themselves are checked by ``cips.services.coding``."""

    answer_id = IntegerField(validators=[DataRequired()])
    labels = SelectMultipleField(choices=[], validate_choice=False)
    primary = StringField()


class SecondCodingForm(FlaskForm):
    percent = IntegerField(_l("Share of reviewed answers coded a second time, in per cent"), default=10,
                           validators=[InputRequired(), NumberRange(min=0, max=100)])  # fmt: skip
    submit = SubmitField(_l("Set the second-coding share"))


class ReviewWorkbookForm(FlaskForm):
    workbook = FileField(_l("Filled-in review workbook (.xlsx)"), validators=[
        FileRequired(), FileAllowed(["xlsx"], _l("A .xlsx file."))])  # fmt: skip
    submit = SubmitField(_l("Show what it changes"))


class ReviewApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    submit = SubmitField(_l("Import these codes"))
