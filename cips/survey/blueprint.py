"""The ``survey`` blueprint, apart from its views so that they import it without importing the package."""

from flask import Blueprint

# Assets live under /s/_static/: a campaign slug cannot start with "_", so no
# campaign can shadow them, and they sit beside the PWA they belong to.
bp = Blueprint("survey", __name__, url_prefix="/s", template_folder="templates", static_folder="static",
               static_url_path="/_static")  # fmt: skip
