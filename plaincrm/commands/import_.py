"""plaincrm import: contacts from vCard, Google, Outlook or any CSV into profiles."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from plaincrm.cli import App, date_option, json_option, pass_app
from plaincrm.errors import EXIT_PROBLEMS
from plaincrm.interop.apply import Changed
from plaincrm.interop.formats import FORMATS, ImportFile, ReadOptions, read_file
from plaincrm.interop.plan import Action, Step, plan
from plaincrm.model import Location, Problem

BAR_FROM = 100  # records: a smaller file is done before a bar would be worth drawing


@click.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="The files' format; auto tells vCard, Google, Outlook and other CSV apart.")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="For other CSV: what a column holds, e.g. 'Handy=phone:mobile', "
                   "'Kundennr=customer_no' (a key), 'Spare=-' (left out). Repeat for more.")
@click.option("--dates", "date_order", type=click.Choice(["mdy", "dmy"]), default=None,
              help="Read slashed dates month first (mdy, Outlook's) or day first (dmy).")
@click.option("--apply", "write", is_flag=True,
              help="Write the new profiles and fill the empty keys of matched ones (without "
                   "it: a dry run that writes nothing).")
@click.option("--update", is_flag=True,
              help="Also replace a matched profile's values that differ from the record's "
                   "(never its name; tags are only added to).")
@click.option("--no-commit", is_flag=True, help="With --apply: do not commit to git.")
@click.option("--status", help="Status of the new profiles (default: the template's).")
@click.option("--owner", help="Owner of the new profiles.")
@click.option("--tag", "tags", multiple=True, help="A tag for every new profile (repeatable).")
@click.option("--customer-since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help="customer_since of the new profiles that do not "
                                         "give one (default: today).")
@click.option("--folder", default="", help="Folder inside the vault for the new profiles.")
@json_option
@date_option
@pass_app
def import_(app: App, files: tuple[Path, ...], fmt: str, mapping: tuple[str, ...],
            date_order: str | None, write: bool, update: bool, no_commit: bool,
            status: str | None,
            owner: str | None, tags: tuple[str, ...], customer_since: dt.datetime | None,
            folder: str, as_json: bool, today: dt.datetime | None) -> None:
    """Import contacts from FILEs: vCard (.vcf, 2.1/3.0/4.0), Google Contacts CSV,
    Outlook CSV or another CSV (docs/import.md has the field mapping).

    A dry run by default: one line per record saying it is new, matches an existing
    profile (which, and why, and which keys it would fill), or has a problem (where in
    the file). --apply writes the new profiles from the vault's template, fills the keys
    a matched profile leaves absent or empty (never changing a value it has), and
    commits them all in one commit. --update also replaces a matched profile's values
    that differ from the record's: every key the record gives except the name, which
    stays; tags are added, none taken away. Only the changed keys' lines change.
    Importing the same file again changes nothing. Exit status 1 when a record had a
    problem.

    \b
    Example:
      plaincrm import contacts.vcf
      plaincrm import google.csv --apply --tag imported
      plaincrm import phone.vcf --update --apply
    """
    from plaincrm.interop.apply import Defaults, apply
    from plaincrm.interop.generic import parse_mapping

    options = ReadOptions(format=fmt, mapping=parse_mapping(mapping),
                          date_order=date_order or "")
    day = today.date() if today else dt.date.today()
    vault = app.open()
    profiles = list(vault.profiles(full=False))
    defaults = Defaults(status=status, owner=owner.removeprefix("@") if owner else None,
                        tags=tags, customer_since=customer_since.date() if customer_since
                        else None, folder=folder)
    report: list[dict[str, Any]] = []
    failed = False
    for path in files:
        read = read_file(path, str(path), options)
        for note in read.notes:
            app.note(note)
        with _bar(len(read.records), "Matching records") as tick:
            steps = plan(read.records, profiles, tick, update)
        created: dict[Location, str] = {}
        changed: dict[Location, Changed] = {}
        extra: list[Problem] = []
        if write:
            with _bar(len(steps), "Writing profiles") as tick:
                done = apply(vault.root, steps, profiles, defaults, day, not no_commit,
                             path.name, tick, update)
            created = dict(done.created)
            changed = dict(done.changed)
            extra = list(done.problems)
        failed |= any(s.action is Action.PROBLEM for s in steps)
        failed |= any(p.code == "import-error" for p in extra)
        if as_json:
            report.append(_json(read, steps, created, changed, extra))
            continue
        for step in steps:
            app.echo(_line(app, step, created.get(step.position), write,
                           changed.get(step.position)))
            first = 1 if step.action is Action.PROBLEM else 0  # shown as the step's line
            later = [p for p in extra if p.location == step.position]
            for problem in (*step.problems[first:], *later):
                app.echo(_problem(app, problem))
        app.err(_summary(read, steps, write, created, changed))
        if write:
            if done.commit:
                app.err(f"committed {done.commit}: {done.message}")
            elif done.note and (created or changed):
                app.note(done.note)
    if as_json:
        app.print_json({"files": report})
    if failed:
        click.get_current_context().exit(EXIT_PROBLEMS)


@contextlib.contextmanager
def _bar(length: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr when it is a terminal and the file is large; else nothing."""
    if length < BAR_FROM or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def _line(app: App, step: Step, created: str | None, write: bool,
          changed: Changed | None) -> str:
    where = app.style(str(step.position), bold=True)
    if step.action is Action.PROBLEM:
        return _problem(app, step.problems[0])
    assert step.mapped is not None
    if step.action is Action.NEW and created:
        return f"{where}: {app.style('created', fg='green')} {created} ({step.mapped.name})"
    if step.action is Action.NEW:
        return f"{where}: {app.style('new', fg='green')} {step.mapped.name}"
    found = "; ".join(f"{m.path} ({m.name}): {m.why}" for m in step.matches)
    if write:
        fill, differ = (changed.filled, changed.updated) if changed else ((), ())
        said = ("filled", "updated")
    else:
        fill, differ = step.lacks, step.differs
        said = ("would fill", "would update")
    keys = "".join(f"; {what} {', '.join(names)}" for what, names in zip(said, (fill, differ),
                                                                          strict=True) if names)
    return f"{where}: {app.style('matches', fg='cyan')} {found}{keys}"


