"""Occasions: when a customer is due a message, as a pure function of their profile.

Every date comes from the reminder model (:func:`plaincrm.reminders.next_yearly`,
:func:`plaincrm.reminders.service_due`) or from the profile's log entries; the offsets and which
occasions are on come from :class:`~plaincrm.outreach.settings.Settings`. An occasion is due on
its day and for ``catch_up_days`` after it (a service reminder until the service is due), so a
day without a run, a failed send or the daily cap delays a message instead of losing it. Each
has a key unique within the profile (``birthday-2026``, ``service-2026-12-10``,
``invoice-2026-10-01-2``): the ledger records it, and a recorded key is never sent again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from plaincrm.lookup import fold
from plaincrm.model import Location, LogEntry, Profile
from plaincrm.outreach.settings import Settings
from plaincrm.reminders import next_yearly, service_to_book


@dataclass(frozen=True, slots=True)
class Occasion:
    """One message due to one profile."""

    name: str  # birthday | anniversary | service | feedback | invoice | a stage kind | campaign
    key: str  # unique within the profile: what the ledger records
    date: dt.date  # the day it is due to go out
    why: str  # for people: "turns 43 on 2026-11-20", "service due 2026-12-10"
    location: Location  # the line of the profile it comes from
    values: Mapping[str, Any] = field(default_factory=dict)  # for the template
    template: str = ""  # the template's name when it is not ``name`` (a stage's fallback)

    @property
    def templates(self) -> tuple[str, ...]:
        """Template names to look for, best first."""
        return (self.name, self.template) if self.template else (self.name,)


def occasions(profile: Profile, settings: Settings, today: dt.date) -> list[Occasion]:
    """Every occasion of ``profile`` due on ``today`` (or in the catch-up days before it)."""
    start = today - dt.timedelta(days=settings.catch_up_days)
    on = set(settings.occasions)
    out: list[Occasion] = []
    if "birthday" in on:
        out += _birthday(profile, start, today)
    if "anniversary" in on:
        out += _anniversary(profile, settings, start, today)
    if "service" in on:
        out += _service(profile, settings, start, today)
    if "feedback" in on:
        out += _feedback(profile, settings, start, today)
    if "invoice" in on:
        out += _invoice(profile, settings, start, today)
    if "stage" in on:
        out += _stages(profile, settings, start, today)
    return out


def campaign(profile: Profile, name: str, statuses: Iterable[str], tags: Iterable[str],
             today: dt.date) -> Occasion | None:
    """The campaign ``name`` for ``profile`` when it has one of ``statuses`` (any, when none
    is given) and every one of ``tags``; the template is ``<name>.md``."""
    wanted = {fold(s) for s in statuses}
    if wanted and fold(profile.status or "") not in wanted:
        return None
    have = {fold(t) for t in profile.tags}
    if not all(fold(t) in have for t in tags):
        return None
    return Occasion(name, f"campaign-{name}", today, f"campaign {name}",
                    Location(profile.path, 1))


def _line(profile: Profile, key: str) -> Location:
    return Location(profile.path, profile.field_line(key))


def _birthday(profile: Profile, start: dt.date, today: dt.date) -> list[Occasion]:
    b = profile.birthday
    if b is None:
        return []
    when = next_yearly(b.month, b.day, start)
    if when > today or (b.year is not None and when.year <= b.year):
        return []
    values: dict[str, Any] = {"birthday_date": when}
    why = f"birthday on {when.isoformat()}"
    if b.year is not None:
        values["age"] = when.year - b.year
        why = f"turns {values['age']} on {when.isoformat()}"
    return [Occasion("birthday", f"birthday-{when.year}", when, why, _line(profile, "birthday"),
                     values)]


def _anniversary(profile: Profile, settings: Settings, start: dt.date,
                 today: dt.date) -> list[Occasion]:
    since = profile.customer_since
    if since is None:
        return []
    when = next_yearly(since.month, since.day, start)
    years = when.year - since.year
    if when > today or years < 1:
        return []
    if settings.anniversary_years and years not in settings.anniversary_years:
        return []
    return [Occasion("anniversary", f"anniversary-{when.year}", when,
                     f"{years} year{'s' if years != 1 else ''} a customer on {when.isoformat()}",
                     _line(profile, "customer_since"), {"years": years})]


def _service(profile: Profile, settings: Settings, start: dt.date,
             today: dt.date) -> list[Occasion]:
    due = service_to_book(profile, settings.no_service_statuses)
    if due is None:
        return []
    day, location = due
    send = day - dt.timedelta(days=settings.service_days_before)
    # a reminder is worth sending until the service is due, however long that is
    last = max(send + dt.timedelta(days=settings.catch_up_days), day)
    if not send <= today <= last:
        return []
    return [Occasion("service", f"service-{day.isoformat()}", send,
                     f"service due {day.isoformat()}", location, {"due": day})]


def _entry(entry: LogEntry) -> dict[str, Any]:
    return {"date": entry.date, "kind": entry.kind or "", "text": entry.text}


def _latest_per_day(entries: Iterable[LogEntry]) -> dict[dt.date, LogEntry]:
    """The last entry of each day (in file order), so one day gives one occasion."""
    out: dict[dt.date, LogEntry] = {}
    for entry in sorted(entries, key=lambda e: (e.date, e.location.line)):
        out[entry.date] = entry
    return out


def _feedback(profile: Profile, settings: Settings, start: dt.date,
              today: dt.date) -> list[Occasion]:
    kinds = set(settings.feedback_after)
    after = dt.timedelta(days=settings.feedback_days)
    out = []
    for day, entry in _latest_per_day(e for e in profile.log if e.kind in kinds).items():
        send = day + after
        if start <= send <= today:
            out.append(Occasion("feedback", f"feedback-{day.isoformat()}", send,
                                f"{entry.kind} on {day.isoformat()}", entry.location,
                                {"entry": _entry(entry)}))
    return out


def _invoice(profile: Profile, settings: Settings, start: dt.date,
             today: dt.date) -> list[Occasion]:
    payments = [e.date for e in profile.log if e.kind == "payment"]
    first = dt.timedelta(days=settings.invoice_days)
    every = dt.timedelta(days=settings.invoice_every)
    out = []
    for day, entry in _latest_per_day(e for e in profile.log if e.kind == "invoice").items():
        if any(paid >= day for paid in payments):
            continue
        late = (today - (day + first)).days
        if late < 0 or settings.invoice_limit < 1:
            continue
        number = min(late // every.days + 1, settings.invoice_limit)
        send = day + first + (number - 1) * every
        if send < start:
            continue
        out.append(Occasion("invoice", f"invoice-{day.isoformat()}-{number}", send,
                            f"invoice of {day.isoformat()} unpaid (reminder {number})",
                            entry.location, {"entry": _entry(entry), "invoice_date": day,
                                             "reminder_number": number,
                                             "days_unpaid": (today - day).days}))
    return out


def _stages(profile: Profile, settings: Settings, start: dt.date,
            today: dt.date) -> list[Occasion]:
    out = []
    for kind in settings.stages:
        for day, entry in _latest_per_day(e for e in profile.log if e.kind == kind).items():
            if start <= day <= today:
                out.append(Occasion(kind, f"{kind}-{day.isoformat()}", day,
                                    f"{kind} on {day.isoformat()}", entry.location,
                                    {"entry": _entry(entry)}, template="stage"))
    return out
