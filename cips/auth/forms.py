"""Sign-in and preference forms (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from cips.choices import options
from cips.i18n import LANGUAGES
from cips.models.user import PASSWORD_MAX
from cips.services.passwords import secret_problem

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an email address."))


class StrongPassword:
    """The password rule (``cips.services.passwords``) as a field error, in the page's language.

    The account's email is what the password must not lean on: the form's ``email`` field
    when it has one (a new user), the signed-in user's own for ``own_account`` (``/account``).
    """

    def __init__(self, own_account: bool = False) -> None:
        self.own_account = own_account

    def __call__(self, form: FlaskForm, field: Any) -> None:
        context = [form.email.data or ""] if "email" in form else []
        if self.own_account and current_user.is_authenticated:
            context.append(current_user.email)
        problem = secret_problem(field.data or "", context)
        if problem is not None:
            raise ValidationError(problem.translated())


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), EMAIL])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    submit = SubmitField(_l("Sign in"))


class PreferencesForm(FlaskForm):
    locale = SelectField(
        _l("Interface language"), choices=options([("", _l("Same as my browser")), *LANGUAGES.items()])
    )
    submit = SubmitField(_l("Save"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword(own_account=True)])
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("new", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Change password"))


class CodeForm(FlaskForm):
    """A second-factor code: six digits from the app, or a recovery code."""

    code = StringField(
        _l("Code"), validators=[DataRequired(), Length(max=20)], render_kw={"autocomplete": "one-time-code"}
    )
    submit = SubmitField(_l("Continue"))
