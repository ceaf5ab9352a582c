"""plaincrm new: a new profile from the vault's template."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm.cli import App, date_option, pass_app
from plaincrm.create import NewProfile, new_profile


@click.command()
@click.argument("name")
@click.option("--email", multiple=True, help="Email address (repeat for more).")
@click.option("--phone", multiple=True, help="Phone number, kept as written (repeat for more).")
@click.option("--status", help="Status, e.g. lead or active (default: the template's).")
@click.option("--owner", help="Short name of the staff member in charge.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--birthday", metavar="YYYY-MM-DD|--MM-DD", help="Birthday.")
@click.option("--folder", default="", help="Folder inside the vault for the file.")
@click.option("--force", is_flag=True, help="Create it even if a profile with the same name, "
                                            "email or phone exists.")
@date_option
@pass_app
def new(app: App, name: str, email: tuple[str, ...], phone: tuple[str, ...],
        status: str | None, owner: str | None, tags: tuple[str, ...], birthday: str | None,
        folder: str, force: bool, today: dt.datetime | None) -> None:
    """Create a profile for NAME from templates/customer.md, with a fresh id.

    Refuses, naming the existing file, when a profile with the same name, email
    or phone exists (unless --force).

    \b
    Example:
      plaincrm new "Jane Roe" --email jane@example.com --phone "+44 20 7946 0958"
    """
    vault = app.open()
    day = today.date() if today else dt.date.today()
    spec = NewProfile(name=name, emails=email, phones=phone, status=status,
                      owner=owner.removeprefix("@") if owner else None, tags=tags,
                      birthday=birthday)
    path = new_profile(vault.root, list(vault.profiles(full=False)), spec, day, folder, force)
    app.echo(f"created {path.as_posix()}")
