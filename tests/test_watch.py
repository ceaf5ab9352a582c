"""plaincrm watch: real watchdog observers over a temp vault, waited on with a timeout loop."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from watchdog.events import (
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
)

from plaincrm.loader import Vault
from plaincrm.watch import Batch, EventCollector, Output, Watcher, git_busy, git_dir, ignored
from tests.livetools import Process, profile, wait_for

TODAY = dt.date(2026, 3, 2)


@dataclass
class Live:
    """A running watcher and what its outputs saw."""

    watcher: Watcher
    lines: list[str]
    seen: list[dict[str, str]] = field(default_factory=list)  # path -> name, per rebuild

    @property
    def now(self) -> dict[str, str]:
        return self.seen[-1] if self.seen else {}

    def has(self, expected: dict[str, str]) -> bool:
        return self.now == expected


@contextmanager
def watching(root: Path, outputs: list[Output] | None = None, **options: Any) -> Iterator[Live]:
    lines: list[str] = []
    live = Live(watcher=None, lines=lines)  # type: ignore[arg-type]

    def snapshot(vault: Vault, today: dt.date) -> str | None:
        live.seen.append({p.path: p.display_name for p in vault.profiles(full=False)})
        return None

    watcher = Watcher(root, [snapshot, *(outputs or [])], lines.append, today=TODAY, **options)
    live.watcher = watcher
    errors: list[BaseException] = []

    def run() -> None:
        try:
            watcher.run()
        except BaseException as exc:  # surfaced by the test below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: watcher.ready.is_set() or errors, what="the first build")
        assert not errors, errors
        yield live
    finally:
        watcher.stop()
        thread.join(10)
        assert not thread.is_alive(), "the watcher did not stop"
        assert not errors, errors


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def atomic_save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------- classifying events


def test_ignored_paths() -> None:
    for rel in (".git/index", ".obsidian/x.md", "a/.hidden/b.md", "4913", "a/4913", "jane.md~",
                ".jane.md.swp", "jane.md___jb_tmp___", "jane.md___jb_old___", ".#jane.md",
                "#jane.md#"):
        assert ignored(rel), rel
    for rel in ("jane.md", "clients/4913.md", "plaincrm.toml", "a~b.md"):
        assert not ignored(rel), rel


def test_collector_maps_events_to_changed_and_gone(tmp_path: Path) -> None:
    own = tmp_path / "calendar.md"
    collector = EventCollector(tmp_path, lambda rel: rel.endswith(".md"), own=[own])
    p = str(tmp_path)
    for event in (FileCreatedEvent(f"{p}/a.md"), FileModifiedEvent(f"{p}/b.md"),
                  FileMovedEvent(f"{p}/.a.md.tmp", f"{p}/c.md"),   # an atomic save
                  FileMovedEvent(f"{p}/d.md", f"{p}/d.md~"),        # vim's backup
                  FileDeletedEvent(f"{p}/e.md"), FileCreatedEvent(f"{p}/4913"),
                  FileModifiedEvent(f"{p}/notes.txt"), FileModifiedEvent(f"{p}/.git/x.md"),
                  FileModifiedEvent(str(own)), FileCreatedEvent(f"{p}/.calendar.md.x1.tmp"),
                  FileModifiedEvent("/elsewhere/f.md")):
        collector.dispatch(event)
    batch = collector.take()
    assert batch == Batch(changed={"a.md", "b.md", "c.md"}, gone={"d.md", "e.md"})
    collector.dispatch(DirMovedEvent(f"{p}/old", f"{p}/new"))
    assert collector.take().rescan
    collector.dispatch(DirMovedEvent(f"{p}/.git/refs", f"{p}/.git/refs2"))
    assert not collector.take()


# ---------------------------------------------------------------- a live vault


def test_atomic_save_delete_and_rename(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann"), "bob.md": profile("Bob")})
    with watching(root) as live:
        assert live.has({"ann.md": "Ann", "bob.md": "Bob"})
        atomic_save(root / "ann.md", profile("Ann Two"))
        wait_for(lambda: live.has({"ann.md": "Ann Two", "bob.md": "Bob"}), what="the save")
        (root / "bob.md").unlink()
        wait_for(lambda: live.has({"ann.md": "Ann Two"}), what="the delete")
        os.rename(root / "ann.md", root / "anna.md")
        wait_for(lambda: live.has({"anna.md": "Ann Two"}), what="the rename")
        write(root / "new" / "cy.md", profile("Cy"))
        wait_for(lambda: live.has({"anna.md": "Ann Two", "new/cy.md": "Cy"}),
                 what="a file in a new folder")
        os.rename(root / "new", root / "renamed")
        wait_for(lambda: live.has({"anna.md": "Ann Two", "renamed/cy.md": "Cy"}),
                 what="a renamed folder")
    assert any("1 changed, 0 gone (ann.md)" in line for line in live.lines), live.lines
    assert any("0 changed, 1 gone (bob.md)" in line for line in live.lines), live.lines


def test_editor_burst_makes_few_rebuilds(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann")})
    target = root / "ann.md"
    with watching(root) as live:
        before = live.watcher.rebuilds
        for i in range(30):
            # vim: probe the folder with 4913, keep a backup as file~, write the file anew
            (root / "4913").write_text("")
            (root / "4913").unlink()
            os.rename(target, root / "ann.md~")
            write(target, profile(f"Ann {i}"))
            (root / "ann.md~").unlink()
            write(root / ".ann.md.swp", f"swap {i}")
            # JetBrains: safe write through ___jb_tmp___ and ___jb_old___
            write(root / "ann.md___jb_tmp___", profile(f"Ann jb {i}"))
            os.rename(target, root / "ann.md___jb_old___")
            os.rename(root / "ann.md___jb_tmp___", target)
            (root / "ann.md___jb_old___").unlink()
        (root / ".ann.md.swp").unlink()
        wait_for(lambda: live.has({"ann.md": "Ann jb 29"}), what="the last save")
        assert live.watcher.rebuilds - before <= 3, live.lines
        assert all("4913" not in line and "~" not in line and "___jb_" not in line
                   for line in live.lines), live.lines


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_git_checkout_of_200_files(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann"), "bob.md": profile("Bob")})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "two")
    git(root, "checkout", "-qb", "more")
    for i in range(200):
        write(root / "many" / f"p{i:03}.md", profile(f"Person {i:03}"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "200 more")
    git(root, "checkout", "-q", "main")
    with watching(root) as live:
        assert len(live.now) == 2
        before = live.watcher.rebuilds
        git(root, "checkout", "-q", "more")
        wait_for(lambda: len(live.now) == 202, what="the checkout of 200 files")
        assert live.now["many/p199.md"] == "Person 199"
        assert live.watcher.rebuilds - before <= 3, live.lines
        before = live.watcher.rebuilds
        git(root, "checkout", "-q", "main")
        wait_for(lambda: live.has({"ann.md": "Ann", "bob.md": "Bob"}), what="checkout back")
        assert live.watcher.rebuilds - before <= 3, live.lines


def test_waits_while_git_is_busy(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann")})
    git(root, "init", "-q")
    assert git_dir(root) == root / ".git"
    lock = root / ".git" / "index.lock"
    with watching(root) as live:
        lock.write_text("")
        assert git_busy(root / ".git") == "index.lock"
        atomic_save(root / "ann.md", profile("Ann Merged"))
        wait_for(lambda: any("git is busy (index.lock)" in x for x in live.lines),
                 what="the wait")
        assert live.has({"ann.md": "Ann"})  # nothing is read while git works
        lock.unlink()
        wait_for(lambda: live.has({"ann.md": "Ann Merged"}), what="the rescan after git")


def test_git_dir_of_a_worktree(tmp_path: Path) -> None:
    (tmp_path / "wt").mkdir()
    (tmp_path / "real").mkdir()
    (tmp_path / "wt" / ".git").write_text(f"gitdir: {tmp_path / 'real'}\n")
    (tmp_path / "wt" / "sub").mkdir()
    assert git_dir(tmp_path / "wt" / "sub") == (tmp_path / "real").resolve()
    (tmp_path / "real" / "MERGE_HEAD").write_text("x")
    assert git_busy(git_dir(tmp_path / "wt")) == "MERGE_HEAD"


def two_edits_three_rebuilds(root: Path, writer: Any, feed: Path, written: str) -> None:
    """Two edits under a real watcher whose output ``feed`` is written inside the vault (the
    file that changes: ``written``): three rebuilds (the start and one per edit), never one
    for the watcher's own output."""
    with watching(root, [writer], own=[feed]) as live:
        atomic_save(root / "ann.md", profile("Ann 2"))
        wait_for(lambda: live.now.get("ann.md") == "Ann 2", what="the first change")
        atomic_save(root / "bob.md", profile("Bob"))
        wait_for(lambda: live.now.get("bob.md") == "Bob", what="the second change")
        wait_for(lambda: live.watcher.rebuilds >= 3, what="the count")
        assert live.watcher.rebuilds == 3, live.lines
        assert written not in live.now


