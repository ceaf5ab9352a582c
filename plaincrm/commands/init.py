"""plaincrm init: a new vault."""

from __future__ import annotations

from pathlib import Path

import click

from plaincrm.cli import App, pass_app
from plaincrm.create import init_vault


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-git", is_flag=True, help="Do not run git init.")
@pass_app
def init(app: App, folder: Path, no_git: bool) -> None:
    """Create a vault in FOLDER (default: here): plaincrm.toml with every option
    commented, a .gitignore, templates/customer.md, one example profile, and a git
    repository unless the folder is already in one. Never overwrites a file.

    \b
    Example:
      plaincrm init ~/customers
    """
    for rel, what in init_vault(folder, use_git=not no_git):
        app.echo(f"{what:<22}  {rel}" if what.startswith(("created", "kept")) else
                 f"{'git':<22}  {what}")
    app.echo(f"\nNext: cd {folder} && plaincrm new \"Jane Roe\" --email jane@example.com")
