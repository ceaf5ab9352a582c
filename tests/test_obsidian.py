"""Obsidian vaults as they are: the Tasks plugin's and Dataview's task syntax through the real
CLI (agenda, calendar, check, done, task), on a fixture profile written as Obsidian users do."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, Run, VaultFactory

OLIVE = (FIXTURES / "interop" / "obsidian" / "olive-hart.md").read_bytes()


def obsidian_vault(vault: VaultFactory, config: str = "") -> Path:
    return vault({"olive-hart.md": OLIVE}, config=config)


def tasks(run: Run, root: Path) -> list[dict[str, object]]:
    shown = run(root, "show", "olive", "--json")
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.stdout)["tasks"]  # type: ignore[no-any-return]


def test_tasks_plugin_and_dataview_dates_are_read(vault: VaultFactory, run: Run) -> None:
    root = obsidian_vault(vault)
    got = [(t["line"], t["date"], t["done"], t["text"]) for t in tasks(run, root)]
    assert got == [
        (16, "2026-12-01", False, "Send invoice"),
        (17, "2026-12-10", False, "Book the annual service 🔁 every year"),  # due wins
        (18, "2026-11-20", True, "Quote for the radiator"),
        (19, "2026-12-03", True, "Call about the old boiler"),  # [-] cancelled
        (20, "2026-12-04", True, "Cancelled the plugin way"),  # ❌ date
        (21, "2026-12-05", False, "Check the pressure @ana"),  # U+FE0F and a no-break space
        (22, "2026-12-06", False, "Post the brochure"),
        (23, "2026-12-07", False, "Chase the payment [repeat:: every week]"),
        (24, "2026-12-08", False, "Water the plants"),  # scheduled only
    ]


def test_obsidian_tasks_reach_agenda_and_calendar_not_check(vault: VaultFactory,
                                                            run: Run) -> None:
    root = obsidian_vault(vault)
    agenda = run(root, "agenda", "--date", "2026-12-08", "--json")
    assert agenda.exit_code == 0, agenda.output
    texts = sorted(r["text"] for r in json.loads(agenda.stdout)["items"]
                   if r["kind"] == "task" and r["section"] in ("overdue", "today"))
    assert texts == ["Chase the payment [repeat:: every week]", "Check the pressure @ana",
                     "Post the brochure", "Send invoice", "Water the plants"]
    calendar = run(root, "calendar", "--date", "2026-11-30", "-o", str(root / "feed.ics"))
    assert calendar.exit_code == 0, calendar.output
    feed = (root / "feed.ics").read_bytes().decode()
    assert "SUMMARY:Task: Olive Hart — Send invoice\r\n" in feed
    assert "DTSTART;VALUE=DATE:20261201" in feed
    assert "Call about the old boiler" not in feed and "Quote for the radiator" not in feed
    check = run(root, "check", "--date", "2026-11-30", "--json")
    assert "undated-task" not in check.stdout


def test_full_line_dataview_fields_are_profile_fields(vault: VaultFactory, run: Run) -> None:
    root = obsidian_vault(vault)
    shown = json.loads(run(root, "show", "olive", "--json").stdout)
    assert shown["phone"] == ["+44 20 7946 0321"]
    assert shown["birthday"] == "1975-12-04"
    assert "notes" not in shown["other"]  # inside a code fence
    agenda = run(root, "agenda", "--date", "2026-12-01", "--json")
    assert any(r["kind"] == "birthday" for r in json.loads(agenda.stdout)["items"])


def test_done_adds_the_done_date_as_the_plugin_does(vault: VaultFactory, run: Run) -> None:
    root = obsidian_vault(vault)
    result = run(root, "done", "olive", "send invoice", "--date", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert (root / "olive-hart.md").read_bytes() == OLIVE.replace(
        "- [ ] Send invoice 📅 2026-12-01\n".encode(),
        "- [x] Send invoice 📅 2026-12-01 ✅ 2026-12-02\n".encode())
    dataview = run(root, "done", "olive", "brochure", "--date", "2026-12-02")
    assert dataview.exit_code == 0, dataview.output
    assert b"- [x] Post the brochure [due:: 2026-12-06] [completion:: 2026-12-02]\n" \
        in (root / "olive-hart.md").read_bytes()


def test_done_on_a_repeating_obsidian_task_writes_the_next(vault: VaultFactory,
                                                           run: Run) -> None:
    root = obsidian_vault(vault)
    result = run(root, "done", "olive", "annual service", "--date", "2026-12-09")
    assert result.exit_code == 0, result.output
    assert (root / "olive-hart.md").read_bytes() == OLIVE.replace(
        "- [ ] Book the annual service 🔁 every year ⏳ 2026-12-02 📅 2026-12-10\n".encode(),
        ("- [x] Book the annual service 🔁 every year ⏳ 2026-12-02 📅 2026-12-10 ✅ 2026-12-09\n"
         "- [ ] Book the annual service 🔁 every year ⏳ 2027-12-02 📅 2027-12-10\n").encode())
    weekly = run(root, "done", "olive", "chase the payment", "--date", "2026-12-09")
    assert weekly.exit_code == 0, weekly.output
    assert (b"- [ ] Chase the payment (due:: 2026-12-14) [repeat:: every week]\n"
            in (root / "olive-hart.md").read_bytes())


def test_task_writes_the_configured_format(vault: VaultFactory, run: Run) -> None:
    root = obsidian_vault(vault, config='[tasks]\nformat = "obsidian"\n')
    result = run(root, "task", "olive", "2026-12-20", "Ring about the valve", "--owner", "sam")
    assert result.exit_code == 0, result.output
    assert ("- [ ] Water the plants ⏳ 2026-12-08\n"
            "- [ ] Ring about the valve @sam 📅 2026-12-20\n").encode() \
        in (root / "olive-hart.md").read_bytes()
    moved = run(root, "task", "olive", "--move", "valve", "2026-12-22")
    assert moved.exit_code == 0, moved.output
    assert "- [ ] Ring about the valve @sam 📅 2026-12-22\n".encode() \
        in (root / "olive-hart.md").read_bytes()
    plain = vault({"jo.md": "---\nname: Jo\n---\n"}, config="")
    assert run(plain, "task", "jo", "2026-12-20", "Call").exit_code == 0
    assert (plain / "jo.md").read_text() == "---\nname: Jo\n---\n\n- [ ] 2026-12-20 Call\n"


def test_bad_task_format_is_a_config_error(vault: VaultFactory, run: Run) -> None:
    root = obsidian_vault(vault, config='[tasks]\nformat = "todo.txt"\n')
    result = run(root, "task", "olive", "2026-12-20", "Ring")
    assert "plaincrm.toml:2: config-error tasks.format must be 'plaincrm' or 'obsidian'" \
        in result.stderr
    assert b"- [ ] 2026-12-20 Ring\n" in (root / "olive-hart.md").read_bytes()


def test_an_impossible_obsidian_date_is_located(vault: VaultFactory, run: Run) -> None:
    root = vault({"x.md": "---\nname: X Y\nstatus: lead\nphone: '1'\n---\n\n"
                          "- [ ] Send invoice 📅 2026-02-30\n"}, config="")
    check = run(root, "check", "--date", "2026-01-01")
    assert "x.md:7: invalid-date" in check.output
