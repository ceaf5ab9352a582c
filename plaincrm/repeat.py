"""Repeating tasks: ``- [ ] 2026-12-01 Chase the invoice (every 7 days)``.

A task repeats when its text holds ``(every N UNIT)``, with an optional ``until DAY`` or
``until`` and any words: ``(every 2 weeks)``, ``(every month until 2027-06-30)``, ``(every 7
days until paid)``. UNIT is day, week, month or year (plural or not, or d, w, m, y); N is 1 when
left out. Ticking it (``plaincrm done``) writes the next one, the same text dated one interval
after the ticked one's date (after today, for an undated task), right below it. ``until DAY``
stops it after that day; other words after ``until`` say when to stop, and ``plaincrm done
--last`` ticks it without a next one.

The rule is read from the task's text here, so the loader's tasks stay as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from plaincrm import fields
from plaincrm.model import Duration, Task

RULE = re.compile(r"\(\s*every\s+(?:(\d+)\s*)?([a-z]+)(?:\s+until\s+([^)]*))?\s*\)", re.I)


@dataclass(frozen=True, slots=True)
class Repeat:
    every: Duration
    until: dt.date | None = None


def repeat_of(text: str) -> Repeat | None:
    """The rule in a task's text; None when it has none (or one plaincrm cannot read)."""
    match = RULE.search(text)
    if match is None:
        return None
    try:
        every = fields.duration(f"{match.group(1) or 1} {match.group(2).lower()}", "every")
    except fields.FieldError:
        return None
    until_text = (match.group(3) or "").strip()
    until = None
    if fields.ISO_DATE.fullmatch(until_text):
        try:
            until = fields.date(until_text, "until")
        except fields.FieldError:
            return None
    return Repeat(every, until)


def next_day(task: Task, today: dt.date) -> dt.date | None:
    """The day of the task that follows ``task`` once it is ticked; None when it does not
    repeat, or its ``until`` day has passed."""
    rule = repeat_of(task.text)
    if rule is None:
        return None
    day = rule.every.add_to(task.date if task.date is not None else today)
    if rule.until is not None and day > rule.until:
        return None
    return day
