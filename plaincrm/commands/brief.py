"""plaincrm brief: what to recall about everybody you see or call today, one after another."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from plaincrm.agenda import my_name, vault_agenda
from plaincrm.cli import App, date_option, json_option, pass_app
from plaincrm.logkinds import log_kinds
from plaincrm.recall import Person, newest, next_dates, pinned, read_notes, todays_people
from plaincrm.render.agenda import when
from plaincrm.render.profile import Brief, profile_lines

SHORT = Brief(log=3, notes=6)


@click.command()
@date_option
@click.option("--owner", metavar="NAME", help="Only the people of this staff member's items "
                                              "(a task's @owner wins over the profile's owner).")
@click.option("--mine", is_flag=True, help="Only the people of your items: me in your "
                                           "config.toml, else your git user.name.")
@json_option
@pass_app
def brief(app: App, today: dt.datetime | None, owner: str | None, mine: bool,
          as_json: bool) -> None:
    """Brief yourself on everybody with something due today or overdue.

    For each person with an agenda item in Overdue or Today (a service, a booked visit or
    other dated task, a birthday…), what brings them in, then what show prints: pinned facts,
    contacts and dates, the first lines of the notes, open tasks, the newest conversations
    and admin entries. Reads only those people's files.

    \b
    Examples:
      plaincrm brief --mine
      plaincrm brief --date 2026-12-10 --owner ben --json
    """
    if owner and mine:
        raise click.UsageError("--owner and --mine cannot be used together")
    vault = app.open()
    if mine:
        owner = my_name(vault.root, vault.config)
    day = today.date() if today else dt.date.today()
    people = todays_people(vault_agenda(vault, day, 0, owner))
    kinds = log_kinds(vault.config)
    out: list[dict[str, Any]] = []
    for number, person in enumerate(people):
        profile = vault.index.profile(person.path, full=True)
        if profile is None:
            continue
        found = read_notes(vault.root, profile)
        if found.error:
            app.note(found.error)
        upcoming = next_dates(profile, vault.config, day)
        if as_json:
            out.append({
                "path": profile.path, "name": profile.display_name,
                "due": [item.to_json() for item in person.items],
                "remember": pinned(profile), "notes": found.text, "notes_line": found.line,
                "open_tasks": [{"line": t.location.line, "date": _iso(t.date), "text": t.text,
                                "owner": t.owner} for t in profile.tasks if not t.done],
                "conversations": _entries(newest(profile, kinds, "conversation", 3)),
                "admin": _entries([e for e in newest(profile, kinds)
                                   if kinds.classify(e.kind) != "conversation"][:3]),
                "next": {r.kind: {"date": r.date.isoformat(), "text": r.text}
                         for r in upcoming}})
            continue
        if number:
            app.echo("")
            app.echo("─" * 40)
        lines = profile_lines(profile, kinds, found, upcoming, day, SHORT, app.style)
        app.echo(lines[0])
        app.echo(lines[1])
        app.echo("")
        app.echo(app.style("Due", bold=True))
        for line in _due(person, day):
            app.echo(line)
        for line in lines[2:]:
            app.echo(line)
    if as_json:
        app.print_json({"date": day.isoformat(), "owner": owner, "people": out})
    elif not people:
        who = f" for {owner}" if owner else ""
        app.echo(f"Nobody to brief on{who}: nothing overdue or due on {day.isoformat()}.")


def _due(person: Person, today: dt.date) -> list[str]:
    return [f"  {when(today, item.section, item.date)}  {item.kind.replace('_', ' ')}: "
            f"{item.text}" for item in person.items]


def _entries(entries: list[Any]) -> list[dict[str, Any]]:
    return [{"line": e.location.line, "date": e.date.isoformat(), "kind": e.kind,
             "text": e.text} for e in entries]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
