"""plaincrm new: a new profile from the vault's template."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm.cli import App, date_option, pass_app
from plaincrm.commands.set import parse_assignments
from plaincrm.create import NewProfile, new_profile


@click.command()
@click.argument("name")
@click.option("--email", multiple=True, help="Email address (repeat for more).")
@click.option("--phone", multiple=True, help="Phone number, kept as written (repeat for more).")
@click.option("--status", help="Status, e.g. lead or active (default: the template's).")
@click.option("--owner", help="Short name of the staff member in charge.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--birthday", metavar="YYYY-MM-DD|--MM-DD", help="Birthday.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Any other front-matter key, e.g. --set address=\"1 High St\" (repeat for "
                   "more; the same key twice makes a list).")
@click.option("--folder", default="", help="Folder inside the vault for the file.")
@click.option("--force", is_flag=True, help="Create it even if a profile with the same name, "
                                            "email or phone exists, or a value is invalid.")
@click.option("--commit", is_flag=True, help="Commit the new profile alone to git.")
@date_option
@pass_app
def new(app: App, name: str, email: tuple[str, ...], phone: tuple[str, ...],
        status: str | None, owner: str | None, tags: tuple[str, ...], birthday: str | None,
        assignments: tuple[str, ...], folder: str, force: bool, commit: bool,
        today: dt.datetime | None) -> None:
    """Create a profile for NAME from templates/customer.md, with a fresh id.

    Refuses, naming the existing file, when a profile is probably the same person
    (the rule plaincrm check reports duplicates by), and refuses a value check would
    call an error (a bad email, phone, date or status, an unknown owner), unless
    --force.

    \b
    Example:
      plaincrm new "Jane Roe" --email jane@example.com --phone "+44 20 7946 0958"
      plaincrm new "Tom Baker" --phone "+44 113 496 0123" --set address="2 Mill Lane"
    """
    vault = app.open()
    day = today.date() if today else dt.date.today()
    spec = NewProfile(name=name, emails=email, phones=phone, status=status,
                      owner=owner.removeprefix("@") if owner else None, tags=tags,
                      birthday=birthday, extra=tuple(parse_assignments(assignments)))
    created = new_profile(vault.root, list(vault.profiles(full=False)), spec, day, folder, force,
                          config=vault.config, commit=commit)
    app.echo(f"created {created.path.as_posix()}")
    if created.commit:
        app.echo(f"committed {created.commit} new: {name}")
