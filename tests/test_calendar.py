"""plaincrm calendar: the .ics feed, checked byte for byte, parsed back and expanded."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st

from plaincrm.config import Config
from plaincrm.ical import calendar
from plaincrm.loader import load
from plaincrm.model import Birthday, Location, LogEntry, Profile
from plaincrm.reminders import reminders
from tests.conftest import FIXTURES, Run

FIXTURE = FIXTURES / "calendar"
GOLDEN = Path(__file__).parent / "golden" / "calendar.ics"
TODAY = dt.date(2026, 2, 20)
LABELS = {"birthday": "Birthday", "service": "Service due", "task": "Task",
          "keep_in_touch": "Get in touch", "anniversary": "Customer anniversary",
          "wedding": "Wedding", "contract_end": "Contract end"}


@pytest.fixture
def fixture_vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(FIXTURE, root)
    return root


def feed(run: Run, root: Path, *args: str, day: dt.date = TODAY) -> bytes:
    result = run(root, "calendar", "--date", day.isoformat(), *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def events_of(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def vevent_blocks(data: bytes) -> dict[str, bytes]:
    """Each VEVENT's raw bytes, by UID."""
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.DOTALL)
    out = {}
    for block in blocks:
        uid = str(icalendar.Event.from_ical(block)["UID"])
        out[uid] = block
    return out


def occurrences(data: bytes, day: dt.date) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return list(recurring_ical_events.of(cal).at(day))


def item(event: icalendar.Event) -> tuple[str, str]:
    """(profile path, SUMMARY label) of an event: the path from the DESCRIPTION's File line."""
    description = str(event["DESCRIPTION"])
    path = description.rsplit("\nFile: ", 1)[1]
    return path, str(event["SUMMARY"]).split(":", 1)[0]


def today_items(root: Path, day: dt.date) -> list[tuple[str, str]]:
    """The agenda's Today section on ``day``, computed with the reminder model: every reminder
    whose date is ``day``."""
    profiles, _ = load(root, full=False)
    from plaincrm.config import load_config

    config, _ = load_config(root)
    return sorted((r.path, LABELS[r.kind]) for p in profiles for r in reminders(p, config, day)
                  if r.date == day)


# ---------------------------------------------------------------- golden and shape


def test_golden_feed_byte_for_byte(run: Run, fixture_vault: Path) -> None:
    data = feed(run, fixture_vault)
    if os.environ.get("PLAINCRM_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()


def test_rerun_is_byte_identical(run: Run, fixture_vault: Path) -> None:
    assert feed(run, fixture_vault) == feed(run, fixture_vault)


def test_calendar_header(run: Run, fixture_vault: Path) -> None:
    data = feed(run, fixture_vault)
    head = data.split(b"BEGIN:VEVENT", 1)[0].decode()
    assert head.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//plaincrm//")
    assert "\r\nCALSCALE:GREGORIAN\r\n" in head
    assert "\r\nX-WR-CALNAME:Bright Boilers reminders\r\n" in head
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in head
    assert "\r\nX-PUBLISHED-TTL:PT6H\r\n" in head
    assert "\r\nUID:" not in head  # icalendar's Calendar.new() would add a random one


def test_every_event_has_uid_dtstamp_and_all_day_dates(run: Run, fixture_vault: Path) -> None:
    data = feed(run, fixture_vault)
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.DOTALL)
    assert len(blocks) == 19
    for block in blocks:
        unfolded = block.replace(b"\r\n ", b"")
        assert re.search(rb"\r\nUID:[^\r]+@plaincrm\r\n", unfolded), block
        stamp = re.search(rb"\r\nDTSTAMP:(\d{8}T\d{6}Z)\r\n", unfolded)
        assert stamp and re.search(rb"\r\nLAST-MODIFIED:" + stamp.group(1) + rb"\r\n", unfolded)
        assert re.search(rb"\r\nSEQUENCE:\d+\r\n", unfolded), block
        start = re.search(rb"\r\nDTSTART;VALUE=DATE:(\d{8})\r\n", unfolded)
        end = re.search(rb"\r\nDTEND;VALUE=DATE:(\d{8})\r\n", unfolded)
        assert start and end, block
        first = dt.datetime.strptime(start.group(1).decode(), "%Y%m%d").date()
        last = dt.datetime.strptime(end.group(1).decode(), "%Y%m%d").date()
        assert last == first + dt.timedelta(days=1)


