"""The ``cips`` command: Flask's CLI group for the app, plus the project's commands.

Commands are thin: parse arguments, call a service, print. They are registered on
the app (:func:`cips.cli.commands.init_app`) so that ``app.test_cli_runner()`` exercises them in tests.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo

from cips import create_app
from cips.config import ConfigError


def _create_app():
    try:
        return create_app()
    except ConfigError as exc:  # a malformed CIPS_* variable (CIPS_DATABASE_URL too): the message names it
        raise click.ClickException(str(exc)) from exc


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
