"""Outreach in the agenda and the calendar: each profile's messages as reminder rules.

Two sorts, both of kind ``outreach`` (:func:`plaincrm.reminders.rules` adds them, so the agenda,
``--kind`` and the calendar see them like any other reminder):

- a message *sent*: a ``sent`` record in the log (:mod:`.ledger`), on the day it was recorded;
- a message that *goes out*: an occasion turned on in ``[outreach]`` with nothing recorded for
  it yet, to a profile that may be written to (no opt-out, a usable address), due every day
  of the window in which a run sends it (:mod:`.occasions`: its day and the catch-up days after
  it; a service reminder until the service is due).

The rules do not depend on the day (the index keeps them): a yearly occasion is one yearly rule
from the first year nothing was recorded for; an invoice chaser one rule per reminder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from plaincrm.config import Config
from plaincrm.fields import FIRST_YEAR
from plaincrm.model import Birthday, Location, Profile
from plaincrm.outreach import ledger
from plaincrm.outreach.consent import address, opted_out
from plaincrm.outreach.occasions import _latest_per_day
from plaincrm.outreach.settings import Settings, settings
from plaincrm.reminders import OUTREACH, service_to_book

LABELS = {"birthday": "birthday greeting", "anniversary": "anniversary greeting",
          "service": "service reminder", "feedback": "feedback request",
          "invoice": "invoice reminder"}
_DATED_KEY = re.compile(r"-\d{4}(-\d{2}-\d{2}(-\d+)?)?$")
Found = tuple[str, str, Location, dict[str, Any]]  # kind, text, line, when (Rule fields)


def label(name: str) -> str:
    """What a message of occasion ``name`` is called: "birthday greeting", "job-done notice"."""
    if name.startswith("campaign-"):
        return f"{name.removeprefix('campaign-')} campaign message"
    return LABELS.get(name, f"{name} notice")


def outreach_rules(profile: Profile, config: Config) -> list[Found]:
    """The outreach rules of ``profile``: every message recorded as sent, then every turned-on
    occasion that may still go out (see the module's docstring)."""
    recorded = ledger.records(profile)
    out: list[Found] = [
        (OUTREACH, f"{label(_DATED_KEY.sub('', r.key))} sent by email", r.location,
         {"due": r.date}) for r in recorded if r.state is ledger.State.SENT]
    s = settings(config)
    if not s.occasions or opted_out(profile) or address(profile)[0] is None:
        return out
    done = {r.key for r in recorded
            if ledger.status(recorded, r.key)[0] is not ledger.Status.NEW}
    for name, key, loc, when in _windows(profile, s, done):
        if key not in done:
            out.append((OUTREACH, f"{label(name)} goes out by email", loc, when))
    return out


def _windows(profile: Profile, s: Settings, done: set[str]
             ) -> Iterator[tuple[str, str, Location, dict[str, Any]]]:
    """(occasion, key, line, when) of every window in which a run sends a message (yearly
    ones from the year after the last one ``done``)."""
    on, late = set(s.occasions), dt.timedelta(days=s.catch_up_days)

    def line(key: str) -> Location:
        return Location(profile.path, profile.field_line(key))

    def dated(day: dt.date, until: dt.date | None = None) -> dict[str, Any]:
        return {"due": day, "until": until or day + late}

    b = profile.birthday
    if "birthday" in on and b is not None:
        years = _years(done, "birthday")
        after = max([*years, *([b.year] if b.year is not None else [])], default=None)
        first = _first(b, after)
        yield "birthday", "", line("birthday"), {"month_day": (b.month, b.day), "origin": first,
                                                  "until": first + late}
    since = profile.customer_since
    if "anniversary" in on and since is not None:
        if s.anniversary_years:
            for count in s.anniversary_years:
                day = Birthday(since.month, since.day).in_year(since.year + count)
                yield ("anniversary", f"anniversary-{day.year}", line("customer_since"),
                       dated(day))
        else:
            sent = _years(done, "anniversary")
            first = _first(Birthday(since.month, since.day), max([since.year, *sent]))
            yield ("anniversary", "", line("customer_since"),
                   {"month_day": (since.month, since.day), "origin": first,
                    "until": first + late})
    due = service_to_book(profile, s.no_service_statuses)
    if "service" in on and due is not None:
        send = due[0] - dt.timedelta(days=s.service_days_before)
        yield "service", f"service-{due[0].isoformat()}", due[1], \
            dated(send, max(send + late, due[0]))
    if "feedback" in on:
        kinds = set(s.feedback_after)
        for day, entry in _latest_per_day(e for e in profile.log if e.kind in kinds).items():
            yield ("feedback", f"feedback-{day.isoformat()}", entry.location,
                   dated(day + dt.timedelta(days=s.feedback_days)))
    if "invoice" in on:
        yield from _invoices(profile, s)
    if "stage" in on:
        for kind in s.stages:
            for day, entry in _latest_per_day(e for e in profile.log if e.kind == kind).items():
                yield kind, f"{kind}-{day.isoformat()}", entry.location, dated(day)


def _invoices(profile: Profile, s: Settings
              ) -> Iterator[tuple[str, str, Location, dict[str, Any]]]:
    """One window per reminder of each unpaid invoice: reminder n goes out from its day until
    the catch-up days end or reminder n + 1 is due."""
    paid = [e.date for e in profile.log if e.kind == "payment"]
    late = dt.timedelta(days=s.catch_up_days)
    for day, entry in _latest_per_day(e for e in profile.log if e.kind == "invoice").items():
        if any(p >= day for p in paid):
            continue
        for number in range(1, s.invoice_limit + 1):
            send = day + dt.timedelta(days=s.invoice_days + (number - 1) * s.invoice_every)
            until = send + late
            if number < s.invoice_limit:
                until = min(until, send + dt.timedelta(days=s.invoice_every - 1))
            yield ("invoice", f"invoice-{day.isoformat()}-{number}", entry.location,
                   {"due": send, "until": until})


def _years(done: set[str], name: str) -> list[int]:
    """The years of yearly occasion ``name`` done (``birthday-2026``: 2026)."""
    return [int(k.rpartition("-")[2]) for k in done if re.fullmatch(rf"{name}-\d{{4}}", k)]


def _first(day: Birthday, after: int | None) -> dt.date:
    """The first occurrence of ``day`` in a year after ``after`` (any year when None)."""
    return day.in_year(after + 1 if after is not None else FIRST_YEAR)
