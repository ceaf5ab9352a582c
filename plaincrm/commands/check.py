"""plaincrm check: flag incomplete, invalid, stale and duplicate profiles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import click

from plaincrm.cli import App, date_option, json_option, owner_filter_of, pass_app
from plaincrm.config import CONFIG_NAME
from plaincrm.errors import EXIT_PROBLEMS
from plaincrm.model import Problem, Severity


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...",
                type=click.Path(exists=True, path_type=Path))
@click.option("--owner", "owners", multiple=True, metavar="NAME",
              help="Only the problems of this staff member's profiles (their owner, named as "
                   "in agenda --owner); repeatable. A name nobody in the vault has is an error.")
@json_option
@date_option
@pass_app
def check(app: App, paths: tuple[Path, ...], owners: tuple[str, ...], as_json: bool,
          today: dt.datetime | None) -> None:
    """Check the profiles: loader problems, missing fields, invalid emails, phones and dates,
    unknown statuses, stale profiles, duplicates and undated tasks (docs/checks.md).

    PATHs (files or folders) limit the report to those profiles; duplicates are still
    sought in the whole vault. Files that are not profiles are skipped. Without --vault,
    the vault is found from the first PATH. Exit status: 0 no error (warnings allowed),
    1 at least one error, 2 usage error.

    \b
    Example:
      plaincrm check --date 2026-11-20
      plaincrm check customers/jane-roe.md --json
      plaincrm check --owner ana
    """
    from plaincrm.checks.runner import owned_by, run_checks
    from plaincrm.loader import open_vault

    root = _vault_root(app, paths)
    vault = open_vault(root, note=app.note)
    try:
        vault.refresh()
        owner = owner_filter_of(vault, owners)
        scope = _scope(root, paths, vault.index.paths()) if paths else None
        report = run_checks(vault, (today or dt.datetime.now()).date(), scope, note=app.note)
        if owner is not None:
            report = owned_by(report, owner, vault.index.profile_owners())
    finally:
        vault.close()
    counts = {Severity.ERROR: 0, Severity.WARNING: 0}

    def counted() -> Iterator[Problem]:  # the report read once, counted as it goes
        for problem in report.problems:
            counts[problem.severity] += 1
            yield problem

    if as_json:
        _echo_json(counted(), lambda: {"profiles": report.profiles,
                                       "errors": counts[Severity.ERROR],
                                       "warnings": counts[Severity.WARNING]})
    else:
        for problem in counted():
            app.echo(_line(app, problem))
        app.err(_summary(counts[Severity.ERROR], counts[Severity.WARNING], report.profiles))
    if counts[Severity.ERROR]:
        click.get_current_context().exit(EXIT_PROBLEMS)


def _echo_json(problems: Iterable[Problem], summary: Callable[[], dict[str, int]]) -> None:
    """``{"problems": [...], "summary": {...}}`` exactly as :func:`dumps_json` writes it, a
    problem at a time (a large vault's report as one JSON text would be hundreds of MiB);
    ``summary`` is asked once every problem is written."""
    from plaincrm.render import dumps_json

    lead = '{\n  "problems": [\n'
    for problem in problems:
        click.echo(lead + "    " + dumps_json(problem.to_json()).replace("\n", "\n    "),
                   nl=False)
        lead = ",\n"
    end = '{\n  "problems": [],\n' if lead != ",\n" else "\n  ],\n"
    click.echo(end + '  "summary": ' + dumps_json(summary()).replace("\n", "\n  ") + "\n}")


def _vault_root(app: App, paths: tuple[Path, ...]) -> Path:
    """``--vault``, else the nearest folder upward from the first PATH with a plaincrm.toml
    (so a pre-commit hook run at a repository's top finds a vault in a subfolder)."""
    if app.vault_option is None and paths:
        start = paths[0].resolve()
        for folder in (start, *start.parents):
            if (folder / CONFIG_NAME).is_file():
                return folder
    return app.root


def _scope(root: Path, paths: tuple[Path, ...], known: list[str]) -> set[str]:
    """The vault-relative profile paths the PATHs name (a folder names every profile in it)."""
    wanted: set[str] = set()
    files = set(known)
    for path in paths:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue  # outside the vault
        if rel in files:
            wanted.add(rel)
        elif path.is_dir():
            prefix = "" if rel == "." else rel + "/"
            wanted.update(p for p in known if p.startswith(prefix))
    return wanted


def _line(app: App, problem: Problem) -> str:
    colour = "red" if problem.severity is Severity.ERROR else "yellow"
    return (f"{app.style(str(problem.location), bold=True)}: "
            f"{app.style(problem.code, fg=colour)} {problem.message}")


def _summary(errors: int, warnings: int, profiles: int) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    return f"{n(errors, 'error')}, {n(warnings, 'warning')} in {n(profiles, 'profile')}"
