"""Sign-in and preference forms (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from cips.choices import options
from cips.i18n import UI_LANGUAGES
from cips.models.user import PASSWORD_MAX, PASSWORD_MIN

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an email address."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), EMAIL])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    submit = SubmitField(_l("Sign in"))


class PreferencesForm(FlaskForm):
    locale = SelectField(
        _l("Interface language"), choices=options([("", _l("Same as my browser")), *UI_LANGUAGES.items()])
    )
    submit = SubmitField(_l("Save"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)])
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("new", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Change password"))
