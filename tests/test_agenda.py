"""plaincrm agenda through the real CLI: sections, filters, JSON, colour, problems."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from plaincrm.cli import main
from tests.conftest import FIXTURES, Run, VaultFactory

AGENDA = FIXTURES / "agenda"
GOLDEN = Path(__file__).parent / "golden"
ANSI = "\x1b["


def items(result_output: str) -> list[dict[str, object]]:
    data = json.loads(result_output)
    return data["items"]


def summary(result_output: str) -> list[tuple[object, ...]]:
    return [(i["section"], i["date"], i["kind"], i["name"]) for i in items(result_output)]


def test_sections_as_plain_text_on_a_pipe(run: Run) -> None:
    result = run(AGENDA, "agenda", "--date", "2026-11-22")
    assert result.exit_code == 0
    assert ANSI not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "Agenda for Sunday 22 November 2026 · next 7 days"
    assert [line for line in lines if line and not line.startswith(" ")][1:] == [
        "Overdue (2)", "Today (2)", "Upcoming (4)"]
    rows = [line for line in lines if line.startswith("  ") and "last: " not in line
            and "problem: " not in line]
    contexts = [line for line in lines if "last: " in line or "problem: " in line]
    assert len(rows) == len(contexts) == 8
    # aligned columns: the kind and the name start at the same offset on every row
    assert len({row.index(kind) for row, kind in zip(rows, (
        "service", "task", "fix", "keep in touch", "service", "anniversary", "keep in touch",
        "contract end"), strict=True)}) == 1
    # (Bert Boiler is dormant: kept in touch with, off the service round)
    names = ("Ada Lovelace", "Ada Lovelace", "Bea Broken", "Lena Leap", "Bea Broken",
             "Lars Lost", "Bert Boiler", "Carla Contract")
    assert len({row.index(name) for row, name in zip(rows, names, strict=True)}) == 1
    # the phone (else email) and the newest log entry sit on the next line, indented to the name
    assert {len(c) - len(c.lstrip()) for c in contexts} == {rows[0].index("Ada Lovelace")}
    first = lines.index(rows[0])
    assert "7 days late" in rows[0] and "service" in rows[0] and "Ada Lovelace" in rows[0]
    assert lines[first + 1].strip() == ("ada@example.com · last: 2026-11-01 call: Asked about "
                                        "her knee surgery: recovering well.")
    today = lines.index(next(r for r in rows if "Lena Leap" in r))
    assert "today" in lines[today] and lines[today + 1].endswith("last: no log yet")
    # Bea's impossible birthday is an item of its own for her owner, with the located problem
    fix = lines.index(rows[2])
    assert "today" in rows[2] and "fix the date" in rows[2] and rows[2].endswith("@ben")
    assert lines[fix + 1].strip().startswith(
        "bea@example.com · problem: broken-bea.md:5: invalid-date birthday: 1990-02-30")


def test_overdue_oldest_first_with_days_overdue(run: Run) -> None:
    result = run(AGENDA, "agenda", "--date", "2026-12-28", "--json")
    overdue = [i for i in items(result.stdout) if i["section"] == "overdue"]
    assert [i["date"] for i in overdue] == sorted(i["date"] for i in overdue)
    assert overdue[0]["days_overdue"] == 43
    assert {i["kind"] for i in overdue} <= {"service", "task", "keep_in_touch"}
    # the contract ended on 2026-12-20: a once date is never overdue
    assert "contract_end" not in {i["kind"] for i in items(result.stdout)}


def test_days_widens_upcoming_and_lead_time_widens_a_kind(run: Run) -> None:
    week = summary(run(AGENDA, "agenda", "--date", "2026-11-22", "--json").stdout)
    month = summary(run(AGENDA, "agenda", "--date", "2026-11-22", "--days", "30",
                        "--json").stdout)
    assert set(week) < set(month)
    # contract_end has 30 days' lead: it shows 28 days ahead even in a week's agenda
    assert ("upcoming", "2026-12-20", "contract_end", "Carla Contract") in week
    # Ada's birthday (30 Dec) is within 40 days: its 7-day lead time does not hide it
    forty = summary(run(AGENDA, "agenda", "--date", "2026-11-22", "--days", "40",
                        "--json").stdout)
    assert ("upcoming", "2026-12-30", "birthday", "Ada Lovelace") in forty
    assert not [s for s in month if s[2] == "birthday"]
    none = summary(run(AGENDA, "agenda", "--date", "2026-11-22", "--days", "0",
                       "--json").stdout)
    # --days 0: only what a lead time reaches (services 14 days, anniversaries 7, ...)
    assert [s[2] for s in none if s[0] == "upcoming"] == [
        "service", "anniversary", "contract_end"]


def test_days_defaults_to_config(run: Run, vault: VaultFactory) -> None:
    root = vault({"a.md": """
        ---
        name: A
        status: active
        email: a@example.com
        customer_since: 2026-11-01
        service_due: 2026-12-01
        ---
    """}, config="[agenda]\ndays = 10\n")
    assert summary(run(root, "agenda", "--date", "2026-11-22", "--json").stdout) == [
        ("upcoming", "2026-12-01", "service", "A")]
    # 15 days ahead: beyond both the 10 days and the service's 14 days of lead time
    assert summary(run(root, "agenda", "--date", "2026-11-16", "--json").stdout) == []


def test_owner_filter_and_task_owner_wins(run: Run) -> None:
    result = run(AGENDA, "agenda", "--date", "2026-12-28", "--owner", "sue", "--json")
    found = items(result.stdout)
    assert {i["owner"] for i in found} == {"sue"}
    # Ada's profile is owned by ben, but her task says @sue
    assert ("task", "Ada Lovelace") in {(i["kind"], i["name"]) for i in found}
    assert "Order the spare part" not in {i["text"] for i in found}
    assert items(run(AGENDA, "agenda", "--date", "2026-12-28", "--owner", "@SUE",
                     "--json").stdout) == found


def test_mine_from_config(run: Run) -> None:
    mine = items(run(AGENDA, "agenda", "--date", "2026-12-28", "--mine", "--json").stdout)
    ben = items(run(AGENDA, "agenda", "--date", "2026-12-28", "--owner", "ben",
                    "--json").stdout)
    assert mine == ben
    assert mine
    assert {i["owner"] for i in mine} == {"ben"}


def test_mine_from_the_users_own_config_wins_over_the_shared_file(run: Run,
                                                                  tmp_path: Path) -> None:
    own = tmp_path / "home" / ".config" / "plaincrm" / "config.toml"
    own.parent.mkdir(parents=True)
    own.write_text('me = "sue"\n', encoding="utf-8")
    mine = run(AGENDA, "agenda", "--date", "2026-12-28", "--mine", "--json")
    sue = items(run(AGENDA, "agenda", "--date", "2026-12-28", "--owner", "sue",
                    "--json").stdout)
    assert items(mine.stdout) == sue and sue
    assert "vault.me in the shared plaincrm.toml" in mine.stderr  # the fixture sets ben


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


PROFILES = {
    "a.md": """
        ---
        name: Ann
        status: active
        email: ann@example.com
        customer_since: 2026-11-01
        service_due: 2026-11-20
        owner: sue
        ---
    """,
    "b.md": """
        ---
        name: Bob
        status: active
        email: bob@example.com
        customer_since: 2026-11-01
        service_due: 2026-11-21
        owner: ben
        ---
    """,
}


def test_mine_from_git_user_name(run: Run, vault: VaultFactory) -> None:
    root = vault(PROFILES)
    _git(root, "init", "-q")
    _git(root, "config", "user.name", "Sue Smith")  # first word matches owner: sue
    result = run(root, "agenda", "--date", "2026-11-22", "--mine", "--json")
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout) == [("overdue", "2026-11-20", "service", "Ann")]


def test_mine_without_any_name_is_a_clear_error(run: Run, vault: VaultFactory,
                                                tmp_path: Path) -> None:
    root = vault(PROFILES)
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    result = run(root, "agenda", "--mine",
                 env={"GIT_CONFIG_GLOBAL": str(empty), "GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert result.exit_code == 8
    assert "--mine needs your name" in result.stderr
    assert "config.toml" in result.stderr
    assert result.stdout == ""


def test_owner_and_mine_together_is_a_usage_error(run: Run) -> None:
    result = run(AGENDA, "agenda", "--owner", "sue", "--mine")
    assert result.exit_code == 2


def test_kind_filter_repeatable_and_checked(run: Run) -> None:
    result = run(AGENDA, "agenda", "--date", "2026-12-28", "--kind", "birthday",
                 "--kind", "anniversary", "--json")
    assert {i["kind"] for i in items(result.stdout)} == {"birthday", "anniversary"}
    dates = run(AGENDA, "agenda", "--date", "2026-11-22", "--days", "30", "--kind",
                "contract_end", "--json")
    assert summary(dates.stdout) == [("upcoming", "2026-12-20", "contract_end", "Carla Contract")]
    bad = run(AGENDA, "agenda", "--kind", "birthdays")
    assert bad.exit_code == 2
    assert "keep_in_touch" in bad.stderr  # the message lists the kinds


def test_json_shape_sorted_and_stable(run: Run) -> None:
    first = run(AGENDA, "agenda", "--date", "2026-12-28", "--json")
    second = run(AGENDA, "agenda", "--date", "2026-12-28", "--json")
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert list(data) == ["date", "items"]
    assert data["date"] == "2026-12-28"
    for item in data["items"]:
        assert list(item) == sorted(item)
        assert set(item) == {"section", "date", "kind", "name", "path", "line", "text",
                             "owner", "days_overdue", "context", "booked", "escalated",
                             "waiting_days", "problem", "contact"}
        assert (AGENDA / item["path"]).is_file()
        assert (item["days_overdue"] is None) == (item["section"] != "overdue")
    order = ["overdue", "today", "upcoming"]
    keys = [(order.index(i["section"]), i["date"], i["name"]) for i in data["items"]]
    assert keys == sorted(keys)


def test_empty_agenda_says_so(run: Run, vault: VaultFactory) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: lost\nemail: a@example.com\n---\n"})
    result = run(root, "agenda", "--date", "2026-11-22")
    assert result.exit_code == 0
    assert result.stdout.startswith("Nothing due")
    assert "next 7 days" in result.stdout
    assert json.loads(run(root, "agenda", "--date", "2026-11-22", "--json").stdout) == {
        "date": "2026-11-22", "items": []}
    filtered = run(AGENDA, "agenda", "--date", "2026-11-22", "--owner", "sue", "--kind",
                   "anniversary")
    assert filtered.stdout.startswith("Nothing due for sue (anniversary)")
    # an owner nobody in the vault has is a usage error, not an empty agenda
    assert run(AGENDA, "agenda", "--date", "2026-11-22", "--owner", "nobody").exit_code == 2


def test_profiles_with_problems_keep_their_valid_reminders(run: Run) -> None:
    result = run(AGENDA, "agenda", "--date", "2026-11-22", "--json")
    # her fix row says it: no closing note (the fixture's plaincrm.toml names "me": a warning)
    assert "problems: run plaincrm check" not in result.stderr
    bea = [i for i in items(result.stdout) if i["name"] == "Bea Broken"]
    # her valid service stays; her impossible birthday is a fix item until corrected
    assert [(i["kind"], i["date"]) for i in bea] == [("fix", "2026-11-22"),
                                                     ("service", "2026-11-25")]
    assert bea[0]["problem"]["code"] == "invalid-date" and bea[0]["owner"] == "ben"
    text = run(AGENDA, "agenda", "--date", "2026-11-22", "--kind", "service")
    assert text.stderr.splitlines()[-1] == "1 profile has problems: run plaincrm check"


def test_problem_count_includes_unreadable_files(run: Run, vault: VaultFactory) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: active\nservice_due: 2026-11-22\n---\n",
                  "b.md": "---\nname: [unclosed\n---\n", "c.md": b"\x00\x01binary"})
    result = run(root, "agenda", "--date", "2026-11-22", "--kind", "service")
    assert result.stderr == "2 profiles have problems: run plaincrm check\n"
    assert "A" in result.stdout and "service due" in result.stdout


def test_colour_only_when_asked_or_on_a_terminal(run: Run) -> None:
    plain = run(AGENDA, "agenda", "--date", "2026-11-22")
    assert ANSI not in plain.stdout
    coloured = run(AGENDA, "--color", "always", "agenda", "--date", "2026-11-22")
    assert ANSI in coloured.stdout
    assert click_unstyle(coloured.stdout) == plain.stdout
    never = run(AGENDA, "--color", "never", "agenda", "--date", "2026-11-22")
    assert never.stdout == plain.stdout


def click_unstyle(text: str) -> str:
    import click

    return click.unstyle(text)


@pytest.mark.parametrize(("no_color", "expect_ansi"), [(None, True), ("1", False)])
def test_no_color_on_a_terminal(no_color: str | None, expect_ansi: bool,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # CliRunner(color=True) behaves like a terminal: styles are kept unless plaincrm drops them
    if no_color:
        monkeypatch.setenv("NO_COLOR", no_color)
    result = CliRunner().invoke(main, ["--vault", str(AGENDA), "agenda", "--date",
                                       "2026-11-22"], color=True, catch_exceptions=False)
    assert result.exit_code == 0
    assert (ANSI in result.stdout) is expect_ansi


# ---------------------------------------------------------------- golden JSON

GOLDEN_CASES = {
    "agenda-2026-11-22.json": ["--date", "2026-11-22"],
    "agenda-2026-11-22-days30.json": ["--date", "2026-11-22", "--days", "30"],
    "agenda-2026-12-28.json": ["--date", "2026-12-28"],
    "agenda-2027-02-28.json": ["--date", "2027-02-28"],
    "agenda-2026-12-28-mine.json": ["--date", "2026-12-28", "--mine"],
    "agenda-2028-02-28.json": ["--date", "2028-02-28"],
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_json(run: Run, name: str) -> None:
    result = run(AGENDA, "agenda", *GOLDEN_CASES[name], "--json")
    assert result.exit_code == 0
    golden = GOLDEN / name
    if os.environ.get("PLAINCRM_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_no_service_due_for_customers_who_are_gone(run: Run, vault: VaultFactory) -> None:
    """A dormant or lost customer with service_every was "service due" every day for ever
    (and escalated with it); the status takes them off the round, and the option is read
    again when it changes."""
    front = "---\nname: {n}\nstatus: {s}\nemail: {n}@example.com\ncustomer_since: 2020-01-01\n" \
            "service_every: 1 year\n---\n## Log\n- 2026-11-01 call: hi\n- 2024-03-01 service: ok\n"
    root = vault({f"{s}.md": front.format(n=s.title(), s=s)
                  for s in ("active", "lead", "dormant", "lost")},
                 config='[agenda]\nescalate_days = 30\nmanagers = ["ben"]\n')
    for day in ("2026-11-22", "2027-11-22"):
        found = summary(run(root, "agenda", "--date", day, "--json", "--kind", "service").stdout)
        assert found == [("overdue", "2025-03-01", "service", "Active"),
                         ("overdue", "2025-03-01", "service", "Lead")], day
    (root / "plaincrm.toml").write_text('[agenda]\nno_service_statuses = ["lost"]\n')
    found = summary(run(root, "agenda", "--date", "2026-11-22", "--json", "--kind",
                        "service").stdout)
    assert [name for *_rest, name in found] == ["Active", "Dormant", "Lead"]


def test_an_unknown_status_off_the_round_is_a_located_warning(run: Run,
                                                              vault: VaultFactory) -> None:
    root = vault({"a.md": "---\nname: A\nstatus: dormant\nemail: a@example.com\n"
                          "service_due: 2026-11-01\n---\n"},
                 config='[agenda]\nno_service_statuses = ["dormnat", "lost"]\n')
    result = run(root, "check", "--date", "2026-11-22")
    assert ("plaincrm.toml:2: config-error agenda.no_service_statuses: 'dormnat' is not one of "
            "profiles.statuses (lead, active, dormant, lost)") in result.stdout
    # the rest of the option still applies; the dormant customer is on the round, as written
    found = summary(run(root, "agenda", "--date", "2026-11-22", "--json", "--kind",
                        "service").stdout)
    assert found == [("overdue", "2026-11-01", "service", "A")]
