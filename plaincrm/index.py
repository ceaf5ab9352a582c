"""The index: the vault as a few SQLite tables, rebuilt from the files at any time.

One row per file (keyed by its mtime, ctime, inode and size) and, derived from it, the
profile's row, its contact points (emails folded, phones by their last digits), tasks, log
entries, reminder *rules* (date-independent: see :class:`plaincrm.reminders.Rule`), problems
and, made by the calendar and by check, its events' bytes and its phones' verdicts. A changed
file's rows are all replaced in one transaction; nothing else needs invalidating, and every
command is a query. The database lives in the user's cache folder (one per vault, never in the
vault) and can be deleted at any time; everything plaincrm keeps lives in it. A schema change,
a damaged file or an undecodable row is rebuilt with a one-line note. Files are parsed outside
any write transaction and written with ``BEGIN IMMEDIATE``: two plaincrm processes at once wait
for each other and write the same rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import json
import marshal
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar, cast

from plaincrm import codec
from plaincrm.config import Config
from plaincrm.errors import CacheError
from plaincrm.logkinds import LogKinds
from plaincrm.model import Duration, Field, Location, LogEntry, Problem, Profile, Severity, Task
from plaincrm.reminders import Rule
from plaincrm.vault import scan

# bump when the tables or the parsed data change; marshal rows depend on the Python version
SCHEMA_VERSION = f"23/py{sys.version_info[0]}.{sys.version_info[1]}"
ENV_CACHE = "PLAINCRM_CACHE_DIR"
Note = Callable[[str], None]
T = TypeVar("T")

LOCK_WAIT = 60.0  # seconds to wait for another plaincrm opening the same index

SCHEMA = """
CREATE TABLE files (path TEXT PRIMARY KEY, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER,
  size INTEGER, gen INTEGER);
CREATE TABLE profiles (path TEXT PRIMARY KEY, name TEXT, status TEXT, owner TEXT, contact TEXT,
  has_problems INTEGER, owner_key TEXT, tags TEXT, keys TEXT, haystack TEXT,
  last_date INTEGER, last_kind TEXT, last_text TEXT, last_line INTEGER, pid TEXT,
  log_count INTEGER, since INTEGER, phones TEXT, emails TEXT, since_line INTEGER,
  service_due INTEGER, service_every TEXT, service_line INTEGER, contact_every TEXT,
  talk_date INTEGER, talk_kind TEXT, talk_text TEXT, talk_line INTEGER, remember TEXT);
CREATE TABLE stored (path TEXT PRIMARY KEY, profile BLOB);
CREATE TABLE contacts (value TEXT, kind TEXT, path TEXT, line INTEGER, written TEXT);
CREATE INDEX contacts_value ON contacts (value);
CREATE INDEX contacts_path ON contacts (path);
CREATE TABLE tasks (path TEXT, line INTEGER, date INTEGER, done INTEGER, owner TEXT, text TEXT,
  PRIMARY KEY (path, line)) WITHOUT ROWID;
CREATE TABLE log (path TEXT, line INTEGER, date INTEGER, kind TEXT, text TEXT,
  PRIMARY KEY (path, line)) WITHOUT ROWID;
CREATE TABLE rules (path TEXT, seq INTEGER, line INTEGER, kind TEXT, due INTEGER, md INTEGER,
  origin INTEGER, text TEXT, owner TEXT, name TEXT, pid TEXT, until INTEGER, act INTEGER,
  booked INTEGER, PRIMARY KEY (path, seq))
  WITHOUT ROWID;
CREATE INDEX rules_windows ON rules (until, origin) WHERE md IS NOT NULL AND until IS NOT NULL;
CREATE TABLE problems (path TEXT, line INTEGER, code TEXT, severity TEXT, message TEXT,
  checked INTEGER, quiet INTEGER, owner TEXT, name TEXT, pid TEXT);
CREATE INDEX problems_path ON problems (path, line, code);
CREATE INDEX profiles_pid ON profiles (pid, log_count, path);
CREATE TABLE events (path TEXT, seq INTEGER, uid TEXT, rev INTEGER, start INTEGER,
  keeps INTEGER, ical BLOB, PRIMARY KEY (path, seq)) WITHOUT ROWID;
CREATE TABLE domains (domain TEXT PRIMARY KEY, problem TEXT) WITHOUT ROWID;
CREATE TABLE phones (path TEXT, phone TEXT, e164 TEXT, problem TEXT, PRIMARY KEY (path, phone))
  WITHOUT ROWID;
