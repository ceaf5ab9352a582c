"""The records plaincrm works with: frozen, and each knows where it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# the front-matter keys plaincrm reads (each has its converter in plaincrm/parse.py); any other
# key is the user's own, kept and shown as written
KNOWN_KEYS = frozenset({"name", "id", "email", "phone", "birthday", "status", "service_due",
                        "service_every", "contact_every", "customer_since", "owner", "tags"})


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in the vault: a path relative to the vault root, and a 1-based line."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the user's data. A value, never an exception."""

    location: Location
    code: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.code} {self.message}"

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.location.path, self.location.line, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Duration:
    """A calendar duration such as ``90 days`` or ``6 months``; months clamp at month ends."""

    count: int
    unit: str  # "days" | "weeks" | "months" | "years"

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.count == 1 else self.unit
        return f"{self.count} {unit}"

    def add_to(self, day: dt.date) -> dt.date:
        if self.unit == "days":
            return day + dt.timedelta(days=self.count)
        if self.unit == "weeks":
            return day + dt.timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "years" else 1)
        return add_months(day, months)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` months, clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _days_in_month(year, month)
    return dt.date(year, month, min(day.day, last))


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


@dataclass(frozen=True, slots=True)
class Birthday:
    """A birthday: month and day always, the year when it is known (``--MM-DD`` has none)."""

    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def in_year(self, year: int) -> dt.date:
        """The day it falls on in ``year``; 29 February is 28 February in common years."""
        if self.month == 2 and self.day == 29 and _days_in_month(year, 2) == 28:
            return dt.date(year, 2, 28)
        return dt.date(year, self.month, self.day)


@dataclass(frozen=True, slots=True)
class Task:
    """A task-list item in the body. ``date`` is None for an undated task."""

    location: Location
    text: str
    done: bool
    date: dt.date | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A dated entry under the ``Log`` heading: ``- 2026-11-20 call: Asked about her knee.``"""

    location: Location
    date: dt.date
    text: str
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Field:
    """A front-matter key as the user wrote it: its raw text value(s) and its line."""

    key: str
    raw: Any  # str | list | dict, every scalar as text
    line: int
    item_lines: tuple[int, ...] = ()  # the line of each item when ``raw`` is a list

    def item_line(self, index: int) -> int:
        """The line of list item ``index`` (the key's line when unknown)."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True, slots=True)
class Profile:
    """One customer: one Markdown file. Known fields converted; every key kept in ``fields``."""

    location: Location
    stem: str
    name: str | None = None
    id: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    birthday: Birthday | None = None
    status: str | None = None
    service_due: dt.date | None = None
    service_every: Duration | None = None
    contact_every: Duration | None = None
    customer_since: dt.date | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    dates: tuple[tuple[str, dt.date], ...] = ()  # other front-matter keys that hold a date
    fields: tuple[Field, ...] = ()
    tasks: tuple[Task, ...] = ()
    log: tuple[LogEntry, ...] = ()
    log_count: int = 0  # entries in the file; ``log`` may hold fewer in a summary load
    has_problems: bool = False

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def display_name(self) -> str:
        return self.name or self.stem

    @property
    def contact_point(self) -> str | None:
        """What to call or write to: the first phone, else the first email (the agenda's
        rows, ``list``'s CONTACT column)."""
        return self.phones[0] if self.phones else (self.emails[0] if self.emails else None)

    def field_line(self, key: str) -> int:
        """The line of front-matter ``key``, else the file's first line."""
        for f in self.fields:
            if f.key == key:
                return f.line
        return 1

    def raw(self, key: str) -> Any:
        for f in self.fields:
            if f.key == key:
                return f.raw
        return None

    def newest_log(self, kind: str | None = None) -> LogEntry | None:
        """The newest log entry (of ``kind`` when given); the later line wins a tie."""
        best: LogEntry | None = None
        for entry in self.log:
            if kind is not None and entry.kind != kind:
                continue
            if best is None or (entry.date, entry.location.line) >= (
                best.date,
                best.location.line,
            ):
                best = entry
        return best


def raw_text(raw: Any) -> str:
    """A raw front-matter value (:attr:`Field.raw`: text, a list, a mapping) as one line of
    text: ``a, b`` for a list, ``name: Susan, phone: …`` for a mapping."""
    if isinstance(raw, list):
        return ", ".join(raw_text(v) for v in raw)
    if isinstance(raw, dict):
        return ", ".join(f"{k}: {raw_text(v)}" for k, v in raw.items())
    return str(raw)


def raw_empty(raw: Any) -> bool:
    """Whether a raw front-matter value holds nothing: absent, blank text, or a list of
    blanks (a key left empty for the user to fill in, as the template writes it)."""
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list):
        return not any(raw)
    return raw is None
