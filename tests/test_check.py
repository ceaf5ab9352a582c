"""plaincrm check: the golden fixture vault, exit codes, output, scope, silencing, severities."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from plaincrm.checks import codes, runner
from tests.conftest import FIXTURES, Run, VaultFactory

GOLDEN = FIXTURES / "checks.golden.json"
TODAY = "2026-11-20"


def _fixture_copy(tmp_path: Path) -> Path:
    root = tmp_path / "checks"
    shutil.copytree(FIXTURES / "checks", root)
    return root


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_fixture_vault_gives_exactly_the_golden_problems(tmp_path: Path, run: Run) -> None:
    root = _fixture_copy(tmp_path)
    result = run(root, "check", "--json", "--date", TODAY)
    assert result.exit_code == 1
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")
    data = json.loads(result.stdout)
    # one instance of each code (a duplicate is one pair: reported on both files)
    found = [p["code"] for p in data["problems"]]
    expected = sorted(set(codes.CODES) - {"check-crashed"})
    assert sorted(set(found)) == expected
    assert all(found.count(c) == 1 for c in expected if c != "duplicate")
    assert found.count("duplicate") == 2
    assert "note: the vault is not in a git repository" in result.stderr


def test_check_never_writes_to_the_vault(tmp_path: Path, run: Run) -> None:
    root = _fixture_copy(tmp_path)
    before = _digest(root)
    mtimes = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    for args in (["check"], ["check", "--json"], ["check", str(root / "stale.md")]):
        run(root, *args, "--date", TODAY)
    assert _digest(root) == before
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == mtimes


def test_text_output_is_sorted_lines_and_a_summary_on_stderr(tmp_path: Path, run: Run) -> None:
    root = _fixture_copy(tmp_path)
    result = run(root, "check", "--date", TODAY)
    lines = result.stdout.splitlines()
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert lines == [f"{p['path']}:{p['line']}: {p['code']} {p['message']}"
                     for p in golden["problems"]]
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert keys == sorted(keys)
    assert result.stderr.splitlines()[-1] == "11 errors, 7 warnings in 18 profiles"


def test_colour_only_when_asked(tmp_path: Path, run: Run) -> None:
    root = _fixture_copy(tmp_path)
    plain = run(root, "check", "--date", TODAY)
    coloured = run(root, "--color", "always", "check", "--date", TODAY)
    assert "\x1b[" not in plain.stdout
    assert "\x1b[31m" in coloured.stdout and "\x1b[33m" in coloured.stdout


CLEAN = """\
    ---
    name: Clara Clean
    status: lead
    email: clara@example.com
    ---
    """


def test_exit_codes(vault: VaultFactory, run: Run) -> None:
    root = vault({"clara.md": CLEAN})
    ok = run(root, "check", "--date", TODAY)
    assert (ok.exit_code, ok.stdout) == (0, "")
    assert ok.stderr.splitlines()[-1] == "0 errors, 0 warnings in 1 profile"
    (root / "tess.md").write_text(CLEAN.replace("    ", "") + "\n- [ ] undated\n")
    warned = run(root, "check", "--date", TODAY)
    assert warned.exit_code == 0 and "undated-task" in warned.stdout
    (root / "bad.md").write_text("---\nname: Bad\nstatus: lead\nemail: nope\n---\n")
    assert run(root, "check", "--date", TODAY).exit_code == 1
    assert run(root, "check", "--date", "someday").exit_code == 2
    assert run(root, "check", "--bogus").exit_code == 2
    assert run(root, "check", str(root / "missing.md")).exit_code == 2


def test_paths_limit_the_report_but_duplicates_see_the_whole_vault(
        tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _fixture_copy(tmp_path)
    monkeypatch.chdir(root)
    result = run(None, "check", "--json", "--date", TODAY, "duplicate-a.md", "stale.md",
                 "plaincrm.toml")
    data = json.loads(result.stdout)
    assert {(p["path"], p["code"]) for p in data["problems"]} == {
        ("duplicate-a.md", "duplicate"), ("stale.md", "stale"),
        ("plaincrm.toml", "config-error")}
    assert data["summary"] == {"profiles": 2, "errors": 1, "warnings": 2}
    folder = run(None, "check", "--json", "--date", TODAY, ".")
    assert json.loads(folder.stdout)["summary"]["profiles"] == 18


def test_vault_found_from_the_first_path(tmp_path: Path, run: Run,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "checks", repo / "customers")
    monkeypatch.chdir(repo)  # as a pre-commit hook runs: at the top, the vault below
    result = run(None, "check", "--json", "--date", TODAY, "customers/undated-task.md")
    data = json.loads(result.stdout)
    assert [p["code"] for p in data["problems"]] == ["config-error", "undated-task"]
    assert data["problems"][1]["path"] == "undated-task.md"


def test_profile_silences_codes_for_itself(vault: VaultFactory, run: Run) -> None:
    root = vault({
        "tess.md": """\
            ---
            name: Tess Task
            status: lead
            check_ignore: [undated-task, no-such-code]
            ---
            - [ ] undated
            """,
        "hans.md": "---\nname: Hans Müller\nstatus: lead\nemail: h@example.com\n"
                   "check_ignore: duplicate\n---\n",
        "hans2.md": "---\nname: Hans Mueller\nstatus: lead\nemail: h2@example.com\n---\n",
    })
    data = json.loads(run(root, "check", "--json", "--date", TODAY).stdout)
    assert [(p["path"], p["line"], p["code"]) for p in data["problems"]] == [
        ("tess.md", 1, "missing-field"), ("tess.md", 4, "invalid-field")]
    assert "'no-such-code' is not a check code" in data["problems"][1]["message"]


def test_severity_from_config_and_off(vault: VaultFactory, run: Run) -> None:
    files = {"tess.md": CLEAN.replace("    ", "") + "\n- [ ] undated\n",
             "bad.md": "---\nname: Bad\nstatus: lead\nemail: nope\n---\n",
             "empty.md": ""}
    root = vault(files, config="""\
        [checks]
        severity = { undated-task = "error", invalid-email = "off", empty-file = "error" }
        """)
    result = run(root, "check", "--json", "--date", TODAY)
    data = json.loads(result.stdout)
    assert [(p["code"], p["severity"]) for p in data["problems"]] == [
        ("empty-file", "error"), ("undated-task", "error")]
    assert result.exit_code == 1
    bad = vault(files, config="[checks]\nseverity = { undated = \"off\" }\n", name="v2")
    data = json.loads(run(bad, "check", "--json", "--date", TODAY).stdout)
    config_errors = [p for p in data["problems"] if p["path"] == "plaincrm.toml"]
    assert len(config_errors) == 1
    assert "undated is not a check code" in config_errors[0]["message"]


def test_a_crashing_check_becomes_a_problem(vault: VaultFactory, run: Run,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def check_boom(profile: object, ctx: object) -> list[object]:
        raise KeyError("surprise")

    monkeypatch.setattr(runner, "PROFILE_CHECKS", (*runner.PROFILE_CHECKS, check_boom))
    root = vault({"clara.md": CLEAN, "zed.md": CLEAN.replace("clara@", "zed@")
                  .replace("Clara Clean", "Zed Zee")})
    result = run(root, "check", "--date", TODAY)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(" check-crashed the check_boom check failed" in x
                                   for x in lines)
    assert "KeyError" in lines[0]


def test_every_code_is_documented() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "checks.md").read_text(encoding="utf-8")
    for code in codes.CODES:
        assert f"\n### `{code}`\n" in doc, code


def test_a_check_crashing_while_the_index_keeps_its_problems_is_reported(
        vault: VaultFactory, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index runs the day-independent checks as it reads a file, and check reads their
    problems from it: a crash there was skipped in silence, so check said the file was fine.
    Now it is kept as check-crashed, and check (and the owner's agenda) say so."""
    from plaincrm.checks import fields

    def check_status(profile: object, ctx: object) -> list[object]:
        raise KeyError("surprise")

    monkeypatch.setattr(fields, "check_status", check_status)
    root = vault({"clara.md": CLEAN})
    result = run(root, "check", "--date", TODAY)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "clara.md:1: check-crashed the check_status check failed here (KeyError: 'surprise'); "
        "please report this as a bug in plaincrm"]
