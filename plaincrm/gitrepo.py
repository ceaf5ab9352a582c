"""Every git call plaincrm makes, and everything it knows about git's folder.

The rules, for every caller:

- **One runner.** :func:`_run` is the only place a git process starts: no shell, stdin from
  /dev/null unless input is given, no password prompt (``GIT_TERMINAL_PROMPT=0``), messages in
  English (``LC_ALL=C``, so refusals can be told apart), and no optional index lock
  (``GIT_OPTIONAL_LOCKS=0``: reading never races the user's own git).
- **Paths are file names, never patterns.** A profile may be called ``s*.md``, ``[ab].md`` or
  ``:(top)x.md``; as a pathspec git would read each as a pattern and touch other files. The
  runner sets ``GIT_LITERAL_PATHSPECS=1`` (and drops the user's other ``GIT_*_PATHSPECS``
  settings, which git refuses beside it or which would fold case). Two exceptions:
  ``git commit`` runs the user's hooks, which inherit its environment and must keep their own
  pathspec rules: it gets the user's environment (without the ``GIT_*_PATHSPECS`` settings)
  and its path spelled ``:(literal)path``; and ``git check-ignore`` refuses literal pathspecs,
  so ignored files are asked of ``git ls-files --others --ignored`` instead.
- **One error type**, :class:`~plaincrm.errors.GitError` (exit 8). Its subclass
  :class:`GitUnavailable` says git cannot answer for this folder at all, with a ``reason``:
  ``missing`` (git not installed or not runnable), ``not-a-repository``, ``refused`` (git
  refuses the repository, e.g. "dubious ownership", exit 128) or ``shallow`` (a shallow clone,
  whose dates are wrong; raised only where dates are asked for). Commands that need git let it
  end them; ``check`` catches it, uses file times instead and says so once.
- **A fixed number of calls however many files**: one ``git log --name-only -z`` pass for the
  dates of all files, one ``git status`` for the uncommitted ones (never one call per file);
  ``-z`` everywhere, so no path comes back quoted.
- **The watcher polls without running git**: :func:`git_dir` and :func:`git_busy` read git's
  folder directly, since they are asked every second while git works.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
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
GIT_BUSY = ("index.lock", *IN_PROGRESS)  # a lock, or a merge/rebase/… under way
PATHSPEC_SETTINGS = ("GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS",
                     "GIT_ICASE_PATHSPECS")
_HEADER = "\x01"  # starts each commit's line in the log: \x01<committer unix time>


class GitUnavailable(GitError):
    """git cannot answer for this folder; the message says why, for the user.

    ``reason``: ``missing``, ``not-a-repository``, ``refused`` or ``shallow``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Done:
    """A finished git process."""

    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def text(self) -> str:
        """stdout as text, without surrounding white space."""
        return os.fsdecode(self.stdout).strip()

    @property
    def reason(self) -> str:
        """git's own words on stderr (or the exit status when it said nothing)."""
        return os.fsdecode(self.stderr).strip() or f"exit {self.returncode}"


# ---------------------------------------------------------------- the runner


def _environment(hooks: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PATHSPEC_SETTINGS}
    env["GIT_TERMINAL_PROMPT"] = "0"
    if not hooks:
        env |= {"GIT_LITERAL_PATHSPECS": "1", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    return env


def _run(cwd: Path, args: tuple[str, ...], stdin: bytes | None = None,
         hooks: bool = False) -> Done:
    """Run ``git args`` in ``cwd`` whatever its exit; GitUnavailable only when git cannot start.

    ``hooks``: the command runs the user's hooks, so it gets the user's environment (see the
    module's notes) and must spell its paths with :func:`literal`.
    """
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              stdin=None if stdin is not None else subprocess.DEVNULL,
                              env=_environment(hooks), check=False)
    except FileNotFoundError:
        raise GitUnavailable("git is not installed (or not on PATH)", "missing") from None
    except OSError as exc:
        raise GitUnavailable(f"git could not run: {exc.strerror or exc}", "missing") from None
    return Done(done.returncode, done.stdout, done.stderr)


def git(cwd: Path, *args: str, stdin: bytes | None = None, hooks: bool = False) -> bytes:
    """Run ``git args`` in ``cwd``; its stdout. A non-zero exit raises GitError with git's words."""
    done = _run(cwd, args, stdin, hooks)
    if done.returncode != 0:
        raise GitError(f"git {args[0]} failed: {done.reason}")
    return done.stdout


def literal(path: str) -> str:
    """``path`` as a pathspec that means that file only, for the commands run with ``hooks``."""
    return ":(literal)" + path


# ---------------------------------------------------------------- outside a repository


def installed() -> bool:
    """Whether a git program is on PATH."""
    return shutil.which("git") is not None


