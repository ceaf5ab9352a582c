"""plaincrm task: add a dated open task to a profile."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm import change
from plaincrm.cli import App, pass_app
from plaincrm.commands.done import report


@click.command()
@click.argument("name")
@click.argument("date", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE")
@click.argument("text")
@click.option("--owner", help="Short name of who does it (written as @owner).")
@click.option("--commit", is_flag=True, help="Commit the profile alone to git afterwards.")
@pass_app
def task(app: App, name: str, date: dt.datetime, text: str, owner: str | None,
         commit: bool) -> None:
    """Add the open task '- [ ] DATE TEXT' to NAME's profile (DATE is YYYY-MM-DD).

    It goes after the last task in the file, else before the Log section, else
    at the end. Nothing else in the file changes.

    \b
    Example:
      plaincrm task "jane roe" 2026-12-01 "Send the quote for the new valve" --owner sam
    """
    vault = app.open()
    report(app, change.add_task(vault.root, vault.profiles(full=False), name, date.date(), text,
                                owner, commit))
