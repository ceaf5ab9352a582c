"""The calendar's cache: each VEVENT serialized once, kept in the index database.

icalendar takes about 1.5 ms to build and serialize one event, and a large vault has tens of
thousands of them, nearly all the same from one run to the next. Two tables beside the index's
keep what a run would otherwise redo:

- ``calendar_events``: each event's bytes, under its date and a hash of the event's *inputs*
  (its UID, stamp, dates, rule, texts and alarm: everything
  :meth:`plaincrm.ical.EventSpec.to_ical` reads). A change in the profile, the config or the
  day gives a new key, which misses and is serialized; a kept event can never be stale.
- ``calendar_profiles``: for each profile, its events as in the full feed (keys, UIDs, dates,
  owners), under a hash of the profile's index row and of everything else its reminders depend
  on (the day, the config, where its UIDs start). A hit skips decoding the profile and
  computing its reminders, for the full feed and for every ``--owner``/``--months`` feed; a
  miss computes them and serializes only the events not yet kept.

One :class:`FeedBuild` collects the events of one feed in a temporary table (on disk, not in
memory, whatever the vault's size) and reads their bytes back sorted by (start, UID) in one read
transaction. At the end it prunes what it did not use (an event that ``--owner`` or
``--months`` left out counts as used, so a filtered feed does not evict the full feed's events),
so the tables stay the size of one feed.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Callable, Collection, Iterator

BATCH = 500  # profiles looked up, built and stored at a time
LOOKUP = 500  # keys per SELECT ... IN (...)

# One event of a profile: its cache key, a function serializing it, start (ISO), UID, whether
# this feed lists it (the others only keep their cached bytes from being pruned)
EventRow = tuple[bytes, Callable[[], bytes], str, str, bool]
# One event as the cache keeps it for a profile, whatever the feed's filters: its key, start,
# UID, UID before numbering, folded owner, and date ordinal when it is a one-off (None: yearly)
Stored = tuple[bytes, str, str, str, str, int | None]
# Which of a profile's stored events this feed lists: (key, start, UID, listed) each, or None
# when only computing them again can tell
Select = Callable[[list[Stored]], list[tuple[bytes, str, str, bool]] | None]


Compute = Callable[[], tuple[list[Stored], list[EventRow]]]


class CacheRace(Exception):
    """Another plaincrm pruned events this build had found; build again."""


class FeedBuild:
    """The events of one feed, added a profile at a time and read back sorted.

    Counters: ``misses`` events serialized, ``hits`` events found cached (when their profile
    was built), ``profile_hits``/``profile_misses`` profiles whose events were known or built,
    ``pruned`` cached rows dropped at the end, ``events`` events in the feed.
    """

    def __init__(self, db: sqlite3.Connection, select: Select) -> None:
        self._db = db
        self._select = select
        self._pending: list[tuple[bytes, int, str | None, Compute]] = []
        self.hits = self.misses = self.profile_hits = self.profile_misses = 0
        self.pruned = self.events = 0
        # stored in key order: keys start with the event's date, so the feed, read in date
        # order, finds its events close together (at 100,000 profiles: 10 s instead of 12)
        db.execute("CREATE TABLE IF NOT EXISTS calendar_events (key BLOB PRIMARY KEY,"
                   " ical BLOB NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE IF NOT EXISTS calendar_profiles (key BLOB PRIMARY KEY,"
                   " events BLOB NOT NULL)")
        self.close()
        # every event this build used (listed = 0: left out of this feed) and every profile key;
        # ord is the profile's number << 20 | the event's number in it
        db.execute("CREATE TEMP TABLE feed (start TEXT, uid TEXT, ord INTEGER, key BLOB,"
                   " listed INTEGER)")
        db.execute("CREATE TEMP TABLE used (key BLOB)")
        (self._version,) = db.execute("PRAGMA data_version").fetchone()

    def add_profile(self, key: bytes, number: int, events: Compute) -> None:
        """The ``number``-th profile: ``key`` hashes everything its events depend on but the
        feed's filters; ``events()`` computes them on a miss, as the cache keeps them and as
        this feed has them."""
        self._pending.append((key, number, events))
        if len(self._pending) >= BATCH:
            self._flush()

    def discard(self, numbers: Collection[int]) -> None:
        """Leave out of the feed every event added so far for the profiles ``numbers`` (they
        stay cached: the next build makes and discards the same events)."""
        self._flush()
        self._db.execute("BEGIN")
        try:
            self._db.execute("CREATE TEMP TABLE gone (p INTEGER PRIMARY KEY)")
            self._db.executemany("INSERT OR IGNORE INTO temp.gone VALUES (?)",
                                 [(n,) for n in numbers])
            self._db.execute("UPDATE temp.feed SET listed = 0"
                             " WHERE ord >> 20 IN (SELECT p FROM temp.gone)")
            self._db.execute("DROP TABLE temp.gone")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def sorted_ical(self) -> Iterator[bytes]:
        """The listed events' bytes, a few hundred at a time, sorted by (start, UID, order of
        addition); prunes the cache first. Raises :class:`CacheRace` before yielding anything
        when another plaincrm pruned some of them meanwhile."""
        self._flush()
        self._prune()
        db = self._db
        db.execute("BEGIN")  # one snapshot: nothing can vanish while the feed is read
        try:
            # only another connection's write can have removed an event found earlier
            (version,) = db.execute("PRAGMA data_version").fetchone()
            missing = version != self._version and db.execute(
                "SELECT count(*) FROM temp.feed f WHERE listed AND NOT EXISTS"
                " (SELECT 1 FROM calendar_events e WHERE e.key = f.key)").fetchone()[0]
            if missing:
                raise CacheRace(f"{missing} cached events were pruned by another plaincrm")
            cursor = db.execute("SELECT e.ical FROM temp.feed f JOIN calendar_events e"
                                " ON e.key = f.key WHERE f.listed ORDER BY f.start, f.uid, f.ord")
            while batch := cursor.fetchmany(200):
                self.events += len(batch)
                yield b"".join([ical for (ical,) in batch])  # fewer, larger writes
        finally:
            db.execute("COMMIT")

    def close(self) -> None:
        self._pending = []
        self._db.execute("DROP TABLE IF EXISTS temp.feed")
        self._db.execute("DROP TABLE IF EXISTS temp.used")

    # -- internals ----------------------------------------------------------

    def _known(self, table: str, keys: list[bytes], column: str | None) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        what = f"key, {column}" if column else "key, NULL"
        for start in range(0, len(keys), LOOKUP):
            part = keys[start:start + LOOKUP]
            marks = ",".join("?" * len(part))
            found.update(self._db.execute(
                f"SELECT {what} FROM {table} WHERE key IN ({marks})", part))
        return found

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        entries = self._known("calendar_profiles", list({p[0] for p in pending}), "events")
        rows: list[tuple[str, str, int, bytes, bool]] = []
        built: dict[bytes, tuple[list[Stored], list[EventRow]]] = {}
        for key, number, events in pending:
            chosen = self._select(marshal.loads(entries[key])) if key in entries else None
            if chosen is not None:
                self.profile_hits += 1
            else:
                self.profile_misses += 1
                made = built[key] = events()
                chosen = [(k, start, uid, shown) for k, _make, start, uid, shown in made[1]]
            rows += [(start, uid, number << 20 | i, k, shown)
                     for i, (k, start, uid, shown) in enumerate(chosen)]
        new_events: dict[bytes, bytes] = {}
        if built:
            made_rows = [row for _stored, made in built.values() for row in made]
            cached = self._known("calendar_events", list({row[0] for row in made_rows}), None)
            for k, make, *_rest in made_rows:
                if k in cached or k in new_events:
                    self.hits += 1
                else:
                    new_events[k] = make()
            self.misses += len(new_events)
        db = self._db
        # a write lock on the database only when there is something to store in it
        db.execute("BEGIN IMMEDIATE" if built else "BEGIN")
        try:
            db.executemany("INSERT OR REPLACE INTO calendar_events VALUES (?, ?)",
                           new_events.items())
            db.executemany("INSERT OR REPLACE INTO calendar_profiles VALUES (?, ?)",
                           [(key, marshal.dumps(stored)) for key, (stored, _made) in built.items()])
            db.executemany("INSERT INTO temp.feed VALUES (?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT INTO temp.used VALUES (?)",
                           [(p[0],) for p in pending])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _prune(self) -> None:
        """Drop the cached rows this build did not use, when there are any."""
        db = self._db
        (profiles,) = db.execute("SELECT count(*) FROM calendar_profiles").fetchone()
        (used,) = db.execute("SELECT count(*) FROM temp.used").fetchone()
        (events,) = db.execute("SELECT count(*) FROM calendar_events").fetchone()
        (live,) = db.execute("SELECT count(*) FROM temp.feed").fetchone()
        if profiles <= used and events <= live:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            self.pruned = db.execute("DELETE FROM calendar_profiles WHERE key NOT IN"
                                     " (SELECT key FROM temp.used)").rowcount
            self.pruned += db.execute("DELETE FROM calendar_events WHERE key NOT IN"
                                      " (SELECT key FROM temp.feed)").rowcount
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
