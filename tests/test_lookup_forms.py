"""Find a person by anything you have (issue 14): one lookup for show, log, task, done,
history and list --search: phones in any format, emails in any case, names in either order
with or without accents, file names with or without .md. Ambiguity lists candidates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Run, VaultFactory

HANS = """
    ---
    name: Hans Müller
    email: Hans.Mueller@Example.org
    phone: "+44 113 496 0584"
    ---

    ## Tasks

    - [ ] 2026-12-08 Quote for a smart thermostat

    ## Log

    - 2026-11-11 email: Asked about smart thermostats.
    """
ZOE = """
    ---
    name: Zoë O'Brien
    phone: "0113 496 0999"
    ---
    """
ANN = """
    ---
    name: Ann Lee
    phone: "+44 20 7946 0{n}"
    ---
    """

FORMS = {
    "e164": "+441134960584",
    "international with spaces": "+44 113 496 0584",
    "national without spaces": "01134960584",
    "national with spaces": "0113 496 0584",
    "trunk zero kept": "+44 (0)113 496 0584",
    "international prefix": "0044 113 496 0584",
    "email in other case": "HANS.MUELLER@EXAMPLE.ORG",
    "name": "Hans Müller",
    "name without accents": "hans muller",
    "name with umlaut spelled out": "Hans Mueller",
    "name reversed with comma": "Mueller, Hans",
    "name reversed": "Müller Hans",
    "file name": "hans",
    "file name with .md": "hans.md",
}


@pytest.fixture
def people(vault: VaultFactory) -> Path:
    root = vault({"hans.md": HANS, "zoe.md": ZOE, "ann-lee.md": ANN.format(n="111"),
                  "people/ann-lee.md": ANN.format(n="222")},
                 config='[profiles]\nphone_region = "GB"\n')
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "people"], cwd=root, check=True)
    return root


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_show_finds_every_form(people: Path, run: Run, form: str) -> None:
    result = run(people, "show", form)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Hans Müller\n  hans.md\n")


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_list_search_finds_every_form(people: Path, run: Run, form: str) -> None:
    result = run(people, "list", "--search", form)
    assert result.exit_code == 0, result.output
    assert [line.split()[-1] for line in result.stdout.splitlines()[1:]] == ["hans.md"]
    data = json.loads(run(people, "list", "--search", form, "--json").stdout)
    assert [p["path"] for p in data["profiles"]] == ["hans.md"]


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_log_finds_every_form(people: Path, run: Run, form: str) -> None:
    result = run(people, "log", form, "Asked about Home Assistant.", "--kind", "call",
                 "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert "- 2026-11-20 call: Asked about Home Assistant." in (people / "hans.md").read_text()


@pytest.mark.parametrize("form", ["0113 496 0584", "Mueller, Hans", "hans.mueller@example.org",
                                  "hans.md"])
def test_task_done_history_find_the_person(people: Path, run: Run, form: str) -> None:
    added = run(people, "task", form, "2026-12-24", "Send a Christmas card")
    assert added.exit_code == 0, added.output
    assert "- [ ] 2026-12-24 Send a Christmas card" in (people / "hans.md").read_text()
    ticked = run(people, "done", form, "thermostat")
    assert ticked.exit_code == 0, ticked.output
    assert "- [x] 2026-12-08 Quote for a smart thermostat" in (people / "hans.md").read_text()
    history = run(people, "history", form)
    assert history.exit_code == 0, history.output
    assert history.stdout.startswith("hans.md: 1 commit")


def test_a_national_number_stored_nationally(people: Path, run: Run) -> None:
    for form in ("+44 113 496 0999", "01134960999", "+441134960999"):
        assert run(people, "show", form).stdout.startswith("Zoë O'Brien\n"), form
    assert run(people, "show", "zoe obrien").stdout.startswith("Zoë O'Brien\n")
    assert run(people, "show", "O'Brien, Zoe").stdout.startswith("Zoë O'Brien\n")


def test_another_number_with_the_same_last_digits_is_not_the_person(people: Path,
                                                                     run: Run) -> None:
    before = (people / "hans.md").read_bytes()
    assert run(people, "show", "+1 213 496 0584").exit_code == 4
    assert run(people, "log", "+1 213 496 0584", "Rang.").exit_code == 4
    assert (people / "hans.md").read_bytes() == before


def test_ambiguous_lists_candidates_with_phone_and_file_and_changes_nothing(
        people: Path, run: Run) -> None:
    before = {p: p.read_bytes() for p in people.rglob("*.md")}
    for args in (["show", "Lee, Ann"], ["log", "ann lee", "Rang.", "--kind", "call"],
                 ["task", "Ann Lee", "2026-12-01", "Ring back"]):
        result = run(people, *args)
        assert result.exit_code == 5, args
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert lines[0].endswith("matches 2 profiles; name one by its file or id:")
        assert lines[1:] == ["  ann-lee.md  Ann Lee  +44 20 7946 0111",
                             "  people/ann-lee.md  Ann Lee  +44 20 7946 0222"]
    assert {p: p.read_bytes() for p in people.rglob("*.md")} == before
    assert run(people, "show", "people/ann-lee.md").stdout.startswith("Ann Lee\n")
    assert run(people, "show", "020 7946 0222").stdout.startswith("Ann Lee\n  people/")


def test_without_a_phone_region_a_national_number_matches_by_its_last_digits(
        vault: VaultFactory, run: Run) -> None:
    root = vault({"hans.md": HANS})
    for form in ("0113 496 0584", "01134960584", "+44 113 496 0584"):
        assert run(root, "show", form).stdout.startswith("Hans Müller\n"), form
        assert "hans.md" in run(root, "list", "--search", form).stdout, form
    assert run(root, "show", "+1 213 496 0584").exit_code == 4
