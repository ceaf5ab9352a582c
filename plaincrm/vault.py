"""Finding the vault and the profile files in it."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from plaincrm.config import CONFIG_NAME, Config
from plaincrm.errors import NoVault
from plaincrm.model import Location, Problem, Severity

ENV_VAULT = "PLAINCRM_VAULT"


def find_vault(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """``--vault`` (or ``$PLAINCRM_VAULT``), else the nearest folder upward with a
    ``plaincrm.toml``, else the current folder."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise NoVault(f"no vault here: {path} is not a folder")
        return path.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return start


# A file's key in the index, in the order of the index's ``files`` rows: its path (relative
# to the vault, "/"-separated), mtime_ns, ctime_ns and inode (with the inode: an edit that
# puts the mtime back still moves these) and size. A plain tuple: one is made for each file
# of the vault on every command, ten times as fast as a named tuple (1.5 µs).
FileStat = tuple[str, int, int, int, int]


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob with ``**`` (any number of folders), ``*`` and ``?`` as a regex on POSIX paths."""
    return _glob_regex(pattern)


@cache
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def is_profile_path(rel: str, config: Config) -> bool:
    """Whether a vault-relative path names a profile under the config's include/exclude."""
    if any(part.startswith(".") for part in rel.split("/")):
        return False
    return bool(_matcher(tuple(config["vault.include"]), tuple(config["vault.exclude"]))(rel))


@cache
def _matcher(include: tuple[str, ...], exclude: tuple[str, ...]) -> Callable[[str], object]:
    """One compiled test for all the include and exclude globs (it runs for every file): one
    regular expression, whose match is true for a path one include glob matches and no
    exclude glob does."""
    wanted, unwanted = _any_regex(include), _any_regex(exclude)
    if wanted is None:
        return lambda _rel: False
    if unwanted is None:
        return wanted.fullmatch
    return re.compile(f"(?!(?:{unwanted.pattern})\\Z)(?:{wanted.pattern})").fullmatch


def _any_regex(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{glob_regex(p).pattern})" for p in patterns))


