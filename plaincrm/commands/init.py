"""plaincrm init: a new vault."""

from __future__ import annotations

from pathlib import Path

import click

from plaincrm.cli import App, pass_app
from plaincrm.create import init_vault


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-git", is_flag=True, help="Do not run git init.")
@click.option("--hook", is_flag=True, help="Also install a git pre-commit hook that runs "
              "plaincrm check on the staged profiles (only if the repository has no "
              "pre-commit hook yet).")
@pass_app
def init(app: App, folder: Path, no_git: bool, hook: bool) -> None:
    """Create a vault in FOLDER (default: here): plaincrm.toml with every option
    commented, a .gitignore, templates/customer.md, one example profile, the
    message templates of plaincrm outreach in templates/messages/, and a git
    repository unless the folder is already in one. Never overwrites a file, so it
    is safe to run again, e.g. with --hook in an existing vault.

    \b
    Example:
      plaincrm init ~/customers
      plaincrm init --hook ~/customers
    """
    for rel, what in init_vault(folder, use_git=not no_git, hook=hook):
        app.echo(f"{what:<22}  {rel}" if what.startswith(("created", "kept")) else
                 f"{'git':<22}  {what}")
    app.echo(f"\nNext: cd {folder} && plaincrm new \"Jane Roe\" --email jane@example.com")
