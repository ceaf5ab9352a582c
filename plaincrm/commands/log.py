"""plaincrm log: write down a contact in the profile's Log section."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm import change
from plaincrm.cli import App, pass_app
from plaincrm.commands.done import report
from plaincrm.reminders import service_due


@click.command()
@click.argument("name")
@click.argument("text")
@click.option("--kind", default="note", show_default=True,
              help="What happened: one word such as call, visit, email or service.")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help="The day it happened (default: today).")
@click.option("--commit", is_flag=True, help="Commit the profile alone to git afterwards.")
@pass_app
def log(app: App, name: str, text: str, kind: str, day: dt.datetime | None,
        commit: bool) -> None:
    """Append '- DATE kind: TEXT' to the Log section of NAME's profile.

    The entry goes after the last entry (a back-dated one into date order); a
    profile without a Log section gets '## Log' at its end. A 'service' entry
    moves the next service due date. Nothing else in the file changes.

    \b
    Example:
      plaincrm log "jane roe" "Asked about her knee: recovering well." --kind call
    """
    vault = app.open()
    when = day.date() if day else dt.date.today()
    done = change.log(vault.root, vault, name, text, kind, when, commit)
    report(app, done)
    service = service_due(done.profile) if done.profile and kind.lower() == "service" else None
    if service is not None:
        app.echo(f"next service due {service[0].isoformat()}")
