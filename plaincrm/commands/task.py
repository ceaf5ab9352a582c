"""plaincrm task: add a dated open task to a profile, or move one to another day."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm import change
from plaincrm.cli import App, pass_app
from plaincrm.commands.done import report
from plaincrm.errors import BadValue

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("name")
@click.argument("date", type=DAY, metavar="DATE", required=False)
@click.argument("text", required=False)
@click.option("--owner", help="Short name of who does it (written as @owner).")
@click.option("--move", nargs=2, metavar="TEXT NEW_DATE", default=None,
              help="Reschedule the open task whose text contains TEXT to NEW_DATE.")
@click.option("--on", "on", type=DAY, default=None, metavar="YYYY-MM-DD",
              help="With --move: only the task dated this day (one of two alike).")
@click.option("--line", type=click.IntRange(min=1), default=None,
              help="With --move: only the task on this line of the file.")
@click.option("--commit", is_flag=True, help="Commit the profile alone to git afterwards.")
@pass_app
def task(app: App, name: str, date: dt.datetime | None, text: str | None, owner: str | None,
         move: tuple[str, str] | None, on: dt.datetime | None, line: int | None,
         commit: bool) -> None:
    """Add the open task '- [ ] DATE TEXT' to NAME's profile (DATE is YYYY-MM-DD),
    or with --move TEXT NEW_DATE give an open task a new date.

    A new task goes after the last task in the file, else before the Log section,
    else at the end. A moved task keeps its place; only its date changes. Nothing
    else in the file changes. '(every 2 weeks)' in TEXT makes it repeat
    (docs/format.md).

    \b
    Example:
      plaincrm task "jane roe" 2026-12-01 "Send the quote for the new valve" --owner sam
      plaincrm task "jane roe" --move quote 2026-12-08
    """
    vault = app.open()
    if move is not None:
        if date is not None or text is not None or owner is not None:
            raise BadValue("--move TEXT NEW_DATE takes no DATE, TEXT or --owner")
        query, new_date = move
        try:
            day = dt.date.fromisoformat(new_date)
        except ValueError:
            raise BadValue(f"--move: {new_date!r} is not a date; write YYYY-MM-DD") from None
        report(app, change.move_task(vault.root, vault, name, query, day,
                                     on.date() if on else None, line, commit))
        return
    if date is None or text is None:
        raise BadValue("give DATE and TEXT for a new task, or --move TEXT NEW_DATE")
    report(app, change.add_task(vault.root, vault, name, date.date(), text,
                                owner, commit, style=vault.config["tasks.format"]))
