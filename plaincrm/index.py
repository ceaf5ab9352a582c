"""The index: a SQLite cache of parsed profiles, keyed by each file's (mtime_ns, size).

The files are the truth. The database lives in the user's cache folder (one per vault, never in
the vault, so it is never committed) and can be deleted at any time. A schema change or a corrupt
file is rebuilt with a one-line note. Files are parsed outside any write transaction and written
in one ``BEGIN IMMEDIATE`` transaction, so two plaincrm processes at once never corrupt it: the
second waits for the first and writes the same rows.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import platformdirs

from plaincrm import __version__, codec
from plaincrm.config import Config
from plaincrm.errors import CacheError
from plaincrm.model import Location, Problem, Profile, Severity
from plaincrm.vault import scan

# bump when the tables or the parsed data change; marshal rows depend on the Python version
SCHEMA_VERSION = f"3/py{sys.version_info[0]}.{sys.version_info[1]}"
ENV_CACHE = "PLAINCRM_CACHE_DIR"
Note = Callable[[str], None]


def vault_key(vault: Path) -> str:
    """A file-name-safe key for one vault path: its folder name and a hash of the full path."""
    key = hashlib.sha256(str(vault.resolve()).encode()).hexdigest()[:16]
    return f"{vault.name or 'vault'}-{key}"


class _Tee:
    """A binary writer that writes to two others."""

    def __init__(self, first: BinaryIO, second: BinaryIO) -> None:
        self.first, self.second = first, second

    def write(self, data: bytes) -> int:
        self.first.write(data)
        return self.second.write(data)


def default_db_path(vault: Path) -> Path:
    """``$PLAINCRM_CACHE_DIR`` or the user cache folder, one database per vault path."""
    base = os.environ.get(ENV_CACHE) or platformdirs.user_cache_dir("plaincrm")
    return Path(base) / vault_key(vault) / "index.sqlite"


PARALLEL_MIN = 500  # changed files from which a refresh parses them in worker processes
CHUNK = 500  # files per unit of work
WRITE_BATCH = 5000  # rows per write transaction on a very large refresh
READ_BATCH = 200  # rows decoded at a time by profiles(): few, so freed memory is reused
FileKey = tuple[str, int, int]  # path, mtime_ns, size
Row = tuple[str, int, int, bytes | None, bytes | None, bytes, int]


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, 8)


def _can_fork() -> bool:
    """Forking is cheap (the workers need no imports) but safe only without other threads."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def read_files(root: str, files: list[FileKey]) -> list[Row]:
    """Read and parse files of the vault at ``root`` into index rows (run in worker processes)."""
    from plaincrm.parse import parse_profile

    rows: list[Row] = []
    for path, mtime_ns, size in files:
        try:
            with open(os.path.join(root, path), "rb") as handle:
                st = os.fstat(handle.fileno())
                data = handle.read()
        except OSError as exc:
            problem = Problem(Location(path, 1), "parse-error", Severity.ERROR,
                              f"cannot read the file: {exc.strerror or exc}")
            rows.append((path, mtime_ns, size, None, None, codec.dump_problems([problem]), 1))
            continue
        profile, problems = parse_profile(path, data)
        full = codec.dump_profile(profile) if profile else None
        summary = codec.dump_profile(profile, summary=True) if profile else None
        rows.append((path, st.st_mtime_ns, st.st_size, full, summary,
                     codec.dump_problems(problems), 1 if problems else 0))
    return rows


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
                    " full BLOB, summary BLOB, problems BLOB, has_problems INTEGER)"
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

    @property
    def db(self) -> sqlite3.Connection:
        """The open database, for caches of derived data that keep their own tables beside the
        index's (the calendar's events); they must expect it to be deleted at any time."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def clear(self) -> None:
        """Forget every row: the next refresh reads every file."""
        self._db.execute("DELETE FROM files")
        for (table,) in self._db.execute(  # and every cache derived from the rows
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT IN ('meta', 'files')").fetchall():
            self._db.execute(f"DROP TABLE {table}")

    # -- refreshing -------------------------------------------------------

    def refresh(self, progress: Callable[[int], None] | None = None,
                only: Iterable[str] | None = None,
                parallel_min: int = PARALLEL_MIN) -> RefreshStats:
        """Bring the index up to date with the vault; ``only`` limits the re-stat to some paths.

        ``progress`` is called with the number of files about to be read, then with the number
        read as they are done. From ``parallel_min`` changed files up, they are parsed in one
        worker process per core (when the platform can fork); the rows are the same.
        """
        stats, self.scan_problems = scan(self.vault, self.config)
        if only is not None:
            wanted = set(only)
            stats = [s for s in stats if s.path in wanted]
        # Both sides sorted by path (SQLite's byte order on UTF-8 is Python's code point
        # order): one merge, no dictionary of the whole vault in memory.
        changed: list[FileKey] = []
        gone: list[str] = []
        rows = self._db.execute("SELECT path, mtime_ns, size FROM files ORDER BY path")
        known = next(rows, None)
        for s in stats:
            while known is not None and known[0] < s.path:
                if only is None or known[0] in wanted:
                    gone.append(known[0])
                known = next(rows, None)
            if known is not None and known[0] == s.path:
                if (known[1], known[2]) != (s.mtime_ns, s.size):
                    changed.append((s.path, s.mtime_ns, s.size))
                known = next(rows, None)
            else:
                changed.append((s.path, s.mtime_ns, s.size))
        while known is not None:
            if only is None or known[0] in wanted:
                gone.append(known[0])
            known = next(rows, None)
        del stats
        if progress is not None:
            progress(len(changed))
        read = 0
        pending: list[Row] = []
        for rows in self._read_all(changed, parallel_min):
            pending.extend(rows)
            read += len(rows)
            if progress is not None:
                progress(len(rows))
            if len(pending) >= WRITE_BATCH:  # bounded memory on a large cold index
                self._write(pending, [])
                pending = []
        if pending or gone:
            self._write(pending, gone)
        (count,) = self._db.execute("SELECT count(*) FROM files").fetchone()
        return RefreshStats(files=count, read=read, removed=len(gone))

    def _read_all(self, changed: list[FileKey], parallel_min: int) -> Iterator[list[Row]]:
        """Rows for the ``changed`` files, in order, a chunk at a time."""
        root = str(self.vault)
        workers = _workers()
        if len(changed) < max(parallel_min, 2) or workers < 2 or not _can_fork():
            for start in range(0, len(changed), CHUNK):
                yield read_files(root, changed[start:start + CHUNK])
            return
        import multiprocessing
        from collections import deque
        from concurrent.futures import Future, ProcessPoolExecutor

        size = max(16, min(CHUNK, len(changed) // (workers * 4) or 1))
        starts = iter(range(0, len(changed), size))
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # a few chunks in flight per worker, taken in order: memory stays flat
            running: deque[Future[list[Row]]] = deque()
            for start in starts:
                running.append(pool.submit(read_files, root, changed[start:start + size]))
                if len(running) >= workers * 2:
                    yield running.popleft().result()
            while running:
                yield running.popleft().result()

    def _write(self, rows: list[Row], gone: list[str]) -> None:
        """One transaction for a batch of rows (all of them unless the batch is very large)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            db.execute("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO "
                       "UPDATE SET value = CAST(value AS INTEGER) + 1")
            generation = self.generation()
            db.execute("CREATE TABLE IF NOT EXISTS changes (path TEXT PRIMARY KEY, "
                       "generation INTEGER)")
            db.executemany("INSERT OR REPLACE INTO changes VALUES (?, ?)",
                           [(row[0], generation) for row in rows] +
                           [(path, generation) for path in gone])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- reading ----------------------------------------------------------

    def profiles(self, full: bool = True) -> Iterator[Profile]:
        """Every indexed profile, sorted by path, read a batch of rows at a time so memory
        stays flat whatever the vault's size."""
        column = "full" if full else "summary"
        query = f"SELECT {column} FROM files WHERE {column} IS NOT NULL ORDER BY path"
        cursor = self._db.execute(query)
        while batch := cursor.fetchmany(READ_BATCH):
            # Decoding makes many small objects that all live on: the cyclic garbage collector
            # would scan them again and again for nothing (a third of the time), so it waits.
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                profiles = [codec.load_profile(blob) for (blob,) in batch]
            finally:
                if was_enabled:
                    gc.enable()
            yield from profiles

    def derived(self, name: str, key: str,
                compute: Callable[[Profile], bytes]) -> Iterator[tuple[str, bytes]]:
        """``(path, compute(summary profile))`` for every profile (in no set order), cached.

        The value of a file is computed again only when the file changed or ``key`` differs
        (a caller puts in it everything else the value depends on: the day, the config's
        fingerprint); so a command's cost grows with what changed, not with the vault.
        """
        table = f"derived_{name}"
        key = f"{SCHEMA_VERSION}|{__version__}|{key}"
        db = self._db
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (path TEXT PRIMARY KEY, "
                   "mtime_ns INTEGER, size INTEGER, key TEXT, value BLOB)")
        cursor = db.execute(
            f"SELECT f.path, f.mtime_ns, f.size, d.value, "
            f"CASE WHEN d.value IS NULL THEN f.summary END FROM files f LEFT JOIN {table} d "
            "ON d.path = f.path AND d.mtime_ns = f.mtime_ns AND d.size = f.size AND d.key = ? "
            "WHERE f.summary IS NOT NULL", (key,))
        fresh: list[tuple[str, int, int, str, bytes]] = []
        for path, mtime_ns, size, value, summary in cursor.fetchall():
            if value is None:
                value = compute(codec.load_profile(summary))
                fresh.append((path, mtime_ns, size, key, value))
            yield path, value
        if fresh:  # (rows of files that are gone are never read, and pruned here)
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?, ?)", fresh)
                db.execute(f"DELETE FROM {table} WHERE path NOT IN (SELECT path FROM files)")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def changed_since(self, generation: int) -> set[str] | None:
        """The paths written or removed after ``generation``; None when that is not known
        (the index was rebuilt since), so the caller starts afresh."""
        db = self._db
        if generation > self.generation():
            return None
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'changes'").fetchone():
            return None if generation != self.generation() else set()
        return {p for (p,) in db.execute("SELECT path FROM changes WHERE generation > ?",
                                         (generation,))}

    def generation(self) -> int:
        """A number that changes whenever a row is written or removed."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def memo(self, name: str, key: str, compute: Callable[[], bytes]) -> bytes:
        """``compute()``, remembered while the index does not change: a command's whole result
        for one set of inputs (``key``: the day, the options, the config's fingerprint), so
        asking again about an unchanged vault costs only the refresh."""
        table = f"derived_memo_{name}"
        key = f"{SCHEMA_VERSION}|{__version__}|{key}"
        db = self._db
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, "
                   "generation INTEGER, value BLOB)")
        generation = self.generation()
        row = db.execute(f"SELECT value FROM {table} WHERE key = ? AND generation = ?",
                         (key, generation)).fetchone()
        if row is not None:
            return bytes(row[0])
        value = compute()
        db.execute("BEGIN IMMEDIATE")
        try:  # keep the results of this index state only: the table stays small
            db.execute(f"DELETE FROM {table} WHERE generation != ?", (generation,))
            db.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)",
                       (key, generation, value))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return value

    def memo_stream(self, name: str, key: str, write: Callable[[BinaryIO], int],
                    out: BinaryIO) -> tuple[bool, int]:
        """Like :meth:`memo` for a large result: ``write(fp)`` streams it (and returns a
        count to remember with it) into ``out`` and, at the same time, into a file beside the
        database, which later calls copy to ``out`` while the index does not change.
        Returns (remembered, count). Memory stays flat whatever the result's size."""
        folder = self.db_path.parent / f"memo-{name}"
        digest = hashlib.sha256(f"{SCHEMA_VERSION}|{__version__}|{key}".encode()).hexdigest()
        generation = str(self.generation())
        prefix = f"{digest[:32]}-{generation}-"  # then the count
        for found in (folder.glob(f"{prefix}*") if folder.is_dir() else ()):
            with contextlib.suppress(FileNotFoundError, ValueError), open(found, "rb") as cached:
                count = int(found.name.removeprefix(prefix))
                shutil.copyfileobj(cached, out, 1 << 20)
                return True, count
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as copy:
                count = write(_Tee(out, copy))
            os.replace(tmp, folder / f"{prefix}{count}")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        for old in folder.iterdir():  # results of older index states are of no more use
            parts = old.name.split("-")
            if not old.name.startswith(".") and (len(parts) != 3 or parts[1] != generation):
                with contextlib.suppress(OSError):
                    old.unlink()
        return False, count

    def summaries(self) -> Iterator[tuple[str, bytes]]:
        """(path, summary row) of every indexed profile, sorted by path, not decoded: for
        caches keyed by a profile's content (:func:`plaincrm.codec.load_profile` decodes)."""
        query = "SELECT path, summary FROM files WHERE summary IS NOT NULL ORDER BY path"
        cursor = self._db.execute(query)
        while batch := cursor.fetchmany(READ_BATCH):
            yield from batch

    def profile(self, path: str, full: bool = True) -> Profile | None:
        column = "full" if full else "summary"
        row = self._db.execute(f"SELECT {column} FROM files WHERE path = ?", (path,)).fetchone()
        return codec.load_profile(row[0]) if row and row[0] else None

    def problems(self) -> list[Problem]:
        """Every problem the loader found, sorted by path then line."""
        found = list(self.scan_problems)
        for (blob,) in self._db.execute("SELECT problems FROM files WHERE has_problems"):
            found.extend(codec.load_problems(blob))
        found.sort(key=Problem.sort_key)
        return found

    def paths(self) -> list[str]:
        return [p for (p,) in self._db.execute("SELECT path FROM files ORDER BY path")]
