"""Finding the vault and the profile files in it."""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class FileStat:
    path: str  # relative to the vault, "/"-separated
    mtime_ns: int
    size: int


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
    return _matcher(tuple(config["vault.include"]), tuple(config["vault.exclude"]))(rel)


@cache
def _matcher(include: tuple[str, ...], exclude: tuple[str, ...]) -> Callable[[str], bool]:
    """One compiled test for all the include and exclude globs (it runs for every file)."""
    wanted = _any_regex(include)
    unwanted = _any_regex(exclude)

    def match(rel: str) -> bool:
        if wanted is None or not wanted.fullmatch(rel):
            return False
        return unwanted is None or not unwanted.fullmatch(rel)

    return match


def _any_regex(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{glob_regex(p).pattern})" for p in patterns))


def scan(vault: Path, config: Config) -> tuple[list[FileStat], list[Problem]]:
    """Every profile file with its (mtime_ns, size), sorted by path; unreadable ones as problems.

    Hidden files and folders are skipped; symlinked folders are not followed (no loops); a
    symlinked file is followed, and one that cannot be resolved (a loop, a dangling link) is a
    problem. One ``stat`` per file: this walk is most of the cost of a warm command.
    """
    found: list[FileStat] = []
    problems: list[Problem] = []
    match = _matcher(tuple(config["vault.include"]), tuple(config["vault.exclude"]))
    pending = [(str(vault), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue  # a folder we may not list: as os.walk does, skip it
        with entries:  # read as we go: a folder of 100,000 entries never sits in memory
            _scan_folder(entries, prefix, match, pending, found, problems)
    found.sort(key=lambda f: f.path)
    problems.sort(key=Problem.sort_key)
    return found, problems


def _scan_folder(entries: Iterator[os.DirEntry[str]], prefix: str,
                 match: Callable[[str], object], pending: list[tuple[str, str]],
                 found: list[FileStat], problems: list[Problem]) -> None:
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        rel = prefix + name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            pending.append((entry.path, rel + "/"))
            continue
        if not match(rel):
            continue
        try:
            st = entry.stat()
        except OSError as exc:
            reason = "a symlink loop" if exc.errno == 40 else (exc.strerror or str(exc))
            problems.append(Problem(Location(rel, 1), "parse-error", Severity.ERROR,
                                    f"cannot read the file: {reason}"))
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        found.append(FileStat(rel, st.st_mtime_ns, st.st_size))