def test_own_output_inside_the_vault_does_not_retrigger(vault: Any) -> None:
    # Every file is a profile here, so only the "own outputs" rule keeps the feed from
    # triggering the rebuild that rewrites it, forever.
    root = vault({"ann.md": profile("Ann")},
                 config='[vault]\ninclude = ["**/*"]\nexclude = ["plaincrm.toml"]\n')
    feed = root / "feed.ics"
    count = [0]

    def writer(vault: Vault, today: dt.date) -> str:
        count[0] += 1
        atomic_save(feed, f"rebuild {count[0]}\n")
        return "feed.ics rewritten"

    two_edits_three_rebuilds(root, writer, feed, "feed.ics")


def test_own_output_written_through_a_symlink_does_not_retrigger(vault: Any) -> None:
    """Outputs are written through symlinks: the file that changes is the link's target,
    which is the watcher's own output all the same."""
    from plaincrm.files import atomic_write

    root = vault({"ann.md": profile("Ann")},
                 config='[vault]\ninclude = ["**/*"]\nexclude = ["plaincrm.toml", "feed.ics"]\n')
    (root / "out").mkdir()
    feed = root / "feed.ics"
    feed.symlink_to(Path("out") / "real.ics")  # dangling until the first build writes it
    count = [0]

    def writer(vault: Vault, today: dt.date) -> str:
        count[0] += 1
        atomic_write(feed, f"rebuild {count[0]}\n".encode())
        return "feed.ics rewritten"

    two_edits_three_rebuilds(root, writer, feed, "out/real.ics")
    assert feed.is_symlink() and (root / "out" / "real.ics").read_text() == "rebuild 3\n"


