"""The index: a SQLite cache of parsed profiles, keyed by each file's (mtime_ns, size).

The files are the truth. The database lives in the user's cache folder (one per vault, never in
the vault, so it is never committed) and can be deleted at any time. A schema change or a corrupt
file is rebuilt with a one-line note. Files are parsed outside any write transaction and written
in one ``BEGIN IMMEDIATE`` transaction, so two plaincrm processes at once never corrupt it: the
second waits for the first and writes the same rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from plaincrm import codec
from plaincrm.config import Config
from plaincrm.errors import CacheError
from plaincrm.model import Location, Problem, Profile, Severity
from plaincrm.parse import parse_profile
from plaincrm.vault import FileStat, scan

SCHEMA_VERSION = "2"  # bump when the tables or the parsed data change
ENV_CACHE = "PLAINCRM_CACHE_DIR"
Note = Callable[[str], None]


def vault_key(vault: Path) -> str:
    """A file-name-safe key for one vault path: its folder name and a hash of the full path."""
    key = hashlib.sha256(str(vault.resolve()).encode()).hexdigest()[:16]
    return f"{vault.name or 'vault'}-{key}"


def default_db_path(vault: Path) -> Path:
    """``$PLAINCRM_CACHE_DIR`` or the user cache folder, one database per vault path."""
    base = os.environ.get(ENV_CACHE) or platformdirs.user_cache_dir("plaincrm")
    return Path(base) / vault_key(vault) / "index.sqlite"


@dataclass(frozen=True, slots=True)
class RefreshStats:
    files: int  # profile files in the vault
    read: int  # files read and parsed this time
    removed: int  # rows dropped for files that are gone


class Index:
    def __init__(self, vault: Path, config: Config, db_path: Path | None = None,
                 note: Note | None = None) -> None:
        self.vault = vault
        self.config = config
        self.db_path = db_path or default_db_path(vault)
        self.note = note or (lambda _msg: None)
        self._db = self._open()
        self.scan_problems: list[Problem] = []

    # -- opening ----------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create the index folder {self.db_path.parent}: "
                             f"{exc.strerror}") from None
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            self.note(f"the index at {self.db_path} was unreadable; rebuilding it")
            self._delete_files()
            try:
                return self._connect()
            except sqlite3.DatabaseError as exc:
                raise CacheError(f"cannot open the index at {self.db_path}: {exc}") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                has_rows = row is not None
                db.execute("BEGIN IMMEDIATE")
                db.execute("DROP TABLE IF EXISTS files")
                db.execute(
                    "CREATE TABLE files (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER,"
                    " full TEXT, summary TEXT, problems TEXT)"
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                db.execute("COMMIT")
                if has_rows:
                    self.note("the index was made by another plaincrm version; rebuilding it")
            db.execute("SELECT count(*) FROM files").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _delete_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.db_path}{suffix}")

    def close(self) -> None:
        self._db.close()

    def clear(self) -> None:
        """Forget every row: the next refresh reads every file."""
        self._db.execute("DELETE FROM files")

    # -- refreshing -------------------------------------------------------

    def refresh(self, progress: Callable[[int], None] | None = None,
                only: Iterable[str] | None = None) -> RefreshStats:
        """Bring the index up to date with the vault; ``only`` limits the re-stat to some paths.

        ``progress`` is called with the number of files about to be read, then with 1 per file.
        """
        stats, self.scan_problems = scan(self.vault, self.config)
        if only is not None:
            wanted = set(only)
            stats = [s for s in stats if s.path in wanted]
        known = {
            path: (mtime, size)
            for path, mtime, size in self._db.execute("SELECT path, mtime_ns, size FROM files")
        }
        changed = [s for s in stats if known.get(s.path) != (s.mtime_ns, s.size)]
        present = {s.path for s in stats}
        gone = [p for p in known if p not in present and (only is None or p in wanted)]
        if progress is not None:
            progress(len(changed))
        rows = []
        for stat in changed:
            rows.append(self._read(stat))
            if progress is not None:
                progress(1)
        if rows or gone:
            self._write(rows, gone)
        (count,) = self._db.execute("SELECT count(*) FROM files").fetchone()
        return RefreshStats(files=count, read=len(rows), removed=len(gone))

    def _read(self, stat: FileStat) -> tuple[str, int, int, str | None, str | None, str]:
        full_path = self.vault / stat.path
        try:
            with open(full_path, "rb") as handle:
                st = os.fstat(handle.fileno())
                data = handle.read()
        except OSError as exc:
            problem = Problem(Location(stat.path, 1), "parse-error", Severity.ERROR,
                              f"cannot read the file: {exc.strerror or exc}")
            return (stat.path, stat.mtime_ns, stat.size, None, None,
                    codec.dump_problems([problem]))
        profile, problems = parse_profile(stat.path, data)
        full = codec.dump_profile(profile) if profile else None
        summary = codec.dump_profile(profile, summary=True) if profile else None
        return (stat.path, st.st_mtime_ns, st.st_size, full, summary,
                codec.dump_problems(problems))

    def _write(self, rows: list[tuple[str, int, int, str | None, str | None, str]],
               gone: list[str]) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- reading ----------------------------------------------------------

    def profiles(self, full: bool = True) -> Iterator[Profile]:
        """Every indexed profile, sorted by path (one row at a time: memory stays flat)."""
        column = "full" if full else "summary"
        query = f"SELECT {column} FROM files WHERE {column} IS NOT NULL ORDER BY path"
        for (text,) in self._db.execute(query):
            yield codec.load_profile(text)

    def profile(self, path: str, full: bool = True) -> Profile | None:
        column = "full" if full else "summary"
        row = self._db.execute(f"SELECT {column} FROM files WHERE path = ?", (path,)).fetchone()
        return codec.load_profile(row[0]) if row and row[0] else None

    def problems(self) -> list[Problem]:
        """Every problem the loader found, sorted by path then line."""
        found = list(self.scan_problems)
        for (text,) in self._db.execute("SELECT problems FROM files WHERE problems != '[]'"):
            found.extend(codec.load_problems(text))
        found.sort(key=Problem.sort_key)
        return found

    def paths(self) -> list[str]:
        return [p for (p,) in self._db.execute("SELECT path FROM files ORDER BY path")]
