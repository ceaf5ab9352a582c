"""A profile as public JSON (stable keys) and as the ``show`` text (also each ``brief``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plaincrm.logkinds import LogKinds
from plaincrm.model import KNOWN_KEYS, LogEntry, Profile, raw_text
from plaincrm.recall import REMEMBER, Notes, days_text, newest, pinned
from plaincrm.reminders import Reminder
from plaincrm.render.table import table

Style = Callable[..., str]
NEXT_KINDS = {"service": "next service", "birthday": "next birthday",
              "keep_in_touch": "get in touch"}
LONG_LINE = 1000  # characters of one note line shown in text; the rest is counted


def profile_json(p: Profile, detail: bool = True) -> dict[str, Any]:
    """The public JSON of a profile; ``detail`` adds every task and log entry."""
    open_tasks = [t for t in p.tasks if not t.done]
    newest = p.newest_log()
    data: dict[str, Any] = {
        "path": p.path,
        "name": p.name,
        "id": p.id,
        "email": list(p.emails),
        "phone": list(p.phones),
        "birthday": str(p.birthday) if p.birthday else None,
        "status": p.status,
        "service_due": _iso(p.service_due),
        "service_every": str(p.service_every) if p.service_every else None,
        "contact_every": str(p.contact_every) if p.contact_every else None,
        "customer_since": _iso(p.customer_since),
        "owner": p.owner,
        "tags": list(p.tags),
        "other": {f.key: f.raw for f in p.fields if f.key not in KNOWN_KEYS},
        "open_tasks": len(open_tasks),
        "log_entries": p.log_count,
        "last_contact": _iso(newest.date) if newest else None,
        "has_problems": p.has_problems,
    }
    if detail:
        data["tasks"] = [
            {"line": t.location.line, "date": _iso(t.date), "text": t.text, "done": t.done,
             "owner": t.owner}
            for t in p.tasks
        ]
        data["log"] = [
            {"line": e.location.line, "date": e.date.isoformat(), "kind": e.kind,
             "text": e.text}
            for e in p.log
        ]
    return data


def recall_json(p: Profile, kinds: LogKinds, found: Notes) -> dict[str, Any]:
    """What ``show --json`` adds: the notes and pinned facts whole, and each log entry's
    class (``conversation``, ``admin`` or ``attempt``)."""
    return {
        "notes": found.text,
        "notes_line": found.line,
        REMEMBER: pinned(p),
        "log": [{"line": e.location.line, "date": e.date.isoformat(), "kind": e.kind,
                 "text": e.text, "class": kinds.classify(e.kind)} for e in p.log],
    }


@dataclass(frozen=True, slots=True)
class Brief:
    """How much of a profile the text shows: ``log`` entries of each class (None: every entry
    in one list) and ``notes`` lines (None: all)."""

    log: int | None = 3
    notes: int | None = 12


def _plain(text: str, **_styles: Any) -> str:
    return text


def profile_lines(p: Profile, kinds: LogKinds, found: Notes, upcoming: list[Reminder],
                  today: dt.date, size: Brief | None = None,
                  style: Style = _plain) -> list[str]:
    """The ``show`` text: the name, the pinned facts, contacts, dates and other keys, the notes
    (shortened to ``size.notes`` lines, with how many more and the file), open tasks, then the
    newest conversations and the newest paperwork apart (or the whole log)."""
    size = size or Brief()
    head = style(p.display_name, bold=True)
    facts = [x for x in (p.status, f"owner {p.owner}" if p.owner else None) if x]
    lines = [f"{head}  ({', '.join(facts)})" if facts else head, f"  {p.path}"]
    if found.remember:
        lines += ["", style("Remember", bold=True), *[_indent(x) for x in found.remember]]
    lines += ["", *["  " + line for line in table(_rows(p, upcoming, today))]]
    if found.lines:
        shown = found.lines if size.notes is None else found.lines[:size.notes]
        lines += ["", style("Notes", bold=True), *[_indent(x) for x in shown]]
        more = len(found.lines) - len(shown)
        if more:
            lines.append(style(f"  … {more} more line{'s' if more != 1 else ''} in {p.path}",
                               dim=True))
    open_tasks = sorted((t for t in p.tasks if not t.done),
                        key=lambda t: (t.date is None, t.date, t.location.line))
    if open_tasks:
        lines += ["", style("Open tasks", bold=True)]
        lines += [f"  {t.date.isoformat() if t.date else 'undated   '}  {t.text}"
                  for t in open_tasks]
    if size.log is None:
        entries = newest(p, kinds)
        if entries:
            lines += ["", style(f"Log (all {len(entries)}, newest first)", bold=True)]
            lines += [_entry(e) for e in entries]
        return lines
    talks = newest(p, kinds, "conversation")
    other = [e for e in newest(p, kinds) if kinds.classify(e.kind) != "conversation"]
    for title, entries in (("Conversations", talks), ("Admin", other)):
        if entries:
            shown_entries = entries[:size.log]
            lines += ["", style(f"{title} (newest {len(shown_entries)} of {len(entries)})",
                                bold=True)]
            lines += [_entry(e) for e in shown_entries]
    return lines


def _entry(e: LogEntry) -> str:
    return f"  {e.date.isoformat()}  {e.kind + ': ' if e.kind else ''}{_long(e.text)}"


def _indent(line: str) -> str:
    return "  " + _long(line) if line.strip() else ""


def _long(text: str) -> str:
    """A line of the user's text, cut at LONG_LINE characters with how many more there are."""
    if len(text) <= LONG_LINE:
        return text
    return f"{text[:LONG_LINE]}… ({len(text) - LONG_LINE} more characters)"


def _rows(p: Profile, upcoming: list[Reminder], today: dt.date) -> list[list[str]]:
    rows: list[list[str]] = []
    for email in p.emails:
        rows.append(["email", email])
    for phone in p.phones:
        rows.append(["phone", phone])
    if p.birthday:
        rows.append(["birthday", str(p.birthday)])
    if p.customer_since:
        rows.append(["customer since", p.customer_since.isoformat()])
    if p.service_due or p.service_every:
        every = f" (every {p.service_every})" if p.service_every else ""
        due = p.service_due.isoformat() if p.service_due else "-"
        rows.append(["service due", due + every])
    if p.contact_every:
        rows.append(["contact every", str(p.contact_every)])
    for r in sorted(upcoming, key=lambda r: list(NEXT_KINDS).index(r.kind)):
        notes = [days_text(r.date, today)]
        if r.kind == "birthday" and r.text != "birthday":
            notes.append(r.text)
        rows.append([NEXT_KINDS[r.kind], f"{r.date.isoformat()} ({', '.join(notes)})"])
    if p.tags:
        rows.append(["tags", ", ".join(p.tags)])
    for f in p.fields:
        if f.key not in KNOWN_KEYS and f.key != REMEMBER:
            rows.append([f.key, raw_text(f.raw)])
    return rows


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


