"""Owners: one rule for matching names and knowing who exists, in agenda, calendar, list and
serve's per-owner feeds; several ``--owner``; an unknown owner is a usage error (issue 13)."""

from __future__ import annotations

import http.client
import json
import re
from pathlib import Path

import icalendar
import pytest

from tests.conftest import Run, VaultFactory
from tests.livetools import Process

DAY = "2026-11-22"
FILES = {
    "ann.md": """
        ---
        name: Ann
        status: active
        owner: ben
        phone: "+44 20 7946 0001"
        ---

        ## Tasks

        - [ ] 2026-11-20 Ring Ann back
        - [ ] 2026-11-21 Send Ann the quote @casey
    """,
    "bob.md": """
        ---
        name: Bob
        status: active
        owner: Priya
        email: bob@example.com
        ---

        ## Tasks

        - [ ] 2026-11-19 Chase Bob's invoice
    """,
    "cy.md": """
        ---
        name: Cy
        status: active
        owner: dave
        email: cy@example.com
        ---

        ## Tasks

        - [ ] 2026-11-18 Book Cy's visit
    """,
}


@pytest.fixture
def root(vault: VaultFactory) -> Path:
    return vault(FILES)


def agenda_tasks(run: Run, root: Path, *owners: str) -> list[str]:
    args = [a for o in owners for a in ("--owner", o)]
    result = run(root, "agenda", "--date", DAY, "--kind", "task", "--json", *args)
    assert result.exit_code == 0, result.output
    return sorted(i["text"] for i in json.loads(result.stdout)["items"])


