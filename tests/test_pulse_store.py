"""pulse keeps the git history's facts in the index: git is read only for new commits, and
the figures are the same as from a whole pass, after new commits, renames and rewrites."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import Run
from tests.pulse_history import build

TODAY = "2026-11-22"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def pulse(run: Run, root: Path, cache: Path, trace: Path | None = None) -> dict[str, Any]:
    env = {"PLAINCRM_CACHE_DIR": str(cache)}
    if trace is not None:
        env["GIT_TRACE"] = str(trace)
    result = run(root, "pulse", "--date", TODAY, "--json", "--since", "2020-01-06", env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def git_logs(trace: Path) -> list[str]:
    """The ``git log`` commands a traced run started."""
    return [line.split("trace: built-in: ", 1)[1] for line in trace.read_text().splitlines()
            if "trace: built-in: git log" in line]


def test_new_commits_are_read_alone_and_give_the_figures_of_a_whole_pass(
        run: Run, tmp_path: Path) -> None:
    root = build(tmp_path / "shop")
    uncommitted = (root / "fay-ford.md").read_bytes()
    whole = pulse(run, root, tmp_path / "fresh-1")
    git(root, "branch", "full")
    git(root, "reset", "-q", "--hard", "HEAD~4")
    older = pulse(run, root, tmp_path / "kept")
    assert older != whole  # four commits fewer: other figures
    git(root, "reset", "-q", "--hard", "full")
    (root / "fay-ford.md").write_bytes(uncommitted)
    trace = tmp_path / "trace"
    assert pulse(run, root, tmp_path / "kept", trace) == whole
    head = git(root, "rev-parse", "HEAD~4").strip()
    assert [cmd for cmd in git_logs(trace) if " -p " in cmd] == [
        next(cmd for cmd in git_logs(trace) if f"{head}..HEAD" in cmd)]
    # nothing new: no git log -p at all
    trace.unlink()
    assert pulse(run, root, tmp_path / "kept", trace) == whole
    assert not [cmd for cmd in git_logs(trace) if " -p " in cmd]


def test_a_rename_and_a_status_change_after_the_stored_head(run: Run, tmp_path: Path) -> None:
    root = build(tmp_path / "shop")
    pulse(run, root, tmp_path / "kept")
    git(root, "mv", "alice-adams.md", "alice-adams-smith.md")
    text = (root / "alice-adams-smith.md").read_text(encoding="utf-8")
    (root / "alice-adams-smith.md").write_text(text.replace("status: active", "status: lost"),
                                               encoding="utf-8")
    dated = {"GIT_AUTHOR_DATE": "2026-11-21T12:00:00+00:00",
             "GIT_COMMITTER_DATE": "2026-11-21T12:00:00+00:00"}
    subprocess.run(["git", "-c", "user.name=Ann Archer", "-c", "user.email=ann@example.com",
                    "commit", "-qam", "Alice moved away"], cwd=root, check=True,
                   env={**os.environ, **dated})
    kept = pulse(run, root, tmp_path / "kept")
    assert kept == pulse(run, root, tmp_path / "fresh")
    alice = [(c["date"], c["old"], c["new"]) for c in kept["pipeline"]["changes"]
             if c["path"] == "alice-adams-smith.md"]
    assert alice == [("2020-03-01", None, "active"), ("2026-11-21", "active", "lost")]


def test_a_rewritten_history_is_read_again_whole(run: Run, tmp_path: Path) -> None:
    root = build(tmp_path / "shop")
    pulse(run, root, tmp_path / "kept")
    text = (root / "cara-cole.md").read_text(encoding="utf-8")
    (root / "cara-cole.md").write_text(text.replace("status: dormant", "status: active"),
                                       encoding="utf-8")
    git(root, "-c", "user.name=Ann Archer", "-c", "user.email=ann@example.com", "commit",
        "--amend", "-qa", "--no-edit", "--allow-empty")
    kept = pulse(run, root, tmp_path / "kept")
    assert kept == pulse(run, root, tmp_path / "fresh")


def test_deleting_the_index_deletes_the_stored_history(run: Run, tmp_path: Path) -> None:
    """The facts live in the index's database: a new index reads the history again (and a
    history replaced meanwhile by another repository's is not answered from the old one)."""
    root = build(tmp_path / "shop")
    first = pulse(run, root, tmp_path / "kept")
    for db in (tmp_path / "kept").rglob("index.sqlite*"):
        db.unlink()
    trace = tmp_path / "trace"
    assert pulse(run, root, tmp_path / "kept", trace) == first
    assert [cmd for cmd in git_logs(trace) if " -p " in cmd and ".." not in cmd]


def test_two_pulses_at_once_after_new_commits_agree(run: Run, tmp_path: Path) -> None:
    """Both read the new commits; one stores them, the other finds it done: no clash."""
    import sys

    root = build(tmp_path / "shop")
    git(root, "branch", "full")
    git(root, "reset", "-q", "--hard", "HEAD~3")
    env = {**os.environ, "PLAINCRM_CACHE_DIR": str(tmp_path / "kept")}
    command = [sys.executable, "-m", "plaincrm", "--vault", str(root), "pulse", "--date",
               TODAY, "--json"]
    subprocess.run(command, check=True, env=env, capture_output=True)
    git(root, "reset", "-q", "--hard", "full")
    for _ in range(3):
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(4)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, outs
        assert len({out for out, _ in outs}) == 1
    fresh = {**env, "PLAINCRM_CACHE_DIR": str(tmp_path / "fresh")}
    assert subprocess.run(command, check=True, env=fresh,
                          capture_output=True).stdout == outs[0][0]
