"""Writing an import: a new profile for each new record, then one commit.

Each profile is made by :func:`plaincrm.create.new_profile` (the vault's template, a fresh
``id``), which takes the name, emails, phones, birthday, tags, status and owner. The record's
other keys (addresses, company, notes, types…) are then set in that new file with
:func:`plaincrm.templates.fill`, the same filling the template gets, written back with
:func:`plaincrm.files.update_profile` only if every value reads back as written.
Profiles that already exist are not changed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plaincrm import gitrepo, templates
from plaincrm.create import NewProfile, new_profile
from plaincrm.errors import GitError, PlaincrmError, WriteRefused
from plaincrm.files import update_profile
from plaincrm.interop.mapping import Mapped, Value
from plaincrm.interop.plan import Action, Step
from plaincrm.model import Location, Problem, Profile, Severity
from plaincrm.parse import parse_profile


@dataclass(frozen=True, slots=True)
class Defaults:
    """What ``--status``, ``--owner``, ``--tag`` and ``--customer-since`` give every record."""

    status: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    customer_since: dt.date | None = None
    folder: str = ""


@dataclass(frozen=True, slots=True)
class Written:
    created: tuple[tuple[Location, str], ...]  # (record, new profile's vault path)
    problems: tuple[Problem, ...]  # records that could not be written, keys left out
    commit: str | None = None
    note: str | None = None  # why nothing was committed


def apply(root: Path, steps: Sequence[Step], profiles: list[Profile], defaults: Defaults,
          today: dt.date, commit: bool, message: str,
          progress: Callable[[int], None] | None = None) -> Written:
    """Create a profile for every NEW step and commit them once (with ``commit``, when the
    vault is in a git repository). ``profiles`` grows by each profile written."""
    repo, note = _repo(root) if commit else (None, None)
    created: list[tuple[Location, str]] = []
    problems: list[Problem] = []
    for step in steps:
        if step.action is Action.NEW and step.mapped is not None:
            try:
                rel, left_out = _create(root, step.mapped, profiles, defaults, today)
            except PlaincrmError as exc:
                problems.append(Problem(step.position, "import-error", Severity.ERROR,
                                        f"not imported: {exc}"))
            else:
                created.append((step.position, rel))
                problems.extend(Problem(step.position, "import-warning", Severity.WARNING,
                                        f"{rel}: {text}") for text in left_out)
        if progress is not None:
            progress(1)
    sha = None
    if repo is not None and created:
        try:
            sha = _commit(repo, [rel for _pos, rel in created], message)
        except GitError as exc:
            note = f"the new profiles were written but not committed: {exc}"
    return Written(tuple(created), tuple(problems), sha, note)


def _repo(root: Path) -> tuple[gitrepo.Repo | None, str | None]:
    """The vault's repository, refusing before anything is written while git is busy."""
    try:
        repo = gitrepo.open_repo(root)
    except gitrepo.GitUnavailable as exc:
        return None, f"not committed: {exc}"
    busy = repo.in_progress()
    if busy:
        raise WriteRefused(f"{busy} is in progress in {repo.top}; finish it first (or import "
                           "with --no-commit)")
    return repo, None


def _create(root: Path, m: Mapped, profiles: list[Profile], defaults: Defaults,
            today: dt.date) -> tuple[str, list[str]]:
    spec = NewProfile(name=m.name, emails=m.emails, phones=m.phones,
                      status=m.status or defaults.status, owner=m.owner or defaults.owner,
                      tags=tuple(dict.fromkeys((*m.tags, *defaults.tags))), birthday=m.birthday)
    since = dt.date.fromisoformat(m.customer_since) if m.customer_since else (
        defaults.customer_since or today)
    rel = new_profile(root, profiles, spec, since, defaults.folder, force=True).as_posix()
    left_out = _add_keys(root, rel, m.extra) if m.extra else []
    written, _problems = parse_profile(rel, (root / rel).read_bytes())
    if written is not None:
        profiles.append(written)
    return rel, left_out


def _add_keys(root: Path, rel: str, extra: tuple[tuple[str, Value], ...]) -> list[str]:
    """Set ``extra`` in the profile just created; the keys that would not read back as
    written are left out (and returned as warnings)."""
    values = {key: (list(value) if isinstance(value, tuple) else value) for key, value in extra}
    left_out: list[str] = []

    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        while values:
            new = templates.fill(text, values, {})
            bad = _not_as_written(rel, new, values)
            if not bad:
                return new.encode("utf-8")
            for key in bad:
                left_out.append(f"{key} was left out: its value would not read back as written")
                del values[key]
        return data

    update_profile(root, rel, change, had_content=True)
    return left_out


def _not_as_written(rel: str, text: str, values: dict[str, str | list[str]]) -> list[str]:
    profile, _problems = parse_profile(rel, text.encode("utf-8"))
    if profile is None:
        return list(values)
    found = {f.key: f.raw for f in profile.fields}
    return [key for key, value in values.items() if found.get(key) != value]


def _commit(repo: gitrepo.Repo, paths: list[str], message: str) -> str:
    """Commit exactly ``paths`` (new files) in one commit, with the user's hooks."""
    listed = b"\0".join(os.fsencode(p) for p in paths)
    repo.run("add", "--pathspec-from-file=-", "--pathspec-file-nul", stdin=listed)
    literal = b"\0".join(os.fsencode(gitrepo.literal(p)) for p in paths)
    gitrepo.git(repo.vault, "commit", "--quiet", "-m", message, "--only",
                "--pathspec-from-file=-", "--pathspec-file-nul", stdin=literal, hooks=True)
    return repo.run("rev-parse", "--short", "HEAD").decode().strip()