def calendar_tasks(run: Run, root: Path, *owners: str) -> list[str]:
    args = [a for o in owners for a in ("--owner", o)]
    result = run(root, "calendar", "--date", DAY, *args)
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical(result.stdout_bytes)
    return sorted(str(e["SUMMARY"]).split(": ", 1)[1].split(" — ", 1)[1]
                  for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Task"))


def listed(run: Run, root: Path, *owners: str) -> list[str]:
    args = [a for o in owners for a in ("--owner", o)]
    result = run(root, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    text = run(root, "list", *args).stdout
    names = sorted(p["name"] for p in json.loads(result.stdout)["profiles"])
    assert sorted(line.split()[0] for line in text.splitlines()[1:]) == names
    return names


@pytest.mark.parametrize(("owners", "tasks", "profiles"), [
    (("ben",), ["Ring Ann back"], ["Ann"]),
    (("Ben Smith",), ["Ring Ann back"], ["Ann"]),  # git's name: its first word
    (("@BEN",), ["Ring Ann back"], ["Ann"]),
    (("priya",), ["Chase Bob's invoice"], ["Bob"]),
    (("Priya Patel",), ["Chase Bob's invoice"], ["Bob"]),
    (("casey",), ["Send Ann the quote @casey"], []),  # a task's @name is an owner too
    (("priya", "dave"), ["Book Cy's visit", "Chase Bob's invoice"], ["Bob", "Cy"]),
    (("ben", "casey"), ["Ring Ann back", "Send Ann the quote @casey"], ["Ann"]),
])
def test_owners_match_the_same_way_in_agenda_calendar_and_list(
        run: Run, root: Path, owners: tuple[str, ...], tasks: list[str],
        profiles: list[str]) -> None:
    assert agenda_tasks(run, root, *owners) == tasks
    assert calendar_tasks(run, root, *owners) == tasks
    assert listed(run, root, *owners) == profiles


@pytest.mark.parametrize("command", [
    ("agenda", "--date", DAY), ("calendar", "--date", DAY), ("list",), ("list", "--json"),
    ("agenda", "--date", DAY, "--json")])
def test_an_unknown_owner_is_a_usage_error_listing_the_owners(
        run: Run, root: Path, command: tuple[str, ...]) -> None:
    result = run(root, *command, "--owner", "ben", "--owner", "bobby")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'bobby' is not an owner in this vault; the owners are ben, casey, dave, Priya" \
        in result.stderr


def test_the_owners_named_in_plaincrm_toml_are_known(run: Run, vault: VaultFactory) -> None:
    root = vault(FILES, config='[vault]\nme = "erin"\n')
    result = run(root, "agenda", "--date", DAY, "--owner", "erin")
    assert result.exit_code == 0
    assert result.stdout.startswith("Nothing due for erin")


def test_a_vault_without_owners_says_so(run: Run, vault: VaultFactory) -> None:
    root = vault({"x.md": "---\nname: X\nstatus: lead\nemail: x@example.com\n---\n"})
    result = run(root, "agenda", "--date", DAY, "--owner", "ben")
    assert result.exit_code == 2
    assert "the owners are none: no profile has an owner and no task an @name" in result.stderr


def test_several_owners_in_the_heading_and_the_feed_name(run: Run, root: Path) -> None:
    text = run(root, "agenda", "--date", DAY, "--owner", "priya", "--owner", "dave").stdout
    assert text.splitlines()[0] == ("Agenda for Sunday 22 November 2026 · next 7 days · "
                                    "owner priya, dave")
    feed = run(root, "calendar", "--date", DAY, "--owner", "priya", "--owner", "dave")
    assert b"X-WR-CALNAME:plaincrm reminders (priya\\, dave)" in feed.stdout_bytes


URL = re.compile(r"serving http://127\.0\.0\.1:(\d+)/([^/]+)/calendar\.ics")


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def serving(root: Path) -> tuple[Process, int, str]:
    """A real plaincrm serve of ``root`` on a free port: the process, its port and token."""
    proc = Process("--vault", str(root), "serve", "--port", "0", "--date", DAY)
    try:
        match = URL.search(proc.wait_line(lambda x: bool(URL.search(x))))
        assert match is not None
    except BaseException:
        proc.kill()
        raise
    return proc, int(match.group(1)), match.group(2)


def test_serve_per_owner_feeds_follow_the_same_rule(run: Run, root: Path) -> None:
    ben = run(root, "calendar", "--date", DAY, "--owner", "ben").stdout_bytes
    casey = run(root, "calendar", "--date", DAY, "--owner", "casey").stdout_bytes
    proc, port, token = serving(root)
    try:
        assert get(port, f"/{token}/ben.ics") == (200, ben)
        assert get(port, f"/{token}/Ben%20Smith.ics") == (200, ben)  # as agenda --owner
        assert get(port, f"/{token}/BEN.ics") == (200, ben)
        assert get(port, f"/{token}/casey.ics") == (200, casey)  # a task's @name
        assert get(port, f"/{token}/bobby.ics")[0] == 404  # nobody
        assert proc.terminate() == 0
    finally:
        proc.kill()


def test_serve_has_a_feed_for_every_owner_the_vault_knows(run: Run, vault: VaultFactory) -> None:
    """A manager who owns no profile is sent escalated items, and vault.me is an owner too:
    each gets the feed calendar --owner gives, not a 404."""
    root = vault(FILES, config='[vault]\nme = "erin"\n[agenda]\nescalate_days = 1\n'
                              'managers = ["Mia"]\n')
    mia = run(root, "calendar", "--date", DAY, "--owner", "Mia").stdout_bytes  # as spelt
    assert b"Ring Ann back" in mia  # two days late: escalated to Mia
    erin = run(root, "calendar", "--date", DAY, "--owner", "erin").stdout_bytes
    assert erin.startswith(b"BEGIN:VCALENDAR")
    casey = run(root, "calendar", "--date", DAY, "--owner", "casey").stdout_bytes
    proc, port, token = serving(root)
    try:
        assert get(port, f"/{token}/mia.ics") == (200, mia)
        assert get(port, f"/{token}/Mia.ics") == (200, mia)
        assert get(port, f"/{token}/erin.ics") == (200, erin)
        assert get(port, f"/{token}/casey.ics") == (200, casey)  # a task's @name only
        # several names are one subscription each, not one feed (docs/cli.md says why)
        assert get(port, f"/{token}/priya,dave.ics")[0] == 404
        assert get(port, f"/{token}/priya%2Cdave.ics")[0] == 404
        assert proc.terminate() == 0
    finally:
        proc.kill()


def test_watch_refuses_an_owner_nobody_has_before_watching(run: Run, tmp_path: Path) -> None:
    """watch --owner with a misspelt name would keep an empty calendar for ever: it is the
    same usage error as in agenda, and nothing is written."""
    root = tmp_path / "v"
    root.mkdir()
    (root / "ann.md").write_text("---\nname: Ann\nowner: ben\nbirthday: 1980-01-02\n---\n",
                                 encoding="utf-8")
    out = tmp_path / "cal.ics"
    result = run(root, "watch", "--calendar", str(out), "--owner", "benn")
    assert result.exit_code == 2
    assert "'benn' is not an owner in this vault; the owners are ben" in result.output
    assert not out.exists()
