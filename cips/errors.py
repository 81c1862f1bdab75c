"""Error pages: JSON for API clients and ``Accept: application/json``, HTML otherwise."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _respond(status: int, message: str):
    if wants_json():
        return jsonify(error=message, field=None), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _respond(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        # Locked or unreachable database: the client keeps the record and retries.
        app.logger.warning("database unavailable: %s", exc)
        return _respond(503, "database temporarily unavailable, retry later")
