"""When each customer was active, and what follows: retention per year, cohorts, five years.

The definitions (docs/pulse.md):

- A profile is **active** on a day when its ``status`` on that day was one of the active
  statuses (``active``), as its git history shows. Before its file's first commit, and for a
  vault without usable history, the **lapse rule** reads the past from the log and the status
  the profile has when its history starts (today, without history): a customer is active from
  its ``customer_since`` without a break until it ends: with a status that is not active, on
  its newest contact (a log entry that is not an attempt); with an active status, on that
  day, unless its newest contact (or its start) is more than ``lapse_days`` before it: then
  ``lapse_days`` after that contact (it lapsed). A profile whose status is a lead status
  then (``lead``) has not been a customer yet.
- A **customer** is a profile that was active on some day. It **starts** on its
  ``customer_since``; without one, on the first day the history shows it active; without
  either it has no start and is left out of retention and cohorts.
- **Lost** in a period: active at its start, not active at its end.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from plaincrm.fields import LAST_YEAR
from plaincrm.model import add_months
from plaincrm.pulse.history import StatusChange
from plaincrm.pulse.settings import Settings

Interval = tuple[int, int]  # first and last day (ordinals), both included
FOREVER = dt.date(LAST_YEAR, 12, 31).toordinal()


@dataclass(frozen=True, slots=True)
class Customer:
    """One profile's life as a customer."""

    path: str
    start: dt.date | None
    intervals: tuple[Interval, ...]  # the days it was active, sorted, apart
    source: str  # "git": its status history; "log": the lapse rule only

    def active_on(self, day: dt.date) -> bool:
        ordinal = day.toordinal()
        at = bisect.bisect_right(self.intervals, (ordinal, FOREVER)) - 1
        return at >= 0 and self.intervals[at][1] >= ordinal


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for first, last in sorted(intervals):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def lapse_intervals(start: dt.date | None, contacts: Sequence[dt.date], lapse: int,
                    last_day: int, active_at_end: bool, lead: bool = False) -> list[Interval]:
    """The lapse rule up to ``last_day`` (an ordinal): a customer is active from ``start`` on,
    and ends, when its status on ``last_day`` is not active (``active_at_end`` False), on its
    newest contact; when it is active but its newest contact (or its start) is more than
    ``lapse`` days before ``last_day``, ``lapse`` days after that contact (it lapsed). A
    ``lead`` then has never been a customer."""
    if start is None or lead or start.toordinal() > last_day:
        return []
    first = start.toordinal()
    newest = max([first, *(c.toordinal() for c in contacts if c.toordinal() <= last_day)])
    if not active_at_end:
        return [(first, newest)]
    return [(first, min(last_day, newest + lapse))]


def customer(path: str, since: dt.date | None, contacts: Sequence[dt.date],
             changes: Sequence[StatusChange] | None, status_now: str | None,
             settings: Settings, today: dt.date) -> Customer:
    """The active days of one profile. ``contacts``: its contact dates, sorted, none after
    today; ``changes``: its status history oldest first (None: no history to use, the lapse
    rule only), to which the status it has now is added on ``today`` when it differs. A
    profile never active has no start: it has not been a customer."""
    active, lapse, leads = settings.active_statuses, settings.lapse_days, settings.lead_statuses
    if not changes:
        intervals = lapse_intervals(since, contacts, lapse, today.toordinal(),
                                    status_now in active, status_now in leads)
        return Customer(path, since if intervals else None, tuple(intervals), "log")
    steps: list[tuple[int, str | None]] = []
    for change in sorted(changes, key=lambda c: c.date):
        day = change.date.toordinal()
        if steps and steps[-1][0] == day:
            steps[-1] = (day, change.new)
        else:
            steps.append((day, change.new))
    if steps[-1][1] != status_now:  # not committed yet: as of today
        day = max(today.toordinal(), steps[-1][0])
        if steps[-1][0] == day:
            steps[-1] = (day, status_now)
        else:
            steps.append((day, status_now))
    history = [(day, (steps[i + 1][0] - 1) if i + 1 < len(steps) else FOREVER)
               for i, (day, status) in enumerate(steps) if status in active]
    first = steps[0][0]
    before = lapse_intervals(since, contacts, lapse, first - 1, steps[0][1] in active,
                             steps[0][1] in leads)
    intervals = _merge([*before, *history])
    start = since
    if start is None and intervals:
        start = dt.date.fromordinal(intervals[0][0])
    if not intervals:
        start = None
    return Customer(path, start, tuple(intervals), "git")


