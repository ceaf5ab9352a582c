"""plaincrm done: tick an open task."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm import change
from plaincrm.cli import App, date_option, pass_app


@click.command()
@click.argument("name")
@click.argument("text", default="")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help="Only the task dated this day (one of two alike).")
@click.option("--line", type=click.IntRange(min=1), default=None,
              help="Only the task on this line of the file (as the candidates list shows).")
@click.option("--last", is_flag=True, help="A repeating task: tick it without writing the "
                                           "next one.")
@click.option("--commit", is_flag=True, help="Commit the profile alone to git afterwards.")
@date_option
@pass_app
def done(app: App, name: str, text: str, on: dt.datetime | None, line: int | None, last: bool,
         commit: bool, today: dt.datetime | None) -> None:
    """Mark done the open task of NAME whose text contains TEXT.

    Case and accents do not matter; TEXT may start with the task's date, as the
    list of candidates shows it. When several open tasks match, they are listed
    and nothing changes (exit 5): pick one with --on DATE or --line LINE. When
    none does, exit 11. A repeating task, '(every 7 days)' in its text, gets its
    next one written below it (docs/format.md).

    \b
    Example:
      plaincrm done "jane roe" quote
      plaincrm done "jane roe" "call back" --on 2026-12-05
    """
    vault = app.open()
    report(app, change.tick(vault.root, vault, name, text, commit,
                            on=on.date() if on else None, line=line,
                            today=today.date() if today else None, last=last))


def report(app: App, result: change.Change) -> None:
    """The written line as ``path:line: text``, and the commit when one was made."""
    app.echo(f"{result.path}:{result.line}: {result.text}")
    if result.commit:
        app.echo(f"committed {result.commit} {result.message}")
