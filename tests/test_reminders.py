"""Every reminder rule, table-driven at pinned dates (see docs/format.md, "Reminders")."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plaincrm.agenda import place
from plaincrm.config import Config
from plaincrm.model import Location
from plaincrm.parse import parse_profile
from plaincrm.reminders import ACTIONABLE, Reminder, lead_days, next_yearly, reminders

D = dt.date.fromisoformat


def profile(front: str, body: str = ""):
    text = "---\n" + textwrap.dedent(front).strip() + "\n---\n" + textwrap.dedent(body)
    p, problems = parse_profile("p.md", text.encode())
    assert p is not None
    assert not [x for x in problems if x.severity == "error"], problems
    return p


def due(front: str, today: str, kind: str, body: str = "",
        config: Config | None = None) -> list[tuple[str, str]]:
    """(date, text) of every reminder of ``kind`` as of ``today``."""
    found = reminders(profile(front, body), config or Config(), D(today))
    return [(r.date.isoformat(), r.text) for r in found if r.kind == kind]


# ---------------------------------------------------------------- birthday

@pytest.mark.parametrize(("birthday", "today", "expected"), [
    # the next occurrence on or after today, with the age they turn
    ("1983-05-07", "2026-05-01", [("2026-05-07", "turns 43")]),
    ("1983-05-07", "2026-05-07", [("2026-05-07", "turns 43")]),
    ("1983-05-07", "2026-05-08", [("2027-05-07", "turns 44")]),
    # year boundary: on 28 December the next 2 January is next year's
    ("1990-01-02", "2026-12-28", [("2027-01-02", "turns 37")]),
    ("1990-12-31", "2026-12-28", [("2026-12-31", "turns 36")]),
    # 29 February: 28 February in common years, 29 February in leap years
    ("2000-02-29", "2027-02-01", [("2027-02-28", "turns 27")]),
    ("2000-02-29", "2027-03-01", [("2028-02-29", "turns 28")]),
    ("2000-02-29", "2028-02-28", [("2028-02-29", "turns 28")]),
    ("2000-02-29", "2028-02-29", [("2028-02-29", "turns 28")]),
    ("--02-29", "2026-12-28", [("2027-02-28", "birthday")]),
    # --MM-DD: never an age
    ("--05-07", "2026-05-01", [("2026-05-07", "birthday")]),
    # born later than today: nothing yet; the birth day itself is no birthday
    ("2030-05-07", "2026-05-01", []),
    ("2026-05-07", "2026-05-01", []),
])
def test_birthday(birthday: str, today: str, expected: list[tuple[str, str]]) -> None:
    assert due(f"birthday: '{birthday}'", today, "birthday") == expected


# ---------------------------------------------------------------- service

@pytest.mark.parametrize(("front", "log", "today", "expected"), [
    # service_due alone: due on it, and overdue after it (the date stays put)
    ("service_due: 2026-11-10", "", "2026-11-22", ["2026-11-10"]),
    # no service_every: a service logged on or after the due day clears it ...
    ("service_due: 2026-11-10", "- 2026-11-12 service: done", "2026-11-22", []),
    ("service_due: 2026-11-10", "- 2026-11-10 service: done", "2026-11-22", []),
    # ... one logged before it was the previous service
    ("service_due: 2026-11-10", "- 2025-11-10 service: done", "2026-11-22", ["2026-11-10"]),
    # other kinds of entry do not count as a service
    ("service_due: 2026-11-10", "- 2026-11-12 call: chat", "2026-11-22", ["2026-11-10"]),
    # service_every: the later of service_due and the newest service + every
    ("service_due: 2026-03-01\nservice_every: 1 year", "- 2026-03-05 service: done",
     "2026-11-22", ["2027-03-05"]),  # logged after its due date
    ("service_due: 2026-03-01\nservice_every: 1 year", "- 2026-02-20 service: done",
     "2026-11-22", ["2027-02-20"]),  # logged (early) before its due date
    ("service_due: 2027-06-01\nservice_every: 6 months", "- 2026-10-01 service: done",
     "2026-11-22", ["2027-06-01"]),  # service_due moved later wins
    ("service_due: 2026-03-01\nservice_every: 1 year", "- 2025-02-01 service: done",
     "2026-11-22", ["2026-03-01"]),  # not serviced since: stays overdue
    ("service_due: 2026-03-01\nservice_every: 1 year", "", "2026-11-22", ["2026-03-01"]),
    # the newest service entry counts, wherever it is in the log
    ("service_every: 1 year", "- 2026-01-10 service: a\n- 2025-01-10 service: b",
     "2026-11-22", ["2027-01-10"]),
    # service_every without service_due: from the newest service; none logged → nothing
    ("service_every: 90 days", "- 2026-10-01 service: done", "2026-11-22", ["2026-12-30"]),
    ("service_every: 90 days", "", "2026-11-22", []),
    ("service_every: 90 days", "- 2026-10-01 call: chat", "2026-11-22", []),
    # month ends clamp: 31 January + 1 month is 28 February, or 29 in a leap year
    ("service_every: 1 month", "- 2026-01-31 service: done", "2026-01-31", ["2026-02-28"]),
    ("service_every: 1 month", "- 2028-01-31 service: done", "2028-01-31", ["2028-02-29"]),
    ("service_every: 3 months", "- 2026-11-30 service: done", "2026-12-01", ["2027-02-28"]),
    ("service_every: 1 year", "- 2024-02-29 service: done", "2024-03-01", ["2025-02-28"]),
    ("service_every: 2 weeks", "- 2026-12-28 service: done", "2026-12-28", ["2027-01-11"]),
    # no service fields: no service reminder
    ("name: x", "- 2026-10-01 service: done", "2026-11-22", []),
])
def test_service(front: str, log: str, today: str, expected: list[str]) -> None:
    found = due(front, today, "service", body=f"\n## Log\n\n{log}\n")
    assert [day for day, _ in found] == expected


def test_service_text_names_the_interval() -> None:
    assert due("service_due: 2026-11-10\nservice_every: 1 year", "2026-11-01", "service") == [
        ("2026-11-10", "service due (every 1 year)")]
    assert due("service_due: 2026-11-10", "2026-11-01", "service") == [
        ("2026-11-10", "service due")]


# a customer who stopped booking (dormant) or left (lost) is off the service round: no
# "service due" every day for ever; agenda.no_service_statuses names those statuses
SERVICE = "service_due: 2026-03-01\nservice_every: 1 year"


@pytest.mark.parametrize(("status", "log", "config", "expected"), [
    ("status: active", "", None, [("2026-03-01", "service due (every 1 year)")]),
    ("status: lead", "", None, [("2026-03-01", "service due (every 1 year)")]),
    ("status: dormant", "", None, []),
    ("status: lost", "", None, []),
    ("status: LOST", "", None, []),  # a status is read in lower case
    # no status, or one the option does not name: still on the round (nothing hidden)
    ("name: x", "", None, [("2026-03-01", "service due (every 1 year)")]),
    ("status: vip", "", None, [("2026-03-01", "service due (every 1 year)")]),
    # a visit booked all the same is an appointment: it shows
    ("status: dormant", "- 2026-11-02 booked: 2026-12-01", None,
     [("2026-12-01", "service booked for 1 Dec")]),
    # the option decides: empty, every status is on the round; names are matched in any case
    ("status: dormant", "", {"agenda.no_service_statuses": []},
     [("2026-03-01", "service due (every 1 year)")]),
    ("status: dormant", "", {"agenda.no_service_statuses": ["Lost"]},
     [("2026-03-01", "service due (every 1 year)")]),
    ("status: active", "", {"agenda.no_service_statuses": ["active"]}, []),
])
def test_service_by_status(status: str, log: str, config: dict[str, object] | None,
                           expected: list[tuple[str, str]]) -> None:
    assert due(f"{status}\n{SERVICE}", "2026-11-22", "service", body=f"\n## Log\n\n{log}\n",
               config=Config(config) if config else None) == expected


# ---------------------------------------------------------------- tasks

TASKS = """
## Tasks

