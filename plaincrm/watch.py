"""Keeping a vault's index and outputs fresh while people edit: ``plaincrm watch`` and ``serve``.

A watchdog observer reports file events from its own thread; :class:`EventCollector` maps them
to vault-relative paths (changed or gone) and drops what is not a profile: ``.git`` and other
hidden folders, editor temp files and the watcher's own outputs. :class:`Watcher` runs in the
caller's thread (which owns the SQLite index): it waits for a quiet moment so that an editor's
burst or a 500-file checkout makes one rebuild, waits while git is mid-operation, refreshes the
index for the changed paths and calls each output (the calendar file, the server's feed cache).
A periodic full rescan catches events the OS lost.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from plaincrm.config import CONFIG_NAME
from plaincrm.gitrepo import git_busy, git_dir
from plaincrm.loader import Vault, open_vault
from plaincrm.model import Problem
from plaincrm.vault import is_profile_path

Report = Callable[[str], None]
# An output gets the refreshed vault and today's date; it returns a few words saying what it
# did ("calendar.ics rewritten") or None when it had nothing to do.
Output = Callable[[Vault, dt.date], str | None]

# vim's write test file and backups, swap files, JetBrains safe-write files, emacs locks/autosaves
EDITOR_TEMP = re.compile(r"^4913$|~$|\.sw[a-p]$|___jb_(?:tmp|old)___$|^\.#|^#.*#$")
POLL_INTERVAL = 1.0  # seconds between two polls when the OS cannot notify us

INOTIFY_ADVICE = (
    "the system's limit on file watches was reached ({reason}); watching by polling instead, "
    "which is slower. To raise the limits (as root), run\n"
    "    sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512\n"
    "and add the same two settings to /etc/sysctl.d/90-plaincrm.conf to keep them."
)


def editor_temp(name: str) -> bool:
    """Whether a file name is an editor's temporary or backup file."""
    return bool(EDITOR_TEMP.search(name))


def ignored(rel: str) -> bool:
    """Whether a vault-relative path can never matter: hidden, under ``.git``, editor temp."""
    parts = rel.split("/")
    return any(p.startswith(".") for p in parts) or editor_temp(parts[-1])


@dataclass
class Batch:
    """What happened since the last rebuild."""

    changed: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    rescan: bool = False  # a folder moved, or events may be missing: re-stat everything

    def __bool__(self) -> bool:
        return bool(self.changed or self.gone or self.rescan)

    def merge(self, other: Batch) -> None:
        self.changed |= other.changed
        self.gone |= other.gone
        self.rescan |= other.rescan


