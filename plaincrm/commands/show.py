"""plaincrm show: one profile at a glance, before you meet or answer the person."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm.cli import App, date_option, json_option, pass_app
from plaincrm.errors import NoSuchProfile
from plaincrm.logkinds import log_kinds
from plaincrm.lookup import find_path
from plaincrm.recall import next_dates, read_notes
from plaincrm.render.profile import Brief, profile_json, profile_lines, recall_json


def log_size(_ctx: click.Context, _param: click.Parameter, value: str) -> int | None:
    """``--log N`` (entries of each class) or ``--log all`` (None: everything)."""
    if value.strip().lower() == "all":
        return None
    try:
        count = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither a number nor 'all'") from None
    if count < 0:
        raise click.BadParameter("give 0 or more entries, or 'all'")
    return count

@click.command()
@click.argument("name")
@click.option("--log", "log", default="3", show_default=True, metavar="N|all",
              callback=log_size, help="How many of the newest conversations and of the newest "
              "admin entries to show; 'all' shows the whole log and the whole notes.")
@date_option
@json_option
@pass_app
def show(app: App, name: str, log: int | None, today: dt.datetime | None,
         as_json: bool) -> None:
    """Show one person: what to remember, contacts, dates, notes, open tasks, recent log.

    NAME is a file name (with or without .md), an id, a name (either order, accents
    optional), an email or a phone number (any way it is written, as for caller ID).

    \b
    Example:
      plaincrm show "jane roe"
      plaincrm show "0113 496 0142" --log all
    """
    vault = app.open()
    path = find_path(vault.index, name, vault.config["profiles.phone_region"])
    profile = vault.index.profile(path, full=True)
    if profile is None:
        raise NoSuchProfile(f"no profile matches {name!r}")
    day = today.date() if today else dt.date.today()
    upcoming = next_dates(profile, vault.config, day)
    found = read_notes(vault.root, profile)
    if found.error:
        app.note(found.error)
    kinds = log_kinds(vault.config)
    if as_json:
        data = profile_json(profile)
        data.update(recall_json(profile, kinds, found))
        data["next"] = {r.kind: {"date": r.date.isoformat(), "text": r.text}
                        for r in upcoming}
        app.print_json(data)
        return
    size = Brief(log=None, notes=None) if log is None else Brief(log=log)
    for line in profile_lines(profile, kinds, found, upcoming, day, size, app.style):
        app.echo(line)
    for problem in vault.index.problems(profile.path):
        app.err(str(problem))


