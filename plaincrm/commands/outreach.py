"""plaincrm outreach: the messages due to customers today; drafts; sending, each once."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from plaincrm.cli import App, date_option, json_option, pass_app
from plaincrm.errors import EXIT_PROBLEMS
from plaincrm.fields import FIRST_YEAR, LAST_YEAR
from plaincrm.outreach.names import BUILTIN_OCCASIONS, OCCASION_NAME


@click.command()
@date_option
@click.option("--drafts", "drafts", type=click.Path(file_okay=False, path_type=Path),
              metavar="DIR", help="Write each message as an .eml file in DIR (nothing is sent "
                                  "and nothing in the vault changes).")
@click.option("--send", is_flag=True, help="Send the messages over SMTP (mail.toml in the "
                                           "user config folder) and record each in its profile.")
@click.option("--occasion", "chosen", multiple=True, type=click.Choice(BUILTIN_OCCASIONS),
              help="Only this occasion (repeatable); default: outreach.occasions in "
                   "plaincrm.toml.")
@click.option("--campaign", metavar="NAME", help="Instead of the occasions: the message "
              "templates/messages/NAME.md to every profile that --status and --tag select, "
              "once per profile.")
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              help="With --campaign: only profiles with this status (repeatable: any of them).")
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="With --campaign: only profiles with this tag (repeatable: all of them).")
@json_option
@pass_app
def outreach(app: App, today: dt.datetime | None, drafts: Path | None, send: bool,
             chosen: tuple[str, ...], campaign: str | None, statuses: tuple[str, ...],
             tags: tuple[str, ...], as_json: bool) -> None:
    """List the messages due to customers today and why (a dry run: nothing is sent).

    Occasions (birthday, anniversary, service, feedback, invoice, stage) are
    turned on in plaincrm.toml; templates live in templates/messages/. Opted-out,
    suppressed and address-less profiles are never written to. With --send each
    message is recorded in the customer's log before and after it goes out, so
    no occasion is ever sent twice. Exit 1 when a template or address has a
    problem, or a message was not sent or needs a check; 14 when mail cannot go
    out at all (settings, server, login).

    \b
    Examples:
      plaincrm outreach --date 2026-11-20 --occasion birthday
      plaincrm outreach --drafts ~/outbox
      plaincrm outreach --send
      plaincrm outreach --campaign loyalty-2026 --status active --tag combi
    """
    from plaincrm.outreach import run

    if drafts is not None and send:
        raise click.UsageError("--drafts and --send cannot be used together")
    if campaign is not None:
        if chosen:
            raise click.UsageError("--campaign and --occasion cannot be used together")
        if not OCCASION_NAME.fullmatch(campaign):
            raise click.BadParameter("a campaign name is lower-case letters, digits, '-' and "
                                     "'_', e.g. loyalty-2026", param_hint="--campaign")
    elif statuses or tags:
        raise click.UsageError("--status and --tag select the profiles of a --campaign")
    day = today.date() if today else dt.date.today()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise click.BadParameter(f"{day.isoformat()} is out of range; plaincrm takes dates "
                                 f"from {FIRST_YEAR} to {LAST_YEAR}", param_hint="'--date'")
    vault = app.open()
    request = run.Request(day=day, occasions=chosen, campaign=campaign, statuses=statuses,
                          tags=tags, drafts=drafts, send=send)
    progress = _progress if send and sys.stderr.isatty() else None
    result = run.run(vault, request, note=app.note, progress=progress)
    for problem in result.problems:
        app.err(str(problem))
    if as_json:
        app.print_json(result.to_json())
    else:
        for line in result.lines():
            app.echo(line)
    if result.failed:
        click.get_current_context().exit(EXIT_PROBLEMS)


def _progress(total: int) -> Any:
    """A progress bar on stderr (only on a terminal)."""
    return click.progressbar(length=total, label="Sending", file=sys.stderr)
