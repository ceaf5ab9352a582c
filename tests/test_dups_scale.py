"""duplicate at scale without timing anything: the work ``check`` does for duplicates is
counted through the real CLI (the rule's own functions wrapped to count their calls), so a
comparison that grows with the square of a block shows as a count, not as a slow test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from plaincrm.checks import alike, duplicates
from tests.conftest import Run, VaultFactory
from tests.test_check_duplicates import duplicates as found_duplicates
from tests.test_check_duplicates import person


def counted(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """Count the calls of ``owner.name`` (still called: the rule is not replaced)."""
    calls = [0]
    real: Callable[..., Any] = getattr(owner, name)

    def counting(*args: Any) -> Any:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(owner, name, counting)
    return calls


def neighbour(name: str, birthday: str = "") -> str:
    """A profile at 12 Mill Lane, LS6 3BJ: every one shares a street, a postcode and an
    initial with every other, so all of them are one block of alike-name evidence."""
    extra = "address: 12 Mill Lane, Leeds LS6 3BJ" + (f"\nbirthday: {birthday}" if birthday else "")
    return person(name).replace("status: lead", f"status: lead\n{extra}")


def test_evidence_keys_are_worked_out_once_a_profile(vault: VaultFactory, run: Run,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"n{i:03d}.md": neighbour(f"Ann Ash{chr(97 + i % 26)}{i}") for i in range(80)}
    files["margret.md"] = neighbour("Margret Whitfeld", "1948-01-14")
    files["margaret.md"] = neighbour("Margaret Whitfield", "1948-01-14")
    calls = counted(monkeypatch, duplicates.Person, "evidence_keys")
    found = found_duplicates(run, vault(files))
    assert ("margaret.md", 2, "probably the same person as margret.md (Margret Whitfeld): "
            "same birthday and postcode, names 0.94 alike") in found
    assert calls[0] == len(files)  # not once more for each pair of a block


def test_a_block_of_alike_names_compares_each_pair_of_names_once(
        vault: VaultFactory, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """120 neighbours of four names: the names are weighed per pair of names, not per pair of
    profiles (7,140 pairs)."""
    names = ("Ann Ashworth", "Anne Ashwort", "Alan Ames", "Amy Adams")
    files = {f"n{i:03d}.md": neighbour(names[i % 4]) for i in range(120)}
    scores = counted(monkeypatch, alike, "name_score")
    clashes = counted(monkeypatch, alike, "first_names_clash")
    found = found_duplicates(run, vault(files))
    assert ("n000.md", 2, "probably the same person as n001.md (Anne Ashwort): same postcode, "
            "names 0.92 alike") in found
    # each Anne, and one problem for its 29 namesakes
    assert len([f for f in found if f[0] == "n000.md"]) == 30 + 1
    assert scores[0] + clashes[0] <= 2 * 4 * 4



def test_namesakes_are_weighed_per_pair_of_names(vault: VaultFactory, run: Run,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"s{i:02d}.md": person("John Smith") for i in range(80)}
    files |= {f"a{i}.md": person("John A. Smith") for i in range(10)}
    files |= {f"b{i}.md": person("John B. Smith") for i in range(5)}
    calls = counted(monkeypatch, duplicates, "same_name")
    found = {path: message for path, _line, message in found_duplicates(run, vault(files))}
    assert found["s00.md"] == ("probably the same person as a0.md (John A. Smith), a1.md "
                               "(John A. Smith), a2.md (John A. Smith) and 91 more of the same "
                               "name: same name")
    assert found["a0.md"].endswith("and 86 more of the same name: same name")  # not the Bs
    assert found["b4.md"].startswith("probably the same person as b0.md (John B. Smith), b1.md")
    assert found["b4.md"].endswith("and 81 more of the same name: same name")
    assert calls[0] <= 3 * 3  # 9,000 pairs of profiles, three names
