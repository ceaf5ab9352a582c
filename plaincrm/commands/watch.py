"""plaincrm watch: keep the index and the calendar file fresh while the vault is edited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from plaincrm.cli import App, date_option, owner_filter_of, pass_app
from plaincrm.commands.running import until_stopped


@click.command()
@click.option("--calendar", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="Rewrite this iCalendar file on every change (only when "
                                   "its content changes). It may be inside the vault.")
@click.option("--owner", default=None, metavar="NAME",
              help="Only this staff member's reminders in the calendar file (and figures in "
                   "the pulse page); a name nobody in the vault has is an error.")
@click.option("--pulse", "pulse_page", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE", help="Keep this HTML page of plaincrm pulse up to "
                                                 "date (rewritten only when it changes).")
@click.option("--poll", is_flag=True, help="Poll the folder every second instead of asking "
                                           "the OS for events (network drives).")
@date_option
@pass_app
def watch(app: App, calendar: Path | None, owner: str | None, pulse_page: Path | None,
          poll: bool, today: dt.datetime | None) -> None:
    """Watch the vault and rebuild on every change, one line per rebuild, until Ctrl-C.

    The index is updated for the changed files only; an editor's burst of saves or a git
    checkout makes one rebuild, and nothing is read while git is mid-merge or mid-rebase.

    \b
    Examples:
      plaincrm watch --calendar ~/Calendars/reminders.ics
      plaincrm watch --pulse ~/pulse.html
    """
    from plaincrm.watch import POLL_INTERVAL, Watcher, calendar_output

    root = app.root
    if owner is not None:  # a name nobody has is an error now, not an empty file for ever
        from plaincrm.loader import open_vault

        vault = open_vault(root, note=app.note)
        try:
            vault.refresh()
            owner_filter_of(vault, (owner,))
        finally:
            vault.close()
    outputs, own = [], []
    if calendar is not None:
        target = calendar.expanduser().resolve()
        outputs.append(calendar_output(target, owner=owner))
        own.append(target)
    if pulse_page is not None:
        from plaincrm.pulse.gather import page_output

        target = pulse_page.expanduser().resolve()
        outputs.append(page_output(target, owner=owner))
        own.append(target)
    watcher = Watcher(root, outputs, app.echo, own=own, note=app.note,
                      today=today.date() if today else None,
                      poll=POLL_INTERVAL if poll else None)
    app.err(f"watching {root} (Ctrl-C stops)")
    until_stopped(watcher.run)
    app.err("stopped")