- [ ] 2026-11-20 Send the quote @ben
- [ ] 2026-11-25 Call about the valve
- [x] 2026-11-21 Book the engineer @ben
- [X] 2026-11-26 Done in capitals
- [ ] Undated thing
"""


def test_tasks_open_dated_only_with_their_owner() -> None:
    p = profile("name: Ada\nowner: sue", TASKS)
    found = [(r.date.isoformat(), r.text, r.owner, r.location.line)
             for r in reminders(p, Config(), D("2026-11-22")) if r.kind == "task"]
    assert found == [
        ("2026-11-20", "Send the quote @ben", "ben", 8),  # the task's @owner wins
        ("2026-11-25", "Call about the valve", "sue", 9),  # else the profile's owner
    ]


def test_task_without_any_owner() -> None:
    p = profile("name: Ada", "- [ ] 2026-11-20 Call back\n")
    (r,) = reminders(p, Config(), D("2026-11-22"))
    assert (r.kind, r.owner, r.actionable) == ("task", None, True)


@pytest.mark.parametrize("today", ["2026-11-01", "2026-11-21", "2026-12-31"])
def test_done_tasks_never_show(today: str) -> None:
    p = profile("name: Ada", "- [x] 2026-11-21 Done\n- [X] 2026-11-21 Also done\n")
    assert reminders(p, Config(), D(today)) == []


# ---------------------------------------------------------------- keep in touch

@pytest.mark.parametrize(("front", "log", "today", "expected"), [
    # contact_every after the newest log entry of any kind
    ("status: active\ncontact_every: 30 days", "- 2026-10-01 call: hi\n- 2026-09-01 visit: x",
     "2026-11-22", ["2026-10-31"]),
    ("status: active\ncontact_every: 1 month", "- 2026-01-31 note: x", "2026-02-01",
     ["2026-02-28"]),
    # the status default from config: active 18 months, lead 2 weeks, dormant 1 year
    ("status: active", "- 2026-10-01 call: hi", "2026-11-22", ["2028-04-01"]),
    ("status: lead", "- 2026-11-01 call: hi", "2026-11-22", ["2026-11-15"]),
    ("status: dormant", "- 2026-10-01 call: hi", "2026-11-22", ["2027-10-01"]),
    # lost has none by default; no status, or one config does not name, neither
    ("status: lost", "- 2026-10-01 call: hi", "2026-11-22", []),
    ("name: x", "- 2026-10-01 call: hi", "2026-11-22", []),
    # the profile's own contact_every wins, even for lost
    ("status: lost\ncontact_every: 1 year", "- 2026-10-01 call: hi", "2026-11-22",
     ["2027-10-01"]),
    # never contacted: due from customer_since, else today
    ("status: active\ncustomer_since: 2026-09-01", "", "2026-11-22", ["2028-03-01"]),
    ("status: active\ncustomer_since: 2025-01-01", "", "2026-11-22", ["2026-07-01"]),
    ("status: active", "", "2026-11-22", ["2026-11-22"]),
    ("status: active", "", "2027-01-03", ["2027-01-03"]),
    # year boundary
    ("status: lead", "- 2026-12-20 call: hi", "2026-12-28", ["2027-01-03"]),
])
def test_keep_in_touch(front: str, log: str, today: str, expected: list[str]) -> None:
    body = f"\n## Log\n\n{log}\n" if log else ""
    assert [day for day, _ in due(front, today, "keep_in_touch", body=body)] == expected


def test_keep_in_touch_texts() -> None:
    assert due("status: active", "2026-11-22", "keep_in_touch") == [
        ("2026-11-22", "get in touch (no contact logged yet)")]
    assert due("status: active\ncustomer_since: 2026-09-01", "2026-11-22", "keep_in_touch") == [
        ("2028-03-01", "get in touch (no contact logged since 2026-09-01)")]
    assert due("status: active", "2026-11-22", "keep_in_touch",
               body="## Log\n\n- 2026-10-01 call: hi\n") == [
        ("2028-04-01", "get in touch (every 18 months)")]


def test_keep_in_touch_config_default_per_status() -> None:
    config = Config({"agenda.contact_every": {"active": "2 weeks", "lost": "1 year"}})
    assert due("status: lost", "2026-11-22", "keep_in_touch",
               body="## Log\n\n- 2026-10-01 call: hi\n", config=config) == [
        ("2027-10-01", "get in touch (every 1 year)")]


# ---------------------------------------------------------------- anniversary

@pytest.mark.parametrize(("since", "today", "expected"), [
    ("2021-03-01", "2026-02-25", [("2026-03-01", "5 years a customer")]),
    ("2025-03-01", "2026-02-25", [("2026-03-01", "1 year a customer")]),
    ("2021-03-01", "2026-03-02", [("2027-03-01", "6 years a customer")]),
    ("2022-01-03", "2026-12-28", [("2027-01-03", "5 years a customer")]),
    ("2024-02-29", "2025-01-01", [("2025-02-28", "1 year a customer")]),
    ("2024-02-29", "2027-12-30", [("2028-02-29", "4 years a customer")]),
    # not yet a year: nothing (and never on the day they became a customer)
    ("2026-11-22", "2026-11-22", []),
    ("2027-01-05", "2026-11-22", []),
])
def test_anniversary(since: str, today: str, expected: list[tuple[str, str]]) -> None:
    # status lost: no keep-in-touch, so customer_since feeds the anniversary only
    assert due(f"status: lost\ncustomer_since: {since}", today, "anniversary") == expected


# ---------------------------------------------------------------- config dates

DATES = Config({"agenda.dates": {"contract_end": "once", "wedding": "yearly"}})


@pytest.mark.parametrize(("front", "today", "kind", "expected"), [
    ("contract_end: 2027-01-15", "2026-12-28", "contract_end", [("2027-01-15", "contract end")]),
    # once: on its date, past or future (the agenda never shows a past one: not actionable)
    ("contract_end: 2026-01-15", "2026-12-28", "contract_end", [("2026-01-15", "contract end")]),
    ("wedding: 2019-06-08", "2026-05-01", "wedding", [("2026-06-08", "wedding (7 years)")]),
    ("wedding: 2019-06-08", "2026-06-09", "wedding", [("2027-06-08", "wedding (8 years)")]),
    ("wedding: 2020-02-29", "2026-12-28", "wedding", [("2027-02-28", "wedding (7 years)")]),
    # a wedding still to come: on the day itself, then yearly
    ("wedding: 2027-06-12", "2026-11-22", "wedding", [("2027-06-12", "wedding")]),
    ("wedding: 2025-06-12", "2026-06-12", "wedding", [("2026-06-12", "wedding (1 year)")]),
])
def test_config_dates(front: str, today: str, kind: str,
                      expected: list[tuple[str, str]]) -> None:
    assert due(front, today, kind, config=DATES) == expected


def test_dates_config_does_not_name_give_nothing() -> None:
    p = profile("name: x\nvisit: 2026-12-01")
    assert reminders(p, DATES, D("2026-11-22")) == []


def test_actionable_and_yearly_marks() -> None:
    p = profile("""
        status: active
        birthday: 1980-01-05
        customer_since: 2020-01-05
        service_due: 2026-12-01
        wedding: 2010-02-01
        contract_end: 2027-01-01
    """, "- [ ] 2026-12-03 Call\n")
    found = {r.kind: r for r in reminders(p, DATES, D("2026-11-22"))}
    assert {k for k, r in found.items() if r.actionable} == {"service", "task", "keep_in_touch"}
    assert found["birthday"].yearly_month_day == (1, 5)
    assert found["anniversary"].yearly_from == D("2021-01-05")
    assert found["wedding"].yearly_from == D("2010-02-01")
    assert found["contract_end"].yearly_month_day is None
    assert all(r.path == "p.md" for r in found.values())
    assert found["birthday"].location.line == 3  # the line of the birthday key


# ---------------------------------------------------------------- lead days

def test_lead_days_from_config_with_defaults() -> None:
    assert [lead_days(Config(), k) for k in
            ("birthday", "service", "task", "keep_in_touch", "anniversary", "wedding")] == [
        7, 14, 0, 0, 7, 0]
    config = Config({"agenda.lead_days": {"wedding": 30}})
    assert lead_days(config, "wedding") == 30
    assert lead_days(config, "birthday") == 0  # a table in plaincrm.toml replaces the default


@pytest.mark.parametrize(("month", "day", "after", "expected"), [
    (2, 29, "2026-03-01", "2027-02-28"),
    (2, 29, "2027-03-01", "2028-02-29"),
    (1, 1, "2026-12-28", "2027-01-01"),
    (12, 31, "2026-12-31", "2026-12-31"),
])
def test_next_yearly(month: int, day: int, after: str, expected: str) -> None:
    assert next_yearly(month, day, D(after)) == D(expected)


# ---------------------------------------------------------------- properties

days = st.dates(min_value=D("1990-01-01"), max_value=D("2100-12-31"))


@given(st.sampled_from([(m, d) for m in range(1, 13) for d in range(1, 32)
                        if (m, d) not in {(2, 30), (2, 31), (4, 31), (6, 31), (9, 31),
                                          (11, 31)}]), days)
def test_next_yearly_is_the_first_on_or_after(month_day: tuple[int, int],
                                              today: dt.date) -> None:
    when = next_yearly(*month_day, today)
    assert today <= when < today + dt.timedelta(days=366)
    assert when.month == month_day[0]
    assert when.day == month_day[1] or (month_day == (2, 29) and when.day == 28)


@given(days, days, st.integers(min_value=0, max_value=400),
       st.sampled_from(["birthday", "service", "task", "keep_in_touch", "anniversary"]))
def test_place_follows_the_window_rule(due_on: dt.date, today: dt.date, horizon: int,
                                       kind: str) -> None:
    config = Config()
    r = Reminder(Location("p.md"), kind, due_on, "P", "x", None,
                 actionable=kind in ACTIONABLE)
    section = place(r, config, today, horizon)
    lead = dt.timedelta(days=lead_days(config, kind))
    if due_on < today:
        assert section == ("overdue" if kind in ACTIONABLE else None)
    elif due_on == today:
        assert section == "today"
    else:
        # inside the horizon, or inside the kind's lead time when that reaches further
        shown = due_on <= today + max(dt.timedelta(days=horizon), lead)
        assert section == ("upcoming" if shown else None)
