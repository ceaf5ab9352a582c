"""The agenda's horizon means what it says: ``--days N`` lists every item due within N days, of
every kind, and lead times only widen a kind's window (issue 13).

The sweep walks every day of a year on vault-example and compares the agenda (as the command
asks the index) with the plain reminder model run on each day of the window."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from plaincrm.agenda import vault_agenda
from plaincrm.config import Config
from plaincrm.loader import Vault, open_vault
from plaincrm.model import Profile
from plaincrm.quality import KINDS as QUALITY_KINDS
from plaincrm.reminders import Reminder, lead_days, reminders
from tests.conftest import Run, VaultFactory

EXAMPLE = Path(__file__).parent.parent / "vault-example"
HORIZON = 14
FIRST = dt.date(2026, 6, 1)
Key = tuple[str, str, int, str]  # path, kind, line, text


def key(r: Reminder) -> Key:
    return (r.path, r.kind, r.location.line, r.text)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    root = tmp_path_factory.mktemp("horizon") / "vault-example"
    shutil.copytree(EXAMPLE, root)
    opened = open_vault(root, db_path=root.parent / "cache" / "index.sqlite")
    opened.refresh()
    try:
        yield opened
    finally:
        opened.close()


class Sweep:
    """What the plain reminder model says is due, one day at a time."""

    def __init__(self, profiles: list[Profile], config: Config) -> None:
        self.profiles, self.config = profiles, config
        self._days: dict[dt.date, list[Reminder]] = {}

    def on(self, day: dt.date) -> list[Reminder]:
        """Every reminder of every profile as of ``day``."""
        if day not in self._days:
            self._days[day] = [r for p in self.profiles for r in reminders(p, self.config, day)]
        return self._days[day]

    def expected(self, today: dt.date, days: int) -> dict[Key, dt.date]:
        """Each item the agenda of ``today`` must list, and its date: what is overdue, the
        first day inside the window each reminder is due on, and what lead times add."""
        found: dict[Key, dt.date] = {}
        for r in self.on(today):
            if r.date < today and r.actionable:
                found[key(r)] = r.date
        for offset in range(days + 1):
            day = today + dt.timedelta(days=offset)
            for r in self.on(day):
                if r.date == day:
                    found.setdefault(key(r), day)
        for r in self.on(today):
            if today + dt.timedelta(days=days) < r.date \
                    <= today + dt.timedelta(days=lead_days(self.config, r.kind)):
                found.setdefault(key(r), r.date)
        return found


def test_days_lists_every_item_due_in_the_window_for_a_year_of_days(example: Vault) -> None:
    sweep = Sweep(list(example.profiles()), example.config)
    missing: list[tuple[dt.date, Key]] = []
    extra: list[tuple[dt.date, Key]] = []
    due_inside = 0
    for offset in range(365):
        today = FIRST + dt.timedelta(days=offset)
        # data-quality items (what check finds, every day until fixed) have no date rule
        shown = {key(i.reminder): i.date for i in vault_agenda(example, today, HORIZON).items
                 if i.kind not in QUALITY_KINDS}
        expected = sweep.expected(today, HORIZON)
        due_inside += sum(1 for day in expected.values() if day >= today)
        missing += [(today, k) for k in expected if k not in shown]
        extra += [(today, k) for k in shown if k not in expected]
        assert {k: shown[k] for k in expected if k in shown} == \
            {k: v for k, v in expected.items() if k in shown}, today
    assert due_inside > 1000  # the sweep is not vacuous
    assert not missing, f"{len(missing)} of {due_inside} due items missing, e.g. {missing[:3]}"
    assert not extra, extra[:3]


def test_a_task_due_tomorrow_is_in_a_week_agenda(run: Run, vault: VaultFactory) -> None:
    root = vault({"ann.md": """
        ---
        name: Ann
        status: lead
        birthday: 1980-11-30
        ---

        ## Tasks

        - [ ] 2026-11-21 Send the quote
    """}, config="[agenda]\nlead_days = { task = 0, birthday = 2 }\n")
    result = run(root, "agenda", "--date", "2026-11-20", "--days", "14", "--json")
    found = [(i["section"], i["date"], i["kind"]) for i in json.loads(result.stdout)["items"]]
    assert ("upcoming", "2026-11-21", "task") in found
    assert ("upcoming", "2026-11-30", "birthday") in found  # 10 days away, lead time 2


def test_lead_time_widens_the_window_beyond_the_days(run: Run, vault: VaultFactory) -> None:
    root = vault({"bo.md": """
        ---
        name: Bo
        status: active
        email: bo@example.com
        customer_since: 2026-11-01
        service_due: 2026-12-01
        ---
    """})
    # a 7-day agenda still shows a service 11 days away (service lead time 14 days)
    result = run(root, "agenda", "--date", "2026-11-20", "--days", "7", "--json")
    assert [(i["section"], i["kind"]) for i in json.loads(result.stdout)["items"]] == [
        ("upcoming", "service")]
    result = run(root, "agenda", "--date", "2026-11-10", "--days", "7", "--json")
    assert json.loads(result.stdout)["items"] == []


def test_the_empty_message_is_true(run: Run, vault: VaultFactory) -> None:
    root = vault({"cy.md": """
        ---
        name: Cy
        status: lost
        email: cy@example.com
        ---

        ## Tasks

        - [ ] 2026-11-25 Ring back
    """}, config="[agenda]\nlead_days = { task = 0 }\n")
    week = run(root, "agenda", "--date", "2026-11-20", "--days", "7")
    assert "Ring back" in week.stdout and "Nothing due" not in week.stdout
    assert "Agenda for Friday 20 November 2026 · next 7 days" in week.stdout
    short = run(root, "agenda", "--date", "2026-11-20", "--days", "2")
    assert short.stdout.strip() == ("Nothing due: nothing overdue, today or in the next 2 days "
                                    "(as of 2026-11-20).")
