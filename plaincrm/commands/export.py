"""plaincrm export: profiles as vCards or as a Google Contacts CSV."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

from plaincrm.cli import App, output_option, pass_app
from plaincrm.commands.listing import filters


@click.command()
@click.option("--format", "fmt", type=click.Choice(["vcf", "csv"]), required=True,
              help="vcf: vCards (Apple, Google, Thunderbird, phones); csv: Google Contacts' "
                   "CSV layout.")
@click.option("--vcard-version", type=click.Choice(["4.0", "3.0"]), default="4.0",
              show_default=True, help="The vCard version to write (3.0 for older programs).")
@click.option("--status", help="Only profiles with this status.")
@click.option("--tag", help="Only profiles with this tag.")
@click.option("--owner", help="Only profiles this staff member owns.")
@click.option("--search", help="Only profiles whose name, contacts, tags or fields contain "
                               "this text.")
@output_option("Write to this file (atomically) instead of standard output")
@pass_app
def export(app: App, fmt: str, vcard_version: str, status: str | None, tag: str | None,
           owner: str | None, search: str | None, output: Path | None) -> None:
    """Export the profiles (all, or those the filters select) as vCards or CSV.

    Names, emails and phones with their types, birthday, anniversary, addresses,
    company, notes and tags go into the standard fields; every other front-matter key
    goes along too (an X-PLAINCRM-FIELD property, a CSV custom field), so importing the
    export into an empty vault gives the same profiles (with fresh ids).

    \b
    Example:
      plaincrm export --format vcf --tag vip -o vip.vcf
      plaincrm export --format csv --status active > customers.csv
    """
    from plaincrm.files import write_stream_if_changed
    from plaincrm.interop.contact import Contact
    from plaincrm.interop.google import write_csv
    from plaincrm.interop.mapping import from_profile
    from plaincrm.interop.vcard import write_vcards

    vault = app.open()
    count = 0
    notes: dict[str, None] = {}  # each once, though the CSV reads the contacts twice

    def contacts() -> Iterator[Contact]:
        """The contacts, read from the index one at a time."""
        nonlocal count
        count = 0
        for profile in vault.index.profiles(full=False,
                                            select=filters(status, tag, owner, search)):
            contact, skipped = from_profile(profile)
            notes.update(dict.fromkeys(f"{profile.path}: {key} is not exported (a nested "
                                       "mapping)" for key in skipped))
            count += 1
            yield contact

    # a card or a line at a time: neither the contacts nor the text of a large vault ever sit
    # in memory whole
    text = write_vcards(contacts(), vcard_version) if fmt == "vcf" else write_csv(contacts)

    def write(fp: BinaryIO) -> None:
        for piece in text:
            fp.write(piece.encode("utf-8"))

    if output is None:
        with click.open_file("-", "wb") as stdout:  # binary standard output, left open
            write(stdout)  # type: ignore[arg-type]
    else:
        write_stream_if_changed(output, write)
    for note in notes:
        app.note(note)
    app.err(f"exported {count} profile{'' if count == 1 else 's'}")
