"""Repeating tasks: ``- [ ] 2026-12-01 Chase the invoice (every 7 days)``.

A task repeats when its text holds ``(every N UNIT)``, with an optional ``until DAY`` or
``until`` and any words: ``(every 2 weeks)``, ``(every month until 2027-06-30)``, ``(every 7
days until paid)``. UNIT is day, week, month or year (plural or not, or d, w, m, y); N is 1 when
left out. Ticking it (``plaincrm done``) writes the next one, the same text dated one interval
after the ticked one's date (after today, for an undated task), right below it. ``until DAY``
stops it after that day; other words after ``until`` say when to stop, and ``plaincrm done
--last`` ticks it without a next one.

Tasks written as Obsidian's Tasks plugin or Dataview write them (:mod:`plaincrm.obsidian`)
repeat by their rule: ``🔁 every week``, ``🔁 every 2 months when done``, ``[repeat:: every
3 days]``, with an optional ``until DAY``. ``when done`` counts the interval from the day it is
ticked. Rules the plugin has and plaincrm does not (``every weekday``, ``every week on
Monday``, ``every month on the 1st``) do not repeat here: ticking such a task just ticks it.

The rule is read from the task's text here, so the loader's tasks stay as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from plaincrm import fields
from plaincrm.model import Duration, Task

RULE = re.compile(r"\(\s*every\s+(?:(\d+)\s*)?([a-z]+)(?:\s+until\s+([^)]*))?\s*\)", re.I)
# Obsidian: the Tasks plugin's 🔁 (up to the next emoji or the end), Dataview's [repeat:: …]
OBSIDIAN_RULE = re.compile(r"(?:🔁\ufe0f?|[\[(]\s*repeat\s*::)\s*every\s+(?:(\d+)\s*)?"
                           r"([a-z]+)(\s+when\s+done)?(?:\s+until\s+(\d{4}-\d{1,2}-\d{1,2}))?"
                           r"(\s+when\s+done)?\s*(?=$|[\])]|[^\w\s,.;:!?-])", re.I)


@dataclass(frozen=True, slots=True)
class Repeat:
    every: Duration
    until: dt.date | None = None
    when_done: bool = False  # the interval counts from the day it is ticked


def repeat_of(text: str) -> Repeat | None:
    """The rule in a task's text; None when it has none (or one plaincrm cannot read)."""
    match = RULE.search(text)
    when_done = False
    if match is not None:
        count, unit, until_text = match.group(1), match.group(2), match.group(3) or ""
    else:
        found = OBSIDIAN_RULE.search(text) if not text.isascii() or "::" in text else None
        if found is None:
            return None
        count, unit, until_text = found.group(1), found.group(2), found.group(4) or ""
        when_done = bool(found.group(3) or found.group(5))
    try:
        every = fields.duration(f"{count or 1} {unit.lower()}", "every")
    except fields.FieldError:
        return None
    until_text = until_text.strip()
    until = None
    if fields.ISO_DATE.fullmatch(until_text):
        try:
            until = fields.date(until_text, "until")
        except fields.FieldError:
            return None
    return Repeat(every, until, when_done)


def next_day(task: Task, today: dt.date) -> dt.date | None:
    """The day of the task that follows ``task`` once it is ticked; None when it does not
    repeat, or its ``until`` day has passed."""
    rule = repeat_of(task.text)
    if rule is None:
        return None
    start = task.date if task.date is not None and not rule.when_done else today
    day = rule.every.add_to(start)
    if rule.until is not None and day > rule.until:
        return None
    return day
