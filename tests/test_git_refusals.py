"""When git cannot answer: not installed, a repository it refuses, a file it ignores; and the
rule that plaincrm runs git from one module only.

"Dubious ownership" is git's own refusal of a repository owned by another user; git's
``GIT_TEST_ASSUME_DIFFERENT_OWNER`` makes git itself take that path for a repository we own.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
from pathlib import Path

import pytest

import plaincrm
from tests.conftest import Run, VaultFactory

JANE = b"---\nname: Jane Roe\nstatus: lead\n---\n\n## Log\n\n- 2020-01-05 note: Met.\n"
REFUSED = {"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(vault: VaultFactory) -> Path:
    root = vault({"jane.md": JANE})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


@pytest.fixture
def no_git(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    return {"PATH": str(empty)}


def test_git_refuses_the_repository_itself(repo: Path) -> None:
    done = subprocess.run(["git", "status"], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **REFUSED})
    assert done.returncode == 128 and "dubious ownership" in done.stderr


def test_history_in_a_refused_repository(repo: Path, run: Run) -> None:
    result = run(repo, "history", "jane", env=REFUSED)
    assert result.exit_code == 8
    assert result.stderr.count("dubious ownership") == 1
    assert "safe.directory" in result.stderr  # git's advice reaches the user
    assert result.stdout == ""


def test_commit_in_a_refused_repository_writes_nothing(repo: Path, run: Run) -> None:
    result = run(repo, "log", "jane", "Called.", "--commit", env=REFUSED)
    assert result.exit_code == 8
    assert result.stderr.count("dubious ownership") == 1
    assert (repo / "jane.md").read_bytes() == JANE


def test_check_in_a_refused_repository_uses_file_times_and_says_so_once(repo: Path,
                                                                        run: Run) -> None:
    os.utime(repo / "jane.md", (1_600_000_000, 1_600_000_000))  # September 2020
    result = run(repo, "check", "--date", "2026-11-20", env=REFUSED)
    assert result.stderr.count("note:") == 1
    assert "dubious ownership" in result.stderr
    assert "file modification times" in result.stderr
    assert "jane.md:1: stale unchanged since 2020-09-1" in result.stdout


def test_mine_in_a_refused_repository_still_reads_the_git_user_name(repo: Path,
                                                                    run: Run) -> None:
    # git config reads the user's own settings even in a repository git refuses
    (repo / "jane.md").write_bytes(b"---\nname: Jane Roe\nstatus: active\nowner: test\n"
                                   b"email: jane@example.com\ncustomer_since: 2026-11-01\n"
                                   b"service_due: 2026-11-21\n---\n")
    (repo / "bob.md").write_bytes(b"---\nname: Bob\nstatus: active\nowner: ben\n"
                                  b"service_due: 2026-11-21\n---\n")
    result = run(repo, "agenda", "--date", "2026-11-20", "--mine", "--json", env=REFUSED)
    assert result.exit_code == 0, result.output
    assert [i["name"] for i in json.loads(result.stdout)["items"]] == ["Jane Roe"]


def test_commit_without_git_writes_nothing(repo: Path, run: Run, no_git: dict[str, str]) -> None:
    result = run(repo, "log", "jane", "Called.", "--commit", env=no_git)
    assert result.exit_code == 8
    assert result.stderr.count("git is not installed") == 1
    assert (repo / "jane.md").read_bytes() == JANE


def test_mine_without_git(repo: Path, run: Run, no_git: dict[str, str]) -> None:
    result = run(repo, "agenda", "--mine", env=no_git)
    assert result.exit_code == 8
    assert "--mine needs your name" in result.stderr


def test_init_without_git(tmp_path: Path, run: Run, no_git: dict[str, str]) -> None:
    result = run(None, "init", "--hook", str(tmp_path / "v"), env=no_git)
    assert result.exit_code == 0, result.output
    assert "skipped: git is not installed" in result.stdout
    assert not (tmp_path / "v" / ".git").exists()


def test_commit_of_a_file_git_ignores_is_refused(repo: Path, run: Run) -> None:
    (repo / ".gitignore").write_text("private/\n")
    (repo / "private").mkdir()
    (repo / "private" / "ann.md").write_bytes(JANE.replace(b"Jane Roe", b"Ann Other"))
    result = run(repo, "log", "ann", "Called.", "--commit")
    assert result.exit_code == 7
    assert "private/ann.md is ignored by git" in result.stderr
    assert (repo / "private" / "ann.md").read_bytes() == JANE.replace(b"Jane Roe", b"Ann Other")


def test_only_gitrepo_runs_programs() -> None:
    # plaincrm runs git from plaincrm/gitrepo.py alone: nothing else imports subprocess or
    # starts a program another way.
    package = Path(plaincrm.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id == "os"
                  and node.attr.startswith(("system", "popen", "spawn", "exec", "posix_spawn"))):
                names = [f"os.{node.attr}"]
            found += [f"{rel}: {name}" for name in names
                      if name.split(".")[0] in ("subprocess", "pty") or name.startswith("os.")]
    assert found == ["gitrepo.py: subprocess"]
