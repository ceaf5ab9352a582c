"""plaincrm calendar: what each event holds — first occurrences, texts, names, revisions, UIDs,
owners and dates out of bounds — through the real command, parsed back with icalendar and
expanded with recurring-ical-events."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import icalendar
import recurring_ical_events

from plaincrm.config import load_config
from plaincrm.ical import calendar
from plaincrm.loader import load
from tests.conftest import Run, VaultFactory

TODAY = dt.date(2026, 2, 20)
# the profiles here hold a name and a date only: no data-quality items
YEARLY = '[agenda]\ndates = { wedding = "yearly" }\ncheck_items = false\n'
NO_FIX = '[agenda]\ncheck_items = false\n'


def feed(run: Run, root: Path, *args: str, day: dt.date = TODAY) -> bytes:
    result = run(root, "calendar", "--date", day.isoformat(), *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def events_of(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def by_file(data: bytes) -> dict[tuple[str, str], icalendar.Event]:
    """Events by (profile file, SUMMARY label), the file from the DESCRIPTION's last line."""
    out = {}
    for event in events_of(data):
        path = str(event["DESCRIPTION"]).rsplit("\nFile: ", 1)[1]
        out[path, str(event["SUMMARY"]).split(":", 1)[0]] = event
    return out


def blocks(data: bytes) -> dict[str, bytes]:
    """Each VEVENT's raw bytes by UID."""
    found = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.DOTALL)
    return {str(icalendar.Event.from_ical(b)["UID"]): b for b in found}


def reference(root: Path, day: dt.date = TODAY) -> bytes:
    """The feed from the pure calendar() function: no index, no cache."""
    profiles, _ = load(root, full=False)
    config, _ = load_config(root)
    return calendar(profiles, config, day).to_ical()


def profile(name: str, *fields: str, body: str = "") -> str:
    return "---\nname: " + name + "\n" + "".join(f + "\n" for f in fields) + "---\n" + body


# ---------------------------------------------------------------- 1. first occurrence ahead


def test_yearly_events_whose_first_day_is_ahead_are_in_todays_feed(run: Run,
                                                                   vault: VaultFactory) -> None:
    first = {  # file: (front matter, label, first occurrence)
        "since-next-week.md": ("customer_since: 2026-03-01", "Customer anniversary",
                               dt.date(2027, 3, 1)),
        "since-today.md": ("customer_since: 2026-02-20", "Customer anniversary",
                           dt.date(2027, 2, 20)),
        "since-leap.md": ("customer_since: 2028-02-29", "Customer anniversary",
                          dt.date(2029, 2, 28)),
        "born-in-may.md": ("birthday: 2026-05-01", "Birthday", dt.date(2027, 5, 1)),
        "born-next-year.md": ("birthday: 2027-05-01", "Birthday", dt.date(2028, 5, 1)),
        "born-today.md": ("birthday: 2026-02-20", "Birthday", dt.date(2027, 2, 20)),
        "wedding-ahead.md": ("wedding: 2027-06-01", "Wedding", dt.date(2027, 6, 1)),
    }
    root = vault({path: profile(path.removesuffix(".md"), fm)
                  for path, (fm, _label, _day) in first.items()}, config=YEARLY)
    data = feed(run, root)
    cal = icalendar.Calendar.from_ical(data)
    seen: dict[tuple[str, str], list[dt.date]] = {}
    for event in recurring_ical_events.of(cal).between(TODAY, dt.date(2031, 1, 1)):
        path = str(event["DESCRIPTION"]).rsplit("\nFile: ", 1)[1]
        label = str(event["SUMMARY"]).split(":", 1)[0]
        seen.setdefault((path, label), []).append(event.decoded("DTSTART"))
    for path, (_fm, label, day) in first.items():
        days = sorted(seen.get((path, label), []))
        assert days and days[0] == day, (path, days)
        assert len(days) == 2030 - day.year + 1, (path, days)  # then every year
        # the agenda of that day agrees
        result = run(root, "agenda", "--date", day.isoformat(), "--json")
        today = [(i["path"], i["kind"]) for i in json.loads(result.stdout)["items"]
                 if i["section"] == "today"]
        assert len([i for i in today if i[0] == path]) == 1, (path, today)
    assert dt.date(2032, 2, 29) not in seen  # the leap rule still holds
    by = by_file(data)
    rule = by["since-leap.md", "Customer anniversary"]["RRULE"]
    assert rule["BYMONTH"] == [2] and rule["BYMONTHDAY"] == [-1]


