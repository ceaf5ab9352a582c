"""The writing commands (log, task, task --move, done, set, unset, history) find the person by
the one lookup show uses: asked of the index with the vault's phone region, only the profile
found decoded; an ambiguous NAME lists the candidates and changes nothing, byte for byte."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import plaincrm.index
from tests.conftest import Run, VaultFactory

HANS = """
    ---
    name: Hans Müller
    phone: "+44 113 496 0584"
    owner: sam
    ---

    ## Tasks

    - [ ] 2026-12-08 Quote for a smart thermostat

    ## Log

    - 2026-11-11 call: Asked about smart thermostats.
    """
BOB = """
    ---
    name: Bob Stone
    phone: "+1 213 496 0584"
    owner: amy
    ---

    ## Tasks

    - [ ] 2026-12-09 Quote for a smart thermostat

    ## Log

    - 2026-11-12 call: Rang from Los Angeles.
    """
ANN = """
    ---
    name: Ann Lee
    phone: "+44 20 7946 0{n}"
    ---

    ## Tasks

    - [ ] 2026-12-10 Ring back

    ## Log

    - 2026-11-13 call: Left a message.
    """

# each writing command, NAME left open; a line it writes into the profile found (unset: the
# line it removes)
COMMANDS: dict[str, tuple[list[str], str]] = {
    "log": (["log", "{}", "Rang about the thermostat.", "--kind", "call", "--date",
             "2026-11-20"], "- 2026-11-20 call: Rang about the thermostat."),
    "task": (["task", "{}", "2026-12-24", "Send a Christmas card"],
             "- [ ] 2026-12-24 Send a Christmas card"),
    "task --move": (["task", "{}", "--move", "Quote", "2026-12-15"], "- [ ] 2026-12-15 Quote"),
    "done": (["done", "{}", "Quote", "--date", "2026-11-20"], "- [x] 2026-12-08 Quote"),
    "set": (["set", "{}", "status", "active", "--date", "2026-11-20"], "status: active"),
    "unset": (["unset", "{}", "owner"], "owner: sam"),
}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def people(vault: VaultFactory) -> Path:
    root = vault({"hans.md": HANS, "bob.md": BOB, "ann-lee.md": ANN.format(n="111"),
                  "people/ann-lee.md": ANN.format(n="222")},
                 config='[profiles]\nphone_region = "GB"\n')
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "people")
    return root


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*.md")) if ".git" not in p.parts}


def args_for(name: str, which: str) -> list[str]:
    return [a.format(name) for a in COMMANDS[which][0]]


@pytest.mark.parametrize("typed", ["01134960584", "0113 496 0584", "+44 113 496 0584"])
@pytest.mark.parametrize("which", COMMANDS)
def test_a_national_number_read_with_the_vaults_region(people: Path, run: Run, which: str,
                                                       typed: str) -> None:
    """Hans's number is stored with +44, Bob's +1 number ends in the same 9 digits: typed
    nationally in a GB vault, it is Hans's alone."""
    before = snapshot(people)
    result = run(people, *args_for(typed, which))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("hans.md:"), result.stdout
    after = snapshot(people)
    written = after[people / "hans.md"].decode()
    assert (COMMANDS[which][1] in written) is (which != "unset"), written
    assert after[people / "hans.md"] != before[people / "hans.md"]
    assert {p: b for p, b in after.items() if p.name != "hans.md"} == \
        {p: b for p, b in before.items() if p.name != "hans.md"}


@pytest.mark.parametrize("which", COMMANDS)
def test_the_other_countrys_number_is_the_other_person(people: Path, run: Run,
                                                       which: str) -> None:
    before = snapshot(people)
    result = run(people, *args_for("+1 213 496 0584", which))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("bob.md:"), result.stdout
    after = snapshot(people)
    assert after[people / "hans.md"] == before[people / "hans.md"]
    assert after[people / "bob.md"] != before[people / "bob.md"]


def test_history_reads_the_national_number_with_the_region(people: Path, run: Run) -> None:
    result = run(people, "history", "01134960584")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("hans.md: 1 commit")
    other = run(people, "history", "+1 213 496 0584")
    assert other.exit_code == 0, other.output
    assert other.stdout.startswith("bob.md: 1 commit")


@pytest.mark.parametrize("which", [*COMMANDS, "history"])
def test_ambiguity_lists_candidates_and_changes_nothing(people: Path, run: Run,
                                                        which: str) -> None:
    before = snapshot(people)
    args = ["history", "Lee, Ann"] if which == "history" else args_for("Lee, Ann", which)
    result = run(people, *args)
    assert result.exit_code == 5, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].endswith("matches 2 profiles; name one by its file or id:"), lines
    assert lines[1:] == ["  ann-lee.md  Ann Lee  +44 20 7946 0111",
                         "  people/ann-lee.md  Ann Lee  +44 20 7946 0222"]
    assert snapshot(people) == before
    assert _git(people, "status", "--porcelain") == ""


@pytest.mark.parametrize("which", COMMANDS)
def test_only_the_profile_found_is_decoded(people: Path, run: Run, which: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The index answers the lookup; of the stored profiles only the one found is read back."""
    real: Callable[[bytes, bool], object] = plaincrm.index._load
    decoded: list[str] = []

    def counted(blob: bytes, full: bool = True) -> object:
        profile = real(blob, full)
        decoded.append(profile.path)  # type: ignore[attr-defined]
        return profile

    assert run(people, "index").exit_code == 0  # rows written before the count begins
    monkeypatch.setattr(plaincrm.index, "_load", counted)
    result = run(people, *args_for("0113 496 0584", which))
    assert result.exit_code == 0, result.output
    assert decoded == ["hans.md"]
