"""Occasions are a pure function of a profile and the settings; every date comes from the
reminder model or the log."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plaincrm.config import Config
from plaincrm.model import Profile
from plaincrm.outreach.names import BUILTIN_OCCASIONS
from plaincrm.outreach.occasions import campaign, occasions
from plaincrm.outreach.settings import OPTIONS, Settings, settings
from plaincrm.parse import parse_profile
from plaincrm.reminders import next_yearly, service_due

ALL = settings(Config()).replace_occasions(BUILTIN_OCCASIONS)


def profile(front: str, log: str = "") -> Profile:
    text = f"---\nname: Jane Roe\nstatus: active\nemail: jane@example.com\n{front}---\n"
    if log:
        text += "\n## Log\n\n" + log
    parsed = parse_profile("jane.md", text.encode())[0]
    assert parsed is not None
    return parsed


def keys(p: Profile, day: str, conf: Settings = ALL) -> list[str]:
    return sorted(o.key for o in occasions(p, conf, dt.date.fromisoformat(day)))


def test_nothing_is_on_by_default() -> None:
    assert settings(Config()).occasions == ()
    assert occasions(profile("birthday: 1980-05-07\n"), settings(Config()),
                     dt.date(2026, 5, 7)) == []


def test_the_spec_entries_match_the_settings() -> None:
    # and one option of [agenda]: who is off the service round
    assert [o.key for o in OPTIONS] + ["no_service_statuses"] == list(Settings.__slots__)
    assert all(o.section == "outreach" and o.help for o in OPTIONS)


def test_birthday_on_the_day_and_in_the_catch_up_days_only() -> None:
    p = profile("birthday: 1980-05-07\n")
    assert keys(p, "2026-05-06") == []
    assert keys(p, "2026-05-07") == ["birthday-2026"]
    assert keys(p, "2026-05-10") == ["birthday-2026"]  # three days late at most
    assert keys(p, "2026-05-11") == []
    (found,) = occasions(p, ALL, dt.date(2026, 5, 8))
    assert (found.date, found.values["age"], found.why) == (dt.date(2026, 5, 7), 46,
                                                           "turns 46 on 2026-05-07")
    assert found.location.line == profile("birthday: 1980-05-07\n").field_line("birthday")


def test_a_29_february_birthday_is_greeted_on_28_february_in_common_years() -> None:
    p = profile("birthday: 1988-02-29\n")
    assert keys(p, "2027-02-28") == ["birthday-2027"]
    assert keys(p, "2028-02-29") == ["birthday-2028"]
    assert keys(p, "2028-02-28") == []


def test_no_greeting_before_someone_is_born_and_none_without_a_year_for_age() -> None:
    assert keys(profile("birthday: 2030-01-01\n"), "2030-01-01") == []
    (found,) = occasions(profile("birthday: --03-17\n"), ALL, dt.date(2027, 3, 17))
    assert "age" not in found.values and found.why == "birthday on 2027-03-17"


def test_anniversaries_every_year_or_the_chosen_milestones() -> None:
    p = profile("customer_since: 2021-11-25\n")
    assert keys(p, "2021-11-25") == []
    assert keys(p, "2026-11-25") == ["anniversary-2026"]
    milestones = replace(ALL, anniversary_years=(1, 10))
    assert keys(p, "2026-11-25", milestones) == []
    assert keys(p, "2031-11-25", milestones) == ["anniversary-2031"]


def test_service_reminder_from_the_reminder_model_until_it_is_due() -> None:
    p = profile("service_due: 2026-12-10\n")
    due, _ = service_due(p) or (None, None)
    assert due == dt.date(2026, 12, 10)
    assert keys(p, "2026-11-25") == []
    assert keys(p, "2026-11-26") == ["service-2026-12-10"]  # 14 days before
    assert keys(p, "2026-12-10") == ["service-2026-12-10"]
    assert keys(p, "2026-12-11") == []
    # a logged service moves the date, and so the key
    later = profile("service_due: 2026-12-10\nservice_every: 1 year\n",
                    "- 2026-12-02 service: Annual service.\n")
    assert keys(later, "2027-11-18") == ["service-2027-12-02"]


def test_feedback_after_a_service_or_visit() -> None:
    p = profile("", "- 2026-11-02 visit: Fixed the pump.\n- 2026-11-02 call: Rang.\n"
                    "- 2026-11-10 service: Annual.\n")
    assert keys(p, "2026-11-05") == ["feedback-2026-11-02"]
    assert keys(p, "2026-11-13") == ["feedback-2026-11-10"]
    assert keys(p, "2026-11-20") == []


def test_invoice_reminders_until_paid_or_the_limit() -> None:
    log = "- 2026-10-01 invoice: Invoice 1041, £180.\n"
    p = profile("", log)
    assert keys(p, "2026-10-14") == []
    assert keys(p, "2026-10-15") == ["invoice-2026-10-01-1"]
    assert keys(p, "2026-10-22") == ["invoice-2026-10-01-2"]
    assert keys(p, "2026-10-29") == ["invoice-2026-10-01-3"]
    assert keys(p, "2026-11-01") == ["invoice-2026-10-01-3"]  # catch-up
    assert keys(p, "2026-11-05") == []  # three reminders, no more
    paid = profile("", log + "- 2026-10-20 payment: Paid by transfer.\n")
    assert keys(paid, "2026-10-22") == []
    (found,) = occasions(p, ALL, dt.date(2026, 10, 23))
    assert found.values["reminder_number"] == 2 and found.values["days_unpaid"] == 22


def test_stages_are_told_on_the_entry_day() -> None:
    p = profile("", "- 2026-11-18 parts-ordered: Diverter valve.\n"
                    "- 2026-11-20 job-done: Fitted.\n")
    conf = replace(ALL, stages=("parts-ordered", "job-done"))
    assert keys(p, "2026-11-20", conf) == ["job-done-2026-11-20", "parts-ordered-2026-11-18"]
    assert keys(p, "2026-11-20") == []  # no stage kinds configured
    (found,) = [o for o in occasions(p, conf, dt.date(2026, 11, 20)) if o.name == "job-done"]
    assert found.templates == ("job-done", "stage")


def test_campaign_filters_by_status_and_tags() -> None:
    p = profile("tags: [Combi, vip]\n")
    day = dt.date(2026, 12, 1)
    assert campaign(p, "loyalty-2026", ["active"], ["combi"], day) is not None
    assert campaign(p, "loyalty-2026", ["lead"], [], day) is None
    assert campaign(p, "loyalty-2026", [], ["combi", "landlord"], day) is None
    found = campaign(p, "loyalty-2026", [], [], day)
    assert found is not None and found.key == "campaign-loyalty-2026"


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(8999, 12, 31)),
       st.dates(min_value=dt.date(1000, 3, 1), max_value=dt.date(8999, 12, 31)))
def test_a_birthday_occasion_is_always_the_reminder_models_next_occurrence(
        born: dt.date, today: dt.date) -> None:
    p = profile(f"birthday: {born.isoformat()}\n")
    for found in occasions(p, ALL, today):
        if found.name != "birthday":
            continue
        start = today - dt.timedelta(days=ALL.catch_up_days)
        assert found.date == next_yearly(born.month, born.day, start) <= today
        assert found.key == f"birthday-{found.date.year}"


@pytest.mark.parametrize("day", ["1000-01-01", "8999-12-31"])
def test_the_ends_of_the_date_range_do_not_overflow(day: str) -> None:
    p = profile("birthday: 1000-01-01\ncustomer_since: 8999-12-31\nservice_due: 1000-01-02\n",
                "- 8999-12-31 invoice: x\n- 1000-01-01 service: y\n")
    occasions(p, replace(ALL, service_days_before=73200, feedback_days=73200,
                         invoice_days=73200, invoice_every=73200, catch_up_days=73200),
              dt.date.fromisoformat(day))
