"""Writing an import: a new profile for each new record, then one commit.

Each profile is made by :func:`plaincrm.create.new_profile` (the vault's template, a fresh
``id``), which takes the name, emails, phones, birthday, tags, status and owner, and the
record's other keys (addresses, company, notes, types…) as extra keys, each set with
:func:`plaincrm.frontmatter_edit.set_key` and verified to read back as written; a key that would
not is left out with a warning.

A profile a record matches gets the keys it leaves absent or empty, and with ``update`` the
record's value of every key that differs (see :func:`plaincrm.interop.plan.changes`): each key
set with :func:`~plaincrm.frontmatter_edit.set_key` (only its lines change) inside one
:func:`plaincrm.files.update_profile` per profile, which decides from the file as it is under
the lock. A key set_key refuses (a ``|`` block…) is left as it is, with a warning.
The new and the changed profiles go into one commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plaincrm import gitrepo
from plaincrm.create import NewProfile, new_profile
from plaincrm.errors import GitError, PlaincrmError, WriteRefused
from plaincrm.files import update_profile
from plaincrm.frontmatter_edit import set_key
from plaincrm.interop.mapping import Mapped, nest, nested_raw
from plaincrm.interop.plan import Action, Step, changes, new_value
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
class Changed:
    """What a record changed in the profile it matches."""

    path: str
    filled: tuple[str, ...]
    updated: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Written:
    created: tuple[tuple[Location, str], ...]  # (record, new profile's vault path)
    problems: tuple[Problem, ...]  # records that could not be written, keys left out
    commit: str | None = None
    note: str | None = None  # why nothing was committed
    changed: tuple[tuple[Location, Changed], ...] = ()  # (record, the profile it changed)
    message: str = ""  # the commit's message


def apply(root: Path, steps: Sequence[Step], profiles: list[Profile], defaults: Defaults,
          today: dt.date, commit: bool, source: str,
          progress: Callable[[int], None] | None = None, update: bool = False) -> Written:
    """Create a profile for every NEW step, fill (with ``update``: also update) the profile
    each MATCH step matches, and commit them once (with ``commit``, when the vault is in a git
    repository). ``profiles`` grows by each profile written."""
    repo, note = _repo(root) if commit else (None, None)
    created: list[tuple[Location, str]] = []
    changed: list[tuple[Location, Changed]] = []
    problems: list[Problem] = []
    made: dict[str, str] = {}  # "file:line" of a record -> the profile created from it
    for step in steps:
        if step.action is Action.NEW and step.mapped is not None:
            try:
                rel, left_out = _create(root, step.mapped, profiles, defaults, today)
            except PlaincrmError as exc:
                problems.append(Problem(step.position, "import-error", Severity.ERROR,
                                        f"not imported: {exc}"))
            else:
                created.append((step.position, rel))
                made[str(step.position)] = rel
                problems.extend(Problem(step.position, "import-warning", Severity.WARNING,
                                        f"{rel}: {text}") for text in left_out)
        elif step.action is Action.MATCH and step.mapped is not None and (
                step.lacks or step.differs):
            first = step.matches[0]
            target = made.get(first.path) if first.in_file else first.path
            if target is not None:
                try:
                    done, left = _change(root, target, step.mapped, update)
                except PlaincrmError as exc:
                    problems.append(Problem(step.position, "import-error", Severity.ERROR,
                                            f"{target} was not changed: {exc}"))
                else:
                    if done is not None:
                        changed.append((step.position, done))
                    problems.extend(Problem(step.position, "import-warning", Severity.WARNING,
                                            f"{target}: {text}") for text in left)
        if progress is not None:
            progress(1)
    message = _message(len(created), changed, source)
    sha = None
    paths = [rel for _pos, rel in created] + list(dict.fromkeys(c.path for _p, c in changed))
    if repo is not None and paths:
        try:
            sha = repo.commit_files(paths, message)
        except GitError as exc:
            note = f"the profiles were written but not committed: {exc}"
    return Written(tuple(created), tuple(problems), sha, note, tuple(changed), message)


def _message(created: int, changed: list[tuple[Location, Changed]], source: str) -> str:
    """``import: 4 profiles, 2 filled from contacts.vcf``."""
    filled = {c.path for _p, c in changed if c.filled and not c.updated}
    updated = {c.path for _p, c in changed if c.updated}
    parts = [f"{n} {what}" for n, what in (
        (created, "profile" if created == 1 else "profiles"), (len(filled), "filled"),
        (len(updated), "updated")) if n]
    return f"import: {', '.join(parts) or 'nothing'} from {source}"


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
    extra = tuple(nest((key, list(value) if isinstance(value, tuple) else value)
                       for key, value in m.extra))
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


class _Unchanged(Exception):
    """Nothing to write: the profile already has what the record gives."""


def _change(root: Path, rel: str, m: Mapped, update: bool) -> tuple[Changed | None, list[str]]:
    """Fill (and with ``update``, update) the profile ``rel`` from record ``m``: what changed,
    and a warning for each key left as it is."""
    done: dict[str, list[str]] = {"filled": [], "updated": []}
    left: list[str] = []

    def change(data: bytes) -> bytes:
        done["filled"].clear()
        done["updated"].clear()
        left.clear()
        profile, _problems = parse_profile(rel, data)
        if profile is None:
            raise WriteRefused(f"{rel} is not a Markdown profile; it was left alone")
        raw = nested_raw(profile)
        fill, differ = changes(m, raw, update)
        given = dict(m.given())
        values = nest((key, new_value(key, raw(key), given[key])) for key in (*fill, *differ))
        for key, value in values:
            if isinstance(value, dict) and isinstance(profile.raw(key), dict):
                value = {**profile.raw(key), **value}  # the keys it has stay
            elif isinstance(value, dict) and profile.raw(key) not in (None, ""):
                left.append(f"{key} was left as it is: it holds a value, not keys")
                continue
            members = [f"{key}.{k}" for k in value] if isinstance(value, dict) else [key]
            try:
                data = set_key(data, key, value, rel, controls=True)
            except WriteRefused as exc:
                left.append(f"{key} was left as it is: {exc}")
            else:
                for member in members:
                    if member in fill or member in differ:
                        done["filled" if member in fill else "updated"].append(member)
        if not done["filled"] and not done["updated"]:
            raise _Unchanged
        return data

    try:
        update_profile(root, rel, change, had_content=True)
    except _Unchanged:
        return None, left
    return Changed(rel, tuple(done["filled"]), tuple(done["updated"])), left
