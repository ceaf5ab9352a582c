"""Defects of the index found in review, each reproduced through the real CLI and watcher:
stale outputs in ``watch``/``serve``, results kept beside a deleted index, an edit that keeps
size and mtime, damage the open check misses, and the watcher's problem count."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from plaincrm.index import default_db_path
from plaincrm.serve import FeedCache
from plaincrm.watch import calendar_output
from tests.conftest import Run, VaultFactory
from tests.livetools import profile, wait_for
from tests.test_watch import TODAY, atomic_save, git, watching


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``plaincrm`` in another process, on the same index (same HOME and XDG)."""
    return subprocess.run([sys.executable, "-m", "plaincrm", "--vault", str(root), *args],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ))


# ---------------------------------------------------------------- a. watch and serve


def test_watch_and_serve_see_a_change_another_plaincrm_indexed_first(vault: Any) -> None:
    """Another command refreshes the shared index before the watcher does: the watcher's own
    refresh then reads nothing, yet its outputs must follow what the index says changed."""
    root = vault({"ann.md": profile("Ann", birthday="1980-03-10")})
    git(root, "init", "-q")
    feed = root / "calendar.ics"
    served = FeedCache()
    lock = root / ".git" / "index.lock"
    with watching(root, [calendar_output(feed), served], own=[feed]) as live:
        assert b"Ann" in feed.read_bytes()
        lock.write_text("")  # holds the watcher back while the other command runs
        atomic_save(root / "ann.md", profile("Annabel", birthday="1980-03-10"))
        wait_for(lambda: any("git is busy" in x for x in live.lines), what="the wait")
        other = cli(root, "index", "--json")
        assert json.loads(other.stdout)["read"] == 1, other.stderr
        lock.unlink()
        wait_for(lambda: live.now.get("ann.md") == "Annabel", what="the watcher's rebuild")
        wait_for(lambda: b"Annabel" in feed.read_bytes(), what="the calendar file")
        wait_for(lambda: b"Annabel" in (served.feed(None) or b""), what="the served feed")


def test_the_periodic_rescan_repairs_outputs_another_plaincrm_made_stale(vault: Any) -> None:
    root = vault({"ann.md": profile("Ann", birthday="1980-03-10")})
    git(root, "init", "-q")
    feed = root / "calendar.ics"
    lock = root / ".git" / "index.lock"
    # a polling observer that never polls: only the rescan can notice anything
    with watching(root, [calendar_output(feed)], own=[feed], poll=3600,
                  rescan_every=0.5) as live:
        lock.write_text("")  # the next rescan waits for git while the other command runs
        wait_for(lambda: any("git is busy" in x for x in live.lines), what="the wait")
        atomic_save(root / "ann.md", profile("Annabel", birthday="1980-03-10"))
        assert json.loads(cli(root, "index", "--json").stdout)["read"] == 1
        lock.unlink()
        wait_for(lambda: b"Annabel" in feed.read_bytes(), what="the rescan's calendar")


# ---------------------------------------------------------------- b. results beside the index


def test_calendar_after_the_index_is_deleted_is_the_new_vaults(vault: VaultFactory,
                                                                run: Run) -> None:
    root = vault({"ann.md": "---\nname: Ann\nbirthday: 1980-03-10\n---\n"})
    first = run(root, "calendar", "--date", "2026-03-02").stdout
    assert "Ann" in first
    db = default_db_path(root)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    (root / "ann.md").write_text("---\nname: Zoe\nbirthday: 1980-03-10\n---\n")
    again = run(root, "calendar", "--date", "2026-03-02").stdout
    assert "Zoe" in again and "Ann" not in again
    agenda = run(root, "agenda", "--date", "2026-03-10").stdout
    assert "Zoe" in agenda


def test_every_cache_lives_in_the_database(vault: VaultFactory, run: Run) -> None:
    root = vault({"ann.md": "---\nname: Ann\nbirthday: 1980-03-10\n---\n"})
    for args in (("agenda",), ("calendar",), ("list",), ("show", "ann"), ("check",)):
        run(root, *args, "--date", "2026-03-02") if args[0] != "list" else run(root, *args)
    folder = default_db_path(root).parent
    assert {p.name for p in folder.iterdir()} <= {"index.sqlite", "index.sqlite-wal",
                                                  "index.sqlite-shm"}


# ---------------------------------------------------------------- c. same size, same mtime


def test_a_same_size_edit_with_the_old_mtime_is_seen(vault: VaultFactory, run: Run) -> None:
    root = vault({"ann.md": "---\nname: Ann\n---\n", "bob.md": "---\nname: Bob\n---\n"})
    assert [p["name"] for p in json.loads(run(root, "list", "--json").stdout)["profiles"]] \
        == ["Ann", "Bob"]
    path = root / "ann.md"
    before = path.stat()
    path.write_text("---\nname: Amy\n---\n")  # in place: same inode, same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    names = [p["name"] for p in json.loads(run(root, "list", "--json").stdout)["profiles"]]
    assert names == ["Amy", "Bob"]


