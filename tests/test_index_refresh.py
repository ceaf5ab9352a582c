"""The index's refresh: the parallel cold index, batched writes, the walk, the rows it keeps."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from plaincrm import index as index_module
from plaincrm import parse
from plaincrm.config import load_config
from plaincrm.index import Index

PROFILE = """\
---
name: {name}
email: {slug}@example.com
phone: "+44 7700 900{n:03d}"
birthday: 1980-0{month}-1{n_mod}
service_due: 2026-12-0{n_mod}
service_every: 1 year
owner: ben
tags: [boiler]
boiler_model: Baxi 600
---

# {name}

Notes about {name}.

## Tasks

- [ ] 2026-12-01 Send the quote @ben
- [x] 2026-10-02 Confirm the visit

## Log

- 2025-03-01 service: Annual service done.
- 2026-10-02 call: Asked about the radiator.
- 2026-11-02 call: Rang back.
"""


def _make_vault(root: Path, count: int) -> Path:
    (root / "customers").mkdir(parents=True)
    for n in range(count):
        text = PROFILE.format(name=f"Customer {n}", slug=f"c{n}", n=n, month=1 + n % 9,
                              n_mod=n % 9 + 1)
        if n % 10 == 3:  # a bad field now and then
            text = text.replace("service_every: 1 year", "service_every: yearly")
        if n % 10 == 7:  # and a body only markdown-it reads right
            text += "- 2026-11-03 visit: a line\n  continued\n"
        (root / "customers" / f"c{n:03d}.md").write_text(text, encoding="utf-8")
    return root


def _rows(db_path: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT * FROM files ORDER BY path").fetchall()
    finally:
        db.close()


def _refresh(root: Path, db_path: Path, **kwargs: int) -> Index:
    config, _ = load_config(root)
    index = Index(root, config, db_path=db_path)
    stats = index.refresh(**kwargs)
    assert stats.read == stats.files
    return index


@pytest.mark.skipif(not index_module._can_fork() or index_module._workers() < 2,
                    reason="the parallel index needs fork and two cores")
def test_parallel_cold_index_gives_the_same_rows_as_the_serial_one(tmp_path: Path) -> None:
    root = _make_vault(tmp_path / "vault", 60)
    serial = _refresh(root, tmp_path / "serial.sqlite", parallel_min=10**9)
    parallel = _refresh(root, tmp_path / "parallel.sqlite", parallel_min=1)
    serial_rows, parallel_rows = _rows(serial.db_path), _rows(parallel.db_path)
    assert len(serial_rows) == 60
    assert serial_rows == parallel_rows
    assert list(serial.profiles(full=False)) == list(parallel.profiles(full=False))
    assert serial.problems() == parallel.problems()
    assert any(p.code == "invalid-field" for p in parallel.problems())
    serial.close()
    parallel.close()


def test_a_large_refresh_writes_in_batches_and_keeps_every_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "WRITE_BATCH", 7)
    monkeypatch.setattr(index_module, "CHUNK", 5)
    monkeypatch.setattr(index_module, "READ_BATCH", 4)
    root = _make_vault(tmp_path / "vault", 23)
    index = _refresh(root, tmp_path / "i.sqlite", parallel_min=10**9)
    profiles = list(index.profiles())
    assert [p.name for p in profiles] == [f"Customer {n}" for n in range(23)]
    (root / "customers" / "c005.md").unlink()
    stats = index.refresh()
    assert (stats.files, stats.read, stats.removed) == (22, 0, 1)
    index.close()


def test_summary_rows_keep_the_newest_log_entry_of_each_kind(tmp_path: Path) -> None:
    root = _make_vault(tmp_path / "vault", 1)
    index = _refresh(root, tmp_path / "i.sqlite")
    (full,) = index.profiles(full=True)
    (summary,) = index.profiles(full=False)
    assert [(e.date.isoformat(), e.kind) for e in full.log] == [
        ("2025-03-01", "service"), ("2026-10-02", "call"), ("2026-11-02", "call")]
    assert [(e.date.isoformat(), e.kind) for e in summary.log] == [
        ("2025-03-01", "service"), ("2026-11-02", "call")]
    assert summary.log_count == 3
    assert summary.fields == full.fields and summary.tasks == full.tasks
    index.close()


def test_front_matter_is_read_with_libyaml() -> None:
    yaml, loader = parse._yaml()
    assert loader is yaml.CBaseLoader


def test_a_warm_command_does_not_import_the_parsers(vault, tmp_path: Path) -> None:
    """list on an up-to-date index reads rows only: no YAML, no Markdown, no calendar."""
    import subprocess
    import sys

    root = vault({"ann.md": "---\nname: Ann\n---\n"})
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "cache")}
    code = ("import sys; from plaincrm.cli import main\n"
            "try:\n    main(['--vault', sys.argv[1], 'list'], prog_name='plaincrm')\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('yaml', 'markdown_it', 'icalendar', 'watchdog') "
            "if m in sys.modules), file=sys.stderr)")
    subprocess.run([sys.executable, "-c", code, str(root)], env=env, check=True,
                   capture_output=True)  # the first run builds the index
    warm = subprocess.run([sys.executable, "-c", code, str(root)], env=env, check=True,
                          capture_output=True, text=True)
    assert warm.stderr.strip().splitlines()[-1] == "[]"


def test_scan_skips_hidden_and_excluded_files_and_reports_broken_links(vault, run) -> None:
    root = vault({
        "ann.md": "---\nname: Ann\n---\n",
        "sub/deeper/bob.md": "---\nname: Bob\n---\n",
        ".hidden/carl.md": "---\nname: Carl\n---\n",
        ".dot.md": "---\nname: Dot\n---\n",
        "templates/customer.md": "---\nname: '{{name}}'\n---\n",
        "README.md": "# my customers\n",
        "notes.txt": "not a profile",
    })
    (root / "linked.md").symlink_to(root / "ann.md")
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    (root / "loop").symlink_to(root / "sub")  # a symlinked folder is not followed
    result = run(root, "list", "--json")
    paths = sorted(p["path"] for p in json.loads(result.stdout)["profiles"])
    assert paths == ["ann.md", "linked.md", "sub/deeper/bob.md"]
    index = run(root, "index", "--json")
    assert json.loads(index.stdout)["files_with_problems"] == 1
