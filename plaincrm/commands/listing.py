"""plaincrm list: one row per profile."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import click

from plaincrm.cli import App, echo_json_list, json_option, pass_app
from plaincrm.lookup import fold
from plaincrm.model import Profile
from plaincrm.render.profile import profile_json
from plaincrm.render.table import table


def select(profiles: Iterable[Profile], status: str | None, tag: str | None,
           owner: str | None, search: str | None) -> Iterator[Profile]:
    """The profiles that pass every filter given; ``search`` looks in names, contacts,
    tags, every front-matter value and the file's path."""
    wanted = fold(search) if search else None
    for p in profiles:
        if status and (p.status or "") != status.lower():
            continue
        if tag and fold(tag) not in {fold(t) for t in p.tags}:
            continue
        if owner and fold(owner.removeprefix("@")) != fold(p.owner or ""):
            continue
        if wanted and wanted not in fold(_haystack(p)):
            continue
        yield p


def _haystack(p: Profile) -> str:
    parts = [p.path, p.display_name, *p.emails, *p.phones, *p.tags]
    parts += [str(f.raw) for f in p.fields]
    return " ".join(parts)


@click.command("list")
@click.option("--status", help="Only profiles with this status.")
@click.option("--tag", help="Only profiles with this tag.")
@click.option("--owner", help="Only profiles this staff member owns.")
@click.option("--search", help="Only profiles whose name, contacts, tags or fields contain "
                               "this text (case- and accent-insensitive).")
@json_option
@pass_app
def list_(app: App, status: str | None, tag: str | None, owner: str | None,
          search: str | None, as_json: bool) -> None:
    """List the profiles in the vault, one row each.

    \b
    Example:
      plaincrm list --status active --owner ben
    """
    vault = app.open()
    profiles = select(vault.profiles(full=False), status, tag, owner, search)
    if as_json:  # streamed, one profile at a time: memory stays flat on a large vault
        echo_json_list("profiles", (profile_json(p, detail=False) for p in profiles))
        return
    rows = [[p.display_name, p.status or "-", p.owner or "-",
             (p.phones[0] if p.phones else (p.emails[0] if p.emails else "-")), p.path,
             "!" if p.has_problems else ""]
            for p in profiles]
    if not rows:
        app.echo("No profiles match." if (status or tag or owner or search) else
                 "No profiles in this vault yet: plaincrm new NAME adds one.")
        return
    problems = sum(1 for row in rows if row.pop())
    app.echo("\n".join(table(rows, header=["NAME", "STATUS", "OWNER", "CONTACT", "FILE"])))
    if problems:
        app.err(f"{problems} profile{'s have' if problems != 1 else ' has'} problems: "
                "run plaincrm check")
