"""plaincrm agenda: the morning view of everything overdue, due today and coming up."""

from __future__ import annotations

import datetime as dt
from itertools import islice

import click

from plaincrm.agenda import known_kinds, my_name, vault_agenda
from plaincrm.cli import App, date_option, echo_json_list, json_option, owner_filter_of, pass_app


@click.command()
@date_option
@click.option("--days", type=click.IntRange(min=0), default=None, metavar="N",
              help="How many days ahead Upcoming reaches (default: agenda.days in "
                   "plaincrm.toml, 7).")
@click.option("--owner", "owners", multiple=True, metavar="NAME",
              help="Only items this staff member owns (a task's @owner wins over the "
                   "profile's owner); repeat it to cover for a colleague. A name nobody in the "
                   "vault has is an error listing the owners.")
@click.option("--mine", is_flag=True, help="Only your items: vault.me in plaincrm.toml, "
                                           "else your git user.name.")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Only this kind of reminder (repeatable): birthday, service, task, "
                   "keep_in_touch, anniversary, or a date key named in agenda.dates.")
@click.option("--all", "show_all", is_flag=True,
              help="Show every row of every section (the text agenda otherwise shows the "
                   "first agenda.section_limit of each, 15, and how many more there are).")
@json_option
@pass_app
def agenda(app: App, today: dt.datetime | None, days: int | None, owners: tuple[str, ...],
           mine: bool, kinds: tuple[str, ...], show_all: bool, as_json: bool) -> None:
    """Show what is overdue, due today and coming up in the next days, for every profile.

    Each line gives the date, the kind, the person, what is due, the owner, the phone (or
    email) to reach them and the newest log entry: the one thing to remember before you call.

    \b
    Examples:
      plaincrm agenda
      plaincrm agenda --mine --days 14
      plaincrm agenda --owner priya --owner dave
      plaincrm agenda --all
      plaincrm agenda --date 2026-12-01 --kind service --json
    """
    if owners and mine:
        raise click.UsageError("--owner and --mine cannot be used together")
    vault = app.open()
    owner = owner_filter_of(vault, owners)
    allowed = known_kinds(vault.config)
    for kind in kinds:
        if kind not in allowed:
            raise click.BadParameter(f"{kind!r} is not a kind; use one of "
                                     f"{', '.join(allowed)}", param_hint="--kind")
    if mine:
        owner = my_name(vault.root, vault.config)
    day = today.date() if today else dt.date.today()
    limit = None if show_all or as_json else vault.config["agenda.section_limit"]
    result = vault_agenda(vault, day, days, owner, kinds, limit)
    if as_json:  # the rows one at a time: --json of a large vault never sits in memory whole
        echo_json_list("items", (item.to_json() for item in result.items),
                       {"date": result.date.isoformat()})
    else:
        from plaincrm.render.agenda import agenda_lines

        lines = agenda_lines(result, app.style if app.colored else None)
        while chunk := list(islice(lines, 2000)):  # never the whole text at once
            app.echo("\n".join(chunk))
    if result.problem_files:
        n = result.problem_files
        app.err(f"{n} profile{'s have' if n != 1 else ' has'} problems: run plaincrm check")