def scan(vault: Path, config: Config) -> tuple[list[FileStat], list[Problem]]:
    """Every profile file with its mtime, size, ctime and inode, sorted by path; what cannot
    be read as problems: a folder that cannot be listed, a name that is not UTF-8, a symlink
    that cannot be resolved or leads out of the vault, a FIFO, socket or device.

    Hidden files and folders are skipped; symlinked folders are not followed (no loops); a
    symlinked file is followed when it stays inside the vault. So every path returned names a
    regular file inside the vault, and reading it never blocks. One ``stat`` per file: this
    walk is most of the cost of a warm command.
    """
    found: list[FileStat] = []
    problems: list[Problem] = []
    match = _matcher(tuple(config["vault.include"]), tuple(config["vault.exclude"]))
    walk = _Walk(os.path.realpath(vault), match, found, problems)
    pending = [(str(vault), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = os.scandir(folder)
        except OSError as exc:
            where = shown_path(prefix.rstrip("/")) or "."
            problems.append(_problem(where, f"cannot list the folder ({_reason(exc)}); "
                                            "the profiles in it are left out"))
            continue
        with entries:  # read as we go: a folder of 100,000 entries never sits in memory
            walk.folder(entries, prefix, pending)
    found.sort()  # by path: no two files share one
    problems.sort(key=Problem.sort_key)
    return found, problems


@dataclass(slots=True)
class _Walk:
    real_root: str
    match: Callable[[str], object]
    found: list[FileStat]
    problems: list[Problem]

    def folder(self, entries: Iterator[os.DirEntry[str]], prefix: str,
               pending: list[tuple[str, str]]) -> None:
        match, found, regular = self.match, self.found, stat.S_ISREG
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if not is_dir and name.isprintable() and match(rel) \
                    and not entry.is_symlink():
                # the common case, inline (what :meth:`file` does for it): a plain name, not
                # a link; anything else about it (an error, a FIFO, a time out of range) is
                # left to :meth:`file`
                try:
                    st = entry.stat()
                except OSError:
                    self.file(entry, rel)
                    continue
                if regular(st.st_mode) and INT64_MIN <= st.st_mtime_ns <= INT64_MAX:
                    found.append((rel, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_size))
                else:
                    self.file(entry, rel)
            elif is_dir:
                bad = bad_name(name)
                if bad:
                    self.problems.append(_problem(shown_path(rel), f"the folder name {bad}; "
                                                  "the profiles in it are left out"))
                else:
                    pending.append((entry.path, rel + "/"))
            elif match(rel):
                self.file(entry, rel)
            elif entry.is_symlink():
                self.linked_folder(entry, rel)

    def file(self, entry: os.DirEntry[str], rel: str) -> None:
        bad = bad_name(entry.name)
        if bad:
            self.problems.append(_problem(shown_path(rel), f"the file name {bad}"))
            return
        try:
            st = entry.stat()
        except OSError as exc:
            self.problems.append(_problem(rel, f"cannot read the file: {_reason(exc)}"))
            return
        if entry.is_symlink() and not inside(self.real_root, os.path.realpath(entry.path)):
            self.problems.append(_problem(rel, OUTSIDE))
            return
        if stat.S_ISDIR(st.st_mode):
            return  # a symlinked folder inside the vault: its files are read where they are
        if not stat.S_ISREG(st.st_mode):
            self.problems.append(_problem(rel, f"not a regular file ({kind(st.st_mode)}); "
                                               "a profile must be a plain file"))
            return
        if not INT64_MIN <= st.st_mtime_ns <= INT64_MAX:
            year = 1970 + int(st.st_mtime // 31_556_952)
            self.problems.append(_problem(rel, f"the file's modification time (the year {year}) "
                                               "cannot be indexed; touch the file to reset it"))
            return
        self.found.append((rel, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_size))

    def linked_folder(self, entry: os.DirEntry[str], rel: str) -> None:
        """A symlink that is not a profile by name: a problem if it is a folder outside."""
        try:
            is_folder = entry.is_dir()
        except OSError:
            return
        if is_folder and not bad_name(entry.name) and not inside(
                self.real_root, os.path.realpath(entry.path)):
            self.problems.append(_problem(rel, OUTSIDE + " (a linked folder is not followed)"))


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1  # what the index stores; in ns: 1677-2262
OUTSIDE = "a symlink that leads out of the vault is not read; keep profiles inside the vault"
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def bad_name(name: str) -> str | None:
    """Why a file or folder name cannot be a vault path (it is not UTF-8, or holds a control
    character, so it can neither be stored nor printed as it is), else None."""
    if name.isprintable():  # most names: no lone surrogate (not UTF-8), no control character
        return None
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            hint = f", e.g. to {raw.decode('cp1252')!r}"  # what a Windows zip meant
        except UnicodeDecodeError:
            hint = ""
        return f"is not UTF-8 (shown with \\xNN escapes): rename it{hint}"
    if CONTROL.search(name):
        return "holds a control character (shown as \\xNN): rename it"
    return None


def shown_path(rel: str) -> str:
    """``rel`` as it can be stored and printed: bytes that are not UTF-8 and control characters
    as ``\\xNN``."""
    text = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def inside(real_root: str, real_path: str) -> bool:
    """Whether a resolved path lies in the resolved vault root."""
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file"


def _reason(exc: OSError) -> str:
    return "a symlink loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))


def _problem(path: str, message: str) -> Problem:
    return Problem(Location(path, 1), "parse-error", Severity.ERROR, message)


class Unreadable(Exception):
    """A vault file that must not be read; the message says why."""


def read_regular(root: Path, rel: str, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``rel`` inside the vault ``root`` (at most ``limit + 1``
    bytes when a limit is given, so the caller can tell it is too large).

    Never blocks and never reads outside the vault: a symlink that resolves outside, a FIFO, a
    socket or a device is :class:`Unreadable`, as is a file that cannot be opened. The file is
    opened without blocking and checked on its open descriptor, so it cannot be swapped for a
    FIFO in between.
    """
    path = os.path.join(root, rel)
    if not inside(os.path.realpath(root), os.path.realpath(path)):
        raise Unreadable(OUTSIDE)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {_reason(exc)}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(f"not a regular file ({kind(mode)})")
        try:
            return handle.read() if limit is None else handle.read(limit + 1)
        except OSError as exc:
            raise Unreadable(f"cannot read the file: {_reason(exc)}") from None
