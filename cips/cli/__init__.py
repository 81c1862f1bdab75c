"""The ``cips`` command: Flask's CLI group for the app, plus the project's commands.

Commands are thin: parse arguments, call a service, print. They are registered on
the app (``init_app``) so that ``app.test_cli_runner()`` exercises them in tests.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def init_app(app: Flask) -> None:
    from cips.cli import briefing, campaigns, crypto, database, demo, exports, instruments, reports, users

    app.cli.add_command(database.db_group)
    app.cli.add_command(instruments.instruments_group)
    app.cli.add_command(users.user_group)
    app.cli.add_command(campaigns.campaign_group)
    app.cli.add_command(demo.demo_command)
    app.cli.add_command(reports.report_command)
    app.cli.add_command(briefing.briefing_command)
    crypto.register(app)  # keygen, decrypt (issue #9)
    app.cli.add_command(exports.export_command)


def _create_app():
    from cips import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """CIPS: Customs Integrity Perception Survey."""
