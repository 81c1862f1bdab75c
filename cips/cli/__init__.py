"""The ``cips`` command: Flask's CLI group for the app, plus the project's commands.

Commands are thin: parse arguments, call a service, print. They are registered on
the app (:func:`cips.cli.commands.init_app`) so that ``app.test_cli_runner()`` exercises them in tests.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy.exc import ArgumentError

from cips import create_app
from cips.config import ConfigError


def _create_app():
    try:
        return create_app()
    except ConfigError as exc:  # a malformed CIPS_* variable: the message names it
        raise click.ClickException(str(exc)) from exc
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
