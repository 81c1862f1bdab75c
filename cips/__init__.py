"""CIPS: Customs Integrity Perception Survey web application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for

from analysis.files import private_dir
from cips.config import Config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory (see the Flask tutorial): config, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    private_dir(instance)  # the database, its secret key and the report cache live here
    app.config.from_mapping(Config(instance).as_dict())
    if test_config is not None:
        app.config.from_mapping(test_config)

    if app.config["TRUSTED_PROXIES"]:
        # request.remote_addr (rate limits) is then the address the nearest trusted proxy saw;
        # X-Forwarded-For from anyone else would let a client choose its own address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from cips import counters, errors, i18n, security
    from cips.auth import init_app as init_auth
    from cips.extensions import csrf, db, limiter

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    counters.init_app(app)
    errors.init_app(app)
    init_auth(app)
    i18n.init_app(app)
    security.init_app(app)

    from cips.admin import bp as admin_bp
    from cips.api import bp as api_bp
    from cips.auth import bp as auth_bp
    from cips.manage import bp as manage_bp
    from cips.programme import bp as programme_bp
    from cips.survey import bp as survey_bp

    for blueprint in (api_bp, survey_bp, auth_bp, manage_bp, admin_bp, programme_bp):
        app.register_blueprint(blueprint)
    if app.config["BENCH_ENDPOINTS"]:  # bench/ingest.py only: a no-storage ceiling endpoint
        from cips.api.bench import bp as bench_bp

        app.register_blueprint(bench_bp)

    from cips.cli.commands import init_app as init_cli

    init_cli(app)

    @app.get("/")
    def index():
        # Respondents arrive by a campaign link; whoever opens the bare address is staff.
        from flask_login import current_user

        from cips.auth.routes import home_for

        if current_user.is_authenticated:
            return redirect(home_for(current_user.role))
        return redirect(url_for("auth.login"))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
