"""What the git history says about the profiles, read from one ``git log -p`` pass.

Pure functions over :class:`plaincrm.gitrepo.FileChange` records (the one module that runs git
makes them): the history of each profile's ``status``, who added each log entry line, when a
task was ticked and by whom, and which profiles each commit added, changed or removed.

Renames are followed as git detects them: a renamed profile keeps its history under its new
path. Only the lines a commit changed are looked at (``-U0``): a ``status:`` line is one that
starts at the left margin with ``status:`` and holds one word (the front matter's key; a note
such as ``status: waiting for parts`` in the body is not taken for it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from plaincrm.gitrepo import FileChange
from plaincrm.parse import CHECKBOX, KIND, LEADING_DATE

STATUS_LINE = re.compile(r"status:[ \t]*(?:\"([^\"\s]*)\"|'([^'\s]*)'|([^\s#'\"]*))[ \t]*"
                         r"(?:#.*)?")
ITEM = re.compile(r"[ \t]*[-*+][ \t]+(.*)")


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A profile's ``status`` moved from ``old`` to ``new`` (None: not there) on ``date``."""

    path: str
    date: dt.date
    old: str | None
    new: str | None
    author: str | None  # None: not committed yet (the file as it is now)
    created: bool = False  # the commit added the file


@dataclass(frozen=True, slots=True)
class TaskDone:
    """A task ticked (``[ ]`` → ``[x]``) in a commit."""

    path: str
    date: dt.date  # the commit's date
    author: str
    task_date: dt.date | None
    text: str


@dataclass(frozen=True, slots=True)
class FileEvent:
    """A commit added, changed or removed a profile."""

    path: str
    date: dt.date
    author: str
    what: str  # "added" | "changed" | "removed"


EntryKey = tuple[str, dt.date, str | None, str]  # path, date, kind, text


@dataclass
class GitFacts:
    """Everything :func:`read_history` learns; each list oldest first."""

    statuses: list[StatusChange] = field(default_factory=list)
    entry_authors: dict[EntryKey, str] = field(default_factory=dict)
    tasks_done: list[TaskDone] = field(default_factory=list)
    events: list[FileEvent] = field(default_factory=list)


def read_history(changes: Iterable[FileChange], is_profile: Callable[[str], bool]) -> GitFacts:
    """The facts of ``changes`` (oldest first) about the files ``is_profile`` accepts, each
    under the path its file has at the end (renames followed)."""
    reader = Reader()
    for change in changes:
        reader.read(change, is_profile)
    return reader.facts()


class Reader:
    """Records are kept per file identity, so a rename costs nothing: at the end each
    identity gets the path its file had last."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.paths: list[str] = []
        self.statuses: list[tuple[int, StatusChange]] = []
        self.done: list[tuple[int, TaskDone]] = []
        self.events: list[tuple[int, FileEvent]] = []
        self.authors: dict[tuple[int, dt.date, str | None, str], str] = {}

    def counts(self) -> tuple[int, int, int, int]:
        """How many records of each list it holds (the store appends only what follows)."""
        return len(self.statuses), len(self.done), len(self.events), len(self.authors)

    def ident(self, path: str) -> int:
        if path not in self.ids:
            self.ids[path] = len(self.paths)
            self.paths.append(path)
        return self.ids[path]

    def read(self, change: FileChange, is_profile: Callable[[str], bool]) -> None:
        if change.status == "R" and change.old_path in self.ids:
            number = self.ids.pop(change.old_path)
            self.ids[change.path] = number
            self.paths[number] = change.path
        if not is_profile(change.path):
            return
        number = self.ident(change.path)
        what = {"A": "added", "D": "removed"}.get(change.status, "changed")
        self.events.append((number, FileEvent("", change.date, change.author, what)))
        status = _status(change)
        if status is not None:
            self.statuses.append((number, status))
        _lines(self, number, change)
        if change.status == "D":
            del self.ids[change.path]  # a file added later at this path is another profile

    def facts(self) -> GitFacts:
        paths = self.paths
        return GitFacts(
            statuses=[replace(s, path=paths[n]) for n, s in self.statuses],
            entry_authors={(paths[k[0]], *k[1:]): a for k, a in self.authors.items()},
            tasks_done=[replace(t, path=paths[n]) for n, t in self.done],
            events=[replace(e, path=paths[n]) for n, e in self.events])


def status_value(line: str) -> str | None:
    """The status a front-matter line sets, lower-cased as the loader does (``""`` for an
    empty one); None for another line."""
    match = STATUS_LINE.fullmatch(line)
    if match is None:
        return None
    return next((g for g in match.groups() if g is not None), "").lower()


def _status(change: FileChange) -> StatusChange | None:
    """The status move in ``change`` (path left blank), if any; adding a file is one."""
    old = next((v for v in map(status_value, change.removed) if v is not None), None) or None
    new = next((v for v in map(status_value, change.added) if v is not None), None) or None
    if change.status == "A":
        return StatusChange("", change.date, None, new, change.author, created=True)
    if change.status == "D":
        return StatusChange("", change.date, old, None, change.author)
    if old != new:
        return StatusChange("", change.date, old, new, change.author)
    return None


def _item(line: str) -> str | None:
    match = ITEM.fullmatch(line)
    return match.group(1) if match else None


def _dated(text: str) -> tuple[dt.date | None, str]:
    match = LEADING_DATE.match(text)
    if match is None:
        return None, text.strip()
    try:
        return dt.date.fromisoformat(match.group(1)), match.group(2).strip()
    except ValueError:
        return None, text.strip()


def entry_key(path: str, date: dt.date, kind: str | None, text: str) -> EntryKey:
    """How a log entry is recognised in a diff: its file, date, kind and text (spaces folded)."""
    return path, date, kind, " ".join(text.split())


def _lines(reader: Reader, number: int, change: FileChange) -> None:
    """Log entry lines added (their author) and tasks ticked in ``change``."""
    opened: set[str] = set()
    for line in change.removed:
        item = _item(line)
        box = CHECKBOX.match(item) if item else None
        if box is not None and box.group(1) == " ":
            opened.add(" ".join(box.group(2).split()))
    for line in change.added:
        item = _item(line)
        if item is None:
            continue
        box = CHECKBOX.match(item)
        if box is not None:
            rest = " ".join(box.group(2).split())
            if box.group(1) in "xX" and rest in opened:
                day, text = _dated(rest)
                reader.done.append((number, TaskDone("", change.date, change.author, day,
                                                     text)))
            continue
        day, rest = _dated(item)
        if day is None:
            continue
        kind_match = KIND.match(rest)
        kind, text = ((kind_match.group(1).lower(), kind_match.group(2).strip())
                      if kind_match else (None, rest))
        key = entry_key("", day, kind, text)
        reader.authors.setdefault((number, *key[1:]), change.author)
