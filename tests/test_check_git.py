"""stale from git history: back-dated commits in real repositories, subfolder vaults,
uncommitted files, shallow clones, no git; and the pre-commit hook of plaincrm init --hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from plaincrm.gitrepo import last_commit_dates, parse_log
from tests.conftest import Run

TODAY = "2026-11-20"


def profile(name: str) -> str:
    return f"---\nname: {name}\nstatus: lead\nemail: {name.lower()}@example.com\n---\n"


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ)
    if date:
        env |= {"GIT_AUTHOR_DATE": f"{date}T12:00:00", "GIT_COMMITTER_DATE": f"{date}T12:00:00"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def commit(repo: Path, files: dict[str, str], date: str) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"profiles of {date}", date=date)


def make_repo(repo: Path, vault: str = "") -> Path:
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    prefix = f"{vault}/" if vault else ""
    commit(repo, {f"{prefix}old.md": profile("Olga"), f"{prefix}later.md": profile("Lars"),
                  f"{prefix}dirty.md": profile("Dirk"), f"{prefix}Zoë ö.md": profile("Zoe"),
                  "elsewhere.md": profile("Elsa")}, "2024-01-05")
    commit(repo, {f"{prefix}later.md": profile("Lars") + "\nNotes.\n"}, "2026-06-01")
    commit(repo, {f"{prefix}new.md": profile("Nina")}, "2026-11-01")
    (repo / prefix / "dirty.md").write_text(profile("Dirk") + "\nEdited, not committed.\n")
    (repo / prefix / "untracked.md").write_text(profile("Ulla"))
    return repo / vault if vault else repo


def stale(run: Run, root: Path) -> dict[str, str]:
    result = run(root, "check", "--json", "--date", TODAY)
    assert "note:" not in result.stderr
    return {p["path"]: p["message"] for p in json.loads(result.stdout)["problems"]
            if p["code"] == "stale"}


def test_stale_from_back_dated_commits(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path / "repo")
    found = stale(run, root)
    assert set(found) == {"old.md", "elsewhere.md", "Zoë ö.md"}
    assert found["old.md"] == ("unchanged since 2024-01-05 (1050 days, more than "
                               "checks.review_days = 365): review it")


def test_stale_in_a_subfolder_vault(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path / "repo", vault="customers/2024")
    assert set(stale(run, root)) == {"old.md", "Zoë ö.md"}
    assert set(last_commit_dates(root)) == {"old.md", "later.md", "dirty.md", "Zoë ö.md",
                                            "new.md"}


def test_review_days_from_config(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path / "repo")
    (root / "plaincrm.toml").write_text("[checks]\nreview_days = 100\n")
    assert set(stale(run, root)) == {"old.md", "elsewhere.md", "Zoë ö.md", "later.md"}


def test_shallow_clone_falls_back_to_file_times(tmp_path: Path, run: Run) -> None:
    source = make_repo(tmp_path / "repo")
    git(tmp_path, "clone", "-q", "--depth", "1", source.as_uri(), "shallow")
    result = run(tmp_path / "shallow", "check", "--date", TODAY)
    assert result.stderr.count("note:") == 1
    assert "shallow clone" in result.stderr and "file modification times" in result.stderr
    assert "stale" not in result.stdout  # the files were just written


def test_without_git_file_times_are_used(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "old.md").write_text(profile("Olga"))
    os.utime(root / "old.md", (1_600_000_000, 1_600_000_000))  # September 2020
    result = run(root, "check", "--date", TODAY, env={"PATH": str(tmp_path / "nothing")})
    assert result.stderr.count("note:") == 1
    assert "git is not installed" in result.stderr
    assert "old.md:1: stale unchanged since 2020-09-1" in result.stdout


def test_stale_off_does_not_ask_git(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "plaincrm.toml").write_text('[checks]\nseverity = { stale = "off" }\n')
    (root / "a.md").write_text(profile("Ann"))
    result = run(root, "check", "--date", TODAY)
    assert "note:" not in result.stderr and result.exit_code == 0


def test_parse_log_keeps_the_newest_date_and_odd_names() -> None:
    out = (b"\x011790000000\x00\nsub/a.md\x00sub/\xc3\xbc b.md\x00"
           b"\x011500000000\x00\nsub/a.md\x00other/c.md\x00\x011400000000\x00")
    dates = parse_log(out, prefix="sub/")
    assert sorted(dates) == ["a.md", "ü b.md"]
    assert dates["a.md"].year == 2026


def test_init_hook_blocks_a_commit_with_errors(tmp_path: Path, run: Run) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    vault = repo / "customers"
    result = run(None, "init", "--hook", str(vault))
    assert result.exit_code == 0
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert "created                 ../.git/hooks/pre-commit" in result.stdout
    assert os.access(hook, os.X_OK)
    again = run(None, "init", "--hook", str(vault))
    assert "kept (already there)" in again.stdout
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                                f"{os.environ['PATH']}")
    git(repo, "add", "-A")
    ok = subprocess.run(["git", "commit", "-q", "-m", "vault"], cwd=repo, env=env,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    (vault / "bad.md").write_text("---\nname: Bad\nstatus: lead\nemail: nope\n---\n")
    git(repo, "add", "-A")
    refused = subprocess.run(["git", "commit", "-q", "-m", "bad"], cwd=repo, env=env,
                             capture_output=True, text=True)
    assert refused.returncode != 0
    assert "bad.md:4: invalid-email" in refused.stdout + refused.stderr
    assert "ada-example.md" not in refused.stdout  # only the staged profile is reported


def test_init_hook_outside_git(tmp_path: Path, run: Run) -> None:
    result = run(None, "init", "--no-git", "--hook", str(tmp_path / "v"))
    assert "not in a git repository" in result.stdout


def test_pre_commit_hooks_file() -> None:
    import yaml

    text = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    (hook,) = yaml.safe_load(text)
    assert hook["id"] == "plaincrm-check"
    assert hook["entry"] == "plaincrm check"
    assert hook["types"] == ["markdown"]
