"""plaincrm index: bring the index up to date, or rebuild it."""

from __future__ import annotations

import sys
from typing import Any

import click

from plaincrm.cli import App, json_option, pass_app


@click.command()
@click.option("--rebuild", is_flag=True, help="Forget the cache and read every file again.")
@json_option
@pass_app
def index(app: App, rebuild: bool, as_json: bool) -> None:
    """Update the index (a disposable cache of the vault), or rebuild it from scratch.

    Every command does this by itself; run it to see what was read, or after
    something odd, with --rebuild.

    \b
    Example:
      plaincrm index --rebuild
    """
    from plaincrm.loader import open_vault

    vault = open_vault(app.root, note=app.note)
    try:
        if rebuild:
            vault.index.clear()
        bar: Any = None
        if rebuild and sys.stderr.isatty():
            def progress(n: int) -> None:
                nonlocal bar
                if bar is None:
                    bar = click.progressbar(length=n, label="Reading profiles", file=sys.stderr)
                    bar.__enter__()
                else:
                    bar.update(n)
            stats = vault.refresh(progress=progress)
            if bar is not None:
                bar.__exit__(None, None, None)
        else:
            stats = vault.refresh()
        with_problems = len({p.location.path for p in vault.problems()})
        if as_json:
            app.print_json({"files": stats.files, "read": stats.read, "removed": stats.removed,
                            "files_with_problems": with_problems,
                            "database": str(vault.index.db_path)})
            return
        app.echo(f"{stats.files} profiles: {stats.read} read, {stats.removed} removed, "
                 f"{stats.files - stats.read} unchanged")
        if with_problems:
            app.err(f"{with_problems} files have problems: run plaincrm check")
    finally:
        vault.close()
