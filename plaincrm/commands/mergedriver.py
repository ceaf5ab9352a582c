"""plaincrm merge-driver: the git merge driver for profiles, and setting it up in a clone."""

from __future__ import annotations

from pathlib import Path

import click

from plaincrm.cli import App, pass_app


@click.group(name="merge-driver")
def merge_driver() -> None:
    """The git merge driver that merges two people's changes to one profile.

    'install' sets it up in this clone (plaincrm init does it for a new vault);
    git itself runs 'run'. See docs/team.md.

    \b
    Example:
      plaincrm merge-driver install
    """


@merge_driver.command()
@pass_app
def install(app: App) -> None:
    """Set the driver up in this clone: '*.md merge=plaincrm' in the vault's
    .gitattributes (commit it once for everybody) and merge.plaincrm in the
    repository's config (each clone runs this once).

    \b
    Example:
      plaincrm merge-driver install
    """
    from plaincrm.mergedriver import install as run

    for rel, what in run(app.root):
        app.echo(f"{what:<34}  {rel}")


@merge_driver.command()
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("path", required=False, default="")
def run(base: Path, ours: Path, theirs: Path, path: str) -> None:
    """Merge one profile as git asks (%O %A %B %P): the result replaces OURS; exit 1
    when a front-matter key was changed differently on both sides.

    \b
    Example:
      git config merge.plaincrm.driver "plaincrm merge-driver run %O %A %B %P"
    """
    from plaincrm.mergedriver import merge_profile

    merged, conflict = merge_profile(base.read_bytes(), ours.read_bytes(), theirs.read_bytes())
    ours.write_bytes(merged)
    if conflict:
        click.echo(f"plaincrm: {path or ours}: a front-matter key was changed differently on "
                   "both sides; see the conflict markers", err=True)
        click.get_current_context().exit(1)
