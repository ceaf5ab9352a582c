"""plaincrm set, unset, new --set, reassign through the real CLI, on real files and real git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

JANE = b"""---
name: Jane Roe   # she prefers Jane
status: lead
owner: ben
phone: '+44 20 7946 0958'
email: jane@example.com
---

- [ ] 2026-12-01 Send the quote @ben
- [x] 2026-11-01 Measure up @ben

## Log

- 2026-10-02 call: Asked about the boiler.
"""
TOM = b"---\nname: Tom Baker\nstatus: active\nowner: ana\nphone: '+44 113 496 0123'\n---\n"
CONFIG = '[profiles]\nphone_region = "GB"\n'


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def crm(vault: VaultFactory) -> Path:
    root = vault({"jane-roe.md": JANE, "tom-baker.md": TOM}, config=CONFIG)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_set_changes_one_line_and_commits(crm: Path, run: Run) -> None:
    result = run(crm, "set", "jane", "status", "active", "--commit")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "jane-roe.md:3: status: active"
    assert (crm / "jane-roe.md").read_bytes() == JANE.replace(b"status: lead", b"status: active")
    assert git(crm, "log", "-1", "--format=%s") == "set: Jane Roe — status\n"
    assert git(crm, "status", "--porcelain") == ""


@pytest.mark.parametrize(("key", "value", "why"), [
    ("email", "jane@example,com", "jane@example,com"),
    ("phone", "+44 20 7946 095", "is not valid"),
    ("service_due", "2026-02-30", "not a real date"),
    ("status", "vip", "is not one of"),
    ("owner", "zed", "not anybody in this vault"),
    ("birthday", "2099-01-01", "in the future"),
])
def test_set_refuses_what_check_calls_an_error_unless_forced(crm: Path, run: Run, key: str,
                                                             value: str, why: str) -> None:
    result = run(crm, "set", "jane", key, value, "--date", "2026-11-20")
    assert result.exit_code == 2, result.output
    assert why in result.stderr and "--force" in result.stderr
    assert (crm / "jane-roe.md").read_bytes() == JANE
    forced = run(crm, "set", "jane", key, value, "--force")
    assert forced.exit_code == 0, forced.output
    if key != "owner":  # owners are the vault's staff; check has no list of them
        checked = run(crm, "check", "--date", "2026-11-20")
        assert checked.exit_code == 1  # what set refused is what check reports


def test_set_a_list_add_to_it_and_unset(crm: Path, run: Run) -> None:
    assert run(crm, "set", "jane", "email", "a@example.com", "b@example.com").exit_code == 0
    assert b"email: [a@example.com, b@example.com]\n" in (crm / "jane-roe.md").read_bytes()
    assert run(crm, "set", "jane", "email", "c@example.com", "--add").exit_code == 0
    assert b"email: [a@example.com, b@example.com, c@example.com]\n" in (
        crm / "jane-roe.md").read_bytes()
    assert run(crm, "set", "jane", "address", "1 High St, Leeds").exit_code == 0
    assert run(crm, "unset", "jane", "address").exit_code == 0
    assert run(crm, "set", "jane", "email", "jane@example.com").exit_code == 0
    assert (crm / "jane-roe.md").read_bytes() == JANE.replace(
        b"email: jane@example.com", b"email: [jane@example.com]")


def test_set_refuses_a_file_with_conflict_markers(crm: Path, run: Run) -> None:
    data = JANE.replace(b"status: lead\n", b"<<<<<<< ours\nstatus: lead\n=======\n"
                        b"status: active\n>>>>>>> theirs\n")
    (crm / "jane-roe.md").write_bytes(data)
    result = run(crm, "set", "jane-roe.md", "owner", "ana")
    assert result.exit_code == 7 and "conflict markers" in result.stderr
    assert (crm / "jane-roe.md").read_bytes() == data


def test_new_with_set_and_commit_validates_like_set(crm: Path, run: Run) -> None:
    bad = run(crm, "new", "Ann Lee", "--phone", "+44 20 7946 0001", "--set", "status=vip")
    assert bad.exit_code == 2 and "is not one of" in bad.stderr
    assert not (crm / "ann-lee.md").exists()
    ok = run(crm, "new", "Ann Lee", "--phone", "+44 20 7946 0001", "--set",
             "address=2 Mill Lane, Leeds", "--set", "gate_code=0042", "--commit",
             "--date", "2026-11-20")
    assert ok.exit_code == 0, ok.output
    text = (crm / "ann-lee.md").read_text()
    assert 'address: "2 Mill Lane, Leeds"\n' in text and 'gate_code: "0042"\n' in text
    assert git(crm, "log", "-1", "--format=%s") == "new: Ann Lee\n"
    assert git(crm, "status", "--porcelain") == ""


def test_new_and_check_use_one_same_person_rule(crm: Path, run: Run) -> None:
    # a title does not make another person: new refuses what check would flag
    refused = run(crm, "new", "Mrs Jane Roe")
    assert refused.exit_code == 6 and "jane-roe.md (Jane Roe) has the same name" in refused.stderr
    # a household sharing a landline is two people for check, so new accepts it
    shared = run(crm, "new", "Bill Baker", "--phone", "0113 496 0123")
    assert shared.exit_code == 0, shared.output
    report = run(crm, "check", "--date", "2026-11-20")
    assert "duplicate" not in report.stdout
    forced = run(crm, "new", "Mrs Jane Roe", "--force")
    assert forced.exit_code == 0
    assert "duplicate" in run(crm, "check", "--date", "2026-11-20").stdout


def test_reassign_moves_profiles_and_their_open_tasks_in_one_commit(crm: Path,
                                                                     run: Run) -> None:
    result = run(crm, "reassign", "--from", "ben", "--to", "ana", "--commit")
    assert result.exit_code == 0, result.output
    assert "1 profiles, 1 open tasks moved from ben to ana" in result.stdout
    assert (crm / "jane-roe.md").read_bytes() == JANE.replace(
        b"owner: ben", b"owner: ana").replace(b"quote @ben", b"quote @ana")
    assert git(crm, "log", "-1", "--format=%s") == "reassign: 1 profiles from ben to ana\n"
    unknown = run(crm, "reassign", "--from", "ana", "--to", "zed")
    assert unknown.exit_code == 2 and "not anybody" in unknown.stderr
