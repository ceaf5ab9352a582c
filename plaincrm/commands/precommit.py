"""plaincrm precommit: the pre-commit hook's check, of the errors a commit adds."""

from __future__ import annotations

import datetime as dt

import click

from plaincrm.cli import App, date_option, pass_app
from plaincrm.errors import EXIT_PROBLEMS


@click.command()
@date_option
@pass_app
def precommit(app: App, today: dt.datetime | None) -> None:
    """Check the profiles staged for a commit: exit 1 when the commit adds an error
    (one their last committed version did not have); errors they had already do
    not stop it. The hook plaincrm init --hook installs runs this.

    \b
    Example:
      plaincrm precommit
    """
    from plaincrm.config import load_config
    from plaincrm.gitrepo import open_repo
    from plaincrm.precommit import added_errors

    root = app.root
    config, _problems = load_config(root)
    new, old = added_errors(open_repo(root), config, (today or dt.datetime.now()).date())
    for problem in new:
        app.echo(str(problem))
    if old:
        app.err(f"plaincrm: note: {old} errors were there before this commit; they do not "
                "stop it (plaincrm check lists them)")
    if new:
        app.err(f"plaincrm: this commit adds {len(new)} errors; fix them, or commit with "
                "--no-verify")
        click.get_current_context().exit(EXIT_PROBLEMS)