def test_crlf_line_endings_and_no_random_uids(run: Run, fixture_vault: Path) -> None:
    data = feed(run, fixture_vault)
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert not re.search(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", data)
    uids = [str(e["UID"]) for e in events_of(data)]
    assert len(uids) == len(set(uids))
    assert "c-0001-birthday@plaincrm" in uids
    assert "c-0001-service@plaincrm" in uids
    # a shared id (c-0003 twice) stays with bob.md, who has a log entry; bobby.md's UIDs add
    # a digest of its path; a profile without an id has a digest of its path, not the path
    assert "c-0003-birthday@plaincrm" in uids
    assert "c-0003+e8aa1a284cf10632-service@plaincrm" in uids
    assert "p+bf49d610be9be488-birthday@plaincrm" in uids
    assert not any(".md" in u or "Zo" in u for u in uids)
    # the same task twice in one file: two events, two UIDs
    flue = [u for u in uids if u.startswith("c-0003-task-2026-04-20-")]
    assert len(flue) == 2


def test_dtstamp_is_the_newest_log_entry_not_the_clock(run: Run, fixture_vault: Path) -> None:
    by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault))}
    jane = by_uid["c-0001-birthday@plaincrm"]
    assert jane.decoded("DTSTAMP").date() == dt.date(2025, 12, 1)
    assert jane.decoded("LAST-MODIFIED") == jane.decoded("DTSTAMP")
    # SEQUENCE: days from 1000-01-01 to the revision day plus to the first occurrence
    first = dt.date(1000, 1, 1)
    assert int(jane["SEQUENCE"]) == ((dt.date(2025, 12, 1) - first).days
                                     + (dt.date(1984, 3, 7) - first).days)
    zoe = by_uid["p+bf49d610be9be488-birthday@plaincrm"]
    assert zoe.decoded("DTSTAMP").date() == dt.date(1970, 1, 1)


# ---------------------------------------------------------------- recurrence


def test_birthdays_every_year_for_three_years(run: Run, fixture_vault: Path) -> None:
    data = feed(run, fixture_vault)
    cal = icalendar.Calendar.from_ical(data)
    expected = {"Jane Roe": Birthday(3, 7), 'Müller, Jörg; "Jo"': Birthday(2, 29),
                "Bob Smith": Birthday(2, 29), "Zoë Ångström": Birthday(3, 15)}
    found: dict[str, list[dt.date]] = {name: [] for name in expected}
    for event in recurring_ical_events.of(cal).between(dt.date(2026, 1, 1),
                                                        dt.date(2029, 1, 1)):
        summary = str(event["SUMMARY"])
        if summary.startswith("Birthday: "):
            name = summary.removeprefix("Birthday: ").split(" (born")[0]
            found[name].append(event.decoded("DTSTART"))
    for name, birthday in expected.items():
        assert sorted(found[name]) == [birthday.in_year(y) for y in (2026, 2027, 2028)], name
    assert dt.date(2026, 2, 28) in found["Bob Smith"]
    assert dt.date(2028, 2, 29) in found["Bob Smith"]


def test_leap_day_uses_last_day_of_february(run: Run, fixture_vault: Path) -> None:
    by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault))}
    rule = by_uid["c-0002-birthday@plaincrm"]["RRULE"]
    assert rule["FREQ"] == ["YEARLY"] and rule["BYMONTH"] == [2] and rule["BYMONTHDAY"] == [-1]
    assert by_uid["c-0002-birthday@plaincrm"].decoded("DTSTART") == dt.date(1985, 2, 28)
    assert by_uid["c-0001-birthday@plaincrm"]["RRULE"].to_ical() == b"FREQ=YEARLY"


def test_recurring_summary_shows_no_age(run: Run, fixture_vault: Path) -> None:
    by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault))}
    assert str(by_uid["c-0001-birthday@plaincrm"]["SUMMARY"]) == "Birthday: Jane Roe (born 1983)"
    assert str(by_uid["c-0003-birthday@plaincrm"]["SUMMARY"]) == "Birthday: Bob Smith"
    assert "turns" not in feed(run, fixture_vault).decode()


# ---------------------------------------------------------------- the feed is the agenda


def test_each_day_feed_matches_agenda_today(run: Run, fixture_vault: Path) -> None:
    """For each of the next 60 days: the feed's events that day are the Today items that day,
    both in the feed written that day and (except the keep-in-touch of a never-contacted
    profile, which moves with today) in the feed written on the first day."""
    first = feed(run, fixture_vault)
    moving = ("customers/Zoë Ångström.md", "Get in touch")
    checked = 0
    for offset in range(60):
        day = TODAY + dt.timedelta(days=offset)
        expected = today_items(fixture_vault, day)
        todays_feed = feed(run, fixture_vault, day=day)
        assert sorted(item(e) for e in occurrences(todays_feed, day)) == expected, day
        from_first = sorted(item(e) for e in occurrences(first, day))
        if offset:
            assert moving in expected and moving not in from_first
            expected = [i for i in expected if i != moving]
        assert from_first == expected, day
        checked += len(expected)
    assert checked >= 10  # the window really holds birthdays, tasks, services…