def toplevel(folder: Path) -> Path | None:
    """The top of the repository holding ``folder``; None when there is none (or git refuses
    it, or is missing)."""
    try:
        done = _run(folder, ("rev-parse", "--show-toplevel"))
    except GitUnavailable:
        return None
    return Path(done.text) if done.returncode == 0 else None


def init(folder: Path) -> str | None:
    """``git init`` in ``folder``; None when done, else git's reason."""
    try:
        done = _run(folder, ("init", "-q"))
    except GitUnavailable as exc:
        return str(exc)
    return None if done.returncode == 0 else done.reason


def hooks_dir(folder: Path) -> Path | None:
    """The hooks folder of the repository holding ``folder`` (``core.hooksPath`` honoured);
    None outside a repository."""
    try:
        done = _run(folder, ("rev-parse", "--path-format=absolute", "--git-path", "hooks"))
    except GitUnavailable:
        return None
    return Path(done.text) if done.returncode == 0 else None


def merge_file(base: bytes, ours: bytes, theirs: bytes, marker_size: int = 7,
               diff3: bool = False) -> tuple[bytes, int]:
    """``git merge-file`` of three texts: the merged text (with conflict markers of
    ``marker_size``) and the number of conflicts. GitError when git fails."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plaincrm-merge-") as folder:
        names = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(folder) / name).write_bytes(data)
            names.append(name)
        args = ["merge-file", "-p", f"--marker-size={marker_size}", *(["--diff3"] if diff3
                                                                       else []), *names]
        done = _run(Path(folder), tuple(args))
    if done.returncode < 0 or done.returncode > 127:
        raise GitError(f"git merge-file failed: {done.reason}")
    return done.stdout, done.returncode


def config_set(folder: Path, key: str, value: str) -> None:
    """``git config key value`` in the repository holding ``folder`` (its own config)."""
    git(folder, "config", key, value)


def user_name(folder: Path) -> str:
    """``git config user.name`` as run in ``folder``; ``""`` when unset or git is missing."""
    try:
        done = _run(folder, ("config", "user.name"))
    except GitUnavailable:
        return ""
    return done.text if done.returncode == 0 else ""


# ---------------------------------------------------------------- the repository of a vault


@dataclass(frozen=True, slots=True)
class Repo:
    """The repository holding a vault; ``prefix`` is the vault's folder inside it ('' at top)."""

    top: Path
    vault: Path
    prefix: str
    git_dir: Path
    shallow: bool

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        """``git args`` in the vault (paths vault-relative, read literally); its stdout."""
        return git(self.vault, *args, stdin=stdin)

    def in_progress(self) -> str | None:
        """'a merge', 'a rebase'… when one is under way, else None."""
        for name, what in IN_PROGRESS.items():
            if (self.git_dir / name).exists():
                return what
        return None

    def is_ignored(self, rel: str) -> bool:
        """Whether git ignores the untracked file ``rel`` (.gitignore, info/exclude…)."""
        return self.run("ls-files", "-z", "--others", "--ignored", "--exclude-standard",
                        "--", rel) != b""

    def check_can_commit(self, rel: str) -> None:
        """Refuse, before anything is written, when committing ``rel`` alone would not be
        just plaincrm's change: an operation under way, or other changes to that file."""
        busy = self.in_progress()
        if busy:
            raise WriteRefused(f"{busy} is in progress in {self.top}; finish it first "
                               "(or leave out --commit)")
        if self.is_ignored(rel):
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
        """Commit ``rel`` alone with the user's identity; the new commit's short hash.
        The user's hooks run."""
        if self.run("ls-files", "-z", "--", rel) == b"":
            self.run("add", "--", rel)
        git(self.vault, "commit", "--quiet", "-m", message, "--only", "--", literal(rel),
            hooks=True)
        return self.run("rev-parse", "--short", "HEAD").decode().strip()

    def commit_files(self, rels: list[str], message: str) -> str:
        """Commit exactly ``rels`` (changed, new or deleted files) in one commit with the
        user's identity; the new commit's short hash. The user's hooks run."""
        listed = b"\0".join(os.fsencode(p) for p in rels)
        self.run("add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul", stdin=listed)
        literal_paths = b"\0".join(os.fsencode(literal(p)) for p in rels)
        git(self.vault, "commit", "--quiet", "-m", message, "--only", "--pathspec-from-file=-",
            "--pathspec-file-nul", stdin=literal_paths, hooks=True)
        return self.run("rev-parse", "--short", "HEAD").decode().strip()

    def commit_dates(self) -> dict[str, dt.datetime]:
        """``{vault-relative path: committer date of the newest commit that changed it}``.

        Files never committed are absent; a repository without commits gives ``{}``.
        GitUnavailable on a shallow clone, whose dates are wrong.
        """
        if self.shallow:
            raise GitUnavailable("the repository is a shallow clone, so its dates are "
                                 "incomplete", "shallow")
        if _run(self.vault, ("rev-parse", "--verify", "-q", "HEAD")).returncode != 0:
            return {}  # no commit yet: nothing is committed
        out = self._answer("log", "--name-only", "-z", "--no-renames",
                           f"--format={_HEADER}%ct", "--", ".")
        return parse_log(out, self.prefix)

    def check_history(self) -> None:
        """GitUnavailable on a shallow clone, whose history is cut short."""
        if self.shallow:
            raise GitUnavailable("the repository is a shallow clone, so its history is "
                                 "incomplete", "shallow")

    def head(self) -> str | None:
        """The full hash of HEAD; None before the first commit."""
        done = _run(self.vault, ("rev-parse", "--verify", "-q", "HEAD"))
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def is_ancestor(self, commit: str, of: str) -> bool:
        """Whether ``commit`` exists and is ``of`` or one of its ancestors."""
        return _run(self.vault, ("merge-base", "--is-ancestor", commit, of)).returncode == 0

    def changes(self, since: str | None = None) -> list[FileChange]:
        """Every change to a file of the vault, oldest first, from ONE ``git log -p`` pass:
        who (author name), when (author date, in the author's zone), which file, and the
        lines removed and added (``-U0``: changed lines only). Merges add no changes of their
        own; renames are followed as git detects them (``-M``). With ``since`` (a commit),
        only the changes of the commits HEAD has and ``since`` has not.

        GitUnavailable on a shallow clone, whose history is cut short.
        """
        self.check_history()
        if self.head() is None:
            return []
        span = (f"{since}..HEAD",) if since else ()
        out = self._answer("-c", "core.quotePath=false", "log", "-p", "-M", "-U0", "-z",
                           "--relative", "--no-color", "--no-ext-diff", "--no-textconv",
                           "--src-prefix=a/", "--dst-prefix=b/",
                           f"--format={_HEADER}%H%x1f%as%x1f%an", *span, "--", ".")
        return parse_patches(out)

    def uncommitted(self) -> set[str]:
        """Vault-relative paths that are untracked or differ from the last commit."""
        out = self._answer("status", "--porcelain=v1", "-z", "--untracked-files=all",
                           "--no-renames", "--", ".")
        found: set[str] = set()
        for entry in out.split(b"\0"):
            if len(entry) < 4:
                continue
            # "XY path": porcelain paths are from the repository's top
            path = _in_vault(os.fsdecode(entry[3:]), self.prefix)
            if path is not None:
                found.add(path)
        return found

    def _answer(self, *args: str) -> bytes:
        """Like :meth:`run`, but a failure is GitUnavailable: the caller falls back."""
        done = _run(self.vault, args)
        if done.returncode != 0:
            first = done.reason.splitlines()[0]
            verb = next(a for a in args if not a.startswith("-") and "=" not in a)
            raise GitUnavailable(f"git {verb} failed ({first})", "refused")
        return done.stdout


