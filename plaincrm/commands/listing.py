"""plaincrm list: one row per profile."""

from __future__ import annotations

import click

from plaincrm.agenda import checked_owners, matches_me
from plaincrm.cli import App, echo_json_list, json_option, pass_app
from plaincrm.index import Filters
from plaincrm.lookup import fold
from plaincrm.render.profile import profile_json
from plaincrm.render.table import table


def filters(status: str | None, tag: str | None, owner: str | None,
            search: str | None) -> Filters:
    """The options as the index's filters; ``search`` looks in names, contacts, tags, every
    front-matter value and the file's path, case- and accent-insensitively."""
    return Filters(status=status.lower() if status else None, tag=fold(tag) if tag else None,
                   owner=fold(owner.removeprefix("@")) if owner else None,
                   search=fold(search) if search else None)


@click.command("list")
@click.option("--status", help="Only profiles with this status.")
@click.option("--tag", help="Only profiles with this tag.")
@click.option("--owner", "owners", multiple=True, metavar="NAME",
              help="Only profiles this staff member owns; repeatable. Names match as in "
                   "plaincrm agenda --owner; a name nobody in the vault has is an error.")
@click.option("--search", help="Only profiles whose name, contacts, tags or fields contain "
                               "this text (case- and accent-insensitive).")
@json_option
@pass_app
def list_(app: App, status: str | None, tag: str | None, owners: tuple[str, ...],
          search: str | None, as_json: bool) -> None:
    """List the profiles in the vault, one row each.

    \b
    Example:
      plaincrm list --status active --owner ben --owner ana
    """
    vault = app.open()
    owner = checked_owners(vault, owners)
    chosen = filters(status, tag, None, search)  # owners: the agenda's rule, below

    def wanted(who: str | None) -> bool:
        return owner is None or matches_me(who, owner)

    if as_json:  # streamed, one profile at a time: memory stays flat on a large vault
        profiles = vault.index.profiles(full=False, select=chosen)
        echo_json_list("profiles", (profile_json(p, detail=False) for p in profiles
                                    if wanted(p.owner)))
        return
    rows = [[name, status or "-", who or "-", contact or "-", path, "!" if bad else ""]
            for name, status, who, contact, path, bad in vault.index.listing(chosen)
            if wanted(who)]
    if not rows:
        app.echo("No profiles match." if (status or tag or owner or search) else
                 "No profiles in this vault yet: plaincrm new NAME adds one.")
        return
    problems = sum(1 for row in rows if row.pop())
    app.echo("\n".join(table(rows, header=["NAME", "STATUS", "OWNER", "CONTACT", "FILE"])))
    if problems:
        app.err(f"{problems} profile{'s have' if problems != 1 else ' has'} problems: "
                "run plaincrm check")
