"""The pulse's services: the next ones due per month ahead (capacity) and those of the
period, summed over the profiles in scope one at a time (docs/pulse.md, "Services")."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from plaincrm.config import Config
from plaincrm.model import Profile, add_months
from plaincrm.pulse.period import Period, month_key, months
from plaincrm.pulse.settings import MONTHS_AHEAD
from plaincrm.reminders import Reminder, on_service_round, service_due


class Services:
    """Next services due per month ahead (capacity), and the services of the period, summed
    over the profiles in scope one at a time."""

    def __init__(self, today: dt.date, period: Period) -> None:
        self.today = today
        self.since, self.until = period.since, min(period.until, today)
        this_month = today.replace(day=1)
        self.ahead = dict.fromkeys(months(this_month, add_months(this_month,
                                                                   MONTHS_AHEAD - 1)), 0)
        self.done = dict.fromkeys(months(self.since, self.until), 0)
        self.overdue = self.due = self.done_of_due = self.done_total = 0

    def take(self, p: Profile, found: list[Reminder], config: Config) -> None:
        """``p``, with ``found``, its actionable reminders today."""
        since, until = self.since, self.until
        nxt = next((r.date for r in found if r.kind == "service"), None)
        if nxt is not None:
            if nxt < self.today:
                self.overdue += 1
            elif month_key(nxt) in self.ahead:
                self.ahead[month_key(nxt)] += 1
        logged = [e for e in p.log if e.kind == "service" and since <= e.date <= until]
        for e in logged:
            self.done[month_key(e.date)] += 1
        self.done_total += len(logged)
        # the service due as of the period's start: the same as now unless a service was
        # logged since then
        later = any(e.kind == "service" and e.date >= since for e in p.log)
        then = service_due(replace(p, log=tuple(e for e in p.log if e.date < since))) \
            if later else (nxt, None) if nxt else None
        if then is not None and then[0] <= until and on_service_round(p, config):
            self.due += 1
            self.done_of_due += bool(logged)

    def figures(self) -> dict[str, Any]:
        return {"overdue": self.overdue,
                "ahead": [{"month": m, "due": n} for m, n in self.ahead.items()],
                "done": [{"month": m, "done": n} for m, n in self.done.items()],
                "done_total": self.done_total, "due_in_period": self.due,
                "done_of_due": self.done_of_due,
                "done_share": self.done_of_due / self.due if self.due else None}