"""
RULES = ("SELECT r.path, r.seq, r.line, r.kind, r.due, r.md, r.origin, r.text, r.owner, r.name, "
         "r.pid, r.until, r.act, r.booked")
# the calendar's rule rows: with the profile's newest log entry
RULE_COLUMNS = f"{RULES}, p.last_date, p.last_kind, p.last_text, p.last_line"
RULE_WIDTH = 18  # the columns of RULE_COLUMNS
DERIVED = ("profiles", "contacts", "tasks", "log", "rules", "problems")
# the stored profiles (a blob each) are in a table of their own, so that the questions
# that scan profiles' columns (contact points, rules' recall, listings) read a small table
STORED = "stored"
DAILY = 0  # the ``due`` of a rule due every day (no day has ordinal 0)


def vault_key(vault: Path) -> str:
    """A file-name-safe key for one vault path: its folder name and a hash of the full path."""
    key = hashlib.sha256(str(vault.resolve()).encode()).hexdigest()[:16]
    return f"{vault.name or 'vault'}-{key}"


def default_db_path(vault: Path) -> Path:
    """``$PLAINCRM_CACHE_DIR`` or the user cache folder, one database per vault path."""
    base = os.environ.get(ENV_CACHE)
    if not base:
        import platformdirs  # only without the variable: its import is half of a warm start

        base = platformdirs.user_cache_dir("plaincrm")
    return Path(base) / vault_key(vault) / "index.sqlite"


PARALLEL_MIN = 500  # changed files from which a refresh parses them in worker processes
CHUNK = 500  # files per unit of work
WRITE_BATCH = 500  # files per write transaction: written while the workers read the next
READ_BATCH = 200  # rows decoded at a time by profiles(): few, so freed memory is reused
LEAN_QUERIES = (  # Index.lean_profiles: the profiles, their log and their tasks, by path
    "SELECT path, name, status, owner, pid, since, since_line, service_due, service_every, "
    "service_line, contact_every, log_count, has_problems FROM profiles ORDER BY path",
    "SELECT path, line, date, kind, text FROM log ORDER BY path, line",
    "SELECT path, line, date, done, owner, text FROM tasks ORDER BY path, line")
FileKey = tuple[str, int, int, int, int]  # path, mtime_ns, ctime_ns, inode, size
Rows = list[tuple[Any, ...]]
# one file's rows: its key, then its rows in each table of DERIVED (the profile's: 0 or 1)
FileRows = tuple[FileKey, Rows, Rows, Rows, Rows, Rows, Rows]


def _workers() -> int:
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None  # Linux
    return min(len(cores) if cores is not None else os.cpu_count() or 1, 8)


def _can_fork() -> bool:
    """Forking is cheap (the workers need no imports) but safe only without other threads."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def derive_key(config: Config) -> str:
    """What of the config the derived rows depend on (the reminder rules, the checks kept,
    what to recall)."""
    used = [config["agenda.dates"], config["agenda.contact_every"], config["agenda.lead_days"],
            config["profiles.required"], config["profiles.required_by_status"],
            config["profiles.statuses"], config["profiles.phone_region"],
            config["agenda.no_service_statuses"],
            {k: v for k, v in config.items() if k.startswith(("outreach.", "log."))}]
    return hashlib.sha256(json.dumps(used, sort_keys=True, default=str).encode()).hexdigest()


def read_files(root: str, files: list[FileKey], config: Config) -> list[FileRows]:
    """Read and parse files of the vault at ``root`` into their rows (run in worker processes)."""
    from plaincrm.checks.stored import stored_problems
    from plaincrm.logkinds import log_kinds
    from plaincrm.parse import parse_profile

    classes = log_kinds(config)  # once, not once per profile
    out: list[FileRows] = []
    with _no_gc():  # parsing makes many small objects and no cycles
        for path, *_key in files:
            try:
                with open(os.path.join(root, path), "rb") as handle:
                    st = os.fstat(handle.fileno())
                    data = handle.read()
            except OSError as exc:
                problem = Problem(Location(path, 1), "parse-error", Severity.ERROR,
                                  f"cannot read the file: {exc.strerror or exc}")
                out.append(((path, -1, -1, -1, -1), [], [], [], [], [],
                            _problem_rows([problem])))
                continue
            profile, problems = parse_profile(path, data)
            key = (path, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_size)
            found = derive(profile, config, classes) if profile is not None else (
                [], [], [], [], [])
            checked, silenced = stored_problems(profile, problems, config) \
                if profile is not None else ([], frozenset[str]())
            out.append((key, *found, _problem_rows(problems, silenced, profile)
                        + _problem_rows(checked, silenced, profile, checked=True)))
    return out


def _read_marshalled(root: str, files: list[FileKey], config: Config) -> bytes:
    """:func:`read_files` as marshal bytes: several times quicker between processes than the
    pickles a process pool would make of the rows."""
    from plaincrm.checks.fields import DOMAINS

    rows = read_files(root, files, config)
    return marshal.dumps((rows, DOMAINS.take_new()))


def derive(p: Profile, config: Config, classes: LogKinds | None = None
           ) -> tuple[Rows, Rows, Rows, Rows, Rows]:
    """The rows of profile ``p`` in profiles, contacts, tasks, log and rules (``classes``:
    the config's log kinds, when the caller has them)."""
    from plaincrm.checks.base import items
    from plaincrm.logkinds import log_kinds
    from plaincrm.lookup import fold, index_keys, phone_key
    from plaincrm.recall import last_talk, pinned
    from plaincrm.reminders import rules

    path = p.path
    newest = p.newest_log()
    talk, facts = last_talk(p, classes or log_kinds(config)), pinned(p)
    haystack = " ".join([path, p.display_name, *p.emails, *p.phones, *p.tags,
                         *[str(f.raw) for f in p.fields]])
    profile = (path, p.display_name, p.status, p.owner,
               p.contact_point,
               p.has_problems, fold(p.owner or ""), _bounded(fold(t) for t in p.tags),
               _bounded(sorted(index_keys(p))), fold(haystack),  # sorted: the same row
               newest.date.toordinal() if newest else None, newest.kind if newest else None,
               newest.text if newest else None, newest.location.line if newest else None,
               p.id, p.log_count, p.customer_since.toordinal() if p.customer_since else None,
               ", ".join(p.phones) or None, ", ".join(p.emails) or None,
               p.field_line("customer_since"),
               p.service_due.toordinal() if p.service_due else None, _duration(p.service_every),
               p.field_line("service_due"), _duration(p.contact_every),
               talk.date.toordinal() if talk else None, talk.kind if talk else None,
               talk.text if talk else None, talk.location.line if talk else None,
               facts[0] if facts else None, codec.dump_profile(p))
    contacts = [(email.casefold(), "email", path, line, email)
                for email, line in items(p, "email")]
    contacts += [(key, "phone", path, line, phone) for phone, line in items(p, "phone")
                 if (key := phone_key(phone))]
    tasks = [(path, t.location.line, t.date.toordinal() if t.date else None, t.done, t.owner,
              t.text) for t in p.tasks]
    log = [(path, e.location.line, e.date.toordinal(), e.kind, e.text) for e in p.log]
    try:
        found = rules(p, config)
    except (ValueError, OverflowError):  # a date beyond the calendar: no reminder at all
        found = []
    rule_rows = [(path, seq, r.location.line, r.kind,
                  None if r.month_day else r.due.toordinal() if r.due else DAILY,
                  r.month_day[0] * 100 + r.month_day[1] if r.month_day else None,
                  r.origin.toordinal() if r.origin else None, r.text, r.owner, r.name,
                  r.profile_id, r.until.toordinal() if r.until else None, r.actionable,
                  r.booked.toordinal() if r.booked else None)
                 for seq, r in enumerate(found)]
    return [profile], contacts, tasks, log, rule_rows


