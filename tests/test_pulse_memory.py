"""pulse reads the vault once, a profile at a time: what it holds is the figures' sums (and a
little for each profile, for retention), not the log. Measured with tracemalloc, which counts
Python's allocations exactly (SQLite's own memory is not in it), around one real ``pulse``
after a first one has built the index and loaded the modules."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from pathlib import Path

from .conftest import Run

PROFILES, ENTRIES = 400, 60


def _vault(root: Path) -> Path:
    """Customers with a long log, none of it recent (nothing in the pulse's period)."""
    (root / "customers").mkdir(parents=True)
    (root / "plaincrm.toml").write_text("[profiles]\nrequired = []\n", encoding="utf-8")
    first = dt.date(2015, 1, 1)
    for n in range(PROFILES):
        log = "\n".join(f"- {first + dt.timedelta(days=7 * k + n % 7)} call: Talked about the "
                        f"boiler in the loft, visit {k} of customer {n}." for k in range(ENTRIES))
        (root / "customers" / f"c{n:04d}.md").write_text(
            f"---\nname: Customer {n:04d}\nstatus: {'active' if n % 4 else 'lost'}\n"
            f"owner: {'ben' if n % 2 else 'sam'}\ncustomer_since: 2015-01-0{1 + n % 7}\n---\n"
            f"## Log\n{log}\n", encoding="utf-8")
    return root


def test_pulse_does_not_hold_the_log(tmp_path: Path, run: Run) -> None:
    root = _vault(tmp_path / "shop")
    assert run(root, "pulse", "--date", "2026-11-22").exit_code == 0  # index built, modules loaded
    tracemalloc.start()
    try:
        result = run(root, "pulse", "--date", "2026-11-22", "--json")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["retention"]["years"] and data["quiet"]["count"] == PROFILES * 3 // 4
    entries = PROFILES * ENTRIES
    # held as objects, each entry costs about 500 bytes (its row, its text, a LogEntry); read
    # a profile at a time, the peak is mostly the JSON written (about 45 bytes an entry here)
    assert peak < entries * 100, f"{peak:,} bytes at the peak for {entries:,} log entries"
