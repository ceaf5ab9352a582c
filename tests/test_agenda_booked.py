"""Booked services: a ``booked:`` log entry moves the service to the booked day."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run, VaultFactory

HEAD = ("---\nname: Margaret Whitfield\nstatus: active\nphone: '+44 113 496 0002'\nowner: ben\n"
        "service_every: 1 year\ncontact_every: 10 years\n---\n\n## Log\n\n"
        "- 2025-12-01 service: Annual service.\n")


def service(run: Run, root: object, day: str) -> list[tuple[object, ...]]:
    result = run(root, "agenda", "--date", day, "--kind", "service", "--json")
    assert result.exit_code == 0, result.output
    return [(i["section"], i["date"], i["text"], i["booked"])
            for i in json.loads(result.stdout)["items"]]


@pytest.mark.parametrize(("log", "day", "expected"), [
    # not booked: due a year after the last service, overdue after it
    ("", "2026-12-05", [("overdue", "2026-12-01", "service due (every 1 year)", None)]),
    # booked for 10 Dec: upcoming on the booked day instead of overdue
    ("- 2026-11-16 booked: 2026-12-10 10:00, Susan will be there.\n", "2026-12-05",
     [("upcoming", "2026-12-10", "service booked for 10 Dec", "2026-12-10")]),
    # on the day: today
    ("- 2026-11-16 booked: 2026-12-10 10:00\n", "2026-12-10",
     [("today", "2026-12-10", "service booked for 10 Dec", "2026-12-10")]),
    # the visit passed and nobody logged it: overdue from the booked day
    ("- 2026-11-16 booked: 2026-12-10 10:00\n", "2026-12-15",
     [("overdue", "2026-12-10", "service booked for 10 Dec", "2026-12-10")]),
    # rebooked: the newest booking wins
    ("- 2026-11-16 booked: 2026-12-10\n- 2026-12-08 booked: 2027-01-06 afternoon\n",
     "2027-01-02", [("upcoming", "2027-01-06", "service booked for 6 Jan", "2027-01-06")]),
    # the visit was logged: the booking is spent, the next service is due a year on
    ("- 2026-11-16 booked: 2026-12-10\n- 2026-12-10 service: Done.\n", "2026-12-15", []),
    # a booking logged before the last service was for that one
    ("- 2025-11-20 booked: 2025-12-01\n", "2026-12-05",
     [("overdue", "2026-12-01", "service due (every 1 year)", None)]),
])
def test_booked_service(run: Run, vault: VaultFactory, log: str, day: str,
                        expected: list[tuple[object, ...]]) -> None:
    root = vault({"margaret.md": HEAD + log})
    assert service(run, root, day) == expected


def test_the_calendar_shows_the_booking_day(run: Run, vault: VaultFactory) -> None:
    root = vault({"margaret.md": HEAD + "- 2026-11-16 booked: 2026-12-10 10:00\n"})
    feed = run(root, "calendar", "--date", "2026-11-20").stdout
    event = next(e for e in feed.split("BEGIN:VEVENT") if "-service@plaincrm" in e)
    assert "DTSTART;VALUE=DATE:20261210" in event
    assert "SUMMARY:Service booked: Margaret Whitfield" in event
    text = run(root, "agenda", "--date", "2026-12-05").stdout
    assert "service booked for 10 Dec" in text and "service due" not in text


NO_DAY = ("a booked: entry must start with the visit's day (e.g. '- 2026-11-16 booked: "
          "2026-12-10 10:00')")


@pytest.mark.parametrize(("entry", "why"), [
    ("- 2026-11-16 booked: next Tuesday\n", NO_DAY),
    ("- 2026-11-16 booked:\n", NO_DAY),
    ("- 2026-11-16 booked: 2026-13-10\n", "booked visit: 2026-13-10 is not a real date"),
])
def test_a_malformed_booking_is_a_located_problem(run: Run, vault: VaultFactory,
                                                  entry: str, why: str) -> None:
    root = vault({"margaret.md": HEAD + entry})
    result = run(root, "check", "--date", "2026-12-05")
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if "invalid-booking" in line] == [
        f"margaret.md:13: invalid-booking {why}; this booking is ignored"]
    # the rest of the profile works: the service is due as if nothing was booked
    assert service(run, root, "2026-12-05") == [
        ("overdue", "2026-12-01", "service due (every 1 year)", None)]