# ---------------------------------------------------------------- 2. control characters


CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def test_control_characters_never_reach_the_feed(run: Run, vault: VaultFactory) -> None:
    body = ("\n## Tasks\n\n- [ ] 2026-03-01 Print\x1b[31m the \x7fform\x0b\n\n"
            "## Log\n\n- 2026-01-10 call: page\x0cbreak, bell\x07 and\x85 next\u2028line\n")
    root = vault({"ann.md": profile('"Ann\\fB\\eell"', "birthday: 1990-03-01",
                                    "phone: \"+44 1\u2029 2\"", body=body)},
                 config='[calendar]\nname = "Shop\\u000creminders\\u0007"\n')
    data = feed(run, root)
    text = data.decode("utf-8")
    assert not CONTROLS.search(text.replace("\r\n", "")), CONTROLS.findall(text)
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 2 and recurring_ical_events.of(cal).at(dt.date(2026, 3, 1))
    task = next(e for e in events if str(e["SUMMARY"]).startswith("Task"))
    assert str(task["SUMMARY"]) == "Task: Ann B ell — Print [31m the  form"
    description = str(task["DESCRIPTION"])
    assert "Last log: 2026-01-10 call: page break, bell  and" in description
    assert "next line\nFile: ann.md" in description
    assert re.search(rb"\r\nX-WR-CALNAME:Shop reminders \r\n", data)


# ---------------------------------------------------------------- 3. the calendar's name


def as_text(raw: str) -> str:
    """``raw`` read back as an iCalendar TEXT value by icalendar's parser (it reads the
    calendar's NAME as an unknown property, without unescaping it: an event's SUMMARY is TEXT)."""
    event = icalendar.Event.from_ical(f"BEGIN:VEVENT\r\nSUMMARY:{raw}\r\nEND:VEVENT\r\n")
    return str(event["SUMMARY"])


def unfolded_value(data: bytes, name: bytes) -> str:
    match = re.search(rb"\r\n" + name + rb":(.*?)\r\n(?! )", data.replace(b"\r\n ", b""))
    assert match, name
    return match.group(1).decode()


def test_the_calendar_name_is_escaped_text(run: Run, vault: VaultFactory) -> None:
    root = vault({"ann.md": profile("Ann", "birthday: 1990-03-01", "owner: ann;x"),
                  "yan.md": profile("Yan", "owner: y")},
                 config='[calendar]\nname = "Smith, Jones; Co \\\\ sons"\n')
    for args, name in (((), "Smith, Jones; Co \\ sons"),
                       (("--owner", "ann;x,y"), "Smith, Jones; Co \\ sons (ann;x, y)")):
        data = feed(run, root, *args)
        cal = icalendar.Calendar.from_ical(data)
        for prop in (b"X-WR-CALNAME", b"NAME"):
            raw = unfolded_value(data, prop)
            assert raw == name.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            assert as_text(raw) == name
            assert as_text(cal[prop.decode()].to_ical().decode()) == name


# ---------------------------------------------------------------- 4. revisions


def revision(event: icalendar.Event) -> tuple[dt.datetime, dt.datetime, int]:
    return (event.decoded("DTSTAMP"), event.decoded("LAST-MODIFIED"),
            int(event["SEQUENCE"]))


