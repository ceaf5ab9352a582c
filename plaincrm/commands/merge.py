"""plaincrm merge: merge two profiles of one person into one."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm.cli import App, date_option, pass_app
from plaincrm.render.table import table


@click.command()
@click.argument("keep")
@click.argument("drop")
@click.option("--yes", is_flag=True, help="Make the merge (without it: a dry run).")
@click.option("--take", "take", multiple=True, metavar="KEY",
              help="Where both set KEY differently, take DROP's value (repeat for more).")
@click.option("--no-commit", is_flag=True, help="Write the files but make no commit.")
@date_option
@pass_app
def merge(app: App, keep: str, drop: str, yes: bool, take: tuple[str, ...], no_commit: bool,
          today: dt.datetime | None) -> None:
    """Merge the profile DROP into KEEP: one person, one file.

    Shows both side by side and the result; --yes makes it. KEEP's values win,
    empty keys are filled from DROP, lists (emails, phones, tags) are united,
    conflicting keys are listed (--take KEY chooses DROP's). DROP's log entries
    join KEEP's in date order, its open tasks are moved, the rest of its body is
    kept under '## Notes from DROP', and merged_from records DROP's id, file and
    name, so they still find KEEP. DROP's file is removed, all in one commit that
    git revert undoes; DROP's front matter is quoted in the commit message.

    \b
    Example:
      plaincrm merge hans-mueller mueller-hans
      plaincrm merge hans-mueller mueller-hans --take phone --yes
    """
    from plaincrm.merge import merge as run

    vault = app.open()
    day = today.date() if today else dt.date.today()
    planned, sha = run(vault.root, vault, keep, drop, take, apply=yes,
                       commit=not no_commit, today=day)
    rows = [(key, mine, theirs, result) for key, mine, theirs, result in planned.rows]
    for text in table(rows, ["KEY", f"KEEP {planned.keep}", f"DROP {planned.drop}", "RESULT"]):
        app.echo(text)
    app.echo(f"\nmoves {planned.log} log entries and {planned.tasks} open tasks; keeps "
             f"{planned.notes} lines of notes")
    for key in planned.conflicts:
        app.echo(f"conflict: {key}: KEEP's value kept (--take {key} for DROP's); DROP's goes "
                 "in the commit message")
    if not yes:
        app.echo(f"\ndry run: nothing was written; add --yes to merge {planned.drop} into "
                 f"{planned.keep}")
        return
    app.echo(f"\nmerged {planned.drop} into {planned.keep}; removed {planned.drop}")
    if sha:
        app.echo(f"committed {sha} {planned.message.splitlines()[0]}")
