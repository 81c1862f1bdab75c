"""Every ``cips`` command, registered on the app by :func:`create_app <cips.create_app>`."""

from __future__ import annotations

from flask import Flask

from cips.cli import (
    actions,
    aggregates,
    backup,
    briefing,
    campaigns,
    coding_review,
    crypto,
    database,
    demo,
    exports,
    instruments,
    reports,
    review,
    text,
    users,
)
from cips.cli.errors import wrap_commands


def init_app(app: Flask) -> None:
    app.cli.add_command(database.db_group)
    app.cli.add_command(instruments.instruments_group)
    app.cli.add_command(users.user_group)
    review.register(campaigns.campaign_group)  # exclude, reinstate, exclusions
    app.cli.add_command(campaigns.campaign_group)
    app.cli.add_command(demo.demo_command)
    app.cli.add_command(reports.report_command)
    app.cli.add_command(text.text_group)
    app.cli.add_command(briefing.briefing_command)
    crypto.register(app)  # keygen, decrypt
    app.cli.add_command(exports.export_command)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(aggregates.aggregates_group)
    app.cli.add_command(actions.actions_group)
    app.cli.add_command(coding_review.review_group)
    app.cli.add_command(backup.restore_command)
    # A database that cannot be used is a one-line message in every command, not a traceback.
    for command in app.cli.commands.values():
        wrap_commands(command)
