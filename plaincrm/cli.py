"""The command line: global options, lazy command loading, output options, the one error handler.

Commands live in ``plaincrm/commands/``, one module each, and are imported only when run, so
``plaincrm agenda`` never pays for the calendar or watchdog imports. A command parses its
options, calls one core function and prints.
"""

from __future__ import annotations

import atexit
import errno
import functools
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import click

from plaincrm import __version__
from plaincrm.errors import AmbiguousName, FileSystemError, PlaincrmError
from plaincrm.render import dumps_json, terminal_text

# name -> "module:attribute"; commands are imported when used
COMMANDS: dict[str, str] = {
    "init": "plaincrm.commands.init:init",
    "list": "plaincrm.commands.listing:list_",
    "show": "plaincrm.commands.show:show",
    "brief": "plaincrm.commands.brief:brief",
    "new": "plaincrm.commands.new:new",
    "index": "plaincrm.commands.index:index",
    "agenda": "plaincrm.commands.agenda:agenda",
    "calendar": "plaincrm.commands.calendar:calendar",
    "log": "plaincrm.commands.log:log",
    "done": "plaincrm.commands.done:done",
    "task": "plaincrm.commands.task:task",
    "history": "plaincrm.commands.history:history",
    "pulse": "plaincrm.commands.pulse:pulse",
    "watch": "plaincrm.commands.watch:watch",
    "serve": "plaincrm.commands.serve:serve",
    "check": "plaincrm.commands.check:check",
    "import": "plaincrm.commands.import_:import_",
    "export": "plaincrm.commands.export:export",
    "outreach": "plaincrm.commands.outreach:outreach",
    "set": "plaincrm.commands.set:set_",
    "unset": "plaincrm.commands.set:unset",
    "reassign": "plaincrm.commands.reassign:reassign",
    "merge": "plaincrm.commands.merge:merge",
    "merge-driver": "plaincrm.commands.mergedriver:merge_driver",
    "precommit": "plaincrm.commands.precommit:precommit",
}


class LazyGroup(click.Group):
    """A group that imports each command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            except OSError as exc:  # disk full, no permission…: one line, never a traceback
                if exc.errno == errno.EPIPE:
                    raise  # a closed pipe (plaincrm agenda | head): click's own handling
                raise FileSystemError.of(exc) from None
        except PlaincrmError as exc:
            app = ctx.find_object(App)
            app_echo = app.err if app else functools.partial(click.echo, err=True)
            app_echo(f"plaincrm: {exc}")
            if isinstance(exc, AmbiguousName):
                for candidate in exc.candidates:
                    app_echo(f"  {candidate}")
            ctx.exit(exc.exit_code)


@dataclass
class App:
    """What every command gets: where the vault is, and how to print."""

    vault_option: str | None
    color: bool | None  # None: click decides (colour on a terminal only)
    _vault: Any = field(default=None, repr=False)
    # what style accepts: each makes one of the SGR codes echo lets through
    FLAGS: ClassVar[frozenset[str]] = frozenset({"bold", "dim", "italic", "underline"})
    COLOURS: ClassVar[frozenset[str]] = frozenset(
        {f"{bright}{name}" for bright in ("", "bright_") for name in
         ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")})

    @property
    def root(self) -> Path:
        from plaincrm.vault import find_vault

        return find_vault(self.vault_option)

    def open(self) -> Any:
        """The open vault, its index refreshed; config problems are noted on stderr once."""
        if self._vault is None:
            from plaincrm.loader import open_vault

            vault = open_vault(self.root, note=self.note)
            vault.refresh()
            for problem in vault.config_problems:
                self.err(str(problem))
            self._vault = vault
            click.get_current_context().call_on_close(vault.close)
        return self._vault

    # All text output goes through echo and err: control characters from the data are shown
    # as escapes there (terminal_text); only the styled spans style makes keep their ESC.

    def echo(self, text: str = "", nl: bool = True) -> None:
        click.echo(terminal_text(text, styled=self.colored), nl=nl, color=self.color)

    def err(self, text: str) -> None:
        click.echo(terminal_text(text, styled=self.colored), err=True, color=self.color)

    def note(self, text: str) -> None:
        self.err(f"plaincrm: note: {text}")

    @functools.cached_property
    def colored(self) -> bool:
        """Whether output gets colour: --color, else NO_COLOR, else what click.echo decides
        (a terminal keeps colour, a pipe does not). Decided once, so plain output skips all
        styling work."""
        if self.color is not None:
            return self.color
        from click._compat import should_strip_ansi  # the test click.echo itself applies

        return not should_strip_ansi(sys.stdout)

    def style(self, text: str, **styles: Any) -> str:
        """``text`` in colour when output is coloured: ``fg`` a named colour, ``bold``, ``dim``,
        ``italic``, ``underline`` True. The text is escaped first, so the result is exactly the
        one shape of styled span :meth:`echo` lets through (plaincrm.render.STYLED_SPAN)."""
        if not self.colored or not styles:
            return text
        for key, value in styles.items():
            flag = value is True and key in self.FLAGS
            if not (flag or (key == "fg" and value in self.COLOURS)):
                raise ValueError(f"App.style cannot make {key}={value!r}")
        return click.style(terminal_text(text), **styles)

    def print_json(self, data: Any) -> None:
        """JSON (exact data: control characters as ``\\u`` escapes, see dumps_json)."""
        click.echo(dumps_json(data))


def echo_json_list(key: str, items: Iterable[Any], before: dict[str, Any] | None = None
                   ) -> None:
    """Print ``{**before, key: [items]}`` exactly as :func:`dumps_json` would, one item at a
    time, so a large list never sits in memory whole (``before``: keys sorting before
    ``key``)."""
    assert all(other < key for other in before or {})
    # the only line breaks in dumps_json's text are its own (not str.splitlines', which
    # would also split at U+2028 and other separators inside strings)
    head = "{\n" + "".join(f"  {dumps_json(k)}: " + dumps_json(v).replace("\n", "\n  ") + ",\n"
                           for k, v in sorted((before or {}).items()))
    first = True
    for item in items:
        body = "    " + dumps_json(item).replace("\n", "\n    ")
        click.echo((head + f'  "{key}": [\n' if first else ",\n") + body, nl=False)
        first = False
    click.echo(head + f'  "{key}": []\n' + "}" if first else "\n  ]\n}")


pass_app = click.make_pass_decorator(App)


def owner_filter_of(vault: Any, names: Iterable[str]) -> str | None:
    """The ``--owner`` names given, checked against the vault's owners
    (:func:`plaincrm.agenda.checked_owners`); one nobody has is a usage error (exit 2)."""
    from plaincrm.agenda import UnknownOwner, checked_owners

    try:
        return checked_owners(vault, names)
    except UnknownOwner as exc:
        raise click.BadParameter(str(exc), param_hint="--owner") from None


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` for a read command: machine-readable output with stable, sorted keys."""
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON (stable, sorted keys) instead of text.")(func)


