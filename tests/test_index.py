"""The index: a cache keyed by (mtime_ns, size) that re-reads only what changed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from plaincrm.index import SCHEMA_VERSION, default_db_path
from tests.conftest import Run, VaultFactory
from tests.livetools import run_with_terminal_stderr

PROFILE = "---\nname: {name}\nemail: {slug}@example.com\n---\n## Log\n- 2026-01-0{n} call: hi\n"


def make_vault(vault: VaultFactory, count: int = 5) -> Path:
    return vault({f"p{i}.md": PROFILE.format(name=f"Person {i}", slug=f"p{i}", n=i + 1)
                  for i in range(count)})


def index_json(run: Run, root: Path, *args: str) -> dict[str, object]:
    result = run(root, "index", "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_second_command_on_an_unchanged_vault_reads_no_file(vault: VaultFactory, run: Run) -> None:
    root = make_vault(vault)
    assert index_json(run, root)["read"] == 5
    assert run(root, "list").exit_code == 0
    assert index_json(run, root) | {"database": None} == {
        "files": 5, "read": 0, "removed": 0, "files_with_problems": 0, "database": None}


def test_only_changed_new_deleted_and_renamed_files_count(vault: VaultFactory, run: Run) -> None:
    root = make_vault(vault)
    index_json(run, root)
    (root / "p0.md").write_text(PROFILE.format(name="Changed Name", slug="p0", n=1) + "more\n")
    (root / "p1.md").unlink()
    (root / "p2.md").rename(root / "renamed.md")
    (root / "sub").mkdir()
    (root / "sub" / "new.md").write_text(PROFILE.format(name="New", slug="new", n=9))
    stats = index_json(run, root)
    assert (stats["files"], stats["read"], stats["removed"]) == (5, 3, 2)
    listed = json.loads(run(root, "list", "--json").stdout)["profiles"]
    assert [p["path"] for p in listed] == ["p0.md", "p3.md", "p4.md", "renamed.md",
                                           "sub/new.md"]
    assert listed[0]["name"] == "Changed Name"


def test_rebuild_reads_everything_again(vault: VaultFactory, run: Run) -> None:
    root = make_vault(vault)
    index_json(run, root)
    assert index_json(run, root, "--rebuild")["read"] == 5


def test_text_output_of_index(vault: VaultFactory, run: Run) -> None:
    root = make_vault(vault, 2)
    assert run(root, "index").stdout == "2 profiles: 2 read, 0 removed, 0 unchanged\n"


def test_index_lives_outside_the_vault(vault: VaultFactory, run: Run, tmp_path: Path) -> None:
    root = make_vault(vault)
    db = Path(index_json(run, root)["database"])  # type: ignore[arg-type]
    assert db == default_db_path(root)
    assert db.is_file() and root not in db.parents
    assert str(tmp_path / "home" / ".cache") in str(db)
    assert sorted(p.name for p in root.iterdir()) == [f"p{i}.md" for i in range(5)]


def test_corrupt_database_is_rebuilt_with_a_note(vault: VaultFactory, run: Run) -> None:
    root = make_vault(vault)
    db = Path(index_json(run, root)["database"])  # type: ignore[arg-type]
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    result = run(root, "index", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["read"] == 5
    assert result.stderr.count("\n") == 1 and "unreadable; rebuilding it" in result.stderr


def test_schema_mismatch_is_rebuilt_with_a_note(vault: VaultFactory, run: Run) -> None:
    root = make_vault(vault)
    db = Path(index_json(run, root)["database"])  # type: ignore[arg-type]
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'schema'")
    result = run(root, "index", "--json")
    assert json.loads(result.stdout)["read"] == 5
    assert "made by another plaincrm version; rebuilding it" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (
            SCHEMA_VERSION,)


def test_two_processes_at_once_never_corrupt_it(vault: VaultFactory, tmp_path: Path) -> None:
    root = make_vault(vault, 300)
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "plaincrm", "--vault", str(root), "index", "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    assert all(json.loads(out)["files"] == 300 for out, _ in outs)
    db = json.loads(outs[0][0])["database"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM files").fetchone() == (300,)
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert json.loads(again.stdout)["read"] == 0


def test_rebuild_shows_a_progress_bar_on_a_terminal_only(vault: VaultFactory,
                                                         tmp_path: Path) -> None:
    root = make_vault(vault, 20)
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache"), "TERM": "dumb"}
    cmd = [sys.executable, "-m", "plaincrm", "--vault", str(root), "index", "--rebuild"]
    done, seen = run_with_terminal_stderr(cmd, env, timeout=60)
    assert done.returncode == 0, done.stdout
    assert b"Reading profiles" in seen
    assert done.stdout == b"20 profiles: 20 read, 0 removed, 0 unchanged\n"
    piped = subprocess.run(cmd, env=env, capture_output=True, timeout=60, check=True)
    assert piped.stderr == b""


def test_unchanged_non_ascii_names_are_not_read_again(vault: VaultFactory, run: Run) -> None:
    names = ["z.md", "Z.md", "é.md", "e.md", "ä/a.md", "a b.md", "日本.md", "a-b.md", "a_b.md",
             "sub/zz.md", "sub-a.md", "sub0.md"]
    root = vault({n: f"---\nname: N{i}\n---\n" for i, n in enumerate(names)})
    assert index_json(run, root)["read"] == len(names)
    again = index_json(run, root)
    assert (again["files"], again["read"], again["removed"]) == (len(names), 0, 0)
    (root / "é.md").unlink()
    (root / "ö.md").write_text("---\nname: New\n---\n")
    third = index_json(run, root)
    assert (third["files"], third["read"], third["removed"]) == (len(names), 1, 1)


def test_many_first_opens_at_once_all_get_the_index(vault: VaultFactory, tmp_path: Path) -> None:
    """A new index being created and switched to WAL by another plaincrm answers "locked" at
    once, whatever the busy timeout: every opener waits for it instead of failing."""
    import threading

    from plaincrm.config import Config
    from plaincrm.index import Index

    root = make_vault(vault, 3)
    failures: list[BaseException] = []
    for round_ in range(15):
        db = tmp_path / f"round{round_}" / "index.sqlite"
        start = threading.Barrier(8)

        def open_it(db: Path = db, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                Index(root, Config(), db_path=db).close()
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert failures == []
