"""plaincrm list: one row per profile."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import replace
from operator import itemgetter
from typing import Any

import click

from plaincrm.agenda import matches_me
from plaincrm.cli import App, echo_json_list, json_option, owner_filter_of, pass_app
from plaincrm.index import Filters
from plaincrm.lookup import fold, matching_paths
from plaincrm.model import Profile
from plaincrm.render.profile import profile_json
from plaincrm.render.table import table


def filters(status: str | None, tag: str | None, owner: str | None,
            search: str | None) -> Filters:
    """The options as the index's filters; ``search`` looks in names, contacts, tags, every
    front-matter value and the file's path, case- and accent-insensitively."""
    return Filters(status=status.lower() if status else None, tag=fold(tag) if tag else None,
                   owner=fold(owner.removeprefix("@")) if owner else None,
                   search=fold(search) if search else None)


def _named(vault: Any, chosen: Filters, search: str) -> list[tuple[Any, ...]]:
    """The listing rows of the profiles ``search`` names as a whole (a phone in any format,
    an email, a name in another order: :func:`plaincrm.lookup.matching_paths`) that the other
    filters keep and the text search does not find already."""
    paths = set(matching_paths(vault.index, search, vault.config["profiles.phone_region"]))
    if not paths:
        return []
    have = {row[4] for row in vault.index.listing(chosen)}
    return [row for row in vault.index.listing(replace(chosen, search=None))
            if row[4] in paths and row[4] not in have]


@click.command("list")
@click.option("--status", help="Only profiles with this status.")
@click.option("--tag", help="Only profiles with this tag.")
@click.option("--owner", "owners", multiple=True, metavar="NAME",
              help="Only profiles this staff member owns; repeatable. Names match as in "
                   "plaincrm agenda --owner; a name nobody in the vault has is an error.")
@click.option("--search", help="Only profiles whose name, contacts, tags or fields contain "
                               "this text (case- and accent-insensitive), or whom it names as "
                               "show would: a phone in any format, an email, a name in either "
                               "order.")
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
    owner = owner_filter_of(vault, owners)
    chosen = filters(status, tag, None, search)  # owners: the agenda's rule, below
    named = _named(vault, chosen, search) if search else []

    def wanted(who: str | None) -> bool:
        return owner is None or matches_me(who, owner)

    if as_json:  # streamed, one profile at a time: memory stays flat on a large vault
        profiles: Iterable[Profile] = vault.index.profiles(full=False, select=chosen)
        if named:
            extra = (vault.index.profile(row[4], full=False) for row in named)
            profiles = heapq.merge(profiles, (p for p in extra if p is not None),
                                   key=lambda p: p.path)
        echo_json_list("profiles", (profile_json(p, detail=False) for p in profiles
                                    if wanted(p.owner)))
        return
    found = vault.index.listing(chosen)
    if named:
        found = sorted([*found, *named], key=itemgetter(4))
    rows = [[name, status or "-", who or "-", contact or "-", path, "!" if bad else ""]
            for name, status, who, contact, path, bad in found if wanted(who)]
    if not rows:
        app.echo("No profiles match." if (status or tag or owner or search) else
                 "No profiles in this vault yet: plaincrm new NAME adds one.")
        return
    problems = sum(1 for row in rows if row.pop())
    app.echo("\n".join(table(rows, header=["NAME", "STATUS", "OWNER", "CONTACT", "FILE"])))
    if problems:
        app.err(f"{problems} profile{'s have' if problems != 1 else ' has'} problems: "
                "run plaincrm check")