def open_repo(vault: Path) -> Repo:
    """The repository the vault is in. GitUnavailable when git is missing, there is no
    repository, or git refuses it."""
    done = _run(vault, ("rev-parse", "--show-toplevel", "--show-prefix", "--absolute-git-dir",
                        "--is-shallow-repository"))
    if done.returncode != 0:
        if "not a git repository" in done.reason:
            raise GitUnavailable(f"the vault is not in a git repository (run 'git init' in "
                                 f"{vault} to keep its history)", "not-a-repository")
        raise GitUnavailable(f"git refuses the vault {vault}: {done.reason}", "refused")
    top, prefix, gitdir, shallow = [*os.fsdecode(done.stdout).split("\n"), "", "", ""][:4]
    return Repo(top=Path(top), vault=vault, prefix=prefix, git_dir=Path(gitdir),
                shallow=shallow == "true")


def last_commit_dates(root: Path) -> dict[str, dt.datetime]:
    """:meth:`Repo.commit_dates` of the vault at ``root``; GitUnavailable when git cannot
    give true dates (missing, no repository, refused, a shallow clone)."""
    return open_repo(root).commit_dates()


def uncommitted_paths(root: Path) -> set[str]:
    """:meth:`Repo.uncommitted` of the vault at ``root``; GitUnavailable as for
    :func:`last_commit_dates`."""
    return open_repo(root).uncommitted()


def parse_log(output: bytes, prefix: str = "") -> dict[str, dt.datetime]:
    """Parse ``git log --name-only -z --format=\\x01%ct`` output (newest commit first) into
    ``{path inside prefix: date}``."""
    dates: dict[str, dt.datetime] = {}
    when: dt.datetime | None = None
    for token in output.split(b"\0"):
        if token.startswith(_HEADER.encode()):
            when = dt.datetime.fromtimestamp(int(token[1:]), tz=dt.UTC)
            continue
        path = _in_vault(os.fsdecode(token.lstrip(b"\n")), prefix)
        if path and when is not None:
            dates.setdefault(path, when)
    return dates


