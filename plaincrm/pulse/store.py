"""The git history's facts kept in the index database, so that ``pulse`` reads from git only
the commits it has not seen.

Beside the vault's rows, in tables of their own (``git_*``): the state of the history reader
(:class:`plaincrm.pulse.history.Reader`) after the commit ``head``. A later run whose HEAD
descends from it reads ``git log -p head..HEAD`` and adds; a history rewritten (amend, reset,
rebase), or another vault layout (``vault.include``/``exclude``), reads the whole history
again. The tables are made by this module and dropped with every other table when the index
is rebuilt, so they never answer for another repository.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable

from plaincrm.gitrepo import Repo
from plaincrm.pulse.history import FileEvent, GitFacts, Reader, StatusChange, TaskDone

TABLES = """
CREATE TABLE IF NOT EXISTS git_state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS git_paths (ident INTEGER PRIMARY KEY, path TEXT, live INTEGER);
CREATE TABLE IF NOT EXISTS git_status (seq INTEGER PRIMARY KEY, ident INTEGER, date INTEGER,
    old TEXT, new TEXT, author TEXT, created INTEGER);
CREATE TABLE IF NOT EXISTS git_done (seq INTEGER PRIMARY KEY, ident INTEGER, date INTEGER,
    author TEXT, task_date INTEGER, text TEXT);
CREATE TABLE IF NOT EXISTS git_events (seq INTEGER PRIMARY KEY, ident INTEGER, date INTEGER,
    author TEXT, what TEXT);
CREATE TABLE IF NOT EXISTS git_authors (seq INTEGER PRIMARY KEY, ident INTEGER, date INTEGER,
    kind TEXT, text TEXT, author TEXT);
"""


def layout_key(repo: Repo, include: list[str], exclude: list[str]) -> str:
    """What besides the commits the facts depend on: where the vault is, which files count."""
    used = [str(repo.top), repo.prefix, include, exclude]
    return hashlib.sha256(json.dumps(used).encode()).hexdigest()


def history_facts(db: sqlite3.Connection, repo: Repo, key: str,
                  is_profile: Callable[[str], bool]) -> GitFacts:
    """The facts of the whole history of ``repo``, reading only commits not stored yet.
    ``db`` is the index's connection (autocommit); the update is one write transaction."""
    repo.check_history()
    db.executescript(TABLES)
    head = repo.head()
    if head is None:
        return GitFacts()
    reader = Reader()
    db.execute("BEGIN")  # the state and the rows it describes, as one snapshot
    try:
        state = dict(db.execute("SELECT key, value FROM git_state").fetchall())
        since = state.get("head") if state.get("key") == key else None
        if since is not None:
            _load(db, reader)
    finally:
        db.execute("COMMIT")
    if since is not None and since != head and not repo.is_ancestor(since, head):
        since, reader = None, Reader()
    if since != head:
        counts = reader.counts()
        for change in repo.changes(since):
            reader.read(change, is_profile)
        _save(db, reader, counts if since is not None else None, (since, head), key)
    return reader.facts()


def _load(db: sqlite3.Connection, reader: Reader) -> None:
    day = dt.date.fromordinal
    for ident, path, live in db.execute("SELECT ident, path, live FROM git_paths "
                                        "ORDER BY ident"):
        reader.paths.append(path)
        if live:
            reader.ids[path] = ident
    reader.statuses = [(i, StatusChange("", day(d), o, n, a, bool(c))) for i, d, o, n, a, c in
                       db.execute("SELECT ident, date, old, new, author, created "
                                  "FROM git_status ORDER BY seq")]
    reader.done = [(i, TaskDone("", day(d), a, None if t is None else day(t), x))
                   for i, d, a, t, x in db.execute("SELECT ident, date, author, task_date, "
                                                   "text FROM git_done ORDER BY seq")]
    reader.events = [(i, FileEvent("", day(d), a, w)) for i, d, a, w in
                     db.execute("SELECT ident, date, author, what FROM git_events "
                                "ORDER BY seq")]
    reader.authors = {(i, day(d), k or None, x): a for i, d, k, x, a in
                      db.execute("SELECT ident, date, kind, text, author FROM git_authors "
                                 "ORDER BY seq")}


def _save(db: sqlite3.Connection, reader: Reader, counts: tuple[int, int, int, int] | None,
          heads: tuple[str | None, str], key: str) -> None:
    """Write what ``reader`` learnt after ``counts`` (everything when None) going from the
    stored head ``heads[0]`` to ``heads[1]``; nothing when another plaincrm stored first."""
    start = counts or (0, 0, 0, 0)
    since, head = heads
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT value FROM git_state WHERE key = 'head'").fetchone()
        if since is not None and (row is None or row[0] != since):
            db.execute("ROLLBACK")
            return
        if counts is None:
            for table in ("git_status", "git_done", "git_events", "git_authors"):
                db.execute(f"DELETE FROM {table}")
        db.execute("DELETE FROM git_paths")
        live = set(reader.ids.values())
        db.executemany("INSERT INTO git_paths VALUES (?, ?, ?)",
                       [(n, p, n in live) for n, p in enumerate(reader.paths)])
        db.executemany("INSERT INTO git_status VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(seq, i, s.date.toordinal(), s.old, s.new, s.author, s.created)
                        for seq, (i, s) in enumerate(reader.statuses) if seq >= start[0]])
        db.executemany("INSERT INTO git_done VALUES (?, ?, ?, ?, ?, ?)",
                       [(seq, i, t.date.toordinal(), t.author,
                         None if t.task_date is None else t.task_date.toordinal(), t.text)
                        for seq, (i, t) in enumerate(reader.done) if seq >= start[1]])
        db.executemany("INSERT INTO git_events VALUES (?, ?, ?, ?, ?)",
                       [(seq, i, e.date.toordinal(), e.author, e.what)
                        for seq, (i, e) in enumerate(reader.events) if seq >= start[2]])
        db.executemany("INSERT INTO git_authors VALUES (?, ?, ?, ?, ?, ?)",
                       [(seq, i, d.toordinal(), k or "", x, a)
                        for seq, ((i, d, k, x), a) in enumerate(reader.authors.items())
                        if seq >= start[3]])
        db.executemany("INSERT OR REPLACE INTO git_state VALUES (?, ?)",
                       [("head", head), ("key", key)])
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
