"""The ``manage`` blueprint and its template globals, apart from its views (they import it)."""

from flask import Blueprint, g
from flask_babel import get_locale

from analysis.privacy import suppress
from cips.extensions import db
from cips.services.labels import language_name as _language_name
from cips.services.labels import questionnaire_titles

bp = Blueprint("manage", __name__, url_prefix="/manage")
# Templates apply the small-cell rule through the same function as the code (macro ``count``).
bp.add_app_template_global(suppress, "suppress")


@bp.app_template_global()
def questionnaire_title(key: str) -> str:
    """A questionnaire key (``officials``) as its title in the interface language."""
    if "questionnaire_titles" not in g:
        g.questionnaire_titles = questionnaire_titles(db.session, str(get_locale()))
    return g.questionnaire_titles.get(key, key)


@bp.app_template_global()
def language_name(code: str) -> str:
    """A language code (``fr``) as its name in the interface language."""
    return _language_name(code, str(get_locale()))
