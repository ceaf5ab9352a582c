"""Each agenda row carries the phone (else email) to act on; a long section collapses in text
and stays whole in JSON (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

DAY = "2026-11-22"


def person(name: str, contact: str, task_day: str = "2026-11-20") -> str:
    return (f"---\nname: {name}\nstatus: lost\n{contact}---\n\n## Tasks\n\n"
            f"- [ ] {task_day} Ring {name}\n")


def text_of(run: Run, root: Path, *args: str) -> list[str]:
    result = run(root, "agenda", "--date", DAY, *args)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


@pytest.mark.parametrize(("contact", "shown", "in_json"), [
    ('phone: "+44 20 7946 0018"\nemail: a@example.com\n', "+44 20 7946 0018",
     "+44 20 7946 0018"),
    ('phone: ["+44 20 7946 0019", "+44 7700 900123"]\n', "+44 20 7946 0019", "+44 20 7946 0019"),
    ("email: a@example.com\n", "a@example.com", "a@example.com"),
    ("", "no phone or email", None),
])
def test_each_row_carries_the_contact_to_act_on(run: Run, vault: VaultFactory, contact: str,
                                                shown: str, in_json: str | None) -> None:
    root = vault({"ann.md": person("Ann", contact)})
    lines = text_of(run, root)
    row = next(i for i, line in enumerate(lines) if "Ring Ann" in line)
    assert lines[row + 1].strip() == f"{shown} · last: no log yet"
    data = json.loads(run(root, "agenda", "--date", DAY, "--json").stdout)
    assert [i["contact"] for i in data["items"] if i["kind"] == "task"] == [in_json]
    # a profile with neither is also an item of its own: add one
    assert [(i["kind"], i["text"], i["contact"]) for i in data["items"] if i["kind"] != "task"
            ] == ([] if contact else [("fix", "add email or phone", None)])


def test_the_contact_follows_an_edit(run: Run, vault: VaultFactory) -> None:
    root = vault({"ann.md": person("Ann", "email: a@example.com\n")})
    assert "a@example.com · last" in "\n".join(text_of(run, root))
    (root / "ann.md").write_text(person("Ann", 'phone: "+44 20 7946 0020"\n'))
    assert "+44 20 7946 0020 · last" in "\n".join(text_of(run, root))


def crowd(count: int) -> dict[str, str | bytes]:
    return {f"p{n:02}.md": person(f"P{n:02}", f"email: p{n}@example.com\n")
            for n in range(count)}


def test_a_long_section_collapses_and_says_how_to_see_it_all(run: Run,
                                                            vault: VaultFactory) -> None:
    root = vault(crowd(20))
    lines = text_of(run, root)
    assert "Overdue (20)" in lines
    rows = [line for line in lines if "Ring P" in line]
    assert [r.split("Ring ")[1].split()[0] for r in rows] == [f"P{n:02}" for n in range(15)]
    assert lines[-1] == "  … and 5 more overdue: plaincrm agenda --all shows them all"
    every = text_of(run, root, "--all")
    assert len([line for line in every if "Ring P" in line]) == 20
    assert not [line for line in every if "more overdue" in line]
    data = json.loads(run(root, "agenda", "--date", DAY, "--json").stdout)
    assert len(data["items"]) == 20  # JSON always has everything


@pytest.mark.parametrize(("config", "shown"), [
    ("[agenda]\nsection_limit = 3\n", 3), ("[agenda]\nsection_limit = 0\n", 20),
    ("[agenda]\nsection_limit = 20\n", 20)])
def test_the_section_limit_is_configurable(run: Run, vault: VaultFactory, config: str,
                                           shown: int) -> None:
    root = vault(crowd(20), config=config)
    lines = text_of(run, root)
    assert len([line for line in lines if "Ring P" in line]) == shown
    assert any("more overdue" in line for line in lines) == (shown < 20)


def test_each_section_collapses_on_its_own(run: Run, vault: VaultFactory) -> None:
    files = crowd(4)
    files.update({f"u{n}.md": person(f"U{n}", "", "2026-11-24") for n in range(4)})
    root = vault(files, config="[agenda]\nsection_limit = 2\n")
    lines = text_of(run, root)
    assert "  … and 2 more overdue: plaincrm agenda --all shows them all" in lines
    assert "  … and 2 more upcoming: plaincrm agenda --all shows them all" in lines


def test_a_bad_section_limit_is_a_config_problem(run: Run, vault: VaultFactory) -> None:
    root = vault(crowd(1), config="[agenda]\nsection_limit = -1\n")
    result = run(root, "check", "--date", DAY)
    assert "agenda.section_limit" in result.output and "0 or more" in result.output
