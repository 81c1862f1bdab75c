"""The ``cips`` command: Flask's CLI group for the app, plus the project's commands.

Commands are thin: parse arguments, call a service, print. They are registered on
the app (``init_app``) so that ``app.test_cli_runner()`` exercises them in tests.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy.exc import ArgumentError

from cips.cli.errors import wrap_commands


def init_app(app: Flask) -> None:
    from cips.cli import (
        actions,
        aggregates,
        backup,
        briefing,
        campaigns,
        crypto,
        database,
        demo,
        exports,
        instruments,
        reports,
        review,
        users,
    )

    app.cli.add_command(database.db_group)
    app.cli.add_command(instruments.instruments_group)
    app.cli.add_command(users.user_group)
    review.register(campaigns.campaign_group)  # exclude, reinstate, exclusions
    app.cli.add_command(campaigns.campaign_group)
    app.cli.add_command(demo.demo_command)
    app.cli.add_command(reports.report_command)
    app.cli.add_command(briefing.briefing_command)
    crypto.register(app)  # keygen, decrypt
    app.cli.add_command(exports.export_command)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(aggregates.aggregates_group)
    app.cli.add_command(actions.actions_group)
    app.cli.add_command(backup.restore_command)
    # A database that cannot be used is a one-line message in every command, not a traceback.
    for command in app.cli.commands.values():
        wrap_commands(command)


def _create_app():
    from cips import create_app

    try:
        return create_app()
    except ArgumentError as exc:  # raised while making the engine: the URL cannot be parsed
        raise click.ClickException(f"CIPS_DATABASE_URL is not a database URL ({exc}); "
                                   "expected e.g. postgresql+psycopg://user:password@host/name") from exc  # fmt: skip


class CipsGroup(FlaskGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        # FlaskGroup prints a traceback when the app cannot be made; say why in one line instead.
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except click.ClickException as exc:
            click.secho(f"Error: {exc.format_message()}\n", err=True, fg="red")
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)


@click.group(cls=CipsGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """CIPS: Customs Integrity Perception Survey."""
