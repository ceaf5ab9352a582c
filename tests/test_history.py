"""plaincrm history in real repositories built here: renames, two authors, a subfolder vault."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

V1 = b"""---
name: Jane Roe
phone: +44 20 7946 0958  # mobile
status: lead
---

## Log

- 2026-01-05 call: First call.
"""
V2 = V1.replace(b"+44 20 7946 0958", b"+44 20 7946 0000").replace(b"lead", b"active")
V3 = V2 + b"- 2026-02-01 visit: Fitted the boiler.\n- 2026-02-02 call: Follow-up.\n"
V4 = V3.replace(b"## Log", b"- [ ] 2026-03-01 Annual service\n\n## Log")


def git(cwd: Path, *args: str, **env: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env={**os.environ, **env})
    return done.stdout


def commit(top: Path, message: str, author: str, day: str) -> None:
    stamp = f"{day}T10:00:00+00:00"
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", message, GIT_AUTHOR_NAME=author,
        GIT_AUTHOR_EMAIL=f"{author.split()[0].lower()}@example.com",
        GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)


@pytest.fixture
def repo(vault: VaultFactory) -> Path:
    """A repository whose vault is the subfolder ``crm``; jane's file is renamed on the way."""
    top = vault({"README.md": "The shop's files.\n"}, name="shop")
    git(top, "init", "-q")
    crm = top / "crm"
    crm.mkdir()
    (crm / "plaincrm.toml").write_text("")
    (crm / "jane.md").write_bytes(V1)
    commit(top, "add jane", "Sam Smith", "2026-01-05")
    (crm / "jane.md").write_bytes(V2)
    commit(top, "new phone", "Amy Jones", "2026-01-20")
    (crm / "customers").mkdir()
    git(top, "mv", "crm/jane.md", "crm/customers/jane-roe.md")
    commit(top, "file jane under customers", "Sam Smith", "2026-01-21")
    (crm / "customers/jane-roe.md").write_bytes(V3)
    commit(top, "visits", "Amy Jones", "2026-02-02")
    (crm / "customers/jane-roe.md").write_bytes(V4)
    (top / "README.md").write_text("Changed too.\n")
    commit(top, "plan the service", "Sam Smith", "2026-02-03")
    return crm


def test_history_text(repo: Path, run: Run) -> None:
    result = run(repo, "--color", "never", "history", "jane")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "customers/jane-roe.md: 5 commits, newest first\n"
        f"2026-02-03  {_sha(repo, 0)}  Sam Smith  plan the service\n"
        "    +1 task\n"
        f"2026-02-02  {_sha(repo, 1)}  Amy Jones  visits\n"
        "    +2 log entries\n"
        f"2026-01-21  {_sha(repo, 2)}  Sam Smith  file jane under customers\n"
        "    renamed from jane.md\n"
        f"2026-01-20  {_sha(repo, 3)}  Amy Jones  new phone\n"
        "    phone: +44 20 7946 0958 → +44 20 7946 0000\n"
        "    status: lead → active\n"
        f"2026-01-05  {_sha(repo, 4)}  Sam Smith  add jane\n"
        "    created with 3 front-matter fields\n"
        "    +1 log entry\n"
    )
    assert result.stderr == ""


def _sha(crm: Path, back: int) -> str:
    return git(crm, "rev-parse", "--short=7", f"HEAD~{back}").strip()


def test_history_json(repo: Path, run: Run) -> None:
    result = run(repo, "history", "jane roe", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == "customers/jane-roe.md"
    revs = data["revisions"]
    assert [r["subject"] for r in revs] == [
        "plan the service", "visits", "file jane under customers", "new phone", "add jane"]
    assert [r["author"] for r in revs[:2]] == ["Sam Smith", "Amy Jones"]
    assert revs[1]["email"] == "amy@example.com"
    assert revs[1]["date"] == "2026-02-02T10:00:00+00:00"
    assert revs[2]["renamed_from"] == "jane.md" and revs[2]["path"] == "customers/jane-roe.md"
    assert revs[3]["fields"] == [
        {"key": "phone", "old": "+44 20 7946 0958", "new": "+44 20 7946 0000"},
        {"key": "status", "old": "lead", "new": "active"},
    ]
    assert (revs[0]["tasks_added"], revs[1]["log_added"], revs[4]["created"]) == (1, 2, True)
    assert list(revs[0]) == sorted(revs[0])


def test_history_counts_ticked_tasks(repo: Path, run: Run) -> None:
    assert run(repo, "done", "jane", "annual", "--commit").exit_code == 0
    data = json.loads(run(repo, "history", "jane", "--json").stdout)
    newest = data["revisions"][0]
    assert newest["subject"] == "done: Jane Roe — Annual service"
    assert (newest["tasks_done"], newest["tasks_added"], newest["fields"]) == (1, 0, [])


def test_history_of_an_uncommitted_profile(repo: Path, run: Run) -> None:
    (repo / "new.md").write_text("---\nname: Newton\n---\n")
    result = run(repo, "history", "newton")
    assert result.exit_code == 0
    assert "no commits yet" in result.stdout


def test_history_outside_git(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": V1})
    result = run(root, "history", "jane")
    assert result.exit_code == 8
    assert "not in a git repository" in result.stderr


def test_history_without_git_installed(repo: Path, run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    result = run(repo, "history", "jane", env={"PATH": str(empty)})
    assert result.exit_code == 8
    assert "git is not installed" in result.stderr


def test_history_warns_on_a_shallow_clone(repo: Path, run: Run, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo.parent}", str(clone))
    result = run(clone / "crm", "history", "jane")
    assert result.exit_code == 0, result.output
    assert "shallow clone" in result.stderr
    assert "2 commits" in result.stdout
