"""Changing one profile on disk: log an interaction, add, tick or move a task, set or unset a
front-matter key.

Each function finds the profile (:func:`find_profile`: in an open vault, the one lookup of
:func:`plaincrm.lookup.find_path` asked of the index, only the profile found decoded) and hands
the edit (:mod:`plaincrm.edit`) to :func:`plaincrm.files.update_profile`, which reads the file,
applies the edit and writes it back under one lock, only if the file is still as read; what it
reports is what is on disk. With ``commit`` it then commits that file alone
(:mod:`plaincrm.gitrepo`). The checks that could refuse the value or the commit run before
anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from plaincrm import edit, frontmatter_edit
from plaincrm.config import Config
from plaincrm.errors import AmbiguousName, BadValue, GitError, NoSuchProfile, NoSuchTask
from plaincrm.files import update_profile
from plaincrm.gitrepo import open_repo
from plaincrm.loader import Vault
from plaincrm.lookup import find_path, fold
from plaincrm.lookup import find_profile as _find_profile
from plaincrm.model import Profile, Task
from plaincrm.parse import parse_profile
from plaincrm.repeat import next_day
from plaincrm.templates import render_value

Hook = Callable[[], None]
Value = str | list[str]
# where a change looks NAME up: an open vault (its index), or the profiles themselves
Source = Vault | Iterable[Profile]


def find_profile(source: Source, name: str) -> Profile:
    """The profile ``name`` means (also by the id, file or name of a profile merged into it).
    In an open vault: :func:`plaincrm.lookup.find_path` asked of its index with
    ``profiles.phone_region``, and only that profile decoded; among ``profiles`` given:
    :func:`plaincrm.lookup.find_profile`, which reads each. Raises NoSuchProfile or
    AmbiguousName."""
    if not isinstance(source, Vault):
        return _find_profile(source, name)
    if source.stats is None:  # as Vault.profiles: the index first brought up to date
        source.refresh()
    path = find_path(source.index, name, source.config["profiles.phone_region"])
    profile = source.index.profile(path, full=False)
    if profile is None:  # gone from the index between the two questions
        raise NoSuchProfile(f"no profile matches {name!r}")
    return profile


def known_owners(source: Source) -> set[str]:
    """Every staff name the vault uses (:func:`plaincrm.values.known_owners`), asked of the
    index in an open vault."""
    from plaincrm.values import known_owners as of_profiles

    return set(source.index.owners()) if isinstance(source, Vault) else of_profiles(source)


def _as_list(raw: object) -> list[object]:
    if isinstance(raw, list):
        return raw
    return [part.strip() for part in raw.split(",")] if isinstance(raw, str) else []


@dataclass(frozen=True, slots=True)
class Change:
    """What a write did: the file, the line now written, and the commit if one was made."""

    path: str  # relative to the vault
    line: int
    text: str  # the line as written, without its bullet
    message: str  # the commit message, used or not
    commit: str | None = None
    profile: Profile | None = None  # the profile as written


def log(root: Path, profiles: Source, name: str, text: str, kind: str,
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


def add_task(root: Path, profiles: Source, name: str, day: dt.date, text: str,
             owner: str | None = None, commit: bool = False,
             before_rename: Hook | None = None, style: str = "plaincrm") -> Change:
    """Add the open task ``- [ ] DAY TEXT @owner`` to the profile ``name`` means (``style``
    ``obsidian``: ``- [ ] TEXT @owner 📅 DAY``, see ``tasks.format``)."""
    day = edit.check_given_day(day, "DATE")
    text = edit.check_value(text, "the text")
    owner = edit.check_value(owner, "--owner") if owner is not None else None
    profile = find_profile(profiles, name)
    message = f"task: {profile.display_name} — {_short(text)}"

    def change(data: bytes) -> bytes:
        return edit.add_task(data, day, text, owner, profile.path, style)

    def written(new: Profile) -> tuple[int, str]:
        wanted = (day, edit.task_text(text, owner), False)
        task = [t for t in new.tasks if (t.date, t.text, t.done) == wanted][-1]
        return task.location.line, f"[ ] {day.isoformat()} {task.text}"

    return _apply(root, profile, change, written, lambda: message, commit, before_rename)


def tick(root: Path, profiles: Source, name: str, query: str,
         commit: bool = False, before_rename: Hook | None = None, on: dt.date | None = None,
         line: int | None = None, today: dt.date | None = None, last: bool = False) -> Change:
    """Mark done the one open task of ``name`` whose text contains ``query`` (case and
    accents aside; ``on`` its date, ``line`` its line). None: NoSuchTask; several:
    AmbiguousName listing them; nothing changes. A repeating task (:mod:`plaincrm.repeat`)
    gets its next one written below it, unless ``last``."""
    profile = find_profile(profiles, name)
    ticked: list[tuple[Task, dt.date | None]] = []

    def change(data: bytes) -> bytes:  # under the lock: the task as the file holds it now
        current = parse_profile(profile.path, data)[0]
        task = match_task(current.tasks if current else (), query, profile.path, on, line)
        then = None if last else next_day(task, today or dt.date.today())
        ticked.append((task, then))
        return edit.tick_task(data, task.location.line, profile.path, next_day=then,
                              today=today or dt.date.today())

    def written(new: Profile) -> tuple[int, str]:
        task, then = ticked[-1]
        when = f"{task.date.isoformat()} " if task.date else ""
        text = f"[x] {when}{task.text}"
        if then is not None:
            text += f"; next: [ ] {then.isoformat()} {task.text}"
        return task.location.line, text

    def message() -> str:
        return f"done: {profile.display_name} — {_short(ticked[-1][0].text)}"

    return _apply(root, profile, change, written, message, commit, before_rename)


def set_value(root: Path, profiles: Source, name: str, key: str,
              value: Value | None, config: Config, today: dt.date, add: bool = False,
              force: bool = False, commit: bool = False,
              before_rename: Hook | None = None) -> Change:
    """Set front-matter ``key`` of the profile ``name`` means to ``value`` (None: remove it).
    ``add``: add the values to the key's list. Unless ``force``, a value ``plaincrm check``
    would call an error is refused (:func:`plaincrm.values.value_errors`)."""
    from plaincrm.values import value_errors

    every = profiles if isinstance(profiles, Vault) else list(profiles)
    profile = find_profile(every, name)
    current = profile.raw(key)
    if value is not None:
        value = _new_value(current, value, add)
        if not force:
            errors = value_errors(key, value, config, today, known_owners(every))
            if errors:
                raise BadValue(f"{profile.path}: not changed: {'; '.join(errors)}. Use "
                               "--force to write it anyway.")
    message = (f"set: {profile.display_name} — {key}" if value is not None
               else f"unset: {profile.display_name} — {key}")

    def change(data: bytes) -> bytes:
        if value is None:
            return frontmatter_edit.unset_key(data, key, profile.path)
        return frontmatter_edit.set_key(data, key, value, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        if value is None:
            return 1, f"{key} removed"
        return new.field_line(key), render_value(key, new.raw(key))

    return _apply(root, profile, change, written, lambda: message, commit, before_rename)


def _new_value(current: object, value: Value, add: bool) -> Value:
    given = [value] if isinstance(value, str) else list(value)
    if add:
        old = _as_list(current) if isinstance(current, list) else (
            [current] if isinstance(current, str) and current.strip() else [])
        return list(dict.fromkeys([*(str(x) for x in old), *given]))
    if len(given) == 1 and not isinstance(current, list):
        return given[0]
    return given


def move_task(root: Path, profiles: Source, name: str, query: str,
              new_day: dt.date, on: dt.date | None = None, line: int | None = None,
              commit: bool = False, before_rename: Hook | None = None) -> Change:
    """Give the open task of ``name`` matching ``query`` (``on`` its date, ``line`` its line)
    the date ``new_day``."""
    new_day = edit.check_given_day(new_day, "NEW_DATE")
    profile = find_profile(profiles, name)
    moved: list[Task] = []

    def change(data: bytes) -> bytes:
        current = parse_profile(profile.path, data)[0]
        task = match_task(current.tasks if current else (), query, profile.path, on, line)
        moved.append(task)
        return edit.move_task(data, task.location.line, new_day, profile.path)

    def written(new: Profile) -> tuple[int, str]:
        task = moved[-1]
        return task.location.line, f"[ ] {new_day.isoformat()} {task.text}"

    def message() -> str:
        return f"task: {profile.display_name} — {_short(moved[-1].text)} moved to {new_day}"

    return _apply(root, profile, change, written, message, commit, before_rename)


def match_task(tasks: Iterable[Task], query: str, path: str, on: dt.date | None = None,
               line: int | None = None) -> Task:
    """The one open task whose text contains ``query``; an exact text wins over containing.
    The text may start with the task's date, as the list of candidates shows it; ``on``
    (its date) and ``line`` (its line) pick one of several alike."""
    wanted = fold(query)
    open_tasks = [t for t in tasks if not t.done and (on is None or t.date == on)
                  and (line is None or t.location.line == line)]
    found = [t for t in open_tasks if not wanted or wanted in fold(t.text)
             or wanted in fold(_task_label(t))]
    exact = [t for t in found if wanted in (fold(t.text), fold(_task_label(t)))]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousName(
            f"{query!r} matches {len(found)} open tasks in {path}; nothing was changed. "
            "Say more of the text, or pick one with --on DATE or --line LINE:",
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