def _duration(every: Duration | None) -> str | None:
    return f"{every.count} {every.unit}" if every is not None else None


def _bounded(values: Iterable[str]) -> str:
    """Values joined so ``instr(column, '\\x1f' || value || '\\x1f')`` finds a whole one."""
    return "\x1f" + "\x1f".join(values) + "\x1f"


def _problem_rows(problems: list[Problem], silenced: frozenset[str] = frozenset(),
                  profile: Profile | None = None, checked: bool = False) -> list[tuple[Any, ...]]:
    """Rows of the problems table: the loader's, or (``checked``) those of the checks the
    index keeps; ``quiet`` when the profile silences the code (``check_ignore``); with the
    profile's owner, name and id (what its agenda rows say)."""
    who = (profile.owner, profile.display_name, profile.id) if profile else (None,) * 3
    return [(p.location.path, p.location.line, p.code, str(p.severity), p.message, checked,
             p.code in silenced, *who) for p in problems]


def _load(blob: bytes, full: bool = True) -> Profile:
    try:
        return codec.load_profile(blob, full)
    except (ValueError, EOFError, TypeError, IndexError) as exc:
        raise sqlite3.DatabaseError(f"a row cannot be decoded ({exc})") from None


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
        self.scan_problems: list[Problem] = []
        # email domains' verdicts worked out while reading files, kept by the next write
        # (checks.fields.DOMAINS: they are facts about a domain, not about any one file)
        self._new_domains: dict[str, str | None] = {}
        self._db = self._open()

    # -- opening, and recovering from damage -------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.db_path.is_dir():
            raise CacheError(f"the index path {self.db_path} is a folder, not a file: move it "
                             f"away, or set {ENV_CACHE} to another folder")
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create the index folder {self.db_path.parent}: "
                             f"{exc.strerror}") from None
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                return self._connect()
            except sqlite3.DatabaseError as exc:
                # A new database switching to WAL, or being created, by another plaincrm at
                # the same moment answers "locked" at once, whatever the busy timeout: wait.
                if not _locked(exc):
                    break  # damaged: rebuilt below
                if time.monotonic() > deadline:
                    raise CacheError(f"the index at {self.db_path} is locked: {exc}") from None
                time.sleep(0.01)
        self.note(f"the index at {self.db_path} was unreadable; rebuilding it")
        self._delete_files()
        try:
            return self._connect()
        except sqlite3.DatabaseError as again:
            raise CacheError(f"cannot open the index at {self.db_path}: {again}") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                with _transaction(db):
                    _create(db)
                if row is not None:
                    self.note("the index was made by another plaincrm version; rebuilding it")
            db.execute("SELECT count(*) FROM files").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _delete_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.db_path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise CacheError(f"the index at {self.db_path} is damaged or read-only and "
                                 f"cannot be removed: {exc.strerror or exc}") from None

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        """Rebuild after damage found while in use: note it, start afresh, read the vault."""
        if _locked(exc):
            raise CacheError(f"the index at {self.db_path} is locked: {exc}") from None
        reason = "read-only" if "readonly" in str(exc) else "damaged"
        self.note(f"the index at {self.db_path} was {reason} ({exc}); rebuilding it")
        self._db.close()
        self._delete_files()
        try:
            self._db = self._connect()
            self._refresh(None, None, PARALLEL_MIN)
        except sqlite3.DatabaseError as again:
            raise CacheError(f"cannot rebuild the index at {self.db_path}: {again}") from None

    def _ask(self, question: Callable[[], T]) -> T:
        """``question()`` answered from the database; damage is rebuilt once, then asked again."""
        try:
            return question()
        except sqlite3.DatabaseError as exc:
            self._recover(exc)
        try:
            return question()
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"the index at {self.db_path} is unusable: {exc}") from None

    def close(self) -> None:
        self._db.close()

    def side_store(self) -> sqlite3.Connection:
        """The database, for pulse's git history (:mod:`plaincrm.pulse.store`): its tables
        beside the vault's rows are dropped with the rest on a rebuild, never outliving it."""
        return self._db

    def clear(self) -> None:
        """Forget every row: the next refresh reads every file."""
        with _transaction(self._db):
            _create(self._db)

    # -- refreshing -------------------------------------------------------

    def refresh(self, progress: Callable[[int], None] | None = None,
                only: Iterable[str] | None = None,
                parallel_min: int = PARALLEL_MIN) -> RefreshStats:
        """Bring the index up to date with the vault; ``only`` limits the re-stat to some paths.
        ``progress`` is called with the number of files about to be read, then with the number
        read as they are done. From ``parallel_min`` changed files up, they are parsed in one
        worker process per core (when the platform can fork); the rows are the same."""
        wanted = None if only is None else set(only)
        return self._ask(lambda: self._refresh(progress, wanted, parallel_min))

    def _refresh(self, progress: Callable[[int], None] | None, wanted: set[str] | None,
                 parallel_min: int) -> RefreshStats:
        stats, self.scan_problems = scan(self.vault, self.config)  # a FileStat is a FileKey
        if wanted is not None:
            stats = [s for s in stats if s[0] in wanted]
        # rules and phones depend on the config: another config reads every file again
        if self._kept_for("derived", derive_key(self.config), "UPDATE files SET size = -1"):
            wanted = None
        # Both sides sorted by path (SQLite's byte order on UTF-8 is Python's code point
        # order): one merge, no dictionary of the whole vault in memory.
        changed: list[FileKey] = []
        gone: list[str] = []
        rows = self._db.execute("SELECT path, mtime_ns, ctime_ns, ino, size FROM files "
                                "ORDER BY path")
        known = next(rows, None)
        for now in stats:
            while known is not None and known[0] < now[0]:
                if wanted is None or known[0] in wanted:
                    gone.append(known[0])
                known = next(rows, None)
            if known is not None and known[0] == now[0]:
                if known != now:
                    changed.append(now)
                known = next(rows, None)
            else:
                changed.append(now)
        while known is not None:
            if wanted is None or known[0] in wanted:
                gone.append(known[0])
            known = next(rows, None)
        del stats
        if progress is not None:
            progress(len(changed))
        read = 0
        pending: list[FileRows] = []
        for batch in self._read_all(changed, parallel_min):
            pending.extend(batch)
            read += len(batch)
            if progress is not None:
                progress(len(batch))
            if len(pending) >= WRITE_BATCH:  # bounded memory on a large cold index
                self._write(pending, [])
                pending = []
        if pending or gone:
            self._write(pending, gone)
        (count,) = self._db.execute("SELECT count(*) FROM files").fetchone()
        return RefreshStats(files=count, read=read, removed=len(gone))

    def _read_all(self, changed: list[FileKey], parallel_min: int) -> Iterator[list[FileRows]]:
        """Rows for the ``changed`` files, in order, a chunk at a time."""
        if not changed:  # nothing to read: not even the checks are imported
            return
        from plaincrm.checks.fields import DOMAINS

        workers = _workers()
        DOMAINS.known.update(self._db.execute("SELECT domain, problem FROM domains"))
        if len(changed) < max(parallel_min, 2) or workers < 2 or not _can_fork():
            for start in range(0, len(changed), CHUNK):
                yield self._read(changed[start:start + CHUNK])
            return
        import multiprocessing
        from collections import deque
        from concurrent.futures import Future, ProcessPoolExecutor

        # The first file is read here: what reading needs is imported once, before the fork,
        # instead of once in each worker.
        yield self._read(changed[:1])
        changed = changed[1:]
        size = max(16, min(CHUNK, len(changed) // (workers * 4) or 1))
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # a few chunks in flight per worker, taken in order: memory stays flat
            running: deque[Future[bytes]] = deque()
            for start in range(0, len(changed), size):
                running.append(pool.submit(_read_marshalled, str(self.vault),
                                           changed[start:start + size], self.config))
                if len(running) >= workers * 2:
                    yield self._received(running.popleft().result())
            while running:
                yield self._received(running.popleft().result())

    def _read(self, files: list[FileKey]) -> list[FileRows]:
        """:func:`read_files` in this process, keeping the email domains' new verdicts."""
        from plaincrm.checks.fields import DOMAINS

        rows = read_files(str(self.vault), files, self.config)
        self._new_domains.update(DOMAINS.take_new())
        return rows

    def _received(self, data: bytes) -> list[FileRows]:
        """A worker's rows (:func:`_read_marshalled`), keeping its domains' verdicts."""
        rows, domains = marshal.loads(data)
        self._new_domains.update(domains)
        return cast(list[FileRows], rows)

    def _write(self, batch: list[FileRows], gone: list[str]) -> None:
        """One transaction: each file's rows replaced together, the generation moved on."""
        with _transaction(self._db) as db:
            # A file without a row in files has no rows anywhere (they are written and
            # deleted together): only those with one have rows to delete, which on a cold
            # build is none (asked inside the transaction: another plaincrm may have written)
            old = [(p,) for p in gone]
            for part, among in _in_batches([rows[0][0] for rows in batch]):
                old += db.execute(f"SELECT path FROM files WHERE path {among}", part).fetchall()
            if old:
                for table in ("files", *DERIVED, STORED, "events", "phones"):
                    db.executemany(f"DELETE FROM {table} WHERE path = ?", old)
            (gen,) = db.execute("SELECT value + 1 FROM meta WHERE key = 'generation'").fetchone()
            db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                           [(*file[0], gen) for file in batch])
            for number, table in enumerate(DERIVED, start=1):
                if rows := [row for file in batch for row in cast(Rows, file[number])]:
                    if table == "profiles":  # the last column goes to STORED
                        db.executemany(f"INSERT INTO {STORED} VALUES (?, ?)",
                                       [(row[0], row[-1]) for row in rows])
                        rows = [row[:-1] for row in rows]
                    marks = ", ".join("?" * len(rows[0]))
                    db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                       "WHERE key = 'generation'")
            if self._new_domains:
                db.executemany("INSERT OR IGNORE INTO domains VALUES (?, ?)",
                               self._new_domains.items())
                self._new_domains = {}

    # -- questions ----------------------------------------------------------

    def generation(self) -> int:
        """A number that moves on whenever any plaincrm writes or removes a file's rows."""
        return self._ask(lambda: int(self._db.execute(
            "SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]))

    def profiles(self, full: bool = True, select: Filters | None = None) -> Iterator[Profile]:
        """Every indexed profile (those ``select`` keeps), sorted by path, read a batch of
        rows at a time so memory stays flat whatever the vault's size."""
        where, params = _where(select)
        query = f"SELECT profile FROM profiles JOIN {STORED} USING (path) {where} ORDER BY path"
        def produce() -> Iterator[Profile]:
            cursor = self._db.execute(query, params)
            while batch := cursor.fetchmany(READ_BATCH):
                with _no_gc():  # decoding makes many small objects that all live on
                    decoded = [_load(blob, full) for (blob,) in batch]
                yield from decoded

        return self._stream(produce)

    def _stream(self, produce: Callable[[], Iterator[T]]) -> Iterator[T]:
        """What ``produce()`` yields from the database. Damage before the first item is
        rebuilt and asked again; later, the index is removed (rebuilt next)."""
        done = False
        for attempt in range(2):
            try:
                for item in produce():
                    done = True
                    yield item
                return
            except sqlite3.DatabaseError as exc:
                if done or attempt:
                    self._db.close()
                    self._delete_files()
                    raise CacheError(f"the index at {self.db_path} was damaged ({exc}); it "
                                     "is removed, and the next command rebuilds it") from None
                self._recover(exc)

    def profile(self, path: str, full: bool = True) -> Profile | None:
        row = self._ask(lambda: self._db.execute(
            f"SELECT profile FROM {STORED} WHERE path = ?", (path,)).fetchone())
        return self._ask(lambda: _load(row[0], full)) if row else None

    def _rows(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._ask(lambda: self._db.execute(query, params).fetchall())

    def listing(self, select: Filters | None = None) -> list[tuple[Any, ...]]:
        """(name, status, owner, first phone else email, path, has problems) of each profile
        ``select`` keeps, sorted by path."""
        where, params = _where(select)
        return [(*row[:5], bool(row[5])) for row in self._rows(
            f"SELECT name, status, owner, contact, path, has_problems FROM profiles {where} "
            "ORDER BY path", params)]

    def names(self) -> list[str]:
        """Every profile's display name."""
        return [name for (name,) in self._rows("SELECT name FROM profiles")]

    def rules_due(self, first: dt.date, last: dt.date) -> Iterator[Rule]:
        """Every rule that can have a reminder from ``first`` to ``last``, in path order:
        dated rules up to ``last`` but past ``once`` dates (actionable ones stay overdue),
        daily rules, yearly rules whose month and day fall in the range (across the year's
        end; 29 February always, for 28 February in common years)."""
        start, end = first.toordinal(), last.toordinal()
        params: tuple[int, ...] = ()
        # a yearly window (outreach) open on ``first`` may have begun up to its length before
        (widen,) = self._rows("SELECT coalesce(max(until - origin), 0) FROM rules "
                              "WHERE md IS NOT NULL AND until IS NOT NULL")[0]
        first = dt.date.fromordinal(max(start - widen, 1))
        if end - first.toordinal() >= 365:
            yearly = "md IS NOT NULL"
        else:
            lo, hi = first.month * 100 + first.day, last.month * 100 + last.day
            yearly = "md BETWEEN ? AND ?" if lo <= hi else "(md >= ? OR md <= ?)"
            yearly, params = f"({yearly} OR md = 229)", (lo, hi)
        # one pass over the rules in path order (a yearly rule has no ``due``): no sorting
        dated = "r.due <= ? AND (r.due >= ? OR r.due = 0 OR r.until >= ? OR r.act)"
        query = f"{RULES} FROM rules r WHERE ({dated}) OR {yearly} ORDER BY 1, 2"

        def produce() -> Iterator[Rule]:
            shared = dict[Any, Any]()  # texts are shared
            cursor = self._db.execute(query, (end, start, start, *params))
            while batch := cursor.fetchmany(READ_BATCH):
                for row in batch:
                    yield _rule(row, shared)

        return self._stream(produce)

    def recall(self, paths: Iterable[str], newest: bool = False
               ) -> dict[str, tuple[LogEntry | str | None, str | None]]:
        """{path: (what to recall, contact point)} of the indexed profiles among ``paths``:
        :func:`plaincrm.recall.context` (``newest``: the newest log entry of any kind), the
        first phone, else email."""
        said = "NULL, last_date, last_kind, last_text, last_line" if newest else \
            "remember, talk_date, talk_kind, talk_text, talk_line"
        query = f"SELECT path, contact, {said} FROM profiles"
        rows = (row for part, among in _in_batches(sorted(set(paths)))
                for row in self._rows(f"{query} WHERE path {among}", part))
        return {row[0]: (row[2] or _newest(row, 3), row[1]) for row in rows}

    def lean_profiles(self) -> Iterator[Profile]:
        """Every profile by path with what pulse reads (its log and tasks in file order, name,
        status, owner, id, the service and contact fields, ``customer_since``), from the
        tables, no stored profile decoded: a batch at a time, all in one read transaction."""
        def produce() -> Iterator[Profile]:
            with _transaction(self._db, write=False) as db:
                profiles, logs, tasks = (db.execute(query) for query in LEAN_QUERIES)
                log_rows, task_rows = _grouped(logs), _grouped(tasks)
                while batch := profiles.fetchmany(READ_BATCH):
                    for row in batch:
                        yield _lean(row, log_rows(row[0]), task_rows(row[0]))

        return self._stream(produce)

    def owners(self) -> list[str]:
        """Every owner written in the vault, once each: profiles' ``owner``, tasks' ``@name``."""
        return [o for (o,) in self._rows("SELECT owner FROM profiles WHERE owner != '' UNION "
                                         "SELECT owner FROM tasks WHERE owner != ''")]

    def shared_ids(self) -> list[tuple[str, str, int]]:
        """(id, path, log entries) of each profile whose ``id`` another profile has too."""
        return self._rows("SELECT pid, path, log_count FROM profiles WHERE pid IN (SELECT pid "
                          "FROM profiles WHERE pid != '' GROUP BY pid HAVING count(*) > 1)")

    def calendar_profiles(self, paths: list[str]) -> Iterator[CalendarProfile]:
        """The profiles at ``paths`` that have rules: their rules and what their events say
        besides (what to recall, as in :meth:`recall`), and for each rule the (UID,
        revision, start) of the event kept for it, if any; a few hundred in each snapshot."""
        for part, among in _in_batches(paths):
            found = self._rows(
                f"{RULE_COLUMNS}, p.since, p.phones, p.emails, f.gen, e.uid, e.rev, e.start, "
                "p.talk_date, p.talk_kind, p.talk_text, p.talk_line, p.remember "
                "FROM rules r JOIN profiles p ON p.path = r.path JOIN files f ON f.path = r.path "
                "LEFT JOIN events e ON e.path = r.path AND e.seq = r.seq "
                f"WHERE r.path {among} ORDER BY r.path, r.seq", part)
            for _path, rows in groupby(found, key=itemgetter(0)):
                yield _calendar_profile(list(rows))

    @contextlib.contextmanager
    def event_feed(self, version: str, today: dt.date, until: dt.date,
                   mine: Callable[[str | None], bool] | None = None,
                   escalated: int | None = None) -> Iterator[EventFeed]:
        """A calendar feed of ``today``: one event per rule (one-off ones up to ``until``,
        those of the owners ``mine`` keeps), sorted by start and UID. The events' bytes are
        kept in the ``events`` table under their file's rows (deleted with them), valid for
        ``version`` (what they depend on besides the rows: the config, the serializer) and
        while their revision, start and UID are still those of the day. ``escalated``: the
        latest due day (ordinal) of the actionable reminders escalated to this feed's owner
        (theirs or not), None for none."""
        db = self._db
        self._ask(lambda: self._kept_for("calendar", version, "DELETE FROM events"))
        db.create_function("plaincrm_mine", 1, mine or (lambda _owner: True),
                           deterministic=True)
        yield EventFeed(self, db, version, {"t": today.toordinal(), "u": until.toordinal(),
                                            "epoch": min(EPOCH, today.toordinal()),
                                            "esc": -1 if escalated is None else escalated})

    def _kept_for(self, key: str, version: str, forget: str) -> bool:
        """Whether meta ``key`` names another version than ``version``: then ``forget`` runs."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is not None and row[0] == version:
            return False
        with _transaction(self._db) as db:
            db.execute(forget)
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, version))
        return True

    def phones(self, version: str) -> Callable[[str], dict[str, tuple[Any, Any]]]:
        """The verdicts ``plaincrm check`` keeps on each profile's phones ({phone as written:
        (E.164 form, why it is not valid)}), for paths asked in order: under their file's rows
        (deleted with them), for ``version`` (:func:`plaincrm.checks.fields.phone_version`)."""
        self._ask(lambda: self._kept_for("phones", version, "DELETE FROM phones"))
        rows = _grouped(self._stream(lambda: self._db.execute("SELECT * FROM phones ORDER BY 1")))
        return lambda path: {phone: (e164, why) for _path, phone, e164, why in rows(path)}

    def keep_phones(self, version: str, verdicts: list[tuple[str, str, Any, Any]]) -> None:
        """Keep ``verdicts`` (path, phone, E.164 form, why not) made for ``version``, those
        of files still indexed, unless the kept ones are for another version by now."""
        def keep() -> None:
            with _transaction(self._db) as db:
                db.executemany("INSERT OR REPLACE INTO phones SELECT ?, ?, ?, ? WHERE EXISTS "
                               "(SELECT 1 FROM files WHERE path = ?) AND (SELECT value FROM "
                               "meta WHERE key = 'phones') = ?",
                               [(*v, v[0], version) for v in verdicts])

        self._ask(keep)

    def lookup(self, key: str, contact: str | None = None) -> list[tuple[str, str, str | None]]:
        """(path, name, None) of the profiles ``key`` (folded) names exactly, by stem, path, id
        or name, and (path, name, phone as written) of those with the contact point
        ``contact`` (a folded email; a phone's :func:`plaincrm.lookup.phone_key`)."""
        return self._rows("SELECT path, name, NULL FROM profiles WHERE instr(keys, ?) UNION "
                          "SELECT p.path, p.name, CASE c.kind WHEN 'phone' THEN c.written END "
                          "FROM contacts c JOIN profiles p ON p.path = c.path WHERE c.value = ? "
                          "ORDER BY 1", (f"\x1f{key}\x1f", contact))

    def containing(self, key: str) -> list[tuple[str, str]]:
        """(path, name) of the profiles whose stem, path, id or name contains ``key``."""
        return self._rows("SELECT path, name FROM profiles WHERE instr(keys, ?) ORDER BY path",
                          (key,))

    def problems(self, path: str | None = None) -> list[Problem]:
        """Every problem the loader found (of one file), sorted by path then line."""
        where, params = ("AND path = ?", (path,)) if path is not None else ("", ())
        found = [p for p in self.scan_problems if path is None or p.location.path == path]
        found += [Problem(Location(p, line), code, Severity(sev), msg) for p, line, code, sev, msg
                  in self._rows("SELECT path, line, code, severity, message FROM problems "
                                f"WHERE NOT checked {where}", params)]
        found.sort(key=Problem.sort_key)
        return found

    def checked_problems(self) -> list[Problem]:
        """The problems of the day-independent checks the index ran on each profile it read
        (:func:`plaincrm.checks.stored.stored_problems`), as those checks gave them (before
        ``check_ignore`` and ``checks.severity``); equal codes and messages are one string."""
        one: dict[str, str] = {}
        return [Problem(Location(p, line), one.setdefault(code, code), Severity(sev),
                        one.setdefault(msg, msg)) for p, line, code, sev, msg
                in self._rows("SELECT path, line, code, severity, message FROM problems "
                              "WHERE checked")]

    def paths(self) -> list[str]:
        return [p for (p,) in self._rows("SELECT path FROM files ORDER BY path")]

    def kept_problems(self) -> list[tuple[Any, ...]]:
        """(path, line, code, severity, message, owner, name, id) of every problem the index
        keeps (the loader's, the day-independent checks') that its profile does not silence."""
        return self._rows("SELECT path, line, code, severity, message, owner, name, pid "
                          "FROM problems WHERE NOT quiet ORDER BY path, line, code")

    def profile_owners(self) -> dict[str, str | None]:
        """Each profile's ``owner``, by path."""
        return dict(self._rows("SELECT path, owner FROM profiles"))


@dataclass(frozen=True, slots=True)
class CalendarProfile:
    """A profile as the calendar reads it: its rules (in order), its facts, the generation its
    rows were written in, and the (UID, revision, start) of the event kept for each rule."""

    path: str
    pid: str | None
    rules: list[Rule]
    last: LogEntry | None  # the newest log entry
    since: dt.date | None
    phones: str | None  # as written, joined by ", "
    emails: str | None
    context: LogEntry | str | None  # what to recall: :func:`plaincrm.recall.context`
    gen: int = 0
    kept: dict[int, tuple[str, int, int]] = field(default_factory=dict)


class EventFeed:
    """One feed being made (see :meth:`Index.event_feed`): the profiles whose kept events are
    missing or stale, their new events stored, then every event written out sorted."""

    def __init__(self, index: Index, db: sqlite3.Connection, version: str,
                 day: dict[str, int]) -> None:
        self._index, self._db, self._version, self._day = index, db, version, day
        self._new: list[tuple[Any, ...]] = []
        self.events = self.stored = 0
        (self._data_version,) = db.execute("PRAGMA data_version").fetchone()

    def stale(self) -> Iterator[CalendarProfile]:
        """The profiles with a rule whose event is not kept, or kept for another day."""
        paths = self._db.execute(f"SELECT DISTINCT r.path {_EVENTS} LEFT JOIN events e ON "
                                 f"e.path = r.path AND e.seq = r.seq WHERE e.path IS NULL OR "
                                 f"NOT ({_VALID}) ORDER BY r.path", self._day).fetchall()
        return self._index.calendar_profiles([path for (path,) in paths])

    def store(self, path: str, seq: int, key: tuple[str, int, int], keeps: bool,
              ical: bytes, gen: int) -> None:
        """Keep an event's bytes: ``key`` is its (UID, revision, start), ``keeps`` whether its
        profile keeps its id; unless its file's rows changed since ``gen`` (then the next
        build makes them again)."""
        self._new.append((path, seq, *key, keeps, ical, path, gen, self._version))
        self.stored += 1
        if len(self._new) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        new, self._new = self._new, []
        with _transaction(self._db) as db:
            db.executemany("INSERT OR REPLACE INTO events SELECT ?, ?, ?, ?, ?, ?, ? WHERE "
                           "EXISTS (SELECT 1 FROM files WHERE path = ? AND gen = ?) AND "
                           "(SELECT value FROM meta WHERE key = 'calendar') = ?", new)

    def write_sorted(self, write: Callable[[bytes], object], header: bytes) -> bool:
        """``write`` the header, then the feed's events sorted by (start, UID), a few hundred
        at a time, from one snapshot. False, having written nothing, when another plaincrm
        wrote to the index since this feed began (make it again)."""
        if self._new:
            self._flush()
        with _transaction(self._db, write=False) as db:
            if db.execute("PRAGMA data_version").fetchone()[0] != self._data_version:
                return False
            write(header)
            # events first, in their own order, each rule and profile looked up by key: left
            # to itself SQLite walks the rules by due date and looks up each one's event (its
            # bytes spread over a table of 27 MB at 10,000 profiles) at random: 3 times slower
            cursor = db.execute("SELECT e.ical FROM events e CROSS JOIN rules r ON r.path = "
                                "e.path AND r.seq = e.seq CROSS JOIN profiles p ON p.path = "
                                f"r.path WHERE {_VALID} AND (r.md IS NOT NULL OR "
                                "(e.start <= :u AND coalesce(r.until >= :t, 1))) AND "
                                "(plaincrm_mine(r.owner) OR (r.act AND r.due > 0 AND "
                                "r.due <= :esc)) "
                                "ORDER BY e.start, e.uid", self._day)
            while batch := cursor.fetchmany(200):
                self.events += len(batch)
                write(b"".join([ical for (ical,) in batch]))  # fewer, larger writes
        return True


EPOCH = dt.date(1970, 1, 1).toordinal()
_EVENTS = "FROM rules r JOIN profiles p ON p.path = r.path"
# an event kept for rule r of profile p is the day's when its revision is the day's (the newer
# of the newest log entry and customer_since up to the day, else 1970-01-01; the day itself
# for a reminder due every day), a daily one starts on the day, and its UID was made with the
# id p keeps now (of the profiles sharing an id: the most log entries, then the first path)
_VALID = ("e.rev = CASE WHEN r.due = 0 THEN :t ELSE coalesce(nullif(max("
          "coalesce(CASE WHEN p.last_date <= :t THEN p.last_date END, -1), "
          "coalesce(CASE WHEN p.since <= :t THEN p.since END, -1)), -1), :epoch) END "
          "AND (r.due IS NOT 0 OR e.start = :t) AND e.keeps = (coalesce(p.pid, '') = '' OR NOT "
          "EXISTS (SELECT 1 FROM profiles q WHERE q.pid = p.pid AND q.path != p.path AND "
          "(q.log_count > p.log_count OR (q.log_count = p.log_count AND q.path < p.path))))")


@dataclass(frozen=True, slots=True)
class Filters:
    """Which profiles ``list`` shows: each filter given must match (all folded but status)."""

    status: str | None = None  # lower case
    tag: str | None = None
    owner: str | None = None
    search: str | None = None


def _where(select: Filters | None) -> tuple[str, tuple[Any, ...]]:
    if select is None:
        return "", ()
    found = [(term, value) for value, term in (
        (select.status, "coalesce(status, '') = ?"), (select.owner, "owner_key = ?"),
        (select.tag and f"\x1f{select.tag}\x1f", "instr(tags, ?)"),
        (select.search, "instr(haystack, ?)")) if value]
    where = " AND ".join(term for term, _value in found)
    return (f"WHERE {where}" if found else ""), tuple(value for _term, value in found)


def _grouped(found: Iterator[tuple[Any, ...]]) -> Callable[[str], list[tuple[Any, ...]]]:
    """For rows sorted by path: a function giving the rows of each path asked for in order."""
    pending: list[tuple[Any, ...] | None] = [next(found, None)]

    def rows(path: str) -> list[tuple[Any, ...]]:
        out = []
        row = pending[0]
        while row is not None and row[0] < path:
            row = next(found, None)
        while row is not None and row[0] == path:
            out.append(row)
            row = next(found, None)
        pending[0] = row
        return out

    return rows


def _lean(row: tuple[Any, ...], logs: list[tuple[Any, ...]],
          tasks: list[tuple[Any, ...]]) -> Profile:
    (path, name, status, owner, pid, since, since_line, service_due, service_every,
     service_line, contact_every, log_count, has_problems) = row
    return Profile(
        Location(path, 1), name, name=name, id=pid, status=status, owner=owner,
        customer_since=_day(since) if since else None,
        service_due=_day(service_due) if service_due else None,
        service_every=_every(service_every), contact_every=_every(contact_every),
        fields=(Field("customer_since", None, since_line), Field("service_due", None,
                                                                 service_line)),
        tasks=tuple(Task(Location(path, line), text, bool(done), _day(date) if date else None,
                         task_owner) for _p, line, date, done, task_owner, text in tasks),
        log=tuple(LogEntry(Location(path, line), _day(date), text, kind)
                  for _p, line, date, kind, text in logs),
        log_count=log_count, has_problems=bool(has_problems))


def _in_batches(keys: list[str]) -> Iterator[tuple[tuple[str, ...], str]]:
    """``keys`` READ_BATCH at a time, each batch with its ``IN (?, …)`` (SQLite limits how
    many parameters one statement takes)."""
    for at in range(0, len(keys), READ_BATCH):
        part = tuple(keys[at:at + READ_BATCH])
        yield part, f"IN ({', '.join('?' * len(part))})"


def _every(value: str | None) -> Duration | None:
    count, _space, unit = (value or "").partition(" ")
    return Duration(int(count), unit) if value else None


def _calendar_profile(rows: list[tuple[Any, ...]]) -> CalendarProfile:
    w = RULE_WIDTH
    rule, last = _rule(rows[0]), _newest(rows[0])
    since, phones, emails, gen = rows[0][w:w + 4]
    talk, remember = _newest(rows[0], w + 7), rows[0][w + 11]
    return CalendarProfile(
        rule.location.path, rule.profile_id, [rule, *[_rule(row) for row in rows[1:]]],
        last, dt.date.fromordinal(since) if since else None, phones, emails, remember or talk, gen,
        {row[1]: (row[w + 4], row[w + 5], row[w + 6]) for row in rows if row[w + 4] is not None})


_day = functools.lru_cache(maxsize=4096)(dt.date.fromordinal)  # rows share few days


# (month, day) of a stored ``md`` (month * 100 + day), one tuple per day of the year
_MONTH_DAYS = {m * 100 + d: (m, d) for m in range(1, 13) for d in range(1, 32)}


def _rule(row: tuple[Any, ...], shared: dict[Any, Any] | None = None) -> Rule:
    """A rule from a row that begins with RULE_COLUMNS; its kind, text and owner are the equal
    ones in ``shared`` (memory for a long agenda)."""
    path, _seq, line, kind, due, md, origin, text, owner, name, pid, until, act, booked = \
        row[:14]
    day = _day
    if shared is not None:
        kind, text, owner = shared.setdefault(kind, kind), shared.setdefault(text, text), \
            shared.setdefault(owner, owner)
    return Rule(Location(path, line), kind, text, name, owner, pid,
                day(due) if due else None, _MONTH_DAYS[md] if md is not None else None,
                day(origin) if origin else None, day(until) if until else None, bool(act),
                day(booked) if booked else None)


def _newest(row: tuple[Any, ...], at: int = 14) -> LogEntry | None:
    """The log entry in the four columns (date, kind, text, line) from ``at`` of a row that
    begins with the profile's path (by default RULE_COLUMNS' last four: the newest entry)."""
    last_date, last_kind, last_text, last_line = row[at:at + 4]
    if last_date is None:
        return None
    return LogEntry(Location(row[0], last_line), _day(last_date), last_text, last_kind)


def _create(db: sqlite3.Connection) -> None:
    """Every table afresh (inside a transaction): the schema, an empty vault."""
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND name != 'meta'").fetchall():
        db.execute(f"DROP TABLE {name}")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
    db.execute("DELETE FROM meta WHERE key = 'derived'")


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: it would scan many new objects without cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection, write: bool = True) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _locked(exc: sqlite3.DatabaseError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)
