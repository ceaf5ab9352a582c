"""A shared vault: a bare remote and clones with different authors, merged by the real driver
through real git; the pure merge rule; setting it up; the pre-commit hook."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from plaincrm.mergedriver import merge_profile
from tests.conftest import Run

JANE = """---
name: Jane Roe
status: lead
owner: ben
phone: "+44 20 7946 0958"
---

# Jane Roe

- [ ] 2026-12-01 Send the quote @ben
- [ ] 2026-12-05 Call back about the valve

## Log

- 2026-10-02 call: Asked about the boiler.
"""


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True)


def clone(remote: Path, where: Path, author: str, run: Run) -> Path:
    git(remote.parent, "clone", "-q", str(remote), str(where))
    git(where, "config", "user.name", author)
    git(where, "config", "user.email", f"{author}@example.com")
    git(where, "config", "pull.rebase", "false")
    result = run(where, "merge-driver", "install")  # each clone once
    assert result.exit_code == 0, result.output
    return where


@pytest.fixture
def team(tmp_path: Path, run: Run) -> list[Path]:
    """A vault made by ``plaincrm init``, pushed to a bare remote, and three clones."""
    origin = tmp_path / "origin"
    result = run(None, "init", str(origin))
    assert result.exit_code == 0, result.output
    assert "merge driver set" in result.stdout
    (origin / "jane-roe.md").write_text(JANE)
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "start")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(origin), str(remote))
    return [clone(remote, tmp_path / name, name, run) for name in ("ana", "ben", "raj")]


def push_all(clones: list[Path]) -> None:
    for where in clones:
        pulled = git(where, "pull", "-q", "--no-edit", check=False)
        assert pulled.returncode == 0, pulled.stdout + pulled.stderr
        git(where, "push", "-q")


def test_three_people_logging_the_same_customer_the_same_day_merge_cleanly(
        team: list[Path], run: Run) -> None:
    ana, ben, raj = team
    for where, text in ((ana, "Rang about the quote."), (ben, "Visited: valve replaced."),
                        (raj, "Emailed the invoice.")):
        kind = {"ana": "call", "ben": "visit", "raj": "email"}[where.name]
        assert run(where, "log", "jane", text, "--kind", kind, "--date", "2026-11-20",
                   "--commit").exit_code == 0
    assert run(ben, "done", "jane", "quote", "--commit").exit_code == 0
    assert run(raj, "set", "jane", "status", "active", "--commit").exit_code == 0
    push_all(team)
    push_all(team)  # everybody gets everything
    texts = {(where / "jane-roe.md").read_text() for where in team}
    assert len(texts) == 1
    merged = texts.pop()
    assert "<<<<<<<" not in merged
    lines = merged.splitlines(keepends=True)
    added = lines[-3:]  # the same day's entries, in the order they were merged
    assert sorted(added) == ["- 2026-11-20 call: Rang about the quote.\n",
                             "- 2026-11-20 email: Emailed the invoice.\n",
                             "- 2026-11-20 visit: Visited: valve replaced.\n"]
    assert "".join(lines[:-3]) == JANE.replace("status: lead", "status: active").replace(
        "- [ ] 2026-12-01 Send the quote", "- [x] 2026-12-01 Send the quote")
    assert run(ana, "check", "--date", "2026-11-20").exit_code == 0


def test_a_key_changed_differently_on_both_sides_is_a_conflict_check_reports(
        team: list[Path], run: Run) -> None:
    ana, ben, _raj = team
    run(ana, "set", "jane", "status", "active", "--commit")
    run(ben, "set", "jane", "status", "lost", "--commit")
    run(ben, "log", "jane", "Said no.", "--date", "2026-11-20", "--commit")
    push_all([ana])
    pulled = git(ben, "pull", "-q", "--no-edit", check=False)
    assert pulled.returncode != 0  # a conflict, as git reports it
    text = (ben / "jane-roe.md").read_text()
    assert "<<<<<<< ours\nstatus: lost\n=======\nstatus: active\n>>>>>>> theirs\n" in text
    assert "- 2026-11-20 note: Said no.\n" in text
    report = run(ben, "check", "--date", "2026-11-20")
    assert report.exit_code == 1 and "conflict-marker" in report.stdout


def test_the_rule_itself() -> None:
    base = JANE.encode()
    ours = JANE.replace("owner: ben", "owner: ana").encode()
    theirs = (JANE.replace("phone:", "email: jane@example.com\nphone:")
              + "- 2026-11-20 call: Hi.\n").encode()
    merged, conflict = merge_profile(base, ours, theirs)
    assert not conflict
    assert merged.decode() == JANE.replace("owner: ben", "owner: ana").replace(
        "phone:", "email: jane@example.com\nphone:") + "- 2026-11-20 call: Hi.\n"
    # CRLF and a BOM are kept, identical entries appear once
    crlf = b"\xef\xbb\xbf" + base.replace(b"\n", b"\r\n")
    same = crlf + b"- 2026-11-20 call: Hi.\r\n"
    merged, conflict = merge_profile(crlf, same + b"- 2026-11-21 call: A.\r\n",
                                     same + b"- 2026-11-19 call: B.\r\n")
    assert not conflict
    assert merged == crlf + (b"- 2026-11-19 call: B.\r\n- 2026-11-20 call: Hi.\r\n"
                             b"- 2026-11-21 call: A.\r\n")


def test_merge_driver_install_in_an_existing_clone_keeps_gitattributes(tmp_path: Path,
                                                                        run: Run) -> None:
    root = tmp_path / "v"
    root.mkdir()
    git(root, "init", "-q")
    (root / ".gitattributes").write_text("*.ics -text")
    result = run(root, "merge-driver", "install")
    assert result.exit_code == 0, result.output
    assert (root / ".gitattributes").read_text() == "*.ics -text\n*.md merge=plaincrm\n"
    assert "merge-driver run %O %A %B %P" in git(root, "config", "merge.plaincrm.driver").stdout
    again = run(root, "merge-driver", "install")
    assert "kept (already there)" in again.stdout


def test_the_hook_blocks_added_errors_only(tmp_path: Path, run: Run,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    root = tmp_path / "v"
    assert run(None, "init", str(root)).exit_code == 0
    (root / "ada-example.md").unlink()
    (root / "incomplete.md").write_text("---\nname: Connor Walsh\nstatus: lead\n---\n\n## Log\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "start")
    hooked = run(None, "init", "--hook", str(root))  # an existing vault: the hook only
    assert hooked.exit_code == 0
    assert not (root / "ada-example.md").exists()
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    # logging a call to a profile that already lacked a phone adds no error: committed
    logged = run(root, "log", "connor", "Rang him.", "--date", "2026-11-20", "--commit")
    assert logged.exit_code == 0, logged.output
    assert "Rang him." in git(root, "show", "HEAD:incomplete.md").stdout
    # a bad email is a new error: the commit stops, the file stays written
    bad = run(root, "set", "connor", "email", "nope", "--force", "--commit")
    assert bad.exit_code == 8, bad.output
    assert "invalid-email" in bad.stderr
    assert "email: nope" not in git(root, "show", "HEAD:incomplete.md").stdout
