"""agenda --json writes its rows one at a time: what it holds is the agenda's items, not a
second copy of them as JSON objects and text. Measured with tracemalloc (Python's allocations
exactly) around one real ``agenda --json`` writing to /dev/null, after a first one has built
the index and loaded the modules."""

from __future__ import annotations

import contextlib
import json
import os
import tracemalloc
from pathlib import Path

from plaincrm.cli import main

PROFILES, TASKS = 300, 12


def _vault(root: Path) -> Path:
    """Customers with many overdue tasks each: an agenda of thousands of rows."""
    (root / "customers").mkdir(parents=True)
    (root / "plaincrm.toml").write_text("[profiles]\nrequired = []\n", encoding="utf-8")
    for n in range(PROFILES):
        tasks = "\n".join(f"- [ ] 2026-0{1 + k % 9}-{10 + n % 18} Call back about the boiler "
                          f"in the loft, visit {k} of customer {n}" for k in range(TASKS))
        (root / "customers" / f"c{n:04d}.md").write_text(
            f"---\nname: Customer {n:04d}\nphone: '+44 20 7946 {n:04d}'\n---\n{tasks}\n\n"
            f"## Log\n- 2026-01-0{1 + n % 9} call: Asked about her knee, customer {n}.\n",
            encoding="utf-8")
    return root


def _agenda(root: Path, out: Path) -> None:
    """plaincrm agenda --json, in this process, its output to ``out``."""
    with open(out, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        main.main(["--vault", str(root), "agenda", "--json", "--date", "2026-11-22"],
                  prog_name="plaincrm", standalone_mode=False)


def test_agenda_json_does_not_hold_its_rows_twice(tmp_path: Path) -> None:
    root, out = _vault(tmp_path / "shop"), tmp_path / "agenda.json"
    _agenda(root, out)  # index built, modules loaded
    tracemalloc.start()
    try:
        _agenda(root, Path(os.devnull))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rows = len(json.loads(out.read_text(encoding="utf-8"))["items"])
    assert rows == PROFILES * TASKS
    # each row as objects (its item, reminder and place) is about 700 bytes at the peak; a
    # second copy as a JSON object and then as text made it 3,700
    assert peak < rows * 1200, f"{peak:,} bytes at the peak for {rows:,} rows"