def _problem(app: App, problem: Problem) -> str:
    colour = "red" if problem.code == "import-error" else "yellow"
    return f"{app.style(str(problem.location), bold=True)}: " \
           f"{app.style(problem.code, fg=colour)} {problem.message}"


def _summary(read: ImportFile, steps: list[Step], write: bool, created: dict[Location, str],
             changed: dict[Location, Changed]) -> str:
    counts = {a: sum(s.action is a for s in steps) for a in Action}
    text = (f"{read.shown} ({read.format}): {len(steps)} records, {counts[Action.NEW]} new, "
            f"{counts[Action.MATCH]} matching, {counts[Action.PROBLEM]} with problems")
    if not write:
        return text + "; a dry run, nothing written (--apply writes the new profiles)"
    text += f"; {len(created)} profiles created"
    if counts[Action.MATCH]:
        text += f"; {len({c.path for c in changed.values()})} matching profiles changed"
    return text


def _json(read: ImportFile, steps: list[Step], created: dict[Location, str],
          changed: dict[Location, Changed], extra: list[Problem]) -> dict[str, Any]:
    records = []
    for step in steps:
        problems = [*step.problems, *(p for p in extra if p.location == step.position)]
        records.append({
            "line": step.position.line,
            "action": str(step.action),
            "name": step.mapped.name if step.mapped else None,
            "matches": [{"path": m.path, "name": m.name, "why": m.why, "in_file": m.in_file}
                        for m in step.matches],
            "lacks": list(step.lacks),
            "differs": list(step.differs),
            "filled": list(changed[step.position].filled) if step.position in changed else [],
            "updated": list(changed[step.position].updated) if step.position in changed
            else [],
            "keys": step.mapped.keys() if step.mapped else [],
            "created": created.get(step.position),
            "problems": [p.to_json() for p in problems],
        })
    return {"path": read.shown, "format": read.format, "records": records}
