"""Finding the vault and the profile files in it."""

from __future__ import annotations

import os
import re
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
    if not any(glob_regex(p).fullmatch(rel) for p in config["vault.include"]):
        return False
    return not any(glob_regex(p).fullmatch(rel) for p in config["vault.exclude"])


def scan(vault: Path, config: Config) -> tuple[list[FileStat], list[Problem]]:
    """Every profile file with its (mtime_ns, size), sorted by path; unreadable ones as problems.

    Hidden folders are skipped; symlinked folders are not followed (no loops); a symlinked file
    is followed, and one that cannot be resolved (a loop, a dangling link) is a problem.
    """
    found: list[FileStat] = []
    problems: list[Problem] = []
    root = str(vault)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = os.path.relpath(dirpath, root)
        prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        for name in filenames:
            rel = prefix + name
            if not is_profile_path(rel, config):
                continue
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError as exc:
                reason = "a symlink loop" if exc.errno == 40 else (exc.strerror or str(exc))
                problems.append(Problem(Location(rel, 1), "parse-error", Severity.ERROR,
                                        f"cannot read the file: {reason}"))
                continue
            if not os.path.isfile(os.path.join(dirpath, name)):
                continue
            found.append(FileStat(rel, st.st_mtime_ns, st.st_size))
    found.sort(key=lambda f: f.path)
    problems.sort(key=Problem.sort_key)
    return found, problems

