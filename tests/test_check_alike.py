"""Duplicates that typos cannot hide: recall and precision of plaincrm check's same-person rule
on seeded messy duplicates (tests/messy_people.py), through the real CLI."""

from __future__ import annotations

import json

from tests.conftest import Run, VaultFactory
from tests.messy_people import generate


def found_pairs(stdout: str) -> set[frozenset[str]]:
    pairs = set()
    for problem in json.loads(stdout)["problems"]:
        if problem["code"] == "duplicate":
            other = problem["message"].split("same person as ", 1)[1].split(" (", 1)[0]
            pairs.add(frozenset((problem["path"], other)))
    return pairs


def test_recall_and_precision_on_messy_duplicates(vault: VaultFactory, run: Run) -> None:
    files, truth = generate(people=600, duplicates=200, seed=7)
    root = vault(files, config="")
    result = run(root, "check", "--date", "2026-12-01", "--json")
    found = found_pairs(result.stdout)
    hits = len(found & truth)
    recall, precision = hits / len(truth), hits / max(len(found), 1)
    print(f"recall {recall:.3f} precision {precision:.3f} ({hits} of {len(truth)}, "
          f"{len(found)} reported)")
    assert recall >= 0.9 and precision >= 0.95, (recall, precision, sorted(
        map(sorted, truth - found))[:10], sorted(map(sorted, found - truth))[:10])


def test_why_an_alike_pair_matched_and_distinct_from(vault: VaultFactory, run: Run) -> None:
    jane = ('---\nname: Margaret Whitfield\nid: a1\nbirthday: 1948-01-14\n'
            'address: "14 Cardigan Grove, Leeds LS6 3BJ"\n---\n')
    typo = ('---\nname: Margret Whitfeld\nid: b2\nbirthday: 1948-01-14\n'
            'address: "LS6 3BJ"\n---\n')
    root = vault({"m.md": jane, "w.md": typo}, config="")
    result = run(root, "check", "--date", "2026-12-01")
    assert ("m.md:2: duplicate probably the same person as w.md (Margret Whitfeld): same "
            "birthday and postcode, names 0.94 alike") in result.output
    assert "alike" in result.output
    root2 = vault({"m.md": jane, "w.md": typo.replace("id: b2", "id: b2\ndistinct_from: [a1]")},
                  config="")
    assert "duplicate" not in run(root2, "check", "--date", "2026-12-01").output


def test_a_household_is_not_one_person(vault: VaultFactory, run: Run) -> None:
    anna = '---\nname: Anna Roe\nphone: "0113 496 0142"\naddress: "3 Mill Lane, LS6 3BJ"\n---\n'
    hans = anna.replace("Anna", "Hans")
    root = vault({"anna.md": anna, "hans.md": hans}, config="")
    assert "duplicate" not in run(root, "check", "--date", "2026-12-01").output


def test_new_refuses_an_alike_name_that_check_would_flag(vault: VaultFactory, run: Run) -> None:
    """One rule for new and check: a typo in the name does not get a duplicate past new."""
    jane = ('---\nname: Margaret Whitfield\nid: a1\nbirthday: 1948-01-14\n'
            'address: "14 Cardigan Grove, Leeds LS6 3BJ"\n---\n')
    root = vault({"m.md": jane}, config="")
    result = run(root, "new", "Margret Whitfeld", "--birthday", "1948-01-14",
                 "--set", "address=LS6 3BJ")
    assert result.exit_code == 6, result.output
    assert "m.md (Margaret Whitfield)" in result.stderr
    assert "same birthday and postcode, names 0.94 alike" in result.stderr
    assert sorted(p.name for p in root.glob("*.md")) == ["m.md"]
    other = run(root, "new", "Margret Whitfeld", "--birthday", "1960-05-05")
    assert other.exit_code == 0, other.output  # alike names alone are not evidence
