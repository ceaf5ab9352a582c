"""plaincrm reassign: give one staff member's customers to another."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm.cli import App, date_option, pass_app


@click.command()
@click.option("--from", "old", required=True, help="Who owns them now.")
@click.option("--to", "new", required=True, help="Who takes them over.")
@click.option("--status", "statuses", multiple=True, help="Only profiles with this status "
                                                          "(repeat for more).")
@click.option("--tag", "tags", multiple=True, help="Only profiles with this tag (repeat for "
                                                   "more).")
@click.option("--dry-run", is_flag=True, help="List what would change; write nothing.")
@click.option("--force", is_flag=True, help="Allow an owner the vault does not know yet.")
@click.option("--commit", is_flag=True, help="Commit every changed profile in one commit.")
@date_option
@pass_app
def reassign(app: App, old: str, new: str, statuses: tuple[str, ...], tags: tuple[str, ...],
             dry_run: bool, force: bool, commit: bool, today: dt.datetime | None) -> None:
    """Give the customers owned by --from to --to: each profile's owner, and the
    open tasks in them that name @FROM, change; nothing else in the files does.

    \b
    Example:
      plaincrm reassign --from raj --to ana --status active --commit
    """
    from plaincrm.reassign import reassign as run

    vault = app.open()
    day = today.date() if today else dt.date.today()
    moved = run(vault.root, vault.profiles(full=True), old, new, vault.config, day,
                statuses, tags, force=force, commit=commit, dry_run=dry_run)
    verb = "would change" if dry_run else "changed"
    for path in moved.paths:
        app.echo(f"{verb} {path}")
    app.echo(f"{len(moved.paths)} profiles, {moved.tasks} open tasks "
             f"{'would move' if dry_run else 'moved'} from {old} to {new}")
    if moved.commit:
        app.echo(f"committed {moved.commit} {moved.message}")
