"""The owner sees outreach: the agenda and the calendar show what it sent, and what it sends
while a message's window is open, through the real CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar

from tests.conftest import Run, VaultFactory

CONFIG = """\
    [outreach]
    occasions = ["birthday", "service"]
    """
JANE = """\
    ---
    name: Jane Roe
    owner: raj
    email: jane@example.com
    birthday: 1980-05-07
    service_due: 2026-06-01
    ---

    ## Log

    - 2026-05-02 call: Booked the service.
    """
SENT = ("- 2026-05-07 email: Birthday greeting sent to jane@example.com "
        "[outreach:birthday-2026 sent <b.1@example.com>]\n")
OPTED_OUT = """\
    ---
    name: Olga Out
    owner: raj
    email: olga@example.com
    email_optout: true
    birthday: 1975-05-07
    ---
    """


def agenda(run: Run, root: Path, day: str, *args: str) -> list[tuple[str, str, str, str]]:
    result = run(root, "agenda", "--date", day, "--json", *args)
    assert result.exit_code == 0, result.output
    return [(i["section"], i["date"], i["name"], i["text"])
            for i in json.loads(result.stdout)["items"] if i["kind"] == "outreach"]


def feed(run: Run, root: Path, day: str) -> list[icalendar.Event]:
    result = run(root, "calendar", "--date", day)
    assert result.exit_code == 0, result.output
    return [e for e in icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT")
            if str(e["SUMMARY"]).startswith("Outreach:")]


def test_what_goes_out_today_is_in_today_for_the_owner(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE, "olga.md": OPTED_OUT}, config=CONFIG)
    # the service reminder goes out 14 days before 2026-06-01, and until the service is due
    assert agenda(run, root, "2026-05-18") == [
        ("today", "2026-05-18", "Jane Roe", "service reminder goes out by email")]
    assert agenda(run, root, "2026-05-07") == [
        ("today", "2026-05-07", "Jane Roe", "birthday greeting goes out by email")]
    # a run on a later day still sends it (the catch-up days): so the agenda says so
    assert agenda(run, root, "2026-05-10") == [
        ("today", "2026-05-10", "Jane Roe", "birthday greeting goes out by email")]
    # then the service reminder is 7 days away: inside the week's horizon
    assert agenda(run, root, "2026-05-11") == [
        ("upcoming", "2026-05-18", "Jane Roe", "service reminder goes out by email")]
    assert agenda(run, root, "2026-05-11", "--days", "6") == []
    assert agenda(run, root, "2026-05-30", "--kind", "outreach") == [
        ("today", "2026-05-30", "Jane Roe", "service reminder goes out by email")]
    assert agenda(run, root, "2026-06-02") == []
    text = run(root, "agenda", "--date", "2026-05-07", "--owner", "raj").output
    assert "outreach  Jane Roe  birthday greeting goes out by email  @raj" in text
    assert "birthday  Olga Out  turns 51" in text  # the staff reminder stays
    assert not [line for line in text.splitlines() if "Olga" in line and "outreach" in line]
    # nobody here is ana: a usage error naming the owners, not an empty agenda
    assert run(root, "agenda", "--date", "2026-05-07", "--owner", "ana").exit_code == 2
    # the same days as the dry run itself
    dry = run(root, "outreach", "--date", "2026-05-10").output
    assert "birthday  Jane Roe" in dry and "Olga" not in dry.split("Not sent")[0]


def test_a_sent_message_replaces_what_goes_out(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE + SENT}, config=CONFIG)
    assert agenda(run, root, "2026-05-07") == [
        ("today", "2026-05-07", "Jane Roe", "birthday greeting sent by email")]
    assert agenda(run, root, "2026-05-08") == []  # sent: nothing more goes out this year
    assert agenda(run, root, "2027-05-07", "--kind", "outreach") == [
        ("today", "2027-05-07", "Jane Roe", "birthday greeting goes out by email")]
    events = feed(run, root, "2026-05-07")
    summaries = {(str(e["SUMMARY"]), e.decoded("DTSTART"), "RRULE" in e) for e in events}
    assert summaries == {
        ("Outreach: Jane Roe — birthday greeting sent by email", dt.date(2026, 5, 7), False),
        ("Outreach: Jane Roe — birthday greeting goes out by email", dt.date(2027, 5, 7), True),
        ("Outreach: Jane Roe — service reminder goes out by email", dt.date(2026, 5, 18),
         False)}
    assert len({str(e["UID"]) for e in events}) == 3


def test_only_occasions_turned_on_and_the_calendar_drops_closed_windows(
        vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE}, config='[outreach]\noccasions = ["birthday"]\n')
    assert agenda(run, root, "2026-05-17") == []  # service reminders are off
    assert [str(e["SUMMARY"]) for e in feed(run, root, "2026-05-07")] == [
        "Outreach: Jane Roe — birthday greeting goes out by email"]
    off = vault({"jane.md": JANE}, name="off")
    assert agenda(run, off, "2026-05-07") == [] and feed(run, off, "2026-05-07") == []
    on = vault({"jane.md": JANE}, config=CONFIG, name="on")
    assert len(feed(run, on, "2026-05-20")) == 2  # the service window is still open
    assert [str(e["SUMMARY"]) for e in feed(run, on, "2026-06-02")] == [
        "Outreach: Jane Roe — birthday greeting goes out by email"]


def test_goes_out_on_exactly_the_days_a_run_sends_it() -> None:
    """The agenda's windows agree with the occasions a run finds, day by day, for every
    occasion (pure functions: a year of days)."""
    from plaincrm.config import Config
    from plaincrm.outreach.names import BUILTIN_OCCASIONS
    from plaincrm.outreach.occasions import occasions
    from plaincrm.outreach.schedule import label
    from plaincrm.outreach.settings import settings
    from plaincrm.parse import parse_profile
    from plaincrm.reminders import reminders

    config = Config({"outreach.occasions": list(BUILTIN_OCCASIONS),
                     "outreach.stages": ["job-done"], "outreach.invoice_limit": 2})
    text = ("---\nname: Jane Roe\nemail: jane@example.com\nbirthday: 1980-02-29\n"
            "customer_since: 2020-03-03\nservice_due: 2026-06-01\n---\n\n## Log\n\n"
            "- 2026-03-01 payment: 1040\n- 2026-04-01 visit: Fixed it.\n"
            "- 2026-04-02 invoice: 1041\n- 2026-05-20 payment: 1041\n"
            "- 2026-07-09 job-done: Done.\n- 2026-08-01 invoice: 1042\n")
    profile = parse_profile("jane.md", text.encode())[0]
    assert profile is not None
    day, seen = dt.date(2026, 1, 1), set()
    while day.year == 2026:
        due = sorted(f"{label(o.name)} goes out by email"
                     for o in occasions(profile, settings(config), day))
        shown = sorted(r.text for r in reminders(profile, config, day)
                       if r.kind == "outreach" and r.date == day)
        assert shown == due, day
        seen.update(due)
        day += dt.timedelta(days=1)
    assert len(seen) == 6  # every occasion was due on some day


def test_no_service_reminder_to_a_customer_whose_visit_is_booked(vault: VaultFactory,
                                                                 run: Run) -> None:
    """'Time for your boiler service' went to a customer whose visit was already booked
    (a booked: entry): neither outreach nor the agenda's outreach row plans it now; once
    the visit is done and the next one falls due, the reminder is back."""
    booked = JANE.replace("    - 2026-05-02 call: Booked the service.\n",
                          "    - 2026-05-02 call: Booked the service.\n"
                          "    - 2026-05-02 booked: 2026-06-03 09:00\n")
    root = vault({"jane.md": booked}, config=CONFIG)
    assert [row for row in agenda(run, root, "2026-05-20") if "service" in row[3]] == []
    dry = run(root, "outreach", "--date", "2026-05-20", "--occasion", "service").output
    assert dry.splitlines()[-1] == "Nothing to send today."
    # the same vault without the booking: the reminder goes out
    root2 = vault({"jane.md": JANE}, config=CONFIG, name="unbooked")
    assert [row[3] for row in agenda(run, root2, "2026-05-20") if "service" in row[3]] == [
        "service reminder goes out by email"]
    dry = run(root2, "outreach", "--date", "2026-05-20", "--occasion", "service").output
    assert "2026-05-18  service  Jane Roe  jane@example.com" in dry


def test_no_service_reminder_to_a_customer_off_the_service_round(vault: VaultFactory,
                                                                  run: Run) -> None:
    """A dormant customer gets no 'service due' row (agenda.no_service_statuses), and so no
    email asking to book one either; setting the option to [] brings both back."""
    dormant = JANE.replace("    owner: raj\n", "    owner: raj\n    status: dormant\n")
    root = vault({"jane.md": dormant}, config=CONFIG)
    assert [row for row in agenda(run, root, "2026-05-20") if "service" in row[3]] == []
    dry = run(root, "outreach", "--date", "2026-05-20", "--occasion", "service").output
    assert dry.splitlines()[-1] == "Nothing to send today."
    back = vault({"jane.md": dormant}, name="on-round",
                 config=CONFIG + "[agenda]\nno_service_statuses = []\n")
    dry = run(back, "outreach", "--date", "2026-05-20", "--occasion", "service").output
    assert "2026-05-18  service  Jane Roe  jane@example.com" in dry
