"""Changing one profile on disk: log an interaction, add a task, tick a task.

Each function finds the profile and hands the edit (:mod:`plaincrm.edit`) to
:func:`plaincrm.files.update_profile`, which reads the file, applies the edit and writes it back
under one lock, only if the file is still as read; what it reports is what is on disk. With
``commit`` it then commits that file alone (:mod:`plaincrm.gitrepo`). The checks that could refuse
the value or the commit run before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from plaincrm import edit
from plaincrm.errors import AmbiguousName, GitError, NoSuchTask
from plaincrm.files import update_profile
from plaincrm.gitrepo import open_repo
from plaincrm.lookup import find_profile, fold
from plaincrm.model import Profile, Task
from plaincrm.parse import parse_profile

Hook = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Change:
    """What a write did: the file, the line now written, and the commit if one was made."""

    path: str  # relative to the vault
    line: int
    text: str  # the line as written, without its bullet
    message: str  # the commit message, used or not
    commit: str | None = None
    profile: Profile | None = None  # the profile as written


def log(root: Path, profiles: Iterable[Profile], name: str, text: str, kind: str,
        day: dt.date, commit: bool = False, before_rename: Hook | None = None) -> Change:
    """Append ``- DAY kind: TEXT`` to the Log section of the profile ``name`` means."""
    day = edit.check_given_day(day, "--date")
    text = edit.check_value(text, "the text")
    kind = edit.check_value(kind, "--kind").strip().lower()
    profile = find_profile(profiles, name)
    message = f"log: {profile.display_name} — {kind}"

    def change(data: bytes) -> bytes:
        return edit.append_log(data, day, kind, text, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        entry = [e for e in new.log if (e.date, e.kind, e.text) == (day, kind, text.strip())][-1]
        return entry.location.line, f"{day.isoformat()} {kind}: {entry.text}"

    return _apply(root, profile, change, written, lambda: message, commit, before_rename)


def add_task(root: Path, profiles: Iterable[Profile], name: str, day: dt.date, text: str,
             owner: str | None = None, commit: bool = False,
             before_rename: Hook | None = None) -> Change:
    """Add the open task ``- [ ] DAY TEXT @owner`` to the profile ``name`` means."""
    day = edit.check_given_day(day, "DATE")
    text = edit.check_value(text, "the text")
    owner = edit.check_value(owner, "--owner") if owner is not None else None
    profile = find_profile(profiles, name)
    message = f"task: {profile.display_name} — {_short(text)}"

    def change(data: bytes) -> bytes:
        return edit.add_task(data, day, text, owner, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        wanted = (day, edit.task_text(text, owner), False)
        task = [t for t in new.tasks if (t.date, t.text, t.done) == wanted][-1]
        return task.location.line, f"[ ] {day.isoformat()} {task.text}"

    return _apply(root, profile, change, written, lambda: message, commit, before_rename)


def tick(root: Path, profiles: Iterable[Profile], name: str, query: str,
         commit: bool = False, before_rename: Hook | None = None) -> Change:
    """Mark done the one open task of ``name`` whose text contains ``query`` (case and
    accents aside). None: NoSuchTask; several: AmbiguousName listing them; nothing changes."""
    profile = find_profile(profiles, name)
    ticked: list[Task] = []

    def change(data: bytes) -> bytes:  # under the lock: the task as the file holds it now
        current = parse_profile(profile.path, data)[0]
        task = match_task(current.tasks if current else (), query, profile.path)
        ticked.append(task)
        return edit.tick_task(data, task.location.line, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        task = ticked[-1]
        when = f"{task.date.isoformat()} " if task.date else ""
        return task.location.line, f"[x] {when}{task.text}"

    def message() -> str:
        return f"done: {profile.display_name} — {_short(ticked[-1].text)}"

    return _apply(root, profile, change, written, message, commit, before_rename)


def match_task(tasks: Iterable[Task], query: str, path: str) -> Task:
    """The one open task whose text contains ``query``; an exact text wins over containing."""
    wanted = fold(query)
    open_tasks = [t for t in tasks if not t.done]
    found = [t for t in open_tasks if wanted and wanted in fold(t.text)]
    exact = [t for t in found if fold(t.text) == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousName(
            f"{query!r} matches {len(found)} open tasks in {path}; nothing was changed. "
            "Say more of the text:",
            [f"{path}:{t.location.line}  {_task_label(t)}" for t in found],
        )
    listed = "; ".join(_task_label(t) for t in open_tasks) or "there are none"
    raise NoSuchTask(f"no open task in {path} matches {query!r} (open tasks: {listed})")


def _task_label(t: Task) -> str:
    return f"{t.date.isoformat()} {t.text}" if t.date else t.text


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _apply(root: Path, profile: Profile, change: Callable[[bytes], bytes],
           written: Callable[[Profile], tuple[int, str]], message: Callable[[], str],
           commit: bool, before_rename: Hook | None) -> Change:
    repo = open_repo(root) if commit else None
    if repo is not None:
        repo.check_can_commit(profile.path)
    new = update_profile(root, profile.path, change, had_content=_had_content(profile),
                         before_rename=before_rename)
    parsed = parse_profile(profile.path, new)[0]
    assert parsed is not None  # edit checked it parses
    line, text = written(parsed)
    sha = None
    if repo is not None:
        try:
            sha = repo.commit_file(profile.path, message())
        except GitError as exc:
            raise GitError(f"{profile.path} was written but not committed: {exc}") from None
    return Change(profile.path, line, text, message(), sha, parsed)


def _had_content(profile: Profile) -> bool:
    """Whether the index read something in the profile: then an empty read is a save."""
    return bool(profile.fields or profile.name or profile.tasks or profile.log_count
                or profile.log or profile.has_problems)
