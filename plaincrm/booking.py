"""Booked visits: a ``booked`` log entry names the day of the next service visit.

``- 2026-11-16 booked: 2026-12-10 10:00, Susan will be there.`` is written on the day the visit
was booked and starts its text with the visit's day. The parser reports an entry without a
readable day (``invalid-booking``); the reminder model reads the day with :func:`visit_day`.
"""

from __future__ import annotations

import datetime as dt
import re

from plaincrm import fields as conv

BOOKED = "booked"  # the log entry kind
_DAY = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})(?![\d-])")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def visit_day(text: str) -> dt.date:
    """The visit's day at the start of a ``booked`` entry's text; FieldError when there is
    none or it is not a date plaincrm can hold."""
    match = _DAY.match(text.strip())
    if match is None:
        raise conv.FieldError("a booked: entry must start with the visit's day (e.g. "
                              "'- 2026-11-16 booked: 2026-12-10 10:00')")
    return conv.date(match.group(1), "booked visit")


def short_day(day: dt.date) -> str:
    """``10 Dec``, whatever the locale."""
    return f"{day.day} {MONTHS[day.month - 1]}"