class EventCollector(FileSystemEventHandler):
    """Turns watchdog events (from the observer's thread) into a :class:`Batch`.

    created/modified/moved-to mean changed, deleted/moved-from mean gone; a folder created,
    moved or deleted asks for a full rescan. ``relevant`` says whether a vault-relative path is
    a profile (or the config); ``own`` lists files the watcher writes itself.
    """

    def __init__(self, root: Path, relevant: Callable[[str], bool],
                 own: Iterable[Path] = ()) -> None:
        super().__init__()
        self.root = os.path.abspath(root)
        self.relevant = relevant
        # outputs are written through symlinks: the file that changes is the link's target
        self.own = {os.path.realpath(p) for p in own}
        self._cond = threading.Condition()
        self._batch = Batch()
        self._first = 0.0
        self._last = 0.0
        self._stopping = False

    # -- the observer's side ------------------------------------------------

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write"):
            return
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if event.dest_path else ""
        batch = Batch()
        if event.is_directory:
            if kind in ("created", "deleted", "moved") and (
                    self._wanted_dir(src) or (dest and self._wanted_dir(dest))):
                batch.rescan = True
        else:
            src_rel = self._rel(src)
            if src_rel is not None:
                (batch.gone if kind in ("moved", "deleted") else batch.changed).add(src_rel)
            dest_rel = self._rel(dest) if dest else None
            if dest_rel is not None:
                batch.changed.add(dest_rel)
        if batch:
            self.add(batch)

    def _rel(self, path: str) -> str | None:
        """The vault-relative path of a file worth a rebuild, else None."""
        full = os.path.abspath(path)
        real = os.path.realpath(full)
        if real in self.own or any(_is_temp_of(real, own) for own in self.own):
            return None
        rel = os.path.relpath(full, self.root)
        if rel.startswith(".."):
            return None
        rel = rel.replace(os.sep, "/")
        if ignored(rel) or not self.relevant(rel):
            return None
        return rel

    def _wanted_dir(self, path: str) -> bool:
        rel = os.path.relpath(os.path.abspath(path), self.root)
        return not rel.startswith("..") and not ignored(rel.replace(os.sep, "/"))

    def add(self, batch: Batch) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._batch:
                self._first = now
            self._last = now
            self._batch.merge(batch)
            self._cond.notify_all()

    # -- the watcher's side -------------------------------------------------

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    @property
    def stopping(self) -> bool:
        return self._stopping

    def take(self) -> Batch:
        with self._cond:
            batch, self._batch = self._batch, Batch()
            return batch

    def wait(self, timeout: float, quiet: float, max_wait: float) -> Batch:
        """The next batch once events have been quiet for ``quiet`` seconds (or ``max_wait``
        after the first one); an empty batch after ``timeout`` seconds without events."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._batch:
                    due = min(self._last + quiet, self._first + max_wait)
                    if now >= due:
                        break
                    self._cond.wait(min(due - now, 0.5))
                elif now >= deadline:
                    break
                else:
                    self._cond.wait(min(deadline - now, 0.5))
            batch, self._batch = self._batch, Batch()
            return batch


def _is_temp_of(path: str, own: str) -> bool:
    """Whether ``path`` is a temporary file written next to ``own`` while replacing it."""
    folder, name = os.path.split(own)
    other_folder, other = os.path.split(path)
    return other_folder == folder and (other.startswith(name + ".") or
                                       other.startswith("." + name + "."))


# ---------------------------------------------------------------- observers


def start_observer(root: Path, handler: FileSystemEventHandler, report: Report,
                   poll: float | None = None) -> BaseObserver:
    """A started observer over ``root`` (recursive): the OS's (inotify…) unless ``poll`` gives
    a polling interval in seconds; falls back to polling when the OS watch limits are hit."""
    observer: BaseObserver | None = None
    if poll is None:
        try:
            observer = Observer()  # inotify's instance is made here (EMFILE)
            observer.schedule(handler, str(root), recursive=True)
            observer.start()  # and its watches here (ENOSPC)
            return observer
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise
            if observer is not None:
                _stop_quietly(observer)
            report(INOTIFY_ADVICE.format(reason=exc.strerror or errno.errorcode[exc.errno]))
            poll = POLL_INTERVAL
    observer = PollingObserver(timeout=poll)
    observer.schedule(handler, str(root), recursive=True)
    observer.start()
    return observer


def _stop_quietly(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join()
    except (OSError, RuntimeError):
        pass


# ---------------------------------------------------------------- the watcher


class Watcher:
    """Keeps the index of the vault at ``root`` and each output fresh until :meth:`stop`."""

    def __init__(self, root: Path, outputs: Sequence[Output], report: Report, *,
                 own: Iterable[Path] = (), today: dt.date | None = None,
                 note: Report | None = None, quiet: float = 0.3, max_wait: float = 2.0,
                 rescan_every: float = 300.0, poll: float | None = None,
                 db_path: Path | None = None, on_ready: Callable[[], None] | None = None) -> None:
        self.root = root
        self.outputs = list(outputs)
        self.report = report
        self.note = note or report
        self.today = today
        self.quiet = quiet
        self.max_wait = max_wait
        self.rescan_every = rescan_every
        self.poll = poll
        self.db_path = db_path
        self.on_ready = on_ready
        self.rebuilds = 0  # rebuilds that changed something (a test reads it)
        self._config: Any = None
        self.events = EventCollector(root, self._relevant, own)
        self._gitdir = git_dir(root)
        self._built: tuple[int, dt.date] | None = None  # (index generation, day) of the outputs
        self.ready = threading.Event()  # set once the first build is done and the observer runs

    def _relevant(self, rel: str) -> bool:
        return rel == CONFIG_NAME or (self._config is not None and
                                      is_profile_path(rel, self._config))

    def stop(self) -> None:
        """Ask :meth:`run` to return (from any thread)."""
        self.events.stop()

    def run(self) -> None:
        """Build once, then rebuild on every change until :meth:`stop` (or an exception such as
        KeyboardInterrupt from a signal handler) ends it; the observer is always stopped."""
        vault = open_vault(self.root, note=self.note, db_path=self.db_path)
        observer: BaseObserver | None = None
        try:
            self._config = vault.config
            for problem in vault.config_problems:
                self.report(str(problem))
            # Watch first, then build: a change made during the first build is not lost.
            observer = start_observer(self.root, self.events, self.report, self.poll)
            vault = self._rebuild(vault, Batch(rescan=True), first=True)
            last_full = time.monotonic()
            self.ready.set()
            if self.on_ready is not None:
                self.on_ready()
            while not self.events.stopping:
                timeout = max(0.0, last_full + self.rescan_every - time.monotonic())
                batch = self.events.wait(timeout, self.quiet, self.max_wait)
                if self.events.stopping:
                    break
                if not batch and time.monotonic() - last_full < self.rescan_every:
                    continue
                if not batch:
                    batch.rescan = True  # the periodic safety net
                if not self._wait_for_git(batch):
                    break
                vault = self._rebuild(vault, batch)
                if batch.rescan:
                    last_full = time.monotonic()
        finally:
            if observer is not None:
                _stop_quietly(observer)
            vault.close()

    def _wait_for_git(self, batch: Batch) -> bool:
        """Wait while git is mid-operation, gathering events; False if stopped meanwhile."""
        busy = git_busy(self._gitdir)
        if busy is None:
            return True
        self.report(f"{_now()} waiting: git is busy ({busy})")
        while busy is not None:
            batch.merge(self.events.wait(0.2, 0.0, 0.0))
            if self.events.stopping:
                return False
            busy = git_busy(self._gitdir)
        batch.merge(self.events.take())
        batch.rescan = True  # what git did is best read from the files themselves
        return True

    def _rebuild(self, vault: Vault, batch: Batch, first: bool = False) -> Vault:
        started = time.perf_counter()
        if CONFIG_NAME in batch.changed | batch.gone:
            vault.close()
            vault = open_vault(self.root, note=self.note, db_path=self.db_path)
            self._config = vault.config
            for problem in vault.config_problems:
                self.report(str(problem))
            vault.index.clear()  # include/exclude may have changed: read everything again
            batch.rescan = True
        only = None if batch.rescan else batch.changed | batch.gone
        stats = vault.index.refresh(only=only)
        vault.stats = stats
        today = self.today or dt.date.today()
        # Decided by what the index says changed since the outputs were built, not by what
        # this refresh read: another plaincrm may have indexed the change first.
        state = (vault.index.generation(), today)
        if not first and state == self._built:
            return vault  # nothing changed that an output could show
        self._built = state
        problems = vault.problems()
        did = [self._run_output(output, vault, today) for output in self.outputs]
        self.rebuilds += 1
        elapsed = (time.perf_counter() - started) * 1000
        self.report(_summary(self.root, batch, stats.files, problems, [d for d in did if d],
                             elapsed, first))
        touched = batch.changed if not first else set()
        for problem in problems:
            if problem.location.path in touched:
                self.report(f"  {problem}")
        return vault

    def _run_output(self, output: Output, vault: Vault, today: dt.date) -> str | None:
        try:
            return output(vault, today)
        except Exception as exc:  # an output's bug must not stop a long-running watcher
            name = getattr(output, "name", getattr(output, "__name__", "output"))
            return f"{name} failed ({type(exc).__name__}: {exc})"


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _summary(root: Path, batch: Batch, files: int, problems: list[Problem], did: list[str],
             elapsed_ms: float, first: bool) -> str:
    if first:
        what = "started"
    elif batch.changed or batch.gone:
        # an editor's save is often "gone, then changed": say what is true now
        names = sorted(batch.changed | batch.gone)
        gone = sum(1 for name in names if not (root / name).exists())
        shown = ", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else "")
        what = f"{len(names) - gone} changed, {gone} gone ({shown})"
    else:
        what = "rescanned"
    bad = len({p.location.path for p in problems})
    checks = " (run plaincrm check for all)" if bad else ""
    parts = [f"{_now()} {what}", f"{files} profiles, {bad} with reading problems{checks}", *did,
             f"{elapsed_ms:.0f} ms"]
    return " · ".join(parts)


# ---------------------------------------------------------------- outputs


def calendar_output(path: Path, owner: str | None = None) -> Output:
    """An output that rewrites the calendar file at ``path`` when its content changed."""

    def calendar(vault: Vault, today: dt.date) -> str | None:
        from plaincrm import ical

        wrote, _stats = ical.save_feed(path, vault, owner=owner, today=today)
        return f"{path.name} rewritten" if wrote else None

    calendar.name = path.name  # type: ignore[attr-defined]
    return calendar
