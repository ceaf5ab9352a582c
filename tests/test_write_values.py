"""Values given on the command line: no control characters, dates in plaincrm's range; and
``init --hook`` in an existing vault installs the hook and nothing else."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from plaincrm.edit import check_value
from plaincrm.errors import BadValue
from tests.conftest import Run, VaultFactory

JANE = (b"---\nname: Jane Roe\n---\n\n- [ ] 2026-12-01 Send the quote\n\n"
        b"## Log\n\n- 2026-01-01 call: a\n")
BAD = ["Eve\nstatus: lost", "Eve\rRoe", "\x1b[31mEve", "Eve\x85Roe", "Eve\u2028Roe"]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("args", [
    ("new", "{}"),
    ("new", "Eve Adams", "--email", "{}"),
    ("new", "Eve Adams", "--phone", "{}"),
    ("new", "Eve Adams", "--status", "{}"),
    ("new", "Eve Adams", "--owner", "{}"),
    ("new", "Eve Adams", "--tag", "{}"),
    ("new", "Eve Adams", "--folder", "{}"),
    ("log", "jane", "{}"),
    ("log", "jane", "Hi.", "--kind", "{}"),
    ("task", "jane", "2026-12-02", "{}"),
    ("task", "jane", "2026-12-02", "Ring", "--owner", "{}"),
])
def test_control_characters_are_refused_in_every_value(vault: VaultFactory, run: Run,
                                                       args: tuple[str, ...], bad: str) -> None:
    root = vault({"jane.md": JANE})
    before = files(root)
    result = run(root, *(a.replace("{}", bad) for a in args))
    assert result.exit_code == 2, result.output
    assert "control character" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert files(root) == before


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1c", "\x7f", "\x9b", "\u2029"])
def test_every_control_character_is_refused(bad: str) -> None:
    with pytest.raises(BadValue, match="control character"):
        check_value(f"Eve{bad}Roe", "NAME")
    assert check_value("Zoë\tO'Brien — ☎", "NAME") == "Zoë\tO'Brien — ☎"


def test_a_tab_in_log_text_is_still_fine(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE})
    result = run(root, "log", "jane", "a\tb", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert (root / "jane.md").read_bytes().endswith(b"- 2026-11-20 note: a\tb\n")


@pytest.mark.parametrize("args", [
    ("task", "jane", "9999-12-31", "Ring"),
    ("task", "jane", "0999-01-01", "Ring"),
    ("log", "jane", "Hi.", "--date", "9000-01-01"),
    ("new", "Eve Adams", "--date", "9999-12-31"),
    ("new", "Eve Adams", "--birthday", "9999-12-31"),
    ("new", "Eve Adams", "--birthday", "1990-5-7"),
])
def test_dates_out_of_range_are_refused(vault: VaultFactory, run: Run,
                                        args: tuple[str, ...]) -> None:
    root = vault({"jane.md": JANE})
    before = files(root)
    result = run(root, *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1
    assert files(root) == before


def test_a_task_on_the_last_day_keeps_agenda_and_calendar_working(vault: VaultFactory,
                                                                  run: Run) -> None:
    root = vault({"jane.md": JANE})
    assert run(root, "task", "jane", "8999-12-31", "Ring").exit_code == 0
    assert run(root, "agenda", "--date", "8999-12-30").exit_code == 0
    assert run(root, "calendar", "--date", "8999-12-30").exit_code == 0


def test_init_hook_in_an_existing_vault_installs_only_the_hook(tmp_path: Path,
                                                               run: Run) -> None:
    shop = tmp_path / "shop"
    assert run(None, "init", str(shop)).exit_code == 0
    (shop / "ada-example.md").unlink()  # the user removed the example long ago
    subprocess.run(["git", "add", "-A"], cwd=shop, check=True)
    subprocess.run(["git", "commit", "-qm", "start"], cwd=shop, check=True)
    before = files(shop)
    result = run(None, "init", "--hook", str(shop))
    assert result.exit_code == 0, result.output
    assert not (shop / "ada-example.md").exists()
    after = files(shop)
    assert {k: v for k, v in after.items() if k != ".git/hooks/pre-commit"} == before
    assert ".git/hooks/pre-commit" in after
    assert result.stdout.splitlines()[0] == "created                 .git/hooks/pre-commit"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=shop, capture_output=True,
                            text=True, check=True)
    assert status.stdout == ""
