"""Data-quality items: what check finds, in the owner's agenda until fixed; check --owner."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run, VaultFactory

ON = '[agenda]\ncheck_items = true\n'
GOOD = "---\nname: Gwen Good\nstatus: active\nphone: '+44 113 496 0004'\nowner: ana\n---\n"
FILES = {
    "connor.md": "---\nname: Connor Walsh\nstatus: lead\nowner: ben\n---\n",
    "bad-email.md": "---\nname: Eve Mail\nstatus: active\nemail: eve@@example\nowner: ana\n---\n",
    "status.md": "---\nname: Stan Status\nstatus: actve\nemail: stan@example.com\nowner: ben\n"
                 "---\n",
    "undated.md": "---\nname: Una Dated\nstatus: lead\nemail: una@example.com\nowner: raj\n---\n"
                  "\n## Tasks\n\n- [ ] Ring her back\n",
    "gwen.md": GOOD,
}


def fixes(run: Run, root: object, *args: str) -> list[tuple[object, ...]]:
    result = run(root, "agenda", "--date", "2026-11-20", "--json", *args)
    assert result.exit_code == 0, result.output
    return [(i["section"], i["name"], i["text"], i["owner"], i["problem"]["code"],
             i["line"]) for i in json.loads(result.stdout)["items"] if i["kind"] == "fix"]


@pytest.mark.parametrize(("config", "args", "expected"), [
    (ON, (), [
        ("today", "Connor Walsh", "add email or phone", "ben", "missing-field", 1),
        ("today", "Eve Mail", "fix the email", "ana", "invalid-email", 4),
        ("today", "Stan Status", "fix the status", "ben", "unknown-status", 3)]),
    (ON, ("--owner", "ben"), [
        ("today", "Connor Walsh", "add email or phone", "ben", "missing-field", 1),
        ("today", "Stan Status", "fix the status", "ben", "unknown-status", 3)]),
    (ON, ("--owner", "ana", "--kind", "fix"), [
        ("today", "Eve Mail", "fix the email", "ana", "invalid-email", 4)]),
    # warnings only when the config names them
    ('[agenda]\ncheck_items = true\ncheck_warnings = ["undated-task"]\n', ("--owner", "raj"),
     [("today", "Una Dated", "date the task", "raj", "undated-task", 10)]),
    # a code turned off in [checks] is no item either
    ('[agenda]\ncheck_items = true\n[checks]\nseverity = { invalid-email = "off" }\n',
     ("--owner", "ana"), []),
    # on by default: every error, for the profile's owner
    (None, (), [
        ("today", "Connor Walsh", "add email or phone", "ben", "missing-field", 1),
        ("today", "Eve Mail", "fix the email", "ana", "invalid-email", 4),
        ("today", "Stan Status", "fix the status", "ben", "unknown-status", 3)]),
    # and can be turned off
    ('[agenda]\ncheck_items = false\n', (), []),
])
def test_quality_items(run: Run, vault: VaultFactory, config: str | None,
                       args: tuple[str, ...], expected: list[tuple[object, ...]]) -> None:
    root = vault(FILES, config=config)
    assert fixes(run, root, *args) == expected


def test_an_item_stays_until_fixed_and_names_the_problem(run: Run, vault: VaultFactory) -> None:
    root = vault(FILES, config=ON)
    text = run(root, "agenda", "--date", "2026-11-20", "--owner", "ana").stdout
    assert "fix the email" in text
    assert "problem: bad-email.md:4: invalid-email 'eve@@example':" in text
    (root / "bad-email.md").write_text(FILES["bad-email.md"].replace("eve@@example",
                                                                     "eve@example.com"))
    assert fixes(run, root, "--owner", "ana") == []


def test_check_ignore_silences_the_item(run: Run, vault: VaultFactory) -> None:
    root = vault({"connor.md": FILES["connor.md"].replace(
        "owner: ben\n", "owner: ben\ncheck_ignore: [missing-field]\n")}, config=ON)
    assert fixes(run, root) == []


def test_check_owner_lists_one_persons_share(run: Run, vault: VaultFactory) -> None:
    root = vault(FILES)
    result = run(root, "check", "--date", "2026-11-20", "--owner", "ben", "--json")
    paths = {p["path"] for p in json.loads(result.stdout)["problems"]}
    assert paths == {"connor.md", "status.md"}
    assert result.exit_code == 1
    clean = run(root, "check", "--date", "2026-11-20", "--owner", "ana")
    found = {line.split(":")[0] for line in clean.stdout.splitlines()}
    assert found == {"bad-email.md", "gwen.md"}  # gwen: stale, no log entry yet


def test_check_owner_takes_several_and_refuses_an_unknown_one(run: Run,
                                                              vault: VaultFactory) -> None:
    """check --owner follows the agenda's rule: repeatable, and a name nobody has is a usage
    error listing the owners, not an empty (and falsely clean) report."""
    root = vault(FILES)
    both = run(root, "check", "--date", "2026-11-20", "--owner", "ben", "--owner", "ana",
               "--json")
    paths = {p["path"] for p in json.loads(both.stdout)["problems"]}
    assert paths == {"connor.md", "status.md", "bad-email.md", "gwen.md"}
    nobody = run(root, "check", "--date", "2026-11-20", "--owner", "benn")
    assert nobody.exit_code == 2
    assert "'benn' is not an owner in this vault; the owners are ana, ben" in nobody.output


@pytest.mark.parametrize("code", ["invalid-phone", "stale", "duplicate"])
def test_a_warning_only_check_finds_is_refused_as_an_agenda_item(run: Run, vault: VaultFactory,
                                                                 code: str) -> None:
    """check_warnings naming a code the index never keeps would promise items that never come:
    a located config error naming the warnings that can be items, and the default is used."""
    root = vault({"gwen.md": GOOD}, config=f'[agenda]\ncheck_warnings = ["{code}"]\n')
    result = run(root, "check", "--date", "2026-11-20")
    assert (f"plaincrm.toml:2: config-error agenda.check_warnings '{code}' is found by "
            "plaincrm check only, never an agenda item (see docs/checks.md); warnings that can "
            "be are") in result.stdout
    assert "undated-task" in result.stdout.split("warnings that can be are")[1]
    # the bad option is itself the one item to fix
    assert fixes(run, root) == [("today", "plaincrm.toml", "fix plaincrm.toml", None,
                                 "config-error", 2)]


def test_the_closing_note_leaves_out_files_the_agenda_lists_as_fix_rows(
        run: Run, vault: VaultFactory) -> None:
    """'N profiles have problems' under fix rows for those very files said the same twice
    (and counted differently): the note counts only files with errors the agenda does not
    list; with fix rows filtered out (--kind) it is back."""
    root = vault({"bday.md": "---\nname: Bea Day\nstatus: active\nemail: bea@example.com\n"
                             "owner: ana\nbirthday: 1980-02-30\n---\n", "gwen.md": GOOD})
    shown = run(root, "agenda", "--date", "2026-11-20")
    assert "fix the date" in shown.stdout
    assert "problems: run plaincrm check" not in shown.output
    birthdays = run(root, "agenda", "--date", "2026-11-20", "--kind", "birthday")
    assert "1 profile has problems: run plaincrm check" in birthdays.output
