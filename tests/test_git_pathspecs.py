"""File names git would read as patterns are file names: ``s*.md``, ``[ab].md``, ``:(top)x.md``.

Each profile sits beside the file its name matches as a git pathspec, in a real repository;
history, ``--commit`` and check's dates must speak of that file alone.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

# (the profile, the neighbour its name matches as a pathspec, the NAME to ask for)
TRICKY = [
    pytest.param("s*.md", "sa.md", "s*", id="star"),
    pytest.param("[ab].md", "a.md", "[ab]", id="brackets"),
    pytest.param(":(top)x.md", "x.md", ":(top)x", id="magic"),
]


def profile(name: str) -> bytes:
    return f"---\nname: {name}\nstatus: lead\n---\n\n## Log\n\n- 2024-01-05 note: Met.\n".encode()


def git(cwd: Path, *args: str, day: str | None = None) -> str:
    env = dict(os.environ)
    if day:
        env |= {"GIT_AUTHOR_DATE": f"{day}T12:00:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def commit(top: Path, message: str, day: str = "2026-01-05") -> None:
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", message, day=day)


def make(vault: VaultFactory, target: str, neighbour: str, sub: str = "") -> Path:
    """A repository (the vault in ``sub`` of it) where the target and its neighbour were added
    together, then only the neighbour changed, then only the target."""
    top = vault({})
    git(top, "init", "-q")
    root = top / sub if sub else top
    root.mkdir(exist_ok=True)
    (root / "plaincrm.toml").write_bytes(b"")
    (root / target).write_bytes(profile("Target"))
    (root / neighbour).write_bytes(profile("Neighbour"))
    if sub:  # the pathspec ":(top)x.md" means the repository's top, outside the vault
        (top / neighbour).write_bytes(profile("Top"))
    commit(top, "add both", "2024-01-05")
    (root / neighbour).write_bytes(profile("Neighbour") + b"- 2026-02-01 note: Changed.\n")
    if sub:
        (top / neighbour).write_bytes(profile("Top") + b"- 2026-02-01 note: Changed.\n")
    commit(top, "change the neighbour", "2026-02-01")
    (root / target).write_bytes(profile("Target") + b"- 2026-03-01 note: Changed.\n")
    commit(top, "change the target", "2026-03-01")
    return root


def committed_files(top: Path) -> list[str]:
    out = git(top, "show", "-z", "--name-only", "--format=", "HEAD")
    return [x for x in out.strip("\n").split("\0") if x]


@pytest.mark.parametrize("sub", ["", "crm"])
@pytest.mark.parametrize("target, neighbour, name", TRICKY)
def test_history_of_a_name_git_would_read_as_a_pattern(vault: VaultFactory, run: Run,
                                                       target: str, neighbour: str, name: str,
                                                       sub: str) -> None:
    root = make(vault, target, neighbour, sub)
    result = run(root, "history", name, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == target
    assert [r["subject"] for r in data["revisions"]] == ["change the target", "add both"]
    assert {r["path"] for r in data["revisions"]} == {target}
    assert data["revisions"][0]["log_added"] == 1


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "new"])
@pytest.mark.parametrize("target, neighbour, name", TRICKY)
def test_commit_of_a_name_git_would_read_as_a_pattern(vault: VaultFactory, run: Run,
                                                      target: str, neighbour: str, name: str,
                                                      committed: bool) -> None:
    root = vault({})
    git(root, "init", "-q")
    (root / neighbour).write_bytes(profile("Neighbour"))
    if committed:
        (root / target).write_bytes(profile("Target"))
    commit(root, "start")
    if not committed:
        (root / target).write_bytes(profile("Target"))
    edited = profile("Neighbour") + b"- 2026-02-01 note: By hand, not committed.\n"
    (root / neighbour).write_bytes(edited)  # the neighbour's own edit stays out of the commit
    result = run(root, "log", name, "Called.", "--date", "2026-11-20", "--commit")
    assert result.exit_code == 0, result.output
    assert "committed " in result.stdout
    assert committed_files(root) == [target]
    assert (root / neighbour).read_bytes() == edited
    assert git(root, "status", "--porcelain", "-z") == f" M {neighbour}\0"
    assert git(root, "show", "HEAD:" + target).endswith("- 2026-11-20 note: Called.\n")


@pytest.mark.parametrize("target, neighbour, name", TRICKY)
def test_commit_refusal_speaks_of_that_file_only(vault: VaultFactory, run: Run, target: str,
                                                 neighbour: str, name: str) -> None:
    root = vault({})
    git(root, "init", "-q")
    (root / neighbour).write_bytes(profile("Neighbour"))
    (root / target).write_bytes(profile("Target"))
    commit(root, "start")
    (root / target).write_bytes(profile("Target") + b"- 2026-02-01 note: By hand.\n")
    before = (root / target).read_bytes()
    result = run(root, "log", name, "Called.", "--commit")
    assert result.exit_code == 7
    assert f"{target} has changes not yet committed" in result.stderr
    assert (root / target).read_bytes() == before


@pytest.mark.parametrize("sub", ["", "crm"])
@pytest.mark.parametrize("target, neighbour, name", TRICKY)
def test_check_dates_of_names_git_would_read_as_patterns(vault: VaultFactory, run: Run,
                                                         target: str, neighbour: str, name: str,
                                                         sub: str) -> None:
    root = make(vault, target, neighbour, sub)
    (root / "plaincrm.toml").write_text("[checks]\nreview_days = 330\n")
    result = run(root, "check", "--json", "--date", "2026-12-20")
    assert "note:" not in result.stderr
    stale = {p["path"]: p["message"] for p in json.loads(result.stdout)["problems"]
             if p["code"] == "stale"}
    assert stale == {}  # the neighbour changed in February, the target in March
    result = run(root, "check", "--json", "--date", "2027-01-10")
    stale = {p["path"]: p["message"] for p in json.loads(result.stdout)["problems"]
             if p["code"] == "stale"}
    assert set(stale) == {neighbour}
    assert stale[neighbour].startswith("unchanged since 2026-02-01")


@pytest.mark.parametrize("variable", ["GIT_GLOB_PATHSPECS", "GIT_ICASE_PATHSPECS",
                                      "GIT_NOGLOB_PATHSPECS", "GIT_LITERAL_PATHSPECS"])
def test_the_users_pathspec_settings_do_not_change_what_is_read(vault: VaultFactory, run: Run,
                                                                variable: str) -> None:
    root = make(vault, "s*.md", "sa.md")
    (root / "S*.MD").write_bytes(profile("Shouting"))
    commit(root, "a name that differs only in case")
    result = run(root, "history", "s*", "--json", env={variable: "1"})
    assert result.exit_code == 0, result.output
    assert [r["subject"] for r in json.loads(result.stdout)["revisions"]] == [
        "change the target", "add both"]
    result = run(root, "log", "s*", "Called.", "--commit", env={variable: "1"})
    assert result.exit_code == 0, result.output
    assert committed_files(root) == ["s*.md"]


def test_the_users_hooks_see_their_own_pathspec_rules(vault: VaultFactory, run: Run) -> None:
    # plaincrm's literal pathspecs must not leak into the user's hooks: a hook that globs
    # "*.md" still finds the staged profile.
    root = make(vault, "s*.md", "sa.md")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\n"
                    "staged=$(git diff --cached --name-only -- '*.md')\n"
                    "[ -n \"$staged\" ] || { echo 'hook: nothing matched *.md' >&2; exit 1; }\n")
    hook.chmod(0o755)
    result = run(root, "log", "sa", "Called.", "--commit")
    assert result.exit_code == 0, result.output
    assert committed_files(root) == ["sa.md"]
