"""Changing one profile on disk: log an interaction, add a task, tick a task.

Each function finds the profile, reads its bytes once, makes the edit in memory
(:mod:`plaincrm.edit`), writes it back only if the file is still as read
(:mod:`plaincrm.safewrite`), and with ``commit`` commits that file alone
(:mod:`plaincrm.gitrepo`). The checks that could refuse the commit run before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from plaincrm import edit
from plaincrm.errors import AmbiguousName, GitError, NoSuchTask
from plaincrm.gitrepo import open_repo
from plaincrm.lookup import find_profile, fold
from plaincrm.model import Profile, Task
from plaincrm.parse import parse_profile
from plaincrm.safewrite import replace_if_unchanged

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
    profile = find_profile(profiles, name)
    kind = kind.strip().lower()
    message = f"log: {profile.display_name} — {kind}"

    def change(data: bytes) -> bytes:
        return edit.append_log(data, day, kind, text, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        entry = [e for e in new.log if (e.date, e.kind, e.text) == (day, kind, text.strip())][-1]
        return entry.location.line, f"{day.isoformat()} {kind}: {entry.text}"

    return _apply(root, profile, change, written, message, commit, before_rename)


def add_task(root: Path, profiles: Iterable[Profile], name: str, day: dt.date, text: str,
             owner: str | None = None, commit: bool = False,
             before_rename: Hook | None = None) -> Change:
    """Add the open task ``- [ ] DAY TEXT @owner`` to the profile ``name`` means."""
    profile = find_profile(profiles, name)
    message = f"task: {profile.display_name} — {_short(text)}"

    def change(data: bytes) -> bytes:
        return edit.add_task(data, day, text, owner, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        wanted = (day, edit.task_text(text, owner), False)
        task = [t for t in new.tasks if (t.date, t.text, t.done) == wanted][-1]
        return task.location.line, f"[ ] {day.isoformat()} {task.text}"

    return _apply(root, profile, change, written, message, commit, before_rename)


def tick(root: Path, profiles: Iterable[Profile], name: str, query: str,
         commit: bool = False, before_rename: Hook | None = None) -> Change:
    """Mark done the one open task of ``name`` whose text contains ``query`` (case and
    accents aside). None: NoSuchTask; several: AmbiguousName listing them; nothing changes."""
    profile = find_profile(profiles, name)
    data = (root / profile.path).read_bytes()
    current = parse_profile(profile.path, data)[0]
    task = match_task(current.tasks if current else (), query, profile.path)
    message = f"done: {profile.display_name} — {_short(task.text)}"

    def change(data: bytes) -> bytes:
        return edit.tick_task(data, task.location.line, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        when = f"{task.date.isoformat()} " if task.date else ""
        return task.location.line, f"[x] {when}{task.text}"

    return _apply(root, profile, change, written, message, commit, before_rename,
                  original=data)


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
           written: Callable[[Profile], tuple[int, str]], message: str, commit: bool,
           before_rename: Hook | None, original: bytes | None = None) -> Change:
    target = root / profile.path
    repo = open_repo(root) if commit else None
    if repo is not None:
        repo.check_can_commit(profile.path)
    data = target.read_bytes() if original is None else original
    new = change(data)
    replace_if_unchanged(target, data, new, before_rename)
    parsed = parse_profile(profile.path, new)[0]
    assert parsed is not None  # edit checked it parses
    line, text = written(parsed)
    sha = None
    if repo is not None:
        try:
            sha = repo.commit_file(profile.path, message)
        except GitError as exc:
            raise GitError(f"{profile.path} was written but not committed: {exc}") from None
    return Change(profile.path, line, text, message, sha, parsed)
