"""plaincrm show: one profile at a glance, before you meet the person."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm.cli import App, date_option, json_option, pass_app
from plaincrm.config import Config
from plaincrm.errors import NoSuchProfile
from plaincrm.lookup import find_path
from plaincrm.model import Profile
from plaincrm.parse import KNOWN_KEYS
from plaincrm.reminders import Reminder, reminders
from plaincrm.render.profile import profile_json, raw_text
from plaincrm.render.table import table


@click.command()
@click.argument("name")
@date_option
@json_option
@pass_app
def show(app: App, name: str, today: dt.datetime | None, as_json: bool) -> None:
    """Show one profile: contacts, status, owner, service, open tasks, recent log, other keys.

    NAME is a file name (without .md), an id, a name, an email or a phone number (any way it
    is written, as for caller ID); case and accents do not matter.

    \b
    Example:
      plaincrm show "jane roe"
      plaincrm show ada --date 2026-12-01
    """
    vault = app.open()
    path = find_path(vault.index, name, vault.config["profiles.phone_region"])
    profile = vault.index.profile(path, full=True)
    if profile is None:
        raise NoSuchProfile(f"no profile matches {name!r}")
    day = today.date() if today else dt.date.today()
    upcoming = next_reminders(profile, vault.config, day)
    if as_json:
        data = profile_json(profile)
        data["next"] = {r.kind: {"date": r.date.isoformat(), "text": r.text}
                        for r in upcoming}
        app.print_json(data)
        return
    for line in render(app, profile, upcoming, day):
        app.echo(line)
    for problem in vault.index.problems(profile.path):
        app.err(str(problem))


NEXT_KINDS = {"service": "next service", "birthday": "next birthday",
              "keep_in_touch": "get in touch"}


def next_reminders(p: Profile, config: Config, today: dt.date) -> list[Reminder]:
    """The next service, birthday and keep-in-touch of ``p``, from the reminder model."""
    return [r for r in reminders(p, config, today) if r.kind in NEXT_KINDS]


def _when(day: dt.date, today: dt.date) -> str:
    delta = (day - today).days
    if delta < 0:
        return f"overdue by {-delta} day{'s' if delta != -1 else ''}"
    if delta == 0:
        return "today"
    return f"in {delta} day{'s' if delta != 1 else ''}"


def render(app: App, p: Profile, upcoming: list[Reminder] | None = None,
           today: dt.date | None = None) -> list[str]:
    head = app.style(p.display_name, bold=True)
    facts = [x for x in (p.status, f"owner {p.owner}" if p.owner else None) if x]
    lines = [f"{head}  ({', '.join(facts)})" if facts else head, f"  {p.path}", ""]
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
    for r in sorted(upcoming or [], key=lambda r: list(NEXT_KINDS).index(r.kind)):
        notes = [_when(r.date, today)] if today else []
        if r.kind == "birthday" and r.text != "birthday":
            notes.append(r.text)
        rows.append([NEXT_KINDS[r.kind], f"{r.date.isoformat()} ({', '.join(notes)})"])
    if p.tags:
        rows.append(["tags", ", ".join(p.tags)])
    for f in p.fields:
        if f.key not in KNOWN_KEYS:
            rows.append([f.key, raw_text(f.raw)])
    lines += ["  " + line for line in table(rows)]
    open_tasks = sorted((t for t in p.tasks if not t.done),
                        key=lambda t: (t.date is None, t.date, t.location.line))
    if open_tasks:
        lines += ["", app.style("Open tasks", bold=True)]
        lines += [f"  {t.date.isoformat() if t.date else 'undated   '}  {t.text}"
                  for t in open_tasks]
    recent = sorted(p.log, key=lambda e: (e.date, e.location.line), reverse=True)[:3]
    if recent:
        lines += ["", app.style(f"Log (newest {len(recent)} of {p.log_count})", bold=True)]
        lines += [f"  {e.date.isoformat()}  {e.kind + ': ' if e.kind else ''}{e.text}"
                  for e in recent]
    return lines
