"""plaincrm set / unset: change, add or remove one front-matter key of a profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import click

from plaincrm import change
from plaincrm.cli import App, date_option, pass_app
from plaincrm.commands.done import report
from plaincrm.errors import BadValue


@click.command(name="set")
@click.argument("name")
@click.argument("key")
@click.argument("values", nargs=-1, required=True, metavar="VALUE...")
@click.option("--add", is_flag=True, help="Add the values to the key's list instead of "
                                          "replacing it (emails, phones, tags).")
@click.option("--force", is_flag=True, help="Write a value plaincrm check would call an error.")
@click.option("--commit", is_flag=True, help="Commit the profile alone to git afterwards.")
@date_option
@pass_app
def set_(app: App, name: str, key: str, values: tuple[str, ...], add: bool, force: bool,
         commit: bool, today: dt.datetime | None) -> None:
    """Set front-matter KEY of NAME's profile to VALUE (several VALUEs: a list).

    Only that key's line changes: comments, the other keys, their order and quoting
    stay as they were; a new key goes last. Known keys are checked like plaincrm
    check does (email, phone, dates, status, an owner the vault knows): a value
    check would call an error is refused with the reason (exit 2) unless --force.

    \b
    Example:
      plaincrm set "jane roe" status active
      plaincrm set "jane roe" service_due 2027-03-01 --commit
      plaincrm set "jane roe" email jane@example.com jane.roe@example.org
      plaincrm set "jane roe" phone "+44 20 7946 0999" --add
    """
    vault = app.open()
    value: str | list[str] = values[0] if len(values) == 1 else list(values)
    day = today.date() if today else dt.date.today()
    report(app, change.set_value(vault.root, vault, name, key, value,
                                 vault.config, day, add=add, force=force, commit=commit))


@click.command()
@click.argument("name")
@click.argument("key")
@click.option("--commit", is_flag=True, help="Commit the profile alone to git afterwards.")
@pass_app
def unset(app: App, name: str, key: str, commit: bool) -> None:
    """Remove front-matter KEY (and its list items) from NAME's profile.

    \b
    Example:
      plaincrm unset "jane roe" contract_end
    """
    vault = app.open()
    report(app, change.set_value(vault.root, vault, name, key, None,
                                 vault.config, dt.date.today(), commit=commit))


def parse_assignments(assignments: Iterable[str]) -> list[tuple[str, str | list[str]]]:
    """``KEY=VALUE`` options as ``(key, value)``; a key given twice becomes a list."""
    found: dict[str, list[str]] = {}
    for text in assignments:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise BadValue(f"--set {text!r} must be KEY=VALUE, e.g. --set address=\"1 High St\"")
        found.setdefault(key.strip(), []).append(value)
    return [(k, v[0] if len(v) == 1 else v) for k, v in found.items()]
