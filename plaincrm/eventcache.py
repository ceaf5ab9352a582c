"""The calendar's event cache: each VEVENT serialized once, kept in the index database.

icalendar takes about 1.5 ms to build and serialize one event, and a large vault has tens of
thousands of them, nearly all the same from one run to the next. So each event's bytes are kept
in the ``events`` table of the index database under a hash of the event's *inputs* (its UID,
stamp, dates, rule, texts and alarm: everything :meth:`plaincrm.ical.EventSpec.to_ical` reads).
The inputs are computed afresh on every run from the profiles, the config and the day, so a
cached event can never be stale: a change gives a new key, which misses and is serialized.

One :class:`FeedBuild` collects the events of one feed in temporary tables (on disk, not in
memory, whatever the vault's size) and reads them back sorted by (start, UID). At the end it
prunes the cached events that no feed of that day could use (the ``live`` keys include the
events that ``--owner`` or ``--months`` left out, so a filtered feed does not evict the full
feed's events), so the table stays the size of one feed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

BATCH = 1000  # events looked up, serialized and stored at a time
LOOKUP = 500  # keys per SELECT ... IN (...)

Order = tuple[int, int]  # (profile number, event number): ties of (start, UID) keep this order


@dataclass
class _Pending:
    key: bytes
    make: Callable[[], bytes]
    start: str
    uid: str
    order: Order
    tag: str | None
    listed: bool


class FeedBuild:
    """The events of one feed, added in any order and read back sorted.

    ``hits`` and ``misses`` count the events found in the cache and the ones serialized
    (``make()`` called); ``pruned`` the cached events dropped at the end.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._pending: list[_Pending] = []
        self.hits = 0
        self.misses = 0
        self.pruned = 0
        self.events = 0
        db.execute("CREATE TABLE IF NOT EXISTS events (key BLOB PRIMARY KEY, ical BLOB NOT NULL)")
        db.execute("DROP TABLE IF EXISTS temp.feed")
        # every event this build used; ``ical`` is NULL for those left out of the feed
        db.execute("CREATE TEMP TABLE feed (start TEXT, uid TEXT, p INTEGER, e INTEGER, tag TEXT,"
                   " key BLOB, ical BLOB)")

    def add(self, key: bytes, make: Callable[[], bytes], *, start: str, uid: str, order: Order,
            tag: str | None = None, listed: bool = True) -> None:
        """One event: ``key`` hashes its inputs, ``make()`` serializes it on a miss. ``listed``
        events are in the feed; the others only keep their cached bytes from being pruned.
        ``tag`` marks events that :meth:`discard` may take back."""
        self._pending.append(_Pending(key, make, start, uid, order, tag, listed))
        if len(self._pending) >= BATCH:
            self._flush()

    def discard(self, tags: Collection[str]) -> None:
        """Take back every event added with one of ``tags``."""
        self._flush()
        db = self._db
        db.execute("BEGIN")
        try:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (tag TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO temp.gone VALUES (?)", [(t,) for t in tags])
            # their cached bytes stay: the next build makes and discards the same events
            db.execute("UPDATE temp.feed SET ical = NULL WHERE tag IN (SELECT tag FROM temp.gone)")
            db.execute("DROP TABLE temp.gone")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def sorted_ical(self) -> Iterator[bytes]:
        """Every listed event's bytes, sorted by (start, UID, order); prunes the cache first."""
        self._flush()
        self._prune()
        cursor = self._db.execute("SELECT ical FROM temp.feed WHERE ical IS NOT NULL"
                                  " ORDER BY start, uid, p, e")
        while batch := cursor.fetchmany(BATCH):
            self.events += len(batch)
            for (ical,) in batch:
                yield ical

    def close(self) -> None:
        self._pending = []
        self._db.execute("DROP TABLE IF EXISTS temp.feed")

    # -- internals ----------------------------------------------------------

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        db = self._db
        cached: dict[bytes, bytes] = {}
        keys = list({p.key for p in pending})
        for start in range(0, len(keys), LOOKUP):
            part = keys[start:start + LOOKUP]
            marks = ",".join("?" * len(part))
            cached.update(db.execute(f"SELECT key, ical FROM events WHERE key IN ({marks})",
                                     part))
        self.hits += sum(1 for p in pending if p.key in cached)
        new: dict[bytes, bytes] = {}
        for p in pending:
            if p.key not in cached and p.key not in new:
                new[p.key] = p.make()
        self.misses += len(new)
        cached.update(new)
        feed = [(p.start, p.uid, p.order[0], p.order[1], p.tag, p.key,
                 cached[p.key] if p.listed else None) for p in pending]
        # a write lock on the database only when there is something to store in it
        db.execute("BEGIN IMMEDIATE" if new else "BEGIN")
        try:
            db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?)", new.items())
            db.executemany("INSERT INTO temp.feed VALUES (?, ?, ?, ?, ?, ?, ?)", feed)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _prune(self) -> None:
        """Drop the cached events this build did not use, when there are any: the cache has more
        rows than this build used keys (``hits + misses``, which counts a key used twice twice:
        then a few unused rows may stay until the next build with fewer)."""
        db = self._db
        (stored,) = db.execute("SELECT count(*) FROM events").fetchone()
        if stored <= self.hits + self.misses:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            cursor = db.execute("DELETE FROM events WHERE key NOT IN (SELECT key FROM temp.feed)")
            self.pruned = cursor.rowcount
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
