"""plaincrm pulse: the heartbeat of the business at a glance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from plaincrm.cli import App, date_option, json_option, pass_app
from plaincrm.fields import FIRST_YEAR, LAST_YEAR

MAX_WEEKS = 520  # the longest period: ten years


def _day(value: dt.datetime | None, option: str) -> dt.date | None:
    if value is None:
        return None
    day = value.date()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise click.BadParameter(f"{day.isoformat()} is out of range; plaincrm takes dates "
                                 f"from {FIRST_YEAR} to {LAST_YEAR}", param_hint=f"'{option}'")
    return day


@click.command()
@click.option("--owner", metavar="NAME", help="Only this staff member: the entries they wrote, "
                                              "the items they own, the customers they look "
                                              "after.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help="Start of the period (default: the Monday 11 weeks "
                                         "before this week's, so 12 weeks); also lists what "
                                         "happened since then.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD", help="End of the period (default: today).")
@date_option
@json_option
@click.option("--html", "html", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="Also write the pulse as one self-contained HTML page with "
                                   "charts to FILE (atomically).")
@pass_app
def pulse(app: App, owner: str | None, since: dt.datetime | None, until: dt.datetime | None,
          today: dt.datetime | None, as_json: bool, html: Path | None) -> None:
    """Show the pulse of the business: contacts per week, follow-through, customers going
    quiet, the pipeline and retention, for the last 12 weeks (or --since/--until).

    Every figure and its definition: docs/pulse.md.

    \b
    Examples:
      plaincrm pulse
      plaincrm pulse --owner ben --since 2026-11-01
      plaincrm pulse --json
      plaincrm pulse --html pulse.html
    """
    from plaincrm.pulse.gather import pulse_figures

    day = _day(today, "--date") or dt.date.today()
    start, end = _day(since, "--since"), _day(until, "--until")
    if start and end and start > end:
        raise click.BadParameter(f"--since {start} is after --until {end}", param_hint="'--since'")
    if start and (((end or day) - start).days // 7) > MAX_WEEKS:
        raise click.BadParameter(f"the period is longer than {MAX_WEEKS} weeks (ten years)",
                                 param_hint="'--since'")
    vault = app.open()
    data = pulse_figures(vault, day, start, end, owner)
    if data["history"]["reason"]:
        app.note(f"no status history: {data['history']['reason']}")
    if html is not None:
        from plaincrm.files import atomic_write
        from plaincrm.render.pulse_html import render_html

        atomic_write(html, render_html(data).encode("utf-8"))
        app.err(f"plaincrm: wrote {html}")
    if as_json:
        app.print_json(data)
        return
    from plaincrm.render.pulse import render

    for line in render(data, app.style if app.colored else None):
        app.echo(line)
