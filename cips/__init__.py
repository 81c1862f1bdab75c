"""CIPS: Customs Integrity Perception Survey web application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from cips.config import Config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory (see the Flask tutorial): config, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(Config(instance).as_dict())
    if test_config is not None:
        app.config.from_mapping(test_config)

    from cips import errors
    from cips.extensions import csrf, db, limiter

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)

    from cips.api import bp as api_bp
    from cips.survey import bp as survey_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(survey_bp)

    from cips.cli import init_app as init_cli

    init_cli(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
