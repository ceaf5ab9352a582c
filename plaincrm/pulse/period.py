"""The pulse's period (``--since``/``--until``) and its weeks and months."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plaincrm.model import add_months


@dataclass(frozen=True, slots=True)
class Period:
    since: dt.date
    until: dt.date
    explicit_since: bool = False  # --since was given: list what happened ("while you were away")


def default_period(today: dt.date, since: dt.date | None, until: dt.date | None,
                   weeks: int = 12) -> Period:
    """``--since``/``--until`` with their defaults: until today, from the Monday ``weeks``
    weeks back (so the period is ``weeks`` calendar weeks, the last one running)."""
    end = until or today
    start = since or week_start(end) - dt.timedelta(weeks=weeks - 1)
    return Period(start, end, since is not None)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_weeks(period: Period) -> list[dt.date]:
    first, last = week_start(period.since), week_start(period.until)
    return [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def months(first: dt.date, last: dt.date) -> list[str]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(month_key(day))
        day = add_months(day, 1)
    return out
