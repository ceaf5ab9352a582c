"""Terminal control characters in profile data never reach the terminal as they are.

A name like ``"Eve \\e]0;pwned\\a"`` would set the window title, ``\\e[2J`` would clear the
screen: every text output shows them as visible escapes (``\\x1b``), on stdout and stderr, with
colour on or off, while plaincrm's own colour still works.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

TODAY = "2026-03-02"
ESC, BEL, CSI8 = "\x1b", "\x07", "\x9b"
TITLE = f"{ESC}]0;pwned{BEL}"
# every control character but the newlines and tabs of the layout; with colour on, the
# exact sequences plaincrm's own styling makes are allowed
# spans plaincrm styles itself (SGR codes, text without controls, the reset) are allowed
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
STYLED = re.compile("(?:\x1b\\[[0-9]+m)+[^\x00-\x08\x0b-\x1f\x7f-\x9f]*\x1b\\[0m")


def controls(text: str, coloured: bool) -> list[str]:
    return RAW_CONTROL.findall(STYLED.sub("", text) if coloured else text)


@pytest.fixture
def hostile(vault: Any) -> Path:
    """Profiles whose names, values, notes, tasks and file names hold terminal controls."""
    return vault({
        # YAML escapes: \e is ESC, \a BEL, \x9b the one-byte CSI
        "eve.md": (
            '---\nname: "Eve \\e]0;pwned\\a \\e[2J"\nstatus: active\n'
            "email: eve@example.com\nbirthday: 1980-03-05\n"
            'note: "tab\\there, newline\\nthere, \\x9b2J"\n---\n\n'
            f"## Tasks\n\n- [ ] 2026-03-03 send the {ESC}[2J offer{BEL}\n\n"
            f"## Log\n\n- 2026-01-05 called {ESC}]0;log{BEL} about it\n"),
        # the same email: the duplicates check quotes the other name
        "eve-again.md": ('---\nname: "Eve \\e[31mAgain"\nstatus: active\n'
                         "email: eve@example.com\n---\n"),
        # a loader problem quoting a value with controls
        "mallory.md": ('---\nname: Mallory\nstatus: active\n'
                       'email: m@example.com\nbirthday: "1980-02-30\\e[2J"\n---\n'),
        # a file name with controls is not read: its problem line quotes the name
        f"mal{ESC}[2Jlory{BEL}.md": "---\nname: Mallory Two\n---\n",
    })


COMMANDS = [("list",), ("show", "eve"), ("show", "mallory"), ("agenda", "--date", TODAY),
            ("check", "--date", TODAY)]


@pytest.mark.parametrize("color", ["always", "never"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] + "-" + c[-1])
def test_no_control_characters_reach_the_terminal(hostile: Path, run: Any, color: str,
                                                   command: tuple[str, ...]) -> None:
    result: Result = run(hostile, "--color", color, *command)
    coloured = color == "always"
    assert controls(result.stdout, coloured) == [], result.stdout
    assert controls(result.stderr, coloured) == [], result.stderr
    assert result.stdout.strip()
    if coloured and command[0] != "list":  # plaincrm's own styling is kept (list has none)
        assert STYLED.search(result.stdout), result.stdout
    else:
        assert ESC not in result.stdout + result.stderr


def test_escapes_are_visible(hostile: Path, run: Any) -> None:
    listed = run(hostile, "--color", "always", "list").stdout
    assert "Eve \\x1b]0;pwned\\x07 \\x1b[2J" in listed
    assert "mallory.md" in listed and "Mallory Two" not in listed  # a bad name is not read
    shown = run(hostile, "--color", "always", "show", "eve").stdout
    assert "\\x1b[2J offer\\x07" in shown  # the task
    assert "called \\x1b]0;log\\x07 about it" in shown  # the log
    # a table cell is one line: its tab and newline are data, shown as escapes, and the
    # columns stay aligned
    assert "note           tab\\x09here, newline\\x0athere, \\x9b2J" in shown
    agenda = run(hostile, "--color", "always", "agenda", "--date", TODAY).stdout
    assert "Eve \\x1b]0;pwned\\x07 \\x1b[2J" in agenda
    for color in ("always", "never"):  # a colour code in the data is data: escaped too
        checked = run(hostile, "--color", color, "check", "--date", TODAY).stdout
        assert "same person as eve-again.md (Eve \\x1b[31mAgain)" in checked, checked
        assert "same person as eve.md (Eve \\x1b]0;pwned\\x07 \\x1b[2J)" in checked


def test_problem_lines_on_stderr_are_escaped(hostile: Path, run: Any) -> None:
    for color in ("always", "never"):
        result = run(hostile, "--color", color, "show", "mallory")
        assert "mallory.md:5: " in result.stderr and "\\x1b[2J" in result.stderr, result.stderr
        assert controls(result.stderr, color == "always") == []
        checked = run(hostile, "--color", color, "check", "--date", TODAY).stdout
        assert "mal\\x1b[2Jlory\\x07.md:1" in checked, checked
        assert controls(checked, color == "always") == []


def test_table_columns_stay_aligned(hostile: Path, run: Any) -> None:
    lines = run(hostile, "--color", "never", "list").stdout.splitlines()
    starts = {line.index("active") for line in lines[1:]}
    assert len(starts) == 1 and lines[0].index("STATUS") in starts, lines


def test_errors_quoting_the_command_line_are_escaped(hostile: Path, run: Any) -> None:
    result = run(hostile, "show", f"nobody{ESC}]0;x{BEL}")
    assert result.exit_code == 4
    assert "nobody\\x1b]0;x\\x07" in result.stderr
    assert controls(result.stderr, False) == []


def test_every_style_plaincrm_makes_survives_and_nothing_else() -> None:
    from plaincrm.cli import App
    from plaincrm.render import terminal_text

    app = App(vault_option=None, color=True)
    for colour in sorted(App.COLOURS):
        styled = app.style(f"data{ESC}[2J", fg=colour, bold=True, dim=True, italic=True,
                           underline=True)
        assert terminal_text(styled, styled=True) == styled
        assert "data\\x1b[2J" in styled  # the data inside a span is escaped first
    # data that looks like plaincrm's colour but is not a whole span is shown as it is
    assert terminal_text(f"{ESC}[31mred", styled=True) == "\\x1b[31mred"
    with pytest.raises(ValueError):
        app.style("x", blink=True)


@pytest.mark.parametrize("color", ["always", "never"])
def test_history_escapes_authors_and_commit_messages(vault: Any, run: Any, color: str) -> None:
    root = vault({"plaincrm.toml": "", "eve.md": "---\nname: Eve\nstatus: active\n---\n"})
    env = {**os.environ, "GIT_AUTHOR_NAME": f"Mal{ESC}]0;x{BEL}", "GIT_AUTHOR_EMAIL": "m@x.org"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", f"add {ESC}[2J eve"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)
    result = run(root, "--color", color, "history", "eve")
    assert result.exit_code == 0, result.output
    # (git itself drops the BEL from an author name)
    assert "Mal\\x1b]0;x  add \\x1b[2J eve" in result.stdout, result.stdout
    assert controls(result.stdout, color == "always") == []
