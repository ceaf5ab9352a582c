"""Moving customers from one staff member to another (``plaincrm reassign``).

Every profile owned by FROM (and matching the filters) gets ``owner: TO``, and each of its open
tasks naming ``@FROM`` names ``@TO``; each file is written with the one locked write
(:func:`plaincrm.files.update_profile`) and, with ``commit``, all of them go in one commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from plaincrm import edit, frontmatter_edit
from plaincrm.config import Config
from plaincrm.errors import BadValue, GitError, NoSuchProfile
from plaincrm.files import update_profile
from plaincrm.gitrepo import open_repo
from plaincrm.lookup import fold
from plaincrm.model import Profile
from plaincrm.parse import parse_profile
from plaincrm.values import known_owners, value_errors


@dataclass(frozen=True, slots=True)
class Moved:
    paths: tuple[str, ...]
    tasks: int  # open tasks renamed
    commit: str | None = None
    message: str = ""


def reassign(root: Path, profiles: Iterable[Profile], old: str, new: str, config: Config,
             today: dt.date, statuses: tuple[str, ...] = (), tags: tuple[str, ...] = (),
             force: bool = False, commit: bool = False, dry_run: bool = False) -> Moved:
    """Give FROM's customers (matching ``statuses`` and ``tags`` when given) to TO."""
    old, new = old.strip().removeprefix("@"), new.strip().removeprefix("@")
    every = list(profiles)
    if not force:
        errors = value_errors("owner", new, config, today, known_owners(every))
        if errors:
            raise BadValue(f"not reassigned: {'; '.join(errors)}. Use --force to give them "
                           "to a new owner.")
    chosen = [p for p in every if p.owner and fold(p.owner) == fold(old)
              and (not statuses or (p.status or "") in {s.lower() for s in statuses})
              and (not tags or {fold(t) for t in p.tags} & {fold(t) for t in tags})]
    if not chosen:
        raise NoSuchProfile(f"no profile is owned by {old!r}" + (" with those filters"
                                                                  if statuses or tags else ""))
    message = f"reassign: {len(chosen)} profiles from {old} to {new}"
    if dry_run:
        return Moved(tuple(p.path for p in chosen), sum(_count(p, old) for p in chosen),
                     None, message)
    repo = open_repo(root) if commit else None
    if repo is not None:
        for p in chosen:
            repo.check_can_commit(p.path)
    renamed = 0
    for p in chosen:
        counted: list[int] = []

        def change(data: bytes, p: Profile = p, counted: list[int] = counted) -> bytes:
            data = frontmatter_edit.set_key(data, "owner", new, p.path)
            current = parse_profile(p.path, data)[0]
            for task in reversed(current.tasks if current else ()):
                if not task.done and task.owner and fold(task.owner) == fold(old):
                    data = edit.reassign_task(data, task.location.line, task.owner, new, p.path)
                    counted.append(1)
            return data

        update_profile(root, p.path, change, had_content=True)
        renamed += len(counted)
    sha = None
    if repo is not None:
        try:
            sha = repo.commit_files([p.path for p in chosen], message)
        except GitError as exc:
            raise GitError(f"the profiles were written but not committed: {exc}") from None
    return Moved(tuple(p.path for p in chosen), renamed, sha, message)


def _count(p: Profile, old: str) -> int:
    return sum(1 for t in p.tasks if not t.done and t.owner and fold(t.owner) == fold(old))
