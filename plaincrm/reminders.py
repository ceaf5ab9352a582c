"""The reminder model: pure functions from a profile (and a day) to what is due.

The agenda, the calendar and every later command use these; nothing else computes a due date.

Two sorts of reminder:
- *actionable* ones (``service``, ``task``, ``keep_in_touch``, config dates marked ``due``)
  fall due once and stay overdue until somebody acts (logs the service, ticks the task, logs a
  contact, logs the entry that closes the date or changes the date); a service with a
  ``booked`` log entry since the last one is due on the booked day instead, and a profile
  whose status is off the service round (``agenda.no_service_statuses``) has no other;
- *yearly* ones (``birthday``, ``anniversary``, config dates marked ``yearly``) and ``once``
  config dates just happen on their day and are never overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plaincrm.booking import BOOKED, short_day, visit_day
from plaincrm.config import Config, date_rule
from plaincrm.fields import FieldError
from plaincrm.logkinds import log_kinds
from plaincrm.model import Birthday, Location, LogEntry, Problem, Profile

ACTIONABLE = frozenset({"service", "task", "keep_in_touch"})
OUTREACH = "outreach"  # a message outreach sent, or sends while its window is open
BUILTIN_KINDS = ("birthday", "service", "task", "keep_in_touch", "anniversary", OUTREACH)


# Not frozen: an agenda makes one for each of thousands of rows, and a frozen dataclass's
# __init__ costs six times a plain one's. Nothing changes one once it is made.
@dataclass(slots=True)
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
    booked: dt.date | None = None  # a service: the booked visit's day
    problem: Problem | None = None  # a data-quality item: what ``check`` found

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


def off_round_statuses(config: Mapping[str, Any]) -> frozenset[str]:
    """The statuses off the service round, ``agenda.no_service_statuses`` (its default when
    ``config`` is a mapping without it), lower-cased as the loader reads statuses."""
    name = "agenda.no_service_statuses"
    statuses = config[name] if name in config else Config()[name]
    return frozenset(str(status).lower() for status in statuses)


def on_service_round(profile: Profile, off: Config | frozenset[str]) -> bool:
    """Whether ``profile`` gets "service due" reminders: not when its status is one of
    ``agenda.no_service_statuses`` (``off``: the config, or :func:`off_round_statuses`; by
    default ``dormant`` and ``lost``: a customer who stopped booking or left is not due a
    service every day for ever). A profile without a status, or with one the option does not
    name, is on the round; a booked visit shows either way."""
    statuses = off if isinstance(off, frozenset) else off_round_statuses(off)
    return not profile.status or profile.status.lower() not in statuses


def contact_due(profile: Profile, config: Config, today: dt.date | None
                ) -> tuple[dt.date | None, str, Location] | None:
    """When to get in touch next: ``contact_every`` (the profile's, else the status default)
    after the newest *contact* (a log entry that is no attempt, ``log.attempt_kinds``: a call
    nobody answered does not count); with no contact, after ``customer_since``, else ``today``
    (every day until a contact is logged; None when no day is given)."""
    every = profile.contact_every
    if every is None:
        try:
            every = config.contact_every(profile.status)
        except FieldError:
            return None
    if every is None:
        return None
    attempts = log_kinds(config)
    last = max((e for e in profile.log if not attempts.is_attempt(e.kind)),
               key=lambda e: (e.date, e.location.line), default=None)
    if last is not None:
        return (every.add_to(last.date),
                f"get in touch (every {every})",
                last.location)
    if profile.customer_since is not None:
        return (every.add_to(profile.customer_since),
                f"get in touch (no contact logged since {profile.customer_since.isoformat()})",
                Location(profile.path, profile.field_line("customer_since")))
    return today, "get in touch (no contact logged yet)", Location(profile.path, 1)


# Not frozen: an agenda makes one for each of thousands of rows, and a frozen dataclass's
# __init__ costs six times a plain one's. Nothing changes one once it is made.
@dataclass(slots=True)
class Rule:
    """What a profile says is due, whatever the day: a *dated* rule falls on ``due`` (or on
    every day, ``daily``: keep in touch with nobody contacted yet); a *yearly* one recurs on
    ``month_day`` and counts its years from ``origin``. :func:`occurrence` gives its reminder
    on a day. The index keeps these, so the agenda of any day is a range query."""

    location: Location
    kind: str
    text: str  # dated: the reminder's text; yearly config dates: the label
    name: str
    owner: str | None
    profile_id: str | None
    due: dt.date | None = None  # dated rules (None: daily)
    month_day: tuple[int, int] | None = None  # yearly rules
    origin: dt.date | None = None  # yearly: the birth, ``customer_since`` or the date itself
    until: dt.date | None = None  # a window: due on every day from ``due`` (or ``origin``)
    # to ``until`` (yearly: the same length each year), then never; outreach's "goes out"
    actionable: bool = False  # overdue once its day has passed, until somebody acts
    booked: dt.date | None = None  # a service: the booked visit's day (then ``due``)

    @property
    def daily(self) -> bool:
        return self.due is None and self.month_day is None


def rules(profile: Profile, config: Config) -> list[Rule]:
    """Every rule of ``profile``, in the order :func:`reminders` lists their reminders."""
    name, owner, pid, path = profile.display_name, profile.owner, profile.id, profile.path
    out: list[Rule] = []

    def add(kind: str, text: str, line_or_loc: int | Location, task_owner: str | None = None,
            **when: object) -> None:
        loc = line_or_loc if isinstance(line_or_loc, Location) else Location(path, line_or_loc)
        out.append(Rule(loc, kind, text, name, task_owner or owner, pid,
                        **when))  # type: ignore[arg-type]

    b = profile.birthday
    if b is not None:
        origin = dt.date(b.year, b.month, b.day) if b.year is not None else None
        add("birthday", "birthday", profile.field_line("birthday"), month_day=(b.month, b.day),
            origin=origin)

    service = service_due(profile) if on_service_round(profile, config) else None
    booking = booked_visit(profile)
    if booking is not None:
        entry, day = booking
        add("service", f"service booked for {short_day(day)}", entry.location, due=day,
            booked=day, actionable=True)
    elif service is not None:
        every = f" (every {profile.service_every})" if profile.service_every else ""
        add("service", f"service due{every}", service[1], due=service[0], actionable=True)

    for task in profile.tasks:
        if not task.done and task.date is not None:
            add("task", task.text, task.location.line, task.owner, due=task.date,
                actionable=True)

    contact = contact_due(profile, config, None)
    if contact is not None:
        add("keep_in_touch", contact[1], contact[2], due=contact[0], actionable=True)

    since = profile.customer_since
    if since is not None:
        add("anniversary", "a customer", profile.field_line("customer_since"),
            month_day=(since.month, since.day), origin=since)

    if config.get("outreach.occasions"):  # off by default: then not even loaded
        from plaincrm.outreach.schedule import outreach_rules  # outreach reads this module

        for outreach, text, loc, when in outreach_rules(profile, config):
            add(outreach, text, loc, **when)

    kinds: dict[str, str] = config["agenda.dates"]
    for key, day in profile.dates:
        if key not in kinds:
            continue
        kind, closer = date_rule(kinds[key])
        label = key.replace("_", " ")
        if kind == "once":
            add(key, label, profile.field_line(key), due=day)
        elif kind == "yearly":
            add(key, label, profile.field_line(key), month_day=(day.month, day.day), origin=day)
        elif closed_by(profile, day, closer, lead_days(config, key)) is None:
            add(key, f"{label} due", profile.field_line(key), due=day, actionable=True)
    return out


def closed_by(profile: Profile, day: dt.date, kind: str | None, lead: int) -> LogEntry | None:
    """The log entry that closes a ``due`` date on ``day``: the newest entry of ``kind``
    dated ``lead`` days before ``day`` or later; without a kind, the newest entry of any kind
    dated on or after ``day``. None: still due."""
    since = day - dt.timedelta(days=lead) if kind is not None else day
    found = [e for e in profile.log if e.date >= since and (kind is None or e.kind == kind)]
    return max(found, key=lambda e: (e.date, e.location.line), default=None)


def service_to_book(profile: Profile, off_round: frozenset[str]
                    ) -> tuple[dt.date, Location] | None:
    """The service due that nobody has booked yet (:func:`service_due` unless
    :func:`booked_visit` has the next visit): what a service reminder to the customer is
    about. A customer whose visit is booked is not asked to book it, nor one off the service
    round (``off_round``: :func:`off_round_statuses`)."""
    if not on_service_round(profile, off_round):
        return None
    return None if booked_visit(profile) is not None else service_due(profile)


def booked_visit(profile: Profile) -> tuple[LogEntry, dt.date] | None:
    """The next service visit as booked: the newest ``booked`` log entry written on or after
    the newest ``service`` entry (a visit booked and then done is not booked any more), and
    the day it names. An entry without a readable day is the parser's problem, not a booking."""
    last = profile.newest_log("service")
    newest: tuple[LogEntry, dt.date] | None = None
    for entry in profile.log:
        if entry.kind != BOOKED or (last is not None and (entry.date, entry.location.line)
                                    < (last.date, last.location.line)):
            continue
        try:
            day = visit_day(entry.text)
        except FieldError:
            continue
        if newest is None or (entry.date, entry.location.line) >= (
                newest[0].date, newest[0].location.line):
            newest = (entry, day)
    return newest


def occurrence(rule: Rule, today: dt.date) -> Reminder | None:
    """The reminder ``rule`` gives as of ``today``: a dated rule on its day (past days mean
    overdue), a yearly one on its next occurrence on or after ``today`` (a birthday or an
    anniversary from the first year after its origin; a yearly date from the date itself)."""
    actionable = rule.actionable or rule.kind in ACTIONABLE
    if rule.until is not None:
        return _window(rule, today)
    if rule.month_day is None:
        return Reminder(rule.location, rule.kind, rule.due or today, rule.name, rule.text,
                        rule.owner, rule.profile_id, actionable=actionable, booked=rule.booked)
    month, day = rule.month_day
    when = next_yearly(month, day, today)
    origin = rule.origin
    if rule.kind == "birthday":
        if origin is not None and when.year <= origin.year:
            return None
        text = "birthday" if origin is None else f"turns {when.year - origin.year}"
        first = origin
    elif rule.kind == "anniversary":
        assert origin is not None
        years = when.year - origin.year
        if years < 1:
            return None
        text = f"{years} year{'s' if years != 1 else ''} a customer"
        first = next_yearly(month, day, origin + dt.timedelta(days=1))
    else:  # on the day itself (a wedding still to come), then every year after it
        assert origin is not None
        when = max(when, origin)
        years = when.year - origin.year
        text = f"{rule.text} ({years} year{'s' if years != 1 else ''})" if years else rule.text
        first = origin
    return Reminder(rule.location, rule.kind, when, rule.name, text, rule.owner,
                    rule.profile_id, actionable=actionable, yearly_from=first,
                    yearly_month_day=rule.month_day)


def _window(rule: Rule, today: dt.date) -> Reminder | None:
    """A window rule's reminder: on ``today`` while its window is open, on its first day
    before it opens, none after it closed (a yearly one: this year's window, else next
    year's, never before ``origin``)."""
    assert rule.until is not None
    if rule.month_day is not None:
        assert rule.origin is not None
        length = rule.until - rule.origin
        first = max(next_yearly(*rule.month_day, today - length), rule.origin)
        last = first + length
    else:
        first, last = rule.due or today, rule.until
    if today > last:
        return None
    return Reminder(rule.location, rule.kind, max(first, today), rule.name, rule.text,
                    rule.owner, rule.profile_id)


def reminders(profile: Profile, config: Config, today: dt.date) -> list[Reminder]:
    """Every reminder of ``profile`` as of ``today``: actionable ones on their due date (past
    dates mean overdue), yearly ones on their next occurrence on or after ``today``, ``once``
    dates on their date."""
    return [r for rule in rules(profile, config)
            if (r := occurrence(rule, today)) is not None]


def lead_days(config: Config, kind: str) -> int:
    """How many days before its date a reminder of ``kind`` enters Upcoming (default 0)."""
    value = config["agenda.lead_days"].get(kind, 0)
    return int(value)
