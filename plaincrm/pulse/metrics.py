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
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from plaincrm.agenda import matches_me, place
from plaincrm.config import Config
from plaincrm.fields import FieldError
from plaincrm.model import LogEntry, Profile
from plaincrm.pulse import retention as ret
from plaincrm.pulse.history import GitFacts, StatusChange, entry_key
from plaincrm.pulse.period import Period, period_weeks, week_start
from plaincrm.pulse.services import Services
from plaincrm.pulse.settings import YEARS, Settings
from plaincrm.reminders import (
    ACTIONABLE,
    Reminder,
    contact_due,
    occurrence,
    rules,
)

NOBODY = "(nobody)"
NO_KIND = "(no kind)"
NO_STATUS = "(none)"
NEW = "(new)"


@dataclass(frozen=True, slots=True)
class Records:
    """What the figures are computed from."""

    profiles: Iterable[Profile]  # read once, in one pass
    git: GitFacts | None  # None: no usable history
    git_reason: str | None = None  # why there is none


@dataclass(frozen=True, slots=True)
class Entry:
    """A log entry as the pulse sees it."""

    path: str
    name: str  # the profile's display name
    entry: LogEntry
    author: str
    attempt: bool


class Pulse:
    """The computation over one set of records: one pass over the profiles gathers what each
    figure needs (a profile is dropped once read, so memory holds the sums, not the vault);
    :meth:`figures` returns every number."""

    def __init__(self, records: Records, config: Config, settings: Settings, today: dt.date,
                 period: Period, owner: str | None = None) -> None:
        self.records, self.config, self.settings = records, config, settings
        self.rule_config = _Durations(config)
        self.today, self.period, self.owner = today, period, owner
        self.notes: list[str] = []
        self.git = records.git
        length = (period.until - period.since).days + 1
        self.previous = Period(period.since - dt.timedelta(days=length),
                               period.since - dt.timedelta(days=1))
        self._history: dict[str, list[StatusChange]] = defaultdict(list)
        for s in self.git.statuses if self.git else ():
            self._history[s.path].append(s)
        # the profiles whose names the figures show: their status moved, or (while you were
        # away) a task was ticked or the file changed, in the period
        self._named = {s.path for s in self._git_statuses()}
        if self.git and period.explicit_since:
            self._named.update(t.path for t in self.git.tasks_done if self._in_period(t.date))
            self._named.update(e.path for e in self.git.events if self._in_period(e.date))
        self._names: dict[str, tuple[str, bool]] = {}  # path -> (display name, in scope)
        self._future: list[LogEntry] = []  # log entries dated after today
        self._owners: set[str] = set()
        # log entries of the period and the one before (the trend), counted by (git author,
        # profile owner when git does not say, date, kind); listed when --since asks what
        # happened while you were away
        self._beats = Counter[tuple[str | None, str | None, dt.date, str | None]]()
        self._raw_entries: list[tuple[str, str, str | None, LogEntry, str | None]] = []
        self._open: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        self._oldest: tuple[tuple[Any, ...], Reminder] | None = None
        self._ticked = Counter[dt.date]()  # tasks done by their own date (no git)
        self._services = Services(today, period)
        self._quiet: list[dict[str, Any]] = []
        self._now = Counter[str]()  # profiles in scope per status
        self._customers: list[ret.Customer] = []
        self._customer_notes = Counter[str]()
        for p in records.profiles:
            self._take(p)
        self._staff_names = sorted(self._owners)
        self.entries = self._entries()

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

    def _git_statuses(self) -> list[StatusChange]:
        """The status moves of the period."""
        return [s for s in self.git.statuses if self._in_period(s.date) and s.new is not None] \
            if self.git else []

    def contacts(self, p: Profile) -> tuple[LogEntry, ...]:
        """The log entries of ``p`` that are contacts (not attempts)."""
        attempts = self.settings.attempt_kinds
        if not any(e.kind in attempts for e in p.log):
            return p.log
        return tuple(e for e in p.log if e.kind not in attempts)

    def reminders(self, p: Profile) -> list[Reminder]:
        """The actionable reminders of ``p`` today, from the reminder model."""
        found = (occurrence(rule, self.today) for rule in rules(p, self.rule_config)
                 if rule.kind in ACTIONABLE)
        return [r for r in found if r is not None]

    # -------------------------------------------------------------- the pass

    def _take(self, p: Profile) -> None:
        """What each figure needs of one profile (log entries dated after today are left out
        of every figure; a note counts them)."""
        future = [e for e in p.log if e.date > self.today]
        if future:
            self._future += future
            p = replace(p, log=tuple(e for e in p.log if e.date <= self.today))
        if p.owner:
            self._owners.add(p.owner)
        self._owners.update(t.owner for t in p.tasks if t.owner)
        mine = self._wanted(p.owner)
        if p.path in self._named:
            self._names[p.path] = (p.display_name, mine)
        self._take_entries(p)
        found = self.reminders(p)
        self._take_open(found)
        if self.git is None:
            for task in p.tasks:
                if task.done and task.date is not None and self._in_period(task.date) \
                        and self._wanted(task.owner or p.owner):
                    self._ticked[week_start(task.date)] += 1
        if mine:
            self._now[p.status or NO_STATUS] += 1
            self._services.take(p, found, self.config)
            self._take_quiet(p, found)
            self._take_customer(p)

    def _take_entries(self, p: Profile) -> None:
        """The log entries the heartbeat and "while you were away" look at: those of the
        period and of the period before it (the trend), with their git author if known."""
        authors = self.git.entry_authors if self.git else {}
        first, last = self.previous.since, min(self.period.until, self.today)
        listed = self.period.explicit_since
        for e in p.log:
            if first <= e.date <= last:
                author = authors.get(entry_key(p.path, e.date, e.kind, e.text)) \
                    if authors else None
                self._beats[author, None if author else p.owner, e.date, e.kind] += 1
                if listed and self._in_period(e.date):
                    self._raw_entries.append((p.path, p.display_name, p.owner, e, author))

    def _author(self, author: str | None, owner: str | None) -> str:
        """Who wrote a log entry: its git author as a staff member, else the profile's owner."""
        return self.staff(author) if author else (owner or NOBODY)

    def _entries(self) -> list[Entry]:
        """The entries of the period listed by :meth:`_take_entries`, each with its author."""
        attempts = self.settings.attempt_kinds
        return [Entry(path, name, e, self._author(author, owner), e.kind in attempts)
                for path, name, owner, e, author in self._raw_entries]

    def _take_open(self, found: list[Reminder]) -> None:
        for r in found:
            if not r.actionable or not self._wanted(r.owner):
                continue
            cell = self._open[r.owner or NOBODY][r.kind]
            cell["open"] += 1
            if place(r, self.config, self.today, 0) != "overdue":
                continue
            cell["overdue"] += 1
            key = (r.date, r.name, r.path, r.location.line)
            if self._oldest is None or key < self._oldest[0]:
                self._oldest = key, r

    def _take_quiet(self, p: Profile, found: list[Reminder]) -> None:
        """``p`` when it is an active customer with no contact for longer than its
        keep-in-touch period."""
        if p.status not in self.settings.active_statuses:
            return
        contacts = self.contacts(p)
        if contacts is p.log:  # no attempts: the agenda's keep-in-touch date
            due = next((r.date for r in found if r.kind == "keep_in_touch"), None)
            reached = p
        else:
            reached = replace(p, log=contacts)
            found_due = contact_due(reached, self.config, self.today)
            due = found_due[0] if found_due else None
        if due is None or due >= self.today:
            return
        last = reached.newest_log()
        since = last.date if last else p.customer_since
        self._quiet.append({"name": p.display_name, "path": p.path, "owner": p.owner,
                            "last_contact": last.date.isoformat() if last else None,
                            "days_since": (self.today - since).days if since else None,
                            "due": due.isoformat(), "days_overdue": (self.today - due).days})

    def _take_customer(self, p: Profile) -> None:
        """The active days of ``p`` (see :mod:`plaincrm.pulse.retention`)."""
        contacts = sorted({e.date for e in self.contacts(p)})
        changes: list[StatusChange] | None = None
        status_now = p.status
        if self.git is not None:
            everything = self._history.get(p.path, [])
            changes = [s for s in everything if s.date <= self.today]
            if len(changes) < len(everything):
                self._customer_notes["later"] += 1  # --date in the past: its status then
                status_now = changes[-1].new if changes else p.status
            elif not changes:
                self._customer_notes["never"] += 1
            elif changes[-1].new != p.status:
                self._customer_notes["uncommitted"] += 1
        c = ret.customer(p.path, p.customer_since, contacts, changes, status_now,
                         self.settings, self.today)
        if c.start is None and (c.intervals or p.status in self.settings.active_statuses):
            self._customer_notes["no_start"] += 1
        self._customers.append(c)

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
        if self._future:
            e = min(self._future, key=lambda x: x.location)
            n = len(self._future)
            notes.append(f"{n} log entr{'ies are' if n != 1 else 'y is'} dated after "
                         f"{self.today.isoformat()} (first: {e.location}): left out of "
                         "every figure")
        return notes

    def heartbeat(self) -> dict[str, Any]:
        """Interactions per week by kind, by staff member, attempts apart; the trend."""
        weeks: dict[dt.date, dict[str, Any]] = {
            w: {"week": w.isoformat(), "contacts": 0, "attempts": 0, "kinds": Counter[str]()}
            for w in period_weeks(self.period)}
        staff: dict[str, Counter[str]] = defaultdict(Counter)
        kinds: Counter[str] = Counter()
        attempt_kinds: Counter[str] = Counter()
        before = self.previous
        previous = Counter[str]()
        attempts = self.settings.attempt_kinds
        for (author, owner, day, kind), n in self._beats.items():
            who = self._author(author, owner)
            if not self._wanted(who):
                continue
            attempt = kind in attempts
            what = "attempts" if attempt else "contacts"
            if before.since <= day <= before.until:
                previous[what] += n
            if not self._in_period(day):
                continue
            week = weeks[week_start(day)]
            week[what] += n
            if attempt:
                attempt_kinds[kind or NO_KIND] += n
            else:
                week["kinds"][kind or NO_KIND] += n
                kinds[kind or NO_KIND] += n
            staff[who][what] += n
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
        oldest: dict[str, Any] | None = None
        if self._oldest is not None:
            r = self._oldest[1]
            oldest = {"date": r.date.isoformat(), "kind": r.kind, "name": r.name,
                      "path": r.path, "line": r.location.line, "text": r.text,
                      "owner": r.owner, "days_overdue": (self.today - r.date).days}
        owners = {o: {k: {"open": c["open"], "overdue": c["overdue"]}
                      for k, c in sorted(kinds.items())}
                  for o, kinds in sorted(self._open.items())}
        return {
            "owners": owners,
            "open": sum(c["open"] for k in owners.values() for c in k.values()),
            "overdue": sum(c["overdue"] for k in owners.values() for c in k.values()),
            "oldest_overdue": oldest,
            "tasks_done": self.tasks_done(),
            "services": self._services.figures(),
        }

    def tasks_done(self) -> dict[str, Any]:
        weeks = Counter[dt.date]({w: 0 for w in period_weeks(self.period)})
        if self.git is not None:
            for t in self.git.tasks_done:
                if self._in_period(t.date) and self._wanted(self.staff(t.author)):
                    weeks[week_start(t.date)] += 1
            source = "git"
        else:
            weeks.update(self._ticked)
            source = "task dates"
            self.notes.append("tasks done are counted in the week of the task's own date "
                              "(when they were ticked is known from git history only)")
        return {"weeks": [{"week": w.isoformat(), "count": n} for w, n in sorted(weeks.items())],
                "total": sum(weeks.values()), "source": source}

    def quiet(self) -> dict[str, Any]:
        """Active customers with no contact for longer than their keep-in-touch period."""
        rows = sorted(self._quiet, key=lambda r: (
            -(r["days_since"] if r["days_since"] is not None else 10**9), r["name"], r["path"]))
        owners = Counter(r["owner"] or NOBODY for r in rows)
        return {"customers": rows, "count": len(rows), "owners": dict(sorted(owners.items()))}

    def pipeline(self) -> dict[str, Any]:
        """Profiles per status now, and the moves between statuses in the period."""
        data: dict[str, Any] = {"now": dict(sorted(self._now.items())), "moves": None,
                                "changes": None}
        if self.git is None:
            return data
        names = {path: name for path, (name, mine) in self._names.items() if mine}
        changes = [s for s in self._git_statuses() if s.path in names]
        moves = Counter(f"{s.old or (NEW if s.created else NO_STATUS)} → {s.new}"
                        for s in changes)
        data["moves"] = dict(sorted(moves.items()))
        data["changes"] = [{"date": s.date.isoformat(), "path": s.path, "name": names[s.path],
                            "old": s.old, "new": s.new, "created": s.created,
                            "author": self.staff(s.author) if s.author else None}
                           for s in changes]
        return data

    # -------------------------------------------------------------- retention

    def retention(self) -> dict[str, Any]:
        customers, counted = self._customers, self._customer_notes
        if counted["uncommitted"]:
            n = counted["uncommitted"]
            self.notes.append(f"{_count(n, 'profile')} {_has(n)} a status not committed to "
                              "git: counted from today")
        if counted["never"]:
            n = counted["never"]
            self.notes.append(f"{_count(n, 'profile')} {_is(n)} not committed to git: "
                              "read by the lapse rule")
        if counted["later"]:
            self.notes.append(f"{_count(counted['later'], 'profile')} changed status after "
                              f"{self.today.isoformat()}: counted with the status they had then")
        if counted["no_start"]:
            n = counted["no_start"]
            self.notes.append(f"{_count(n, 'customer')} {_has(n)} no customer_since (and no "
                              "history shows when they started): left out of retention and "
                              "cohorts")
        starts = [c.start.year for c in customers
                  if c.start is not None and c.start.year <= self.today.year]
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
        names = {path: name for path, (name, _mine) in self._names.items()}
        people: dict[str, Counter[str]] = defaultdict(Counter)
        entries = []
        for item in sorted(self.entries, key=lambda i: (i.entry.date, i.path,
                                                         i.entry.location.line)):
            if self._in_period(item.entry.date) and self._wanted(item.author):
                e = item.entry
                entries.append({"date": e.date.isoformat(), "name": item.name,
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

