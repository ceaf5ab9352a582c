"""Running git for one profile: the repository around the vault, a file's state, a commit.

Every call goes through :func:`git`, which turns "git is missing" and git's own refusals
(not a repository, dubious ownership…) into :class:`GitError` with git's message.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from plaincrm.errors import GitError, WriteRefused

IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}


def call(cwd: Path, *args: str, stdin: bytes | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``git args`` in ``cwd`` whatever its exit; GitError only when git is missing.
    ``env`` adds variables to the environment."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              env=env, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH); install git to use this") from None


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run ``git args`` in ``cwd``; its stdout. A non-zero exit raises GitError with git's words."""
    done = call(cwd, *args, stdin=stdin)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise GitError(f"git {args[0]} failed: {message}")
    return done.stdout


@dataclass(frozen=True, slots=True)
class Repo:
    """The repository holding a vault; ``prefix`` is the vault's folder inside it ('' at top)."""

    top: Path
    vault: Path
    prefix: str

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        return git(self.vault, *args, stdin=stdin)

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"

    def in_progress(self) -> str | None:
        """'a merge', 'a rebase'… when one is under way, else None."""
        args = [arg for name in IN_PROGRESS for arg in ("--git-path", name)]
        paths = self.run("rev-parse", *args).decode().splitlines()
        for name, rel in zip(IN_PROGRESS, paths, strict=True):
            if (self.vault / rel).exists():
                return IN_PROGRESS[name]
        return None

    def check_can_commit(self, rel: str) -> None:
        """Refuse, before anything is written, when committing ``rel`` alone would not be
        just plaincrm's change: an operation under way, or other changes to that file."""
        busy = self.in_progress()
        if busy:
            raise WriteRefused(f"{busy} is in progress in {self.top}; finish it first "
                               "(or leave out --commit)")
        if call(self.vault, "check-ignore", "-q", "--", rel).returncode == 0:
            raise WriteRefused(f"{rel} is ignored by git (.gitignore); leave out --commit")
        status = self.run("status", "--porcelain=v1", "-z", "--", rel)
        if not status or status.startswith(b"??"):
            return  # unchanged since the last commit, or not committed yet
        staged, unstaged = chr(status[0]), chr(status[1])
        if staged != " ":
            raise WriteRefused(f"{rel} has staged changes; commit or unstage them first "
                               "(or leave out --commit)")
        if unstaged != " ":
            raise WriteRefused(f"{rel} has changes not yet committed; commit them first "
                               "(or leave out --commit) so this commit holds only this change")

    def commit_file(self, rel: str, message: str) -> str:
        """Commit ``rel`` alone with the user's identity; the new commit's short hash."""
        if self.run("ls-files", "-z", "--", rel) == b"":
            self.run("add", "--", rel)
        self.run("commit", "--quiet", "-m", message, "--only", "--", rel)
        return self.run("rev-parse", "--short", "HEAD").decode().strip()


def open_repo(vault: Path) -> Repo:
    """The repository the vault is in; GitError when there is none or git is missing."""
    done = call(vault, "rev-parse", "--show-toplevel", "--show-prefix")
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in reason:
            raise GitError(f"the vault {vault} is not in a git repository "
                           "(run 'git init' there to keep its history)")
        raise GitError(f"git refuses the vault {vault}: {reason}")
    top, prefix = ([*done.stdout.decode().splitlines(), "", ""])[:2]
    return Repo(top=Path(top), vault=vault, prefix=prefix)
