"""Checks about time: dates that cannot be right, undated tasks, stale profiles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from plaincrm.checks.base import Context, problem
from plaincrm.model import Problem, Profile, Severity

MAX_AGE_YEARS = 120


def check_dates(profile: Profile, ctx: Context) -> Iterator[Problem]:
    """Birthdays in the future or over 120 years ago, log entries after today,
    ``service_due`` before ``customer_since``. (Unreal dates are the loader's ``invalid-date``.)"""
    today = ctx.today
    b = profile.birthday
    if b is not None and b.year is not None:
        born = (b.year, b.month, b.day)
        line = profile.field_line("birthday")
        if born > (today.year, today.month, today.day):
            yield problem(profile, line, "invalid-date", f"birthday {b} is in the future")
        elif born < (today.year - MAX_AGE_YEARS, today.month, today.day):
            yield problem(profile, line, "invalid-date",
                          f"birthday {b} is more than {MAX_AGE_YEARS} years ago")
    for entry in profile.log:
        if entry.date > today:
            yield problem(profile, entry.location.line, "invalid-date",
                          f"log entry dated {entry.date} is after today ({today})")
    due, since = profile.service_due, profile.customer_since
    if due is not None and since is not None and due < since:
        yield problem(profile, profile.field_line("service_due"), "invalid-date",
                      f"service_due {due} is before customer_since {since}")


def check_undated_tasks(profile: Profile, ctx: Context) -> Iterator[Problem]:
    for task in profile.tasks:
        if task.date is None and not task.done:
            yield problem(profile, task.location.line, "undated-task",
                          f"open task without a date: start it with YYYY-MM-DD ({task.text!r})",
                          Severity.WARNING)


def check_stale(profile: Profile, ctx: Context) -> Iterator[Problem]:
    """An active profile nobody logged contact with lately; a file nobody changed lately."""
    if profile.status == "active":
        limit = ctx.config["checks.stale_days"]
        newest = profile.newest_log()
        last = newest.date if newest else profile.customer_since
        line = newest.location.line if newest else profile.field_line("status")
        if last is None:
            yield problem(profile, line, "stale", "active, but there is no log entry yet",
                          Severity.WARNING)
        elif (ctx.today - last).days > limit:
            what = "the newest log entry is" if newest else "no log entry since customer_since"
            yield problem(profile, line, "stale",
                          f"active, but {what} {last} ({(ctx.today - last).days} days ago, "
                          f"more than checks.stale_days = {limit})", Severity.WARNING)
    changed = ctx.last_changed.get(profile.path)
    review = ctx.config["checks.review_days"]
    if changed is not None and (ctx.today - changed).days > review:
        yield problem(profile, 1, "stale",
                      f"unchanged since {changed} ({(ctx.today - changed).days} days, more "
                      f"than checks.review_days = {review}): review it", Severity.WARNING)


def file_day(timestamp: float) -> dt.date:
    """The local calendar day of a POSIX timestamp."""
    return dt.datetime.fromtimestamp(timestamp).date()