# ---------------------------------------------------------------- d. damage


def _indexed(vault: VaultFactory, run: Run, count: int = 60) -> tuple[Path, Path]:
    body = "Notes. " * 150
    root = vault({f"p{n:02d}.md": f"---\nname: Person {n:02d}\nphone: '+44 20 7946 {n:04d}'\n"
                  f"---\n{body}\n## Log\n- 2026-01-0{n % 9 + 1} call: hello {n}\n"
                  for n in range(count)})
    assert run(root, "index").exit_code == 0
    return root, default_db_path(root)


def _names(run: Run, root: Path) -> tuple[Any, list[str]]:
    result = run(root, "list", "--json")
    if result.exit_code != 0:
        return result, []
    return result, [p["name"] for p in json.loads(result.stdout)["profiles"]]


def _rebuilt_or_exit_9(run: Run, root: Path, count: int = 60) -> None:
    """The first run rebuilds with one note (or exits 9 with a reason); the next one works."""
    result, names = _names(run, root)
    if result.exit_code == 9:
        assert result.stderr.startswith("plaincrm: ") and "index" in result.stderr
    else:
        assert result.exit_code == 0 and len(names) == count, result.stderr
        assert "rebuilding it" in result.stderr and result.stderr.count("\n") == 1
    result, names = _names(run, root)
    assert result.exit_code == 0 and len(names) == count
    assert result.stderr == ""


def test_a_damaged_page_the_open_check_misses_is_rebuilt(vault: VaultFactory, run: Run) -> None:
    root, db = _indexed(vault, run)
    with sqlite3.connect(db) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    for number in range(pages // 2, pages - 1):  # leaf pages of the big rows, not the root
        start = number * page
        data[start:start + page] = b"\xee" * page
    db.write_bytes(bytes(data))
    _rebuilt_or_exit_9(run, root)


def test_a_bad_row_is_rebuilt(vault: VaultFactory, run: Run) -> None:
    root, db = _indexed(vault, run)
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for _cid, column, kind, *_rest in conn.execute(f"PRAGMA table_info({table})"):
                if kind.upper() == "BLOB":
                    conn.execute(f"UPDATE {table} SET {column} = x'ff00ff'"
                                 f" WHERE {column} IS NOT NULL")
    _rebuilt_or_exit_9(run, root)


def test_the_index_path_being_a_folder_exits_9_with_the_reason(vault: VaultFactory,
                                                                run: Run) -> None:
    root = vault({"ann.md": "---\nname: Ann\n---\n"})
    db = default_db_path(root)
    db.mkdir(parents=True)
    (db / "keep.txt").write_text("the user's")
    result = run(root, "list")
    assert result.exit_code == 9
    assert "is a folder" in result.stderr and str(db) in result.stderr
    assert (db / "keep.txt").read_text() == "the user's"  # never deleted


def _immutable(path: Path) -> bool:
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_read_only_index_is_rebuilt_or_exits_9(vault: VaultFactory, run: Run) -> None:
    root, db = _indexed(vault, run, 5)
    (root / "p01.md").write_text("---\nname: Changed\n---\n")
    os.chmod(db, 0o444)
    if os.geteuid() == 0 and not _immutable(db):
        pytest.skip("root writes to read-only files, and chattr is not available here")
    try:
        result = run(root, "list", "--json")
        if result.exit_code == 9:
            assert "read-only" in result.stderr or "readonly" in result.stderr
        else:
            assert result.exit_code == 0, result.stderr
            assert "Changed" in result.stdout and "rebuilding it" in result.stderr
    finally:
        subprocess.run(["chattr", "-i", str(db)], capture_output=True)
        os.chmod(db, 0o644)


# ---------------------------------------------------------------- e. the watcher's count


def test_watch_says_which_problems_it_counts(vault: Any, run: Run) -> None:
    root = vault({"ann.md": "---\nname: Ann\nemail: not-an-email\n---\n",
                  "bad.md": "---\nname: [unclosed\n---\n"})
    checked = run(root, "check", "--json", "--date", TODAY.isoformat())
    errors = {p["path"] for p in json.loads(checked.stdout)["problems"]
              if p["severity"] == "error"}
    assert errors == {"ann.md", "bad.md"}
    with watching(root) as live:
        wait_for(lambda: live.lines, what="the first line")
    line = live.lines[0]
    # the count is the loader's (one file it cannot read), and says so
    assert "1 with reading problems" in line, line
    assert "plaincrm check" in line, line