def output_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o``/``--output FILE`` for a command that otherwise writes to standard output: the
    command gets a Path, or None for standard output, which ``-o -`` also means (taken as
    written: pathlib would read ``./-``, a file of that name, as ``-`` too)."""

    def target(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Path | None:
        return None if value is None or value == "-" else Path(value)

    return click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                        metavar="FILE", callback=target,
                        help=f"{help_text} ('-': standard output; ./- for a file of that "
                             "name).")


def date_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--date YYYY-MM-DD``: the day to treat as today (tests and cron jobs pin it); a day
    outside the years plaincrm takes (:func:`plaincrm.fields.check_day`) is a usage error."""

    def in_range(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        """The parsed datetime (or None), refused when outside the bound."""
        from plaincrm import fields

        if value is not None:
            try:
                fields.check_day(value.date(), "--date")
            except fields.FieldError:
                raise click.BadParameter(fields.out_of_range(value.date())) from None
        return value

    return click.option("--date", "today", type=click.DateTime(formats=["%Y-%m-%d"]),
                        default=None, metavar="YYYY-MM-DD", callback=in_range,
                        help="Treat this day as today (default: the real today).")(func)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--vault", "vault", envvar="PLAINCRM_VAULT", type=click.Path(file_okay=False),
              help="The vault folder (env PLAINCRM_VAULT; default: the nearest folder upward "
                   "with a plaincrm.toml, else the current folder).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the output; auto means on a terminal, "
                                      "unless NO_COLOR is set.")
@click.version_option(__version__, "--version", prog_name="plaincrm")
@click.pass_context
def main(ctx: click.Context, vault: str | None, color: str) -> None:
    """plaincrm: your customers in plain Markdown files, under git.

    \b
    Example:
      plaincrm --vault vault-example agenda
    """
    # A command reads thousands of small records that all live until it exits: collecting the
    # young generation every 700 allocations only rescans them (a fifth of a warm command).
    gc.set_threshold(50_000, 20, 10)
    if color == "always":
        use_color: bool | None = True
    elif color == "never" or os.environ.get("NO_COLOR"):
        use_color = False
    else:
        use_color = None
    ctx.obj = App(vault_option=vault, color=use_color)


def run(prog_name: str = "plaincrm") -> NoReturn:
    """The ``plaincrm`` script and ``python -m plaincrm``: :func:`main`, then a quick exit.

    Tearing the interpreter down (freeing every module and object, one last collection) is
    a tenth of a warm command and does nothing a finished command needs: its files are
    written and closed, its index closed (``vault.close`` runs as the command's context
    closes). So once the output is flushed and the exit handlers have run, the process
    leaves at once, unless another thread still runs (it is waited for as usual), the exit
    code is not a number (it is printed as usual) or a profiler or tracer watches (it writes
    its report as the interpreter ends)."""
    try:
        main(prog_name=prog_name)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    threading = sys.modules.get("threading")
    if not (code is None or isinstance(code, int)) or (
            threading is not None and threading.active_count() > 1) or (
            sys.getprofile() or sys.gettrace()) is not None:
        raise SystemExit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a pipe closed after click's own handling: Python reports it as ever
        raise SystemExit(code) from None
    atexit._run_exitfuncs()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    run()
