"""The task syntax of Obsidian's Tasks plugin and of Dataview, read and written.

A task-list item may carry its dates as the Tasks plugin writes them, an emoji and a date after
the description, or as Dataview inline fields::

    - [ ] Send invoice 🔁 every month ⏳ 2026-11-28 📅 2026-12-01 @ana
    - [x] Send invoice 📅 2026-12-01 ✅ 2026-12-02
    - [-] Call about the boiler 📅 2026-12-01 ❌ 2026-11-30
    - [ ] Send invoice [due:: 2026-12-01] [repeat:: every week]

What plaincrm takes from them: the day a task is due (📅, else ⏳ scheduled; Dataview ``due``,
else ``scheduled``), whether it is closed (``[x]``, a ✅ or ``completion`` date, ``[-]``, a ❌ or
``cancelled`` date: a cancelled task is closed, never a reminder). The dates are taken out of
the task's text; a repeat rule (🔁 or ``[repeat:: …]``) and everything else stays in it.

The plugin's traps: emoji may be followed by the variation selector U+FE0F and separated by
non-breaking spaces (U+00A0, U+202F); both are read as if they were not there.

Full-line Dataview fields (``key:: value`` on a line of its own in the body) are read by
:func:`body_fields`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

VS16 = "\ufe0f"
NBSP = ("\u00a0", "\u202f")

DUE, SCHEDULED, START, CREATED, DONE, CANCELLED = (
    "due", "scheduled", "start", "created", "done", "cancelled")
# the Tasks plugin's date signifiers (with the alternatives it accepts), by meaning
EMOJI = {"📅": DUE, "📆": DUE, "🗓": DUE, "⏳": SCHEDULED, "⌛": SCHEDULED, "🛫": START,
         "➕": CREATED, "✅": DONE, "❌": CANCELLED}
# Dataview's inline field names for the same dates
DATAVIEW = {"due": DUE, "scheduled": SCHEDULED, "start": START, "created": CREATED,
            "completion": DONE, "cancelled": CANCELLED}
EMOJI_DATE = re.compile("(" + "|".join(map(re.escape, EMOJI)) + r")\ufe0f?[ \t]*"
                        r"(\d{4}-\d{1,2}-\d{1,2})")
FIELD_DATE = re.compile(r"[\[(][ \t]*(" + "|".join(DATAVIEW) + r")[ \t]*::[ \t]*"
                        r"(\d{4}-\d{1,2}-\d{1,2})[ \t]*[\])]", re.I)
MARKS = re.compile("[" + "".join(EMOJI) + "🔁]|[\\[(][ \t]*(?:" + "|".join(DATAVIEW)
                   + r"|repeat)[ \t]*::", re.I)
SPACES = re.compile(r"[ \t]{2,}")
FULL_LINE_FIELD = re.compile(r"([A-Za-z_][\w-]*)::[ \t]*(.*?)[ \t]*")
FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")


def clean(text: str) -> str:
    """``text`` with non-breaking spaces as spaces and emoji variation selectors dropped."""
    if text.isascii():
        return text
    for space in NBSP:
        text = text.replace(space, " ")
    return text.replace(VS16, "")


def has_marks(text: str) -> bool:
    """Does a task's text carry Tasks-plugin or Dataview task fields?"""
    return not text.isascii() or ("::" in text and MARKS.search(clean(text)) is not None)


@dataclass(frozen=True, slots=True)
class Fields:
    """A task's text without its dates, and the dates (as written) by meaning."""

    text: str
    dates: dict[str, str]

    def day_text(self) -> tuple[str, str] | None:
        """(meaning, date as written) of the day the task is due: due, else scheduled."""
        for kind in (DUE, SCHEDULED):
            if kind in self.dates:
                return kind, self.dates[kind]
        return None

    @property
    def closed(self) -> bool:
        return DONE in self.dates or CANCELLED in self.dates