def test_periodic_rescan_catches_lost_events(vault: Any) -> None:
    # A polling observer that polls once an hour sees nothing: only the rescan can.
    root = vault({"ann.md": profile("Ann")})
    with watching(root, poll=3600, rescan_every=0.3) as live:
        write(root / "bob.md", profile("Bob"))
        wait_for(lambda: live.has({"ann.md": "Ann", "bob.md": "Bob"}), what="the rescan")
    assert any("rescanned" in line for line in live.lines), live.lines


def test_a_broken_profile_is_reported_and_the_rest_works(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann")})
    with watching(root) as live:
        write(root / "bad.md", "---\nname: [unclosed\n---\n")
        write(root / "cy.md", profile("Cy"))
        wait_for(lambda: live.now.get("cy.md") == "Cy", what="the good file")
        wait_for(lambda: any(x.startswith("  bad.md:") for x in live.lines),
                 what="the problem line")
        assert any("1 with reading problems" in line for line in live.lines), live.lines


def test_config_change_reloads_include_and_exclude(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann"), "drafts/bob.md": profile("Bob")})
    with watching(root) as live:
        assert set(live.now) == {"ann.md", "drafts/bob.md"}
        atomic_save(root / "plaincrm.toml", '[vault]\nexclude = ["drafts/**"]\n')
        wait_for(lambda: live.has({"ann.md": "Ann"}), what="the new exclude")


def test_failing_output_is_reported_and_watching_goes_on(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann")})

    def broken(vault: Vault, today: dt.date) -> str:
        raise RuntimeError("disk on fire")

    with watching(root, [broken]) as live:
        atomic_save(root / "ann.md", profile("Ann 2"))
        wait_for(lambda: live.now.get("ann.md") == "Ann 2", what="the change")
    assert any("broken failed (RuntimeError: disk on fire)" in x for x in live.lines)


INOTIFY_EXHAUSTED = textwrap.dedent("""
    import os, resource, sys, threading
    from pathlib import Path
    from watchdog.events import FileSystemEventHandler
    from plaincrm.watch import start_observer

    root = Path(sys.argv[1])
    seen = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.src_path.endswith("new.md"):
                seen.set()

    fillers = []
    def report(text):
        print(text, flush=True)
        for fd in fillers:  # the limit was hit for real: now let polling have descriptors
            os.close(fd)
        fillers.clear()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 256), hard))
    try:
        while True:
            fillers.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    observer = start_observer(root, Handler(), report)
    print(type(observer).__name__, flush=True)
    (root / "new.md").write_text("x")
    print("seen" if seen.wait(20) else "missed", flush=True)
    observer.stop()
    observer.join()
""")


def test_watch_limit_falls_back_to_polling(tmp_path: Path) -> None:
    # No descriptor left: inotify_init fails with EMFILE for real, as when the limit is hit.
    out = subprocess.run([sys.executable, "-c", INOTIFY_EXHAUSTED, str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "max_user_watches" in out.stdout and "max_user_instances" in out.stdout
    assert out.stdout.strip().splitlines()[-2:] == ["PollingObserver", "seen"], out.stdout


# ---------------------------------------------------------------- the command


def test_watch_command_stops_cleanly_on_sigterm(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann")})
    proc = Process("--vault", str(root), "watch", "--date", "2026-03-02")
    try:
        proc.wait_line(lambda x: "started" in x)
        atomic_save(root / "ann.md", profile("Ann 2"))
        proc.wait_line(lambda x: "1 changed, 0 gone (ann.md)" in x)
        assert proc.terminate() == 0
        proc.wait_line(lambda x: x == "stopped", stream="err")
        assert not any("Traceback" in x for x in proc.err), proc.err
    finally:
        proc.kill()


# ---------------------------------------------------------------- with the calendar feed


def test_watch_rewrites_the_calendar_only_when_it_changes(vault: Any) -> None:
    ical = pytest.importorskip("plaincrm.ical")
    from plaincrm.watch import calendar_output

    root = vault({"ann.md": profile("Ann", birthday="1980-03-10"),
                  "bob.md": profile("Bob", birthday="1975-03-12")})
    feed = root / "calendar.ics"
    with watching(root, [calendar_output(feed)], own=[feed]) as live:
        first = feed.read_bytes()
        assert b"Ann" in first and b"Bob" in first
        atomic_save(root / "ann.md", profile("Annabel", birthday="1980-03-10"))
        wait_for(lambda: b"Annabel" in feed.read_bytes(), what="the rewritten calendar")
        stamp = feed.stat().st_mtime_ns, feed.stat().st_ino
        before = live.watcher.rebuilds
        # same content, new mtime: the index re-reads it, the calendar stays as it is
        st = (root / "bob.md").stat()
        os.utime(root / "bob.md", ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000_000))
        wait_for(lambda: live.watcher.rebuilds > before, what="the rebuild")
        assert (feed.stat().st_mtime_ns, feed.stat().st_ino) == stamp
        with opened_vault(root) as opened:
            assert feed.read_bytes() == ical.build_feed(opened, today=TODAY)


@contextmanager
def opened_vault(root: Path) -> Iterator[Vault]:
    from plaincrm.loader import open_vault

    opened = open_vault(root)
    try:
        opened.refresh()
        yield opened
    finally:
        opened.close()
