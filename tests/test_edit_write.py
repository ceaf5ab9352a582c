"""Writing back: atomic, refused when the file changed meanwhile, permissions kept; --commit."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from plaincrm import change
from plaincrm.errors import FileSystemError, WriteRefused
from plaincrm.files import update_profile
from plaincrm.parse import parse_profile
from tests.conftest import Run, VaultFactory

DAY = dt.date(2026, 11, 20)
JANE = (b"---\nname: Jane Roe\n---\n\n- [ ] 2026-12-01 Send the quote\n\n"
        b"## Log\n\n- 2026-01-01 call: a\n")


def _profiles(root: Path, rel: str = "jane.md") -> list:
    profile, _ = parse_profile(rel, (root / rel).read_bytes())
    return [profile]


def test_an_edit_saved_between_read_and_rename_is_kept_and_the_write_refused(
        vault: VaultFactory) -> None:
    root = vault({"jane.md": JANE})
    target = root / "jane.md"
    users_save = JANE + b"- 2026-11-19 visit: typed in the editor\n"

    def editor_saves() -> None:
        target.write_bytes(users_save)

    with pytest.raises(WriteRefused, match="changed on disk"):
        change.log(root, _profiles(root), "jane", "Hi.", "call", DAY, before_rename=editor_saves)
    assert target.read_bytes() == users_save
    assert sorted(p.name for p in root.iterdir()) == ["jane.md"]  # no temp file left


def test_a_file_removed_meanwhile_is_not_recreated(vault: VaultFactory) -> None:
    root = vault({"jane.md": JANE})
    with pytest.raises(WriteRefused):
        change.log(root, _profiles(root), "jane", "Hi.", "call", DAY,
                   before_rename=(root / "jane.md").unlink)
    assert list(root.iterdir()) == []


def test_a_failure_leaves_the_original_intact(vault: VaultFactory) -> None:
    root = vault({"jane.md": JANE})

    def disk_fails() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(FileSystemError, match=r"cannot write jane.md: No space"):
        update_profile(root, "jane.md", lambda data: b"new", had_content=True,
                       before_rename=disk_fails)
    assert (root / "jane.md").read_bytes() == JANE
    assert sorted(p.name for p in root.iterdir()) == ["jane.md"]


def test_permissions_are_kept(vault: VaultFactory, run: Run) -> None:
    root = vault({"jane.md": JANE})
    os.chmod(root / "jane.md", 0o640)
    assert run(root, "log", "jane", "Hi.").exit_code == 0
    assert (root / "jane.md").stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------- --commit


def git(cwd: Path, *args: str, **env: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env={**os.environ, **env})
    return done.stdout


def _repo(vault: VaultFactory, files: dict[str, bytes] | None = None) -> Path:
    root = vault(files or {"jane.md": JANE, "other.md": b"---\nname: Other\n---\n"})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_commit_commits_that_file_alone_with_the_users_identity(vault: VaultFactory,
                                                                run: Run) -> None:
    root = _repo(vault)
    (root / "other.md").write_bytes(b"---\nname: Other, edited\n---\n")
    (root / "new.md").write_bytes(b"---\nname: New\n---\n")
    git(root, "add", "new.md")  # staged work on another file stays staged
    result = run(root, "log", "jane", "Asked about the knee.", "--kind", "call", "--commit")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("committed ")
    assert result.stdout.splitlines()[1].endswith(" log: Jane Roe — call")
    show = git(root, "show", "--name-only", "--format=%an <%ae>|%s", "HEAD").split("\n")
    assert show[0] == "Test User <test@example.com>|log: Jane Roe — call"
    assert [x for x in show[1:] if x] == ["jane.md"]
    assert git(root, "status", "--porcelain") == "A  new.md\n M other.md\n"


def test_commit_of_a_new_untracked_profile(vault: VaultFactory, run: Run) -> None:
    root = _repo(vault)
    (root / "new.md").write_bytes(b"---\nname: New Person\n---\n")
    result = run(root, "task", "new person", "2026-12-01", "Ring", "--commit")
    assert result.exit_code == 0, result.output
    assert git(root, "log", "-1", "--format=%s") == "task: New Person — Ring\n"
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("setup, message", [
    ("staged", "staged changes"),
    ("unstaged", "not yet committed"),
    ("merge", "a merge is in progress"),
])
def test_commit_refused_before_anything_is_written(vault: VaultFactory, run: Run, setup: str,
                                                   message: str) -> None:
    root = _repo(vault)
    target = root / "jane.md"
    if setup in ("staged", "unstaged"):
        target.write_bytes(JANE + b"- 2026-02-02 note: by hand\n")
        if setup == "staged":
            git(root, "add", "jane.md")
    else:
        git(root, "checkout", "-q", "-b", "side")
        target.write_bytes(JANE.replace(b"name: Jane Roe", b"name: Jane Side"))
        git(root, "commit", "-q", "-am", "side")
        git(root, "checkout", "-q", "main")
        target.write_bytes(JANE.replace(b"name: Jane Roe", b"name: Jane Main"))
        git(root, "commit", "-q", "-am", "main")
        merge = subprocess.run(["git", "merge", "side"], cwd=root, capture_output=True)
        assert merge.returncode != 0  # a conflict: the merge stays in progress
        git(root, "checkout", "--theirs", "jane.md")
    before = target.read_bytes()
    head = git(root, "rev-parse", "HEAD")
    result = run(root, "log", "jane", "Hi.", "--commit")
    assert result.exit_code == 7, result.output
    assert message in result.stderr
    assert target.read_bytes() == before
    assert git(root, "rev-parse", "HEAD") == head


def test_commit_outside_git_is_a_git_error_and_writes_nothing(vault: VaultFactory,
                                                              run: Run) -> None:
    root = vault({"jane.md": JANE})
    result = run(root, "log", "jane", "Hi.", "--commit")
    assert result.exit_code == 8
    assert "not in a git repository" in result.stderr
    assert (root / "jane.md").read_bytes() == JANE


def test_commit_in_a_vault_inside_a_bigger_repository(vault: VaultFactory, run: Run) -> None:
    top = _repo(vault, {"README": b"top\n", "crm/jane.md": JANE, "crm/plaincrm.toml": b""})
    result = run(top / "crm", "done", "jane", "quote", "--commit")
    assert result.exit_code == 0, result.output
    assert git(top, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "done:", "Jane", "Roe", "—", "Send", "the", "quote", "crm/jane.md"]


def test_a_commit_git_rejects_leaves_the_file_written_and_says_so(vault: VaultFactory,
                                                                  run: Run) -> None:
    root = _repo(vault)
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run(root, "log", "jane", "Hi.", "--date", "2026-11-20", "--commit")
    assert result.exit_code == 8
    assert "jane.md was written but not committed" in result.stderr
    assert "no commits today" in result.stderr
    assert (root / "jane.md").read_bytes() == JANE + b"- 2026-11-20 note: Hi.\n"