def read(text: str) -> Fields:
    """The fields of a task's text (after its checkbox); the first date of a kind wins."""
    text = clean(text)
    dates: dict[str, str] = {}

    def take(kind: str, value: str) -> str:
        dates.setdefault(kind, value)
        return " "

    text = EMOJI_DATE.sub(lambda m: take(EMOJI[m.group(1)], m.group(2)), text)
    if "::" in text:
        text = FIELD_DATE.sub(lambda m: take(DATAVIEW[m.group(1).lower()], m.group(2)), text)
    return Fields(SPACES.sub(" ", text).strip(), dates)


def written(text: str, day: dt.date | None) -> str:
    """A new task's text (after ``[ ] ``) as the Tasks plugin writes it: ``TEXT 📅 DAY``."""
    return f"{text} 📅 {day.isoformat()}" if day else text


def done_mark(line_text: str, today: dt.date) -> str:
    """What ticking a task adds to its line: ``✅ DAY`` as the plugin does, or Dataview's
    ``[completion:: DAY]`` on a task that writes its dates as Dataview fields."""
    cleaned = clean(line_text)
    if not EMOJI_DATE.search(cleaned) and FIELD_DATE.search(cleaned):
        return f"[completion:: {today.isoformat()}]"
    return f"✅ {today.isoformat()}"


def next_line(line_text: str, old_day: dt.date, new_day: dt.date) -> str:
    """The text (after the checkbox) of a repeating task's next one: its due, scheduled and
    start dates moved on by ``new_day - old_day``, its done and cancelled dates left out."""
    shift = new_day - old_day

    def move(value: str) -> str:
        try:
            return (dt.date.fromisoformat(value) + shift).isoformat()
        except (ValueError, OverflowError):
            return value

    def emoji(m: re.Match[str]) -> str:
        kind = EMOJI[m.group(1)]
        if kind in (DONE, CANCELLED):
            return ""
        if kind == CREATED:
            return m.group(0)
        return m.group(0)[: m.start(2) - m.start(0)] + move(m.group(2))

    def field(m: re.Match[str]) -> str:
        kind = DATAVIEW[m.group(1).lower()]
        if kind in (DONE, CANCELLED):
            return ""
        if kind == CREATED:
            return m.group(0)
        return m.group(0)[: m.start(2) - m.start(0)] + move(m.group(2)) + \
            m.group(0)[m.end(2) - m.start(0):]

    text = EMOJI_DATE.sub(emoji, line_text)
    text = FIELD_DATE.sub(field, text)
    return text.rstrip(" \t\u00a0")


def moved(line_text: str, day: dt.date) -> str:
    """The text (after the checkbox) with the date the task is due on (📅, else ⏳) set to
    ``day``, nothing else changed."""
    found = read(line_text).day_text()
    kind = found[0] if found else DUE
    done = False

    def put(m: re.Match[str], meaning: str) -> str:
        nonlocal done
        if done or meaning != kind:
            return m.group(0)
        done = True
        whole = m.group(0)
        return whole[: m.start(2) - m.start(0)] + day.isoformat() + whole[m.end(2) - m.start(0):]

    text = EMOJI_DATE.sub(lambda m: put(m, EMOJI[m.group(1)]), line_text)
    return FIELD_DATE.sub(lambda m: put(m, DATAVIEW[m.group(1).lower()]), text)


def body_fields(lines: list[str], first_line: int) -> list[tuple[str, str, int]]:
    """The full-line Dataview fields of a body: ``(key, value, line)`` for each line that is
    ``key:: value`` alone, outside code fences and indented code, and not a list item."""
    found: list[tuple[str, str, int]] = []
    fence: str | None = None
    for offset, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        opened = FENCE.match(line)
        if fence is not None:
            if opened is not None and opened.group(1)[0] == fence[0] \
                    and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened is not None:
            fence = opened.group(1)
            continue
        if "::" not in line or line[:1] in (" ", "\t"):
            continue
        match = FULL_LINE_FIELD.fullmatch(clean(line))
        if match is not None and match.group(2):
            found.append((match.group(1), match.group(2), first_line + offset))
    return found
