"""Escalation: overdue items waiting too long say so, and go to the managers too."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run, VaultFactory

CONFIG = '[agenda]\nescalate_days = 30\nmanagers = ["priya"]\n'


def person(name: str, owner: str, task_day: str) -> str:
    return (f"---\nname: {name}\nstatus: active\nphone: '+44 113 496 0003'\nowner: {owner}\n"
            f"contact_every: 10 years\n---\n\n## Tasks\n\n- [ ] {task_day} Chase the quote\n")


FILES = {"dave.md": person("Dave Late", "dave", "2026-10-17"),     # 34 days late on 11-20
         "erin.md": person("Erin Recent", "erin", "2026-11-10"),   # 10 days late
         "pat.md": person("Pat Boss", "priya", "2026-11-19")}      # the manager's own


def items(run: Run, root: object, *args: str) -> dict[str, tuple[object, ...]]:
    result = run(root, "agenda", "--date", "2026-11-20", "--json", *args)
    assert result.exit_code == 0, result.output
    return {i["name"]: (i["escalated"], i["waiting_days"], i["owner"])
            for i in json.loads(result.stdout)["items"] if i["kind"] == "task"}


@pytest.mark.parametrize(("config", "args", "expected"), [
    # the whole business: each item once, the one past 30 days escalated
    (CONFIG, (), {"Dave Late": (True, 34, "dave"), "Erin Recent": (False, None, "erin"),
                  "Pat Boss": (False, None, "priya")}),
    # the manager sees her own items and the escalated ones of others
    (CONFIG, ("--owner", "priya"), {"Dave Late": (True, 34, "dave"),
                                    "Pat Boss": (False, None, "priya")}),
    # the owner's own row says how long it has waited
    (CONFIG, ("--owner", "dave"), {"Dave Late": (True, 34, "dave")}),
    (CONFIG, ("--owner", "erin"), {"Erin Recent": (False, None, "erin")}),
    # no managers: it still says how long it waited, but goes to nobody
    ('[agenda]\nescalate_days = 30\n', ("--owner", "priya"),
     {"Pat Boss": (False, None, "priya")}),
    ('[agenda]\nescalate_days = 30\n', (), {"Dave Late": (False, 34, "dave"),
                                            "Erin Recent": (False, None, "erin"),
                                            "Pat Boss": (False, None, "priya")}),
    # off (the default): nothing waits, nothing escalates
    (None, ("--owner", "priya"), {"Pat Boss": (False, None, "priya")}),
    # exactly the limit is not more than it
    ('[agenda]\nescalate_days = 34\nmanagers = ["priya"]\n', ("--owner", "priya"),
     {"Pat Boss": (False, None, "priya")}),
])
def test_escalation(run: Run, vault: VaultFactory, config: str | None,
                    args: tuple[str, ...], expected: dict[str, tuple[object, ...]]) -> None:
    root = vault(FILES, config=config)
    assert items(run, root, *args) == expected


def test_rows_say_waiting_and_escalated(run: Run, vault: VaultFactory) -> None:
    root = vault(FILES, config=CONFIG)
    mine = run(root, "agenda", "--date", "2026-11-20", "--owner", "dave").stdout
    assert "Chase the quote · escalated, waiting 34 days" in mine
    boss = run(root, "agenda", "--date", "2026-11-20", "--owner", "Priya").stdout
    row = next(line for line in boss.splitlines() if "Dave Late" in line)
    assert "escalated, waiting 34 days" in row and row.rstrip().endswith("@dave")


def test_mine_means_the_manager_too(run: Run, vault: VaultFactory) -> None:
    root = vault(FILES, config=CONFIG)
    (root.parent / "home" / ".config" / "plaincrm").mkdir(parents=True, exist_ok=True)
    (root.parent / "home" / ".config" / "plaincrm" / "config.toml").write_text('me = "priya"\n')
    assert set(items(run, root, "--mine")) == {"Dave Late", "Pat Boss"}


def test_the_managers_feed_holds_the_escalated_events(run: Run, vault: VaultFactory) -> None:
    root = vault(FILES, config=CONFIG)

    def tasks(owner: str) -> list[str]:
        feed = run(root, "calendar", "--date", "2026-11-20", "--owner", owner).stdout
        return sorted(line for line in feed.splitlines() if line.startswith("SUMMARY:Task"))

    assert tasks("priya") == ["SUMMARY:Task: Dave Late — Chase the quote",
                              "SUMMARY:Task: Pat Boss — Chase the quote"]
    assert tasks("dave") == ["SUMMARY:Task: Dave Late — Chase the quote"]
    assert tasks("erin") == ["SUMMARY:Task: Erin Recent — Chase the quote"]
    # a later day escalates Erin's too (her task is then 31 days late)
    feed = run(root, "calendar", "--date", "2026-12-11", "--owner", "priya").stdout
    assert "SUMMARY:Task: Erin Recent — Chase the quote" in feed


@pytest.mark.parametrize(("option", "value"), [("escalate_days", "-1"),
                                               ("escalate_days", '"soon"'),
                                               ("managers", '"priya"')])
def test_bad_escalation_options_are_located(run: Run, vault: VaultFactory, option: str,
                                            value: str) -> None:
    root = vault(FILES, config=f"[agenda]\n{option} = {value}\n")
    result = run(root, "check", "--date", "2026-11-20")
    assert any(line.startswith(f"plaincrm.toml:2: config-error agenda.{option} ")
               for line in result.stdout.splitlines())


def test_a_managers_own_item_is_not_escalated_to_herself(run: Run, vault: VaultFactory) -> None:
    files = {"pat.md": person("Pat Boss", "priya", "2026-10-01")}
    root = vault(files, config=CONFIG)
    assert items(run, root) == {"Pat Boss": (False, 50, "priya")}
    two = vault(files, config='[agenda]\nescalate_days = 30\nmanagers = ["priya", "sam"]\n',
                name="two")
    assert items(run, two, "--owner", "sam") == {"Pat Boss": (True, 50, "priya")}