def test_each_day_feed_matches_agenda_command(run: Run, fixture_vault: Path) -> None:
    """The same against ``plaincrm agenda --date D --json`` once the agenda command exists."""
    pytest.importorskip("plaincrm.agenda")
    for offset in range(60):
        day = TODAY + dt.timedelta(days=offset)
        result = run(fixture_vault, "agenda", "--date", day.isoformat(), "--json")
        assert result.exit_code in (0, 1), result.stderr
        items = json.loads(result.stdout)["items"]
        expected = sorted((i["path"], LABELS[i["kind"]]) for i in items
                          if i["section"] == "today")
        got = sorted(item(e) for e in occurrences(feed(run, fixture_vault, day=day), day))
        assert got == expected, day


def test_overdue_items_stay_on_their_due_date(run: Run, fixture_vault: Path) -> None:
    later = dt.date(2026, 6, 1)
    by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault, day=later))}
    assert by_uid["c-0001-service@plaincrm"].decoded("DTSTART") == dt.date(2026, 1, 15)
    task = "c-0001-task-2026-03-02-"
    assert any(u.startswith(task) for u in by_uid)


def test_never_contacted_keep_in_touch_sits_on_today_with_one_uid(run: Run,
                                                                  fixture_vault: Path) -> None:
    uid = "p+bf49d610be9be488-keep_in_touch@plaincrm"
    for day in (TODAY, TODAY + dt.timedelta(days=3)):
        by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault, day=day))}
        assert by_uid[uid].decoded("DTSTART") == day


def test_months_limits_one_off_reminders_only(run: Run, fixture_vault: Path) -> None:
    uids = {str(e["UID"]) for e in events_of(feed(run, fixture_vault, "--months", "1"))}
    assert not any("-task-2026-04-20-" in u for u in uids)  # beyond 2026-03-20
    assert "c-0001-task-2026-03-10-ba4b0cefd8e7@plaincrm" in uids
    assert "c-0001-service@plaincrm" in uids  # overdue: kept
    assert "c-0002-wedding@plaincrm" in uids  # yearly: always


# ---------------------------------------------------------------- edits and round trips


def test_editing_one_profile_changes_only_its_events(run: Run, fixture_vault: Path) -> None:
    before = vevent_blocks(feed(run, fixture_vault))
    path = fixture_vault / "jane-roe.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "email: jane@example.com", "email: jane.roe@example.com"), encoding="utf-8")
    after = vevent_blocks(feed(run, fixture_vault))
    assert before.keys() == after.keys()
    changed = {uid for uid in before if before[uid] != after[uid]}
    jane = {uid for uid in before if uid.startswith("c-0001-")}
    assert changed == jane and len(jane) == 6


def test_special_characters_survive_the_round_trip(run: Run, fixture_vault: Path) -> None:
    by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault))}
    event = by_uid["c-0002-keep_in_touch@plaincrm"]
    assert str(event["SUMMARY"]) == 'Get in touch: Müller, Jörg; "Jo"'
    assert ('visit: Boiler noisy, valve ok; said "later, maybe"; pressure 1,5 bar — Straße '
            "closed.") in str(event["DESCRIPTION"])


def test_newlines_commas_semicolons_round_trip_in_the_pure_function() -> None:
    name = "Ève O'Brien, Jr.; the\nboss"
    note = "Line one, with comma;\nline two: Ångström \\ done"
    profile = Profile(location=Location("eve.md"), stem="eve", name=name, id="e-1",
                      birthday=Birthday(7, 1, 1990), phones=("+44 1",),
                      log=(LogEntry(Location("eve.md", 9), dt.date(2026, 1, 2), note, "note"),))
    data = calendar([profile], Config(), TODAY).to_ical()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    (event,) = events_of(data)
    assert str(event["SUMMARY"]) == f"Birthday: {name} (born 1990)"
    assert f"Last log: 2026-01-02 note: {note}\n" in str(event["DESCRIPTION"])


# ---------------------------------------------------------------- options and config


def test_owner_filter_and_task_owner_wins(run: Run, fixture_vault: Path) -> None:
    ben = events_of(feed(run, fixture_vault, "--owner", "ben"))
    amy = events_of(feed(run, fixture_vault, "--owner", "@Amy"))
    ben_uids = {str(e["UID"]) for e in ben}
    amy_uids = {str(e["UID"]) for e in amy}
    pump = "c-0001-task-2026-03-10-ba4b0cefd8e7@plaincrm"  # Jane (amy) task for @ben
    assert pump in ben_uids and pump not in amy_uids
    assert "c-0001-birthday@plaincrm" in amy_uids and "c-0002-birthday@plaincrm" in ben_uids
    assert not ben_uids & amy_uids
    cal = icalendar.Calendar.from_ical(feed(run, fixture_vault, "--owner", "ben"))
    assert str(cal["X-WR-CALNAME"]) == "Bright Boilers reminders (ben)"