@dataclass(frozen=True, slots=True)
class FileChange:
    """One commit's change to one file (see :meth:`Repo.changes`)."""

    commit: str
    date: dt.date  # the author date, in the author's own time zone
    author: str
    path: str  # vault-relative: the file after the commit (before it, for a deletion)
    status: str  # "A" added, "D" deleted, "R" renamed (old_path says from), "M" modified
    old_path: str | None  # renames only
    removed: tuple[str, ...]  # the lines taken out, without their "-"
    added: tuple[str, ...]  # the lines put in, without their "+"


def parse_patches(output: bytes) -> list[FileChange]:
    """Parse ``git log -p -U0 -z --format=\\x01%H%x1f%as%x1f%an`` output (newest commit
    first) into :class:`FileChange` records, oldest first."""
    changes: list[FileChange] = []
    for chunk in output.split(b"\n" + _HEADER.encode()) if output else []:
        chunk = chunk.removeprefix(_HEADER.encode())
        head, _, body = chunk.partition(b"\0")
        sha, day, author = os.fsdecode(head).split("\x1f", 2)
        date = dt.date.fromisoformat(day)
        for section in body.split(b"\ndiff --git ")[0 if body.startswith(b"diff") else 1:]:
            change = _file_change(sha, date, author, section)
            if change is not None:
                changes.append(change)
    changes.reverse()
    return changes


def _file_change(sha: str, date: dt.date, author: str, section: bytes) -> FileChange | None:
    lines = section.split(b"\n")
    old: str | None = None
    new: str | None = None
    status = "M"
    removed: list[str] = []
    added: list[str] = []
    in_hunk = False
    for raw in lines[1:]:
        if in_hunk:
            if raw.startswith(b"-"):
                removed.append(raw[1:].decode("utf-8", "replace"))
            elif raw.startswith(b"+"):
                added.append(raw[1:].decode("utf-8", "replace"))
            elif raw.startswith(b"@@"):
                continue
            continue
        if raw.startswith(b"@@"):
            in_hunk = True
        elif raw.startswith(b"new file mode"):
            status = "A"
        elif raw.startswith(b"deleted file mode"):
            status = "D"
        elif raw.startswith(b"rename from "):
            old, status = _unquote(raw[12:]), "R"
        elif raw.startswith(b"rename to "):
            new = _unquote(raw[10:])
        elif raw.startswith(b"--- ") and raw != b"--- /dev/null" and old is None:
            old = _unquote(raw[4:].rstrip(b"\t")).removeprefix("a/")
        elif raw.startswith(b"+++ ") and raw != b"+++ /dev/null" and new is None:
            new = _unquote(raw[4:].rstrip(b"\t")).removeprefix("b/")
    if new is None and old is None:  # a mode change or a binary file: the names from line 1
        first = os.fsdecode(lines[0])
        half = (len(first) - 1) // 2
        if first[half] != " " or first[:half].removeprefix("a/") != first[half + 1:][2:]:
            return None
        old = new = first[:half].removeprefix("a/")
    path = new if new is not None else old
    assert path is not None
    return FileChange(sha, date, author, path, status, old if status == "R" else None,
                      tuple(removed), tuple(added))


_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34,
            b"\\": 92}


def _unquote(name: bytes) -> str:
    """A path as git prints it in a patch: C-quoted (``"a/\\303\\244.md"``) when it holds
    special characters, else as it is."""
    if not (name.startswith(b'"') and name.endswith(b'"')):
        return os.fsdecode(name)
    out = bytearray()
    body, i = name[1:-1], 0
    while i < len(body):
        if body[i:i + 1] == b"\\" and i + 1 < len(body):
            nxt = body[i + 1:i + 2]
            if nxt.isdigit():
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, nxt[0]))
            i += 2
            continue
        out.append(body[i])
        i += 1
    return os.fsdecode(bytes(out))


def _in_vault(path: str, prefix: str) -> str | None:
    """A repository path relative to the vault at ``prefix``; None when outside it."""
    if not prefix:
        return path
    return path[len(prefix):] if path.startswith(prefix) else None


# ---------------------------------------------------------------- git's folder, for the watcher


def git_dir(root: Path) -> Path | None:
    """The git folder of the repository holding ``root`` (a worktree's own one too)."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            try:
                text = dot_git.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if text.startswith("gitdir:"):
                return (folder / text.removeprefix("gitdir:").strip()).resolve()
            return None
    return None


def git_busy(gitdir: Path | None) -> str | None:
    """What git is in the middle of (a lock, a merge, a rebase…), or None."""
    if gitdir is None:
        return None
    for name in GIT_BUSY:
        if (gitdir / name).exists():
            return name
    return None
