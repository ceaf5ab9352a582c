"""Converters for the front-matter fields plaincrm understands.

Every value arrives as text (YAML is loaded without implicit typing). Each converter returns the
converted value or raises :class:`FieldError` with a message for the user; nothing else escapes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from plaincrm.model import Birthday, Duration

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
LOOSE_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
YEARLESS = re.compile(r"--(\d{2})-(\d{2})")
DURATION = re.compile(r"(\d+)\s*([a-z]+)")
UNITS = {
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "m": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "year": "years",
    "years": "years",
}


class FieldError(ValueError):
    """A value the user wrote that plaincrm cannot use; the message says why and how to fix it."""


# Every date plaincrm reads or is given lies in these years, and every duration is at most
# MAX_YEARS long: then any date plus any duration plus any horizon stays far from
# ``datetime.date.max`` (9999-12-31), and date arithmetic never overflows.
FIRST_YEAR = 1000
LAST_YEAR = 8999
MAX_YEARS = 200


def check_day(day: dt.date, key: str) -> dt.date:
    """``day`` if it lies between the years FIRST_YEAR and LAST_YEAR, else FieldError."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise FieldError(f"{key}: {out_of_range(day)}")
    return day


def out_of_range(day: dt.date) -> str:
    """Why ``day`` is refused (for a day that :func:`check_day` refuses)."""
    return (f"{day.isoformat()} is out of range; plaincrm takes dates from {FIRST_YEAR} "
            f"to {LAST_YEAR}")


def text(raw: Any, key: str) -> str:
    """A single text value."""
    if isinstance(raw, str):
        return raw.strip()
    kind = "a list" if isinstance(raw, list) else "a mapping"
    raise FieldError(f"{key} must be text, found {kind}")


def text_list(raw: Any, key: str, split_commas: bool = False) -> tuple[str, ...]:
    """A value that may be one text or a list of texts; empty items are dropped."""
    if isinstance(raw, str):
        items = raw.split(",") if split_commas else [raw]
    elif isinstance(raw, list):
        items = raw
    else:
        raise FieldError(f"{key} must be text or a list, found a mapping")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise FieldError(f"{key} items must be text, found a nested list or mapping")
        if item.strip():
            out.append(item.strip())
    return tuple(out)


def date(raw: Any, key: str) -> dt.date:
    """A calendar date written ``YYYY-MM-DD``."""
    value = text(raw, key)
    match = ISO_DATE.fullmatch(value)
    if match is None:
        loose = LOOSE_DATE.fullmatch(value)
        if loose is not None:
            y, m, d = (int(g) for g in loose.groups())
            hint = f"{y:04d}-{m:02d}-{d:02d}"
            raise FieldError(f"{key}: {value!r} is not YYYY-MM-DD; write {hint}")
        raise FieldError(f"{key}: {value!r} is not a date; write YYYY-MM-DD")
    y, m, d = (int(g) for g in match.groups())
    try:
        day = dt.date(y, m, d)
    except ValueError:
        raise FieldError(f"{key}: {value} is not a real date") from None
    return check_day(day, key)


def birthday(raw: Any, key: str = "birthday") -> Birthday:
    """``YYYY-MM-DD``, or ``--MM-DD`` when the year is unknown."""
    value = text(raw, key)
    match = YEARLESS.fullmatch(value)
    if match is not None:
        m, d = int(match.group(1)), int(match.group(2))
        try:
            dt.date(2000, m, d)  # a leap year, so --02-29 is allowed
        except ValueError:
            raise FieldError(f"{key}: {value} is not a real day of the year") from None
        return Birthday(month=m, day=d)
    try:
        day = date(value, key)
    except FieldError as exc:
        raise FieldError(f"{exc} (or --MM-DD when the year is unknown)") from None
    return Birthday(month=day.month, day=day.day, year=day.year)


def duration(raw: Any, key: str) -> Duration:
    """``90 days``, ``2 weeks``, ``6 months``, ``1 year`` (or ``90d``, ``2w``, ``6m``, ``1y``)."""
    value = text(raw, key)
    match = DURATION.fullmatch(value.lower())
    unit = UNITS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise FieldError(
            f"{key}: {value!r} is not a duration; write e.g. '90 days', '2 weeks', "
            "'6 months' or '1 year'"
        )
    count = int(match.group(1))
    if count <= 0:
        raise FieldError(f"{key}: {value!r} must be a positive number of {unit}")
    per_year = {"days": 366, "weeks": 53, "months": 12, "years": 1}[unit]
    if count > MAX_YEARS * per_year:
        raise FieldError(f"{key}: {value!r} is too long; plaincrm takes durations of up to "
                         f"{MAX_YEARS} years")
    return Duration(count=count, unit=unit)


def owner(raw: Any, key: str = "owner") -> str:
    """A staff member's short name; a leading ``@`` is allowed."""
    value = text(raw, key).removeprefix("@").strip()
    if not value or any(c.isspace() for c in value):
        raise FieldError(f"{key}: {value!r} must be one short name without spaces")
    return value