def test_a_changed_event_moves_its_stamp_and_sequence(run: Run, vault: VaultFactory) -> None:
    jane = profile("Jane", "id: j-1", "phone: \"+44 1\"", "birthday: 1983-03-07",
                   "customer_since: 2019-04-02", "service_due: 2026-05-01",
                   body="\n## Log\n\n- 2025-12-01 call: quote\n")
    root = vault({"jane.md": jane, "other.md": profile("Other", "id: o-1",
                                                         "birthday: 1990-06-01")})
    path = root / "jane.md"
    first = feed(run, root)
    assert feed(run, root) == first  # nothing changed: byte-identical
    before = {k: revision(e) for k, e in by_file(first).items()}
    for stamp, modified, sequence in before.values():
        assert stamp == modified and stamp.utcoffset() == dt.timedelta(0) and sequence > 0

    def changed(edit: str, new: str) -> dict[tuple[str, str], tuple[dt.datetime, dt.datetime,
                                                                   int]]:
        path.write_text(path.read_text(encoding="utf-8").replace(edit, new),
                        encoding="utf-8")
        data = feed(run, root)
        assert blocks(data)["o-1-birthday@plaincrm"] == blocks(first)["o-1-birthday@plaincrm"]
        return {k: revision(e) for k, e in by_file(data).items()}

    # a one-off event moved later: its sequence and stamp move
    after = changed("service_due: 2026-05-01", "service_due: 2026-06-01")
    service = ("jane.md", "Service due")
    assert after[service][2] > before[service][2]
    assert after[service][1] != before[service][1]
    assert after["jane.md", "Birthday"] == before["jane.md", "Birthday"]
    # a text the vault does not date (a phone number): the stamps of every event move
    again = changed('"+44 1"', '"+44 2"')
    mine = [key for key in again if key[0] == "jane.md"]
    assert len(mine) == 3
    for key in mine:
        assert again[key][1] != after[key][1] and again[key][2] >= after[key][2], key
    # a new log entry (a change the vault dates): every event moves forward
    later = changed("- 2025-12-01 call: quote\n",
                    "- 2025-12-01 call: quote\n- 2026-02-10 visit: new valve\n")
    for key in mine:
        assert later[key][1] > again[key][1] and later[key][2] > again[key][2], key
        assert later[key][1].date() == dt.date(2026, 2, 10)
    # a yearly date corrected later
    moved = changed("birthday: 1983-03-07", "birthday: 1983-03-09")
    birthday = ("jane.md", "Birthday")
    assert moved[birthday][2] > later[birthday][2] and moved[birthday][1] != later[birthday][1]


def test_the_daily_keep_in_touch_event_moves_forward_every_day(run: Run,
                                                               vault: VaultFactory) -> None:
    root = vault({"lead.md": profile("Lead", "status: lead")})  # no contact logged yet
    seen = []
    for offset in range(3):
        day = TODAY + dt.timedelta(days=offset)
        events = [e for e in events_of(feed(run, root, day=day))
                  if str(e["SUMMARY"]).startswith("Get in touch")]
        (event,) = events
        assert event.decoded("DTSTART") == day
        seen.append(revision(event))
    assert seen == sorted(seen) and len(set(seen)) == 3


# ---------------------------------------------------------------- 5. and 6. UIDs


def test_uids_of_profiles_without_id_carry_no_path(run: Run, vault: VaultFactory) -> None:
    body = "\n## Tasks\n\n- [ ] 2026-03-01 Call Zoë\n"
    root = vault({"customers/Zoë Ångström.md": profile("Zoë Ångström", "birthday: --03-15",
                                                       "customer_since: 2020-01-01",
                                                       body=body)})
    data = feed(run, root)
    uids = [str(e["UID"]) for e in events_of(data)]
    assert len(uids) == 3 == len(set(uids))
    for uid in uids:
        assert uid.endswith("@plaincrm")
        assert not re.search(r"(?i)zo|ngstr|customers|\.md|%", uid), uid
        assert re.fullmatch(r"p\+[0-9a-f]{16}-[a-z_]+(-[0-9-]+-[0-9a-f]{12})?@plaincrm", uid), uid
    assert [str(e["UID"]) for e in events_of(feed(run, root))] == uids  # stable


