"""vault-example is the README's main exhibit: its agenda is never empty and its deliberate
problems are all reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Run

EXAMPLE = Path(__file__).parent.parent / "vault-example"

DELIBERATE = {
    ("bernadette-kelly.md", "unknown-status"),
    ("connor-walsh.md", "missing-field"),
    ("eleanor-hughes.md", "stale"),
    ("grace-okafor.md", "invalid-email"),
    ("hans-mueller.md", "duplicate"),
    ("mueller-hans.md", "duplicate"),
    ("nikolai-petrov.md", "undated-task"),
    ("sofia-rossi.md", "invalid-phone"),
    ("yusuf-demir.md", "invalid-date"),
}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example") / "vault-example"
    shutil.copytree(EXAMPLE, root)
    return root


def test_every_deliberate_problem_is_reported(example: Path, run: Run) -> None:
    result = run(example, "check", "--json", "--date", "2026-11-22")
    assert result.exit_code == 1
    found = {(p["path"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert found >= DELIBERATE
    # nothing but the deliberate problems and national-format phone warnings
    assert {f for f in found - DELIBERATE if f[1] != "invalid-phone"} == set()


@pytest.mark.parametrize("day", ["2026-11-22", "2027-02-28", "2027-12-30", "2030-06-15",
                                 "2040-01-01"])
def test_the_agenda_is_never_empty(example: Path, run: Run, day: str) -> None:
    result = run(example, "agenda", "--json", "--date", day)
    items = json.loads(result.stdout)["items"]
    assert any(i["section"] == "overdue" for i in items)
    assert all(i["path"] and (example / i["path"]).is_file() for i in items)
