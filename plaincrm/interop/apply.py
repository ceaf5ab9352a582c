"""Writing an import: a new profile for each new record, then one commit.

Each profile is made by :func:`plaincrm.create.new_profile` (the vault's template, a fresh
``id``), which takes the name, emails, phones, birthday, tags, status and owner, and the
record's other keys (addresses, company, notes, types…) as extra keys, each set with
:func:`plaincrm.frontmatter_edit.set_key` and verified to read back as written; a key that would
not is left out with a warning. Profiles that already exist are not changed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plaincrm import gitrepo
from plaincrm.create import NewProfile, new_profile
from plaincrm.errors import GitError, PlaincrmError, WriteRefused
from plaincrm.interop.mapping import Mapped
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
    extra = tuple((key, list(value) if isinstance(value, tuple) else value)
                  for key, value in m.extra)
    spec = NewProfile(name=m.name, emails=m.emails, phones=m.phones,
                      status=m.status or defaults.status, owner=m.owner or defaults.owner,
                      tags=tuple(dict.fromkeys((*m.tags, *defaults.tags))), birthday=m.birthday,
                      extra=extra)
    since = dt.date.fromisoformat(m.customer_since) if m.customer_since else (
        defaults.customer_since or today)
    created = new_profile(root, profiles, spec, since, defaults.folder, force=True,
                          lenient=True)
    rel = created.path.as_posix()
    written, _problems = parse_profile(rel, (root / rel).read_bytes())
    if written is not None:
        profiles.append(written)
    return rel, list(created.left_out)


def _commit(repo: gitrepo.Repo, paths: list[str], message: str) -> str:
    """Commit exactly ``paths`` (new files) in one commit, with the user's hooks."""
    listed = b"\0".join(os.fsencode(p) for p in paths)
    repo.run("add", "--pathspec-from-file=-", "--pathspec-file-nul", stdin=listed)
    literal = b"\0".join(os.fsencode(gitrepo.literal(p)) for p in paths)
    gitrepo.git(repo.vault, "commit", "--quiet", "-m", message, "--only",
                "--pathspec-from-file=-", "--pathspec-file-nul", stdin=literal, hooks=True)
    return repo.run("rev-parse", "--short", "HEAD").decode().strip()
