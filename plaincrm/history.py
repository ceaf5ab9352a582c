"""A profile's git history: who changed what and when, across renames.

One ``git log --follow`` for the file, then one ``git cat-file --batch`` for every version of it
and of its parent; both versions are parsed with the loader and compared: which front-matter
fields changed (old → new), how many log entries and tasks were added, how many tasks were ticked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plaincrm.gitrepo import Repo, open_repo
from plaincrm.model import Profile, raw_text
from plaincrm.parse import parse_profile

LOG_FORMAT = "%x1e%H%x1f%aI%x1f%an%x1f%ae%x1f%s"


@dataclass(frozen=True, slots=True)
class FieldChange:
    key: str
    old: str | None  # None: the key was not there
    new: str | None  # None: the key was removed

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.key}: added {self.new}"
        if self.new is None:
            return f"{self.key}: removed (was {self.old})"
        return f"{self.key}: {self.old} → {self.new}"


@dataclass(frozen=True, slots=True)
class Revision:
    """One commit that touched the profile."""

    commit: str
    date: dt.datetime
    author: str
    email: str
    subject: str
    path: str  # the file's path at this commit: vault-relative, or repository-relative outside it
    renamed_from: str | None
    created: bool
    fields: tuple[FieldChange, ...]
    log_added: int
    tasks_added: int
    tasks_done: int

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "date": self.date.isoformat(),
            "author": self.author,
            "email": self.email,
            "subject": self.subject,
            "path": self.path,
            "renamed_from": self.renamed_from,
            "created": self.created,
            "fields": [{"key": c.key, "old": c.old, "new": c.new} for c in self.fields],
            "log_added": self.log_added,
            "tasks_added": self.tasks_added,
            "tasks_done": self.tasks_done,
        }


@dataclass(frozen=True, slots=True)
class History:
    path: str  # the profile, relative to the vault
    revisions: tuple[Revision, ...]  # newest first
    warnings: tuple[str, ...]


def profile_history(vault: Path, rel: str) -> History:
    """The history of the profile at ``rel`` (vault-relative). GitError outside a repository."""
    repo = open_repo(vault)
    warnings = []
    if repo.shallow:
        warnings.append("this is a shallow clone: older commits are missing, so the history "
                        "is cut short (run 'git fetch --unshallow' for all of it)")
    commits = _log(repo, rel)
    wanted = []
    for c in commits:
        wanted.append(f"{c['commit']}:{c['path']}")
        if c["status"] != "A":
            wanted.append(f"{c['commit']}^:{c['old_path']}")
    blobs = _cat(repo, wanted)
    revisions = []
    for c in commits:
        new = blobs.get(f"{c['commit']}:{c['path']}")
        old = None if c["status"] == "A" else blobs.get(f"{c['commit']}^:{c['old_path']}")
        revisions.append(_revision(c, old, new, repo.prefix))
    return History(rel, tuple(revisions), tuple(warnings))


def _log(repo: Repo, rel: str) -> list[dict[str, str]]:
    out = repo.run("log", "--follow", "-M", "--name-status", "-z", f"--format={LOG_FORMAT}",
                   "--", rel).decode("utf-8", "replace")
    commits = []
    for chunk in out.split("\x1e")[1:]:
        header, _, changes = chunk.partition("\x00")
        sha, date, author, email, subject = header.split("\x1f", 4)
        parts = changes.lstrip("\n").split("\x00")
        status = parts[0] if parts and parts[0] else ""
        if not status:
            continue  # a merge without its own change to the file
        old_path = parts[1]
        path = parts[2] if status[0] in "RC" else old_path
        commits.append({"commit": sha, "date": date, "author": author, "email": email,
                        "subject": subject, "status": status[0], "path": path,
                        "old_path": old_path})
    return commits


def _cat(repo: Repo, specs: list[str]) -> dict[str, bytes]:
    """``{"<commit>:<path>": bytes}`` from one ``git cat-file --batch``; missing ones left out."""
    if not specs:
        return {}
    out = repo.run("cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[-1] == b"missing":
            continue
        size = int(header[2])
        blobs[spec] = out[pos:pos + size]
        pos += size + 1  # the content is followed by a newline
    return blobs


def _parse(path: str, data: bytes | None) -> Profile | None:
    if data is None:
        return None
    return parse_profile(path, data)[0]


def _revision(c: dict[str, str], old_data: bytes | None, new_data: bytes | None,
              prefix: str) -> Revision:
    old, new = _parse(c["old_path"], old_data), _parse(c["path"], new_data)
    old_fields = {f.key: raw_text(f.raw) for f in old.fields} if old else {}
    new_fields = {f.key: raw_text(f.raw) for f in new.fields} if new else {}
    changes = []
    for key in [*new_fields, *(k for k in old_fields if k not in new_fields)]:
        before, after = old_fields.get(key), new_fields.get(key)
        if before != after:
            changes.append(FieldChange(key, before, after))
    old_log = Counter((e.date, e.kind, e.text) for e in old.log) if old else Counter()
    new_log = Counter((e.date, e.kind, e.text) for e in new.log) if new else Counter()
    old_tasks = Counter((t.date, t.text) for t in old.tasks) if old else Counter()
    new_tasks = Counter((t.date, t.text) for t in new.tasks) if new else Counter()
    old_open = Counter((t.date, t.text) for t in old.tasks if not t.done) if old else Counter()
    new_done = Counter((t.date, t.text) for t in new.tasks if t.done) if new else Counter()
    return Revision(
        commit=c["commit"],
        date=dt.datetime.fromisoformat(c["date"]),
        author=c["author"],
        email=c["email"],
        subject=c["subject"],
        path=_in_vault(c["path"], prefix),
        renamed_from=_in_vault(c["old_path"], prefix) if c["status"] == "R" else None,
        created=c["status"] == "A",
        fields=tuple(changes),
        log_added=(new_log - old_log).total(),
        tasks_added=(new_tasks - old_tasks).total(),
        tasks_done=(old_open & new_done).total(),
    )


def _in_vault(path: str, prefix: str) -> str:
    """A repository path as a vault-relative one when it lies inside the vault."""
    return path.removeprefix(prefix) if path.startswith(prefix) else path