def test_a_duplicate_id_leaves_the_existing_profiles_uids_alone(run: Run,
                                                                vault: VaultFactory) -> None:
    jane = profile("Jane", "id: c-1", "birthday: 1983-03-07", "customer_since: 2019-04-02",
                   body="\n## Tasks\n\n- [ ] 2026-03-02 Call\n\n## Log\n\n- 2025-12-01 call: hi\n")
    root = vault({"m-jane.md": jane})
    before = blocks(feed(run, root))
    assert len(before) == 3 and all(u.startswith("c-1-") for u in before)
    # a copy sorting before the existing file, then one after it
    for name in ("a-copy.md", "z-copy.md"):
        (root / name).write_text(profile("Copy", "id: c-1", "birthday: 1983-03-07",
                                         body="\n## Tasks\n\n- [ ] 2026-03-02 Call\n"),
                                 encoding="utf-8")
        data = feed(run, root)
        assert data == feed(run, root)  # from the cache: the same bytes
        assert data == reference(root)  # and those of the pure function
        after = blocks(data)
        assert len(after) == len(set(after))
        for uid in before:
            assert b"File: m-jane.md" in after[uid].replace(b"\r\n ", b"")
        copies = [u for u in after if u not in before]
        assert copies and all(u.startswith("c-1+") and "copy" not in u for u in copies)


# ---------------------------------------------------------------- 7. owners


def test_owner_names_match_as_in_the_agenda(run: Run, vault: VaultFactory) -> None:
    body = "\n## Tasks\n\n- [ ] 2026-02-20 Call @Amy\n- [ ] 2026-02-20 Visit\n"
    root = vault({"ben.md": profile("Ben's customer", "owner: ben", "birthday: 1990-02-20",
                                    body=body),
                  "amy.md": profile("Amy's customer", "owner: Amy Pond",
                                    "birthday: 1991-02-20")}, config=NO_FIX)
    for me in ("Ben Smith", "ben", "@BEN", "Amy", "amy pond", "Ben-Smith"):
        result = run(root, "agenda", "--date", TODAY.isoformat(), "--owner", me, "--json")
        agenda = sorted((i["path"], i["kind"]) for i in json.loads(result.stdout)["items"]
                        if i["section"] == "today")
        data = feed(run, root, "--owner", me)
        got = sorted((str(e["DESCRIPTION"]).rsplit("\nFile: ", 1)[1],
                      {"Birthday": "birthday", "Task": "task"}[str(e["SUMMARY"]).split(":")[0]])
                     for e in recurring_ical_events.of(
                         icalendar.Calendar.from_ical(data)).at(TODAY))
        assert got == agenda and got, me


# ---------------------------------------------------------------- 8. dates out of bounds


def test_months_is_bounded(run: Run, vault: VaultFactory) -> None:
    root = vault({"ann.md": profile("Ann", "birthday: 1990-03-01")})
    result = run(root, "calendar", "--date", TODAY.isoformat(), "--months", "999999999")
    assert result.exit_code == 2 and "--months" in result.stderr
    assert "Traceback" not in result.stderr
    assert events_of(feed(run, root, "--months", "2400"))
    result = run(root, "calendar", "--date", "9999-12-31")
    assert result.exit_code == 2 and "--date" in result.stderr


def test_one_profile_that_cannot_be_built_leaves_the_rest_of_the_feed(
        run: Run, vault: VaultFactory) -> None:
    absurd = profile("Absurd", "service_every: 1 year",
                     body="\n## Log\n\n- 9999-12-30 service: done\n")
    root = vault({"absurd.md": absurd, "ann.md": profile("Ann", "birthday: 1990-03-01")})
    data = feed(run, root)
    assert [str(e["SUMMARY"]) for e in events_of(data)] == ["Birthday: Ann (born 1990)"]
    assert feed(run, root) == data