def test_alarms_per_kind_as_negative_triggers(run: Run, fixture_vault: Path) -> None:
    by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault))}
    (alarm,) = by_uid["c-0001-birthday@plaincrm"].walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=15)
    assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"])
    assert not by_uid["c-0001-keep_in_touch@plaincrm"].walk("VALARM")
    config = fixture_vault / "plaincrm.toml"
    config.write_text(config.read_text() + 'alarms = { keep_in_touch = "-P1DT15H" }\n')
    by_uid = {str(e["UID"]): e for e in events_of(feed(run, fixture_vault))}
    (alarm,) = by_uid["c-0001-keep_in_touch@plaincrm"].walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(days=1, hours=15)
    assert not by_uid["c-0001-birthday@plaincrm"].walk("VALARM")


def test_description_parts_switch_off(run: Run, fixture_vault: Path) -> None:
    config = fixture_vault / "plaincrm.toml"
    full = str(events_of(feed(run, fixture_vault))[0]["DESCRIPTION"])
    assert "Phone: " in full and "Email: " in full and "Last log: " in full
    config.write_text(config.read_text() + "include_phone = false\ninclude_email = false\n"
                      "include_log = false\nrefresh = \"P1D\"\n")
    data = feed(run, fixture_vault)
    for event in events_of(data):
        description = str(event["DESCRIPTION"])
        assert "Phone" not in description and "Email" not in description
        assert "Last log" not in description and "quote" not in description
    assert b"REFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in data
    assert b"X-PUBLISHED-TTL:P1D\r\n" in data


def test_output_file_written_atomically_only_when_changed(run: Run, fixture_vault: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "feed.ics"
    result = run(fixture_vault, "calendar", "--date", "2026-02-20", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert "wrote" in result.stderr and "(19 events)" in result.stderr
    assert out.read_bytes() == GOLDEN.read_bytes()
    os.utime(out, ns=(1_000_000_000, 1_000_000_000))
    inode = out.stat().st_ino
    result = run(fixture_vault, "calendar", "--date", "2026-02-20", "-o", str(out))
    assert result.exit_code == 0 and "unchanged" in result.stderr
    assert out.stat().st_mtime_ns == 1_000_000_000 and out.stat().st_ino == inode
    result = run(fixture_vault, "calendar", "--date", "2026-02-21", "-o", str(out))
    assert "wrote" in result.stderr and out.stat().st_ino != inode  # replaced by a rename
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".feed.ics.")]


def test_unwritable_output_is_an_error_not_a_traceback(run: Run, fixture_vault: Path,
                                                       tmp_path: Path) -> None:
    result = run(fixture_vault, "calendar", "-o", str(tmp_path / "missing" / "feed.ics"))
    assert result.exit_code == 13  # a file-system error (docs/cli.md)
    assert "cannot write" in result.stderr


def test_empty_vault_gives_a_valid_empty_calendar(run: Run, vault) -> None:  # type: ignore[no-untyped-def]
    data = feed(run, vault({}))
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and not events_of(data)


def test_build_feed_and_write_feed_api(fixture_vault: Path, tmp_path: Path) -> None:
    """The two functions the watch/serve code calls: bytes from an open vault, atomic write."""
    from plaincrm.ical import build_feed, write_feed
    from plaincrm.loader import open_vault

    opened = open_vault(fixture_vault)
    try:
        data = build_feed(opened, today=TODAY)
        assert data == GOLDEN.read_bytes()
        assert build_feed(opened, today=TODAY, owner="ben", months=1) != data
    finally:
        opened.close()
    out = tmp_path / "out.ics"
    assert write_feed(out, data) is True
    assert write_feed(out, data) is False
    assert out.read_bytes() == data


@settings(max_examples=60, deadline=None)
@given(born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2023, 12, 31)),
       known_year=st.booleans(), start=st.integers(min_value=2024, max_value=2030))
def test_any_birthday_recurs_on_the_reminder_models_day(born: dt.date, known_year: bool,
                                                        start: int) -> None:
    birthday = Birthday(born.month, born.day, born.year if known_year else None)
    profile = Profile(location=Location("p.md"), stem="p", name="P", birthday=birthday)
    cal = calendar([profile], Config(), dt.date(start, 1, 1))
    got = [e.decoded("DTSTART") for e in recurring_ical_events.of(cal).between(
        dt.date(start, 1, 1), dt.date(start + 3, 1, 1))]
    assert sorted(got) == [birthday.in_year(y) for y in range(start, start + 3)]
