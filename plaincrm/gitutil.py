"""What git knows about the files of a folder, in one pass: when each was last committed.

Git is asked a fixed number of times however many files there are (one ``git log --name-only
-z`` over the whole history, never one call per file). The folder may be a subfolder of a
repository: paths come back relative to the folder. When git cannot answer truthfully (not
installed, not a repository, refused, a shallow clone) :class:`GitUnavailable` says why, so the
caller can fall back to file times and say so once.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from plaincrm.errors import GitError
from plaincrm.gitrepo import call

_HEADER = "\x01"  # starts each commit's line in the log: \x01<committer unix time>


class GitUnavailable(Exception):
    """Git cannot give reliable dates for this folder; the message says why, for the user."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return call(root, *args, env={"GIT_OPTIONAL_LOCKS": "0"})
    except GitError:
        raise GitUnavailable("git is not installed") from None
    except OSError as exc:
        raise GitUnavailable(f"git could not run: {exc.strerror or exc}") from None


def _first_line(data: bytes) -> str:
    text = os.fsdecode(data).strip()
    return text.splitlines()[0] if text else "no reason given"


def repo_prefix(root: Path) -> str:
    """The folder's path inside its repository (``""`` at the top, else ``"sub/dir/"``).

    Raises GitUnavailable when git is missing, the folder is not in a repository, git refuses
    it (e.g. "dubious ownership") or the clone is shallow (its dates would be wrong).
    """
    done = _git(root, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository",
                "--show-prefix")
    if done.returncode != 0:
        reason = _first_line(done.stderr)
        if "not a git repository" in reason:
            raise GitUnavailable("the vault is not in a git repository")
        raise GitUnavailable(f"git refused the vault ({reason})")
    lines = os.fsdecode(done.stdout).splitlines()
    if len(lines) < 2 or lines[0] != "true":
        raise GitUnavailable("the vault is not in a git work tree")
    if lines[1] == "true":
        raise GitUnavailable("the repository is a shallow clone, so its dates are incomplete")
    return lines[2] if len(lines) > 2 else ""


def last_commit_dates(root: Path) -> dict[str, dt.datetime]:
    """``{path relative to root: committer date of the newest commit that changed it}``.

    Files never committed are absent. A repository without commits yet gives ``{}``.
    Raises GitUnavailable (see :func:`repo_prefix`).
    """
    prefix = repo_prefix(root)
    head = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    if head.returncode != 0:
        return {}  # no commit yet: nothing is committed
    done = _git(root, "-c", "core.quotepath=off", "log", "--name-only", "-z",
                "--no-renames", f"--format={_HEADER}%ct", "--", ".")
    if done.returncode != 0:
        raise GitUnavailable(f"git log failed ({_first_line(done.stderr)})")
    return parse_log(done.stdout, prefix)


def parse_log(output: bytes, prefix: str = "") -> dict[str, dt.datetime]:
    """Parse ``git log --name-only -z --format=\\x01%ct`` output (newest commit first)."""
    dates: dict[str, dt.datetime] = {}
    when: dt.datetime | None = None
    for token in output.split(b"\0"):
        if token.startswith(_HEADER.encode()):
            when = dt.datetime.fromtimestamp(int(token[1:]), tz=dt.UTC)
            continue
        path = os.fsdecode(token.lstrip(b"\n"))
        if not path or when is None:
            continue
        if prefix:
            if not path.startswith(prefix):
                continue
            path = path[len(prefix):]
        dates.setdefault(path, when)
    return dates


def uncommitted_paths(root: Path) -> set[str]:
    """Paths (relative to root) that are untracked or differ from the last commit.

    Raises GitUnavailable (see :func:`repo_prefix`).
    """
    prefix = repo_prefix(root)
    done = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all",
                "--no-renames", "--", ".")
    if done.returncode != 0:
        raise GitUnavailable(f"git status failed ({_first_line(done.stderr)})")
    found: set[str] = set()
    for entry in done.stdout.split(b"\0"):
        if len(entry) < 4:
            continue
        path = os.fsdecode(entry[3:])  # "XY path": porcelain paths are from the repo's top
        if prefix:
            if not path.startswith(prefix):
                continue
            path = path[len(prefix):]
        found.add(path)
    return found
