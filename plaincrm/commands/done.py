"""plaincrm done: tick an open task."""

from __future__ import annotations

import click

from plaincrm import change
from plaincrm.cli import App, pass_app


@click.command()
@click.argument("name")
@click.argument("text")
@click.option("--commit", is_flag=True, help="Commit the profile alone to git afterwards.")
@pass_app
def done(app: App, name: str, text: str, commit: bool) -> None:
    """Mark done the open task of NAME whose text contains TEXT.

    Case and accents do not matter. When several open tasks match, they are
    listed and nothing changes (exit 5); when none does, exit 11.

    \b
    Example:
      plaincrm done "jane roe" quote
    """
    vault = app.open()
    report(app, change.tick(vault.root, vault.profiles(full=False), name, text, commit))


def report(app: App, result: change.Change) -> None:
    """The written line as ``path:line: text``, and the commit when one was made."""
    app.echo(f"{result.path}:{result.line}: {result.text}")
    if result.commit:
        app.echo(f"committed {result.commit} {result.message}")
