"""The first commands through the real CLI: init, list, show, new; vault discovery; exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from plaincrm.cli import COMMANDS, main
from plaincrm.config import commented_toml, parse_config
from tests.conftest import Run, VaultFactory

JANE = """\
---
name: Jane Roe
email: jane@example.com
phone: "+44 20 7946 0958"
status: active
owner: ben
tags: [boiler, vip]
gate_code: "1234"
---
Has a dog called Pepper.

- [ ] 2026-12-01 Send invoice @ana
- [x] 2026-11-02 Call about the quote

## Log
- 2026-01-10 visit: First visit.
- 2026-03-01 service: Annual service.
- 2026-11-20 call: Asked about her knee surgery, recovering well.
- 2026-06-01 email: Sent the quote.
"""
JOSE = "---\nname: José Müller\nemail: jose@example.org\nstatus: lead\nowner: ana\n---\n"
JOAN = "---\nname: Joan Roe\nphone: '0113 496 0000'\nstatus: dormant\n---\n"


@pytest.fixture
def crm(vault: VaultFactory) -> Path:
    return vault({"jane-roe.md": JANE, "people/jose.md": JOSE, "joan.md": JOAN,
                  "README.md": "# not a profile\n", "templates/customer.md": "---\n---\n",
                  ".hidden/secret.md": "---\nname: Hidden\n---\n"}, config="")


def test_list_rows_and_filters(crm: Path, run: Run) -> None:
    result = run(crm, "list")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "NAME         STATUS   OWNER  CONTACT           FILE",
        "Jane Roe     active   ben    +44 20 7946 0958  jane-roe.md",
        "Joan Roe     dormant  -      0113 496 0000     joan.md",
        "José Müller  lead     ana    jose@example.org  people/jose.md",
    ]
    assert result.stderr == ""
    assert "Jane Roe" in run(crm, "list", "--tag", "VIP").stdout
    assert "Jane" not in run(crm, "list", "--status", "lead").stdout
    assert "José" in run(crm, "list", "--owner", "@ana").stdout
    assert "José" in run(crm, "list", "--search", "muller").stdout
    assert "Jane" in run(crm, "list", "--search", "1234").stdout
    assert run(crm, "list", "--search", "nobody").stdout == "No profiles match.\n"


def test_list_json_converts_fields(crm: Path, run: Run) -> None:
    data = json.loads(run(crm, "list", "--json").stdout)
    jane = data["profiles"][0]
    assert jane == {
        "birthday": None, "contact_every": None, "customer_since": None,
        "email": ["jane@example.com"], "has_problems": False, "id": None,
        "last_contact": "2026-11-20", "log_entries": 4, "name": "Jane Roe", "open_tasks": 1,
        "other": {"gate_code": "1234"}, "owner": "ben", "path": "jane-roe.md",
        "phone": ["+44 20 7946 0958"], "service_due": None, "service_every": None,
        "status": "active", "tags": ["boiler", "vip"],
    }


def test_show_at_a_glance(crm: Path, run: Run) -> None:
    result = run(crm, "show", "JANE ROE")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Jane Roe  (active, owner ben)\n  jane-roe.md\n")
    assert re.search(r"^  phone +\+44 20 7946 0958$", out, re.M)
    assert re.search(r"^  gate_code +1234$", out, re.M)
    assert "Open tasks\n  2026-12-01  Send invoice @ana\n" in out
    assert "Call about the quote" not in out
    assert ("Conversations (newest 3 of 4)\n  2026-11-20  call: Asked about her knee surgery, "
            "recovering well.\n  2026-06-01  email: Sent the quote.\n"
            "  2026-03-01  service: Annual service.\n") in out


def test_show_json_has_every_task_and_log_entry(crm: Path, run: Run) -> None:
    data = json.loads(run(crm, "show", "jane-roe", "--json").stdout)
    assert [t["text"] for t in data["tasks"]] == ["Send invoice @ana", "Call about the quote"]
    assert [e["line"] for e in data["log"]] == [16, 17, 18, 19]


@pytest.mark.parametrize("name", ["jose", "JOSE MULLER", "josé müller", "people/jose", "Müller"])
def test_names_match_case_and_accent_insensitively(crm: Path, run: Run, name: str) -> None:
    result = run(crm, "show", name)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("José Müller")


def test_ambiguous_name_lists_candidates_exit_5(crm: Path, run: Run) -> None:
    result = run(crm, "show", "roe")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "plaincrm: 'roe' matches 2 profiles; name one by its file or id:",
        "  jane-roe.md  Jane Roe  +44 20 7946 0958",
        "  joan.md  Joan Roe  0113 496 0000",
    ]


def test_no_such_profile_exit_4_with_a_suggestion(crm: Path, run: Run) -> None:
    result = run(crm, "show", "Jane Rise")
    assert result.exit_code == 4
    assert result.stderr == ("plaincrm: no profile matches 'Jane Rise'; did you mean 'Jane Roe', "
                             "'Joan Roe'?\n")


def test_no_vault_exit_3(tmp_path: Path, run: Run) -> None:
    result = run(tmp_path / "missing", "list")
    assert result.exit_code == 3
    assert "no vault here" in result.stderr


def test_usage_error_exit_2(crm: Path, run: Run) -> None:
    assert run(crm, "list", "--bogus").exit_code == 2
    assert run(crm, "nosuchcommand").exit_code == 2


def test_vault_found_upward_from_a_subfolder(crm: Path, monkeypatch: pytest.MonkeyPatch,
                                             run: Run) -> None:
    monkeypatch.chdir(crm / "people")
    assert "Jane Roe" in run(None, "list").stdout


def test_vault_from_environment(crm: Path, run: Run) -> None:
    result = run(None, "list", env={"PLAINCRM_VAULT": str(crm)})
    assert "Jane Roe" in result.stdout


def test_new_writes_from_the_template_with_a_fresh_id(vault: VaultFactory, run: Run) -> None:
    root = vault({"templates/customer.md": "---\n# who\nname:\nstatus: lead\nid:\n---\n"
                  "# {{name}}\n\nMet on {{date}}.\n\n## Log\n"}, config="")
    result = run(root, "new", "Zoë O'Brien", "--email", "zoe@example.com", "--phone",
                 "+4915112345678", "--tag", "vip", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert result.stdout == "created zoe-obrien.md\n"
    text = (root / "zoe-obrien.md").read_text()
    new_id = re.search(r'^id: "?([0-9a-f]{8})"?$', text, re.M)
    assert new_id is not None
    assert text == (
        f"---\n# who\nname: Zoë O'Brien\nstatus: lead\nid: {new_id.group(0)[4:]}\n"
        "email: zoe@example.com\nphone: \"+4915112345678\"\ntags: [vip]\n"
        "customer_since: 2026-11-22\n---\n# Zoë O'Brien\n\nMet on 2026-11-22.\n\n## Log\n")
    shown = json.loads(run(root, "show", "zoe", "--json").stdout)
    assert shown["phone"] == ["+4915112345678"] and shown["id"] == new_id.group(1)


@pytest.mark.parametrize(("args", "why"), [
    (["Jane  roe"], "the same name"),
    (["Someone", "--email", "JANE@example.com"], "the same email"),
    (["Someone", "--phone", "020 7946 0958"], "the same phone"),
])
def test_new_refuses_the_same_person_unless_forced(crm: Path, run: Run, args: list[str],
                                                   why: str) -> None:
    result = run(crm, "new", *args)
    assert result.exit_code == 6
    assert f"jane-roe.md (Jane Roe) has {why}" in result.stderr
    assert "--force" in result.stderr
    forced = run(crm, "new", *args, "--force")
    assert forced.exit_code == 0, forced.output


def test_new_never_overwrites(crm: Path, run: Run) -> None:
    before = (crm / "jane-roe.md").read_bytes()
    result = run(crm, "new", "Jane Roe", "--force")
    assert result.stdout == "created jane-roe-2.md\n"
    assert (crm / "jane-roe.md").read_bytes() == before


def test_init_creates_a_vault_and_never_overwrites(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "shop"
    result = run(None, "init", str(target))
    assert result.exit_code == 0, result.output
    for rel in ("plaincrm.toml", ".gitignore", "templates/customer.md", "ada-example.md"):
        assert (target / rel).is_file()
    assert (target / ".git").is_dir()
    assert (target / "plaincrm.toml").read_text() == commented_toml()
    (target / "plaincrm.toml").write_text("# mine\n")
    again = run(None, "init", str(target))
    assert "kept (already there)    plaincrm.toml" in again.stdout
    assert (target / "plaincrm.toml").read_text() == "# mine\n"
    listed = json.loads(run(target, "list", "--json").stdout)["profiles"]
    assert [p["name"] for p in listed] == ["Ada Example"]


def test_init_inside_a_repository_does_not_nest_git(tmp_path: Path, run: Run) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    result = run(None, "init", str(tmp_path / "repo" / "crm"))
    assert "skipped: already inside the repository" in result.stdout
    assert not (tmp_path / "repo" / "crm" / ".git").exists()


def test_commented_config_parses_to_the_defaults() -> None:
    uncommented = "\n".join(line[2:] if line.startswith("# ") else line
                            for line in commented_toml().splitlines())
    _config, problems = parse_config(uncommented.encode())
    assert problems == []


def test_bad_config_is_located_and_the_vault_still_works(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: A\n---\n"},
                 config="[agenda]\ndays = \"seven\"\ndayz = 3\n[nonsense]\nx = 1\n")
    result = run(root, "list")
    assert result.exit_code == 0
    assert "A " in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0] == ("plaincrm.toml:2: config-error agenda.days must be a whole number; "
                        "the default is used")
    # a misspelt name says which names there are
    assert lines[1].startswith("plaincrm.toml:3: config-error unknown option agenda.dayz "
                               "([agenda] has days, contact_every, ")
    assert lines[2].startswith("plaincrm.toml:4: config-error unknown section [nonsense] "
                               "(the sections are vault, profiles, agenda, ")
    assert len(lines) == 3


def test_color_always_never_and_no_color(crm: Path, run: Run) -> None:
    assert "\x1b[" in run(crm, "--color", "always", "show", "jane roe").stdout
    assert "\x1b[" not in run(crm, "--color", "never", "show", "jane roe").stdout
    assert "\x1b[" not in run(crm, "show", "jane roe").stdout  # a pipe gets plain text
    no_color = run(crm, "show", "jane roe", env={"NO_COLOR": "1"})
    assert "\x1b[" not in no_color.stdout


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("plaincrm, version ")


def test_python_dash_m_runs_the_cli(crm: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "plaincrm", "--vault", str(crm), "list"],
                            capture_output=True, text=True, env={**os.environ}, check=False)
    assert result.returncode == 0 and "Jane Roe" in result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None and command.help
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert re.search(r"Examples?:", result.stdout) and f"plaincrm {name}" in result.stdout


@pytest.mark.parametrize("items", [[], [{"a": 1, "b": [1, 2]}], [{"x": "é"}, {"y": {"z": None}}]])
@pytest.mark.parametrize("before", [{}, {"date": "2026-11-22"}, {"a": [1, {"b": "\u2028"}],
                                                                 "n": None}])
def test_streamed_json_list_is_the_same_text(items: list[dict[str, object]],
                                             before: dict[str, object]) -> None:
    from plaincrm.cli import dumps_json, echo_json_list

    @click.command()
    def emit() -> None:
        echo_json_list("profiles", iter(items), before)

    expected = dumps_json({**before, "profiles": items}) + "\n"
    assert CliRunner().invoke(emit).output == expected
