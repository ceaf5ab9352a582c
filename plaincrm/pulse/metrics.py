"""Every figure of ``plaincrm pulse``, computed from plain records (no I/O).

Input: the profiles (with their log entries and tasks), the configuration, the facts of the git
history (:class:`plaincrm.pulse.history.GitFacts`, or None with the reason there is none), a
day for "today" and the period. Due dates come from :mod:`plaincrm.reminders` and the agenda's
sections from :mod:`plaincrm.agenda`; nothing here derives a due date of its own. The result is
plain JSON-ready data: the text and HTML renderers show exactly these numbers.

Every definition is in docs/pulse.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from plaincrm.agenda import matches_me, place
from plaincrm.config import Config
from plaincrm.fields import FieldError
from plaincrm.model import LogEntry, Profile, add_months
from plaincrm.pulse import retention as ret
from plaincrm.pulse.history import GitFacts, StatusChange, entry_key
from plaincrm.pulse.settings import MONTHS_AHEAD, YEARS, Settings
from plaincrm.reminders import (
    ACTIONABLE,
    Reminder,
    contact_due,
    occurrence,
    on_service_round,
    rules,
    service_due,
)

NOBODY = "(nobody)"
NO_KIND = "(no kind)"
NO_STATUS = "(none)"
NEW = "(new)"


@dataclass(frozen=True, slots=True)
class Records:
    """What the figures are computed from."""

    profiles: Sequence[Profile]
    git: GitFacts | None  # None: no usable history
    git_reason: str | None = None  # why there is none


@dataclass(frozen=True, slots=True)
class Period:
    since: dt.date
    until: dt.date
    explicit_since: bool = False  # --since was given: list what happened ("while you were away")


def default_period(today: dt.date, since: dt.date | None, until: dt.date | None,
                   weeks: int = 12) -> Period:
    """``--since``/``--until`` with their defaults: until today, from the Monday ``weeks``
    weeks back (so the period is ``weeks`` calendar weeks, the last one running)."""
    end = until or today
    start = since or week_start(end) - dt.timedelta(weeks=weeks - 1)
    return Period(start, end, since is not None)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _weeks(period: Period) -> list[dt.date]:
    first, last = week_start(period.since), week_start(period.until)
    return [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _months(first: dt.date, last: dt.date) -> list[str]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(month_key(day))
        day = add_months(day, 1)
    return out


@dataclass(frozen=True, slots=True)
class Entry:
    """A log entry as the pulse sees it."""

    profile: Profile
    entry: LogEntry
    author: str
    attempt: bool


class Pulse:
    """The computation over one set of records; :meth:`figures` returns every number."""

    def __init__(self, records: Records, config: Config, settings: Settings, today: dt.date,
                 period: Period, owner: str | None = None) -> None:
        self.records, self.config, self.settings = records, config, settings
        self.rule_config = _Durations(config)
        self.today, self.period, self.owner = today, period, owner
        self.notes: list[str] = []
        # log entries dated after today are left out of every figure (a note counts them)
        self.future = [(p, e) for p in records.profiles for e in p.log if e.date > today]
        self.stripped = {p.path for p, _ in self.future}
        self.profiles = [p if p.path not in self.stripped else
                         replace(p, log=tuple(e for e in p.log if e.date <= today))
                         for p in records.profiles]
        self.git = records.git
        owners = {p.owner for p in self.profiles if p.owner}
        owners |= {t.owner for p in self.profiles for t in p.tasks if t.owner}
        self._staff_names = sorted(owners)
        self.mine = [p for p in self.profiles if self._wanted(p.owner)]
        length = (period.until - period.since).days + 1
        self.previous = Period(period.since - dt.timedelta(days=length),
                               period.since - dt.timedelta(days=1))
        self.entries = self._entries()
        self._reminders: dict[str, list[Reminder]] = {}

    # -------------------------------------------------------------- shared rules

    def _wanted(self, who: str | None) -> bool:
        return self.owner is None or matches_me(who, self.owner)

    @cache  # noqa: B019 - one Pulse per command
    def staff(self, author: str) -> str:
        """A git author as a staff member: the owner name it matches (``Ben Smith`` is
        ``ben``), else the author's own name."""
        return next((o for o in self._staff_names if matches_me(o, author)), author)

    def _in_period(self, day: dt.date) -> bool:
        return self.period.since <= day <= self.period.until and day <= self.today

    def _entries(self) -> list[Entry]:
        """The log entries the heartbeat and "while you were away" look at: those of the
        period and of the period before it (the trend), each with its author."""
        authors = self.git.entry_authors if self.git else {}
        attempts = self.settings.attempt_kinds
        first, last = self.previous.since, min(self.period.until, self.today)
        out: list[Entry] = []
        for p in self.profiles:
            for e in p.log:
                if not first <= e.date <= last:
                    continue
                author = authors.get(entry_key(p.path, e.date, e.kind, e.text)) \
                    if authors else None
                who = self.staff(author) if author else (p.owner or NOBODY)
                out.append(Entry(p, e, who, e.kind in attempts))
        return out

    def contacts(self, p: Profile) -> tuple[LogEntry, ...]:
        """The log entries of ``p`` that are contacts (not attempts)."""
        attempts = self.settings.attempt_kinds
        if not any(e.kind in attempts for e in p.log):
            return p.log
        return tuple(e for e in p.log if e.kind not in attempts)

    def reminders(self, p: Profile) -> list[Reminder]:
        """The actionable reminders of ``p`` today, from the reminder model (once a profile)."""
        known = self._reminders.get(p.path)
        if known is None:
            found = (occurrence(rule, self.today) for rule in rules(p, self.rule_config)
                     if rule.kind in ACTIONABLE)
            known = self._reminders[p.path] = [r for r in found if r is not None]
        return known

    # -------------------------------------------------------------- the figures

    def figures(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "date": self.today.isoformat(),
            "since": self.period.since.isoformat(),
            "until": self.period.until.isoformat(),
            "owner": self.owner,
            "history": {"source": "git" if self.git is not None else "log",
                        "reason": self.records.git_reason,
                        "lapse_days": self.settings.lapse_days},
            "heartbeat": self.heartbeat(),
            "follow_through": self.follow_through(),
            "quiet": self.quiet(),
            "pipeline": self.pipeline(),
            "retention": self.retention(),
            "away": self.away() if self.period.explicit_since else None,
        }
        data["notes"] = self._general_notes() + self.notes
        return data

    def _general_notes(self) -> list[str]:
        notes = []
        if self.git is None:
            notes.append("no status history: active and lost "
                         f"are read from the log by the lapse rule (a contact at least every "
                         f"{self.settings.lapse_days} days); status moves, who wrote each log "
                         "entry and when tasks were ticked are not known")
        if self.future:
            e = min((f[1] for f in self.future), key=lambda x: x.location)
            n = len(self.future)
            notes.append(f"{n} log entr{'ies are' if n != 1 else 'y is'} dated after "
                         f"{self.today.isoformat()} (first: {e.location}): left out of "
                         "every figure")
        return notes

    def heartbeat(self) -> dict[str, Any]:
        """Interactions per week by kind, by staff member, attempts apart; the trend."""
        weeks: dict[dt.date, dict[str, Any]] = {
            w: {"week": w.isoformat(), "contacts": 0, "attempts": 0, "kinds": Counter[str]()}
            for w in _weeks(self.period)}
        staff: dict[str, Counter[str]] = defaultdict(Counter)
        kinds: Counter[str] = Counter()
        attempt_kinds: Counter[str] = Counter()
        before = self.previous
        previous = Counter[str]()
        for item in self.entries:
            if not self._wanted(item.author):
                continue
            day = item.entry.date
            what = "attempts" if item.attempt else "contacts"
            if before.since <= day <= before.until:
                previous[what] += 1
            if not self._in_period(day):
                continue
            week = weeks[week_start(day)]
            week[what] += 1
            kind = item.entry.kind or NO_KIND
            if item.attempt:
                attempt_kinds[kind] += 1
            else:
                week["kinds"][kind] += 1
                kinds[kind] += 1
            staff[item.author][what] += 1
        total = {"contacts": sum(kinds.values()), "attempts": sum(attempt_kinds.values())}
        trend = ((total["contacts"] - previous["contacts"]) / previous["contacts"]
                 if previous["contacts"] else None)
        return {
            "weeks": [dict(w, kinds=dict(w["kinds"])) for w in weeks.values()],
            "kinds": dict(kinds),
            "attempt_kinds": dict(attempt_kinds),
            "staff": {name: {"contacts": c["contacts"], "attempts": c["attempts"]}
                      for name, c in sorted(staff.items())},
            "total": total,
            "previous": {"since": before.since.isoformat(), "until": before.until.isoformat(),
                         "contacts": previous["contacts"], "attempts": previous["attempts"]},
            "trend": trend,
        }

    def follow_through(self) -> dict[str, Any]:
        """Open and overdue items per staff member and kind, the oldest overdue, tasks done
        per week, services ahead per month and services done versus due."""
        by_owner: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        oldest: dict[str, Any] | None = None
        for p in self.profiles:
            for r in self.reminders(p):
                if not r.actionable or not self._wanted(r.owner):
                    continue
                cell = by_owner[r.owner or NOBODY][r.kind]
                cell["open"] += 1
                if place(r, self.config, self.today, 0) != "overdue":
                    continue
                cell["overdue"] += 1
                key = (r.date, r.name, r.path, r.location.line)
                if oldest is None or key < oldest["key"]:
                    oldest = {"key": key, "date": r.date.isoformat(), "kind": r.kind,
                              "name": r.name, "path": r.path, "line": r.location.line,
                              "text": r.text, "owner": r.owner,
                              "days_overdue": (self.today - r.date).days}
        if oldest is not None:
            del oldest["key"]
        owners = {o: {k: {"open": c["open"], "overdue": c["overdue"]}
                      for k, c in sorted(kinds.items())}
                  for o, kinds in sorted(by_owner.items())}
        return {
            "owners": owners,
            "open": sum(c["open"] for k in owners.values() for c in k.values()),
            "overdue": sum(c["overdue"] for k in owners.values() for c in k.values()),
            "oldest_overdue": oldest,
            "tasks_done": self.tasks_done(),
            "services": self.services(),
        }

    def tasks_done(self) -> dict[str, Any]:
        weeks = Counter[dt.date]({w: 0 for w in _weeks(self.period)})
        if self.git is not None:
            for t in self.git.tasks_done:
                if self._in_period(t.date) and self._wanted(self.staff(t.author)):
                    weeks[week_start(t.date)] += 1
            source = "git"
        else:
            for p in self.profiles:
                for task in p.tasks:
                    if task.done and task.date is not None and self._in_period(task.date) \
                            and self._wanted(task.owner or p.owner):
                        weeks[week_start(task.date)] += 1
            source = "task dates"
            self.notes.append("tasks done are counted in the week of the task's own date "
                              "(when they were ticked is known from git history only)")
        return {"weeks": [{"week": w.isoformat(), "count": n} for w, n in sorted(weeks.items())],
                "total": sum(weeks.values()), "source": source}

    def services(self) -> dict[str, Any]:
        """Next services due per month ahead (capacity), and the services of the period."""
        this_month = self.today.replace(day=1)
        ahead = dict.fromkeys(_months(this_month, add_months(this_month, MONTHS_AHEAD - 1)), 0)
        done = dict.fromkeys(_months(self.period.since, min(self.period.until, self.today)), 0)
        overdue = due = done_of_due = done_total = 0
        since, until = self.period.since, min(self.period.until, self.today)
        for p in self.mine:
            nxt = next((r.date for r in self.reminders(p) if r.kind == "service"), None)
            if nxt is not None:
                if nxt < self.today:
                    overdue += 1
                elif month_key(nxt) in ahead:
                    ahead[month_key(nxt)] += 1
            logged = [e for e in p.log if e.kind == "service" and since <= e.date <= until]
            for e in logged:
                done[month_key(e.date)] += 1
            done_total += len(logged)
            # the service due as of the period's start: the same as now unless a service
            # was logged since then
            later = any(e.kind == "service" and e.date >= since for e in p.log)
            then = service_due(replace(p, log=tuple(e for e in p.log if e.date < since))) \
                if later else (nxt, None) if nxt else None
            if then is not None and then[0] <= until and on_service_round(p, self.config):
                due += 1
                done_of_due += bool(logged)
        return {"overdue": overdue,
                "ahead": [{"month": m, "due": n} for m, n in ahead.items()],
                "done": [{"month": m, "done": n} for m, n in done.items()],
                "done_total": done_total, "due_in_period": due,
                "done_of_due": done_of_due,
                "done_share": done_of_due / due if due else None}

    def quiet(self) -> dict[str, Any]:
        """Active customers with no contact for longer than their keep-in-touch period."""
        rows: list[dict[str, Any]] = []
        for p in self.mine:
            if p.status not in self.settings.active_statuses:
                continue
            contacts = self.contacts(p)
            if contacts is p.log:  # no attempts: the agenda's keep-in-touch date
                due = next((r.date for r in self.reminders(p) if r.kind == "keep_in_touch"),
                           None)
                reached = p
            else:
                reached = replace(p, log=contacts)
                found = contact_due(reached, self.config, self.today)
                due = found[0] if found else None
            if due is None or due >= self.today:
                continue
            last = reached.newest_log()
            since = last.date if last else p.customer_since
            rows.append({"name": p.display_name, "path": p.path, "owner": p.owner,
                         "last_contact": last.date.isoformat() if last else None,
                         "days_since": (self.today - since).days if since else None,
                         "due": due.isoformat(),
                         "days_overdue": (self.today - due).days})
        rows.sort(key=lambda r: (-(r["days_since"] if r["days_since"] is not None else 10**9),
                                 r["name"], r["path"]))
        owners = Counter(r["owner"] or NOBODY for r in rows)
        return {"customers": rows, "count": len(rows), "owners": dict(sorted(owners.items()))}

    def pipeline(self) -> dict[str, Any]:
        """Profiles per status now, and the moves between statuses in the period."""
        now = Counter(p.status or NO_STATUS for p in self.mine)
        data: dict[str, Any] = {"now": dict(sorted(now.items())), "moves": None,
                                "changes": None}
        if self.git is None:
            return data
        names = {p.path: p.display_name for p in self.mine}
        changes = [s for s in self.git.statuses
                   if s.path in names and self._in_period(s.date) and s.new is not None]
        moves = Counter(f"{s.old or (NEW if s.created else NO_STATUS)} → {s.new}"
                        for s in changes)
        data["moves"] = dict(sorted(moves.items()))
        data["changes"] = [{"date": s.date.isoformat(), "path": s.path, "name": names[s.path],
                            "old": s.old, "new": s.new, "created": s.created,
                            "author": self.staff(s.author) if s.author else None}
                           for s in changes]
        return data

    # -------------------------------------------------------------- retention

    def customers(self) -> list[ret.Customer]:
        """The active days of each profile in scope (see :mod:`plaincrm.pulse.retention`)."""
        history: dict[str, list[StatusChange]] = defaultdict(list)
        if self.git is not None:
            for s in self.git.statuses:
                history[s.path].append(s)
        out, uncommitted, never, later = [], 0, 0, 0
        for p in self.mine:
            contacts = sorted({e.date for e in self.contacts(p)})
            changes: list[StatusChange] | None = None
            status_now = p.status
            if self.git is not None:
                everything = history.get(p.path, [])
                changes = [s for s in everything if s.date <= self.today]
                if len(changes) < len(everything):
                    later += 1  # --date in the past: the status it had then
                    status_now = changes[-1].new if changes else p.status
                elif not changes:
                    never += 1
                elif changes[-1].new != p.status:
                    uncommitted += 1
            out.append(ret.customer(p.path, p.customer_since, contacts, changes, status_now,
                                    self.settings, self.today))
        if uncommitted:
            self.notes.append(f"{_count(uncommitted, 'profile')} {_has(uncommitted)} a "
                              "status not committed to git: counted from today")
        if never:
            self.notes.append(f"{_count(never, 'profile')} {_is(never)} not committed to git: "
                              "read by the lapse rule")
        if later:
            self.notes.append(f"{_count(later, 'profile')} changed status after "
                              f"{self.today.isoformat()}: counted with the status they had then")
        return out

    def retention(self) -> dict[str, Any]:
        customers = self.customers()
        starts = [c.start.year for c in customers if c.start is not None]
        no_start = sum(1 for c, p in zip(customers, self.mine, strict=True)
                       if c.start is None and (c.intervals or p.status in
                                               self.settings.active_statuses))
        if no_start:
            self.notes.append(f"{_count(no_start, 'customer')} {_has(no_start)} "
                              "no customer_since (and no history shows when they started): "
                              "left out of retention and cohorts")
        starts = [y for y in starts if y <= self.today.year]
        if not starts:
            self.notes.append("no customer has a start (customer_since): retention and "
                              "cohorts cannot be computed")
            return ret.figures([], self.today, self.today.year + 1)
        first = max(min(starts), self.today.year - YEARS + 1)
        if min(starts) < first:
            self.notes.append(f"cohorts before {first} are not shown (the table keeps the "
                              f"last {YEARS} years)")
        data = ret.figures(customers, self.today, first)
        for year in data["years"]:
            if year["start"] == 0:
                self.notes.append(f"no retention rate for {year['year']}: nobody was an "
                                  "active customer at its start")
        return data

    # -------------------------------------------------------------- while you were away

    def away(self) -> dict[str, Any]:
        """What happened in the period: entries logged, tasks done, profiles added or changed,
        by whom."""
        names = {p.path: p.display_name for p in self.profiles}
        people: dict[str, Counter[str]] = defaultdict(Counter)
        entries = []
        for item in sorted(self.entries, key=lambda i: (i.entry.date, i.profile.path,
                                                         i.entry.location.line)):
            if self._in_period(item.entry.date) and self._wanted(item.author):
                e = item.entry
                entries.append({"date": e.date.isoformat(), "name": item.profile.display_name,
                                "path": e.location.path, "line": e.location.line,
                                "kind": e.kind, "text": e.text, "author": item.author,
                                "attempt": item.attempt})
                people[item.author]["entries"] += 1
        tasks: list[dict[str, Any]] | None = None
        events: list[dict[str, Any]] | None = None
        if self.git is not None:
            tasks, events = [], []
            for t in self.git.tasks_done:
                who = self.staff(t.author)
                if self._in_period(t.date) and self._wanted(who):
                    tasks.append({"date": t.date.isoformat(), "name": names.get(t.path, t.path),
                                  "path": t.path, "text": t.text, "author": who})
                    people[who]["tasks_done"] += 1
            for ev in self.git.events:
                who = self.staff(ev.author)
                if self._in_period(ev.date) and self._wanted(who):
                    events.append({"date": ev.date.isoformat(), "path": ev.path,
                                   "name": names.get(ev.path, ev.path), "what": ev.what,
                                   "author": who})
                    people[who][ev.what] += 1
        keys = ("entries", "tasks_done", "added", "changed", "removed")
        return {"entries": entries, "tasks_done": tasks, "profiles": events,
                "people": {who: {k: c[k] for k in keys} for who, c in sorted(people.items())}}


class _Durations(Config):
    """``config`` with each status's keep-in-touch duration read once, not once a profile."""

    def __init__(self, config: Config) -> None:
        super().__init__({name: config[name] for name in config})
        self._every: dict[str | None, Any] = {}

    def contact_every(self, status: str | None) -> Any:
        if status not in self._every:
            try:
                self._every[status] = super().contact_every(status)
            except FieldError as exc:
                self._every[status] = exc
        found = self._every[status]
        if isinstance(found, FieldError):
            raise found
        return found


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _is(n: int) -> str:
    return "is" if n == 1 else "are"


def _has(n: int) -> str:
    return "has" if n == 1 else "have"


def compute(records: Records, config: Config, settings: Settings, today: dt.date,
            period: Period, owner: str | None = None) -> dict[str, Any]:
    """Every figure of the pulse as JSON-ready data (see docs/pulse.md)."""
    return Pulse(records, config, settings, today, period, owner).figures()

