"""Rescheduling a task, picking one of two identical tasks, repeating tasks: real CLI, files."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, VaultFactory

JANE = b"""---\r
name: Jane Roe\r
---\r
\r
- [ ] 2026-12-01 Call back @sam\r
- [ ] 2026-12-05 Call back @sam\r
- [ ] 2026-12-03 Chase the invoice (every 7 days until paid)\r
- [ ] Ring the office (every 2 weeks until 2026-12-20)\r
\r
## Log\r
\r
- 2026-10-02 call: Asked about her knee."""


def crm(vault: VaultFactory) -> Path:
    return vault({"jane.md": JANE}, config="")


def test_move_reschedules_only_the_date(vault: VaultFactory, run: Run) -> None:
    root = crm(vault)
    result = run(root, "task", "jane", "--move", "invoice", "2026-12-10")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("jane.md:7: [ ] 2026-12-10 Chase the invoice (every 7 days until "
                             "paid)\n")
    assert (root / "jane.md").read_bytes() == JANE.replace(b"2026-12-03 Chase",
                                                           b"2026-12-10 Chase")
    undated = run(root, "task", "jane", "--move", "office", "2026-12-11")
    assert undated.exit_code == 0, undated.output
    assert b"- [ ] 2026-12-11 Ring the office" in (root / "jane.md").read_bytes()


def test_one_of_two_identical_tasks_by_date_or_line(vault: VaultFactory, run: Run) -> None:
    root = crm(vault)
    both = run(root, "done", "jane", "call back")
    assert both.exit_code == 5
    assert "jane.md:6  2026-12-05 Call back @sam" in both.stderr and "--on" in both.stderr
    assert (root / "jane.md").read_bytes() == JANE
    # the date as the candidate list shows it picks one
    shown = run(root, "done", "jane", "2026-12-05 Call back @sam")
    assert shown.exit_code == 0, shown.output
    assert (root / "jane.md").read_bytes() == JANE.replace(b"- [ ] 2026-12-05",
                                                           b"- [x] 2026-12-05")
    (root / "jane.md").write_bytes(JANE)
    by_date = run(root, "done", "jane", "call back", "--on", "2026-12-01")
    assert by_date.stdout == "jane.md:5: [x] 2026-12-01 Call back @sam\n"
    (root / "jane.md").write_bytes(JANE)
    moved = run(root, "task", "jane", "--move", "call back", "2026-12-09", "--line", "6")
    assert moved.exit_code == 0, moved.output
    assert (root / "jane.md").read_bytes() == JANE.replace(b"2026-12-05 Call",
                                                           b"2026-12-09 Call")


def test_ticking_a_repeating_task_writes_the_next_one(vault: VaultFactory, run: Run) -> None:
    root = crm(vault)
    result = run(root, "done", "jane", "invoice", "--date", "2026-12-04")
    assert result.exit_code == 0, result.output
    assert (root / "jane.md").read_bytes() == JANE.replace(
        b"- [ ] 2026-12-03 Chase the invoice (every 7 days until paid)\r\n",
        b"- [x] 2026-12-03 Chase the invoice (every 7 days until paid)\r\n"
        b"- [ ] 2026-12-10 Chase the invoice (every 7 days until paid)\r\n")
    last = run(root, "done", "jane", "invoice", "--last")
    assert last.exit_code == 0
    assert b"- [ ] 2026-12-17 Chase" not in (root / "jane.md").read_bytes()
    assert b"- [x] 2026-12-10 Chase" in (root / "jane.md").read_bytes()


def test_a_repeat_stops_after_its_until_day(vault: VaultFactory, run: Run) -> None:
    root = crm(vault)
    first = run(root, "done", "jane", "office", "--date", "2026-12-01")
    assert b"- [ ] 2026-12-15 Ring the office" in (root / "jane.md").read_bytes(), first.output
    run(root, "done", "jane", "office", "--date", "2026-12-15")
    data = (root / "jane.md").read_bytes()
    assert b"- [x] 2026-12-15 Ring the office" in data and data.count(b"Ring the office") == 2
