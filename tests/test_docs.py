"""The sessions shown in README.md and docs/*.md are real: each ``$ plaincrm --vault
vault-example …`` block is run here and must print exactly what the docs show.

Lines starting with ``plaincrm: note:`` (the index being built, the vault not being in git)
depend on where the copy runs and are left out. Regenerate them after a deliberate change
with ``PLAINCRM_UPDATE_DOCS=1 python -m pytest tests/test_docs.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from plaincrm.cli import main

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```console\n\$ (plaincrm --vault vault-example [^\n]*)\n(.*?)```", re.S)
WRITERS = {"new", "log", "done", "task", "init", "watch", "serve"}
DATED = {"agenda", "calendar", "check", "show", "pulse"}


def sessions() -> list[tuple[Path, str]]:
    found = []
    for path in DOCS:
        if path.is_file():
            for match in BLOCK.finditer(path.read_text(encoding="utf-8")):
                found.append((path, match.group(1)))
    return found


def run_session(command: str, tmp_path: Path) -> str:
    args = shlex.split(command)[1:]
    vault = tmp_path / "vault-example"
    if not vault.exists():
        shutil.copytree(ROOT / "vault-example", vault)
    args[args.index("--vault") + 1] = str(vault)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    # notes depend on where the copy lives (in git or not, a fresh cache): not part of the doc
    return "".join(line for line in result.output.splitlines(keepends=True)
                   if not line.startswith("plaincrm: note:"))


@pytest.mark.parametrize(("path", "command"), sessions(),
                         ids=[f"{p.name}:{c[30:70]}" for p, c in sessions()])
def test_documented_session_is_real(path: Path, command: str, tmp_path: Path) -> None:
    words = shlex.split(command)
    verb = next(w for w in words[3:] if not w.startswith("-"))
    assert verb not in WRITERS, f"{command}: only read commands can be checked sessions"
    if verb in DATED:
        assert "--date" in words, f"{command}: pin the day with --date so the docs stay true"
    output = run_session(command, tmp_path)
    text = path.read_text(encoding="utf-8")
    block = f"```console\n$ {command}\n"
    start = text.index(block) + len(block)
    shown = text[start:text.index("```", start)]
    if os.environ.get("PLAINCRM_UPDATE_DOCS") == "1" and shown != output:
        path.write_text(text[:start] + output + text[start + len(shown):], encoding="utf-8")
        return
    assert shown == output, f"{path.name}: the session `{command}` prints something else now"