# ---------------------------------------------------------------- the figures


def year_end(year: int, today: dt.date) -> dt.date:
    """The day a year is judged on: 31 December, or today for the year still running."""
    return min(dt.date(year, 12, 31), today)


def _flags(customers: Sequence[Customer], days: Sequence[dt.date]) -> list[list[bool]]:
    """For each customer, whether it was active on each of ``days`` (one pass each)."""
    ordinals = [d.toordinal() for d in days]
    out = []
    for c in customers:
        if len(c.intervals) == 1:
            first, last = c.intervals[0]
            out.append([first <= d <= last for d in ordinals])
        elif not c.intervals:
            out.append([False] * len(ordinals))
        else:
            out.append([c.active_on(d) for d in days])
    return out


def figures(customers: Sequence[Customer], today: dt.date, first_year: int) -> dict[str, Any]:
    """Retention per year, the cohort table (from ``first_year`` to today's year) and the
    five-year retention."""
    years = list(range(first_year, today.year + 1))
    then = add_months(today, -60)
    days = [dt.date(first_year - 1, 12, 31), *(year_end(y, today) for y in years), then]
    flags = _flags(customers, days)
    return {"years": retention(customers, flags, years, today),
            "cohorts": cohorts(customers, flags, years),
            "five_year": five_year(flags, then)}


def retention(customers: Sequence[Customer], flags: list[list[bool]], years: list[int],
              today: dt.date) -> list[dict[str, Any]]:
    """Per year: customers at its start (active on 31 December before), at its end, new
    (started in it and active at its end), and the retention rate (end − new) / start (None
    when nobody was a customer at its start)."""
    out = []
    for n, year in enumerate(years):
        at_start = sum(f[n] for f in flags)
        at_end = sum(f[n + 1] for f in flags)
        new = sum(1 for c, f in zip(customers, flags, strict=True)
                  if f[n + 1] and c.start is not None and c.start.year == year)
        rate = (at_end - new) / at_start if at_start else None
        out.append({"year": year, "start": at_start, "end": at_end, "new": new, "rate": rate,
                    "to_date": year_end(year, today) != dt.date(year, 12, 31)})
    return out


def cohorts(customers: Sequence[Customer], flags: list[list[bool]],
            years: list[int]) -> list[dict[str, Any]]:
    """Per year of start: how many started, and for that year and each later one how many
    of them (and what share) were active at its end."""
    members: dict[int, list[list[bool]]] = {y: [] for y in years}
    for c, f in zip(customers, flags, strict=True):
        if c.start is not None and c.start.year in members:
            members[c.start.year].append(f)
    rows = []
    for n, year in enumerate(years):
        group = members[year]
        cells = []
        for m in range(n, len(years)):
            count = sum(f[m + 1] for f in group)
            cells.append({"year": years[m], "active": count,
                          "share": count / len(group) if group else None})
        rows.append({"year": year, "size": len(group), "years": cells})
    return rows


def five_year(flags: list[list[bool]], then: dt.date) -> dict[str, Any]:
    """Of the customers active five years before today (the last flag), how many (and what
    share) are active today (the one before), beside the benchmark of half lost in five
    years."""
    base = [f for f in flags if f[-1]]
    kept = sum(f[-2] for f in base)
    return {"from": then.isoformat(), "base": len(base), "active": kept,
            "share": kept / len(base) if base else None, "benchmark": 0.5}
