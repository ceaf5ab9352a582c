"""Dates at the edge of the calendar: every date read from a profile or plaincrm.toml, and
``--date``, lie in the years fields.FIRST_YEAR to LAST_YEAR; anything else is a located problem
(or a usage error), so no date arithmetic in agenda, reminders or calendar can overflow."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from plaincrm.errors import EXIT_USAGE
from tests.conftest import VaultFactory
from tests.readtools import cli, no_traceback

DAY = "2026-11-20"
HEAD = "---\nname: Ann Archer\nstatus: active\nemail: ann@example.com\n"
COMMANDS = (("agenda", "--date", DAY), ("agenda", "--json", "--date", DAY),
            ("calendar", "--date", DAY), ("show", "Ann Archer", "--date", DAY),
            ("show", "Ann Archer", "--json", "--date", DAY), ("check", "--date", DAY),
            ("list", "--json"))


def run_all(root: Path) -> None:
    for args in COMMANDS:
        result = cli(root, *args)
        no_traceback(result)
        assert result.exit_code in (0, 1), (args, result.output)


def problems(root: Path) -> list[tuple[int, str, str]]:
    result = cli(root, "check", "--json", "--date", DAY)
    no_traceback(result)
    return [(p["line"], p["code"], p["message"]) for p in json.loads(result.stdout)["problems"]
            if p["path"] == "ann.md"]


@pytest.mark.parametrize("text, line, key", [
    (HEAD + "---\n## Log\n\n- 9999-12-31 call: from the far future\n", 8, "log date"),
    (HEAD + "---\n## Log\n\n- 0999-01-01 call: from the far past\n", 8, "log date"),
    (HEAD + "---\n- [ ] 9999-12-31 renew the contract\n", 6, "task date"),
    (HEAD + "birthday: 9999-12-31\n---\n", 5, "birthday"),
    (HEAD + "service_due: 9999-12-31\nservice_every: 1 year\n---\n", 5, "service_due"),
    (HEAD + "customer_since: 0001-01-01\n---\n", 5, "customer_since"),
    (HEAD + "contract_end: 9999-12-31\n---\n", 5, "contract_end"),
])
def test_a_date_out_of_range_is_a_located_problem_everywhere(vault: VaultFactory, text: str,
                                                             line: int, key: str) -> None:
    config = "[agenda]\ndates = { contract_end = \"once\" }\n"
    root = vault({"ann.md": text}, config=config)
    run_all(root)
    found = [p for p in problems(root) if p[1] == "invalid-date"]
    assert [(ln, code) for ln, code, _ in found] == [(line, "invalid-date")]
    assert found[0][2].startswith(f"{key}: ") and "is out of range" in found[0][2]
    assert "from 1000 to 8999" in found[0][2]


def test_the_last_day_plaincrm_takes_works_in_every_command(vault: VaultFactory) -> None:
    root = vault({"ann.md": HEAD + "birthday: 1980-02-29\nservice_due: 8999-12-31\n"
                                   "service_every: 200 years\ncontact_every: 200 years\n---\n"
                                   "- [ ] 8999-12-31 the last task\n\n## Log\n\n"
                                   "- 8999-12-31 call: the last call\n"})
    for args in (("agenda", "--date", "8999-12-31"), ("calendar", "--date", "8999-12-31"),
                 ("show", "Ann Archer", "--date", "8999-12-31"),
                 ("check", "--date", "8999-12-31"), ("agenda", "--date", "1000-01-01"),
                 ("calendar", "--date", "1000-01-01")):
        result = cli(root, *args)
        no_traceback(result)
        assert result.exit_code in (0, 1), (args, result.output)


def test_a_duration_past_the_bound_is_a_located_problem(vault: VaultFactory) -> None:
    root = vault({"ann.md": HEAD + "service_due: 2026-01-01\nservice_every: 100000 years\n"
                                   "contact_every: 99999999 days\n---\n"})
    run_all(root)
    found = [(ln, code) for ln, code, _ in problems(root) if code == "invalid-field"]
    assert found == [(6, "invalid-field"), (7, "invalid-field")]


@pytest.mark.parametrize("day", ["9999-12-31", "9000-01-01", "0999-12-31", "0001-01-01"])
@pytest.mark.parametrize("command", [("agenda",), ("calendar",), ("show", "Ann Archer"),
                                     ("check",), ("agenda", "--json")])
def test_date_option_outside_the_bound_is_a_usage_error(vault: VaultFactory, day: str,
                                                        command: tuple[str, ...]) -> None:
    root = vault({"ann.md": HEAD + "---\n## Log\n\n- 2026-01-01 call: fine\n"})
    result = cli(root, *command, "--date", day)
    no_traceback(result)
    assert result.exit_code == EXIT_USAGE, result.output
    assert f"Invalid value for '--date': {day} is out of range; plaincrm takes dates from " \
           "1000 to 8999" in result.output


@pytest.mark.parametrize("config, key", [
    ("[calendar]\nmonths = 99999999\n", "calendar.months"),
    ("[agenda]\ndays = 99999999\n", "agenda.days"),
    ("[agenda]\nlead_days = { birthday = 99999999 }\n", "agenda.lead_days"),
    ("[checks]\nstale_days = 99999999999\n", "checks.stale_days"),
    ("[checks]\nreview_days = 99999999999\n", "checks.review_days"),
])
def test_horizons_in_plaincrm_toml_are_bounded(vault: VaultFactory, config: str,
                                               key: str) -> None:
    root = vault({"ann.md": HEAD + "birthday: 1980-03-01\nservice_due: 2027-01-01\n---\n"
                                   "- [ ] 2026-12-01 a task\n"}, config=config)
    run_all(root)
    result = cli(root, "check", "--json", "--date", DAY)
    found = [p["message"] for p in json.loads(result.stdout)["problems"]
             if p["path"] == "plaincrm.toml"]
    assert len(found) == 1 and found[0].startswith(key) and "200 years" in found[0]


@pytest.mark.parametrize("seconds", [300_000 * 31_556_952, -300_000 * 31_556_952])
def test_a_file_stamped_far_in_the_future_or_past_is_a_located_problem(
        vault: VaultFactory, seconds: int) -> None:
    """A tar or zip can carry any time; the index keeps nanoseconds in 64 bits (1677-2262)."""
    root = vault({"ann.md": HEAD + "---\n", "bob.md": "---\nname: Bob\n---\n"})
    os.utime(root / "bob.md", (seconds, seconds))
    run_all(root)  # not a git repository: check uses file times
    result = cli(root, "check", "--json", "--date", DAY)
    found = [(p["path"], p["line"], p["code"], p["message"])
             for p in json.loads(result.stdout)["problems"] if p["path"] == "bob.md"]
    if -(1 << 63) <= (root / "bob.md").stat().st_mtime_ns < 1 << 63:
        return  # the file system kept a time the index can hold: bob.md simply loads
    assert [f[:3] for f in found] == [("bob.md", 1, "parse-error")]
    assert "modification time" in found[0][3] and "touch the file" in found[0][3]


def test_calendar_months_option_is_bounded(vault: VaultFactory) -> None:
    root = vault({"ann.md": HEAD + "service_due: 2027-01-01\n---\n"})
    result = cli(root, "calendar", "--months", "99999999", "--date", DAY)
    no_traceback(result)
    assert result.exit_code == EXIT_USAGE, result.output
