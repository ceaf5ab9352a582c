"""The reminder model: pure functions from a profile (and a day) to what is due.

The agenda, the calendar and every later command use these; nothing else computes a due date.

Two sorts of reminder:
- *actionable* ones (``service``, ``task``, ``keep_in_touch``) fall due once and stay overdue
  until somebody acts (logs the service, ticks the task, logs a contact);
- *yearly* ones (``birthday``, ``anniversary``, config dates marked ``yearly``) and ``once``
  config dates just happen on their day and are never overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plaincrm.config import Config
from plaincrm.fields import FieldError
from plaincrm.model import Birthday, Location, Profile

ACTIONABLE = frozenset({"service", "task", "keep_in_touch"})
BUILTIN_KINDS = ("birthday", "service", "task", "keep_in_touch", "anniversary")


@dataclass(frozen=True, slots=True)
class Reminder:
    """One thing due for one person on one day."""

    location: Location  # the profile, at the line the reminder comes from
    kind: str  # birthday | service | task | keep_in_touch | anniversary | a config date key
    date: dt.date  # the day it is due (for yearly reminders: this occurrence)
    name: str  # the person's display name
    text: str  # what is due, e.g. "turns 43", "service due (every 1 year)"
    owner: str | None
    profile_id: str | None = None
    actionable: bool = False  # can be overdue
    yearly_from: dt.date | None = None  # yearly reminders: the first occurrence
    yearly_month_day: tuple[int, int] | None = None  # yearly: the day it recurs on

    @property
    def path(self) -> str:
        return self.location.path


def next_yearly(month: int, day: int, on_or_after: dt.date) -> dt.date:
    """The first (month, day) on or after ``on_or_after``; 29 Feb is 28 Feb in common years."""
    anchor = Birthday(month=month, day=day)
    this_year = anchor.in_year(on_or_after.year)
    return this_year if this_year >= on_or_after else anchor.in_year(on_or_after.year + 1)


def service_due(profile: Profile) -> tuple[dt.date, Location] | None:
    """When the next service is due, and the line that says so: the later of ``service_due``
    and (the newest ``service`` log entry + ``service_every``); None without either.

    Without ``service_every`` the service is due on ``service_due`` until a service is logged
    on or after that day (then nothing is due until the date moves); a service logged before
    it was the previous one. With ``service_every`` but no ``service_due`` and no service
    logged, nothing says when the first one is due: None.
    """
    candidates: list[tuple[dt.date, Location]] = []
    last = profile.newest_log("service")
    if profile.service_due is not None:
        done = profile.service_every is None and last is not None \
            and last.date >= profile.service_due
        if not done:
            candidates.append((profile.service_due,
                               Location(profile.path, profile.field_line("service_due"))))
    if profile.service_every is not None and last is not None:
        candidates.append((profile.service_every.add_to(last.date), last.location))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])


def contact_due(profile: Profile, config: Config, today: dt.date) -> tuple[dt.date, str,
                                                                            Location] | None:
    """When to get in touch next: ``contact_every`` (the profile's, else the status default)
    after the newest log entry; with no entry, after ``customer_since``, else today."""
    every = profile.contact_every
    if every is None:
        try:
            every = config.contact_every(profile.status)
        except FieldError:
            return None
    if every is None:
        return None
    last = profile.newest_log()
    if last is not None:
        return (every.add_to(last.date),
                f"get in touch (every {every})",
                last.location)
    if profile.customer_since is not None:
        return (every.add_to(profile.customer_since),
                f"get in touch (no contact logged since {profile.customer_since.isoformat()})",
                Location(profile.path, profile.field_line("customer_since")))
    return today, "get in touch (no contact logged yet)", Location(profile.path, 1)


def reminders(profile: Profile, config: Config, today: dt.date) -> list[Reminder]:
    """Every reminder of ``profile`` as of ``today``: actionable ones on their due date (past
    dates mean overdue), yearly ones on their next occurrence on or after ``today``, ``once``
    dates on their date."""
    name, owner, pid, path = profile.display_name, profile.owner, profile.id, profile.path
    out: list[Reminder] = []

    def add(kind: str, date: dt.date, text: str, line_or_loc: int | Location,
            task_owner: str | None = None, **extra: object) -> None:
        loc = line_or_loc if isinstance(line_or_loc, Location) else Location(path, line_or_loc)
        out.append(Reminder(loc, kind, date, name, text, task_owner or owner, pid,
                            actionable=kind in ACTIONABLE, **extra))  # type: ignore[arg-type]

    b = profile.birthday
    if b is not None:
        when = next_yearly(b.month, b.day, today)
        text = "birthday" if b.year is None else f"turns {when.year - b.year}"
        first = b.in_year(b.year) if b.year is not None else None
        if b.year is None or when.year > b.year:
            add("birthday", when, text, profile.field_line("birthday"),
                yearly_from=first, yearly_month_day=(b.month, b.day))

    service = service_due(profile)
    if service is not None:
        every = f" (every {profile.service_every})" if profile.service_every else ""
        add("service", service[0], f"service due{every}", service[1])

    for task in profile.tasks:
        if not task.done and task.date is not None:
            add("task", task.date, task.text, task.location.line, task.owner)

    contact = contact_due(profile, config, today)
    if contact is not None:
        add("keep_in_touch", contact[0], contact[1], contact[2])

    since = profile.customer_since
    if since is not None:
        when = next_yearly(since.month, since.day, today)
        years = when.year - since.year
        if years >= 1:
            add("anniversary", when, f"{years} year{'s' if years != 1 else ''} a customer",
                profile.field_line("customer_since"),
                yearly_from=next_yearly(since.month, since.day, since + dt.timedelta(days=1)),
                yearly_month_day=(since.month, since.day))

    rules: dict[str, str] = config["agenda.dates"]
    for key, day in profile.dates:
        rule = rules.get(key)
        label = key.replace("_", " ")
        if rule == "once":
            add(key, day, label, profile.field_line(key))
        elif rule == "yearly":
            # on the day itself (a wedding still to come), then every year after it
            when = day if day >= today else next_yearly(day.month, day.day, today)
            years = when.year - day.year
            text = f"{label} ({years} year{'s' if years != 1 else ''})" if years else label
            add(key, when, text, profile.field_line(key),
                yearly_from=day, yearly_month_day=(day.month, day.day))
    return out


def lead_days(config: Config, kind: str) -> int:
    """How many days before its date a reminder of ``kind`` enters Upcoming (default 0)."""
    value = config["agenda.lead_days"].get(kind, 0)
    return int(value)
