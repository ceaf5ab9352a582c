"""The index's rows are a function of the files: the same vault gives the same rows in any
process (no set order, no hash seed in them)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import VaultFactory

ANN = """\
    ---
    name: Ann Ash
    id: c-17
    email: ann@example.com
    phone: "+44 7712 772035"
    tags: [boiler, vip, north]
    merged_from: [ann-a, a-ash]
    ---
    - 2026-10-01 call: asked about a quote.
    """


def _rows(root: Path, cache: Path, seed: str) -> list[tuple[object, ...]]:
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(cache), "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-m", "plaincrm", "--vault", str(root), "index"],
                   check=True, capture_output=True, env=env, timeout=120)
    (db_path,) = cache.glob("*/index.sqlite")
    with sqlite3.connect(db_path) as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
            "('meta', 'files') ORDER BY name")]
        return [(table, *row) for table in tables
                for row in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]


def test_two_processes_with_other_hash_seeds_write_the_same_rows(
        vault: VaultFactory, tmp_path: Path) -> None:
    root = vault({"ann-ash.md": ANN, "bob.md": ANN.replace("Ann Ash", "Bob Bell")
                  .replace("c-17", "c-18").replace("ann@", "bob@")})
    first = _rows(root, tmp_path / "one", "1")
    assert any(row[0] == "profiles" for row in first)
    for seed in ("2", "3"):
        assert _rows(root, tmp_path / f"cache-{seed}", seed) == first, seed
