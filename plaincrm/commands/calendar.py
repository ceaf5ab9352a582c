"""plaincrm calendar: the reminder feed (.ics) that calendar apps subscribe to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from plaincrm.cli import App, date_option, output_option, owner_filter_of, pass_app
from plaincrm.config import MAX_MONTHS
from plaincrm.errors import PlaincrmError


@click.command()
@output_option("Write the feed to FILE (atomically, and only when it changed) instead of "
               "standard output")
@click.option("--owner", "owners", multiple=True, metavar="NAME",
              help="Only this staff member's reminders (a task's @owner wins over the "
                   "profile's owner); repeatable. A name nobody in the vault has is an error "
                   "listing the owners.")
@click.option("--months", type=click.IntRange(min=0, max=MAX_MONTHS), default=None,
              metavar="N", help="How many months ahead one-off reminders reach, at most "
                                f"{MAX_MONTHS} (default: calendar.months).")
@date_option
@pass_app
def calendar(app: App, output: Path | None, owners: tuple[str, ...], months: int | None,
             today: dt.datetime | None) -> None:
    """Write every reminder as an iCalendar feed for calendar apps to subscribe to.

    Birthdays and anniversaries recur every year; services, tasks and keep-in-touch
    reminders sit on their due date. See docs/calendar.md for subscribing.

    \b
    Example:
      plaincrm calendar -o ~/Public/reminders.ics
    """
    from plaincrm.ical import save_feed, write_feed_to

    day = today.date() if today else None
    vault = app.open()
    owner = owner_filter_of(vault, owners)
    if output is None:
        with click.open_file("-", "wb") as stdout:  # binary standard output, left open
            write_feed_to(stdout, vault, owner=owner,  # type: ignore[arg-type]
                          today=day, months=months)
        return
    try:
        wrote, stats = save_feed(output, vault, owner=owner, today=day, months=months)
    except OSError as exc:
        raise PlaincrmError(f"cannot write {output}: {exc.strerror or exc}") from None
    count = f"({stats.events} event{'s' if stats.events != 1 else ''})"
    app.err(f"plaincrm: wrote {output} {count}" if wrote else
            f"plaincrm: {output} unchanged {count}")
