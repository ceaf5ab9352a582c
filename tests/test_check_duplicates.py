"""duplicate: every variant of one person is found; near-misses are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plaincrm.checks.names import first_names_differ, name_key, same_name
from tests.conftest import Run, VaultFactory

TODAY = "2026-11-20"


def person(name: str, email: str = "", phone: str = "") -> str:
    lines = ["---", f"name: {name}", "status: lead"]
    lines += [f"email: {email}"] if email else []
    lines += [f'phone: "{phone}"'] if phone else []
    return "\n".join([*lines, "---", ""])


def duplicates(run: Run, root: Path) -> list[tuple[str, int, str]]:
    data = json.loads(run(root, "check", "--json", "--date", TODAY).stdout)
    return [(p["path"], p["line"], p["message"]) for p in data["problems"]
            if p["code"] == "duplicate"]


@pytest.mark.parametrize(("a", "b"), [
    ("Hans Müller", "hans müller"),  # case
    ("Hans Müller", "Hans Mueller"),  # transliteration
    ("Hans Müller", "Hans Muller"),  # accents dropped
    ("Hans Mueller", "HANS MULLER"),
    ("Zoë O'Brien", "Zoe OBrien"),
    ("Jürgen Strauß", "Juergen Strauss"),
    ("Müller, Hans", "Hans Müller"),  # last, first
    ("Hans Peter Müller", "Hans Müller"),  # a middle name more
    ("Hans P. Müller", "Hans Peter Müller"),  # a middle initial
    ("Hans P. Müller", "Hans Müller"),
    ("Dr. Hans Müller", "Hans Müller"),  # a title
    ("Anne-Marie Dupont", "Anne Marie Dupont"),
])
def test_name_variants_are_one_person(vault: VaultFactory, run: Run, a: str, b: str) -> None:
    root = vault({"a.md": person(a, "a@example.com"), "b.md": person(b, "b@example.com")})
    assert duplicates(run, root) == [
        ("a.md", 2, f"probably the same person as b.md ({b}): same name"),
        ("b.md", 2, f"probably the same person as a.md ({a}): same name"),
    ]


@pytest.mark.parametrize(("a", "b"), [
    ("Hans Müller", "Anna Müller"),  # two people sharing a surname
    ("Hans Müller", "Hans Schmidt"),
    ("Hans Peter Müller", "Hans Karl Müller"),  # different middle names
    ("Müller", "Hans Müller"),  # a surname alone says too little
    ("H. Müller", "Hans Müller"),  # a first initial may be Helga
])
def test_near_miss_names_are_not_duplicates(vault: VaultFactory, run: Run, a: str,
                                            b: str) -> None:
    root = vault({"a.md": person(a, "a@example.com"), "b.md": person(b, "b@example.com")})
    assert duplicates(run, root) == []


def test_same_email_any_case(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": person("Jane Roe", "Jane.Roe@Example.com"),
                  "b.md": person("J. Smith", "jane.roe@example.COM")})
    assert duplicates(run, root) == [
        ("a.md", 4, "probably the same person as b.md (J. Smith): same email "
                    "jane.roe@example.com"),
        ("b.md", 4, "probably the same person as a.md (Jane Roe): same email "
                    "jane.roe@example.com"),
    ]


def test_same_phone_once_in_e164(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": person("Jane Roe", phone="020 7946 0123"),
                  "b.md": person("Jane Smith", phone="+44 (0)20-7946-0123"),
                  "c.md": person("Acme", phone="+442079460123")},
                 config='[profiles]\nphone_region = "GB"\n')
    found = duplicates(run, root)
    # Jane Roe/Jane Smith (a married name?) and both with the unnamed-first company number
    assert [(p, line) for p, line, _m in found] == [
        ("a.md", 4), ("a.md", 4), ("b.md", 4), ("b.md", 4), ("c.md", 4), ("c.md", 4)]
    assert all("same phone +442079460123" in m for _p, _l, m in found)


def test_a_household_sharing_a_landline_is_not_a_duplicate(vault: VaultFactory,
                                                           run: Run) -> None:
    root = vault({"anna.md": person("Anna Müller", phone="+49 30 1234567"),
                  "hans.md": person("Hans Müller", phone="+49 30 1234567")})
    assert duplicates(run, root) == []


def test_several_reasons_one_report_per_file(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": person("Hans Müller", "h@example.com", "+49 30 1234567"),
                  "b.md": person("Mueller, Hans", "H@example.com", "+49 30 1234567"),
                  "c.md": person("Clara Other", "c@example.com")})
    found = duplicates(run, root)
    assert len(found) == 2
    assert found[0] == ("a.md", 4, "probably the same person as b.md (Mueller, Hans): "
                                   "same email h@example.com, same phone +49301234567, "
                                   "same name")


def test_second_list_item_is_reported_on_its_own_line(vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": "---\nname: Ann\nstatus: lead\nemail:\n  - ann@example.com\n"
                          "  - shared@example.com\n---\n",
                  "b.md": person("Bob", "shared@example.com")})
    assert [(p, line) for p, line, _m in duplicates(run, root)] == [("a.md", 6), ("b.md", 4)]


def test_name_keys() -> None:
    key = name_key("Müller, Hans Peter")
    assert key is not None and (key.first, key.middle, key.last) == ("hans", ("peter",),
                                                                     "muller")
    assert name_key("!!!") is None
    a, b = name_key("Anna Müller"), name_key("Hans Mueller")
    assert a and b and first_names_differ(a, b) and not same_name(a, b)


def test_many_profiles_are_not_compared_pair_by_pair(vault: VaultFactory, run: Run) -> None:
    files = {f"p{i:04d}.md": person(f"Given{i} Family{i % 50}", f"p{i}@example.com")
             for i in range(2000)}
    files["twin.md"] = person("Given7 Family7", "twin@example.com")
    root = vault(files)
    found = duplicates(run, root)
    assert [(p, line) for p, line, _m in found] == [("p0007.md", 2), ("twin.md", 2)]
