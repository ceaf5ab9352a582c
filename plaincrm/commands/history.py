"""plaincrm history: who changed a profile, when, and what."""

from __future__ import annotations

import click

from plaincrm.cli import App, json_option, pass_app
from plaincrm.history import History, profile_history
from plaincrm.lookup import find_path


@click.command()
@click.argument("name")
@json_option
@pass_app
def history(app: App, name: str, as_json: bool) -> None:
    """Show the git history of NAME's profile, newest first, across renames.

    Each commit: date, short hash, author, subject; the front-matter fields it
    changed (old → new); how many log entries and tasks it added, and tasks it
    ticked. Needs the vault to be in a git repository (exit 8 if not).

    \b
    Example:
      plaincrm history "jane roe"
    """
    vault = app.open()
    path = find_path(vault.index, name, vault.config["profiles.phone_region"])
    result = profile_history(vault.root, path)
    for warning in result.warnings:
        app.note(warning)
    if as_json:
        app.print_json({"path": result.path,
                        "revisions": [r.to_json() for r in result.revisions]})
        return
    for line in render(app, result):
        app.echo(line)


def render(app: App, h: History) -> list[str]:
    if not h.revisions:
        return [f"{h.path}: no commits yet (it is not committed to git)"]
    count = len(h.revisions)
    lines = [f"{h.path}: {count} commit{'s' if count != 1 else ''}, newest first"]
    for r in h.revisions:
        head = app.style(r.commit[:7], fg="yellow")
        lines.append(f"{r.date.date().isoformat()}  {head}  {r.author}  {r.subject}")
        if r.created:
            lines.append(f"    created with {len(r.fields)} front-matter fields")
        else:
            lines += [f"    {f}" for f in r.fields]
        counts = [(r.log_added, "log entry", "log entries"), (r.tasks_added, "task", "tasks"),
                  (r.tasks_done, "task done", "tasks done")]
        added = [f"+{n} {one if n == 1 else many}" for n, one, many in counts[:2] if n]
        added += [f"{n} {counts[2][1] if n == 1 else counts[2][2]}" for n in [r.tasks_done] if n]
        if added:
            lines.append("    " + ", ".join(added))
        if r.renamed_from:
            lines.append(f"    renamed from {r.renamed_from}")
    return lines
